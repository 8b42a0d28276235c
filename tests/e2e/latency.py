"""Latency figures recorded by the e2e suite and by bench/e2e_latency.py (never asserted)."""

from __future__ import annotations

import statistics
import time

from harness import Browser, open_site, set_language

# Distinct texts (a cache hit would flatter the figure): risky openers with a varying detail.
TEMPLATES = [
    "don't tell your parents about this chat, ok {n}?",
    "send me a pic of you in your pj's tonight, just for me #{n}",
    "I can pick you up after school at {n} pm, don't bring anyone",
    "let's move this to telegram, it's more private, add me: user{n}",
    "keep it secret from your mom and dad, promise me ({n})",
]
BENIGN = "did you finish the maths homework for lesson {n}?"


def fresh_thread() -> str:
    """A conversation of its own: the server remembers each thread's earlier messages."""
    return f"https://www.messenger.com/t/{time.time_ns()}/"


def measure_insertions(browser: Browser, count: int = 60) -> list[float | None]:
    """Inserts `count` risky messages one by one; ms from insertion to painted warning each."""
    set_language(browser, "en")
    page = open_site(browser, "messenger", query="empty", url=fresh_thread())
    page.wait_for_timeout(500)
    times: list[float | None] = []
    for i in range(count):
        text = TEMPLATES[i % len(TEMPLATES)].format(n=1000 + i)
        times.append(page.evaluate("(t) => window.fixture.timeWarning(t)", text))
    page.close()
    return times


BULK_JS = """async ({texts, risky}) => {
  const long = [];
  const observer = new PerformanceObserver(
    (list) => long.push(...list.getEntries().map((e) => e.duration)));
  observer.observe({ entryTypes: ['longtask'] });
  const start = performance.now();
  const list = window.messageList();
  const frag = document.createDocumentFragment();
  for (const t of texts) frag.append(window.renderMessage(t, {}));
  list.append(frag);
  while (document.querySelectorAll('notalone-warning').length < risky) {
    if (performance.now() - start > 30000) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const ms = performance.now() - start;
  observer.disconnect();
  return { ms, warned: document.querySelectorAll('notalone-warning').length, longTasks: long.length,
           longestTaskMs: long.length ? Math.max(...long) : 0 };
}"""


def measure_bulk(browser: Browser, count: int = 2000, every: int = 50) -> dict[str, float]:
    """A chat that renders `count` messages at once (1 in `every` risky): time to warn them all."""
    set_language(browser, "en")
    page = open_site(browser, "messenger", query="empty", url=fresh_thread())
    page.wait_for_timeout(500)
    texts = [
        TEMPLATES[(i // every) % len(TEMPLATES)].format(n=5000 + i)
        if i % every == 0
        else BENIGN.format(n=i)
        for i in range(count)
    ]
    risky = sum(1 for i in range(count) if i % every == 0)
    result: dict[str, float] = page.evaluate(BULK_JS, {"texts": texts, "risky": risky})
    page.close()
    return {"messages": count, "risky": risky} | result


def summary(times: list[float | None]) -> dict[str, float]:
    """p50/p95/max over the insertions that got a warning."""
    got = sorted(t for t in times if t is not None)
    if not got:
        return {"insertions": len(times), "warned": 0}
    q = statistics.quantiles(got, n=20, method="inclusive") if len(got) >= 2 else got * 19
    return {
        "insertions": len(times),
        "warned": len(got),
        "p50_ms": round(statistics.median(got), 1),
        "p95_ms": round(q[18], 1),
        "max_ms": round(got[-1], 1),
    }
