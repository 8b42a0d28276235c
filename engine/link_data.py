"""Load and validate `rules/links/`: checks, shapes, brands, lists. Every problem is collected and
reported at once (file, line, item) as one `RulesError`.

The look-alike letters and the invisible characters are not link data: they come from the
normaliser's lexicon (`rules/lexicon/`), so each table exists once.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import RulesError
from .lexicon import Lexicon
from .link_brand_data import BRANDS, DISGUISES, read_brand_book
from .link_hosting import Hosting
from .link_lists import DomainList, read_domain_list
from .link_lookalike import BrandBook, WordSpotter
from .link_reader import Reader, get
from .link_shape_data import read_redirectors, read_shapes
from .link_shapes import Redirector, ShapeIndex
from .link_suffixes import VERSION as SUFFIX_LIST_VERSION
from .model import CATEGORIES, Severity
from .normalize import fold_pattern
from .packs import regex_error
from .yamlio import load_yaml

#: Every reason the analyzer can give; checks.yaml must describe each one, and no other.
REASONS = (
    "known_scam",
    "lookalike",
    "mixed_script",
    "userinfo",
    "risky_download",
    "group_invite",
    "private_call",
    "ip_host",
    "shortener",
    "ip_logger",
    "punycode",
    "free_host_lure",
    "anonymous_host",
)
LIST_CHECKS = ("known_scam", "shortener", "ip_logger")
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
FILES = (
    "checks.yaml",
    "shapes.yaml",
    BRANDS,
    DISGUISES,
    "downloads.yaml",
    "shorteners.yaml",
    "redirectors.yaml",
    "hosting.yaml",
)


@dataclass(frozen=True)
class Check:
    """How one reason is reported: main category, extra categories, severity, advice keys."""

    id: str
    category: str
    also: tuple[str, ...]
    severity: Severity
    advice: tuple[str, ...]
    description: str
    unless: tuple[str, ...] = ()  # folded patterns: a message they match, with nothing else
    #                               risky in it, does not report this check (a teacher's class link)


@dataclass(frozen=True)
class LinkData:
    checks: dict[str, Check]
    shapes: ShapeIndex
    brands: BrandBook
    known_scam: DomainList
    shorteners: DomainList
    ip_loggers: DomainList
    shortener_exempt: frozenset[str]
    risky_extensions: frozenset[str]
    redirectors: tuple[Redirector, ...]
    hosting: Hosting
    invisible: frozenset[str]  # characters that hide inside a link (the lexicon's list)
    digest: str


def load_link_data(directory: Path, lexicon: Lexicon) -> LinkData:
    """Read every file of `rules/links/`; raise one `RulesError` listing all problems."""
    reader = Reader(directory)
    docs: dict[str, Any] = {}
    for name in FILES:
        try:
            docs[name] = load_yaml(directory / name)
        except RulesError as exc:
            reader.problems.extend(exc.problems)
            docs[name] = {}
    checks, lists = _checks(reader, docs["checks.yaml"])
    lists_loaded = {
        reason: _merge([read_domain_list(directory / f, reader.problems) for f in files])
        for reason, files in lists.items()
    }
    data = LinkData(
        checks=checks,
        shapes=ShapeIndex(read_shapes(reader, docs["shapes.yaml"])),
        brands=read_brand_book(reader, docs[BRANDS], docs[DISGUISES], lexicon.homoglyphs),
        known_scam=lists_loaded.get("known_scam", DomainList(frozenset())),
        shorteners=lists_loaded.get("shortener", DomainList(frozenset())),
        ip_loggers=lists_loaded.get("ip_logger", DomainList(frozenset())),
        shortener_exempt=frozenset(
            h.lower()
            for h in reader.grouped_strings("shorteners.yaml", docs["shorteners.yaml"], "exempt")
        ),
        risky_extensions=frozenset(
            e.lower().lstrip(".")
            for e in reader.grouped_strings(
                "downloads.yaml", docs["downloads.yaml"], "risky_extensions"
            )
        ),
        redirectors=read_redirectors(reader, docs["redirectors.yaml"]),
        hosting=_hosting(reader, docs["hosting.yaml"]),
        invisible=lexicon.invisible,
        digest=_digest(
            directory,
            [*FILES, *(f for files in lists.values() for f in files)],
            lexicon.homoglyphs,
            lexicon.invisible,
        ),
    )
    if reader.problems:
        raise RulesError(reader.problems)
    return data


def _checks(reader: Reader, doc: object) -> tuple[dict[str, Check], dict[str, tuple[str, ...]]]:
    file = "checks.yaml"
    checks: dict[str, Check] = {}
    for reason, spec in reader.mapping(file, doc, "checks").items():
        if reason not in REASONS:
            reader.problem(file, spec, reason, f"unknown check; known: {', '.join(REASONS)}")
            continue
        if not isinstance(spec, dict):
            reader.problem(file, doc, reason, "must be a mapping")
            continue
        unknown = set(spec) - {"description", "category", "also", "severity", "advice", "unless"}
        if unknown:
            reader.problem(file, spec, reason, f"unknown fields: {', '.join(sorted(unknown))}")
        also = reader.strings(file, spec.get("also"), reason, "also")
        advice = reader.strings(file, spec.get("advice"), reason, "advice")
        for category in (spec.get("category"), *also):
            if category not in CATEGORIES:
                reader.problem(file, spec, reason, f"unknown category {category!r}")
        for key in advice:
            if not _KEY.match(key):
                reader.problem(file, spec, reason, f"bad advice key {key!r}")
        try:
            severity = Severity.parse(str(spec.get("severity")))
        except ValueError as exc:
            reader.problem(file, spec, reason, str(exc))
            severity = Severity.LOW
        unless = reader.strings(file, spec.get("unless"), reason, "unless")
        for pattern in unless:
            error = regex_error(pattern)
            if error:
                reader.problem(file, spec, reason, f"bad unless pattern {pattern!r}: {error}")
        checks[reason] = Check(
            reason,
            str(spec.get("category")),
            also,
            severity,
            advice,
            str(spec.get("description")),
            tuple(fold_pattern(p) for p in unless),
        )
    for reason in REASONS:
        if reason not in checks and not any(p.rule == reason for p in reader.problems):
            reader.problem(file, doc, reason, "check missing from checks.yaml")
    lists: dict[str, tuple[str, ...]] = {}
    for reason, files in reader.mapping(file, doc, "lists").items():
        if reason not in LIST_CHECKS:
            reader.problem(file, files, reason, f"no list check {reason!r}")
        lists[reason] = reader.strings(file, files, reason, "lists")
    return checks, lists


def _hosting(reader: Reader, doc: object) -> Hosting:
    file = "hosting.yaml"

    def names(key: str) -> frozenset[str]:
        return frozenset(x.lower() for x in reader.strings(file, get(doc, key), None, key))

    words = reader.strings(file, get(doc, "lure_words"), None, "lure_words")
    innocent = reader.strings(file, get(doc, "innocent_words"), None, "innocent_words")

    def count(key: str, least: int) -> int:
        value = get(doc, key)
        if not isinstance(value, int) or isinstance(value, bool) or value < least:
            reader.problem(file, doc, key, f"`{key}` must be a whole number of at least {least}")
            return 1000
        return value

    return Hosting(
        free_hosts=names("free_hosts"),
        account_hosts=names("account_hosts"),
        cheap_tlds=names("cheap_tlds"),
        lures=WordSpotter(words, innocent),
        hash_name=re.compile(f"[0-9a-f]{{{count('hash_name_min', 8)},}}"),
        number_name_digits=count("number_name_digits", 2),
        plain_files=frozenset(e.lstrip(".") for e in names("plain_file_extensions")),
    )


def _merge(lists: list[DomainList]) -> DomainList:
    if len(lists) == 1:
        return lists[0]
    pages: dict[str, tuple[Any, ...]] = {}
    for item in lists:
        for host, entries in item.pages.items():
            pages[host] = pages.get(host, ()) + entries
    return DomainList(frozenset().union(*(x.hosts for x in lists)), pages)


def _digest(
    directory: Path, files: list[str], homoglyphs: Mapping[str, str], invisible: frozenset[str]
) -> str:
    """sha256 over every data file read, the lexicon tables used and the Public Suffix List."""
    digest = hashlib.sha256()
    for name in sorted(set(files)):
        digest.update(name.encode())
        try:
            digest.update((directory / name).read_bytes())
        except OSError:
            digest.update(b"<missing>")
    digest.update(repr(sorted(homoglyphs.items())).encode())
    digest.update(repr(sorted(invisible)).encode())
    digest.update(f"publicsuffixlist {SUFFIX_LIST_VERSION}".encode())
    return digest.hexdigest()
