"""One log line per request: method, path, status, duration. Never bodies or query strings."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger("notalone.access")

MAX_PATH_CHARS = 120


def _safe_path(environ: WSGIEnvironment) -> str:
    # PATH_INFO holds no query string; quoting keeps control characters out of the log.
    path = str(environ.get("PATH_INFO", ""))[:MAX_PATH_CHARS]
    return quote(path, safe="/-._~")


class AccessLog:
    """WSGI middleware around the whole app, so guard refusals are logged too."""

    def __init__(self, app: WSGIApplication) -> None:
        self._app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        status = ["-"]

        def recording_start_response(
            code: str, headers: list[tuple[str, str]], exc_info: OptExcInfo | None = None
        ) -> object:
            status[0] = code.split(" ", 1)[0]
            return start_response(code, headers, exc_info)

        try:
            return self._app(environ, recording_start_response)  # type: ignore[arg-type]
        finally:
            log.info(
                "%s %s %s %.1fms",
                str(environ.get("REQUEST_METHOD", "-"))[:10],
                _safe_path(environ),
                status[0],
                (time.perf_counter() - started) * 1000,
            )
