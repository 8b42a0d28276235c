"""Reference matchers for the engine benchmark: the same rules, run without any cleverness.

Each one answers the question the engine answers, "which rules fire on this normalised message
going this direction", from the same pattern strings the engine runs: every pattern folded with
`fold_pattern`, every keyword normalised like message text and matched as a whole word (the
engine's test: no letter or digit on either side), `unless` patterns cancelling a rule that fired,
and a rule's `direction` respected. Agreement is compared on these per-message sets of rule ids,
after `unless`, on both sides.

- `NaiveMatcher`: a loop over every rule's regexes with the standard `re` module or with `regex`.
- `bench/hyperscan_ref.py`: one Hyperscan database of all of them (the near-hardware anchor).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import regex

from engine.engine import Engine
from engine.normalize import fold_pattern, normalize


@dataclass(frozen=True)
class RuleSpec:
    """One rule as pattern strings: what every reference matcher compiles."""

    id: str
    direction: str  # "in", "out" or "any"
    patterns: tuple[str, ...]  # folded patterns
    unless: tuple[str, ...]
    keywords: tuple[str, ...]  # normalised keyword literals
    keep_if: tuple[str, ...] = ()  # when one matches, `unless` is ignored
    pack_unless: tuple[str, ...] = ()  # cancels the rule whatever `keep_if` says
    accented: bool = False  # has `unless_accented` (needs the accented view): run, not compared

    def applies_to(self, direction: str) -> bool:
        return self.direction in ("any", direction)

    def expressions(self, keyword_form: Callable[[str], str]) -> tuple[str, ...]:
        """The patterns, then each keyword written as a regex by `keyword_form`."""
        return self.patterns + tuple(keyword_form(k) for k in self.keywords)


def keyword_regex(keyword: str) -> str:
    """A keyword as the engine matches it: the literal, with no letter or digit either side."""
    return rf"(?<![^\W_]){re.escape(keyword)}(?![^\W_])"


def keyword_hyperscan(keyword: str) -> str:
    """The same test without look-arounds (Hyperscan has none): consume the neighbour instead."""
    return rf"(?:^|[^\p{{L}}\p{{N}}]){re.escape(keyword)}(?:[^\p{{L}}\p{{N}}]|$)"


def rule_specs(engine: Engine) -> list[RuleSpec]:
    lexicon = engine.data.lexicon
    specs = []
    for pack in engine.data.packs:
        for rule in pack.rules:
            keywords = tuple(normalize(k, lexicon).text for k in rule.keywords)
            specs.append(
                RuleSpec(
                    id=rule.id,
                    direction=rule.direction,
                    patterns=tuple(fold_pattern(p) for p in rule.patterns),
                    unless=tuple(fold_pattern(p) for p in rule.unless),
                    keywords=keywords,
                    keep_if=tuple(fold_pattern(p) for p in rule.keep_if),
                    pack_unless=tuple(fold_pattern(p) for p in rule.pack_unless),
                    accented=bool(rule.unless_accented),
                )
            )
    return specs


def pattern_count(specs: Sequence[RuleSpec]) -> int:
    return sum(
        len(s.patterns) + len(s.keywords) + len(s.unless) + len(s.keep_if) + len(s.pack_unless)
        for s in specs
    )


@dataclass(frozen=True)
class _Compiled:
    id: str
    patterns: tuple[Any, ...]
    unless: tuple[Any, ...]
    keep_if: tuple[Any, ...]
    pack_unless: tuple[Any, ...]

    def cancelled(self, text: str) -> bool:
        if any(u.search(text) for u in self.pack_unless):
            return True
        return any(u.search(text) for u in self.unless) and not any(
            k.search(text) for k in self.keep_if
        )


def _first_nonempty(pattern: Any, text: str) -> bool:
    """Whether `pattern` has a non-empty match in `text` (the engine ignores empty matches)."""
    found = pattern.search(text)
    if found is None:
        return False
    if found.end() > found.start():
        return True
    return any(m.end() > m.start() for m in pattern.finditer(text))


class NaiveMatcher:
    """Every rule's regexes, one after another, with the given module (`re` or `regex`)."""

    def __init__(self, specs: Sequence[RuleSpec], module: ModuleType) -> None:
        self.name = module.__name__
        self.skipped: list[str] = []  # rules with a pattern this module cannot compile
        by_direction: dict[str, list[_Compiled]] = {"in": [], "out": []}
        for spec in specs:
            try:
                compiled = _Compiled(
                    spec.id,
                    tuple(module.compile(p) for p in spec.expressions(keyword_regex)),
                    tuple(module.compile(p) for p in spec.unless),
                    tuple(module.compile(p) for p in spec.keep_if),
                    tuple(module.compile(p) for p in spec.pack_unless),
                )
            except (re.error, regex.error):
                self.skipped.append(spec.id)
                continue
            for direction, rules in by_direction.items():
                if spec.applies_to(direction):
                    rules.append(compiled)
        self._rules = by_direction
        self.rules = frozenset(s.id for s in specs if not s.accented) - set(self.skipped)

    def fires(self, text: str, direction: str) -> frozenset[str]:
        fired = []
        for rule in self._rules[direction]:
            if any(_first_nonempty(p, text) for p in rule.patterns) and not rule.cancelled(text):
                fired.append(rule.id)
        return frozenset(fired)


@dataclass(frozen=True)
class Difference:
    """One message where an approach and the engine disagree."""

    message: int  # index in the corpus
    text: str
    only_engine: tuple[str, ...]
    only_other: tuple[str, ...]


@dataclass(frozen=True)
class Agreement:
    """How one approach's per-message rule sets compare with the engine's."""

    rules: int  # rules both sides can run (the comparison is restricted to them)
    messages: int
    engine_fires: int  # (message, rule) pairs the engine reports, within `rules`
    other_fires: int
    differing: int  # messages whose sets differ
    examples: tuple[Difference, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "rules": self.rules,
            "messages": self.messages,
            "engine_fires": self.engine_fires,
            "other_fires": self.other_fires,
            "differing_messages": self.differing,
            "identical": self.differing == 0,
            "examples": [
                {
                    "message": d.message,
                    "text": d.text,
                    "only_engine": list(d.only_engine),
                    "only_other": list(d.only_other),
                }
                for d in self.examples
            ],
        }


def compare(
    engine_sets: Sequence[frozenset[str]],
    other_sets: Sequence[frozenset[str]],
    rules: frozenset[str],
    texts: Sequence[str],
    keep: int = 5,
) -> Agreement:
    """Compare per-message rule sets, both restricted to `rules`; keep a few differences."""
    differing = engine_fires = other_fires = 0
    examples: list[Difference] = []
    for index, (mine, theirs) in enumerate(zip(engine_sets, other_sets, strict=True)):
        mine, theirs = mine & rules, theirs & rules
        engine_fires += len(mine)
        other_fires += len(theirs)
        if mine != theirs:
            differing += 1
            if len(examples) < keep:
                examples.append(
                    Difference(
                        index,
                        texts[index],
                        tuple(sorted(mine - theirs)),
                        tuple(sorted(theirs - mine)),
                    )
                )
    return Agreement(
        len(rules), len(engine_sets), engine_fires, other_fires, differing, tuple(examples)
    )
