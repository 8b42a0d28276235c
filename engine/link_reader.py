"""Turns the YAML values of `rules/links/` into typed values, collecting every problem (file,
line, item) instead of stopping at the first, so one `RulesError` can list them all.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .errors import Problem
from .yamlio import line_of


class Reader:
    """Reads values out of the link data files; `problems` grows as it goes."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.problems: list[Problem] = []

    def problem(self, file: str, where: object, item: str | None, message: str) -> None:
        line = where if isinstance(where, int) else line_of(where)
        self.problems.append(Problem(str(self.directory / file), line, item, message))

    def mapping(self, file: str, value: object, key: str) -> dict[str, Any]:
        inner = value.get(key) if isinstance(value, dict) else None
        if not isinstance(inner, dict):
            self.problem(file, value, None, f"`{key}` must be a mapping")
            return {}
        return inner

    def strings(self, file: str, value: object, item: str | None, what: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.problem(file, value, item, f"`{what}` must be a list of strings")
            return ()
        return tuple(value)

    def grouped_strings(self, file: str, doc: object, key: str) -> tuple[str, ...]:
        """Every string of a mapping of named lists (`exempt: {messaging: [...], ...}`)."""
        groups = self.mapping(file, doc, key)
        return tuple(
            s for name, items in groups.items() for s in self.strings(file, items, name, name)
        )

    def regex(self, file: str, where: object, item: str, pattern: object) -> re.Pattern[str]:
        try:
            if not isinstance(pattern, str):
                raise re.error("must be a string")
            return re.compile(pattern, re.IGNORECASE)
        except re.error as exc:
            self.problem(file, where, item, f"bad pattern: {exc}")
            return re.compile(r"(?!)")


def get(doc: object, key: str) -> object:
    """`doc[key]` when `doc` is a mapping, else None (the caller reports what is missing)."""
    return doc.get(key) if isinstance(doc, dict) else None
