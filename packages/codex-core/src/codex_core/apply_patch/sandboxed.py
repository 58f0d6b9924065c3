"""Apply (or preview) a patch inside the sandbox the model's commands get.

A patch the agent applies without asking is written by a child process confined by the same
:class:`~codex_core.sandbox.SandboxPolicy` as the turn's commands (Landlock, read-only mounts
for the carve-outs, masked ``none`` paths). The kernel then decides every open, so a symlink
swapped in by a background process between a check and a write (``renameat2``) cannot redirect
the write, and permission profiles (``read``/``none`` entries, restricted readable roots) hold
for patches exactly as for commands. This is what Codex does too: it re-runs itself as
``apply_patch`` under the sandbox.

The child is a fork of the session's sandbox fork-server running :func:`main` in-process after
confinement (``builtin="apply_patch"``), else ``python -I -m codex_core.apply_patch.sandboxed
apply|preview``: the patch on stdin, one JSON object (:mod:`codex_core.apply_patch.wire`) on
stdout. ``-I`` keeps the workspace (which the model may write) off ``sys.path``.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from codex_core.apply_patch.result import PatchResult
    from codex_core.sandbox import SandboxPolicy

__all__ = ["apply_patch_sandboxed", "child_policy", "main", "preload"]

Mode = Literal["apply", "preview"]
PATCH_TIMEOUT_S = 120.0
_MAX_STDERR = 4096


def _interpreter_paths() -> list[Path]:
    """What the child interpreter must read: the executable, the stdlib, site-packages and the
    directories our own packages are imported from (an editable install lives outside them)."""
    import codex_core

    candidates = [
        Path(sys.executable).parent,
        Path(os.path.realpath(sys.executable)).parent,
        Path(sys.prefix),
        Path(sys.base_prefix),
        Path(sys.exec_prefix),
        Path(codex_core.__file__).parent.parent,
        *(Path(p) for p in sys.path if p and os.path.isabs(p)),
    ]
    out: dict[Path, None] = {}
    for c in candidates:
        if os.path.exists(c):
            out.setdefault(Path(os.path.realpath(c)), None)
    return list(out)


def child_policy(policy: SandboxPolicy) -> SandboxPolicy:
    """``policy`` for the patch child: no network, and the interpreter readable (read only) when
    the profile restricts reads. Writable roots, carve-outs and masked paths are unchanged."""
    import attrs

    readable = policy.readable_roots
    if readable is not None:
        readable = tuple(dict.fromkeys([*readable, *_interpreter_paths()]))
    return attrs.evolve(policy, network="none", readable_roots=readable)


def _read_all(fd: int, limit: int | None = None) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return b"".join(chunks)
        if limit is None or size < limit:
            chunks.append(chunk)
            size += len(chunk)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    try:
        while view:
            view = view[os.write(fd, view) :]
    except BrokenPipeError:
        pass  # the child died early; its exit status tells why
    finally:
        os.close(fd)


async def apply_patch_sandboxed(text: str, *, cwd: Path, policy: SandboxPolicy, mode: Mode = "apply") -> PatchResult:
    """Apply (``mode="apply"``) or preview ``text`` relative to ``cwd`` in a child confined by
    ``policy``. Returns the same :class:`PatchResult`, or raises the same
    :class:`~codex_core.apply_patch.ApplyPatchError` subclass, as the in-process engine; a child
    that cannot start or answer raises ``ApplyPatchError`` saying so."""
    from codex_core.apply_patch.errors import ApplyPatchError
    from codex_core.apply_patch.wire import WireError, error_from_wire, result_from_wire
    from codex_core.errors import SandboxError
    from codex_core.exec.spawn import spawn

    env = {"PATH": os.defpath, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    for fd in (in_w, out_r, err_r):
        os.set_inheritable(fd, False)
    try:
        proc = await spawn(
            [mode],
            cwd=str(cwd),
            env=env,
            policy=child_policy(policy),
            stdio=(in_r, out_w, err_w),
            builtin="apply_patch",
        )
    except (OSError, SandboxError) as exc:
        for fd in (in_r, in_w, out_r, out_w, err_r, err_w):
            os.close(fd)
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ApplyPatchError(f"apply_patch could not start in the sandbox: {reason}") from exc
    for fd in (in_r, out_w, err_w):
        os.close(fd)
    io = asyncio.gather(
        asyncio.to_thread(_write_all, in_w, text.encode("utf-8", "surrogatepass")),
        asyncio.to_thread(_read_all, out_r),
        asyncio.to_thread(_read_all, err_r, _MAX_STDERR),
    )
    try:
        code = await asyncio.wait_for(proc.wait(), PATCH_TIMEOUT_S)
        _, out, err = await io
    except BaseException as exc:
        proc.kill_group()
        await asyncio.shield(io)  # the pipes close once the group is dead
        if isinstance(exc, TimeoutError):
            raise ApplyPatchError(f"apply_patch timed out after {PATCH_TIMEOUT_S:.0f} s in the sandbox") from None
        raise
    finally:
        os.close(out_r)
        os.close(err_r)
    try:
        data = json.loads(out)
        if not isinstance(data, dict):
            raise WireError("not a JSON object")
        if data.get("ok") is True:
            return result_from_wire(data)
        if data.get("ok") is False:
            raise error_from_wire(data)
        raise WireError("no result")
    except (ValueError, UnicodeDecodeError):
        detail = err.decode("utf-8", "replace").strip() or f"exit code {code}"
        raise ApplyPatchError(f"apply_patch failed in the sandbox: {detail}") from None


def preload() -> None:
    """Import what :func:`main` needs (the fork-server calls this once before forking children)."""
    from codex_core.apply_patch import applier, wire  # noqa: F401


def main(argv: list[str] | None = None) -> int:
    """Child side: read the patch from stdin, apply or preview it in the cwd, print JSON."""
    from codex_core.apply_patch.applier import apply_patch
    from codex_core.apply_patch.errors import ApplyPatchError
    from codex_core.apply_patch.wire import error_to_wire, result_to_wire

    args = sys.argv[1:] if argv is None else argv
    if args not in (["apply"], ["preview"]):
        sys.stderr.write("usage: python -m codex_core.apply_patch.sandboxed apply|preview < PATCH\n")
        return 2
    try:
        text = sys.stdin.buffer.read().decode("utf-8", "surrogatepass")
        result = apply_patch(text, cwd=Path(os.getcwd()), dry_run=args[0] == "preview")
        payload = result_to_wire(result)
    except ApplyPatchError as exc:
        payload = error_to_wire(exc)
    except (OSError, UnicodeDecodeError) as exc:
        payload = error_to_wire(ApplyPatchError(f"apply_patch failed: {exc}"))
    sys.stdout.write(json.dumps(payload))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
