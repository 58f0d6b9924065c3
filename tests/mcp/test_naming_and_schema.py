"""Tool-name qualification and input-schema sanitising (pure functions)."""

from __future__ import annotations

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from codex_core.mcp import qualify_tool_name, sanitize_input_schema, sanitize_tool_name
from codex_core.mcp.naming import ToolNameRegistry


def test_qualified_names() -> None:
    assert qualify_tool_name("github", "create_issue") == "mcp__github__create_issue"
    assert qualify_tool_name("my.server", "tool name/with:stuff") == "mcp__my_server__tool_name_with_stuff"
    assert sanitize_tool_name("a-b_c9") == "a-b_c9"


def test_long_names_are_shortened_with_sha1_of_raw_name() -> None:
    server, tool = "s" * 30, "t" * 40
    name = qualify_tool_name(server, tool)
    raw = f"mcp__{server}__{tool}"
    assert len(name) == 64
    assert name.endswith(hashlib.sha1(raw.encode()).hexdigest())
    assert name.startswith(raw[:24])
    assert qualify_tool_name(server, tool + "x") != name


@given(st.text(min_size=1, max_size=80), st.text(min_size=1, max_size=80))
def test_qualified_names_are_always_valid(server: str, tool: str) -> None:
    name = qualify_tool_name(server, tool)
    assert 0 < len(name) <= 64
    assert all(c.isascii() and (c.isalnum() or c in "_-") for c in name)


def test_registry_skips_duplicates_with_warning() -> None:
    reg = ToolNameRegistry()
    assert reg.register("a", "x.y") == ("mcp__a__x_y", None)
    name, warning = reg.register("a", "x_y")  # sanitises to the same name
    assert name is None and warning is not None and "duplicates" in warning and "x.y" in warning
    assert reg.resolve("mcp__a__x_y") == ("a", "x.y")


def test_schema_fills_types_and_drops_unknown_keywords() -> None:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "title": "args",
        "properties": {
            "n": {"minimum": 1},
            "tags": {"items": {"enum": ["a", "b"]}},
            "opt": {"type": ["null", "string"]},
            "any": True,
            "nested": {"properties": {"x": {"type": "integer", "examples": [1]}}},
        },
        "required": ["n", "missing"],
        "examples": [{}],
    }
    out = sanitize_input_schema(schema)
    assert "$schema" not in out and "examples" not in out
    props = out["properties"]
    assert props["n"] == {"minimum": 1, "type": "number"}
    assert props["tags"] == {"items": {"enum": ["a", "b"], "type": "string"}, "type": "array"}
    assert props["opt"]["type"] == "string"
    assert props["any"] == {"type": "string"}
    assert props["nested"]["type"] == "object" and props["nested"]["properties"]["x"] == {"type": "integer"}
    assert out["required"] == ["n"]


def test_schema_inlines_pydantic_refs_and_defaults_to_object() -> None:
    schema = {
        "type": "object",
        "properties": {"p": {"$ref": "#/$defs/Point", "description": "a point"}},
        "$defs": {"Point": {"type": "object", "properties": {"x": {"type": "number"}}, "required": ["x"]}},
    }
    out = sanitize_input_schema(schema)
    assert out["properties"]["p"] == {
        "type": "object",
        "properties": {"x": {"type": "number"}},
        "required": ["x"],
        "description": "a point",
    }
    assert sanitize_input_schema(None) == {"type": "object", "properties": {}}
    assert sanitize_input_schema({"type": "string"}) == {"type": "object", "properties": {}}
    arr = sanitize_input_schema({"type": "object", "properties": {"l": {"type": "array"}}})
    assert arr["properties"]["l"]["items"] == {"type": "string"}


def test_schema_recursive_refs_terminate() -> None:
    schema = {
        "type": "object",
        "properties": {"node": {"$ref": "#/$defs/Node"}},
        "$defs": {"Node": {"type": "object", "properties": {"child": {"$ref": "#/$defs/Node"}}}},
    }
    out = sanitize_input_schema(schema)
    depth = 0
    node = out["properties"]["node"]
    while "properties" in node and "child" in node["properties"]:
        node = node["properties"]["child"]
        depth += 1
    assert 1 <= depth <= 10
