"""``load_config``: layer config files, apply profile and CLI flags, enforce requirements.

Layers, lowest to highest precedence: built-in defaults, system ``/etc/codex/config.toml``,
user ``$CODEX_HOME/config.toml``, the profile file ``$CODEX_HOME/<profile>.config.toml`` (Codex
0.169's ``-p``), trusted project ``.codex/config.toml`` files (project root down to cwd), then
``-c`` overrides. After merging, a ``[profiles.<name>]`` table (the older profile form) and then
explicit CLI flags win. Managed requirements constrain the result.

Keys no model declares are set aside layer by layer (:mod:`codex_core.config.unknown`) and
reported as one warning naming file, line and key; ``ConfigOverrides.strict_config`` makes the
first of them an error instead.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
from pydantic import ValidationError

from codex_core.config.errors import validation_to_config_error
from codex_core.config.features import KNOWN_FEATURES
from codex_core.config.models import ApprovalPolicy, ConfigToml, SandboxMode
from codex_core.config.overrides import apply_override, deep_merge, parse_override
from codex_core.config.project_root import DEFAULT_PROJECT_ROOT_MARKERS, find_project_root
from codex_core.config.requirements import Requirements, load_requirements
from codex_core.config.resolved import Config, Origin
from codex_core.config.toml_io import MAX_TOML_NESTING, read_toml_file, render_key_path, too_deep_path
from codex_core.config.unknown import UnknownKey, locate, split_unknown, unknown_keys_summary
from codex_core.errors import ConfigError
from codex_core.logging import DEBUG, get_logger

__all__ = ["ConfigOverrides", "find_codex_home", "load_config"]

DEFAULT_SYSTEM_CONFIG = Path("/etc/codex/config.toml")
DEFAULT_MANAGED_CONFIG = Path("/etc/codex/managed_config.toml")
"""Legacy admin config; overridable with ``CODEX_MANAGED_CONFIG_PATH``."""
DEFAULT_MODEL = "gpt-5.1-codex"
DEFAULT_OSS_MODEL = "gpt-oss:20b"
log = get_logger(__name__)


@attrs.frozen(kw_only=True)
class ConfigOverrides:
    """Everything the command line can say about config. ``None`` means "not given"."""

    config_overrides: Sequence[str] = ()
    """Raw ``-c key=value`` strings, in order."""
    profile: str | None = None
    model: str | None = None
    model_provider: str | None = None
    sandbox_mode: SandboxMode | None = None
    approval_policy: ApprovalPolicy | None = None
    full_auto: bool = False
    dangerously_bypass_approvals_and_sandbox: bool = False
    cwd: Path | None = None
    add_dirs: Sequence[Path] = ()
    oss: bool = False
    enable_features: Sequence[str] = ()
    disable_features: Sequence[str] = ()
    search: bool = False
    strict_config: bool = False
    """``--strict-config``: a key this version does not know (or an unknown ``--enable`` name) is
    an error instead of a warning."""
    ignore_user_config: bool = False
    """``--ignore-user-config``: do not read ``$CODEX_HOME/config.toml`` (nor a profile file);
    ``CODEX_HOME`` still holds auth, sessions and rules."""


def find_codex_home(env: Mapping[str, str] | None = None) -> Path:
    """``$CODEX_HOME`` (must exist) or ``~/.codex``."""
    env = os.environ if env is None else env
    raw = env.get("CODEX_HOME")
    if raw:
        p = Path(raw).expanduser()
        if not p.is_dir():
            raise ConfigError(f"CODEX_HOME points to {p}, which does not exist or is not a directory")
        return p.resolve()
    return Path.home() / ".codex"


@attrs.frozen
class _Layer:
    name: str
    path: str | None
    data: dict[str, Any]
    text: str | None


def _validate_layer(layer: _Layer) -> None:
    try:
        ConfigToml.model_validate(layer.data)
    except ValidationError as exc:
        if layer.path is None:  # the -c flags
            err = validation_to_config_error(exc, source="-c overrides", data=layer.data)
            raise ConfigError(err.message.replace("-c overrides: ", "Error in -c override: "), key=err.key) from None
        raise validation_to_config_error(exc, source=layer.path, text=layer.text, data=layer.data) from None


def _known_part(layer: _Layer, unknown: list[UnknownKey], *, strict: bool) -> _Layer:
    """``layer`` without the keys no model declares (collected in ``unknown``), validated.

    With ``strict`` the first unknown key is an error naming file, line and key, as Codex's
    ``--strict-config`` does."""
    kept, paths = split_unknown(ConfigToml, layer.data)
    found = [locate(p, layer=layer.name, source=layer.path, text=layer.text) for p in paths]
    if found and strict:
        first = found[0]  # the first in the file, as Codex reports it
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        if first.source is None:
            message = f"unknown configuration field `{first.key}` in -c/--config override{more}"
        else:
            where = f"{first.source}:{first.line}" if first.line else first.source
            message = f"{where}: unknown configuration field `{first.key}`{more}"
        raise ConfigError(
            message + "; remove it, or run without --strict-config to ignore it with a warning",
            path=first.source,
            line=first.line,
            key=first.key,
        )
    unknown.extend(sorted(found, key=lambda k: k.key))
    known = attrs.evolve(layer, data=kept)
    _validate_layer(known)
    return known


def _record_origins(data: Mapping[str, Any], layer: _Layer, origins: dict[str, Origin], prefix: str = "") -> None:
    for k, v in data.items():
        key = f"{prefix}.{k}" if prefix else k
        if isinstance(v, dict) and v:
            _record_origins(v, layer, origins, key)
        else:
            origins[key] = Origin(layer=layer.name, path=layer.path)


def _project_layers(cwd: Path, user_doc: Mapping[str, Any], root: Path | None) -> list[_Layer]:
    root = root or cwd
    projects = user_doc.get("projects") or {}
    dirs = [cwd] + [p for p in cwd.parents if p.is_relative_to(root)] if cwd.is_relative_to(root) else [cwd]
    layers: list[_Layer] = []
    for d in reversed(dirs):
        f = d / ".codex" / "config.toml"
        if not f.is_file():
            continue
        trust = None
        for candidate in (d, root):
            entry = projects.get(str(candidate))
            if isinstance(entry, dict) and entry.get("trust_level"):
                trust = entry["trust_level"]
                break
        if trust != "trusted":
            continue
        loaded = read_toml_file(f)
        if loaded:
            layers.append(_Layer("project", str(f), loaded[0], loaded[1]))
    return layers


def _session_overrides(raws: Sequence[str]) -> dict[str, Any]:
    """The ``-c key=value`` flags as one table, held to the same nesting limit as config files
    (the value parser overflows on ``-c 'x=[[[[...'`` and the merge recurses per level)."""
    session: dict[str, Any] = {}
    for raw in raws:
        try:
            key, value = parse_override(raw)
        except RecursionError:
            shown = raw if len(raw) <= 60 else raw[:57] + "..."
            raise ConfigError(
                f"Error in -c override {shown!r}: value is nested too deeply "
                f"(more than {MAX_TOML_NESTING} levels of tables and arrays)"
            ) from None
        apply_override(session, key, value)
    deep = too_deep_path(session, MAX_TOML_NESTING)
    if deep is not None:
        key = render_key_path(deep[:8]) + (".…" if len(deep) > 8 else "")
        raise ConfigError(
            f"Error in -c override: `{key}`: nested too deeply (more than {MAX_TOML_NESTING} levels of tables and arrays)",
            key=key,
        )
    return session


def _is_trusted(cwd: Path, doc: Mapping[str, Any], root: Path | None) -> bool:
    projects = doc.get("projects") or {}
    for candidate in (cwd, root):
        if candidate is None:
            continue
        entry = projects.get(str(candidate))
        if isinstance(entry, dict) and entry.get("trust_level") == "trusted":
            return True
    return False


def load_config(
    overrides: ConfigOverrides | None = None,
    *,
    codex_home: Path | None = None,
    cwd: Path | None = None,
    requirements_path: Path | None = None,
    system_config_path: Path | None = None,
    env: Mapping[str, str] | None = None,
    default_approval_policy: ApprovalPolicy | None = None,
) -> Config:
    """Load the effective configuration. Raises ``ConfigError`` on any bad input.

    ``default_approval_policy`` lets a frontend change the built-in default (``codex exec``
    uses ``never``: there is nobody to ask).
    """
    ov = overrides or ConfigOverrides()
    env = os.environ if env is None else env
    home = codex_home or find_codex_home(env)
    work = (cwd or ov.cwd or Path.cwd()).expanduser()
    if ov.cwd is not None and cwd is None:
        work = ov.cwd.expanduser()
    if not work.is_dir():
        raise ConfigError(f"--cd: {work} is not a directory", key="cwd")
    work = work.resolve()  # the directory the user is in; --add-dir paths are checked by the sandbox policy

    strict = ov.strict_config
    unknown: list[UnknownKey] = []
    warnings: list[str] = []
    layers: list[_Layer] = []
    sys_path = system_config_path
    if sys_path is None:
        raw = env.get("CODEX_SYSTEM_CONFIG_PATH")
        sys_path = Path(raw) if raw else DEFAULT_SYSTEM_CONFIG
    file_layers = [("system", sys_path)]
    if not ov.ignore_user_config:
        file_layers.append(("user", home / "config.toml"))
    for name, path in file_layers:
        loaded = read_toml_file(path)
        if loaded is not None:
            layers.append(_known_part(_Layer(name, str(path), loaded[0], loaded[1]), unknown, strict=strict))
    user_doc: dict[str, Any] = {}
    for layer in layers:
        user_doc = deep_merge(user_doc, layer.data)

    session = _session_overrides(ov.config_overrides)
    for names, value in ((ov.enable_features, True), (ov.disable_features, False)):
        flag = "--enable" if value else "--disable"
        for feat in names:
            if feat not in KNOWN_FEATURES:
                if strict:
                    raise ConfigError(f"Unknown feature flag: {feat}", key=f"features.{feat}")
                warnings.append(
                    f"Unknown feature flag `{feat}` ({flag}) is ignored; `codex features list` shows the known ones"
                )
                continue
            table = session.get("features")
            if not isinstance(table, dict):
                table = session["features"] = {}
            table[feat] = value  # not a dotted path: `guardianv2.thread_context` is one name

    # 0.169's profile: $CODEX_HOME/<name>.config.toml, a layer just above the user config
    profile_name = ov.profile or _str_or_none(session.get("profile")) or _str_or_none(user_doc.get("profile"))
    profile_file: Path | None = None
    if profile_name is not None and not ov.ignore_user_config:
        profile_file = _profile_file(home, profile_name)
        loaded = read_toml_file(profile_file)
        if loaded is None:
            profile_file = None
        else:
            layer = _known_part(_Layer("user", str(profile_file), loaded[0], loaded[1]), unknown, strict=strict)
            layers.append(layer)
            user_doc = deep_merge(user_doc, layer.data)

    session_layer: _Layer | None = None
    if session:
        session_layer = _known_part(_Layer("session-flags", None, session, None), unknown, strict=strict)

    markers = _root_markers(deep_merge(user_doc, session_layer.data if session_layer else {}))
    project_root = find_project_root(work, markers)
    project = [_known_part(layer, unknown, strict=strict) for layer in _project_layers(work, user_doc, project_root)]
    layers.extend(project)
    if session_layer is not None:
        layers.append(session_layer)

    # legacy managed config: highest file layer, and a source of requirements (spec 2.2 / 2.3)
    raw_managed = env.get("CODEX_MANAGED_CONFIG_PATH")
    managed_path = Path(raw_managed) if raw_managed else DEFAULT_MANAGED_CONFIG
    managed = read_toml_file(managed_path)
    managed_layer: _Layer | None = None
    if managed is not None:
        managed_layer = _known_part(
            _Layer("managed", str(managed_path), managed[0], managed[1]), unknown, strict=strict
        )
        layers.append(managed_layer)

    merged: dict[str, Any] = {}
    origins: dict[str, Origin] = {}
    for layer in layers:
        merged = deep_merge(merged, layer.data)
        _record_origins(layer.data, layer, origins)
    try:
        doc = ConfigToml.model_validate(merged)
    except ValidationError as exc:  # a combination problem across layers
        raise validation_to_config_error(exc, source="merged configuration", data=merged) from None

    requirements = load_requirements(requirements_path)
    if managed_layer is not None:
        requirements = _requirements_from_managed_config(requirements, managed_layer)

    from codex_core.config.resolve import resolve

    if unknown:
        warnings.insert(0, unknown_keys_summary(unknown))
    if log.is_enabled_for(DEBUG):
        log.debug(
            "config layers loaded", layers=[f"{layer.name}:{layer.path or '-c'}" for layer in layers],
            profile=profile_name, project_root=project_root, requirements=requirements.source, unknown_keys=len(unknown),
        )  # fmt: skip
    return resolve(
        doc,
        origins=origins,
        overrides=ov,
        codex_home=home,
        cwd=work,
        requirements=requirements,
        trusted=_is_trusted(work, merged, project_root),
        default_model=DEFAULT_OSS_MODEL if ov.oss else DEFAULT_MODEL,
        default_approval_policy=default_approval_policy,
        profile_file=profile_file,
        project_root=project_root,
        unknown_keys=tuple(unknown),
        warnings=warnings,
    )


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _profile_file(home: Path, name: str) -> Path:
    """``$CODEX_HOME/<name>.config.toml``; a name that is not a plain file name is refused."""
    if name in (".", "..") or "/" in name or "\\" in name or "\0" in name:
        raise ConfigError(f"invalid profile name `{name}`: it must be a plain file name", key="profile")
    return home / f"{name}.config.toml"


def _root_markers(doc: Mapping[str, Any]) -> tuple[str, ...]:
    """``project_root_markers`` from the layers below the project ones (a project cannot move
    its own root); the default when unset or not a list of strings (validation reports that)."""
    raw = doc.get("project_root_markers")
    if isinstance(raw, list) and all(isinstance(m, str) for m in raw):
        return tuple(raw)
    return DEFAULT_PROJECT_ROOT_MARKERS


def _requirements_from_managed_config(req: Requirements, layer: _Layer) -> Requirements:
    """Legacy ``managed_config.toml`` values become constraints where requirements.toml sets none:
    its ``approval_policy`` is the only allowed policy, its ``sandbox_mode`` is allowed with read-only."""
    updates: dict[str, Any] = {}
    policy = layer.data.get("approval_policy")
    if isinstance(policy, str) and req.allowed_approval_policies is None:
        updates["allowed_approval_policies"] = [policy]
    mode = layer.data.get("sandbox_mode")
    if isinstance(mode, str) and req.allowed_sandbox_modes is None:
        updates["allowed_sandbox_modes"] = list(dict.fromkeys(["read-only", mode]))
    if not updates:
        return req
    source = req.source if req.source != "built-in defaults" else f"{layer.path} (legacy managed_config.toml)"
    return req.model_copy(update={**updates, "source": source})
