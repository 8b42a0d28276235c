"""Conversations: a bounded, expiring window of findings per thread, escalation combos and stages.

Grooming is a sequence (trust, secrecy, isolation, exploitation): one message may look harmless
while the thread does not. Combos (data, `rules/combos.yaml`) raise a thread's severity when
categories co-occur within a window of messages. Only categories and severities are kept, never
text.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TypeVar

from .errors import Problem, RulesError
from .model import CATEGORIES, Finding, Severity, ThreadRisk
from .yamlio import LineList, line_of, load_yaml

K = TypeVar("K")


@dataclass(frozen=True)
class Combo:
    id: str
    all: frozenset[str]
    within: int
    severity: Severity
    description: str = ""


@dataclass(frozen=True)
class ConversationRules:
    combos: tuple[Combo, ...]
    stages: tuple[tuple[str, frozenset[str]], ...]  # (stage, categories), in grooming order

    @cached_property
    def window(self) -> int:
        return max((c.within for c in self.combos), default=1)

    @cached_property
    def horizons(self) -> tuple[int, ...]:
        """How many messages later a message stops counting for some combo or the window."""
        return tuple(sorted({self.window, *(c.within for c in self.combos)}))

    def stage_of(self, category: str) -> str | None:
        for stage, categories in self.stages:
            if category in categories:
                return stage
        return None


@dataclass
class _Thread:
    """One thread's window, kept as "latest message with X" marks rather than a list.

    Messages are numbered 1, 2, ... as they are counted; the window holds those numbered above
    `max(floor, count - window)`. A category or severity is in the window when its latest mark
    is, so each message costs a few comparisons instead of a pass over the whole window, with
    the same result as `assess` on the window itself (tests/engine/test_conversation.py).
    Most messages carry no findings; after one of those the risk is unchanged unless a mark
    just aged past a window, so the last risk is kept with the count up to which it holds.
    """

    window: int
    count: int = 0
    floor: int = 0  # messages up to here left when the window shrank (a rules reload)
    last_category: dict[str, int] = field(default_factory=dict)
    last_severity: dict[Severity, int] = field(default_factory=dict)
    seen_ids: dict[str, None] = field(default_factory=dict)  # ordered, oldest first; 2 x window
    lock: threading.Lock = field(default_factory=threading.Lock)
    known: tuple[ConversationRules, int, ThreadRisk] | None = None  # rules, valid to count, risk

    def resize(self, window: int) -> None:
        """Keep only the newest `window` messages, as a deque given a new maxlen would."""
        self.floor = max(self.floor, self.count - self.window)
        self.window = window
        self.known = None
        self._trim_ids()

    def add(self, categories: frozenset[str], severity: Severity, message_id: str | None) -> None:
        """Count one message, unless `message_id` was seen in this thread recently."""
        if message_id is not None:
            if message_id in self.seen_ids:
                return
            self.seen_ids[message_id] = None
            self._trim_ids()
        self.count += 1
        if categories or severity is not Severity.NONE:
            for category in categories:
                self.last_category[category] = self.count
            self.last_severity[severity] = self.count
            self.known = None

    def _trim_ids(self) -> None:
        while len(self.seen_ids) > 2 * self.window:
            del self.seen_ids[next(iter(self.seen_ids))]

    def risk(self, rules: ConversationRules) -> ThreadRisk:
        known = self.known
        if known is not None and known[0] is rules and self.count <= known[1]:
            return known[2]
        low = max(self.floor, self.count - self.window)
        _forget_before(self.last_category, low)  # aged out for good: `low` never goes down
        _forget_before(self.last_severity, low)
        active = set(self.last_category)
        severity = max(self.last_severity, default=Severity.NONE)
        fired = []
        for combo in rules.combos:
            if combo.all <= active:
                combo_low = max(low, self.count - combo.within)
                if all(self.last_category[c] > combo_low for c in combo.all):
                    fired.append(combo.id)
                    severity = max(severity, combo.severity)
        stages = tuple(stage for stage, members in rules.stages if members & active)
        risk = ThreadRisk(severity, tuple(fired), stages, tuple(sorted(active)))
        # The risk changes only when a mark ages past one of the horizons.
        marks = [*self.last_category.values(), *self.last_severity.values()]
        changes = [n + h for n in marks for h in rules.horizons if n + h > self.count]
        self.known = (rules, min(changes, default=sys.maxsize) - 1, risk)
        return risk


def _forget_before(marks: dict[K, int], low: int) -> None:
    for key in [k for k, n in marks.items() if n <= low]:
        del marks[key]


class ThreadStore:
    """Per-thread windows, bounded in count (LRU) and time (TTL); safe to share between threads.

    Every message refreshes its thread, so threads are kept in order of last use: the least
    recently used is also the first to expire, and both bounds drop threads from the front.
    """

    def __init__(self, maxsize: int = 10_000, ttl_seconds: float = 6 * 3600) -> None:
        self._threads: OrderedDict[str, tuple[_Thread, float]] = OrderedDict()  # (state, expiry)
        self._maxsize, self._ttl = maxsize, ttl_seconds
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            self._expire(time.monotonic())
            return len(self._threads)

    def _expire(self, now: float) -> None:
        threads = self._threads
        while threads and next(iter(threads.values()))[1] <= now:
            threads.popitem(last=False)

    def _use(self, thread: str, window: int) -> _Thread:
        """The thread's state (a new one if absent or expired), refreshed as most recent."""
        now = time.monotonic()
        with self._lock:
            self._expire(now)
            entry = self._threads.pop(thread, None)
            state = entry[0] if entry is not None else _Thread(window)
            self._threads[thread] = (state, now + self._ttl)
            if len(self._threads) > self._maxsize:
                self._threads.popitem(last=False)
        return state

    def observe(
        self,
        thread: str,
        findings: Iterable[Finding],
        rules: ConversationRules,
        message_id: str | None = None,
    ) -> ThreadRisk:
        """Add one message's findings to `thread` and return the thread's risk after it.

        A `message_id` already seen in this thread's recent window is not counted again: pages
        re-send messages after a reload or a re-render.
        """
        findings = list(findings)
        categories = frozenset(f.category for f in findings)
        severity = max((f.severity for f in findings), default=Severity.NONE)
        window = rules.window
        state = self._use(thread, window)
        with state.lock:
            if state.window != window:
                state.resize(window)
            state.add(categories, severity, message_id)
            return state.risk(rules)


def assess(recent: list[tuple[frozenset[str], Severity]], rules: ConversationRules) -> ThreadRisk:
    """The risk of a window of (categories, severity) per message, oldest first.

    The definition `ThreadStore` follows incrementally (the tests compare the two).
    """
    severity = max((s for _, s in recent), default=Severity.NONE)
    fired = []
    for combo in rules.combos:
        seen: set[str] = set()
        for categories, _ in recent[-combo.within :]:
            seen |= categories
        if combo.all <= seen:
            fired.append(combo.id)
            severity = max(severity, combo.severity)
    ordered: list[str] = []
    for categories, _ in recent:
        for category in sorted(categories):
            if category not in ordered:
                ordered.append(category)
    stages = []
    for stage, members in rules.stages:
        if members & set(ordered):
            stages.append(stage)
    return ThreadRisk(severity, tuple(fired), tuple(stages), tuple(sorted(ordered)))


def load_conversation_rules(path: Path) -> ConversationRules:
    data = load_yaml(path)
    file = str(path)
    problems: list[Problem] = []
    if not isinstance(data, dict) or set(data) - {"combos", "stages"}:
        raise RulesError(
            [Problem(file, line_of(data, 1), None, "expected `combos:` and `stages:`")]
        )
    combos = []
    raw_combos = data.get("combos") or []
    lines = raw_combos.item_lines if isinstance(raw_combos, LineList) else [None] * len(raw_combos)
    for raw, line in zip(raw_combos, lines, strict=True):
        combo = _combo(raw, line, file, problems)
        if combo is not None:
            combos.append(combo)
    stages = []
    raw_stages = data.get("stages") or {}
    if isinstance(raw_stages, Mapping):
        for stage, members in raw_stages.items():
            if not isinstance(members, list) or not set(members) <= set(CATEGORIES):
                problems.append(
                    Problem(file, line_of(raw_stages), stage, "stage lists unknown categories")
                )
                continue
            stages.append((str(stage), frozenset(members)))
    else:
        problems.append(
            Problem(file, line_of(data), None, "`stages:` must map stage -> categories")
        )
    if problems:
        raise RulesError(problems)
    return ConversationRules(tuple(combos), tuple(stages))


def _combo(raw: object, line: int | None, file: str, problems: list[Problem]) -> Combo | None:
    if not isinstance(raw, dict):
        problems.append(Problem(file, line, None, "a combo must be a mapping"))
        return None
    combo_id = str(raw.get("id", ""))
    unknown = set(raw) - {"id", "all", "within", "severity", "description"}
    members = raw.get("all")
    within = raw.get("within")
    message = None
    if unknown:
        message = f"unknown fields {sorted(unknown)}"
    elif not combo_id:
        message = "missing id"
    elif not isinstance(members, list) or len(members) < 2 or not set(members) <= set(CATEGORIES):
        message = "`all` must list two or more known categories"
    elif not isinstance(within, int) or not 1 <= within <= 200:
        message = "`within` must be a number of messages from 1 to 200"
    try:
        severity = Severity.parse(str(raw.get("severity")))
    except ValueError:
        message = message or f"unknown severity {raw.get('severity')!r}"
    if message:
        problems.append(Problem(file, line, combo_id or None, message))
        return None
    assert isinstance(members, list) and isinstance(within, int)
    return Combo(combo_id, frozenset(members), within, severity, str(raw.get("description", "")))
