"""What a blocked client receives (spec 4.8): a 403 with ``x-proxy-error`` and a two-line body."""

from __future__ import annotations

import json

from codex_core.network.policy import Decision

__all__ = ["blocked_body", "blocked_http_response", "human_reason", "proxy_error_header", "simple_response"]

_HEADER = {
    "not_allowed": "blocked-by-allowlist",
    "not_allowed_local": "blocked-by-allowlist",
    "denied": "blocked-by-denylist",
    "method_not_allowed": "blocked-by-method-policy",
}
_HUMAN = {
    "not_allowed": "Codex blocked this request: domain not in allowlist (this is not a denylist block).",
    "not_allowed_local": "Codex blocked this request: local/private addresses not allowed.",
    "denied": "Codex blocked this request: domain denied by policy.",
    "method_not_allowed": "Codex blocked this request: method not allowed in limited mode.",
}


def proxy_error_header(reason: str) -> str:
    """The ``x-proxy-error`` value for a block reason."""
    return _HEADER.get(reason, "blocked-by-policy")


def human_reason(reason: str) -> str:
    return _HUMAN.get(reason, "Codex blocked this request by network policy.")


def blocked_body(d: Decision) -> str:
    """``CODEX_NETWORK_POLICY_DECISION {json}`` + the human line (+ the matching rule, if any)."""
    payload = {
        "decision": d.decision,
        "reason": d.reason or "policy_denied",
        "source": d.source,
        "protocol": d.protocol,
        "host": d.host,
        "port": d.port,
    }
    lines = [
        "CODEX_NETWORK_POLICY_DECISION " + json.dumps(payload, separators=(",", ":")),
        human_reason(d.reason or ""),
    ]
    if d.rule is not None and d.reason == "denied":
        lines.append(f'Rule: "{d.rule.pattern}" = "deny" (from {d.rule.source}) matched host {d.host}.')
    return "\n".join(lines) + "\n"


def simple_response(status: int, phrase: str, body: str, headers: dict[str, str] | None = None) -> bytes:
    """A complete ``Connection: close`` HTTP/1.1 response."""
    data = body.encode()
    head = [f"HTTP/1.1 {status} {phrase}", "content-type: text/plain; charset=utf-8"]
    head += [f"{k}: {v}" for k, v in (headers or {}).items()]
    head += [f"content-length: {len(data)}", "connection: close", "", ""]
    return "\r\n".join(head).encode() + data


def blocked_http_response(d: Decision) -> bytes:
    """403 (503 for ``proxy_disabled`` on plain HTTP) carrying the decision."""
    if d.reason == "proxy_disabled" and d.protocol == "http":
        return simple_response(503, "Service Unavailable", blocked_body(d), {"x-proxy-error": proxy_error_header("")})
    return simple_response(403, "Forbidden", blocked_body(d), {"x-proxy-error": proxy_error_header(d.reason or "")})
