"""The YAML front matter of a ``SKILL.md`` (and the small ``agents/openai.yaml`` beside it).

Codex 0.169 reads the block between a first line ``---`` and the next ``---`` line as YAML
(libyaml through serde_yaml). This module reads it with PyYAML on libyaml's parser when the wheel
has it (so errors are libyaml's, as in the reference), composing the node tree with the base
resolver: every scalar stays a string, as serde_yaml reads a plain ``123`` into a string field.
Sequences become :class:`FlowCollection` markers that keep their position, so a list where a
string belongs is an error naming its line and column in the file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    import yaml

# PyYAML is imported by the first front matter read (~10-20 ms): runs without skills never pay it.

__all__ = [
    "FLOW_MAPPING",
    "FLOW_SEQUENCE",
    "FlowCollection",
    "FrontMatterError",
    "extract_front_matter",
    "parse_mapping",
]

FLOW_SEQUENCE = "sequence"
FLOW_MAPPING = "map"


@attrs.frozen
class FlowCollection:
    """A sequence value: not a string (what it holds does not matter here)."""

    kind: str
    line: int
    column: int


class FrontMatterError(ValueError):
    """Front matter that is not valid YAML, or not a mapping; ``line`` is 1-based in the file."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(f"{message} at line {line} column {column}")
        self.line = line
        self.column = column


def extract_front_matter(contents: str) -> tuple[list[str], int] | None:
    """``(lines, number of the first one in the file)`` between the opening and closing ``---``,
    or ``None`` when the file does not start with a complete, non-empty front matter block."""
    lines = contents.split("\n")
    if contents.endswith("\n"):
        lines.pop()
    lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    if not lines or lines[0].strip() != "---":
        return None
    for end in range(1, len(lines)):
        if lines[end].strip() == "---":
            return (lines[1:end], 2) if end > 1 else None
    return None


MAX_NODES = 10_000
"""More values than this (aliases expanding into each other, "billion laughs") is an error."""


class _Walk:
    """Turns a composed node tree into values; an alias is expanded, but one that contains
    itself, or a document that expands to more than :data:`MAX_NODES` values, is refused
    (``yaml.compose`` keeps an alias as the very node it names, so a cycle is a real loop)."""

    def __init__(self, first_line: int) -> None:
        self.first_line = first_line
        self.active: set[int] = set()
        self.count = 0

    def error(self, message: str, node: yaml.Node) -> FrontMatterError:
        return FrontMatterError(message, node.start_mark.line + self.first_line, node.start_mark.column + 1)

    def value(self, node: yaml.Node) -> Any:
        import yaml

        self.count += 1
        if self.count > MAX_NODES:
            raise self.error(f"too many values (aliases expand to more than {MAX_NODES})", node)
        if isinstance(node, yaml.ScalarNode):
            # the base resolver tags every plain scalar as a string; an empty or `~` one is null
            if node.style is None and node.value in ("", "~", "null", "Null", "NULL"):
                return None
            return node.value
        mark = node.start_mark
        if isinstance(node, yaml.SequenceNode):
            return FlowCollection(FLOW_SEQUENCE, mark.line + self.first_line, mark.column + 1)
        if not isinstance(node, yaml.MappingNode):
            return None
        if id(node) in self.active:
            raise self.error("recursive aliases are not supported", node)
        self.active.add(id(node))
        out: dict[str, Any] = {}
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                out[key.value] = self.value(value)
        self.active.discard(id(node))
        return out


def parse_mapping(lines: list[str], first_line: int = 1) -> dict[str, Any]:
    """The mapping written on ``lines`` (``first_line``: the file's line number of the first);
    values are ``str``, ``None``, nested ``dict`` or :class:`FlowCollection`.
    Raises :class:`FrontMatterError`."""
    import yaml

    # libyaml's parser when PyYAML was built with it (its wheels are), else PyYAML's own
    loader: Any = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
    try:
        node = yaml.compose("\n".join(lines), Loader=loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + first_line, mark.column + 1) if mark is not None else (first_line, 1)
        raise FrontMatterError(exc.problem or exc.context or "invalid YAML", line, column) from None
    except yaml.YAMLError as exc:
        raise FrontMatterError(str(exc), first_line, 1) from None
    except RecursionError:  # nesting deeper than Python's composer can follow
        raise FrontMatterError("collections are nested too deeply", first_line, 1) from None
    if node is None:
        return {}
    if not isinstance(node, yaml.MappingNode):
        kind = "sequence" if isinstance(node, yaml.SequenceNode) else "string"
        raise FrontMatterError(f"invalid type: {kind}, expected a map", node.start_mark.line + first_line, 1)
    try:
        result: dict[str, Any] = _Walk(first_line).value(node)
    except RecursionError:
        raise FrontMatterError("collections are nested too deeply", first_line, 1) from None
    return result
