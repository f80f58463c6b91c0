"""Screenshots of the maps and PNGs of the figures for the README and docs/.

    python scripts/screenshot_map.py [--out-dir docs]

Writes map.png (the offline platform map, Chinese), map-en.png (English), adjacency.png,
choropleth.png (2020 census, years of schooling), lisa.png, figure-platforms.png and
figure-adjacency.png. Maps are shot in Debian's /usr/bin/chromium through Playwright (no
browser download).
"""

from __future__ import annotations

import argparse
import tempfile
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import chuanyu_geo as cg  # noqa: E402
from chuanyu_geo import maps  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def _census_2020():
    census = cg.load_census(2020)
    return census[~census["adcode"].isin(cg.not_divisions()["adcode"])]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=Path(__file__).resolve().parents[1] / "docs")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    census = _census_2020()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cg.HarmoniseWarning)
        local = cg.lisa(census, "years_of_schooling", "adcode", year=2020, permutations=999, seed=42)
    shots = {
        "map.png": cg.platform_map(
            tiles=None, offline=True, title="川渝毗邻地区合作共建区域发展功能平台（区划版本 2024）"
        ),
        "map-en.png": cg.platform_map(
            tiles=None, offline=True, lang="en", title="Sichuan–Chongqing cross-border platforms"
        ),
        "adjacency.png": cg.adjacency_map(tiles=None, offline=True, lang="en", title="Shared borders"),
        "choropleth.png": cg.choropleth(
            census,
            "years_of_schooling",
            "adcode",
            year=2020,
            tiles=None,
            offline=True,
            lang="en",
            title="Average years of schooling, 2020 census",
        ),
        "lisa.png": cg.lisa_map(
            local, tiles=None, offline=True, lang="en", title="LISA: years of schooling, 2020"
        ),
    }
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for name, m in shots.items():
            page_path = maps.save_map(m, Path(tmp) / f"{name}.html")
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            page.goto(page_path.as_uri())
            page.wait_for_function("document.querySelectorAll('path.chuanyu-unit').length > 0")
            page.wait_for_timeout(300)
            page.screenshot(path=str(args.out_dir / name))
            page.close()
            print(f"wrote {args.out_dir / name}")
        browser.close()
    for name, fig in (
        ("figure-platforms.png", cg.plot_platforms(lang="zh")),
        ("figure-adjacency.png", cg.plot_adjacency(lang="en")),
    ):
        fig.savefig(args.out_dir / name, dpi=110)
        print(f"wrote {args.out_dir / name}")


if __name__ == "__main__":
    main()
