"""Reading and editing ``[mcp_servers]`` in ``$CODEX_HOME/config.toml`` (``codex mcp``, spec 1.5/2.8).

Edits go through tomlkit so comments and formatting survive. A file that does not parse is
never touched (the error names the line). Writes are atomic: a temp file in the same
directory, fsync, then ``os.replace`` (the original's permission bits are kept).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, MutableMapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from codex_core.config.edit import config_lock, load_for_edit, write_atomic
from codex_core.config.models import McpServerToml
from codex_core.config.toml_io import find_key_line, parse_toml_text, read_toml_text
from codex_core.errors import ConfigError, UsageError

__all__ = [
    "SERVER_NAME_RE",
    "add_http_server",
    "add_stdio_server",
    "dumps_json",
    "format_server_details",
    "format_server_table",
    "load_mcp_servers",
    "parse_env_pairs",
    "remove_server",
    "server_to_json",
    "validate_server_name",
]

SERVER_NAME_RE = re.compile(r"^[A-Za-z0-9_-]+$")
_MASK = "*****"


def validate_server_name(name: str) -> None:
    """Raise ``UsageError`` unless ``name`` matches ``^[A-Za-z0-9_-]+$``."""
    if not SERVER_NAME_RE.match(name):
        raise UsageError(f"invalid server name {name!r}: use only letters, numbers, '-' and '_' (^[A-Za-z0-9_-]+$)")


def parse_env_pairs(pairs: Sequence[str]) -> dict[str, str]:
    """``["K=V", ...]`` to a dict; raise ``UsageError`` naming a malformed pair."""
    env: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"invalid --env value {pair!r}: expected KEY=VALUE")
        env[key.strip()] = value
    return env


# --- reading ---------------------------------------------------------------------------------


def _servers_from_data(data: Mapping[str, Any], text: str, path: Path) -> dict[str, McpServerToml]:
    raw = data.get("mcp_servers", {})
    if not isinstance(raw, Mapping):
        line = find_key_line(text, ("mcp_servers",))
        where = f"{path}:{line}" if line else str(path)
        raise ConfigError(f"{where}: `mcp_servers` must be a table", path=str(path), line=line, key="mcp_servers")
    servers: dict[str, McpServerToml] = {}
    for name, entry in raw.items():
        try:
            servers[name] = McpServerToml.model_validate(entry)
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ("mcp_servers", name, *(str(p) for p in err["loc"]))
            line = find_key_line(text, loc)
            where = f"{path}:{line}" if line else str(path)
            key = ".".join(loc)
            msg = err["msg"].removeprefix("Value error, ")
            raise ConfigError(f"{where}: {key}: {msg}", path=str(path), line=line, key=key) from None
    return servers


def load_mcp_servers(config_path: Path) -> dict[str, McpServerToml]:
    """The ``[mcp_servers]`` of ``config_path`` (``{}`` if the file does not exist), validated."""
    text = read_toml_text(config_path)
    if text is None:
        return {}
    data = parse_toml_text(text, source=str(config_path))
    return _servers_from_data(data, text, config_path)


# --- editing ---------------------------------------------------------------------------------


def _add_server(config_path: Path, name: str, entry: dict[str, Any]) -> None:
    import tomlkit

    validate_server_name(name)
    try:
        McpServerToml.model_validate(entry)
    except ValidationError as exc:
        raise UsageError(
            f"invalid MCP server {name!r}: {exc.errors()[0]['msg'].removeprefix('Value error, ')}"
        ) from None
    with config_lock(config_path):  # read-modify-write as one step against other in-process editors
        doc, _ = load_for_edit(config_path)
        servers = doc.get("mcp_servers")
        if servers is None:
            servers = tomlkit.table(is_super_table=True)
            doc["mcp_servers"] = servers
        elif not isinstance(servers, Mapping):
            raise ConfigError(f"{config_path}: `mcp_servers` must be a table", path=str(config_path), key="mcp_servers")
        if name in servers:
            raise UsageError(
                f"MCP server {name!r} already exists in {config_path}; remove it first with `codex mcp remove {name}`"
            )
        table = tomlkit.table()
        for key, value in entry.items():
            if isinstance(value, Mapping):
                inline = tomlkit.inline_table()
                inline.update(value)
                table.add(key, inline)
            else:
                table.add(key, value)
        servers[name] = table
        new_text = tomlkit.dumps(doc)
        _check_result(config_path, new_text)
        write_atomic(config_path, new_text)


def _check_result(config_path: Path, new_text: str) -> None:
    data = parse_toml_text(new_text, source=f"{config_path} (edited)")
    _servers_from_data(data, new_text, config_path)


def add_stdio_server(
    config_path: Path, name: str, command: Sequence[str], env: Mapping[str, str] | None = None
) -> None:
    """Add ``[mcp_servers.<name>]`` running ``command[0] command[1:]`` over stdio."""
    if not command:
        raise UsageError("a command is required: codex mcp add NAME -- COMMAND [ARGS]...")
    entry: dict[str, Any] = {"command": command[0], "args": list(command[1:])}
    if env:
        entry["env"] = dict(env)
    _add_server(config_path, name, entry)


def add_http_server(config_path: Path, name: str, url: str, bearer_token_env_var: str | None = None) -> None:
    """Add ``[mcp_servers.<name>]`` for a streamable HTTP server at ``url``."""
    if not url.startswith(("http://", "https://")):
        raise UsageError(f"invalid --url {url!r}: expected an http:// or https:// URL")
    entry: dict[str, Any] = {"url": url}
    if bearer_token_env_var:
        entry["bearer_token_env_var"] = bearer_token_env_var
    _add_server(config_path, name, entry)


def remove_server(config_path: Path, name: str) -> bool:
    """Delete ``[mcp_servers.<name>]``; ``False`` if there was no such server (file untouched)."""
    validate_server_name(name)
    if read_toml_text(config_path) is None:
        return False
    with config_lock(config_path):
        doc, _ = load_for_edit(config_path)
        servers = doc.get("mcp_servers")
        if not isinstance(servers, MutableMapping) or name not in servers:
            return False
        del servers[name]
        if len(servers) == 0:
            del doc["mcp_servers"]
        import tomlkit

        new_text = tomlkit.dumps(doc)
        parse_toml_text(new_text, source=f"{config_path} (edited)")
        write_atomic(config_path, new_text)
        return True


# --- presentation ----------------------------------------------------------------------------


def server_to_json(name: str, cfg: McpServerToml) -> dict[str, Any]:
    """The JSON object ``codex mcp list --json`` / ``get --json`` print for one server."""
    transport: dict[str, Any]
    if cfg.command is not None:
        transport = {
            "type": "stdio",
            "command": cfg.command,
            "args": list(cfg.args),
            "env": cfg.env,
            "env_vars": list(cfg.env_vars or []),
            "cwd": str(cfg.cwd) if cfg.cwd is not None else None,
        }
    else:
        transport = {
            "type": "streamable_http",
            "url": cfg.url,
            "bearer_token_env_var": cfg.bearer_token_env_var,
            "http_headers": cfg.http_headers,
            "env_http_headers": cfg.env_http_headers,
        }
    return {
        "name": name,
        "enabled": cfg.enabled,
        "transport": transport,
        "startup_timeout_sec": cfg.startup_timeout,
        "tool_timeout_sec": cfg.tool_timeout_sec,
        "enabled_tools": cfg.enabled_tools,
        "disabled_tools": cfg.disabled_tools,
        "auth_status": _auth_status(cfg),
    }


def _auth_status(cfg: McpServerToml) -> str:
    if cfg.command is not None:
        return "unsupported"
    return "bearer_token" if cfg.bearer_token_env_var else "not_logged_in"


def _env_display(cfg: McpServerToml) -> str:
    parts = [f"{k}={_MASK}" for k in sorted(cfg.env or {})]
    parts += [f"{k}=${k}" for k in cfg.env_vars or ()]
    return ", ".join(parts) or "-"


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(headers, widths, strict=True)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return lines


def format_server_table(servers: Mapping[str, McpServerToml]) -> str:
    """Human ``codex mcp list`` output: one table for stdio servers, one for HTTP servers."""
    if not servers:
        return "No MCP servers configured yet. Try `codex mcp add my-tool -- my-command`."
    stdio: list[list[str]] = []
    http: list[list[str]] = []
    for name, cfg in sorted(servers.items()):
        status = "enabled" if cfg.enabled else "disabled"
        if cfg.command is not None:
            args = " ".join(cfg.args) or "-"
            cwd = str(cfg.cwd) if cfg.cwd is not None else "-"
            stdio.append([name, cfg.command, args, _env_display(cfg), cwd, status, "Unsupported"])
        else:
            auth = "Bearer token" if cfg.bearer_token_env_var else "Not logged in"
            http.append([name, cfg.url or "", cfg.bearer_token_env_var or "-", status, auth])
    lines: list[str] = []
    if stdio:
        lines += _table(["Name", "Command", "Args", "Env", "Cwd", "Status", "Auth"], stdio)
    if stdio and http:
        lines.append("")
    if http:
        lines += _table(["Name", "Url", "Bearer Token Env Var", "Status", "Auth"], http)
    return "\n".join(lines)


def format_server_details(name: str, cfg: McpServerToml) -> str:
    """Human ``codex mcp get NAME`` output."""
    lines = [name, f"  enabled: {str(cfg.enabled).lower()}"]
    if cfg.command is not None:
        lines += [
            "  transport: stdio",
            f"  command: {cfg.command}",
            f"  args: {' '.join(cfg.args) or '-'}",
            f"  cwd: {cfg.cwd if cfg.cwd is not None else '-'}",
            f"  env: {_env_display(cfg)}",
        ]
    else:
        headers = ", ".join(f"{k}={v}" for k, v in sorted((cfg.http_headers or {}).items())) or "-"
        env_headers = ", ".join(f"{k}=${v}" for k, v in sorted((cfg.env_http_headers or {}).items())) or "-"
        lines += [
            "  transport: streamable_http",
            f"  url: {cfg.url}",
            f"  bearer_token_env_var: {cfg.bearer_token_env_var or '-'}",
            f"  http_headers: {headers}",
            f"  env_http_headers: {env_headers}",
        ]
    lines.append(f"  startup_timeout_sec: {cfg.startup_timeout:g}")
    lines.append(f"  tool_timeout_sec: {cfg.tool_timeout_sec:g}")
    if cfg.enabled_tools is not None:
        lines.append(f"  enabled_tools: {', '.join(cfg.enabled_tools) or '-'}")
    if cfg.disabled_tools is not None:
        lines.append(f"  disabled_tools: {', '.join(cfg.disabled_tools) or '-'}")
    lines.append(f"  remove: codex mcp remove {name}")
    return "\n".join(lines)


def dumps_json(value: Any) -> str:
    """Pretty JSON as printed by ``--json``."""
    return json.dumps(value, indent=2, ensure_ascii=False)
