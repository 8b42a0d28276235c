"""The prefilter may skip a pattern only when none of its atoms occurs: atoms must be required."""

from __future__ import annotations

import sys

import pytest
import regex

from engine.atoms import nested_quantifier, required_atoms, required_clauses, word_view

# (pattern, texts it matches): every text must contain one of the pattern's atoms.
REQUIRED = [
    (
        r"\b(?:dung|cam)\s+(?:\w+\s+){0,3}?(?:ke|noi)\s+(?:voi\s+)?(?:bo me|ai)\b",
        ["dung ke voi ai", "cam noi bo me", "dung co ma noi voi bo me"],
    ),
    (r"send (?:me )?nudes?", ["send me nudes", "send nude"]),
    (r"colou?r", ["color", "colour"]),
    (r"\bzalo\b|\btele(?:gram)?\b", ["zalo", "tele", "telegram"]),
    (r"(?:t\.me|telegram\.me)/\+\w+", ["t.me/+abc", "telegram.me/+x"]),
    (r"x{2,}y", ["xxy", "xxxxy"]),
    (r"[abc]at", ["bat", "cat"]),
    pytest.param(
        r"(?>atomic)\s+group",
        ["atomic group"],
        marks=pytest.mark.skipif(sys.version_info < (3, 11), reason="re parses (?>...) since 3.11"),
    ),
    (r"(?<=a)bc", ["abc"]),
    (r"\b(?:loi nhuan|lai|loi)\s+\d+", ["lai 5", "loi nhuan 20", "loi 3"]),
    (r"(?:ab|cd)?(?:ef|gh)", ["ef", "abgh"]),
]


@pytest.mark.parametrize(("pattern", "texts"), REQUIRED)
def test_every_match_contains_an_atom(pattern: str, texts: list[str]) -> None:
    atoms = required_atoms(pattern)
    assert atoms, pattern
    for text in texts:
        assert regex.search(pattern, text), (pattern, text)
        assert any(atom in word_view(text) for atom in atoms), (pattern, text, atoms)


@pytest.mark.parametrize(
    "pattern",
    # a match can lack every literal, or `re` cannot parse the syntax (\p{L}): no proof, no atoms
    [r"\d{9,12}", r"(?:abc)?\w+", r"a*", r"abc|\d+", r"\p{L}+ing"],
)
def test_no_atom_when_a_match_can_lack_every_literal(pattern: str) -> None:
    assert required_atoms(pattern) is None


def test_punctuation_alone_is_no_atom() -> None:
    # the word view shows "@" as a space, like every other non-word character
    assert required_atoms(r"[a-z]+@[a-z]+") is None


@pytest.mark.parametrize(("pattern", "texts"), REQUIRED)
def test_every_match_satisfies_every_clause(pattern: str, texts: list[str]) -> None:
    for text in texts:
        for clause in required_clauses(pattern):
            assert any(atom in word_view(text) for atom in clause), (pattern, text, clause)


def test_clauses_make_common_words_need_company() -> None:
    clauses = required_clauses(r"\byou\s+(?:send|give)\s+(?:me\s+)?(?:nudes|pics)\b")
    assert set(clauses) == {
        frozenset({" you "}),
        frozenset({" send ", " give "}),
        frozenset({"nudes ", "pics "}),
    }
    assert clauses[0] != frozenset({" you "})  # the matcher indexes the most selective clause


@pytest.mark.parametrize(
    ("pattern", "clause"),
    [
        # the stdlib parser factors `lai|loi` into `l[ao]i`: clauses keep whole words anyway
        (r"\b(?:loi nhuan|lai|loi)\s+\d", {" loi nhuan ", " lai ", " loi "}),
        (r"\bg[ae]t\s+\d", {" gat ", " get "}),
        (r"\bsend\s+(?:me|us)\b", {" send "}),
        (r"(?:t|telegram)\.me/", {"t me ", "telegram me "}),
    ],
)
def test_fixed_alternatives_make_whole_word_clauses(pattern: str, clause: set[str]) -> None:
    assert frozenset(clause) in required_clauses(pattern)


@pytest.mark.parametrize(
    ("pattern", "clause"),
    [
        # a word boundary beside a letter is a space of the word view: "them" has no " em "
        (r"\bem\b", {" em "}),
        (r"\b(?:anh|chu)\s", {" anh ", " chu "}),
        (r"send\b", {"send "}),
        # beside a non-word character a boundary adds nothing the view does not show already
        (r"\.\bcom", {" com"}),
    ],
)
def test_word_boundaries_become_spaces_of_the_word_view(pattern: str, clause: set[str]) -> None:
    assert frozenset(clause) in required_clauses(pattern)


def test_a_boundary_between_two_letters_can_never_match() -> None:
    assert required_clauses(r"ab\bcd|xyz") == ()  # one branch proves nothing: no clause


def test_prefers_the_longest_required_literal() -> None:
    assert required_atoms(r"a\s+(?:very long phrase)") == frozenset({" very long phrase"})


@pytest.mark.parametrize(
    ("pattern", "nested"),
    [
        (r"(a+)+b", True),
        (r"(\w+\s?)*x", True),
        (r"(?:x|y+)*z", True),
        (r"(?:\w+\s+){0,3}?abc", False),
        (r"abc\s+\w+", False),
        (r"(?:ab){2,}", False),
        (r"(?:\w+\s+){0,50}abc", True),
    ],
)
def test_nested_quantifier(pattern: str, nested: bool) -> None:
    assert nested_quantifier(pattern) is nested
