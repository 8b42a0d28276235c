"""Matcher: the prefilter loses no match, `unless` cancels, direction filters, time is bounded."""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

import pytest

from engine.engine import MESSAGE_BUDGET_SECONDS, Engine
from engine.matcher import MatchStats
from engine.normalize import normalize

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "eval"

PACK = """\
pack: fixture
version: 1
rules:
  - id: secrecy.en.our-secret
    category: secrecy
    severity: high
    keywords: [our little secret]
    patterns: ['\\bdont\\s+tell\\s+(?:your\\s+)?(?:mom|dad|parents)\\b']
    unless: ['\\bsurprise\\b']
  - id: personal_info.en.my-number
    category: personal_info
    severity: medium
    direction: out
    patterns: ['\\bmy (?:phone )?number is\\b']
  - id: threat.en.slow
    category: threat
    severity: low
    patterns: ['^(?:\\w|\\w\\w)+\\d']
  - id: isolation.vi.ignore-parents
    category: isolation
    severity: medium
    patterns: ['\\bke\\s+(?:ho|bo me)\\b']
    unless_accented: ['\\bkể\\b']
"""


@pytest.fixture(scope="module")
def fixture_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    path = tmp_path_factory.mktemp("packs") / "fixture.yaml"
    path.write_text(PACK, encoding="utf-8")
    return Engine.load([path])


@pytest.fixture(scope="module")
def bundled() -> Engine:
    return Engine.load()


def rules_of(engine: Engine, text: str, direction: str = "in") -> set[str]:
    return {f.rule for f in engine.scan_uncached(text, direction)}


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("Don't tell your MOM ok", True),
        ("d.o.n.t tell ur dad", True),  # spaced letters, abbreviation
        ("this is our little secret", True),
        ("this is our little secrets", False),  # keywords match whole words only
        ("dont tell mom, its a surprise party!", False),  # unless cancels
        ("i told my mom everything", False),
    ],
)
def test_patterns_keywords_and_unless(fixture_engine: Engine, text: str, fires: bool) -> None:
    assert ("secrecy.en.our-secret" in rules_of(fixture_engine, text)) is fires


def test_direction_out_rules_only_see_outgoing_text(fixture_engine: Engine) -> None:
    text = "ok my number is 0901 234 567"
    assert "personal_info.en.my-number" in rules_of(fixture_engine, text, "out")
    assert "personal_info.en.my-number" not in rules_of(fixture_engine, text, "in")


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("kệ bố mẹ đi, nghe anh", True),
        ("ke bo me di, nghe anh", True),  # no accents typed: folded `ke` may be kệ
        ("kể bố mẹ nghe đi", False),  # typed kể (tell): the accented view says so
        ("Kể  bố mẹ nghe", False),
    ],
)
def test_unless_accented_reads_the_accents_the_writer_typed(
    fixture_engine: Engine, text: str, fires: bool
) -> None:
    assert ("isolation.vi.ignore-parents" in rules_of(fixture_engine, text)) is fires


def test_spans_index_the_original_text(fixture_engine: Engine) -> None:
    text = "😀 hey… D-O-N-T tell your Mom, k?"
    (finding,) = [f for f in fixture_engine.scan_uncached(text) if f.category == "secrecy"]
    assert text[finding.start : finding.end] == "D-O-N-T tell your Mom"


def test_a_backtracking_pattern_is_cut_off_by_the_budget(fixture_engine: Engine) -> None:
    stats = MatchStats()
    started = time.perf_counter()
    fixture_engine.scan_uncached("ab" * 40, stats=stats)
    elapsed = time.perf_counter() - started
    assert "threat.en.slow" in stats.timed_out
    # unbounded, this input backtracks for longer than anyone would wait; the bound is loose
    # because CI machines are shared and busy
    assert elapsed < MESSAGE_BUDGET_SECONDS + 5.0


def _corpus() -> list[str]:
    texts = []
    dev = REPO / "tests" / "data" / "dev_messages.jsonl"
    if dev.exists():
        lines = dev.read_text(encoding="utf-8").splitlines()
        texts += [json.loads(line)["text"] for line in lines if line]
    sms = SHARED / "sms_spam_uci.csv"  # ../shared sits beside the repo (CI has it too)
    if sms.exists():
        with sms.open(encoding="utf-8") as stream:
            texts += [row["text"] for row in csv.DictReader(stream)][:1500]
    return texts


def test_prefilter_finds_exactly_what_running_every_rule_finds(bundled: Engine) -> None:
    """A sample here (running every pattern is slow); bench/engine.py compares 20,000."""
    samples = [
        (rule.match_examples[0].text, "out" if rule.direction == "out" else "in")
        for pack in bundled.data.packs
        for rule in pack.rules
        if rule.match_examples
    ]
    samples += [(text, "in") for text in _corpus()[::8]]
    differences = [
        (text, direction)
        for text, direction in samples
        if bundled.scan_uncached(text, direction)
        != bundled.scan_uncached(text, direction, prefilter=False)
    ]
    assert len(samples) > 300
    assert not differences, differences[:5]


def test_the_prefilter_skips_most_patterns(bundled: Engine) -> None:
    everything = sum(len(r.patterns) for p in bundled.data.packs for r in p.rules)
    stats = MatchStats()
    for text in _corpus()[:500]:
        norm = normalize(text, bundled.data.lexicon)
        bundled.matcher.match(norm, "in", 1.0, stats)
    assert stats.patterns_run < 0.2 * everything * 500
