"""Threads escalate when grooming steps co-occur; state stays bounded and expires."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from engine.conversation import ThreadStore, load_conversation_rules
from engine.errors import RulesError
from engine.model import Finding, Severity
from engine.resources import bundled_rules_dir

RULES = load_conversation_rules(bundled_rules_dir() / "combos.yaml")


def finding(category: str, severity: Severity = Severity.MEDIUM) -> Finding:
    return Finding(f"{category}.test", category, severity, 0, 1)


def test_online_kidnapping_script_turns_critical_across_messages() -> None:
    store = ThreadStore()
    first = store.observe("t1", [finding("impersonation", Severity.HIGH)], RULES)
    assert first.severity is Severity.HIGH
    store.observe("t1", [], RULES)  # an ordinary message in between
    last = store.observe("t1", [finding("isolation", Severity.HIGH)], RULES)
    assert last.severity is Severity.CRITICAL
    assert "combo.online-kidnapping" in last.combos
    assert last.stages == ("isolation", "pressure")


def test_threads_do_not_mix() -> None:
    store = ThreadStore()
    store.observe("a", [finding("secrecy")], RULES)
    other = store.observe("b", [finding("off_platform")], RULES)
    assert other.combos == ()
    assert other.severity is Severity.MEDIUM


def test_combo_needs_both_signals_inside_its_window() -> None:
    store = ThreadStore()
    store.observe("t", [finding("secrecy")], RULES)
    for _ in range(25):  # combo.secret-private-call looks back 20 messages
        store.observe("t", [], RULES)
    late = store.observe("t", [finding("off_platform")], RULES)
    assert "combo.secret-private-call" not in late.combos


def test_store_is_bounded_in_count() -> None:
    store = ThreadStore(maxsize=50)
    for n in range(500):
        store.observe(f"thread-{n}", [finding("secrecy")], RULES)
    assert len(store) <= 50


def test_threads_expire() -> None:
    store = ThreadStore(ttl_seconds=0.05)
    store.observe("t", [finding("secrecy")], RULES)
    time.sleep(0.1)
    after = store.observe("t", [finding("off_platform")], RULES)
    assert after.combos == ()


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        (
            "combos:\n  - id: x\n    all: [secrecy]\n    within: 5\n    severity: high\n",
            "two or more",
        ),
        (
            "combos:\n  - id: x\n    all: [secrecy, nope]\n    within: 5\n    severity: high\n",
            "known categories",
        ),
        (
            "combos:\n  - id: x\n    all: [secrecy, meeting]\n    within: 0\n    severity: high\n",
            "within",
        ),
        (
            "combos:\n  - id: x\n    all: [secrecy, meeting]\n    within: 5\n    severity: huge\n",
            "severity",
        ),
    ],
)
def test_bad_combos_are_reported_with_line(tmp_path: Path, yaml_text: str, message: str) -> None:
    path = tmp_path / "combos.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(RulesError) as caught:
        load_conversation_rules(path)
    (problem,) = caught.value.problems
    assert message in problem.message
    assert problem.file == str(path) and problem.line == 2


def test_a_resent_message_is_counted_once() -> None:
    store = ThreadStore()
    store.observe("t", [finding("secrecy")], RULES, message_id="m1")
    for _ in range(30):  # the page re-renders and re-sends one ordinary message
        store.observe("t", [], RULES, message_id="m2")
    after = store.observe("t", [finding("off_platform")], RULES, message_id="m3")
    assert "combo.secret-private-call" in after.combos
