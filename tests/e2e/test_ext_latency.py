"""Records (does not assert) how long a risky message waits for its warning; prints p50/p95."""

from __future__ import annotations

import json

import pytest
from harness import ROOT, Browser
from latency import measure_bulk, measure_insertions, summary

pytestmark = pytest.mark.e2e


def test_record_warning_latency(paired: Browser) -> None:
    result = {
        "one_by_one": summary(measure_insertions(paired, 60)),
        "bulk": measure_bulk(paired, 2000),
    }
    print(f"\ne2e warning latency: {json.dumps(result)}")
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "e2e_latency.json").write_text(json.dumps(result, indent=2) + "\n")
