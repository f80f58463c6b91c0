"""Map build time and HTML size against geopandas ``.explore()`` (run: python benchmarks/maps.py).

Both draw the same county layer (2024) at each detail. ``.explore()`` embeds the layer as
given with every attribute; our platform map adds platform outlines, the border and
cross-border edges, but draws coverage-simplified units (the visible detail at the zoom a
county map opens at). Build = constructing the map and rendering its HTML. Median of REPEATS.
"""

from __future__ import annotations

import statistics
import time

import chuanyu_geo as cg
from chuanyu_geo import maps

REPEATS = 3


def measure(build) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(REPEATS):
        start = time.perf_counter()
        page = build().get_root().render()
        times.append(time.perf_counter() - start)
        size = len(page.encode("utf-8"))
    return statistics.median(times), size


def main() -> None:
    print(f"median of {REPEATS}; sizes in MB of the rendered HTML (online: Leaflet from its CDN for both)")
    print(f"{'layer':28s} {'ours s':>8s} {'ours MB':>8s} {'explore s':>10s} {'explore MB':>11s} {'size ratio':>11s}")
    for detail in cg.DETAILS:
        layer = cg.load_boundaries("county", "2024", detail)
        maps._web_layer.cache_clear()  # count the simplification in our build time
        ours_s, ours_b = measure(lambda: cg.platform_map(level="county", vintage="2024"))
        theirs_s, theirs_b = measure(lambda: layer.explore())
        print(f"{'county 2024 ' + detail:28s} {ours_s:8.2f} {ours_b / 1e6:8.2f} {theirs_s:10.2f} {theirs_b / 1e6:11.2f} {theirs_b / ours_b:10.1f}x")
    print("note: our map always draws the standard layer, simplified; the fine row shows what .explore() costs at full amap detail")


if __name__ == "__main__":
    main()
