"""A gentle hint when the teen types personal details into the message box; nothing is blocked."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import Browser, locale_messages, open_site, set_language

pytestmark = pytest.mark.e2e

COMPOSERS = {
    "messenger": "div[role=textbox][contenteditable=true]",
    "zalo": "#richInput",
    "generic": "textarea#reply",
}

# (site, language, draft, hint expected); drafts written the way teens type them.
DRAFTS = [
    ("messenger", "en", "ok my number is 0912 345 678 text me", True),
    ("messenger", "en", "i live at 42 Maple Street, the blue house", True),
    ("messenger", "en", "see you at practice tomorrow!", False),
    ("zalo", "vi", "số điện thoại của mình là 0912 345 678 nha", True),
    ("generic", "vi", "Mình học lớp 8A trường THCS Nguyễn Du, quận 1", True),
    ("generic", "vi", "Cảm ơn bạn, bài viết rất hữu ích", False),
]

HINT_JS = (
    "() => document.querySelector('notalone-hint')?.shadowRoot.querySelector('p')?.textContent"
    " ?? null"
)


@pytest.mark.parametrize(("site", "lang", "draft", "hinted"), DRAFTS)
def test_outgoing_personal_info_gets_a_gentle_hint(
    paired: Browser, screenshots: Path, site: str, lang: str, draft: str, hinted: bool
) -> None:
    set_language(paired, lang)
    texts = locale_messages(lang)
    page = open_site(paired, site)
    box = page.locator(COMPOSERS[site])
    box.click()
    page.keyboard.type(draft, delay=5)
    if hinted:
        page.wait_for_function(f"({HINT_JS})() !== null", timeout=4_000)
        assert page.evaluate(HINT_JS) == texts["hint_personal_info"]
        page.screenshot(path=str(screenshots / f"{site}-{lang}-hint.png"))
        # nothing is blocked: the draft is still there, untouched
        typed = box.input_value() if site == "generic" else box.inner_text()
        assert typed.strip() == draft
        page.keyboard.press("Control+A")
        page.keyboard.press("Backspace")
        page.wait_for_function(f"({HINT_JS})() === null", timeout=3_000)
    else:
        page.wait_for_timeout(1_200)
        assert page.evaluate(HINT_JS) is None
    page.close()
