"""Result types of applying (or previewing) a patch."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import attrs

from codex_core.apply_patch.diff import unified_diff

__all__ = ["PatchFileChange", "PatchResult"]

ChangeKind = Literal["add", "delete", "update"]


@attrs.frozen
class PatchFileChange:
    """What one hunk of the patch does to one file.

    ``path`` is the absolute, normalised path the hunk names and ``display_path`` its spelling
    in the patch. For a move, ``move_path``/``display_move_path`` give the destination.
    ``old_content`` is ``None`` when an added file did not exist before; ``new_content`` is
    ``None`` for deletions. ``diff_old_name``/``diff_new_name`` are the names used in diffs
    (relative to the patch's cwd when inside it).
    """

    kind: ChangeKind
    path: Path
    display_path: str
    old_content: str | None
    new_content: str | None
    hunk: int
    diff_old_name: str | None
    diff_new_name: str | None
    move_path: Path | None = None
    display_move_path: str | None = None
    old_mode: str = "100644"

    @property
    def destination(self) -> Path:
        """Where the file ends up (``move_path`` for moves, else ``path``)."""
        return self.move_path if self.move_path is not None else self.path

    def unified_diff(self, context: int = 3) -> str:
        """Git-style diff of this change with ``context`` lines around each hunk."""
        return unified_diff(
            self.diff_old_name,
            self.diff_new_name,
            self.old_content or "",
            self.new_content or "",
            context=context,
            old_mode=self.old_mode,
        )


def _unique(paths: list[Path]) -> tuple[Path, ...]:
    return tuple(dict.fromkeys(paths))


@attrs.frozen
class PatchResult:
    """Outcome of :func:`~codex_core.apply_patch.apply_patch`.

    ``changes`` has one entry per hunk, in patch order. ``added``/``modified``/``deleted`` list
    absolute paths without duplicates (a move's destination counts as modified and the pair is
    in ``moved``). ``diff`` is the net git-style diff from the tree before the patch to the
    tree after it, one section per file (``git apply`` accepts it). ``applied`` is ``False``
    for previews (``dry_run=True``).
    """

    cwd: Path
    changes: tuple[PatchFileChange, ...]
    applied: bool
    diff: str

    @property
    def added(self) -> tuple[Path, ...]:
        return _unique([c.path for c in self.changes if c.kind == "add"])

    @property
    def modified(self) -> tuple[Path, ...]:
        return _unique([c.destination for c in self.changes if c.kind == "update"])

    @property
    def deleted(self) -> tuple[Path, ...]:
        return _unique([c.path for c in self.changes if c.kind == "delete"])

    @property
    def moved(self) -> tuple[tuple[Path, Path], ...]:
        return tuple((c.path, c.move_path) for c in self.changes if c.kind == "update" and c.move_path is not None)

    def summary(self) -> str:
        """Codex's success text: ``Success. Updated the following files:`` then A/M/D lines."""
        lines = ["Success. Updated the following files:"]
        lines += [f"A {c.display_path}" for c in self.changes if c.kind == "add"]
        lines += [
            f"M {c.display_move_path if c.display_move_path is not None else c.display_path}"
            for c in self.changes
            if c.kind == "update"
        ]
        lines += [f"D {c.display_path}" for c in self.changes if c.kind == "delete"]
        return "\n".join(lines) + "\n"
