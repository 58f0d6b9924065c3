"""Network permissions and the managed network proxy (spec section 4).

* Rules: canonical ``domains`` / ``unix_sockets`` maps, managed ``[experimental_network]``
  normalisation, the user (+) managed merge and constraint validation
  (:func:`network_proxy_for_config`, :class:`EffectiveNetwork`).
* Decisions: :class:`NetworkPolicy` (deny list, local/private addresses, allowlist).
* Proxy: :func:`start_network_proxy` (async) / :class:`NetworkProxyThread` (sync): HTTP +
  CONNECT + SOCKS5 on ephemeral loopback ports and a unix socket; :func:`proxy_env` for children.
"""

from codex_core.network.constraints import (
    NetworkConstraintError,
    NetworkConstraints,
    validate_against_constraints,
)
from codex_core.network.effective import (
    EffectiveNetwork,
    NetworkRule,
    SourcedPattern,
    network_proxy_for_config,
    resolve_effective_network,
)
from codex_core.network.env import NO_PROXY_VALUE, proxy_env
from codex_core.network.patterns import DomainPattern, normalize_host, normalize_pattern, pattern_covers
from codex_core.network.policy import (
    BlockRecord,
    Decider,
    DeciderResult,
    Decision,
    NetworkPolicy,
    is_non_public_ip,
)
from codex_core.network.proxy import NetworkProxy, start_network_proxy
from codex_core.network.responses import blocked_body, proxy_error_header
from codex_core.network.rules import NetworkRequirements, parse_network_requirements
from codex_core.network.sandboxing import managed_network_proxy, sandbox_network_for
from codex_core.network.thread import NetworkProxyThread

__all__ = [
    "NO_PROXY_VALUE",
    "BlockRecord",
    "Decider",
    "DeciderResult",
    "Decision",
    "DomainPattern",
    "EffectiveNetwork",
    "NetworkConstraintError",
    "NetworkConstraints",
    "NetworkPolicy",
    "NetworkProxy",
    "NetworkProxyThread",
    "NetworkRequirements",
    "NetworkRule",
    "SourcedPattern",
    "blocked_body",
    "is_non_public_ip",
    "managed_network_proxy",
    "network_proxy_for_config",
    "normalize_host",
    "normalize_pattern",
    "parse_network_requirements",
    "pattern_covers",
    "proxy_env",
    "proxy_error_header",
    "resolve_effective_network",
    "sandbox_network_for",
    "start_network_proxy",
    "validate_against_constraints",
]
