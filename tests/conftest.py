"""Shared test set-up: the engine's pattern-facts cache lives in a temporary folder, never in the
developer's own cache directory (subprocesses inherit it through the environment)."""

from __future__ import annotations

import os
import tempfile

os.environ["NOTALONE_CACHE_DIR"] = tempfile.mkdtemp(prefix="notalone-test-cache-")
