"""Tool texts offered to the model."""

from __future__ import annotations

import re

from codex_core.apply_patch import (
    APPLY_PATCH_LARK_GRAMMAR,
    APPLY_PATCH_TOOL_DESCRIPTION,
    AddFile,
    DeleteFile,
    UpdateFile,
    apply_patch_tool_specs,
    parse_patch,
)
from codex_core.apply_patch.parser import (
    ADD_FILE,
    BEGIN_PATCH,
    DELETE_FILE,
    END_OF_FILE,
    END_PATCH,
    MOVE_TO,
    UPDATE_FILE,
)


def test_description_example_is_a_valid_patch() -> None:
    match = re.search(r"Example:\n\n(\*\*\* Begin Patch\n.*?\n\*\*\* End Patch)", APPLY_PATCH_TOOL_DESCRIPTION, re.S)
    assert match is not None
    kinds = [type(hunk) for hunk in parse_patch(match.group(1)).hunks]
    assert kinds == [AddFile, UpdateFile, DeleteFile]


def test_grammar_uses_the_parser_markers() -> None:
    literals = set(re.findall(r'"((?:\\.|[^"\\])*)"', APPLY_PATCH_LARK_GRAMMAR))
    for marker in (
        BEGIN_PATCH,
        END_PATCH,
        ADD_FILE,
        DELETE_FILE,
        UPDATE_FILE,
        MOVE_TO,
        END_OF_FILE,
        "@@",
        "@@ ",
    ):
        assert marker in literals
    assert APPLY_PATCH_LARK_GRAMMAR.startswith("start: begin_patch hunk+ end_patch")


def test_tool_spec_shapes() -> None:
    specs = apply_patch_tool_specs()
    freeform, function = specs["freeform"], specs["function"]
    assert freeform["type"] == "custom" and freeform["name"] == "apply_patch"
    assert freeform["format"] == {"type": "grammar", "syntax": "lark", "definition": APPLY_PATCH_LARK_GRAMMAR}
    assert function["type"] == "function" and function["description"] == APPLY_PATCH_TOOL_DESCRIPTION
    params = function["parameters"]
    assert params["required"] == ["input"] and params["additionalProperties"] is False
    assert params["properties"]["input"]["type"] == "string"
