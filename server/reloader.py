"""Hot reload of rule packs: an atomic engine swap, and a poller that notices edits on disk.

Requests read `holder.engine` once and keep that object for the whole request, so a swap never
mixes two rule sets in one answer. A pack that fails to load leaves the last good engine serving
and is reported through `last_reload`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from engine.engine import Engine
from engine.errors import RulesError

log = logging.getLogger("notalone.server")

POLL_SECONDS = 2.0


@dataclass(frozen=True)
class ReloadStatus:
    ok: bool
    errors: tuple[str, ...]
    at: str

    @classmethod
    def now(cls, errors: Iterable[str] = ()) -> ReloadStatus:
        errors = tuple(errors)
        at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        return cls(ok=not errors, errors=errors, at=at)

    def to_json(self) -> dict[str, object]:
        return {"ok": self.ok, "errors": list(self.errors), "at": self.at}


class EngineHolder:
    """The engine in service: the first load raises RulesError, later reloads never raise."""

    def __init__(self, loader: Callable[[], Engine]) -> None:
        self._loader = loader
        self._engine = loader()
        self._status = ReloadStatus.now()
        self._lock = threading.Lock()  # one reload at a time; readers never wait

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def last_reload(self) -> ReloadStatus:
        return self._status

    def reload(self) -> ReloadStatus:
        with self._lock:
            try:
                fresh = self._loader()
            except RulesError as error:
                status = ReloadStatus.now(str(p) for p in error.problems)
            except Exception as error:  # a reload must never take the server down
                status = ReloadStatus.now([f"{type(error).__name__}: {error}"])
            else:
                self._engine = fresh  # a single reference assignment: atomic for readers
                status = ReloadStatus.now()
            self._status = status
        if status.ok:
            log.info("rules reloaded")
        else:
            count = len(status.errors)
            log.warning("rules reload failed (%d problems); last good packs still serve", count)
        return status


Snapshot = dict[str, tuple[int, int] | None]


def snapshot(paths: Iterable[Path]) -> Snapshot:
    """mtime and size of each path and of its folder (a folder changes when files come or go)."""
    wanted: set[Path] = set()
    for path in paths:
        wanted.add(path)
        wanted.add(path.parent)
    state: Snapshot = {}
    for path in wanted:
        try:
            info = path.stat()
        except OSError:
            state[str(path)] = None
        else:
            state[str(path)] = (info.st_mtime_ns, info.st_size)
    return state


class Watcher:
    """Daemon thread polling the engine's watched files and reloading when one changes."""

    def __init__(self, holder: EngineHolder, interval: float = POLL_SECONDS) -> None:
        self._holder = holder
        self._interval = interval
        self._seen = snapshot(holder.engine.watched_paths())
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="notalone-rules", daemon=True)

    def check(self) -> bool:
        """One poll; True when something changed and a reload was attempted."""
        current = snapshot(self._holder.engine.watched_paths())
        if current == self._seen:
            return False
        self._holder.reload()
        # Whatever the outcome, wait for the next edit before trying again.
        self._seen = snapshot(self._holder.engine.watched_paths())
        return True

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.check()
            except Exception as error:  # keep watching whatever happens
                log.error("rules watcher: %s", type(error).__name__)
