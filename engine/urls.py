"""Find links in chat text, including defanged and scheme-less ones, with spans into the text.

What counts as a link: anything with a scheme we care about (http, https, hxxp, tg:), a bare domain
whose TLD is real (`t.me/+abc`, `bit.ly/x`, `vnexpress.net`), and an IPv4 host followed by a port or
a path. What does not: e-mail addresses, numbers (`3.5`, `1.2.3.4` alone), file names (`photo.jpg`,
and `readme.md` unless a path follows), and `Word.Word` typos whose "TLD" is capitalised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .link_parts import refang
from .link_suffixes import suffix_list

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
    letter, digit or defang bracket right after it; sentence full stops have a space after them."""
    if ":" in text:
        return True
    for dot in _DOTS:
        if dot in text:
            for piece in text.split(dot)[1:]:
                if piece and (piece[0].isalnum() or piece[0] in "])}"):
                    return True
    return False


def extract_links(text: str) -> list[LinkSpan]:
    """All links in `text`, in order of appearance."""
    if not might_contain_link(text):
        return []
    links = []
    for match in _LINK.finditer(text):
        raw = _trim(match.group(0))
        if match.lastgroup == "bare" and not _bare_is_link(match, raw):
            continue
        if not raw or (match.lastgroup == "scheme" and not _scheme_has_target(raw)):
            continue
        start = match.start()
        links.append(LinkSpan(refang(raw), start, start + len(raw)))
    return links


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
    tld = tld.lower()
    if tld.startswith("xn--"):
        try:
            tld = tld.encode("ascii").decode("idna")
        except UnicodeError:
            return False
    if tld not in suffix_list().tlds:
        return False
    host = match.group("host")
    has_more = len(raw) > len(host) and raw[len(host)] in "/?#:"
    return not (tld in FILE_LIKE_TLDS and not has_more and _is_two_labels(host))


def _is_two_labels(host: str) -> bool:
    return len(re.split(_DOT, host)) <= 2


def _scheme_has_target(raw: str) -> bool:
    """`http://` alone, or `tg:` with nothing after it, is not a link to anything."""
    body = re.sub(r"^[^:]*(?::|\[:\])(?://|\\\\)?", "", raw)
    return bool(body.strip("/\\"))
