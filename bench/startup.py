"""Start-up and memory: load, validate and compile all bundled packs; RSS before and after traffic.

    python bench/startup.py [--runs 3] [--messages 100000] [--json]

Each start-up is measured in a fresh Python process, run `--runs` times, the fastest counting:
first with an empty pattern-facts cache (the first start after installing or changing packs), then
with it filled (every later start; the target). Timed there: importing the engine, `Engine.load()`
(read and validate every pack, build the prefilter; patterns compile lazily), and, for reference,
compiling every pattern the engine could ever run. Parsing the same YAML files with libyaml
alone is timed in the same process as the floor a loader cannot beat.

Memory is read in one more fresh process: resident set size after start-up (with the benchmark's
corpus already in memory, so it is not counted as growth), then while `Engine.analyze` reads
`--messages` distinct messages in batches of 50 spread over 20,000 threads (more than the thread
store keeps): verdict cache and thread store must stay bounded.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo, ahead of bench/

import argparse
import json
import os
import subprocess
import tempfile
import time
from typing import Any

STARTUP_TARGET_SECONDS = 1.0
MEMORY_TARGET_MB = 50.0
BATCH = 50
THREADS = 20_000
CURVE_POINTS = 10


def child_startup() -> dict[str, Any]:
    """Cold start in this (fresh) process: import, load, compile everything."""
    from bench.measure import rss_bytes

    rss_bare = rss_bytes()
    started = time.perf_counter()
    engine_module = importlib.import_module("engine.engine")
    imported = time.perf_counter()
    engine = engine_module.Engine.load()
    loaded = time.perf_counter()
    rss_loaded = rss_bytes()
    patterns = compile_all(engine)
    compiled = time.perf_counter()
    rss_compiled = rss_bytes()
    yaml_seconds = parse_yaml_only(engine.data.files)
    return {
        "import_seconds": imported - started,
        "load_seconds": loaded - imported,
        "compile_seconds": compiled - loaded,
        "yaml_parse_seconds": yaml_seconds,
        "patterns_compiled": patterns,
        "rules": sum(len(p.rules) for p in engine.data.packs),
        "files": len(engine.data.files),
        "rss_bare_mb": rss_bare / 1e6,
        "rss_loaded_mb": rss_loaded / 1e6,
        "rss_compiled_mb": rss_compiled / 1e6,
    }


def compile_all(engine: Any) -> int:
    """Compile every regex the engine could run (it compiles them on first use)."""
    from engine.normalize import fold_pattern
    from engine.pattern_cache import compile_pattern

    folded = {
        fold_pattern(p)
        for pack in engine.data.packs
        for rule in pack.rules
        for p in (*rule.patterns, *rule.unless, *rule.keep_if, *rule.pack_unless)
    }
    for pattern in folded:
        compile_pattern(pattern)
    return len(folded)


def parse_yaml_only(files: Any) -> float:
    """libyaml parse of the same rule files, nothing else: the floor for loading them."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    started = time.perf_counter()
    for path in files:
        if path.suffix == ".yaml":
            yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    return time.perf_counter() - started


def child_memory(count: int, seed: int) -> dict[str, Any]:
    """RSS after start-up and along `count` messages through `Engine.analyze`."""
    from bench.corpus import generate
    from bench.measure import peak_rss_bytes, rss_bytes, rss_source
    from engine.conversation import ThreadStore
    from engine.engine import CACHE_SIZE, Engine
    from engine.model import Message

    engine = Engine.load()
    compile_all(engine)
    corpus = generate(count, seed)
    messages = [
        Message(id=str(i), text=m.text, direction=m.direction, thread=f"t{i % THREADS}")
        for i, m in enumerate(corpus)
    ]
    del corpus
    threads = ThreadStore()
    rss_start = rss_bytes()
    curve = [(0, rss_start / 1e6)]
    step = max(count // CURVE_POINTS, BATCH)
    started = time.perf_counter()
    for begin in range(0, count, BATCH):
        engine.analyze(messages[begin : begin + BATCH], threads)
        done = min(begin + BATCH, count)
        if done % step < BATCH or done == count:
            curve.append((done, rss_bytes() / 1e6))
    seconds = time.perf_counter() - started
    rss_end = rss_bytes()
    return {
        "messages": count,
        "seconds": seconds,
        "rss_start_mb": rss_start / 1e6,
        "rss_end_mb": rss_end / 1e6,
        "growth_mb": (rss_end - rss_start) / 1e6,
        "peak_rss_mb": peak_rss_bytes() / 1e6,
        "curve": curve,
        "threads_kept": len(threads),
        "cache_size": CACHE_SIZE,
        "rss_source": rss_source(),
    }


def in_child(*args: str, cache_dir: str | None = None) -> dict[str, Any]:
    """Run this file in a fresh interpreter and return the JSON it prints.

    `cache_dir` is the engine's pattern-facts cache (NOTALONE_CACHE_DIR) for that process.
    """
    env = dict(os.environ)
    if cache_dir is not None:
        env["NOTALONE_CACHE_DIR"] = cache_dir
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *args],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run(args: argparse.Namespace) -> dict[str, Any]:
    from bench.measure import Target, progress

    colds, starts = [], []
    with tempfile.TemporaryDirectory() as warm_cache:
        for index in range(max(args.runs, 1)):
            progress(f"first-ever start {index + 1} of {args.runs} (empty pattern-facts cache)")
            with tempfile.TemporaryDirectory() as empty_cache:
                colds.append(in_child("--child", "startup", cache_dir=empty_cache))
        in_child("--child", "startup", cache_dir=warm_cache)  # fills the cache, not counted
        for index in range(max(args.runs, 1)):
            progress(f"everyday start {index + 1} of {args.runs} (pattern facts cached)")
            starts.append(in_child("--child", "startup", cache_dir=warm_cache))
    best = min(starts, key=lambda s: s["load_seconds"])
    cold = min(colds, key=lambda s: s["load_seconds"])
    progress(f"memory over {args.messages} messages")
    memory = in_child(
        "--child", "memory", "--messages", str(args.messages), "--seed", str(args.seed)
    )
    startup = best["load_seconds"]
    growth = memory["growth_mb"]
    targets = [
        Target(
            "start-up: load, validate, build prefilter", startup, "<=", STARTUP_TARGET_SECONDS, " s"
        ),
        Target(f"RSS growth over {args.messages} messages", growth, "<=", MEMORY_TARGET_MB, " MB"),
    ]
    return {
        "runs": len(starts),
        "startup": best,
        "startup_all_runs": starts,
        "first_start": cold,
        "load_vs_yaml_parse": best["load_seconds"] / max(best["yaml_parse_seconds"], 1e-9),
        "memory": memory,
        "targets": [t.to_json() for t in targets],
    }


def render(report: dict[str, Any]) -> str:
    from bench.measure import table, targets_table

    s, m, c = report["startup"], report["memory"], report["first_start"]
    rows = [
        ["import engine", f"{s['import_seconds']:.3f}", ""],
        ["Engine.load(), pattern facts cached (target)", f"{s['load_seconds']:.3f}", "every start"],
        ["Engine.load(), empty cache", f"{c['load_seconds']:.3f}", "first start, new packs"],
        [
            f"compile all {s['patterns_compiled']} patterns",
            f"{s['compile_seconds']:.3f}",
            "lazy: each on its first candidate message",
        ],
        [
            "  reference: libyaml parse of the same files",
            f"{s['yaml_parse_seconds']:.3f}",
            f"load = {report['load_vs_yaml_parse']:.1f}x parse",
        ],
    ]
    out = [
        f"Start-up: {s['rules']} rules from {s['files']} files; best of {report['runs']} fresh "
        "processes each",
        table(["step", "seconds", "note"], rows),
        "",
        table(
            ["resident memory", "MB"],
            [
                ["interpreter + bench helpers", f"{s['rss_bare_mb']:.1f}"],
                ["after Engine.load()", f"{s['rss_loaded_mb']:.1f}"],
                ["after compiling every pattern", f"{s['rss_compiled_mb']:.1f}"],
                ["memory run: after start-up (+ corpus)", f"{m['rss_start_mb']:.1f}"],
                [f"  after {m['messages']:,} messages", f"{m['rss_end_mb']:.1f}"],
                ["growth", f"{m['growth_mb']:+.1f}"],
                ["peak (ru_maxrss)", f"{m['peak_rss_mb']:.1f}"],
            ],
        ),
        f"{m['messages']:,} messages through Engine.analyze in batches of {BATCH} over "
        f"{THREADS:,} threads in {m['seconds']:.1f} s; threads kept {m['threads_kept']:,}, "
        f"verdict cache {m['cache_size']:,} entries" + f"; RSS read from {m['rss_source']}",
        "RSS along the run (messages: MB): "
        + ", ".join(f"{done:,}: {mb:.1f}" for done, mb in m["curve"]),
        "",
        targets_table(report["targets"]),
    ]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=3, help="starts of each kind; fastest counts")
    parser.add_argument("--messages", type=int, default=100_000, help="messages for the RSS run")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument("--child", choices=("startup", "memory"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child == "startup":
        print(json.dumps(child_startup()))
        return 0
    if args.child == "memory":
        print(json.dumps(child_memory(args.messages, args.seed)))
        return 0
    from bench.measure import emit

    emit(run(args), args.json, render)
    return 0


if __name__ == "__main__":
    sys.exit(main())
