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

TYPE_CHECKING = False  # keep `import codex_core.apply_patch` cheap: submodules load on first use
if TYPE_CHECKING:
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

_WHERE = {
    "apply_parsed_patch": "applier",
    "apply_patch": "applier",
    "preview_patch": "applier",
    "compute_updated_content": "content",
    "seek_sequence": "content",
    "unified_diff": "diff",
    "ApplyPatchError": "errors",
    "PatchConflictError": "errors",
    "PatchIOError": "errors",
    "PatchPathError": "errors",
    "PatchSyntaxError": "errors",
    "IMPLICIT_INVOCATION_MESSAGE": "invocation",
    "ApplyPatchDetectError": "invocation",
    "ApplyPatchInvocation": "invocation",
    "detect_apply_patch": "invocation",
    "detect_apply_patch_script": "invocation",
    "AddFile": "parser",
    "DeleteFile": "parser",
    "Hunk": "parser",
    "Patch": "parser",
    "UpdateChunk": "parser",
    "UpdateFile": "parser",
    "parse_patch": "parser",
    "PatchFileChange": "result",
    "PatchResult": "result",
    "APPLY_PATCH_FREEFORM_DESCRIPTION": "tool_spec",
    "APPLY_PATCH_INPUT_DESCRIPTION": "tool_spec",
    "APPLY_PATCH_LARK_GRAMMAR": "tool_spec",
    "APPLY_PATCH_TOOL_DESCRIPTION": "tool_spec",
    "apply_patch_tool_specs": "tool_spec",
}


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'codex_core.apply_patch' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"codex_core.apply_patch.{module}"), name)
    globals()[name] = value
    return value
