"""Risky links get a marker, and clicking one first shows a pause with "Go back" focused."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import Browser, expectations, locale_messages, open_site, set_language

pytestmark = pytest.mark.e2e

INVITE = "a[href='https://t.me/+Xq9LmZ2AbCdEf']"
ACTIVE_TEXT_JS = (
    "() => document.querySelector('notalone-interstitial')?.shadowRoot.activeElement?.textContent"
)


def test_risky_link_is_marked_and_benign_one_is_not(paired: Browser) -> None:
    set_language(paired, "en")
    page = open_site(paired, "discord")
    expectations(page)
    page.locator("notalone-link").first.wait_for(timeout=3_000)
    lookalike = page.locator("a[href='https://dlscord-gift.com/claim'] + notalone-link")
    benign = page.locator("a[href^='https://www.youtube.com'] + notalone-link")
    assert (lookalike.count(), benign.count()) == (1, 0)
    page.close()


def test_click_on_risky_link_pauses_and_go_back_is_default(
    paired: Browser, screenshots: Path
) -> None:
    set_language(paired, "en")
    en = locale_messages("en")
    page = open_site(paired, "messenger")
    page.locator(f"{INVITE} + notalone-link").wait_for(timeout=6_000)
    url_before = page.url
    page.locator(INVITE).click()
    dialog = page.locator("notalone-interstitial .dialog")
    dialog.wait_for(timeout=2_000)
    text = dialog.inner_text()
    assert en["link_title"] in text and en["reason_group_invite"] in text
    assert page.evaluate(ACTIVE_TEXT_JS) == en["btn_go_back"]
    page.screenshot(path=str(screenshots / "messenger-link-interstitial.png"))

    page.keyboard.press("Enter")  # the default: go back
    assert dialog.count() == 0 and page.url == url_before

    page.locator(INVITE).click()
    with paired.context.expect_page(timeout=5_000) as opened:
        dialog.locator("button", has_text=en["btn_open_anyway"]).click()
    target = opened.value
    target.wait_for_load_state()
    assert target.url.startswith("https://t.me/+Xq9LmZ2AbCdEf")
    target.close()
    page.close()
