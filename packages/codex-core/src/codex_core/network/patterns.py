"""Host normalisation and domain-pattern matching (spec 4.6) plus managed-pattern coverage (4.5)."""

from __future__ import annotations

import fnmatch
import ipaddress
import re

import attrs

__all__ = [
    "GLOBAL_WILDCARD_ERROR",
    "DomainPattern",
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
    """Normalise a domain pattern: the ``*.``/``**.`` prefix is kept, the rest as a host."""
    s = raw.strip()
    for prefix in ("**.", "*."):
        if s.startswith(prefix):
            return prefix + normalize_host(s[len(prefix) :])
    if s == "*":
        return "*"
    if _GLOB_CHARS.search(s):
        return _idna(s.lower().rstrip("."))
    return normalize_host(s)


def is_global_wildcard(pattern: str) -> bool:
    """True for ``*`` and patterns that expand to every host (``**``, ``*.``, ``**.``)."""
    p = pattern.strip().rstrip(".")
    return (p != "" and set(p) <= {"*"}) or p in ("*.", "**.")


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
        return self.is_ip or (self.kind == "glob" and not re.search(r"[a-z]", self.normalized))

    def matches(self, host: str) -> bool:
        """Whether normalised ``host`` matches. IP-literal hosts match only IP rules (and ``*``)."""
        if not host:
            return False
        if self.kind == "global":
            return True
        host_is_ip = parse_ip(host) is not None
        if self.kind == "exact":
            return host == self.normalized
        if host_is_ip:
            # globs such as 192.168.1.* are IP rules; name patterns never match IP literals
            return (
                self.kind == "glob"
                and not re.search(r"[a-z]", self.normalized)
                and fnmatch.fnmatchcase(host, self.normalized)
            )
        if self.kind == "subdomains":
            return host.endswith("." + self.base) and len(host) > len(self.base) + 1
        if self.kind == "apex_and_subdomains":
            return host == self.base or host.endswith("." + self.base)
        return fnmatch.fnmatchcase(host, self.normalized)


def _strip(p: str) -> str:
    return p.strip().lower().rstrip(".")


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
