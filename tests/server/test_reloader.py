"""Rule reloads: atomic swap, broken packs reported while the last good ones keep serving.

Every engine here is the real one, loaded from fixture packs written to a temporary folder.
"""

from __future__ import annotations

import itertools
import os
import sys
import threading
import time
from pathlib import Path

import pytest
from server_helpers import (
    PACK_NAME,
    SECRET_RULE,
    assert_matches_openapi,
    make_harness,
    write_pack,
)

from engine.engine import Engine
from engine.errors import RulesError
from engine.model import CATEGORIES
from server.reloader import EngineHolder, Watcher

# Two rules with problems, at lines 5 and 10: a bad regex and an unknown category.
BROKEN_PACK = """pack: test-en
version: 9.9.9
languages: [en]
rules:
  - id: secrecy.test.bad
    category: secrecy
    severity: high
    patterns: ['(unclosed']
    advice: [no_secrets]
  - id: nope.test.x
    category: not-a-category
    severity: high
    keywords: [x]
"""


class DiskLoader:
    """`Engine.load` on a packs folder, as `notalone serve --rules DIR` does; counts its calls."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.calls = 0

    def __call__(self) -> Engine:
        self.calls += 1
        return Engine.load([self.folder])


def packs_folder(tmp_path: Path, version: str = "1.0.0") -> tuple[Path, Path]:
    """(folder, pack file) with the fixture pack at `version`."""
    folder = tmp_path / "packs"
    return folder, write_pack(folder, version=version)


def test_rules_endpoint_shape(tmp_path: Path) -> None:
    harness = make_harness(tmp_path)
    body = harness.get("/v1/rules").get_json()
    assert_matches_openapi("/v1/rules", "get", 200, body)
    (pack,) = body["packs"]
    digest = pack.pop("digest")
    assert pack == {"name": PACK_NAME, "version": "1.0.0", "languages": ["en"], "rules": 3}
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert body["categories"] == list(CATEGORIES)
    assert body["last_reload"]["ok"] is True


def test_reload_swaps_in_new_packs(tmp_path: Path) -> None:
    folder, _ = packs_folder(tmp_path)
    harness = make_harness(tmp_path, loader=DiskLoader(folder))
    before = harness.get("/v1/rules").get_json()["packs"][0]
    write_pack(folder, version="1.1.0")
    reply = harness.post("/v1/rules/reload", None)
    assert reply.status_code == 200
    body = reply.get_json()
    assert_matches_openapi("/v1/rules/reload", "post", 200, body)
    assert body["packs"][0]["version"] == "1.1.0"
    assert body["packs"][0]["digest"] != before["digest"]
    assert harness.get("/v1/health").get_json()["packs"][0]["version"] == "1.1.0"


def test_broken_pack_is_reported_and_the_last_good_one_keeps_serving(tmp_path: Path) -> None:
    folder, pack = packs_folder(tmp_path)
    harness = make_harness(tmp_path, loader=DiskLoader(folder))
    pack.write_text(BROKEN_PACK, encoding="utf-8")
    with pytest.raises(RulesError) as loaded:
        Engine.load([folder])
    body = harness.post("/v1/rules/reload", None).get_json()
    assert body["last_reload"]["ok"] is False
    errors = body["last_reload"]["errors"]
    assert errors == [str(problem) for problem in loaded.value.problems]
    # every problem is reported, each naming file, line and rule
    assert any(e.startswith(f"{pack}:5: [secrecy.test.bad] ") for e in errors), errors
    assert any(e.startswith(f"{pack}:10: [nope.test.x] ") for e in errors), errors
    assert body["packs"][0]["version"] == "1.0.0"  # still the first, good engine
    reply = harness.post("/v1/analyze", {"messages": [{"id": "1", "text": "secret"}]})
    assert reply.get_json()["results"][0]["findings"][0]["rule"] == SECRET_RULE
    write_pack(folder, version="1.0.1")
    fixed = harness.post("/v1/rules/reload", None).get_json()
    assert fixed["last_reload"] == {**fixed["last_reload"], "ok": True, "errors": []}
    assert fixed["packs"][0]["version"] == "1.0.1"


def test_unexpected_loader_crash_is_reported_not_raised(tmp_path: Path) -> None:
    folder, pack = packs_folder(tmp_path)
    holder = EngineHolder(DiskLoader(folder))
    # Nested deeper than the YAML loader can recurse: a crash, not a reported rules problem.
    depth = sys.getrecursionlimit()
    pack.write_text("pack: " + "[" * depth + "]" * depth + "\n", encoding="utf-8")
    status = holder.reload()
    assert (status.ok, len(status.errors)) == (False, 1)
    assert holder.last_reload == status
    assert holder.engine.packs[0].version == "1.0.0"


def test_every_answer_comes_from_one_engine_while_reloads_race(tmp_path: Path) -> None:
    # two real engines whose rule ids differ (secrecy.one.secret / secrecy.two.secret)
    engines = [Engine.load([write_pack(tmp_path / tag, tag=tag)]) for tag in ("one", "two")]
    calls = itertools.count()
    harness = make_harness(tmp_path, loader=lambda: engines[next(calls) % 2])
    messages = [{"id": str(i), "text": "secret"} for i in range(50)]
    stop = threading.Event()
    mixed: list[set[str]] = []

    def reload_forever() -> None:
        while not stop.wait(0.0005):  # a swap every half millisecond, during every request
            harness.holder.reload()

    reloader = threading.Thread(target=reload_forever)
    reloader.start()
    try:
        for _ in range(40):
            client = harness.app.test_client()
            body = client.post(
                "/v1/analyze", json={"messages": messages}, headers=harness.headers()
            )
            tags = {r["findings"][0]["rule"].split(".")[1] for r in body.get_json()["results"]}
            if len(tags) != 1:
                mixed.append(tags)
    finally:
        stop.set()
        reloader.join()
    assert next(calls) > 5  # reloads really happened meanwhile
    assert mixed == []


def _later(path: Path, seconds: float = 5) -> None:
    """Push the mtime forward: mtime granularity can be coarse on some file systems."""
    later = time.time() + seconds
    os.utime(path, (later, later))


def test_watcher_reloads_when_a_watched_file_changes(tmp_path: Path) -> None:
    folder, pack = packs_folder(tmp_path)
    holder = EngineHolder(DiskLoader(folder))
    watcher = Watcher(holder, interval=60)
    assert watcher.check() is False  # nothing changed
    write_pack(folder, version="1.1.0")
    _later(pack)
    assert watcher.check() is True
    assert holder.engine.packs[0].version == "1.1.0"
    assert watcher.check() is False  # once per change


def test_watcher_notices_a_new_pack_in_a_watched_folder(tmp_path: Path) -> None:
    folder, _ = packs_folder(tmp_path)
    holder = EngineHolder(DiskLoader(folder))
    watcher = Watcher(holder, interval=60)
    write_pack(folder, name="extra-en", tag="extra")
    _later(folder)
    assert watcher.check() is True
    assert sorted(p.name for p in holder.engine.packs) == ["extra-en", PACK_NAME]


def test_watcher_does_not_retry_a_broken_edit_until_the_next_one(tmp_path: Path) -> None:
    folder, pack = packs_folder(tmp_path)
    loader = DiskLoader(folder)
    holder = EngineHolder(loader)
    watcher = Watcher(holder, interval=60)
    pack.write_text(BROKEN_PACK, encoding="utf-8")
    _later(pack)
    assert watcher.check() is True
    assert holder.last_reload.ok is False
    assert watcher.check() is False
    assert loader.calls == 2  # the broken edit was tried once
    write_pack(folder, version="1.0.1")
    _later(pack, 10)
    assert watcher.check() is True
    assert holder.last_reload.ok is True
    assert holder.engine.packs[0].version == "1.0.1"


def test_watcher_thread_polls_on_its_own(tmp_path: Path) -> None:
    folder, pack = packs_folder(tmp_path)
    loader = DiskLoader(folder)
    holder = EngineHolder(loader)
    watcher = Watcher(holder, interval=0.05)
    watcher.start()
    try:
        write_pack(folder, version="1.1.0")
        _later(pack)
        deadline = time.monotonic() + 5
        while holder.engine.packs[0].version != "1.1.0" and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        watcher.stop()
    assert holder.engine.packs[0].version == "1.1.0"
