"""A headless Chromium driven by Selenium, for the review site's tests (Debian's chromium and
chromium-driver, installed by scripts/setup.sh; a test skips with the reason when they are not)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
         "--disable-component-update", "--disable-sync", "--disable-extensions", "--no-first-run",
         "--no-default-browser-check", "--hide-scrollbars", "--window-size=1400,900", "--lang=zh-CN"]


@contextmanager
def chromium(extra_flags: tuple[str, ...] = (), browser_log: bool = False) -> Iterator:
    """A driver with a fresh profile, quit and its profile removed afterwards. ``browser_log``:
    keep the page's console messages (``driver.get_log("browser")``)."""
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.skip("Debian chromium and chromium-driver are not installed (scripts/setup.sh installs them as root)")
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e .[dev])")
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="jixiao-chromium-")
    for flag in [*FLAGS, *extra_flags, f"--user-data-dir={profile}"]:
        opts.add_argument(flag)
    if browser_log:
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
