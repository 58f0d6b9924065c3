from __future__ import annotations

import sys

import pytest

from codex_core.execpolicy import is_dangerous_command, is_known_safe_command


@pytest.mark.parametrize(
    "argv",
    [
        ["ls"],
        ["/bin/ls", "-la"],
        ["cat", "x"],
        ["grep", "-R", "foo", "."],
        ["base64", "file"],
        ["find", ".", "-name", "*.py"],
        ["rg", "foo", "-n"],
        ["sed", "-n", "10p", "f"],
        ["sed", "-n", "1,5p", "f"],
        ["bash", "-lc", "ls && pwd"],
        ["bash", "-lc", "grep -R 'x' -n || true"],
        ["zsh", "-lc", "ls | wc -l"],
        ["bash", "-lc", "sed -n '1,5p' file.txt"],
    ],
)
def test_known_safe(argv: list[str]) -> None:
    assert is_known_safe_command(argv)


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["git", "status"],
        ["cargo", "check"],
        ["base64", "-o", "out"],
        ["base64", "--output=out"],
        ["base64", "-oout"],
        ["find", ".", "-delete"],
        ["find", ".", "-exec", "rm", "{}", ";"],
        ["find", ".", "-fprint", "/etc/x"],
        ["rg", "--pre", "evil", "x"],
        ["rg", "--pre=evil", "x"],
        ["rg", "-z", "x"],
        ["sed", "-i", "s/a/b/", "f"],
        ["sed", "-n", "xp", "f"],
        ["sed", "-n", "1p", "f", "g"],
        ["bash", "-lc", "ls && rm -rf /"],
        ["bash", "-lc", "ls > out.txt"],
        ["bash", "-lc", "ls $(pwd)"],
        ["bash", "-lc", "git status"],
        ["bash", "-lc", "'git status'"],
        ["bash", "-lc", "git", "status"],
        ["bash", "-lc", "FOO=1 ls"],
    ],
)
def test_not_known_safe(argv: list[str]) -> None:
    assert not is_known_safe_command(argv)


def test_linux_only_safe_commands() -> None:
    assert is_known_safe_command(["tac", "f"]) == sys.platform.startswith("linux")


@pytest.mark.parametrize(
    "argv",
    [
        ["rm", "-rf", "/"],
        ["rm", "-f", "x"],
        ["/bin/rm", "-r", "-f", "x"],
        ["rm", "--force", "x"],
        ["rm", "x", "-f"],
        ["sudo", "ls"],
        ["doas", "reboot"],
        ["git", "reset", "--hard"],
        ["git", "-C", "repo", "reset", "--hard", "HEAD~1"],
        ["git", "clean", "-fdx"],
        ["git", "push", "--force"],
        ["git", "push", "origin", "+main"],
        ["env", "FOO=1", "rm", "-rf", "/"],
        ["nice", "-n", "10", "rm", "-rf", "/"],
        ["mkfs.ext4", "/dev/sda"],
        ["dd", "if=/dev/zero", "of=/dev/sda"],
        ["bash", "-lc", "ls && rm -rf /"],
        ["bash", "-lc", 'echo "$(rm -rf /tmp/x)"'],
        ["bash", "-lc", "FOO=1 rm -rf /"],
        ["bash", "-lc", "for t in a b; do rm -r -f $t; done"],
        ["bash", "-lc", "echo `sudo id`"],
        ["timeout", "10s", "rm", "-rf", "/"],
        ["xargs", "-0", "rm", "-f"],
        ["env", "bash", "-c", "git reset --hard"],
        ["env", "-S", "rm -rf /"],
    ],
)
def test_dangerous(argv: list[str]) -> None:
    assert is_dangerous_command(argv)


@pytest.mark.parametrize(
    "argv",
    [
        ["rm", "-r", "x"],
        ["rm", "--", "-f"],
        ["git", "reset", "--soft"],
        ["git", "push"],
        ["git", "status"],
        ["ls", "-f"],
        ["bash", "-lc", "echo 'rm -rf /tmp/x'"],
        ["dd", "if=/dev/zero", "count=1"],
    ],
)
def test_not_dangerous(argv: list[str]) -> None:
    assert not is_dangerous_command(argv)
