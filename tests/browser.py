"""A real headless browser for the tests: Debian's chromium through its chromedriver, with Selenium.

Import it as the other helpers are imported (``sys.path`` holds ``tests/``; a test in a
subfolder inserts it, see tests/writers/test_html.py), then use the fixture::

    from browser import browser, chromium_available  # noqa: F401  (pytest finds the fixture by name)

    def test_page(browser):
        browser.get(page.as_uri())

The fixture is module-scoped (starting chromium takes a second or two); the tests that use
it fail, never skip, when chromium, its driver or Selenium is missing (``bash dev.sh setup``
installs them: a browser test that CI skipped would test nothing). The window starts at ``NARROW`` (a small phone); ``set_width`` changes it
and waits until the page has the new size.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMEDRIVER = "/usr/bin/chromedriver"
NARROW = 360  # CSS px: the narrowest phones in common use
HEIGHT = 800


def chromium_available() -> bool:
    """Whether chromium, its driver and Selenium are installed."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return False
    return Path(CHROMEDRIVER).is_file() and any(shutil.which(name) for name in ("chromium", "chromium-browser"))


def start_browser(width: int = NARROW, height: int = HEIGHT):
    """A headless chromium whose viewport is ``width`` CSS px wide (device scale 1)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--force-device-scale-factor=1", "--hide-scrollbars", f"--window-size={width},{height}"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    set_width(driver, width, height)
    return driver


def set_width(driver, width: int, height: int = HEIGHT) -> None:
    """Make the viewport (not the window, which has a frame) ``width`` × ``height`` CSS px."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})


def full_page_screenshot(driver, path: Path, width: int) -> Path:
    """The whole page (not only the viewport) at ``width`` CSS px, as a PNG at ``path``."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    set_width(driver, width, height)
    driver.save_screenshot(str(path))
    set_width(driver, width)
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """A headless chromium at ``NARROW`` px, shared by a test module; a failure when not installed."""
    if not chromium_available():
        pytest.fail("chromium, chromium-driver or selenium is not installed (bash dev.sh setup)")
    driver = start_browser()
    try:
        yield driver
    finally:
        driver.quit()
