"""The user's default shell, chosen as Codex 0.169 chooses it.

The reference ignores ``$SHELL``: it takes the login shell from the password database and keeps
it when it is bash, zsh or sh; otherwise (fish, ``nologin``, a missing entry) it falls back to
bash on ``PATH``, then ``/bin/bash``, then ``/bin/sh``. Commands the model asks for run as
``<shell> -lc <cmd>`` and the ``<environment_context>`` names the same shell, so the command text
in ``exec --json`` events is ``/bin/bash -lc '…'`` on a typical Linux machine whatever ``$SHELL``
says (a CI runner often has no ``$SHELL`` at all).
"""

from __future__ import annotations

import os
import pwd
import shutil

__all__ = ["default_user_shell"]

_KNOWN_SHELLS = frozenset({"bash", "zsh", "sh"})


def _passwd_shell() -> str | None:
    try:
        shell = pwd.getpwuid(os.getuid()).pw_shell
    except (KeyError, OSError):
        return None
    return shell or None


def default_user_shell() -> str:
    """The absolute path of the shell model commands run through (see the module docstring)."""
    shell = _passwd_shell()
    if shell and os.path.basename(shell) in _KNOWN_SHELLS and os.access(shell, os.X_OK):
        return shell
    for candidate in (shutil.which("bash"), "/bin/bash"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return "/bin/sh"
