"""Plain-text domain lists (known scam sites, URL shorteners) and how a URL is matched against them.

A list line is a host (`evil.example`: that host and every subdomain) or a host with a path
(`zalo.me/123`: that page and pages under it, never the bare host). `#` starts a comment; ports
and a leading `www.` are ignored; hosts may be written in Unicode or punycode.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, unquote

from .errors import Problem
from .link_parts import UrlParts, parse_url

_PLAIN_BYTES = b"abcdefghijklmnopqrstuvwxyz0123456789.-"


@dataclass(frozen=True)
class PageEntry:
    """A blocked page: path prefix (casefolded, unescaped) and, if the entry had one, its first
    query parameter (`details?id=app.x` blocks that app's page, not the whole store)."""

    path: str
    param: tuple[str, str] | None = None

    def matches(self, parts: UrlParts) -> bool:
        path = unquote(parts.path).casefold().rstrip("/")
        if self.param is None:
            return path == self.path or path.startswith(self.path + "/")
        if path != self.path:
            return False
        key, value = self.param
        return any(k.casefold() == key and v.casefold() == value for k, v in parse_qsl(parts.query))


@dataclass(frozen=True)
class DomainList:
    """Hosts (matching themselves and their subdomains; a listed `www.x` also covers `x`) plus
    page entries keyed by bare host."""

    hosts: frozenset[str]
    pages: dict[str, tuple[PageEntry, ...]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.hosts) + sum(len(v) for v in self.pages.values())

    def match_host(self, host: str) -> str | None:
        """The listed domain that `host` is, or is under; None if none."""
        labels = host.split(".")
        for i in range(len(labels) - 1):
            candidate = ".".join(labels[i:])
            if candidate in self.hosts or "www." + candidate in self.hosts:
                return candidate
        return None

    def matches(self, parts: UrlParts) -> bool:
        host = parts.bare_host
        if self.match_host(host) is not None:
            return True
        entries = self.pages.get(host)
        return entries is not None and any(e.matches(parts) for e in entries)


def read_domain_list(path: Path, problems: list[Problem]) -> DomainList:
    """Parse one list file; unreadable lines are reported, the rest still load."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(str(path), None, None, f"cannot read: {exc}"))
        return DomainList(frozenset())
    # Nearly every line is a plain lowercase host. Find the other lines (comments, paths, ports,
    # capitals, Unicode) by deleting the plain characters at C speed and seeing what is left, so
    # that only those few lines are parsed one by one.
    text = text.replace("\r", "")
    lines = text.split("\n")
    residue = text.encode("utf-8").translate(None, _PLAIN_BYTES).split(b"\n")
    special = [i for i, rest in enumerate(residue) if rest]
    hosts = set(lines)
    hosts.difference_update(lines[i] for i in special)
    hosts.discard("")
    pages: dict[str, list[PageEntry]] = {}
    for i in special:
        line = lines[i].split("#", 1)[0].strip()
        if not line:
            continue
        entry = _parse_entry(line)
        if entry is None:
            problems.append(Problem(str(path), i + 1, None, f"bad entry: {line!r}"))
        elif entry[1] is None:
            hosts.add(entry[0])
        else:
            pages.setdefault(entry[0], []).append(entry[1])
    return DomainList(frozenset(hosts), {k: tuple(v) for k, v in pages.items()})


def _parse_entry(line: str) -> tuple[str, PageEntry | None] | None:
    parts = parse_url(unicodedata.normalize("NFC", line))
    if parts is None or "." not in parts.host or parts.scheme not in ("", "http", "https"):
        return None
    host = parts.bare_host
    if not parts.has_path:
        return host, None
    path = unquote(parts.path).casefold().rstrip("/")
    pairs = parse_qsl(parts.query)
    param = (pairs[0][0].casefold(), pairs[0][1].casefold()) if pairs else None
    return host, PageEntry(path, param)
