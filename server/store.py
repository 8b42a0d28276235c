"""The local SQLite store: pairing tokens (sha256 only) and feedback (salted hashes, rule ids).

Never holds message text. Each thread keeps one connection (opening one per query cost more than
the query, and every open is a point where a busy worker waits for the GIL again). No connection
ever holds a read transaction open between calls, so `notalone unpair` (another process) still
revokes tokens at once while the server runs.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

DB_NAME = "notalone.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (hash TEXT PRIMARY KEY, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    scope TEXT,
    scope_hash TEXT,
    rules TEXT NOT NULL,
    categories TEXT NOT NULL,
    message_hash TEXT
);
CREATE TABLE IF NOT EXISTS suppressions (
    scope_hash TEXT NOT NULL,
    rule TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (scope_hash, rule)
);
"""

# ("sender" | "thread", value as the extension sent it)
ScopeKey = tuple[str, str]


@dataclass(frozen=True)
class Feedback:
    """One "not a problem" / "missed" report, as received (hashed before it is stored)."""

    kind: str
    rules: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    thread: str | None = None
    sender: str | None = None
    message_hash: str | None = None

    @property
    def scope(self) -> ScopeKey | None:
        """What "not a problem" applies to: the sender, else the thread."""
        if self.sender:
            return ("sender", self.sender)
        if self.thread:
            return ("thread", self.thread)
        return None


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class Store:
    """Tokens and feedback in `<data_dir>/notalone.sqlite3` (file mode 0600)."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / DB_NAME
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []  # every thread's, for close()
        self._opened_lock = threading.Lock()
        self._generation = 0  # bumped by close(): threads then open a fresh connection
        if not self.path.exists():
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        with self._connect() as db:
            db.executescript(_SCHEMA)
            db.execute("INSERT OR IGNORE INTO meta VALUES ('salt', ?)", (secrets.token_hex(32),))
            row = db.execute("SELECT value FROM meta WHERE key = 'salt'").fetchall()[0]
        self._salt = bytes.fromhex(row[0])

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection, inside one transaction committed on success.

        Callers read results in full before leaving: a half-read cursor would keep a read
        transaction (and a lock) open between requests.
        """
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None or self._local.generation != self._generation:
            # check_same_thread=False only so that close() may close it; one thread uses it.
            db = sqlite3.connect(self.path, timeout=10.0, check_same_thread=False)
            with self._opened_lock:
                self._opened.append(db)
                self._local.db, self._local.generation = db, self._generation
        with db:
            yield db

    def close(self) -> None:
        """Close every thread's connection; a later call opens a new one."""
        with self._opened_lock:
            opened, self._opened = self._opened, []
            self._generation += 1
        for db in opened:
            db.close()

    def _hash(self, kind: str, value: str) -> str:
        data = f"{kind}\0{value}".encode("utf-8", "surrogatepass")
        return hmac.new(self._salt, data, hashlib.sha256).hexdigest()

    # --- tokens -----------------------------------------------------------------------------

    def add_token(self, token: str) -> None:
        with self._connect() as db:
            db.execute("INSERT OR IGNORE INTO tokens VALUES (?, ?)", (token_hash(token), _now()))

    def token_valid(self, token: str) -> bool:
        with self._connect() as db:
            rows = db.execute("SELECT 1 FROM tokens WHERE hash = ?", (token_hash(token),))
            return bool(rows.fetchall())

    def revoke_tokens(self) -> int:
        """Forget every token; returns how many there were."""
        with self._connect() as db:
            return db.execute("DELETE FROM tokens").rowcount

    # --- feedback ---------------------------------------------------------------------------

    def record_feedback(self, feedback: Feedback) -> None:
        scope = feedback.scope
        scope_hash = self._hash(*scope) if scope else None
        message_hash = (
            self._hash("message", feedback.message_hash) if feedback.message_hash else None
        )
        at = _now()
        with self._connect() as db:
            db.execute(
                "INSERT INTO feedback"
                " (at, kind, scope, scope_hash, rules, categories, message_hash)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    at,
                    feedback.kind,
                    scope[0] if scope else None,
                    scope_hash,
                    json.dumps(sorted(set(feedback.rules))),
                    json.dumps(sorted(set(feedback.categories))),
                    message_hash,
                ),
            )
            if feedback.kind == "not_a_problem" and scope_hash:
                db.executemany(
                    "INSERT OR IGNORE INTO suppressions VALUES (?, ?, ?)",
                    [(scope_hash, rule, at) for rule in sorted(set(feedback.rules))],
                )

    def suppressed_rules(self, keys: Iterable[ScopeKey]) -> dict[ScopeKey, frozenset[str]]:
        """Rules marked "not a problem" for each sender/thread key (absent keys: none)."""
        by_hash = {self._hash(*key): key for key in set(keys)}
        if not by_hash:
            return {}
        found: dict[ScopeKey, set[str]] = {}
        hashes = list(by_hash)
        with self._connect() as db:
            for i in range(0, len(hashes), 500):  # stay under SQLite's parameter limit
                chunk = hashes[i : i + 500]
                marks = ",".join("?" * len(chunk))
                rows = db.execute(
                    f"SELECT scope_hash, rule FROM suppressions WHERE scope_hash IN ({marks})",
                    chunk,
                ).fetchall()
                for scope_hash, rule in rows:
                    found.setdefault(by_hash[scope_hash], set()).add(rule)
        return {key: frozenset(rules) for key, rules in found.items()}
