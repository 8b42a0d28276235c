"""Required literal "atoms" of a regex, for the prefilter (the YARA idea).

`required_atoms(pattern)` returns a set of literal strings such that every match of the pattern
contains at least one of them, or None when no such set can be proven. The matcher only runs a
pattern on messages where one of its atoms occurs, so this module must never claim an atom a match
could lack: when in doubt it returns None (and the pattern simply runs on every message).

Atoms are strings of the text's word view (`word_view`): every character that is not a word
character becomes a space, and a space pads each end. A word boundary `\\b` next to a letter is
then a space too, so `\\bem\\b` gives the atom " em " and no longer runs on "them" or "emoji".

It also answers the lint question "can this pattern backtrack catastrophically?" from the same
parse tree: a repeat whose body can itself repeat without bound (`(a+)+`, `(\\w+\\s?)*`).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import regex

if sys.version_info >= (3, 11):
    from re import _parser as sre_parse
else:  # pragma: no cover - Python 3.10
    import sre_parse

_C: Any = sre_parse  # opcode constants live on the parser module in 3.10 and 3.11+
_REPEATS = {_C.MAX_REPEAT, _C.MIN_REPEAT}
if hasattr(_C, "POSSESSIVE_REPEAT"):
    _REPEATS.add(_C.POSSESSIVE_REPEAT)
_ZERO_WIDTH = {_C.AT, _C.ASSERT, _C.ASSERT_NOT}
_MAX_CLASS_ATOMS = 6
_MAX_EXPANSION = 64  # most fixed strings one run of literals, classes and groups multiplies into
_MANY = 10  # an outer repeat allowed more times than this counts as unbounded

Atoms = frozenset[str]

_NON_WORD = regex.compile(r"\W")  # the `regex` module's own \w, the one its \b is defined by
_NON_WORD_CATEGORIES = {_C.CATEGORY_SPACE, _C.CATEGORY_NOT_WORD}
_BOUNDARY = "\x00"  # a \b inside a run of fixed strings, resolved when the run is complete


def word_view(text: str) -> str:
    """`text` with every non-word character a space, padded by one space at each end.

    Same length plus two: position i of the text is position i + 1 of the view.
    """
    return f" {_NON_WORD.sub(' ', text)} "


@lru_cache(maxsize=8192)
def _parse(pattern: str) -> Any | None:
    """The stdlib parse tree, memoised: validation, atoms and lint all read the same tree."""
    try:
        return sre_parse.parse(pattern)
    except Exception:  # regex-module syntax that `re` lacks: no proof, no atoms
        return None


def parses(pattern: str) -> bool:
    """Whether the stdlib parser accepts `pattern` (cheap; `regex` accepts what `re` does)."""
    return _parse(pattern) is not None


@lru_cache(maxsize=8192)
def required_clauses(pattern: str) -> tuple[Atoms, ...]:
    """Every match contains at least one atom of EACH clause; the best clause comes first.

    `you (?:send|give) (?:nudes|pics)` gives ({"you "}, {"send", "give"}, {"nudes", "pics"}) in
    some order: the matcher indexes the first and checks the others against the atoms it found,
    so a common word alone no longer makes a pattern run. Empty when nothing can be proven.
    """
    tree = _parse(pattern)
    if tree is None:
        return ()
    clauses = set(_sequence(list(tree)))
    return tuple(sorted(clauses, key=_score, reverse=True))


def required_atoms(pattern: str) -> Atoms | None:
    """The best clause: literals at least one of which every match contains (None: no proof)."""
    clauses = required_clauses(pattern)
    return clauses[0] if clauses else None


def _score(atoms: Atoms) -> tuple[int, int]:
    """Prefer sets whose shortest atom is longest, then smaller sets."""
    return (min(len(a.strip()) for a in atoms), -len(atoms))


def _best(clauses: Iterable[Atoms]) -> Atoms | None:
    usable = [c for c in clauses if c and all(c)]
    return max(usable, key=_score) if usable else None


def _sequence(items: list[tuple[Any, Any]]) -> list[Atoms]:
    """The clauses a match of this sequence must all satisfy (a conjunction).

    Consecutive parts that match only a few fixed strings (a literal, `[ao]`, `(?:lai|loi)`) are
    multiplied out into one run of whole strings: the stdlib parser factors `loi|lai` into
    `l[ao]i`, and without this the clauses would be `l`, `a`/`o` and `i` instead of `lai`/`loi`.
    """
    clauses: list[Atoms] = []
    run: set[str] = {""}

    def flush() -> None:
        nonlocal run
        # None: a string no text can match (a boundary between two letters)
        viewed = {v for s in run if (v := _in_view(s)) is not None}
        if viewed and all(v.strip() for v in viewed):  # spaces alone say nothing
            clauses.append(frozenset(viewed))
        run = {""}

    for op, av in items:
        if op == _C.AT and av == _C.AT_BOUNDARY:
            run = {prefix + _BOUNDARY for prefix in run}
            continue
        if op in _ZERO_WIDTH:
            continue  # anchors and lookarounds consume nothing; the literal run stays contiguous
        if op in _REPEATS and av[0] >= 1 and _non_word_class(list(av[2])):
            run = {prefix + " " for prefix in run}  # `\\s+`: one space or more in the view
            flush()
            run = {" "}
            continue
        strings = _fixed_strings(op, av)
        if strings is None:
            flush()
            clauses.extend(_item(op, av))
        elif len(run) * len(strings) > _MAX_EXPANSION:
            flush()
            run = strings
        else:
            run = {prefix + s for prefix in run for s in strings}
    flush()
    return [c for c in clauses if all(c)]


def _in_view(fixed: str) -> str | None:
    """A run's fixed string as the word view shows it; None if no text can match it.

    A boundary with a word character on one side has a non-word character (a space in the view,
    which is padded) or nothing on the other side. Next to a non-word character it says nothing
    the view does not show already, and between two characters of the same kind it never holds.
    """
    out: list[str] = []
    for i, char in enumerate(fixed):
        if char != _BOUNDARY:
            out.append(" " if _NON_WORD.match(char) else char)
            continue
        left = _neighbour(fixed, i, -1)
        right = _neighbour(fixed, i, 1)
        left_word = left is not None and not _NON_WORD.match(left)
        right_word = right is not None and not _NON_WORD.match(right)
        if left is not None and right is not None and left_word == right_word:
            return None
        if (left is None and right_word) or (right is None and left_word):
            out.append(" ")
    return "".join(out)


def _non_word_class(items: list[tuple[Any, Any]]) -> bool:
    """One character class every member of which is a non-word character (`\\s`, `\\W`, `[,.]`)."""
    if len(items) != 1 or items[0][0] != _C.IN:
        return False
    return all(
        (o == _C.CATEGORY and v in _NON_WORD_CATEGORIES)
        or (o == _C.LITERAL and _NON_WORD.match(chr(v)) is not None)
        for o, v in items[0][1]
    )


def _neighbour(fixed: str, at: int, step: int) -> str | None:
    """The nearest character that is not a boundary mark, `step` (-1 or 1) away from `at`."""
    at += step
    while 0 <= at < len(fixed) and fixed[at] == _BOUNDARY:
        at += step
    return fixed[at] if 0 <= at < len(fixed) else None


def _fixed_strings(op: Any, av: Any) -> set[str] | None:
    """The few strings this one item can match, or None when it can match other things."""
    if op == _C.LITERAL:
        return {chr(av)}
    if op == _C.IN:
        if _non_word_class([(op, av)]):
            return {" "}  # `\\s`, `[.,!?]`: whichever character it is, the view has a space
        chars = {chr(v) for o, v in av if o == _C.LITERAL}
        ok = len(chars) == len(av) and 0 < len(chars) <= _MAX_CLASS_ATOMS
        return chars if ok else None
    if op == _C.SUBPATTERN:
        return _fixed_sequence(list(av[-1]))
    if op == _C.BRANCH:
        out: set[str] = set()
        for branch in av[1]:
            strings = _fixed_sequence(list(branch))
            if strings is None:
                return None
            out |= strings
        return out if len(out) <= _MAX_EXPANSION else None
    return None


def _fixed_sequence(items: list[tuple[Any, Any]]) -> set[str] | None:
    run = {""}
    for op, av in items:
        if op in _ZERO_WIDTH:
            return None  # a lookaround inside a group: leave it to the general walk
        strings = _fixed_strings(op, av)
        if strings is None or len(run) * len(strings) > _MAX_EXPANSION:
            return None
        run = {prefix + s for prefix in run for s in strings}
    return run


def _item(op: Any, av: Any) -> list[Atoms]:
    if op == _C.SUBPATTERN:
        return _sequence(list(av[-1]))
    if hasattr(_C, "ATOMIC_GROUP") and op == _C.ATOMIC_GROUP:
        return _sequence(list(av))
    if op in _REPEATS:
        low, _high, body = av
        return _sequence(list(body)) if low >= 1 else []
    if op == _C.BRANCH:
        # one clause: each alternative contributes its own best clause
        union: set[str] = set()
        for branch in av[1]:
            best = _best(_sequence(list(branch)))
            if best is None:
                return []
            union |= best
        return [frozenset(union)]
    if op == _C.IN:
        chars = [chr(v) for o, v in av if o == _C.LITERAL]
        if len(chars) == len(av) and 0 < len(chars) <= _MAX_CLASS_ATOMS:
            return [frozenset(chars)]
    return []


def nested_quantifier(pattern: str) -> bool:
    """True when a repeated group contains an unbounded repeat (catastrophic backtracking)."""
    tree = _parse(pattern)
    return tree is not None and _has_nested(list(tree), inside_repeat=False)


def _has_nested(items: list[tuple[Any, Any]], inside_repeat: bool) -> bool:
    """Walk the tree; `inside_repeat` is True below a repeat that may run many times.

    Bounded gaps such as `(?:\\w+\\s+){0,3}` are allowed: their outer repeat is small, and the
    runtime probe in lint catches what this shape test lets through.
    """
    for op, av in items:
        if op in _REPEATS:
            _low, high, body = av
            unbounded = high == _C.MAXREPEAT
            if inside_repeat and unbounded:
                return True
            if _has_nested(list(body), inside_repeat or unbounded or high > _MANY):
                return True
        elif op == _C.SUBPATTERN:
            if _has_nested(list(av[-1]), inside_repeat):
                return True
        elif op == _C.BRANCH:
            if any(_has_nested(list(b), inside_repeat) for b in av[1]):
                return True
        elif op in (_C.ASSERT, _C.ASSERT_NOT):
            if _has_nested(list(av[1]), inside_repeat):
                return True
        elif (
            hasattr(_C, "ATOMIC_GROUP")
            and op == _C.ATOMIC_GROUP
            and _has_nested(list(av), inside_repeat)
        ):
            return True
    return False
