"""Wire models of the configuration listings (field names of the reference 0.169 schema)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field

from codex_exec.app_server.wire_base import Empty, Wire

__all__ = [
    "LISTING_METHODS",
    "CustomGatewayProviderSettingsPatch",
    "ExperimentalFeature",
    "ExperimentalFeatureListParams",
    "ExperimentalFeatureListResponse",
    "ListMcpServerStatusParams",
    "ListMcpServerStatusResponse",
    "McpServerStatus",
    "ModelProviderConfigWriteParams",
    "ModelProviderConfigWriteResponse",
    "ModelProviderListParams",
    "ModelProviderListResponse",
    "ModelProviderSummary",
    "PermissionProfileListParams",
    "PermissionProfileListResponse",
    "PermissionProfileSummary",
]


class ModelProviderListParams(Empty):
    pass


class ModelProviderSummary(Wire):
    id: str
    name: str
    can_edit: bool
    base_url: str | None = None
    settings: dict[str, Any]
    """``{type: "openai"}`` or ``{type: "customGateway", auth: {mode, envKey?}}``."""


class ModelProviderListResponse(Wire):
    data: list[ModelProviderSummary]
    default_provider_id: str
    can_change_default: bool


class ExperimentalFeatureListParams(Wire):
    cursor: str | None = None
    limit: int | None = Field(default=None, ge=1)
    thread_id: str | None = None


class ExperimentalFeature(Wire):
    name: str
    stage: Literal["beta", "underDevelopment", "stable", "deprecated", "removed"]
    display_name: str | None = None
    description: str | None = None
    announcement: str | None = None
    enabled: bool
    default_enabled: bool


class ExperimentalFeatureListResponse(Wire):
    data: list[ExperimentalFeature]
    next_cursor: str | None = None


class PermissionProfileListParams(Wire):
    cursor: str | None = None
    limit: int | None = Field(default=None, ge=1)
    cwd: str | None = None


class PermissionProfileSummary(Wire):
    id: str
    description: str | None = None
    allowed: bool


class PermissionProfileListResponse(Wire):
    data: list[PermissionProfileSummary]
    next_cursor: str | None = None


class ListMcpServerStatusParams(Wire):
    cursor: str | None = None
    limit: int | None = Field(default=None, ge=1)
    detail: Literal["full", "toolsAndAuthOnly"] | None = None
    thread_id: str | None = None
    server_name: str | None = None


class McpServerStatus(Wire):
    name: str
    runtime_status: (
        Literal["notStarted", "starting", "connected", "authenticationRequired", "failed", "cancelled", "disabled"]
        | None
    ) = None
    plugin_id: str | None = None
    http_origin: str | None = None
    server_info: dict[str, Any] | None = None
    server_capabilities: Any = None
    tool_list_meta: Any = None
    tools: dict[str, dict[str, Any]] = Field(default_factory=dict)
    tools_error: str | None = None
    resources: list[Any] = Field(default_factory=list)
    resource_templates: list[Any] = Field(default_factory=list)
    auth_status: Literal["unknown", "unsupported", "notLoggedIn", "bearerToken", "oAuth"]


class ListMcpServerStatusResponse(Wire):
    data: list[McpServerStatus]
    next_cursor: str | None = None


LISTING_METHODS: dict[str, tuple[type[Wire], type[Wire]]] = {
    "modelProvider/list": (ModelProviderListParams, ModelProviderListResponse),
    "experimentalFeature/list": (ExperimentalFeatureListParams, ExperimentalFeatureListResponse),
    "permissionProfile/list": (PermissionProfileListParams, PermissionProfileListResponse),
    "mcpServerStatus/list": (ListMcpServerStatusParams, ListMcpServerStatusResponse),
}


class ExperimentalFeatureEnablementSetParams(Wire):
    enablement: dict[str, bool]


class ExperimentalFeatureEnablementSetResponse(Wire):
    enablement: dict[str, bool]


class ModelProviderCapabilitiesReadResponse(Wire):
    image_generation: bool
    web_search: bool


class McpServerToolCallParams(Wire):
    thread_id: str
    server: str
    tool: str
    arguments: Any = None
    meta: Any = Field(default=None, alias="_meta")


class McpServerToolCallResponse(Wire):
    content: list[Any]
    structured_content: Any = None
    is_error: bool = False


class McpResourceReadParams(Wire):
    thread_id: str | None = None
    server: str
    uri: str
    origin_call_id: str | None = None


class McpResourceReadResponse(Wire):
    contents: list[Any]
    origin_call_id: str | None = None


LISTING_METHODS.update(
    {
        "experimentalFeature/enablement/set": (
            ExperimentalFeatureEnablementSetParams,
            ExperimentalFeatureEnablementSetResponse,
        ),
        "modelProvider/capabilities/read": (Empty, ModelProviderCapabilitiesReadResponse),
        "config/mcpServer/reload": (Empty, Empty),
        "mcpServer/tool/call": (McpServerToolCallParams, McpServerToolCallResponse),
        "mcpServer/resource/read": (McpResourceReadParams, McpResourceReadResponse),
    }
)


# --- modelProvider/config/write -------------------------------------------------------------


class CustomGatewayProviderSettingsPatch(Wire):
    """A ``[model_providers.<id>]`` table: ``providerId`` omitted or null creates a new one."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["customGateway"]
    provider_id: str | None = None
    name: str | None = None
    base_url: str | None = None
    env_key: str | None = None


class BedrockProviderSettingsPatch(Wire):
    type: Literal["bedrock"]
    provider_id: str
    profile: str | None = None
    region: str | None = None


class GcpProviderSettingsPatch(Wire):
    type: Literal["gcp"]
    provider_id: str
    credential_file: str | None = None
    location: str | None = None
    project_id: str | None = None


ProviderSettingsPatch = Annotated[
    CustomGatewayProviderSettingsPatch | BedrockProviderSettingsPatch | GcpProviderSettingsPatch,
    Field(discriminator="type"),
]


class ModelProviderConfigWriteParams(Wire):
    settings: ProviderSettingsPatch


class ModelProviderConfigWriteResponse(Wire):
    provider: ModelProviderSummary


LISTING_METHODS["modelProvider/config/write"] = (ModelProviderConfigWriteParams, ModelProviderConfigWriteResponse)
