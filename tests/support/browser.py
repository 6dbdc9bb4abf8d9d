"""Real Chromium (Debian's) for the report tests, driven by Playwright, and a page that
records its console errors, requests and dialogs (``Watch``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Debian's build (scripts/setup.sh --test installs it): Playwright's own download needs network
CHROMIUM = Path("/usr/bin/chromium")
# headless, and nothing of its own on the network (updates, sync, background fetches)
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium() -> Iterator[Any]:
    """Debian's Chromium under Playwright, headless and offline-minded (skips the test when
    either is missing)."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium not found: install Debian's chromium "
                    "(bash scripts/setup.sh --test)")
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="playwright not installed: pip install -e '.[dev]'")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


class Watch:
    """A page at 1366x768 with its console errors, requests and dialogs recorded."""

    def __init__(self, browser: Any) -> None:
        self.ctx = browser.new_context(viewport={"width": 1366, "height": 768},
                                       accept_downloads=True)
        self.page = self.ctx.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.failed: list[tuple[str, Any]] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error"
                     else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("requestfailed", lambda r: self.failed.append((r.url, r.failure)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

    def offline(self) -> bool:
        """Only file:// and data: loaded; anything else was stopped by the page's CSP."""
        blocked = {u for u, why in self.failed if why == "csp"}
        return all(u.startswith(("file://", "data:")) or u in blocked for u in self.requests)
