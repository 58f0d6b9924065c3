"""Keys typed while ``codex`` starts: kept from the first byte, Enter stays Enter.

Until Textual puts the terminal into raw mode (a few hundred milliseconds after the process
starts) the terminal is in cooked mode: what the user types is echoed over the screen, held
back until Enter, and Enter itself arrives as ``\\n`` (``ICRNL``), which the composer reads as
Ctrl+J, a newline. ``capture`` switches the terminal to raw input as the very first thing the
console script does and keeps the bytes typed before that moment; the rest stays queued in the
kernel until Textual reads it. ``CodexApp`` replays the kept bytes into the composer ahead of
everything Textual delivers, so nothing typed during start-up is lost or reordered.

The terminal's original settings are restored when the process exits (``atexit``), when a
subcommand that does not open the TUI runs (``release``), and Textual restores them itself on
exit and suspend once the app hands them to its driver (``StartupInput.original``).

Only the standard library is imported here: this runs before anything else is loaded.
"""

from __future__ import annotations

import atexit
import os
import select
from typing import Any

__all__ = ["StartupInput", "capture", "captured", "release"]


class StartupInput:
    """A terminal switched to raw input, its original settings and the bytes typed before."""

    def __init__(self, fd: int, original: list[Any], typed: bytes) -> None:
        self.fd = fd
        self.original = original
        """``termios.tcgetattr`` before ``capture`` changed anything."""
        self._typed = typed
        self._restored = False

    def take_typed(self) -> bytes:
        """The bytes typed in cooked mode (Enter as ``\\r``), once; later calls return ``b""``."""
        typed, self._typed = self._typed, b""
        return typed

    def restore(self) -> None:
        """Put the terminal back as it was (idempotent; bytes still queued stay queued)."""
        if self._restored:
            return
        self._restored = True
        import termios

        try:
            termios.tcsetattr(self.fd, termios.TCSANOW, self.original)
        except (termios.error, OSError):
            pass


_captured: StartupInput | None = None


def captured() -> StartupInput | None:
    """The capture made by ``capture`` in this process, if any."""
    return _captured


def capture(fd: int = 0, out_fd: int = 1) -> StartupInput | None:
    """Switch the terminal on ``fd`` to raw input now and keep what was already typed.

    Does nothing (returns ``None``) unless both ``fd`` and ``out_fd`` are terminals and this
    process is in the terminal's foreground (a background job must not touch its settings).
    """
    global _captured
    if _captured is not None:
        return _captured
    try:
        if not (os.isatty(fd) and os.isatty(out_fd)) or os.tcgetpgrp(fd) != os.getpgrp():
            return None
        import termios

        original = termios.tcgetattr(fd)
    except (OSError, ImportError):
        return None
    iflag, oflag, cflag, lflag, ispeed, ospeed, cc = original
    # Like Textual's own raw mode: no echo, no line buffering, no signals (Ctrl+C is a key the
    # app handles), CR stays CR, no XON/XOFF.
    raw_iflag = iflag & ~(termios.ICRNL | termios.INLCR | termios.IGNCR | termios.IXON | termios.IXOFF)
    raw_lflag = lflag & ~(termios.ECHO | termios.ICANON | termios.IEXTEN | termios.ISIG)
    raw_cc = list(cc)
    raw_cc[termios.VMIN] = 1
    raw_cc[termios.VTIME] = 0
    raw = [raw_iflag, oflag, cflag, raw_lflag, ispeed, ospeed, raw_cc]
    try:
        termios.tcsetattr(fd, termios.TCSANOW, raw)
    except termios.error:
        return None
    typed = _drain(fd)
    if iflag & termios.ICRNL:
        # typed in cooked mode: the line discipline turned Enter (CR) into LF already
        typed = typed.replace(b"\n", b"\r")
    _captured = StartupInput(fd, original, typed)
    atexit.register(_captured.restore)
    return _captured


def release() -> None:
    """For subcommands that do not open the TUI: restore the terminal, keep typed bytes queued."""
    if _captured is not None:
        _captured.restore()


def _drain(fd: int) -> bytes:
    """Read whatever is queued on ``fd`` without blocking (``select``, not ``O_NONBLOCK``, which
    would change the terminal for the shell too)."""
    chunks: list[bytes] = []
    try:
        while select.select([fd], [], [], 0)[0]:
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            chunks.append(chunk)
    except OSError:
        pass
    return b"".join(chunks)
