"""A lock handed over in the order threads asked for it."""

from __future__ import annotations

import threading
from collections import deque
from types import TracebackType


class FifoLock:
    """Like `threading.Lock`, but first come, first served.

    A plain lock lets the thread that just released it take it straight back, so a batch of slow
    messages could hold it for its whole budget while other requests wait. Here the releasing
    thread hands the lock to the longest waiter.
    """

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._held = False
        self._waiters: deque[threading.Lock] = deque()

    def __enter__(self) -> None:
        with self._mutex:
            if not self._held:
                self._held = True
                return
            gate = threading.Lock()
            gate.acquire()
            self._waiters.append(gate)
        gate.acquire()  # released by the holder as it hands the lock over; we now hold it

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        with self._mutex:
            if self._waiters:
                self._waiters.popleft().release()  # still held: ownership passes to the waiter
            else:
                self._held = False
