"""Reference methods this server answers with a clear "unsupported" error instead of "not found".

They need OpenAI's cloud or a ChatGPT account (plugins, apps, marketplace, ChatGPT usage and
limits, gateway OAuth, feedback upload), another platform (the Windows sandbox), or a feature
codex-py does not have. The error is ``-32601`` with a message naming the method and why, and
``data: {"codexErrorCode": "unsupported_method", "method": ...}``. ``docs/app-server.md`` lists
them; ``tests/app_server/test_coverage.py`` keeps the list, the docs and the reference in step.
"""

from __future__ import annotations

from codex_exec.app_server.jsonrpc import METHOD_NOT_FOUND, RpcError

__all__ = ["UNSUPPORTED", "unsupported_error"]

_CLOUD = "plugins, apps and the marketplace are served by OpenAI's cloud"
_CHATGPT = "it needs a ChatGPT account; codex-py signs in with API keys only"
_WINDOWS = "the Windows sandbox does not exist in codex-py"
_FEEDBACK = "feedback goes to OpenAI's feedback service, which codex-py does not use"
_IMPORT = "importing other agents' configuration is not implemented in codex-py"
_GUARDIAN = "the auto-review guardian is not implemented in codex-py"
_ORGANISE = "thread metadata (the git info the desktop app stores per thread) is not implemented in codex-py"
_GOALS = "thread goals are not implemented in codex-py"
_MCP_OAUTH = "MCP OAuth login (a browser flow) is not implemented in codex-py"
_HOOKS = "codex-py runs no lifecycle hooks (the [hooks] table is accepted and ignored)"

UNSUPPORTED: dict[str, str] = {
    **dict.fromkeys(
        [
            "marketplace/add",
            "marketplace/remove",
            "marketplace/upgrade",
            "plugin/list",
            "plugin/installed",
            "plugin/reconcile",
            "plugin/read",
            "plugin/skill/read",
            "plugin/share/save",
            "plugin/share/updateTargets",
            "plugin/share/list",
            "plugin/share/checkout",
            "plugin/share/delete",
            "plugin/install",
            "plugin/uninstall",
            "app/read",
            "app/list",
            "app/installed",
        ],
        _CLOUD,
    ),
    **dict.fromkeys(
        [
            "account/gatewayOAuth/read",
            "account/gatewayOAuth/login",
            "account/gatewayOAuth/cancel",
            "account/securitySetup/read",
            "account/rateLimits/read",
            "account/rateLimitResetCredit/consume",
            "account/usage/read",
            "account/workspaceMessages/read",
            "account/sendAddCreditsNudgeEmail",
        ],
        _CHATGPT,
    ),
    "windowsSandbox/setupStart": _WINDOWS,
    "windowsSandbox/readiness": _WINDOWS,
    "feedback/upload": _FEEDBACK,
    "feedback/save": _FEEDBACK,
    **dict.fromkeys(
        [
            "externalAgentConfig/detect",
            "externalAgentConfig/import",
            "externalAgentConfig/import/recordHistory",
            "externalAgentConfig/import/readHistories",
        ],
        _IMPORT,
    ),
    "thread/approveGuardianDeniedAction": _GUARDIAN,
    "thread/metadata/update": _ORGANISE,
    **dict.fromkeys(["thread/goal/set", "thread/goal/get", "thread/goal/clear"], _GOALS),
    "mcpServer/oauth/login": _MCP_OAUTH,
    "hooks/list": _HOOKS,
}
"""Reference client methods answered with an "unsupported" error: method -> why."""


def unsupported_error(method: str) -> RpcError | None:
    """The error for an unsupported reference method, ``None`` for any other method."""
    reason = UNSUPPORTED.get(method)
    if reason is None:
        return None
    return RpcError(
        METHOD_NOT_FOUND,
        f"`{method}` is not supported by codex-py: {reason}",
        {"codexErrorCode": "unsupported_method", "method": method},
    )
