"""Checks every request passes before a view runs: Host, Origin, then token or admin secret.

Any web page the teen opens can send requests to 127.0.0.1, so the server trusts nothing that a
page can forge: the Host header defeats DNS rebinding, the Origin check refuses web pages even for
"simple" requests that skip CORS preflight, and the token proves the caller was paired.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable
from typing import TypeVar

from flask import Flask, Response, current_app, request

from server.errors import ApiError
from server.state import current

EXTENSION_ORIGIN = re.compile(r"^(?:chrome-extension|moz-extension)://[A-Za-z0-9-]{1,64}$")
MAX_TOKEN_CHARS = 256

PUBLIC = "public"  # no token: health, pair, openapi
TOKEN = "token"  # the default: Bearer token from /v1/pair
ADMIN = "admin"  # local CLI only: the per-run secret, and no Origin at all

ADMIN_HEADER = "X-NotAlone-Admin"

View = TypeVar("View", bound=Callable[..., object])


def access(level: str) -> Callable[[View], View]:
    """Mark a view's access level (views without a mark need a token)."""

    def mark(view: View) -> View:
        view.notalone_access = level  # type: ignore[attr-defined]
        return view

    return mark


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_CHARS:
        return None
    return token


def has_valid_token() -> bool:
    token = bearer_token()
    return token is not None and current().store.token_valid(token)


def _check_host() -> None:
    host = request.environ.get("HTTP_HOST", "").lower()
    if host not in current().settings.allowed_hosts:
        raise ApiError(403, "bad_host", "Host must be 127.0.0.1:<port> or localhost:<port>.")


def _check_origin() -> str | None:
    origin = request.headers.get("Origin")
    if origin is not None and not EXTENSION_ORIGIN.match(origin):
        raise ApiError(403, "bad_origin", "Only the Not Alone extension may call this server.")
    return origin


def _check_admin(origin: str | None) -> None:
    if origin is not None:
        raise ApiError(403, "bad_origin", "Admin endpoints are for the local command line only.")
    secret = current().settings.admin_secret
    given = request.headers.get(ADMIN_HEADER, "")
    if not secret or not hmac.compare_digest(
        given.encode("utf-8", "surrogatepass"), secret.encode()
    ):
        raise ApiError(401, "unauthorized", "The local admin secret is missing or wrong.")


def _guard() -> None:
    _check_host()
    origin = _check_origin()
    if request.routing_exception is not None:
        raise request.routing_exception  # 404 / 405, as JSON
    if request.method == "OPTIONS" or request.endpoint is None:
        return  # CORS preflight: flask-cors answers it
    view = current_app.view_functions[request.endpoint]
    level = getattr(view, "notalone_access", TOKEN)
    if level == ADMIN:
        _check_admin(origin)
    elif level == TOKEN and not has_valid_token():
        raise ApiError(401, "unauthorized", "Pair first: send Authorization: Bearer <token>.")


def _harden(response: Response) -> Response:
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


def install_guards(app: Flask) -> None:
    app.before_request(_guard)
    app.after_request(_harden)
