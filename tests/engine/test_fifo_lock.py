"""Scans take turns through a FifoLock: waiters get it in arrival order, one at a time."""

from __future__ import annotations

import threading
import time

from engine.fifo_lock import FifoLock


def test_waiters_get_the_lock_in_the_order_they_asked() -> None:
    lock = FifoLock()
    order: list[int] = []
    lock.__enter__()  # the main thread holds it while the others queue up
    workers = []
    for n in range(5):

        def work(n: int = n) -> None:
            with lock:
                order.append(n)

        worker = threading.Thread(target=work)
        worker.start()
        workers.append(worker)
        time.sleep(0.05)  # let it reach the queue before the next one starts
    lock.__exit__(None, None, None)
    for worker in workers:
        worker.join(timeout=5)
    assert order == [0, 1, 2, 3, 4]


def test_a_thread_that_releases_cannot_jump_the_queue() -> None:
    lock = FifoLock()
    turns: list[str] = []
    waiting = threading.Event()

    def other() -> None:
        waiting.set()
        with lock:
            turns.append("other")

    lock.__enter__()
    thread = threading.Thread(target=other)
    thread.start()
    waiting.wait(timeout=5)
    time.sleep(0.05)  # `other` is now queued
    lock.__exit__(None, None, None)
    with lock:  # asks again at once: must come after the waiter
        turns.append("again")
    thread.join(timeout=5)
    assert turns == ["other", "again"]


def test_exclusive_under_contention() -> None:
    lock = FifoLock()
    inside = 0
    most = 0
    guard = threading.Lock()

    def work() -> None:
        nonlocal inside, most
        for _ in range(200):
            with lock:
                with guard:
                    inside += 1
                    most = max(most, inside)
                with guard:
                    inside -= 1

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert most == 1
