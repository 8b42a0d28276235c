"""Load and validate `rules/links/`: checks, shapes, brands, lists. Every problem is collected and
reported at once (file, line, item) as one `RulesError`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import Problem, RulesError
from .link_lists import DomainList, read_domain_list
from .link_lookalike import Brand, BrandBook, Settings, Typos, WordSpotter
from .link_parts import parse_url
from .link_shapes import Redirector, Shape, ShapeIndex
from .link_suffixes import suffix_list
from .model import CATEGORIES, Severity
from .yamlio import line_of, load_yaml

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
    "punycode",
    "free_host_lure",
)
LIST_CHECKS = ("known_scam", "shortener")
SHAPE_REASONS = ("group_invite", "private_call")
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
FILES = (
    "checks.yaml",
    "shapes.yaml",
    "brands.yaml",
    "confusables.yaml",
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


@dataclass(frozen=True)
class LinkData:
    checks: dict[str, Check]
    shapes: ShapeIndex
    brands: BrandBook
    known_scam: DomainList
    shorteners: DomainList
    shortener_exempt: frozenset[str]
    risky_extensions: frozenset[str]
    redirectors: tuple[Redirector, ...]
    free_hosts: frozenset[str]
    free_host_lures: WordSpotter
    digest: str


class _Reader:
    """Collects problems while turning YAML values into typed values."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.problems: list[Problem] = []

    def problem(self, file: str, where: object, item: str | None, message: str) -> None:
        line = where if isinstance(where, int) else line_of(where)
        self.problems.append(Problem(str(self.directory / file), line, item, message))

    def mapping(self, file: str, value: object, key: str) -> dict[str, Any]:
        inner = value.get(key) if isinstance(value, dict) else None
        if not isinstance(inner, dict):
            self.problem(file, value, None, f"`{key}` must be a mapping")
            return {}
        return inner

    def strings(self, file: str, value: object, item: str | None, what: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.problem(file, value, item, f"`{what}` must be a list of strings")
            return ()
        return tuple(value)

    def regex(self, file: str, where: object, item: str, pattern: object) -> re.Pattern[str]:
        try:
            if not isinstance(pattern, str):
                raise re.error("must be a string")
            return re.compile(pattern, re.IGNORECASE)
        except re.error as exc:
            self.problem(file, where, item, f"bad pattern: {exc}")
            return re.compile(r"(?!)")


def load_link_data(directory: Path) -> LinkData:
    """Read every file of `rules/links/`; raise one `RulesError` listing all problems."""
    reader = _Reader(directory)
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
        shapes=ShapeIndex(_shapes(reader, docs["shapes.yaml"])),
        brands=_brands(reader, docs["brands.yaml"], docs["confusables.yaml"]),
        known_scam=lists_loaded.get("known_scam", DomainList(frozenset())),
        shorteners=lists_loaded.get("shortener", DomainList(frozenset())),
        shortener_exempt=_exempt(reader, docs["shorteners.yaml"]),
        risky_extensions=_extensions(reader, docs["downloads.yaml"]),
        redirectors=_redirectors(reader, docs["redirectors.yaml"]),
        free_hosts=frozenset(
            reader.strings("hosting.yaml", _get(docs["hosting.yaml"], "free_hosts"), None, "hosts")
        ),
        free_host_lures=_spotter(reader, "hosting.yaml", docs["hosting.yaml"]),
        digest=_digest(directory, [*FILES, *(f for files in lists.values() for f in files)]),
    )
    if reader.problems:
        raise RulesError(reader.problems)
    return data


def _checks(reader: _Reader, doc: object) -> tuple[dict[str, Check], dict[str, tuple[str, ...]]]:
    file = "checks.yaml"
    checks: dict[str, Check] = {}
    for reason, spec in reader.mapping(file, doc, "checks").items():
        if reason not in REASONS:
            reader.problem(file, spec, reason, f"unknown check; known: {', '.join(REASONS)}")
            continue
        if not isinstance(spec, dict):
            reader.problem(file, doc, reason, "must be a mapping")
            continue
        unknown = set(spec) - {"description", "category", "also", "severity", "advice"}
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
        checks[reason] = Check(
            reason, str(spec.get("category")), also, severity, advice, str(spec.get("description"))
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


def _shapes(reader: _Reader, doc: object) -> list[Shape]:
    file = "shapes.yaml"
    raw = doc.get("shapes") if isinstance(doc, dict) else None
    if not isinstance(raw, list):
        reader.problem(file, doc, None, "`shapes` must be a list")
        return []
    shapes: list[Shape] = []
    seen: set[str] = set()
    for spec in raw:
        sid = str(spec.get("id")) if isinstance(spec, dict) else "?"
        if not isinstance(spec, dict) or sid in seen:
            reader.problem(file, spec, sid, "each shape must be a mapping with a unique id")
            continue
        seen.add(sid)
        if spec.get("reason") not in SHAPE_REASONS:
            reader.problem(file, spec, sid, f"reason must be one of {', '.join(SHAPE_REASONS)}")
        hosts = reader.strings(file, spec.get("hosts"), sid, "hosts")
        schemes = reader.strings(file, spec.get("schemes"), sid, "schemes")
        if bool(hosts) == bool(schemes):
            reader.problem(file, spec, sid, "give either `hosts` or `schemes`")
        shape = Shape(
            id=sid,
            reason=str(spec.get("reason")),
            hosts=frozenset(h.lower() for h in hosts if not h.startswith("*.")),
            parents=frozenset(h[2:].lower() for h in hosts if h.startswith("*.")),
            schemes=frozenset(s.lower() for s in schemes),
            pattern=reader.regex(file, spec, sid, spec.get("pattern")),
        )
        _check_examples(reader, file, spec, shape)
        shapes.append(shape)
    return shapes


def _check_examples(reader: _Reader, file: str, spec: dict[str, Any], shape: Shape) -> None:
    examples = spec.get("examples") or {}
    for expected, key in ((True, "match"), (False, "no_match")):
        for url in reader.strings(file, examples.get(key), shape.id, f"examples.{key}"):
            parts = parse_url(url)
            if (parts is not None and shape.matches(parts)) != expected:
                verb = "should match" if expected else "should not match"
                reader.problem(file, examples, shape.id, f"example {verb}: {url}")


def _brands(reader: _Reader, doc: object, letters: object) -> BrandBook:
    file = "brands.yaml"
    lure_groups = reader.mapping(file, doc, "scam_words")
    lures = [w for key, group in lure_groups.items() for w in reader.strings(file, group, key, key)]
    innocent = reader.strings(file, _get(doc, "innocent_words"), None, "innocent_words")
    settings = reader.mapping(file, doc, "settings")
    try:
        options = Settings(
            fuzzy_min=int(settings.get("fuzzy_min", 6)),
            fuzzy_indel_min=int(settings.get("fuzzy_indel_min", 7)),
            substring_min=int(settings.get("substring_min", 5)),
            embedded_tlds=reader.strings(file, settings.get("embedded_tlds"), None, "tlds"),
        )
    except (TypeError, ValueError) as exc:
        reader.problem(file, settings, None, f"bad settings: {exc}")
        options = Settings()
    tables = "confusables.yaml"
    leet = reader.mapping(tables, letters, "leet")
    similar = reader.strings(tables, _get(letters, "similar"), None, "similar")
    return BrandBook(
        _brand_list(reader, doc),
        WordSpotter(lures, innocent, options.substring_min),
        {str(k): str(v) for k, v in reader.mapping(tables, letters, "confusables").items()},
        {str(k): reader.strings(tables, v, str(k), "leet") for k, v in leet.items()},
        {str(k): str(v) for k, v in reader.mapping(tables, letters, "sequences").items()},
        Typos(
            keyboard=reader.strings(tables, _get(letters, "keyboard"), None, "keyboard"),
            similar=frozenset(frozenset(pair) for pair in similar if len(pair) == 2),
        ),
        options,
    )


def _brand_list(reader: _Reader, doc: object) -> list[Brand]:
    file = "brands.yaml"
    brands = []
    owner: dict[str, str] = {}
    for bid, spec in reader.mapping(file, doc, "brands").items():
        if not isinstance(spec, dict) or not (spec.get("names") or spec.get("words")):
            reader.problem(file, spec, bid, "a brand needs `names` or `words`")
            continue
        unknown = set(spec) - {"names", "words", "domains", "strict"}
        if unknown:
            reader.problem(file, spec, bid, f"unknown fields: {', '.join(sorted(unknown))}")
        names = reader.strings(file, spec.get("names"), bid, "names")
        words = reader.strings(file, spec.get("words"), bid, "words")
        for name in (*names, *words):
            if not re.fullmatch(r"[a-z0-9]+", name):
                reader.problem(file, spec, bid, f"name {name!r}: lowercase letters/digits only")
            elif owner.setdefault(name, bid) != bid:
                reader.problem(file, spec, bid, f"name {name!r} already belongs to {owner[name]}")
        domains = reader.strings(file, spec.get("domains"), bid, "domains")
        for domain in domains:
            if not re.fullmatch(r"[a-z0-9-]+(?:\.[a-z0-9-]+)+", domain):
                reader.problem(file, spec, bid, f"domain {domain!r}: lowercase host names only")
        if not isinstance(spec.get("strict", False), bool):
            reader.problem(file, spec, bid, "`strict` must be true or false")
        brands.append(Brand(bid, names, words, domains, strict=spec.get("strict") is True))
    return brands


def _exempt(reader: _Reader, doc: object) -> frozenset[str]:
    groups = reader.mapping("shorteners.yaml", doc, "exempt")
    return frozenset(
        h.lower()
        for key, hosts in groups.items()
        for h in reader.strings("shorteners.yaml", hosts, key, key)
    )


def _extensions(reader: _Reader, doc: object) -> frozenset[str]:
    groups = reader.mapping("downloads.yaml", doc, "risky_extensions")
    return frozenset(
        e.lower().lstrip(".")
        for key, exts in groups.items()
        for e in reader.strings("downloads.yaml", exts, key, key)
    )


def _redirectors(reader: _Reader, doc: object) -> tuple[Redirector, ...]:
    file = "redirectors.yaml"
    raw = doc.get("redirectors") if isinstance(doc, dict) else None
    if not isinstance(raw, list):
        reader.problem(file, doc, None, "`redirectors` must be a list")
        return ()
    out = []
    for spec in raw:
        if not isinstance(spec, dict):
            reader.problem(file, raw, None, "each redirector must be a mapping")
            continue
        hosts = reader.strings(file, spec.get("hosts"), None, "hosts")
        path = reader.regex(file, spec, ",".join(hosts), spec.get("path", "^/"))
        params = reader.strings(file, spec.get("params"), None, "params")
        out.append(Redirector(frozenset(h.lower() for h in hosts), path, params))
    return tuple(out)


def _spotter(reader: _Reader, file: str, doc: object) -> WordSpotter:
    words = reader.strings(file, _get(doc, "lure_words"), None, "lure_words")
    innocent = reader.strings(file, _get(doc, "innocent_words"), None, "innocent_words")
    return WordSpotter(words, innocent)


def _get(doc: object, key: str) -> object:
    return doc.get(key) if isinstance(doc, dict) else None


def _merge(lists: list[DomainList]) -> DomainList:
    if len(lists) == 1:
        return lists[0]
    pages: dict[str, tuple[Any, ...]] = {}
    for item in lists:
        for host, entries in item.pages.items():
            pages[host] = pages.get(host, ()) + entries
    return DomainList(frozenset().union(*(x.hosts for x in lists)), pages)


def _digest(directory: Path, files: list[str]) -> str:
    """sha256 over every data file read plus the Public Suffix List in use."""
    digest = hashlib.sha256()
    for name in sorted(set(files)):
        digest.update(name.encode())
        try:
            digest.update((directory / name).read_bytes())
        except OSError:
            digest.update(b"<missing>")
    digest.update(suffix_list().digest.encode())
    return digest.hexdigest()
