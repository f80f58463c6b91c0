"""Shared fixtures. Data comes from the shipped layers: no mocks."""

from __future__ import annotations

import itertools
import os

import pytest

import chuanyu_geo as cg

ALL_LAYERS = list(itertools.product(cg.LEVELS, cg.VINTAGES, cg.DETAILS))
COUNTY_LAYERS = list(itertools.product(cg.VINTAGES, cg.DETAILS))


def require_or_skip(condition: bool, reason: str) -> None:
    """Skip when an optional tool is missing, but fail in CI, where everything must run."""
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this may not be skipped)")
    pytest.skip(reason)


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium driven by Playwright (never a downloaded browser)."""
    require_or_skip(os.path.exists(CHROMIUM), f"{CHROMIUM} is missing (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require_or_skip(False, "playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as driver:
        instance = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()
