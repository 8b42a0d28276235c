"""Find which rules fire on a normalised message.

Every pattern's literal clauses are known (`engine.atoms`): each match contains an atom of every
clause, as seen in the message's word view (non-word characters as spaces, so `\\bem\\b` needs
" em ", which "them" lacks). All atoms, and every keyword, go into one Aho-Corasick automaton that
reads the word view. Each pattern owns a run of bits, one per clause, in one big integer; each
atom carries the mask of the clause bits it satisfies. One pass over the message ORs the masks of
the atoms found, and one addition tells which patterns have every clause satisfied (a full run of
ones carries into the guard bit above it), all in C; masking the guard bits keeps only patterns
for the message's direction and language. Only those candidates run, each with the `regex`
module's timeout taken from a per-message budget. A pattern with no provable atom runs on every
message (lint flags it). Patterns are compiled on first use: most never become candidates, and
start-up stays short. The prefilter must never lose a match that running every pattern would
find: tests compare both ways.
Packs written for one language skip messages plainly written in another (`engine.language`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import ahocorasick

from .atoms import word_view
from .language import LanguageGuesser
from .normalize import Lexicon, NormalizedText, accented_view, fold_pattern, normalize
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
    unless_accented: tuple[str, ...]
    keep_if: tuple[str, ...]
    pack_unless: tuple[str, ...]
    keywords: tuple[str, ...]
    languages: frozenset[str]

    def skipped(self, direction: str, foreign: frozenset[str]) -> bool:
        """Not for this direction, or written for languages the message is plainly not in."""
        if not self.rule.applies_to(direction):
            return True
        return bool(foreign) and bool(self.languages) and self.languages <= foreign


class Matcher:
    """Compiled form of a rule list: build once at load, then call `match` per message."""

    def __init__(self, rules: Sequence[Rule], lexicon: Lexicon) -> None:
        self._rules = [
            _CompiledRule(
                rule=rule,
                patterns=tuple(fold_pattern(p) for p in rule.patterns),
                unless=tuple(fold_pattern(p) for p in rule.unless),
                unless_accented=rule.unless_accented,
                keep_if=tuple(fold_pattern(p) for p in rule.keep_if),
                pack_unless=tuple(fold_pattern(p) for p in rule.pack_unless),
                keywords=tuple(normalize(k, lexicon).text for k in rule.keywords),
                languages=frozenset(rule.languages),
            )
            for rule in rules
        ]
        self._languages = LanguageGuesser(lexicon.common_words, lexicon.borrows)
        self.unfiltered: list[tuple[int, int]] = []
        self._layout = _ClauseBits()
        # per (direction, languages ruled out): the guard bits of the patterns that may run
        self._guards: dict[tuple[str, frozenset[str]], int] = {}
        keyword_rules: dict[str, list[int]] = {}
        for r, compiled in enumerate(self._rules):
            for keyword in compiled.keywords:
                keyword_rules.setdefault(keyword, []).append(r)
            for p, pattern in enumerate(compiled.patterns):
                clauses = [
                    frozenset(a.lower() for a in clause)
                    for clause in facts_of(pattern).clauses
                    if min(len(a.strip()) for a in clause) > 1  # a lone letter is too common
                ]
                if clauses:
                    self._layout.add((r, p), clauses)
                else:
                    self.unfiltered.append((r, p))
        # the automaton's value per literal of the word view: (length, clause-bit mask >> shift,
        # shift, (keyword, rules it is a keyword of) for each keyword with this view)
        self._automaton = ahocorasick.Automaton()
        layout = self._layout
        # keywords are looked up in the word view too, then checked against the text itself
        keywords_in_view: dict[str, dict[str, list[int]]] = {}
        for keyword, indices in keyword_rules.items():
            keywords_in_view.setdefault(word_view(keyword)[1:-1], {})[keyword] = indices
        for atom in set(layout.bits_of) | set(keywords_in_view):
            keywords = tuple(
                (keyword, tuple(indices))
                for keyword, indices in keywords_in_view.get(atom, {}).items()
            )
            self._automaton.add_word(atom, (len(atom), *layout.mask_of(atom), keywords))
        layout.bits_of.clear()  # the automaton holds the masks now
        if len(self._automaton):
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
        foreign = self._languages.foreign(text, norm.original)
        spans: dict[int, list[tuple[int, int]]] = {}
        candidates: set[tuple[int, int]] = set()
        if prefilter:
            satisfied = 0
            if text and len(self._automaton):
                # view position i is text position i - 1 (`word_view` pads one space)
                for end, (length, mask, shift, keywords) in self._automaton.iter(word_view(text)):
                    satisfied |= mask << shift if shift else mask
                    for keyword, rule_indices in keywords:
                        start = end - length
                        if text.startswith(keyword, start) and _word_bounded(text, start, end):
                            for r in rule_indices:
                                spans.setdefault(r, []).append((start, end))
            guards = self._guards.get((direction, foreign))
            if guards is None:
                guards = self._guards[(direction, foreign)] = self._layout.guards_of(
                    lambda r: not self._rules[r].skipped(direction, foreign)
                )
            candidates.update(self._layout.complete(satisfied, guards))
            candidates.update(self.unfiltered)
        else:
            candidates = {(r, p) for r, c in enumerate(self._rules) for p in range(len(c.patterns))}
            for r, compiled in enumerate(self._rules):
                for keyword in compiled.keywords:
                    spans.setdefault(r, []).extend(_keyword_spans(text, keyword))
        for r, p in sorted(candidates):
            compiled = self._rules[r]
            if compiled.skipped(direction, foreign):
                continue
            found = spans.setdefault(r, [])
            if len(found) >= MAX_SPANS_PER_RULE:
                continue
            stats.patterns_run += 1
            try:
                pattern = compile_pattern(compiled.patterns[p])
                first = pattern.search(text, timeout=_remaining(deadline))
                if first is None:  # most candidates: one call, no iterator to build
                    continue
                for m in pattern.finditer(text, first.start(), timeout=_remaining(deadline)):
                    if m.end() > m.start():
                        found.append(m.span())
                    if len(found) >= MAX_SPANS_PER_RULE:
                        break
            except TimeoutError:
                stats.timed_out.append(compiled.rule.id)
        hits: list[RuleHit] = []
        accented: str | None = None  # the accented view, built once if a rule asks for it
        pack_cancelled: dict[str, bool] = {}  # the pack header's `unless`, read once per pack
        for r, found in spans.items():
            compiled = self._rules[r]
            if not found or compiled.skipped(direction, foreign):
                continue
            pack = compiled.rule.pack
            if pack not in pack_cancelled:
                pack_cancelled[pack] = _any_match(
                    compiled, compiled.pack_unless, text, deadline, stats, on_timeout=True
                )
            if pack_cancelled[pack]:
                continue
            excused = _any_match(compiled, compiled.unless, text, deadline, stats, on_timeout=True)
            if not excused and compiled.unless_accented:
                accented = accented if accented is not None else accented_view(norm)
                excused = _any_match(
                    compiled, compiled.unless_accented, accented, deadline, stats, on_timeout=True
                )
            if excused and not _any_match(
                compiled, compiled.keep_if, text, deadline, stats, on_timeout=False
            ):
                continue
            hits.append(RuleHit(compiled.rule, _merge(found)))
        return hits


class _ClauseBits:
    """Where each pattern's clause bits sit in the big integer, and which bits each atom sets."""

    def __init__(self) -> None:
        self.bits_of: dict[str, list[int]] = {}  # atom -> the clause bits it satisfies
        self.lowest = 0  # the lowest bit of every pattern's run
        self._pattern_at: dict[int, tuple[int, int]] = {}  # guard bit -> (rule, pattern)
        self._next = 0

    def add(self, key: tuple[int, int], clauses: Sequence[frozenset[str]]) -> None:
        base = self._next
        for i, clause in enumerate(clauses):
            for atom in clause:
                self.bits_of.setdefault(atom, []).append(base + i)
        guard = base + len(clauses)  # the bit just above the run, never set by an atom
        self.lowest |= 1 << base
        self._pattern_at[guard] = key
        self._next = guard + 1

    def mask_of(self, atom: str) -> tuple[int, int]:
        """(mask, shift): the atom's clause bits are `mask << shift`.

        An atom whose bits sit high and close together (a few late patterns) is kept from its
        lowest bit up, a small int; one spread over many patterns is kept as it is (shift 0), so
        the atoms found in most messages cost no shift.
        """
        bits = self.bits_of.get(atom)
        if not bits:
            return 0, 0
        lowest = min(bits)
        shift = lowest if lowest > max(bits) - lowest else 0
        mask = 0
        for bit in bits:
            mask |= 1 << (bit - shift)
        return mask, shift

    def guards_of(self, wanted: Callable[[int], bool]) -> int:
        """The guard bits of the patterns whose rule index passes `wanted`."""
        guards = 0
        for guard, (rule, _pattern) in self._pattern_at.items():
            if wanted(rule):
                guards |= 1 << guard
        return guards

    def complete(self, satisfied: int, guards: int) -> list[tuple[int, int]]:
        """Patterns under `guards` whose every clause bit is in `satisfied`, highest first."""
        full = (satisfied + self.lowest) & guards
        out = []
        while full:
            top = full.bit_length() - 1
            out.append(self._pattern_at[top])
            full ^= 1 << top
        return out


def _any_match(
    compiled: _CompiledRule,
    patterns: tuple[str, ...],
    view: str,
    deadline: float,
    stats: MatchStats,
    on_timeout: bool,
) -> bool:
    """Whether one of `patterns` matches `view`. A pattern that times out is recorded and counts
    as `on_timeout`: True for an exception (stay quiet rather than guess), False for a `keep_if`
    red flag (the exception stands)."""
    for pattern in patterns:
        try:
            if compile_pattern(pattern).search(view, timeout=_remaining(deadline)):
                return True
        except TimeoutError:
            stats.timed_out.append(compiled.rule.id)
            return on_timeout
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
