"""Recognising apply_patch calls hidden in shell commands (pure: no I/O, no processes).

Models call the patch tool through the shell in a few shapes, all recognised here:

* argv ``["apply_patch", PATCH]`` or ``["applypatch", PATCH]``;
* ``[shell, flag, SCRIPT]`` with ``bash``/``zsh``/``sh`` + ``-c``/``-lc``, ``pwsh``/
  ``powershell`` + ``-Command`` (``-NoProfile`` may precede it) or ``cmd`` + ``/c``, where the
  whole SCRIPT is ``apply_patch <<'EOF' ... EOF`` or ``cd DIR && apply_patch <<EOF ... EOF``;
* the same SCRIPT given as a string (``shell_command`` / ``exec_command`` tools).

A raw patch given as the command itself is answered with Codex's "rerun as apply_patch"
message instead of being executed. Like Codex, anything else around the heredoc (other
commands, ``;``, ``||``, pipes, extra arguments) means "not an apply_patch call".
"""

from __future__ import annotations

import re
from pathlib import Path, PurePath
from typing import Literal

import attrs

from codex_core.apply_patch.errors import PatchSyntaxError
from codex_core.apply_patch.parser import Patch, parse_patch

__all__ = [
    "IMPLICIT_INVOCATION_MESSAGE",
    "ApplyPatchDetectError",
    "ApplyPatchInvocation",
    "detect_apply_patch",
    "detect_apply_patch_script",
    "extract_heredoc_invocation",
]

IMPLICIT_INVOCATION_MESSAGE = 'patch detected without explicit call to apply_patch. Rerun as ["apply_patch", "<patch>"]'
_COMMANDS = ("apply_patch", "applypatch")
_SNAPSHOT_WRAPPER = '. "$0" && exec "$@"'


@attrs.frozen
class ApplyPatchInvocation:
    """A recognised apply_patch call: the parsed ``patch`` and the directory it applies in.

    ``cwd`` is the effective directory (the ``cd`` target joined to the caller's cwd, if any);
    ``workdir`` the raw ``cd`` argument.
    """

    patch: Patch
    cwd: Path
    workdir: str | None = None

    @property
    def patch_text(self) -> str:
        """The patch without heredoc wrapper, suitable for ``["apply_patch", text]``."""
        return self.patch.text


@attrs.frozen
class ApplyPatchDetectError:
    """The command is (or looks like) an apply_patch call but cannot be run as such.

    ``kind`` is ``"implicit_invocation"`` for a bare patch used as a command and
    ``"parse_error"`` for an apply_patch call whose patch is malformed (``error`` is set).
    ``message`` is the text to return to the model.
    """

    kind: Literal["implicit_invocation", "parse_error"]
    message: str
    error: PatchSyntaxError | None = None


DetectResult = ApplyPatchInvocation | ApplyPatchDetectError | None


def _shell_kind(shell: str, flag: str) -> bool:
    name = PurePath(shell.replace("\\", "/")).name.lower()
    stem = name.rsplit(".", 1)[0] if "." in name else name
    if stem in ("bash", "zsh", "sh"):
        return flag in ("-lc", "-c")
    if stem in ("pwsh", "powershell"):
        return flag.lower() == "-command"
    if stem == "cmd":
        return flag.lower() == "/c"
    return False


def _shell_script(argv: list[str]) -> str | None:
    """The script of a ``[shell, flag, script]`` argv (after unwrapping snapshot wrappers)."""
    if len(argv) >= 5 and argv[2] == _SNAPSHOT_WRAPPER and _shell_kind(argv[0], argv[1]):
        return _shell_script(argv[4:])
    if len(argv) == 3 and _shell_kind(argv[0], argv[1]):
        return argv[2]
    if len(argv) == 4 and _shell_kind(argv[0], argv[2]):
        stem = PurePath(argv[0].replace("\\", "/")).name.lower().split(".")[0]
        if stem in ("pwsh", "powershell") and argv[1].lower() == "-noprofile":
            return argv[3]
    return None


_WORD = r"[^\s;&|<>()`$\"'\\]+"
_PREFIX = re.compile(
    rf"""\A[ \t\r\n]*
    (?:cd[ \t]+(?:(?P<word>{_WORD})|"(?P<dq>[^"`$\\]*)"|'(?P<sq>[^']*)')[ \t]*&&[ \t\r\n]*)?
    (?:apply_patch|applypatch)[ \t]*<<(?P<dash>-?)[ \t]*
    (?:(?P<bare>{_WORD})|'(?P<sqd>[^'\n]+)'|"(?P<dqd>[^"\n]+)")[ \t]*\n""",
    re.VERBOSE,
)


def extract_heredoc_invocation(script: str) -> tuple[str, str | None] | None:
    """Return ``(heredoc_body, cd_dir)`` if ``script`` is exactly an apply_patch heredoc call.

    Accepted: ``apply_patch <<DELIM`` (DELIM bare, ``'quoted'`` or ``"quoted"``), optionally
    preceded by ``cd DIR &&``, followed by the body and a line holding only DELIM, with
    nothing but whitespace after it. The body loses its trailing newlines, as in Codex.
    """
    match = _PREFIX.match(script)
    if match is None:
        return None
    delimiter = match.group("bare") or match.group("sqd") or match.group("dqd")
    strip_tabs = bool(match.group("dash"))
    rest = script[match.end() :]
    lines = rest.split("\n")
    for index, line in enumerate(lines):
        candidate = line.lstrip("\t") if strip_tabs else line
        if candidate.rstrip("\r") != delimiter:
            continue
        trailing = "\n".join(lines[index + 1 :])
        if trailing.strip():
            return None
        body = "\n".join(lines[:index]).rstrip("\n")
        workdir = next(
            (match.group(name) for name in ("word", "dq", "sq") if match.group(name) is not None),
            None,
        )
        return body, workdir
    return None


def _parse_call(body: str, cwd: Path, workdir: str | None) -> DetectResult:
    try:
        patch = parse_patch(body)
    except PatchSyntaxError as exc:
        return ApplyPatchDetectError(kind="parse_error", message=exc.message, error=exc)
    effective = cwd / workdir if workdir else cwd
    return ApplyPatchInvocation(patch=patch, cwd=effective, workdir=workdir)


def _is_patch(text: str) -> bool:
    try:
        parse_patch(text)
    except PatchSyntaxError:
        return False
    return True


def detect_apply_patch(argv: list[str], cwd: Path) -> DetectResult:
    """Classify a shell-tool ``argv``: apply_patch call, unusable call (error), or neither.

    ``cwd`` is the directory the command would run in; a ``cd DIR &&`` prefix is resolved
    against it. Returns ``None`` when the command is not an apply_patch call.
    """
    if len(argv) == 1 and _is_patch(argv[0]):
        return ApplyPatchDetectError(kind="implicit_invocation", message=IMPLICIT_INVOCATION_MESSAGE)
    if len(argv) == 2 and argv[0] in _COMMANDS:
        return _parse_call(argv[1], cwd, None)
    script = _shell_script(argv)
    if script is None:
        return None
    return detect_apply_patch_script(script, cwd)


def detect_apply_patch_script(script: str, cwd: Path) -> DetectResult:
    """Like :func:`detect_apply_patch` for a shell script string (``shell_command`` tools)."""
    if _is_patch(script):
        return ApplyPatchDetectError(kind="implicit_invocation", message=IMPLICIT_INVOCATION_MESSAGE)
    extracted = extract_heredoc_invocation(script)
    if extracted is None:
        return None
    body, workdir = extracted
    return _parse_call(body, cwd, workdir)
