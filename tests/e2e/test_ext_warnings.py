"""Warnings under risky messages, none under benign ones, on every supported site and language."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import (
    Browser,
    expectations,
    locale_messages,
    open_site,
    set_language,
    warning_for,
)

pytestmark = pytest.mark.e2e

SITES = ["messenger", "zalo", "discord", "telegram", "instagram", "generic"]


def headlines(lang: str) -> set[str]:
    return {text for key, text in locale_messages(lang).items() if key.startswith("cat_")}


@pytest.mark.parametrize("lang", ["en", "vi"])
@pytest.mark.parametrize("site", SITES)
def test_risky_messages_warned_benign_left_alone(
    paired: Browser, screenshots: Path, site: str, lang: str
) -> None:
    set_language(paired, lang)
    page = open_site(paired, site)
    rows = expectations(page)
    page.screenshot(path=str(screenshots / f"{site}-{lang}.png"), full_page=True)
    page.close()
    missed = [r["text"] for r in rows if r["expect"] == "warn" and r["headline"] is None]
    noisy = [r["text"] for r in rows if r["expect"] == "none" and r["headline"] is not None]
    assert (missed, noisy) == ([], [])
    shown = {r["headline"] for r in rows if r["headline"]}
    assert shown <= headlines(lang), "warning text is not in the chosen language"


# Messages a site adds after the page loaded (source: typical grooming / scam openers).
LATER = [
    (
        "discord",
        "en",
        "if you tell your mom about me we can't be friends anymore, keep it between us",
        True,
    ),
    ("discord", "en", "did anyone finish the chemistry worksheet?", False),
    (
        "instagram",
        "en",
        "come to my place this weekend, I'll pick you up, don't bring anyone",
        True,
    ),
    ("instagram", "en", "haha that meme is so true", False),
    (
        "zalo",
        "vi",
        "Chuyện này em đừng kể với bố mẹ nha, giữ bí mật giữa hai anh em mình thôi",
        True,
    ),
    ("zalo", "vi", "Tối nay lớp mình học nhóm ở nhà Lan nhé", False),
]


@pytest.mark.parametrize(("site", "lang", "text", "warned"), LATER)
def test_messages_added_later_are_caught(
    paired: Browser, site: str, lang: str, text: str, warned: bool
) -> None:
    set_language(paired, lang)
    page = open_site(paired, site)
    expectations(page)  # the initial page is done
    page.evaluate("(text) => window.fixture.add(text)", text)
    assert warning_for(page, text, timeout_ms=3_000 if warned else 1_500) == warned
    page.close()


def test_warning_panels_work_from_the_keyboard(paired: Browser, screenshots: Path) -> None:
    set_language(paired, "en")
    en = locale_messages("en")
    page = open_site(paired, "messenger")
    warning = page.locator("notalone-warning").first
    warning.wait_for(timeout=6_000)
    why = warning.locator("button", has_text=en["btn_why"])
    why.focus()
    page.keyboard.press("Enter")
    assert why.get_attribute("aria-expanded") == "true"
    panel = warning.locator(".panel:not([hidden])")
    marked = panel.locator("mark").all_inner_texts()
    message = page.locator("div[role=row][data-expect=warn]").first.inner_text()
    assert marked and all(m in message for m in marked)
    headings = set(panel.locator("h3").all_inner_texts())
    assert headings & {
        en["advice_nos"].upper(),
        en["advice_musts"].upper(),
        en["advice_nos"],
        en["advice_musts"],
    }
    page.screenshot(path=str(screenshots / "messenger-why.png"))

    page.keyboard.press("Tab")  # focus moves on to "Block & report"
    active = page.evaluate("document.activeElement.shadowRoot.activeElement.textContent")
    assert active == en["btn_block"]
    page.keyboard.press("Enter")
    steps = warning.locator(".panel:not([hidden]) ol li").all_inner_texts()
    assert len(steps) >= 3 and en["block_messenger_2"] in steps
    assert "messenger" in warning.locator(".panel:not([hidden]) h3").inner_text().lower()

    warning.locator("button", has_text=en["btn_talk"]).click()
    talk = warning.locator(".panel:not([hidden])")
    assert "Messenger" in talk.locator("textarea").input_value()
    assert talk.locator("a[href='tel:111']").is_visible()
    page.screenshot(path=str(screenshots / "messenger-talk.png"))
    page.close()


def test_escalating_conversation_gets_a_banner(paired: Browser, screenshots: Path) -> None:
    set_language(paired, "en")
    # a conversation of its own: the server remembers each thread's earlier messages
    fresh = "https://www.instagram.com/direct/t/9100001/"
    page = open_site(paired, "instagram", query="empty", url=fresh)
    page.evaluate("() => window.fixture.add('hey, loved your last story')")
    page.wait_for_timeout(800)
    assert page.locator("notalone-banner").count() == 0
    first = "just don't tell your parents about our chats ok, it's just between us"
    page.evaluate("(t) => window.fixture.add(t)", first)
    assert warning_for(page, first)
    assert page.locator("notalone-banner").count() == 0  # one sign alone: the card is enough
    second = "let's do a video call on zoom tonight, just us two: https://zoom.us/j/84512345678"
    page.evaluate("(t) => window.fixture.add(t)", second)
    assert warning_for(page, second)
    banner = page.locator("notalone-banner")
    banner.wait_for(timeout=3_000)
    assert locale_messages("en")["banner_title"] in banner.locator(".banner").inner_text()
    page.screenshot(path=str(screenshots / "instagram-banner.png"))
    # "Hide" is respected: more risky messages in this conversation do not bring it back
    banner.locator("button", has_text=locale_messages("en")["btn_hide"]).click()
    third = "where do you live? send me your address and I'll come get you"
    page.evaluate("(t) => window.fixture.add(t)", third)
    assert warning_for(page, third)
    assert page.locator("notalone-banner").count() == 0
    page.close()
