"""Engine speed: the whole engine against naive regex loops and Hyperscan, on the same rules.

    python bench/engine.py [--messages 20000] [--runs 2] [--no-hyperscan] [--rules DIR ...]
                                 [--json]

A reproducible synthetic chat corpus (bench/corpus.py) is scanned by the whole engine
(`Engine.scan_uncached`: normalisation, every pack, links, spans back into the original text) and,
on the same messages and the same pattern strings, by a naive loop over every rule with `re`, the
same loop with `regex`, and Hyperscan (optional; skipped with a message when it is not installed).
The reference loops get the normalised text for free; normalisation is timed on its own. The
approaches are timed chunk by chunk (500 messages), alternating approaches and `--runs` runs
within each chunk so that load from other work on a shared machine hits them alike; per chunk the
fastest run counts. Speed is reported as a ratio against the naive `re` loop of the same run, and
each approach's per-message set of firing rules is compared with the engine's (a prefilter that
loses a match is a bug, not a speed-up).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo, ahead of bench/

import argparse
import importlib
import re
from collections.abc import Callable, Sequence
from typing import Any

import regex

from bench.corpus import DEFAULT_MESSAGES, DEFAULT_SEED, ChatMessage, describe, generate
from bench.hyperscan_ref import DEFAULT_CACHE, HyperscanMatcher
from bench.measure import (
    Pass,
    Target,
    best_pass,
    emit,
    fmt,
    interleaved,
    progress,
    table,
    targets_table,
)
from bench.reference import (
    Agreement,
    NaiveMatcher,
    RuleSpec,
    compare,
    pattern_count,
    rule_specs,
)
from engine.engine import CACHE_SIZE, MESSAGE_BUDGET_SECONDS, Engine
from engine.matcher import MatchStats
from engine.normalize import normalize

SPEEDUP_TARGET = 20.0  # whole engine vs the naive `re` loop
HYPERSCAN_STRETCH = 4.0  # whole engine at most this many times slower than Hyperscan


def approach_json(
    name: str, run: Pass[Any], size: int, agreement: Agreement | None = None, note: str = ""
) -> dict[str, Any]:
    """One approach's best pass over `size` bytes of original message text."""
    seconds = run.wall_ns / 1e9
    return {
        "name": name,
        "messages": run.count,
        "seconds": round(seconds, 4),
        "us_per_message": round(run.per_item_us(), 2),
        "p50_us": round(run.percentile_us(50), 2),
        "p99_us": round(run.percentile_us(99), 2),
        "messages_per_second": round(run.count / seconds, 1) if seconds else None,
        "mb_per_second": round(size / 1e6 / seconds, 3) if seconds else None,
        "agreement": agreement.to_json() if agreement else None,
        "note": note,
    }


def _sizes(messages: Sequence[ChatMessage]) -> int:
    return sum(len(m.text.encode("utf-8")) for m in messages)


def _hyperscan(specs: Sequence[RuleSpec], args: argparse.Namespace) -> HyperscanMatcher | str:
    """The Hyperscan reference, or why there is none."""
    if args.no_hyperscan:
        return "Hyperscan skipped: --no-hyperscan"
    try:
        hyperscan = importlib.import_module("hyperscan")
    except ImportError as exc:
        return f"Hyperscan skipped: cannot import it ({exc}); `pip install hyperscan`"
    progress("building the Hyperscan database (slow: compile time is reported, not timed)")
    return HyperscanMatcher(specs, hyperscan, None if args.no_cache else args.cache)


def run(args: argparse.Namespace) -> dict[str, Any]:
    progress(f"generating {args.messages} messages (seed {args.seed})")
    messages = generate(args.messages, args.seed)
    originals = [m.text for m in messages]
    directions = [m.direction for m in messages]
    size = _sizes(messages)
    progress("loading the engine")
    engine = Engine.load(args.rules)
    lexicon = engine.data.lexicon
    specs = rule_specs(engine)
    norms = [normalize(text, lexicon) for text in originals]  # the references' input, untimed
    texts = [n.text for n in norms]
    naive = {module.__name__: NaiveMatcher(specs, module) for module in (re, regex)}
    built = _hyperscan(specs, args)
    matcher = built if isinstance(built, HyperscanMatcher) else None
    hyperscan_info = matcher.build.to_json() if matcher else {"skipped": built}
    if matcher is None:
        progress(str(built))

    stats = MatchStats()
    approaches: dict[str, Callable[[int], Any]] = {
        "engine": lambda i: engine.scan_uncached(originals[i], directions[i]),
        "normalise": lambda i: normalize(originals[i], lexicon),
        "matcher": lambda i: engine.matcher.match(
            norms[i], directions[i], MESSAGE_BUDGET_SECONDS, stats
        ),
        "links": lambda i: (
            engine.data.links.findings(originals[i]) if directions[i] == "in" else []
        ),
        "naive_re": lambda i: naive["re"].fires(texts[i], directions[i]),
        "naive_regex": lambda i: naive["regex"].fires(texts[i], directions[i]),
    }
    if matcher is not None:
        approaches["hyperscan"] = lambda i: matcher.fires(texts[i], directions[i])
    progress(f"timing {len(approaches)} approaches, {args.runs} runs, chunk by chunk")
    timed = interleaved(approaches, len(messages), args.runs)

    whole, first = timed["engine"]
    # the references replicate the matcher: compare its rules (the classifier may drop a finding)
    engine_sets = [frozenset(h.rule.id for h in hits) for hits in timed["matcher"][0].results]
    rows: dict[str, dict[str, Any]] = {
        "engine": approach_json(
            "engine, whole (uncached)",
            whole,
            size,
            note=f"first run, patterns compiling on first use: {first.per_item_us():,.1f} us/msg, "
            f"p99 {first.percentile_us(99):,.1f} us",
        )
    }

    cached_items = list(zip(originals, directions, strict=True))[:CACHE_SIZE]
    for text, direction in cached_items:
        engine.scan(text, direction)
    progress(f"whole engine, cache hits ({len(cached_items)} messages)")
    cached = best_pass(lambda m: engine.scan(m[0], m[1]), cached_items, args.runs)
    rows["engine_cached"] = approach_json(
        "engine, cache hits",
        cached,
        _sizes(messages[: len(cached_items)]),
        note="the same texts again (engine.scan)",
    )
    for key, name in [("normalise", "normalise"), ("matcher", "matcher"), ("links", "links")]:
        rows[key] = approach_json(f"  {name} only", timed[key][0], size)
    for key, reference in naive.items():
        best = timed[f"naive_{key}"][0]
        agreement = compare(engine_sets, best.results, reference.rules, originals)
        skipped = reference.skipped
        note = f"{len(skipped)} rules it cannot compile left out" if skipped else ""
        rows[f"naive_{key}"] = approach_json(f"naive {key} loop", best, size, agreement, note)
    if matcher is not None:
        best = timed["hyperscan"][0]
        agreement = compare(engine_sets, best.results, matcher.rules, originals)
        left_out = f"{len(matcher.build.rules_left_out)} rules not compared (unsupported syntax)"
        rows["hyperscan"] = approach_json("hyperscan", best, size, agreement, left_out)

    baseline = rows["naive_re"]["us_per_message"]
    for row in rows.values():
        row["speedup_vs_naive_re"] = round(baseline / max(row["us_per_message"], 1e-9), 2)
    runs = max(args.runs, 1)
    return {
        "corpus": {**describe(messages), "seed": args.seed},
        "rules": {
            "packs": [p.name for p in engine.data.packs],
            "rules": len(specs),
            "expressions": pattern_count(specs),
            "keywords": sum(len(s.keywords) for s in specs),
            "patterns_run_per_message": round(stats.patterns_run / runs / max(len(texts), 1), 2),
            "timeouts": len(stats.timed_out) // runs,
        },
        "runs": runs,
        "approaches": rows,
        "hyperscan": hyperscan_info,
        "targets": [t.to_json() for t in _targets(rows)],
    }


def _targets(rows: dict[str, dict[str, Any]]) -> list[Target]:
    engine_us = rows["engine"]["us_per_message"]
    hyperscan = rows.get("hyperscan")
    differing = sum(r["agreement"]["differing_messages"] for r in rows.values() if r["agreement"])
    return [
        Target(
            "engine speed-up vs naive re loop",
            rows["engine"]["speedup_vs_naive_re"],
            ">=",
            SPEEDUP_TARGET,
            "x",
        ),
        Target(
            "stretch: engine time / Hyperscan time",
            engine_us / hyperscan["us_per_message"] if hyperscan else None,
            "<=",
            HYPERSCAN_STRETCH,
            "x",
        ),
        Target("messages where approaches disagree", differing, "<=", 0),
    ]


def _cells(row: dict[str, Any]) -> list[str]:
    agree = "-"
    if row["agreement"] is not None:
        a = row["agreement"]
        agree = (
            f"same ({a['rules']} rules)"
            if a["identical"]
            else f"DIFFER on {a['differing_messages']} msgs"
        )
    return [
        row["name"],
        fmt(row["us_per_message"]),
        fmt(row["p50_us"]),
        fmt(row["p99_us"]),
        fmt(row["messages_per_second"] or 0, 0),
        fmt(row["mb_per_second"] or 0, 2),
        f"{row['speedup_vs_naive_re']:.2f}x",
        agree,
    ]


def render(report: dict[str, Any]) -> str:
    """The report as tables (the same facts as `--json`)."""
    rows: dict[str, dict[str, Any]] = report["approaches"]
    corpus, rules = report["corpus"], report["rules"]
    out = [
        f"Corpus: {corpus['messages']} messages, {corpus['bytes'] / 1e6:.2f} MB, "
        f"{corpus['risky']} risky, {corpus['outgoing']} outgoing, seed {corpus['seed']}",
        f"Rules: {rules['rules']} in {', '.join(rules['packs'])}; {rules['expressions']} "
        f"expressions (patterns, keywords, unless); the engine ran "
        f"{rules['patterns_run_per_message']} patterns per message, {rules['timeouts']} timeouts",
        f"Best of {report['runs']} runs per 500-message chunk, approaches interleaved. The "
        "reference loops and Hyperscan get the normalised text for free; the engine rows pay "
        "for normalisation.",
        "",
        table(
            ["approach", "us/msg", "p50 us", "p99 us", "msg/s", "MB/s", "vs naive re", "matches"],
            [_cells(row) for row in rows.values()],
        ),
    ]
    notes = [f"  {row['name'].strip()}: {row['note']}" for row in rows.values() if row["note"]]
    hs = report["hyperscan"]
    if "skipped" in hs:
        notes.append(f"  {hs['skipped']}")
    else:
        reasons = "; ".join(f"{n} x {why}" for why, n in hs["unsupported_reasons"].items())
        cached = " (database from the cache)" if hs["database_from_cache"] else ""
        notes.append(
            f"  hyperscan: {hs['unsupported_expressions']} expressions unsupported "
            f"({reasons or 'none'}); trial compiles took {hs['trial_compile_seconds']} s "
            f"this run ({hs['trials_from_cache']} verdicts from the cache), database compile "
            f"{hs['database_compile_seconds']} s{cached}; compile time is not in its throughput"
        )
    out += ["", "Notes:", *notes]
    for row in rows.values():
        agreement = row["agreement"]
        if agreement and not agreement["identical"]:
            out += [
                "",
                f"Differences, engine vs {row['name']} (first {len(agreement['examples'])}):",
            ]
            out += [
                f"  #{d['message']} {d['text']!r}: only engine {d['only_engine']}, "
                f"only {row['name']} {d['only_other']}"
                for d in agreement["examples"]
            ]
    out += ["", targets_table(report["targets"])]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--messages", type=int, default=DEFAULT_MESSAGES)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--runs", type=int, default=2, help="passes per approach; best counts")
    parser.add_argument("--no-hyperscan", action="store_true", help="skip Hyperscan (slow build)")
    parser.add_argument("--rules", nargs="+", type=Path, metavar="DIR", help="pack dirs or files")
    parser.add_argument(
        "--cache", type=Path, default=DEFAULT_CACHE, help="Hyperscan compile cache folder"
    )
    parser.add_argument("--no-cache", action="store_true", help="compile Hyperscan afresh")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    args = parser.parse_args(argv)
    report = run(args)
    emit(report, args.json, render)
    return 0


if __name__ == "__main__":
    sys.exit(main())
