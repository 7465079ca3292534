"""Headless Chromium for the report's browser tests and screenshots (Debian's ``chromium``, driven by Playwright).

Playwright's own browser download is never used: the system Chromium that `make test` installs
(``.ci/install-chromium``) is launched with its background networking off, so nothing leaves the machine.
"""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions"]


def chromium_path() -> str | None:
    """The system Chromium (``OSCE_STANCE_CHROMIUM`` overrides), or None when none is installed."""
    return os.environ.get("OSCE_STANCE_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@contextmanager
def chromium():
    """A Playwright browser on the system Chromium (Playwright gives it a fresh, empty profile)."""
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if path is None:
        raise RuntimeError("no Chromium found: `make test` installs Debian's chromium (.ci/install-chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
