"""The Jupyter rendering of SDK objects (``codex_core.display``): model text renders as Markdown
but never as HTML (checked with a real CommonMark parser), long output and diffs are cut,
commands show their exit codes, diffs their colours, and every event has a compact form."""

from __future__ import annotations

import random
from html.parser import HTMLParser
from pathlib import Path

import pytest

from codex_core import Codex
from codex_core.config import ConfigOverrides, load_config
from codex_core.display import code_span, diff_html, fenced, head, literal, safe_markdown, shell_script
from codex_core.protocol.events import (
    AgentMessageItem,
    ApprovalRequested,
    CommandExecutionItem,
    ErrorEvent,
    FileChange,
    FileChangeItem,
    ItemCompleted,
    ItemDelta,
    ItemStarted,
    McpToolCallError,
    McpToolCallItem,
    ThreadError,
    ThreadEvent,
    ThreadStarted,
    TodoEntry,
    TodoListItem,
    TokenCount,
    TurnCompleted,
    TurnFailed,
    TurnStarted,
    Usage,
    Warning,
    WebSearchItem,
)
from codex_core.sdk import TurnResult
from codex_core.testing import ScriptedModel, message

markdown_it = pytest.importorskip("markdown_it")

ALLOWED_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "code", "pre", "ul", "ol", "li", "em", "strong"}
ALLOWED_TAGS |= {"a", "blockquote", "hr", "br", "table", "thead", "tbody", "tr", "th", "td", "span"}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def render(markdown: str) -> _Tags:
    """``markdown`` as Jupyter shows a trusted output: CommonMark with raw HTML passed through."""
    html = markdown_it.MarkdownIt("commonmark").enable("table").render(markdown)
    tags = _Tags()
    tags.feed(html)
    return tags


def assert_no_model_html(markdown: str) -> None:
    for tag, attrs in render(markdown).tags:
        assert tag in ALLOWED_TAGS, f"<{tag}> reached the page from:\n{markdown}"
        assert not any(k.startswith("on") for k in attrs), f"<{tag} {attrs}> from:\n{markdown}"
        href = "".join((attrs.get("href") or "").split()).lower()
        assert not href.startswith(("javascript:", "vbscript:", "data:")), f"href {href!r} from:\n{markdown}"


FRAGMENTS = [
    "```", "~~~", "````", "  ```py", "   ```", "    ```", "- ```", "> ```", "1. step", "   - nested",
    "```a`b", "~~~ `x`", "\t```", "", "text `code", "`<b>x</b>`", "``", "\\`<i>", "\\\\`<i>`",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<!--", "-->", "<pre>", "</pre>",
    "<div onclick=x>", "[a](javascript:alert(1))", "[a]: JavaScript:alert(1)", "[b][a]",
    "[c](jav&#x61;script:alert(1))", "![i](http://x/y.png)", "&#x3C;script>", "<javascript:alert(1)>",
    "<http://example.com>", "**bold** _em_", "# title", "> quote <i>x</i>", "| a | b |", "|---|---|",
    "if a < b:", "* * *", "  <svg onload=x>",
]  # fmt: skip


def test_safe_markdown_never_lets_model_html_through() -> None:
    rng = random.Random(18)
    for _ in range(400):
        doc = "\n".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(1, 14)))
        assert_no_model_html(safe_markdown(doc))


def test_safe_markdown_keeps_markdown_and_code() -> None:
    text = (
        "## Plan\n\nUse **bold**, `Vec<u8>` and [docs](https://example.com).\n\n"
        "1. Run:\n   ```python\n   if a < b:\n       print('<b>')\n   ```\n<script>alert(1)</script>"
    )
    out = render(safe_markdown(text))
    tags = [t for t, _ in out.tags]
    assert {"h2", "strong", "a", "pre", "ol"} <= set(tags)
    shown = "".join(out.text)
    assert "Vec<u8>" in shown and "if a < b:\n    print('<b>')" in shown
    assert "<script>alert(1)</script>" in shown and "script" not in tags  # shown as text
    assert "\u200b" in safe_markdown("![x](http://h/i.png)") and "img" not in tags


def test_literal_code_span_and_fence_show_text_exactly() -> None:
    for raw in ["*a* <b>x</b> [c](d) `e` \\ &amp;", "```x", "a ` b"]:
        assert "".join(render(literal(raw)).text).strip() == raw
        assert "".join(render(code_span(raw)).text).strip() == raw
        assert "".join(render(fenced(raw + "\n```\n~~~")).text).strip() == raw + "\n```\n~~~"


def test_head_cuts_long_output_and_says_so() -> None:
    lines = "\n".join(f"line {i}" for i in range(100))
    shown, note = head(lines, max_lines=8)
    assert shown.splitlines() == [f"line {i}" for i in range(8)] and note == "… 92 more lines"
    shown, note = head("x" * 5000, max_chars=1500)
    assert shown == "x" * 1500 and note == "… cut at 1,500 of 5,000 characters"
    assert head("short\n") == ("short", "")


def test_diff_is_coloured_escaped_and_cut() -> None:
    diff = "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n-old <b>\n+new <script>alert(1)</script>\n ctx\n"
    out = diff_html(diff)
    assert '<span style="color:#cf222e;background:rgba(248,81,73,0.15)">-old &lt;b&gt;</span>' in out
    assert '">+new &lt;script&gt;alert(1)&lt;/script&gt;</span>' in out and "<script" not in out
    assert '<span style="font-weight:bold">+++ b/x</span>' in out  # a file header, not an added line
    assert_no_model_html("**update** `x`\n\n" + out)
    long = "@@ -1,300 +1,300 @@\n" + "\n".join(f"+{i}" for i in range(300))
    cut = diff_html(long, max_lines=50)
    assert cut.count("\n") == 50 and "… 251 more diff lines" in cut


def test_command_item_shows_script_exit_code_and_output_head() -> None:
    item = CommandExecutionItem(
        id="c",
        command="/bin/bash -lc 'ls <dir> | head'",
        aggregated_output="\n".join(f"f{i}" for i in range(30)),
        exit_code=2,
        status="failed",
    )
    md = ItemCompleted(item=item)._repr_markdown_()
    assert md is not None
    assert md.startswith("✗ ` $ ls <dir> | head ` · **exit 2**") and "f7\n```" in md and "… 22 more lines" in md
    assert_no_model_html(md)
    running = ItemStarted(item=item.model_copy(update={"status": "in_progress", "exit_code": None}))
    assert "**running**" in (running._repr_markdown_() or "")
    declined = item.model_copy(update={"status": "declined", "exit_code": None, "aggregated_output": ""})
    assert (declined._repr_markdown_() or "").endswith("**declined**")
    assert shell_script("/bin/zsh -c 'echo hi'") == "echo hi" and shell_script("ls 'x") == "ls 'x"


def test_every_event_has_a_compact_markdown() -> None:
    change = FileChange(path="a.txt", kind="add", diff="diff --git a/a.txt b/a.txt\n@@ -0,0 +1 @@\n+hi\n")
    usage = Usage(input_tokens=1234, cached_input_tokens=200, output_tokens=56, reasoning_output_tokens=7)
    todo = TodoListItem(id="t", items=[TodoEntry(text="a", completed=True), TodoEntry(text="b", completed=False)])
    mcp = McpToolCallItem(id="m", server="s", tool="t", status="failed", error=McpToolCallError(message="no"))
    expected: list[tuple[ThreadEvent, str]] = [
        (ThreadStarted(thread_id="t-1"), "*Thread started* ` t-1 `"),
        (TurnStarted(), "*Turn started*"),
        (TurnCompleted(usage=usage), "*Turn completed* — *Tokens:* 1,234 input · 200 cached · 56 output · 7 reasoning"),
        (TurnFailed(error=ThreadError(message="boom <b>")), "**Turn failed:** boom \\<b\\>"),
        (ErrorEvent(message="x_y"), "**Error:** x\\_y"),
        (Warning(message="careful"), "**Warning:** careful"),
        (ItemDelta(item_id="i", kind="agent_message", delta="Hel"), "*agent message:* Hel"),
        (ItemCompleted(item=AgentMessageItem(id="m", text="**Done** <i>")), "**Done** &lt;i>"),
        (ItemCompleted(item=WebSearchItem(id="w", query="py 3.13")), "*Web search:* py 3\\.13"),
        (ItemCompleted(item=todo), "- [x] a\n- [ ] b"),
        (ItemCompleted(item=mcp), "` s.t ` · **failed**: no"),
    ]
    for event, markdown in expected:
        assert event._repr_markdown_() == markdown
    patch = ItemCompleted(item=FileChangeItem(id="f", changes=[change]))._repr_markdown_() or ""
    assert patch.startswith("**add** ` a.txt `\n\n<pre") and ">+hi</span>" in patch
    approval = ApprovalRequested(request_id="r", kind="exec", item_id="i", command=["rm", "-rf", "x"], cwd="/w")
    assert (approval._repr_markdown_() or "").startswith("**Approval requested** to run ` rm -rf x ` in ` /w `")
    count = TokenCount(total=usage, last=usage, total_tokens=1290, context_window=272000)
    assert (count._repr_markdown_() or "").endswith("context 1,290 tokens of 272,000")


def test_turn_result_markdown_answer_actions_error_usage() -> None:
    cmd = CommandExecutionItem(
        id="c", command="pytest -q", aggregated_output="1 passed\n", exit_code=0, status="completed"
    )
    result = TurnResult(
        final_response="All **green**.",
        items=[cmd, AgentMessageItem(id="m", text="All **green**.")],
        usage=Usage(input_tokens=10, output_tokens=5),
        error="model request failed: 500",
    )
    md = result._repr_markdown_()
    assert md.split("\n\n")[:4] == [
        "**Turn failed:** model request failed\\: 500",
        "All **green**.",
        "---",
        "✓ ` $ pytest -q ` · **exit 0**",
    ]
    assert md.endswith("*Tokens:* 10 input · 0 cached · 5 output · 0 reasoning")


async def test_thread_repr_shows_id_model_and_cwd(tmp_path: Path) -> None:
    config = load_config(ConfigOverrides(model="gpt-test"), cwd=tmp_path)
    model = ScriptedModel([[message("Hi <b>")]])
    thread = Codex(config, model_client=model).start_thread(ephemeral=True)
    assert repr(thread) == f"<Thread {thread.id} model=gpt-test cwd={tmp_path}>"
    assert "*No turns yet.*" in thread._repr_markdown_()
    await thread.run("Hello *there*")
    thread.set_name("demo")
    assert repr(thread).startswith(f"<Thread {thread.id} name='demo' model=gpt-test")
    md = thread._repr_markdown_()
    assert md.startswith(f"**Codex thread** ` {thread.id} ` — demo\n\nmodel ` gpt-test ` · cwd ` {tmp_path} `")
    assert md.endswith("**You**\n\nHello *there*\n\n**Codex**\n\nHi &lt;b>")
