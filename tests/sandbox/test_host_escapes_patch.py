"""Escape suite, host-side class: apply_patch acting on the model's behalf outside the sandbox.

A patch is applied by the agent, not by a sandboxed command, so it must be held to the same
``SandboxPolicy`` (permission profiles, carve-outs, ``none`` paths) and must not be redirectable
by a symlink that a sandboxed background process swaps in between a check and the write.
"""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from codex_core import Codex
from codex_core.apply_patch.sandboxed import apply_patch_sandboxed
from codex_core.config import ConfigOverrides, load_config
from codex_core.sandbox import SandboxPolicy
from codex_core.testing import ScriptedModel, function_call, message

from .conftest import needs_sandbox

pytestmark = [needs_sandbox, pytest.mark.sandbox]

PROFILE = textwrap.dedent(
    """\
    default_permissions = "ws"
    approval_policy = "never"
    [permissions.ws.filesystem]
    ":minimal" = "read"
    ":workspace_roots" = { "." = "write", "protected" = "read", "secret" = "none" }
    """
)


def _patch(*lines: str) -> str:
    return "\n".join(["*** Begin Patch", *lines, "*** End Patch"]) + "\n"


def _workspace(tmp_path: Path, config: str) -> tuple[Path, Path]:
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text(config)
    ws = tmp_path / "ws"
    for sub in ("protected", "secret", "public"):
        (ws / sub).mkdir(parents=True)
    (ws / "protected" / "keep.txt").write_text("do not touch\n")
    (ws / "secret" / "key.txt").write_text("header\nTOPSECRET-4711\n")
    return home, ws


async def _run_patch(home: Path, ws: Path, patch: str, **ov: object) -> tuple[str, ScriptedModel]:
    cfg = load_config(ConfigOverrides(**ov), codex_home=home, cwd=ws)  # type: ignore[arg-type]
    model = ScriptedModel([[function_call("apply_patch", {"input": patch}, call_id="p1")], [message("done")]])
    codex = Codex(cfg, model_client=model)
    thread = codex.start_thread(ephemeral=True)
    async for _ in thread.run_streamed("patch"):
        pass
    await codex.aclose()
    output = next(i for i in model.prompts[1].input if i.type == "function_call_output")
    return str(output.output), model


async def test_profile_read_entry_is_not_patched(tmp_path: Path) -> None:
    home, ws = _workspace(tmp_path, PROFILE)
    out, _ = await _run_patch(home, ws, _patch("*** Update File: protected/keep.txt", "@@", "-do not touch", "+owned"))
    assert "rejected" in out
    assert (ws / "protected" / "keep.txt").read_text() == "do not touch\n"


async def test_profile_none_file_cannot_be_moved_out_nor_read(tmp_path: Path) -> None:
    home, ws = _workspace(tmp_path, PROFILE)
    patch = _patch("*** Update File: secret/key.txt", "*** Move to: public/key.txt", "@@", "-header", "+HEADER")
    out, model = await _run_patch(home, ws, patch)
    assert not (ws / "public" / "key.txt").exists()
    assert (ws / "secret" / "key.txt").read_text() == "header\nTOPSECRET-4711\n"
    assert "TOPSECRET" not in out and "TOPSECRET" not in repr(model.prompts[1].input)
    # even when the approval policy would let the user decide, the preview runs confined: no secret
    # reaches the approval prompt or the model
    cfg_text = PROFILE.replace('approval_policy = "never"', 'approval_policy = "on-request"')
    (home / "config.toml").write_text(cfg_text)
    cfg = load_config(ConfigOverrides(), codex_home=home, cwd=ws)
    model = ScriptedModel([[function_call("apply_patch", {"input": patch}, call_id="p1")], [message("done")]])
    codex = Codex(cfg, model_client=model)
    thread = codex.start_thread(ephemeral=True)
    asked = []
    async for ev in thread.run_streamed("patch"):
        if ev.type == "approval.requested":
            asked.append(ev)
            await thread.respond_approval(ev.request_id, "approved")
    await codex.aclose()
    assert asked == []
    assert not (ws / "public" / "key.txt").exists()
    assert "TOPSECRET" not in repr(model.prompts[1].input)


async def test_cwd_is_not_written_when_only_a_scratch_dir_is_writable(tmp_path: Path) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    config = textwrap.dedent(
        f"""\
        default_permissions = "scratch"
        approval_policy = "never"
        [permissions.scratch.filesystem]
        ":minimal" = "read"
        ":workspace_roots" = "read"
        "{scratch}" = "write"
        """
    )
    home, ws = _workspace(tmp_path, config)
    out, _ = await _run_patch(home, ws, _patch("*** Add File: new.txt", "+x", f"*** Add File: {scratch}/ok.txt", "+y"))
    assert "rejected" in out and not (ws / "new.txt").exists() and not (scratch / "ok.txt").exists()
    out, _ = await _run_patch(home, ws, _patch(f"*** Add File: {scratch}/ok.txt", "+y"))
    assert out.startswith("Success.") and (scratch / "ok.txt").read_text() == "y\n"


@pytest.mark.parametrize(
    "where", ["sub/.git/config", ".git/hooks/pre-commit", "deep/er/.hg/hgrc", "a/.codex/config.toml"]
)
async def test_patches_never_write_vcs_or_codex_metadata(tmp_path: Path, where: str) -> None:
    home, ws = _workspace(tmp_path, PROFILE)
    (ws / "sub" / ".git").mkdir(parents=True)
    out, _ = await _run_patch(home, ws, _patch(f"*** Add File: {where}", "+[core]", "+\tfsmonitor = /tmp/evil"))
    assert "rejected" in out and not (ws / where).exists()


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _swapper(ws: Path, stop_file: Path) -> subprocess.Popen[bytes]:
    """A process that flips ``ws/e`` between a real directory and a symlink to ``outside``
    with ``renameat2(RENAME_EXCHANGE)`` as fast as it can (what a sandboxed background command
    running under unified exec can do inside its writable root). Returns once it is swapping."""
    ready = stop_file.with_name("swapping")
    code = textwrap.dedent(
        f"""
        import ctypes, os
        libc = ctypes.CDLL(None, use_errno=True)
        a, b = b"e", b"e_swap"
        open({str(ready)!r}, "w").close()
        while not os.path.exists({str(stop_file)!r}):
            libc.renameat2({_AT_FDCWD}, a, {_AT_FDCWD}, b, {_RENAME_EXCHANGE})
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ws)
    deadline = time.monotonic() + 30
    while not ready.exists():
        assert proc.poll() is None and time.monotonic() < deadline, "the swapper did not start"
        time.sleep(0.01)
    return proc


async def test_symlink_swap_race_cannot_redirect_a_model_patch(tmp_path: Path) -> None:
    ctypes.CDLL(None).renameat2  # noqa: B018 - the race needs renameat2 (glibc >= 2.28)
    home, ws = _workspace(tmp_path, PROFILE)
    outside = tmp_path / "outside"
    (ws / "e").mkdir(parents=True)
    outside.mkdir()
    os.symlink(outside, ws / "e_swap")
    stop = tmp_path / "stop"
    cfg = load_config(ConfigOverrides(), codex_home=home, cwd=ws)
    steps = [
        [function_call("apply_patch", {"input": _patch(f"*** Add File: e/x{i}", "+owned")}, call_id=f"p{i}")]
        for i in range(25)
    ]
    model = ScriptedModel([*steps, [message("done")]])
    codex = Codex(cfg, model_client=model)
    swapper = _swapper(ws, stop)
    try:
        await codex.start_thread(ephemeral=True).run("race")
    finally:
        stop.touch()
        swapper.wait(timeout=10)
        await codex.aclose()
    assert sorted(os.listdir(outside)) == []


async def test_sandboxed_apply_under_the_race_directly(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    outside = tmp_path / "outside"
    (ws / "e").mkdir(parents=True)
    outside.mkdir()
    os.symlink(outside, ws / "e_swap")
    stop = tmp_path / "stop"
    policy = SandboxPolicy.workspace_write(cwd=ws, exclude_slash_tmp=True, exclude_tmpdir_env_var=True)
    swapper = _swapper(ws, stop)
    try:
        for i in range(25):
            try:
                await apply_patch_sandboxed(_patch(f"*** Add File: e/x{i}", "+owned"), cwd=ws, policy=policy)
            except Exception:  # the write through the symlink is refused by the kernel
                pass
    finally:
        stop.touch()
        swapper.wait(timeout=10)
    assert sorted(os.listdir(outside)) == []


async def test_model_patch_runs_in_a_child_under_the_command_policy(tmp_path: Path) -> None:
    """The agent's auto-applied patch is written by a sandboxed child: its writes obey the mount
    carve-outs even for paths the host-side check cannot know about (a ``.git`` file's gitdir)."""
    home, ws = _workspace(tmp_path, PROFILE)
    gitdata = ws / "public" / "gitdata"
    gitdata.mkdir()
    (ws / ".git").write_text(f"gitdir: {gitdata}\n")
    out, _ = await _run_patch(home, ws, _patch("*** Add File: public/gitdata/config", "+[core]"))
    assert "Read-only file system" in out
    assert not (gitdata / "config").exists()


def test_swapper_really_races(tmp_path: Path) -> None:
    """The race harness works: unconfined writes by path do land outside (so the test above
    would catch a host-side apply)."""
    from codex_core.apply_patch import apply_patch

    ws = tmp_path / "ws"
    outside = tmp_path / "outside"
    (ws / "e").mkdir(parents=True)
    outside.mkdir()
    os.symlink(outside, ws / "e_swap")
    stop = tmp_path / "stop"
    swapper = _swapper(ws, stop)
    try:
        for i in range(400):
            try:
                apply_patch(_patch(f"*** Add File: e/x{i}", "+owned"), cwd=ws, allowed_roots=[ws])
            except Exception:
                pass
            if any(outside.iterdir()):
                break
    finally:
        stop.touch()
        swapper.wait(timeout=10)
    assert any(outside.iterdir())


PWNED = Path("/pwned")


def _exists(path: Path) -> bool:
    return path.exists()


async def test_fork_server_runs_only_named_builtins(tmp_path: Path) -> None:
    from codex_core.sandbox import default_zygote

    policy = SandboxPolicy.workspace_write(cwd=tmp_path, exclude_slash_tmp=True, exclude_tmpdir_env_var=True)
    spec = policy.to_linux_spec()
    r, w = os.pipe()
    try:
        proc = await default_zygote().spawn(
            ["-c", "open('/pwned','w')"], cwd=str(tmp_path), env={}, spec=spec, stdin=r, stdout=w, stderr=w,
            builtin="runpy",
        )  # fmt: skip
        status = os.waitstatus_to_exitcode(await proc.wait())
    finally:
        os.close(w)
        out = os.read(r, 4096)
        os.close(r)
    assert status == 126 and b"unknown builtin" in out and not _exists(PWNED)


async def test_a_sandbox_that_cannot_be_built_fails_the_patch_cleanly(tmp_path: Path) -> None:
    """A writable root re-pointed through a symlink since the policy was built: the spec is
    refused (``SandboxError``) and the patch fails with a patch error, nothing is written."""
    from codex_core.apply_patch import ApplyPatchError

    real = tmp_path / "real"
    real.mkdir()
    policy = SandboxPolicy(kind="workspace-write", writable_roots=(real,))
    real.rename(tmp_path / "moved")
    os.symlink(tmp_path / "elsewhere", real)
    (tmp_path / "elsewhere").mkdir()
    with pytest.raises(ApplyPatchError, match="could not start in the sandbox"):
        await apply_patch_sandboxed(_patch("*** Add File: x", "+y"), cwd=tmp_path / "elsewhere", policy=policy)
    assert not (tmp_path / "elsewhere" / "x").exists()


async def test_a_patch_child_past_its_time_limit_is_a_patch_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the time limit the child is killed and the tool answers the model with a patch error
    (nothing else escapes the tool handler)."""
    from codex_core.apply_patch import ApplyPatchError, sandboxed

    monkeypatch.setattr(sandboxed, "PATCH_TIMEOUT_S", 0.0)
    policy = SandboxPolicy.workspace_write(cwd=tmp_path, exclude_slash_tmp=True, exclude_tmpdir_env_var=True)
    with pytest.raises(ApplyPatchError, match="timed out"):
        await apply_patch_sandboxed(_patch("*** Add File: late.txt", "+x"), cwd=tmp_path, policy=policy)


def test_a_fifo_named_by_a_patch_is_refused_not_read(tmp_path: Path) -> None:
    """Reading a FIFO would block the applier forever (on the host, for an approved patch)."""
    from codex_core.apply_patch import PatchIOError, apply_patch

    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(PatchIOError, match=r"Failed to read file to update .*pipe: Invalid argument"):
        apply_patch(_patch("*** Update File: pipe", "@@", "-a", "+b"), cwd=tmp_path)
