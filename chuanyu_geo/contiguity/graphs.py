"""Graphs and pair tables from a contacts table: networkx graph, pair frame, shared lines."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely

from .pipeline import contacts

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
    if len(table):
        # Plain lists: iterating pandas string arrays element by element is slow.
        id_a, id_b = table["id_a"].tolist(), table["id_b"].tolist()
        if "province" in layer.columns:
            province = dict(zip(ids, layer["province"].tolist()))
            cross = [province[a] != province[b] for a, b in zip(id_a, id_b)]
        else:
            cross = [False] * len(table)
        graph.add_edges_from(
            (a, b, {"shared_km": km, "contact": c, "cross_border": x, "overlap_km2": o, "gap": g})
            for a, b, km, c, x, o, g in zip(
                id_a,
                id_b,
                table["shared_km"].astype(float).tolist(),
                table["contact"].tolist(),
                cross,
                table["overlap_km2"].astype(float).tolist(),
                table["gap"].astype(bool).tolist(),
            )
        )
    return graph


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
