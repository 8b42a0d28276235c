"""`/v1/analyze` as the extension sees it: order, JS spans, truncation, threads, advice."""

from __future__ import annotations

from pathlib import Path

import pytest
from server_helpers import FakeEngine, Harness, assert_matches_openapi, make_harness

from server.spans import utf16_offset


def analyze(harness: Harness, messages: list[dict[str, object]], **extra: object) -> dict:  # type: ignore[type-arg]
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
        ("x" * 3993 + "secret", True, False),  # ends exactly at 4000
        ("😀" * 3000 + " secret", True, False),  # the limit counts characters, not UTF-16 units
    ],
)
def test_long_text_is_analysed_up_to_the_limit(
    harness: Harness, text: str, flagged: bool, truncated: bool
) -> None:
    result = analyze(harness, [{"id": "1", "text": text}])["results"][0]
    assert result["flagged"] is flagged
    assert result["truncated"] is truncated
    assert all(len(m.text) <= 4000 for m in harness.engine.seen)


def test_threads_report_the_risk_after_the_batch(harness: Harness) -> None:
    body = analyze(
        harness,
        [
            {"id": "1", "text": "keep it secret", "thread": "t1"},
            {"id": "2", "text": "hello", "thread": "t2"},
            {"id": "3", "text": "what is your address", "thread": "t1"},
            {"id": "4", "text": "no thread here"},
        ],
    )
    assert set(body["threads"]) == {"t1", "t2"}
    assert body["threads"]["t1"]["severity"] == "critical"
    assert body["threads"]["t1"]["combos"] == ["secrecy+personal_info"]
    assert body["threads"]["t2"]["severity"] == "none"
    severities = [r.get("thread_severity") for r in body["results"]]
    assert severities == ["high", "none", "critical", None]


def test_threads_carry_over_between_requests(harness: Harness) -> None:
    analyze(harness, [{"id": "1", "text": "keep it secret", "thread": "t"}])
    body = analyze(harness, [{"id": "2", "text": "your address?", "thread": "t"}])
    assert body["threads"]["t"]["severity"] == "critical"


@pytest.mark.parametrize(("lang", "prefix"), [("vi", "[vi]"), ("en", "[en]"), (None, "[en]")])
def test_advice_is_localised(harness: Harness, lang: str | None, prefix: str) -> None:
    extra = {"lang": lang} if lang else {}
    result = analyze(harness, [{"id": "1", "text": "secret"}], **extra)["results"][0]
    assert result["advice"] == [
        {
            "key": "no_secrets",
            "title": f"{prefix} no_secrets",
            "text": f"{prefix} text for no_secrets",
        }
    ]


def test_direction_sender_and_links_reach_the_engine(harness: Harness) -> None:
    analyze(
        harness,
        [
            {"id": "1", "text": "my address is", "direction": "out", "sender": "me", "links": []},
            {"id": "2", "text": "x", "thread": "t", "links": ["https://bit.ly/x"]},
        ],
    )
    first, second = harness.engine.seen
    assert (first.direction, first.sender, first.thread) == ("out", "me", None)
    assert (second.direction, second.links, second.thread) == ("in", ("https://bit.ly/x",), "t")


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
    result = analyze(harness, [{"id": "1", "text": "look", "links": ["https://bit.ly/x"]}])[
        "results"
    ][0]
    assert result["findings"] == [
        {
            "rule": "link.shortener",
            "category": "suspicious_link",
            "severity": "medium",
            "start": -1,
            "end": -1,
        }
    ]


def test_empty_batch(harness: Harness) -> None:
    assert analyze(harness, []) == {"results": [], "threads": {}}


def test_links_endpoint_keeps_order(tmp_path: Path) -> None:
    harness = make_harness(tmp_path, engine=FakeEngine())
    urls = ["https://example.org", "https://bit.ly/abc", "hxxp://x[.]y"]
    reply = harness.post("/v1/links", {"urls": urls})
    assert reply.status_code == 200
    body = reply.get_json()
    assert_matches_openapi("/v1/links", "post", 200, body)
    assert [r["url"] for r in body["results"]] == urls
    assert [r["flagged"] for r in body["results"]] == [False, True, False]
