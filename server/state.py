"""What a running app holds, reachable from any view through `current()`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from flask import current_app

from engine.conversation import ThreadStore
from server.pairing import PairingCodes
from server.reloader import EngineHolder
from server.store import Store

MAX_BODY_BYTES = 1024 * 1024
MAX_TEXT_CHARS = 4000


@dataclass(frozen=True)
class Settings:
    """Per-run settings; `port` is the real bound port (after `--port 0`)."""

    port: int
    max_body_bytes: int = MAX_BODY_BYTES
    max_text_chars: int = MAX_TEXT_CHARS
    admin_secret: str | None = None  # None: `/v1/admin/*` refuses everyone

    @property
    def allowed_hosts(self) -> frozenset[str]:
        return frozenset({f"127.0.0.1:{self.port}", f"localhost:{self.port}"})


@dataclass(frozen=True)
class ServerState:
    settings: Settings
    holder: EngineHolder
    store: Store
    pairing: PairingCodes
    threads: ThreadStore  # shared by every request: conversations span requests


def current() -> ServerState:
    return cast(ServerState, current_app.extensions["notalone"])
