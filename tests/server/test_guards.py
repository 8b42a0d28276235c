"""Host, Origin, CORS, token and admin-secret checks (Flask test client; real sockets elsewhere)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from server_helpers import EXT_ORIGIN, HOST, MOZ_ORIGIN, Harness, assert_matches_openapi


# DNS rebinding: a page on evil.example re-pointed to 127.0.0.1 still sends its own Host.
@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("127.0.0.1:8731", 200),
        ("localhost:8731", 200),
        ("LocalHost:8731", 200),  # host names are case-insensitive
        ("127.0.0.1", 403),  # port missing
        ("localhost", 403),
        ("127.0.0.1:9999", 403),  # another port
        ("evil.example:8731", 403),
        ("evil.example", 403),
        ("127.0.0.1.nip.io:8731", 403),
        ("localhost.evil.example:8731", 403),
        ("[::1]:8731", 403),
        ("", 403),
    ],
)
def test_host_header_must_be_loopback_with_our_port(
    harness: Harness, host: str, status: int
) -> None:
    reply = harness.client.get("/v1/health", headers={"Host": host})
    assert reply.status_code == status
    if status == 403:
        assert reply.get_json()["error"]["code"] == "bad_host"
        assert_matches_openapi("/v1/health", "get", 403, reply.get_json())


def test_bad_host_is_refused_before_the_token_is_even_checked(harness: Harness) -> None:
    reply = harness.client.post(
        "/v1/analyze", json={"messages": []}, headers={"Host": "evil.example"}
    )
    assert reply.status_code == 403
    assert reply.get_json()["error"]["code"] == "bad_host"


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        (None, True),  # curl, the CLI
        (EXT_ORIGIN, True),
        (MOZ_ORIGIN, True),
        ("https://evil.example", False),
        ("http://localhost:8731", False),  # no web page, even one on our own origin
        ("null", False),  # sandboxed iframes send "null"
        ("chrome-extension://abcdefghijklmnopabcdefghijklmnop/x", False),
        ("chrome-extension://evil.example", False),
        ("https://chrome-extension.evil.example", False),
        ("safari-web-extension://abc", False),
    ],
)
def test_only_extension_origins_get_in_and_get_cors_headers(
    harness: Harness, origin: str | None, allowed: bool
) -> None:
    headers = {"Origin": origin} if origin else {}
    reply = harness.post("/v1/links", {"urls": ["https://example.org"]}, **headers)
    if allowed:
        assert reply.status_code == 200
        assert reply.headers.get("Access-Control-Allow-Origin") == origin
    else:
        assert reply.status_code == 403
        assert reply.get_json()["error"]["code"] == "bad_origin"
        assert "Access-Control-Allow-Origin" not in reply.headers
        assert_matches_openapi("/v1/links", "post", 403, reply.get_json())


def test_web_origin_simple_request_is_refused_before_it_has_any_effect(harness: Harness) -> None:
    # A page can POST text/plain without a preflight; it must not consume the pairing code.
    code = harness.pairing.issue()
    reply = harness.client.post(
        "/v1/pair",
        data=f'{{"code": "{code}"}}',
        headers={"Host": HOST, "Origin": "https://evil.example", "Content-Type": "text/plain"},
    )
    assert reply.status_code == 403
    assert reply.get_json()["error"]["code"] == "bad_origin"
    still_valid = harness.client.post("/v1/pair", json={"code": code}, headers={"Host": HOST})
    assert still_valid.status_code == 200


@pytest.mark.parametrize(
    ("origin", "status"),
    [(EXT_ORIGIN, 200), (MOZ_ORIGIN, 200), ("https://evil.example", 403), ("null", 403)],
)
def test_preflight(harness: Harness, origin: str, status: int) -> None:
    reply = harness.client.options(
        "/v1/analyze",
        headers={
            "Host": HOST,
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert reply.status_code == status
    if status == 200:
        assert reply.headers["Access-Control-Allow-Origin"] == origin
        assert "POST" in reply.headers["Access-Control-Allow-Methods"]
        allowed = reply.headers["Access-Control-Allow-Headers"].lower()
        assert "authorization" in allowed
        assert "content-type" in allowed
    else:
        assert "Access-Control-Allow-Origin" not in reply.headers


TOKEN_ENDPOINTS = [
    ("post", "/v1/analyze", {"messages": [{"id": "1", "text": "hi"}]}),
    ("post", "/v1/links", {"urls": ["https://example.org"]}),
    ("post", "/v1/feedback", {"kind": "missed"}),
    ("get", "/v1/rules", None),
    ("post", "/v1/rules/reload", None),
]


@pytest.mark.parametrize(("method", "path", "body"), TOKEN_ENDPOINTS)
@pytest.mark.parametrize(
    ("authorization", "status"),
    [
        ("valid", 200),
        (None, 401),
        ("Bearer not-a-token", 401),
        ("Bearer ", 401),
        ("Basic dXNlcjpwYXNz", 401),
        ("token-without-scheme", 401),
    ],
)
def test_token_required(
    harness: Harness, method: str, path: str, body: object, authorization: str | None, status: int
) -> None:
    headers = {"Host": HOST}
    if authorization == "valid":
        headers["Authorization"] = f"Bearer {harness.token}"
    elif authorization is not None:
        headers["Authorization"] = authorization
    reply = harness.client.open(path, method=method.upper(), json=body, headers=headers)
    assert reply.status_code == status
    assert_matches_openapi(path, method, status, reply.get_json())
    if status == 401:
        assert reply.get_json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize(("path"), ["/v1/health", "/v1/openapi.json"])
def test_public_endpoints_need_no_token(harness: Harness, path: str) -> None:
    reply = harness.client.get(path, headers={"Host": HOST})
    assert reply.status_code == 200


@pytest.mark.parametrize(("token", "paired"), [("valid", True), ("wrong", False), (None, False)])
def test_health_says_whether_the_caller_is_paired(
    harness: Harness, token: str | None, paired: bool
) -> None:
    headers = {"Host": HOST}
    if token:
        headers["Authorization"] = "Bearer " + (harness.token if token == "valid" else "nope")
    reply = harness.client.get("/v1/health", headers=headers)
    assert reply.status_code == 200
    assert reply.get_json()["paired"] is paired
    assert_matches_openapi("/v1/health", "get", 200, reply.get_json())


def test_tokens_are_stored_only_as_sha256(harness: Harness) -> None:
    raw = Path(harness.store.path).read_bytes()
    assert harness.token.encode() not in raw
    assert hashlib.sha256(harness.token.encode()).hexdigest().encode() in raw


def test_revoking_tokens_locks_the_extension_out(harness: Harness) -> None:
    assert harness.get("/v1/rules").status_code == 200
    assert harness.store.revoke_tokens() == 1
    assert harness.get("/v1/rules").status_code == 401


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"X-NotAlone-Admin": "admin-secret"}, 200),
        ({}, 401),
        ({"X-NotAlone-Admin": "admin-secreT"}, 401),
        ({"X-NotAlone-Admin": "admin-secret", "Origin": EXT_ORIGIN}, 403),  # never from a browser
        ({"X-NotAlone-Admin": "admin-secret", "Origin": "https://evil.example"}, 403),
    ],
)
def test_admin_pair_needs_the_local_secret(
    harness: Harness, headers: dict[str, str], status: int
) -> None:
    reply = harness.client.post("/v1/admin/pair", headers={"Host": HOST, **headers})
    assert reply.status_code == status
    assert_matches_openapi("/v1/admin/pair", "post", status, reply.get_json())
    if status == 200:
        code = reply.get_json()["code"]
        paired = harness.client.post("/v1/pair", json={"code": code}, headers={"Host": HOST})
        assert paired.status_code == 200


def test_admin_disabled_without_a_secret(tmp_path: Path) -> None:
    from server_helpers import make_harness

    harness = make_harness(tmp_path, admin_secret=None)
    reply = harness.client.post("/v1/admin/pair", headers={"Host": HOST, "X-NotAlone-Admin": ""})
    assert reply.status_code == 401


def test_responses_are_not_cached_or_sniffed(harness: Harness) -> None:
    reply = harness.get("/v1/rules")
    assert reply.headers["Cache-Control"] == "no-store"
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
