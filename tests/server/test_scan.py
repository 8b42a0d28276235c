"""`notalone scan` as a user runs it: a real process, stdin or files, text or jsonl."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def scan(*args: str, stdin: bytes = b"", cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "server", "scan", *args],
        input=stdin,
        capture_output=True,
        cwd=cwd,
        timeout=60,
        check=False,
    )


def jsonl(out: bytes) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.decode().splitlines()]


def test_issue_example_finds_secrecy_from_any_folder(tmp_path: Path) -> None:
    text = "chuyen nay chi hai dua minh biet thoi, dung ke cho bo me nha\n"
    done = scan("--format", "jsonl", stdin=text.encode(), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (line,) = jsonl(done.stdout)
    assert line["id"] == "1" and line["flagged"] is True
    assert "secrecy" in line["categories"]  # type: ignore[operator]
    finding = line["findings"][0]  # type: ignore[index]
    assert set(finding) == {"rule", "category", "severity", "start", "end"}
    assert 0 <= finding["start"] < finding["end"] <= len(text.strip())


def test_spans_point_into_the_original_text_with_diacritics(tmp_path: Path) -> None:
    text = "Nhớ nhé, chuyện này ĐỪNG KỂ với bố mẹ em!"
    message = json.dumps({"id": "m1", "text": text}, ensure_ascii=False) + "\n"
    (line,) = jsonl(scan("--format", "jsonl", stdin=message.encode(), cwd=tmp_path).stdout)
    spans = [text[f["start"] : f["end"]] for f in line["findings"]]  # type: ignore[union-attr,index]
    assert line["id"] == "m1"
    assert any("ĐỪNG KỂ" in span for span in spans), spans


def test_bad_lines_are_reported_and_the_rest_is_scanned(tmp_path: Path) -> None:
    data = b"hello there\n\xff\xfe not text\n" + b'{"id": 7}\n' + b"see you at school tomorrow\n"
    done = scan("--format", "jsonl", stdin=data, cwd=tmp_path)
    assert [line["id"] for line in jsonl(done.stdout)] == ["1", "4"]
    assert b"<stdin>:2:" in done.stderr and b"UTF-8" in done.stderr
    assert b"<stdin>:3:" in done.stderr
    assert done.returncode == 1


def test_empty_input_prints_nothing(tmp_path: Path) -> None:
    done = scan(stdin=b"", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (0, b"")


def test_threads_escalate_to_critical(tmp_path: Path) -> None:
    lines = [
        {
            "id": "a",
            "thread": "t",
            "text": "Tôi là cán bộ công an, em đang liên quan đến một vụ rửa tiền",
        },
        {"id": "b", "thread": "t", "text": "ok a"},
        {
            "id": "c",
            "thread": "t",
            "text": "Em phải tắt điện thoại, không được liên lạc với gia đình",
        },
        {"id": "d", "text": "đi học thêm không"},
    ]
    data = "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines).encode()
    out = jsonl(scan("--format", "jsonl", stdin=data, cwd=tmp_path).stdout)
    assert out[-2]["thread_severity"] == "critical"
    assert "thread_severity" not in out[-1]


def test_text_report_highlights_and_names_advice(tmp_path: Path) -> None:
    chat = tmp_path / "chat.txt"
    chat.write_text("hi!\nThis stays between us, don't tell your mom ok?\n", encoding="utf-8")
    done = scan(str(chat), cwd=tmp_path)
    report = done.stdout.decode()
    assert done.returncode == 0
    assert "message 2" in report and "secrecy" in report and "[[" in report
    assert "advice:" in report and "no_secrets" in report
    assert "2 message(s) scanned, 1 flagged." in report


@pytest.mark.parametrize("action", ["test", "lint"])
def test_rules_commands_pass_on_the_bundled_packs(tmp_path: Path, action: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "server", "rules", action],
        capture_output=True,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()[-3000:]


def test_rules_test_names_file_line_and_rule_of_a_failing_example(tmp_path: Path) -> None:
    pack = tmp_path / "mine.yaml"
    pack.write_text(
        "pack: mine\nversion: 1\nrules:\n"
        "  - id: secrecy.en.ours\n    category: secrecy\n    severity: low\n"
        "    keywords: [our secret]\n"
        "    examples:\n      match: ['our secret', 'a different phrase']\n"
        "      no_match: ['nothing here']\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "server", "rules", "test", str(pack)],
        capture_output=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert f"{pack}:9: [secrecy.en.ours] match example not matched" in done.stderr.decode()
