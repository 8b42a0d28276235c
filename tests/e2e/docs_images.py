"""Regenerates the screenshots in docs/img/ used by docs/extension.md (run by hand, not by CI).

/work/venv/bin/python tests/e2e/docs_images.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from harness import (
    ROOT,
    Browser,
    add_other_site,
    fixture_server,
    launch_browser,
    open_site,
    pair_through_options,
    set_language,
    start_server,
)
from playwright.sync_api import Page, sync_playwright

OUT = ROOT / "docs" / "img"


def shot(page: Page, name: str, full_page: bool = False) -> None:
    page.screenshot(path=str(OUT / name), full_page=full_page)
    print("wrote", OUT / name)


def extensions_page(browser: Browser) -> None:
    page = browser.context.new_page()
    page.set_viewport_size({"width": 1000, "height": 420})
    page.goto("chrome://extensions")
    page.locator("#devMode").click()
    page.get_by_text("Load unpacked").first.wait_for()
    page.wait_for_timeout(800)  # the developer toolbar slides in
    shot(page, "install-load-unpacked.png")
    page.close()


def warnings(browser: Browser) -> None:
    for lang in ("en", "vi"):
        set_language(browser, lang)
        page = open_site(browser, "telegram" if lang == "vi" else "messenger")
        page.locator("notalone-warning").first.wait_for(timeout=6_000)
        page.wait_for_timeout(300)
        shot(page, f"warnings-{lang}.png")
        warning = page.locator("notalone-warning").first
        page.evaluate(
            "() => document.querySelectorAll('.composer, .chat-input')"
            ".forEach((c) => { c.style.display = 'none'; })"
        )
        warning.evaluate("(w) => w.scrollIntoView({block: 'start'})")
        warning.locator("button.toggle").first.click()
        warning.screenshot(path=str(OUT / f"warning-why-{lang}.png"))
        page.close()
    set_language(browser, "en")
    page = open_site(browser, "messenger")
    page.locator("notalone-link").first.wait_for(timeout=6_000)
    page.locator("a[href^='https://t.me/']").click()
    page.locator("notalone-interstitial .dialog").wait_for()
    shot(page, "link-interstitial.png")
    page.keyboard.press("Escape")
    page.locator("div[role=textbox]").click()
    page.keyboard.type("my number is 0912 345 678", delay=5)
    page.wait_for_function("() => document.querySelector('notalone-hint')")
    page.wait_for_timeout(200)
    shot(page, "outgoing-hint.png")
    page.bring_to_front()
    tab = browser.active_tab_id()
    popup = browser.context.new_page()
    popup.set_viewport_size({"width": 372, "height": 330})
    popup.goto(browser.ext_url(f"popup/popup.html?tab={tab}"))
    popup.locator("body[data-ready=true]").wait_for()
    shot(popup, "popup-connected.png")
    popup.close()
    page.close()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        server = start_server(Path(tmp) / "data")
        try:
            with fixture_server() as port, sync_playwright() as pw:
                browser = launch_browser(pw, Path(tmp) / "profile", port)
                extensions_page(browser)
                options = browser.context.new_page()
                options.goto(browser.ext_url("options/options.html"))
                shot(options, "options-before-pairing.png", full_page=True)
                options.close()
                options = pair_through_options(browser, server, server.code)
                add_other_site(browser, options, f"http://127.0.0.1:{port}/")
                shot(options, "options-connected.png", full_page=True)
                options.close()
                warnings(browser)
                server.stop()
                popup = browser.context.new_page()
                popup.set_viewport_size({"width": 372, "height": 250})
                popup.goto(browser.ext_url("popup/popup.html"))
                popup.locator("body[data-ready=true]").wait_for()
                shot(popup, "popup-server-down.png")
                browser.context.close()
        finally:
            server.stop()


if __name__ == "__main__":
    main()
