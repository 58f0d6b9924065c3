"""``view_image`` reads on the host, outside the sandbox: it must not hand the model files the
turn's commands could not read (issue 14).

Real files, real symlinks, a real permission profile and the agent loop talking to the scripted
local SSE server; each test checks what the model was sent, byte for byte.
"""

from __future__ import annotations

import base64
import errno
import json
import os
from pathlib import Path
from typing import Any

import pytest

from codex_core import Codex
from codex_core.agent.image_read import ImageReadError, _open_regular, image_data_url
from codex_core.config import ConfigOverrides, load_config
from tests.support.provider import TEST_ENV_KEY, provider_overrides
from tests.support.sse_server import ScriptedResponsesServer, ev_completed, ev_created, ev_function_call, turn_message

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")
KEY = b"-----BEGIN PRIVATE KEY-----\nTOPSECRET-view-image-key-material\n-----END PRIVATE KEY-----\n"
SECRET_PNG = PNG + b"TOPSECRET-pixels"
NOTES = b"TOPSECRET notes that merely end in .png\n"
PROFILE = (
    'default_permissions = "ws"\n'
    "[permissions.ws.filesystem]\n"
    '":workspace_roots" = { "." = "write", "secret" = "none" }\n'
)


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A workspace with a hidden ``secret/`` and the files the model will ask for."""
    monkeypatch.setenv(TEST_ENV_KEY, "k")
    ws = tmp_path / "ws"
    (ws / "secret").mkdir(parents=True)
    (ws / "secret" / "key.txt").write_bytes(KEY)
    (ws / "secret" / "pic.png").write_bytes(SECRET_PNG)
    (ws / "leak.png").symlink_to(ws / "secret" / "key.txt")
    (ws / "leak2.png").symlink_to("secret/pic.png")
    (ws / "notes.png").write_bytes(NOTES)
    (ws / "ok.png").write_bytes(PNG)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "elsewhere.png").write_bytes(SECRET_PNG)
    (ws / "out.png").symlink_to(outside / "elsewhere.png")
    return ws


async def _run_view_image(ws: Path, paths: dict[str, str], *, profile: bool, **overrides: Any) -> dict[str, Any]:
    """One turn in which the model calls ``view_image`` on each of ``paths`` (call id -> path);
    returns the second request's JSON body (what the model received)."""
    if profile:
        (Path(os.environ["CODEX_HOME"]) / "config.toml").write_text(PROFILE)
    calls = [ev for call_id, p in paths.items() for ev in ev_function_call("view_image", {"path": p}, call_id)]
    with ScriptedResponsesServer() as server:
        server.enqueue([ev_created(), *calls, ev_completed()], turn_message("done"))
        overrides_ = ConfigOverrides(config_overrides=provider_overrides(server.base_url), **overrides)
        thread = Codex(load_config(overrides_, cwd=ws)).start_thread(ephemeral=True)
        await thread.run("look at these")
        await thread.aclose()
    assert len(server.requests) == 2
    body: dict[str, Any] = server.requests[1].body
    return body


def _outputs(body: dict[str, Any]) -> dict[str, str]:
    return {i["call_id"]: i["output"] for i in body["input"] if i["type"] == "function_call_output"}


def _images(body: dict[str, Any]) -> list[str]:
    return [
        part["image_url"]
        for item in body["input"]
        if item["type"] == "message"
        for part in item["content"]
        if part["type"] == "input_image"
    ]


def _assert_not_sent(body: dict[str, Any], *contents: bytes) -> None:
    text = json.dumps(body)
    assert "TOPSECRET" not in text
    for content in contents:
        assert base64.b64encode(content).decode() not in text


async def test_profile_hides_secret_files_from_view_image(ws: Path) -> None:
    body = await _run_view_image(
        ws,
        {
            "link": "leak.png",  # symlink into the hidden dir
            "link2": "leak2.png",  # relative symlink to a real png in the hidden dir
            "direct": "secret/pic.png",  # a real png in the hidden dir
            "dotdot": "notes/../secret/pic.png",
            "renamed": "notes.png",  # text named .png
            "outside": str(ws.parent / "outside" / "elsewhere.png"),  # not a readable root
            "outside_link": "out.png",
            "ok": "ok.png",
        },
        profile=True,
    )
    out = _outputs(body)
    for call_id in ("link", "link2", "direct", "dotdot"):
        assert "access `none`" in out[call_id] and "secret" in out[call_id], out[call_id]
    assert "not a supported image" in out["renamed"] and "PNG, JPEG, GIF or WebP" in out["renamed"]
    for call_id in ("outside", "outside_link"):
        assert "outside the sandbox's readable roots" in out[call_id], out[call_id]
    assert out["ok"] == "attached local image path"
    assert _images(body) == ["data:image/png;base64," + base64.b64encode(PNG).decode()]
    _assert_not_sent(body, KEY, SECRET_PNG, NOTES)


async def test_full_access_reads_anywhere_but_only_images(ws: Path) -> None:
    fifo = ws / "pipe.png"
    os.mkfifo(fifo)  # must be refused without blocking on open
    body = await _run_view_image(
        ws,
        {"renamed": "notes.png", "key": "secret/key.txt", "fifo": "pipe.png", "outside": "out.png"},
        profile=False,
        sandbox_mode="danger-full-access",
    )
    out = _outputs(body)
    assert "not a supported image" in out["renamed"] and "not a supported image" in out["key"]
    assert "not a regular file" in out["fifo"]
    assert out["outside"] == "attached local image path"
    assert _images(body) == ["data:image/png;base64," + base64.b64encode(SECRET_PNG).decode()]
    text = json.dumps(body)
    assert base64.b64encode(KEY).decode() not in text and base64.b64encode(NOTES).decode() not in text
    assert "TOPSECRET-view-image" not in text and "TOPSECRET notes" not in text


def test_type_comes_from_content_not_name(ws: Path) -> None:
    jpeg_named_png = ws / "photo.png"
    jpeg_named_png.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
    assert image_data_url(jpeg_named_png).startswith("data:image/jpeg;base64,")
    svg = ws / "vector.svg"
    svg.write_text("<svg xmlns='http://www.w3.org/2000/svg'><text>TOPSECRET</text></svg>")
    with pytest.raises(ImageReadError, match="not a supported image") as err:
        image_data_url(svg)
    assert "TOPSECRET" not in str(err.value)


def test_directory_swapped_for_a_symlink_after_the_check_is_not_followed(ws: Path) -> None:
    # what ``image_data_url`` opens is the path it resolved and checked; if a directory on it
    # is replaced by a link meanwhile (here: before the open), the open fails instead of
    # following the link into the hidden directory
    (ws / "pics").symlink_to(ws / "secret")
    with pytest.raises(OSError) as err:
        _open_regular(ws / "pics" / "pic.png")
    assert err.value.errno in (errno.ELOOP, errno.ENOTDIR)
    with pytest.raises(ImageReadError, match="not a regular file"):
        _open_regular(ws / "leak.png")  # nor is a link in the last component
