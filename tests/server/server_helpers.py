"""Shared helpers for the server tests: a small fake engine, app factory, live server, HTTP."""

from __future__ import annotations

import http.client
import json
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator

from engine.model import Finding, Message, Severity, ThreadRisk, Verdict
from server.app import create_app
from server.pairing import PairingCodes
from server.reloader import EngineHolder
from server.runtime import bind_loopback, make_wsgi_server, stop_from_other_thread
from server.schemas import openapi_document
from server.state import Settings
from server.store import Store

PORT = 8731
HOST = f"127.0.0.1:{PORT}"
EXT_ORIGIN = "chrome-extension://abcdefghijklmnopabcdefghijklmnop"
MOZ_ORIGIN = "moz-extension://0b5c5e2e-6f4d-4b8e-9a51-2f1f0c9d7a11"


# --- fake engine ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FakePack:
    name: str = "fake-en"
    version: str = "1.0.0"
    languages: tuple[str, ...] = ("en",)
    rules: int = 2
    digest: str = "d1"
    path: str = "/fake/pack.yaml"


@dataclass(frozen=True)
class FakeLinkVerdict:
    url: str

    def to_json(self) -> dict[str, Any]:
        flagged = "bit.ly" in self.url
        return {
            "url": self.url,
            "flagged": flagged,
            "severity": "medium" if flagged else "none",
            "reasons": ["shortener"] if flagged else [],
        }


# word → (rule, category, severity, advice, directions)
FAKE_RULES: dict[str, tuple[str, str, Severity, tuple[str, ...], tuple[str, ...]]] = {
    "secret": ("secrecy.fake.secret", "secrecy", Severity.HIGH, ("no_secrets",), ("in",)),
    "address": (
        "personal_info.fake.address",
        "personal_info",
        Severity.MEDIUM,
        ("no_personal_info", "tell_family"),
        ("in", "out"),
    ),
}


class FakeThreads:
    """Per-thread categories; secrecy + personal_info in one thread is critical."""

    def __init__(self) -> None:
        self.seen: dict[str, set[str]] = {}
        self.lock = threading.Lock()

    def observe(self, thread: str, findings: Sequence[Finding]) -> ThreadRisk:
        with self.lock:
            cats = self.seen.setdefault(thread, set())
            cats.update(f.category for f in findings)
            combos = ("secrecy+personal_info",) if {"secrecy", "personal_info"} <= cats else ()
            worst = max((f.severity for f in findings), default=Severity.NONE)
            severity = Severity.CRITICAL if combos else worst
            return ThreadRisk(severity, combos, ("trust",) if cats else (), tuple(sorted(cats)))


@dataclass
class FakeEngine:
    """Finds the words of FAKE_RULES (case-insensitive) with code-point spans, like the engine."""

    rule_prefix: str = ""
    packs: tuple[FakePack, ...] = (FakePack(),)
    digest: str = "engine-d1"
    watched: list[Path] = field(default_factory=list)
    seen: list[Message] = field(default_factory=list)
    fail_with: Exception | None = None

    def watched_paths(self) -> list[Path]:
        return list(self.watched)

    def _findings(self, message: Message) -> list[Finding]:
        found = []
        for word, (rule, cat, sev, advice, directions) in FAKE_RULES.items():
            if message.direction not in directions:
                continue
            for match in re.finditer(word, message.text, re.IGNORECASE):
                found.append(
                    Finding(self.rule_prefix + rule, cat, sev, match.start(), match.end(), advice)
                )
        for url in message.links:
            if "bit.ly" in url and url not in message.text:
                found.append(
                    Finding(
                        "link.shortener", "suspicious_link", Severity.MEDIUM, -1, -1, ("no_links",)
                    )
                )
        return found

    def analyze(self, messages: Sequence[Message], threads: Any) -> list[Verdict]:
        if self.fail_with is not None:
            raise self.fail_with
        self.seen.extend(messages)
        out = []
        for message in messages:
            findings = self._findings(message)
            risk = None
            if message.thread is not None and threads is not None:
                risk = threads.observe(message.thread, findings)
            keys = tuple(dict.fromkeys(k for f in findings for k in f.advice))
            out.append(Verdict(message.id, tuple(findings), message.thread, risk, False, keys))
        return out

    def check_url(self, url: str) -> FakeLinkVerdict:
        return FakeLinkVerdict(url)

    def advice(self, keys: Iterable[str], lang: str) -> list[dict[str, str]]:
        return [
            {"key": k, "title": f"[{lang}] {k}", "text": f"[{lang}] text for {k}"} for k in keys
        ]


# --- app ---------------------------------------------------------------------------------------


@dataclass
class Harness:
    app: Flask
    client: FlaskClient
    store: Store
    pairing: PairingCodes
    holder: EngineHolder
    engine: FakeEngine
    data_dir: Path
    host: str = HOST
    token: str = ""

    def headers(self, **extra: str) -> dict[str, str]:
        out = {"Host": self.host, "Authorization": f"Bearer {self.token}"}
        out.update(extra)
        return out

    def post(self, path: str, body: object, **headers: str) -> Any:
        return self.client.post(path, json=body, headers=self.headers(**headers))

    def get(self, path: str, **headers: str) -> Any:
        return self.client.get(path, headers=self.headers(**headers))


def make_harness(
    data_dir: Path,
    engine: FakeEngine | None = None,
    loader: Callable[[], Any] | None = None,
    clock: Callable[[], float] | None = None,
    admin_secret: str | None = "admin-secret",
    port: int = PORT,
) -> Harness:
    fake = engine or FakeEngine()
    holder = EngineHolder(loader or (lambda: fake))
    store = Store(data_dir)
    pairing = PairingCodes(clock=clock) if clock else PairingCodes()
    settings = Settings(port=port, admin_secret=admin_secret)
    app = create_app(holder, store, pairing, settings, threads=FakeThreads())
    host = f"127.0.0.1:{port}"
    harness = Harness(app, app.test_client(), store, pairing, holder, fake, data_dir, host)
    code = pairing.issue()
    reply = harness.client.post("/v1/pair", json={"code": code}, headers={"Host": host})
    assert reply.status_code == 200, reply.get_json()
    harness.token = reply.get_json()["token"]
    return harness


# --- OpenAPI ----------------------------------------------------------------------------------


def _deref(doc: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = doc
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def assert_matches_openapi(path: str, method: str, status: int, body: object) -> None:
    """`body` is what the document promises for (path, method, status); undocumented = failure."""
    doc = openapi_document()
    if path in doc["paths"]:
        responses = doc["paths"][path][method.lower()]["responses"]
        assert str(status) in responses, f"{method} {path} → {status} is not documented"
        response = _deref(doc, responses[str(status)])
        schema = response["content"]["application/json"]["schema"]
    else:  # unknown paths answer with the generic error shape
        assert status in (404, 403), status
        schema = {"$ref": "#/components/schemas/Error"}
    Draft202012Validator({**schema, "components": doc["components"]}).validate(body)


# --- live server ------------------------------------------------------------------------------


@contextmanager
def live_server(app_factory: Callable[[int], Flask]) -> Iterator[int]:
    """Waitress on a free loopback port in a thread; yields the port."""
    sock = bind_loopback(0)
    port = int(sock.getsockname()[1])
    server = make_wsgi_server(app_factory(port), sock, threads=8)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        stop_from_other_thread(server)
        thread.join(timeout=10)
        server.task_dispatcher.shutdown(timeout=5)


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: Any


def call(
    port: int,
    method: str,
    path: str,
    body: object = None,
    headers: dict[str, str] | None = None,
    raw: bytes | None = None,
    timeout: float = 30.0,
) -> Reply:
    """One request over a real socket; `Host` defaults to 127.0.0.1:<port>."""
    sent = {"Host": f"127.0.0.1:{port}"}
    data = raw
    if body is not None:
        data = json.dumps(body).encode()
        sent["Content-Type"] = "application/json"
    sent.update(headers or {})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=data, headers=sent)
        response = conn.getresponse()
        payload = response.read()
        got = {k.lower(): v for k, v in response.getheaders()}
    finally:
        conn.close()
    parsed = json.loads(payload) if payload and "json" in got.get("content-type", "") else payload
    return Reply(response.status, got, parsed)
