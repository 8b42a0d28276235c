"""Real-browser harness: the real `notalone serve`, fixture pages, Chromium with the extension.

Used by the e2e tests and by `bench/e2e_latency.py`. Nothing here stubs the Not Alone server: the
extension talks to a `notalone serve` subprocess running the bundled rule packs.

Fixture pages mimic each supported site's markup. They are served on 127.0.0.1 by a small HTTP
server; for the built-in sites the real site URL (e.g. https://www.messenger.com/t/...) is routed
with Playwright's `context.route` to that local server, so the extension's site adapter applies
exactly as on the real site and no real network is ever touched. The generic page is opened on
127.0.0.1 itself, after a parent adds that address under "Other sites" in the options page.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Page, Playwright, Route, Worker, expect

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # bench/e2e_latency.py imports this file by path, as a script
    sys.path.insert(0, str(ROOT))

from bench.serve_process import Served, start_serve  # noqa: E402

EXTENSION_DIR = ROOT / "extension"
FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"
SCREENSHOTS_DIR = Path(__file__).resolve().parent / "screenshots"
CHROMIUM = Path(os.environ.get("NOTALONE_CHROMIUM", "/usr/bin/chromium"))

CHROMIUM_ARGS = [
    f"--disable-extensions-except={EXTENSION_DIR}",
    f"--load-extension={EXTENSION_DIR}",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Where each fixture is opened: the real site's URL (routed to the fixture) or the local server.
SITE_URLS: dict[str, str] = {
    "messenger": "https://www.messenger.com/t/100042/",
    "zalo": "https://chat.zalo.me/",
    "discord": "https://discord.com/channels/111/222",
    "telegram": "https://web.telegram.org/k/#@canbo_dieutra",
    "instagram": "https://www.instagram.com/direct/t/3400/",
    "generic": "LOCAL/generic.html",
}
# Hosts whose requests are answered by the fixture server (`t.me` etc. get a harmless landing page).
ROUTED_HOSTS: dict[str, str] = {
    "www.messenger.com": "messenger.html",
    "chat.zalo.me": "zalo.html",
    "discord.com": "discord.html",
    "web.telegram.org": "telegram.html",
    "www.instagram.com": "instagram.html",
    "t.me": "landing.html",
}

PAIRING_RE = re.compile(r"Pairing code:\s*(\d{6})")


def notalone_command() -> list[str]:
    """The `notalone` console script of this interpreter's environment (or `python -m server`)."""
    beside = Path(sys.executable).with_name("notalone")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("notalone")
    if found:
        return [found]
    return [sys.executable, "-m", "server"]  # a source checkout that is not installed


@dataclass
class ServerProcess:
    """A running `notalone serve --port 0` with the port and pairing code it printed."""

    served: Served

    @property
    def port(self) -> int:
        return self.served.port

    @property
    def code(self) -> str:
        return self.served.code

    @property
    def data_dir(self) -> Path:
        return self.served.data_dir

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def new_code(self) -> str:
        """A fresh single-use pairing code from `notalone pair`."""
        out = subprocess.run(
            [*notalone_command(), "pair", "--data-dir", str(self.data_dir)],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout
        match = PAIRING_RE.search(out) or re.search(r"\b(\d{6})\b", out)
        if not match:
            raise RuntimeError("notalone pair printed no code")
        return match.group(1)

    def post(self, path: str, body: dict[str, Any], token: str | None = None) -> Any:
        """A direct call (no Origin header, like the CLI) to check what the server remembers."""
        request = urllib.request.Request(
            self.base_url + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"}
            | ({"Authorization": f"Bearer {token}"} if token else {}),
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def stop(self) -> None:
        self.served.stop(timeout=10)


def start_server(data_dir: Path, timeout: float = 60.0) -> ServerProcess:
    """Starts the installed `notalone serve --port 0` and reads its port and pairing code."""
    return ServerProcess(start_serve(data_dir, command=notalone_command(), timeout=timeout))


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def fixture_server() -> Iterator[int]:
    """Serves tests/e2e/fixtures on 127.0.0.1; yields the port."""
    handler = functools.partial(_QuietHandler, directory=str(FIXTURES_DIR))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(httpd.server_address[1])
    finally:
        httpd.shutdown()
        httpd.server_close()


@dataclass
class Browser:
    """Chromium with the unpacked extension loaded, plus what the tests need to drive it."""

    context: BrowserContext
    extension_id: str
    worker: Worker
    fixture_port: int
    lang: str | None = None

    def ext_url(self, path: str) -> str:
        return f"chrome-extension://{self.extension_id}/{path}"

    def site_url(self, site: str) -> str:
        return SITE_URLS[site].replace("LOCAL", f"http://127.0.0.1:{self.fixture_port}")

    def storage(self, key: str) -> Any:
        return self.worker.evaluate(f"chrome.storage.local.get('{key}').then(v => v['{key}'])")

    def badge_text(self) -> str:
        return str(self.worker.evaluate("chrome.action.getBadgeText({})"))

    def active_tab_id(self) -> int:
        return int(
            self.worker.evaluate(
                "chrome.tabs.query({active: true, lastFocusedWindow: true}).then(t => t[0].id)"
            )
        )


def route_sites(context: BrowserContext, fixture_port: int) -> None:
    """Answers requests for the supported sites' hosts from the fixture server."""

    def handle(route: Route) -> None:
        url = route.request.url
        host = url.split("/")[2]
        path = "/" + url.split("/", 3)[3] if url.count("/") >= 3 else "/"
        if re.search(r"\.(js|css|png|ico)(\?|$)", path):
            local = f"http://127.0.0.1:{fixture_port}{path.split('?')[0]}"
        else:
            local = f"http://127.0.0.1:{fixture_port}/{ROUTED_HOSTS[host]}"
        response = route.fetch(url=local)
        route.fulfill(response=response)

    for host in ROUTED_HOSTS:
        context.route(f"https://{host}/**", handle)


def launch_browser(pw: Playwright, user_data_dir: Path, fixture_port: int) -> Browser:
    """Launches headless Chromium with the extension; the id comes from its service worker URL."""
    context = pw.chromium.launch_persistent_context(
        str(user_data_dir),
        executable_path=str(CHROMIUM),
        headless=True,
        args=CHROMIUM_ARGS,
        viewport={"width": 900, "height": 760},
        locale="en-US",
    )
    workers = [w for w in context.service_workers if w.url.startswith("chrome-extension://")]
    worker = workers[0] if workers else context.wait_for_event("serviceworker", timeout=15_000)
    extension_id = worker.url.split("/")[2]
    route_sites(context, fixture_port)
    return Browser(context, extension_id, worker, fixture_port)


def pair_through_options(browser: Browser, server: ServerProcess, code: str) -> Page:
    """What a parent does: open the options page, type the port and code, press Connect."""
    page = open_options(browser)
    page.locator("details summary").click()
    page.locator("#port").fill(str(server.port))
    page.locator("#port").dispatch_event("change")
    page.locator("#code").fill(code)
    page.locator("#connect").click()
    page.locator("#status.ok").wait_for(timeout=10_000)
    return page


def add_other_site(browser: Browser, page: Page, address: str) -> None:
    """Adds an "Other site" through the options page (the generic adapter runs only there)."""
    page.locator("#other").fill(address)
    page.locator("#other-form button[type=submit]").click()
    page.locator("#other-list li span").first.wait_for(timeout=5_000)


def open_options(browser: Browser) -> Page:
    """The options page once it reacts to input (its script marks `body[data-ready]`).

    Extension pages forbid eval, so waits here use locators rather than `wait_for_function`.
    """
    page = browser.context.new_page()
    page.goto(browser.ext_url("options/options.html"))
    page.locator("body[data-ready]").wait_for(timeout=10_000)
    return page


def set_language(browser: Browser, lang: str) -> None:
    """Chooses the warning language in the options page, as a parent would."""
    if browser.lang == lang:
        return
    page = open_options(browser)
    page.locator(f"input[name=lang][value={lang}]").check()
    expect(page.locator("html")).to_have_attribute("lang", lang)
    page.close()
    browser.lang = lang


def locale_messages(lang: str) -> dict[str, str]:
    """The extension's own texts for a language, to check what the teen sees."""
    data = json.loads((EXTENSION_DIR / "_locales" / lang / "messages.json").read_text("utf-8"))
    return {key: value["message"] for key, value in data.items()}


# What the page shows for each fixture message marked `data-expect` (warn | none | maybe).
EXPECTATIONS_JS = """() => [...document.querySelectorAll('[data-expect]')].map((el) => {
  const next = el.nextElementSibling;
  const host = el.querySelector('notalone-warning')
    || (next && next.localName === 'notalone-warning' ? next : null);
  return {
    expect: el.dataset.expect,
    text: el.textContent.trim().slice(0, 70),
    headline: host ? host.shadowRoot.querySelector('.headline').textContent : null,
  };
})"""

ALL_WARNED_JS = f"""() => {{
  const rows = ({EXPECTATIONS_JS})();
  return rows.length > 0 && rows.every((r) => r.expect !== 'warn' || r.headline !== null);
}}"""


def open_site(browser: Browser, site: str, query: str = "", url: str | None = None) -> Page:
    """Opens a fixture page at its site's URL (routed) and waits for the extension to start."""
    page = browser.context.new_page()
    url = url or browser.site_url(site)
    if query:
        base, _, fragment = url.partition("#")
        url = f"{base}?{query}" + (f"#{fragment}" if fragment else "")
    page.goto(url)
    page.wait_for_load_state("load")
    return page


def expectations(page: Page, timeout_ms: int = 6_000) -> list[dict[str, Any]]:
    """Waits until every `warn` message has its warning (or the timeout), then reports all."""
    with contextlib.suppress(Exception):
        page.wait_for_function(ALL_WARNED_JS, timeout=timeout_ms)
    page.wait_for_timeout(300)  # messages of the same batch are drawn together; let paint settle
    rows: list[dict[str, Any]] = page.evaluate(EXPECTATIONS_JS)
    return rows


def warning_for(page: Page, text: str, timeout_ms: int = 3_000) -> bool:
    """True when the message containing `text` gets a warning within the timeout."""
    js = """(text) => [...document.querySelectorAll('notalone-warning')].some((w) => (
        w.parentElement.textContent + (w.previousElementSibling?.textContent || '')
    ).includes(text))"""
    try:
        page.wait_for_function(js, arg=text, timeout=timeout_ms)
    except Exception:
        return False
    return True
