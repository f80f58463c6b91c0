"""Graphs and pair tables from a contacts table: networkx graph, pair frame, shared lines."""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .._errors import InvalidArgumentError
from .pipeline import contacts

if TYPE_CHECKING:  # imported where a graph is built: the contacts table and a libpysal
    import networkx as nx  # Graph need no networkx (50-90 ms to import)

RESOLUTION_NOTE = (
    "shared lengths depend on the boundary resolution (finer layers give longer borders); "
    "compare lengths only within one layer"
)
PAIR_COLUMNS = [
    "adcode_a",
    "name_a",
    "province_a",
    "adcode_b",
    "name_b",
    "province_b",
    "shared_km",
    "contact",
]
_NODE_COLUMNS = ("name", "short_name", "name_en", "province", "prefecture", "prefecture_adcode")


def _positions(ids, values, what: str) -> np.ndarray:
    """Where each of ``values`` stands in ``ids`` (an :class:`pandas.Index`), refusing unknown ones."""
    at = ids.get_indexer(values)
    if (at < 0).any():
        unknown = pd.unique(np.asarray(values, dtype=object)[at < 0])
        shown = ", ".join(map(repr, unknown[:10])) + (", …" if len(unknown) > 10 else "")
        raise InvalidArgumentError(f"{what} holds ids that are not among the ids given: {shown}")
    return at


def build_graph(
    layer: gpd.GeoDataFrame,
    key: str | None,
    table: pd.DataFrame,
    meta: dict,
    tolerance_m,
    node_attributes: dict | None = None,
) -> nx.Graph:
    """A networkx graph from a layer and its :func:`contacts` table.

    ``node_attributes`` (node -> dict) adds attributes that layers above this engine know
    (platform labels of the shipped layers, for instance).
    """
    import networkx as nx

    graph = nx.Graph(
        **meta, resolution_note=RESOLUTION_NOTE, tolerance_m=tolerance_m, issues=table.attrs.get("issues")
    )
    ids = layer[key].tolist() if key else layer.index.tolist()
    attributes = [c for c in _NODE_COLUMNS if c in layer.columns]
    extra = node_attributes or {}
    columns = {c: layer[c].tolist() for c in attributes}
    records = [{c: values[k] for c, values in columns.items()} for k in range(len(ids))]
    # Bulk insertion: per-call overhead dominates for large layers.
    graph.add_nodes_from((node, {**row, **extra.get(node, {})}) for node, row in zip(ids, records))
    if not len(table):
        return graph
    index = pd.Index(ids)
    if not index.is_unique:
        raise InvalidArgumentError(
            f"the layer's ids ({key or 'the index'}) repeat; the graph needs unique ids"
        )
    a = _positions(index, table["id_a"], "the table's id_a")
    b = _positions(index, table["id_b"], "the table's id_b")
    if "province" in layer.columns:
        # Element-wise != on objects, as Python compares two provinces (NaN differs from NaN).
        province = np.asarray(layer["province"].tolist(), dtype=object)
        cross = (province[a] != province[b]).tolist()
    else:
        cross = [False] * len(table)
    node = np.empty(len(ids), dtype=object)
    node[:] = ids
    records = [
        {"shared_km": km, "contact": c, "cross_border": x, "overlap_km2": o, "gap": g}
        for km, c, x, o, g in zip(
            table["shared_km"].astype(float).tolist(),
            table["contact"].tolist(),
            cross,
            table["overlap_km2"].astype(float).tolist(),
            table["gap"].astype(bool).tolist(),
        )
    ]
    # The edges written straight into networkx's adjacency (what add_edges_from does, less
    # its per-edge lookups and dict copies: 3x faster on 3 million edges). Both ends are
    # nodes already, and each pair comes once, so one shared data dict per edge is all
    # add_edges_from would leave behind.
    adjacency = graph._adj
    for u, v, data in zip(node[a].tolist(), node[b].tolist(), records):
        adjacency[u][v] = data
        adjacency[v][u] = data
    return graph


def contacts_to_graph(table: pd.DataFrame, ids=None, weight: str | None = None, rook: bool = False):
    """A :class:`libpysal.graph.Graph` straight from a :func:`contacts` table (no networkx).

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`contacts`: ``id_a``, ``id_b``, ``contact``, ``shared_km``.
    ids : sequence, optional
        Every unit, in the order the Graph should hold them (the layer's id column or
        index): units without a contact become isolates. By default the ids the table
        names, in order of appearance (a table cannot name isolates).
    weight : {None, "shared_km"}
        ``None``: every contact weighs 1. ``"shared_km"``: the pairs sharing a line
        (``contact == "edge"`` and ``shared_km > 0``), weighted by its geodesic length in
        km, as :func:`chuanyu_geo.weights` ``kind="shared_km"``.
    rook : bool
        Keep only the pairs sharing a line (libpysal's Rook); else every contact (Queen).

    Returns
    -------
    libpysal.graph.Graph
        Both directions of each pair, focal units in the order of ``ids``; isolates as
        libpysal writes them (a self-pair of weight 0). Queen and Rook equal libpysal's
        ``Graph.build_contiguity(gdf, rook=...)`` on a valid coverage.

    Raises
    ------
    ImportError
        When libpysal (the ``analysis`` extra) is not installed.
    InvalidArgumentError
        A missing column, an unknown ``weight``, repeated ``ids`` or table ids not in ``ids``.

    Examples
    --------
    >>> import geopandas as gpd, shapely, chuanyu_geo as cg
    >>> squares = [shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1), shapely.box(5, 5, 6, 6)]
    >>> cells = gpd.GeoDataFrame({"id": ["a", "b", "c"]}, geometry=squares, crs=3857)
    >>> w = cg.contacts_to_graph(cg.contacts(cells, "id"), cells["id"])
    >>> w.neighbors["a"], w.isolates.tolist()
    (('b',), ['c'])
    """
    try:
        from libpysal.graph import Graph
    except ImportError as exc:
        raise ImportError(
            'contacts_to_graph needs libpysal, in the analysis extra: pip install "chuanyu-geo[analysis]"'
        ) from exc
    if weight not in (None, "shared_km"):
        raise InvalidArgumentError(f"weight={weight!r}: expected None or 'shared_km'")
    needed = ["id_a", "id_b", "contact"] + (["shared_km"] if weight else [])
    missing = [c for c in needed if c not in getattr(table, "columns", ())]
    if missing:
        raise InvalidArgumentError(
            f"table lacks the column(s) {', '.join(missing)}; expected a chuanyu_geo.contacts() table"
        )
    if ids is None:
        ids = pd.unique(np.concatenate([table["id_a"].to_numpy(object), table["id_b"].to_numpy(object)]))
    # The ids' own dtype (int64 ids stay int64: libpysal indexes them several times faster).
    index = pd.Index(ids if isinstance(ids, (pd.Series, pd.Index, np.ndarray)) else list(ids))
    if not index.is_unique:
        repeated = index[index.duplicated()].unique()[:10]
        raise InvalidArgumentError(f"ids repeat: {', '.join(map(repr, repeated))}; each unit once")
    a = _positions(index, table["id_a"], "the table's id_a")
    b = _positions(index, table["id_b"], "the table's id_b")
    keep = np.ones(len(table), dtype=bool)
    if rook or weight:
        keep &= table["contact"].to_numpy() == "edge"
    value = np.ones(len(table))
    if weight:
        value = table["shared_km"].to_numpy(dtype=float)
        keep &= value > 0
    a, b, value = a[keep], b[keep], value[keep]
    alone = np.nonzero(np.bincount(np.concatenate([a, b]), minlength=len(index)) == 0)[0]
    focal = np.concatenate([a, b, alone])
    neighbor = np.concatenate([b, a, alone])
    weights = np.concatenate([value, value, np.zeros(len(alone))])
    # Sorted by focal, then neighbour, both in the order of ``ids``, every id a focal (isolates
    # as self-pairs): the canonical order Graph would otherwise restore with two reindexes
    # (seconds at 3 million edges). The MultiIndex is built from those positions (its codes,
    # on levels in the order of ``ids``), as Graph's own sorting leaves it.
    order = np.lexsort((neighbor, focal))
    levels = pd.Index(index, name=None)
    pairs = pd.MultiIndex(
        levels=[levels, levels],
        codes=[focal[order], neighbor[order]],
        names=["focal", "neighbor"],
        verify_integrity=False,
    )
    return Graph(pd.Series(weights[order], index=pairs, name="weight"), is_sorted=True)


def _id_order(value) -> tuple:
    """A sort key that orders ids of different types: numbers, then text, then anything else."""
    if isinstance(value, (int, float, np.integer, np.floating)):
        return (0, value)
    if isinstance(value, str):
        return (1, value)
    return (2, type(value).__name__, str(value))


def _sorted_pair(a, b) -> tuple:
    try:
        return (b, a) if b < a else (a, b)
    except TypeError:  # ids of different types (1 and "b") do not compare
        return tuple(sorted((a, b), key=_id_order))


def graph_to_frame(graph: nx.Graph) -> pd.DataFrame:
    """Edges of an adjacency graph as a pair table (columns of DESIGN.md), a before b by id.

    Ids of different types that Python cannot compare (``1`` and ``"b"`` in one id column)
    are ordered numbers first, then text.

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> frame = cg.graph_to_frame(cg.adjacency_graph())
    >>> len(frame), int(frame["cross_border"].sum())
    (602, 29)
    """
    rows = []
    for a, b, attrs in graph.edges(data=True):
        a, b = _sorted_pair(a, b)
        na, nb = graph.nodes[a], graph.nodes[b]
        rows.append(
            {
                "adcode_a": a,
                "name_a": na.get("name"),
                "province_a": na.get("province"),
                "adcode_b": b,
                "name_b": nb.get("name"),
                "province_b": nb.get("province"),
                "shared_km": attrs["shared_km"],
                "contact": attrs["contact"],
                "cross_border": attrs["cross_border"],
            }
        )
    frame = pd.DataFrame(rows, columns=PAIR_COLUMNS + ["cross_border"])
    try:
        frame = frame.sort_values(["adcode_a", "adcode_b"])
    except TypeError:
        frame = frame.sort_values(["adcode_a", "adcode_b"], key=lambda ids: ids.map(_id_order))
    return frame.reset_index(drop=True)


def shared_lines(pairs: pd.DataFrame, layer: gpd.GeoDataFrame) -> list:
    """The line each pair of a pair table shares, drawn from ``layer``'s geometry.

    Parameters
    ----------
    pairs : pandas.DataFrame
        With ``adcode_a`` and ``adcode_b`` (from :func:`graph_to_frame` or
        :func:`cross_border_pairs`).
    layer : geopandas.GeoDataFrame
        Units with ``adcode``; a simplified display layer gives display lines (the
        lengths in ``pairs`` stay those of the layer the graph was built from).

    Returns
    -------
    list of shapely geometries, one per row

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> pairs = cg.cross_border_pairs()
    >>> lines = cg.shared_lines(pairs, cg.load_boundaries())
    >>> len(lines) == len(pairs), lines[0].geom_type
    (True, 'LineString')
    """
    geoms = layer.set_index("adcode").geometry
    shared = shapely.intersection(
        shapely.boundary(geoms.loc[pairs["adcode_a"]].values),
        shapely.boundary(geoms.loc[pairs["adcode_b"]].values),
    )
    # The intersection comes back segment by segment; merged, a border is half the size.
    lines = shapely.get_type_id(shared) == shapely.GeometryType.MULTILINESTRING
    shared[lines] = shapely.line_merge(shared[lines])
    return list(shared)


def contiguity_graph(
    gdf: gpd.GeoDataFrame, id_col: str | None = None, tolerance_m: float | None = None, _stacklevel: int = 2
) -> nx.Graph:
    """Contiguity graph of any polygon layer, with shared border lengths.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
    id_col : str, optional
        Column of unique node ids; the index by default.
    tolerance_m : float, optional
        As for :func:`contacts`.

    Returns
    -------
    networkx.Graph
        Edges carry ``shared_km``, ``contact``, ``cross_border`` (provinces differ, when the
        layer has a ``province`` column), ``overlap_km2`` and ``gap``; ``graph.graph`` the
        layer's ``source`` and the ``issues`` table.

    Raises
    ------
    InvalidArgumentError
        As for :func:`contacts` (bad ids, zero-area polygons, identical or stacked polygons).
    """
    table = contacts(gdf, id_col, tolerance_m, _stacklevel=_stacklevel + 1)
    meta = {
        "level": "user layer",
        "vintage": gdf.attrs.get("vintage"),
        "detail": gdf.attrs.get("detail"),
        "source": gdf.attrs.get("source", "user layer"),
    }
    return build_graph(gdf, id_col, table, meta, tolerance_m)
