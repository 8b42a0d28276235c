"""Time from a risky chat message appearing to its Not Alone warning being painted, in Chromium.

Runs the real `notalone serve` (bundled packs) and headless Chromium with the unpacked extension,
pairs through the options page like a parent, then inserts messages into the Messenger fixture
page. Prints p50/p95 over one-by-one insertions and the time to warn a 2000-message page.

    /work/venv/bin/python bench/e2e_latency.py [--insertions 60] [--bulk 2000]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo, ahead of bench/

from harness import (
    fixture_server,
    launch_browser,
    pair_through_options,
    start_server,
)
from latency import measure_bulk, measure_insertions, summary
from playwright.sync_api import sync_playwright


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--insertions", type=int, default=60)
    parser.add_argument("--bulk", type=int, default=2000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        server = start_server(Path(tmp) / "data")
        try:
            with fixture_server() as port, sync_playwright() as pw:
                browser = launch_browser(pw, Path(tmp) / "profile", port)
                pair_through_options(browser, server, server.code).close()
                result = {
                    "one_by_one": summary(measure_insertions(browser, args.insertions)),
                    "bulk": measure_bulk(browser, args.bulk),
                }
                browser.context.close()
        finally:
            server.stop()
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
