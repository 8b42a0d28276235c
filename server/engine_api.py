"""What the server needs from the engine (the facade in `engine/engine.py`).

A Protocol rather than the class itself so tests can hand the app a small fake engine and the
server does not care how the engine is built.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

from engine.model import Message, Verdict


class PackLike(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def languages(self) -> tuple[str, ...]: ...
    @property
    def rules(self) -> int: ...
    @property
    def digest(self) -> str: ...


class LinkVerdictLike(Protocol):
    def to_json(self) -> dict[str, Any]: ...


class AnalysisEngine(Protocol):
    @property
    def packs(self) -> Sequence[PackLike]: ...
    @property
    def digest(self) -> str: ...
    def watched_paths(self) -> list[Path]: ...
    def analyze(self, messages: Sequence[Message], threads: Any) -> list[Verdict]: ...
    def check_url(self, url: str) -> LinkVerdictLike: ...
    def advice(self, keys: Iterable[str], lang: str) -> list[dict[str, str]]: ...
