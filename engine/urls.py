"""Find links in chat text, including defanged and scheme-less ones, with spans into the text.

What counts as a link: anything with a scheme we care about (http, https, hxxp, tg:), a bare domain
whose TLD is real (`t.me/+abc`, `bit.ly/x`, `vnexpress.net`), and an IPv4 host followed by a port or
a path. What does not: e-mail addresses, numbers (`3.5`, `1.2.3.4` alone), file names (`photo.jpg`,
and `readme.md` unless a path follows), and `Word.Word` typos whose "TLD" is capitalised.

Invisible characters (zero-width spaces and joiners, soft hyphens, bidi controls: Unicode format
characters, plus any the caller names) are read past, so `bit\u200b.ly/abc` is still `bit.ly/abc`;
the span still covers the link as written in the original text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import regex

from .link_parts import parse_url, refang
from .link_suffixes import public_suffix

#: TLDs that are also common file extensions: a bare `notes.md` is a file until a path follows.
FILE_LIKE_TLDS = frozenset({"zip", "mov", "md", "py", "sh", "pl", "rs", "ps", "cab", "pm"})

_DOT = r"(?:\.|\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\{dot\}|\u3002|\uff0e|\uff61)"
_LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
_URL_CHARS = r"[^\s<>\"'`\u201c\u201d\u2018\u2019\u00ab\u00bb\u300c\u300d]"
_LINK = re.compile(
    rf"""
    (?P<scheme>
        (?<![\w.@-])
        (?:(?i:h(?:tt|xx|\*\*)ps?)(?:://|\[:\]//|:\\\\)|(?i:tg):(?://)?)
        {_URL_CHARS}+
    )
    | (?P<bare>
        (?<![\w@.\-/%+\])}}\u3002\uff0e\uff61])
        (?P<host>(?:{_LABEL}{_DOT})+(?P<tld>[a-zA-Z]{{2,63}}|(?i:xn--)[a-zA-Z0-9-]{{1,59}}))
        (?![\w-]|@|{_DOT}[^\W_])
        (?P<port>:\d{{1,5}}(?!\d))?
        (?P<path>[/?#]{_URL_CHARS}*)?
    )
    | (?P<ip>
        (?<![\w.\-/])
        (?:\d{{1,3}}{_DOT}){{3}}\d{{1,3}}
        (?:(?::\d{{1,5}})(?:[/?#]{_URL_CHARS}*)? | [/?#]{_URL_CHARS}*)
    )
    """,
    re.VERBOSE,
)
_DOTS = (".", "\u3002", "\uff0e", "\uff61")
_TRAILING = ".,;:!?\u2026\u3001\u3002'\"*"
_PAIRS = {")": "(", "]": "[", "}": "{"}


@dataclass(frozen=True)
class LinkSpan:
    """One link: `url` refanged, `start`/`end` index the ORIGINAL text (end exclusive)."""

    url: str
    start: int
    end: int


def might_contain_link(text: str) -> bool:
    """Cheap test run before any regex: every link has a colon (scheme, port) or a dot with a
    letter, digit or defang bracket right after it (or a non-ASCII character, which may be an
    invisible one); sentence full stops have a space after them."""
    if ":" in text:
        return True
    for dot in _DOTS:
        if dot in text:
            for piece in text.split(dot)[1:]:
                if piece and (piece[0].isalnum() or piece[0] in "])}" or not piece[0].isascii()):
                    return True
    return False


def extract_links(text: str, invisible: frozenset[str] = frozenset()) -> list[LinkSpan]:
    """All links in `text`, in order of appearance. `invisible`: characters to read past besides
    Unicode format characters (the lexicon's list of blank fillers and selectors)."""
    if not might_contain_link(text):
        return []
    visible = _Visible.of(text, invisible)
    links = []
    for match in _LINK.finditer(visible.text):
        raw = _trim(match.group(0))
        if match.lastgroup == "bare" and not _bare_is_link(match, raw):
            continue
        if not raw or (match.lastgroup == "scheme" and not _scheme_has_target(raw)):
            continue
        start = match.start()
        end = start + len(raw)
        links.append(LinkSpan(refang(raw), visible.original(start), visible.original(end - 1) + 1))
    return links


@dataclass(frozen=True)
class _Visible:
    """`text` with invisible characters taken out, and where its characters were originally:
    before clean position `cuts[k]`, `shifts[k]` characters in all had been taken out."""

    text: str
    cuts: tuple[int, ...] = ()
    shifts: tuple[int, ...] = ()

    @classmethod
    def of(cls, text: str, extra: frozenset[str]) -> _Visible:
        if text.isascii() or (text.isprintable() and extra.isdisjoint(text)):
            return cls(text)  # no format character (those are not printable), none of `extra`
        pieces, cuts, shifts = [], [], []
        kept = removed = 0
        for match in _invisible_pattern(extra).finditer(text):
            piece = text[kept + removed : match.start()]
            pieces.append(piece)
            kept += len(piece)
            removed += match.end() - match.start()
            cuts.append(kept)
            shifts.append(removed)
        if not cuts:
            return cls(text)
        pieces.append(text[kept + removed :])
        return cls("".join(pieces), tuple(cuts), tuple(shifts))

    def original(self, position: int) -> int:
        """Where the character at `position` of `text` sits in the original text."""
        k = bisect_right(self.cuts, position)
        return position + (self.shifts[k - 1] if k else 0)


@lru_cache(maxsize=8)
def _invisible_pattern(extra: frozenset[str]) -> Any:
    """Runs of format characters (`\\p{Cf}`) and of the `extra` characters; a `regex` pattern."""
    listed = "".join(regex.escape(c) for c in sorted(extra))
    return regex.compile(rf"[\p{{Cf}}{listed}]+")


def _trim(candidate: str) -> str:
    """Drop sentence punctuation after a URL, keeping brackets the URL itself opened."""
    out = candidate
    while out:
        last = out[-1]
        unbalanced = last in _PAIRS and out.count(last) > out.count(_PAIRS[last])
        if last in _TRAILING or unbalanced:
            out = out[:-1]
        else:
            break
    return out


def _bare_is_link(match: re.Match[str], raw: str) -> bool:
    tld = match.group("tld")
    if not (tld.islower() or tld.isupper()):
        return False  # "em.Mai" is a missing space, not a domain
    host = match.group("host")
    parts = parse_url(host)
    if parts is None or public_suffix(parts.host) is None:
        return False  # not under any suffix on the Public Suffix List: "photo.jpg"
    has_more = len(raw) > len(host) and raw[len(host)] in "/?#:"
    return not (tld.lower() in FILE_LIKE_TLDS and not has_more and _is_two_labels(host))


def _is_two_labels(host: str) -> bool:
    return len(re.split(_DOT, host)) <= 2


def _scheme_has_target(raw: str) -> bool:
    """`http://` alone, or `tg:` with nothing after it, is not a link to anything."""
    body = re.sub(r"^[^:]*(?::|\[:\])(?://|\\\\)?", "", raw)
    return bool(body.strip("/\\"))
