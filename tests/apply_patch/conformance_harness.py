"""Helpers shared by the conformance recorder and the conformance test."""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

from tests.apply_patch.conformance_cases import Case

__all__ = ["argv_and_stdin", "materialize", "normalise_output", "patch_text", "snapshot_tree"]


def materialize(case: Case, root: Path) -> None:
    """Create the case's starting tree under ``root``."""
    for rel, content in case.files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))
    for rel in case.dirs:
        (root / rel).mkdir(parents=True, exist_ok=True)
    for rel, target in case.symlinks.items():
        os.symlink(target, root / rel)


def snapshot_tree(root: Path) -> dict[str, Any]:
    """Every entry under ``root``: files by content, directories and symlinks by kind."""
    tree: dict[str, Any] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in sorted(dirnames + filenames):
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                tree[rel] = {"symlink": os.readlink(path)}
            elif path.is_dir():
                tree[rel] = {"dir": True}
            else:
                data = path.read_bytes()
                try:
                    tree[rel] = {"text": data.decode("utf-8")}
                except UnicodeDecodeError:
                    tree[rel] = {"base64": base64.b64encode(data).decode("ascii")}
    return dict(sorted(tree.items()))


def patch_text(case: Case, root: Path) -> str:
    return case.patch.replace("{cwd}", str(root))


def argv_and_stdin(case: Case, root: Path) -> tuple[list[str], bytes]:
    """Arguments (without program name) and stdin bytes for running the case."""
    text = patch_text(case, root)
    if case.via == "arg":
        return [text], b""
    if case.via == "stdin":
        return [], text.encode("utf-8")
    if case.via == "args":
        return [text, text], b""
    return [], b""


def normalise_output(text: str, root: Path) -> str:
    return text.replace(str(root), "<CWD>")
