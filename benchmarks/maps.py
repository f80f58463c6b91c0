"""Map build time and HTML size against geopandas ``.explore()`` (run: python benchmarks/maps.py).

Both draw the county layer (2024) of each detail. ``.explore()`` embeds the layer as given,
with every attribute; our platform map adds nine platform outlines, the border and the
cross-border edges, and draws coverage-simplified units (the visible detail of a county map).
Build = constructing the map and rendering its HTML, after the layer is loaded.

- cold: a fresh Python process per run, as a researcher meets it (imports included).
- warm: the same process again (caches filled).
Median of REPEATS each.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

REPEATS = 3

PROBE = """
import json, time
import chuanyu_geo as cg
layer = cg.load_boundaries("county", "2024", {detail!r})
def build():
    m = cg.platform_map(level="county", vintage="2024") if {ours!r} else layer.explore()
    return m.get_root().render()
runs = []
for _ in range({warm_runs}):
    start = time.perf_counter()
    page = build()
    runs.append(time.perf_counter() - start)
print(json.dumps({{"cold": runs[0], "warm": sorted(runs[1:])[len(runs[1:]) // 2], "bytes": len(page.encode("utf-8"))}}))
"""


def measure(detail: str, ours: bool) -> dict:
    results = []
    for _ in range(REPEATS):
        out = subprocess.run(
            [sys.executable, "-c", PROBE.format(detail=detail, ours=ours, warm_runs=REPEATS + 1)],
            capture_output=True,
            text=True,
            check=True,
        )
        results.append(json.loads(out.stdout))
    return {k: statistics.median(r[k] for r in results) for k in ("cold", "warm", "bytes")}


def main() -> None:
    print(f"seconds, median of {REPEATS}; HTML in MB (online maps, Leaflet from its CDN for both)")
    print(
        f"{'layer':24s} {'ours cold':>10s} {'ours warm':>10s} {'ours MB':>8s} {'explore cold':>13s} {'explore warm':>13s} {'explore MB':>11s}"
    )
    for detail in ("standard", "fine"):
        o, e = measure(detail, True), measure(detail, False)
        print(
            f"{'county 2024 ' + detail:24s} {o['cold']:10.2f} {o['warm']:10.2f} {o['bytes'] / 1e6:8.2f} {e['cold']:13.2f} {e['warm']:13.2f} {e['bytes'] / 1e6:11.2f}"
        )
    print(
        "our map always draws the standard layer, simplified; the fine row shows .explore() at full amap detail"
    )


if __name__ == "__main__":
    main()
