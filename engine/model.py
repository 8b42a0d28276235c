"""Value types shared by the engine, the server and the CLI.

The JSON shapes produced here are contracts (see ARCHITECTURE.md): extend them, never change them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

CATEGORIES: tuple[str, ...] = (
    "secrecy",
    "isolation",
    "impersonation",
    "private_group",
    "off_platform",
    "meeting",
    "personal_info",
    "sexual_content",
    "threat",
    "money",
    "lure_offer",
    "flattery",
    "suspicious_link",
)

DIRECTIONS: tuple[str, ...] = ("in", "out")


class Severity(IntEnum):
    """Ordered severities; `NONE` is what a message with no finding has."""

    NONE = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, label: str) -> Severity:
        try:
            return cls[label.upper()]
        except KeyError:
            raise ValueError(f"unknown severity {label!r}") from None


@dataclass(frozen=True)
class Finding:
    """One rule (or link check) firing on one span of the ORIGINAL text."""

    rule: str
    category: str
    severity: Severity
    start: int
    end: int
    advice: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "category": self.category,
            "severity": self.severity.label,
            "start": self.start,
            "end": self.end,
        }


@dataclass(frozen=True)
class Message:
    """One chat message as the extension or `scan` hands it to the engine."""

    id: str
    text: str
    thread: str | None = None
    direction: str = "in"
    sender: str | None = None
    links: tuple[str, ...] = ()


@dataclass(frozen=True)
class ThreadRisk:
    """A conversation's state after a message: severity, combos fired, grooming stages seen."""

    severity: Severity
    combos: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {
            "severity": self.severity.label,
            "combos": list(self.combos),
            "stages": list(self.stages),
            "categories": list(self.categories),
        }


@dataclass(frozen=True)
class Verdict:
    """The engine's answer for one message."""

    id: str
    findings: tuple[Finding, ...]
    thread: str | None = None
    thread_risk: ThreadRisk | None = None
    advice: tuple[str, ...] = field(default=())

    @property
    def severity(self) -> Severity:
        return max((f.severity for f in self.findings), default=Severity.NONE)

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(sorted({f.category for f in self.findings}))

    @property
    def flagged(self) -> bool:
        return bool(self.findings)

    def to_json(self) -> dict[str, object]:
        """The `scan --format jsonl` line (ARCHITECTURE.md, CLI contract)."""
        out: dict[str, object] = {
            "id": self.id,
            "flagged": self.flagged,
            "severity": self.severity.label,
            "categories": list(self.categories),
            "findings": [f.to_json() for f in self.findings],
        }
        if self.thread is not None and self.thread_risk is not None:
            out["thread_severity"] = self.thread_risk.severity.label
        return out
