"""Debian's Chromium driven by Playwright, for the browser tests: `executable_path` points at
/usr/bin/chromium (installed by scripts/install-test-system-deps); no browser is ever downloaded."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
#: --no-sandbox: CI runs as root; the rest keep Chromium from calling home.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


@contextmanager
def launch_chromium():
    """A headless Chromium for the duration of the block (a test fails, not skips, if it is missing)."""
    if not CHROMIUM.exists():
        pytest.fail("no /usr/bin/chromium: run scripts/install-test-system-deps as root (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()
