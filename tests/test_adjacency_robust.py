"""Adjacency on the layers researchers really have (issue 11): float noise, slivers, gaps, bad input."""

from __future__ import annotations

import re
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import chuanyu_geo as cg
from chuanyu_geo import coords

UTM = 32648  # metres, around Chongqing


def _grid(n: int, size: float, x0: float, y0: float, crs, grow: float = 0.0) -> gpd.GeoDataFrame:
    cells = [
        shapely.box(
            x0 + c * size - grow, y0 + r * size - grow, x0 + (c + 1) * size + grow, y0 + (r + 1) * size + grow
        )
        for r in range(n)
        for c in range(n)
    ]
    return gpd.GeoDataFrame(
        {"cell": [f"r{r}c{c}" for r in range(n) for c in range(n)]}, geometry=cells, crs=crs
    )


def _noisy(grid: gpd.GeoDataFrame, seed: int = 0) -> gpd.GeoDataFrame:
    """Each polygon's copy of a shared vertex moved by 0–2 ULPs (~2e-14 deg), independently."""
    rng = np.random.default_rng(seed)
    polygons = []
    for geom in grid.geometry:
        ring = np.asarray(geom.exterior.coords)[:-1]
        ring = ring + rng.integers(-2, 3, size=ring.shape) * np.spacing(np.abs(ring))
        polygons.append(shapely.Polygon(ring))
    return grid.set_geometry(gpd.GeoSeries(polygons, crs=grid.crs))


def _pairs(graph, kind=None) -> set:
    return {frozenset((a, b)) for a, b, d in graph.edges(data=True) if kind is None or d["contact"] == kind}


@pytest.fixture(scope="module")
def clean_degree_grid():
    return _grid(100, 0.01, 104.0, 29.0, 4326)


def test_float_noise_grid_gives_the_clean_grid(clean_degree_grid):
    noisy = _noisy(clean_degree_grid)
    xy_clean = shapely.get_coordinates(clean_degree_grid.geometry.values)
    xy_noisy = shapely.get_coordinates(noisy.geometry.values)
    assert (xy_clean != xy_noisy).any() and np.abs(xy_clean - xy_noisy).max() < 1e-13, (
        "the fixture really is noisy"
    )
    clean = cg.adjacency_graph(clean_degree_grid, id_col="cell")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # float noise is not worth a warning
        graph = cg.adjacency_graph(noisy, id_col="cell")
    assert graph.number_of_edges() == 39_402 and len(_pairs(graph, "edge")) == 19_800
    assert _pairs(graph) == _pairs(clean) and _pairs(graph, "edge") == _pairs(clean, "edge")
    for a, b, d in clean.edges(data=True):
        got = graph.edges[a, b]["shared_km"]
        assert got == pytest.approx(d["shared_km"], rel=1e-6, abs=1e-12)
    snapped = graph.graph["issues"]
    assert list(snapped["kind"]) == ["snapped"] and snapped["value"].iloc[0] > 0


def test_two_metre_overlaps_are_shared_borders_with_a_tolerance():
    grid = _grid(100, 1000.0, 600_000.0, 3_300_000.0, UTM, grow=1.0)  # every cell 1 m into each neighbour
    with pytest.warns(
        cg.AdjacencyWarning,
        match=r"39402 pairs of polygons overlap \(largest: .*\); the full list is in graph.graph\['issues'\]",
    ) as caught:
        strict = cg.adjacency_graph(grid, id_col="cell")
    assert len(str(caught[0].message)) < 400, "one bounded line"
    issues = strict.graph["issues"]
    assert (
        issues["kind"] == "overlap"
    ).sum() == 19_800 + 2 * 99 * 99  # diagonal cells overlap at their corners too
    strict_km = [d["shared_km"] for _, _, d in strict.edges(data=True)]
    assert max(strict_km) < 0.01, "without a tolerance, only the crossings of the overlapping outlines touch"
    with pytest.warns(cg.AdjacencyWarning):
        tolerant = cg.adjacency_graph(grid, id_col="cell", tolerance_m=5)
    rook = [(a, b, d) for a, b, d in tolerant.edges(data=True) if d["contact"] == "edge"]
    assert len(rook) == 19_800
    side = coords.geodesic_length_km(
        np.asarray(
            gpd.GeoSeries([shapely.LineString([(601_000, 3_300_000), (601_000, 3_301_000)])], crs=UTM)
            .to_crs(4326)
            .values,
            dtype=object,
        )
    )[0]
    lengths = np.array([d["shared_km"] for _, _, d in rook])
    assert np.all(np.abs(lengths / side - 1) < 0.01), (lengths.min(), lengths.max(), side)
    assert all(d["overlap_km2"] > 0 for _, _, d in rook)


@pytest.mark.parametrize("gap_m,tolerance_m", [(20, 25), (20, 50), (2, 5)])
def test_a_gap_within_the_tolerance_is_the_border_itself(gap_m, tolerance_m):
    x0, y0 = 600_000.0, 3_300_000.0
    cells = [
        shapely.box(x0, y0, x0 + 1000, y0 + 1000),
        shapely.box(x0 + 1000 + gap_m, y0, x0 + 2000, y0 + 1000),
    ]
    layer = gpd.GeoDataFrame({"cell": ["a", "b"]}, geometry=cells, crs=UTM)
    side = coords.geodesic_length_km(
        np.asarray(
            gpd.GeoSeries([shapely.LineString([(x0 + 1000, y0), (x0 + 1000, y0 + 1000)])], crs=UTM)
            .to_crs(4326)
            .values,
            dtype=object,
        )
    )[0]
    table = cg.contacts(layer, "cell", tolerance_m=tolerance_m)
    row = table.iloc[0]
    assert row["contact"] == "edge" and row["gap"]
    assert row["shared_km"] == pytest.approx(side, rel=0.01)
    assert cg.contacts(layer, "cell", tolerance_m=gap_m / 2).empty


def test_bad_arguments_name_themselves(clean_degree_grid):
    small = clean_degree_grid.iloc[:4].copy()
    for bad in (float("inf"), float("nan"), -1, "5", True):
        with pytest.raises(
            cg.InvalidArgumentError, match=r"tolerance_m=.* must be a finite number of metres >= 0"
        ):
            cg.adjacency_graph(small, id_col="cell", tolerance_m=bad)
    with pytest.warns(cg.AdjacencyWarning, match="no rows"):
        empty = cg.adjacency_graph(small.iloc[:0], id_col="cell")
    assert empty.number_of_nodes() == 0
    broken = small.copy()
    broken.loc[1, "geometry"] = None
    broken.loc[2, "geometry"] = shapely.Polygon()
    with pytest.raises(cg.InvalidArgumentError, match=r"r0c1 \(missing geometry\), r0c2 \(empty\)"):
        cg.adjacency_graph(broken, id_col="cell")
    mixed = small.assign(code=[1, 1.0, "1", 2])
    with pytest.raises(
        cg.InvalidArgumentError, match=r"duplicate ids in code: 1 \(int\) = 1\.0 \(float\) = '1' \(str\)"
    ):
        cg.adjacency_graph(mixed, id_col="code")
    # Uniform columns take a fast path: missing and repeated ids must still be refused.
    for codes in (
        [1.0, np.nan, 3.0, 4.0],
        ["a", None, "c", "d"],
        pd.array([1, None, 3, 4], dtype="Int64"),
        pd.array(["a", None, "c", "d"], dtype="string"),
    ):
        with pytest.raises(cg.InvalidArgumentError, match=r"missing ids \(NaN/None\) in rows 1"):
            cg.adjacency_graph(small.assign(code=codes), id_col="code")
    for codes, shown in (
        (["a", "b", "a", "c"], "'a' (str) = 'a' (str)"),
        ([7, 8, 9, 7], "7 (int) = 7 (int)"),
    ):
        with pytest.raises(cg.InvalidArgumentError, match=re.escape(f"duplicate ids in code: {shown}")):
            cg.adjacency_graph(small.assign(code=codes), id_col="code")
    assert (
        cg.adjacency_graph(small, id_col="cell", tolerance_m=0).number_of_edges() == 3
    )  # one row of four cells
