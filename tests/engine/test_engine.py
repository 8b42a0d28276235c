"""The engine facade as the server and CLI use it: conversations, suppression, budgets, advice."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from engine.conversation import ThreadStore
from engine.engine import BATCH_BUDGET_SECONDS, Engine
from engine.errors import RulesError
from engine.links import load_links
from engine.model import Message, Severity
from engine.resources import bundled_rules_dir

SLOW_PACK = """\
pack: slow
version: 1
rules:
  - id: threat.en.slow
    category: threat
    severity: low
    patterns: ['^(?:\\\\w|\\\\w\\\\w)+\\\\d']
"""


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load()


def test_kidnapping_script_across_a_thread(engine: Engine) -> None:
    threads = ThreadStore()
    texts = [
        "Alo, tôi là cán bộ công an quận, em đang bị điều tra vì liên quan đường dây rửa tiền",
        "dạ",
        "Em không được nói với bố mẹ, tắt định vị và ra khách sạn ở một mình chờ lệnh",
    ]
    verdicts = engine.analyze(
        [Message(id=str(i), text=t, thread="t") for i, t in enumerate(texts)], threads
    )
    last = verdicts[-1].thread_risk
    assert last is not None and last.severity is Severity.CRITICAL
    assert "combo.online-kidnapping" in last.combos


def test_a_dismissed_rule_neither_warns_nor_raises_thread_risk(engine: Engine) -> None:
    secret = Message(id="1", text="this stays between us, dont tell your parents", thread="t")
    call = Message(id="2", text="lets video call on zoom tonight, just us", thread="t")
    (first,) = engine.analyze([secret], ThreadStore())
    dismissed = frozenset(f.rule for f in first.findings)
    threads = ThreadStore()
    verdicts = engine.analyze([secret, call], threads, suppressed=lambda m: dismissed)
    assert verdicts[0].findings == ()
    risk = verdicts[1].thread_risk
    assert risk is not None and "secrecy" not in risk.categories
    assert risk.severity < Severity.CRITICAL


def test_links_the_page_saw_are_checked_even_outside_the_text(engine: Engine) -> None:
    message = Message(id="1", text="vào nhóm này đi", links=("https://t.me/+AbCdEf12345",))
    (verdict,) = engine.analyze([message])
    assert {"private_group", "suspicious_link"} <= set(verdict.categories)
    assert all(f.start == -1 for f in verdict.findings if f.rule.startswith("link."))


def test_advice_comes_most_severe_first_and_localised(engine: Engine) -> None:
    (verdict,) = engine.analyze([Message(id="1", text="send me nudes or i post your pics")])
    assert verdict.advice
    vi = engine.advice(verdict.advice, "vi")
    en = engine.advice(verdict.advice, "en")
    assert [a["key"] for a in vi] == list(verdict.advice) == [a["key"] for a in en]
    assert vi[0]["text"] != en[0]["text"]


def test_a_batch_of_adversarial_messages_is_bounded(tmp_path: Path) -> None:
    pack = tmp_path / "slow.yaml"
    pack.write_text(SLOW_PACK, encoding="utf-8")
    slow = Engine.load([pack])
    messages = [Message(id=str(i), text="ab" * (40 + i)) for i in range(50)]
    started = time.perf_counter()
    slow.analyze(messages)
    # 50 x 0.2 s = 10 s without the batch budget; loose because CI machines are busy
    assert time.perf_counter() - started < BATCH_BUDGET_SECONDS + 5.0


def test_a_scan_cut_short_by_the_budget_is_not_cached(tmp_path: Path) -> None:
    pack = tmp_path / "late.yaml"
    pack.write_text(
        "pack: late\nversion: 1\nrules:\n  - id: threat.en.late\n    category: threat\n"
        "    severity: low\n    patterns: ['^(?:(?:\\w|\\w\\w)+!|\\w+\\d)']\n",
        encoding="utf-8",
    )
    late = Engine.load([pack])
    text = "ab" * 11 + "1"  # matches, but only after ~15 ms of backtracking
    assert late.scan(text, budget_seconds=0.000001) == ()  # starved: cut short, no finding
    assert [f.rule for f in late.scan(text)] == ["threat.en.late"]  # not the cached miss


@pytest.mark.parametrize(
    ("text", "link_flagged"),
    [
        # a teacher or the class posting its own group or call: not a stranger's invite
        ("Cô gửi link nhóm Zalo lớp 9A2, các em vào nhận thông báo: zalo.me/g/lop9a2thcs", False),
        ("Homeroom group for 8B, parents welcome: https://chat.whatsapp.com/AbC123xyz", False),
        ("zoom lớp học thêm tối nay 8h: https://zoom.us/j/123456789", False),
        # a workplace, team or church group: the organisers post their own invite
        ("Staff group for the pool, managers post shifts here: chat.whatsapp.com/Jb4kR", False),
        ("nhóm nhân viên ca tối của quán nha, vào để đổi ca: zalo.me/g/quanca3", False),
        # the same links from a stranger, or with a risky request beside them
        ("join here t.me/+AbCdEf12", True),
        ("vào nhóm kín này đi em: t.me/+AbCdEf12", True),
        ("lớp mình vào đây nha t.me/+AbCdEf12, nhớ đừng nói với bố mẹ", True),
        ("call me on zoom tonight, just us https://zoom.us/j/123456789", True),
    ],
)
def test_class_links_are_quiet_unless_something_else_is_risky(
    engine: Engine, text: str, link_flagged: bool
) -> None:
    rules = {f.rule for f in engine.scan(text)}
    assert bool(rules & {"link.group_invite", "link.private_call"}) is link_flagged


def test_a_link_check_unless_is_validated(tmp_path: Path) -> None:
    links = tmp_path / "links"
    shutil.copytree(bundled_rules_dir() / "links", links)
    checks = links / "checks.yaml"
    text = checks.read_text(encoding="utf-8")
    checks.write_text(text.replace("'\\b(?:ba noi", "'\\b(?:ba noi[", 1), encoding="utf-8")
    with pytest.raises(RulesError) as caught:
        load_links(links)
    (problem,) = caught.value.problems
    assert problem.rule == "private_call" and "unless" in problem.message
