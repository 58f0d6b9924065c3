"""``codex app-server generate-json-schema``: JSON Schemas of the implemented messages.

Generated from the pydantic models in :mod:`codex_exec.app_server.wire`. Layout follows the
reference tool: one file per params/response/notification type (``v1/`` for ``initialize``,
``v2/`` for the rest), top-level unions ``ClientRequest.json``, ``ClientNotification.json``,
``ServerRequest.json``, ``ServerNotification.json``, ``JSONRPCMessage.json`` (+ the plain
JSON-RPC envelopes) and the bundles ``codex_app_server_protocol.schemas.json`` and
``codex_app_server_protocol.v2.schemas.json``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal, Union

from pydantic import BaseModel, ConfigDict, TypeAdapter, create_model

from codex_exec.app_server import wire

__all__ = ["message_schemas", "notification_type_name", "type_name", "write_schemas"]

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

RequestId = Union[str, int]  # noqa: UP007 - used as a runtime type expression


_NOTIFICATION_NAMES = {
    "item/agentMessage/delta": "AgentMessageDeltaNotification",
    "item/reasoning/summaryTextDelta": "ReasoningSummaryTextDeltaNotification",
    "item/commandExecution/outputDelta": "CommandExecutionOutputDeltaNotification",
    "thread/compacted": "ContextCompactedNotification",
}
"""Names the reference generator uses where they differ from the method name."""


_METHOD_NAMES = {
    "account/read": "GetAccount",
    "account/login/start": "LoginAccount",
    "account/login/cancel": "CancelLoginAccount",
    "account/logout": "LogoutAccount",
    "config/value/write": "ConfigValueWrite",
    "config/batchWrite": "ConfigBatchWrite",
    "thread/name/set": "ThreadSetName",
    "mcpServerStatus/list": "ListMcpServerStatus",
    "thread/inject_items": "ThreadInjectItems",
    "config/mcpServer/reload": "McpServerRefresh",
    "mcpServer/resource/read": "McpResourceRead",
}


def notification_type_name(method: str) -> str:
    """``turn/completed`` -> ``TurnCompletedNotification`` (reference names where they differ)."""
    return _NOTIFICATION_NAMES.get(method, type_name(method) + "Notification")


def type_name(method: str) -> str:
    """``thread/compact/start`` -> ``ThreadCompactStart`` (``account/read`` -> ``GetAccount``, as the reference names it)."""
    if method in _METHOD_NAMES:
        return _METHOD_NAMES[method]
    return "".join(part[:1].upper() + part[1:] for part in method.split("/"))


class _Envelope(BaseModel):
    model_config = ConfigDict(extra="forbid")


class JSONRPCErrorError(_Envelope):
    code: int
    message: str
    data: Any = None


class JSONRPCRequest(_Envelope):
    id: RequestId
    method: str
    params: Any = None


class JSONRPCNotification(_Envelope):
    method: str
    params: Any = None


class JSONRPCResponse(_Envelope):
    id: RequestId
    result: Any


class JSONRPCError(_Envelope):
    id: RequestId | None
    error: JSONRPCErrorError


def _message(name: str, method: str, params: type[BaseModel] | None, *, with_id: bool) -> type[BaseModel]:
    fields: dict[str, Any] = {"method": (Literal[method], ...)}
    if with_id:
        fields["id"] = (RequestId, ...)
    if params is not None:
        fields["params"] = (params, ...)
    return create_model(name, __base__=_Envelope, **fields)


Mode = Literal["validation", "serialization"]
"""``serialization`` for what the server sends (fields with defaults are always present)."""


def _union(title: str, members: list[type[BaseModel]], mode: Mode = "validation") -> dict[str, Any]:
    union: Any = Union[tuple(members)]  # noqa: UP007
    schema = TypeAdapter(Union[union]).json_schema(by_alias=True, mode=mode)  # noqa: UP007
    return {"$schema": SCHEMA_DIALECT, "title": title, **schema}


def _model_schema(model: type[BaseModel], title: str | None = None, mode: Mode = "validation") -> dict[str, Any]:
    schema = model.model_json_schema(by_alias=True, mode=mode)
    if title:
        schema["title"] = title
    return {"$schema": SCHEMA_DIALECT, **schema}


def message_schemas() -> dict[str, dict[str, Any]]:
    """Relative file path -> JSON Schema, for every file ``write_schemas`` writes."""
    files: dict[str, dict[str, Any]] = {}
    client_requests: list[type[BaseModel]] = []
    for method, (params, result) in wire.METHODS.items():
        base = type_name(method)
        folder = "v1" if method == "initialize" else "v2"
        files[f"{folder}/{base}Params.json"] = _model_schema(params, f"{base}Params")
        files[f"{folder}/{base}Response.json"] = _model_schema(result, f"{base}Response", "serialization")
        client_requests.append(_message(f"{base}Request", method, params, with_id=True))
    server_notes: list[type[BaseModel]] = []
    for method, params in wire.NOTIFICATIONS.items():
        base = notification_type_name(method)
        files[f"v2/{base}.json"] = _model_schema(params, base, "serialization")
        server_notes.append(_message(base + "Message", method, params, with_id=False))
    server_requests: list[type[BaseModel]] = []
    for method, (params, result) in wire.SERVER_REQUESTS.items():
        base = params.__name__.removesuffix("Params")
        files[f"{base}Params.json"] = _model_schema(params, f"{base}Params", "serialization")
        files[f"{base}Response.json"] = _model_schema(result, f"{base}Response")
        server_requests.append(_message(f"{base}Request", method, params, with_id=True))
    initialized = _message("InitializedNotification", "initialized", None, with_id=False)
    files["ClientRequest.json"] = _union("ClientRequest", client_requests)
    files["ClientNotification.json"] = _union("ClientNotification", [initialized])
    files["ServerRequest.json"] = _union("ServerRequest", server_requests, "serialization")
    files["ServerNotification.json"] = _union("ServerNotification", server_notes, "serialization")
    for env in (JSONRPCRequest, JSONRPCNotification, JSONRPCResponse, JSONRPCError, JSONRPCErrorError):
        files[f"{env.__name__}.json"] = _model_schema(env)
    files["RequestId.json"] = {
        "$schema": SCHEMA_DIALECT,
        "title": "RequestId",
        "anyOf": [{"type": "string"}, {"type": "integer"}],
    }
    files["JSONRPCMessage.json"] = _union(
        "JSONRPCMessage", [JSONRPCRequest, JSONRPCNotification, JSONRPCResponse, JSONRPCError]
    )
    everything = [*client_requests, initialized, *server_requests, *server_notes]
    files["codex_app_server_protocol.v2.schemas.json"] = _union("CodexAppServerProtocolV2", everything)
    # the reference also writes an all-versions bundle; every message implemented here is v2 (or
    # the v1 handshake, which v2 clients use too), so both bundles describe the same messages
    files["codex_app_server_protocol.schemas.json"] = _union("CodexAppServerProtocol", everything)
    return files


def write_schemas(out_dir: Path) -> list[Path]:
    """Write every schema file under ``out_dir`` (created if needed); returns the paths written."""
    written = []
    for rel, schema in message_schemas().items():
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        written.append(path)
    return written
