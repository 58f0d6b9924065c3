"""The app-server: JSON-RPC method dispatch over ``codex_core`` (spec section 10).

``AppServer`` validates params with the models of :mod:`codex_exec.app_server.wire`, enforces
the ``initialize`` handshake, runs every request in its own task (a streaming turn never blocks
``turn/interrupt``) and turns failures into JSON-RPC errors, never a crash.
"""

from __future__ import annotations

import asyncio
import hashlib
import platform
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import IO, Any

import attrs
from pydantic import ValidationError

from codex_core.config import Config, ConfigOverrides, Origin, load_config
from codex_core.errors import CodexError
from codex_core.logging import get_logger
from codex_exec.app_server import wire
from codex_exec.app_server.jsonrpc import (
    INTERNAL_ERROR,
    INVALID_PARAMS,
    INVALID_REQUEST,
    METHOD_NOT_FOUND,
    Connection,
    RequestId,
    RpcError,
)
from codex_exec.app_server.threads import ThreadManager, resolve_path

__all__ = ["AppServer", "serve_stdio"]

log = get_logger("codex.app_server")

Handler = Callable[[Any], Awaitable[Any]]

_EFFORTS = ("low", "medium", "high")


def describe_validation_error(method: str, exc: ValidationError) -> str:
    """``Invalid params for thread/start: `approvalPolicy`: Input should be ...`` (first few problems)."""
    parts = []
    for err in exc.errors()[:3]:
        loc = ".".join(str(x) for x in err["loc"]) or "params"
        parts.append(f"`{loc}`: {err['msg']}")
    more = f" (+{exc.error_count() - 3} more)" if exc.error_count() > 3 else ""
    return f"Invalid params for {method}: " + "; ".join(parts) + more


class AppServer:
    """One connection's worth of app-server state."""

    def __init__(self, conn: Connection, overrides: ConfigOverrides, config: Config) -> None:
        self.conn = conn
        self.overrides = overrides
        self.config = config
        self.threads = ThreadManager(conn, overrides, config)
        self.initialized = False
        self._handlers: dict[str, Handler] = {
            "initialize": self._initialize,
            "thread/start": self.threads.start,
            "thread/resume": self.threads.resume,
            "thread/list": self.threads.list_threads,
            "thread/read": self.threads.read_thread,
            "thread/compact/start": self.threads.compact_start,
            "turn/start": self.threads.turn_start,
            "turn/interrupt": self.threads.turn_interrupt,
            "config/read": self._config_read,
            "configRequirements/read": self._requirements_read,
            "account/read": self._account_read,
            "model/list": self._model_list,
        }
        assert set(self._handlers) == set(wire.METHODS)

    async def run(self) -> None:
        """Serve until the client closes its end, then stop running turns and close threads."""
        try:
            await self.conn.serve(self.on_request, self.on_notification)
        finally:
            await self.threads.aclose()

    async def on_notification(self, method: str, params: Any) -> None:
        if method != "initialized":
            log.debug("ignoring client notification", method=method)

    async def on_request(self, request_id: RequestId, method: str, params: Any) -> None:
        try:
            handler = self._handlers.get(method)
            if handler is None:
                raise RpcError(METHOD_NOT_FOUND, f"Method not found: {method}")
            if method == "initialize" and self.initialized:
                raise RpcError(INVALID_REQUEST, "Already initialized: `initialize` may be sent only once")
            if method != "initialize" and not self.initialized:
                raise RpcError(INVALID_REQUEST, f"Not initialized: send `initialize` before `{method}`")
            if params is None:
                params = {}
            if not isinstance(params, dict):
                raise RpcError(INVALID_PARAMS, f"Invalid params for {method}: expected an object")
            try:
                parsed = wire.METHODS[method][0].model_validate(params)
            except ValidationError as exc:
                raise RpcError(INVALID_PARAMS, describe_validation_error(method, exc)) from None
            out = await handler(parsed)
            result, after = out if isinstance(out, tuple) else (out, None)
            self.conn.respond(request_id, result.dump())
            if after is not None:
                after()
        except RpcError as exc:
            self.conn.respond_error(request_id, exc)
        except CodexError as exc:
            self.conn.respond_error(request_id, RpcError(INVALID_REQUEST, str(exc), {"codexErrorCode": exc.code}))
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug must never take the server down
            log.exception("request failed", method=method)
            self.conn.respond_error(
                request_id, RpcError(INTERNAL_ERROR, f"internal error: {type(exc).__name__}: {exc}")
            )

    # --- handlers -------------------------------------------------------------------------

    async def _initialize(self, p: wire.InitializeParams) -> wire.Wire:
        from codex_core.client import user_agent

        self.initialized = True
        self.threads.originator = p.client_info.name
        if p.capabilities and p.capabilities.opt_out_notification_methods:
            self.conn.muted.update(p.capabilities.opt_out_notification_methods)
        system = platform.system().lower()
        return wire.InitializeResponse(
            user_agent=user_agent(p.client_info.name),
            codex_home=str(self.config.codex_home),
            platform_family="windows" if system == "windows" else "unix",
            platform_os={"darwin": "macos"}.get(system, system),
        )

    async def _config_read(self, p: wire.ConfigReadParams) -> wire.Wire:
        config = self.config
        if p.cwd is not None:
            overrides = attrs.evolve(self.overrides, cwd=resolve_path(p.cwd))
            config = await asyncio.to_thread(load_config, overrides, codex_home=self.config.codex_home)
        effective = config.toml.model_dump(mode="json", exclude_none=True)
        effective.update(
            model=config.model,
            model_provider=config.model_provider_id,
            approval_policy=config.approval_policy,
            sandbox_mode=config.sandbox_mode,
        )
        for key in ("model_reasoning_effort", "model_reasoning_summary", "model_context_window"):
            value = getattr(config, key)
            if value is not None:
                effective[key] = value
        origins = {key: _layer(origin) for key, origin in config.explain_all().items()}
        layers = None
        if p.include_layers:
            seen: dict[str, wire.ConfigLayerMetadata] = {}
            for meta in origins.values():
                seen.setdefault(repr(sorted(meta.name.items())), meta)
            layers = [{"name": m.name, "version": m.version, "config": None} for m in seen.values()]
        return wire.ConfigReadResponse(config=effective, origins=origins, layers=layers)

    async def _requirements_read(self, p: wire.Empty) -> wire.Wire:
        req = self.config.requirements
        if req.source == "built-in defaults":
            return wire.ConfigRequirementsReadResponse(requirements=None)
        return wire.ConfigRequirementsReadResponse(
            requirements=wire.ConfigRequirements(
                allowed_approval_policies=list(req.allowed_approval_policies)
                if req.allowed_approval_policies
                else None,
                allowed_sandbox_modes=list(req.allowed_sandbox_modes) if req.allowed_sandbox_modes else None,
                allowed_web_search_modes=list(req.allowed_web_search_modes) if req.allowed_web_search_modes else None,
                feature_requirements=req.pinned_features or None,
                enforce_residency=req.enforce_residency,
                network=req.experimental_network,
            )
        )

    async def _account_read(self, p: wire.GetAccountParams) -> wire.Wire:
        from codex_core.client import api_key_for, resolve_provider
        from codex_core.errors import AuthError

        cfg = self.config
        provider = resolve_provider(
            cfg.model_provider_id, cfg.model_providers, openai_base_url=cfg.toml.openai_base_url
        )
        try:
            key = api_key_for(provider, codex_home=cfg.codex_home)
        except AuthError:
            key = None
        return wire.GetAccountResponse(
            account=wire.Account() if key else None, requires_openai_auth=provider.requires_openai_auth
        )

    async def _model_list(self, p: wire.ModelListParams) -> wire.Wire:
        cfg = self.config
        if p.model_provider is not None and p.model_provider != cfg.model_provider_id:
            return wire.ModelListResponse(data=[])
        model = wire.ModelInfo(
            id=cfg.model,
            model=cfg.model,
            display_name=cfg.model,
            description=f"The configured model (provider {cfg.model_provider_id})",
            is_default=True,
            default_reasoning_effort=cfg.model_reasoning_effort or "medium",
            supported_reasoning_efforts=[
                wire.ReasoningEffortOption(reasoning_effort=e, description=f"{e.capitalize()} reasoning effort")
                for e in _EFFORTS
            ],
        )
        return wire.ModelListResponse(data=[model])


def _layer(origin: Origin) -> wire.ConfigLayerMetadata:
    """An ``Origin`` as the protocol's ``ConfigLayerMetadata`` (``version`` hashes the file)."""
    layer = origin.layer
    if layer == "default":
        name: dict[str, Any] = {"type": "packagedDefaults"}
    elif layer == "system":
        name = {"type": "system", "file": origin.path}
    elif layer == "user" or layer.startswith("profile:"):
        profile = layer.partition(":")[2] or None
        name = {"type": "user", "file": origin.path, "profile": profile}
    elif layer == "project":
        name = {"type": "project", "dotCodexFolder": str(Path(origin.path).parent) if origin.path else None}
    elif layer == "requirements":
        name = {"type": "legacyManagedConfigTomlFromFile", "file": origin.path}
    else:  # session-flags, cli
        name = {"type": "sessionFlags"}
    version = ""
    if origin.path:
        try:
            version = "sha256:" + hashlib.sha256(Path(origin.path).read_bytes()).hexdigest()
        except OSError:
            version = ""
    return wire.ConfigLayerMetadata(name=name, version=version)


def serve_stdio(overrides: ConfigOverrides, config: Config, stdin: IO[bytes] | None = None) -> int:
    """Run the server on stdin/stdout until EOF; stdout carries only protocol lines."""
    protocol_out = sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must never corrupt the protocol stream
    conn = Connection(stdin or sys.stdin.buffer, protocol_out)
    server = AppServer(conn, overrides, config)
    try:
        asyncio.run(server.run())
    except KeyboardInterrupt:
        return 130
    return 0
