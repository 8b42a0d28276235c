"""Maintainers' checks: every rule's own examples (`rules test`) and rule hygiene (`rules lint`)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import regex

from .atoms import nested_quantifier, required_atoms
from .engine import Engine
from .errors import Problem
from .lexicon import Lexicon
from .normalize import fold_pattern, normalize
from .packs import Rule

MIN_EXAMPLES = 3
MIN_ATOM_LENGTH = 3
#: Inputs shaped to make a careless pattern backtrack; each pattern must finish on each quickly.
PROBE_SECONDS = 0.05
_PROBES = (
    "a" * 3000 + "!",
    "a " * 1500 + "!",
    "ab" * 1500 + "\n",
    "1" * 3000 + "x",
    ". " * 1500,
    "khong " * 500 + "!",
)
_UPPER = regex.compile(r"\p{Lu}")
#: A whole word in a pattern: after the start, `(`, `|`, a space, `\b` or `\s` (with `+*?`),
#: and before the end, `)`, `|`, a space, `\b` or `\s`. (`(?:yo)?ur` or `pics?` are not words.)
_WORD_IN_PATTERN = regex.compile(
    r"(?:^|(?<=[(|\s])|(?<=\(\?:)|(?<=\\b)|(?<=\\s[+*?]?))([a-z0-9]+)(?=$|[)|\s]|\\[bs])"
)


def test_examples(engine: Engine) -> tuple[list[Problem], int]:
    """Run every rule's examples; return the problems and how many examples ran.

    The classifier is left out: examples test the rules alone.
    """
    problems: list[Problem] = []
    count = 0
    for rule in _rules(engine):
        direction = "in" if rule.direction == "any" else rule.direction
        for example in rule.match_examples:
            count += 1
            findings = engine.scan_uncached(example.text, direction, model=False)
            if not any(f.rule == rule.id for f in findings):
                problems.append(
                    _problem(rule, example.line, f"match example not matched: {example.text!r}")
                )
        for example in rule.no_match_examples:
            count += 1
            findings = engine.scan_uncached(example.text, direction, model=False)
            culprits = sorted({f.rule for f in findings if f.category == rule.category})
            if culprits:
                who = "this rule" if culprits == [rule.id] else ", ".join(culprits)
                problems.append(
                    _problem(
                        rule, example.line, f"no_match example flagged by {who}: {example.text!r}"
                    )
                )
    return problems, count


def lint(engine: Engine) -> list[Problem]:
    """Hygiene that loading does not enforce: examples, prefilter atoms, backtracking, case."""
    problems: list[Problem] = []
    lexicon = engine.data.lexicon
    rewritten = _always_rewritten(lexicon)
    # each pattern is linted once, where it is first met: a fragment at its own line in the header,
    # the header's `unless` with the pack's first rule
    linted: set[tuple[bool, str]] = set()  # (is a `patterns` item, pattern)
    for pack in engine.data.packs:
        header = str(pack.files[0])
        for unused in pack.unused_fragments:
            message = f"fragment {unused.name!r} is used by no rule"
            problems.append(Problem(header, unused.line, None, message))
        for fragment in pack.fragments:
            key = f"fragments: {fragment.name}"
            for message in _pattern_problems(key, fragment.pattern, rewritten):
                problems.append(Problem(header, fragment.line, None, message))
            linted.add((False, fragment.pattern))
    for rule in _rules(engine):
        if len(rule.match_examples) < MIN_EXAMPLES or len(rule.no_match_examples) < MIN_EXAMPLES:
            problems.append(
                _problem(
                    rule,
                    rule.line,
                    f"needs at least {MIN_EXAMPLES} match and {MIN_EXAMPLES} no_match examples "
                    f"(has {len(rule.match_examples)} and {len(rule.no_match_examples)})",
                )
            )
        for keyword in rule.keywords:
            if len(normalize(keyword, lexicon).text) < MIN_ATOM_LENGTH:
                problems.append(_problem(rule, rule.line, f"keyword {keyword!r} is too short"))
        for key, patterns in (
            ("patterns", rule.patterns),
            ("unless", rule.unless),
            ("unless_accented", rule.unless_accented),
            ("keep_if", rule.keep_if),
            ("unless (pack header)", rule.pack_unless),
        ):
            for pattern in patterns:
                if (key == "patterns", pattern) not in linted:
                    linted.add((key == "patterns", pattern))
                    for message in _pattern_problems(key, pattern, rewritten):
                        problems.append(_problem(rule, rule.line, message))
    return problems


def _always_rewritten(lexicon: Lexicon) -> dict[str, str]:
    """Words the normaliser always rewrites (`wanna` -> `want to`), with what it writes instead."""
    return {
        k: a.expansion
        for k, a in lexicon.abbreviations.items()
        if not a.only_as and not a.not_after_number
    }


def _pattern_problems(key: str, pattern: str, rewritten: dict[str, str]) -> Iterator[str]:
    """What is wrong with one pattern of field `key` (`patterns` must also prefilter)."""
    folded = fold_pattern(pattern)
    try:
        regex.compile(folded)  # loading trusts the stdlib parser; here every pattern compiles
    except regex.error as exc:
        yield f"`{key}` {pattern!r} does not compile: {exc}"
        return
    if nested_quantifier(folded):
        yield f"`{key}` {pattern!r} nests unbounded repeats (catastrophic backtracking)"
    elif _backtracks(folded):
        yield f"`{key}` {pattern!r} is too slow on adversarial input"
    if _UPPER.search(_strip_escapes(folded)):
        yield f"`{key}` {pattern!r} has upper-case letters; text is lower-cased"
    if key == "patterns":
        atoms = required_atoms(folded)
        if atoms is None:
            yield f"pattern {pattern!r} has no literal to prefilter on"
        elif min(len(a.strip()) for a in atoms) < 2:
            yield f"pattern {pattern!r} prefilters only on {sorted(atoms)}"
    # the normaliser rewrites these words (`wanna` -> `want to`): messages no longer contain them
    for word in dict.fromkeys(_WORD_IN_PATTERN.findall(folded)):
        if word in rewritten:
            yield (
                f"`{key}` {pattern!r} spells {word!r}, which messages never contain after "
                f"normalisation: write {rewritten[word]!r}"
            )


def _strip_escapes(pattern: str) -> str:
    return str(regex.sub(r"\\[pPN]\{[^}]*\}|\\.", "", pattern))


def _backtracks(pattern: str) -> bool:
    """CPU time (not wall time) on each probe, best of three: a busy machine must not fail lint."""
    compiled = regex.compile(pattern)
    for probe in _PROBES:
        best = min(_cpu_seconds(compiled, probe) for _ in range(3))
        if best > PROBE_SECONDS:
            return True
    return False


def _cpu_seconds(compiled: regex.Pattern[str], probe: str) -> float:
    started = time.thread_time()
    try:
        for _ in compiled.finditer(probe, timeout=PROBE_SECONDS * 20):
            pass
    except TimeoutError:
        return float("inf")
    return time.thread_time() - started


def _rules(engine: Engine) -> Iterator[Rule]:
    for pack in engine.data.packs:
        yield from pack.rules


def _problem(rule: Rule, line: int | None, message: str) -> Problem:
    return Problem(rule.file, line if line is not None else rule.line, rule.id, message)
