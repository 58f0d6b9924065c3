"""The app-server: JSON-RPC method dispatch over ``codex_core`` (spec section 10).

``AppServer`` validates params with the models of :mod:`codex_exec.app_server.wire`, enforces
the ``initialize`` handshake, runs every request in its own task (a streaming turn never blocks
``turn/interrupt``) and turns failures into JSON-RPC errors, never a crash.
"""

from __future__ import annotations

import asyncio
import platform
import re
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
from codex_exec.app_server.catalog import ThreadCatalog
from codex_exec.app_server.commands import CommandMethods
from codex_exec.app_server.files import FileMethods
from codex_exec.app_server.jsonrpc import (
    INTERNAL_ERROR,
    INVALID_PARAMS,
    INVALID_REQUEST,
    METHOD_NOT_FOUND,
    Connection,
    RequestId,
    RpcError,
)
from codex_exec.app_server.listings import ListingMethods
from codex_exec.app_server.skills import SkillMethods
from codex_exec.app_server.thread_meta import ThreadMetadataMethods
from codex_exec.app_server.threads import ThreadManager, resolve_path
from codex_exec.app_server.turns import TurnMethods
from codex_exec.app_server.unsupported import unsupported_error

__all__ = ["AppServer", "serve_stdio"]

log = get_logger("codex.app_server")

Handler = Callable[[Any], Awaitable[Any]]

_EFFORTS = ("low", "medium", "high")

PROTOCOL_VERSION = "0.169.0"
"""The Codex app-server protocol release whose v2 schema this server follows; reported as
``serverInfo.version`` (clients such as the ``openai-codex`` SDK check it). Our own package
version stays in the user agent."""


def describe_validation_error(method: str, exc: ValidationError) -> str:
    """``Invalid params for thread/start: `approvalPolicy`: Input should be ...`` (first few problems)."""
    parts = []
    for err in exc.errors()[:3]:
        # union members show up in the location (`literal['a','b']`, `GranularApproval`): the
        # client named a field, so the field is what the message names
        loc = ".".join(str(x) for x in err["loc"] if not _union_tag(x)) or "params"
        parts.append(f"`{loc}`: {err['msg']}")
    more = f" (+{exc.error_count() - 3} more)" if exc.error_count() > 3 else ""
    return f"Invalid params for {method}: " + "; ".join(parts) + more


_MODEL_NAME = re.compile(r"(?:[A-Z][a-z0-9]+){2,}")


def _union_tag(part: object) -> bool:
    """A union member's tag in a pydantic error location (``literal['a']``, ``GranularApproval``)."""
    return isinstance(part, str) and ("[" in part or _MODEL_NAME.fullmatch(part) is not None)


class AppServer:
    """One connection's worth of app-server state."""

    def __init__(self, conn: Connection, overrides: ConfigOverrides, config: Config) -> None:
        self.conn = conn
        self.overrides = overrides
        self.threads = ThreadManager(conn, overrides, config)
        self.turns = TurnMethods(self.threads)
        self.meta = ThreadMetadataMethods(self.threads)
        self.catalog = ThreadCatalog(self.threads, self.meta)
        self.files = FileMethods(conn, self.threads)
        self.commands = CommandMethods(conn, self.threads)
        self.listings = ListingMethods(self.threads)
        self.skills = SkillMethods(self.threads)
        self.initialized = False
        self._handlers: dict[str, Handler] = {
            "initialize": self._initialize,
            "thread/start": self.threads.start,
            "thread/resume": self.threads.resume,
            "thread/fork": self.threads.fork,
            "thread/list": self.catalog.list_threads,
            "thread/read": self.catalog.read_thread,
            "thread/name/set": self.catalog.set_name,
            "thread/archive": self.catalog.archive,
            "thread/unarchive": self.catalog.unarchive,
            "thread/delete": self.catalog.delete,
            "thread/revert": self.threads.revert,
            "thread/shellCommand": self.turns.shell_command,
            "thread/inject_items": self.threads.inject_items,
            "thread/unsubscribe": self.catalog.unsubscribe,
            "thread/loaded/list": self.catalog.loaded_list,
            "thread/turns/list": self.catalog.turns_list,
            "thread/items/list": self.catalog.items_list,
            "thread/compact/start": self.turns.compact_start,
            "turn/start": self.turns.turn_start,
            "turn/steer": self.turns.turn_steer,
            "turn/interrupt": self.turns.turn_interrupt,
            "review/start": self.turns.review_start,
            "config/read": self._config_read,
            "config/value/write": self._config_value_write,
            "config/batchWrite": self._config_batch_write,
            "configRequirements/read": self._requirements_read,
            "account/read": self._account_read,
            "account/login/start": self._account_login_start,
            "account/login/cancel": self._account_login_cancel,
            "account/logout": self._account_logout,
            "model/list": self._model_list,
            **self.files.handlers(),
            **self.commands.handlers(),
            **self.listings.handlers(),
            **self.meta.handlers(),
            **self.skills.handlers(),
        }
        assert set(self._handlers) == set(wire.METHODS)

    @property
    def config(self) -> Config:
        """The server's config (``config.toml`` + command-line options), reloaded after config
        writes; threads started afterwards are built from it."""
        return self.threads.base_config

    async def run(self) -> None:
        """Serve until the client closes its end, then stop running turns and close threads."""
        try:
            await self.conn.serve(self.on_request, self.on_notification)
        finally:
            self.files.close()
            self.commands.close()
            await self.threads.aclose()

    async def on_notification(self, method: str, params: Any) -> None:
        if method != "initialized":
            log.debug("ignoring client notification", method=method)

    async def on_request(self, request_id: RequestId, method: str, params: Any) -> None:
        try:
            handler = self._handlers.get(method)
            if handler is None:
                raise unsupported_error(method) or RpcError(METHOD_NOT_FOUND, f"Method not found: {method}")
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
            await self.meta.decorate(result)
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

    async def _initialize(self, p: wire.InitializeParams) -> tuple[wire.Wire, Callable[[], None]]:
        from codex_core.client import user_agent

        self.initialized = True
        self.threads.originator = p.client_info.name
        self.threads.experimental_api = bool(p.capabilities and p.capabilities.experimental_api)
        if p.capabilities and p.capabilities.opt_out_notification_methods:
            self.conn.muted.update(p.capabilities.opt_out_notification_methods)
        system = platform.system().lower()
        client = p.client_info
        response = wire.InitializeResponse(
            server_info=wire.ServerInfo(name="codex-py", version=PROTOCOL_VERSION),
            user_agent=f"{user_agent(client.name)} ({client.name}; {client.version})",
            codex_home=str(self.config.codex_home),
            platform_family="windows" if system == "windows" else "unix",
            platform_os={"darwin": "macos"}.get(system, system),
        )
        return response, self._send_config_warnings

    def _send_config_warnings(self) -> None:
        """One ``configWarning`` per startup config warning (unrecognized keys first), right after
        the ``initialize`` response, as Codex does."""
        for summary in self.config.warnings:
            self.conn.notify("configWarning", wire.ConfigWarningNotification(summary=summary).dump())
        for notice in _deprecations(self.config):
            self.conn.notify("deprecationNotice", notice.dump())

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
        # built-in defaults have no layer file to point at: only keys set by a layer get an origin
        origins = {key: _layer(origin) for key, origin in config.explain_all().items() if origin.layer != "default"}
        layers = None
        if p.include_layers:
            seen: dict[str, wire.ConfigLayerMetadata] = {}
            for meta in origins.values():
                seen.setdefault(repr(sorted(meta.name.items())), meta)
            layers = [
                {"name": m.name, "version": m.version, "config": None, "disabledReason": None} for m in seen.values()
            ]
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
                network=self._network_requirements(),
            )
        )

    def _network_requirements(self) -> wire.NetworkRequirements | None:
        from codex_core.network.rules import parse_network_requirements

        req = self.config.requirements
        rules = parse_network_requirements(req.experimental_network, source=req.source)
        return None if rules is None else wire.NetworkRequirements.model_validate(rules.to_app_server())

    async def _config_value_write(self, p: wire.ConfigValueWriteParams) -> wire.Wire:
        edit = wire.ConfigEdit(key_path=p.key_path, value=p.value, merge_strategy=p.merge_strategy)
        return await self._config_write([edit], p.file_path, p.expected_version)

    async def _config_batch_write(self, p: wire.ConfigBatchWriteParams) -> wire.Wire:
        if not p.edits:
            raise RpcError(INVALID_PARAMS, "Invalid params for config/batchWrite: `edits` must not be empty")
        return await self._config_write(p.edits, p.file_path, p.expected_version)

    async def _config_write(
        self, edits: list[wire.ConfigEdit], file_path: str | None, expected_version: str | None
    ) -> wire.ConfigWriteResponse:
        """Edit the user's config.toml (comments kept, atomic), then reload the server's config."""
        from codex_core.config.edit import ConfigEdit, ConfigWriteError, write_config_values

        user_file = self.config.codex_home / "config.toml"
        if file_path is not None and resolve_path(file_path) != user_file.resolve():
            raise RpcError(
                INVALID_REQUEST,
                f"{file_path}: only the user config ({user_file}) can be written; other layers are read-only",
                {"configWriteErrorCode": "configLayerReadonly"},
            )
        core_edits = [ConfigEdit(e.key_path, e.value, e.merge_strategy) for e in edits]
        loaded: list[Config] = []

        def check() -> None:  # the whole config must still load (profiles, providers, requirements)
            loaded.append(load_config(self.overrides, codex_home=self.config.codex_home))

        try:
            version = await asyncio.to_thread(
                write_config_values, user_file, core_edits, expected_version=expected_version, check=check
            )
        except ConfigWriteError as exc:
            raise RpcError(INVALID_REQUEST, str(exc), {"configWriteErrorCode": exc.write_code}) from None
        config = loaded[-1]
        self.threads.base_config = config
        overridden = None
        origin = config.explain(edits[-1].key_path)
        if origin is not None and origin.layer not in ("user", "default") and not origin.layer.startswith("profile:"):
            overridden = wire.OverriddenMetadata(
                message=f"`{edits[-1].key_path}` is overridden by the {origin.layer} layer",
                overriding_layer=_layer(origin),
                effective_value=_effective_value(config, edits[-1].key_path),
            )
        return wire.ConfigWriteResponse(
            status="okOverridden" if overridden else "ok",
            version=version,
            file_path=str(user_file),
            overridden_metadata=overridden,
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

    async def _account_login_start(self, p: wire.LoginAccountParams) -> tuple[wire.Wire, Callable[[], None]]:
        from codex_core.auth import save_api_key
        from codex_core.errors import UsageError

        if p.type != "apiKey":
            raise RpcError(INVALID_REQUEST, f"login type {p.type!r} is not supported by this server; use `apiKey`")
        if not p.api_key:
            raise RpcError(INVALID_PARAMS, "Invalid params for account/login/start: `apiKey` is required")
        try:
            await asyncio.to_thread(save_api_key, self.config.codex_home, p.api_key)
        except UsageError as exc:
            raise RpcError(INVALID_PARAMS, f"Invalid params for account/login/start: {exc}") from None
        note = wire.AccountUpdatedNotification(auth_mode="apikey")
        return wire.LoginAccountResponse(), lambda: self.conn.notify("account/updated", note.dump())

    async def _account_login_cancel(self, p: wire.CancelLoginAccountParams) -> wire.Wire:
        raise RpcError(INVALID_REQUEST, f"no login {p.login_id!r} is in progress (API-key login completes at once)")

    async def _account_logout(self, p: wire.Empty) -> tuple[wire.Wire, Callable[[], None]]:
        from codex_core.auth import remove_auth

        await asyncio.to_thread(remove_auth, self.config.codex_home)
        note = wire.AccountUpdatedNotification(auth_mode=None)
        return wire.Empty(), lambda: self.conn.notify("account/updated", note.dump())

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


def _deprecations(config: Config) -> list[wire.DeprecationNoticeNotification]:
    """One ``deprecationNotice`` per feature flag set in the config whose stage is deprecated or
    removed (it still loads, but has no effect or is going away)."""
    from codex_core.config.features import FEATURES

    out = []
    for name in sorted(config.features):
        feature = FEATURES.get(name)
        if feature is None or feature.stage not in ("deprecated", "removed"):
            continue
        layer = config.explain(f"features.{name}")
        where = f" (set in {layer.path or layer.layer})" if layer is not None else ""
        out.append(
            wire.DeprecationNoticeNotification(
                summary=f"`[features].{name}` is {feature.stage}{where}",
                details=f"Remove `{name}` from the `[features]` table; it "
                + (
                    "no longer has any effect."
                    if feature.stage == "removed"
                    else "will be removed in a future release."
                ),
            )
        )
    return out


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
        from codex_core.config.edit import file_version

        try:
            version = file_version(Path(origin.path))
        except OSError:
            version = ""
    return wire.ConfigLayerMetadata(name=name, version=version)


def _effective_value(config: Config, key_path: str) -> Any:
    from codex_core.config.toml_io import split_dotted_key

    value: Any = config.toml.model_dump(mode="json")
    for part in split_dotted_key(key_path):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


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
