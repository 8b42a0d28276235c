"""`notalone serve` as a user runs it: a real process, the real engine, real sockets.

Covers the banner, `pair`/`unpair` from other processes, JS spans from the real rules, 16 parallel
clients, an input built to make regexes backtrack, the access log, and a clean Ctrl-C.
"""

from __future__ import annotations

import os
import re
import signal
import string
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from server_helpers import assert_matches_openapi, call

from bench.serve_process import Served, notalone_process, python_module_command, start_serve

# Messages the real rules should flag (the first flagged one is used for the span check).
RISKY = [
    "đừng nói với bố mẹ nhé, chuyện này là bí mật của hai đứa mình",
    "don't tell your parents about us, delete this chat",
    "Bạn đang bị điều tra, không được nói với ai, tắt điện thoại và đến khách sạn một mình",
    "send me a nude photo or I will share your pics with everyone",
]
BENIGN = ["mai đi học nhớ mang áo mưa nhé", "see you at practice tomorrow", "ok", "haha đúng rồi"]
# Long repetitive near-misses: the usual way to make bounded-gap patterns work hard.
ADVERSARIAL = [
    "đừng " * 800,
    "dont tell " * 400,
    ("a " * 1999) + "!",
    "bí mật " * 570,
    ("khong duoc noi voi " * 200)[:4000],
    "x" * 4000,
]


def cli(*args: str, data_dir: Path) -> subprocess.Popen[str]:
    """Another `notalone` command run beside the server, as from a second terminal."""
    return notalone_process([*python_module_command(), *args], data_dir)


@dataclass
class Client(Served):
    """The running server plus the token a test paired with."""

    token: str = ""

    def auth(self) -> dict[str, str]:
        """The Bearer header; pairs through `notalone pair` first when no test has paired yet."""
        if not self.token:
            pair = cli("pair", data_dir=self.data_dir)
            out, err = pair.communicate(timeout=30)
            code = re.search(r"Pairing code: (\d{6})", out)
            assert code, (out, err)
            reply = call(self.port, "POST", "/v1/pair", body={"code": code.group(1)})
            self.token = reply.body["token"]
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    client = Client(**vars(start_serve(tmp_path_factory.mktemp("data"))))
    yield client
    client.stop()


def test_banner_lists_the_loaded_packs(served: Client) -> None:
    assert served.packs, "no pack line printed"
    for line in served.packs:
        assert re.fullmatch(r"pack \S+ \S+ \(\d+ rules\)", line), line
    health = call(served.port, "GET", "/v1/health")
    assert health.status == 200
    assert_matches_openapi("/v1/health", "get", 200, health.body)
    printed = [
        f"pack {p['name']} {p['version']} ({p['rules']} rules)" for p in health.body["packs"]
    ]
    assert printed == served.packs


def test_pairing_with_the_printed_code(served: Client) -> None:
    reply = call(served.port, "POST", "/v1/pair", body={"code": served.code})
    assert reply.status == 200
    served.token = reply.body["token"]
    again = call(served.port, "POST", "/v1/pair", body={"code": served.code})
    assert (again.status, again.body["error"]["code"]) == (403, "bad_code")
    assert call(served.port, "GET", "/v1/rules", headers=served.auth()).status == 200


def test_pair_command_from_another_terminal(served: Client) -> None:
    pair = cli("pair", data_dir=served.data_dir)
    out, err = pair.communicate(timeout=30)
    assert pair.returncode == 0, err
    match = re.fullmatch(r"Pairing code: (\d{6}) \(valid 10 minutes, single use\)\n", out)
    assert match, out
    reply = call(served.port, "POST", "/v1/pair", body={"code": match.group(1)})
    assert reply.status == 200


def test_spans_from_the_real_engine_are_utf16(served: Client) -> None:
    batch = [{"id": str(i), "text": t} for i, t in enumerate(RISKY)]
    batch += [
        {"id": f"e{i}", "text": "😀🇻🇳 " + t} for i, t in enumerate(RISKY)
    ]  # 4 code points, 7 UTF-16 units
    reply = call(
        served.port,
        "POST",
        "/v1/analyze",
        body={"messages": batch, "lang": "vi"},
        headers=served.auth(),
    )
    assert reply.status == 200
    assert_matches_openapi("/v1/analyze", "post", 200, reply.body)
    results = reply.body["results"]
    plain, shifted = results[: len(RISKY)], results[len(RISKY) :]
    assert any(r["flagged"] for r in plain), "the real rules flagged none of the risky messages"
    for a, b in zip(plain, shifted, strict=True):
        spans_a = [(f["rule"], f["start"], f["end"]) for f in a["findings"] if f["start"] >= 0]
        spans_b = [
            (f["rule"], f["start"] - 7, f["end"] - 7) for f in b["findings"] if f["start"] >= 0
        ]
        assert spans_a == spans_b
        if a["flagged"]:
            assert a["advice"], "flagged without advice"


def test_sixteen_parallel_clients_get_their_own_answers(served: Client) -> None:
    texts = RISKY + BENIGN
    expected = {}
    for i, text in enumerate(texts):
        reply = call(
            served.port,
            "POST",
            "/v1/analyze",
            body={"messages": [{"id": "x", "text": text}]},
            headers=served.auth(),
        )
        result = reply.body["results"][0]
        expected[i] = (
            result["severity"],
            [(f["rule"], f["start"], f["end"]) for f in result["findings"]],
        )

    def client(n: int) -> list[str]:
        problems = []
        for r in range(6):
            picks = [(n + r + k) % len(texts) for k in range(4)]
            messages = [{"id": f"{n}-{r}-{k}-{p}", "text": texts[p]} for k, p in enumerate(picks)]
            reply = call(
                served.port,
                "POST",
                "/v1/analyze",
                body={"messages": messages},
                headers=served.auth(),
            )
            if reply.status != 200:
                problems.append(f"HTTP {reply.status}")
                continue
            for message, p, result in zip(messages, picks, reply.body["results"], strict=True):
                got = (
                    result["severity"],
                    [(f["rule"], f["start"], f["end"]) for f in result["findings"]],
                )
                if result["id"] != message["id"] or got != expected[p]:
                    problems.append(f"{message['id']}: got {result['id']} {got}")
        return problems

    with ThreadPoolExecutor(16) as pool:
        problems = [p for ps in pool.map(client, range(16)) for p in ps]
    assert problems == []


def test_adversarial_text_is_bounded_and_others_are_served_meanwhile(served: Client) -> None:
    evil = {"messages": [{"id": f"evil{i}", "text": t} for i, t in enumerate(ADVERSARIAL)]}
    outcome: dict[str, Any] = {}

    def slow() -> None:
        started = time.monotonic()
        outcome["reply"] = call(
            served.port, "POST", "/v1/analyze", body=evil, headers=served.auth()
        )
        outcome["seconds"] = time.monotonic() - started

    worker = threading.Thread(target=slow)
    worker.start()
    latencies = []
    while worker.is_alive() and len(latencies) < 50:
        started = time.monotonic()
        reply = call(
            served.port,
            "POST",
            "/v1/analyze",
            body={"messages": [{"id": "ok", "text": "ok"}]},
            headers=served.auth(),
        )
        assert reply.status == 200
        latencies.append(time.monotonic() - started)
    worker.join(timeout=30)
    assert outcome["reply"].status == 200
    assert [r["id"] for r in outcome["reply"].body["results"]] == [
        m["id"] for m in evil["messages"]
    ]
    # the engine budget is 0.2 s of regex per message; allow normalisation and a slow CI machine
    assert outcome["seconds"] < 0.5 * len(ADVERSARIAL) + 2
    assert max(latencies, default=0) < 1.0


def test_access_log_names_requests_but_never_their_content(served: Client) -> None:
    time.sleep(0.2)  # let the stderr pump catch up
    log = "\n".join(served.stderr)
    assert re.search(r"POST /v1/analyze 200 \d+\.\dms", log)
    assert re.search(r"GET /v1/health 200 \d+\.\dms", log)
    for text in RISKY + BENIGN[:2]:
        assert text not in log
    assert served.token not in log


def test_unpair_from_another_terminal(served: Client) -> None:
    unpair = cli("unpair", data_dir=served.data_dir)
    out, err = unpair.communicate(timeout=30)
    assert unpair.returncode == 0, err
    assert out.startswith("Revoked ")
    assert call(served.port, "GET", "/v1/rules", headers=served.auth()).status == 401


@pytest.mark.skipif(os.name == "nt", reason="SIGINT to a child process is POSIX-only")
def test_ctrl_c_stops_cleanly(served: Client) -> None:
    served.process.send_signal(signal.SIGINT)
    assert served.process.wait(timeout=15) == 0
    assert not (served.data_dir / "server.json").exists()
    with pytest.raises(OSError):
        call(served.port, "GET", "/v1/health", timeout=2)


@pytest.mark.skipif(os.name == "nt", reason="SIGINT to a child process is POSIX-only")
def test_ctrl_c_stops_a_server_started_with_ctrl_c_ignored(tmp_path: Path) -> None:
    # A job started with `&` from a script inherits SIGINT ignored, and Python then keeps it so.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        served = start_serve(tmp_path / "data")
    finally:
        signal.signal(signal.SIGINT, previous)
    try:
        served.process.send_signal(signal.SIGINT)
        assert served.process.wait(timeout=15) == 0
    finally:
        served.stop()


SLOW_PACK = {
    "pack.yaml": """pack: slow-test
version: 0.0.1
languages: [en]
description: One pattern that backtracks exponentially, to check the per-message time budget.
""",
    "slow.yaml": """rules:
  - id: secrecy.en.slow-test
    category: secrecy
    severity: low
    description: Exponential backtracking on a long run of letters without the final "!".
    patterns:
      - '\\bsecret\\s(?:\\w|\\w\\w)+!'
    advice: [no_secrets]
    examples:
      match: ["secret a!", "secret ab!", "secret abc!"]
      no_match: ["hello there", "good morning", "see you"]
""",
}


def test_a_pattern_that_backtracks_is_cut_off_and_others_keep_being_served(
    tmp_path: Path,
) -> None:
    pack = tmp_path / "packs" / "slow-test"
    pack.mkdir(parents=True)
    for name, text in SLOW_PACK.items():
        (pack / name).write_text(text, encoding="utf-8")
    try:
        slow = start_serve(tmp_path / "data", "--rules", str(tmp_path / "packs"))
    except RuntimeError as error:
        if "slow-test" in str(error):
            pytest.skip(f"the rule loader now refuses this pattern itself: {error}")
        raise
    try:
        token = call(slow.port, "POST", "/v1/pair", body={"code": slow.code}).body["token"]
        auth = {"Authorization": f"Bearer {token}"}
        letters = string.ascii_lowercase * 4
        # distinct texts, so the engine's cache cannot answer for the later ones; the "!" away
        # from the letters gets the pattern past the prefilter (it needs "secret" and "!")
        evil = {
            "messages": [{"id": f"e{n}", "text": f"secret {letters[:n]}? !"} for n in range(60, 65)]
        }
        outcome: dict[str, Any] = {}

        def slow_request() -> None:
            started = time.monotonic()
            outcome["reply"] = call(slow.port, "POST", "/v1/analyze", body=evil, headers=auth)
            outcome["seconds"] = time.monotonic() - started

        worker = threading.Thread(target=slow_request)
        worker.start()
        time.sleep(0.1)
        latencies = []
        while worker.is_alive():
            started = time.monotonic()
            reply = call(
                slow.port,
                "POST",
                "/v1/analyze",
                body={"messages": [{"id": "ok", "text": "secret ab!"}]},
                headers=auth,
            )
            assert reply.status == 200
            assert reply.body["results"][0]["flagged"] is True
            latencies.append(time.monotonic() - started)
        worker.join()
        assert outcome["reply"].status == 200
        assert [r["id"] for r in outcome["reply"].body["results"]] == [
            m["id"] for m in evil["messages"]
        ]
        # each message really hits its 0.2 s regex budget, and no more than that
        assert 0.5 < outcome["seconds"] < 0.5 * len(evil["messages"]) + 2
        assert len(latencies) >= 3, "the slow request did not overlap the others"
        assert max(latencies) < 0.5
    finally:
        slow.stop()
