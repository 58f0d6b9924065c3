"""Model providers: built-ins (``openai``, ``ollama``, ``lmstudio``), user-defined
``[model_providers.<id>]`` entries, and API-key lookup.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import attrs

from codex_core import __version__
from codex_core.client.retry import (
    DEFAULT_REQUEST_MAX_RETRIES,
    DEFAULT_STREAM_IDLE_TIMEOUT_MS,
    DEFAULT_STREAM_MAX_RETRIES,
    MAX_RETRIES_CAP,
)
from codex_core.errors import AuthError, ConfigError

__all__ = [
    "BUILTIN_PROVIDER_IDS",
    "CODEX_API_KEY_ENV",
    "DEFAULT_OPENAI_BASE_URL",
    "ModelInfo",
    "ProviderInfo",
    "api_key_for",
    "builtin_providers",
    "codex_api_key_env",
    "model_info",
    "resolve_provider",
]

DEFAULT_OPENAI_BASE_URL = "https://api.openai.com/v1"
DEFAULT_OLLAMA_PORT = 11434
DEFAULT_LMSTUDIO_PORT = 1234
BUILTIN_PROVIDER_IDS = ("openai", "ollama", "lmstudio")
OPENAI_API_KEY_ENV = "OPENAI_API_KEY"
CODEX_API_KEY_ENV = "CODEX_API_KEY"

_codex_api_key_enabled: ContextVar[bool] = ContextVar("codex_api_key_enabled", default=False)


@contextmanager
def codex_api_key_env() -> Iterator[None]:
    """Within this block, ``CODEX_API_KEY`` is the OpenAI credential (``codex exec`` only, as in Codex).

    For providers with ``requires_openai_auth`` it wins over ``OPENAI_API_KEY`` and ``auth.json``
    (a provider's own non-OpenAI ``env_key`` and ``experimental_bearer_token`` still come first).
    """
    token = _codex_api_key_enabled.set(True)
    try:
        yield
    finally:
        _codex_api_key_enabled.reset(token)


@attrs.frozen
class ProviderInfo:
    """One resolved model provider (spec: config 2.5)."""

    id: str
    name: str
    base_url: str = DEFAULT_OPENAI_BASE_URL
    env_key: str | None = None
    env_key_instructions: str | None = None
    experimental_bearer_token: str | None = None
    wire_api: str = "responses"
    query_params: Mapping[str, str] = attrs.field(factory=dict)
    http_headers: Mapping[str, str] = attrs.field(factory=dict)
    env_http_headers: Mapping[str, str] = attrs.field(factory=dict)
    request_max_retries: int = DEFAULT_REQUEST_MAX_RETRIES
    stream_max_retries: int = DEFAULT_STREAM_MAX_RETRIES
    stream_idle_timeout_ms: int = DEFAULT_STREAM_IDLE_TIMEOUT_MS
    requires_openai_auth: bool = False

    @property
    def responses_url(self) -> str:
        """``{base_url}/responses`` (without query parameters)."""
        return self.base_url.rstrip("/") + "/responses"

    @property
    def effective_request_max_retries(self) -> int:
        return min(max(self.request_max_retries, 0), MAX_RETRIES_CAP)

    @property
    def effective_stream_max_retries(self) -> int:
        return min(max(self.stream_max_retries, 0), MAX_RETRIES_CAP)

    @property
    def stream_idle_timeout(self) -> float:
        """Idle timeout in seconds."""
        return max(self.stream_idle_timeout_ms, 1) / 1000.0

    def resolved_headers(self, env: Mapping[str, str] | None = None) -> dict[str, str]:
        """Static ``http_headers`` plus ``env_http_headers`` whose variable is set and non-blank."""
        env = os.environ if env is None else env
        headers = dict(self.http_headers)
        for header, var in self.env_http_headers.items():
            value = env.get(var, "")
            if value.strip():
                headers[header] = value
        return headers


@attrs.frozen
class ModelInfo:
    """What the request for a model looks like: reasoning and verbosity defaults, tool forms.

    Values are those of Codex 0.169's model catalog (``codex debug models``) for the models it
    lists, and its fallback for any other slug. The catalog's ``code_mode_only`` models get the
    classic tool set here (codex-py has no code mode; docs/decisions.md).
    """

    slug: str
    default_reasoning_effort: str | None = None
    """Sent as ``reasoning.effort`` unless the user chose one; ``None`` sends no effort."""
    default_reasoning_summary: str = "auto"
    """Sent as ``reasoning.summary`` unless the user chose one; ``"none"`` sends no summary."""
    default_verbosity: str | None = None
    """``text.verbosity`` default; ``None`` means the model takes no verbosity (a configured
    ``model_verbosity`` is then ignored, as Codex does)."""
    freeform_apply_patch: bool = False
    """``apply_patch`` as a freeform (grammar) tool instead of a JSON function."""
    web_search_content_types: tuple[str, ...] = ()
    """``search_content_types`` of the ``web_search`` tool (image results for catalog models)."""
    in_catalog: bool = False


# slug -> (default effort, default verbosity), from Codex 0.169's catalog.
_CATALOG: dict[str, tuple[str, str]] = {
    "gpt-6-astra": ("low", "low"),
    "gpt-6.1-sol": ("low", "low"),
    "gpt-6.1-terra": ("low", "low"),
    "gpt-6-sol": ("medium", "low"),
    "gpt-6-luna": ("medium", "low"),
    "gpt-5.6-sol": ("low", "low"),
    "gpt-5.6-terra": ("medium", "low"),
    "gpt-5.6-luna": ("medium", "low"),
    "gpt-daybreak-blue-latest": ("low", "low"),
    "gpt-daybreak-red-latest": ("medium", "high"),
    "gpt-5.5": ("medium", "low"),
    "codex-auto-review": ("medium", "low"),
}
_FREEFORM_PATCH_PREFIXES = ("gpt-5", "gpt-6", "codex-", "gpt-daybreak")


def model_info(slug: str) -> ModelInfo:
    """Request defaults for ``slug`` (case-sensitive, as Codex matches catalog slugs)."""
    known = _CATALOG.get(slug)
    if known is not None:
        effort, verbosity = known
        return ModelInfo(
            slug=slug,
            default_reasoning_effort=effort,
            default_reasoning_summary="none",
            default_verbosity=verbosity,
            freeform_apply_patch=True,
            web_search_content_types=("text", "image"),
            in_catalog=True,
        )
    # Codex's fallback for unlisted models: summary "auto", no effort, no verbosity. It offers
    # such models no apply_patch tool at all; codex-py keeps one (freeform for GPT-5-class slugs).
    return ModelInfo(slug=slug, freeform_apply_patch=slug.startswith(_FREEFORM_PATCH_PREFIXES))


def _oss_base_url(port_default: int, env: Mapping[str, str]) -> str:
    base = env.get("CODEX_OSS_BASE_URL", "").strip()
    if base:
        return base
    port_text = env.get("CODEX_OSS_PORT", "").strip()
    port = int(port_text) if port_text.isdigit() else port_default
    return f"http://localhost:{port}/v1"


def builtin_providers(
    env: Mapping[str, str] | None = None, *, openai_base_url: str | None = None
) -> dict[str, ProviderInfo]:
    """The built-in providers, with env-dependent base URLs resolved now."""
    env = os.environ if env is None else env
    openai_url = (openai_base_url or "").strip() or env.get("OPENAI_BASE_URL", "").strip()
    return {
        "openai": ProviderInfo(
            id="openai",
            name="OpenAI",
            base_url=openai_url or DEFAULT_OPENAI_BASE_URL,
            env_key="OPENAI_API_KEY",
            http_headers={"version": __version__},
            env_http_headers={
                "OpenAI-Organization": "OPENAI_ORGANIZATION",
                "OpenAI-Project": "OPENAI_PROJECT",
            },
            requires_openai_auth=True,
        ),
        "ollama": ProviderInfo(id="ollama", name="Ollama", base_url=_oss_base_url(DEFAULT_OLLAMA_PORT, env)),
        "lmstudio": ProviderInfo(id="lmstudio", name="LM Studio", base_url=_oss_base_url(DEFAULT_LMSTUDIO_PORT, env)),
    }


_PROVIDER_KEYS = (
    "name",
    "base_url",
    "env_key",
    "env_key_instructions",
    "experimental_bearer_token",
    "wire_api",
    "query_params",
    "http_headers",
    "env_http_headers",
    "request_max_retries",
    "stream_max_retries",
    "stream_idle_timeout_ms",
    "requires_openai_auth",
)


def _as_mapping(entry: Any) -> dict[str, Any]:
    """Accept a plain mapping or an object (e.g. a pydantic model) with the spec's attributes."""
    if isinstance(entry, Mapping):
        return {str(k): v for k, v in entry.items()}
    return {key: getattr(entry, key) for key in _PROVIDER_KEYS if getattr(entry, key, None) is not None}


def _str_map(value: Any, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where} must be a table of strings", key=where)
    return {str(k): str(v) for k, v in value.items()}


def _int(value: Any, default: int, where: str) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(f"{where} must be a non-negative integer, got {value!r}", key=where)
    return value


def _provider_from_entry(provider_id: str, entry: Any) -> ProviderInfo:
    data = _as_mapping(entry)
    where = f"model_providers.{provider_id}"
    name = data.get("name")
    name = provider_id if name is None else str(name)
    if not name.strip():
        raise ConfigError(f"{where}.name: provider name must not be empty", key=f"{where}.name")
    wire_api = str(data.get("wire_api") or "responses")
    if wire_api == "chat":
        raise ConfigError(
            f'{where}: `wire_api = "chat"` is no longer supported.\n'
            f'How to fix: set `wire_api = "responses"` in [{where}] of config.toml.',
            key=f"{where}.wire_api",
        )
    if wire_api != "responses":
        raise ConfigError(
            f'{where}.wire_api: unknown value {wire_api!r}; expected "responses"',
            key=f"{where}.wire_api",
        )
    base_url = str(data.get("base_url") or DEFAULT_OPENAI_BASE_URL)
    if not base_url.startswith(("http://", "https://")):
        raise ConfigError(f"{where}.base_url: expected an http(s) URL, got {base_url!r}", key=f"{where}.base_url")

    def num(key: str, default: int) -> int:
        return min(_int(data.get(key), default, f"{where}.{key}"), MAX_RETRIES_CAP)

    def opt_str(key: str) -> str | None:
        value = data.get(key)
        return None if value is None or str(value) == "" else str(value)

    return ProviderInfo(
        id=provider_id,
        name=name,
        base_url=base_url,
        env_key=opt_str("env_key"),
        env_key_instructions=opt_str("env_key_instructions"),
        experimental_bearer_token=opt_str("experimental_bearer_token"),
        wire_api=wire_api,
        query_params=_str_map(data.get("query_params"), f"{where}.query_params"),
        http_headers=_str_map(data.get("http_headers"), f"{where}.http_headers"),
        env_http_headers=_str_map(data.get("env_http_headers"), f"{where}.env_http_headers"),
        request_max_retries=num("request_max_retries", DEFAULT_REQUEST_MAX_RETRIES),
        stream_max_retries=num("stream_max_retries", DEFAULT_STREAM_MAX_RETRIES),
        stream_idle_timeout_ms=_int(
            data.get("stream_idle_timeout_ms"),
            DEFAULT_STREAM_IDLE_TIMEOUT_MS,
            f"{where}.stream_idle_timeout_ms",
        ),
        requires_openai_auth=bool(data.get("requires_openai_auth", False)),
    )


def resolve_provider(
    provider_id: str,
    user_providers: Mapping[str, Any] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    openai_base_url: str | None = None,
) -> ProviderInfo:
    """Resolve ``model_provider`` to a :class:`ProviderInfo`.

    Built-in ids always resolve to the built-in (rejecting redefinitions is the config loader's
    job). ``user_providers`` maps ids to mappings or attribute objects with the spec 2.5 keys.
    """
    builtins = builtin_providers(env, openai_base_url=openai_base_url)
    if provider_id in builtins:
        return builtins[provider_id]
    user_providers = user_providers or {}
    if provider_id not in user_providers:
        known = ", ".join([*BUILTIN_PROVIDER_IDS, *sorted(user_providers)])
        raise ConfigError(
            f"model_provider {provider_id!r} is not defined: add a [model_providers.{provider_id}] "
            f"table to config.toml (known providers: {known})",
            key="model_provider",
        )
    return _provider_from_entry(provider_id, user_providers[provider_id])


def api_key_for(provider: ProviderInfo, *, codex_home: Path, env: Mapping[str, str] | None = None) -> str | None:
    """The bearer token to send for ``provider``, or ``None`` when it needs no auth.

    Order: ``experimental_bearer_token``, the ``env_key`` variable, then (for providers with
    ``requires_openai_auth``) ``OPENAI_API_KEY`` in ``$CODEX_HOME/auth.json``. Inside
    :func:`codex_api_key_env`, ``CODEX_API_KEY`` comes before ``OPENAI_API_KEY`` and ``auth.json``.
    Raises :class:`AuthError` naming the variable when a key is required but missing.
    """
    env = os.environ if env is None else env
    if provider.experimental_bearer_token:
        return provider.experimental_bearer_token
    codex_key = ""
    if provider.requires_openai_auth and _codex_api_key_enabled.get():
        codex_key = env.get(CODEX_API_KEY_ENV, "").strip()
    if codex_key and provider.env_key in (None, OPENAI_API_KEY_ENV):
        return codex_key
    if provider.env_key:
        value = env.get(provider.env_key, "").strip()
        if value:
            return value
    if codex_key:
        return codex_key
    if provider.requires_openai_auth:
        from codex_core.auth import stored_api_key

        stored = stored_api_key(codex_home)
        if stored:
            return stored
    if provider.env_key is None and not provider.requires_openai_auth:
        return None
    var = provider.env_key or "OPENAI_API_KEY"
    message = f"missing API key for model provider {provider.id!r}: set the environment variable {var}"
    if provider.requires_openai_auth:
        message += f" or store OPENAI_API_KEY in {codex_home / 'auth.json'} (`codex login --with-api-key`)"
    if provider.env_key_instructions:
        message += f"\n{provider.env_key_instructions}"
    raise AuthError(message)
