"""'Not a problem' hides the warning and tells the server, which stops that rule for that sender."""

from __future__ import annotations

import pytest
from harness import Browser, ServerProcess, locale_messages, open_site, set_language, warning_for

pytestmark = pytest.mark.e2e

RISKY = "keep this a secret from your parents ok, they would never understand us"
# the same words in other case and punctuation: not a cache hit, the same rules, and the same
# words for the classifier, so its veto treats both alike
SIMILAR = "Keep this a secret from your parents OK. They would never understand us"


def test_not_a_problem_hides_warning_and_reaches_feedback(
    paired: Browser, server: ServerProcess
) -> None:
    set_language(paired, "en")
    en = locale_messages("en")
    page = open_site(paired, "discord", query="empty")
    page.evaluate("(t) => window.fixture.add(t, {sender: 'cousin_linh'})", RISKY)
    assert warning_for(page, RISKY)
    token = paired.storage("token")
    before = server.post(
        "/v1/analyze", {"messages": [{"id": "x", "text": SIMILAR, "sender": "cousin_linh"}]}, token
    )
    rules = {f["rule"] for f in before["results"][0]["findings"]}
    assert rules, "the similar message should match the same kind of rule before feedback"
    risky = server.post("/v1/analyze", {"messages": [{"id": "r", "text": RISKY}]}, token)
    assert rules <= {f["rule"] for f in risky["results"][0]["findings"]}, "pick a closer SIMILAR"

    page.locator("notalone-warning button", has_text=en["btn_dismiss"]).click()
    assert page.locator("notalone-warning .thanks").inner_text() == en["dismissed"]
    page.locator("notalone-warning").wait_for(state="detached", timeout=5_000)

    # The server now skips those rules for this sender...
    page.wait_for_timeout(300)
    after = server.post(
        "/v1/analyze", {"messages": [{"id": "y", "text": SIMILAR, "sender": "cousin_linh"}]}, token
    )
    assert not rules & {f["rule"] for f in after["results"][0]["findings"]}
    # ...so the extension stays quiet for them, but still warns about someone else.
    page.evaluate("(t) => window.fixture.add(t, {sender: 'cousin_linh'})", SIMILAR)
    assert not warning_for(page, SIMILAR, timeout_ms=1_500)
    page.evaluate("(t) => window.fixture.add(t, {sender: 'stranger_99'})", RISKY + "!")
    assert warning_for(page, RISKY + "!")
    page.close()
