"""Exec policy: ``*.rules`` files, command splitting and rule matching (spec section 5).

Typical use::

    loaded = load_exec_policy(codex_home)          # LoadedPolicy(policy, issues, files)
    for issue in loaded.issues:                     # bad files: path:line: message
        warn(issue.display())
    loaded.policy.check(["git", "push"])            # Evaluation(matched_rules=...)

The approval decision built on top of this lives in :mod:`codex_core.approvals`.
"""

from __future__ import annotations

from codex_core.execpolicy.amend import (
    append_allow_rule,
    append_network_rule,
    default_rules_path,
    format_prefix_rule,
)
from codex_core.execpolicy.command_safety import is_dangerous_command, is_known_safe_command
from codex_core.execpolicy.loader import (
    SYSTEM_RULES_DIR,
    LoadedPolicy,
    LoadIssue,
    ManagedRules,
    load_config_exec_policy,
    load_exec_policy,
    load_rules_files,
    policy_from_requirements_rules,
)
from codex_core.execpolicy.model import (
    Decision,
    Evaluation,
    HeuristicsRuleMatch,
    HostExecutable,
    NetworkProtocol,
    NetworkRule,
    PrefixRule,
    PrefixRuleMatch,
    RuleMatch,
    strictest,
)
from codex_core.execpolicy.parser import (
    ParsedRules,
    RulesParseError,
    normalize_network_host,
    parse_rules_source,
)
from codex_core.execpolicy.policy import ExecPolicy
from codex_core.execpolicy.shell_split import (
    CommandParse,
    parse_command_for_policy,
    parse_command_for_policy_detailed,
    shell_wrapper_script,
    split_shell_command,
)

__all__ = [
    "SYSTEM_RULES_DIR",
    "CommandParse",
    "Decision",
    "Evaluation",
    "ExecPolicy",
    "HeuristicsRuleMatch",
    "HostExecutable",
    "LoadIssue",
    "LoadedPolicy",
    "ManagedRules",
    "NetworkProtocol",
    "NetworkRule",
    "ParsedRules",
    "PrefixRule",
    "PrefixRuleMatch",
    "RuleMatch",
    "RulesParseError",
    "append_allow_rule",
    "append_network_rule",
    "default_rules_path",
    "format_prefix_rule",
    "is_dangerous_command",
    "is_known_safe_command",
    "load_config_exec_policy",
    "load_exec_policy",
    "load_rules_files",
    "normalize_network_host",
    "parse_command_for_policy",
    "parse_command_for_policy_detailed",
    "parse_rules_source",
    "policy_from_requirements_rules",
    "shell_wrapper_script",
    "split_shell_command",
    "strictest",
]
