"""`codex app-server generate-ts`: the declarations type-check with the real TypeScript compiler."""

from __future__ import annotations

import enum
import re
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any, Literal

import pytest
from pydantic import Field

from codex_exec.app_server import wire
from codex_exec.app_server.schema import type_name
from codex_exec.app_server.typescript import HEADER, notification_type_name, write_typescript
from tests.app_server.conftest import CODEX
from tests.compat.node import require_tsc


class Color(enum.StrEnum):
    RED = "red"
    BLUE = "blue"


class Node(wire.Wire):
    """A recursive type (its doc has a */ in it)."""

    name: str = Field(description="The node's name.")
    children: list[Node] = Field(default_factory=list)


class EchoParams(wire.Wire):
    """Schema shapes the real registries may not use yet: enums, tuples, maps, recursion, Any."""

    color: Color = Color.RED
    pair: tuple[int, str]
    tree: Node | None = None
    nodes: dict[str, Node]
    anything: Any
    mode: Literal["a", "b"] | int = "a"


class EchoResponse(wire.Wire):
    tree: Node
    color: Color


GOOD = """\
import type { ClientRequest, ServerNotification, ServerRequest, v2 } from "./gen";
import type { ThreadStartParams } from "./gen/v2/ThreadStartParams";
import type { JsonValue } from "./gen/serde_json/JsonValue";

const params: ThreadStartParams = { cwd: "/src", approvalPolicy: "never", model: null, config: { "a.b": [1, "x"] } };
export const start: ClientRequest = { method: "thread/start", id: 1, params };
export const init: ClientRequest = { method: "initialize", id: "i", params: { clientInfo: { name: "ide", version: "1" } } };
export const turn: ClientRequest = {
  method: "turn/start",
  id: 2,
  params: { threadId: "t", input: [{ type: "text", text: "hi" }, { type: "localImage", path: "a.png" }] },
};

export function describe(n: ServerNotification): string {
  switch (n.method) {
    case "turn/completed":
      return n.params.turn.status;
    case "item/agentMessage/delta":
      return n.params.delta;
    case "item/completed": {
      const item = n.params.item;
      return item.type === "agentMessage" ? item.text : item.id;
    }
    default:
      return n.method;
  }
}

export function answer(r: ServerRequest): JsonValue {
  if (r.method === "item/commandExecution/requestApproval") {
    const reply: v2.CommandExecutionRequestApprovalResponse = { decision: "accept" };
    return { id: r.id, result: reply };
  }
  return null;
}

export function effort(r: v2.ThreadStartResponse): string | null {
  return r.reasoningEffort;
}

const tree: v2.Node = { name: "root", children: [{ name: "leaf" }] };
export const echo: ClientRequest = {
  method: "test/echo",
  id: 3,
  params: { pair: [1, "x"], tree, nodes: { a: tree }, anything: { deep: [null] }, mode: 2, color: "blue" },
};
export function leaves(r: v2.TestEchoResponse): v2.Color {
  return r.tree.children?.length ? r.color : "red";
}
"""

BAD = """\
import type { ClientRequest, ServerNotification, v2 } from "./gen";

export const a: ClientRequest = { method: "thread/start", id: 1, params: { approvalPolicy: "sometimes" } }; // ERR
export const b: ClientRequest = { method: "turn/start", id: 2, params: { input: [] } }; // ERR
export const c: ClientRequest = { method: "no/such/method", id: 3, params: {} }; // ERR
export const d: ClientRequest = { method: "thread/start", id: true, params: {} }; // ERR
export function e(n: ServerNotification): string {
  if (n.method === "turn/completed") return n.params.delta; // ERR
  return "";
}
export function f(r: v2.ThreadStartResponse): string {
  return r.reasoningEffort; // ERR
}
export const g: v2.TestEchoParams = { pair: ["x", 1], nodes: {}, anything: 1 }; // ERR
export const h: v2.Color = "green"; // ERR
"""


def _generate(out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CODEX, "app-server", "generate-ts", "--out", str(out), *args], capture_output=True, text=True, timeout=60
    )


def test_generated_typescript_compiles_and_types_messages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tsc = require_tsc()
    monkeypatch.setitem(wire.METHODS, "test/echo", (EchoParams, EchoResponse))
    write_typescript(tmp_path / "gen")
    assert "*\\/" in (tmp_path / "gen" / "v2" / "Node.ts").read_text()
    (tmp_path / "good.ts").write_text(GOOD)
    (tmp_path / "bad.ts").write_text(BAD)
    files = sorted(str(p) for p in (tmp_path / "gen").rglob("*.ts"))
    options = ["--noEmit", "--strict", "--target", "es2020", "--module", "esnext", "--moduleResolution", "bundler"]
    result = subprocess.run(
        [*tsc, *options, *files, str(tmp_path / "good.ts"), str(tmp_path / "bad.ts")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    errors = re.findall(r"^(\S+?)\((\d+),\d+\): error TS\d+", result.stdout, re.MULTILINE)
    assert result.returncode != 0
    # Every error is in bad.ts, and every line marked ERR there is one: the generated files and
    # good.ts compile cleanly, and the types reject what they should.
    assert {file for file, _ in errors} == {"bad.ts"}, result.stdout
    expected = {i for i, line in enumerate(BAD.splitlines(), 1) if line.endswith("// ERR")}
    assert {int(line) for _, line in errors} == expected, result.stdout


def test_layout_follows_the_reference(tmp_path: Path) -> None:
    out = tmp_path / "ts"
    proc = _generate(out)
    assert proc.returncode == 0, proc.stderr
    files = {p.relative_to(out).as_posix(): p.read_text() for p in out.rglob("*.ts")}
    assert all(text.startswith(HEADER) for text in files.values())
    assert "export type JsonValue = number | string | boolean" in files["serde_json/JsonValue.ts"]
    assert files["RequestId.ts"].endswith("export type RequestId = string | number;\n")
    start = files["v2/ThreadStartParams.ts"]
    assert 'import type { JsonValue } from "../serde_json/JsonValue";' in start
    assert "model?: string | null, " in start and "config?: { [key in string]?: JsonValue } | null" in start
    start_response = files["v2/ThreadStartResponse.ts"]
    assert "reasoningEffort: string | null, " in start_response  # server-sent: always present
    assert 'import type { Thread } from "./Thread";' in start_response
    assert 'import type { ClientInfo } from "./ClientInfo";' in files["InitializeParams.ts"]

    requests = files["ClientRequest.ts"]
    for method in wire.METHODS:
        name = f"{type_name(method)}Params"
        folder = "" if method == "initialize" else "v2/"
        assert f'{{ "method": "{method}", id: RequestId, params: {name}, }}' in requests
        assert f'import type {{ {name} }} from "./{folder}{name}";' in requests
        assert f"v2/{type_name(method)}Response.ts" in files or method == "initialize"
    notes = files["ServerNotification.ts"]
    for method in wire.NOTIFICATIONS:
        assert f'{{ "method": "{method}", params: {notification_type_name(method)}, }}' in notes
    for method in wire.SERVER_REQUESTS:
        assert f'"method": "{method}", id: RequestId' in files["ServerRequest.ts"]
    assert files["ClientNotification.ts"].endswith('export type ClientNotification = { "method": "initialized" };\n')

    def exported(index: str) -> set[str]:
        return set(re.findall(r'^export type \{ (\w+) \} from "\./\1";$', files[index], re.MULTILINE))

    root = {Path(f).stem for f in files if "/" not in f and f != "index.ts"}
    v2 = {Path(f).stem for f in files if f.startswith("v2/") and f != "v2/index.ts"}
    assert exported("index.ts") == root and 'export * as v2 from "./v2";' in files["index.ts"]
    assert exported("v2/index.ts") == v2
    for rel, text in files.items():
        if rel.endswith("index.ts"):
            continue
        stem = Path(rel).stem
        assert f"export type {stem} = " in text, rel
        for target in re.findall(r'^import type \{ \w+ \} from "([^"]+)";$', text, re.MULTILINE):
            assert (out / Path(rel).parent / f"{target}.ts").resolve().is_file(), (rel, target)


def test_prettier_is_run_on_the_output(tmp_path: Path) -> None:
    log = tmp_path / "argv.txt"
    fake = tmp_path / "prettier"
    fake.write_text(
        f"#!{sys.executable}\nimport sys\nopen({str(log)!r}, 'w').write(' '.join(sys.argv[1:]))\n"
        "sys.exit(3 if 'fail' in sys.argv[2] else 0)\n"
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    ok = _generate(tmp_path / "out", "-p", str(fake))
    assert ok.returncode == 0, ok.stderr
    assert log.read_text() == f"--write {tmp_path / 'out'}"
    failed = _generate(tmp_path / "fail", "--prettier", str(fake))
    assert failed.returncode == 1
    assert "Error: prettier failed:" in failed.stderr and "exited with 3" in failed.stderr
    assert "Traceback" not in failed.stderr
    missing = _generate(tmp_path / "out2", "-p", str(tmp_path / "no-such-prettier"))
    assert missing.returncode == 1 and "cannot run" in missing.stderr and "Traceback" not in missing.stderr
