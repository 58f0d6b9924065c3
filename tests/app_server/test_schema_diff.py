"""Our generated schema diffed against the reference's, field by field (top-level members).

``fixtures/reference_shapes.json`` holds the top-level member names of every params and result
type of the reference 0.169 schema (``codex app-server generate-json-schema``). For each method
we implement, the members the reference has and we lack ("missing") and those we add ("extra")
must be exactly ``KNOWN_DIFFERENCES``: a new gap fails, and so does a closed one (remove it
here). Every method listed is named in docs/app-server.md under "Differences from the reference
schema". ``<union>`` stands for a union type (the reference's login params/results).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from codex_exec.app_server import wire

FIXTURE = Path(__file__).parent / "fixtures" / "reference_shapes.json"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "app-server.md"

KNOWN_DIFFERENCES: dict[str, dict[str, dict[str, list[str]]]] = {
    "account/login/cancel": {"result": {"missing": ["status"], "extra": []}},
    "account/login/start": {
        "params": {"missing": ["<union>"], "extra": ["apiKey", "type"]},
        "result": {"missing": ["<union>"], "extra": ["type"]},
    },
    "command/exec": {"params": {"missing": [], "extra": ["threadId"]}},
    "configRequirements/read": {"result": {"missing": ["supportsIndependentSpeedModes"], "extra": []}},
    "configWarning": {"params": {"missing": ["path", "range"], "extra": []}},
    "fs/copy": {"params": {"missing": [], "extra": ["threadId"]}},
    "fs/createDirectory": {"params": {"missing": [], "extra": ["threadId"]}},
    "fs/getMetadata": {"params": {"missing": [], "extra": ["threadId"]}},
    "fs/readDirectory": {"params": {"missing": [], "extra": ["threadId"]}},
    "fs/readFile": {"params": {"missing": [], "extra": ["threadId"]}},
    "fs/remove": {"params": {"missing": [], "extra": ["threadId"]}},
    "fs/watch": {"params": {"missing": [], "extra": ["threadId"]}},
    "fs/writeFile": {"params": {"missing": [], "extra": ["threadId"]}},
    "fuzzyFileSearch": {"params": {"missing": [], "extra": ["threadId"]}},
    "initialize": {"result": {"missing": [], "extra": ["serverInfo"]}},
    "item/commandExecution/requestApproval": {
        "params": {
            "missing": ["environmentId", "kind", "networkApprovalContext", "proposedNetworkPolicyAmendments"],
            "extra": [],
        }
    },
    "item/completed": {"params": {"missing": ["contentTokenCount"], "extra": []}},
    "mcpServer/resource/read": {"params": {"missing": ["_meta", "connectorId", "target"], "extra": []}},
    "mcpServer/tool/call": {"result": {"missing": ["_meta"], "extra": []}},
    "thread/fork": {
        "params": {"missing": ["serviceTier", "threadSource"], "extra": ["path"]},
        "result": {"missing": ["disabledPluginIds", "instructionSources", "serviceTier"], "extra": []},
    },
    "thread/items/list": {"params": {"missing": ["deferOutput"], "extra": []}},
    "thread/list": {
        "params": {
            "missing": [
                "currentAccountOnly",
                "excludedThreadIds",
                "modelProviders",
                "originators",
                "sortKey",
                "sourceKinds",
                "useStateDbOnly",
            ],
            "extra": [],
        },
        "result": {"missing": ["backwardsCursor"], "extra": []},
    },
    "thread/resume": {
        "params": {"missing": ["personality", "serviceTier"], "extra": []},
        "result": {
            "missing": [
                "collaborationMode",
                "disabledPluginIds",
                "instructionSources",
                "itemsBackwardsCursor",
                "serviceTier",
                "turnsBackwardsCursor",
            ],
            "extra": [],
        },
    },
    "thread/start": {
        "params": {
            "missing": ["personality", "serviceName", "serviceTier", "sessionStartSource", "threadSource"],
            "extra": ["dynamicTools"],
        },
        "result": {"missing": ["disabledPluginIds", "instructionSources", "serviceTier"], "extra": []},
    },
    "turn/start": {
        "params": {
            "missing": [
                "approvalsReviewer",
                "clientUserMessageId",
                "disabledPluginIds",
                "parentTurnId",
                "personality",
                "rootTurnId",
                "serviceTier",
                "serviceTierForTurn",
                "toolOutput",
                "turnTrigger",
            ],
            "extra": [],
        }
    },
}


def _members(model: type[BaseModel], mode: Any) -> list[str]:
    schema = model.model_json_schema(by_alias=True, mode=mode)
    if "properties" in schema:
        return sorted(schema["properties"])
    return ["<union>"] if ("anyOf" in schema or "oneOf" in schema) else []


def _differences() -> dict[str, dict[str, dict[str, list[str]]]]:
    ref = json.loads(FIXTURE.read_text())
    out: dict[str, dict[str, dict[str, list[str]]]] = {}

    def compare(method: str, part: str, ours: list[str], theirs: list[str] | None) -> None:
        if theirs is not None and set(ours) != set(theirs):
            out.setdefault(method, {})[part] = {
                "missing": sorted(set(theirs) - set(ours)),
                "extra": sorted(set(ours) - set(theirs)),
            }

    for kind, registry in (("clientRequests", wire.METHODS), ("serverRequests", wire.SERVER_REQUESTS)):
        for method, (params, result) in registry.items():
            theirs = ref[kind][method]
            compare(method, "params", _members(params, "validation"), theirs["params"])
            compare(method, "result", _members(result, "serialization"), theirs.get("result"))
    for method, note in wire.NOTIFICATIONS.items():
        compare(method, "params", _members(note, "serialization"), ref["serverNotifications"][method]["params"])
    return out


def test_schema_members_differ_from_the_reference_only_as_listed() -> None:
    assert _differences() == KNOWN_DIFFERENCES


def test_every_difference_is_documented() -> None:
    section = DOCS.read_text().split("## Differences from the reference schema", 1)[1].split("\n## ", 1)[0]
    undocumented = [m for m in KNOWN_DIFFERENCES if f"`{m}`" not in section]
    assert not undocumented, undocumented
