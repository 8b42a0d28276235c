"""Shared helpers for the server tests: fixture rule packs, app factory, live server, HTTP."""

from __future__ import annotations

import functools
import http.client
import json
import string
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator

from engine.engine import Engine
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


# --- fixture rule packs ------------------------------------------------------------------------

PACK_NAME = "test-en"
SECRET_RULE = "secrecy.test.secret"
ADDRESS_RULE = "personal_info.test.address"
MEET_RULE = "meeting.test.meet"

# Keyword rules with predictable spans; advice, lexicon, links and combos come from the bundled
# rules. secrecy + meeting in one thread is a bundled combo (combo.secret-meeting).
FIXTURE_PACK = """\
pack: {name}
version: {version}
languages: [en]
description: Server test fixture; keyword rules so every span is predictable.
rules:
  - id: secrecy.{tag}.secret
    category: secrecy
    severity: high
    keywords: [secret]
    advice: [no_secrets]
  - id: personal_info.{tag}.address
    category: personal_info
    severity: medium
    direction: any
    keywords: [address]
    advice: [no_personal_info, tell_family]
  - id: meeting.{tag}.meet
    category: meeting
    severity: medium
    keywords: [meet up]
    advice: [no_meeting]
"""

# One pattern that backtracks exponentially on "secret" + a long run of letters without the "!".
SLOW_PACK = r"""pack: slow-test
version: 0.0.1
languages: [en]
description: A catastrophic pattern, to check the per-message and per-batch time budgets.
rules:
  - id: secrecy.slow.backtrack
    category: secrecy
    severity: low
    patterns:
      - '\bsecret\s(?:\w|\w\w)+!'
    advice: [no_secrets]
"""


def write_pack(
    folder: Path, version: str = "1.0.0", name: str = PACK_NAME, tag: str = "test"
) -> Path:
    """The fixture pack as a single-file pack `<folder>/<name>.yaml`; rule ids `<cat>.<tag>.*`."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    text = FIXTURE_PACK.format(name=name, version=version, tag=tag)
    path.write_text(text, encoding="utf-8")
    return path


def write_slow_pack(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "slow-test.yaml"
    path.write_text(SLOW_PACK, encoding="utf-8")
    return path


def backtracking_texts(count: int) -> list[str]:
    """Distinct texts (the engine caches by text) that each run the slow pattern to its budget.

    Each carries a "!" away from the letters: the prefilter lets the pattern run only when every
    literal it needs ("secret" and "!") is present, and the match still fails, exponentially.
    """
    letters = string.ascii_lowercase * 4
    return [f"secret {letters[:60]} {n}? !" for n in range(count)]


_PACKS = tempfile.TemporaryDirectory(prefix="notalone-test-pack-")  # removed at exit


@functools.cache
def fixture_engine() -> Engine:
    """The real engine on the fixture pack, loaded once: an Engine never changes once built."""
    return Engine.load([write_pack(Path(_PACKS.name))])


# --- app ---------------------------------------------------------------------------------------


@dataclass
class Harness:
    app: Flask
    client: FlaskClient
    store: Store
    pairing: PairingCodes
    holder: EngineHolder
    engine: Engine  # the engine serving when the harness was made
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
    engine: Engine | None = None,
    loader: Callable[[], Engine] | None = None,
    clock: Callable[[], float] | None = None,
    admin_secret: str | None = "admin-secret",
    port: int = PORT,
) -> Harness:
    """An app on the fixture engine (or `engine`, or whatever `loader` loads), already paired."""
    if loader is None:
        chosen = engine or fixture_engine()
        loader = lambda: chosen  # noqa: E731
    holder = EngineHolder(loader)
    store = Store(data_dir)
    pairing = PairingCodes(clock=clock) if clock else PairingCodes()
    settings = Settings(port=port, admin_secret=admin_secret)
    app = create_app(holder, store, pairing, settings)  # its own engine ThreadStore
    host = f"127.0.0.1:{port}"
    harness = Harness(app, app.test_client(), store, pairing, holder, holder.engine, data_dir, host)
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
