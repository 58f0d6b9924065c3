"""How SDK objects look in Jupyter: Markdown for ``TurnResult``, ``Thread``, events and items.

Their ``_repr_markdown_`` methods delegate here; nothing here imports IPython. Jupyter renders
the Markdown outputs of a session it trusts without sanitising them (raw HTML and its scripts
run), so no text from the model, a command or a file reaches the output as HTML: prose goes
through ``safe_markdown`` (``&`` and ``<`` escaped outside code, code blocks re-fenced at the
top level with a fence longer than anything inside), literal text through ``literal`` or code
spans and fences sized to their content. The only HTML is what this module builds: the
coloured diff (``diff_html``) and inline ``<code>``, every character of their content escaped.
"""

from __future__ import annotations

import html
import re
import shlex
from collections.abc import Sequence
from typing import TYPE_CHECKING

from codex_core.protocol.events import (
    AgentMessageItem,
    ApprovalRequested,
    CommandExecutionItem,
    ErrorEvent,
    ErrorItem,
    FileChange,
    FileChangeItem,
    ItemCompleted,
    ItemDelta,
    ItemStarted,
    ItemUpdated,
    McpToolCallItem,
    ReasoningItem,
    ThreadError,
    ThreadItem,
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
from codex_core.protocol.items import Message

if TYPE_CHECKING:
    from codex_core.sdk import Thread, TurnResult

__all__ = [
    "code_span",
    "diff_html",
    "fenced",
    "head",
    "item_markdown",
    "literal",
    "markdown_of",
    "safe_markdown",
    "shell_script",
    "thread_markdown",
    "thread_repr",
    "turn_markdown",
    "usage_markdown",
]

OUTPUT_HEAD_LINES = 8
"""Lines of a command's output shown under it."""
OUTPUT_HEAD_CHARS = 1500
DIFF_MAX_LINES = 200
"""Lines of one file's diff shown before it is cut."""
THREAD_MESSAGES = 10
"""Latest user/assistant messages shown by a ``Thread``."""

_DIFF_STYLES = {
    "+": "color:#1a7f37;background:rgba(46,160,67,0.15)",
    "-": "color:#cf222e;background:rgba(248,81,73,0.15)",
    "@": "color:#0969da",
    "header": "font-weight:bold",
}
_SHELLS = frozenset({"bash", "sh", "zsh", "dash"})
_PRE_STYLE = "padding:0.4em 0.6em;line-height:1.35;overflow-x:auto"

# --- Markdown building blocks ----------------------------------------------------------------

_PUNCTUATION = re.compile(r"[!-/:-@\[-`{-~]")
_FENCE_OPEN = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")
_TICK_RUN = re.compile(r"`+")
_SCRIPT_SCHEME = re.compile(r"(?i)((?:java|vb)script)(\s*:)")


def literal(text: str) -> str:
    """``text`` exactly as written, as one line of Markdown prose (every ASCII punctuation
    character backslash-escaped, so nothing in it is markup or HTML)."""
    return _PUNCTUATION.sub(lambda m: "\\" + m.group(), " ".join(text.split()))


def code_span(text: str) -> str:
    """``text`` on one line as inline code, the backtick fence longer than any run inside."""
    one_line = " ".join(text.splitlines())
    if not one_line.strip():
        return "*(empty)*"
    ticks = "`" * (max((len(run) for run in _TICK_RUN.findall(one_line)), default=0) + 1)
    return f"{ticks} {one_line} {ticks}"  # one space each side is stripped again by the renderer


def fenced(text: str, lang: str = "") -> str:
    """``text`` as a fenced code block at the top level that nothing inside can close."""
    longest = max((len(run) for run in _TICK_RUN.findall(text)), default=0)
    fence = "`" * max(3, longest + 1)
    info = re.sub(r"[^\w+#.-]", "", lang)
    body = "\n".join(text.splitlines())
    return f"{fence}{info}\n{body}\n{fence}" if body else f"{fence}{info}\n{fence}"


def head(text: str, max_lines: int = OUTPUT_HEAD_LINES, max_chars: int = OUTPUT_HEAD_CHARS) -> tuple[str, str]:
    """The start of ``text`` (at most ``max_lines`` lines and ``max_chars`` characters) and a
    note saying what was left out (``""`` when nothing was)."""
    lines = text.rstrip("\n").splitlines()
    shown = "\n".join(lines[:max_lines])
    if len(shown) > max_chars:
        return shown[:max_chars], f"… cut at {max_chars:,} of {len(text):,} characters"
    hidden = len(lines) - max_lines
    return shown, (f"… {hidden:,} more line{'s' if hidden > 1 else ''}" if hidden > 0 else "")


def safe_markdown(text: str) -> str:
    """Model-written Markdown that renders as Markdown but never as raw HTML.

    Fenced code blocks (0-3 spaces of indentation) are re-emitted at the top level with a fence
    nothing inside can close; everywhere else ``&`` and ``<`` are escaped, ``javascript:``
    links are broken, images become links and inline code becomes ``<code>`` with escaped
    content. Code in list
    items moves to the left margin and indented code blocks show escaped entities: cosmetic
    losses, never a way for the text to reach the page as HTML.
    """
    out: list[str] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        opener = _FENCE_OPEN.match(lines[i])
        if opener is None or (opener[2][0] == "`" and "`" in opener[3]):
            out.append(_prose_line(lines[i]))
            i += 1
            continue
        indent, fence = len(opener[1]), opener[2]
        closer = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        body: list[str] = []
        i += 1
        while i < len(lines) and not closer.match(lines[i]):
            line = lines[i]
            body.append(line[min(indent, len(line) - len(line.lstrip(" "))) :])
            i += 1
        i += 1  # the closing fence (or the end of the text)
        out.extend(["", fenced("\n".join(body), opener[3].strip().split(" ")[0]), ""])
    return "\n".join(out)


def _prose_line(line: str) -> str:
    out: list[str] = []
    start = pos = 0
    while (run := _TICK_RUN.search(line, pos)) is not None:
        before = line[: run.start()]
        if (len(before) - len(before.rstrip("\\"))) % 2:  # an escaped backtick is literal
            pos = run.start() + 1
            continue
        close = re.compile(rf"(?<!`){run.group()}(?!`)").search(line, run.end())
        if close is None:
            pos = run.end()
            continue
        content = line[run.end() : close.start()]
        if content.startswith(" ") and content.endswith(" ") and content.strip():
            content = content[1:-1]
        out += [_escape_prose(line[start : run.start()]), f"<code>{html.escape(content).replace('`', '&#96;')}</code>"]
        start = pos = close.end()
    out.append(_escape_prose(line[start:]))
    return "".join(out)


def _escape_prose(text: str) -> str:
    # no HTML, no entities; a zero-width space makes an image (fetched as soon as it is shown) a
    # link to click, and a javascript: URL a relative one
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace("![", "!\u200b[")
    return _SCRIPT_SCHEME.sub("\\1\u200b\\2", escaped)


def diff_html(diff: str, max_lines: int = DIFF_MAX_LINES) -> str:
    """A unified diff as an HTML ``<pre>`` block: added lines green, removed lines red, hunk
    headers blue, file headers bold; every line escaped. Cut after ``max_lines`` lines."""
    lines = diff.rstrip("\n").splitlines()
    rows: list[str] = []
    in_hunk = False
    for line in lines[:max_lines]:
        if line.startswith("diff --git"):
            in_hunk = False
        elif line.startswith("@@"):
            in_hunk = True
        style = _DIFF_STYLES.get(line[:1]) if in_hunk else _DIFF_STYLES["header"]
        rows.append(f'<span style="{style}">{html.escape(line)}</span>' if style else html.escape(line))
    if len(lines) > max_lines:
        rows.append(f'<span style="font-style:italic">… {len(lines) - max_lines:,} more diff lines</span>')
    return f'<pre style="{_PRE_STYLE}">' + "\n".join(rows) + "</pre>"


# --- items and events ------------------------------------------------------------------------


def usage_markdown(usage: Usage) -> str:
    return (
        f"*Tokens:* {usage.input_tokens:,} input · {usage.cached_input_tokens:,} cached · "
        f"{usage.output_tokens:,} output · {usage.reasoning_output_tokens:,} reasoning"
    )


def _command_markdown(item: CommandExecutionItem) -> str:
    if item.status == "completed" or (item.status == "failed" and item.exit_code is not None):
        outcome = f"exit {item.exit_code}"
    else:
        outcome = {"in_progress": "running", "failed": "failed", "declined": "declined"}.get(item.status, item.status)
    mark = "…" if item.status == "in_progress" else "✓" if item.exit_code == 0 else "✗"
    command = shell_script(item.command)
    parts = (
        [f"{mark} {code_span('$ ' + command)} · **{outcome}**"]
        if "\n" not in command.strip()
        else [f"{mark} **{outcome}**", fenced(command, "sh")]
    )
    if item.aggregated_output.strip():
        shown, note = head(item.aggregated_output)
        parts.append(fenced(shown))
        if note:
            parts.append(f"*{literal(note)}*")
    return "\n\n".join(parts)


def shell_script(command: str) -> str:
    """The script of a ``/bin/bash -lc '<script>'`` command line (how commands are reported),
    else the command line itself."""
    try:
        words = shlex.split(command)
    except ValueError:
        return command
    if len(words) == 3 and words[0].rsplit("/", 1)[-1] in _SHELLS and words[1] in ("-c", "-lc"):
        return words[2]
    return command


def _file_change_markdown(change: FileChange) -> str:
    title = f"**{change.kind}** {code_span(change.path)}"
    return f"{title}\n\n{diff_html(change.diff)}" if change.diff else title


def _todo_markdown(entry: TodoEntry) -> str:
    return f"- [{'x' if entry.completed else ' '}] {literal(entry.text)}"


def item_markdown(item: ThreadItem) -> str:
    """One thread item: the message itself, a command with its exit code and output head, a
    file change with its coloured diff, ..."""
    if isinstance(item, AgentMessageItem):
        return safe_markdown(item.text) if item.text else "*Codex is answering…*"
    if isinstance(item, ReasoningItem):
        return "*Reasoning*\n\n" + safe_markdown(item.text) if item.text else "*Reasoning…*"
    if isinstance(item, CommandExecutionItem):
        return _command_markdown(item)
    if isinstance(item, FileChangeItem):
        changes = "\n\n".join(_file_change_markdown(c) for c in item.changes)
        return changes if item.status == "completed" else f"*Patch {item.status.replace('_', ' ')}*\n\n{changes}"
    if isinstance(item, McpToolCallItem):
        call = f"{code_span(f'{item.server}.{item.tool}')} · **{item.status.replace('_', ' ')}**"
        return f"{call}: {literal(item.error.message)}" if item.error else call
    if isinstance(item, WebSearchItem):
        return f"*Web search:* {literal(item.query)}"
    if isinstance(item, TodoListItem):
        return "\n".join(_todo_markdown(e) for e in item.items) or "*Empty plan*"
    assert isinstance(item, ErrorItem)
    return f"**Error:** {literal(item.message)}"


def markdown_of(obj: object) -> str | None:
    """The compact Markdown of any protocol event or item (``None``: no rich display)."""
    if isinstance(obj, ItemStarted | ItemUpdated | ItemCompleted):
        return item_markdown(obj.item)
    if isinstance(
        obj,
        AgentMessageItem
        | ReasoningItem
        | CommandExecutionItem
        | FileChangeItem
        | McpToolCallItem
        | WebSearchItem
        | TodoListItem
        | ErrorItem,
    ):
        return item_markdown(obj)
    if isinstance(obj, ThreadStarted):
        return f"*Thread started* {code_span(obj.thread_id)}"
    if isinstance(obj, TurnStarted):
        return "*Turn started*"
    if isinstance(obj, TurnCompleted):
        return f"*Turn completed* — {usage_markdown(obj.usage)}"
    if isinstance(obj, TurnFailed):
        return f"**Turn failed:** {literal(obj.error.message)}"
    if isinstance(obj, ErrorEvent | ThreadError):
        return f"**Error:** {literal(obj.message)}"
    if isinstance(obj, Warning):
        return f"**Warning:** {literal(obj.message)}"
    if isinstance(obj, ItemDelta):
        return f"*{obj.kind.replace('_', ' ')}:* {literal(obj.delta)}"
    if isinstance(obj, ApprovalRequested):
        return _approval_markdown(obj)
    if isinstance(obj, TokenCount):
        window = f" of {obj.context_window:,}" if obj.context_window else ""
        return f"*Thread so far* — {usage_markdown(obj.total)} · context {obj.total_tokens:,} tokens{window}"
    if isinstance(obj, Usage):
        return usage_markdown(obj)
    if isinstance(obj, FileChange):
        return _file_change_markdown(obj)
    if isinstance(obj, TodoEntry):
        return _todo_markdown(obj)
    return None


def _approval_markdown(ev: ApprovalRequested) -> str:
    what = code_span(" ".join(ev.command)) if ev.command else "a patch" if ev.kind == "patch" else ev.kind
    lines = [f"**Approval requested** to run {what} in {code_span(ev.cwd)}"]
    if ev.reason:
        lines.append(f"*Reason:* {literal(ev.reason)}")
    lines += [_file_change_markdown(c) for c in ev.changes or ()]
    return "\n\n".join(lines)


# --- turns and threads -----------------------------------------------------------------------


def turn_markdown(result: TurnResult) -> str:
    """The final answer as Markdown, then the commands (exit code, output head), file changes
    (coloured diffs) and other actions of the turn, the error if it failed, and token usage."""
    parts: list[str] = []
    if result.error:
        parts.append(f"**Turn failed:** {literal(result.error)}")
    if result.final_response:
        parts.append(safe_markdown(result.final_response))
    actions = [item_markdown(i) for i in result.items if not isinstance(i, AgentMessageItem | ReasoningItem)]
    if actions:
        parts += ["---", *actions]
    parts.append(usage_markdown(result.usage))
    return "\n\n".join(parts)


def thread_repr(thread: Thread) -> str:
    name = f" name={thread.name!r}" if thread.name else ""
    return f"<Thread {thread.id}{name} model={thread.config.model} cwd={thread.config.cwd}>"


def thread_markdown(thread: Thread, max_messages: int = THREAD_MESSAGES) -> str:
    """The thread's id and settings, then its latest user prompts and answers."""
    cfg = thread.config
    title = f"**Codex thread** {code_span(thread.id)}" + (f" — {literal(thread.name)}" if thread.name else "")
    settings = [f"model {code_span(cfg.model)}", f"cwd {code_span(str(cfg.cwd))}"]
    settings += [f"sandbox {code_span(str(cfg.sandbox_mode))}", f"approvals {code_span(str(cfg.approval_policy))}"]
    if thread.forked_from:
        settings.append(f"forked from {code_span(thread.forked_from)}")
    parts = [title, " · ".join(settings)]
    messages = thread.display_items()
    if len(messages) > max_messages:
        parts.append(f"*… {len(messages) - max_messages} earlier messages*")
    parts += _conversation(messages[-max_messages:]) if messages else ["*No turns yet.*"]
    return "\n\n".join(parts)


def _conversation(messages: Sequence[Message]) -> list[str]:
    parts: list[str] = []
    for message in messages:
        who = "**You**" if message.role == "user" else "**Codex**"
        parts += [who, safe_markdown(message.text)]
    return parts
