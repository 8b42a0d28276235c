"""Every error leaves the server as `{"error": {"code", "message"}}` (api.md contract)."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

log = logging.getLogger("notalone.server")

# Stable machine codes for the HTTP errors werkzeug/Flask raise themselves.
_HTTP_CODES: dict[int, tuple[str, str]] = {
    400: ("bad_request", "The request could not be understood."),
    401: ("unauthorized", "A valid pairing token is required."),
    403: ("forbidden", "Not allowed."),
    404: ("not_found", "No such endpoint."),
    405: ("method_not_allowed", "This endpoint does not accept that method."),
    413: ("too_large", "The request body is too large."),
    415: ("unsupported_media_type", "Send the body as application/json."),
    422: ("invalid", "The request body does not have the expected shape."),
    429: ("too_many_requests", "Too many requests."),
}


class ApiError(Exception):
    """An error meant for the client: HTTP status, stable code, human message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def error_response(status: int, code: str, message: str) -> Response:
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    return response


def register_error_handlers(app: Flask) -> None:
    """Turn ApiError, werkzeug HTTP errors and crashes into JSON errors."""

    @app.errorhandler(ApiError)
    def _api_error(error: ApiError) -> Response:
        return error_response(error.status, error.code, error.message)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        status = error.code or 500
        code, message = _HTTP_CODES.get(status, (f"http_{status}", error.name))
        response = error_response(status, code, message)
        for name, value in error.get_headers():
            if name.lower() == "allow":  # 405 must say what is allowed
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def _crash(error: Exception) -> Response:
        # Only the type: exception messages can quote message text.
        log.error("internal error: %s", type(error).__name__)
        return error_response(500, "internal_error", "The server hit an unexpected error.")
