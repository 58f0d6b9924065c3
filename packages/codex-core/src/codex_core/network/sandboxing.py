"""Glue for sandbox callers: start the managed proxy for a config and describe it to the sandbox.

Typical use (``codex sandbox linux``, the exec runner)::

    with managed_network_proxy(config) as proxy:          # None when no proxy is enabled
        net = proxy.sandbox_network() if proxy else None  # a codex_core.sandbox.ProxyNetwork
        policy = SandboxPolicy.from_config(config, proxy=net)
        env = {**child_env, **(proxy.env() if proxy else {})}
        ... run the command under `policy` with `env` ...

Inside the command's network namespace the forwarder listens on the same port numbers as the
host proxy (the namespace is empty, so they are free) and relays to the proxy's unix socket,
which serves both HTTP and SOCKS5.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from codex_core.network.effective import network_proxy_for_config
from codex_core.network.thread import NetworkProxyThread

if TYPE_CHECKING:
    from codex_core.config.resolved import Config
    from codex_core.sandbox.policy import ProxyNetwork

__all__ = ["managed_network_proxy", "sandbox_network_for"]


def sandbox_network_for(proxy: NetworkProxyThread) -> ProxyNetwork:
    """The sandbox's ``ProxyNetwork`` mode for a running proxy (same ports inside the namespace)."""
    from codex_core.sandbox.policy import ProxyNetwork

    if proxy.uds_path is None:
        raise RuntimeError("network proxy has no unix socket listener")
    return ProxyNetwork(uds_path=proxy.uds_path, http_port=proxy.http_port, socks_port=proxy.socks_port)


@contextlib.contextmanager
def managed_network_proxy(
    config: Config,
    *,
    exec_policy_domains: tuple[Sequence[str], Sequence[str]] | None = None,
    uds_dir: Path | None = None,
) -> Iterator[NetworkProxyThread | None]:
    """Run the proxy ``config`` asks for (background thread) for the ``with`` block, else yield None.

    Raises ``ConfigError`` for invalid network rules or requirements. Warnings (e.g. a discarded
    exec-policy overlay) are in ``proxy.policy.network.warnings``.
    """
    network = network_proxy_for_config(config, exec_policy_domains=exec_policy_domains)
    if network is None:
        yield None
        return
    with NetworkProxyThread(network, uds_dir=uds_dir) as proxy:
        yield proxy
