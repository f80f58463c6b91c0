"""Issue 19, edge cases: inputs that used to exhaust memory, crash, or fail silently.

Stacks of identical or overlapping polygons (minutes and gigabytes before), zero-area
polygons and mixed-type ids (IndexError, TypeError), too few or constant values for
Moran's I and LISA (ZeroDivisionError, NaN), MultiIndex tables, and weights files whose
ids the format cannot hold or that a spreadsheet would run as formulas.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import chuanyu_geo as cg

UTM = 32648  # metres, around Chongqing


def _cells(ids, geoms=None, crs=UTM) -> gpd.GeoDataFrame:
    """A row of 1 km squares (or ``geoms``) keyed by ``ids`` in column ``id``."""
    if geoms is None:
        x0, y0 = 600_000.0, 3_300_000.0
        geoms = [shapely.box(x0 + 1000 * k, y0, x0 + 1000 * (k + 1), y0 + 1000) for k in range(len(ids))]
    frame = gpd.GeoDataFrame({"id": pd.Series(list(ids), dtype=object)}, geometry=list(geoms), crs=crs)
    return frame


# --------------------------------------------------------------------------- stacks


_MEASURE = textwrap.dedent(
    """
    import json, sys, time, tracemalloc
    import geopandas as gpd, shapely
    import chuanyu_geo as cg

    n, kind = 3000, sys.argv[1]
    if kind == "identical":
        geoms = [shapely.box(0, 0, 1000, 1000)] * n
    else:  # each square 10 cm to the right of the previous one: no two are identical
        geoms = [shapely.box(0.1 * k, 0, 1000 + 0.1 * k, 1000) for k in range(n)]
    layer = gpd.GeoDataFrame({"id": [f"u{k}" for k in range(n)]}, geometry=geoms, crs=32648)
    tracemalloc.start()
    start = time.perf_counter()
    try:
        cg.adjacency_graph(layer, id_col="id")
        outcome = "built"
    except cg.InvalidArgumentError as exc:
        outcome = str(exc)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    # VmHWM is this process's own peak: ru_maxrss keeps the parent's peak across fork and exec,
    # so it would report the size of the test runner that started us.
    with open("/proc/self/status") as fh:
        rss_mb = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:")) / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak / 2**20, "rss_mb": rss_mb, "outcome": outcome}))
    """
)


@pytest.mark.parametrize("kind", ["identical", "shifted"])
def test_three_thousand_stacked_squares_are_refused_in_seconds_and_megabytes(kind):
    # A subprocess: its peak RSS is this case's alone, and a regression cannot take the test
    # run down with it (before the fix: > 500 s and 11 GB for the identical squares).
    done = subprocess.run([sys.executable, "-c", _MEASURE, kind], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["seconds"] <= 10, result
    assert result["peak_mb"] < 1024 and result["rss_mb"] < 1024, result
    if kind == "identical":
        assert result["outcome"].startswith("3000 rows repeat another row's geometry"), result
        assert "u0 = u1 = u2" in result["outcome"] and "(3000 rows)" in result["outcome"]
    else:
        assert "stacked" in result["outcome"] and "up to 3000 meet at one place" in result["outcome"]
        assert "rows u" in result["outcome"], "names some of the rows"


def test_one_copied_row_is_refused_naming_both_ids():
    layer = _cells(["a", "b", "c"])
    layer = pd.concat([layer, _cells(["b2"], [layer.geometry.iloc[1]])], ignore_index=True)
    # The copy is walked the other way round, from another vertex: still the same outline.
    layer.loc[3, "geometry"] = shapely.Polygon(list(layer.geometry.iloc[1].exterior.coords)[::-1][1:])
    with pytest.raises(cg.InvalidArgumentError, match=r"2 rows repeat .*: b = b2 \(2 rows\)"):
        cg.adjacency_graph(layer, id_col="id")
    with pytest.raises(cg.InvalidArgumentError, match="b = b2"):
        cg.contacts(layer, "id")


def test_a_small_stack_is_still_measured():
    # Three overlapping versions of one unit are a data problem the overlap report covers.
    x0, y0 = 600_000.0, 3_300_000.0
    geoms = [shapely.box(x0 + 10 * k, y0, x0 + 1000 + 10 * k, y0 + 1000) for k in range(3)]
    with pytest.warns(cg.AdjacencyWarning, match="3 pairs of polygons overlap"):
        graph = cg.adjacency_graph(_cells(["a", "b", "c"], geoms), id_col="id")
    assert graph.number_of_edges() == 3


def test_a_tolerance_wider_than_the_layer_is_refused_naming_it():
    x0, y0 = 600_000.0, 3_300_000.0
    geoms = [shapely.box(x0 + c, y0 + r, x0 + c + 1, y0 + r + 1) for r in range(30) for c in range(30)]
    layer = _cells([f"c{k}" for k in range(900)], geoms)
    with pytest.raises(cg.InvalidArgumentError, match=r"tolerance_m=1000 brings up to 900 polygons"):
        cg.adjacency_graph(layer, id_col="id", tolerance_m=1000)
    assert cg.adjacency_graph(layer, id_col="id", tolerance_m=0.1).number_of_edges() > 0


# --------------------------------------------------------------------------- zero-area polygons


@pytest.mark.parametrize(
    "flat",
    [
        shapely.Polygon([(0, 0), (1, 1), (2, 2)]),  # three points on a line
        shapely.Polygon([(601_000, 3_300_000), (601_000, 3_301_000), (601_000, 3_300_500)]),  # on a border
        shapely.Polygon([(5, 5), (5, 5), (5, 5), (5, 5)]),  # one point
    ],
)
def test_zero_area_polygons_are_refused_naming_the_row(flat):
    with pytest.raises(cg.InvalidArgumentError, match=r"1 row\(s\) have no area .*: flat \("):
        cg.adjacency_graph(_cells(["flat"], [flat]), id_col="id")
    among = pd.concat([_cells(["a", "b", "c"]), _cells(["flat"], [flat])], ignore_index=True)
    with pytest.raises(cg.InvalidArgumentError, match=r"have no area .*: flat \("):
        cg.adjacency_graph(among, id_col="id")


def test_a_collapsed_part_beside_a_real_one_is_repaired():
    # GEOS's default make_valid refuses this ("mixed-dimension"); the collapsed part is dropped.
    cells = _cells(["a", "b", "c"])
    point_part = shapely.Polygon([(0, 0)] * 4)
    real = shapely.box(603_000, 3_300_000, 604_000, 3_301_000)  # beside c
    layer = pd.concat([cells, _cells(["m"], [shapely.MultiPolygon([point_part, real])])], ignore_index=True)
    with pytest.warns(cg.AdjacencyWarning, match="repaired 1 invalid geometries"):
        graph = cg.adjacency_graph(layer, id_col="id")
    assert graph.has_edge("c", "m") and graph.edges["c", "m"]["contact"] == "edge"


# --------------------------------------------------------------------------- ids


def test_mixed_int_and_text_ids_give_a_graph_and_a_pair_table():
    graph = cg.adjacency_graph(_cells([1, "b", 3]), id_col="id")
    assert {frozenset(e) for e in graph.edges} == {frozenset((1, "b")), frozenset(("b", 3))}
    frame = cg.graph_to_frame(graph)  # used to raise TypeError comparing 1 and "b"
    # Documented order: numbers before text.
    assert frame[["adcode_a", "adcode_b"]].values.tolist() == [[1, "b"], [3, "b"]]
    indexed = cg.adjacency_graph(_cells([1, "b", 3]).set_index("id"))
    assert set(indexed.nodes) == {1, "b", 3}
    assert len(cg.weights(graph).adjacency) == 4


def test_ids_that_cannot_be_nodes_are_refused_naming_the_row():
    with pytest.raises(cg.InvalidArgumentError, match=r"cannot be node ids \(unhashable\): row 1 \(list\)"):
        cg.adjacency_graph(_cells(["a", ["b"], "c"]), id_col="id")
    with pytest.raises(cg.InvalidArgumentError, match=r"duplicate ids in id: 1 \(int\) = '1' \(str\)"):
        cg.adjacency_graph(_cells([1, "1", 3]), id_col="id")


# --------------------------------------------------------------------------- analysis

# Four units that all have a neighbour among them (万州, 开州, 梁平, 云阳).
_CHONGQING_NORTH = ["500101", "500154", "500155", "500235", "500153", "500152"]


@pytest.mark.parametrize(("function", "minimum"), [("lisa", 3), ("morans_i", 4)])
def test_too_few_units_say_how_many_are_needed(function, minimum):
    for n in range(1, minimum):
        table = pd.DataFrame({"adcode": _CHONGQING_NORTH[:n], "v": np.arange(n, dtype=float)})
        with pytest.raises(cg.InvalidArgumentError, match=rf"needs at least {minimum} units .* gives {n} "):
            getattr(cg, function)(table, "v", "adcode", allow_partial=True, permutations=9, seed=1)
    table = pd.DataFrame({"adcode": _CHONGQING_NORTH[:minimum], "v": np.arange(minimum, dtype=float) ** 2})
    getattr(cg, function)(table, "v", "adcode", allow_partial=True, permutations=9, seed=1)


@pytest.mark.parametrize("function", ["lisa", "morans_i"])
def test_constant_values_are_refused(function):
    table = pd.DataFrame({"adcode": cg.unit_table("county", "2024")["adcode"], "v": 7.0})
    with pytest.raises(cg.InvalidArgumentError, match=r"values of 'v' are constant \(7 for all 221 units\)"):
        getattr(cg, function)(table, "v", "adcode", permutations=9, seed=1)


@pytest.mark.parametrize(
    "call",
    [
        lambda t: cg.morans_i(t, ("x", "v"), ("x", "adcode"), permutations=9),
        lambda t: cg.morans_i(t, "v", "adcode", permutations=9),
        lambda t: cg.lisa(t, ("x", "v"), ("x", "adcode"), permutations=9),
        lambda t: cg.theil(t, ("x", "v"), ("x", "adcode")),
        lambda t: cg.linkage(t, ("x", "v"), ("x", "adcode")),
        lambda t: cg.border_pair_panel(t, key=("x", "adcode")),
    ],
    ids=["morans_i tuple", "morans_i name", "lisa", "theil", "linkage", "border_pair_panel"],
)
def test_multiindex_columns_are_refused_clearly(call):
    units = cg.unit_table("county", "2024")["adcode"]
    table = pd.DataFrame({("x", "adcode"): units, ("x", "v"): np.arange(1, len(units) + 1, dtype=float)})
    with pytest.raises(cg.InvalidArgumentError, match="MultiIndex columns .* flatten them, e.g."):
        call(table)


# --------------------------------------------------------------------------- weights files


def _user_weights(ids):
    """Rook weights of a row of squares keyed by ``ids``, through the library's own path."""
    return cg.weights(cg.adjacency_graph(_cells(ids), id_col="id"), kind="rook")


@pytest.mark.parametrize("bad", ["two words", "line\nbreak", "tab\there", "", "全角\u3000空格", "cr\r"])
@pytest.mark.parametrize("suffix", ["gal", "gwt"])
def test_ids_a_weights_format_cannot_hold_are_refused_naming_them(tmp_path, bad, suffix):
    w = _user_weights(["a", bad, "c"])
    target = tmp_path / f"w.{suffix}"
    with pytest.raises(
        cg.InvalidArgumentError, match=rf"1 ids cannot be written to a \.{suffix} file"
    ) as err:
        cg.write_weights(w, target)
    assert repr(bad) in str(err.value) and "format='csv'" in str(err.value)
    assert not target.exists(), "nothing half-written"
    cg.write_weights(w, tmp_path / "w.csv")  # the suggested way out works


def test_gwt_refuses_a_double_quote_gal_keeps_it(tmp_path):
    from libpysal import graph

    w = _user_weights(["a", 'say"x', "c"])
    with pytest.raises(cg.InvalidArgumentError, match=r"\.gwt file.*'say\"x'"):
        cg.write_weights(w, tmp_path / "w.gwt")
    back = graph.read_gal(str(cg.write_weights(w, tmp_path / "w.gal")))
    assert set(map(str, back.unique_ids)) == {"a", 'say"x', "c"}


def test_allowed_ids_round_trip_through_libpysal(tmp_path):
    from libpysal import graph, io

    ids = ["万州区", "=cmd", "x'y", "a-b", "500101", "#7", "@home"]
    w = _user_weights(ids)
    expected = {(str(f), str(n)) for f, n in w.adjacency.index if f != n}
    gal = cg.write_weights(w, tmp_path / "w.gal")
    back = graph.read_gal(str(gal))
    assert {(str(f), str(n)) for f, n in back.adjacency.index if f != n} == expected
    classic = io.open(str(gal)).read()  # the classic W reader too
    assert {(str(f), str(n)) for f, ns in classic.neighbors.items() for n in ns} == expected
    gwt = cg.write_weights(_user_weights(ids), tmp_path / "w.gwt")
    back = graph.read_gwt(str(gwt))
    assert {(str(f), str(n)) for f, n in back.adjacency.index if f != n} == expected
    assert np.allclose(back.adjacency.to_numpy(), 1.0)


def test_csv_weights_are_safe_for_spreadsheets_unless_asked_not_to(tmp_path):
    w = _user_weights(["=HYPERLINK(1)", "-3", "万州区", "@SUM(A1)"])
    safe = pd.read_csv(cg.write_weights(w, tmp_path / "safe.csv"), dtype=str)
    cells = set(safe["focal"]) | set(safe["neighbor"])
    assert cells == {"'=HYPERLINK(1)", "-3", "万州区", "'@SUM(A1)"}, "a number stays a number"
    raw = pd.read_csv(cg.write_weights(w, tmp_path / "raw.csv", escape_formulas=False), dtype=str)
    assert set(raw["focal"]) | set(raw["neighbor"]) == {"=HYPERLINK(1)", "-3", "万州区", "@SUM(A1)"}
    assert list(safe.columns) == ["focal", "neighbor", "weight"]
    # Ids a GAL file cannot hold are written to CSV as they are, quoted.
    odd = pd.read_csv(
        cg.write_weights(_user_weights(["two words", "line\nbreak"]), tmp_path / "odd.csv"), dtype=str
    )
    assert set(odd["focal"]) == {"two words", "line\nbreak"}


def test_a_stack_of_detailed_near_copies_is_refused_quickly():
    # 150 copies of a 2,001-vertex circle, each 1e-7° from the last: few enough pairs for the
    # pair budget, but their exact intersections took 39 s and 2.2 GB at 200 copies.
    base = shapely.Point(104, 30).buffer(0.05, quad_segs=500)
    layer = gpd.GeoDataFrame(
        {"id": range(150)},
        geometry=[shapely.affinity.translate(base, i * 1e-7, i * 1e-7) for i in range(150)],
        crs=4326,
    )
    with pytest.raises(cg.InvalidArgumentError, match="stacked on top of each other.*vertices"):
        cg.adjacency_graph(layer, id_col="id")
