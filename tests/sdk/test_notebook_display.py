"""A real Jupyter notebook, executed with nbclient in a real kernel, against the scripted model
server: ``Thread``, ``TurnResult`` and streamed events show as Markdown (the answer, the
command and its exit code, the coloured diff, token usage) and ``repr(thread)`` shows the id."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from tests.support.provider import TEST_ENV_KEY, provider_overrides
from tests.support.sse_server import ScriptedResponsesServer, ev_completed, ev_created, ev_function_call, turn_message

pytestmark = pytest.mark.slow

PATCH = "*** Begin Patch\n*** Update File: notes.txt\n@@\n-old line\n+new line\n*** End Patch\n"
ANSWER = "## Done\n\nI listed the files and **updated** `notes.txt`. <script>alert(1)</script>"


def _cells(base_url: str, codex_home: Path, workspace: Path) -> list[str]:
    setup = f"""
        import os
        from pathlib import Path

        os.environ["CODEX_HOME"] = {str(codex_home)!r}
        os.environ[{TEST_ENV_KEY!r}] = "test-key"

        from codex_core import Codex, ConfigOverrides, load_config

        config = load_config(
            ConfigOverrides(
                cwd=Path({str(workspace)!r}),
                sandbox_mode="workspace-write",
                approval_policy="never",
                config_overrides={provider_overrides(base_url)!r},
            )
        )
        thread = Codex(config).start_thread()
        print(thread.id, config.model)
        """
    return [
        setup,
        "result = await thread.run('List the files, then fix notes.txt')\nresult",
        "async for ev in thread.run_streamed('And now?'):\n    display(ev)",
        "thread",
    ]


def _outputs(cell: Any, kind: str) -> list[dict[str, Any]]:
    return [o for o in cell.outputs if o["output_type"] == kind]


def test_notebook_renders_thread_turn_and_events(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for var, sub in (("IPYTHONDIR", "ipython"), ("JUPYTER_RUNTIME_DIR", "rt"), ("JUPYTER_CONFIG_DIR", "cfg")):
        monkeypatch.setenv(var, str(tmp_path / sub))
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "data"))  # only the venv's kernel spec is found
    codex_home, workspace = tmp_path / "home", tmp_path / "ws"
    codex_home.mkdir()
    workspace.mkdir()
    (workspace / "notes.txt").write_text("old line\n")
    with ScriptedResponsesServer() as server:
        server.enqueue(
            [
                ev_created("r1"),
                *ev_function_call("exec_command", {"cmd": "printf 'alpha\\nbeta\\n'"}, "c1"),
                ev_completed("r1"),
            ],
            [ev_created("r2"), *ev_function_call("apply_patch", {"input": PATCH}, "c2"), ev_completed("r2")],
            turn_message(ANSWER, "r3", input_tokens=1200, output_tokens=80, cached=300, reasoning=20),
            turn_message("Second answer", "r4"),
        )
        nb = nbformat.v4.new_notebook()
        nb.cells = [
            nbformat.v4.new_code_cell(textwrap.dedent(src).strip())
            for src in _cells(server.base_url, codex_home, workspace)
        ]
        NotebookClient(nb, kernel_name="python3", timeout=60, resources={"metadata": {"path": str(tmp_path)}}).execute()
    setup, turn, streamed, shown = nb.cells
    thread_id, model = _outputs(setup, "stream")[0]["text"].split()

    [result] = _outputs(turn, "execute_result")
    markdown = result["data"]["text/markdown"]
    assert markdown.startswith("## Done\n\nI listed the files and **updated** <code>notes.txt</code>.")
    assert "&lt;script>alert(1)&lt;/script>" in markdown and "<script" not in markdown
    assert "✓ ` $ printf 'alpha\\nbeta\\n' ` · **exit 0**" in markdown
    assert "alpha\nbeta\n```" in markdown  # the head of the command's output
    assert '<span style="color:#cf222e;background:rgba(248,81,73,0.15)">-old line</span>' in markdown
    assert '<span style="color:#1a7f37;background:rgba(46,160,67,0.15)">+new line</span>' in markdown
    # three model requests: 10 + 10 + 1200 input tokens, and so on
    assert markdown.endswith("*Tokens:* 1,220 input · 300 cached · 90 output · 20 reasoning")
    assert (workspace / "notes.txt").read_text() == "new line\n"

    events = [o["data"] for o in _outputs(streamed, "display_data")]
    assert all("text/markdown" in e and "text/plain" in e for e in events)
    rendered = [e["text/markdown"] for e in events]
    assert rendered[0] == "*Turn started*" and "Second answer" in rendered
    assert rendered[-1] == "*Turn completed* — *Tokens:* 10 input · 0 cached · 5 output · 0 reasoning"

    [thread] = _outputs(shown, "execute_result")
    assert thread["data"]["text/plain"] == f"<Thread {thread_id} model={model} cwd={workspace}>"
    assert thread["data"]["text/markdown"].startswith(f"**Codex thread** ` {thread_id} `")
    assert thread["data"]["text/markdown"].endswith("**You**\n\nAnd now?\n\n**Codex**\n\nSecond answer")
