"""The per-user data directory and the run file that lets `notalone pair` find the server.

`server.json` holds the running server's port, pid and a per-run admin secret. It is written with
mode 0600 (owner only) into a 0700 folder, so only the same OS user can ask the server for a new
pairing code. On Windows the per-user data folder (%LOCALAPPDATA%) is private to the user by ACL.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import platformdirs

ENV_VAR = "NOTALONE_DATA_DIR"
RUNFILE = "server.json"


@dataclass(frozen=True)
class RunInfo:
    port: int
    pid: int
    secret: str


def resolve_data_dir(explicit: str | None = None) -> Path:
    """`--data-dir`, else $NOTALONE_DATA_DIR, else the platform's user data dir; created 0700."""
    chosen = explicit or os.environ.get(ENV_VAR)
    path = Path(chosen) if chosen else platformdirs.user_data_path("notalone", appauthor=False)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def write_runfile(data_dir: Path, info: RunInfo) -> None:
    """Atomically replace the run file; it is never readable by other users, even briefly."""
    final = data_dir / RUNFILE
    temp = data_dir / f".{RUNFILE}.{os.getpid()}.tmp"
    temp.unlink(missing_ok=True)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(asdict(info), handle)
    os.replace(temp, final)


def read_runfile(data_dir: Path) -> RunInfo | None:
    try:
        raw = json.loads((data_dir / RUNFILE).read_text(encoding="utf-8"))
        return RunInfo(port=int(raw["port"]), pid=int(raw["pid"]), secret=str(raw["secret"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def remove_runfile(data_dir: Path, info: RunInfo) -> None:
    """Remove the run file if it is still ours (another server may have started since)."""
    if read_runfile(data_dir) == info:
        (data_dir / RUNFILE).unlink(missing_ok=True)
