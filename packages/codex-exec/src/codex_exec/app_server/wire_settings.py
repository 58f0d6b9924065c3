"""Wire models of the settings methods: ``config/*``, ``configRequirements/read``, ``account/*``, ``model/list``."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field, ValidationError, model_validator
from pydantic.alias_generators import to_camel

from codex_exec.app_server.wire_base import Wire

__all__ = [
    "Account",
    "AccountUpdatedNotification",
    "CancelLoginAccountParams",
    "ConfigBatchWriteParams",
    "ConfigEdit",
    "ConfigLayerMetadata",
    "ConfigReadParams",
    "ConfigReadResponse",
    "ConfigRequirements",
    "ConfigRequirementsReadResponse",
    "ConfigValueWriteParams",
    "ConfigWriteResponse",
    "GetAccountParams",
    "GetAccountResponse",
    "LoginAccountParams",
    "LoginAccountResponse",
    "MergeStrategy",
    "ModelInfo",
    "ModelListParams",
    "ModelListResponse",
    "NetworkRequirements",
    "OverriddenMetadata",
    "ReasoningEffortOption",
]


class ConfigReadParams(Wire):
    cwd: str | None = None
    include_layers: bool = False


class ConfigLayerMetadata(Wire):
    name: dict[str, Any]
    version: str


class ConfigReadResponse(Wire):
    config: dict[str, Any]
    origins: dict[str, ConfigLayerMetadata]
    layers: list[dict[str, Any]] | None = None


MergeStrategy = Literal["replace", "upsert"]


class ConfigEdit(Wire):
    key_path: str
    value: Any = Field(...)
    merge_strategy: MergeStrategy


class ConfigValueWriteParams(ConfigEdit):
    file_path: str | None = None
    expected_version: str | None = None


class ConfigBatchWriteParams(Wire):
    edits: list[ConfigEdit]
    file_path: str | None = None
    expected_version: str | None = None
    reload_user_config: bool = False


class OverriddenMetadata(Wire):
    message: str
    overriding_layer: ConfigLayerMetadata
    effective_value: Any = None


class ConfigWriteResponse(Wire):
    status: Literal["ok", "okOverridden"]
    version: str
    file_path: str
    overridden_metadata: OverriddenMetadata | None = None


class NetworkRequirements(Wire):
    """Managed network requirements: canonical maps plus the legacy list views derived from them.

    Input may be legacy-only (``allowedDomains``/``deniedDomains``/``allowUnixSockets`` without the
    maps): it is normalised into the maps and the views are recomputed.
    """

    enabled: bool | None = None
    http_port: int | None = None
    socks_port: int | None = None
    allow_upstream_proxy: bool | None = None
    dangerously_allow_non_loopback_proxy: bool | None = None
    dangerously_allow_all_unix_sockets: bool | None = None
    domains: dict[str, Literal["allow", "deny"]] | None = None
    managed_allowed_domains_only: bool | None = None
    allowed_domains: list[str] | None = None
    denied_domains: list[str] | None = None
    unix_sockets: dict[str, Literal["allow", "none", "deny"]] | None = None
    allow_unix_sockets: list[str] | None = None
    allow_local_binding: bool | None = None

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        from codex_core.network.rules import NetworkRequirements as Rules

        camel = {to_camel(k): v for k, v in data.items()}
        try:
            return Rules.from_app_server(camel).to_app_server()
        except ValidationError as exc:
            raise ValueError(str(exc.errors()[0]["msg"]).removeprefix("Value error, ")) from None


class ConfigRequirements(Wire):
    allowed_approval_policies: list[str] | None = None
    allowed_sandbox_modes: list[str] | None = None
    allowed_web_search_modes: list[str] | None = None
    feature_requirements: dict[str, bool] | None = None
    enforce_residency: str | None = None
    network: NetworkRequirements | None = None


class ConfigRequirementsReadResponse(Wire):
    requirements: ConfigRequirements | None = None


class GetAccountParams(Wire):
    refresh_token: bool = False


class Account(Wire):
    type: Literal["apiKey"] = "apiKey"


class GetAccountResponse(Wire):
    account: Account | None = None
    user_id: str | None = None
    requires_openai_auth: bool


class LoginAccountParams(Wire):
    type: Literal[
        "apiKey", "chatgpt", "chatgptDeviceCode", "chatgptAuthTokens", "amazonBedrock", "amazonBedrockAccessKeys"
    ]
    api_key: str | None = None


class LoginAccountResponse(Wire):
    type: Literal["apiKey"] = "apiKey"


class CancelLoginAccountParams(Wire):
    login_id: str


class AccountUpdatedNotification(Wire):
    auth_mode: Literal["apikey"] | None = None
    plan_type: str | None = None


class ModelListParams(Wire):
    cursor: str | None = None
    limit: int | None = Field(default=None, ge=1)
    include_hidden: bool | None = None
    model_provider: str | None = None


class ReasoningEffortOption(Wire):
    reasoning_effort: str
    description: str


class ModelInfo(Wire):
    model_config = ConfigDict(title="Model")

    id: str
    model: str
    display_name: str
    description: str
    hidden: bool = False
    is_default: bool
    default_reasoning_effort: str
    supported_reasoning_efforts: list[ReasoningEffortOption]
    input_modalities: list[str] = Field(default_factory=lambda: ["text", "image"])


class ModelListResponse(Wire):
    data: list[ModelInfo]
    next_cursor: str | None = None
