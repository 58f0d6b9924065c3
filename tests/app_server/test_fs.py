"""`fs/*` over real stdio: the reference's methods, confined by the thread's sandbox policy.

Reads need the path readable under the policy, writes need `SandboxPolicy.allows_write`; symlinks
are judged by where they lead; `.git` and access-`none` paths are refused; without `threadId`
the server config's policy applies.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

import pytest

from tests.app_server.conftest import AppServerClient

NO_TMP = {
    "sandbox_workspace_write.exclude_slash_tmp": True,
    "sandbox_workspace_write.exclude_tmpdir_env_var": True,
}
PROFILE_TABLE = '[permissions.ws.filesystem]\n":workspace_roots" = { "." = "write", "secret" = "none" }\n'


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def error_of(client: AppServerClient, method: str, params: dict[str, Any]) -> dict[str, Any]:
    reply = client.response(client.request(method, params))
    assert "error" in reply, reply
    error: dict[str, Any] = reply["error"]
    return error


def denied(client: AppServerClient, method: str, params: dict[str, Any], *words: str) -> None:
    error = error_of(client, method, params)
    assert error["code"] == -32600, error
    assert error["data"]["codexErrorCode"] == "fs_access_denied", error
    for word in words:
        assert word in error["message"], error


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    out = tmp_path / "outside"
    out.mkdir()
    (out / "target.txt").write_text("outside original\n")
    return out


def test_fs_methods_in_a_workspace_write_thread(client: AppServerClient, workspace: Path, outside: Path) -> None:
    client.initialize()
    thread = client.call("thread/start", {"cwd": str(workspace), "sandbox": "workspace-write", "config": NO_TMP})
    tid = thread["thread"]["id"]
    ws = str(workspace)

    assert client.call("fs/writeFile", {"threadId": tid, "path": f"{ws}/a.txt", "dataBase64": b64(b"hello\n")}) == {}
    assert (workspace / "a.txt").read_bytes() == b"hello\n"
    assert client.call("fs/readFile", {"threadId": tid, "path": f"{ws}/a.txt"}) == {"dataBase64": b64(b"hello\n")}
    meta = client.call("fs/getMetadata", {"threadId": tid, "path": f"{ws}/a.txt"})
    assert meta["isFile"] and not meta["isDirectory"] and not meta["isSymlink"] and meta["createdAtMs"] == 0
    assert meta["modifiedAtMs"] == (workspace / "a.txt").stat().st_mtime_ns // 1_000_000

    client.call("fs/createDirectory", {"threadId": tid, "path": f"{ws}/d/e"})
    not_recursive = error_of(client, "fs/createDirectory", {"threadId": tid, "path": f"{ws}/d/e", "recursive": False})
    assert not_recursive["code"] == -32603 and "File exists" in not_recursive["message"]
    client.call("fs/copy", {"threadId": tid, "sourcePath": f"{ws}/a.txt", "destinationPath": f"{ws}/d/e/b.txt"})
    needs_recursive = error_of(
        client, "fs/copy", {"threadId": tid, "sourcePath": f"{ws}/d", "destinationPath": f"{ws}/d2"}
    )
    assert needs_recursive["code"] == -32600 and "recursive: true" in needs_recursive["message"]
    client.call("fs/copy", {"threadId": tid, "sourcePath": f"{ws}/d", "destinationPath": f"{ws}/d2", "recursive": True})
    assert (workspace / "d2" / "e" / "b.txt").read_bytes() == b"hello\n"

    listing = client.call("fs/readDirectory", {"threadId": tid, "path": ws})["entries"]
    assert listing == [
        {"fileName": "a.txt", "isDirectory": False, "isFile": True},
        {"fileName": "d", "isDirectory": True, "isFile": False},
        {"fileName": "d2", "isDirectory": True, "isFile": False},
    ]
    not_empty = error_of(client, "fs/remove", {"threadId": tid, "path": f"{ws}/d2", "recursive": False})
    assert not_empty["code"] == -32603 and "not empty" in not_empty["message"]
    client.call("fs/remove", {"threadId": tid, "path": f"{ws}/d2"})
    assert not (workspace / "d2").exists()
    client.call("fs/remove", {"threadId": tid, "path": f"{ws}/missing"})  # force defaults to true
    missing = error_of(client, "fs/remove", {"threadId": tid, "path": f"{ws}/missing", "force": False})
    assert missing["code"] == -32603 and "No such file" in missing["message"]
    not_a_file = error_of(client, "fs/readFile", {"threadId": tid, "path": ws})
    assert not_a_file["code"] == -32600 and "is not a file" in not_a_file["message"]
    relative = error_of(client, "fs/readFile", {"threadId": tid, "path": "a.txt"})
    assert relative["code"] == -32602 and "absolute" in relative["message"]

    # outside the writable roots, through a symlink pointing out, into .git: refused, nothing written
    denied(
        client,
        "fs/writeFile",
        {"threadId": tid, "path": f"{outside}/new.txt", "dataBase64": b64(b"x")},
        "writable roots",
    )
    (workspace / "out-link").symlink_to(outside / "target.txt")
    denied(client, "fs/writeFile", {"threadId": tid, "path": f"{ws}/out-link", "dataBase64": b64(b"x")}, "resolves to")
    (workspace / "dir-link").symlink_to(outside)
    denied(client, "fs/writeFile", {"threadId": tid, "path": f"{ws}/dir-link/new.txt", "dataBase64": b64(b"x")})
    denied(client, "fs/copy", {"threadId": tid, "sourcePath": f"{ws}/a.txt", "destinationPath": f"{ws}/dir-link/c.txt"})
    denied(client, "fs/remove", {"threadId": tid, "path": f"{ws}/dir-link/target.txt"})
    assert sorted(os.listdir(outside)) == ["target.txt"]
    assert (outside / "target.txt").read_text() == "outside original\n"
    client.call("fs/remove", {"threadId": tid, "path": f"{ws}/out-link"})  # the link itself is in the workspace
    assert (outside / "target.txt").exists()
    (workspace / ".git").mkdir()
    denied(client, "fs/writeFile", {"threadId": tid, "path": f"{ws}/.git/config", "dataBase64": b64(b"x")}, ".git")
    denied(client, "fs/createDirectory", {"threadId": tid, "path": f"{ws}/sub/.git"}, ".git")
    denied(client, "fs/remove", {"threadId": tid, "path": ws}, "writable root")
    assert not (workspace / ".git" / "config").exists() and not (workspace / "sub").exists()

    # the server's own /proc (its environment holds the API key) is not what a sandboxed command sees
    denied(client, "fs/readFile", {"threadId": tid, "path": "/proc/self/environ"}, "/proc")
    denied(client, "fs/readDirectory", {"threadId": tid, "path": "/proc/self/fd"}, "/proc")
    # without threadId: the server's own config, read-only here (an untrusted directory)
    denied(client, "fs/writeFile", {"path": f"{ws}/b.txt", "dataBase64": b64(b"x")}, "read-only")
    assert client.call("fs/readFile", {"path": f"{ws}/a.txt"}) == {"dataBase64": b64(b"hello\n")}
    gone = error_of(client, "fs/readFile", {"threadId": "nope", "path": f"{ws}/a.txt"})
    assert gone["code"] == -32600 and "not loaded" in gone["message"]


def test_fs_under_a_permission_profile_hides_none_paths_and_unreadable_roots(
    app_env: dict[str, str], codex_home: Path, workspace: Path, outside: Path
) -> None:
    config = codex_home / "config.toml"
    config.write_text('default_permissions = "ws"\n' + config.read_text() + PROFILE_TABLE)
    (workspace / "secret").mkdir()
    (workspace / "secret" / "key.txt").write_text("TOPSECRET\n")
    (workspace / "ok.txt").write_text("fine\n")
    (workspace / "key-link").symlink_to(workspace / "secret" / "key.txt")
    (workspace / "out-link").symlink_to(outside / "target.txt")
    client = AppServerClient(app_env, workspace)
    try:
        client.initialize()
        ws = str(workspace)
        assert client.call("fs/readFile", {"path": f"{ws}/ok.txt"}) == {"dataBase64": b64(b"fine\n")}
        denied(client, "fs/readFile", {"path": f"{ws}/secret/key.txt"}, "access `none`")
        denied(client, "fs/readFile", {"path": f"{ws}/key-link"}, "access `none`")
        denied(client, "fs/getMetadata", {"path": f"{ws}/secret"}, "access `none`")
        denied(client, "fs/readDirectory", {"path": f"{ws}/secret"})
        denied(client, "fs/readFile", {"path": f"{outside}/target.txt"}, "readable roots")
        denied(client, "fs/readFile", {"path": f"{ws}/out-link"}, "readable roots", "resolves to")
        denied(client, "fs/watch", {"watchId": "w", "path": str(outside)}, "readable roots")
        denied(client, "fs/writeFile", {"path": f"{ws}/secret/key.txt", "dataBase64": b64(b"x")}, "access `none`")
        denied(client, "fs/remove", {"path": f"{ws}/secret"}, "access `none`")
        denied(client, "fs/copy", {"sourcePath": ws, "destinationPath": f"{ws}-copy", "recursive": True})
        denied(client, "fs/copy", {"sourcePath": f"{ws}/secret/key.txt", "destinationPath": f"{ws}/leak.txt"})
        listing = {e["fileName"]: e for e in client.call("fs/readDirectory", {"path": ws})["entries"]}
        assert listing["secret"] == {"fileName": "secret", "isDirectory": False, "isFile": False}
        assert listing["key-link"]["isFile"] is False and listing["out-link"]["isFile"] is False
        assert listing["ok.txt"]["isFile"] is True
        client.call("fs/writeFile", {"path": f"{ws}/new.txt", "dataBase64": b64(b"written\n")})
        assert (workspace / "new.txt").read_text() == "written\n"
        assert (workspace / "secret" / "key.txt").read_text() == "TOPSECRET\n"
        assert not (workspace / "leak.txt").exists()
    finally:
        client.close()


def test_fs_watch_reports_changes_until_unwatched(client: AppServerClient, workspace: Path) -> None:
    client.initialize()
    tid = client.call("thread/start", {"cwd": str(workspace), "sandbox": "workspace-write", "config": NO_TMP})[
        "thread"
    ]["id"]
    assert client.call("fs/watch", {"threadId": tid, "watchId": "w1", "path": str(workspace)}) == {
        "path": str(workspace)
    }
    again = error_of(client, "fs/watch", {"watchId": "w1", "path": str(workspace)})
    assert again["code"] == -32600 and "already exists" in again["message"]
    (workspace / "made.txt").write_text("x")
    changed = client.notification("fs/changed")
    assert changed == {"watchId": "w1", "changedPaths": [str(workspace / "made.txt")]}
    assert client.call("fs/unwatch", {"watchId": "w1"}) == {}
    (workspace / "later.txt").write_text("y")
    client.call("fs/readDirectory", {"path": str(workspace)})  # a round trip after the change
    assert sum(1 for m in client.messages if m.get("method") == "fs/changed") == 1
