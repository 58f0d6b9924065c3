"""The server's configuration: ``modelProvider/list``, ``modelProvider/capabilities/read``,
``experimentalFeature/list``, ``experimentalFeature/enablement/set``, ``permissionProfile/list``,
``mcpServerStatus/list``, ``config/mcpServer/reload``, ``mcpServer/tool/call`` and
``mcpServer/resource/read``.

They use the server's config (or, with ``threadId``, a loaded thread's). MCP servers are
started for the request (to list tools, call one, read a resource) and stopped again, like
``codex doctor`` does, never left running.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import attrs

from codex_exec.app_server import wire_listings as w
from codex_exec.app_server.jsonrpc import INVALID_PARAMS, INVALID_REQUEST, RpcError
from codex_exec.app_server.paging import page as take_page
from codex_exec.app_server.wire_base import Empty, Wire

if TYPE_CHECKING:
    from codex_core.config import Config
    from codex_core.config.models import McpServerToml
    from codex_exec.app_server.threads import ThreadManager

__all__ = ["ListingMethods"]

_STAGES = {
    "under development": "underDevelopment",
    "experimental": "beta",
    "stable": "stable",
    "deprecated": "deprecated",
    "removed": "removed",
}
_BUILTIN_PROFILES = {
    ":read-only": ("Read everything, write nothing, no network.", "read-only"),
    ":workspace": ("Read everything; write the workspace roots and temporary directories.", "workspace-write"),
    ":danger-full-access": ("No sandbox.", "danger-full-access"),
}
_MCP_PROBE_CAP_S = 10.0


def _origin(url: str | None) -> str | None:
    """``scheme://host[:port]`` of an HTTP endpoint, without credentials or path."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    port = f":{parts.port}" if parts.port else ""
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host}{port}"


def _provider_summary(cfg: Config, provider_id: str) -> w.ModelProviderSummary:
    from codex_core.client.providers import BUILTIN_PROVIDER_IDS, resolve_provider

    info = resolve_provider(provider_id, cfg.model_providers, openai_base_url=cfg.toml.openai_base_url)
    if provider_id == "openai":
        settings: dict[str, Any] = {"type": "openai"}
    elif info.env_key:
        settings = {"type": "customGateway", "auth": {"mode": "environmentVariable", "envKey": info.env_key}}
    else:
        settings = {"type": "customGateway", "auth": {"mode": "none"}}
    return w.ModelProviderSummary(
        id=provider_id,
        name=info.name,
        can_edit=provider_id not in BUILTIN_PROVIDER_IDS,
        base_url=_origin(info.base_url) and info.base_url.split("?", 1)[0],
        settings=settings,
    )


def _new_provider_id(name: str, taken: set[str]) -> str:
    """A free ``[model_providers]`` key made from a provider's name (``My Gateway`` -> ``my-gateway``)."""
    base = "-".join(re.findall(r"[a-z0-9]+", name.lower())) or "custom"
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


class ListingMethods:
    """The configuration listings of one connection."""

    def __init__(self, threads: ThreadManager) -> None:
        self.threads = threads

    def handlers(self) -> dict[str, Callable[[Any], Any]]:
        return {
            "modelProvider/list": self.model_providers,
            "modelProvider/config/write": self.write_model_provider,
            "experimentalFeature/list": self.features,
            "permissionProfile/list": self.permission_profiles,
            "mcpServerStatus/list": self.mcp_servers,
            "experimentalFeature/enablement/set": self.set_features,
            "modelProvider/capabilities/read": self.provider_capabilities,
            "config/mcpServer/reload": self.reload_mcp_config,
            "mcpServer/tool/call": self.call_tool,
            "mcpServer/resource/read": self.read_resource,
        }

    def _config(self, thread_id: str | None) -> Config:
        if thread_id is None:
            return self.threads.base_config
        lt = self.threads.threads.get(thread_id)
        if lt is None:
            raise RpcError(INVALID_REQUEST, f"thread {thread_id} is not loaded (start it or call thread/resume)")
        return lt.thread.config

    async def model_providers(self, p: w.ModelProviderListParams) -> Wire:
        from codex_core.client.providers import BUILTIN_PROVIDER_IDS

        cfg = self.threads.base_config
        data = [_provider_summary(cfg, pid) for pid in dict.fromkeys([*BUILTIN_PROVIDER_IDS, *cfg.model_providers])]
        return w.ModelProviderListResponse(
            data=data, default_provider_id=cfg.model_provider_id, can_change_default=True
        )

    async def write_model_provider(self, p: w.ModelProviderConfigWriteParams) -> Wire:
        """Create or patch a ``[model_providers.<id>]`` table of the user's ``config.toml``
        (comments kept, atomic, the whole config checked), then reload the server's config."""
        from codex_core.client.providers import BUILTIN_PROVIDER_IDS
        from codex_core.config import load_config
        from codex_core.config.edit import ConfigEdit, ConfigWriteError, write_config_values
        from codex_core.config.toml_io import render_key_path

        patch = p.settings
        if not isinstance(patch, w.CustomGatewayProviderSettingsPatch):
            kind = "Amazon Bedrock" if patch.type == "bedrock" else "Google Cloud"
            raise RpcError(INVALID_REQUEST, f"codex-py has no {kind} model provider; use a customGateway provider")
        cfg = self.threads.base_config
        provider_id = patch.provider_id
        if provider_id is None:
            if not patch.name or not patch.base_url:
                raise RpcError(INVALID_PARAMS, "Invalid params: a new provider needs `name` and `baseUrl`")
            provider_id = _new_provider_id(patch.name, {*BUILTIN_PROVIDER_IDS, *cfg.model_providers})
        elif provider_id in BUILTIN_PROVIDER_IDS:
            raise RpcError(INVALID_REQUEST, f"model provider `{provider_id}` is built in and cannot be edited")
        elif provider_id not in cfg.model_providers:
            raise RpcError(INVALID_REQUEST, f"no model provider `{provider_id}` in the config")
        fields = {"name": "name", "base_url": "baseUrl", "env_key": "envKey"}
        edits = [
            ConfigEdit(render_key_path(("model_providers", provider_id, key)), getattr(patch, key))
            for key in fields
            if key in patch.model_fields_set or (patch.provider_id is None and getattr(patch, key) is not None)
        ]
        loaded: list[Config] = []

        def check() -> None:
            loaded.append(load_config(self.threads.base, codex_home=cfg.codex_home))

        try:
            await asyncio.to_thread(write_config_values, cfg.codex_home / "config.toml", edits, check=check)
        except ConfigWriteError as exc:
            raise RpcError(INVALID_REQUEST, str(exc), {"configWriteErrorCode": exc.write_code}) from None
        self.threads.base_config = loaded[-1]
        return w.ModelProviderConfigWriteResponse(provider=_provider_summary(loaded[-1], provider_id))

    async def features(self, p: w.ExperimentalFeatureListParams) -> Wire:
        from codex_core.config.features import FEATURES

        cfg = self._config(p.thread_id)
        rows = [
            w.ExperimentalFeature(
                name=f.name,
                stage=_STAGES.get(f.stage, "underDevelopment"),
                enabled=cfg.feature(f.name),
                default_enabled=f.default,
            )
            for f in FEATURES.values()
        ]
        page, nxt = take_page(rows, p.cursor, p.limit)
        return w.ExperimentalFeatureListResponse(data=page, next_cursor=nxt)

    async def permission_profiles(self, p: w.PermissionProfileListParams) -> Wire:
        cfg = self.threads.base_config
        allowed_modes = cfg.requirements.allowed_sandbox_modes
        rows = [
            w.PermissionProfileSummary(
                id=name, description=text, allowed=allowed_modes is None or mode in allowed_modes
            )
            for name, (text, mode) in _BUILTIN_PROFILES.items()
        ]
        rows += [
            w.PermissionProfileSummary(id=name, description=profile.description, allowed=True)
            for name, profile in sorted(cfg.permissions.items())
        ]
        page, nxt = take_page(rows, p.cursor, p.limit)
        return w.PermissionProfileListResponse(data=page, next_cursor=nxt)

    async def mcp_servers(self, p: w.ListMcpServerStatusParams) -> Wire:
        cfg = self._config(p.thread_id)
        names = sorted(cfg.mcp_servers)
        if p.server_name is not None:
            names = [n for n in names if n == p.server_name]
        page, nxt = take_page(names, p.cursor, p.limit)
        statuses = await asyncio.gather(*(self._probe(name, cfg.mcp_servers[name], cfg) for name in page))
        return w.ListMcpServerStatusResponse(data=list(statuses), next_cursor=nxt)

    async def _probe(self, name: str, server: McpServerToml, cfg: Config) -> w.McpServerStatus:
        """Start the server (at most its startup timeout, capped), read its tools, stop it."""
        base = {
            "name": name,
            "http_origin": _origin(server.url),
            "auth_status": "bearerToken" if (server.bearer_token or server.bearer_token_env_var) else "unsupported",
        }
        if not server.enabled:
            return w.McpServerStatus(**base, runtime_status="disabled")
        from codex_core.mcp.connection import ServerConnection

        warnings: list[str] = []
        conn = ServerConnection(name, server, cwd=cfg.cwd, on_change=lambda _c: None, warn=warnings.append)
        task = asyncio.create_task(conn.run())
        try:
            await asyncio.wait_for(conn.settled.wait(), min(float(server.startup_timeout), _MCP_PROBE_CAP_S) + 1.0)
        except TimeoutError:
            pass
        state, error, tools = conn.state, conn.error, list(conn.tools)
        conn.request_stop()
        try:
            await asyncio.wait_for(task, 10.0)
        except TimeoutError:
            task.cancel()
        ok = state in ("ready", "closed") and error is None
        return w.McpServerStatus(
            **base,
            runtime_status="connected" if ok else "failed",
            tools={str(t.get("name", "")): _tool(t) for t in tools} if ok else {},
            tools_error=None if ok else (error or "the server did not start in time"),
        )

    # --- changes and MCP calls ----------------------------------------------------------------

    async def set_features(self, p: w.ExperimentalFeatureEnablementSetParams) -> Wire:
        """Switch feature flags for this server process (threads started afterwards); the config
        files are not changed. Unknown names are ``-32602``."""
        from codex_core.config.features import canonical_feature, is_known_feature

        unknown = [name for name in p.enablement if not is_known_feature(name)]
        if unknown:
            raise RpcError(INVALID_PARAMS, f"Invalid params: unknown feature(s) {', '.join(sorted(unknown))}")
        cfg = self.threads.base_config
        features = dict(cfg.features)
        features.update({canonical_feature(k): v for k, v in p.enablement.items()})
        self.threads.base_config = attrs.evolve(cfg, features=features)
        return w.ExperimentalFeatureEnablementSetResponse(enablement=dict(p.enablement))

    async def provider_capabilities(self, p: Any) -> Wire:
        """codex-py has no image generation tool; web search is OpenAI's hosted tool."""
        return w.ModelProviderCapabilitiesReadResponse(
            image_generation=False, web_search=self.threads.base_config.model_provider_id == "openai"
        )

    async def reload_mcp_config(self, p: Any) -> Wire:
        """Re-read the config files, so threads started afterwards see changed ``[mcp_servers]``."""
        from codex_core.config import load_config

        cfg = self.threads.base_config
        self.threads.base_config = await asyncio.to_thread(load_config, self.threads.base, codex_home=cfg.codex_home)
        return Empty()

    def _server(self, cfg: Config, name: str) -> McpServerToml:
        server = cfg.mcp_servers.get(name)
        if server is None:
            raise RpcError(INVALID_REQUEST, f"no MCP server `{name}` is configured")
        if not server.enabled:
            raise RpcError(INVALID_REQUEST, f"MCP server `{name}` is disabled")
        return server

    async def call_tool(self, p: w.McpServerToolCallParams) -> Wire:
        """Call a tool of one of the thread's MCP servers (started for the call, then stopped);
        ``enabled_tools`` / ``disabled_tools`` apply."""
        cfg = self._config(p.thread_id)
        server = self._server(cfg, p.server)
        if (server.enabled_tools is not None and p.tool not in server.enabled_tools) or p.tool in (
            server.disabled_tools or ()
        ):
            raise RpcError(INVALID_REQUEST, f"tool `{p.tool}` of MCP server `{p.server}` is disabled in the config")
        if p.arguments is not None and not isinstance(p.arguments, dict):
            raise RpcError(INVALID_PARAMS, "Invalid params for mcpServer/tool/call: `arguments` must be an object")
        async with _connected(p.server, server, cfg) as conn:
            result = await conn.request(
                f"tool call `{p.tool}`",
                lambda c: c.call_tool(p.tool, p.arguments or {}),
                float(server.tool_timeout_sec),
            )
        raw = result.model_dump(by_alias=True, mode="json", exclude_none=True)
        return w.McpServerToolCallResponse(
            content=raw.get("content") or [],
            structured_content=raw.get("structuredContent"),
            is_error=bool(raw.get("isError")),
        )

    async def read_resource(self, p: w.McpResourceReadParams) -> Wire:
        cfg = self._config(p.thread_id)
        server = self._server(cfg, p.server)
        async with _connected(p.server, server, cfg) as conn:
            result = await conn.request(
                f"resource read `{p.uri}`", lambda c: c.read_resource(p.uri), float(server.tool_timeout_sec)
            )
        raw = result.model_dump(by_alias=True, mode="json", exclude_none=True)
        return w.McpResourceReadResponse(contents=raw.get("contents") or [], origin_call_id=p.origin_call_id)


@contextlib.asynccontextmanager
async def _connected(name: str, server: McpServerToml, cfg: Config) -> AsyncIterator[Any]:
    """A ready ``ServerConnection`` to ``server`` (``-32600`` when it does not start)."""
    from codex_core.errors import McpError
    from codex_core.mcp.connection import ServerConnection

    conn = ServerConnection(name, server, cwd=cfg.cwd, on_change=lambda _c: None, warn=lambda _m: None)
    task = asyncio.create_task(conn.run())
    try:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(conn.settled.wait(), float(server.startup_timeout) + 1.0)
        if conn.state != "ready":
            raise RpcError(INVALID_REQUEST, f"MCP server `{name}` did not start: {conn.error or 'timed out'}")
        try:
            yield conn
        except McpError as exc:
            raise RpcError(INVALID_REQUEST, str(exc), {"codexErrorCode": exc.code}) from None
    finally:
        conn.request_stop()
        try:
            await asyncio.wait_for(task, 10.0)
        except TimeoutError:
            task.cancel()


def _tool(raw: dict[str, Any]) -> dict[str, Any]:
    """An MCP tool as the protocol's ``Tool`` (``inputSchema`` always present)."""
    out = {k: v for k, v in raw.items() if k in ("name", "title", "description", "outputSchema", "annotations")}
    out["inputSchema"] = raw.get("inputSchema") or {"type": "object"}
    return out
