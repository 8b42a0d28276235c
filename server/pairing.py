"""One-time pairing codes: single use, short-lived, locked after a few wrong tries.

Only one code is live at a time; issuing a new one (serve start, `notalone pair`) replaces it.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

CODE_TTL_SECONDS = 600.0
MAX_WRONG_TRIES = 5


class Outcome(Enum):
    OK = "ok"
    BAD_CODE = "bad_code"
    EXPIRED = "code_expired"
    LOCKED = "locked"


@dataclass
class _LiveCode:
    code: str
    expires_at: float
    wrong_tries: int = 0


class PairingCodes:
    """Thread-safe holder of the current pairing code."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        ttl_seconds: float = CODE_TTL_SECONDS,
        max_wrong_tries: int = MAX_WRONG_TRIES,
    ) -> None:
        self._clock = clock
        self._ttl = ttl_seconds
        self._max_wrong = max_wrong_tries
        self._live: _LiveCode | None = None
        self._lock = threading.Lock()

    @property
    def ttl_seconds(self) -> float:
        return self._ttl

    def issue(self) -> str:
        """A fresh 6-digit code; any earlier code stops working."""
        code = f"{secrets.randbelow(1_000_000):06d}"
        with self._lock:
            self._live = _LiveCode(code, self._clock() + self._ttl)
        return code

    def redeem(self, attempt: str) -> Outcome:
        """Check `attempt`; a right code is consumed, a wrong one counts towards the lock."""
        attempt = "".join(ch for ch in attempt if ch not in " -")
        with self._lock:
            live = self._live
            if live is None:
                return Outcome.BAD_CODE
            if live.wrong_tries >= self._max_wrong:
                return Outcome.LOCKED
            if self._clock() >= live.expires_at:
                return Outcome.EXPIRED
            if hmac.compare_digest(attempt.encode("utf-8", "surrogatepass"), live.code.encode()):
                self._live = None
                return Outcome.OK
            live.wrong_tries += 1
            return Outcome.BAD_CODE
