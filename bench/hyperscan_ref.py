"""Hyperscan as the near-hardware anchor of the engine benchmark, with a compile cache.

One block-mode database holds every expression of the rules (patterns, keywords in a form without
look-arounds, `unless`) that Hyperscan accepts. Hyperscan lacks look-arounds and back-references
and refuses some large bounded repeats ("Pattern is too large"); each expression is first compiled
alone to find those. A rule with any of them still has its other expressions scanned (so
Hyperscan does nearly the engine's work) but gets no verdict: it is left out of the comparison.
Flags: `HS_FLAG_UTF8 | HS_FLAG_SINGLEMATCH`; `\\b` and `\\w` are ASCII (Hyperscan refuses `\\b`
in Unicode mode), which gives the same answers on the normalised corpus (ASCII apart from emoji).

Compiling takes minutes for these patterns, so the per-expression verdicts and the database are
cached in the user's cache directory (keyed by Hyperscan version, flags and expressions); the
report says whether a figure came from the cache. Compile time is never part of scan throughput.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import platformdirs

from bench.reference import RuleSpec, keyword_hyperscan

FLAG_NAMES = ("HS_FLAG_UTF8", "HS_FLAG_SINGLEMATCH")
DEFAULT_CACHE = Path(platformdirs.user_cache_dir("notalone-bench"))


@dataclass
class HyperscanBuild:
    """What building the database cost and left out."""

    trial_seconds: float = 0.0  # compiling expressions alone, this run (cached ones are free)
    trials_cached: int = 0
    compile_seconds: float = 0.0  # compiling the database (when it was built, if cached)
    database_cached: bool = False
    expressions: int = 0  # in the database: every supported one
    unsupported: dict[str, int] = field(default_factory=dict)  # error message -> count
    # Rules not compared with the engine: some expression of theirs is unsupported.
    rules_left_out: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "trial_compile_seconds": round(self.trial_seconds, 2),
            "trials_from_cache": self.trials_cached,
            "database_compile_seconds": round(self.compile_seconds, 2),
            "database_from_cache": self.database_cached,
            "compile_time_in_throughput": False,
            "expressions": self.expressions,
            "unsupported_expressions": sum(self.unsupported.values()),
            "unsupported_reasons": self.unsupported,
            "rules_left_out": self.rules_left_out,
        }


class _Cache:
    """Trial verdicts (one JSON file) and the last database (bytes + compile time)."""

    def __init__(self, folder: Path | None, salt: str) -> None:
        self.folder = folder
        self.salt = salt
        self.trials: dict[str, str | None] = {}
        if folder is not None and (folder / "trials.json").exists():
            self.trials = json.loads((folder / "trials.json").read_text(encoding="utf-8"))

    def key(self, *parts: str) -> str:
        return hashlib.sha256("\0".join([self.salt, *parts]).encode("utf-8")).hexdigest()

    def save_trials(self) -> None:
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / "trials.json").write_text(json.dumps(self.trials), encoding="utf-8")

    def database(self, key: str) -> tuple[bytes, float] | None:
        if self.folder is None or not (self.folder / f"db-{key}.bin").exists():
            return None
        meta = json.loads((self.folder / f"db-{key}.json").read_text(encoding="utf-8"))
        return (self.folder / f"db-{key}.bin").read_bytes(), float(meta["compile_seconds"])

    def save_database(self, key: str, data: bytes, seconds: float) -> None:
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("db-*"):  # keep only the newest database
            old.unlink()
        (self.folder / f"db-{key}.bin").write_bytes(data)
        meta = {"compile_seconds": seconds}
        (self.folder / f"db-{key}.json").write_text(json.dumps(meta), encoding="utf-8")


class HyperscanMatcher:
    """`fires(text, direction)`: the rules Hyperscan finds, after direction and `unless`."""

    def __init__(
        self, specs: Sequence[RuleSpec], hyperscan: ModuleType, cache: Path | None = DEFAULT_CACHE
    ) -> None:
        self.hs = hyperscan
        self.build = HyperscanBuild()
        self.flags = 0
        for name in FLAG_NAMES:
            self.flags |= getattr(hyperscan, name)
        version = importlib.metadata.version("hyperscan")
        self._cache = _Cache(cache, f"{version}|{self.flags}")
        supported = self._trials([e for s in specs for e in self._all(s)])

        expressions: list[str] = []
        self._kinds: list[tuple[int, bool]] = []  # expression id -> (rule index, is an `unless`)
        self._specs = list(specs)
        covered = []
        for index, spec in enumerate(specs):
            if spec.keep_if or spec.accented or not all(supported[e] for e in self._all(spec)):
                self.build.rules_left_out.append(spec.id)
                continue  # its expressions would only make the database bigger
            covered.append(spec.id)
            tagged = [(e, False) for e in spec.expressions(keyword_hyperscan)]
            tagged += [(e, True) for e in (*spec.unless, *spec.pack_unless)]
            for expression, is_unless in tagged:
                expressions.append(expression)
                self._kinds.append((index, is_unless))
        self.build.expressions = len(expressions)
        self.rules = frozenset(covered)
        self._db = self._database(expressions) if expressions else None

    @staticmethod
    def _all(spec: RuleSpec) -> tuple[str, ...]:
        return (*spec.expressions(keyword_hyperscan), *spec.unless, *spec.pack_unless)

    def _trials(self, expressions: list[str]) -> dict[str, bool]:
        started = time.perf_counter()
        supported: dict[str, bool] = {}
        for expression in dict.fromkeys(expressions):
            key = self._cache.key(expression)
            if key in self._cache.trials:
                error = self._cache.trials[key]
                self.build.trials_cached += 1
            else:
                error = self._trial_compile(expression)
                self._cache.trials[key] = error
            supported[expression] = error is None
            if error is not None:
                self.build.unsupported[error] = self.build.unsupported.get(error, 0) + 1
        self._cache.save_trials()
        self.build.trial_seconds = time.perf_counter() - started
        return supported

    def _trial_compile(self, expression: str) -> str | None:
        """None when Hyperscan compiles `expression` alone, else its error message."""
        try:
            self.hs.Database(mode=self.hs.HS_MODE_BLOCK).compile(
                expressions=[expression.encode("utf-8")], ids=[0], elements=1, flags=[self.flags]
            )
        except self.hs.error as exc:
            return re.sub(r" at index \d+", "", str(exc))
        return None

    def _database(self, expressions: list[str]) -> Any:
        key = self._cache.key(*expressions)
        cached = self._cache.database(key)
        if cached is not None:
            data, self.build.compile_seconds = cached
            database = self.hs.loadb(data, self.hs.HS_MODE_BLOCK)
            database.scratch = self.hs.Scratch(database)
            self.build.database_cached = True
            return database
        started = time.perf_counter()
        database = self.hs.Database(mode=self.hs.HS_MODE_BLOCK)
        database.compile(
            expressions=[e.encode("utf-8") for e in expressions],
            ids=list(range(len(expressions))),
            elements=len(expressions),
            flags=[self.flags] * len(expressions),
        )
        self.build.compile_seconds = time.perf_counter() - started
        self._cache.save_database(key, self.hs.dumpb(database), self.build.compile_seconds)
        return database

    def fires(self, text: str, direction: str) -> frozenset[str]:
        if self._db is None:
            return frozenset()
        found: set[int] = set()
        self._db.scan(text.encode("utf-8", "replace"), match_event_handler=_collect, context=found)
        hit: set[int] = set()
        cancelled: set[int] = set()
        for expression in found:
            rule, is_unless = self._kinds[expression]
            (cancelled if is_unless else hit).add(rule)
        return frozenset(
            spec.id
            for spec in (self._specs[r] for r in hit - cancelled)
            if spec.applies_to(direction) and spec.id in self.rules
        )


def _collect(expression: int, _start: int, _end: int, _flags: int, found: set[int]) -> None:
    found.add(expression)
