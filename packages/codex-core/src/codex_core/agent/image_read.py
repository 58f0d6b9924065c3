"""Reading a local image for the model (``view_image``, attached images) without leaking files.

``view_image`` runs on the host, outside the sandbox, so it must not become a way around it:

- the path is resolved (symlinks included) and checked against the turn's ``SandboxPolicy``
  the way its commands are confined: inside a ``readable_roots`` tree (when the policy has
  them) and not in or under a ``masked_paths`` entry (access ``none``) -- a link
  ``leak.png -> secret/key.txt`` is judged by where it leads;
- the checked path is then opened one component at a time with ``O_NOFOLLOW``
  (``fs_access.walk.open_regular``), so a directory
  swapped for a symlink between the check and the open makes the read fail instead of landing
  somewhere else, and only a regular file is opened (no FIFO to hang on, no device);
- the bytes must be an image by content (PNG, JPEG, GIF or WebP: what the Responses API
  accepts), whatever the file is called; a text file named ``.png`` is refused.

Errors are ``ImageReadError`` (a ``ValueError``) with a message for the model that names the
path and the reason, never any of the file's bytes.
"""

from __future__ import annotations

import base64
import errno
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from codex_core.sandbox import SandboxPolicy

__all__ = ["MAX_IMAGE_BYTES", "SUPPORTED_FORMATS", "ImageReadError", "image_data_url", "sniff_image_type"]

MAX_IMAGE_BYTES = 20 * 1024 * 1024
SUPPORTED_FORMATS = "PNG, JPEG, GIF or WebP"


class ImageReadError(ValueError):
    """The image cannot be attached; the message is meant for the model (no file content)."""


def sniff_image_type(head: bytes) -> str | None:
    """The MIME type of an image from its first bytes, or ``None`` when it is not one we send."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def check_policy(path: Path, resolved: Path, policy: SandboxPolicy) -> None:
    """Refuse a path a sandboxed command of this turn could not read (``fs_access.refuse_read``,
    the check the app-server's ``fs/*`` methods use): the masks against the path as given, the
    location of its last component (its parent resolved) and the target, so neither a link inside
    a hidden directory nor a link pointing into one gets through; the readable roots against the
    target; the host's ``/proc`` is never readable from a sandbox. ``path`` is absolute and
    ``resolved`` its final target.
    """
    from codex_core.fs_access.checks import Located, refuse_read
    from codex_core.fs_access.errors import FsAccessDenied

    lexical = Path(os.path.normpath(path))
    located = Path(os.path.realpath(lexical.parent)) / lexical.name
    try:
        refuse_read(policy, Located(given=lexical, entry=located, target=resolved), "view")
    except FsAccessDenied as exc:
        raise ImageReadError(str(exc)) from None


def _open_regular(path: Path, *, shown: Path | None = None) -> int:
    """Open the regular file at ``path`` (absolute, symlink-free) with no symlink followed
    (``fs_access.walk.open_regular``: a walk from ``/`` with ``O_NOFOLLOW`` on every component, the
    inode compared after the open). ``shown``: the path to name in errors (the one the model asked for).
    """
    from codex_core.fs_access.walk import open_regular

    shown = path if shown is None else shown
    try:
        return open_regular(path)
    except OSError as exc:
        if exc.errno in (errno.EISDIR, errno.EINVAL):
            raise ImageReadError(f"image path `{shown}` is not a regular file") from None
        raise


def image_data_url(path: Path, *, policy: SandboxPolicy | None = None) -> str:
    """Read the image at ``path`` into a ``data:`` URL; raises ``ImageReadError``.

    ``policy``: the sandbox policy of the turn (``view_image``); ``None`` for images the user
    attached, which are not confined (their content is still checked).
    """
    if not path.is_absolute():
        path = Path.cwd() / path
    # resolved once (``..`` after symlinks, as the kernel does): what is checked is what is opened
    resolved = Path(os.path.realpath(path))
    if policy is not None:
        check_policy(path, resolved, policy)
    try:
        fd = _open_regular(resolved, shown=path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # a component is a symlink after all: a loop, or it was swapped in
            raise ImageReadError(
                f"image `{path}` goes through a symbolic link that cannot be followed safely (a loop, or the "
                "path changed while it was being opened); not attached"
            ) from None
        raise ImageReadError(f"unable to locate image at `{path}`: {exc.strerror}") from None
    with os.fdopen(fd, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size > MAX_IMAGE_BYTES:
            raise ImageReadError(f"image `{path}` is too large ({size} bytes; the limit is {MAX_IMAGE_BYTES})")
        data = f.read(MAX_IMAGE_BYTES + 1)
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageReadError(f"image `{path}` is too large (over {MAX_IMAGE_BYTES} bytes)")
    mime = sniff_image_type(data[:16])
    if mime is None:
        raise ImageReadError(
            f"`{path}` is not a supported image: its content is not {SUPPORTED_FORMATS} (nothing was attached)"
        )
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
