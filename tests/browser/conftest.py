"""Chromium, driven through Playwright, against pytest-django's live server.

Debian's Chromium is used as installed (Playwright never downloads a browser here). Without
it the browser tests skip, saying why, unless TRELLIS_REQUIRE_BROWSER=1 (CI), where a
missing browser is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls
# from a thread with a running loop unless told this is safe (it is: the loop is idle).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path(os.environ.get("TRELLIS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        reason = f"Chromium not found at {CHROMIUM} (install Debian's chromium package)"
        if os.environ.get("TRELLIS_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason}; TRELLIS_REQUIRE_BROWSER=1 requires it")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@dataclass
class Web:
    """A browser tab on the live server that remembers what went wrong in the console
    (a Content-Security-Policy violation shows up there)."""

    page: Any
    base_url: str
    console_errors: list[str] = field(default_factory=list)

    def go(self, path: str) -> Any:
        response = self.page.goto(self.base_url + path)
        assert response is not None
        return response

    def sign_in(self, email: str, password: str) -> None:
        self.go("/accounts/login/")
        self.page.get_by_label("E-mail address").fill(email)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_load_state()


@pytest.fixture
def web_factory(chromium: Any, live_server: Any) -> Iterator[Any]:
    contexts = []

    def make(viewport: dict[str, int] = DESKTOP, javascript: bool = True) -> Web:
        context = chromium.new_context(viewport=viewport, java_script_enabled=javascript)
        contexts.append(context)
        web = Web(page=context.new_page(), base_url=live_server.url)
        web.page.on(
            "console",
            lambda msg: web.console_errors.append(msg.text) if msg.type == "error" else None,
        )
        return web

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def web(web_factory: Any) -> Web:
    return web_factory()
