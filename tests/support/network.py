"""Config for tests that run commands through the managed network proxy."""

from __future__ import annotations

import textwrap

__all__ = ["proxy_profile_config"]


def proxy_profile_config(verdict: str) -> str:
    """``config.toml`` with a read-only permission profile whose network allows or denies localhost
    (``verdict`` is ``"allow"`` or ``"deny"``), with the network proxy feature on."""
    return textwrap.dedent(
        f"""
        default_permissions = "dev"
        [features]
        network_proxy = true
        [permissions.dev.filesystem]
        ":root" = "read"
        [permissions.dev.network]
        enabled = true
        [permissions.dev.network.domains]
        "localhost" = "{verdict}"
        """
    )
