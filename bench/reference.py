"""Reference matchers for the engine benchmark: the same rules, run without any cleverness.

Each one answers the question the engine answers, "which rules fire on this normalised message
going this direction", from the same pattern strings the engine runs: every pattern folded with
`fold_pattern`, every keyword normalised like message text and matched as a whole word (the
engine's test: no letter or digit on either side), `unless` patterns cancelling a rule that fired,
and a rule's `direction` respected. Agreement is compared on these per-message sets of rule ids,
after `unless`, on both sides.

- `NaiveMatcher`: a loop over every rule's regexes with the standard `re` module or with `regex`.
- `HyperscanMatcher`: one Hyperscan database of all of them (the near-hardware anchor). Hyperscan
  lacks look-arounds and back-references, and its `\\b`/`\\w` are ASCII here (Unicode `\\b` is not
  supported with UCP); a rule with any expression Hyperscan rejects is left out of its database
  and of the comparison with it. The normalised text of the corpus is ASCII apart from emoji, so
  ASCII word boundaries give the same answers there.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
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
    patterns: tuple[str, ...]  # folded patterns, then the keywords as whole-word regexes
    unless: tuple[str, ...]
    keywords: tuple[str, ...]  # normalised keyword literals

    def applies_to(self, direction: str) -> bool:
        return self.direction in ("any", direction)


def keyword_regex(keyword: str) -> str:
    """A keyword as the engine matches it: the literal, with no letter or digit either side."""
    return rf"(?<![^\W_]){re.escape(keyword)}(?![^\W_])"


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
                    patterns=tuple(fold_pattern(p) for p in rule.patterns)
                    + tuple(keyword_regex(k) for k in keywords),
                    unless=tuple(fold_pattern(p) for p in rule.unless),
                    keywords=keywords,
                )
            )
    return specs


def pattern_count(specs: Sequence[RuleSpec]) -> int:
    return sum(len(s.patterns) + len(s.unless) for s in specs)


@dataclass(frozen=True)
class _Compiled:
    id: str
    patterns: tuple[Any, ...]
    unless: tuple[Any, ...]


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
                    tuple(module.compile(p) for p in spec.patterns),
                    tuple(module.compile(p) for p in spec.unless),
                )
            except (re.error, regex.error):
                self.skipped.append(spec.id)
                continue
            for direction, rules in by_direction.items():
                if spec.applies_to(direction):
                    rules.append(compiled)
        self._rules = by_direction
        self.rules = frozenset(s.id for s in specs) - set(self.skipped)

    def fires(self, text: str, direction: str) -> frozenset[str]:
        fired = []
        for rule in self._rules[direction]:
            if any(_first_nonempty(p, text) for p in rule.patterns) and not any(
                u.search(text) for u in rule.unless
            ):
                fired.append(rule.id)
        return frozenset(fired)


@dataclass
class HyperscanBuild:
    """What building the Hyperscan database cost and left out."""

    trial_seconds: float = 0.0  # compiling each expression alone to find the unsupported ones
    compile_seconds: float = 0.0  # compiling the database of all supported ones
    expressions: int = 0
    unsupported: dict[str, int] = field(default_factory=dict)  # error message -> count
    rules_left_out: list[str] = field(default_factory=list)


class HyperscanMatcher:
    """All supported expressions in one block-mode database; `fires` applies direction/unless."""

    FLAGS_NAMES = ("HS_FLAG_UTF8", "HS_FLAG_SINGLEMATCH")

    def __init__(self, specs: Sequence[RuleSpec], hyperscan: ModuleType) -> None:
        self.build = HyperscanBuild()
        flags = 0
        for name in self.FLAGS_NAMES:
            flags |= getattr(hyperscan, name)
        started = time.perf_counter()
        supported: dict[str, bool] = {}
        for spec in specs:
            for expression in (*spec.patterns, *spec.unless):
                if expression not in supported:
                    error = _trial_compile(hyperscan, expression, flags)
                    supported[expression] = error is None
                    if error is not None:
                        count = self.build.unsupported.get(error, 0)
                        self.build.unsupported[error] = count + 1
        self.build.trial_seconds = time.perf_counter() - started

        expressions: list[bytes] = []
        self._kinds: list[tuple[int, bool]] = []  # expression id -> (rule index, is an `unless`)
        self._specs: list[RuleSpec] = []
        for spec in specs:
            if not all(supported[e] for e in (*spec.patterns, *spec.unless)):
                self.build.rules_left_out.append(spec.id)
                continue
            index = len(self._specs)
            self._specs.append(spec)
            for expression in spec.patterns:
                expressions.append(expression.encode("utf-8"))
                self._kinds.append((index, False))
            for expression in spec.unless:
                expressions.append(expression.encode("utf-8"))
                self._kinds.append((index, True))
        self.build.expressions = len(expressions)
        self.rules = frozenset(s.id for s in self._specs)
        self._db: Any = None
        if expressions:
            started = time.perf_counter()
            self._db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
            self._db.compile(
                expressions=expressions,
                ids=list(range(len(expressions))),
                elements=len(expressions),
                flags=[flags] * len(expressions),
            )
            self.build.compile_seconds = time.perf_counter() - started

    def fires(self, text: str, direction: str) -> frozenset[str]:
        if self._db is None:
            return frozenset()
        found: set[int] = set()
        self._db.scan(text.encode("utf-8", "replace"), match_event_handler=_collect, context=found)
        hit: set[int] = set()
        cancelled: set[int] = set()
        for expression in found:
            rule, is_unless = self._kinds[expression]
            (cancelled if is_unless else hit).add(rule)
        return frozenset(
            self._specs[r].id for r in hit - cancelled if self._specs[r].applies_to(direction)
        )


def _collect(expression: int, _start: int, _end: int, _flags: int, found: set[int]) -> None:
    found.add(expression)


def _trial_compile(hyperscan: ModuleType, expression: str, flags: int) -> str | None:
    """None when Hyperscan compiles `expression` alone, else its error message."""
    try:
        hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK).compile(
            expressions=[expression.encode("utf-8")], ids=[0], elements=1, flags=[flags]
        )
    except hyperscan.error as exc:
        return re.sub(r" at index \d+", "", str(exc))
    return None


@dataclass(frozen=True)
class Agreement:
    """How one approach's per-message rule sets compare with the engine's."""

    rules: int  # rules both sides can run (the comparison is restricted to them)
    messages: int
    engine_fires: int  # (message, rule) pairs the engine reports, within `rules`
    other_fires: int
    differing: int  # messages whose sets differ
    # (message index, rules only the engine found, rules only the other found)
    examples: tuple[tuple[int, tuple[str, ...], tuple[str, ...]], ...]

    @property
    def identical(self) -> bool:
        return self.differing == 0

    def to_json(self) -> dict[str, Any]:
        return {
            "rules": self.rules,
            "messages": self.messages,
            "engine_fires": self.engine_fires,
            "other_fires": self.other_fires,
            "differing_messages": self.differing,
            "identical": self.identical,
            "examples": [
                {"message": i, "only_engine": list(a), "only_other": list(b)}
                for i, a, b in self.examples
            ],
        }


def compare(
    engine_sets: Sequence[frozenset[str]],
    other_sets: Sequence[frozenset[str]],
    rules: frozenset[str],
    keep: int = 5,
) -> Agreement:
    """Compare per-message rule sets, both restricted to `rules`; keep a few examples."""
    differing = engine_fires = other_fires = 0
    examples: list[tuple[int, tuple[str, ...], tuple[str, ...]]] = []
    for index, (mine, theirs) in enumerate(zip(engine_sets, other_sets, strict=True)):
        mine, theirs = mine & rules, theirs & rules
        engine_fires += len(mine)
        other_fires += len(theirs)
        if mine != theirs:
            differing += 1
            if len(examples) < keep:
                examples.append((index, tuple(sorted(mine - theirs)), tuple(sorted(theirs - mine))))
    return Agreement(
        len(rules), len(engine_sets), engine_fires, other_fires, differing, tuple(examples)
    )
