"""Conversations: a bounded, expiring window of findings per thread, escalation combos and stages.

Grooming is a sequence (trust, secrecy, isolation, exploitation): one message may look harmless
while the thread does not. Combos (data, `rules/combos.yaml`) raise a thread's severity when
categories co-occur within a window of messages. Only categories and severities are kept, never
text.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cachetools import TTLCache

from .errors import Problem, RulesError
from .model import CATEGORIES, Finding, Severity, ThreadRisk
from .yamlio import LineList, line_of, load_yaml


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

    @property
    def window(self) -> int:
        return max((c.within for c in self.combos), default=1)

    def stage_of(self, category: str) -> str | None:
        for stage, categories in self.stages:
            if category in categories:
                return stage
        return None


@dataclass
class _Thread:
    recent: deque[tuple[frozenset[str], Severity]]
    seen_ids: deque[str]  # a page re-sending a message must not count it twice
    lock: threading.Lock = field(default_factory=threading.Lock)


class ThreadStore:
    """Per-thread windows, bounded in count (LRU) and time (TTL); safe to share between threads."""

    def __init__(self, maxsize: int = 10_000, ttl_seconds: float = 6 * 3600) -> None:
        self._threads: TTLCache[str, _Thread] = TTLCache(maxsize=maxsize, ttl=ttl_seconds)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._threads)

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
        with self._lock:
            state = self._threads.get(thread)
            if state is None or state.recent.maxlen != rules.window:
                state = _Thread(
                    recent=deque(state.recent if state else (), maxlen=rules.window),
                    seen_ids=deque(state.seen_ids if state else (), maxlen=2 * rules.window),
                )
            self._threads[thread] = state  # refreshes the TTL
        with state.lock:
            if message_id is None or message_id not in state.seen_ids:
                state.recent.append((categories, severity))
                if message_id is not None:
                    state.seen_ids.append(message_id)
            recent = list(state.recent)
        return assess(recent, rules)


def assess(recent: list[tuple[frozenset[str], Severity]], rules: ConversationRules) -> ThreadRisk:
    """The risk of a window of (categories, severity) per message, oldest first."""
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
