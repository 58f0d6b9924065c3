"""What the three distributions declare: names, exact pins between them, license, readme,
py.typed, one owner of the `codex` script, no dependency marker that can never apply."""

from __future__ import annotations

import importlib.metadata
import tomllib
from pathlib import Path
from typing import Any

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = {"codex-py-core": "codex-core", "codex-py-exec": "codex-exec", "codex-py-tui": "codex-tui"}
IMPORTS = {"codex-py-core": "codex_core", "codex-py-exec": "codex_exec", "codex-py-tui": "codex_tui"}
SUPPORTED_PYTHONS = ("3.11", "3.12", "3.13", "3.14")


def project(dist: str) -> dict[str, Any]:
    data = tomllib.loads((ROOT / "packages" / FOLDERS[dist] / "pyproject.toml").read_text())
    return dict(data["project"])


@pytest.mark.parametrize("dist", sorted(FOLDERS))
def test_metadata_a_user_sees(dist: str) -> None:
    meta = project(dist)
    folder = ROOT / "packages" / FOLDERS[dist]
    assert meta["name"] == dist
    assert meta["license"] == "Apache-2.0" and meta["license-files"] == ["LICENSE"]
    assert (folder / "LICENSE").read_bytes() == (ROOT / "LICENSE").read_bytes()  # hatchling wants it in the folder
    assert meta["readme"] == "README.md" and (folder / "README.md").read_text().startswith(f"# {dist}\n")
    assert meta["authors"] == [{"name": "codex-py contributors"}]
    assert meta["urls"] and "Typing :: Typed" in meta["classifiers"]
    assert (folder / "src" / IMPORTS[dist] / "py.typed").exists()
    assert importlib.metadata.version(dist) == meta["version"]


@pytest.mark.parametrize("dist", sorted(FOLDERS))
def test_dependencies_have_real_bounds_and_live_markers(dist: str) -> None:
    meta = project(dist)
    python = SpecifierSet(meta["requires-python"])
    for raw in meta["dependencies"]:
        req = Requirement(raw)
        if req.name in FOLDERS:  # released together: exactly the same version
            assert str(req.specifier) == f"=={project(req.name)['version']}", raw
            continue
        assert any(spec.operator == ">=" for spec in req.specifier), f"{dist}: {raw} has no lower bound"
        if req.marker is not None:
            live = [v for v in SUPPORTED_PYTHONS if v in python and _applies(req.marker, v)]
            assert live, f"{dist}: the marker of {raw!r} never applies with requires-python {python}"


def _applies(marker: Marker, python_version: str) -> bool:
    return marker.evaluate({"python_version": python_version, "python_full_version": f"{python_version}.0"})


def test_only_the_exec_distribution_declares_the_codex_script() -> None:
    owners = {dist for dist in FOLDERS if "codex" in project(dist).get("scripts", {})}
    assert owners == {"codex-py-exec"}
    assert project("codex-py-exec")["scripts"]["codex"] == "codex_exec.multitool.entry:main"


def test_versions_printed_match_the_distributions() -> None:
    import codex_core
    from codex_exec._version import VERSION

    assert codex_core.__version__ == importlib.metadata.version("codex-py-core")
    assert VERSION == importlib.metadata.version("codex-py-exec")
