"""The speed benchmarks run end to end on tiny sizes: tables, valid `--json`, agreeing matchers.

No timing is asserted (shared, noisy machines): only that each benchmark runs with one command,
prints its table with a PASS/MISS/SKIP status per target, and that its `--json` parses and carries
the same targets. The engine benchmark's cross-check (every approach finds the rules the engine
finds) is behaviour, not timing, so it is asserted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
STATUSES = {"PASS", "MISS", "SKIP"}

# A pack whose rules fire on everyday chat, so the cross-check has matches to compare; one rule
# uses a look-ahead (Hyperscan rejects it) and one has an `unless`.
TINY_PACK = """\
pack: bench-tiny
version: 1
rules:
  - id: lure_offer.en.food
    category: lure_offer
    severity: low
    patterns: ['\\b(?:pizza|ramen|tacos|burgers)\\b']
    unless: ['\\bmom\\b']
  - id: meeting.en.place
    category: meeting
    severity: low
    keywords: [the mall, the library]
  - id: meeting.vi.place
    category: meeting
    severity: low
    patterns: ['\\b(?:cong vien|nha sach)\\b(?!\\s+khong)']
  - id: personal_info.en.homework
    category: personal_info
    severity: low
    direction: out
    patterns: ['\\bhomework\\b']
"""


def run_bench(script: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / script), *args],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def tiny_pack(tmp_path: Path) -> str:
    path = tmp_path / "bench-tiny.yaml"
    path.write_text(TINY_PACK, encoding="utf-8")
    return str(path)


# (benchmark, tiny arguments, words its table must show, keys its JSON must have); PACK stands
# for the tiny pack above (the bundled packs are exercised by the agreement test below).
CASES = [
    (
        "engine.py",
        ["--messages", "150", "--runs", "1", "--no-hyperscan", "--rules", "PACK"],
        ["naive re loop", "naive regex loop", "normalise only", "Hyperscan skipped"],
        ["corpus", "rules", "approaches", "hyperscan", "targets"],
    ),
    (
        "startup.py",
        ["--runs", "1", "--messages", "200"],
        ["Engine.load()", "compile all", "after start-up", "growth"],
        ["startup", "memory", "targets"],
    ),
    (
        "server.py",
        ["--clients", "2", "--requests", "2", "--runs", "1"],
        ["GET /v1/health", "POST /v1/analyze x1", "POST /v1/analyze x20", "POST /v1/analyze x50"],
        ["results", "targets"],
    ),
]


def check_targets(targets: list[dict[str, Any]]) -> None:
    assert targets, "no targets reported"
    for target in targets:
        assert target["status"] in STATUSES, target
        assert {"name", "value", "op", "limit"} <= set(target)


def with_pack(args: list[str], tmp_path: Path) -> list[str]:
    return [tiny_pack(tmp_path) if a == "PACK" else a for a in args]


@pytest.mark.parametrize(("script", "args", "shown", "keys"), CASES)
def test_benchmark_prints_a_table_with_target_statuses(
    script: str, args: list[str], shown: list[str], keys: list[str], tmp_path: Path
) -> None:
    out = run_bench(script, *with_pack(args, tmp_path))
    for words in [*shown, "Targets"]:
        assert words in out, f"{words!r} missing from:\n{out}"
    assert any(status in out for status in ("PASS", "MISS")), out


@pytest.mark.parametrize(("script", "args", "shown", "keys"), CASES)
def test_benchmark_json_is_valid_and_complete(
    script: str, args: list[str], shown: list[str], keys: list[str], tmp_path: Path
) -> None:
    report = json.loads(run_bench(script, *with_pack(args, tmp_path), "--json"))
    assert set(keys) <= set(report), sorted(report)
    check_targets(report["targets"])


def test_naive_loops_find_exactly_the_rules_the_engine_finds_with_the_bundled_packs() -> None:
    report = json.loads(
        run_bench("engine.py", "--messages", "300", "--runs", "1", "--no-hyperscan", "--json")
    )
    assert report["rules"]["packs"], "no bundled pack loaded"
    for key in ("naive_re", "naive_regex"):
        agreement = report["approaches"][key]["agreement"]
        assert agreement["identical"], agreement["examples"]


def test_hyperscan_anchor_on_a_tiny_pack(tmp_path: Path) -> None:
    pytest.importorskip("hyperscan")
    pack, cache = tiny_pack(tmp_path), str(tmp_path / "cache")
    args = ["--messages", "400", "--runs", "1", "--rules", pack, "--cache", cache, "--json"]
    report = json.loads(run_bench("engine.py", *args))
    hyperscan = report["hyperscan"]
    assert hyperscan["rules_left_out"] == ["meeting.vi.place"]  # the look-ahead
    assert hyperscan["unsupported_expressions"] == 1
    assert not hyperscan["database_from_cache"]
    row = report["approaches"]["hyperscan"]
    assert row["agreement"]["engine_fires"] > 0, "the tiny pack fired on nothing"
    assert row["agreement"]["identical"], row["agreement"]["examples"]
    check_targets(report["targets"])

    again = json.loads(run_bench("engine.py", *args))
    assert again["hyperscan"]["database_from_cache"]
    assert again["hyperscan"]["trials_from_cache"] == 6  # 3 patterns, 2 keywords, 1 unless
    assert again["approaches"]["hyperscan"]["agreement"] == row["agreement"]


def test_corpus_is_reproducible_and_distinct() -> None:
    sys.path.insert(0, str(REPO))
    from bench.corpus import generate

    first, again = generate(500, seed=7), generate(500, seed=7)
    assert first == again
    assert len({m.text for m in first}) == 500
    assert sum(m.risky for m in first) == 10
    assert all(10 <= len(m.text) <= 200 for m in first)
    assert generate(50, seed=8) != generate(50, seed=7)[:50]
