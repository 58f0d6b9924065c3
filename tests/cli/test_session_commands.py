"""`codex exec fork`, `codex fork`, `codex archive|unarchive|delete`: saved sessions from the shell,
named by UUID or by session name, through the real `codex` entry point."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import time
from pathlib import Path

from codex_core.session import read_rollout, set_thread_name
from tests.e2e.conftest import CODEX, run_codex
from tests.support.rollouts import make_recorder
from tests.support.sse_server import ScriptedResponsesServer, turn_message

TID = "0199a213-81c0-7800-8aa1-bbab2a035a53"
OTHER = "0199a213-81c0-7800-8aa1-bbab2a035a54"


def saved_session(codex_home: Path, cwd: Path, tid: str = TID, *, name: str | None = None) -> Path:
    rec = make_recorder(codex_home, cwd, tid)
    rec.record_event({"type": "user_message", "message": "hello"})
    rec.close()
    if name is not None:
        set_thread_name(rec.path, name)
    return rec.path


def codex(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CODEX, *args], capture_output=True, text=True, env=env or dict(os.environ), cwd=cwd, timeout=60
    )


def test_exec_fork_continues_a_copy_of_the_source(
    server: ScriptedResponsesServer, cli_env: dict[str, str], repo: Path
) -> None:
    server.enqueue(turn_message("one"), turn_message("two"))
    first = run_codex(["exec", "--json", "first prompt"], cli_env, repo)
    assert first.returncode == 0, first.stderr
    source_id = json.loads(first.stdout.splitlines()[0])["thread_id"]
    home = Path(cli_env["CODEX_HOME"])
    source = next(home.glob(f"sessions/*/*/*/rollout-*-{source_id}.jsonl"))
    source_text = source.read_text()

    proc = run_codex(["exec", "fork", "--json", source_id, "second prompt"], cli_env, repo)
    assert proc.returncode == 0, proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    fork_id = events[0]["thread_id"]
    assert fork_id != source_id and events[-1]["type"] == "turn.completed"
    sent = json.dumps(server.requests[1].body["input"])
    assert "first prompt" in sent and "one" in sent and "second prompt" in sent
    assert source.read_text() == source_text  # the source is untouched
    fork_file = next(home.glob(f"sessions/*/*/*/rollout-*-{fork_id}.jsonl"))
    assert read_rollout(fork_file).meta.get("forked_from_id") == source_id


def test_exec_fork_by_name_without_prompt_only_forks(cli_env: dict[str, str], repo: Path) -> None:
    home = Path(cli_env["CODEX_HOME"])
    saved_session(home, repo, name="nightly")
    proc = run_codex(["exec", "fork", "--json", "nightly"], cli_env, repo, input="")
    assert proc.returncode == 0, proc.stderr
    (event,) = [json.loads(line) for line in proc.stdout.splitlines()]
    assert event["type"] == "thread.started" and event["thread_id"] != TID
    assert len(list(home.glob("sessions/*/*/*/rollout-*.jsonl"))) == 2
    missing = run_codex(["exec", "fork", "no-such-session"], cli_env, repo, input="")
    assert missing.returncode == 1 and "No active session found matching 'no-such-session'." in missing.stderr


def test_tui_fork_needs_a_session(codex_home: Path, tmp_path: Path) -> None:
    proc = codex("fork", cwd=tmp_path)
    assert proc.returncode == 1 and "give a SESSION_ID" in proc.stderr
    proc = codex("fork", "--last", cwd=tmp_path)
    assert proc.returncode == 1 and "no saved session found" in proc.stderr and "Traceback" not in proc.stderr


def test_archive_unarchive_by_id_and_name(codex_home: Path, tmp_path: Path) -> None:
    path = saved_session(codex_home, tmp_path, name="my work")
    proc = codex("archive", "my work")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"Archived session {TID}.\n"
    assert not path.exists() and (codex_home / "archived_sessions" / path.name).exists()
    again = codex("archive", TID)
    assert again.returncode == 1 and f"No active session found matching '{TID}'." in again.stderr
    proc = codex("unarchive", TID)
    assert proc.returncode == 0 and proc.stdout == f"Unarchived session {TID}.\n" and path.exists()
    again = codex("unarchive", "my work")
    assert again.returncode == 1 and "No archived session found matching 'my work'." in again.stderr


def test_delete_confirms_or_needs_force_with_uuid(codex_home: Path, tmp_path: Path) -> None:
    path = saved_session(codex_home, tmp_path, name="scratch")
    other = saved_session(codex_home, tmp_path, OTHER)
    proc = codex("delete", TID)  # no terminal to ask on
    assert proc.returncode == 1 and "without an interactive terminal; rerun with --force" in proc.stderr
    proc = codex("delete", "--force", "scratch")
    assert proc.returncode == 1 and "--force requires a session UUID" in proc.stderr
    assert path.exists()
    proc = codex("delete", "--force", TID)
    assert proc.returncode == 0 and proc.stdout == f"Deleted session {TID}.\n"
    assert not path.exists() and other.exists()
    assert codex("delete", "--force", TID).returncode == 1


def _on_terminal(args: list[str], answer: str) -> tuple[int, str]:
    """Run `codex ARGS` with a pseudo-terminal as stdin/stdout and type ``answer`` at its prompt."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([CODEX, *args], stdin=slave, stdout=slave, stderr=slave, env=dict(os.environ))
    os.close(slave)
    out = b""
    deadline = time.monotonic() + 30
    answered = False
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        if not answered and b"[y/N]" in out:
            os.write(master, answer.encode() + b"\n")
            answered = True
        if proc.poll() is not None and not ready:
            break
    os.close(master)
    return proc.wait(timeout=10), out.decode(errors="replace")


def test_delete_asks_on_a_terminal(codex_home: Path, tmp_path: Path) -> None:
    path = saved_session(codex_home, tmp_path, name="keep me")
    code, out = _on_terminal(["delete", "keep me"], "n")
    assert code == 0 and f"Permanently delete session {TID}?" in out and "Delete cancelled." in out
    assert path.exists()
    code, out = _on_terminal(["delete", "keep me"], "y")
    assert code == 0 and f"Deleted session {TID}." in out and not path.exists()
