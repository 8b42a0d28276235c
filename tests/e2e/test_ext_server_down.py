"""With `notalone serve` stopped, the badge says so and the popup explains how to start it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import (
    Browser,
    ServerProcess,
    launch_browser,
    locale_messages,
    pair_through_options,
    start_server,
)
from playwright.sync_api import Playwright

pytestmark = pytest.mark.e2e


@pytest.fixture()
def own_setup(
    playwright_session: Playwright, fixture_port: int, tmp_path: Path
) -> Iterator[tuple[Browser, ServerProcess]]:
    """A browser paired with a server of its own, so stopping it leaves the other tests alone."""
    server = start_server(tmp_path / "data")
    browser = launch_browser(playwright_session, tmp_path / "profile", fixture_port)
    try:
        pair_through_options(browser, server, server.code).close()
        yield browser, server
    finally:
        browser.context.close()
        server.stop()


def test_server_down_shows_on_badge_and_popup(
    own_setup: tuple[Browser, ServerProcess], screenshots: Path
) -> None:
    browser, server = own_setup
    en = locale_messages("en")
    assert browser.badge_text() == ""
    server.stop()
    popup = browser.context.new_page()
    popup.goto(browser.ext_url("popup/popup.html"))
    popup.locator("body[data-ready=true]").wait_for(timeout=8_000)
    assert popup.locator("#status").inner_text() == en["status_not_running"]
    down = popup.locator("#down")
    assert down.is_visible() and "notalone serve" in down.inner_text()
    assert browser.badge_text() == en["badge_off"]
    popup.set_viewport_size({"width": 372, "height": 300})
    popup.screenshot(path=str(screenshots / "popup-server-down.png"))
    popup.close()
