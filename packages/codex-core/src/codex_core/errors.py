"""Exception tree for codex-core.

    CodexError
    ├── ConfigError            bad config.toml / requirements / -c override / CLI flag
    ├── AuthError              no usable credentials for the selected provider
    ├── ModelError             the model request failed after retries
    │   ├── ModelHTTPError     non-retryable (or exhausted) HTTP status
    │   └── ModelStreamError   malformed or interrupted SSE stream
    ├── SandboxError           the sandbox could not be set up
    │   └── SandboxUnavailable the platform/kernel cannot enforce the policy
    ├── ExecPolicyError        a rules file could not be parsed
    ├── PatchError             an apply_patch patch could not be parsed or applied
    ├── McpError               MCP server start/call failure
    ├── SessionError           rollouts: missing or unreadable session
    └── UsageError             programming mistakes in the use of the SDK

Every error carries a human ``message`` and a short machine ``code`` so frontends
(`codex exec --json`, app-server) can branch without parsing text.
"""

from __future__ import annotations

__all__ = [
    "AuthError",
    "CodexError",
    "ConfigError",
    "ExecPolicyError",
    "McpError",
    "ModelError",
    "ModelHTTPError",
    "ModelStreamError",
    "PatchError",
    "SandboxError",
    "SandboxUnavailable",
    "SessionError",
    "UsageError",
]


class CodexError(Exception):
    """Base class of every error raised by codex-core."""

    code: str = "codex_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(CodexError):
    """Invalid configuration. ``path``/``line``/``key`` locate the problem when known."""

    code = "config_error"

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        key: str | None = None,
    ) -> None:
        super().__init__(message)
        self.path = path
        self.line = line
        self.key = key


class AuthError(CodexError):
    code = "auth_error"


class ModelError(CodexError):
    code = "model_error"


class ModelHTTPError(ModelError):
    code = "model_http_error"

    def __init__(self, message: str, *, status: int, body: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.body = body


class ModelStreamError(ModelError):
    code = "model_stream_error"


class SandboxError(CodexError):
    code = "sandbox_error"


class SandboxUnavailable(SandboxError):
    code = "sandbox_unavailable"


class ExecPolicyError(CodexError):
    code = "exec_policy_error"


class PatchError(CodexError):
    code = "patch_error"


class McpError(CodexError):
    code = "mcp_error"


class SessionError(CodexError):
    code = "session_error"


class UsageError(CodexError):
    code = "usage_error"
