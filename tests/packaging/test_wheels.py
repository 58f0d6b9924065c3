"""The three wheels as a user gets them: built, then installed into fresh virtualenvs from the
package index plus those wheels only (never the workspace), one distribution at a time."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from codex_exec.multitool.tui import TUI_MISSING
from tests.support.provider import write_provider_config
from tests.support.sse_server import ScriptedResponsesServer, turn_message

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("codex-py-core", "codex-py-exec", "codex-py-tui")


def uv() -> str:
    found = shutil.which("uv")
    assert found, "uv is not on PATH (the workspace is managed with uv)"
    return found


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without anything that points at the workspace or its virtualenv."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "UV_PROJECT_ENVIRONMENT")}
    return {**env, **extra}


@dataclass(frozen=True)
class Venv:
    path: Path

    def bin(self, name: str) -> str:
        return str(self.path / "bin" / name)

    def run(
        self, *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        command = [self.bin(args[0]), *args[1:]]
        return subprocess.run(
            command, cwd=cwd, env=env or clean_env(), capture_output=True, text=True, timeout=timeout,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip

    def python(self, code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return self.run("python", "-c", code, cwd=cwd)


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [uv(), "build", "--wheel", "--all-packages", "--quiet", "--out-dir", str(dist)],
        cwd=ROOT, env=clean_env(), check=True, timeout=300,
    )  # fmt: skip
    built = {p.name.split("-")[0].replace("_", "-"): p for p in dist.glob("*.whl")}
    assert sorted(built) == sorted(PACKAGES)
    return built


def make_venv(root: Path, name: str, wheels: dict[str, Path], wheel: str) -> Venv:
    """A fresh virtualenv with one of our wheels installed: its dependencies come from the package
    index, except our own distributions, which only the built wheels provide."""
    venv = Venv(root / name)
    env = clean_env()
    subprocess.run([uv(), "venv", "--quiet", "--python", sys.executable, str(venv.path)], cwd=root, env=env, check=True)
    find_links = str(wheels[wheel].parent)
    subprocess.run(
        [uv(), "pip", "install", "--quiet", "--python", venv.bin("python"), "--find-links", find_links,
         str(wheels[wheel])],
        cwd=root, env=env, check=True, timeout=600,
    )  # fmt: skip
    return venv


@pytest.fixture(scope="module")
def venvs(wheels: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Venv]]:
    root = tmp_path_factory.mktemp("venvs")
    start = time.monotonic()
    made = {name: make_venv(root, name, wheels, name) for name in PACKAGES}
    print(f"three virtualenvs installed in {time.monotonic() - start:.1f} s")
    yield made


def installed(venv: Venv, cwd: Path) -> dict[str, str]:
    code = "import importlib.metadata as m; print('\\n'.join(f'{d.name} {d.version}' for d in m.distributions()))"
    out = venv.python(code, cwd)
    assert out.returncode == 0, out.stderr
    return dict(line.split(" ", 1) for line in out.stdout.splitlines())


def test_core_alone_imports_from_its_own_wheel(venvs: dict[str, Venv], tmp_path: Path) -> None:
    venv = venvs["codex-py-core"]
    code = (
        "import codex_core, pathlib; from codex_core import Codex, load_config\n"
        "from codex_core.client import resolve_provider\n"
        "path = pathlib.Path(codex_core.__file__)\n"
        "print(path); print((path.parent / 'py.typed').exists())"
    )
    out = venv.python(code, tmp_path)
    assert out.returncode == 0, out.stderr
    where, typed = out.stdout.split()
    assert Path(where).is_relative_to(venv.path) and typed == "True"
    dists = installed(venv, tmp_path)
    assert dists["codex-py-core"] == "0.1.0"
    assert not {"codex-core", "codex-py-exec", "codex-py-tui", "textual"} & set(dists)


def test_exec_alone_is_a_headless_codex(venvs: dict[str, Venv], tmp_path: Path) -> None:
    venv = venvs["codex-py-exec"]
    dists = installed(venv, tmp_path)
    assert dists["codex-py-exec"] == dists["codex-py-core"] == "0.1.0"
    assert "textual" not in dists and "codex-py-tui" not in dists and "codex-core" not in dists
    assert venv.run("codex", "--version", cwd=tmp_path).stdout == "codex-cli 0.1.0\n"
    assert venv.run("codex-exec", "--version", cwd=tmp_path).stdout == "codex-cli-exec 0.1.0\n"
    for sub in ("exec", "app-server", "mcp-server", "sandbox", "execpolicy", "login", "mcp", "features", "doctor"):
        out = venv.run("codex", sub, "--help", cwd=tmp_path)
        assert out.returncode == 0 and out.stdout.startswith(f"Usage: codex {sub}"), (sub, out.stderr)
    out = venv.run("python", "-m", "codex_exec", "--help", cwd=tmp_path)
    assert out.returncode == 0 and out.stdout.startswith("Usage: codex [OPTIONS] [PROMPT]"), out.stderr
    for args in ((), ("resume", "--last")):
        out = venv.run("codex", *args, cwd=tmp_path)
        assert out.returncode == 1 and out.stderr == f"Error: {TUI_MISSING}\n", out.stderr


def test_exec_alone_runs_a_turn(venvs: dict[str, Venv], tmp_path: Path) -> None:
    """One real turn through the installed wheel against the scripted model server."""
    home = tmp_path / "home"
    home.mkdir()
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    with ScriptedResponsesServer() as server:
        write_provider_config(home, server.base_url, retries=0, stream_idle_timeout_ms=5000)
        server.enqueue(turn_message("Installed and answering."))
        env = clean_env(CODEX_HOME=str(home), TEST_API_KEY="sk-test")
        out = venvs["codex-py-exec"].run("codex", "exec", "are you there?", cwd=repo, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "Installed and answering."


def test_tui_adds_the_interactive_ui(venvs: dict[str, Venv], tmp_path: Path) -> None:
    venv = venvs["codex-py-tui"]
    dists = installed(venv, tmp_path)
    assert dists["codex-py-tui"] == dists["codex-py-exec"] == dists["codex-py-core"] == "0.1.0"
    out = venv.run("codex", "--help", cwd=tmp_path)
    assert out.returncode == 0 and "  resume " in out.stdout, out.stderr
    code = "import codex_tui, codex_tui.app, codex_tui.launch, pathlib; print(pathlib.Path(codex_tui.__file__))"
    out = venv.python(code, tmp_path)
    assert out.returncode == 0, out.stderr
    assert Path(out.stdout.strip()).is_relative_to(venv.path)
