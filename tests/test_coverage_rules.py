"""The engine's own coverage check flags every row GEOS's coverage validation flags (issue 11).

The engine validates a layer from its matched segments (``contiguity._segment_problems``)
instead of ``shapely.coverage_invalid_edges``. A flagged row only costs time (its contacts
are computed exactly); a missed one would give wrong contacts. So on valid coverages it
must flag nothing, and on broken ones at least every row GEOS flags.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from pyproj import CRS
from shapely import affinity

from chuanyu_geo import contiguity


def _voronoi(seed: int, n: int = 60) -> np.ndarray:
    rng = np.random.default_rng(seed)
    box = shapely.box(0, 0, 100, 100)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(rng.uniform(0, 100, (n, 2)))))
    cells = shapely.intersection(cells, box)
    # Rounding to a grid makes neighbours' clipped corners identical, as in a real coverage.
    return shapely.set_precision(cells, 1e-6)


def _grid(side: int = 8) -> np.ndarray:
    return np.array([shapely.box(i, j, i + 1, j + 1) for i in range(side) for j in range(side)])


def _ours(geoms: np.ndarray) -> set[int]:
    frame = contiguity._Frame(CRS.from_epsg(3857))
    _, problems = contiguity._coverage_contacts(np.asarray(geoms, dtype=object), frame, validate=True)
    return set(problems.tolist())


def _geos(geoms: np.ndarray) -> set[int]:
    return set(np.nonzero(~shapely.is_empty(shapely.coverage_invalid_edges(geoms)))[0].tolist())


def _broken_layers():
    """(name, geometries): valid coverages broken in the ways real layers break."""
    for seed in range(6):
        cells = _voronoi(seed)
        rng = np.random.default_rng(100 + seed)
        k = int(rng.integers(len(cells)))
        moved = cells.copy()
        moved[k] = affinity.translate(cells[k], *rng.uniform(-0.5, 0.5, 2))
        yield f"voronoi {seed}: one cell moved", moved
        grown = cells.copy()
        grown[k] = affinity.scale(cells[k], 1.03, 1.03)
        yield f"voronoi {seed}: one cell grown 3%", grown
        turned = cells.copy()
        turned[k] = affinity.rotate(cells[k], 2)
        yield f"voronoi {seed}: one cell turned 2 degrees", turned
        yield f"voronoi {seed}: one cell twice", np.append(cells, cells[k])
        dense = cells.copy()
        dense[k] = shapely.segmentize(cells[k], 1.0)  # vertices its neighbours lack
        yield f"voronoi {seed}: one cell with extra vertices", dense
        corners = list(cells[k].exterior.coords)[:-1]
        if len(corners) > 3:
            cut = cells.copy()
            del corners[int(rng.integers(len(corners)))]
            cut[k] = shapely.Polygon(corners)  # a corner its neighbours keep
            yield f"voronoi {seed}: one corner cut off a cell (a gap: no error)", cut
        inside = shapely.buffer(shapely.point_on_surface(cells[k]), 0.3, quad_segs=2)
        yield f"voronoi {seed}: a small polygon inside a cell", np.append(cells, inside)
    grid = _grid()
    half = grid.copy()
    half[10] = affinity.translate(grid[10], 0.5, 0)
    yield "grid: a box shifted half a cell", half
    t_junction = grid.copy()
    t_junction[9] = shapely.box(1, 1, 3, 2)  # spans two boxes below, overlapping box 17
    yield "grid: a box spanning two", t_junction
    flipped = grid.copy()
    flipped[20] = shapely.Polygon(list(grid[20].exterior.coords)[::-1])  # other orientation: still valid
    yield "grid: one ring walked the other way", flipped


@pytest.mark.parametrize("name,geoms", [pytest.param(n, g, id=n) for n, g in _broken_layers()])
def test_own_check_flags_every_row_geos_flags(name, geoms):
    geoms = np.asarray(geoms, dtype=object)
    assert shapely.is_valid(geoms).all(), "the check assumes valid polygons (repaired before it)"
    geos, ours = _geos(geoms), _ours(geoms)
    assert geos <= ours, f"{name}: GEOS flags rows {sorted(geos - ours)} the engine misses"
    assert len(ours) <= max(3 * len(geos), 12), f"{name}: flags {len(ours)} rows, GEOS {len(geos)}"


@pytest.mark.parametrize("seed", range(5))
def test_valid_coverages_are_not_flagged(seed):
    cells = _voronoi(seed, n=200)
    assert _geos(cells) == set() and _ours(cells) == set()
    holed = shapely.Polygon([(0, 0), (10, 0), (10, 10), (0, 10)], [[(2, 2), (2, 8), (8, 8), (8, 2)]])
    island = shapely.box(2, 2, 8, 8)
    assert _ours(np.array([holed, island], dtype=object)) == set(), "an island filling a hole is valid"
