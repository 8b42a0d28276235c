"""`notalone serve | pair | unpair`, registered on the lead's argparse sub-commands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from server.admin_client import AdminError, request_pairing_code
from server.datadir import resolve_data_dir
from server.runtime import ServeOptions, serve
from server.store import Store

DEFAULT_PORT = 8731


def _port(value: str) -> int:
    port = int(value)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError("port must be 0..65535 (0 picks a free port)")
    return port


def _data_dir_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="where tokens, feedback and the run file live "
        "(default: $NOTALONE_DATA_DIR, else the user data directory)",
    )


def add_server_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve_p = subparsers.add_parser(
        "serve",
        help="run the local server the browser extension talks to",
        description="Serve the Not Alone API on loopback and print a pairing code.",
    )
    serve_p.add_argument("--host", default="127.0.0.1", help="loopback only (default 127.0.0.1)")
    serve_p.add_argument(
        "--port", type=_port, default=DEFAULT_PORT, help="default 8731; 0 picks a free port"
    )
    serve_p.add_argument(
        "--rules",
        metavar="DIR",
        nargs="+",
        action="extend",
        type=Path,
        help="rule pack folders or files (default: the bundled packs)",
    )
    serve_p.add_argument("--threads", type=int, default=8, help="worker threads (default 8)")
    _data_dir_arg(serve_p)
    serve_p.set_defaults(func=_serve)

    pair_p = subparsers.add_parser(
        "pair",
        help="print a fresh pairing code from the running server",
        description="Ask the running server (same data directory) for a new pairing code.",
    )
    _data_dir_arg(pair_p)
    pair_p.set_defaults(func=_pair)

    unpair_p = subparsers.add_parser(
        "unpair",
        help="revoke every pairing token",
        description="Revoke all tokens; the extension must pair again.",
    )
    _data_dir_arg(unpair_p)
    unpair_p.set_defaults(func=_unpair)


def _serve(args: argparse.Namespace) -> int:
    options = ServeOptions(
        host=args.host,
        port=args.port,
        data_dir=resolve_data_dir(args.data_dir),
        rules=tuple(args.rules) if args.rules else None,
        threads=max(2, args.threads),
    )
    return serve(options)


def _pair(args: argparse.Namespace) -> int:
    try:
        code, seconds = request_pairing_code(resolve_data_dir(args.data_dir))
    except AdminError as error:
        print(f"notalone pair: {error}", file=sys.stderr)
        return 1
    minutes = max(1, seconds // 60)
    print(f"Pairing code: {code} (valid {minutes} minutes, single use)", flush=True)
    return 0


def _unpair(args: argparse.Namespace) -> int:
    revoked = Store(resolve_data_dir(args.data_dir)).revoke_tokens()
    print(f"Revoked {revoked} token(s). Pair the extension again with `notalone pair`.")
    return 0
