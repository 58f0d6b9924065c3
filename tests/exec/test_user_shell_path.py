"""The shell model commands run through: the password database's, as the reference picks it."""

from __future__ import annotations

import os
import pwd
import shutil

import pytest

from codex_core.exec import user_shell_path
from codex_core.exec.user_shell_path import default_user_shell


def test_the_login_shell_is_used_and_shell_env_is_not(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHELL", "/bin/sh")
    expected = pwd.getpwuid(os.getuid()).pw_shell
    if os.path.basename(expected) not in {"bash", "zsh", "sh"}:
        pytest.skip(f"this account's shell is {expected}")
    assert default_user_shell() == expected


@pytest.mark.parametrize("login_shell", ["/usr/bin/fish", "/usr/sbin/nologin", None, "/nonexistent/bash"])
def test_other_login_shells_fall_back_to_bash(monkeypatch: pytest.MonkeyPatch, login_shell: str | None) -> None:
    monkeypatch.setattr(user_shell_path, "_passwd_shell", lambda: login_shell)
    assert default_user_shell() == (shutil.which("bash") or "/bin/bash")


def test_sh_is_kept_and_without_bash_sh_is_the_last_resort(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(user_shell_path, "_passwd_shell", lambda: "/bin/sh")
    assert default_user_shell() == "/bin/sh"
    monkeypatch.setattr(user_shell_path, "_passwd_shell", lambda: None)
    monkeypatch.setattr(user_shell_path.shutil, "which", lambda _name: None)
    monkeypatch.setattr(user_shell_path.os, "access", lambda path, _mode: path == "/bin/sh")
    assert default_user_shell() == "/bin/sh"
