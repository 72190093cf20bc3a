"""The one fixture the browser tests share: `book_browser`, Debian's Chromium through Playwright.

Playwright's sync API can run only once at a time in a process, so test_book_browser.py and test_book_live.py
use this one browser for the whole session (each test opens its own contexts and pages). Never
`playwright install`: RSBOOK_CHROMIUM names the executable (default /usr/bin/chromium, which `make test` installs).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("RSBOOK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def book_browser():
    from playwright import sync_api  # in requirements.txt: a missing one is an error, not a skip

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: `make test` installs Debian's chromium", pytrace=False)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()
