"""Measure the link checks on real public data (shared/eval): recall on phishing lists with the
blocklist switched off (heuristics alone), false positives on the Tranco top-10k, and speed.

Usage: python bench/links_eval.py [--eval DIR] [--sample N] [--show N]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.lexicon import load_lexicon  # noqa: E402
from engine.link_suffixes import is_private_suffix, public_suffix  # noqa: E402
from engine.links import LinkAnalyzer, load_links  # noqa: E402

DEFAULT_EVAL = ROOT.parent / "shared" / "eval"


def read_lines(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def rate(
    analyzer: LinkAnalyzer, urls: Iterable[str], show: int, label: str
) -> tuple[int, int, Counter[str]]:
    """Flagged count, total and reason counts; prints up to `show` flagged or missed examples."""
    urls = list(urls)
    reasons: Counter[str] = Counter()
    flagged = 0
    examples = []
    for url in urls:
        verdict = analyzer.check_url(url)
        if verdict.flagged:
            flagged += 1
            ids = [r.id for r in verdict.reasons]
            reasons.update(list(dict.fromkeys(ids)))
            examples.append(f"{url} {ids}")
    print(f"{label}: {flagged}/{len(urls)} = {100 * flagged / max(len(urls), 1):.2f}%")
    print("   by reason:", dict(reasons.most_common()))
    for line in examples[:show]:
        print("   ", line)
    return flagged, len(urls), reasons


def per_call_us(func: Callable[[], object], repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        func()
    return (time.perf_counter() - start) / repeat * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--eval", type=Path, default=DEFAULT_EVAL)
    parser.add_argument("--sample", type=int, default=5000, help="ChongLuaDao rows to sample")
    parser.add_argument("--show", type=int, default=0, help="examples to print per set")
    args = parser.parse_args()
    rules = ROOT / "rules" / "links"

    start = time.perf_counter()
    lexicon = load_lexicon(ROOT / "rules" / "lexicon")
    print(
        f"load_lexicon (shared with the normaliser): {(time.perf_counter() - start) * 1000:.1f} ms"
    )
    loads = []
    for _ in range(5):
        start = time.perf_counter()
        analyzer = load_links(rules, lexicon)
        loads.append((time.perf_counter() - start) * 1000)
    print(f"load_links: median {statistics.median(loads):.1f} ms over 5 (first {loads[0]:.1f} ms)")
    start = time.perf_counter()
    public_suffix("example.com")
    is_private_suffix("com")
    print(f"Public Suffix Lists, built on first use: {(time.perf_counter() - start) * 1000:.1f} ms")
    heuristics = analyzer.without("known_scam")

    print("\n== recall, blocklist OFF (heuristics alone) ==")
    openphish = read_lines(args.eval / "phishing_urls_openphish_2025-01.txt")
    rate(heuristics, openphish, args.show, "OpenPhish 2025-01 URLs")
    chongluadao = read_lines(args.eval / "phishing_domains_chongluadao_vn.txt")
    sample = random.Random(20250101).sample(chongluadao, min(args.sample, len(chongluadao)))
    rate(heuristics, sample, args.show, f"ChongLuaDao sample of {len(sample)} (bare)")
    rate(heuristics, [f"https://{d}" for d in sample], 0, "ChongLuaDao sample (https://)")
    print("\n== recall, blocklist ON ==")
    rate(analyzer, openphish, 0, "OpenPhish 2025-01 URLs")

    print("\n== false positives on Tranco top-10k (blocklist ON, as shipped) ==")
    tranco = read_lines(args.eval / "benign_domains_tranco_top10k.txt")
    show = max(args.show, 30)
    rate(analyzer, [f"https://{d}/" for d in tranco], show, "https://<domain>/")
    rate(analyzer, tranco, show, "bare <domain>")
    in_text = sum(1 for d in tranco if analyzer.findings(f"xem {d} nhé"))
    print(f"findings('xem <domain> nhé'): {in_text}/{len(tranco)}")
    print("\n== false positives on Tranco top-10k, blocklist OFF (heuristics alone) ==")
    rate(heuristics, [f"https://{d}/" for d in tranco], 0, "https://<domain>/")
    rate(heuristics, tranco, 0, "bare <domain>")
    rate(heuristics, [f"https://www.{d}/" for d in tranco], 0, "https://www.<domain>/")
    in_text = sum(1 for d in tranco if heuristics.findings(f"xem {d} nhé"))
    print(f"findings('xem <domain> nhé'): {in_text}/{len(tranco)}")

    print("\n== speed ==")
    plain = "Ừ mai mình đi học nhé, nhớ mang sách toán với vở bài tập"
    dotted = "Ok em. Mai kiểm tra rồi, buồn quá... Anh đi ngủ đây."
    number = "Toán được 3.5 điểm thôi, buồn quá."
    linked = "vào nhóm t.me/+AbCdEf nhé, hoặc xem https://bit.ly/xyz và g00gle-verify.com"
    print(
        f"findings, no dot or colon: {per_call_us(lambda: analyzer.findings(plain), 20000):.2f} us"
    )
    print(
        f"findings, full stops only: {per_call_us(lambda: analyzer.findings(dotted), 20000):.2f} us"
    )
    print(
        f"findings, a decimal:       {per_call_us(lambda: analyzer.findings(number), 20000):.2f} us"
    )
    print(
        f"findings, three links:     {per_call_us(lambda: analyzer.findings(linked), 2000):.1f} us"
    )
    urls = [f"https://{d}/" for d in tranco[:2000]]
    start = time.perf_counter()
    for url in urls:
        analyzer.check_url(url)
    print(f"check_url mean: {(time.perf_counter() - start) / len(urls) * 1e6:.1f} us")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
