"""Run the proxy on a background event-loop thread, for synchronous callers (CLI, sandbox)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from codex_core.network.effective import EffectiveNetwork
from codex_core.network.policy import BlockRecord, Decider, NetworkPolicy
from codex_core.network.proxy import NetworkProxy

if TYPE_CHECKING:
    from codex_core.sandbox.policy import ProxyNetwork

__all__ = ["NetworkProxyThread"]


class NetworkProxyThread:
    """``with NetworkProxyThread(network) as proxy: ...`` starts the proxy in a daemon thread.

    Exposes the same ``http_port``/``socks_port``/``uds_path``/``env()`` as :class:`NetworkProxy`.
    """

    def __init__(
        self,
        network: EffectiveNetwork,
        *,
        uds_dir: Path | None = None,
        hosts: Mapping[str, Sequence[str]] | None = None,
        decider: Decider | None = None,
        observer: Callable[[BlockRecord], None] | None = None,
        upstream_env: Mapping[str, str] | None = None,
    ) -> None:
        self._policy = NetworkPolicy(network, hosts=hosts, decider=decider, observer=observer)
        self._uds_dir = uds_dir
        self._upstream_env = upstream_env
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self.proxy: NetworkProxy | None = None

    def start(self) -> NetworkProxyThread:
        self._thread = threading.Thread(target=self._run, name="codex-network-proxy", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            raise self._error
        return self

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            self.proxy = NetworkProxy(self._policy, uds_dir=self._uds_dir, upstream_env=self._upstream_env)
            loop.run_until_complete(self.proxy.start())
        except BaseException as exc:  # reported to the starting thread
            self._error = exc
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(self.proxy.close())
            loop.close()

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)

    def __enter__(self) -> NetworkProxyThread:
        return self.start()

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    def _p(self) -> NetworkProxy:
        if self.proxy is None:
            raise RuntimeError("network proxy is not running")
        return self.proxy

    @property
    def http_port(self) -> int:
        return self._p().http_port

    @property
    def socks_port(self) -> int | None:
        return self._p().socks_port

    @property
    def uds_path(self) -> Path | None:
        return self._p().uds_path

    @property
    def policy(self) -> NetworkPolicy:
        return self._policy

    def sandbox_network(self) -> ProxyNetwork:
        """This proxy as the sandbox's ``ProxyNetwork`` network mode."""
        from codex_core.network.sandboxing import sandbox_network_for

        return sandbox_network_for(self)

    def env(self, *, http_port: int | None = None, socks_port: int | None = None) -> dict[str, str]:
        return self._p().env(http_port=http_port, socks_port=socks_port)
