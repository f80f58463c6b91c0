"""Why the layers ship as FlatGeobuf: read time and size of candidate formats.

Run: python benchmarks/formats.py. Writes the county layers (standard and fine, 2024)
in each format to a temporary directory, then reads each in fresh interpreters.
"""

from __future__ import annotations

import importlib.util
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import chuanyu_geo as cg

FORMATS = {"GeoJSON": "geojson", "GeoPackage": "gpkg", "FlatGeobuf": "fgb", "GeoParquet": "parquet"}
RUNS = 5

READ = """
import json, time
import geopandas as gpd
t = time.perf_counter()
gdf = gpd.read_parquet({path!r}) if {path!r}.endswith(".parquet") else gpd.read_file({path!r})
first = time.perf_counter() - t
t = time.perf_counter()
gdf = gpd.read_parquet({path!r}) if {path!r}.endswith(".parquet") else gpd.read_file({path!r})
print(json.dumps([first, time.perf_counter() - t]))
"""


def main() -> None:
    print(f"{'layer':22s} {'format':11s} {'size MB':>8s} {'first read ms':>14s} {'warm read ms':>13s}")
    with tempfile.TemporaryDirectory() as tmp:
        for detail in cg.DETAILS:
            gdf = cg.load_boundaries("county", "2024", detail)
            for fmt, ext in FORMATS.items():
                path = str(Path(tmp) / f"county_{detail}.{ext}")
                if ext == "parquet" and importlib.util.find_spec("pyarrow") is None:
                    print(
                        f"county 2024 {detail:10s} {fmt:11s} skipped: GeoParquet needs pyarrow (pip install -e '.[bench]')"
                    )
                    continue
                if ext == "parquet":
                    gdf.to_parquet(path)
                else:
                    gdf.to_file(path, driver={"gpkg": "GPKG", "fgb": "FlatGeobuf", "geojson": "GeoJSON"}[ext])
                samples = [
                    json.loads(
                        subprocess.run(
                            [sys.executable, "-c", READ.format(path=path)],
                            capture_output=True,
                            text=True,
                            check=True,
                        ).stdout
                    )
                    for _ in range(RUNS)
                ]
                first = statistics.median(s[0] for s in samples) * 1000
                warm = statistics.median(s[1] for s in samples) * 1000
                print(
                    f"county 2024 {detail:10s} {fmt:11s} {Path(path).stat().st_size / 1e6:8.2f} {first:14.1f} {warm:13.1f}"
                )


if __name__ == "__main__":
    main()
