"""`notalone serve`: bind loopback, load rules, start waitress, print the banner, stop cleanly."""

from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

from waitress import wasyncore
from waitress.server import create_server

from engine.engine import Engine
from engine.errors import RulesError
from server.app import create_app
from server.datadir import RunInfo, remove_runfile, write_runfile
from server.pairing import PairingCodes
from server.reloader import EngineHolder, Watcher
from server.state import Settings
from server.store import Store

LOOPBACK = "127.0.0.1"
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost"})
WAITRESS_BODY_LIMIT = 4 * 1024 * 1024  # backstop; Flask answers 413 (JSON) from 1 MiB


@dataclass(frozen=True)
class ServeOptions:
    host: str
    port: int
    data_dir: Path
    rules: tuple[Path, ...] | None = None
    threads: int = 8


class NotLoopbackError(ValueError):
    pass


def check_loopback(host: str) -> None:
    if host.lower() not in LOOPBACK_NAMES:
        raise NotLoopbackError(
            f"refusing to listen on {host!r}: the Not Alone server listens on loopback only "
            f"(127.0.0.1), so nothing else on the network can reach it"
        )


def bind_loopback(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if os.name != "nt":  # on Windows SO_REUSEADDR would let another process share the port
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((LOOPBACK, port))
    except OSError:
        sock.close()
        raise
    return sock


def make_wsgi_server(app: Any, sock: socket.socket, threads: int = 8) -> Any:
    """Waitress on an already bound socket: several threads, so one slow request blocks no one."""
    return create_server(
        app,
        sockets=[sock],
        threads=threads,
        ident="notalone",
        max_request_body_size=WAITRESS_BODY_LIMIT,
        channel_timeout=30,
        clear_untrusted_proxy_headers=True,
        expose_tracebacks=False,
    )


def stop_wsgi_server(server: Any) -> None:
    """From the thread that ran `server.run()`: close every socket, then let workers finish."""
    wasyncore.close_all(server._map, ignore_all=True)  # listener, trigger and open channels
    server.task_dispatcher.shutdown(timeout=5)


def stop_from_other_thread(server: Any) -> None:
    """Ask the loop thread to close everything; its `run()` then returns."""
    server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map, ignore_all=True))


def _configure_logging() -> None:
    logger = logging.getLogger("notalone")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def serve(options: ServeOptions, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Run until Ctrl-C / SIGTERM. Exit codes: 0 stopped cleanly, 2 could not start."""
    if threading.current_thread() is threading.main_thread():
        # Python leaves SIGINT ignored when it started that way (a job started with `&` from a
        # script): "Press Ctrl-C to stop" must hold however the server was started.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        if hasattr(signal, "SIGTERM"):
            signal.signal(signal.SIGTERM, _raise_interrupt)  # stop as cleanly as on Ctrl-C
    try:
        check_loopback(options.host)
        sock = bind_loopback(options.port)  # before loading rules: a busy port fails fast
    except NotLoopbackError as error:
        print(f"notalone serve: {error}", file=err)
        return 2
    except OSError as error:
        print(f"notalone serve: cannot listen on {LOOPBACK}:{options.port}: {error}", file=err)
        return 2
    try:
        holder = EngineHolder(lambda: Engine.load(options.rules))
    except RulesError as error:
        sock.close()
        print("notalone serve: the rule packs have problems:", file=err)
        for problem in error.problems:
            print(f"  {problem}", file=err)
        return 2
    except KeyboardInterrupt:  # stopped while the packs were loading
        sock.close()
        return _stopped(err)
    port = int(sock.getsockname()[1])
    run = RunInfo(port=port, pid=os.getpid(), secret=secrets.token_urlsafe(32))
    pairing = PairingCodes()
    store = Store(options.data_dir)
    app = create_app(holder, store, pairing, Settings(port=port, admin_secret=run.secret))
    server = make_wsgi_server(app, sock, options.threads)
    watcher = Watcher(holder)
    try:
        write_runfile(options.data_dir, run)
        _configure_logging()
        print(f"Not Alone server on http://{LOOPBACK}:{port}", file=out)
        for pack in holder.engine.packs:
            print(f"pack {pack.name} {pack.version} ({pack.rules} rules)", file=out)
        code = pairing.issue()
        print(f"Pairing code: {code} (valid 10 minutes, single use)", file=out, flush=True)
        print("Press Ctrl-C to stop.", file=err, flush=True)
        watcher.start()
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        watcher.stop()
        stop_wsgi_server(server)
        store.close()
        remove_runfile(options.data_dir, run)
    return _stopped(err)


def _stopped(err: TextIO) -> int:
    print("Not Alone server stopped.", file=err, flush=True)
    return 0
