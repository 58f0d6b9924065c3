"""Request body and header construction for ``POST {base_url}/responses`` (spec 1.2, 1.3)."""

from __future__ import annotations

import functools
import os
import platform
from collections.abc import Mapping
from typing import Any

from codex_core import __version__
from codex_core.client.providers import ProviderInfo
from codex_core.client.types import Prompt
from codex_core.protocol.items import Message, item_to_api

__all__ = [
    "DEFAULT_ORIGINATOR",
    "OUTPUT_SCHEMA_NAME",
    "TURN_METADATA_KEY",
    "WINDOW_ID_KEY",
    "build_headers",
    "build_request_body",
    "default_originator",
    "user_agent",
]

DEFAULT_ORIGINATOR = "codex_cli_rs"
OUTPUT_SCHEMA_NAME = "codex_output_schema"
WINDOW_ID_KEY = "x-codex-window-id"
TURN_METADATA_KEY = "x-codex-turn-metadata"
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


_OS_NAMES = {
    "debian": "Debian",
    "ubuntu": "Ubuntu",
    "fedora": "Fedora",
    "alpine": "Alpine Linux",
    "arch": "Arch Linux",
    "centos": "CentOS",
    "rhel": "Red Hat Enterprise Linux",
    "opensuse-leap": "openSUSE",
    "nixos": "NixOS",
    "amzn": "Amazon Linux AMI",
}


@functools.cache
def os_description() -> str:
    """``<os type> <os version>`` as Codex reports it: the distribution and a three-part version
    (``Debian 12.0.0``) on Linux, else the kernel name and release."""
    system, release = platform.system() or "unknown", platform.release() or "unknown"
    if system != "Linux":
        return f"{system} {release}"
    try:
        info = platform.freedesktop_os_release()
    except OSError:
        return f"Linux {release}"
    name = _OS_NAMES.get(info.get("ID", ""), info.get("NAME", "Linux"))
    parts = info.get("VERSION_ID", "").split(".")
    if not parts[0].isdigit() or not all(p.isdigit() for p in parts) or len(parts) > 3:
        return f"{name} {info.get('VERSION_ID') or 'Rolling Release'}"
    numbers = [int(p) for p in parts] + [0] * (3 - len(parts))
    return f"{name} {'.'.join(map(str, numbers))}"


def user_agent(originator: str, *, suffix: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """``<originator>/<version> (<os> <os version>; <arch>) <terminal>[ (<suffix>)]``."""
    env = os.environ if env is None else env
    text = f"{originator}/{__version__} ({os_description()}; {platform.machine() or 'unknown'}) {_terminal_token(env)}"
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
    """The JSON body for one sampling request, keys in Codex 0.169's order.

    The base instructions are the first input item (a ``developer`` message) rather than an
    ``instructions`` field, ``reasoning`` is always an object and ``include`` always asks for
    the encrypted reasoning content, as in the reference's requests.
    """
    azure = is_azure_responses_endpoint(provider)
    input_items: list[dict[str, Any]] = []
    if prompt.instructions:
        input_items.append(item_to_api(Message.developer(prompt.instructions)))
    for item in prompt.input:
        data = item_to_api(item)
        item_id = getattr(item, "id", None)
        if azure and item_id and item.type != "function_call_output":
            data["id"] = item_id
        input_items.append(data)
    reasoning: dict[str, Any] = {}
    if prompt.reasoning_effort is not None:
        reasoning["effort"] = prompt.reasoning_effort
    if prompt.reasoning_summary is not None and prompt.reasoning_summary != "none":
        reasoning["summary"] = prompt.reasoning_summary
    body: dict[str, Any] = {
        "model": model,
        "stream": True,
        "input": input_items,
        "tools": [dict(tool) for tool in prompt.tools],
        "tool_choice": "auto",
        "parallel_tool_calls": prompt.parallel_tool_calls,
        "reasoning": reasoning,
        "store": azure,
        "include": ["reasoning.encrypted_content"],
    }
    if prompt.service_tier:
        body["service_tier"] = prompt.service_tier
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
    if prompt.client_metadata:
        body["client_metadata"] = dict(prompt.client_metadata)
    return body


_MIRRORED_METADATA = (WINDOW_ID_KEY, TURN_METADATA_KEY)


def build_headers(
    provider: ProviderInfo,
    *,
    api_key: str | None,
    originator: str,
    session_id: str,
    turn_state: str | None = None,
    env: Mapping[str, str] | None = None,
    client_metadata: Mapping[str, Any] | None = None,
) -> dict[str, str]:
    """Headers for one request: provider headers first, then ours (which win).

    ``session_id`` is the thread id: sent as ``session-id``, ``thread-id`` and
    ``x-client-request-id`` as Codex 0.169 does (there are no sub-agent threads here, so the
    session and the thread are the same). ``x-codex-window-id`` and ``x-codex-turn-metadata``
    repeat the body's ``client_metadata`` entries of the same name.
    """
    headers = provider.resolved_headers(env)
    for key in _MIRRORED_METADATA:
        value = (client_metadata or {}).get(key)
        if isinstance(value, str) and value:
            headers[key] = value
    headers.update(
        {
            "x-client-request-id": session_id,
            "session-id": session_id,
            "thread-id": session_id,
            "Accept": "text/event-stream",
            "Content-Type": "application/json",
            "originator": originator,
            "User-Agent": user_agent(originator, suffix=f"{originator}; {__version__}", env=env),
        }
    )
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    if turn_state:
        headers["x-codex-turn-state"] = turn_state
    return headers
