"""Records (does not assert) how long a risky message waits for its warning; prints p50/p95."""

from __future__ import annotations

import json
import statistics

import pytest
from harness import ROOT, Browser, open_site, set_language

pytestmark = pytest.mark.e2e

INSERTIONS = 60

# Distinct texts (a cache hit would flatter the figure): risky openers with a varying detail.
TEMPLATES = [
    "don't tell your parents about this chat, ok {n}?",
    "send me a pic of you in your pj's tonight, just for me #{n}",
    "I can pick you up after school at {n} pm, don't bring anyone",
    "let's move this to telegram, it's more private, add me: user{n}",
    "keep it secret from your mom and dad, promise me ({n})",
]


def measure(browser: Browser, count: int = INSERTIONS) -> list[float | None]:
    """Inserts `count` risky messages one by one; ms from insertion to painted warning each."""
    set_language(browser, "en")
    page = open_site(browser, "messenger", query="empty")
    page.wait_for_timeout(500)
    times: list[float | None] = []
    for i in range(count):
        text = TEMPLATES[i % len(TEMPLATES)].format(n=1000 + i)
        times.append(page.evaluate("(t) => window.fixture.timeWarning(t)", text))
    page.close()
    return times


def summary(times: list[float | None]) -> dict[str, float | int]:
    got = sorted(t for t in times if t is not None)
    q = statistics.quantiles(got, n=20, method="inclusive") if len(got) >= 2 else got * 19
    return {
        "insertions": len(times),
        "warned": len(got),
        "p50_ms": round(statistics.median(got), 1) if got else -1,
        "p95_ms": round(q[18], 1) if got else -1,
        "max_ms": round(got[-1], 1) if got else -1,
    }


def test_record_warning_latency(paired: Browser) -> None:
    result = summary(measure(paired))
    print(f"\nwarning latency over {result['insertions']} insertions: {json.dumps(result)}")
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "e2e_latency.json").write_text(json.dumps(result, indent=2) + "\n")
