"""The vectorised paths of the engine (issue 25) give what the per-pair GEOS and pyproj paths gave."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import CRS

import chuanyu_geo as cg
from chuanyu_geo import coords
from chuanyu_geo.contiguity import _workers, collinear, convex, exact, matching
from chuanyu_geo.contiguity.frame import _Frame, _linework

UTM = 32648
UTM_CRS = CRS.from_epsg(UTM)


def _grid(n: int, grow: float) -> gpd.GeoDataFrame:
    row, col = np.divmod(np.arange(n * n), n)
    x0, y0 = 600_000.0, 3_300_000.0
    cells = shapely.box(
        x0 + col * 1000 - grow,
        y0 + row * 1000 - grow,
        x0 + (col + 1) * 1000 + grow,
        y0 + (row + 1) * 1000 + grow,
    )
    return gpd.GeoDataFrame({"cell": [f"c{k}" for k in range(n * n)]}, geometry=cells, crs=UTM)


def _reference(geoms: np.ndarray, a: np.ndarray, b: np.ndarray, crs) -> tuple[np.ndarray, np.ndarray]:
    """Shared km and overlap km² pair by pair, as the engine measured them before: GEOS
    overlays, then pyproj's geodesic length and area of each result."""
    lines = shapely.line_merge(
        _linework(shapely.intersection(shapely.boundary(geoms[a]), shapely.boundary(geoms[b])))
    )
    overlaps = shapely.intersection(geoms[a], geoms[b])
    to_wgs84 = lambda g: np.asarray(gpd.GeoSeries(g, crs=crs).to_crs(4326).values, dtype=object)  # noqa: E731
    areal = np.array(
        [shapely.union_all([p for p in shapely.get_parts(g) if p.geom_type == "Polygon"]) for g in overlaps],
        dtype=object,
    )
    return coords.geodesic_length_km(to_wgs84(lines)), coords.geodesic_area_km2(to_wgs84(areal))


def _pairs(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    src, dst = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    keep = src < dst
    return src[keep], dst[keep]


def _layers() -> dict[str, gpd.GeoDataFrame]:
    county = cg.load_boundaries("county", "2024", "standard")[["adcode", "geometry"]].copy()
    utm = county.to_crs(UTM)
    return {
        "overlap grid": _grid(12, 1.0),
        "county": county,
        "county simplified": county.set_geometry(
            shapely.simplify(county.geometry.values, 0.002, preserve_topology=True)
        ),
        "county grown 3 m": utm.set_geometry(shapely.buffer(utm.geometry.values, 3.0, join_style="mitre")),
    }


@pytest.mark.parametrize("name", list(_layers()))
def test_shared_lines_and_overlaps_equal_the_pairwise_overlays(name):
    layer = _layers()[name]
    geoms = np.asarray(layer.geometry.values)
    a, b = _pairs(geoms)
    frame = _Frame(layer.crs)
    km, undecided = collinear.shared_line_km(geoms, a, b, frame)
    ref_km, ref_km2 = _reference(geoms, a, b, layer.crs)
    assert not undecided.any()
    assert km == pytest.approx(ref_km, rel=1e-9, abs=1e-12)
    found = exact._exact_contacts(geoms, np.arange(len(geoms)), frame)
    assert np.array_equal(found.i * len(geoms) + found.j, np.sort(a * len(geoms) + b))  # the same pairs
    order = np.argsort(a * len(geoms) + b)
    assert found.shared_km == pytest.approx(
        np.where(ref_km[order] > exact.MIN_EDGE_KM, ref_km[order], 0.0), rel=1e-9, abs=1e-12
    )
    # Areas on the authalic sphere: within 2e-5 of pyproj's geodesic polygons (long slivers).
    assert found.overlap_km2 == pytest.approx(ref_km2[order], rel=2e-5, abs=1e-12)
    assert np.array_equal(found.overlap_km2 > 0, ref_km2[order] > 0)


def test_collinear_pieces_t_junctions_holes_and_undecided_segments():
    # b's left side runs along a's right side in two pieces (a T-junction at y=1), c shares a
    # diagonal edge with a's hole-free neighbour d, e holds a hole whose ring touches a.
    a = shapely.box(0, 0, 2, 3)
    b = shapely.Polygon([(2, 0.5), (4, 0.5), (4, 2.5), (2, 2.5), (2, 1)])
    d = shapely.Polygon([(0, 3), (2, 3), (1, 5)])
    c = shapely.Polygon([(2, 3), (3, 5), (1, 5)])
    e = shapely.Polygon(shapely.box(-3, -1, 0, 4).exterior, [shapely.box(-2, 0, -1, 1).exterior])
    f = shapely.box(-2, 0, -1, 1)  # fills e's hole
    # g runs along half of c's diagonal edge: the products of the orientation test round, so
    # doubles cannot tell collinear from not: GEOS decides that pair.
    g = shapely.Polygon([(2, 3), (2.5, 4), (4, 4)])
    geoms = np.array([a, b, d, c, e, f, g], dtype=object)
    frame = _Frame(coords.WGS84_CRS)
    a_, b_ = _pairs(geoms)
    km, undecided = collinear.shared_line_km(geoms, a_, b_, frame)
    ref, _ = _reference(geoms, a_, b_, 4326)
    assert undecided.tolist() == [(x, y) == (3, 6) for x, y in zip(a_.tolist(), b_.tolist())]
    decided = ~undecided
    assert km[decided] == pytest.approx(ref[decided], rel=1e-9, abs=1e-12)
    pairs = dict(zip(zip(a_.tolist(), b_.tolist()), km.tolist()))
    assert pairs[(0, 1)] > 0 and pairs[(2, 3)] > 0 and pairs[(4, 5)] > 0 and pairs[(0, 4)] > 0
    assert ref[list(pairs).index((3, 6))] > 0  # the half edge, measured by GEOS below
    # Whatever doubles decide, the engine's result equals the overlay's.
    found = exact._exact_contacts(geoms, np.arange(len(geoms)), frame)
    order = np.argsort(a_ * len(geoms) + b_)
    assert found.shared_km == pytest.approx(
        np.where(ref[order] > exact.MIN_EDGE_KM, ref[order], 0.0), rel=1e-9
    )


def test_orientation_is_exact_or_undecided():
    p = np.array([[0.0, 0.0], [0.1, 0.1], [1.0, 0.0]])
    q = np.array([[3.0, 3.0], [0.3, 0.3], [1.0, 5.0]])
    c = np.array([[1.0, 1.0], [0.7, 0.7 + 1e-17], [1.0, 2.0]])
    # The predicate the collinear path reads: 0 exactly on the line, 1 or -1 certainly off it.
    sign = convex._orientation_sign(p, q, c)
    on, off = sign == 0, np.abs(sign) == 1
    assert on.tolist() == [False, False, True]  # only the axis-parallel case is certain
    # Diagonal lines: the products are not both zero, so even a zero determinant is undecided.
    assert off.tolist() == [False, False, False]
    sign = convex._orientation_sign(p[:1], q[:1], np.array([[1.0, 1.5]]))
    on, off = sign == 0, np.abs(sign) == 1
    assert off.tolist() == [True] and on.tolist() == [False]


def test_vectorised_lengths_and_areas_equal_pyproj():
    county = cg.load_boundaries("county", "2024", "standard")
    geoms = np.asarray(county.geometry.values)
    frame = _Frame(coords.WGS84_CRS)
    assert frame.area_km2(geoms) == pytest.approx(coords.geodesic_area_km2(geoms), rel=1e-6)
    lines = shapely.boundary(geoms)
    assert frame.length_km(lines) == pytest.approx(coords.geodesic_length_km(lines), rel=1e-12)
    assert frame.length_km(geoms) == pytest.approx(coords.geodesic_length_km(geoms), rel=1e-12)
    holed = shapely.box(104, 30, 105, 31).difference(shapely.box(104.2, 30.2, 104.4, 30.4))
    mixed = [
        holed,
        shapely.Polygon(holed.exterior.coords[::-1], [holed.interiors[0].coords[::-1]]),
        shapely.MultiPolygon([shapely.box(104, 30, 104.5, 30.5), shapely.box(106, 30, 106.5, 30.5)]),
        shapely.GeometryCollection(
            [shapely.box(104, 30, 105, 31), shapely.LineString([(104, 30), (105, 31)])]
        ),
        shapely.MultiPolygon(),
    ]
    expected = [coords.geodesic_area_km2(g) for g in mixed[:3]]
    expected.append(coords.geodesic_area_km2(mixed[3].geoms[0]))
    got = frame.area_km2(np.array(mixed, dtype=object))
    assert got[:4] == pytest.approx(expected, rel=1e-6) and got[4] == 0.0
    # Tiny polygons keep their precision (a 2 m square in UTM, near 29.8N).
    square = gpd.GeoSeries([shapely.box(600_000, 3_300_000, 600_002, 3_300_002)], crs=UTM)
    assert _Frame(square.crs).area_km2(square.values)[0] * 1e6 == pytest.approx(
        coords.geodesic_area_km2(square.to_crs(4326)).iloc[0] * 1e6, rel=1e-5
    )


def test_point_test_flags_the_same_rows_as_relate(monkeypatch):
    for layer in (_grid(15, 1.0), _grid(15, 0.0), cg.load_boundaries("county", "2024", "standard")):
        geoms = np.asarray(layer.geometry.values)
        frame = _Frame(layer.crs)
        monkeypatch.setattr(matching, "_POINT_TEST_FROM", 0)
        quick = matching._coverage_contacts(geoms, frame, validate=True)[1]
        monkeypatch.setattr(matching, "_POINT_TEST_FROM", 10**12)
        slow = matching._coverage_contacts(geoms, frame, validate=True)[1]
        assert np.array_equal(quick, slow)
    assert len(quick) == 0  # the county layer is a valid coverage
    overlapping = np.asarray(_grid(15, 1.0).geometry.values)
    assert len(matching._coverage_contacts(overlapping, _Frame(UTM_CRS), validate=True)[1]) == 225


def test_work_beside_the_main_thread_gives_the_plain_result():
    geoms = np.asarray(_grid(70, 1.0).geometry.values)
    a, b = _pairs(geoms)
    assert len(a) > 4096  # cut into chunks
    together, side = _workers._beside(shapely.intersection, (geoms[a], geoms[b]), lambda: "side")
    assert side == "side" and shapely.equals(together, shapely.intersection(geoms[a], geoms[b])).all()

    def fails():
        raise ValueError("main thread")

    with pytest.raises(ValueError, match="main thread"):
        _workers._beside(shapely.intersection, (geoms[a], geoms[b]), fails)


@pytest.mark.parametrize("ids", ["int", "str"])
def test_graph_from_codes_equals_libpysal_sorting_it(ids):
    from libpysal.graph import Graph

    layer = _grid(9, 0.0)
    layer = pd.concat(
        [layer, gpd.GeoDataFrame({"cell": ["far"]}, geometry=[shapely.box(0, 0, 1, 1)], crs=UTM)]
    )
    layer["key"] = np.arange(len(layer))[::-1] * 7 if ids == "int" else layer["cell"]
    table = cg.contacts(layer, "key")
    for rook, weight in ((False, None), (True, None), (False, "shared_km")):
        ours = cg.contacts_to_graph(table, layer["key"], weight=weight, rook=rook).adjacency
        index = ours.index
        sorted_by_libpysal = Graph.from_arrays(
            index.get_level_values(0).to_numpy(), index.get_level_values(1).to_numpy(), ours.to_numpy()
        ).adjacency
        assert ours.equals(sorted_by_libpysal)
        for mine, theirs in zip(
            index.levels + index.codes, sorted_by_libpysal.index.levels + sorted_by_libpysal.index.codes
        ):
            assert np.array_equal(np.asarray(mine), np.asarray(theirs))
        if weight is None:
            built = Graph.build_contiguity(layer.set_index("key"), rook=rook)
            assert (built.sparse != cg.contacts_to_graph(table, layer["key"], rook=rook).sparse).nnz == 0


def test_crowded_segments_and_small_chunks_give_the_same_contacts(monkeypatch):
    layer = _layers()["county simplified"]
    geoms = np.asarray(layer.geometry.values)
    frame = _Frame(layer.crs)
    rows = np.arange(len(geoms))
    expected = exact._exact_contacts(geoms, rows, frame)
    monkeypatch.setattr(collinear, "_CHUNK_SEGMENTS", 1000)  # many chunks
    chunked = exact._exact_contacts(geoms, rows, frame)
    monkeypatch.setattr(collinear, "_pair_budget", lambda n: 0)  # every pair to GEOS
    a, b = _pairs(geoms)
    assert collinear.shared_line_km(geoms, a, b, frame) is None
    overlaid = exact._exact_contacts(geoms, rows, frame)
    for got in (chunked, overlaid):
        assert np.array_equal(got.i, expected.i) and np.array_equal(got.j, expected.j)
        assert np.array_equal(got.edge, expected.edge)
        assert got.shared_km == pytest.approx(expected.shared_km, rel=1e-9, abs=1e-12)
