"""`/v1/analyze`: messages in, per-message results and per-thread risk out (api.md shapes).

The server's own duties around the engine live here: truncating long text, telling the engine
which rules the teen marked "not a problem" (it drops them before thread risk and advice, so a
dismissed rule no longer raises a thread's severity), localising advice and converting spans to
JavaScript offsets.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from engine.conversation import ThreadStore
from engine.engine import Engine
from engine.model import Message, ThreadRisk, Verdict
from server.spans import utf16_offset
from server.store import ScopeKey


def to_messages(raw: Sequence[Mapping[str, Any]], max_chars: int) -> list[Message]:
    return [
        Message(
            id=item["id"],
            text=item["text"][:max_chars],
            thread=item.get("thread"),
            direction=item.get("direction", "in"),
            sender=item.get("sender"),
            links=tuple(item.get("links", ())),
        )
        for item in raw
    ]


def scope_keys(message: Message) -> list[ScopeKey]:
    keys: list[ScopeKey] = []
    if message.sender:
        keys.append(("sender", message.sender))
    if message.thread:
        keys.append(("thread", message.thread))
    return keys


def dismissed_rules(
    suppressed: Mapping[ScopeKey, frozenset[str]],
) -> Callable[[Message], frozenset[str]]:
    """The engine's `suppressed` callback: rules dismissed for a message's sender or thread."""
    none: frozenset[str] = frozenset()
    if not suppressed:  # the usual case: nothing dismissed for anyone in this batch
        return lambda message: none

    def rules_for(message: Message) -> frozenset[str]:
        return frozenset().union(*(suppressed.get(k, frozenset()) for k in scope_keys(message)))

    return rules_for


class _Advice:
    """engine.advice per distinct key tuple, once per request."""

    def __init__(self, engine: Engine, lang: str) -> None:
        self._engine, self._lang = engine, lang
        self._cache: dict[tuple[str, ...], list[dict[str, str]]] = {}

    def __call__(self, keys: tuple[str, ...]) -> list[dict[str, str]]:
        if keys not in self._cache:
            self._cache[keys] = self._engine.advice(keys, self._lang) if keys else []
        return self._cache[keys]


def result_json(
    verdict: Verdict, original: str, truncated: bool, advice: _Advice
) -> dict[str, object]:
    out = verdict.to_json()
    if verdict.findings:  # most messages have none: nothing to convert
        out["findings"] = [
            {
                **f.to_json(),
                "start": utf16_offset(original, f.start),
                "end": utf16_offset(original, f.end),
            }
            for f in verdict.findings
        ]
    out["truncated"] = truncated
    out["advice"] = advice(verdict.advice)
    return out


def analyze(
    engine: Engine,
    threads: ThreadStore,
    suppressed: Mapping[ScopeKey, frozenset[str]],
    body: Mapping[str, Any],
    messages: Sequence[Message],
) -> dict[str, object]:
    """`messages` are `to_messages(body["messages"], ...)`, built once by the caller."""
    raw: Sequence[Mapping[str, Any]] = body["messages"]
    verdicts = engine.analyze(messages, threads, suppressed=dismissed_rules(suppressed))
    advice = _Advice(engine, body.get("lang", "en"))
    results: list[dict[str, object]] = []
    last_risk: dict[str, ThreadRisk] = {}  # a thread's risk after its last message in the batch
    for item, message, verdict in zip(raw, messages, verdicts, strict=True):
        original: str = item["text"]
        truncated = len(original) > len(message.text)
        results.append(result_json(verdict, original, truncated, advice))
        if message.thread is not None and verdict.thread_risk is not None:
            last_risk[message.thread] = verdict.thread_risk
    threads_json = {thread: risk.to_json() for thread, risk in last_risk.items()}
    return {"results": results, "threads": threads_json}
