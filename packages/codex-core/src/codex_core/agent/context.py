"""Instructions and initial context: base instructions, AGENTS.md, permissions, environment.

The initial context has Codex 0.169's shape: one ``developer`` message whose parts are the
configured ``developer_instructions``, the skills list (``codex_core.skills``, when there are
skills) and the permissions text, then one ``user`` message whose
parts are the AGENTS.md instructions (when there are any) and the environment context. The base
instructions are not part of the history: the request builder sends them first, as a
``developer`` message of their own.
"""

from __future__ import annotations

import datetime
import os
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from codex_core.config import Config
from codex_core.config.project_root import find_project_root
from codex_core.exec.user_shell_path import default_user_shell
from codex_core.protocol.items import InputText, Message

if TYPE_CHECKING:
    from codex_core.skills import SkillsOutcome

__all__ = [
    "base_instructions",
    "discover_project_docs",
    "environment_context",
    "initial_context_items",
    "installation_id",
    "local_timezone",
    "permissions_instructions",
    "skills_instructions",
    "user_instructions",
]

_OVERRIDE = "AGENTS.override.md"
_DEFAULT = "AGENTS.md"


def base_instructions(config: Config) -> str:
    """``base_instructions`` / ``model_instructions_file`` from config, else the built-in prompt."""
    if config.base_instructions:
        return config.base_instructions
    return (Path(__file__).parent / "prompts" / "base_instructions.md").read_text("utf-8")


def _candidate_names(fallbacks: tuple[str, ...]) -> list[str]:
    names = [_OVERRIDE, _DEFAULT]
    for f in fallbacks:
        if f and f not in names:
            names.append(f)
    return names


def discover_project_docs(
    cwd: Path, *, max_bytes: int, fallback_filenames: tuple[str, ...] = (), root_markers: Sequence[str] = (".git",)
) -> str | None:
    """Concatenate AGENTS.md files from the project root (``project_root_markers``, by default
    the git root) down to ``cwd`` (spec 6.4)."""
    if max_bytes == 0:
        return None
    root = find_project_root(cwd, root_markers)
    dirs = [cwd]
    if root is not None:
        dirs = [cwd, *[p for p in cwd.parents if p.is_relative_to(root)]]
    names = _candidate_names(fallback_filenames)
    remaining = max_bytes
    parts: list[str] = []
    for d in reversed(dirs):
        for name in names:
            f = d / name
            if not f.is_file():
                continue
            try:
                with f.open("rb") as fh:
                    data = fh.read(remaining)
            except OSError:
                break
            remaining -= len(data)
            text = data.decode("utf-8", errors="replace")
            if text.strip():
                parts.append(text)
            break
        if remaining <= 0:
            break
    return "\n\n".join(parts) if parts else None


def _global_instructions(codex_home: Path) -> str | None:
    for name in (_OVERRIDE, _DEFAULT):
        f = codex_home / name
        try:
            text = f.read_text("utf-8", errors="replace")
        except OSError:
            continue
        if text.strip():
            return text.strip()
    return None


def user_instructions(config: Config) -> str | None:
    """Config ``instructions`` + global AGENTS.md, then project docs after a separator."""
    head = [t for t in (config.user_instructions, _global_instructions(config.codex_home)) if t]
    project = discover_project_docs(
        config.cwd,
        max_bytes=config.project_doc_max_bytes,
        fallback_filenames=config.project_doc_fallback_filenames,
        root_markers=config.project_root_markers,
    )
    text = "\n\n".join(head)
    if project:
        text = f"{text}\n\n--- project-doc ---\n\n{project}" if text else project
    return text or None


_SANDBOX_TEXT = {
    "read-only": (
        "The sandbox only permits reading files. Network access is {network}. Commands that write "
        "files or need the network will be blocked."
    ),
    "workspace-write": (
        "The sandbox permits reading files, and editing files in the workspace and the writable roots. "
        "Editing files outside them requires approval. Network access is {network}."
    ),
    "danger-full-access": "No filesystem sandboxing: all commands are permitted. Network access is enabled.",
}
_APPROVAL_TEXT = {
    "never": (
        "Approval policy is `never`: you can never ask the user for approval. Work around sandbox "
        "limits yourself and report what could not be done."
    ),
    "untrusted": (
        "Approval policy is `untrusted`: commands outside a known-safe read-only set ask the user for "
        "approval before they run."
    ),
    "on-failure": (
        "Approval policy is `on-failure`: commands run in the sandbox; if one fails because of the "
        "sandbox, the user is asked whether to rerun it without the sandbox."
    ),
    "on-request": (
        "Approval policy is `on-request`: commands run in the sandbox; when a command legitimately needs "
        "to run outside it, set `sandbox_permissions` to `require_escalated` with a one-sentence "
        "`justification` and the user will be asked."
    ),
}


def _writable_roots(config: Config) -> list[Path]:
    roots = [config.cwd, *config.sandbox_workspace_write.writable_roots]
    out: list[Path] = []
    for r in roots:
        if r not in out:
            out.append(r)
    return out


def permissions_instructions(config: Config) -> str:
    mode = config.sandbox_mode
    network = (
        "enabled" if (mode == "danger-full-access" or config.sandbox_workspace_write.network_access) else "restricted"
    )
    if mode == "read-only":
        network = "restricted"
    lines = [
        "<permissions instructions>",
        _SANDBOX_TEXT[mode].format(network=network),
        _APPROVAL_TEXT[config.approval_policy],
    ]
    if mode == "workspace-write":
        roots = _writable_roots(config)
        listed = ", ".join(f"`{r}`" for r in roots)
        lines.append(f"The writable root{'s are' if len(roots) > 1 else ' is'} {listed}.")
    lines.append("</permissions instructions>")
    return "\n".join(lines)


def local_timezone(env: Mapping[str, str] | None = None) -> str:
    """The IANA name of the local time zone (``Etc/UTC``), from ``TZ`` or ``/etc/localtime``."""
    tz = (os.environ if env is None else env).get("TZ", "").strip().lstrip(":")
    if tz and not tz.startswith("/"):
        return tz
    target = tz
    if "zoneinfo/" not in target:
        try:
            target = os.readlink(tz or "/etc/localtime")
        except OSError:
            target = ""
    if "zoneinfo/" in target:
        return target.split("zoneinfo/", 1)[1]
    try:
        name = Path("/etc/timezone").read_text("utf-8").strip()
    except OSError:
        name = ""
    return name or "Etc/UTC"


def environment_context(cwd: Path, shell: str | None = None) -> str:
    """``<environment_context>`` with the cwd, the shell's name, today's date and the time zone."""
    shell_name = Path(shell or default_user_shell()).name
    today = datetime.datetime.now().astimezone().date().isoformat()
    return (
        "<environment_context>\n"
        f"  <cwd>{cwd}</cwd>\n"
        f"  <shell>{shell_name}</shell>\n"
        f"  <current_date>{today}</current_date>\n"
        f"  <timezone>{local_timezone()}</timezone>\n"
        "</environment_context>"
    )


def skills_instructions(config: Config, outcome: SkillsOutcome | None = None) -> tuple[str | None, list[str]]:
    """``(the <skills_instructions> text or None, warnings)``: the skills found for the config
    (or ``outcome``), unless ``skills.include_instructions = false``. The warnings name the
    ``SKILL.md`` files that could not be loaded, and say when the list was cut to its budget."""
    from codex_core.client.model_catalog import find_preset
    from codex_core.skills import discover_skills, render_skills_section, skills_budget

    if outcome is None:
        outcome = discover_skills(config)
    warnings = [str(err) for err in outcome.errors]
    settings = config.toml.skills
    if settings is not None and settings.include_instructions is False:
        return None, warnings
    preset = find_preset(config.model)
    window = config.model_context_window or (preset.context_window if preset else None)
    section = render_skills_section(outcome, skills_budget(window))
    if section is None:
        return None, warnings
    if section.warning:
        warnings.append(section.warning)
    return section.text, warnings


def initial_context_items(config: Config, *, warnings: list[str] | None = None) -> list[Message]:
    """Items recorded before the first user message (spec 6.2), shaped as Codex 0.169 sends them.
    ``warnings``: collects what the user should hear about (skills that could not be loaded)."""
    skills, skill_warnings = skills_instructions(config)
    if warnings is not None:
        warnings.extend(skill_warnings)
    developer = [t for t in (config.developer_instructions, skills, permissions_instructions(config)) if t]
    items = [Message(role="developer", content=[InputText(text=t) for t in developer])]
    user: list[str] = []
    ui = user_instructions(config)
    if ui:
        user.append(f"# AGENTS.md instructions for {config.cwd}\n\n<INSTRUCTIONS>\n{ui}\n</INSTRUCTIONS>")
    user.append(environment_context(config.cwd))
    items.append(Message(role="user", content=[InputText(text=t) for t in user]))
    return items


_INSTALLATION_ID_FILE = "installation_id"
_process_installation_id = str(uuid.uuid4())


def installation_id(codex_home: Path) -> str:
    """This installation's id (``$CODEX_HOME/installation_id``, created on first use, as Codex does).

    A home that cannot be written (read-only, missing) gets one id per process instead.
    """
    path = codex_home / _INSTALLATION_ID_FILE
    try:
        text = path.read_text("utf-8").strip()
        return str(uuid.UUID(text))
    except (OSError, ValueError):
        pass
    value = str(uuid.uuid4())
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        try:
            return str(uuid.UUID(path.read_text("utf-8").strip()))  # written by a concurrent run
        except (OSError, ValueError):
            return _process_installation_id
    except OSError:
        return _process_installation_id
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(value)
    return value
