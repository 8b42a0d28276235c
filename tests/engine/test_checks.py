"""`notalone rules lint`: each hygiene problem a maintainer can make is named, with its rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import checks
from engine.checks import lint
from engine.engine import Engine

EXAMPLES = """\
    examples:
      match: ['x1', 'x2', 'x3']
      no_match: ['y1', 'y2', 'y3']
"""


def lint_messages(tmp_path: Path, rule_body: str) -> list[str]:
    pack = tmp_path / "pack.yaml"
    pack.write_text(
        "pack: fixture\nversion: 1\nrules:\n"
        "  - id: secrecy.en.fixture\n    category: secrecy\n    severity: low\n" + rule_body,
        encoding="utf-8",
    )
    problems = lint(Engine.load([pack]))
    assert all(p.rule == "secrecy.en.fixture" and p.file == str(pack) for p in problems)
    return [p.message for p in problems]


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        (
            "    patterns: ['\\bkeep\\s+it\\b']\n    examples: {match: [a], no_match: [b]}\n",
            "needs at least 3 match",
        ),
        ("    patterns: ['(?:a+)+b\\bsecret']\n" + EXAMPLES, "nests unbounded repeats"),
        ("    patterns: ['\\d{3,}']\n" + EXAMPLES, "no literal to prefilter on"),
        ("    patterns: ['\\bSecret\\b']\n" + EXAMPLES, "upper-case"),
        ("    keywords: [ok]\n" + EXAMPLES, "too short"),
        # the normaliser turns `wanna` into `want to` and `ur` into `your` before rules run
        ("    patterns: ['\\bwanna\\s+keep\\b']\n" + EXAMPLES, "spells 'wanna'"),
        (
            "    patterns: ['\\bkeep\\s+it\\b']\n    unless: ['\\bur\\s+mom\\b']\n" + EXAMPLES,
            "write 'your'",
        ),
    ],
)
def test_lint_names_the_problem(tmp_path: Path, body: str, complaint: str) -> None:
    messages = lint_messages(tmp_path, body)
    assert any(complaint in m for m in messages), messages


@pytest.mark.parametrize(
    "pattern",
    [
        "\\bwant\\s+to\\s+keep\\b",  # the expansion itself
        "\\b(?:yo)?ur\\s+secret\\b",  # `ur` here is a piece of a word, not a word
        "\\bkeep\\s+(?:it|this)\\s+secret\\b",
    ],
)
def test_lint_accepts_words_as_messages_read(tmp_path: Path, pattern: str) -> None:
    assert lint_messages(tmp_path, f"    patterns: ['{pattern}']\n" + EXAMPLES) == []


def test_rules_test_reports_examples_that_fail(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text(
        "pack: fixture\nversion: 1\nrules:\n"
        "  - id: secrecy.en.fixture\n    category: secrecy\n    severity: low\n"
        "    keywords: [our secret]\n"
        "    examples:\n"
        "      match: ['our secret ok', 'a different phrase', 'its our secret']\n"
        "      no_match: ['nothing', 'our secret again', 'fine']\n",
        encoding="utf-8",
    )
    problems, count = checks.test_examples(Engine.load([pack]))
    assert count == 6
    assert sorted((p.line, p.message.split(":")[0]) for p in problems) == [
        (9, "match example not matched"),
        (10, "no_match example flagged by this rule"),
    ]


def two_rule_pack(tmp_path: Path, header: str, rule_extra: str = "") -> Path:
    """A pack whose header is `header` and whose two rules are alike but for their ids."""
    pack = tmp_path / "pack.yaml"
    rule = "  - id: secrecy.en.{n}\n    category: secrecy\n    severity: low\n"
    body = "    patterns: ['\\bkeep\\s+it\\b']\n" + rule_extra + EXAMPLES
    pack.write_text(
        "pack: fixture\nversion: 1\n"
        + header
        + "rules:\n"
        + "".join(rule.format(n=n) + body for n in ("one", "two")),
        encoding="utf-8",
    )
    return pack


def test_lint_reads_a_pack_header_unless_once(tmp_path: Path) -> None:
    pack = two_rule_pack(tmp_path, "unless: ['(?:a+)+b\\bnews']\n")
    (problem,) = lint(Engine.load([pack]))
    assert (
        "`unless (pack header)`" in problem.message and "nests unbounded repeats" in problem.message
    )


def test_lint_reports_a_fragment_once_at_its_header_line_and_an_unused_one(
    tmp_path: Path,
) -> None:
    pack = two_rule_pack(
        tmp_path,
        "fragments:\n  slow: '(?:a+)+b\\bnews'\n  spare: '\\bnews\\b'\n",
        rule_extra="    unless: [{fragment: slow}]\n",
    )
    problems = lint(Engine.load([pack]))
    slow, spare = sorted(problems, key=lambda p: p.line or 0)
    assert (slow.file, slow.line, slow.rule) == (str(pack), 4, None)
    assert slow.message.startswith("`fragments: slow` ") and "nests unbounded" in slow.message
    assert (spare.file, spare.line, spare.rule) == (str(pack), 5, None)
    assert spare.message == "fragment 'spare' is used by no rule"
