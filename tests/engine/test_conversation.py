"""Threads escalate when grooming steps co-occur; state stays bounded and expires."""

from __future__ import annotations

import random
import time
from dataclasses import replace
from pathlib import Path

import pytest

from engine.conversation import ConversationRules, ThreadStore, assess, load_conversation_rules
from engine.errors import RulesError
from engine.model import CATEGORIES, Finding, Severity, ThreadRisk
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


class _ReferenceThread:
    """The window as a plain list, assessed in full after every message (`assess`)."""

    def __init__(self) -> None:
        self.recent: list[tuple[frozenset[str], Severity]] = []
        self.seen: list[str] = []

    def observe(
        self, findings: list[Finding], rules: ConversationRules, message_id: str | None
    ) -> ThreadRisk:
        window = rules.window
        if message_id is None or message_id not in self.seen[-2 * window :]:
            categories = frozenset(f.category for f in findings)
            severity = max((f.severity for f in findings), default=Severity.NONE)
            self.recent.append((categories, severity))
            if message_id is not None:
                self.seen.append(message_id)
        self.recent = self.recent[-window:]
        self.seen = self.seen[-2 * window :]
        return assess(self.recent, rules)


# A second rule set with a different window, as after a reload that edits combos.yaml.
SHORT_RULES = ConversationRules(
    tuple(replace(c, within=min(c.within, 4)) for c in RULES.combos[:6]), RULES.stages
)


@pytest.mark.parametrize("seed", range(40))
def test_incremental_risk_equals_assessing_the_whole_window(seed: int) -> None:
    rng = random.Random(seed)
    categories = list(CATEGORIES)
    severities = [s for s in Severity if s is not Severity.NONE]
    store, reference = ThreadStore(), _ReferenceThread()
    rules = RULES
    density = [0.02, 0.1, 0.5][seed % 3]  # how often a message has findings
    for step in range(400):
        if rng.random() < 0.02:  # a rules reload, sometimes with another window
            rules = SHORT_RULES if rules is RULES else RULES
        count = rng.choice([1, 1, 2, 3]) if rng.random() < density else 0
        findings = [finding(rng.choice(categories), rng.choice(severities)) for _ in range(count)]
        # ids: mostly new, some re-sent recently or long ago, some missing
        message_id = rng.choice([f"m{step}", f"m{step}", f"m{rng.randrange(step + 1)}", None])
        got = store.observe("t", findings, rules, message_id)
        assert got == reference.observe(findings, rules, message_id), f"step {step}"


def test_the_least_recently_active_thread_is_dropped_first() -> None:
    store = ThreadStore(maxsize=2)
    store.observe("a", [finding("secrecy")], RULES)
    store.observe("b", [finding("secrecy")], RULES)
    store.observe("a", [], RULES)  # a is active again
    store.observe("c", [], RULES)  # the store is full: b, the least recent, goes
    assert (
        "combo.secret-private-call" in store.observe("a", [finding("off_platform")], RULES).combos
    )
    assert store.observe("b", [finding("off_platform")], RULES).combos == ()
