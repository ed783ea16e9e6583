"""Driving the console in a real browser: Debian's Chromium through Playwright, never a download.

The browser tests are skipped, with the reason, only where Playwright or Chromium is missing
(`scripts/test` installs Chromium with apt when it runs as root). Every page runs offline: any
request that leaves the gateway's origin is refused and fails the test, and so does a script
error or a Content-Security-Policy violation. The one exception is content: images that
editors or the catalogue name by URL (a banner's imageUrl, a product photo on a CDN) are
refused too, as offline, but recorded in `content_images` instead of failing the test; the
console must show a placeholder for them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser")


def chromium_path() -> str | None:
    configured = os.environ.get("VITRINE_CHROMIUM")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return next((found for name in CHROMIUM_CANDIDATES if (found := shutil.which(name))), None)


def _browser_problem() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (scripts/bootstrap dev installs it)"
    if chromium_path() is None:
        return "chromium is not installed (apt-get install chromium, as root; scripts/test does it when it can)"
    return None


BROWSER_PROBLEM = _browser_problem()
requires_browser = pytest.mark.skipif(BROWSER_PROBLEM is not None, reason=f"browser tests: {BROWSER_PROBLEM}")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-extensions"]


@dataclass
class PageWatch:
    """What a page did that a test must not let pass: script errors, CSP violations, calls out."""

    origin: str
    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    content_images: list[str] = field(default_factory=list)

    def check(self) -> None:
        assert not self.outside, f"the page asked for something outside the gateway: {self.outside}"
        assert not self.errors, f"the page reported errors: {self.errors}"


def watch(page: Any, origin: str) -> PageWatch:
    seen = PageWatch(origin)

    def on_console(message: Any) -> None:
        text = message.text
        # HTTP errors the console shows on purpose (401 for a wrong key, 403 for a viewer).
        if message.type == "error" and "Failed to load resource" not in text:
            seen.errors.append(text)
        if "Content-Security-Policy" in text or "Content Security Policy" in text:
            seen.errors.append(text)

    def route(route: Any) -> None:
        url = route.request.url
        if url.startswith(origin) or url.startswith(("data:", "about:", "blob:")):
            route.continue_()
        else:
            (seen.content_images if route.request.resource_type == "image" else seen.outside).append(url)
            route.abort()

    page.on("console", on_console)
    page.on("pageerror", lambda exc: seen.errors.append(f"uncaught: {exc}"))
    page.route("**/*", route)
    return seen


@contextmanager
def launched() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()
