"""`/v1/analyze` as the extension sees it: order, JS spans, truncation, threads, advice."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from server_helpers import (
    ADDRESS_RULE,
    MEET_RULE,
    SECRET_RULE,
    Harness,
    assert_matches_openapi,
    backtracking_texts,
    make_harness,
    write_pack,
    write_slow_pack,
)

from engine.engine import Engine
from server.spans import utf16_offset


def analyze(harness: Harness, messages: Sequence[Mapping[str, object]], **extra: object) -> dict:  # type: ignore[type-arg]
    reply = harness.post("/v1/analyze", {"messages": messages, **extra})
    assert reply.status_code == 200, reply.get_json()
    body = reply.get_json()
    assert_matches_openapi("/v1/analyze", "post", 200, body)
    return body  # type: ignore[no-any-return]


def js_slice(text: str, start: int, end: int) -> str:
    """What `text.slice(start, end)` gives in JavaScript."""
    units = text.encode("utf-16-le", "surrogatepass")
    return units[start * 2 : end * 2].decode("utf-16-le", "surrogatepass")


# (text as sent, expected JS start, expected JS end) of the word "secret"
@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("secret", 0, 6),
        ("keep it secret", 8, 14),
        ("😀 secret", 3, 9),  # one astral emoji = 2 UTF-16 units, 1 Python index
        ("😀😀 secret", 5, 11),
        ("👨‍👩‍👧 secret", 9, 15),  # ZWJ family: 3 astral + 2 BMP joiners
        ("é secret", 2, 8),  # precomposed BMP: same in both
        ("e\u0301 secret", 3, 9),  # combining accent: one unit each
        ("\U0001d400\U0001d401\U0001d402 secret 😀", 7, 13),  # math bold ABC
    ],
)
def test_spans_are_utf16_offsets_into_the_text_as_sent(
    harness: Harness, text: str, start: int, end: int
) -> None:
    body = analyze(harness, [{"id": "m", "text": text}])
    finding = body["results"][0]["findings"][0]
    assert (finding["start"], finding["end"]) == (start, end)
    assert js_slice(text, finding["start"], finding["end"]) == "secret"


@pytest.mark.parametrize(
    ("text", "index", "expected"),
    [("abc", 2, 2), ("😀a", 1, 2), ("😀a", 2, 3), ("a\ud83d", 2, 2), ("😀", -1, -1), ("", 0, 0)],
)
def test_utf16_offset(text: str, index: int, expected: int) -> None:
    assert utf16_offset(text, index) == expected


def test_results_come_back_in_request_order_with_their_ids(harness: Harness) -> None:
    messages = [{"id": f"id-{i}", "text": "secret" if i % 3 == 0 else "hi"} for i in range(200)]
    body = analyze(harness, messages)
    assert [r["id"] for r in body["results"]] == [m["id"] for m in messages]
    assert [r["flagged"] for r in body["results"]] == [i % 3 == 0 for i in range(200)]


def test_result_fields(harness: Harness) -> None:
    body = analyze(harness, [{"id": "1", "text": "secret address"}, {"id": "2", "text": "hello"}])
    first, second = body["results"]
    assert first["severity"] == "high"
    assert first["categories"] == ["personal_info", "secrecy"]
    assert first["truncated"] is False
    assert second == {
        "id": "2",
        "flagged": False,
        "severity": "none",
        "categories": [],
        "findings": [],
        "truncated": False,
        "advice": [],
    }


@pytest.mark.parametrize(
    ("text", "flagged", "truncated"),
    [
        ("secret " + "x" * 4500, True, True),  # found before the limit, still says truncated
        ("x" * 4500 + " secret", False, True),  # past the limit: not analysed
        ("x" * 3996 + " secret", False, True),  # straddles the limit
        ("x" * 3993 + " secret", True, False),  # ends exactly at 4000
        ("😀" * 3000 + " secret", True, False),  # the limit counts characters, not UTF-16 units
    ],
)
def test_long_text_is_analysed_up_to_the_limit(
    harness: Harness, text: str, flagged: bool, truncated: bool
) -> None:
    result = analyze(harness, [{"id": "1", "text": text}])["results"][0]
    assert result["flagged"] is flagged
    assert result["truncated"] is truncated


def test_threads_report_the_risk_after_the_batch(harness: Harness) -> None:
    body = analyze(
        harness,
        [
            {"id": "1", "text": "keep it secret", "thread": "t1"},
            {"id": "2", "text": "hello", "thread": "t2"},
            {"id": "3", "text": "let's meet up on friday", "thread": "t1"},
            {"id": "4", "text": "no thread here"},
        ],
    )
    assert set(body["threads"]) == {"t1", "t2"}
    # secrecy then a meeting in one thread: the bundled combo makes the thread critical
    assert body["threads"]["t1"]["severity"] == "critical"
    assert body["threads"]["t1"]["combos"] == ["combo.secret-meeting"]
    assert body["threads"]["t1"]["categories"] == ["meeting", "secrecy"]
    assert [f["rule"] for f in body["results"][2]["findings"]] == [MEET_RULE]
    assert body["threads"]["t2"]["severity"] == "none"
    severities = [r.get("thread_severity") for r in body["results"]]
    assert severities == ["high", "none", "critical", None]


def test_threads_carry_over_between_requests(harness: Harness) -> None:
    analyze(harness, [{"id": "1", "text": "keep it secret", "thread": "t"}])
    body = analyze(harness, [{"id": "2", "text": "can we meet up?", "thread": "t"}])
    assert body["threads"]["t"]["severity"] == "critical"


def test_a_message_sent_again_does_not_count_twice(harness: Harness) -> None:
    first = analyze(harness, [{"id": "1", "text": "keep it secret", "thread": "t"}])
    again = analyze(harness, [{"id": "1", "text": "keep it secret", "thread": "t"}] * 3)
    assert again["threads"]["t"] == first["threads"]["t"]


@pytest.mark.parametrize(("lang", "expected"), [("vi", "vi"), ("en", "en"), (None, "en")])
def test_advice_is_localised(harness: Harness, lang: str | None, expected: str) -> None:
    extra = {"lang": lang} if lang else {}
    result = analyze(harness, [{"id": "1", "text": "secret"}], **extra)["results"][0]
    book = harness.engine.data.advice
    assert book.localise(["no_secrets"], "vi") != book.localise(["no_secrets"], "en")
    assert result["advice"] == book.localise(["no_secrets"], expected)
    assert [a["key"] for a in result["advice"]] == ["no_secrets"]
    assert result["advice"][0]["title"] and result["advice"][0]["text"]


def test_direction_sender_thread_and_links_reach_the_engine(harness: Harness) -> None:
    harness.post("/v1/feedback", {"kind": "not_a_problem", "rules": [SECRET_RULE], "sender": "me"})
    body = analyze(
        harness,
        [
            # out: the in-only secret rule stays quiet; sender "me" dismissed it anyway
            {"id": "1", "text": "secret address", "direction": "out", "sender": "me", "links": []},
            {"id": "2", "text": "secret address", "sender": "me"},  # sender: secret dismissed
            {"id": "3", "text": "x", "thread": "t", "links": ["https://bit.ly/x"]},
        ],
    )
    first, second, third = body["results"]
    assert [f["rule"] for f in first["findings"]] == [ADDRESS_RULE]
    assert [f["rule"] for f in second["findings"]] == [ADDRESS_RULE]
    assert [f["rule"] for f in third["findings"]] == ["link.shortener"]
    assert body["threads"]["t"]["categories"] == ["suspicious_link"]


@pytest.mark.parametrize(
    ("direction", "categories"), [("in", ["personal_info", "secrecy"]), ("out", ["personal_info"])]
)
def test_out_messages_get_only_the_outgoing_checks(
    harness: Harness, direction: str, categories: list[str]
) -> None:
    text = "secret: my address is 1 Main St"
    result = analyze(harness, [{"id": "1", "text": text, "direction": direction}])["results"][0]
    assert result["categories"] == categories


def test_link_findings_outside_the_text_keep_minus_one_spans(harness: Harness) -> None:
    url = "https://bit.ly/x"
    result = analyze(harness, [{"id": "1", "text": "look", "links": [url]}])["results"][0]
    (reason,) = harness.engine.check_url(url).reasons
    assert result["findings"] == [
        {
            "rule": "link.shortener",
            "category": "suspicious_link",
            "severity": reason.severity.label,
            "start": -1,
            "end": -1,
        }
    ]
    assert result["flagged"] is True


def test_a_link_in_the_text_is_not_reported_twice(harness: Harness) -> None:
    url = "https://bit.ly/x"
    result = analyze(harness, [{"id": "1", "text": f"look {url}", "links": [url]}])["results"][0]
    assert [(f["rule"], f["start"]) for f in result["findings"]] == [("link.shortener", 5)]


def test_empty_batch(harness: Harness) -> None:
    assert analyze(harness, []) == {"results": [], "threads": {}}


def test_links_endpoint_keeps_order(harness: Harness) -> None:
    urls = ["https://example.org", "https://bit.ly/abc", "hxxp://x[.]y"]
    reply = harness.post("/v1/links", {"urls": urls})
    assert reply.status_code == 200
    body = reply.get_json()
    assert_matches_openapi("/v1/links", "post", 200, body)
    assert [r["url"] for r in body["results"]] == urls
    assert [r["flagged"] for r in body["results"]] == [False, True, False]


def test_a_batch_of_backtracking_messages_is_bounded_by_the_batch_budget(tmp_path: Path) -> None:
    """200 messages x 0.2 s per-message budget would be 40 s; the engine's batch budget caps it."""
    engine = Engine.load([write_pack(tmp_path / "packs"), write_slow_pack(tmp_path / "packs")])
    harness = make_harness(tmp_path, engine=engine)
    messages = [{"id": f"e{n}", "text": text} for n, text in enumerate(backtracking_texts(200))]
    started = time.monotonic()
    body = analyze(harness, messages)
    seconds = time.monotonic() - started
    assert seconds < 10
    assert [r["id"] for r in body["results"]] == [m["id"] for m in messages]
    # keyword rules need no regex time: past the budget every message is still flagged
    assert all(SECRET_RULE in {f["rule"] for f in r["findings"]} for r in body["results"])
