"""The apply_patch engine: parse Codex patches, apply them safely, recognise shell calls.

Typical use::

    from codex_core.apply_patch import apply_patch, preview_patch

    preview = preview_patch(text, cwd=workspace)            # for the approval prompt
    result = apply_patch(text, cwd=workspace, allowed_roots=[workspace])
    print(result.summary())                                 # Codex's "Success. Updated..." text

Parsing is pure; applying is all-or-nothing (nothing is written unless every hunk applies).
Errors are :class:`codex_core.errors.PatchError` subclasses carrying ``path`` and ``hunk``.
"""

from __future__ import annotations

from codex_core.apply_patch.applier import apply_parsed_patch, apply_patch, preview_patch
from codex_core.apply_patch.content import compute_updated_content, seek_sequence
from codex_core.apply_patch.diff import unified_diff
from codex_core.apply_patch.errors import (
    ApplyPatchError,
    PatchConflictError,
    PatchIOError,
    PatchPathError,
    PatchSyntaxError,
)
from codex_core.apply_patch.invocation import (
    IMPLICIT_INVOCATION_MESSAGE,
    ApplyPatchDetectError,
    ApplyPatchInvocation,
    detect_apply_patch,
    detect_apply_patch_script,
)
from codex_core.apply_patch.parser import (
    AddFile,
    DeleteFile,
    Hunk,
    Patch,
    UpdateChunk,
    UpdateFile,
    parse_patch,
)
from codex_core.apply_patch.result import PatchFileChange, PatchResult
from codex_core.apply_patch.tool_spec import (
    APPLY_PATCH_FREEFORM_DESCRIPTION,
    APPLY_PATCH_INPUT_DESCRIPTION,
    APPLY_PATCH_LARK_GRAMMAR,
    APPLY_PATCH_TOOL_DESCRIPTION,
    apply_patch_tool_specs,
)

__all__ = [
    "APPLY_PATCH_FREEFORM_DESCRIPTION",
    "APPLY_PATCH_INPUT_DESCRIPTION",
    "APPLY_PATCH_LARK_GRAMMAR",
    "APPLY_PATCH_TOOL_DESCRIPTION",
    "IMPLICIT_INVOCATION_MESSAGE",
    "AddFile",
    "ApplyPatchDetectError",
    "ApplyPatchError",
    "ApplyPatchInvocation",
    "DeleteFile",
    "Hunk",
    "Patch",
    "PatchConflictError",
    "PatchFileChange",
    "PatchIOError",
    "PatchPathError",
    "PatchResult",
    "PatchSyntaxError",
    "UpdateChunk",
    "UpdateFile",
    "apply_parsed_patch",
    "apply_patch",
    "apply_patch_tool_specs",
    "compute_updated_content",
    "detect_apply_patch",
    "detect_apply_patch_script",
    "parse_patch",
    "preview_patch",
    "seek_sequence",
    "unified_diff",
]
