"""Pattern facts are kept between runs; a missing or broken cache only costs time."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from engine import pattern_cache
from engine.engine import Engine
from engine.errors import RulesError

PACK = """\
pack: cached
version: 1
rules:
  - id: secrecy.en.cached
    category: secrecy
    severity: high
    patterns: ['\\bkeep\\s+(?:this|it)\\s+between\\s+us\\b']
"""


@pytest.fixture
def fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("NOTALONE_CACHE_DIR", str(tmp_path / "cache"))
    pattern_cache.forget()
    yield tmp_path / "cache"
    pattern_cache.forget()


def load(tmp_path: Path, text: str = PACK) -> Engine:
    path = tmp_path / "pack.yaml"
    path.write_text(text, encoding="utf-8")
    return Engine.load([path])


def test_facts_are_written_and_the_engine_still_matches(fresh_cache: Path, tmp_path: Path) -> None:
    engine = load(tmp_path)
    assert list(fresh_cache.glob("pattern-facts-*.json"))
    assert {f.rule for f in engine.scan("ok, keep this between us")} == {"secrecy.en.cached"}


def test_a_corrupt_cache_is_ignored(fresh_cache: Path, tmp_path: Path) -> None:
    load(tmp_path)
    for path in fresh_cache.glob("pattern-facts-*.json"):
        path.write_text("{not json", encoding="utf-8")
    pattern_cache.forget()  # as a new process would start
    engine = load(tmp_path)
    assert engine.scan("keep it between us")


def test_a_bad_pattern_is_reported_even_when_facts_are_cached(
    fresh_cache: Path, tmp_path: Path
) -> None:
    bad = PACK.replace("patterns: ['", "patterns: ['(unclosed', '")
    for _ in range(2):  # the second load reads the cached facts
        with pytest.raises(RulesError, match="bad regex"):
            load(tmp_path, bad)
        pattern_cache.save()
