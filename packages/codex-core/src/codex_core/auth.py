"""Stored credentials: ``$CODEX_HOME/auth.json`` (mode 0600), written by ``codex login`` and
``account/login/start``, read when a provider requires OpenAI auth.

Only API-key credentials exist in this implementation (``{"OPENAI_API_KEY": "sk-..."}``).
Writes are atomic (temp file, fsync, rename), so a crash never leaves a half-written file.
"""

from __future__ import annotations

import json
from pathlib import Path

from codex_core.errors import AuthError, UsageError

__all__ = ["auth_file", "remove_auth", "save_api_key", "stored_api_key"]


def auth_file(codex_home: Path) -> Path:
    return codex_home / "auth.json"


def stored_api_key(codex_home: Path) -> str | None:
    """``OPENAI_API_KEY`` from ``auth.json``; ``None`` when absent. A damaged file is an ``AuthError``."""
    path = auth_file(codex_home)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise AuthError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AuthError(f"{path}:{exc.lineno}: invalid JSON ({exc.msg})") from exc
    except RecursionError:
        raise AuthError(f"{path}: invalid JSON (nested too deeply)") from None
    if not isinstance(data, dict):
        raise AuthError(f"{path}: expected a JSON object")
    value = data.get("OPENAI_API_KEY")
    return value.strip() if isinstance(value, str) and value.strip() else None


def save_api_key(codex_home: Path, api_key: str) -> Path:
    """Store ``api_key`` (replacing any stored credentials); returns the file written."""
    api_key = api_key.strip()
    if not api_key:
        raise UsageError("the API key is empty")
    if any(c.isspace() for c in api_key):
        raise UsageError("the API key must not contain whitespace")
    from codex_core.fsutil import write_atomic

    codex_home.mkdir(parents=True, exist_ok=True)
    path = auth_file(codex_home)
    # the reference's shape, so the same CODEX_HOME works with either CLI
    data = json.dumps({"auth_mode": "apikey", "OPENAI_API_KEY": api_key}, indent=2) + "\n"
    write_atomic(path, data.encode("utf-8"), mode=0o600)
    return path


def remove_auth(codex_home: Path) -> bool:
    """Delete stored credentials; ``False`` if there were none."""
    try:
        auth_file(codex_home).unlink()
    except FileNotFoundError:
        return False
    return True
