"""Markdown details the TUI renders as Codex does.

* Links keep their target: ``[the docs](https://x.y/docs)`` reads ``the docs (https://x.y/docs)``
  (a terminal cannot always open a link, and a copied transcript must still say where it
  pointed). A link whose text already is its URL (``<https://x.y>``, a bare URL) is not repeated.
* Reasoning summaries are short Markdown (``**Planning**`` headings, ``code``): ``markdown_to_text``
  turns them into styled text instead of showing the asterisks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore
    from markdown_it.token import Token

__all__ = ["link_targets_plugin", "make_parser", "markdown_to_text"]


def _same_target(label: str, href: str) -> bool:
    label = label.strip()
    return label in (href, href.removeprefix("mailto:")) or label.rstrip("/") == href.rstrip("/")


def _show_link_targets(state: StateCore) -> None:
    from markdown_it.token import Token

    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        out: list[Token] = []
        opened: list[tuple[str, int]] = []
        for child in block.children:
            out.append(child)
            if child.type == "link_open":
                opened.append((str(child.attrs.get("href", "")), len(out)))
            elif child.type == "link_close" and opened:
                href, start = opened.pop()
                label = "".join(t.content for t in out[start:-1] if t.type in ("text", "code_inline"))
                if href and not _same_target(label, href):
                    target = Token("text", "", 0)
                    target.content = f" ({href})"
                    out.append(target)
        block.children = out


def link_targets_plugin(md: MarkdownIt) -> None:
    """markdown-it plugin: a text token `` (URL)`` after every link whose text is not its URL."""
    md.core.ruler.push("codex_link_targets", _show_link_targets)


def make_parser() -> MarkdownIt:
    """Textual's default ("gfm-like") parser with ``link_targets_plugin``."""
    from markdown_it import MarkdownIt

    return MarkdownIt("gfm-like").use(link_targets_plugin)


_STYLES = {"strong_open": "bold", "em_open": "italic", "s_open": "strike", "link_open": "underline"}


def _inline(children: list[Token], text: Text) -> None:
    stack: list[tuple[str, int]] = []
    for child in children:
        kind = child.type
        if kind == "text":
            text.append(child.content)
        elif kind == "code_inline":
            text.append(child.content, style="bold")
        elif kind in ("softbreak", "hardbreak"):
            text.append("\n")
        elif kind in _STYLES:
            stack.append((_STYLES[kind], len(text)))
        elif kind.endswith("_close") and stack:
            style, start = stack.pop()
            text.stylize(style, start, len(text))


def markdown_to_text(markdown: str) -> Text:
    """Short Markdown (a reasoning summary) as rich ``Text``: bold, italics, code, links with
    their URL, list bullets, paragraphs separated by a blank line."""
    tokens = make_parser().parse(markdown)
    text = Text()
    depth = 0
    for token in tokens:
        if token.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif token.type == "list_item_open":
            text.append("  " * (depth - 1) + "• ")
        elif token.type == "inline":
            _inline(token.children or [], text)
        elif token.type in ("fence", "code_block"):
            text.append(token.content.rstrip("\n"), style="bold")
            text.append("\n\n")
        elif token.type in ("paragraph_close", "heading_close"):
            text.append("\n" if token.hidden else "\n\n")
    text.rstrip()
    return text
