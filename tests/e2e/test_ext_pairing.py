"""Pairing through the options page, and what the popup shows once connected."""

from __future__ import annotations

import pytest
from harness import Browser, ServerProcess, locale_messages, open_options, open_site

pytestmark = pytest.mark.e2e


def test_parent_pairs_with_printed_code_and_sees_connected(
    paired: Browser, server: ServerProcess
) -> None:
    page = open_options(paired)
    status = page.locator("#status")
    status.filter(has_text="Connected").wait_for(timeout=5_000)
    assert status.inner_text().strip().endswith("Connected")
    assert paired.storage("port") == server.port
    assert paired.badge_text() == ""  # nothing to warn about on the toolbar
    page.close()


def test_wrong_code_explains_and_keeps_connection(paired: Browser, server: ServerProcess) -> None:
    page = open_options(paired)
    wrong = "000000" if server.code != "000000" else "111111"
    page.locator("#code").fill(wrong)
    page.locator("#connect").click()
    error = page.locator("#pair-error")
    error.filter(has_text="isn't right").wait_for(timeout=5_000)
    assert error.inner_text() == locale_messages("en")["err_bad_code"]
    assert page.locator("#status.ok").is_visible()
    page.close()


def test_popup_shows_connection_pack_and_page_warnings(paired: Browser) -> None:
    site = open_site(paired, "messenger")
    site.locator("notalone-warning").first.wait_for(timeout=6_000)
    count = site.locator("notalone-warning").count()
    site.bring_to_front()
    tab = paired.active_tab_id()
    popup = paired.context.new_page()
    popup.goto(paired.ext_url(f"popup/popup.html?tab={tab}"))
    popup.locator("body[data-ready=true]").wait_for(timeout=5_000)
    assert popup.locator("#status").inner_text().strip().endswith("Connected")
    assert popup.locator("#packs").inner_text().startswith("Rules: core-")
    assert popup.locator("#warnings li").count() == count
    assert popup.locator("#down").is_hidden()
    popup.close()
    site.close()
