"""Packs written for one language skip messages plainly written in another, and only those."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.engine import Engine
from engine.language import LanguageGuesser
from engine.lexicon import load_lexicon
from engine.normalize import normalize
from engine.resources import bundled_rules_dir

LEXICON = load_lexicon(bundled_rules_dir() / "lexicon")
GUESSER = LanguageGuesser(LEXICON.common_words, LEXICON.borrows)


def foreign(text: str) -> frozenset[str]:
    return GUESSER.foreign(normalize(text, LEXICON).text, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("share your location with me", {"vi"}),
        ("can u add me on snap? we met at camp", {"vi"}),
        # Vietnamese chat borrows English words ("send pic đi em"): English packs read it
        ("Em ơi cho anh xin số điện thoại nhé", set()),
        ("ko dc ke cho ai biet dau", set()),
        ("send me the pic di em, nhanh len", set()),
        # mixed chat, too few words, or Vietnamese marks: every pack reads it
        ("ok", set()),
        ("where are you now? về chưa", set()),
        ("", set()),
    ],
)
def test_plain_single_language_messages_rule_out_the_other(text: str, expected: set[str]) -> None:
    assert foreign(text) == expected


PACKS = {
    "vi.yaml": """\
pack: fixture-vi
version: 1
languages: [vi]
rules:
  - id: off_platform.vi.add-app
    category: off_platform
    severity: medium
    patterns: ['\\badd\\s+(?:\\w+\\s+){0,2}?(?:zalo|snap|tele)\\b']
""",
    "any.yaml": """\
pack: fixture-any
version: 1
rules:
  - id: off_platform.any.add-app
    category: off_platform
    severity: medium
    patterns: ['\\badd\\s+(?:\\w+\\s+){0,2}?(?:zalo|snap|tele)\\b']
""",
}


@pytest.fixture(scope="module")
def two_packs(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    folder = tmp_path_factory.mktemp("packs")
    paths: list[Path] = []
    for name, text in PACKS.items():
        (folder / name).write_text(text, encoding="utf-8")
        paths.append(folder / name)
    return Engine.load(paths)


@pytest.mark.parametrize(
    ("text", "vietnamese_rule_fires"),
    [
        ("add minh zalo nha em, noi chuyen cho tien", True),
        ("add anh snap đi em", True),
        ("can you add me on snap? we met at camp", False),
    ],
)
def test_a_vietnamese_pack_skips_english_text(
    two_packs: Engine, text: str, vietnamese_rule_fires: bool
) -> None:
    for prefilter in (True, False):
        rules = {f.rule for f in two_packs.scan_uncached(text, prefilter=prefilter)}
        assert ("off_platform.vi.add-app" in rules) is vietnamese_rule_fires
        assert "off_platform.any.add-app" in rules  # a pack naming no language reads everything
