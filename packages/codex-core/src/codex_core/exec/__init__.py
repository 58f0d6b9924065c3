"""Running commands for the agent: spawning (sandboxed), capture, timeouts, model formatting.

``run_command`` runs one shell-tool call; ``format_exec_output_for_model`` and
``truncate_for_model`` turn its ``ExecResult`` into what the model reads; ``build_env`` applies
``[shell_environment_policy]``.
"""

from codex_core.exec.capture import DEFAULT_CAPTURE_BYTES, HeadTailBuffer
from codex_core.exec.env import CORE_ENV_VARS, DEFAULT_EXCLUDES, build_env
from codex_core.exec.format import (
    DEFAULT_MODEL_OUTPUT_BYTES,
    exec_output_text,
    format_exec_output_for_model,
    truncate_for_model,
)
from codex_core.exec.result import TIMEOUT_EXIT_CODE, ExecResult
from codex_core.exec.runner import DEFAULT_TIMEOUT_MS, OutputCallback, run_command
from codex_core.exec.spawn import Launcher

__all__ = [
    "CORE_ENV_VARS",
    "DEFAULT_CAPTURE_BYTES",
    "DEFAULT_EXCLUDES",
    "DEFAULT_MODEL_OUTPUT_BYTES",
    "DEFAULT_TIMEOUT_MS",
    "TIMEOUT_EXIT_CODE",
    "ExecResult",
    "HeadTailBuffer",
    "Launcher",
    "OutputCallback",
    "build_env",
    "exec_output_text",
    "format_exec_output_for_model",
    "run_command",
    "truncate_for_model",
]
