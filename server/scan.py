"""`notalone scan`: read messages from files or stdin and report what the engine finds.

Each input line is a JSON object `{"id", "text", "thread"?, "direction"?}` or plain text. A line
that is not valid UTF-8, or a JSON object without text, is reported on stderr and skipped; the
rest of the input is still scanned. Blank lines are skipped (they still count for line numbers).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, TextIO

from engine.conversation import ThreadStore
from engine.engine import Engine
from engine.model import DIRECTIONS, Message, Verdict


@dataclass(frozen=True)
class InputError:
    source: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.message}"


def read_messages(stream: BinaryIO, source: str) -> Iterator[Message | InputError]:
    for number, raw in enumerate(stream, start=1):
        try:
            line = raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            yield InputError(source, number, "not valid UTF-8 text; skipped")
            continue
        if "\x00" in line:
            yield InputError(source, number, "binary data; skipped")
            continue
        if not line.strip():
            continue
        yield _parse_line(line, number, source)


def _parse_line(line: str, number: int, source: str) -> Message | InputError:
    if line.lstrip().startswith("{"):
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            obj = None
        if isinstance(obj, dict):
            text = obj.get("text")
            direction = obj.get("direction", "in")
            thread = obj.get("thread")
            if not isinstance(text, str):
                return InputError(source, number, 'JSON line needs a string "text"; skipped')
            if direction not in DIRECTIONS:
                return InputError(
                    source, number, f'"direction" must be one of {DIRECTIONS}; skipped'
                )
            message_id = obj.get("id", number)
            return Message(
                id=message_id if isinstance(message_id, str) else str(message_id),
                text=text,
                thread=None if thread is None else str(thread),
                direction=direction,
            )
    return Message(id=str(number), text=line)


def scan_stream(
    engine: Engine, messages: Iterable[Message | InputError], threads: ThreadStore
) -> Iterator[tuple[Message, Verdict] | InputError]:
    for item in messages:
        if isinstance(item, InputError):
            yield item
            continue
        (verdict,) = engine.analyze([item], threads)
        yield item, verdict


def write_jsonl(out: TextIO, verdict: Verdict) -> None:
    out.write(json.dumps(verdict.to_json(), ensure_ascii=False) + "\n")


def write_text(out: TextIO, message: Message, verdict: Verdict, color: bool) -> None:
    """A readable block per flagged message: severity, categories, highlighted text, advice keys."""
    if not verdict.flagged:
        return
    head = (
        f"[{verdict.severity.label.upper()}] message {message.id}: {', '.join(verdict.categories)}"
    )
    if verdict.thread_risk is not None:
        risk = verdict.thread_risk
        combos = f", combos: {', '.join(risk.combos)}" if risk.combos else ""
        head += f"  (thread {message.thread}: {risk.severity.label}{combos})"
    out.write(head + "\n")
    out.write("  " + highlight(message.text, verdict, color) + "\n")
    rules = sorted({f.rule for f in verdict.findings})
    out.write(f"  rules: {', '.join(rules)}\n")
    out.write(f"  advice: {', '.join(verdict.advice)}\n\n")


def highlight(text: str, verdict: Verdict, color: bool) -> str:
    spans = sorted({(f.start, f.end) for f in verdict.findings if f.start >= 0})
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    opening, closing = ("\x1b[1;31m", "\x1b[0m") if color else ("[[", "]]")
    parts, cursor = [], 0
    for start, end in merged:
        parts += [text[cursor:start], opening, text[start:end], closing]
        cursor = end
    parts.append(text[cursor:])
    return "".join(parts).replace("\n", " ")
