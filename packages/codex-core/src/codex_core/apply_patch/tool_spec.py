"""Texts the tool layer needs to offer ``apply_patch`` to a model (spec sections 3.3 and 4.1).

* :data:`APPLY_PATCH_LARK_GRAMMAR` - the grammar of the freeform (``type: custom``) tool;
* :data:`APPLY_PATCH_FREEFORM_DESCRIPTION` - short description of the freeform tool;
* :data:`APPLY_PATCH_TOOL_DESCRIPTION` - the patch-language explainer used by the JSON
  (``type: function``) form, whose single required string parameter is ``input``;
* :func:`apply_patch_tool_specs` - ready-made Responses API tool objects for both forms.

The wording is our own; it describes the same language the parser accepts.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "APPLY_PATCH_FREEFORM_DESCRIPTION",
    "APPLY_PATCH_INPUT_DESCRIPTION",
    "APPLY_PATCH_LARK_GRAMMAR",
    "APPLY_PATCH_TOOL_DESCRIPTION",
    "apply_patch_tool_specs",
]

APPLY_PATCH_LARK_GRAMMAR = r"""start: begin_patch hunk+ end_patch
begin_patch: "*** Begin Patch" LF
end_patch: "*** End Patch" LF?

hunk: add_hunk | delete_hunk | update_hunk
add_hunk: "*** Add File: " filename LF add_line+
delete_hunk: "*** Delete File: " filename LF
update_hunk: "*** Update File: " filename LF change_move? change?

filename: /(.+)/
add_line: "+" /(.+)/? LF -> line

change_move: "*** Move to: " filename LF
change: (change_context | change_line)+ eof_line?
change_context: ("@@" | "@@ " /(.+)/) LF
change_line: ("+" | "-" | " ") /(.+)/? LF
eof_line: "*** End of File" LF

%import common.LF
"""

APPLY_PATCH_FREEFORM_DESCRIPTION = (
    "Edit files with a patch. This is a FREEFORM tool: send the raw patch text as the input, "
    "do not wrap it in JSON or quotes. The patch must follow the apply_patch grammar "
    "(*** Begin Patch ... *** End Patch)."
)

APPLY_PATCH_INPUT_DESCRIPTION = "The entire contents of the apply_patch command"

APPLY_PATCH_TOOL_DESCRIPTION = """Use the `apply_patch` tool to create, edit, move and delete files.

The patch language is a compact, file-oriented diff. The whole patch sits between a begin and an end marker:

*** Begin Patch
[one or more file operations]
*** End Patch

Each file operation starts with a header naming the action:

*** Add File: <path>      create a file; every following line starts with `+` and is one line of the new file
*** Delete File: <path>   remove a file; nothing follows
*** Update File: <path>   edit a file in place; may be followed by `*** Move to: <new path>` to rename it

An update consists of one or more chunks. A chunk starts with `@@`, optionally followed by a line that
identifies the region (for example `@@ class Parser` or `@@ def load():`); then come the chunk lines:
- a line starting with a space is unchanged context,
- a line starting with `-` is removed,
- a line starting with `+` is added.

Show 3 lines of unchanged context before and after each change. If that is not enough to make the
location unique, add one or more `@@` lines naming the enclosing class or function. Chunks of one file
must appear in the order they occur in the file. End a chunk with `*** End of File` when it changes the
last lines of the file.

Example:

*** Begin Patch
*** Add File: notes/todo.md
+# TODO
+- write tests
*** Update File: src/app.py
*** Move to: src/main.py
@@ def main():
     args = parse_args()
-    run(args)
+    return run(args)
*** Delete File: src/obsolete.py
*** End Patch

Rules:
- Paths are relative to the working directory; never use absolute paths.
- Every line of a new file, including blank ones, must start with `+`.
- Only the markers shown above may start with `***`.
"""


def apply_patch_tool_specs() -> dict[str, dict[str, Any]]:
    """Responses API tool objects for the ``freeform`` (custom) and ``function`` forms."""
    return {
        "freeform": {
            "type": "custom",
            "name": "apply_patch",
            "description": APPLY_PATCH_FREEFORM_DESCRIPTION,
            "format": {"type": "grammar", "syntax": "lark", "definition": APPLY_PATCH_LARK_GRAMMAR},
        },
        "function": {
            "type": "function",
            "name": "apply_patch",
            "description": APPLY_PATCH_TOOL_DESCRIPTION,
            "strict": False,
            "parameters": {
                "type": "object",
                "properties": {"input": {"type": "string", "description": APPLY_PATCH_INPUT_DESCRIPTION}},
                "required": ["input"],
                "additionalProperties": False,
            },
        },
    }
