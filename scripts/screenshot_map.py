"""Screenshot of the offline platform map in headless Chromium, for the README.

    python scripts/screenshot_map.py [--out docs/map.png]

Uses Debian's /usr/bin/chromium through Playwright (no browser download).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import chuanyu_geo as cg
from chuanyu_geo import maps

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "docs" / "map.png")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        title = "川渝毗邻地区合作共建区域发展功能平台 (vintage 2024)"
        page_path = maps.save_map(
            cg.platform_map(tiles=None, offline=True, title=title), Path(tmp) / "map.html"
        )
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            page.goto(page_path.as_uri())
            page.wait_for_function("document.querySelectorAll('path.chuanyu-unit').length > 0")
            page.wait_for_timeout(300)
            page.screenshot(path=str(args.out))
            browser.close()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
