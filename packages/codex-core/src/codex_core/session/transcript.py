"""A saved thread as its user saw it, for a frontend that reopens it (``codex resume``, ``/fork``).

The rollout file keeps every line ever recorded, while the thread history a resumed thread
continues from is rewritten by compaction (which drops the assistant's answers). So the
transcript is read from the rollout lines, in order: the user's prompts, the assistant's
answers, reasoning summaries, commands with their output and exit code (from the tool output the
model got), ``!cmd`` commands the user ran, patches with their diff (``patch_apply_end``), and
interruptions and compactions as notes. Context messages (environment, AGENTS.md, compaction
summaries) are left out.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import attrs

from codex_core.errors import SessionError
from codex_core.protocol.events import (
    AgentMessageItem,
    CommandExecutionItem,
    FileChange,
    FileChangeItem,
    McpToolCallItem,
    McpToolCallResult,
    ReasoningItem,
    ThreadItem,
    WebSearchItem,
)

__all__ = ["TranscriptEntry", "read_transcript"]

_SHELL_TOOLS = ("shell", "container.exec", "shell_command", "local_shell", "exec_command")
_EXIT_RE = re.compile(r"(?:^|\n)(?:Exit code: |Process exited with code )(-?\d+)")


@attrs.frozen
class TranscriptEntry:
    """One thing on screen: a user prompt, an item (as live events carry it), or a note."""

    kind: Literal["user", "item", "interrupted", "compacted"]
    text: str = ""
    item: ThreadItem | None = None
    by_user: bool = False
    """For a command item: a ``!cmd`` the user ran."""


def _message_text(payload: dict[str, Any]) -> str:
    parts = payload.get("content") or []
    return "".join(str(p.get("text", "")) for p in parts if isinstance(p, dict) and "text" in p)


def _is_context(text: str) -> bool:
    from codex_core.agent.compaction import SUMMARY_PREFIX

    return text.startswith(("<environment_context>", "# AGENTS.md instructions", "<user_instructions>", SUMMARY_PREFIX))


def _arguments(payload: dict[str, Any]) -> dict[str, Any]:
    raw = payload.get("arguments")
    try:
        parsed = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _command_of(name: str, args: dict[str, Any]) -> str | None:
    """The command a shell tool call ran, as the user reads it (the script of ``bash -lc``)."""
    if name == "exec_command":
        cmd = args.get("cmd")
        return cmd if isinstance(cmd, str) else None
    cmd = args.get("command")
    if isinstance(cmd, str):
        return cmd
    if isinstance(cmd, list) and cmd and all(isinstance(c, str) for c in cmd):
        if len(cmd) == 3 and cmd[1] in ("-lc", "-c") and cmd[0].rsplit("/", 1)[-1] in ("bash", "sh", "zsh"):
            return str(cmd[2])
        return shlex.join(cmd)
    return None


def _is_patch_command(command: str) -> bool:
    return command.lstrip().startswith(("apply_patch", "applypatch")) and "*** Begin Patch" in command


def _output_text(payload: dict[str, Any]) -> str:
    out = payload.get("output")
    if isinstance(out, list):
        return "".join(str(p.get("text", "")) for p in out if isinstance(p, dict))
    return str(out or "")


def _command_result(raw: str) -> tuple[str, int | None]:
    """``(output, exit code)`` from a shell tool's output as the model got it (JSON with
    ``metadata.exit_code``, or ``Exit code: N ... Output:`` text, or unified exec's)."""
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, RecursionError):
        data = None
    if isinstance(data, dict) and isinstance(data.get("metadata"), dict):
        code = data["metadata"].get("exit_code")
        return str(data.get("output", "")), code if isinstance(code, int) else None
    match = _EXIT_RE.search(raw)
    code = int(match.group(1)) if match else None
    _, sep, body = raw.partition("Output:\n")
    return (body if sep else raw), code


def _patch_paths(patch: str) -> list[FileChange]:
    """Files a patch names (for a patch that was not applied)."""
    kinds: dict[str, Literal["add", "delete", "update"]] = {
        "*** Add File: ": "add",
        "*** Delete File: ": "delete",
        "*** Update File: ": "update",
    }
    out: list[FileChange] = []
    for line in patch.splitlines():
        for marker, kind in kinds.items():
            if line.startswith(marker):
                out.append(FileChange(path=line[len(marker) :].strip(), kind=kind))
    return out


def _diff_changes(diff: str) -> list[FileChange]:
    """One ``FileChange`` per file section of a git-style diff."""
    out: list[FileChange] = []
    for section in re.split(r"(?m)^(?=diff --git )", diff):
        if not section.startswith("diff --git "):
            continue
        head = section.splitlines()[0][len("diff --git ") :]
        path = head.split(" b/", 1)[1] if " b/" in head else head.rsplit(" ", 1)[-1]
        kind: Literal["add", "delete", "update"] = "update"
        if "\nnew file mode" in section:
            kind = "add"
        elif "\ndeleted file mode" in section:
            kind = "delete"
        out.append(FileChange(path=path, kind=kind, diff=section))
    return out


def _lines(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    try:
        with path.open("r", encoding="utf-8", errors="replace") as fh:
            for raw in fh:
                try:
                    obj = json.loads(raw)
                except (json.JSONDecodeError, RecursionError):
                    continue  # a torn line
                if isinstance(obj, dict) and isinstance(obj.get("payload"), dict):
                    yield str(obj.get("type")), obj["payload"]
    except OSError as exc:
        raise SessionError(f"cannot read session file {path}: {exc.strerror}") from None


def read_transcript(path: Path) -> list[TranscriptEntry]:
    """The transcript of the rollout at ``path`` (see the module docstring)."""
    from codex_core.agent.user_shell import parse_user_shell_message

    lines = list(_lines(path))
    patch_diffs = {
        str(p.get("call_id")): str(p.get("diff") or "")
        for kind, p in lines
        if kind == "event_msg" and p.get("type") == "patch_apply_end" and p.get("success")
    }
    outputs = {
        str(p.get("call_id")): _output_text(p)
        for kind, p in lines
        if kind == "response_item" and p.get("type") in ("function_call_output", "custom_tool_call_output")
    }
    entries: list[TranscriptEntry] = []
    n = 0

    def item_id() -> str:
        nonlocal n
        n += 1
        return f"replay-{n}"

    for kind, p in lines:
        if kind == "compacted":
            entries.append(TranscriptEntry("compacted"))
            continue
        if kind == "event_msg":
            if p.get("type") == "turn_aborted":
                entries.append(TranscriptEntry("interrupted"))
            continue
        if kind != "response_item":
            continue
        ptype = p.get("type")
        if ptype == "message":
            text = _message_text(p)
            if p.get("role") == "assistant" and text:
                entries.append(TranscriptEntry("item", item=AgentMessageItem(id=item_id(), text=text)))
            elif p.get("role") == "user" and text and not _is_context(text):
                shell = parse_user_shell_message(text)
                if shell is None:
                    entries.append(TranscriptEntry("user", text=text))
                    continue
                command, code, output = shell
                status: Literal["completed", "failed"] = "completed" if code == 0 else "failed"
                item = CommandExecutionItem(
                    id=item_id(), command=command, aggregated_output=output, exit_code=code, status=status
                )
                entries.append(TranscriptEntry("item", item=item, by_user=True))
        elif ptype == "reasoning":
            summary = "\n\n".join(
                str(s.get("text", "")) for s in p.get("summary") or [] if isinstance(s, dict) and s.get("text")
            )
            if summary:
                entries.append(TranscriptEntry("item", item=ReasoningItem(id=item_id(), text=summary)))
        elif ptype in ("function_call", "custom_tool_call", "local_shell_call"):
            entry = _tool_entry(p, outputs, patch_diffs, item_id())
            if entry is not None:
                entries.append(entry)
        elif ptype == "web_search_call":
            action = p.get("action") if isinstance(p.get("action"), dict) else {}
            query = str((action or {}).get("query") or "")
            if query:
                entries.append(TranscriptEntry("item", item=WebSearchItem(id=item_id(), query=query)))
    return entries


def _tool_entry(
    p: dict[str, Any], outputs: dict[str, str], patch_diffs: dict[str, str], new_id: str
) -> TranscriptEntry | None:
    call_id = str(p.get("call_id") or p.get("id") or "")
    name = str(p.get("name") or ("local_shell" if p.get("type") == "local_shell_call" else ""))
    output = outputs.get(call_id)
    patch_text: str | None = None
    if name == "apply_patch":
        patch_text = str(p.get("input") or _arguments(p).get("input") or "")
    elif name in _SHELL_TOOLS:
        if p.get("type") == "local_shell_call":
            action = p.get("action") if isinstance(p.get("action"), dict) else {}
            command = _command_of("shell", {"command": (action or {}).get("command")})
        else:
            command = _command_of(name, _arguments(p))
        if command is None:
            return None
        if _is_patch_command(command):
            patch_text = command
        else:
            return TranscriptEntry("item", item=_command_item(new_id, command, output))
    elif name.startswith("mcp__"):
        server, _, tool = name[len("mcp__") :].partition("__")
        result = McpToolCallResult(content=[{"type": "text", "text": output}]) if output is not None else None
        item = McpToolCallItem(
            id=new_id, server=server, tool=tool, arguments=_arguments(p) or None, result=result, status="completed"
        )
        return TranscriptEntry("item", item=item)
    if patch_text is None:
        return None
    diff = patch_diffs.get(call_id)
    if diff:
        return TranscriptEntry("item", item=FileChangeItem(id=new_id, changes=_diff_changes(diff)))
    changes = _patch_paths(patch_text)
    return TranscriptEntry("item", item=FileChangeItem(id=new_id, changes=changes, status="failed"))


def _command_item(item_id: str, command: str, output: str | None) -> CommandExecutionItem:
    if output is None or output == "aborted":  # interrupted before it finished
        return CommandExecutionItem(id=item_id, command=command, status="failed")
    if output.startswith("command rejected"):
        return CommandExecutionItem(id=item_id, command=command, status="declined")
    text, code = _command_result(output)
    status: Literal["completed", "failed"] = "completed" if code == 0 else "failed"
    return CommandExecutionItem(id=item_id, command=command, aggregated_output=text, exit_code=code, status=status)
