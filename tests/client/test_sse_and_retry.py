"""Pure units: the incremental SSE decoder and the retry schedule helpers."""

from __future__ import annotations

import email.utils
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codex_core.client import RetryConfig, SseDecoder, SseRecord, backoff_delay, parse_retry_after
from codex_core.client.retry import parse_try_again_in

STREAM = (
    b": comment\r\n"
    b'event: response.created\r\ndata: {"a": 1}\r\n\r\n'
    b"data: line1\ndata: line2\n\n"
    b"event: only-name\n\n"
    b"data:no-space\r\r" + "data: \u00e9t\u00e9 \U0001f600\n\n".encode()
)
EXPECTED = [
    SseRecord("response.created", '{"a": 1}'),
    SseRecord("", "line1\nline2"),
    SseRecord("", "no-space"),
    SseRecord("", "\u00e9t\u00e9 \U0001f600"),
]


def test_decoder_whole_stream() -> None:
    decoder = SseDecoder()
    assert decoder.feed(STREAM) + decoder.flush() == EXPECTED


def test_decoder_byte_by_byte() -> None:
    decoder = SseDecoder()
    records: list[SseRecord] = []
    for i in range(len(STREAM)):
        records += decoder.feed(STREAM[i : i + 1])
    assert records + decoder.flush() == EXPECTED


@given(st.lists(st.integers(min_value=1, max_value=len(STREAM)), max_size=12))
def test_decoder_any_split(cuts: list[int]) -> None:
    points = sorted({0, len(STREAM), *cuts})
    decoder = SseDecoder()
    records: list[SseRecord] = []
    for start, end in itertools.pairwise(points):
        records += decoder.feed(STREAM[start:end])
    assert records + decoder.flush() == EXPECTED


def test_decoder_crlf_split_with_empty_chunk_between() -> None:
    decoder = SseDecoder()
    records = decoder.feed(b"data: a\r") + decoder.feed(b"") + decoder.feed(b"\ndata: b\n\n")
    assert records == [SseRecord("", "a\nb")]  # \r + \n is one line end, not a blank line


def test_decoder_does_not_dispatch_a_trailing_event_without_blank_line() -> None:
    # SSE: "if the file ends in the middle of an event ... the incomplete event is not dispatched".
    decoder = SseDecoder()
    assert decoder.feed(b"data: tail") == []
    assert decoder.flush() == []
    assert decoder.discarded_partial_event


def test_backoff_schedule_and_jitter() -> None:
    cfg = RetryConfig(base_delay=0.2, factor=2.0, jitter=0.1)
    for attempt, nominal in [(1, 0.2), (2, 0.4), (3, 0.8), (4, 1.6)]:
        for _ in range(20):
            delay = backoff_delay(attempt, None, config=cfg)
            assert nominal * 0.9 <= delay <= nominal * 1.1
    assert backoff_delay(3, 7.0, config=cfg) == 7.0
    assert backoff_delay(1, 10_000.0, config=cfg) == cfg.max_server_delay


def test_retry_config_from_env() -> None:
    assert RetryConfig.from_env({"CODEX_RETRY_BASE_MS": "5"}).base_delay == pytest.approx(0.005)
    assert RetryConfig.from_env({}).base_delay == 0.2
    assert RetryConfig.from_env({"CODEX_RETRY_BASE_MS": "junk"}).base_delay == 0.2


def test_parse_retry_after_seconds_and_http_date() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    now = 1_700_000_000.0
    date = email.utils.formatdate(now + 12, usegmt=True)
    assert parse_retry_after(date, now=now) == pytest.approx(12.0)
    assert parse_retry_after(email.utils.formatdate(now - 50, usegmt=True), now=now) == 0.0


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Rate limit reached. Please try again in 1.898s. Visit ...", 1.898),
        ("please TRY AGAIN IN 28ms", 0.028),
        ("try again in 3 seconds", 3.0),
        ("no hint here", None),
    ],
)
def test_parse_try_again_in(message: str, expected: float | None) -> None:
    assert parse_try_again_in(message) == (pytest.approx(expected) if expected is not None else None)
