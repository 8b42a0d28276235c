"""A malformed pack is reported precisely: file, line and rule id, every problem at once."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from engine.engine import Engine
from engine.errors import RulesError
from engine.packs import load_packs

ADVICE = {"no_secrets", "tell_family"}

GOOD_RULE = """\
  - id: secrecy.en.keep-secret
    category: secrecy
    severity: high
    patterns: ['\\bour (?:little )?secret\\b']
    advice: [no_secrets]
    examples:
      match: ["this is our secret"]
      no_match: ["no secrets here"]
"""


def write_pack(folder: Path, rules: str, header: str = "pack: test-en\nversion: 1.0.0\n") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pack.yaml").write_text(header + "languages: [en]\n", encoding="utf-8")
    (folder / "rules.yaml").write_text("rules:\n" + rules, encoding="utf-8")
    return folder


def problems_of(path: Path) -> list[str]:
    with pytest.raises(RulesError) as caught:
        load_packs([path], ADVICE)
    return [str(p) for p in caught.value.problems]


def test_a_good_pack_loads_with_its_examples(tmp_path: Path) -> None:
    (pack,) = load_packs([write_pack(tmp_path / "p", GOOD_RULE)], ADVICE)
    (rule,) = pack.rules
    assert (pack.name, pack.version, rule.id, rule.line) == ("test-en", "1.0.0", rule.id, 2)
    assert rule.match_examples[0].text == "this is our secret"
    assert rule.match_examples[0].line == 8


def test_single_file_pack(tmp_path: Path) -> None:
    path = tmp_path / "solo.yaml"
    path.write_text("pack: solo\nversion: 2\nrules:\n" + GOOD_RULE, encoding="utf-8")
    (pack,) = load_packs([tmp_path], ADVICE)
    assert pack.name == "solo" and len(pack.rules) == 1


def test_every_problem_is_listed_with_file_line_and_rule(tmp_path: Path) -> None:
    bad = dedent(
        """\
          - id: secrecy.en.one
            category: secrecy
            severity: high
            paterns: ['x']
            keywords: [keep quiet]
          - id: nope.en.two
            category: nope
            severity: high
            keywords: [abc]
          - id: secrecy.en.three
            category: secrecy
            severity: enormous
            patterns: ['(unclosed']
            advice: [no_such_advice]
          - id: secrecy.en.four
            category: secrecy
            severity: low
          - id: secrecy.vi.five
            category: secrecy
            severity: low
            keywords: [bi mat]
            unless_accented: ['[kể']
        """
    )
    folder = write_pack(tmp_path / "p", "  " + bad.replace("\n", "\n  ").rstrip() + "\n")
    found = problems_of(folder)
    rules_file = str(folder / "rules.yaml")
    expected = [
        (2, "secrecy.en.one", "unknown field 'paterns'"),
        (7, "nope.en.two", "unknown category 'nope'"),
        (11, "secrecy.en.three", "unknown severity 'enormous'"),
        (11, "secrecy.en.three", "bad regex"),
        (11, "secrecy.en.three", "unknown advice key 'no_such_advice'"),
        (16, "secrecy.en.four", "empty rule"),
        (19, "secrecy.vi.five", "bad regex in `unless_accented`"),
    ]
    for line, rule, text in expected:
        assert any(p.startswith(f"{rules_file}:{line}: [{rule}]") and text in p for p in found), (
            line,
            rule,
            text,
            found,
        )


def test_duplicate_ids_across_files_name_both_places(tmp_path: Path) -> None:
    folder = write_pack(tmp_path / "p", GOOD_RULE)
    (folder / "more.yaml").write_text("rules:\n" + GOOD_RULE, encoding="utf-8")
    (problem,) = problems_of(folder)
    assert "duplicate rule id" in problem and "secrecy.en.keep-secret" in problem
    assert str(folder / "more.yaml") in problem


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    folder = write_pack(tmp_path / "p", GOOD_RULE + "  - id: [unclosed\n")
    (problem,) = problems_of(folder)
    assert problem.startswith(f"{folder / 'rules.yaml'}:") and "YAML" in problem


def test_duplicate_yaml_keys_are_refused(tmp_path: Path) -> None:
    folder = write_pack(tmp_path / "p", GOOD_RULE + "    severity: low\n")
    (problem,) = problems_of(folder)
    assert "duplicate key 'severity'" in problem


def test_header_problems(tmp_path: Path) -> None:
    folder = write_pack(tmp_path / "p", GOOD_RULE, header="pack: Bad Name\nversion: ''\nextra: 1\n")
    found = " | ".join(problems_of(folder))
    for text in ("bad pack name", "missing version", "unknown header field 'extra'"):
        assert text in found


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    (problem,) = problems_of(tmp_path / "missing")
    assert "no such file" in problem


def test_a_pack_level_unless_cancels_every_rule_of_the_pack(tmp_path: Path) -> None:
    path = tmp_path / "solo.yaml"
    path.write_text(
        "pack: solo\nversion: 2\nunless: ['\\bscam alert\\b']\nrules:\n" + GOOD_RULE,
        encoding="utf-8",
    )
    engine = Engine.load([path])
    assert {f.rule for f in engine.scan("this is our secret")} == {"secrecy.en.keep-secret"}
    assert not engine.scan("scam alert: groomers say this is our secret")
    path.write_text("pack: solo\nversion: 2\nunless: ['(open']\nrules:\n" + GOOD_RULE, "utf-8")
    (problem,) = problems_of(path)
    assert "bad regex in `unless`" in problem


KEPT_RULE = """\
  - id: secrecy.en.keep-secret
    category: secrecy
    severity: high
    patterns: ['\\bour (?:little )?secret\\b']
    unless: ['\\bsurprise\\b']
    keep_if: ['\\bdont tell (?:your )?(?:mom|dad|parents)\\b']
    advice: [no_secrets]
    examples:
      match: ["this is our secret"]
      no_match: ["no secrets here"]
"""


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("this is our secret", True),
        ("the party is a surprise, our secret ok", False),  # `unless` excuses it
        ("a surprise for you, our secret, dont tell your mom", True),  # a red flag overrides it
        ("scam alert: a surprise, our secret, dont tell your mom", False),  # the pack's does not
    ],
)
def test_keep_if_overrides_the_rules_own_unless_but_not_the_packs(
    tmp_path: Path, text: str, fires: bool
) -> None:
    path = tmp_path / "solo.yaml"
    path.write_text(
        "pack: solo\nversion: 2\nunless: ['\\bscam alert\\b']\nrules:\n" + KEPT_RULE,
        encoding="utf-8",
    )
    assert bool(Engine.load([path]).scan(text)) is fires


def test_a_bad_keep_if_regex_names_the_rule(tmp_path: Path) -> None:
    folder = write_pack(tmp_path / "p", KEPT_RULE.replace("(?:mom|dad|parents)", "(mom"))
    (problem,) = problems_of(folder)
    assert "secrecy.en.keep-secret" in problem and "bad regex in `keep_if`" in problem


FRAGMENT_HEADER = """\
pack: test-en
version: 1.0.0
fragments:
  party_talk: '\\b(?:surprise|party)\\b'
  unused_one: '\\bcake\\b'
"""


def test_rules_use_a_header_fragment_by_name(tmp_path: Path) -> None:
    rule = KEPT_RULE.replace("unless: ['\\bsurprise\\b']", "unless: [{fragment: party_talk}]")
    folder = write_pack(tmp_path / "p", rule, header=FRAGMENT_HEADER)
    engine = Engine.load([folder])
    assert {f.rule for f in engine.scan("this is our secret")} == {"secrecy.en.keep-secret"}
    assert not engine.scan("the party is on friday, our secret ok")
    (pack,) = engine.data.packs
    assert [f.name for f in pack.fragments] == ["party_talk", "unused_one"]
    assert [f.name for f in pack.unused_fragments] == ["unused_one"]


def test_fragment_problems_name_the_header_line_or_the_rule(tmp_path: Path) -> None:
    header = FRAGMENT_HEADER.replace("'\\bcake\\b'", "'(cake'") + "  Bad-Name: 'x'\n"
    rule = KEPT_RULE.replace("unless: ['\\bsurprise\\b']", "unless: [{fragment: partytalk}]")
    folder = write_pack(tmp_path / "p", rule, header=header)
    header_file, rules_file = str(folder / "pack.yaml"), str(folder / "rules.yaml")
    regex_problem, name_problem, rule_problem = sorted(problems_of(folder))
    assert regex_problem.startswith(f"{header_file}:5: bad regex in fragment 'unused_one': ")
    assert name_problem == f"{header_file}:6: bad fragment 'Bad-Name' (lowercase, digits, _)"
    assert rule_problem == (
        f"{rules_file}:2: [secrecy.en.keep-secret] `unless` uses fragment 'partytalk', "
        "which the pack header does not define"
    )
