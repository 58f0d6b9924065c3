"""The models a frontend offers (``/model``): the provider's own list when it has one, else the
catalogue bundled with Codex 0.169.

The bundled presets are those of Codex 0.169's ``codex debug models`` (display name, description,
reasoning efforts with the default, context window), in its order; the hidden ones are left out of
pickers. OpenAI is offered the bundled catalogue (its ``/models`` lists every API model, not the
coding ones); any other provider (a local server, a proxy, Ollama, LM Studio) is asked for
``GET {base_url}/models`` first, in Codex's format (``{"models": [{"slug": ...}]}``) or OpenAI's
(``{"data": [{"id": ...}]}``), with a short timeout; on any failure the bundled catalogue is used.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from codex_core.client.providers import ProviderInfo
    from codex_core.config import Config

__all__ = [
    "BUNDLED_MODELS",
    "EFFORT_DESCRIPTIONS",
    "ModelPreset",
    "available_models",
    "bundled_models",
    "find_preset",
    "parse_models_response",
    "provider_models",
]

PROVIDER_MODELS_TIMEOUT_S = 3.0
EFFORT_DESCRIPTIONS: Mapping[str, str] = {
    "none": "No reasoning",
    "minimal": "Minimal reasoning, fastest answers",
    "low": "Fast responses with lighter reasoning",
    "medium": "Balances speed and reasoning depth for everyday tasks",
    "high": "Greater reasoning depth for complex problems",
    "xhigh": "Extra high reasoning depth for complex problems",
    "max": "Maximum reasoning depth for the hardest problems",
    "ultra": "Maximum reasoning with automatic task delegation",
}
"""Codex 0.169's words for each ``model_reasoning_effort``."""


@attrs.frozen
class ModelPreset:
    slug: str
    display_name: str
    description: str = ""
    default_effort: str | None = None
    efforts: tuple[str, ...] = ()
    """Reasoning efforts the model takes, lightest first; empty when unknown."""
    context_window: int | None = None
    hidden: bool = False


_FULL = ("low", "medium", "high", "xhigh", "max", "ultra")
_NO_ULTRA = ("low", "medium", "high", "xhigh", "max")

BUNDLED_MODELS: tuple[ModelPreset, ...] = (
    ModelPreset(
        "gpt-6.1-sol", "GPT-6.1-Sol", "Latest workhorse model for coding and everyday work.", "low", _FULL, 272000
    ),
    ModelPreset(
        "gpt-6-astra", "GPT-6-Astra", "Frontier intelligence for the most demanding work.", "low", _FULL, 272000
    ),
    ModelPreset("gpt-6-sol", "GPT-6-Sol", "Previous generation workhorse model.", "medium", _FULL, 272000),
    ModelPreset("gpt-6-luna", "GPT-6-Luna", "Fast and affordable model for easier tasks.", "medium", _NO_ULTRA, 272000),
    ModelPreset("gpt-5.6-sol", "GPT-5.6-Sol", "Older generation workhorse model.", "low", _FULL, 272000),
    ModelPreset("gpt-6.1-terra", "GPT-6.1 Terra", "GPT-6.1 Terra Codex model.", "low", _FULL, 500000),
    ModelPreset(
        "gpt-5.6-terra", "GPT-5.6-Terra", "Older balanced model for straightforward work.", "medium", _FULL, 272000
    ),
    ModelPreset("gpt-5.6-luna", "GPT-5.6-Luna", "Older fast and efficient model.", "medium", _NO_ULTRA, 272000),
    ModelPreset(
        "gpt-daybreak-blue-latest",
        "Daybreak Blue",
        "Latest frontier agentic coding model for broad defensive cybersecurity work.",
        "low",
        _FULL,
        272000,
        hidden=True,
    ),
    ModelPreset(
        "gpt-daybreak-red-latest",
        "Daybreak Red",
        "Cyber-permissive variant of our latest frontier agentic coding model for advanced, authorized "
        "cybersecurity research.",
        "medium",
        _FULL,
        372000,
        hidden=True,
    ),
    ModelPreset("gpt-5.5", "GPT-5.5", "Legacy coding model.", "medium", ("low", "medium", "high", "xhigh"), 272000),
    ModelPreset(
        "codex-auto-review",
        "Codex Auto Review",
        "Automatic approval review model for Codex.",
        "medium",
        _NO_ULTRA,
        272000,
        hidden=True,
    ),
)


def bundled_models(*, include_hidden: bool = False) -> list[ModelPreset]:
    """The bundled catalogue in Codex's order (hidden models only when asked)."""
    return [m for m in BUNDLED_MODELS if include_hidden or not m.hidden]


def find_preset(slug: str, presets: Sequence[ModelPreset] = BUNDLED_MODELS) -> ModelPreset | None:
    return next((m for m in presets if m.slug == slug), None)


def _str_list(value: Any) -> tuple[str, ...]:
    out: list[str] = []
    for entry in value if isinstance(value, list) else []:
        effort = entry.get("effort") if isinstance(entry, dict) else entry
        if isinstance(effort, str) and effort:
            out.append(effort)
    return tuple(out)


def parse_models_response(data: Any) -> list[ModelPreset]:
    """Presets from a ``/models`` answer (Codex's ``models`` or OpenAI's ``data`` form); entries
    without a name are skipped; models known to the bundled catalogue keep its details."""
    entries: Any = None
    if isinstance(data, dict):
        entries = data.get("models") if isinstance(data.get("models"), list) else data.get("data")
    if not isinstance(entries, list):
        return []
    out: list[ModelPreset] = []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        slug = entry.get("slug") or entry.get("id")
        if not isinstance(slug, str) or not slug:
            continue
        known = find_preset(slug)
        efforts = _str_list(entry.get("supported_reasoning_levels")) or (known.efforts if known else ())
        default = entry.get("default_reasoning_level")
        window = entry.get("context_window")
        out.append(
            ModelPreset(
                slug=slug,
                display_name=str(entry.get("display_name") or (known.display_name if known else slug)),
                description=str(entry.get("description") or (known.description if known else "")),
                default_effort=default if isinstance(default, str) else (known.default_effort if known else None),
                efforts=efforts,
                context_window=window if isinstance(window, int) else (known.context_window if known else None),
                hidden=entry.get("visibility") not in (None, "list"),
            )
        )
    return out


def provider_models(provider: ProviderInfo, api_key: str | None) -> list[ModelPreset] | None:
    """``GET {base_url}/models`` of ``provider`` (blocking, short timeout); ``None`` when it has no
    usable list (unreachable, an error status, not JSON, empty) or network use is switched off."""
    import httpx

    from codex_core.client.responses import is_loopback_host, network_allowed

    url = httpx.URL(provider.base_url.rstrip("/") + "/models")
    if provider.query_params:
        url = url.copy_merge_params(dict(provider.query_params))
    if not is_loopback_host(url.host) and not network_allowed():
        return None
    headers = provider.resolved_headers()
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    try:
        response = httpx.get(url, headers=headers, timeout=PROVIDER_MODELS_TIMEOUT_S)
        if response.status_code != 200:
            return None
        presets = parse_models_response(response.json())
    except (httpx.HTTPError, ValueError):
        return None
    visible = [m for m in presets if not m.hidden]
    return visible or None


def available_models(config: Config) -> tuple[list[ModelPreset], str]:
    """``(models, source)`` for ``config``'s provider: ``source`` is ``"provider"`` when the
    provider listed them, ``"bundled"`` for the catalogue (OpenAI, or the provider had no list)."""
    from codex_core.client.providers import api_key_for, resolve_provider

    if config.model_provider_id != "openai":
        try:
            provider = resolve_provider(
                config.model_provider_id, config.model_providers, openai_base_url=config.toml.openai_base_url
            )
            listed = provider_models(provider, api_key_for(provider, codex_home=config.codex_home))
        except Exception:  # a provider that cannot be resolved here is reported when a turn runs
            listed = None
        if listed:
            return listed, "provider"
    return bundled_models(), "bundled"
