"""Strict HTTP/1.1 request framing for the proxy (RFC 9112): the request head and its body.

The proxy forwards exactly one request per client connection, and only what it parsed itself.
Anything the proxy and the origin (or the parent proxy) could read differently is refused with a
400 before a byte is forwarded: a bare CR or LF (``X: a\\nHost: evil`` is one header to a strict
reader and two to a lenient one), obsolete line folding, whitespace before a field's colon,
control characters, more than one ``Host``, ``Content-Length`` values that disagree or come with a
``Transfer-Encoding``, and any transfer coding but a lone ``chunked``. The body is then framed by
:class:`FixedLengthBody` / :class:`ChunkedBody`, which pass on exactly the request's body and
nothing after it, so a pipelined second request (say a ``POST`` behind a ``GET`` in ``limited``
mode) never reaches the upstream unchecked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import attrs

from codex_core.network.relay import FramingError

__all__ = [
    "MAX_HEAD",
    "BadRequest",
    "BodyFramer",
    "ChunkedBody",
    "FixedLengthBody",
    "RequestHead",
    "parse_request_head",
    "request_head_end",
]

MAX_HEAD = 64 * 1024
"""Largest request head accepted (431 beyond)."""
_MAX_CHUNK_LINE = 4096
_MAX_TRAILERS = 64 * 1024

_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_REQUEST_LINE = re.compile(rf"({_TOKEN}) ([\x21-\x7e]+) (HTTP/1\.[01])")
# field-value: visible ASCII, SP, HTAB and obs-text; no other control characters
_FIELD_LINE = re.compile(rf"({_TOKEN}):[ \t]*([\t\x20-\x7e\x80-\xff]*?)[ \t]*")
_BARE_CR_OR_LF = re.compile(rb"\r(?!\n)|(?<!\r)\n")
_HOST_VALUE = re.compile(r"[A-Za-z0-9\-._~%!$&'()*+;=:\[\]]*")
_CHUNK_SIZE_LINE = re.compile(rb"([0-9A-Fa-f]{1,15})[ \t]*(?:;[\t\x20-\x7e\x80-\xff]*)?")

_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "proxy-authorization",
        "upgrade",  # one request per connection: a protocol switch cannot be relayed
        "x-unix-socket",
        # framing and routing: always written again from what the proxy parsed
        "host",
        "content-length",
        "transfer-encoding",
    }
)


class BadRequest(Exception):
    """A request the proxy refuses to parse; it is answered with ``status`` and never forwarded."""

    def __init__(self, message: str, status: int = 400, phrase: str = "Bad Request") -> None:
        super().__init__(message)
        self.status = status
        self.phrase = phrase


def request_head_end(buf: bytes | bytearray) -> int | None:
    """The length of the request head at the start of ``buf`` (through its blank line), or None
    while it is incomplete.

    Raises :class:`BadRequest` as soon as a bare CR or LF shows up (a client using LF-only line
    ends gets its 400 at once instead of waiting for a CRLF CRLF that never comes), and with 431
    when the head grows past :data:`MAX_HEAD`.
    """
    end = buf.find(b"\r\n\r\n")
    scan_to = end + 4 if end != -1 else len(buf) - (1 if buf.endswith(b"\r") else 0)
    bad = _BARE_CR_OR_LF.search(buf, 0, scan_to)
    if bad is not None:
        which = "CR" if buf[bad.start()] == 0x0D else "LF"
        raise BadRequest(f"bare {which} in the request head at byte {bad.start()}; lines must end with CRLF")
    if end != -1 and end + 4 <= MAX_HEAD:
        return end + 4
    if end != -1 or len(buf) > MAX_HEAD:
        raise BadRequest(
            f"request head larger than {MAX_HEAD} bytes", status=431, phrase="Request Header Fields Too Large"
        )
    return None


@attrs.frozen
class RequestHead:
    """A parsed, validated request head."""

    method: str
    """As sent (methods are case-sensitive); the proxy decides and forwards ``method.upper()``."""
    target: str
    version: str
    headers: tuple[tuple[str, str], ...]
    content_length: int | None
    chunked: bool

    def value(self, name: str) -> str | None:
        """The value of the one field line called ``name`` (case-insensitive), or None.

        Only for fields :func:`parse_request_head` allows once (``Host``, ``X-Unix-Socket``)."""
        lname = name.lower()
        return next((v for k, v in self.headers if k.lower() == lname), None)

    def body(self) -> BodyFramer:
        """A fresh framer for this request's body (empty when it has none)."""
        if self.chunked:
            return ChunkedBody()
        return FixedLengthBody(self.content_length or 0)

    def forward_head(self, method: str, target: str, *, host: str | None, extra: Sequence[str] = ()) -> bytes:
        """The head sent on: ``host`` (the URI's authority) replaces the client's ``Host``
        (RFC 9112 section 3.2.2) so the origin sees the host the policy checked; hop-by-hop
        fields and the fields the client's ``Connection`` names are dropped; the body's framing
        is written from what the proxy parsed; ``Connection: close`` ends the upstream
        connection after this one request."""
        named = {
            token.strip().lower()
            for k, v in self.headers
            if k.lower() == "connection"
            for token in v.split(",")
            if token.strip()
        }
        lines = [f"{method} {target} {self.version}"]
        client_host = self.value("host")
        if host is not None:
            lines.append(f"Host: {host}")
        elif client_host is not None:
            lines.append(f"Host: {client_host}")
        lines += [f"{k}: {v}" for k, v in self.headers if k.lower() not in _HOP_BY_HOP and k.lower() not in named]
        if self.chunked:
            lines.append("Transfer-Encoding: chunked")
        elif self.content_length is not None:
            lines.append(f"Content-Length: {self.content_length}")
        lines += [*extra, "Connection: close", "", ""]
        return "\r\n".join(lines).encode("latin-1")


def parse_request_head(raw: bytes) -> RequestHead:
    """Parse the bytes :func:`request_head_end` delimited; :class:`BadRequest` for anything
    ambiguous (see the module docstring)."""
    text = raw.decode("latin-1")
    if not text.endswith("\r\n\r\n"):
        raise BadRequest("incomplete request head")
    request_line, *field_lines = text[:-4].split("\r\n")
    m = _REQUEST_LINE.fullmatch(request_line)
    if m is None:
        raise BadRequest(f"malformed request line {request_line[:200]!r}")
    method, target, version = m.groups()
    headers: list[tuple[str, str]] = []
    for number, line in enumerate(field_lines, start=2):
        if line[:1] in (" ", "\t"):
            raise BadRequest(f"obsolete line folding on line {number} of the request head")
        f = _FIELD_LINE.fullmatch(line)
        if f is None:
            raise BadRequest(f"malformed header line {number}: {line[:200]!r}")
        headers.append((f.group(1), f.group(2)))
    _single("Host", headers)
    _single("X-Unix-Socket", headers)
    host = next((v for k, v in headers if k.lower() == "host"), None)
    if host is not None and _HOST_VALUE.fullmatch(host) is None:
        raise BadRequest(f"invalid Host header {host[:200]!r}")
    content_length = _content_length(headers)
    chunked = _chunked(headers, version)
    if chunked and content_length is not None:
        raise BadRequest("conflicting Content-Length and Transfer-Encoding headers")
    return RequestHead(method, target, version, tuple(headers), content_length, chunked)


def _single(name: str, headers: list[tuple[str, str]]) -> None:
    if sum(1 for k, _ in headers if k.lower() == name.lower()) > 1:
        raise BadRequest(f"more than one {name} header")


def _content_length(headers: list[tuple[str, str]]) -> int | None:
    values = [part.strip() for k, v in headers if k.lower() == "content-length" for part in v.split(",")]
    if not values:
        return None
    if any(not v.isascii() or not v.isdigit() or len(v) > 18 for v in values):
        raise BadRequest(f"invalid Content-Length {', '.join(values)[:200]!r}")
    if len({int(v) for v in values}) > 1:
        raise BadRequest(f"conflicting Content-Length values {', '.join(values)[:200]!r}")
    return int(values[0])


def _chunked(headers: list[tuple[str, str]], version: str) -> bool:
    codings = [part.strip().lower() for k, v in headers if k.lower() == "transfer-encoding" for part in v.split(",")]
    if not codings:
        return False
    if version == "HTTP/1.0":
        raise BadRequest("Transfer-Encoding is not allowed in an HTTP/1.0 request")
    if codings != ["chunked"]:
        raise BadRequest(f"unsupported Transfer-Encoding {', '.join(codings)[:200]!r}; only 'chunked' is accepted")
    return True


class BodyFramer:
    """Passes on one request body and nothing after it (see :class:`codex_core.network.relay.Framer`)."""

    done: bool = False

    def feed(self, data: bytes) -> bytes:
        raise NotImplementedError


class FixedLengthBody(BodyFramer):
    """``Content-Length: n`` (0 when the request has no body)."""

    def __init__(self, length: int) -> None:
        self.remaining = length
        self.done = length == 0

    def feed(self, data: bytes) -> bytes:
        if self.done:
            return b""
        out = data[: self.remaining]
        self.remaining -= len(out)
        self.done = self.remaining == 0
        return out


class ChunkedBody(BodyFramer):
    """``Transfer-Encoding: chunked``, checked strictly as it streams through.

    Chunk data passes unchanged; each size line is written again in canonical form (hex size,
    chunk extensions dropped), so the upstream reads the same chunk boundaries the proxy did.
    Trailer fields are checked like header fields and passed on.
    """

    _SIZE, _DATA, _DATA_END, _TRAILER = range(4)

    def __init__(self) -> None:
        self._state = self._SIZE
        self._remaining = 0
        self._line = bytearray()
        self._trailer_bytes = 0

    def feed(self, data: bytes) -> bytes:
        out = bytearray()
        i, n = 0, len(data)
        while i < n and not self.done:
            if self._state == self._DATA:
                take = min(self._remaining, n - i)
                out += data[i : i + take]
                i += take
                self._remaining -= take
                if self._remaining == 0:
                    self._state = self._DATA_END
                continue
            nl = data.find(b"\n", i)
            stop = n if nl == -1 else nl + 1
            self._line += data[i:stop]
            i = stop
            limit = 2 if self._state == self._DATA_END else _MAX_CHUNK_LINE
            if len(self._line) > limit or (self._state == self._DATA_END and not b"\r\n".startswith(self._line)):
                raise FramingError("malformed chunked body: chunk data not followed by CRLF or line too long")
            if nl == -1:
                continue
            line, self._line = bytes(self._line), bytearray()
            out += self._line_done(line)
        return bytes(out)

    def _line_done(self, line: bytes) -> bytes:
        if not line.endswith(b"\r\n") or b"\r" in line[:-2]:
            raise FramingError("malformed chunked body: bare CR or LF")
        content = line[:-2]
        if self._state == self._DATA_END:
            self._state = self._SIZE
            return b"\r\n"
        if self._state == self._SIZE:
            m = _CHUNK_SIZE_LINE.fullmatch(content)
            if m is None:
                raise FramingError(f"malformed chunk size line {content[:100]!r}")
            size = int(m.group(1), 16)
            if size == 0:
                self._state = self._TRAILER
                return b"0\r\n"
            self._state, self._remaining = self._DATA, size
            return b"%x\r\n" % size
        # trailer section
        if not content:
            self.done = True
            return b"\r\n"
        self._trailer_bytes += len(line)
        if self._trailer_bytes > _MAX_TRAILERS:
            raise FramingError("chunked trailer section too large")
        if _FIELD_LINE.fullmatch(content.decode("latin-1")) is None:
            raise FramingError(f"malformed trailer field {content[:100]!r}")
        return line
