"""Fixtures for the real-browser tests: one Chromium with the extension, one real server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import (
    CHROMIUM,
    SCREENSHOTS_DIR,
    Browser,
    ServerProcess,
    add_other_site,
    fixture_server,
    launch_browser,
    pair_through_options,
    start_server,
)
from playwright.sync_api import Playwright, sync_playwright


def require_chromium() -> None:
    """Fails under CI (a missing browser is a broken setup there), skips with a reason locally."""
    if CHROMIUM.exists():
        return
    message = (
        f"{CHROMIUM} not found: the e2e tests need Debian's chromium (apt-get install chromium)"
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def playwright_session() -> Iterator[Playwright]:
    require_chromium()
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = start_server(tmp_path_factory.mktemp("notalone-data"))
    yield proc
    proc.stop()


@pytest.fixture(scope="session")
def fixture_port() -> Iterator[int]:
    with fixture_server() as port:
        yield port


@pytest.fixture(scope="session")
def browser(
    playwright_session: Playwright, fixture_port: int, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Browser]:
    b = launch_browser(playwright_session, tmp_path_factory.mktemp("profile"), fixture_port)
    yield b
    b.context.close()


@pytest.fixture(scope="session")
def paired(browser: Browser, server: ServerProcess) -> Browser:
    """The parent's setup: pair with the code `notalone serve` printed, add the local forum."""
    page = pair_through_options(browser, server, server.code)
    add_other_site(browser, page, f"http://127.0.0.1:{browser.fixture_port}/")
    page.close()
    return browser


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS_DIR
