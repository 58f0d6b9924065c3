"""The agent's shell tool reaches the network only through the managed proxy.

Without `allow_local_binding` NO_PROXY is empty, so localhost goes through the proxy like any
public host; `--noproxy ""` makes that explicit, and `--noproxy '*'` tries to go around it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from codex_core import Codex
from codex_core.config import load_config
from codex_core.testing import ScriptedModel, message, shell_call
from tests.network.conftest import Origins
from tests.support.network import proxy_profile_config


@pytest.mark.parametrize("verdict", ["allow", "deny"])
async def test_agent_shell_curl_through_proxy(
    origins: Origins, tmp_path: Path, codex_home: Path, monkeypatch: pytest.MonkeyPatch, verdict: str
) -> None:
    for var in list(os.environ):
        if "proxy" in var.lower():
            monkeypatch.delenv(var)
    # the model below calls the classic `shell` tool, offered only with unified exec off
    config_text = proxy_profile_config(verdict).replace("[features]\n", "[features]\nunified_exec = false\n")
    (codex_home / "config.toml").write_text(config_text)
    work = tmp_path / "work"
    work.mkdir()
    url = f"http://localhost:{origins.http_port}/agent"
    model = ScriptedModel(
        [
            [shell_call(f"curl -sS -i --max-time 10 --noproxy '' {url}", call_id="c1")],
            [shell_call(f"curl -sS --max-time 5 --noproxy '*' {url}", call_id="c2")],
            [message("done")],
        ]
    )
    codex = Codex(load_config(cwd=work), model_client=model)
    thread = codex.start_thread(ephemeral=True)
    result = await thread.run("fetch")
    await codex.aclose()
    assert result.error is None
    outs = {i.call_id: json.loads(i.output) for p in model.prompts for i in p.input if i.type == "function_call_output"}
    via_proxy, direct = outs["c1"], outs["c2"]
    if verdict == "allow":
        assert via_proxy["metadata"]["exit_code"] == 0 and "/agent" in via_proxy["output"]
    else:
        assert "403" in via_proxy["output"] and "blocked-by-denylist" in via_proxy["output"]
    assert direct["metadata"]["exit_code"] != 0  # no direct egress around the proxy
