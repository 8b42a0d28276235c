"""The `/v1` endpoints (api.md). Guards have already run when a view is entered."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Blueprint, request

from engine.model import CATEGORIES
from server import __version__, analysis
from server.errors import ApiError
from server.guards import ADMIN, PUBLIC, access, has_valid_token
from server.pairing import Outcome
from server.schemas import openapi_document, read_json
from server.state import current
from server.store import Feedback

bp = Blueprint("v1", __name__, url_prefix="/v1")

_PAIR_ERRORS: dict[Outcome, ApiError] = {
    Outcome.BAD_CODE: ApiError(403, "bad_code", "Wrong or already used pairing code."),
    Outcome.EXPIRED: ApiError(
        403, "code_expired", "The pairing code expired; run `notalone pair` for a new one."
    ),
    Outcome.LOCKED: ApiError(
        429, "locked", "Too many wrong codes; run `notalone pair` for a new one."
    ),
}


@bp.get("/health")
@access(PUBLIC)
def health() -> dict[str, Any]:
    packs = current().holder.engine.packs
    return {
        "status": "ok",
        "version": __version__,
        "packs": [{"name": p.name, "version": p.version, "rules": p.rules} for p in packs],
        "paired": has_valid_token(),
    }


@bp.post("/pair")
@access(PUBLIC)
def pair() -> dict[str, Any]:
    body = read_json(request, "PairRequest")
    state = current()
    outcome = state.pairing.redeem(body["code"])
    if outcome is not Outcome.OK:
        raise _PAIR_ERRORS[outcome]
    token = secrets.token_urlsafe(32)
    state.store.add_token(token)
    return {"token": token}


@bp.post("/analyze")
def analyze() -> dict[str, Any]:
    body = read_json(request, "AnalyzeRequest")
    state = current()
    engine = state.holder.engine  # one engine for the whole request, whatever reloads meanwhile
    messages = analysis.to_messages(body["messages"], state.settings.max_text_chars)
    keys = [key for message in messages for key in analysis.scope_keys(message)]
    suppressed = state.store.suppressed_rules(keys)
    return analysis.analyze(engine, state.threads, suppressed, body, messages)


@bp.post("/links")
def links() -> dict[str, Any]:
    body = read_json(request, "LinksRequest")
    engine = current().holder.engine
    return {"results": [engine.check_url(url).to_json() for url in body["urls"]]}


@bp.post("/feedback")
def feedback() -> dict[str, Any]:
    body = read_json(request, "FeedbackRequest")
    current().store.record_feedback(
        Feedback(
            kind=body["kind"],
            rules=tuple(body.get("rules", ())),
            categories=tuple(body.get("categories", ())),
            thread=body.get("thread"),
            sender=body.get("sender"),
            message_hash=body.get("message_hash"),
        )
    )
    return {"ok": True}


def _rules_state() -> dict[str, Any]:
    holder = current().holder
    packs = holder.engine.packs
    return {
        "packs": [
            {
                "name": p.name,
                "version": p.version,
                "languages": list(p.languages),
                "rules": p.rules,
                "digest": p.digest,
            }
            for p in packs
        ],
        "categories": list(CATEGORIES),
        "last_reload": holder.last_reload.to_json(),
    }


@bp.get("/rules")
def rules() -> dict[str, Any]:
    return _rules_state()


@bp.post("/rules/reload")
def reload_rules() -> dict[str, Any]:
    current().holder.reload()
    return _rules_state()


@bp.get("/openapi.json")
@access(PUBLIC)
def openapi() -> dict[str, Any]:
    return openapi_document()


@bp.post("/admin/pair")
@access(ADMIN)
def admin_pair() -> dict[str, Any]:
    pairing = current().pairing
    return {"code": pairing.issue(), "expires_in": int(pairing.ttl_seconds)}
