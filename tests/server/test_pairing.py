"""Pairing codes: single use, 10-minute expiry, locked after 5 wrong tries; and /v1/pair."""

from __future__ import annotations

from pathlib import Path

import pytest
from server_helpers import HOST, assert_matches_openapi, make_harness

from server.pairing import Outcome, PairingCodes


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_code_is_six_digits_and_single_use() -> None:
    codes = PairingCodes()
    code = codes.issue()
    assert len(code) == 6
    assert code.isdigit()
    assert codes.redeem(code) is Outcome.OK
    assert codes.redeem(code) is Outcome.BAD_CODE


@pytest.mark.parametrize(
    ("elapsed", "outcome"),
    [(0, Outcome.OK), (599.9, Outcome.OK), (600, Outcome.EXPIRED), (3600, Outcome.EXPIRED)],
)
def test_code_expires_after_ten_minutes(elapsed: float, outcome: Outcome) -> None:
    clock = Clock()
    codes = PairingCodes(clock=clock)
    code = codes.issue()
    clock.now += elapsed
    assert codes.redeem(code) is outcome


@pytest.mark.parametrize(
    ("wrong_tries", "outcome"), [(0, Outcome.OK), (4, Outcome.OK), (5, Outcome.LOCKED)]
)
def test_locked_after_five_wrong_tries(wrong_tries: int, outcome: Outcome) -> None:
    codes = PairingCodes()
    code = codes.issue()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(wrong_tries):
        assert codes.redeem(wrong) is Outcome.BAD_CODE
    assert codes.redeem(code) is outcome


def test_a_new_code_replaces_the_old_one() -> None:
    codes = PairingCodes()
    old = codes.issue()
    new = codes.issue()
    if old == new:
        pytest.skip("the same random code came up twice (one chance in a million)")
    assert codes.redeem(old) is Outcome.BAD_CODE
    assert codes.redeem(new) is Outcome.OK


def test_a_new_code_works_after_a_lock() -> None:
    codes = PairingCodes()
    codes.issue()
    for _ in range(5):
        codes.redeem("not-it")
    fresh = codes.issue()
    assert codes.redeem(fresh) is Outcome.OK


@pytest.mark.parametrize(("typed"), ["{code}", "{a} {b}", "{a}-{b}", " {code} "])
def test_spaces_and_dashes_in_the_typed_code_are_ignored(typed: str) -> None:
    codes = PairingCodes()
    code = codes.issue()
    attempt = typed.format(code=code, a=code[:3], b=code[3:])
    assert codes.redeem(attempt) is Outcome.OK


def test_no_code_issued_means_bad_code() -> None:
    assert PairingCodes().redeem("123456") is Outcome.BAD_CODE


@pytest.mark.parametrize(
    ("scenario", "status", "code"),
    [
        ("right", 200, None),
        ("wrong", 403, "bad_code"),
        ("reused", 403, "bad_code"),
        ("expired", 403, "code_expired"),
        ("locked", 429, "locked"),
    ],
)
def test_pair_endpoint(tmp_path: Path, scenario: str, status: int, code: str | None) -> None:
    clock = Clock()
    harness = make_harness(tmp_path, clock=clock)
    live = harness.pairing.issue()
    attempt = live
    if scenario == "wrong":
        attempt = "x" + live
    elif scenario == "reused":
        harness.client.post("/v1/pair", json={"code": live}, headers={"Host": HOST})
    elif scenario == "expired":
        clock.now += 601
    elif scenario == "locked":
        for _ in range(5):
            harness.client.post("/v1/pair", json={"code": "nope"}, headers={"Host": HOST})
    reply = harness.client.post("/v1/pair", json={"code": attempt}, headers={"Host": HOST})
    assert reply.status_code == status
    body = reply.get_json()
    assert_matches_openapi("/v1/pair", "post", status, body)
    if code:
        assert body["error"]["code"] == code
    else:
        token = body["token"]
        assert len(token) >= 40
        assert harness.store.token_valid(token)


def test_every_pairing_gives_a_different_token(tmp_path: Path) -> None:
    harness = make_harness(tmp_path)
    second = harness.pairing.issue()
    reply = harness.client.post("/v1/pair", json={"code": second}, headers={"Host": HOST})
    assert reply.get_json()["token"] != harness.token
