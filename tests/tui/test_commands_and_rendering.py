"""Issue 16: slash commands as in Codex, ``!cmd``, ``?``, diffs, declines, Markdown, resumed sessions.

Pilot tests over the real ``codex_core.Codex`` (``ScriptedModel``) where core does the work, over
the scripted ``FakeThread`` where only the rendering of events is under test.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from rich.console import Console

from codex_core import Codex
from codex_core.protocol.items import Message
from codex_core.testing import ScriptedModel, message
from codex_tui.app import CodexApp
from codex_tui.screens.picker import PickerScreen
from codex_tui.slash_commands import SHELL_COMMAND, match_commands, parse_slash
from codex_tui.widgets import AgentMessageCell, CommandCell, InfoCell, UserCell
from codex_tui.widgets.status import ShortcutsOverlay

from .fakes import FakeCodex
from .test_app_flows import cell_texts, wait_idle


async def wait_until(pilot, predicate, tries: int = 300) -> None:  # type: ignore[no-untyped-def]
    for _ in range(tries):
        await pilot.pause(0.01)
        if predicate():
            return
    raise AssertionError("condition never became true")


def user_texts(model: ScriptedModel, request: int) -> list[str]:
    prompt = model.prompts[request]
    return [i.text for i in prompt.input if isinstance(i, Message) and i.role == "user"]


# --- 3. unknown /cmd, !cmd, ? and the new commands ------------------------------------------


def test_parse_slash_tells_commands_from_messages() -> None:
    assert parse_slash("/model gpt-5") == ("model", "gpt-5")
    assert parse_slash("/approvals") == ("permissions", "")
    assert parse_slash("/EXIT") == ("quit", "")
    assert parse_slash("/foo bar baz") == ("foo", "bar baz")
    assert parse_slash("!ls -l") == (SHELL_COMMAND, "ls -l")
    assert parse_slash("/usr/bin/env is missing") is None  # a path goes to the model
    assert parse_slash("/") is None and parse_slash("!") is None and parse_slash("/ x") is None
    assert parse_slash("hello /model") is None
    assert [c.name for c in match_commands("app")] == ["permissions"]  # found by its alias too


async def test_unknown_slash_command_is_reported_and_kept(config) -> None:  # type: ignore[no-untyped-def]
    codex = FakeCodex(config)
    app = CodexApp(codex, config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/foo bar", "enter")
        await wait_idle(pilot, app)
        assert codex.threads[0].inputs == []  # nothing went to the model
        assert cell_texts(app, InfoCell)[-1] == (
            "• Unrecognized command '/foo'. Type \"/\" for a list of supported commands."
        )
        assert app.composer.text == "/foo bar"
        # a path is a message
        app.composer.clear()
        await pilot.press(*"/usr/bin/env is missing", "enter")
        await wait_idle(pilot, app)
        assert codex.threads[0].inputs == [("/usr/bin/env is missing", [])]


async def test_bang_runs_a_local_shell_command_through_core(make_config, workdir: Path) -> None:  # type: ignore[no-untyped-def]
    # read-only sandbox and approvals on: the user's own command still runs (outside the sandbox)
    config = make_config("allow_login_shell=false", approval_policy="untrusted", sandbox_mode="read-only")
    model = ScriptedModel([[message("I see the output.")]])
    app = CodexApp(Codex(config, model_client=model), config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"!echo hi; touch made.txt; exit 3", "enter")
        await wait_idle(pilot, app)
        cell = app.transcript.query_one(CommandCell)
        assert cell.by_user and cell.exit_code == 3 and cell.output == "hi\n"
        assert "✗ You ran echo hi; touch made.txt; exit 3  exit 3" in str(cell._header.render())
        assert not app.transcript.query(UserCell)  # not a prompt
        assert model.prompts == []  # the model is not asked
        await pilot.press(*"what happened?", "enter")
        await wait_idle(pilot, app)
    assert (workdir / "made.txt").exists()
    shell_msg, prompt = user_texts(model, 0)[-2:]
    assert prompt == "what happened?"
    assert shell_msg.startswith("<user_shell_command>\n<command>\necho hi; touch made.txt; exit 3\n</command>")
    assert "Exit code: 3\n" in shell_msg and "Output:\nhi\n" in shell_msg


async def test_question_mark_toggles_shortcuts_on_an_empty_composer(config) -> None:  # type: ignore[no-untyped-def]
    app = CodexApp(FakeCodex(config), config)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        console = Console(width=120, record=True)
        console.print(app.query_one(ShortcutsOverlay).table)
        shown = console.export_text()
        assert "! " in shown and "shell command" in shown and "^o" in shown and app.composer.text == ""
        assert app.focused is app.composer
        await pilot.press("question_mark")
        await pilot.pause()
        assert not app.query(ShortcutsOverlay)
        await pilot.press("question_mark", "escape")  # Esc closes it too
        await pilot.pause()
        assert not app.query(ShortcutsOverlay)
        await pilot.press("question_mark", "w")  # typing closes it and is kept
        await pilot.pause()
        assert not app.query(ShortcutsOverlay) and app.composer.text == "w"
        await pilot.press("question_mark")  # in text, ? is a character
        await pilot.pause()
        assert app.composer.text == "w?" and not app.query(ShortcutsOverlay)


async def test_rename_and_fork_go_through_core(config) -> None:  # type: ignore[no-untyped-def]
    model = ScriptedModel([[message("First answer.")], [message("Answer in the fork.")]])
    codex = Codex(config, model_client=model)
    app = CodexApp(codex, config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"remember me", "enter")
        await wait_idle(pilot, app)
        await pilot.press(*"/rename", "enter")
        await pilot.pause()
        assert app.composer.text == "/rename "
        await pilot.press(*"parser work", "enter")
        await pilot.pause()
        original = app.thread
        assert original is not None and original.name == "parser work"  # type: ignore[attr-defined]
        await pilot.press(*"/fork", "enter")
        await wait_until(pilot, lambda: app.thread is not original and app.transcript.query(AgentMessageCell))
        assert app.thread.forked_from == original.id  # type: ignore[union-attr]
        assert any("remember me" in t for t in cell_texts(app, UserCell))  # the copy's history is shown
        assert cell_texts(app, AgentMessageCell) == ["First answer."]
        await pilot.press(*"go on", "enter")
        await wait_idle(pilot, app)
        assert cell_texts(app, AgentMessageCell)[-1] == "Answer in the fork."
    assert len(original.history) < len(app.thread.history)  # type: ignore[union-attr]


async def test_mcp_lists_configured_servers(make_config) -> None:  # type: ignore[no-untyped-def]
    config = make_config('mcp_servers.docs.command="docs-server"', 'mcp_servers.docs.args=["--stdio"]')
    app = CodexApp(Codex(config, model_client=ScriptedModel([])), config)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press(*"/mcp", "enter")
        await pilot.pause()
        text = cell_texts(app, InfoCell)[-1]
    assert "docs  not started  stdio: docs-server --stdio" in text


async def test_logout_removes_stored_credentials_and_exits(config) -> None:  # type: ignore[no-untyped-def]
    from codex_core.auth import auth_file, save_api_key

    save_api_key(config.codex_home, "sk-test")
    app = CodexApp(FakeCodex(config), config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/logout", "enter")
        await pilot.pause()
    assert not auth_file(config.codex_home).exists()
    assert app.return_code == 0


async def test_copy_puts_the_last_answer_on_the_clipboard(config) -> None:  # type: ignore[no-untyped-def]
    app = CodexApp(FakeCodex(config), config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"hi", "enter")
        await wait_idle(pilot, app)
        await pilot.press(*"/copy", "enter")
        await pilot.pause()
        assert app.clipboard == "echo: hi"


REVIEW_JSON = (
    '{"findings": [{"title": "[P1] Off by one", "body": "The loop skips the last item.", '
    '"confidence_score": 0.9, "priority": 1, "code_location": {"absolute_file_path": "/w/a.py", '
    '"line_range": {"start": 3, "end": 4}}}], "overall_correctness": "patch is incorrect", '
    '"overall_explanation": "One bug.", "overall_confidence_score": 0.8}'
)


async def test_review_uncommitted_changes_runs_a_reviewer_thread(make_config, workdir: Path) -> None:  # type: ignore[no-untyped-def]
    def git_init() -> None:
        subprocess.run(["git", "init", "-q"], cwd=workdir, check=True)

    git_init()
    config = make_config()
    model = ScriptedModel([[message(REVIEW_JSON)]])
    app = CodexApp(Codex(config, model_client=model), config)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*"/review", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen))
        await pilot.press("enter")  # Review uncommitted changes
        await wait_until(pilot, lambda: not app.turn_running and bool(app.transcript.query(AgentMessageCell)))
        await wait_idle(pilot, app)
        review = cell_texts(app, AgentMessageCell)[-1]
        assert "Off by one" in review and "{" not in review.splitlines()[0]
        assert any("Code review started: current changes" in t for t in cell_texts(app, InfoCell))
        assert app.thread is not None and app.thread.history == []  # the conversation is untouched
    instructions = model.prompts[0].instructions
    assert "review" in instructions.lower()


@pytest.mark.parametrize("typed", ["/status", "/STATUS"])
async def test_known_commands_are_case_insensitive(config, typed: str) -> None:  # type: ignore[no-untyped-def]
    app = CodexApp(FakeCodex(config), config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*typed, "enter")
        await pilot.pause()
        assert cell_texts(app, InfoCell)[-1].startswith("• Status")


# --- 4. diffs before approval and after applying ---------------------------------------------

PATCH = (
    "*** Begin Patch\n*** Add File: hello.py\n+def main():\n+    print('hi')\n"
    "*** Update File: src/calc.py\n@@\n x = 1\n-y = 2\n+y = 3\n+z = 4\n*** End Patch\n"
)


def test_parse_unified_diff_numbers_lines() -> None:
    from codex_tui.diff_render import parse_unified_diff

    diff = (
        "diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n@@ -3,3 +3,4 @@\n x = 1\n-y = 2\n+y = 3\n+z = 4\n"
        " end\n@@ -20,1 +21,1 @@\n-old\n+new\ndiff --git a/b.txt b/c.txt\nsimilarity index 100%\n"
        "rename from b.txt\nrename to c.txt\n"
    )
    first, moved = parse_unified_diff(diff)
    assert (first.path, first.added, first.removed) == ("a.py", 3, 2)
    numbered = [(line.kind, line.old, line.new, line.text) for line in first.lines]
    assert numbered == [
        ("ctx", 3, 3, "x = 1"),
        ("del", 4, None, "y = 2"),
        ("add", None, 4, "y = 3"),
        ("add", None, 5, "z = 4"),
        ("ctx", 5, 6, "end"),
        ("gap", None, None, ""),
        ("del", 20, None, "old"),
        ("add", None, 21, "new"),
    ]
    assert (moved.old_path, moved.path, moved.lines) == ("b.txt", "c.txt", [])


def _styles(widget) -> set[str]:  # type: ignore[no-untyped-def]
    text = widget.renderable if hasattr(widget, "renderable") else widget.render()
    return {str(span.style) for span in text.spans}


async def test_patch_approval_shows_the_diff_and_the_applied_patch_too(make_config, workdir: Path) -> None:  # type: ignore[no-untyped-def]
    from codex_core.testing import custom_tool_call
    from codex_tui.screens.approval import ApprovalScreen
    from codex_tui.widgets import FileChangeCell

    (workdir / "src").mkdir()
    (workdir / "src" / "calc.py").write_text("import os\n\nx = 1\ny = 2\n")
    config = make_config(sandbox_mode="read-only", approval_policy="on-request")
    model = ScriptedModel([[custom_tool_call("apply_patch", PATCH)], [message("Patched.")]])
    app = CodexApp(Codex(config, model_client=model), config)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*"patch it", "enter")
        await wait_until(
            pilot, lambda: isinstance(app.screen, ApprovalScreen) and app.screen.query("#approval-changes")
        )
        title = str(app.screen.query_one("#approval-title").render())
        assert title == "Allow Codex to apply these changes (2 files)? (+4 −1)"
        changes = app.screen.query_one("#approval-changes")
        shown = str(changes.render())
        assert str(workdir) not in shown  # relative paths
        assert "└ hello.py (new) (+2 −0)\n    1 +def main():\n    2 +    print('hi')\n" in shown
        assert "└ src/calc.py (+2 −1)\n    1  import os\n    2  \n    3  x = 1\n    4 -y = 2\n    4 +y = 3\n" in shown
        styles = _styles(changes)
        # 256-colour 22 and 52: Codex's green and red line backgrounds
        assert {"on rgb(0,95,0)", "on rgb(95,0,0)"} <= styles
        assert {"ansi_bright_blue", "ansi_yellow"} <= styles  # syntax colours (keyword, string)
        assert not (workdir / "hello.py").exists()  # nothing written before the answer
        await pilot.press("y")
        await wait_idle(pilot, app)
        cell = app.transcript.query_one(FileChangeCell)
        applied = str(cell.render())
    assert applied.startswith("✓ Edited 2 files (+4 −1)\n  └ hello.py (new) (+2 −0)\n    1 +def main():")
    assert "  └ src/calc.py (+2 −1)" in applied and str(workdir) not in applied
    assert (workdir / "src" / "calc.py").read_text() == "import os\n\nx = 1\ny = 3\nz = 4\n"


# --- 11. a record of what was approved or declined ------------------------------------------

SHELL_TOOL = "features.unified_exec=false"


@pytest.mark.parametrize(
    ("key", "record"),
    [
        ("escape", "✗ You declined to run touch nope.txt and stopped the turn"),
        ("n", "✗ You declined to run touch nope.txt (Codex continues without it)"),
        ("y", "✔ You approved Codex to run touch nope.txt this time"),
        ("a", "✔ You approved Codex to run touch nope.txt every time this session"),
    ],
)
async def test_approval_answers_are_recorded(make_config, workdir: Path, key: str, record: str) -> None:  # type: ignore[no-untyped-def]
    from codex_core.testing import shell_call
    from codex_tui.screens.approval import ApprovalScreen
    from codex_tui.widgets.cells import DecisionCell

    config = make_config(SHELL_TOOL, approval_policy="untrusted", sandbox_mode="danger-full-access")
    steps = [[shell_call(["touch", "nope.txt"])]] + ([[message("Fine.")]] if key != "escape" else [])
    model = ScriptedModel(steps)
    app = CodexApp(Codex(config, model_client=model), config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"make a file", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ApprovalScreen))
        await pilot.press(key)
        await wait_idle(pilot, app)
        assert cell_texts(app, DecisionCell) == [record]
        commands = [str(c._header.render()) for c in app.transcript.query(CommandCell)]
        if key in ("escape", "n"):
            assert commands == []  # the record says it; no second "Declined" line
            assert not (workdir / "nope.txt").exists()
        else:
            assert commands == ["✓ Ran touch nope.txt  exit 0"]
        if key == "escape":
            infos = cell_texts(app, InfoCell)
            assert any("Interrupted" in t for t in infos)
            order = [type(c).__name__ for c in app.transcript.children]
            assert order.index("DecisionCell") < max(i for i, n in enumerate(order) if n == "InfoCell")


async def test_declined_patch_is_recorded_with_its_files(make_config, workdir: Path) -> None:  # type: ignore[no-untyped-def]
    from codex_core.testing import custom_tool_call
    from codex_tui.screens.approval import ApprovalScreen
    from codex_tui.widgets import FileChangeCell
    from codex_tui.widgets.cells import DecisionCell

    (workdir / "src").mkdir()
    (workdir / "src" / "calc.py").write_text("import os\n\nx = 1\ny = 2\n")
    config = make_config(sandbox_mode="read-only", approval_policy="on-request")
    model = ScriptedModel([[custom_tool_call("apply_patch", PATCH)]])
    app = CodexApp(Codex(config, model_client=model), config)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*"patch it", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ApprovalScreen))
        await pilot.press("escape")
        await wait_idle(pilot, app)
        assert cell_texts(app, DecisionCell) == [
            "✗ You declined the edits to hello.py, src/calc.py and stopped the turn"
        ]
        assert not app.transcript.query(FileChangeCell)
    assert not (workdir / "hello.py").exists()


# --- 5. /new keeps the session's /model and /permissions choices -----------------------------


async def test_new_keeps_model_and_permission_choices(config) -> None:  # type: ignore[no-untyped-def]
    model = ScriptedModel([[message("One.")], [message("Two.")]])
    app = CodexApp(Codex(config, model_client=model), config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/model gpt-5", "enter")
        await pilot.press(*"/permissions", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen))
        await pilot.press("down", "down", "enter")  # Full Access
        await pilot.pause()
        chosen = ("gpt-5", "never", "danger-full-access")
        cfg = app.thread.config  # type: ignore[union-attr]
        assert (cfg.model, cfg.approval_policy, cfg.sandbox_mode) == chosen
        first = app.thread
        await pilot.press(*"/new", "enter")
        await wait_until(pilot, lambda: app.thread is not first)
        cfg = app.thread.config  # type: ignore[union-attr]
        assert (cfg.model, cfg.approval_policy, cfg.sandbox_mode) == chosen
        assert "gpt-5 · danger-full-access · approvals never" in str(app.status.render())
        await pilot.press(*"hello", "enter")
        await wait_idle(pilot, app)
        second = app.thread
        await pilot.press(*"/fork", "enter")
        await wait_until(pilot, lambda: app.thread is not second)
        cfg = app.thread.config  # type: ignore[union-attr]
        assert (cfg.model, cfg.approval_policy, cfg.sandbox_mode) == chosen
    assert (config.model, config.sandbox_mode) != ("gpt-5", "danger-full-access")  # not the launch values


# --- 10. Markdown: link targets, reasoning summaries ----------------------------------------


def _markdown_text(cell) -> str:  # type: ignore[no-untyped-def]
    from textual.widgets._markdown import MarkdownBlock

    return "\n".join(str(block.render()) for block in cell.query(MarkdownBlock) if not block.query(MarkdownBlock))


async def test_links_show_their_url_and_reasoning_is_rendered(config) -> None:  # type: ignore[no-untyped-def]
    from codex_core.testing import reasoning
    from codex_tui.widgets import ReasoningCell

    answer = (
        "See [the docs](https://example.com/docs) and <https://auto.example.org>.\n\n"
        "- item [two](https://two.example)\n"
    )
    model = ScriptedModel([[reasoning("**Inspecting the repo**\n\nI look at *files* and `code`."), message(answer)]])
    app = CodexApp(Codex(config, model_client=model), config)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press(*"hi", "enter")
        await wait_idle(pilot, app)
        shown = _markdown_text(app.transcript.query_one(AgentMessageCell))
        assert "See the docs (https://example.com/docs) and https://auto.example.org." in shown
        assert "auto.example.org (https" not in shown  # an autolink is not repeated
        assert "item two (https://two.example)" in shown
        thinking = app.transcript.query_one(ReasoningCell)
        assert thinking.title == "Thinking · Inspecting the repo"
        body = thinking._body.render()
        assert str(body) == "Inspecting the repo\n\nI look at files and code."
        assert "**" not in str(body) and "`" not in str(body)
        assert {"bold", "italic"} <= {str(span.style) for span in body.spans}


# --- 6. command output: first lines inline, Ctrl+O, focus stays in the composer ---------------


def _command_turn(lines: int) -> list:  # type: ignore[type-arg]
    from codex_core.protocol.events import (
        CommandExecutionItem,
        ItemCompleted,
        ItemStarted,
        ReasoningItem,
        TurnCompleted,
        TurnStarted,
        Usage,
    )

    output = "".join(f"line {i}\n" for i in range(1, lines + 1))
    done = CommandExecutionItem(id="c1", command="seq", aggregated_output=output, exit_code=0, status="completed")
    return [
        TurnStarted(),
        ItemCompleted(item=ReasoningItem(id="r1", text="**Looking**\n\nat the output")),
        ItemStarted(item=CommandExecutionItem(id="c1", command="seq")),
        ItemCompleted(item=done),
        TurnCompleted(usage=Usage()),
    ]


async def test_output_shows_first_lines_and_ctrl_o_expands_without_taking_focus(config) -> None:  # type: ignore[no-untyped-def]
    from codex_tui.widgets import ReasoningCell

    app = CodexApp(FakeCodex(config, [_command_turn(12)]), config)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press(*"run it", "enter")
        await wait_idle(pilot, app)
        cell = app.transcript.query_one(CommandCell)
        folded = str(cell._output.render())
        assert folded == ("└ line 1\n  line 2\n  line 3\n  … +7 lines (ctrl+o to expand)\n  line 11\n  line 12")
        await pilot.press(*"abc")
        await pilot.press("ctrl+o")
        await pilot.pause()
        expanded = str(cell._output.render())
        assert cell.expanded and all(f"line {i}\n" in expanded + "\n" for i in range(1, 13))
        assert app.focused is app.composer
        await pilot.press("d")
        assert app.composer.text == "abcd"
        await pilot.press("ctrl+o")  # folds it again
        await pilot.pause()
        assert str(cell._output.render()) == folded
        # a click opens a fold without taking the focus
        await pilot.click(CommandCell)
        await pilot.pause()
        assert cell.expanded and app.focused is app.composer
        await pilot.click(ReasoningCell)
        await pilot.pause()
        assert not app.transcript.query_one(ReasoningCell).collapsed
        assert app.focused is app.composer
        await pilot.press("e")
        assert app.composer.text == "abcde"


async def test_short_output_is_shown_whole(config) -> None:  # type: ignore[no-untyped-def]
    app = CodexApp(FakeCodex(config, [_command_turn(6)]), config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"run it", "enter")
        await wait_idle(pilot, app)
        shown = str(app.transcript.query_one(CommandCell)._output.render())
    assert shown == "└ line 1\n  line 2\n  line 3\n  line 4\n  line 5\n  line 6"


async def test_page_keys_scroll_the_transcript_from_the_composer(config) -> None:  # type: ignore[no-untyped-def]
    app = CodexApp(FakeCodex(config, [_command_turn(400)]), config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"run it", "enter")
        await wait_idle(pilot, app)
        await pilot.press("ctrl+o")  # 200 lines of output: taller than the screen
        await pilot.pause()
        await pilot.press("pagedown", "pagedown")
        await pilot.pause()
        bottom = app.transcript.scroll_y
        await pilot.press("pageup")
        await pilot.pause()
        assert app.transcript.scroll_y < bottom
        assert app.focused is app.composer


# --- 9. /model: current catalogue, reasoning effort; /status: growing totals, context left ----


async def test_model_picker_offers_the_catalogue_then_the_effort(config) -> None:  # type: ignore[no-untyped-def]
    app = CodexApp(Codex(config, model_client=ScriptedModel([])), config)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*"/model", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen))
        offered = [i.value for i in app.screen.items]  # type: ignore[attr-defined]
        catalogue = [o for o in offered if o != config.model]  # the current model is offered first if unlisted
        assert catalogue[:3] == ["gpt-6.1-sol", "gpt-6-astra", "gpt-6-sol"]
        assert "gpt-5.1-codex-mini" not in offered and "codex-auto-review" not in offered  # outdated / hidden
        app.screen.query_one("OptionList").highlighted = offered.index("gpt-6.1-sol")  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_until(
            pilot, lambda: isinstance(app.screen, PickerScreen) and "reasoning effort" in app.screen.title_text
        )  # type: ignore[attr-defined]
        efforts = [(i.value, i.label) for i in app.screen.items]  # type: ignore[attr-defined]
        assert efforts == [("low", "Low (default)"), ("medium", "Medium"), ("high", "High"), ("xhigh", "Extra high")]
        await pilot.press("down", "enter")
        await pilot.pause()
        cfg = app.thread.config  # type: ignore[union-attr]
        assert (cfg.model, cfg.model_reasoning_effort) == ("gpt-6.1-sol", "medium")
        assert cell_texts(app, InfoCell)[-1] == "• Model changed to gpt-6.1-sol (reasoning medium)"
        await pilot.press(*"/model gpt-5.5 high", "enter")
        await pilot.pause()
        cfg = app.thread.config  # type: ignore[union-attr]
        assert (cfg.model, cfg.model_reasoning_effort) == ("gpt-5.5", "high")


def test_model_catalogue_from_a_provider_or_bundled(make_config) -> None:  # type: ignore[no-untyped-def]
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from codex_core.client.model_catalog import available_models

    class Models(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps({"object": "list", "data": [{"id": "local-coder"}, {"id": "gpt-5.5"}]}).encode()
            self.send_response(200 if self.path == "/v1/models" else 404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return

    server = HTTPServer(("127.0.0.1", 0), Models)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        local = make_config(
            "model_provider=local", f'model_providers.local.base_url="{base}/v1"', 'model_providers.local.name="L"'
        )
        models, source = available_models(local)
        assert source == "provider" and [m.slug for m in models] == ["local-coder", "gpt-5.5"]
        assert models[1].efforts == ("low", "medium", "high", "xhigh")  # known models keep their details
        broken = make_config(
            "model_provider=local", f'model_providers.local.base_url="{base}/nope"', 'model_providers.local.name="L"'
        )
        models, source = available_models(broken)  # 404: the bundled catalogue
        assert source == "bundled" and models[0].slug == "gpt-6.1-sol"
    finally:
        server.shutdown()


async def test_status_token_totals_grow_and_show_context_left(make_config) -> None:  # type: ignore[no-untyped-def]
    from codex_core.client.types import TokenUsage

    config = make_config("model_context_window=272000")
    usage = TokenUsage(input_tokens=20_000, cached_input_tokens=5_000, output_tokens=1_000, total_tokens=21_000)
    model = ScriptedModel([[message("One.")], [message("Two.")]], usage=usage)
    app = CodexApp(Codex(config, model_client=model), config)
    async with app.run_test(size=(140, 30)) as pilot:
        await pilot.press(*"first", "enter")
        await wait_idle(pilot, app)
        assert app.status.tokens_used == 16_000  # fresh input + output
        await pilot.press(*"second", "enter")
        await wait_idle(pilot, app)
        assert app.status.tokens_used == 32_000
        window = app.status.context_window
        assert window == 272_000
        left = round(100 * (window - 12_000 - 9_000) / (window - 12_000))  # Codex's 12K baseline
        assert f"32.0K tokens · {left}% context left" in str(app.status.render())
        await pilot.press(*"/status", "enter")
        await pilot.pause()
        text = cell_texts(app, InfoCell)[-1]
    assert "Tokens     32.0K total (30.0K input + 2.0K output, 10.0K cached)" in text
    assert f"Context    {left}% left (21.0K used / 272.0K)" in text


# --- 8. resumed sessions show what happened, compaction hides nothing -----------------------


async def test_resume_shows_commands_outputs_diffs_and_interruptions(make_config, workdir: Path) -> None:  # type: ignore[no-untyped-def]
    from codex_core.testing import custom_tool_call, reasoning, shell_call
    from codex_tui.widgets import FileChangeCell, ReasoningCell

    # no login shell: a profile script could print to (or stall) the user's `!cmd`
    config = make_config(
        SHELL_TOOL, "allow_login_shell=false", approval_policy="never", sandbox_mode="danger-full-access"
    )
    add = "*** Begin Patch\n*** Add File: hello.py\n+print('hi')\n*** End Patch\n"
    model = ScriptedModel(
        [
            [reasoning("**Checking** the greeting"), shell_call(["echo", "hello"])],
            [message("Ran it.")],
            [custom_tool_call("apply_patch", add)],
            [message("Patched.")],
            [message("Summary of the work so far.")],  # /compact
            [shell_call(["sleep", "30"])],
        ]
    )
    codex = Codex(config, model_client=model)
    app = CodexApp(codex, config)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*"say hello", "enter")
        await wait_idle(pilot, app)
        await pilot.press(*"!echo mine", "enter")
        await wait_idle(pilot, app)
        await pilot.press(*"add a file", "enter")
        await wait_idle(pilot, app)
        await pilot.press(*"/compact", "enter")
        await wait_idle(pilot, app)
        await pilot.press(*"wait", "enter")
        await wait_until(pilot, lambda: len(app.transcript.query(CommandCell)) == 3)
        await pilot.press("escape")
        await wait_idle(pilot, app)
        session = app.thread.id  # type: ignore[union-attr]
        live_answers = cell_texts(app, AgentMessageCell)
    assert live_answers == ["Ran it.", "Patched."]

    resumed = CodexApp(Codex(config, model_client=ScriptedModel([])), config)
    async with resumed.run_test(size=(120, 40)) as pilot:
        await pilot.press(*f"/resume {session}", "enter")
        await wait_until(pilot, lambda: bool(resumed.transcript.query(FileChangeCell)))
        await pilot.pause()
        t = resumed.transcript
        assert [str(c.render()).removeprefix("› ") for c in t.query(UserCell)] == ["say hello", "add a file", "wait"]
        assert cell_texts(resumed, AgentMessageCell) == ["Ran it.", "Patched."]  # kept after /compact
        assert t.query_one(ReasoningCell).title == "Thinking · Checking the greeting"
        commands = [(c.command, c.by_user, c.exit_code, c.output, c.status) for c in t.query(CommandCell)]
        assert commands == [
            ("echo hello", False, 0, "hello\n", "completed"),
            ("echo mine", True, 0, "mine\n", "completed"),
            ("sleep 30", False, None, "", "failed"),
        ]
        files = str(t.query_one(FileChangeCell).render())
        assert files.startswith("✓ Edited hello.py (+1 −0)") and "1 +print('hi')" in files
        notes = cell_texts(resumed, InfoCell)
        assert any("Conversation compacted." in n for n in notes)
        assert any("Interrupted." in n for n in notes)
        kinds = [type(c).__name__ for c in t.children]
        assert kinds.index("FileChangeCell") < kinds.index("AgentMessageCell", kinds.index("FileChangeCell"))
