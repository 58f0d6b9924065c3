"""Turn an MCP tool's ``inputSchema`` into a JSON schema the Responses API accepts (spec 3.5).

MCP servers send arbitrary JSON Schema (draft 2020-12, pydantic ``$defs``/``$ref``, boolean
schemas, type unions). The model API wants plain ``type``-tagged schemas: every schema gets
a ``type`` (inferred from its keywords, else ``string``), objects get ``properties``, arrays
get ``items``, local ``$ref`` are inlined (bounded depth) and keywords outside a conservative
allow-list are dropped. The top level is always an ``object``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["sanitize_input_schema"]

_TYPES = ("object", "array", "string", "number", "integer", "boolean", "null")
_KEEP = frozenset(
    {
        "type",
        "description",
        "title",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "enum",
        "const",
        "default",
        "anyOf",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "minLength",
        "maxLength",
        "pattern",
        "format",
        "minItems",
        "maxItems",
        "uniqueItems",
    }
)
_MAX_REF_DEPTH = 8


def sanitize_input_schema(schema: Mapping[str, Any] | None) -> dict[str, Any]:
    """Sanitised copy of ``schema`` whose top level is an object schema."""
    root: Mapping[str, Any] = schema if isinstance(schema, Mapping) else {}
    defs: dict[str, Any] = {}
    for key in ("$defs", "definitions"):
        table = root.get(key)
        if isinstance(table, Mapping):
            defs.update({f"#/{key}/{name}": value for name, value in table.items()})
    out = _sanitize(root, defs, 0)
    if out.get("type") != "object":
        out = {"type": "object", "properties": {}}
    out.setdefault("properties", {})
    return out


def _sanitize(node: Any, defs: Mapping[str, Any], depth: int) -> dict[str, Any]:
    if isinstance(node, bool) or not isinstance(node, Mapping):
        # `true` / `false` / garbage: accept any string.
        return {"type": "string"}
    ref = node.get("$ref")
    if isinstance(ref, str):
        target = defs.get(ref)
        merged = {k: v for k, v in node.items() if k != "$ref"}
        if isinstance(target, Mapping) and depth < _MAX_REF_DEPTH:
            return _sanitize({**target, **merged}, defs, depth + 1)
        node = merged or {"type": "object"}
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key not in _KEEP:
            continue
        if key == "properties":
            if isinstance(value, Mapping):
                out[key] = {str(k): _sanitize(v, defs, depth) for k, v in value.items()}
        elif key == "items":
            out[key] = _sanitize(value[0] if isinstance(value, list) and value else value, defs, depth)
        elif key == "anyOf":
            if isinstance(value, list) and value:
                out[key] = [_sanitize(v, defs, depth) for v in value]
        elif key == "additionalProperties":
            out[key] = value if isinstance(value, bool) else _sanitize(value, defs, depth)
        elif key == "required":
            if isinstance(value, list):
                out[key] = [str(v) for v in value]
        else:
            out[key] = value
    for combiner in ("oneOf", "allOf"):
        value = node.get(combiner)
        if isinstance(value, list) and value and "anyOf" not in out:
            if combiner == "allOf" and len(value) == 1:
                return _sanitize({**{k: v for k, v in node.items() if k != "allOf"}, **value[0]}, defs, depth)
            out["anyOf"] = [_sanitize(v, defs, depth) for v in value]
    _fill_type(out, node)
    if "properties" in out and isinstance(out.get("required"), list):
        out["required"] = [r for r in out["required"] if r in out["properties"]]
    return out


def _fill_type(out: dict[str, Any], node: Mapping[str, Any]) -> None:
    raw = node.get("type")
    ty: str | None = None
    if isinstance(raw, str) and raw in _TYPES:
        ty = raw
    elif isinstance(raw, list):
        ty = next((t for t in raw if isinstance(t, str) and t in _TYPES and t != "null"), None)
    if ty is None and "anyOf" in out:
        return  # a union: each branch carries its own type
    if ty is None:
        if any(k in node for k in ("properties", "required", "additionalProperties")):
            ty = "object"
        elif any(k in node for k in ("items", "prefixItems")):
            ty = "array"
        elif any(k in node for k in ("enum", "const", "format", "pattern", "minLength", "maxLength")):
            ty = "string"
        elif any(k in node for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")):
            ty = "number"
        else:
            ty = "string"
    out["type"] = ty
    if ty == "object":
        out.setdefault("properties", {})
    elif ty == "array":
        out.setdefault("items", {"type": "string"})
