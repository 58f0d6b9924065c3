"""Thread methods: ``thread/start``, ``thread/resume``, ``thread/fork``, ``thread/revert`` and
``thread/inject_items`` over ``codex_core.Codex`` / ``Thread``.

Each loaded thread owns one SDK ``Thread`` (and the ``Codex`` built from its config). The
``ThreadManager`` holds a connection's loaded threads; their turns run in ``TurnMethods``
(``turns.py``), and the requests a turn makes to the client in ``ClientPrompts`` (``prompts.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path

import attrs

from codex_core.config import Config, ConfigOverrides, load_config
from codex_core.dynamic_tools import DynamicTool, check_dynamic_tools
from codex_core.errors import CodexError, UsageError
from codex_core.sdk import Codex, Thread
from codex_exec.app_server import wire
from codex_exec.app_server.jsonrpc import INVALID_PARAMS, INVALID_REQUEST, Connection, RpcError
from codex_exec.app_server.loaded import After, LoadedThread, plain_policy, resolve_path
from codex_exec.app_server.prompts import ClientPrompts
from codex_exec.app_server.translate import history_turns

__all__ = ["After", "LoadedThread", "ThreadManager", "resolve_path"]


class ThreadManager:
    """Implements the thread and turn methods for one connection."""

    def __init__(self, conn: Connection, base: ConfigOverrides, base_config: Config) -> None:
        self.conn = conn
        self.base = base
        self.base_config = base_config
        self.originator = "codex_app_server"
        self.threads: dict[str, LoadedThread] = {}
        self.prompts = ClientPrompts(self)
        self.experimental_api = False
        """The client declared the ``experimentalApi`` capability at ``initialize``."""

    # --- helpers --------------------------------------------------------------------------

    def _overrides(self, s: wire.ThreadSettings, *, default_cwd: Path | None = None) -> ConfigOverrides:
        from codex_core.mcp.server_tools import json_to_toml_value

        extra: list[str] = []
        try:
            for key, value in (s.config or {}).items():
                extra.append(f"{key}={json_to_toml_value(value, where=f'config.{key}')}")
            for key, text in (
                ("base_instructions", s.base_instructions),
                ("developer_instructions", s.developer_instructions),
            ):
                if text is not None:
                    extra.append(f"{key}={json_to_toml_value(text, where=key)}")
            approval = s.approval_policy
            if isinstance(approval, wire.GranularApproval):  # a config value, like -c approval_policy=...
                value = {"granular": approval.granular.model_dump()}
                extra.append(f"approval_policy={json_to_toml_value(value, where='approvalPolicy')}")
                approval = None
        except UsageError as exc:
            raise RpcError(INVALID_PARAMS, f"Invalid params: {exc}") from None
        cwd = resolve_path(s.cwd) if s.cwd else (default_cwd or self.base.cwd)
        return attrs.evolve(
            self.base,
            config_overrides=(*self.base.config_overrides, *extra),
            model=s.model or self.base.model,
            model_provider=s.model_provider or self.base.model_provider,
            approval_policy=approval or self.base.approval_policy,
            sandbox_mode=s.sandbox or self.base.sandbox_mode,
            cwd=cwd,
        )

    def loaded(self, thread_id: str) -> LoadedThread:
        lt = self.threads.get(thread_id)
        if lt is None:
            raise RpcError(INVALID_REQUEST, f"thread {thread_id} is not loaded (start it or call thread/resume)")
        return lt

    def notify(self, method: str, params: wire.Wire) -> None:
        self.conn.notify(method, params.dump())

    def register(self, lt: LoadedThread) -> LoadedThread:
        """Route the thread's questions to this client; returns ``lt``."""
        self.prompts.attach(lt)
        return lt

    def publish_status(self, lt: LoadedThread) -> None:
        """``thread/status/changed`` when the thread's status differs from the last one sent."""
        status = lt.info(include_turns=False).status
        dumped = status.dump()
        if dumped == (lt.last_status or {"type": "idle"}):
            return
        lt.last_status = dumped
        self.notify(
            "thread/status/changed", wire.ThreadStatusChangedNotification(thread_id=lt.thread.id, status=status)
        )

    async def unload(self, lt: LoadedThread) -> None:
        """Forget a loaded thread: its running turn is interrupted (and ends), its services close."""
        active = lt.active
        if active is not None and active.task is not None:
            active.interrupt(lt.thread)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(active.task), 5)
        self.threads.pop(lt.thread.id, None)
        with contextlib.suppress(Exception):
            await lt.codex.aclose()

    # --- thread/start, thread/resume ------------------------------------------------------

    async def start(self, p: wire.ThreadStartParams) -> tuple[wire.Wire, After]:
        overrides = self._overrides(p)
        tools = self._dynamic_tools(p.dynamic_tools or [])

        def build() -> tuple[Codex, Thread]:
            config = load_config(overrides, codex_home=self.base_config.codex_home)
            codex = Codex(config, originator=self.originator, source="vscode")
            return codex, codex.start_thread(ephemeral=bool(p.ephemeral))

        codex, thread = await asyncio.to_thread(build)
        lt = LoadedThread(
            thread=thread, codex=codex, ephemeral=bool(p.ephemeral), created_at=int(time.time()), dynamic_tools=tools
        )
        self.threads[thread.id] = self.register(lt)
        response = lt.start_response(include_turns=False)
        return response, lambda: self.notify("thread/started", wire.ThreadStartedNotification(thread=response.thread))

    def _dynamic_tools(self, specs: list[wire.DynamicToolSpec]) -> tuple[DynamicTool, ...]:
        """``thread/start``'s ``dynamicTools`` as core tools (namespaces flattened), checked."""
        if not specs:
            return ()
        if not self.experimental_api:
            raise RpcError(INVALID_REQUEST, "thread/start.dynamicTools requires experimentalApi capability")
        tools: list[DynamicTool] = []
        for spec in specs:
            group = spec.tools if isinstance(spec, wire.NamespaceDynamicToolSpec) else [spec]
            namespace = spec if isinstance(spec, wire.NamespaceDynamicToolSpec) else None
            tools.extend(
                DynamicTool(
                    name=f.name,
                    description=f.description,
                    input_schema=f.input_schema,
                    namespace=namespace.name if namespace else None,
                    namespace_description=namespace.description if namespace else None,
                    defer_loading=f.defer_loading,
                )
                for f in group
            )
        try:
            check_dynamic_tools(tools)
        except UsageError as exc:
            raise RpcError(INVALID_PARAMS, f"Invalid params for thread/start: {exc}") from None
        return tuple(tools)

    async def resume(self, p: wire.ThreadResumeParams) -> wire.Wire:
        lt = self.threads.get(p.thread_id)
        if lt is None:
            fresh = await asyncio.to_thread(self._resume_from_disk, p)
            lt = self.threads.setdefault(fresh.thread.id, self.register(fresh))
            if lt is not fresh:  # loaded meanwhile (or resumed by an id prefix of a loaded thread)
                await fresh.codex.aclose()
        else:  # already loaded: settings that can change on a live thread are applied
            try:
                lt.thread.override(
                    model=p.model, approval_policy=plain_policy(p.approval_policy), sandbox_mode=p.sandbox
                )
            except CodexError as exc:
                raise RpcError(INVALID_REQUEST, str(exc)) from None
        return lt.start_response(include_turns=not p.exclude_turns)

    def _resume_from_disk(self, p: wire.ThreadResumeParams) -> LoadedThread:
        from codex_core.session import find_rollout, session_info

        home = self.base_config.codex_home
        path = find_rollout(home, p.thread_id)
        info = session_info(path)
        if info is None:
            raise RpcError(INVALID_REQUEST, f"{path} is not a readable session file")
        loaded = self.threads.get(info.id)
        if loaded is not None:
            return loaded
        default_cwd = Path(info.cwd) if info.cwd and Path(info.cwd).is_dir() else None
        config = load_config(self._overrides(p, default_cwd=default_cwd), codex_home=home)
        codex = Codex(config, originator=self.originator, source="vscode")
        thread = codex.resume_thread(path)
        updated = int(info.updated_at.timestamp())
        return LoadedThread(
            thread=thread,
            codex=codex,
            ephemeral=False,
            created_at=int(info.created_at.timestamp()) if info.created_at else updated,
            preview=info.preview,
            updated_at=updated,
        ).with_saved_turns(path)

    # --- thread/fork ----------------------------------------------------------------------

    async def fork(self, p: wire.ThreadForkParams) -> tuple[wire.Wire, After]:
        source = None if p.path else self.threads.get(p.thread_id)
        if source is not None and source.active is not None:
            raise RpcError(
                INVALID_REQUEST,
                f"thread {source.thread.id} is running turn {source.active.id}; fork it after the turn ends",
            )
        if source is None and not p.path and not p.thread_id:
            raise RpcError(INVALID_PARAMS, "Invalid params for thread/fork: `threadId` (or a `path`) must not be empty")
        lt = await asyncio.to_thread(self._fork, p, source)
        self.threads[lt.thread.id] = self.register(lt)
        response = lt.start_response(include_turns=not p.exclude_turns)
        return response, lambda: self.notify("thread/started", wire.ThreadStartedNotification(thread=response.thread))

    def _fork(self, p: wire.ThreadForkParams, source: LoadedThread | None) -> LoadedThread:
        from codex_core.session import rollout_turns

        home = self.base_config.codex_home
        origin: Thread | Path
        cwd: Path | None
        if source is not None:
            origin, turns, recorded = source.thread, source.turns, source.recorded
            cwd, preview = source.thread.config.cwd, source.preview
        else:
            from codex_core.session import find_rollout, session_info

            origin = resolve_path(p.path) if p.path else find_rollout(home, p.thread_id)
            info = session_info(origin)
            if info is None:
                raise RpcError(INVALID_PARAMS, f"Invalid params for thread/fork: {origin} is not a Codex session file")
            cwd = Path(info.cwd) if info.cwd and Path(info.cwd).is_dir() else None
            turns = history_turns(info.id, rollout_turns(origin))
            recorded, preview = {t.id for t in turns}, info.preview
        keep = None
        if p.last_turn_id:
            ids = [t.id for t in turns]
            if p.last_turn_id not in ids:
                raise RpcError(
                    INVALID_PARAMS, f"Invalid params for thread/fork: no turn {p.last_turn_id!r} in the thread"
                )
            keep = sum(1 for t in turns[: ids.index(p.last_turn_id) + 1] if t.id in recorded)
        config = load_config(self._overrides(p, default_cwd=cwd), codex_home=home)
        codex = Codex(config, originator=self.originator, source="vscode")
        thread = codex.fork_thread(origin, turns=keep, ephemeral=p.ephemeral)
        fork = LoadedThread(
            thread=thread, codex=codex, ephemeral=p.ephemeral, created_at=int(time.time()), preview=preview
        )
        if thread.rollout_path is not None:
            return fork.with_saved_turns(thread.rollout_path)
        kept = turns if keep is None else [t for t in turns if t.id in recorded][:keep]
        fork.turns = [t.model_copy(update={"id": f"{thread.id}-history-{n}"}) for n, t in enumerate(kept)]
        fork.recorded = {t.id for t in fork.turns}
        return fork

    async def inject_items(self, p: wire.ThreadInjectItemsParams) -> wire.Wire:
        lt = self.loaded(p.thread_id)
        if lt.active is not None:
            raise RpcError(
                INVALID_REQUEST, f"thread {p.thread_id} is running turn {lt.active.id}; inject items between turns"
            )
        try:
            lt.thread.inject_items(p.items)
        except UsageError as exc:
            raise RpcError(INVALID_PARAMS, f"Invalid params for thread/inject_items: {exc}") from None
        return wire.Empty()

    # --- thread/revert ----------------------------------------------------------------------

    async def revert(self, p: wire.ThreadRevertParams) -> tuple[wire.Wire, After]:
        """Cut the loaded thread's saved history before ``beforeTurnId`` and reload it from the
        cut rollout (same id, same settings); files the dropped turns changed are not touched."""
        from codex_core.rollout_revert import truncate_rollout

        lt = self.loaded(p.thread_id)
        if lt.active is not None:
            raise RpcError(INVALID_REQUEST, f"thread {p.thread_id} is running turn {lt.active.id}")
        ids = [t.id for t in lt.turns]
        if p.before_turn_id not in ids:
            raise RpcError(
                INVALID_PARAMS, f"Invalid params for thread/revert: no turn {p.before_turn_id!r} in the thread"
            )
        path = lt.thread.rollout_path
        if path is None:
            raise RpcError(
                INVALID_REQUEST, f"thread {p.thread_id} has no saved history to revert (ephemeral, or no turn yet)"
            )
        keep = sum(1 for t in lt.turns[: ids.index(p.before_turn_id)] if t.id in lt.recorded)
        cfg = lt.thread.config
        await lt.thread.aclose()

        def reload() -> LoadedThread:
            thread = lt.codex.resume_thread(path)
            thread.override(model=cfg.model, approval_policy=cfg.approval_policy, sandbox_mode=cfg.sandbox_mode)
            return LoadedThread(
                thread=thread,
                codex=lt.codex,
                ephemeral=False,
                created_at=lt.created_at,
                preview=lt.preview,
                dynamic_tools=lt.dynamic_tools,
            ).with_saved_turns(path)

        try:
            await asyncio.to_thread(truncate_rollout, path, turns=keep)
        finally:  # reloaded either way: cut, or as it was when the file could not be rewritten
            fresh = self.register(await asyncio.to_thread(reload))
            self.threads[fresh.thread.id] = fresh
        items = sum(len(t.items) for t in fresh.turns)
        response = wire.ThreadRevertResponse(
            thread=fresh.info(include_turns=False),
            turns_backwards_cursor=str(len(fresh.turns) - 1) if fresh.turns else None,
            items_backwards_cursor=str(items - 1) if items else None,
        )
        note = wire.ThreadIdNotification(thread_id=fresh.thread.id)
        return response, lambda: self.notify("thread/reverted", note)

    async def aclose(self) -> None:
        """Interrupt running turns and close every loaded thread (end of the connection)."""
        tasks = []
        for lt in self.threads.values():
            if lt.active is not None and lt.active.task is not None:
                lt.active.interrupt(lt.thread)
                tasks.append(lt.active.task)
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=5)
            for task in pending:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        for lt in self.threads.values():
            with contextlib.suppress(Exception):
                await lt.codex.aclose()
