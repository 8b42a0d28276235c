"""Fixtures for the server tests (helpers live in server_helpers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from server_helpers import Harness, make_harness


@pytest.fixture
def harness(tmp_path: Path) -> Harness:
    return make_harness(tmp_path)
