"""`/v1/feedback`: "not a problem" silences a rule for a sender or thread; no text is kept."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from server_helpers import ADDRESS_RULE, MEET_RULE, SECRET_RULE, Harness, assert_matches_openapi


def feedback(harness: Harness, body: dict[str, object]) -> None:
    reply = harness.post("/v1/feedback", body)
    assert reply.status_code == 200
    assert reply.get_json() == {"ok": True}
    assert_matches_openapi("/v1/feedback", "post", 200, reply.get_json())


def rules_found(harness: Harness, message: dict[str, object]) -> list[str]:
    reply = harness.post("/v1/analyze", {"messages": [{"id": "m", **message}]})
    assert reply.status_code == 200
    return [f["rule"] for f in reply.get_json()["results"][0]["findings"]]


# (feedback scope, later message, rules still reported)
@pytest.mark.parametrize(
    ("scope", "message", "expected"),
    [
        ({"sender": "alice"}, {"sender": "alice"}, [ADDRESS_RULE]),
        ({"sender": "alice"}, {"sender": "alice", "thread": "other"}, [ADDRESS_RULE]),
        ({"sender": "alice"}, {"sender": "bob"}, [SECRET_RULE, ADDRESS_RULE]),
        ({"sender": "alice"}, {}, [SECRET_RULE, ADDRESS_RULE]),
        ({"thread": "t1"}, {"thread": "t1"}, [ADDRESS_RULE]),
        ({"thread": "t1"}, {"thread": "t1", "sender": "carol"}, [ADDRESS_RULE]),
        ({"thread": "t1"}, {"thread": "t2"}, [SECRET_RULE, ADDRESS_RULE]),
        # a sender is the scope when both are given: another sender in that thread still warns
        (
            {"sender": "alice", "thread": "t1"},
            {"thread": "t1", "sender": "dave"},
            [SECRET_RULE, ADDRESS_RULE],
        ),
        (
            {},
            {"sender": "alice", "thread": "t1"},
            [SECRET_RULE, ADDRESS_RULE],
        ),  # no scope: no effect
    ],
)
def test_not_a_problem_silences_that_rule_for_that_scope(
    harness: Harness, scope: dict[str, str], message: dict[str, str], expected: list[str]
) -> None:
    feedback(harness, {"kind": "not_a_problem", "rules": [SECRET_RULE], **scope})
    assert rules_found(harness, {"text": "secret address", **message}) == expected


def test_missed_does_not_silence_anything(harness: Harness) -> None:
    feedback(
        harness,
        {"kind": "missed", "rules": [SECRET_RULE], "sender": "alice", "categories": ["threat"]},
    )
    assert rules_found(harness, {"text": "secret", "sender": "alice"}) == [SECRET_RULE]


def test_silencing_every_finding_clears_severity_and_advice(harness: Harness) -> None:
    feedback(harness, {"kind": "not_a_problem", "rules": [SECRET_RULE], "sender": "alice"})
    reply = harness.post(
        "/v1/analyze", {"messages": [{"id": "m", "text": "secret", "sender": "alice"}]}
    )
    result = reply.get_json()["results"][0]
    assert (result["flagged"], result["severity"], result["categories"], result["advice"]) == (
        False,
        "none",
        [],
        [],
    )


def test_silencing_one_rule_keeps_the_other_rules_advice(harness: Harness) -> None:
    feedback(harness, {"kind": "not_a_problem", "rules": [SECRET_RULE], "sender": "alice"})
    reply = harness.post(
        "/v1/analyze", {"messages": [{"id": "m", "text": "secret address", "sender": "alice"}]}
    )
    result = reply.get_json()["results"][0]
    assert [a["key"] for a in result["advice"]] == ["no_personal_info", "tell_family"]
    assert result["severity"] == "medium"


# (rules dismissed for the thread, thread severity, combos) after "secret" then "meet up" in it
@pytest.mark.parametrize(
    ("dismissed", "severity", "combos"),
    [
        ([], "critical", ["combo.secret-meeting"]),
        ([SECRET_RULE], "medium", []),  # the meeting alone; secrecy no longer counts
        ([MEET_RULE], "high", []),
        ([SECRET_RULE, MEET_RULE], "none", []),
    ],
)
def test_a_dismissed_rule_no_longer_raises_the_thread_severity(
    harness: Harness, dismissed: list[str], severity: str, combos: list[str]
) -> None:
    if dismissed:
        feedback(harness, {"kind": "not_a_problem", "rules": dismissed, "thread": "t"})
    messages = [
        {"id": "1", "text": "this is our secret", "thread": "t", "sender": "stranger"},
        {"id": "2", "text": "let's meet up after school", "thread": "t", "sender": "stranger"},
    ]
    reply = harness.post("/v1/analyze", {"messages": messages})
    assert reply.status_code == 200
    body = reply.get_json()
    assert (body["threads"]["t"]["severity"], body["threads"]["t"]["combos"]) == (severity, combos)
    assert body["results"][1]["thread_severity"] == severity


def test_a_dismissal_for_one_sender_still_counts_another_senders_messages(
    harness: Harness,
) -> None:
    feedback(harness, {"kind": "not_a_problem", "rules": [SECRET_RULE], "sender": "friend"})
    messages = [
        {"id": "1", "text": "secret", "thread": "t", "sender": "friend"},
        {"id": "2", "text": "meet up?", "thread": "t", "sender": "stranger"},
        {"id": "3", "text": "our secret ok", "thread": "t", "sender": "stranger"},
    ]
    body = harness.post("/v1/analyze", {"messages": messages}).get_json()
    assert [r["thread_severity"] for r in body["results"]] == ["none", "medium", "critical"]


def test_store_keeps_no_readable_sender_thread_or_message(harness: Harness) -> None:
    feedback(
        harness,
        {
            "kind": "not_a_problem",
            "rules": [SECRET_RULE],
            "sender": "alice.sender@example",
            "thread": "thread-with-bob",
            "message_hash": "deadbeefcafe0123",
            "categories": ["secrecy"],
        },
    )
    raw = harness.store.path.read_bytes()
    for plain in (b"alice.sender@example", b"thread-with-bob", b"deadbeefcafe0123"):
        assert plain not in raw
    assert SECRET_RULE.encode() in raw  # rule ids are kept: that is what feedback is for
    with sqlite3.connect(harness.store.path) as db:
        kinds = [row[0] for row in db.execute("SELECT kind FROM feedback")]
    assert kinds == ["not_a_problem"]


def test_hashes_are_salted_per_install(
    harness: Harness, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from server.store import Feedback, Store

    other = Store(tmp_path_factory.mktemp("other"))
    fb = Feedback(kind="missed", sender="alice")
    harness.store.record_feedback(fb)
    other.record_feedback(fb)

    def scope_hash(path: Path) -> str:
        with sqlite3.connect(path) as db:
            return str(db.execute("SELECT scope_hash FROM feedback").fetchone()[0])

    assert scope_hash(harness.store.path) != scope_hash(other.path)


def test_feedback_survives_a_restart(harness: Harness) -> None:
    from server.store import Store

    feedback(harness, {"kind": "not_a_problem", "rules": [SECRET_RULE], "sender": "alice"})
    reopened = Store(harness.data_dir)
    assert reopened.suppressed_rules([("sender", "alice")]) == {
        ("sender", "alice"): frozenset({SECRET_RULE})
    }
