"""Protocol coverage against the reference: which of its methods our generated schema describes.

``fixtures/reference_methods.json`` holds the method names of the reference 0.169 schema
(``codex app-server generate-json-schema``, non-experimental). The counts below are checked in:
implementing a method raises them (update the numbers and docs/app-server.md), losing one fails
the test. Every reference client method we do not implement must answer with the clear
"unsupported" error of ``codex_exec.app_server.unsupported`` or be listed as not yet implemented
in the docs; nothing we emit may be a method the reference does not know.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from codex_exec.app_server.schema import message_schemas
from codex_exec.app_server.unsupported import UNSUPPORTED
from tests.app_server.conftest import AppServerClient

FIXTURE = Path(__file__).parent / "fixtures" / "reference_methods.json"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "app-server.md"

EXPECTED = {"clientRequests": 67, "serverNotifications": 32, "serverRequests": 5}
"""How many of the reference's names our generated schema covers (raise when adding methods)."""

_UNIONS = {
    "clientRequests": "ClientRequest.json",
    "serverNotifications": "ServerNotification.json",
    "serverRequests": "ServerRequest.json",
    "clientNotifications": "ClientNotification.json",
}


def _methods(schema: dict[str, Any]) -> list[str]:
    if "anyOf" not in schema:  # a union of one message is that message
        return [schema["properties"]["method"]["const"]]
    defs = schema["$defs"]
    out = []
    for member in schema["anyOf"]:
        definition = defs[member["$ref"].rsplit("/", 1)[1]]
        out.append(definition["properties"]["method"]["const"])
    return out


def _ours() -> dict[str, set[str]]:
    files = message_schemas()
    return {kind: set(_methods(files[name])) for kind, name in _UNIONS.items()}


def _reference() -> dict[str, list[str]]:
    data: dict[str, list[str]] = json.loads(FIXTURE.read_text())
    return data


def test_coverage_counts_match_the_checked_in_numbers_and_the_docs() -> None:
    ours, ref = _ours(), _reference()
    covered = {kind: ours[kind] & set(ref[kind]) for kind in _UNIONS}
    for kind in _UNIONS:
        invented = ours[kind] - set(ref[kind])
        assert not invented, f"{kind}: methods the reference does not have: {sorted(invented)}"
    counts = {kind: len(covered[kind]) for kind in EXPECTED}
    assert counts == EXPECTED, f"coverage changed: {counts} (missing now: " + str(
        {k: sorted(set(ref[k]) - ours[k]) for k in EXPECTED}
    )
    assert covered["clientNotifications"] == {"initialized"}
    docs = DOCS.read_text()
    match = re.search(
        r"implements\s+\*\*(\d+) of (\d+)\*\*\s+client requests,\s+\*\*(\d+) of (\d+)\*\*\s+server notifications"
        r"\s+and\s+\*\*(\d+) of (\d+)\*\*\s+server requests",
        docs,
    )
    assert match, "docs/app-server.md must state the coverage"
    stated = [int(g) for g in match.groups()]
    assert stated == [
        counts["clientRequests"],
        len(ref["clientRequests"]),
        counts["serverNotifications"],
        len(ref["serverNotifications"]),
        counts["serverRequests"],
        len(ref["serverRequests"]),
    ]


def test_unsupported_methods_are_reference_methods_we_do_not_implement_and_are_documented() -> None:
    ours, ref = _ours(), _reference()
    assert set(UNSUPPORTED) <= set(ref["clientRequests"])
    assert not set(UNSUPPORTED) & ours["clientRequests"]
    section = DOCS.read_text().split("## Unsupported methods", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"`([A-Za-z]+(?:/[A-Za-z_]+)*)`", section))
    assert set(UNSUPPORTED) <= listed, sorted(set(UNSUPPORTED) - listed)
    missing = set(ref["clientRequests"]) - ours["clientRequests"] - set(UNSUPPORTED)
    assert missing <= listed, f"reference methods neither implemented nor documented: {sorted(missing - listed)}"


def test_unsupported_method_answers_a_clear_error(client: AppServerClient) -> None:
    client.initialize()
    for method in ("plugin/list", "account/rateLimits/read", "windowsSandbox/readiness"):
        reply = client.response(client.request(method, {}))
        error = reply["error"]
        assert error["code"] == -32601
        assert method in error["message"] and "not supported by codex-py" in error["message"]
        assert error["data"] == {"codexErrorCode": "unsupported_method", "method": method}
    unknown = client.response(client.request("thread/teleport", {}))
    assert unknown["error"] == {"code": -32601, "message": "Method not found: thread/teleport"}
