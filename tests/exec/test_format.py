"""Model-facing formatting and truncation (spec 5.3 / 5.4)."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from codex_core.exec import ExecResult, format_exec_output_for_model, truncate_for_model


def _result(output: str, **kw: object) -> ExecResult:
    base: dict[str, object] = {
        "exit_code": 0, "stdout": output, "stderr": "", "aggregated_output": output, "duration_s": 1.234,
    }  # fmt: skip
    base.update(kw)
    return ExecResult(**base)  # type: ignore[arg-type]


def test_short_text_unchanged() -> None:
    assert truncate_for_model("hello\n", 10) == "hello\n"


def test_truncation_marker_and_header() -> None:
    text = "".join(f"{i}\n" for i in range(1000))  # 3890 bytes, 1000 lines
    out = truncate_for_model(text, 100)
    head, _, rest = out.partition("\n\n")
    assert head == "Total output lines: 1000"
    assert rest.startswith(text[:50]) and rest.endswith(text[-50:])
    removed = len(text) - 100
    assert f"…{removed} chars truncated…" in rest
    assert truncate_for_model(text, 100, header=False) == rest


def test_truncation_respects_utf8_boundaries() -> None:
    text = "é" * 100  # 200 bytes
    out = truncate_for_model(text, 11, header=False)
    head, _, tail = out.partition("…")
    assert head == "é" * 2 and tail.endswith("é" * 3)
    assert "…95 chars truncated…" in out


@given(st.text(max_size=400), st.integers(min_value=2, max_value=300))
def test_truncation_properties(text: str, budget: int) -> None:
    out = truncate_for_model(text, budget, header=False)
    if len(text.encode()) <= budget:
        assert out == text
    else:
        head, _marker, tail = out.partition("…")
        assert text.startswith(head)
        assert len(head.encode()) + len(tail.rsplit("…", 1)[-1].encode()) <= budget


def test_json_form() -> None:
    out = format_exec_output_for_model(_result("hi\n", exit_code=2), freeform=False)
    assert out == '{"output":"hi\\n","metadata":{"exit_code":2,"duration_seconds":1.2}}'
    assert json.loads(out)["output"] == "hi\n"


def test_json_form_timeout_prefix_and_denial_line() -> None:
    r = _result("partial", exit_code=124, timed_out=True, timeout_ms=500)
    assert json.loads(format_exec_output_for_model(r, freeform=False))["output"] == (
        "command timed out after 500 milliseconds\npartial"
    )
    r = _result(
        "touch: x: Read-only file system\n",
        exit_code=1,
        sandbox_denied="blocked by sandbox: write outside writable roots",
    )
    assert json.loads(format_exec_output_for_model(r, freeform=False))["output"] == (
        "touch: x: Read-only file system\nblocked by sandbox: write outside writable roots\n"
    )


def test_freeform_text_form() -> None:
    out = format_exec_output_for_model(_result("a\nb\n", exit_code=1), freeform=True)
    assert out == "Exit code: 1\nWall time: 1.2 seconds\nOutput:\na\nb\n"
    big = "".join(f"{i}\n" for i in range(5000))
    out = format_exec_output_for_model(_result(big), freeform=True, max_bytes=100)
    lines = out.split("\n")
    assert lines[:4] == ["Exit code: 0", "Wall time: 1.2 seconds", "Total output lines: 5000", "Output:"]
    assert "chars truncated…" in out
