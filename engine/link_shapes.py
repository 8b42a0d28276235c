"""URL shapes (group invites, private calls) and redirect wrappers, matched on host and path.

The host alone never decides: t.me, zalo.me and zoom.us are among the most popular sites, and
t.me/someone or zoom.us/w/... are not invites. A shape names its hosts and a path pattern.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote

from .link_parts import UrlParts


@dataclass(frozen=True)
class Shape:
    """One link shape; `hosts` exact, `parents` match any subdomain, `schemes` for app links."""

    id: str
    reason: str
    hosts: frozenset[str]
    parents: frozenset[str]
    schemes: frozenset[str]
    pattern: re.Pattern[str]

    def matches(self, parts: UrlParts) -> bool:
        if self.schemes:
            return parts.scheme in self.schemes and bool(self.pattern.match(parts.opaque))
        if not parts.host or parts.scheme not in ("", "http", "https"):
            return False
        host = parts.bare_host
        if host not in self.hosts and not any(host.endswith("." + p) for p in self.parents):
            return False
        return bool(self.pattern.match(parts.tail))


class ShapeIndex:
    """Shapes looked up by host (and parent hosts) so a URL is tested against a handful only."""

    def __init__(self, shapes: Iterable[Shape]) -> None:
        self.shapes = tuple(shapes)
        by_key: dict[str, list[Shape]] = {}
        for shape in self.shapes:
            keys = [f"{s}:" for s in shape.schemes] + list(shape.hosts | shape.parents)
            for key in keys:
                by_key.setdefault(key, []).append(shape)
        self._by_key = {k: tuple(v) for k, v in by_key.items()}

    def reasons(self, parts: UrlParts) -> list[str]:
        """Reason ids of the shapes this URL has, in data order, each once."""
        if parts.opaque or not parts.host:
            candidates = self._by_key.get(f"{parts.scheme}:", ())
        else:
            labels = parts.bare_host.split(".")
            candidates = tuple(
                shape
                for i in range(len(labels) - 1)
                for shape in self._by_key.get(".".join(labels[i:]), ())
            )
        found = [shape.reason for shape in candidates if shape.matches(parts)]
        return list(dict.fromkeys(found))


@dataclass(frozen=True)
class Redirector:
    """A wrapper such as l.facebook.com/l.php?u=<real url>; empty `params` = the whole query."""

    hosts: frozenset[str]
    path: re.Pattern[str]
    params: tuple[str, ...]

    def target(self, parts: UrlParts) -> str | None:
        if parts.bare_host not in self.hosts or not self.path.match(parts.path):
            return None
        if not self.params:
            return unquote(parts.query) or None
        values = dict(parse_qsl(parts.query))
        for name in self.params:
            if values.get(name):
                return values[name]
        return None
