"""A damaged ``thread_metadata.json`` never turns a request that did its work into an error and
never loses data; list cursors are range-checked (over real stdio, plus the store's read cache)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from codex_exec.app_server.jsonrpc import RpcError
from codex_exec.app_server.thread_meta_store import ThreadMetadataStore
from tests.app_server.conftest import AppServerClient


def _error(client: AppServerClient, method: str, params: Any) -> dict[str, Any]:
    reply = client.response(client.request(method, params))
    assert "error" in reply, reply
    error: dict[str, Any] = reply["error"]
    return error


@pytest.mark.parametrize(
    "damaged",
    [
        '{"sections": [{"id": "s1", "name": "Work"}], "members": {"s1": [{"enteredAt": 1}]}}',  # no threadId
        '{"sections": [',  # not JSON
    ],
)
def test_a_damaged_metadata_file_neither_fails_requests_nor_is_lost(
    app_env: dict[str, str], codex_home: Path, workspace: Path, damaged: str
) -> None:
    store = codex_home / "app_server" / "thread_metadata.json"
    store.parent.mkdir(parents=True)
    store.write_text(damaged)
    client = AppServerClient(app_env, workspace)
    try:
        client.initialize()
        thread = client.call("thread/start", {})["thread"]  # worked: the client learns of the thread
        assert thread["section"] is None
        assert client.notification("thread/started")["thread"]["id"] == thread["id"]
        listed = _error(client, "threadSection/list", {})  # reading it is an error naming the file
        assert listed["code"] == -32603 and str(store) in listed["message"]

        section = client.call("threadSection/create", {"name": "Fresh"})["section"]
        assert client.call("threadSection/list", {})["data"] == [section]
    finally:
        _, stderr = client.close()
    aside = store.with_name("thread_metadata.json.corrupt-1")
    assert aside.read_text() == damaged  # kept, not overwritten
    assert json.loads(store.read_text())["sections"] == [section]
    assert str(aside) in stderr and "thread sections not reported" in stderr


def test_list_cursors_are_range_checked(app_env: dict[str, str], workspace: Path) -> None:
    client = AppServerClient(app_env, workspace)
    try:
        client.initialize()
        client.call("threadSection/create", {"name": "One"})
        for method in ("threadSection/list", "experimentalFeature/list"):
            for cursor in ("-1", "999999", "x"):
                error = _error(client, method, {"cursor": cursor})
                assert error["code"] == -32602 and repr(cursor) in error["message"], (method, error)
        first = client.call("experimentalFeature/list", {"limit": 1})
        second = client.call("experimentalFeature/list", {"cursor": first["nextCursor"], "limit": 1})
        assert second["data"] and second["data"] != first["data"]
    finally:
        client.close()


def test_the_read_cache_sees_a_replaced_file_with_the_same_mtime_and_size(tmp_path: Path) -> None:
    store = ThreadMetadataStore(tmp_path)
    store.dir.mkdir()
    doc = {"sections": [{"id": "a", "name": "A", "appearance": None}], "members": {}, "attachments": {}}
    store.path.write_text(json.dumps(doc))
    stamp = store.path.stat().st_mtime_ns
    assert store.read()["sections"][0]["id"] == "a"
    replacement = tmp_path / "new.json"
    replacement.write_text(json.dumps(doc).replace('"a"', '"b"'))
    os.utime(replacement, ns=(stamp, stamp))
    os.replace(replacement, store.path)  # another server's atomic write: new inode, same mtime and size
    assert store.read()["sections"][0]["id"] == "b"


def test_a_member_without_thread_id_is_a_clear_error(tmp_path: Path) -> None:
    store = ThreadMetadataStore(tmp_path)
    store.dir.mkdir()
    store.path.write_text('{"members": {"s": [{"enteredAt": 1}]}}')
    with pytest.raises(RpcError, match="threadId"):
        store.read()
