"""JSON form of patch results and errors, for patches applied in a sandboxed child process.

The child (``python -m codex_core.apply_patch.sandboxed``) prints one JSON object; the parent
turns it back into the same :class:`PatchResult` or :class:`ApplyPatchError` subclass that an
in-process :func:`apply_patch` would have produced. Stdlib + our own types only.
"""

from __future__ import annotations

import errno as errno_mod
from pathlib import Path
from typing import Any

from codex_core.apply_patch.errors import (
    ApplyPatchError,
    PatchConflictError,
    PatchIOError,
    PatchPathError,
    PatchSyntaxError,
)
from codex_core.apply_patch.result import PatchFileChange, PatchResult

__all__ = ["WireError", "error_from_wire", "error_to_wire", "result_from_wire", "result_to_wire"]


class WireError(ValueError):
    """The child's answer is not a well-formed result (it crashed, or was not our child)."""


def _path(value: object) -> Path | None:
    return None if value is None else Path(str(value))


def _opt_str(value: object) -> str | None:
    return None if value is None else str(value)


def result_to_wire(result: PatchResult) -> dict[str, Any]:
    return {
        "ok": True,
        "cwd": str(result.cwd),
        "applied": result.applied,
        "diff": result.diff,
        "changes": [
            {
                "kind": c.kind,
                "path": str(c.path),
                "display_path": c.display_path,
                "old_content": c.old_content,
                "new_content": c.new_content,
                "hunk": c.hunk,
                "diff_old_name": c.diff_old_name,
                "diff_new_name": c.diff_new_name,
                "move_path": None if c.move_path is None else str(c.move_path),
                "display_move_path": c.display_move_path,
                "old_mode": c.old_mode,
            }
            for c in result.changes
        ],
    }


def result_from_wire(data: dict[str, Any]) -> PatchResult:
    try:
        changes = tuple(
            PatchFileChange(
                kind=c["kind"],
                path=Path(c["path"]),
                display_path=str(c["display_path"]),
                old_content=_opt_str(c["old_content"]),
                new_content=_opt_str(c["new_content"]),
                hunk=int(c["hunk"]),
                diff_old_name=_opt_str(c["diff_old_name"]),
                diff_new_name=_opt_str(c["diff_new_name"]),
                move_path=_path(c["move_path"]),
                display_move_path=_opt_str(c["display_move_path"]),
                old_mode=str(c["old_mode"]),
            )
            for c in data["changes"]
        )
        return PatchResult(
            cwd=Path(data["cwd"]), changes=changes, applied=bool(data["applied"]), diff=str(data["diff"])
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise WireError(f"malformed patch result: {exc}") from None


def error_to_wire(error: ApplyPatchError) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ok": False,
        "class": type(error).__name__,
        "message": error.message,
        "path": None if error.path is None else str(error.path),
        "hunk": error.hunk,
    }
    if isinstance(error, PatchSyntaxError):
        out.update(reason=error.reason, line=error.line)
    elif isinstance(error, PatchConflictError):
        out.update(chunk=error.chunk, expected_lines=list(error.expected_lines), context=error.context)
    elif isinstance(error, PatchIOError):
        os_error = error.os_error
        out["errno"] = os_error.errno if isinstance(os_error, OSError) else None
    return out


def error_from_wire(data: dict[str, Any]) -> ApplyPatchError:
    try:
        kind = data["class"]
        message = str(data["message"])
        path = _path(data.get("path"))
        hunk = data.get("hunk")
        hunk = None if hunk is None else int(hunk)
        if kind == "PatchSyntaxError":
            line = data.get("line")
            return PatchSyntaxError(str(data["reason"]), line=None if line is None else int(line), hunk=hunk)
        if kind == "PatchConflictError":
            return PatchConflictError(
                message,
                path=path or Path(),
                hunk=hunk or 0,
                chunk=int(data["chunk"]),
                expected_lines=tuple(map(str, data.get("expected_lines") or ())),
                context=_opt_str(data.get("context")),
            )
        if kind == "PatchIOError":
            code = data.get("errno")
            os_error = OSError(int(code), errno_mod.errorcode.get(int(code), "")) if code is not None else None
            return PatchIOError(message, path=path, hunk=hunk, os_error=os_error)
        if kind == "PatchPathError":
            return PatchPathError(message, path=path, hunk=hunk)
        return ApplyPatchError(message, path=path, hunk=hunk)
    except (KeyError, TypeError, ValueError) as exc:
        raise WireError(f"malformed patch error: {exc}") from None
