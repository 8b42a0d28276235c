"""The `notalone pair` side of the local admin channel (see datadir.py for the run file)."""

from __future__ import annotations

import http.client
import json
from pathlib import Path

from server.datadir import RUNFILE, read_runfile
from server.guards import ADMIN_HEADER


class AdminError(Exception):
    """A message for the person at the terminal."""


def request_pairing_code(data_dir: Path, timeout: float = 5.0) -> tuple[str, int]:
    """(code, seconds valid) from the server running on `data_dir`."""
    run = read_runfile(data_dir)
    if run is None:
        raise AdminError(
            f"no running Not Alone server found ({data_dir / RUNFILE} is missing); "
            "start one with `notalone serve`"
        )
    conn = http.client.HTTPConnection("127.0.0.1", run.port, timeout=timeout)
    try:
        conn.request(
            "POST",
            "/v1/admin/pair",
            headers={"Host": f"127.0.0.1:{run.port}", ADMIN_HEADER: run.secret},
        )
        response = conn.getresponse()
        body = response.read()
    except OSError as error:
        raise AdminError(
            f"the server on 127.0.0.1:{run.port} does not answer ({error}); "
            "is `notalone serve` still running?"
        ) from None
    finally:
        conn.close()
    try:
        data = json.loads(body)
        if response.status == 200:
            return str(data["code"]), int(data["expires_in"])
        message = str(data["error"]["message"])
    except (ValueError, KeyError, TypeError):
        message = f"unexpected answer (HTTP {response.status})"
    raise AdminError(f"the server refused: {message}")
