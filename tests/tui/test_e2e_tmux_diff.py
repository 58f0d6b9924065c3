"""Issue 16, point 4, in a real terminal: a patch needing approval is shown as its diff (relative
paths, ``(+N −M)``, line numbers, red/green backgrounds) before ``y``, and the same way once
applied. The real ``codex`` entry point runs in tmux against the scripted HTTP model server."""

from __future__ import annotations

from pathlib import Path

from tests.support.sse_server import ScriptedResponsesServer, ev_completed, ev_created, ev_function_call, turn_message

from .test_e2e_tmux import CODEX, Tmux, _config, pytestmark, tmux

__all__ = ["pytestmark", "tmux"]

PATCH = (
    "*** Begin Patch\n*** Add File: hello.py\n+def main():\n+    print('hi')\n"
    "*** Update File: src/calc.py\n@@\n x = 1\n-y = 2\n+y = 3\n+z = 4\n*** End Patch\n"
)


def test_patch_diff_before_and_after_approval(tmux: Tmux, tmp_path: Path) -> None:
    work = tmp_path / "work"
    (work / "src").mkdir(parents=True)
    (work / "src" / "calc.py").write_text("import os\n\nx = 1\ny = 2\n")
    home = tmp_path / "home"
    with ScriptedResponsesServer() as server:
        server.enqueue(
            [ev_created("r1"), *ev_function_call("apply_patch", {"input": PATCH}, "call_1"), ev_completed("r1")],
            turn_message("Patched.", "r2"),
        )
        _config(home, server.base_url, 'sandbox_mode = "read-only"\napproval_policy = "on-request"')
        env = {"CODEX_HOME": str(home), "TEST_KEY": "k", "TERM": "xterm-256color", "PYTHONDONTWRITEBYTECODE": "1"}
        tmux.start([str(CODEX)], env=env, cwd=work, size=(120, 40))
        tmux.wait_for("Ask Codex to do anything")
        tmux.type("patch it")
        tmux.send("Enter")
        screen = tmux.wait_for("Allow Codex to apply these changes (2 files)? (+4 −1)")
        assert "└ hello.py (new) (+2 −0)" in screen
        assert "1 +def main():" in screen and "2 +    print('hi')" in screen
        assert "└ src/calc.py (+2 −1)" in screen
        assert "4 -y = 2" in screen and "4 +y = 3" in screen and "5 +z = 4" in screen
        assert str(work) + "/" not in screen  # paths relative to the session directory
        colours = tmux.run("capture-pane", "-e", "-p", "-t", "e2e")
        assert "48;5;22m" in colours and "48;5;52m" in colours  # green / red line backgrounds
        assert not (work / "hello.py").exists()

        tmux.send("y")
        screen = tmux.wait_for("Patched.")
        assert "✓ Edited 2 files (+4 −1)" in screen
        assert "└ src/calc.py (+2 −1)" in screen and "4 +y = 3" in screen
        assert str(work) + "/" not in screen
    assert (work / "src" / "calc.py").read_text() == "import os\n\nx = 1\ny = 3\nz = 4\n"
    assert (work / "hello.py").read_text() == "def main():\n    print('hi')\n"
