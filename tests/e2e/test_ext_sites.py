"""The parent decides where Not Alone runs: built-in sites can be turned off, and the generic
adapter runs only on sites added under "Other sites"."""

from __future__ import annotations

import pytest
from harness import Browser, expectations, open_options, open_site, set_language
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def warning_count_after_load(browser: Browser, site: str, url: str | None = None) -> int:
    page = open_site(browser, site, url=url)
    page.wait_for_timeout(1_500)
    count = page.locator("notalone-warning").count()
    page.close()
    return count


def test_generic_adapter_only_on_sites_the_parent_added(paired: Browser) -> None:
    set_language(paired, "en")
    added = open_site(paired, "generic")
    assert any(r["headline"] for r in expectations(added))
    added.close()
    # the same page under another host name (not added by the parent) is left alone
    other = f"http://localhost:{paired.fixture_port}/generic.html"
    assert warning_count_after_load(paired, "generic", url=other) == 0


def test_site_turned_off_in_options_is_not_checked(paired: Browser) -> None:
    options = open_options(paired)
    discord = options.locator("input[data-site=discord]")
    discord.uncheck()
    expect(options.locator("#saved")).not_to_have_text("")
    try:
        assert warning_count_after_load(paired, "discord") == 0
    finally:
        discord.check()
    assert warning_count_after_load(paired, "discord") > 0
    options.close()
