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


def copy_vintage_layers(root, to_vintage: str, from_vintage: str = "2025", source: str | None = None) -> dict:
    """Put copies of the shipped ``from_vintage`` layers under ``root/boundaries`` as ``to_vintage``.

    The bytes are the shipped ones (so their sha256 is too); the manifest names the new vintage
    and, if given, another ``source`` (what a shared data pack's manifest says). Returns the
    manifest's ``files``.
    """
    import json
    import shutil
    from pathlib import Path

    from chuanyu_geo import boundaries

    layers = Path(root) / "boundaries"
    layers.mkdir(parents=True, exist_ok=True)
    shipped = json.loads((boundaries.data_dir() / "manifest.json").read_text(encoding="utf-8"))["files"]
    files = {}
    for level in boundaries.LEVELS:
        for detail in boundaries.DETAILS:
            original = boundaries.layer_filename(level, from_vintage, detail)
            name = boundaries.layer_filename(level, to_vintage, detail)
            shutil.copy(boundaries.data_dir() / original, layers / name)
            files[name] = dict(
                shipped[original], vintage=to_vintage, **({"source": source} if source else {})
            )
    (layers / "manifest.json").write_text(json.dumps({"files": files}), encoding="utf-8")
    return files
