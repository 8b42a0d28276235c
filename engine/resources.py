"""Where the bundled rule data lives."""

from __future__ import annotations

from pathlib import Path


def bundled_rules_dir() -> Path:
    """The wheel carries `rules/` as `engine/bundled_rules`; a source checkout has `rules/`."""
    installed = Path(__file__).resolve().parent / "bundled_rules"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parent.parent / "rules"
