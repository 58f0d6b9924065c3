"""``request_user_input``: the model's multiple-choice questions, answered through a frontend.

codex-py has no Plan mode, where Codex answers this tool; like Codex in Default mode it answers
"unavailable" -- unless the ``default_mode_request_user_input`` feature is on *and* the frontend
registered a handler (``Thread.set_user_input_handler``; the app-server's
``item/tool/requestUserInput`` request). The handler gets the call id and the parsed questions
and returns ``{question id: [answers]}``; the model then reads the answers as Codex writes them,
``{"answers": {"<id>": {"answers": ["..."]}}}``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import attrs

__all__ = [
    "UserInputHandler",
    "UserInputOption",
    "UserInputQuestion",
    "answers_output",
    "parse_questions",
    "request_user_input",
]

MAX_QUESTIONS = 3


@attrs.frozen
class UserInputOption:
    label: str
    description: str


@attrs.frozen
class UserInputQuestion:
    id: str
    header: str
    question: str
    options: tuple[UserInputOption, ...] | None
    is_other: bool = True
    """The client may offer a free-form answer besides the options (Codex always does)."""
    is_secret: bool = False


UserInputHandler = Callable[[str, Sequence[UserInputQuestion]], Awaitable[Mapping[str, Sequence[str]]]]
"""``(call_id, questions) -> {question id: answers}``; raising means "not answered"."""


def _text(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"request_user_input: {where}.{key} must be a non-empty string")
    return value


def parse_questions(arguments: str) -> list[UserInputQuestion]:
    """The questions of a ``request_user_input`` call; ``ValueError`` (a message for the model)
    when the arguments do not follow the tool's schema."""
    try:
        data = json.loads(arguments or "{}")
    except ValueError:
        raise ValueError("request_user_input: the arguments are not valid JSON") from None
    raw_questions = data.get("questions") if isinstance(data, dict) else None
    if not isinstance(raw_questions, list) or not raw_questions:
        raise ValueError("request_user_input: `questions` must be a non-empty array")
    if len(raw_questions) > MAX_QUESTIONS:
        raise ValueError(f"request_user_input: at most {MAX_QUESTIONS} questions, got {len(raw_questions)}")
    out: list[UserInputQuestion] = []
    for n, raw in enumerate(raw_questions):
        where = f"questions[{n}]"
        if not isinstance(raw, dict):
            raise ValueError(f"request_user_input: {where} must be an object")
        options = None
        if raw.get("options") is not None:
            if not isinstance(raw["options"], list):
                raise ValueError(f"request_user_input: {where}.options must be an array")
            options = tuple(
                UserInputOption(
                    label=_text(o, "label", f"{where}.options[{i}]") if isinstance(o, dict) else "",
                    description=str(o.get("description", "")) if isinstance(o, dict) else "",
                )
                for i, o in enumerate(raw["options"])
            )
        out.append(
            UserInputQuestion(
                id=_text(raw, "id", where),
                header=str(raw.get("header", "")),
                question=_text(raw, "question", where),
                options=options,
            )
        )
    if len({q.id for q in out}) != len(out):
        raise ValueError("request_user_input: question ids must be unique")
    return out


def answers_output(questions: Sequence[UserInputQuestion], answers: Mapping[str, Sequence[str]]) -> str:
    """What the model reads: every asked question with the user's answers (empty when skipped)."""
    return json.dumps(
        {"answers": {q.id: {"answers": [str(a) for a in answers.get(q.id, ())]} for q in questions}},
        ensure_ascii=False,
    )


async def request_user_input(call_id: str, arguments: str, handler: UserInputHandler) -> tuple[str, bool]:
    """Ask through ``handler``; ``(output for the model, success)``."""
    try:
        questions = parse_questions(arguments)
    except ValueError as exc:
        return str(exc), False
    try:
        answers = await handler(call_id, questions)
    except Exception as exc:  # the frontend could not ask: the model hears why
        return f"request_user_input was not answered: {exc}", False
    return answers_output(questions, answers), True
