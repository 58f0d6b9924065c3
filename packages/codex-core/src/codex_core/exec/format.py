"""What the model sees of a command: truncation (spec 5.4) and formatting (spec 5.3)."""

from __future__ import annotations

import json

from codex_core.exec.result import ExecResult

__all__ = ["DEFAULT_MODEL_OUTPUT_BYTES", "exec_output_text", "format_exec_output_for_model", "truncate_for_model"]

DEFAULT_MODEL_OUTPUT_BYTES = 10_000


def _split_at_byte(text: str, budget: int, *, from_end: bool) -> str:
    """The longest prefix (or suffix) of ``text`` whose UTF-8 encoding fits ``budget`` bytes."""
    data = text.encode("utf-8")
    if len(data) <= budget:
        return text
    if from_end:
        cut = data[len(data) - budget :]
        return cut.decode("utf-8", errors="ignore")
    return data[:budget].decode("utf-8", errors="ignore")


def _truncate_middle(text: str, max_bytes: int) -> str | None:
    if len(text.encode("utf-8")) <= max_bytes:
        return None
    head_budget = max_bytes // 2
    head = _split_at_byte(text, head_budget, from_end=False)
    tail = _split_at_byte(text, max_bytes - head_budget, from_end=True)
    removed = len(text) - len(head) - len(tail)
    return f"{head}…{removed} chars truncated…{tail}"


def truncate_for_model(text: str, max_bytes: int = DEFAULT_MODEL_OUTPUT_BYTES, *, header: bool = True) -> str:
    """``text`` unchanged if it fits ``max_bytes``; else its first and last halves around
    ``…N chars truncated…``, prefixed with ``Total output lines: <n>`` and a blank line
    (``header=False`` leaves the prefix out)."""
    middle = _truncate_middle(text, max_bytes)
    if middle is None:
        return text
    if not header:
        return middle
    return f"Total output lines: {len(text.splitlines())}\n\n{middle}"


def exec_output_text(result: ExecResult) -> str:
    """The untruncated model-facing text: timeout prefix + output + sandbox denial line."""
    text = result.aggregated_output
    if result.timed_out:
        text = f"command timed out after {result.timeout_ms} milliseconds\n{text}"
    if result.sandbox_denied:
        sep = "" if not text or text.endswith("\n") else "\n"
        text = f"{text}{sep}{result.sandbox_denied}\n"
    return text


def format_exec_output_for_model(
    result: ExecResult, *, freeform: bool, max_bytes: int = DEFAULT_MODEL_OUTPUT_BYTES
) -> str:
    """The shell tool's output item text.

    ``freeform=False``: ``{"output": ..., "metadata": {"exit_code": N, "duration_seconds": S}}``
    (JSON, S rounded to 0.1). ``freeform=True`` (freeform apply_patch active):
    ``Exit code: N\\nWall time: S seconds\\n[Total output lines: N\\n]Output:\\n<text>``.
    """
    text = exec_output_text(result)
    duration = round(result.duration_s, 1)
    if not freeform:
        payload = {
            "output": truncate_for_model(text, max_bytes),
            "metadata": {"exit_code": result.exit_code, "duration_seconds": duration},
        }
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    body = truncate_for_model(text, max_bytes, header=False)
    sections = [f"Exit code: {result.exit_code}", f"Wall time: {duration} seconds"]
    if body != text:
        sections.append(f"Total output lines: {len(text.splitlines())}")
    sections += ["Output:", body]
    return "\n".join(sections)
