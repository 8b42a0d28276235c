"""The security checks and concurrency over a REAL socket: waitress in a thread, real engine."""

from __future__ import annotations

import io
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from server_helpers import (
    EXT_ORIGIN,
    SECRET_RULE,
    Harness,
    backtracking_texts,
    call,
    live_server,
    make_harness,
    write_pack,
    write_slow_pack,
)

from engine.engine import Engine
from server.runtime import NotLoopbackError, ServeOptions, check_loopback, serve


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Harness]]:
    """The fixture pack plus a pack with a catastrophically backtracking pattern."""
    packs = tmp_path_factory.mktemp("packs")
    engine = Engine.load([write_pack(packs), write_slow_pack(packs)])
    box: dict[str, Harness] = {}

    def factory(port: int) -> Any:
        box["h"] = make_harness(tmp_path_factory.mktemp("live"), engine=engine, port=port)
        return box["h"].app

    with live_server(factory) as port:
        yield port, box["h"]


def auth(harness: Harness) -> dict[str, str]:
    return {"Authorization": f"Bearer {harness.token}"}


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("127.0.0.1:{port}", 200),
        ("localhost:{port}", 200),
        ("attacker.example:{port}", 403),  # DNS rebinding
        ("127.0.0.1", 403),
        ("127.0.0.1:1", 403),
    ],
)
def test_host_header_over_a_real_socket(live: tuple[int, Harness], host: str, status: int) -> None:
    port, harness = live
    reply = call(
        port, "GET", "/v1/rules", headers={"Host": host.format(port=port), **auth(harness)}
    )
    assert reply.status == status
    if status == 403:
        assert reply.body["error"]["code"] == "bad_host"


@pytest.mark.parametrize(
    ("method", "origin", "status", "cors"),
    [
        ("POST", EXT_ORIGIN, 200, True),
        ("POST", "https://attacker.example", 403, False),
        ("OPTIONS", EXT_ORIGIN, 200, True),
        ("OPTIONS", "https://attacker.example", 403, False),
    ],
)
def test_origin_over_a_real_socket(
    live: tuple[int, Harness], method: str, origin: str, status: int, cors: bool
) -> None:
    port, harness = live
    headers = {"Origin": origin, **auth(harness)}
    if method == "OPTIONS":
        headers["Access-Control-Request-Method"] = "POST"
        reply = call(port, "OPTIONS", "/v1/links", headers=headers)
    else:
        reply = call(
            port, "POST", "/v1/links", body={"urls": ["https://example.org"]}, headers=headers
        )
    assert reply.status == status
    assert ("access-control-allow-origin" in reply.headers) is cors


def test_simple_text_plain_post_from_a_page_is_refused(live: tuple[int, Harness]) -> None:
    port, harness = live
    reply = call(
        port,
        "POST",
        "/v1/feedback",
        raw=b'{"kind": "missed"}',
        headers={
            "Origin": "https://attacker.example",
            "Content-Type": "text/plain",
            **auth(harness),
        },
    )
    assert reply.status == 403
    assert reply.body["error"]["code"] == "bad_origin"


def test_oversized_body_is_a_json_413_over_a_real_socket(live: tuple[int, Harness]) -> None:
    port, harness = live
    raw = b'{"messages": [{"id": "1", "text": "' + b"a" * (1536 * 1024) + b'"}]}'
    reply = call(
        port,
        "POST",
        "/v1/analyze",
        raw=raw,
        headers={"Content-Type": "application/json", **auth(harness)},
    )
    assert reply.status == 413
    assert reply.body["error"]["code"] == "too_large"


def _non_loopback_address() -> str | None:
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # TEST-NET: no packet is sent for UDP connect
        address = str(probe.getsockname()[0])
    except OSError:
        return None
    finally:
        probe.close()
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def test_listens_on_loopback_only(live: tuple[int, Harness]) -> None:
    port, _ = live
    address = _non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 address")
    with pytest.raises(OSError):
        socket.create_connection((address, port), timeout=2).close()
    socket.create_connection(("127.0.0.1", port), timeout=2).close()


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.10", False),
        ("10.0.0.1", False),
        ("example.org", False),
        ("", False),
    ],
)
def test_non_loopback_host_is_refused(host: str, allowed: bool) -> None:
    if allowed:
        check_loopback(host)
    else:
        with pytest.raises(NotLoopbackError, match="loopback only"):
            check_loopback(host)


def test_serve_refuses_a_non_loopback_host_with_a_clear_error(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = serve(ServeOptions(host="0.0.0.0", port=0, data_dir=tmp_path), out=out, err=err)
    assert code == 2
    assert "refusing to listen on '0.0.0.0'" in err.getvalue()
    assert out.getvalue() == ""


def test_serve_reports_a_busy_port(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        out, err = io.StringIO(), io.StringIO()
        code = serve(ServeOptions(host="127.0.0.1", port=port, data_dir=tmp_path), out=out, err=err)
    assert code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in err.getvalue()


def test_serve_reports_broken_packs_with_file_and_line(tmp_path: Path) -> None:
    pack = tmp_path / "packs" / "broken"
    pack.mkdir(parents=True)
    (pack / "pack.yaml").write_text("pack: broken\nversion: 1\nlanguages: [en]\n")
    (pack / "rules.yaml").write_text(
        "rules:\n  - id: nope.en.x\n    category: not-a-category\n    severity: high\n"
    )
    out, err = io.StringIO(), io.StringIO()
    options = ServeOptions(host="127.0.0.1", port=0, data_dir=tmp_path, rules=(tmp_path / "packs",))
    assert serve(options, out=out, err=err) == 2
    assert "rules.yaml:" in err.getvalue()
    assert out.getvalue() == ""


def test_parallel_clients_each_get_their_own_answers(live: tuple[int, Harness]) -> None:
    port, harness = live

    def client(n: int) -> list[str]:
        problems = []
        for r in range(8):
            messages = [
                {"id": f"c{n}-r{r}-m{k}", "text": "x" * (n + k) + " secret", "thread": f"c{n}"}
                for k in range(5)
            ]
            reply = call(
                port, "POST", "/v1/analyze", body={"messages": messages}, headers=auth(harness)
            )
            if reply.status != 200:
                problems.append(f"{n}/{r}: HTTP {reply.status}")
                continue
            for message, result in zip(messages, reply.body["results"], strict=True):
                start = result["findings"][0]["start"] if result["findings"] else None
                if result["id"] != message["id"] or start != len(str(message["text"])) - 6:
                    problems.append(f"{n}/{r}: {result['id']} answered for {message['id']}")
        return problems

    with ThreadPoolExecutor(16) as pool:
        problems = [p for ps in pool.map(client, range(16)) for p in ps]
    assert problems == []


def test_backtracking_messages_are_bounded_and_do_not_block_others(
    live: tuple[int, Harness],
) -> None:
    port, harness = live
    texts = backtracking_texts(8)  # each one runs the slow pattern to its 0.2 s budget
    evil = {"messages": [{"id": f"evil{n}", "text": text} for n, text in enumerate(texts)]}
    outcome: dict[str, Any] = {}

    def slow_request() -> None:
        started = time.monotonic()
        outcome["reply"] = call(port, "POST", "/v1/analyze", body=evil, headers=auth(harness))
        outcome["seconds"] = time.monotonic() - started

    worker = threading.Thread(target=slow_request)
    worker.start()
    time.sleep(0.2)  # the slow request is now inside the regex
    others: list[tuple[int, list[str], float]] = []
    benign = {"messages": [{"id": "ok", "text": "keep it secret"}]}
    while worker.is_alive() and len(others) < 20:
        started = time.monotonic()
        reply = call(port, "POST", "/v1/analyze", body=benign, headers=auth(harness))
        rules = [f["rule"] for f in reply.body["results"][0]["findings"]]
        others.append((reply.status, rules, time.monotonic() - started))
    worker.join(timeout=10)
    assert outcome["reply"].status == 200
    assert [r["id"] for r in outcome["reply"].body["results"]] == [
        m["id"] for m in evil["messages"]
    ]
    assert 1.0 < outcome["seconds"] < 5.0  # really slow, yet bounded by the budgets
    assert others, "the slow request finished before any other was sent"
    assert all(status == 200 and rules == [SECRET_RULE] for status, rules, _ in others)
    assert max(seconds for _, _, seconds in others) < 0.5
