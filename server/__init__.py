"""The local Not Alone server and the `notalone` command line."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def _version() -> str:
    try:
        return version("notalone")
    except PackageNotFoundError:  # a source checkout that was never installed
        return "0.1.0"


__version__ = _version()
