"""The SQLite store: owner-only file, tokens, revocation from another handle (`notalone unpair`)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from server.store import Store


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_database_file_is_owner_only(tmp_path: Path) -> None:
    store = Store(tmp_path)
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600


def test_tokens_add_check_revoke(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.add_token("tok-1")
    store.add_token("tok-2")
    assert store.token_valid("tok-1")
    assert not store.token_valid("tok-3")
    # a second handle, as `notalone unpair` opens while the server runs
    assert Store(tmp_path).revoke_tokens() == 2
    assert not store.token_valid("tok-1")
    assert Store(tmp_path).revoke_tokens() == 0


def test_suppressions_many_keys(tmp_path: Path) -> None:
    from server.store import Feedback

    store = Store(tmp_path)
    for i in range(0, 1200, 100):
        store.record_feedback(Feedback("not_a_problem", rules=(f"r{i}",), sender=f"s{i}"))
    keys = [("sender", f"s{i}") for i in range(1200)]  # more than one SQL chunk
    found = store.suppressed_rules(keys)
    assert found == {("sender", f"s{i}"): frozenset({f"r{i}"}) for i in range(0, 1200, 100)}


def test_lone_surrogates_do_not_crash_hashing(tmp_path: Path) -> None:
    from server.store import Feedback

    store = Store(tmp_path)
    store.record_feedback(Feedback("not_a_problem", rules=("r",), sender="\ud83d"))
    assert store.suppressed_rules([("sender", "\ud83d")]) == {
        ("sender", "\ud83d"): frozenset({"r"})
    }
    assert not store.token_valid("\udc00")
