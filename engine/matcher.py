"""Find which rules fire on a normalised message.

All literals (keywords, and the required atoms of every pattern) go into one Aho-Corasick automaton.
One pass over the message tells which keywords occur and which patterns could possibly match; only
those patterns run, each with the `regex` module's timeout taken from a per-message budget. A
pattern with no provable atom runs on every message (lint flags it). Patterns are compiled on first
use: most never become candidates, and start-up stays short. The prefilter must never lose a match
that running every pattern would find: tests compare both ways.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import ahocorasick

from .normalize import Lexicon, NormalizedText, fold_pattern, normalize
from .packs import Rule
from .pattern_cache import compile_pattern, facts_of

MAX_SPANS_PER_RULE = 5


@dataclass(frozen=True)
class RuleHit:
    """A rule that fired, with the spans it matched in the NORMALISED text."""

    rule: Rule
    spans: tuple[tuple[int, int], ...]


@dataclass
class MatchStats:
    """What one `match` call cost; the benchmark and the timeout tests read it."""

    patterns_run: int = 0
    timed_out: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _CompiledRule:
    rule: Rule
    patterns: tuple[str, ...]  # folded pattern strings, compiled on first use
    unless: tuple[str, ...]
    keywords: tuple[str, ...]


class Matcher:
    """Compiled form of a rule list: build once at load, then call `match` per message."""

    def __init__(self, rules: Sequence[Rule], lexicon: Lexicon) -> None:
        self._rules = [
            _CompiledRule(
                rule=rule,
                patterns=tuple(fold_pattern(p) for p in rule.patterns),
                unless=tuple(fold_pattern(p) for p in rule.unless),
                keywords=tuple(normalize(k, lexicon).text for k in rule.keywords),
            )
            for rule in rules
        ]
        # atom -> list of (rule index, pattern index); pattern index -1 means "keyword of the rule"
        self._atom_entries: dict[str, list[tuple[int, int]]] = {}
        self.unfiltered: list[tuple[int, int]] = []
        # the other clauses a pattern needs: checked against the atoms found before it runs
        self._also_needs: dict[tuple[int, int], tuple[frozenset[str], ...]] = {}
        for r, compiled in enumerate(self._rules):
            for k, keyword in enumerate(compiled.keywords):
                self._atom_entries.setdefault(keyword, []).append((r, -1 - k))
            for p, pattern in enumerate(compiled.patterns):
                clauses = [frozenset(a.lower() for a in c) for c in facts_of(pattern).clauses]
                if not clauses:
                    self.unfiltered.append((r, p))
                    continue
                for atom in clauses[0]:
                    self._atom_entries.setdefault(atom, []).append((r, p))
                if len(clauses) > 1:
                    self._also_needs[(r, p)] = tuple(clauses[1:])
                    for clause in clauses[1:]:
                        for atom in clause:
                            self._atom_entries.setdefault(atom, [])
        # per atom: the patterns it makes candidates, and the keywords it is (C-level set unions)
        self._patterns_of = {
            atom: frozenset(e for e in entries if e[1] >= 0)
            for atom, entries in self._atom_entries.items()
        }
        self._keywords_of = {
            atom: tuple(r for r, p in entries if p < 0)
            for atom, entries in self._atom_entries.items()
        }
        self._automaton = ahocorasick.Automaton()
        for atom in self._atom_entries:
            self._automaton.add_word(atom, atom)
        if self._atom_entries:
            self._automaton.make_automaton()

    @property
    def rules(self) -> tuple[Rule, ...]:
        return tuple(c.rule for c in self._rules)

    def match(
        self,
        norm: NormalizedText,
        direction: str,
        budget_seconds: float,
        stats: MatchStats | None = None,
        prefilter: bool = True,
    ) -> list[RuleHit]:
        """Rules firing on `norm.text` for a message going `direction` ("in" or "out")."""
        text = norm.text
        stats = stats if stats is not None else MatchStats()
        deadline = time.perf_counter() + budget_seconds
        spans: dict[int, list[tuple[int, int]]] = {}
        candidates: set[tuple[int, int]] = set()
        if prefilter:
            present: set[str] = set()
            if self._atom_entries and text:
                for end, atom in self._automaton.iter(text):
                    present.add(atom)
                    start = end + 1 - len(atom)
                    if self._keywords_of[atom] and _word_bounded(text, start, end + 1):
                        for r in self._keywords_of[atom]:
                            spans.setdefault(r, []).append((start, end + 1))
            candidates = candidates.union(*(self._patterns_of[atom] for atom in present))
            candidates = {
                c
                for c in candidates
                if not any(clause.isdisjoint(present) for clause in self._also_needs.get(c, ()))
            }
            candidates.update(self.unfiltered)
        else:
            candidates = {(r, p) for r, c in enumerate(self._rules) for p in range(len(c.patterns))}
            for r, compiled in enumerate(self._rules):
                for keyword in compiled.keywords:
                    spans.setdefault(r, []).extend(_keyword_spans(text, keyword))
        for r, p in sorted(candidates):
            compiled = self._rules[r]
            if not compiled.rule.applies_to(direction):
                continue
            found = spans.setdefault(r, [])
            if len(found) >= MAX_SPANS_PER_RULE:
                continue
            stats.patterns_run += 1
            try:
                pattern = compile_pattern(compiled.patterns[p])
                for m in pattern.finditer(text, timeout=_remaining(deadline)):
                    if m.end() > m.start():
                        found.append(m.span())
                    if len(found) >= MAX_SPANS_PER_RULE:
                        break
            except TimeoutError:
                stats.timed_out.append(compiled.rule.id)
        hits: list[RuleHit] = []
        for r, found in spans.items():
            compiled = self._rules[r]
            if not found or not compiled.rule.applies_to(direction):
                continue
            if self._cancelled(compiled, text, deadline, stats):
                continue
            hits.append(RuleHit(compiled.rule, _merge(found)))
        return hits

    @staticmethod
    def _cancelled(compiled: _CompiledRule, text: str, deadline: float, stats: MatchStats) -> bool:
        for pattern in compiled.unless:
            try:
                if compile_pattern(pattern).search(text, timeout=_remaining(deadline)):
                    return True
            except TimeoutError:
                stats.timed_out.append(compiled.rule.id)
                return True  # an exception we could not evaluate: stay quiet rather than guess
        return False


def _remaining(deadline: float) -> float:
    return max(deadline - time.perf_counter(), 0.001)


def _word_bounded(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not before.isalnum() and not after.isalnum()


def _keyword_spans(text: str, keyword: str) -> list[tuple[int, int]]:
    out = []
    start = text.find(keyword)
    while start >= 0:
        if _word_bounded(text, start, start + len(keyword)):
            out.append((start, start + len(keyword)))
        start = text.find(keyword, start + 1)
    return out


def _merge(spans: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(set(spans)):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged[:MAX_SPANS_PER_RULE])
