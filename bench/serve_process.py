"""Run `notalone serve --port 0` as a subprocess and read its banner: port, packs, pairing code.

One helper for everything that needs the real server process: the benchmarks
(`bench/server.py`), the process tests (`tests/server/test_serve_process.py`) and the browser
harness (`tests/e2e/harness.py`). Both pipes are drained for the life of the process, so a chatty
access log can never fill a pipe and stall the server; stderr lines are kept for inspection.
"""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BANNER_SECONDS = 60.0

ADDRESS = re.compile(r"Not Alone server on http://127\.0\.0\.1:(\d+)")
CODE = re.compile(r"Pairing code: (\d{6}) \(valid 10 minutes, single use\)")


def python_module_command() -> list[str]:
    """`notalone` as `python -m server`, with this interpreter (works from a source checkout)."""
    return [sys.executable, "-m", "server"]


@dataclass
class Served:
    """A running `notalone serve` and what its banner said."""

    process: subprocess.Popen[str]
    data_dir: Path
    port: int
    code: str
    banner: list[str]  # stdout from the address line to the pairing-code line
    stderr: list[str] = field(default_factory=list)  # keeps growing: the access log

    @property
    def packs(self) -> list[str]:
        """The banner's `pack NAME VERSION (N rules)` lines."""
        return self.banner[1:-1]

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM (a clean stop), then SIGKILL if it is still running after `timeout`."""
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=timeout)


def _pump(stream: Iterable[str], sink: Callable[[str], None]) -> None:
    for line in stream:
        sink(line.rstrip("\n"))


def notalone_process(argv: Sequence[str], data_dir: Path) -> subprocess.Popen[str]:
    """A `notalone` command (full argv) with this repo importable and `data_dir` as its data."""
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p)
    env = {
        **os.environ,
        "PYTHONPATH": path,
        "NOTALONE_DATA_DIR": str(data_dir),
        "PYTHONUNBUFFERED": "1",
    }
    return subprocess.Popen(
        list(argv),
        cwd=REPO,
        env=env,
        text=True,
        encoding="utf-8",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def start_serve(
    data_dir: Path,
    *extra: str,
    command: Sequence[str] | None = None,
    timeout: float = BANNER_SECONDS,
) -> Served:
    """Start `<command> serve --port 0 --data-dir DATA_DIR *extra` and wait for its banner.

    `command` defaults to `python -m server` with this interpreter. Raises RuntimeError, with
    the output so far (the rule loader's problems, a traceback), when the process exits or
    prints no complete banner within `timeout` seconds.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    argv = [*(command or python_module_command()), "serve", "--port", "0"]
    process = notalone_process([*argv, "--data-dir", str(data_dir), *extra], data_dir)
    lines: queue.Queue[str] = queue.Queue()
    errors: list[str] = []
    threading.Thread(target=_pump, args=(process.stdout, lines.put), daemon=True).start()
    threading.Thread(target=_pump, args=(process.stderr, errors.append), daemon=True).start()
    banner: list[str] = []
    deadline = time.monotonic() + timeout
    while not (banner and CODE.fullmatch(banner[-1])):
        try:
            banner.append(lines.get(timeout=0.2))
        except queue.Empty:
            if process.poll() is None and time.monotonic() < deadline:
                continue
            _kill(process)
            time.sleep(0.1)  # let the pumps take the last lines
            raise RuntimeError(
                "notalone serve printed no banner"
                + (f" (exit code {process.returncode})" if process.returncode else "")
                + f"\nstdout: {banner}\nstderr: "
                + "\n".join(errors[-40:])
            ) from None
    address = ADDRESS.fullmatch(banner[0])
    if address is None:
        _kill(process)
        raise RuntimeError(f"notalone serve's banner does not start with its address: {banner}")
    code = CODE.fullmatch(banner[-1])
    assert code is not None
    return Served(process, data_dir, int(address.group(1)), code.group(1), banner, errors)


def _kill(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.kill()
        process.wait(timeout=15)
