from __future__ import annotations

import subprocess
import sys


def test_secrets_are_redacted_and_quiet_runs_skip_structlog(tmp_path) -> None:  # type: ignore[no-untyped-def]
    code = (
        "import sys\n"
        "from codex_core.logging import configure_logging, get_logger\n"
        "configure_logging('stderr')\n"
        "log = get_logger('t')\n"
        "log.info('not shown')\n"
        "assert 'structlog' not in sys.modules\n"
        "log.warning('calling api', header='Bearer abcdefghijkl', api_key='sk-live-123456789', note='key sk-proj-abcdefgh')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={"PATH": "/usr/bin"})
    assert proc.returncode == 0, proc.stderr
    assert "not shown" not in proc.stderr
    assert "calling api" in proc.stderr
    for secret in ("abcdefghijkl", "sk-live-123456789", "sk-proj-abcdefgh"):
        assert secret not in proc.stderr
    assert "[REDACTED]" in proc.stderr


def test_codex_log_env_sets_level() -> None:
    code = "from codex_core.logging import configure_logging, get_logger\nconfigure_logging('stderr')\nget_logger('t').debug('dbg-line')\n"
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={"PATH": "/usr/bin", "CODEX_LOG": "debug"}
    )
    assert "dbg-line" in proc.stderr
