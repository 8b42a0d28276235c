"""Normalisation data (abbreviations, homoglyphs, leetspeak, invisible characters) read from YAML.

The tables live in `rules/lexicon/*.yaml` so maintainers can extend them without touching code.
Every file has one top-level key, `lexicon:`, holding any of the sections below; sections from all
files are merged, and a key defined twice is an error. All problems are collected and raised as
one `RulesError` that names the file and line.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import Problem, RulesError
from .yamlio import line_of, load_yaml

_TOKEN = re.compile(r"[a-z0-9]+")
_PHRASE = re.compile(r"[a-z0-9]+(?: [a-z0-9]+)*")
_LABEL = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True)
class Abbreviation:
    """One chat abbreviation, expanded when it stands as a whole token."""

    expansion: str
    # When not empty: expand only if the original token, NFKC-normalised and casefolded, is one
    # of these (guards against folded look-alikes: `ừ` -> `u`, `hồng` -> `hong`, `kkk` -> `k`).
    only_as: frozenset[str] = frozenset()
    # Leave it alone right after a number (`50 k` is a price, not "không").
    not_after_number: bool = False


@dataclass(frozen=True, eq=False)
class Lexicon:
    """Everything `engine.normalize` needs besides code (an empty one still folds Unicode)."""

    abbreviations: Mapping[str, Abbreviation] = field(default_factory=dict)
    homoglyphs: Mapping[str, str] = field(default_factory=dict)
    leetspeak: Mapping[str, str] = field(default_factory=dict)
    invisible: frozenset[str] = frozenset()
    single_letter_words: frozenset[str] = frozenset()
    link_tlds: frozenset[str] = frozenset()
    common_words: Mapping[str, frozenset[str]] = field(default_factory=dict)  # language -> words
    borrows: Mapping[str, frozenset[str]] = field(default_factory=dict)  # language -> mixed-in ones
    # Filled on first use by the modules that compile these tables (regexes, translate maps),
    # so that work happens once per lexicon rather than once per message.
    derived: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)


def surface_form(text: str) -> str:
    """How an `only_as` spelling is compared: NFKC + casefold, accents kept."""
    return unicodedata.normalize("NFKC", text).casefold()


class _Reader:
    """Collects one file's sections into shared tables and its problems into a shared list."""

    def __init__(self, path: Path, tables: _Tables, problems: list[Problem]) -> None:
        self.path = path
        self.tables = tables
        self.problems = problems
        try:
            self.lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            self.lines = []

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(str(self.path), line, None, message))

    def key_line(self, key: str, container: object) -> int | None:
        """Best-effort line of `key:` in a mapping (yamlio only records where mappings start)."""
        start = line_of(container)
        if start is None:
            return None
        spellings = {key, f'"{key}"', f"'{key}'"}
        if len(key) == 1 and not key.isascii():
            code = ord(key)
            spellings |= {f'"\\u{code:04x}"', f'"\\u{code:04X}"', f'"\\U{code:08x}"'}
            spellings |= {f'"\\U{code:08X}"'}
        for number in range(start, len(self.lines) + 1):
            stripped = self.lines[number - 1].strip().removeprefix("- ").lstrip("{ ")
            if any(stripped.startswith(f"{s}:") for s in spellings):
                return number
        return start

    def mapping(self, value: object, container: object, what: str) -> Mapping[Any, Any] | None:
        if isinstance(value, dict):
            return value
        self.problem(line_of(value, line_of(container)), f"{what} must be a mapping")
        return None

    def claim(self, table: dict[str, Any], key: str, line: int | None, what: str) -> bool:
        """Refuse a key that an earlier entry (this file or another) already defined."""
        if key in table:
            self.problem(line, f"{what} {key!r} is defined twice")
            return False
        return True

    # -- sections -------------------------------------------------------------------------------

    def abbreviations(self, value: object) -> None:
        groups = self.mapping(value, value, "abbreviations")
        if groups is None:
            return
        for language, entries in groups.items():
            table = self.mapping(entries, groups, f"abbreviations.{language}")
            if table is None:
                continue
            for key, entry in table.items():
                self.abbreviation(str(key), entry, table)

    def abbreviation(self, key: str, entry: object, container: object) -> None:
        line = self.key_line(key, container)
        if not _TOKEN.fullmatch(key):
            self.problem(line, f"abbreviation {key!r}: write keys in lowercase ASCII, no accents")
            return
        only_as: frozenset[str] = frozenset()
        not_after_number = False
        if isinstance(entry, dict):
            unknown = set(entry) - {"to", "only_as", "not_after_number"}
            if unknown:
                self.problem(line, f"abbreviation {key!r}: unknown field(s) {sorted(unknown)}")
            raw_only = entry.get("only_as", [])
            if not isinstance(raw_only, list) or not all(isinstance(s, str) for s in raw_only):
                self.problem(line, f"abbreviation {key!r}: only_as must be a list of strings")
                raw_only = []
            only_as = frozenset(surface_form(s) for s in raw_only)
            flag = entry.get("not_after_number", False)
            if not isinstance(flag, bool):
                self.problem(line, f"abbreviation {key!r}: not_after_number must be true/false")
            not_after_number = flag is True
            entry = entry.get("to")
        if not isinstance(entry, str) or not _PHRASE.fullmatch(entry):
            self.problem(
                line,
                f"abbreviation {key!r}: expansion must be lowercase ASCII words without accents "
                "(that is what the normalised text contains)",
            )
            return
        if self.claim(self.tables.abbreviations, key, line, "abbreviation"):
            self.tables.abbreviations[key] = Abbreviation(entry, only_as, not_after_number)

    def homoglyphs(self, value: object) -> None:
        table = self.mapping(value, value, "homoglyphs")
        for key, target in (table or {}).items():
            key = str(key)
            line = self.key_line(key, table)
            if len(key) != 1 or key.isascii():
                self.problem(line, f"homoglyph {key!r}: key must be one non-ASCII character")
            elif unicodedata.normalize("NFKC", key).casefold() != key:
                self.problem(
                    line,
                    f"homoglyph {key!r}: never seen, NFKC and casefold run first; use the "
                    f"folded form {unicodedata.normalize('NFKC', key).casefold()!r}",
                )
            elif not unicodedata.normalize("NFD", key).isascii() and any(
                c.isascii() for c in unicodedata.normalize("NFD", key)
            ):
                self.problem(line, f"homoglyph {key!r}: a letter with marks, folded by step 5")
            elif not isinstance(target, str) or not re.fullmatch(r"[a-z]", target):
                self.problem(line, f"homoglyph {key!r}: target must be one letter a-z")
            elif self.claim(self.tables.homoglyphs, key, line, "homoglyph"):
                self.tables.homoglyphs[key] = target

    def leetspeak(self, value: object) -> None:
        table = self.mapping(value, value, "leetspeak")
        for key, target in (table or {}).items():
            key = str(key)
            line = self.key_line(key, table)
            if len(key) != 1 or not key.isascii() or key.isalpha() or key.isspace():
                self.problem(line, f"leetspeak {key!r}: key must be one ASCII digit or symbol")
            elif not isinstance(target, str) or not re.fullmatch(r"[a-z]", target):
                self.problem(line, f"leetspeak {key!r}: target must be one letter a-z")
            elif self.claim(self.tables.leetspeak, key, line, "leetspeak"):
                self.tables.leetspeak[key] = target

    def invisible(self, value: object) -> None:
        for item, line in self.items(value, "invisible"):
            if not isinstance(item, str):
                self.problem(line, "invisible: each item is a character or a range 'X..Y'")
                continue
            low, sep, high = item.partition("..")
            if not sep:
                high = low
            if len(low) != 1 or len(high) != 1 or ord(low) > ord(high):
                self.problem(line, f"invisible {item!r}: expected one character or a range 'X..Y'")
                continue
            if low.isascii():
                self.problem(line, f"invisible {item!r}: ASCII characters are never invisible")
                continue
            self.tables.invisible.update(chr(c) for c in range(ord(low), ord(high) + 1))

    def single_letter_words(self, value: object) -> None:
        for item, line in self.items(value, "single_letter_words"):
            if not isinstance(item, str) or not re.fullmatch(r"[a-z]", item):
                self.problem(line, f"single_letter_words {item!r}: expected one letter a-z")
            else:
                self.tables.single_letter_words.add(item)

    def link_tlds(self, value: object) -> None:
        for item, line in self.items(value, "link_tlds"):
            if not isinstance(item, str) or not _LABEL.fullmatch(item):
                self.problem(line, f"link_tlds {item!r}: expected a lowercase top-level domain")
            else:
                self.tables.link_tlds.add(item)

    def common_words(self, value: object) -> None:
        groups = self.mapping(value, value, "common_words")
        for language, words in (groups or {}).items():
            if not isinstance(language, str) or not _LABEL.fullmatch(language):
                self.problem(line_of(words), f"common_words: {language!r} is not a language code")
                continue
            table = self.tables.common_words.setdefault(language, set())
            for item, line in self.items(words, f"common_words.{language}"):
                if not isinstance(item, str) or not _TOKEN.fullmatch(item):
                    self.problem(line, f"common_words.{language} {item!r}: expected a word a-z")
                else:
                    table.add(item)

    def borrows(self, value: object) -> None:
        groups = self.mapping(value, value, "borrows")
        for language, others in (groups or {}).items():
            table = self.tables.borrows.setdefault(str(language), set())
            for item, line in self.items(others, f"borrows.{language}"):
                if not isinstance(item, str) or not _LABEL.fullmatch(item):
                    self.problem(line, f"borrows.{language} {item!r}: expected a language code")
                else:
                    table.add(item)

    def items(self, value: object, what: str) -> list[tuple[object, int | None]]:
        if not isinstance(value, list):
            self.problem(line_of(value), f"{what} must be a list")
            return []
        lines: list[int] = list(getattr(value, "item_lines", []))
        return [
            (item, lines[i] if i < len(lines) else line_of(value)) for i, item in enumerate(value)
        ]


@dataclass
class _Tables:
    abbreviations: dict[str, Abbreviation] = field(default_factory=dict)
    homoglyphs: dict[str, str] = field(default_factory=dict)
    leetspeak: dict[str, str] = field(default_factory=dict)
    invisible: set[str] = field(default_factory=set)
    single_letter_words: set[str] = field(default_factory=set)
    link_tlds: set[str] = field(default_factory=set)
    common_words: dict[str, set[str]] = field(default_factory=dict)
    borrows: dict[str, set[str]] = field(default_factory=dict)


_SECTIONS: dict[str, Callable[[_Reader, object], None]] = {
    "abbreviations": _Reader.abbreviations,
    "homoglyphs": _Reader.homoglyphs,
    "leetspeak": _Reader.leetspeak,
    "invisible": _Reader.invisible,
    "single_letter_words": _Reader.single_letter_words,
    "link_tlds": _Reader.link_tlds,
    "common_words": _Reader.common_words,
    "borrows": _Reader.borrows,
}


def load_lexicon(directory: Path) -> Lexicon:
    """Read and merge every `*.yaml` in `directory`; raise one `RulesError` listing all problems."""
    problems: list[Problem] = []
    tables = _Tables()
    if not directory.is_dir():
        raise RulesError([Problem(str(directory), None, None, "lexicon directory not found")])
    for path in sorted(directory.glob("*.yaml")):
        try:
            data = load_yaml(path)
        except RulesError as exc:
            problems.extend(exc.problems)
            continue
        reader = _Reader(path, tables, problems)
        if not isinstance(data, dict) or set(data) != {"lexicon"}:
            reader.problem(line_of(data, 1), "expected exactly one top-level key: lexicon")
            continue
        body = reader.mapping(data["lexicon"], data, "lexicon")
        for name, value in (body or {}).items():
            section = _SECTIONS.get(str(name))
            if section is None:
                known = ", ".join(sorted(_SECTIONS))
                reader.problem(
                    reader.key_line(str(name), body), f"unknown section {name!r} ({known})"
                )
            else:
                section(reader, value)
    if problems:
        raise RulesError(problems)
    return Lexicon(
        abbreviations=dict(tables.abbreviations),
        homoglyphs=dict(tables.homoglyphs),
        leetspeak=dict(tables.leetspeak),
        invisible=frozenset(tables.invisible),
        single_letter_words=frozenset(tables.single_letter_words),
        link_tlds=frozenset(tables.link_tlds),
        common_words={k: frozenset(v) for k, v in tables.common_words.items()},
        borrows={k: frozenset(v) for k, v in tables.borrows.items()},
    )
