"""Host normalisation and domain-pattern matching (spec 4.6) plus managed-pattern coverage (4.5)."""

from __future__ import annotations

import fnmatch
import ipaddress
import re

import attrs

__all__ = [
    "GLOBAL_WILDCARD_ERROR",
    "DomainPattern",
    "DomainPatternError",
    "check_pattern_syntax",
    "is_global_wildcard",
    "normalize_host",
    "normalize_pattern",
    "parse_inet_aton",
    "parse_ip",
    "pattern_covers",
]

GLOBAL_WILDCARD_ERROR = (
    'unsupported global wildcard domain pattern "*"; use exact hosts or scoped wildcards like '
    "*.example.com or **.example.com"
)
"""Error text for ``*`` (or anything expanding to it) in a denylist or a managed list."""

_GLOB_CHARS = re.compile(r"[*?\[\]{}]")
_UNSUPPORTED = re.compile(r"[{}\\/\s]")
"""Characters no host contains and no pattern form gives a meaning to (brace sets, escapes, paths)."""
_PORT_SUFFIX = re.compile(r"\.*|:[0-9]{1,5}")
"""What may follow ``]`` in a bracketed pattern: trailing dots or a port (both dropped)."""
_ZONE = re.compile(r"[^\s*?\[\]{}%/\\]+")
"""An IPv6 zone id (interface name or number) as a pattern may spell it: no glob characters."""
_BRACKET_RULE = "brackets are only supported for IPv6 literals or [*]"


class DomainPatternError(ValueError):
    """A domain pattern that cannot mean what it says (malformed brackets, unsupported syntax).

    Raised instead of compiling the pattern into a rule that never matches: a deny rule that
    silently matches nothing is a hole, so config loading and proxy start-up refuse it.
    """

    def __init__(self, pattern: str, reason: str) -> None:
        super().__init__(f"invalid domain pattern {_quote(pattern)}: {reason}")
        self.pattern = pattern
        self.reason = reason


def _quote(text: str) -> str:
    shown = text if len(text) <= 80 else text[:77] + "..."
    return '"' + shown.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _strip_prefix(pattern: str) -> tuple[str, str]:
    """Split ``**.``/``*.`` off a (trimmed) pattern: ``("**.", "example.com")``."""
    for prefix in ("**.", "*."):
        if pattern.startswith(prefix):
            return prefix, pattern[len(prefix) :]
    return "", pattern


def _bracket_inside(inside: str) -> str:
    """The bracketed text as it will be matched: lowercase, no trailing dots, ``%25`` -> ``%``."""
    return inside.replace("%25", "%", 1).lower().rstrip(".")


def check_pattern_syntax(raw: str) -> None:
    """Raise :class:`DomainPatternError` unless ``raw`` is a pattern the matcher understands.

    Brackets may only enclose an IPv6 literal (optionally with a zone id, ``[fe80::1%eth0]``,
    ``%25`` accepted for ``%``) or ``*``, after an optional ``*.``/``**.`` prefix, followed by
    nothing, trailing dots or a ``:port``: ``[::1]``, ``[2001:db8::1]:443``, ``**.[*]``. Any other
    use of ``[``/``]`` (``[``, ``[::1``, ``[127.0.0.1]``, ``[ab].com``, ``[::1]x``) is refused, as
    are brace sets, backslashes, slashes and inner whitespace, which no host can contain. Empty
    patterns and global wildcards are judged by the callers (they depend on the list).
    """
    pattern = raw.strip()
    if _UNSUPPORTED.search(pattern):
        raise DomainPatternError(raw, "unsupported domain pattern syntax (no braces, slashes, backslashes or spaces)")
    _, host = _strip_prefix(pattern)
    if "[" not in host and "]" not in host:
        return
    inside, close, suffix = host[1:].partition("]")
    if not host.startswith("[") or not close or "[" in inside or not _PORT_SUFFIX.fullmatch(suffix):
        raise DomainPatternError(raw, f"{_BRACKET_RULE}, as in [::1], [fe80::1%eth0] or [2001:db8::1]:443")
    literal = _bracket_inside(inside)
    if literal == "*":
        return
    address, percent, zone = literal.partition("%")
    try:
        ipaddress.IPv6Address(address)
    except ValueError:
        raise DomainPatternError(raw, f"{_BRACKET_RULE}; {_quote(inside)} is not an IPv6 address") from None
    if percent and not _ZONE.fullmatch(zone):
        raise DomainPatternError(raw, f"{_BRACKET_RULE}; the zone id after % must be an interface name or number")


def _idna_label(label: str) -> str:
    if label.isascii() or _GLOB_CHARS.search(label):
        return label
    import idna

    try:
        return idna.encode(label, uts46=True).decode("ascii")
    except idna.IDNAError:
        return label


def _idna(host: str) -> str:
    if host.isascii():
        return host
    return ".".join(_idna_label(label) for label in host.split("."))


def parse_ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The IP address ``host`` spells (zone suffix ignored), or None for a name."""
    text = host.split("%", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


_NUMERIC_PART = re.compile(r"^(0[xX][0-9a-fA-F]*|[0-9]+)$")


def parse_inet_aton(text: str) -> ipaddress.IPv4Address | None:
    """An IPv4 address in any form ``inet_aton(3)`` (and so the system resolver) accepts, or None.

    ``1572395042``, ``0x5db8d822``, ``93.184.55330``, ``0135.0270.0330.042`` all spell
    ``93.184.216.34``: one to four parts, each decimal, octal (leading ``0``) or hex (``0x``);
    the last part fills the remaining bytes.
    """
    parts = text.split(".")
    if not 1 <= len(parts) <= 4 or not all(_NUMERIC_PART.match(p) for p in parts):
        return None
    values: list[int] = []
    for p in parts:
        if p[:2].lower() == "0x":
            values.append(int(p[2:] or "0", 16))
        elif len(p) > 1 and p.startswith("0"):
            if not set(p) <= set("01234567"):
                return None
            values.append(int(p, 8))
        else:
            values.append(int(p))
    *head, last = values
    if any(v > 255 for v in head) or last >= 1 << (8 * (4 - len(head))):
        return None
    number = last
    for i, v in enumerate(head):
        number |= v << (8 * (3 - i))
    return ipaddress.IPv4Address(number)


def normalize_host(raw: str) -> str:
    """Normalise a request host: brackets/port dropped, lowercase, trailing dots stripped, IDNA.

    ``[::1]:443`` -> ``::1``; ``Example.COM.:80`` -> ``example.com``; ``bücher.de`` ->
    ``xn--bcher-kva.de``. IPv6 literals are written in compressed form. Every other spelling of
    an IPv4 address is written dotted-quad, so deny rules cannot be sidestepped by respelling:
    the numeric forms the resolver accepts (``1572395042``, ``0x5db8d822``, ``93.184.55330`` ->
    ``93.184.216.34``, see :func:`parse_inet_aton`) and IPv4-mapped IPv6 (``::ffff:1.2.3.4`` ->
    ``1.2.3.4``). Returns ``""`` for an unusable host (callers treat that as ``not_allowed``).
    """
    s = raw.strip()
    if s.startswith("["):
        end = s.find("]")
        s = s[1:end] if end != -1 else s[1:]
    elif s.count(":") == 1:
        s = s.split(":", 1)[0]
    s = s.replace("%25", "%").lower().rstrip(".")
    if not s:
        return ""
    ip = parse_ip(s)
    if ip is None:
        ip = parse_inet_aton(s)
    if ip is not None:
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            return ip.ipv4_mapped.compressed
        zone = s[s.index("%") :] if "%" in s else ""
        return ip.compressed + zone
    return _idna(s)


def normalize_pattern(raw: str) -> str:
    """Normalise a domain pattern: the ``*.``/``**.`` prefix is kept, the rest as a host.

    A bracketed remainder is unwrapped like a request host, so ``[2001:DB8::1]:443`` is
    ``2001:db8::1`` (the form :func:`normalize_host` gives the request ``[2001:db8::1]``),
    ``[::ffff:127.0.0.1]`` is ``127.0.0.1``, ``[fe80::1%25eth0]`` is ``fe80::1%eth0`` and
    ``[*]``/``**.[*]`` are ``*``/``**.*``. Never raises; :func:`check_pattern_syntax` judges.
    """
    prefix, rest = _strip_prefix(raw.strip())
    if prefix:
        return prefix + normalize_host(rest)
    if rest == "*":
        return "*"
    if rest.startswith("[") and "]" in rest:
        return normalize_host(rest)
    if _GLOB_CHARS.search(rest):
        return _idna(rest.lower().rstrip("."))
    return normalize_host(rest)


def is_global_wildcard(pattern: str) -> bool:
    """True for ``*`` and patterns that expand to every host.

    ``**``, ``*.``, ``**.``, ``[*]``, ``[*]:443``, ``**.*`` and ``**.[*]`` (``**.d`` covers ``d``
    itself, so with ``d = *`` every host); ``*.*`` is not (it needs a dot in the host).
    """
    norm = normalize_pattern(pattern)
    if norm in ("*.", "**."):  # a prefix with no domain after it
        return True
    while norm.startswith("**."):
        norm = norm[3:]
    return norm != "" and set(norm) <= {"*"}


def _is_ip_glob(glob: str) -> bool:
    """An address glob: ``10.0.0.*`` (no letters) or ``2001:db8::*`` (no host name has a colon)."""
    return ":" in glob or not re.search(r"[a-z]", glob)


@attrs.frozen
class DomainPattern:
    """A compiled domain pattern; :meth:`matches` expects a host from :func:`normalize_host`."""

    raw: str
    normalized: str
    kind: str
    """``exact``, ``subdomains`` (``*.d``), ``apex_and_subdomains`` (``**.d``), ``global`` or ``glob``."""
    base: str
    """The domain after a ``*.``/``**.`` prefix; the whole pattern for other kinds."""

    @classmethod
    def parse(cls, raw: str) -> DomainPattern:
        """Compile ``raw``; :class:`DomainPatternError` when it is malformed (never a dead rule)."""
        check_pattern_syntax(raw)
        norm = normalize_pattern(raw)
        if norm == "*" or is_global_wildcard(norm):
            return cls(raw, "*", "global", "*")
        if norm.startswith("**."):
            return cls(raw, norm, "apex_and_subdomains", norm[3:])
        if norm.startswith("*."):
            return cls(raw, norm, "subdomains", norm[2:])
        if _GLOB_CHARS.search(norm):
            return cls(raw, norm, "glob", norm)
        return cls(raw, norm, "exact", norm)

    @property
    def has_wildcard(self) -> bool:
        return self.kind != "exact"

    @property
    def is_ip(self) -> bool:
        return self.kind == "exact" and parse_ip(self.normalized) is not None

    @property
    def is_ip_rule(self) -> bool:
        """An exact IP or an IP glob such as ``10.0.0.*`` (a rule that can match an address)."""
        return self.is_ip or (self.kind == "glob" and _is_ip_glob(self.normalized))

    def matches(self, host: str) -> bool:
        """Whether normalised ``host`` matches. IP-literal hosts match only IP rules (and ``*``).

        An IP pattern without a zone id matches the address on any link (``[fe80::1]`` matches
        ``fe80::1%eth0``: a zone picks the interface, not another host, so appending one must not
        slip past a deny); a pattern with a zone id matches only that zone.
        """
        if not host:
            return False
        if self.kind == "global":
            return True
        host_is_ip = parse_ip(host) is not None
        if self.kind == "exact":
            return host == self.normalized or (
                host_is_ip and "%" not in self.normalized and _unzoned(host) == self.normalized
            )
        if host_is_ip:
            # globs such as 192.168.1.* are IP rules; name patterns never match IP literals
            return self.kind == "glob" and _is_ip_glob(self.normalized) and fnmatch.fnmatchcase(host, self.normalized)
        if self.kind == "subdomains":
            return host.endswith("." + self.base) and len(host) > len(self.base) + 1
        if self.kind == "apex_and_subdomains":
            return host == self.base or host.endswith("." + self.base)
        return fnmatch.fnmatchcase(host, self.normalized)


def _unzoned(host: str) -> str:
    """An IP host without its ``%zone``: a pattern naming no zone names the address on every link."""
    return host.split("%", 1)[0]


def _strip(p: str) -> str:
    return normalize_pattern(p).rstrip(".")


def pattern_covers(managed: str, candidate: str) -> bool:
    """Whether managed pattern ``managed`` covers ``candidate`` (the 4.5 subset check)."""
    m, c = _strip(managed), _strip(candidate)
    if m.startswith("**."):
        d = m[3:]
        for prefix in ("**.", "*."):
            if c.startswith(prefix):
                x = c[len(prefix) :]
                return x == d or x.endswith("." + d)
        return c == d or c.endswith("." + d)
    if m.startswith("*."):
        d = m[2:]
        if c.startswith("**."):
            x = c[3:]
            return x.endswith("." + d)
        if c.startswith("*."):
            x = c[2:]
            return x == d or x.endswith("." + d)
        return c.endswith("." + d)
    return m == c
