"""The contiguity engine as a subpackage (issue 20) and its contacts table without networkx (issue 25)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import chuanyu_geo as cg
from chuanyu_geo import contiguity

ENGINE = Path(contiguity.__file__).parent
MAX_LINES = 700


def test_the_engine_is_a_subpackage_of_modules_with_one_job():
    modules = sorted(ENGINE.glob("*.py"))
    names = {path.stem for path in modules}
    assert {"validation", "snapping", "matching", "exact", "pipeline", "graphs"} <= names, names
    assert not (ENGINE.parent / "contiguity.py").exists()


@pytest.mark.parametrize("path", sorted(ENGINE.glob("*.py")), ids=lambda p: p.name)
def test_each_engine_module_is_short_and_says_its_job(path):
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_LINES, f"{path.name}: {len(text.splitlines())} lines"
    docstring = ast.get_docstring(ast.parse(text))
    assert docstring and docstring.strip(), f"{path.name} opens without a docstring"


def test_the_names_imported_from_the_old_module_still_import():
    from chuanyu_geo.contiguity import (  # noqa: F401
        PAIR_COLUMNS,
        RESOLUTION_NOTE,
        AdjacencyWarning,
        build_graph,
        contacts,
        contiguity_graph,
        graph_to_frame,
        shared_lines,
    )

    assert contacts is cg.contacts and graph_to_frame is cg.graph_to_frame
    for name in contiguity.__all__:
        assert getattr(contiguity, name) is not None
    # The private steps the tests and benchmarks reach through the package.
    for name in (
        "_Frame",
        "_check_and_match",
        "_coverage_contacts",
        "_segment_problems",
        "_check_user_layer",
        "_has_near_duplicates",
        "_snap_vertices",
        "snap_distance",
    ):
        assert callable(getattr(contiguity, name)), name


# --------------------------------------------------------------------------- issue 25: no networkx needed


def _libpysal_pairs(w) -> set:
    adj = w.adjacency.reset_index()
    adj = adj[adj["focal"] != adj["neighbor"]]
    return {frozenset(p) for p in zip(adj["focal"], adj["neighbor"])}


def _table_pairs(table, contact=None) -> set:
    rows = table if contact is None else table[table["contact"] == contact]
    return {frozenset(p) for p in zip(rows["id_a"], rows["id_b"])}


def _voronoi(n: int, seed: int = 7):
    import geopandas as gpd
    import numpy as np
    import shapely

    rng = np.random.default_rng(seed)
    points = shapely.multipoints(np.column_stack([rng.uniform(100, 101, n), rng.uniform(30, 31, n)]))
    box = shapely.box(100, 30, 101, 31)
    cells = shapely.intersection(shapely.get_parts(shapely.voronoi_polygons(points, extend_to=box)), box)
    return gpd.GeoDataFrame({"id": [f"v{k}" for k in range(len(cells))]}, geometry=cells, crs=4326)


def _checkerboard():
    """Four unit squares meeting at (1, 1), a fifth square alone: two pairs meet at a point only."""
    import geopandas as gpd
    import shapely

    squares = [shapely.box(x, y, x + 1, y + 1) for y in (0, 1) for x in (0, 1)] + [shapely.box(5, 5, 6, 6)]
    return gpd.GeoDataFrame({"id": ["sw", "se", "nw", "ne", "far"]}, geometry=squares, crs=32648)


@pytest.fixture(scope="module")
def layers():
    county = cg.load_boundaries("county", "2024", "standard").copy()
    county.attrs = {}
    return {
        "county 2024": (county, "adcode"),
        "voronoi": (_voronoi(300), "id"),
        "corners": (_checkerboard(), "id"),
    }


@pytest.mark.parametrize("name", ["county 2024", "voronoi", "corners"])
def test_contacts_and_their_libpysal_graph_equal_adjacency_graph_and_libpysal_queen(layers, name):
    from libpysal.graph import Graph

    layer, key = layers[name]
    table = cg.contacts(layer, key)
    graph = cg.adjacency_graph(layer, id_col=key)
    edges = {frozenset((a, b)): d for a, b, d in graph.edges(data=True)}
    assert _table_pairs(table) == set(edges)
    for row in table.itertuples():
        d = edges[frozenset((row.id_a, row.id_b))]
        assert (row.shared_km, row.contact) == (d["shared_km"], d["contact"])

    queen = contiguity.contacts_to_graph(table, layer[key])
    assert list(queen.unique_ids) == list(layer[key])
    theirs = Graph.build_contiguity(layer.set_index(key), rook=False)
    assert _libpysal_pairs(queen) == _table_pairs(table) == _libpysal_pairs(theirs)
    assert (
        set(queen.isolates)
        == set(theirs.isolates)
        == set(layer[key]) - set(graph.nodes) | {n for n in graph.nodes if graph.degree(n) == 0}
    )

    rook = contiguity.contacts_to_graph(table, layer[key], rook=True)
    their_rook = Graph.build_contiguity(layer.set_index(key), rook=True)
    assert _libpysal_pairs(rook) == _table_pairs(table, "edge") == _libpysal_pairs(their_rook)
    # The documented relation: Queen = Rook + the pairs that meet at points only.
    assert _libpysal_pairs(queen) - _libpysal_pairs(rook) == _table_pairs(table, "point")


def test_point_contacts_are_queen_but_not_rook(layers):
    table = cg.contacts(*layers["corners"])
    assert _table_pairs(table, "point") == {frozenset(("sw", "ne")), frozenset(("se", "nw"))}
    queen = contiguity.contacts_to_graph(table, layers["corners"][0]["id"])
    assert set(queen.neighbors["sw"]) == {"se", "nw", "ne"} and queen.isolates.tolist() == ["far"]
    rook = contiguity.contacts_to_graph(table, layers["corners"][0]["id"], rook=True)
    assert set(rook.neighbors["sw"]) == {"se", "nw"}


def test_shared_km_weights_equal_cg_weights():
    layer = cg.load_boundaries("county", "2024", "standard")
    table = cg.contacts(layer, "adcode", trusted_coverage=True)
    ours = contiguity.contacts_to_graph(table, layer["adcode"], weight="shared_km")
    theirs = cg.weights("county", kind="shared_km")
    left = ours.adjacency.sort_index()
    right = theirs.adjacency.sort_index()
    assert left.index.equals(right.index)
    assert left.to_numpy() == pytest.approx(right.to_numpy(), rel=1e-12)
    assert round(float(ours.adjacency.loc[("500101", "500154")]), 2) == 68.1  # 万州区–开州区, as cg.weights


def test_contacts_to_graph_names_bad_input(layers):
    table = cg.contacts(*layers["corners"])
    with pytest.raises(cg.InvalidArgumentError, match=r"weight='length': expected None or 'shared_km'"):
        contiguity.contacts_to_graph(table, weight="length")
    with pytest.raises(
        cg.InvalidArgumentError, match=r"id_a holds ids that are not among the ids given: 'sw'"
    ):
        contiguity.contacts_to_graph(table, ["se", "nw", "ne", "far"])
    with pytest.raises(cg.InvalidArgumentError, match=r"ids repeat: 'sw'"):
        contiguity.contacts_to_graph(table, ["sw", "sw", "se", "nw", "ne"])
    with pytest.raises(cg.InvalidArgumentError, match=r"lacks the column\(s\) contact"):
        contiguity.contacts_to_graph(table.drop(columns="contact"))


def test_contacts_to_graph_says_which_extra_it_needs(layers, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "libpysal.graph", None)  # an import of it now fails
    with pytest.raises(ImportError, match=r'pip install "chuanyu-geo\[analysis\]"'):
        contiguity.contacts_to_graph(cg.contacts(*layers["corners"]))


def test_the_networkx_graph_is_what_add_edges_from_builds(layers):
    """The bulk build writes networkx's adjacency itself: same graph as the public API builds."""
    import networkx as nx

    layer, key = layers["county 2024"]
    table = cg.contacts(layer, key)
    graph = contiguity.build_graph(layer, key, table, {}, None)
    reference = nx.Graph()
    reference.add_nodes_from(graph.nodes(data=True))
    reference.add_edges_from(
        (
            r.id_a,
            r.id_b,
            {"shared_km": r.shared_km, "contact": r.contact, "overlap_km2": r.overlap_km2, "gap": r.gap},
        )
        for r in table.itertuples()
    )
    assert nx.utils.graphs_equal(
        nx.Graph(graph.edges), nx.Graph(reference.edges)
    ) and graph.number_of_edges() == len(table)
    for a, b, d in reference.edges(data=True):
        mine = graph.edges[a, b]
        assert {k: mine[k] for k in d} == d
        province = layer.set_index(key)["province"]
        assert mine["cross_border"] == (province[a] != province[b])
    assert list(graph.edges) == list(reference.edges)  # same insertion order
    a, b = next(iter(graph.edges))
    assert graph[a][b] is graph[b][a], "one data dict per edge, as add_edges_from leaves it"
