"""Facts about rule patterns (valid? which literal clauses?), kept between runs.

Parsing ~2,500 patterns for validation and prefilter atoms is most of start-up, yet the answer
depends only on the pattern text and the Python and `regex` versions. The first load computes and
writes them to the user cache directory (`NOTALONE_CACHE_DIR` overrides it); later loads read
them. The cache holds pattern hashes, error texts and rule literals, never message text. A missing,
stale or unreadable cache only costs time.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import platformdirs
import regex

from .atoms import parses, required_clauses

FACTS_FORMAT = 4  # bump when `engine.atoms` changes what it proves: old caches are then ignored


@dataclass(frozen=True)
class PatternFacts:
    error: str | None  # the `regex` compile error, None when the pattern is valid
    clauses: tuple[frozenset[str], ...]  # see atoms.required_clauses


def _cache_file() -> Path:
    folder = os.environ.get("NOTALONE_CACHE_DIR") or platformdirs.user_cache_dir("notalone")
    python = f"py{sys.version_info[0]}{sys.version_info[1]}"
    versions = f"{python}-regex{regex.__version__}-v{FACTS_FORMAT}"
    return Path(folder) / f"pattern-facts-{versions}.json"


class _Store:
    """The cache file's entries as JSON values (read once, decoded only when asked for) plus the
    facts this process has already decoded, by pattern text."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, Any] | None = None  # sha256 of pattern -> [error, [clause, ...]]
        self._by_text: dict[str, PatternFacts] = {}
        self._dirty = False

    def _loaded(self) -> dict[str, Any]:
        if self._entries is None:
            try:
                raw = json.loads(_cache_file().read_text(encoding="utf-8"))
                self._entries = raw if isinstance(raw, dict) else {}
            except (OSError, ValueError):
                self._entries = {}
        return self._entries

    def forget(self) -> None:
        """Drop what this process knows, as a new process would start (cache dir may change)."""
        with self._lock:
            self._entries, self._by_text, self._dirty = None, {}, False

    def get(self, folded: str) -> PatternFacts:
        known = self._by_text.get(folded)  # validation and the matcher ask for the same patterns
        if known is not None:
            return known
        key = hashlib.sha256(folded.encode()).hexdigest()
        with self._lock:
            entry = self._loaded().get(key)
        facts = _decoded(entry)
        if facts is None:
            facts = PatternFacts(_error(folded), required_clauses(folded))
            with self._lock:
                self._loaded()[key] = [facts.error, [sorted(c) for c in facts.clauses]]
                self._dirty = True
        self._by_text[folded] = facts
        return facts

    def save(self) -> None:
        """Write new facts (atomically); called once a whole load succeeded."""
        with self._lock:
            if not self._dirty or self._entries is None:
                return
            data = json.dumps(self._entries)
            self._dirty = False
        path = _cache_file()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temp = path.with_suffix(f".{os.getpid()}.tmp")
            temp.write_text(data, encoding="utf-8")
            temp.replace(path)
        except OSError:
            pass


def _decoded(entry: Any) -> PatternFacts | None:
    """An entry of the cache file as facts; None when it is missing or not in the expected shape."""
    try:
        error, clauses = entry
        return PatternFacts(error, tuple(frozenset(c) for c in clauses))
    except (TypeError, ValueError):
        return None


def _error(folded: str) -> str | None:
    # The stdlib parser vouches for most patterns; only syntax `re` lacks pays for `regex`.
    # `rules test` and `rules lint` compile every pattern in full.
    if parses(folded):
        return None
    try:
        compile_pattern(folded)
    except regex.error as exc:
        return str(exc)
    return None


@lru_cache(maxsize=8192)
def compile_pattern(folded: str) -> regex.Pattern[str]:
    """`regex` compile of a folded pattern on first use, memoised: reloads and workers share it."""
    return regex.compile(folded)


_STORE = _Store()
facts_of = _STORE.get
save = _STORE.save
forget = _STORE.forget
