"""Rule packs: read YAML, validate every rule, and report every problem with file, line and rule id.

A pack is a file `<name>.yaml` holding a header and `rules:`, or a folder holding `pack.yaml` (the
header) and any number of other `*.yaml` files with `rules:` lists. A packs directory holds packs.

The header may name regex `fragments:` that many rules share; a rule's `patterns`, `unless`,
`unless_accented` or `keep_if` list uses one with an item `{fragment: name}`. Loading expands the
names, so the matcher only ever sees plain patterns.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .errors import Problem, RulesError
from .model import CATEGORIES, Severity
from .normalize import fold_pattern
from .pattern_cache import facts_of
from .yamlio import LineDict, LineList, line_of, load_yaml

HEADER_FIELDS = {"pack", "version", "languages", "description", "unless", "fragments", "rules"}
PATTERN_FIELDS = ("patterns", "unless", "unless_accented", "keep_if")
RULE_FIELDS = {
    "id",
    "category",
    "severity",
    "direction",
    "description",
    "keywords",
    "patterns",
    "unless",
    "unless_accented",
    "keep_if",
    "advice",
    "examples",
}
RULE_DIRECTIONS = ("in", "out", "any")
_ID = re.compile(r"^[a-z0-9_]+(?:\.[a-z0-9_-]+)+$")
_VERSION = re.compile(r"^[0-9A-Za-z.+-]{1,40}$")
_FRAGMENT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


@dataclass(frozen=True)
class Example:
    text: str
    line: int | None


@dataclass(frozen=True)
class Fragment:
    """A named regex from a pack header, written once and used by many rules."""

    name: str
    pattern: str
    line: int | None


@dataclass(frozen=True)
class Rule:
    """One validated rule; patterns are kept as written, compilation happens in the matcher."""

    id: str
    category: str
    severity: Severity
    direction: str
    description: str
    keywords: tuple[str, ...]
    patterns: tuple[str, ...]
    unless: tuple[str, ...]
    advice: tuple[str, ...]
    match_examples: tuple[Example, ...]
    no_match_examples: tuple[Example, ...]
    pack: str
    file: str
    line: int | None
    languages: tuple[str, ...] = ()  # the pack's; empty: any language
    unless_accented: tuple[str, ...] = ()  # `unless` on the accented view (normalize.accented_view)
    keep_if: tuple[str, ...] = ()  # red flags: when one matches, the rule ignores its own `unless`
    pack_unless: tuple[str, ...] = ()  # the pack header's `unless`: cancels whatever `keep_if` says

    def applies_to(self, direction: str) -> bool:
        return self.direction == "any" or self.direction == direction


@dataclass(frozen=True)
class Pack:
    name: str
    version: str
    languages: tuple[str, ...]
    description: str
    rules: tuple[Rule, ...]
    files: tuple[Path, ...]
    digest: str
    fragments: tuple[Fragment, ...] = ()
    unused_fragments: tuple[Fragment, ...] = ()  # no rule uses them (`rules lint` reports them)


@dataclass
class _PackScope:
    """What every rule of one pack is read against; `used` collects the fragment names used."""

    name: str
    languages: tuple[str, ...]
    advice: frozenset[str]
    fragments: dict[str, Fragment | None]
    used: set[str] = field(default_factory=set)


def pack_sources(paths: Sequence[Path]) -> list[list[Path]]:
    """Group the YAML files under `paths` into packs: each group starts with its header file."""
    groups: list[list[Path]] = []
    for path in paths:
        if path.is_file():
            groups.append([path])
        elif (path / "pack.yaml").is_file():
            groups.append(_folder_pack(path))
        elif path.is_dir():
            for child in sorted(path.iterdir()):
                if child.is_file() and child.suffix in (".yaml", ".yml"):
                    groups.append([child])
                elif (child / "pack.yaml").is_file():
                    groups.append(_folder_pack(child))
        else:
            raise RulesError([Problem(str(path), None, None, "no such file or directory")])
    return groups


def _folder_pack(folder: Path) -> list[Path]:
    others = sorted(p for p in folder.glob("*.y*ml") if p.name != "pack.yaml")
    return [folder / "pack.yaml", *others]


def load_packs(paths: Sequence[Path], advice_keys: Iterable[str]) -> tuple[Pack, ...]:
    """Load and validate all packs under `paths`; raise one RulesError listing every problem."""
    problems: list[Problem] = []
    packs: list[Pack] = []
    known_advice = frozenset(advice_keys)
    for group in pack_sources(paths):
        pack = _load_pack(group, known_advice, problems)
        if pack is not None:
            packs.append(pack)
    _check_unique(packs, problems)
    if problems:
        raise RulesError(problems)
    return tuple(packs)


def _check_unique(packs: list[Pack], problems: list[Problem]) -> None:
    seen_packs: dict[str, Pack] = {}
    seen_rules: dict[str, Rule] = {}
    for pack in packs:
        if pack.name in seen_packs:
            first = seen_packs[pack.name]
            problems.append(
                Problem(
                    str(pack.files[0]),
                    1,
                    None,
                    f"duplicate pack name {pack.name!r}, first in {first.files[0]}",
                )
            )
        seen_packs.setdefault(pack.name, pack)
        for rule in pack.rules:
            if rule.id in seen_rules:
                first_rule = seen_rules[rule.id]
                where = f"{first_rule.file}:{first_rule.line}"
                problems.append(
                    Problem(rule.file, rule.line, rule.id, f"duplicate rule id, first at {where}")
                )
            seen_rules.setdefault(rule.id, rule)


def _load_pack(group: list[Path], advice: frozenset[str], problems: list[Problem]) -> Pack | None:
    header_path = group[0]
    try:
        header = load_yaml(header_path)
    except RulesError as exc:
        problems.extend(exc.problems)
        return None
    file = str(header_path)
    if not isinstance(header, dict) or "pack" not in header:
        problems.append(
            Problem(file, line_of(header, 1), None, "a pack header needs a `pack:` name")
        )
        return None
    before = len(problems)
    for key in sorted(set(header) - HEADER_FIELDS):
        problems.append(Problem(file, line_of(header, 1), None, f"unknown header field {key!r}"))
    name = header.get("pack")
    if not isinstance(name, str) or not _ID.match(f"pack.{name}"):
        problems.append(Problem(file, line_of(header, 1), None, f"bad pack name {name!r}"))
        name = str(name)
    version = str(header.get("version", ""))
    if not _VERSION.match(version):
        problems.append(
            Problem(file, line_of(header, 1), None, f"bad or missing version {version!r}")
        )
    languages = header.get("languages", [])
    if not isinstance(languages, list) or not all(isinstance(x, str) for x in languages):
        problems.append(
            Problem(file, line_of(header, 1), None, "`languages` must be a list of codes")
        )
        languages = []

    # `unless` in the header cancels every rule of the pack (e.g. warnings that quote scripts)
    pack_unless = _strings(header.get("unless"))
    if pack_unless is None:
        problems.append(
            Problem(file, line_of(header, 1), None, "`unless` must be a list of strings")
        )
        pack_unless = []
    for pattern in pack_unless:
        error = regex_error(pattern)
        if error:
            problems.append(
                Problem(
                    file, line_of(header, 1), None, f"bad regex in `unless` {pattern!r}: {error}"
                )
            )

    scope = _PackScope(name, tuple(languages), advice, _fragments(file, header, problems))

    raw_rules: list[tuple[Path, Any, int | None]] = []
    _collect_rules(header_path, header, raw_rules, problems, header_allowed=True)
    for path in group[1:]:
        try:
            data = load_yaml(path)
        except RulesError as exc:
            problems.extend(exc.problems)
            continue
        if not isinstance(data, dict) or set(data) != {"rules"}:
            problems.append(
                Problem(str(path), line_of(data, 1), None, "a rules file holds only `rules:`")
            )
            continue
        _collect_rules(path, data, raw_rules, problems, header_allowed=False)

    rules = [
        replace(rule, pack_unless=tuple(pack_unless))
        for path, raw, line in raw_rules
        if (rule := _rule(scope, path, raw, line, problems))
    ]
    if not rules and len(problems) == before:
        problems.append(Problem(file, line_of(header, 1), None, f"pack {name!r} has no rules"))
    if len(problems) > before:
        return None
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in group)).hexdigest()
    return Pack(
        name=name,
        version=version,
        languages=tuple(languages),
        description=str(header.get("description", "")),
        rules=tuple(rules),
        files=tuple(group),
        digest=digest,
        fragments=tuple(f for f in scope.fragments.values() if f is not None),
        unused_fragments=tuple(
            f for f in scope.fragments.values() if f is not None and f.name not in scope.used
        ),
    )


def _fragments(
    file: str, header: dict[str, Any], problems: list[Problem]
) -> dict[str, Fragment | None]:
    """The header's `fragments:` by name; a bad one is reported here, once, and maps to None."""
    raw = header.get("fragments") or {}
    if not isinstance(raw, dict):
        problems.append(
            Problem(file, line_of(header, 1), None, "`fragments` must map names to regexes")
        )
        return {}
    lines = getattr(raw, "key_lines", {})
    out: dict[str, Fragment | None] = {}
    for fragment_name, pattern in raw.items():
        line = lines.get(fragment_name, line_of(raw))
        where = f"fragment {fragment_name!r}"
        if not isinstance(fragment_name, str) or not _FRAGMENT_NAME.match(fragment_name):
            problems.append(Problem(file, line, None, f"bad {where} (lowercase, digits, _)"))
            continue
        out[fragment_name] = None
        if not isinstance(pattern, str) or not pattern:
            problems.append(Problem(file, line, None, f"{where} must be one regex string"))
        elif error := regex_error(pattern):
            problems.append(Problem(file, line, None, f"bad regex in {where}: {error}"))
        else:
            out[fragment_name] = Fragment(fragment_name, pattern, line)
    return out


def _collect_rules(
    path: Path,
    data: dict[str, Any],
    out: list[tuple[Path, Any, int | None]],
    problems: list[Problem],
    header_allowed: bool,
) -> None:
    rules = data.get("rules", [] if header_allowed else None)
    if not isinstance(rules, list):
        problems.append(Problem(str(path), line_of(data, 1), None, "`rules:` must be a list"))
        return
    lines = rules.item_lines if isinstance(rules, LineList) else [None] * len(rules)
    for raw, line in zip(rules, lines, strict=True):
        out.append((path, raw, line_of(raw, line)))


def _strings(value: Any) -> list[str] | None:
    if value is None:
        return []
    if isinstance(value, list) and all(isinstance(x, str) for x in value):
        return list(value)
    return None


def _patterns(value: Any, scope: _PackScope, unknown: list[str]) -> list[str] | None:
    """A pattern list with `{fragment: name}` items expanded; names not defined go to `unknown`."""
    if not isinstance(value, list):
        return _strings(value)
    out: list[str] = []
    for item in value:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict) and set(item) == {"fragment"}:
            fragment_name = item["fragment"]
            if not isinstance(fragment_name, str) or fragment_name not in scope.fragments:
                unknown.append(str(fragment_name))
                continue
            scope.used.add(fragment_name)
            fragment = scope.fragments[fragment_name]
            if fragment is not None:  # a bad fragment was reported with the header
                out.append(fragment.pattern)
        else:
            return None
    return out


def _examples(value: Any) -> tuple[Example, ...] | None:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        return None
    lines = value.item_lines if isinstance(value, LineList) else [None] * len(value)
    return tuple(Example(text, line) for text, line in zip(value, lines, strict=True))


def _rule(
    scope: _PackScope, path: Path, raw: Any, line: int | None, problems: list[Problem]
) -> Rule | None:
    file = str(path)
    if not isinstance(raw, LineDict):
        problems.append(Problem(file, line, None, "a rule must be a mapping"))
        return None
    rule_id = raw.get("id")
    rid = rule_id if isinstance(rule_id, str) else None
    before = len(problems)

    def bad(message: str) -> None:
        problems.append(Problem(file, line, rid, message))

    if rid is None or not _ID.match(rid):
        bad(f"bad or missing id {rule_id!r} (dotted, lowercase: category.lang.slug)")
    for key in sorted(set(raw) - RULE_FIELDS):
        bad(f"unknown field {key!r}")
    category = raw.get("category")
    if category not in CATEGORIES:
        bad(f"unknown category {category!r}")
    elif rid and not rid.startswith(f"{category}."):
        bad(f"id must start with its category {category!r}")
    try:
        severity = Severity.parse(str(raw.get("severity")))
        if severity is Severity.NONE:
            raise ValueError("none")
    except ValueError:
        bad(f"unknown severity {raw.get('severity')!r}")
        severity = Severity.LOW
    direction = raw.get("direction", "in")
    if direction not in RULE_DIRECTIONS:
        bad(f"direction must be one of {', '.join(RULE_DIRECTIONS)}")

    fields: dict[str, list[str]] = {}
    for key in ("keywords", "advice"):
        values = _strings(raw.get(key))
        if values is None:
            bad(f"`{key}` must be a list of strings")
            values = []
        fields[key] = values
    for key in PATTERN_FIELDS:
        unknown: list[str] = []
        values = _patterns(raw.get(key), scope, unknown)
        if values is None:
            bad(f"`{key}` must be a list of regex strings or {{fragment: name}} items")
            values = []
        for fragment_name in unknown:
            bad(f"`{key}` uses fragment {fragment_name!r}, which the pack header does not define")
        fields[key] = values
    if not fields["keywords"] and not fields["patterns"]:
        bad("empty rule: no keywords and no patterns")
    for key in PATTERN_FIELDS:
        for pattern in fields[key]:
            error = regex_error(pattern, accented=key == "unless_accented")
            if error:
                bad(f"bad regex in `{key}` {pattern!r}: {error}")
    for key in fields["advice"]:
        if key not in scope.advice:
            bad(f"unknown advice key {key!r}")

    examples = raw.get("examples") or {}
    match = no_match = None
    if isinstance(examples, dict) and set(examples) <= {"match", "no_match"}:
        match, no_match = _examples(examples.get("match")), _examples(examples.get("no_match"))
    if match is None or no_match is None:
        bad("`examples` must be {match: [strings], no_match: [strings]}")
    if len(problems) > before:
        return None
    assert rid is not None and match is not None and no_match is not None
    return Rule(
        id=rid,
        category=str(category),
        severity=severity,
        direction=str(direction),
        description=str(raw.get("description", "")),
        keywords=tuple(fields["keywords"]),
        patterns=tuple(fields["patterns"]),
        unless=tuple(fields["unless"]),
        advice=tuple(fields["advice"]),
        match_examples=match,
        no_match_examples=no_match,
        pack=scope.name,
        file=file,
        line=line,
        languages=scope.languages,
        unless_accented=tuple(unicodedata.normalize("NFC", p) for p in fields["unless_accented"]),
        keep_if=tuple(fields["keep_if"]),
    )


def regex_error(pattern: str, accented: bool = False) -> str | None:
    """The compile error of a rule pattern, after the same folding the matcher applies."""
    return facts_of(
        unicodedata.normalize("NFC", pattern) if accented else fold_pattern(pattern)
    ).error
