"""Engine speed: the whole engine against naive regex loops and Hyperscan, on the same rules.

    python bench/engine.py [--messages 20000] [--runs 2] [--no-hyperscan] [--rules DIR ...] [--json]

A reproducible synthetic chat corpus (bench/corpus.py) is scanned by the whole engine
(`Engine.scan_uncached`: normalisation, every pack, links, spans back into the original text) and,
on the same messages and the same pattern strings, by a naive loop over every rule with `re`, the
same loop with `regex`, and Hyperscan (optional; skipped with a message when it is not installed).
The reference loops get the normalised text for free; normalisation is timed on its own. Every
approach is run `--runs` times and the fastest pass counts; speed is reported as a ratio against
the naive `re` loop of the same run, and each approach's per-message set of firing rules is
compared with the engine's (a prefilter that loses a match is a bug, not a speed-up).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo, ahead of bench/
if __name__ == "engine":
    # Another script in bench/ ran `import engine`, and Python (which puts a script's folder
    # first on sys.path) found this file: hand it the engine package instead.
    del sys.modules["engine"]
    sys.modules["engine"] = importlib.import_module("engine")

import argparse
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import regex

from bench.corpus import DEFAULT_MESSAGES, DEFAULT_SEED, ChatMessage, describe, generate
from bench.measure import Pass, Target, best_pass, fmt, progress, table, targets_table
from bench.reference import (
    Agreement,
    HyperscanBuild,
    HyperscanMatcher,
    NaiveMatcher,
    compare,
    pattern_count,
    rule_specs,
)
from engine.engine import CACHE_SIZE, MESSAGE_BUDGET_SECONDS, Engine
from engine.matcher import MatchStats
from engine.normalize import normalize

SPEEDUP_TARGET = 20.0  # whole engine vs the naive `re` loop
HYPERSCAN_STRETCH = 4.0  # whole engine at most this many times slower than Hyperscan


@dataclass(frozen=True)
class Row:
    """One approach's best pass, over `size` bytes of original message text."""

    name: str
    run: Pass[Any]
    size: int
    agreement: Agreement | None = None
    note: str = ""

    def to_json(self, baseline_us: float) -> dict[str, Any]:
        seconds = self.run.wall_ns / 1e9
        return {
            "messages": self.run.count,
            "seconds": round(seconds, 4),
            "us_per_message": round(self.run.per_item_us(), 2),
            "p50_us": round(self.run.percentile_us(50), 2),
            "p99_us": round(self.run.percentile_us(99), 2),
            "messages_per_second": round(self.run.count / seconds, 1) if seconds else None,
            "mb_per_second": round(self.size / 1e6 / seconds, 3) if seconds else None,
            "speedup_vs_naive_re": round(baseline_us / self.run.per_item_us(), 2),
            "agreement": self.agreement.to_json() if self.agreement else None,
            "note": self.note,
        }

    def cells(self, baseline_us: float) -> list[str]:
        data = self.to_json(baseline_us)
        agree = "-"
        if self.agreement is not None:
            agree = (
                f"same ({self.agreement.rules} rules)"
                if self.agreement.identical
                else f"DIFFER on {self.agreement.differing} msgs"
            )
        return [
            self.name,
            fmt(data["us_per_message"]),
            fmt(data["p50_us"]),
            fmt(data["p99_us"]),
            fmt(data["messages_per_second"] or 0, 0),
            fmt(data["mb_per_second"] or 0, 2),
            f"{data['speedup_vs_naive_re']:.2f}x",
            agree,
        ]


def _sizes(messages: Sequence[ChatMessage]) -> int:
    return sum(len(m.text.encode("utf-8")) for m in messages)


def _load_hyperscan() -> tuple[ModuleType | None, str]:
    try:
        return importlib.import_module("hyperscan"), ""
    except ImportError as exc:
        return None, f"Hyperscan skipped: cannot import it ({exc}); `pip install hyperscan`"


def run(args: argparse.Namespace) -> dict[str, Any]:
    progress(f"generating {args.messages} messages (seed {args.seed})")
    messages = generate(args.messages, args.seed)
    items = [(m.text, m.direction) for m in messages]
    size = _sizes(messages)
    progress("loading the engine")
    engine = Engine.load(args.rules)
    lexicon = engine.data.lexicon
    specs = rule_specs(engine)
    rows: dict[str, Row] = {}

    progress("whole engine, uncached")
    whole = best_pass(lambda m: engine.scan_uncached(m[0], m[1]), items, args.runs)
    engine_sets = [frozenset(f.rule for f in findings) for findings in whole.results]
    rows["engine"] = Row("engine, whole (uncached)", whole, size)

    cached_items = items[: min(len(items), CACHE_SIZE)]
    for text, direction in cached_items:
        engine.scan(text, direction)
    progress(f"whole engine, cache hits ({len(cached_items)} messages)")
    cached = best_pass(lambda m: engine.scan(m[0], m[1]), cached_items, args.runs)
    rows["engine_cached"] = Row(
        "engine, cache hits", cached, _sizes(messages[: len(cached_items)]), note="repeat texts"
    )

    progress("normalisation only")
    norm = best_pass(lambda m: normalize(m[0], lexicon), items, args.runs)
    rows["normalise"] = Row("  normalise only", norm, size)
    pairs = [(n, m.direction) for n, m in zip(norm.results, messages, strict=True)]
    stats = MatchStats()
    progress("matcher only")
    matched = best_pass(
        lambda p: engine.matcher.match(p[0], p[1], MESSAGE_BUDGET_SECONDS, stats), pairs, args.runs
    )
    rows["matcher"] = Row("  matcher only", matched, size)
    progress("links only")
    links = best_pass(
        lambda m: engine.data.links.findings(m[0]) if m[1] == "in" else [], items, args.runs
    )
    rows["links"] = Row("  links only", links, size)

    texts = [(n.text, m.direction) for n, m in zip(norm.results, messages, strict=True)]
    for module in (re, regex):
        progress(f"naive {module.__name__} loop")
        naive = NaiveMatcher(specs, module)
        timed = best_pass(lambda t, n=naive: n.fires(t[0], t[1]), texts, args.runs)  # type: ignore[misc]
        agreement = compare(engine_sets, timed.results, naive.rules)
        note = f"{len(naive.skipped)} rules it cannot compile" if naive.skipped else ""
        rows[f"naive_{module.__name__}"] = Row(
            f"naive {module.__name__} loop", timed, size, agreement, note
        )

    hyperscan_info: dict[str, Any] = {"skipped": "--no-hyperscan"}
    hyperscan, why = (None, "Hyperscan skipped: --no-hyperscan")
    if not args.no_hyperscan:
        hyperscan, why = _load_hyperscan()
    if hyperscan is None:
        progress(why)
        hyperscan_info = {"skipped": why}
    else:
        progress("building the Hyperscan database (slow: compile time is reported, not timed)")
        matcher = HyperscanMatcher(specs, hyperscan)
        progress("Hyperscan scan")
        timed = best_pass(lambda t: matcher.fires(t[0], t[1]), texts, args.runs)
        agreement = compare(engine_sets, timed.results, matcher.rules)
        rows["hyperscan"] = Row(
            "hyperscan",
            timed,
            size,
            agreement,
            f"{len(matcher.build.rules_left_out)} rules left out",
        )
        hyperscan_info = _hyperscan_json(matcher.build)

    baseline = rows["naive_re"].run.per_item_us()
    runs = max(args.runs, 1)
    targets = _targets(rows)
    return {
        "corpus": {**describe(messages), "seed": args.seed},
        "rules": {
            "packs": [p.name for p in engine.data.packs],
            "rules": len(specs),
            "expressions": pattern_count(specs),
            "keywords": sum(len(s.keywords) for s in specs),
            "patterns_run_per_message": round(stats.patterns_run / runs / max(len(items), 1), 2),
            "timeouts": len(stats.timed_out) // runs,
        },
        "runs": runs,
        "approaches": {key: row.to_json(baseline) for key, row in rows.items()},
        "hyperscan": hyperscan_info,
        "targets": [t.to_json() for t in targets],
        "_targets": targets,
        "_rows": rows,
        "_messages": messages,
    }


def _hyperscan_json(build: HyperscanBuild) -> dict[str, Any]:
    return {
        "trial_compile_seconds": round(build.trial_seconds, 2),
        "database_compile_seconds": round(build.compile_seconds, 2),
        "compile_time_in_throughput": False,
        "expressions": build.expressions,
        "unsupported_expressions": sum(build.unsupported.values()),
        "unsupported_reasons": build.unsupported,
        "rules_left_out": build.rules_left_out,
    }


def _targets(rows: dict[str, Row]) -> list[Target]:
    engine_us = rows["engine"].run.per_item_us()
    naive_us = rows["naive_re"].run.per_item_us()
    hyperscan = rows.get("hyperscan")
    differing = sum(r.agreement.differing for r in rows.values() if r.agreement)
    return [
        Target("engine speed-up vs naive re loop", naive_us / engine_us, ">=", SPEEDUP_TARGET, "x"),
        Target(
            "stretch: engine time / Hyperscan time",
            engine_us / hyperscan.run.per_item_us() if hyperscan else None,
            "<=",
            HYPERSCAN_STRETCH,
            "x",
        ),
        Target("messages where approaches disagree", differing, "<=", 0),
    ]


def render(report: dict[str, Any]) -> str:
    rows: dict[str, Row] = report["_rows"]
    messages: list[ChatMessage] = report["_messages"]
    corpus, rules = report["corpus"], report["rules"]
    baseline = rows["naive_re"].run.per_item_us()
    out = [
        f"Corpus: {corpus['messages']} messages, {corpus['bytes'] / 1e6:.2f} MB, "
        f"{corpus['risky']} risky, {corpus['outgoing']} outgoing, seed {corpus['seed']}",
        f"Rules: {rules['rules']} in {', '.join(rules['packs'])}; {rules['expressions']} "
        f"expressions (patterns, keywords, unless); engine ran "
        f"{rules['patterns_run_per_message']} patterns per message, {rules['timeouts']} timeouts",
        f"Best of {report['runs']} passes each. The reference loops and Hyperscan get the "
        "normalised text for free; the engine rows include normalisation.",
        "",
        table(
            ["approach", "us/msg", "p50 us", "p99 us", "msg/s", "MB/s", "vs naive re", "matches"],
            [row.cells(baseline) for row in rows.values()],
        ),
    ]
    notes = [f"  {row.name.strip()}: {row.note}" for row in rows.values() if row.note]
    hs = report["hyperscan"]
    if "skipped" in hs:
        notes.append(f"  {hs['skipped']}")
    else:
        notes.append(
            f"  hyperscan: {hs['unsupported_expressions']} expressions unsupported "
            f"({'; '.join(hs['unsupported_reasons'])}); trial compile "
            f"{hs['trial_compile_seconds']} s, database compile {hs['database_compile_seconds']} s "
            "(neither included in its throughput)"
        )
    out += ["", "Notes:", *notes]
    for row in rows.values():
        if row.agreement and not row.agreement.identical:
            out += ["", f"Differences, engine vs {row.name}:"]
            for index, only_engine, only_other in row.agreement.examples:
                out.append(
                    f"  #{index} {messages[index].text!r}: only engine {list(only_engine)}, "
                    f"only {row.name} {list(only_other)}"
                )
    out += ["", targets_table(report["_targets"])]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--messages", type=int, default=DEFAULT_MESSAGES)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--runs", type=int, default=2, help="passes per approach; best counts")
    parser.add_argument("--no-hyperscan", action="store_true", help="skip Hyperscan (slow build)")
    parser.add_argument("--rules", nargs="+", type=Path, metavar="DIR", help="pack dirs or files")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    args = parser.parse_args(argv)
    report = run(args)
    if args.json:
        public = {k: v for k, v in report.items() if not k.startswith("_")}
        print(json.dumps(public, indent=2, ensure_ascii=False))
    else:
        print(render(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
