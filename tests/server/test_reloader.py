"""Rule reloads: atomic swap, broken packs reported while the last good ones keep serving."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from server_helpers import FakeEngine, FakePack, assert_matches_openapi, make_harness

from engine.errors import Problem, RulesError
from engine.model import CATEGORIES
from server.reloader import EngineHolder, Watcher


class Loader:
    """Returns a new FakeEngine per call, or raises what `broken` says."""

    def __init__(self, watched: list[Path] | None = None) -> None:
        self.calls = 0
        self.broken: Exception | None = None
        self.watched = watched or []

    def __call__(self) -> FakeEngine:
        self.calls += 1
        if self.broken is not None:
            raise self.broken
        version = f"1.{self.calls}"
        return FakeEngine(
            rule_prefix=f"v{self.calls}.",
            packs=(FakePack(version=version, digest=f"d{self.calls}"),),
            watched=self.watched,
        )


def test_rules_endpoint_shape(tmp_path: Path) -> None:
    harness = make_harness(tmp_path)
    body = harness.get("/v1/rules").get_json()
    assert_matches_openapi("/v1/rules", "get", 200, body)
    assert body["packs"] == [
        {"name": "fake-en", "version": "1.0.0", "languages": ["en"], "rules": 2, "digest": "d1"}
    ]
    assert body["categories"] == list(CATEGORIES)
    assert body["last_reload"]["ok"] is True


def test_reload_swaps_in_new_packs(tmp_path: Path) -> None:
    loader = Loader()
    harness = make_harness(tmp_path, loader=loader)
    reply = harness.post("/v1/rules/reload", None)
    assert reply.status_code == 200
    body = reply.get_json()
    assert_matches_openapi("/v1/rules/reload", "post", 200, body)
    assert body["packs"][0]["version"] == "1.2"
    assert harness.get("/v1/health").get_json()["packs"][0]["version"] == "1.2"


def test_broken_pack_is_reported_and_the_last_good_one_keeps_serving(tmp_path: Path) -> None:
    loader = Loader()
    harness = make_harness(tmp_path, loader=loader)
    loader.broken = RulesError(
        [
            Problem("rules/packs/x.yaml", 12, "secrecy.en.bad", "pattern does not compile"),
            Problem("rules/packs/x.yaml", 30, None, "unknown field 'sevrity'"),
        ]
    )
    body = harness.post("/v1/rules/reload", None).get_json()
    assert body["last_reload"]["ok"] is False
    assert body["last_reload"]["errors"] == [
        "rules/packs/x.yaml:12: [secrecy.en.bad] pattern does not compile",
        "rules/packs/x.yaml:30: unknown field 'sevrity'",
    ]
    assert body["packs"][0]["version"] == "1.1"  # still the first, good engine
    reply = harness.post("/v1/analyze", {"messages": [{"id": "1", "text": "secret"}]})
    assert reply.get_json()["results"][0]["findings"][0]["rule"] == "v1.secrecy.fake.secret"
    loader.broken = None
    fixed = harness.post("/v1/rules/reload", None).get_json()
    assert fixed["last_reload"] == {**fixed["last_reload"], "ok": True, "errors": []}


def test_unexpected_loader_crash_is_reported_not_raised(tmp_path: Path) -> None:
    loader = Loader()
    holder = EngineHolder(loader)
    loader.broken = OSError("disk gone")
    status = holder.reload()
    assert (status.ok, status.errors) == (False, ("OSError: disk gone",))
    assert holder.engine.packs[0].version == "1.1"


def test_every_answer_comes_from_one_engine_while_reloads_race(tmp_path: Path) -> None:
    loader = Loader()
    harness = make_harness(tmp_path, loader=loader)
    messages = [{"id": str(i), "text": "secret"} for i in range(50)]
    stop = threading.Event()
    mixed: list[set[str]] = []

    def reload_forever() -> None:
        while not stop.is_set():
            harness.holder.reload()

    reloader = threading.Thread(target=reload_forever)
    reloader.start()
    try:
        for _ in range(40):
            client = harness.app.test_client()
            body = client.post(
                "/v1/analyze", json={"messages": messages}, headers=harness.headers()
            )
            prefixes = {r["findings"][0]["rule"].split(".")[0] for r in body.get_json()["results"]}
            if len(prefixes) != 1:
                mixed.append(prefixes)
    finally:
        stop.set()
        reloader.join()
    assert loader.calls > 5  # reloads really happened meanwhile
    assert mixed == []


def _bump(path: Path, text: str) -> None:
    path.write_text(text)
    later = time.time() + 5
    os.utime(path, (later, later))  # mtime granularity can be coarse on some file systems


def test_watcher_reloads_when_a_watched_file_changes(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text("v1")
    loader = Loader(watched=[pack])
    holder = EngineHolder(loader)
    watcher = Watcher(holder, interval=60)
    assert watcher.check() is False  # nothing changed
    _bump(pack, "v2")
    assert watcher.check() is True
    assert holder.engine.packs[0].version == "1.2"
    assert watcher.check() is False  # once per change


def test_watcher_notices_a_new_file_in_a_watched_folder(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text("v1")
    watcher = Watcher(EngineHolder(Loader(watched=[pack])), interval=60)
    new = tmp_path / "new.yaml"
    new.write_text("x")
    later = time.time() + 5
    os.utime(tmp_path, (later, later))
    assert watcher.check() is True


def test_watcher_does_not_retry_a_broken_edit_until_the_next_one(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text("v1")
    loader = Loader(watched=[pack])
    holder = EngineHolder(loader)
    watcher = Watcher(holder, interval=60)
    loader.broken = RulesError([Problem(str(pack), 1, None, "broken")])
    _bump(pack, "broken")
    assert watcher.check() is True
    assert holder.last_reload.ok is False
    assert watcher.check() is False
    loader.broken = None
    pack.write_text("fixed!")
    later = time.time() + 10
    os.utime(pack, (later, later))
    assert watcher.check() is True
    assert holder.last_reload.ok is True


def test_watcher_thread_polls_on_its_own(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text("v1")
    loader = Loader(watched=[pack])
    holder = EngineHolder(loader)
    watcher = Watcher(holder, interval=0.05)
    watcher.start()
    try:
        _bump(pack, "v2")
        deadline = time.monotonic() + 5
        while loader.calls < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        watcher.stop()
    assert loader.calls >= 2
