from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from codex_core.config import ConfigError, ConfigOverrides, load_config, parse_override


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults(codex_home: Path, tmp_path: Path) -> None:
    cfg = load_config(cwd=tmp_path)
    assert cfg.model_provider_id == "openai"
    assert cfg.approval_policy == "on-request"
    assert cfg.sandbox_mode == "read-only"
    assert cfg.project_doc_max_bytes == 32 * 1024
    assert cfg.shell_environment_policy.inherit == "all"
    assert cfg.history.persistence == "save-all"
    assert cfg.explain("model").layer == "default"


def test_layering_user_profile_override_flag(codex_home: Path, tmp_path: Path) -> None:
    write(
        codex_home / "config.toml",
        """
model = "from-user"
approval_policy = "untrusted"
profile = "fast"

[profiles.fast]
model = "from-profile"
sandbox_mode = "workspace-write"
""",
    )
    cfg = load_config(cwd=tmp_path)
    assert cfg.model == "from-profile"
    assert cfg.explain("model").layer == "profile:fast"
    assert cfg.sandbox_mode == "workspace-write"
    assert cfg.approval_policy == "untrusted"
    assert cfg.explain("approval_policy").path == str(codex_home / "config.toml")

    # a -c override of a profile key loses to the profile (spec 2.2), other keys win
    cfg = load_config(ConfigOverrides(config_overrides=["model=cli-c", "approval_policy=never"]), cwd=tmp_path)
    assert cfg.model == "from-profile"
    assert cfg.approval_policy == "never"
    assert cfg.explain("approval_policy").layer == "session-flags"
    # explicit flags beat everything
    cfg = load_config(ConfigOverrides(model="flag", sandbox_mode="read-only"), cwd=tmp_path)
    assert cfg.model == "flag" and cfg.explain("model").layer == "cli"
    assert cfg.sandbox_mode == "read-only"


def test_override_value_parsing() -> None:
    assert parse_override("model=o3") == ("model", "o3")
    assert parse_override("x=[1,2]") == ("x", [1, 2])
    assert parse_override("x=true") == ("x", True)
    assert parse_override('x="a"') == ("x", "a")
    assert parse_override(" a.b = 3 ") == ("a.b", 3)
    with pytest.raises(ConfigError, match=r"Invalid override \(missing '='\): novalue"):
        parse_override("novalue")
    with pytest.raises(ConfigError, match="Empty key in override"):
        parse_override("=3")


def test_dotted_override_creates_tables(tmp_path: Path) -> None:
    cfg = load_config(
        ConfigOverrides(config_overrides=["sandbox_workspace_write.network_access=true", "mcp_servers.x.command=echo"]),
        cwd=tmp_path,
    )
    assert cfg.sandbox_workspace_write.network_access is True
    assert cfg.mcp_servers["x"].command == "echo"
    assert cfg.explain("mcp_servers.x.command").layer == "session-flags"


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ('model = "a"\n[tui]\nnotifications = true\nanimations = "yes"\n', 4, "`tui.animations`"),
        (
            'model = "a"\napproval_policy = "sometimes"\n',
            2,
            "accepted values: 'untrusted', 'on-failure', 'on-request', 'never' or a `{ granular = { … } }` table",
        ),
        ('\n\n[sandbox_workspace_write]\nnetwork_access = "yes"\n', 4, "`sandbox_workspace_write.network_access`"),
        ("model = \n", 1, "TOML syntax error"),
        ('[model_providers.x]\nwire_api = "chat"\n', 2, 'set wire_api = "responses"'),
        ('[mcp_servers.s]\ncommand = "x"\nurl = "http://h"\n', 1, "exactly one of `command`"),
        ("[features]\nshell_tool = 1\n", 2, "`features.shell_tool`"),
        ('\nmodel_reasoning_effort = "huge"\n', 2, "'none', 'minimal', 'low', 'medium', 'high' or 'xhigh'"),
    ],
)
def test_bad_config_errors_name_file_line_key(
    codex_home: Path, tmp_path: Path, text: str, line: int, needle: str
) -> None:
    path = write(codex_home / "config.toml", text)
    with pytest.raises(ConfigError) as info:
        load_config(cwd=tmp_path)
    err = info.value
    assert err.path == str(path)
    assert err.line == line
    assert needle in str(err)
    assert str(path) in str(err)
    assert path.read_text(encoding="utf-8") == text  # never touched


def test_unknown_profile(codex_home: Path, tmp_path: Path) -> None:
    # `-p b` with neither b.config.toml nor [profiles.b]: Codex 0.169 runs without a profile; we warn
    write(codex_home / "config.toml", "[profiles.a]\nmodel='x'\n")
    cfg = load_config(ConfigOverrides(profile="b"), cwd=tmp_path)
    assert any("config profile `b` not found" in w for w in cfg.warnings)
    # a config file selecting a profile that does not exist is an error
    write(codex_home / "config.toml", "profile = 'b'\n[profiles.a]\nmodel='x'\n")
    with pytest.raises(ConfigError, match="config profile `b` not found"):
        load_config(cwd=tmp_path)


def test_requirements_refuse_explicit_choice(codex_home: Path, tmp_path: Path) -> None:
    req = write(
        tmp_path / "requirements.toml",
        'allowed_approval_policies = ["on-request", "untrusted"]\nallowed_sandbox_modes = ["read-only", "workspace-write"]\n',
    )
    with pytest.raises(ConfigError) as info:
        load_config(ConfigOverrides(approval_policy="never"), cwd=tmp_path, requirements_path=req)
    assert str(info.value) == (
        f"invalid value for `approval_policy`: `Never` is not in the allowed set [OnRequest, Untrusted] (set by {req})"
    )
    with pytest.raises(ConfigError, match="DangerFullAccess"):
        load_config(ConfigOverrides(sandbox_mode="danger-full-access"), cwd=tmp_path, requirements_path=req)
    # a config-file value that violates requirements falls back to the constrained default with a warning
    write(codex_home / "config.toml", 'approval_policy = "never"\n')
    cfg = load_config(cwd=tmp_path, requirements_path=req)
    assert cfg.approval_policy == "on-request"
    assert cfg.explain("approval_policy").layer == "requirements"
    assert any("Never" in w for w in cfg.warnings)


def test_requirements_validation(tmp_path: Path) -> None:
    req = write(tmp_path / "r.toml", "allowed_approval_policies = []\n")
    with pytest.raises(ConfigError, match="cannot be empty"):
        load_config(cwd=tmp_path, requirements_path=req)
    req = write(tmp_path / "r.toml", 'allowed_sandbox_modes = ["workspace-write"]\n')
    with pytest.raises(ConfigError, match="must include 'read-only'"):
        load_config(cwd=tmp_path, requirements_path=req)


def test_full_auto_and_yolo(tmp_path: Path) -> None:
    cfg = load_config(ConfigOverrides(full_auto=True), cwd=tmp_path)
    assert (cfg.approval_policy, cfg.sandbox_mode) == ("on-request", "workspace-write")
    cfg = load_config(ConfigOverrides(dangerously_bypass_approvals_and_sandbox=True), cwd=tmp_path)
    assert (cfg.approval_policy, cfg.sandbox_mode) == ("never", "danger-full-access")
    with pytest.raises(ConfigError):
        load_config(ConfigOverrides(dangerously_bypass_approvals_and_sandbox=True, full_auto=True), cwd=tmp_path)


def test_add_dir_and_cd(tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    extra.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    cfg = load_config(ConfigOverrides(add_dirs=[extra], cwd=work))
    assert cfg.cwd == work.resolve()
    assert extra.resolve() in cfg.sandbox_workspace_write.writable_roots
    with pytest.raises(ConfigError, match="--add-dir"):
        load_config(ConfigOverrides(add_dirs=[tmp_path / "missing"]), cwd=tmp_path)


def test_trusted_project_layer(codex_home: Path, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    sub = repo / "sub"
    sub.mkdir()
    write(repo / ".codex" / "config.toml", 'model = "project-model"\n')
    # untrusted: ignored
    assert load_config(cwd=sub).model != "project-model"
    write(codex_home / "config.toml", f'[projects."{repo}"]\ntrust_level = "trusted"\n')
    cfg = load_config(cwd=sub)
    assert cfg.model == "project-model"
    assert cfg.explain("model").layer == "project"
    assert cfg.sandbox_mode == "workspace-write"  # trusted projects default to workspace-write


def test_enable_unknown_feature(tmp_path: Path) -> None:
    cfg = load_config(ConfigOverrides(enable_features=["nope"]), cwd=tmp_path)
    assert any("Unknown feature flag `nope` (--enable) is ignored" in w for w in cfg.warnings)
    assert cfg.feature("nope") is False
    with pytest.raises(ConfigError, match="Unknown feature flag: nope"):
        load_config(ConfigOverrides(enable_features=["nope"], strict_config=True), cwd=tmp_path)
    cfg = load_config(ConfigOverrides(enable_features=["network_proxy"]), cwd=tmp_path)
    assert cfg.feature("network_proxy") is True


def test_codex_home_must_exist(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CODEX_HOME", str(tmp_path / "nope"))
    with pytest.raises(ConfigError, match="CODEX_HOME"):
        load_config(cwd=tmp_path)


def test_sandbox_flag_leaves_permission_profile_mode(codex_home: Path, tmp_path: Path) -> None:
    write(codex_home / "config.toml", 'default_permissions = ":danger-full-access"\n')
    cfg = load_config(cwd=tmp_path)
    assert cfg.default_permissions == ":danger-full-access" and cfg.sandbox_mode == "danger-full-access"
    cfg = load_config(ConfigOverrides(sandbox_mode="read-only"), cwd=tmp_path)
    assert cfg.default_permissions is None and cfg.sandbox_mode == "read-only"
    from codex_core.sandbox import SandboxPolicy

    assert SandboxPolicy.from_config(cfg).kind == "read-only"


def test_requirements_constrain_permission_profiles(codex_home: Path, tmp_path: Path) -> None:
    write(codex_home / "config.toml", 'default_permissions = ":danger-full-access"\n')
    req = write(tmp_path / "req.toml", 'allowed_sandbox_modes = ["read-only"]\n')
    cfg = load_config(cwd=tmp_path, requirements_path=req)
    assert cfg.default_permissions is None and cfg.sandbox_mode == "read-only"
    assert any("permission profile `:danger-full-access`" in w for w in cfg.warnings)
    from codex_core.sandbox import SandboxPolicy

    assert SandboxPolicy.from_config(cfg).kind == "read-only"


def test_requirements_mcp_allowlist(codex_home: Path, tmp_path: Path) -> None:
    write(
        codex_home / "config.toml",
        '[mcp_servers.approved]\ncommand = "approved-server"\n[mcp_servers.renamed]\ncommand = "other"\n'
        '[mcp_servers.web]\nurl = "https://mcp.example.com/mcp"\n',
    )
    req = write(
        tmp_path / "req.toml",
        '[mcp_servers.approved]\nidentity = { command = "approved-server" }\n'
        '[mcp_servers.web]\nidentity = { url = "https://mcp.example.com/mcp" }\n',
    )
    cfg = load_config(
        ConfigOverrides(config_overrides=['mcp_servers.evil.command="/bin/sh"']), cwd=tmp_path, requirements_path=req
    )
    enabled = {n for n, s in cfg.mcp_servers.items() if s.enabled}
    assert enabled == {"approved", "web"}
    assert any("`evil`" in w for w in cfg.warnings) and any("`renamed`" in w for w in cfg.warnings)
    assert cfg.explain("mcp_servers.evil.enabled").layer == "requirements"


def test_granular_approval_policy(codex_home: Path, tmp_path: Path) -> None:
    write(codex_home / "config.toml", "[approval_policy.granular]\nsandbox_approval = false\nrules = true\n")
    cfg = load_config(cwd=tmp_path)
    assert cfg.approval_policy == "on-request"
    assert cfg.approval_granular is not None and cfg.approval_granular.sandbox_approval is False
    # an unknown switch is ignored with a warning (as Codex 0.169 does), never read as a flag
    write(codex_home / "config.toml", "approval_policy = { granular = { bogus = true } }\n")
    cfg = load_config(cwd=tmp_path)
    assert "`approval_policy.granular.bogus` is ignored" in cfg.warnings[0]
    write(codex_home / "config.toml", "approval_policy = { granular = { rules = 1 } }\n")
    with pytest.raises(ConfigError, match="rules"):
        load_config(cwd=tmp_path)


def test_legacy_managed_config_layer_and_requirements(
    codex_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    managed = write(
        tmp_path / "managed_config.toml",
        'approval_policy = "untrusted"\nsandbox_mode = "workspace-write"\nmodel = "managed-model"\n',
    )
    monkeypatch.setenv("CODEX_MANAGED_CONFIG_PATH", str(managed))
    cfg = load_config(ConfigOverrides(config_overrides=["model=from-c"]), cwd=tmp_path)
    assert cfg.model == "managed-model" and cfg.explain("model").layer == "managed"  # above -c
    assert cfg.approval_policy == "untrusted" and cfg.sandbox_mode == "workspace-write"
    with pytest.raises(ConfigError, match=r"legacy managed_config\.toml"):
        load_config(ConfigOverrides(approval_policy="never"), cwd=tmp_path)
    cfg = load_config(ConfigOverrides(sandbox_mode="read-only"), cwd=tmp_path)
    assert cfg.sandbox_mode == "read-only"
