"""``codex_core.logging`` itself: the filter syntax, the cost of a filtered-out record, stdlib
records of ``codex_core`` loggers, an application's own structlog pipeline, redaction."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from codex_core.logging import TRACE, parse_log_filter, redact_secrets


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", **env},
    )


@pytest.mark.parametrize(
    ("spec", "name", "level"),
    [
        ("debug", "codex_core.client.responses", 10),
        ("warn,codex_core.client=debug,codex_core.sandbox=trace", "codex_core.client.responses", 10),
        ("warn,codex_core.client=debug,codex_core.sandbox=trace", "codex_core.sandbox.zygote_client", TRACE),
        ("warn,codex_core.client=debug,codex_core.sandbox=trace", "codex_core.agent.router", 30),
        ("warn,codex_core.client=debug", "codex_core.clientele", 30),  # a prefix counts at dots only
        ("codex_core=info,codex_core.client.responses=error", "codex_core.client.responses", 40),  # longest wins
        ("codex_core=info,codex_core.client.responses=error", "codex_core.client.sse", 20),
        ("codex_core::sandbox=debug", "codex_core.sandbox.policy", 10),  # RUST_LOG's path separator
        ("codex_core.mcp", "codex_core.mcp.connection", TRACE),  # a bare target: everything
        ("error,DEBUG", "x", 10),  # the last default wins, case does not matter
        ("", "x", 30),
        ("off", "x", 60),
    ],
)
def test_filter_levels(spec: str, name: str, level: int) -> None:
    assert parse_log_filter(spec).level_for(name) == level


def test_bad_directives_are_set_aside() -> None:
    parsed = parse_log_filter("info,codex_core.client=chatty,=debug,codex_core.mcp=debug")
    assert parsed.problems == ("codex_core.client=chatty", "=debug")
    assert parsed.level_for("codex_core.mcp.connection") == 10
    assert parsed.level_for("codex_core.client") == 20


def test_filtered_out_records_format_nothing_and_import_nothing() -> None:
    proc = run_python(
        """
        import sys
        from codex_core.logging import configure_logging, get_logger
        configure_logging("stderr")
        before = set(sys.modules)

        class Loud:
            def __str__(self): raise AssertionError("formatted")
            __repr__ = __format__ = __str__

        log = get_logger("codex_core.client.responses")
        log.debug("model request", url=Loud())
        log.trace("model event", type=Loud())
        log.info("model request retry", error=Loud())
        get_logger("codex_core.agent.router").debug("tool call", name=Loud())
        assert set(sys.modules) == before, set(sys.modules) - before
        assert "structlog" not in sys.modules
        log.warning("shown", value=1)
        """,
        CODEX_LOG="warn,codex_core.sandbox=debug",
    )
    assert proc.returncode == 0, proc.stderr
    assert "codex_core.client.responses: shown value=1" in proc.stderr


def test_stdlib_records_of_codex_core_follow_the_filter() -> None:
    proc = run_python(
        """
        import logging
        from codex_core.logging import configure_logging
        configure_logging("stderr")
        logging.getLogger("codex_core.network").debug("proxy listening on %s", "127.0.0.1:3128")
        logging.getLogger("codex_core.network.relay").info("closing %d connections", 2)
        logging.getLogger("codex_core.other").info("not shown")
        """,
        CODEX_LOG="warn,codex_core.network=debug",
    )
    assert proc.returncode == 0, proc.stderr
    assert "DEBUG codex_core.network: proxy listening on 127.0.0.1:3128" in proc.stderr
    assert "INFO  codex_core.network.relay: closing 2 connections" in proc.stderr
    assert "not shown" not in proc.stderr


def test_an_application_structlog_pipeline_gets_the_records_redacted() -> None:
    """A library user who configured structlog (and never called configure_logging) gets the
    records through it, already redacted."""
    proc = run_python(
        """
        import structlog
        structlog.configure(processors=[structlog.processors.add_log_level, structlog.processors.JSONRenderer()])
        from codex_core.logging import ensure_default_logging, get_logger
        ensure_default_logging()
        get_logger("codex_core.client.responses").warning("calling", headers={"Authorization": "Bearer abcdefghijkl"})
        get_logger("codex_core.client.responses").debug("hidden")
        """
    )
    assert proc.returncode == 0, proc.stderr
    (line,) = proc.stdout.splitlines()
    record = json.loads(line)
    assert record == {"event": "calling", "headers": {"Authorization": "[REDACTED]"}, "level": "warning"}


def test_redaction_reaches_into_nested_values() -> None:
    event = redact_secrets(
        None,
        "",
        {
            "event": "request with Bearer abcdefghijkl",
            "headers": {"authorization": "Bearer abcdefghijkl", "x-api-key": "k" * 20, "accept": "text/event-stream"},
            "argv": ["curl", "-H", "Authorization: Bearer zyxwvutsrqpo"],
            "api_key": "plain-value-1234",
            "tokens": 42,
            "note": "key sk-proj-abcdefgh",
        },
    )
    text = json.dumps(event)
    for secret in ("abcdefghijkl", "k" * 20, "zyxwvutsrqpo", "plain-value-1234", "sk-proj-abcdefgh"):
        assert secret not in text
    assert event["headers"]["accept"] == "text/event-stream" and event["tokens"] == 42


def test_unwritable_log_file_falls_back_to_stderr(tmp_path) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "file"
    blocker.write_text("")
    proc = run_python(
        """
        from codex_core.logging import configure_logging, get_logger
        configure_logging("stderr")
        get_logger("codex_core.x").warning("still here")
        """,
        CODEX_LOG_FILE=str(blocker / "sub" / "log.txt"),
    )
    assert proc.returncode == 0, proc.stderr
    assert "warning: cannot write the log file" in proc.stderr and "codex_core.x: still here" in proc.stderr


def test_redaction_catches_jwts_github_tokens_and_key_headers() -> None:
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36"
    ghp = "ghp_" + "A1b2C3d4" * 5
    pat = "github_pat_" + "11ABCDEFG0" * 4
    event = redact_secrets(
        None,
        "",
        {
            "event": f"token in text {jwt}",
            "argv": ["git", "clone", f"https://{ghp}@github.com/o/r", pat],
            "headers": {"Ocp-Apim-Subscription-Key": "abcd1234efgh", "x-portkey-virtual-key": "vk-1234abcd"},
            "monkey": "not a secret",
            "input_tokens": 120,
        },
    )
    text = json.dumps(event)
    for secret in (jwt, ghp, pat, "abcd1234efgh", "vk-1234abcd"):
        assert secret not in text
    assert event["monkey"] == "not a secret" and event["input_tokens"] == 120


def test_log_files_are_owner_only_and_threads_write_whole_lines(tmp_path) -> None:  # type: ignore[no-untyped-def]
    log = tmp_path / "log" / "codex-exec.log"
    proc = run_python(
        """
        import threading
        from codex_core.logging import configure_logging, get_logger
        configure_logging("stderr")
        log = get_logger("codex_core.x")
        def spam(n):
            for i in range(200):
                log.warning("record", thread=n, i=i, padding="p" * 300)
        threads = [threading.Thread(target=spam, args=(n,)) for n in range(4)]
        for t in threads: t.start()
        for t in threads: t.join()
        """,
        CODEX_LOG_FILE=str(log),
        CODEX_LOG_FORMAT="json",
    )
    assert proc.returncode == 0, proc.stderr
    assert log.stat().st_mode & 0o777 == 0o600 and log.parent.stat().st_mode & 0o777 == 0o700
    lines = log.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 800 and all(json.loads(line)["event"] == "record" for line in lines)
