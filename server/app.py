"""The Flask application factory: wires state, guards, error handlers, CORS and the endpoints."""

from __future__ import annotations

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from flask_cors import CORS

from engine.conversation import ThreadStore
from server import api
from server.accesslog import AccessLog
from server.errors import register_error_handlers
from server.guards import EXTENSION_ORIGIN, install_guards
from server.pairing import PairingCodes
from server.reloader import EngineHolder
from server.state import ServerState, Settings
from server.store import Store


def create_app(
    holder: EngineHolder,
    store: Store,
    pairing: PairingCodes,
    settings: Settings,
    threads: ThreadStore | None = None,
) -> Flask:
    """`threads` defaults to a fresh engine ThreadStore shared by all requests of this app."""
    app = Flask("server")
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    if isinstance(app.json, DefaultJSONProvider):
        app.json.sort_keys = False  # keep the documented field order
    app.extensions["notalone"] = ServerState(
        settings=settings,
        holder=holder,
        store=store,
        pairing=pairing,
        threads=threads if threads is not None else ThreadStore(),
    )
    register_error_handlers(app)
    install_guards(app)
    app.register_blueprint(api.bp)
    # CORS headers only for extension origins; guards have already refused every other Origin.
    CORS(
        app,
        origins=[EXTENSION_ORIGIN],
        methods=["GET", "POST", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type"],
        expose_headers=[],
        max_age=600,
        allow_private_network=True,
        vary_header=True,
    )
    app.wsgi_app = AccessLog(app.wsgi_app)  # type: ignore[method-assign]
    return app
