"""`codex_core.fs_access` against a racing symlink swap: what was checked is what is written.

A background thread keeps replacing a workspace directory with a symlink to a directory outside
the writable roots (and back) while writes, copies, directory creations and removals go through
it. Each operation may fail, but nothing may ever land outside, or be removed there.
"""

from __future__ import annotations

import ctypes
import os
import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path

from codex_core.fs_access import ConfinedFs, FsError
from codex_core.sandbox import SandboxPolicy

_LIBC = ctypes.CDLL(None, use_errno=True)
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> None:
    if _LIBC.renameat2(_AT_FDCWD, bytes(a), _AT_FDCWD, bytes(b), _RENAME_EXCHANGE) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def _policy(ws: Path) -> SandboxPolicy:
    return SandboxPolicy.workspace_write(cwd=ws, exclude_slash_tmp=True, exclude_tmpdir_env_var=True)


def test_symlink_swapped_in_during_operations_never_redirects_them(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    outside = tmp_path / "outside"
    ws.mkdir()
    outside.mkdir()
    (outside / "keep.txt").write_text("outside\n")
    (ws / "src.txt").write_text("source\n")
    fs = ConfinedFs(_policy(ws))
    swap = ws / "d"
    swap.mkdir()
    (ws / "d.other").symlink_to(outside)
    stop = threading.Event()

    def swapper() -> None:  # atomically exchange the real directory and the link, over and over
        while not stop.is_set():
            _exchange(swap, ws / "d.other")

    thread = threading.Thread(target=swapper, daemon=True)
    thread.start()
    outcomes = {"ok": 0, "refused": 0}
    try:
        for n in range(400):
            ops: list[Callable[[], None]] = [
                partial(fs.write_file, swap / "keep.txt", b"overwritten\n"),
                partial(fs.write_file, swap / f"new{n}.txt", b"new\n"),
                partial(fs.copy, ws / "src.txt", swap / "copied.txt"),
                partial(fs.create_directory, swap / "made" / "deeper"),
                partial(fs.remove, swap / "keep.txt"),
            ]
            for op in ops:
                try:
                    op()
                    outcomes["ok"] += 1
                except FsError:
                    outcomes["refused"] += 1
    finally:
        stop.set()
        thread.join()
    assert sorted(os.listdir(outside)) == ["keep.txt"]
    assert (outside / "keep.txt").read_text() == "outside\n"
    assert outcomes["ok"] > 0 and outcomes["refused"] > 0, outcomes


def test_write_replaces_a_planted_hard_link_instead_of_writing_through_it(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    outside = tmp_path / "outside"
    ws.mkdir()
    outside.mkdir()
    (outside / "victim.txt").write_text("victim\n")
    os.link(outside / "victim.txt", ws / "alias.txt")
    ConfinedFs(_policy(ws)).write_file(ws / "alias.txt", b"mine\n")
    assert (ws / "alias.txt").read_text() == "mine\n"
    assert (outside / "victim.txt").read_text() == "victim\n"


def test_fifo_and_read_limit_are_refused_without_blocking(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    os.mkfifo(ws / "pipe")
    (ws / "big.bin").write_bytes(b"x" * 2048)
    fs = ConfinedFs(_policy(ws), max_read_bytes=1024)
    for path, words in ((ws / "pipe", "not a regular file"), (ws / "big.bin", "too large")):
        try:
            fs.read_file(path)
        except FsError as exc:
            assert words in str(exc)
        else:
            raise AssertionError(f"{path} was read")
