"""Request body and header construction for ``POST {base_url}/responses`` (spec 1.2, 1.3)."""

from __future__ import annotations

import os
import platform
from collections.abc import Mapping
from typing import Any

from codex_core import __version__
from codex_core.client.providers import ProviderInfo
from codex_core.client.types import Prompt
from codex_core.protocol.items import item_to_api

__all__ = [
    "DEFAULT_ORIGINATOR",
    "OUTPUT_SCHEMA_NAME",
    "build_headers",
    "build_request_body",
    "default_originator",
    "user_agent",
]

DEFAULT_ORIGINATOR = "codex_cli_rs"
OUTPUT_SCHEMA_NAME = "codex_output_schema"
_AZURE_MARKERS = ("openai.azure.", "cognitiveservices.azure.", "aoai.azure.", "azure-api.", "azurefd.")


def default_originator(env: Mapping[str, str] | None = None) -> str:
    """``CODEX_INTERNAL_ORIGINATOR_OVERRIDE`` when set, else ``codex_cli_rs``."""
    env = os.environ if env is None else env
    return env.get("CODEX_INTERNAL_ORIGINATOR_OVERRIDE", "").strip() or DEFAULT_ORIGINATOR


def _terminal_token(env: Mapping[str, str]) -> str:
    program = env.get("TERM_PROGRAM", "").strip()
    if program:
        version = env.get("TERM_PROGRAM_VERSION", "").strip()
        return f"{program}/{version}" if version else program
    return env.get("TERM", "").strip() or "unknown"


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() and c.isascii() else "_" for c in text)


def user_agent(originator: str, *, suffix: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """``<originator>/<version> (<os> <os version>; <arch>) <terminal>[ (<suffix>)]``."""
    env = os.environ if env is None else env
    text = (
        f"{originator}/{__version__} ({platform.system() or 'unknown'} {platform.release() or 'unknown'}; "
        f"{platform.machine() or 'unknown'}) {_terminal_token(env)}"
    )
    if suffix:
        text += f" ({suffix})"
    return _printable(text)


def is_azure_responses_endpoint(provider: ProviderInfo) -> bool:
    """Heuristic from upstream: Azure endpoints need ``store=true`` and item ids echoed."""
    if provider.id.lower() == "azure":
        return True
    url = provider.base_url.lower()
    return any(marker in url for marker in _AZURE_MARKERS)


def build_request_body(prompt: Prompt, *, model: str, provider: ProviderInfo) -> dict[str, Any]:
    """The JSON body for one sampling request, keys in the upstream order."""
    azure = is_azure_responses_endpoint(provider)
    input_items: list[dict[str, Any]] = []
    for item in prompt.input:
        data = item_to_api(item)
        item_id = getattr(item, "id", None)
        if azure and item_id and item.type != "function_call_output":
            data["id"] = item_id
        input_items.append(data)
    reasoning: dict[str, Any] | None = None
    if prompt.reasoning_effort is not None or prompt.reasoning_summary is not None:
        reasoning = {}
        if prompt.reasoning_effort is not None:
            reasoning["effort"] = prompt.reasoning_effort
        if prompt.reasoning_summary is not None and prompt.reasoning_summary != "none":
            reasoning["summary"] = prompt.reasoning_summary
    body: dict[str, Any] = {
        "model": model,
        "instructions": prompt.instructions,
        "input": input_items,
        "tools": [dict(tool) for tool in prompt.tools],
        "tool_choice": "auto",
        "parallel_tool_calls": prompt.parallel_tool_calls,
        "reasoning": reasoning,
        "store": azure,
        "stream": True,
        "include": ["reasoning.encrypted_content"] if reasoning is not None else [],
    }
    if prompt.prompt_cache_key:
        body["prompt_cache_key"] = prompt.prompt_cache_key
    text: dict[str, Any] = {}
    if prompt.verbosity is not None:
        text["verbosity"] = prompt.verbosity
    if prompt.output_schema is not None:
        text["format"] = {
            "type": "json_schema",
            "strict": True,
            "schema": prompt.output_schema,
            "name": OUTPUT_SCHEMA_NAME,
        }
    if text:
        body["text"] = text
    return body


def build_headers(
    provider: ProviderInfo,
    *,
    api_key: str | None,
    originator: str,
    session_id: str,
    turn_state: str | None = None,
    env: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Headers for one request: provider headers first, then ours (which win)."""
    headers = provider.resolved_headers(env)
    headers.update(
        {
            "originator": originator,
            "User-Agent": user_agent(originator, env=env),
            "session_id": session_id,
            "Accept": "text/event-stream",
            "Content-Type": "application/json",
        }
    )
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    if turn_state:
        headers["x-codex-turn-state"] = turn_state
    return headers
