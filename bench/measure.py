"""What the speed benchmarks share: timed passes, percentiles, resident memory, targets, tables.

Every figure a benchmark reports is meant to be read as a ratio against another figure taken in
the same process and run: the machines are shared and noisy, so absolute times drift from run to
run while ratios hold.
"""

from __future__ import annotations

import gc
import json
import math
import os
import resource
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Pass(Generic[R]):
    """One timed pass over a list of items: wall time, per-item latencies, per-item results."""

    wall_ns: int
    latencies_ns: tuple[int, ...]
    results: tuple[R, ...]

    @property
    def count(self) -> int:
        return len(self.latencies_ns)

    def per_item_us(self) -> float:
        return self.wall_ns / 1000 / max(self.count, 1)

    def percentile_us(self, q: float) -> float:
        return percentile(self.latencies_ns, q) / 1000


def percentile(values: Sequence[int | float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of unsorted values; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(math.ceil(q / 100 * len(ordered)), 1)
    return float(ordered[rank - 1])


def timed_pass(fn: Callable[[T], R], items: Sequence[T], collect: bool = True) -> Pass[R]:
    """Call `fn` on every item in order, timing each call with `perf_counter_ns`."""
    clock = time.perf_counter_ns
    latencies: list[int] = []
    results: list[R] = []
    if collect:
        gc.collect()
    started = clock()
    for item in items:
        before = clock()
        results.append(fn(item))
        latencies.append(clock() - before)
    wall = clock() - started
    return Pass(wall, tuple(latencies), tuple(results))


def best_pass(fn: Callable[[T], R], items: Sequence[T], runs: int) -> Pass[R]:
    """The fastest of `runs` passes (at least one): the least disturbed by other work."""
    passes = [timed_pass(fn, items) for _ in range(max(runs, 1))]
    return min(passes, key=lambda p: p.wall_ns)


def merge(parts: Sequence[Pass[R]]) -> Pass[R]:
    """Consecutive passes over consecutive items, as one pass."""
    return Pass(
        sum(p.wall_ns for p in parts),
        tuple(x for p in parts for x in p.latencies_ns),
        tuple(x for p in parts for x in p.results),
    )


def interleaved(
    approaches: Mapping[str, Callable[[int], Any]], count: int, runs: int, chunk: int = 500
) -> dict[str, tuple[Pass[Any], Pass[Any]]]:
    """(best, first run) of every approach over items 0..count-1, timed chunk by chunk.

    Approaches and runs alternate within each chunk, so a burst of load from other work on a
    shared machine hits all of them alike, and per chunk the fastest run counts. The first run
    is returned too: it includes whatever an approach does on first use (lazy compiles).
    """
    best: dict[str, list[Pass[Any]]] = {name: [] for name in approaches}
    first: dict[str, list[Pass[Any]]] = {name: [] for name in approaches}
    for begin in range(0, count, chunk):
        progress(f"messages {begin:,}-{min(begin + chunk, count):,} of {count:,}")
        indices = range(begin, min(begin + chunk, count))
        gc.collect()
        chosen: dict[str, Pass[Any]] = {}
        for run in range(max(runs, 1)):
            for name, fn in approaches.items():
                timed = timed_pass(fn, indices, collect=False)
                if run == 0:
                    first[name].append(timed)
                if name not in chosen or timed.wall_ns < chosen[name].wall_ns:
                    chosen[name] = timed
        for name, timed in chosen.items():
            best[name].append(timed)
    return {name: (merge(best[name]), merge(first[name])) for name in approaches}


_STATM = Path("/proc/self/statm")


def rss_bytes() -> int:
    """Resident set size now, after a full collection (Linux); elsewhere the peak so far."""
    gc.collect()
    if _STATM.exists():
        resident_pages = int(_STATM.read_text().split()[1])
        return resident_pages * os.sysconf("SC_PAGE_SIZE")
    return peak_rss_bytes()


def rss_source() -> str:
    return "/proc/self/statm" if _STATM.exists() else "getrusage ru_maxrss (peak)"


def peak_rss_bytes() -> int:
    """Peak resident set size of this process (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


@dataclass(frozen=True)
class Target:
    """One target from the issue, measured: `value` compared with `limit` by `op`."""

    name: str
    value: float | None  # None: could not be measured in this run
    op: str  # ">=" or "<="
    limit: float
    unit: str = ""

    @property
    def status(self) -> str:
        if self.value is None:
            return "SKIP"
        ok = self.value >= self.limit if self.op == ">=" else self.value <= self.limit
        return "PASS" if ok else "MISS"

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": None if self.value is None else round(self.value, 3),
            "op": self.op,
            "limit": self.limit,
            "unit": self.unit,
            "status": self.status,
        }


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], title: str = "") -> str:
    """A plain-text table, numbers right-aligned, first column left-aligned."""
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *rows, strict=False)]

    def line(cells: Sequence[str]) -> str:
        out = [str(cells[0]).ljust(widths[0])]
        out += [str(c).rjust(w) for c, w in zip(cells[1:], widths[1:], strict=False)]
        return "  ".join(out).rstrip()

    rule = "  ".join("-" * w for w in widths)
    body = [line(headers), rule, *(line(r) for r in rows)]
    return "\n".join([title, *body] if title else body)


def targets_table(targets: Sequence[dict[str, Any]]) -> str:
    """The targets of a report (`Target.to_json` dicts) with their PASS/MISS/SKIP status."""
    rows = [
        [
            t["name"],
            "n/a" if t["value"] is None else f"{t['value']:.2f}{t['unit']}",
            f"{t['op']} {t['limit']:g}{t['unit']}",
            t["status"],
        ]
        for t in targets
    ]
    return table(["target", "measured", "goal", "status"], rows, "Targets")


def emit(report: dict[str, Any], as_json: bool, render: Callable[[dict[str, Any]], str]) -> None:
    """Print a benchmark's report: JSON for tools (`--json`), else the tables a person reads."""
    print(json.dumps(report, indent=2, ensure_ascii=False) if as_json else render(report))


def progress(message: str) -> None:
    """Progress on stderr, so `--json` output on stdout stays clean."""
    print(f"... {message}", file=sys.stderr, flush=True)


def fmt(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}"
