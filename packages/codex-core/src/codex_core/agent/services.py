"""Per-thread services started on a thread's first turn: exec policy, network proxy, MCP
connections; and turning a prompt plus images into the user message."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from codex_core.agent.simple_tools import image_data_url
from codex_core.agent.state import ThreadState
from codex_core.protocol.items import InputImage, InputText, Message, ResponseItem

__all__ = ["load_exec_policy_once", "notify_payload", "run_notify", "start_mcp", "start_network_proxy", "user_items"]


def load_exec_policy_once(state: ThreadState) -> list[str]:
    """Load the exec policy rules (once per thread); returns warnings about unusable rule files."""
    if state.exec_policy is not None:
        return []
    from codex_core.approvals import SessionApprovals
    from codex_core.execpolicy import load_config_exec_policy

    loaded = load_config_exec_policy(state.config)
    state.exec_policy = loaded.policy
    state.session_approvals = SessionApprovals()
    return [issue.display() for issue in loaded.issues]


def start_network_proxy(state: ThreadState) -> Any:
    """Start the managed network proxy when config enables it; returns its thread (``None`` if off)."""
    cfg = state.config
    if not cfg.feature("network_proxy") and not cfg.requirements.experimental_network:
        return None  # the proxy only runs when a feature flag or managed requirements enable it
    from codex_core.network import network_proxy_for_config
    from codex_core.network.thread import NetworkProxyThread

    policy = state.exec_policy
    domains = policy.compiled_network_domains() if policy is not None else None
    network = network_proxy_for_config(cfg, exec_policy_domains=domains)
    if network is None:
        return None
    proxy = NetworkProxyThread(network).start()
    state.proxy = proxy.sandbox_network()
    state.proxy_env = proxy.env()
    return proxy


async def start_mcp(state: ThreadState) -> None:
    """Connect the enabled MCP servers (bound to the running event loop); their elicitations are
    answered for this thread (``codex_core.mcp.elicitation``)."""
    from codex_core.mcp import McpConnectionManager
    from codex_core.mcp.elicitation import ElicitationRequest, ElicitationResponse, answer_elicitation

    async def elicit(request: ElicitationRequest) -> ElicitationResponse:
        return await answer_elicitation(state, request)

    enabled = {k: v for k, v in state.config.mcp_servers.items() if v.enabled}
    state.mcp = await McpConnectionManager.start(enabled, cwd=state.config.cwd, elicit=elicit)


def _image_parts(n: int, url: str) -> list[InputText | InputImage]:
    return [InputText(text=f"<image name=[Image #{n}]>"), InputImage(image_url=url), InputText(text="</image>")]


def user_items(prompt: str | Sequence[ResponseItem], images: Sequence[Path | str], *, cwd: Path) -> list[ResponseItem]:
    """The user message of a turn: images (URLs, or local files relative to ``cwd``) then the text."""
    if not isinstance(prompt, str):
        return list(prompt)
    parts: list[InputText | InputImage] = []
    for n, img in enumerate(images, start=1):
        if isinstance(img, str) and img.startswith(("http://", "https://", "data:")):
            parts += _image_parts(n, img)
            continue
        path = Path(img)
        try:
            url = image_data_url(path if path.is_absolute() else cwd / path)
        except ValueError as exc:
            parts.append(InputText(text=f"Image {path} could not be attached: {exc}"))
            continue
        parts += _image_parts(n, url)
    parts.append(InputText(text=prompt))
    return [Message(role="user", content=parts)]


def notify_payload(state: ThreadState, turn_id: str, inputs: list[str], last: str | None) -> str:
    """The JSON the ``notify`` command receives as its last argument after a turn."""
    import json

    return json.dumps(
        {
            "type": "agent-turn-complete",
            "thread-id": state.thread_id,
            "turn-id": turn_id,
            "cwd": str(state.config.cwd),
            "input-messages": inputs,
            "last-assistant-message": last,
        }
    )


def run_notify(state: ThreadState, turn_id: str, text: str, last: str | None) -> None:
    """Start the configured ``notify`` command (detached, output discarded); failures are logged."""
    argv = state.config.notify
    if not argv:
        return
    import subprocess

    from codex_core.logging import get_logger

    try:
        subprocess.Popen(
            [*argv, notify_payload(state, turn_id, [text], last)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as exc:
        get_logger(__name__).warning("notify command failed", error=str(exc))
