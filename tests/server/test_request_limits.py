"""Every malformed or oversized request gets the right 4xx and a JSON error naming the problem."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from server_helpers import HOST, Harness, assert_matches_openapi, fixture_engine, make_harness

from engine.conversation import ThreadStore
from engine.engine import BATCH_BUDGET_SECONDS, Engine
from engine.model import Message, Verdict

MESSAGE = {"id": "1", "text": "hello"}


class CrashingEngine(Engine):
    """The real engine with one bug: `analyze` raises an error that quotes the message text."""

    def analyze(
        self,
        messages: Sequence[Message],
        threads: ThreadStore | None = None,
        suppressed: Callable[[Message], frozenset[str]] | None = None,
        budget_seconds: float = BATCH_BUDGET_SECONDS,
    ) -> list[Verdict]:
        raise RuntimeError(f"cannot read {messages[0].text!r}")


def _post_raw(harness: Harness, path: str, data: bytes, content_type: str | None) -> object:
    headers = harness.headers()
    if content_type:
        headers["Content-Type"] = content_type
    return harness.client.post(path, data=data, headers=headers)


@pytest.mark.parametrize(
    ("data", "content_type", "status", "code"),
    [
        (b'{"messages": [', "application/json", 400, "bad_json"),
        (b"", "application/json", 400, "bad_json"),
        (b"\xff\xfe{}", "application/json", 400, "bad_json"),  # not UTF-8
        (b"[" * 5000 + b"]" * 5000, "application/json", 400, "bad_json"),  # recursion bomb
        (
            json.dumps({"messages": [], "x": [[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]}).encode(),
            "application/json",
            400,
            "bad_json",
        ),  # deeper than 16 levels
        (b'{"messages": []}', "text/plain", 415, "unsupported_media_type"),
        (b'{"messages": []}', "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        (b'{"messages": []}', None, 415, "unsupported_media_type"),
        (b'{"messages": []}', "application/json; charset=utf-8", 200, None),
    ],
)
def test_body_syntax_and_type(
    harness: Harness, data: bytes, content_type: str | None, status: int, code: str | None
) -> None:
    reply = _post_raw(harness, "/v1/analyze", data, content_type)
    assert reply.status_code == status  # type: ignore[attr-defined]
    body = reply.get_json()  # type: ignore[attr-defined]
    assert_matches_openapi("/v1/analyze", "post", status, body)
    if code:
        assert body["error"]["code"] == code


def test_body_over_one_mebibyte_is_413(harness: Harness) -> None:
    big = json.dumps({"messages": [{"id": "1", "text": "a" * (1024 * 1024)}]}).encode()
    reply = _post_raw(harness, "/v1/analyze", big, "application/json")
    assert reply.status_code == 413  # type: ignore[attr-defined]
    body = reply.get_json()  # type: ignore[attr-defined]
    assert body["error"]["code"] == "too_large"
    assert_matches_openapi("/v1/analyze", "post", 413, body)


def test_batch_of_200_is_fine(harness: Harness) -> None:
    reply = harness.post("/v1/analyze", {"messages": [MESSAGE] * 200})
    assert reply.status_code == 200


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/v1/analyze", {}, "body: 'messages' is a required property"),
        ("/v1/analyze", [], "body: must be of type object"),
        ("/v1/analyze", {"messages": {}}, "body.messages: must be of type array"),
        (
            "/v1/analyze",
            {"messages": [MESSAGE] * 201},
            "body.messages: must have at most 200 items",
        ),
        (
            "/v1/analyze",
            {"messages": [{"id": "1"}]},
            "body.messages[0]: 'text' is a required property",
        ),
        (
            "/v1/analyze",
            {"messages": [MESSAGE, {"id": 2, "text": "x"}]},
            "body.messages[1].id: must be of type string",
        ),
        (
            "/v1/analyze",
            {"messages": [{**MESSAGE, "direction": "sideways"}]},
            'body.messages[0].direction: must be one of "in", "out"',
        ),
        (
            "/v1/analyze",
            {"messages": [{**MESSAGE, "links": ["u"] * 51}]},
            "body.messages[0].links: must have at most 50 items",
        ),
        (
            "/v1/analyze",
            {"messages": [{**MESSAGE, "id": "x" * 257}]},
            "body.messages[0].id: must be at most 256 characters",
        ),
        ("/v1/analyze", {"messages": [], "lang": "fr"}, 'body.lang: must be one of "vi", "en"'),
        (
            "/v1/links",
            {"urls": ["https://a.example"] * 201},
            "body.urls: must have at most 200 items",
        ),
        ("/v1/links", {"urls": [None]}, "body.urls[0]: must be of type string"),
        (
            "/v1/links",
            {"urls": ["https://a.example/" + "x" * 2048]},
            "body.urls[0]: must be at most 2048 characters",
        ),
        ("/v1/feedback", {"kind": "meh"}, 'body.kind: must be one of "not_a_problem", "missed"'),
        (
            "/v1/feedback",
            {"kind": "missed", "categories": ["nope"]},
            "body.categories[0]: must be one of",
        ),
        ("/v1/pair", {"code": 123456}, "body.code: must be of type string"),
    ],
)
def test_shape_errors_are_422_and_name_the_field(
    harness: Harness, path: str, body: object, message: str
) -> None:
    reply = harness.post(path, body)
    assert reply.status_code == 422
    error = reply.get_json()["error"]
    assert error["code"] == "invalid"
    assert error["message"].startswith(message)
    assert_matches_openapi(path, "post", 422, reply.get_json())


def test_shape_errors_never_echo_the_message_text(harness: Harness) -> None:
    secret_text = "my private message"
    reply = harness.post("/v1/analyze", {"messages": [{"id": secret_text, "text": 5}]})
    assert secret_text not in reply.get_data(as_text=True)


def test_unknown_fields_are_ignored(harness: Harness) -> None:
    reply = harness.post("/v1/analyze", {"messages": [{**MESSAGE, "ts": 1}], "future": True})
    assert reply.status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/v1/nope", 404, "not_found"),
        ("GET", "/", 404, "not_found"),
        ("GET", "/v1/analyze", 405, "method_not_allowed"),
        ("DELETE", "/v1/rules", 405, "method_not_allowed"),
        ("POST", "/v1/health", 405, "method_not_allowed"),
    ],
)
def test_routing_errors_are_json(
    harness: Harness, method: str, path: str, status: int, code: str
) -> None:
    reply = harness.client.open(path, method=method, headers=harness.headers())
    assert reply.status_code == status
    assert reply.is_json
    assert reply.get_json()["error"]["code"] == code
    if status == 405:
        assert reply.headers["Allow"]


def test_engine_crash_is_a_json_500_without_details_in_the_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    text = "please keep this very private"
    harness = make_harness(tmp_path, engine=CrashingEngine(fixture_engine().data))
    with caplog.at_level(logging.INFO):
        reply = harness.post("/v1/analyze", {"messages": [{"id": "1", "text": text}]})
    assert reply.status_code == 500
    assert reply.get_json()["error"]["code"] == "internal_error"
    assert text not in reply.get_data(as_text=True)
    assert_matches_openapi("/v1/analyze", "post", 500, reply.get_json())
    assert text not in caplog.text


def test_access_log_has_method_path_status_and_no_body_or_query(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    text = "meet me alone, secret"
    with caplog.at_level(logging.INFO, logger="notalone.access"):
        harness.client.post(
            "/v1/analyze?q=private-query",
            json={"messages": [{"id": "1", "text": text}]},
            headers=harness.headers(),
        )
    lines = [r.getMessage() for r in caplog.records if r.name == "notalone.access"]
    assert len(lines) == 1
    assert lines[0].startswith("POST /v1/analyze 200 ")
    assert lines[0].endswith("ms")
    assert text not in caplog.text
    assert "private-query" not in caplog.text


def test_guard_refusals_are_logged_too(harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="notalone.access"):
        harness.client.get("/v1/health", headers={"Host": "evil.example"})
    assert any(r.getMessage().startswith("GET /v1/health 403") for r in caplog.records)


def test_host_check_uses_the_bound_port(tmp_path: Path) -> None:
    harness = make_harness(tmp_path, port=40123)
    assert harness.client.get("/v1/health", headers={"Host": "127.0.0.1:40123"}).status_code == 200
    assert harness.client.get("/v1/health", headers={"Host": HOST}).status_code == 403
