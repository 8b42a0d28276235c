"""Problems found in rule data, reported all at once with file, line and rule id."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the rule data, located as precisely as we can."""

    file: str
    line: int | None
    rule: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        who = f" [{self.rule}]" if self.rule else ""
        return f"{where}:{who} {self.message}"


class RulesError(Exception):
    """Raised when rule data cannot be used; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
