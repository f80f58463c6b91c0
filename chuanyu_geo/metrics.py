"""Platform and cluster metrics on the adjacency graph.

Kept apart from :mod:`chuanyu_geo.adjacency` (which knows nothing of platforms) so the
contiguity engine stays usable on any polygon layer; this module joins the two.
"""

from __future__ import annotations

import networkx as nx
import pandas as pd

from .adjacency import cross_border_pairs, graph_for
from .boundaries import MEMBER_LEVELS, dissolve, load_boundaries
from .platforms import Platform, clusters, plan_of, platform_set_of, platforms_by_unit

__all__ = ["platform_metrics", "cluster_metrics", "border_coverage", "platform_pairs"]

METRIC_LEVELS = MEMBER_LEVELS


def _cross_border_edges(graph: nx.Graph) -> list[tuple[str, str, float]]:
    return [(a, b, d["shared_km"]) for a, b, d in graph.edges(data=True) if d["cross_border"]]


def _group_metrics(graph: nx.Graph, members: list[str], layer, total_border_km: float) -> dict:
    """Size, contiguity, cross-border edges and outside neighbours of a set of units."""
    member_set = set(members)
    # Contiguity through shared borders (Rook): touching at a corner does not join two areas.
    rook = nx.Graph()
    rook.add_nodes_from(members)
    rook.add_edges_from(
        (a, b) for a, b, d in graph.subgraph(members).edges(data=True) if d["contact"] == "edge"
    )
    inside = [(a, b, km) for a, b, km in _cross_border_edges(graph) if a in member_set and b in member_set]
    outside = sorted({n for m in members for n in graph.neighbors(m)} - member_set)
    _, area = dissolve(layer.loc[members])
    inside_km = sum(km for _, _, km in inside)
    components = nx.number_connected_components(rook)
    return {
        "n_units": len(members),
        "units": "、".join(layer.loc[members, "name"]),
        "area_km2": round(area, 1),
        "contiguous": components == 1,
        "components": components,
        "cross_border_edges": len(inside),
        "cross_border_km": round(inside_km, 2),
        "border_share": round(inside_km / total_border_km, 4) if total_border_km else 0.0,
        "n_external_neighbours": len(outside),
        "external_neighbours": "、".join(layer.loc[outside, "name"]),
    }


def _context(level: str | None, vintage: str | None, detail: str | None, graph: nx.Graph | None):
    graph = graph_for(graph, level, vintage, detail, METRIC_LEVELS)
    meta = graph.graph
    layer = load_boundaries(meta["level"], meta["vintage"], meta["detail"]).set_index("adcode")
    total = sum(km for _, _, km in _cross_border_edges(graph))
    return graph, layer, total


def platform_metrics(
    level: str | None = None,
    vintage: str | None = None,
    detail: str | None = None,
    graph: nx.Graph | None = None,
    platform_set: list[Platform] | None = None,
    plan: str | None = None,
) -> pd.DataFrame:
    """Per platform: members, area, contiguity, cross-border edges inside, outside neighbours.

    Parameters
    ----------
    level : {"county", "partner", "prefecture"}, optional
        Default county; read from ``graph`` when one is given.
    vintage : str, optional
        An id of the vintage registry (``cg.VINTAGES``); None: the registry's default.
        Default 2024; read from ``graph`` when one is given.
    detail : {"standard", "fine"}, optional
        Default standard; read from ``graph`` when one is given.
    graph : networkx.Graph, optional
        From :func:`chuanyu_geo.adjacency_graph`; an argument that contradicts it raises.
    platform_set : list of Platform, optional
    plan : str, optional
        Which plan's platforms (see :func:`chuanyu_geo.plans`); default the 2020 plan.

    Returns
    -------
    pandas.DataFrame
        ``platform_id``, ``platform``, ``cluster``, ``precision`` (``approximate`` where the
        platform covers only parts of its units: every figure then describes the
        containing units), ``n_units``, ``units``, ``area_km2`` (geodesic, the footprint of
        :meth:`Platform.footprint`), ``plan_area_km2`` (what an approved plan states),
        ``area_note``, ``contiguous`` / ``components`` (connected through shared borders),
        ``cross_border_edges`` and ``cross_border_km`` (Sichuan–Chongqing contacts with
        both sides in the platform), ``border_share`` (of the whole SC–CQ border),
        ``n_external_neighbours``, ``external_neighbours``.

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> table = cg.platform_metrics(level="partner")
    >>> bool(table.set_index("platform").loc["遂潼", "cross_border_km"] > 0)
    True
    """
    graph, layer, total = _context(level, vintage, detail, graph)
    meta = graph.graph
    rows = []
    chosen = platform_set_of(platform_set, plan)
    for platform in chosen:
        footprint = platform.footprint(meta["level"], meta["vintage"], meta["detail"]).iloc[0]
        members = footprint["unit_adcodes"].split(",")
        metrics = _group_metrics(graph, members, layer, total)
        area = round(float(footprint["area_km2"]), 1)
        rows.append(
            {
                "platform_id": platform.id,
                "platform": platform.short_name,
                "cluster": platform.cluster,
                "precision": footprint["precision"],
                **metrics,
                "area_km2": area,
                "plan_area_km2": platform.plan_area_km2,
                "area_note": platform.area_note(footprint["precision"], area),
            }
        )
    table = pd.DataFrame(rows)
    order = [
        "platform_id",
        "platform",
        "cluster",
        "precision",
        "n_units",
        "units",
        "area_km2",
        "plan_area_km2",
        "area_note",
    ]
    table = table[order + [c for c in table.columns if c not in order]]
    # The plan used here, not one a labelled graph may record.
    table.attrs.update(graph.graph, plan=plan_of(chosen))
    return table


def cluster_metrics(
    level: str | None = None,
    vintage: str | None = None,
    detail: str | None = None,
    graph: nx.Graph | None = None,
    plan: str | None = None,
) -> pd.DataFrame:
    """The metrics of :func:`platform_metrics` for each cluster (union of its platforms' units).

    Parameters
    ----------
    level, vintage, detail, graph, plan
        As for :func:`platform_metrics`.

    Returns
    -------
    pandas.DataFrame
        ``cluster``, ``cluster_name``, ``platforms`` and the columns of
        :func:`platform_metrics` from ``n_units`` on.

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> list(cg.cluster_metrics()["cluster"])
    ['northeast', 'central', 'southwest']
    """
    graph, layer, total = _context(level, vintage, detail, graph)
    meta = graph.graph
    chosen = platform_set_of(None, plan)
    by_id = {p.id: p for p in chosen}
    rows = []
    for cluster in clusters(plan):
        members = sorted(
            {
                c
                for pid in cluster.platform_ids
                for c in by_id[pid].member_adcodes(meta["level"], meta["vintage"])
            }
        )
        rows.append(
            {
                "cluster": cluster.id,
                "cluster_name": cluster.name,
                "platforms": "、".join(by_id[pid].short_name for pid in cluster.platform_ids),
                **_group_metrics(graph, members, layer, total),
            }
        )
    table = pd.DataFrame(rows)
    table.attrs.update(graph.graph, plan=plan_of(chosen))
    return table


def border_coverage(
    level: str | None = None,
    vintage: str | None = None,
    detail: str | None = None,
    graph: nx.Graph | None = None,
    platform_set: list[Platform] | None = None,
    plan: str | None = None,
) -> dict:
    """Share of the Sichuan–Chongqing border that lies inside some platform on both sides.

    A cross-border contact counts when both of its units belong to one and the same
    platform (the platform spans the border there).

    Parameters
    ----------
    level, vintage, detail, graph, platform_set, plan
        As for :func:`platform_metrics`.

    Returns
    -------
    dict
        ``border_km`` (all SC–CQ contacts), ``covered_km``, ``share``, ``both_sides_in_any_km``
        (both units in some platform, not necessarily the same) and the layer's
        ``level``, ``vintage``, ``detail``, ``source``.

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> cg.border_coverage(level="partner")["share"] > 0.85
    True
    """
    graph, _, total = _context(level, vintage, detail, graph)
    meta = graph.graph
    chosen = platform_set_of(platform_set, plan)
    member_of = platforms_by_unit(chosen, meta["level"], meta["vintage"])
    platform_of = {code: {p.id for p in ps} for code, ps in member_of.items()}
    covered = any_side = 0.0
    for a, b, km in _cross_border_edges(graph):
        pa, pb = platform_of.get(a, set()), platform_of.get(b, set())
        covered += km if pa & pb else 0.0
        any_side += km if pa and pb else 0.0
    return {
        "border_km": round(total, 2),
        "covered_km": round(covered, 2),
        "share": round(covered / total, 4) if total else 0.0,
        "both_sides_in_any_km": round(any_side, 2),
        **{k: meta.get(k) for k in ("level", "vintage", "detail", "source")},
        "plan": plan_of(chosen),
    }


def platform_pairs(
    level: str | None = None,
    vintage: str | None = None,
    detail: str | None = None,
    graph: nx.Graph | None = None,
    platform_set: list[Platform] | None = None,
    plan: str | None = None,
) -> pd.DataFrame:
    """Each platform's cross-border pairs: contacts with both units in the platform.

    Parameters
    ----------
    level, vintage, detail, graph, platform_set, plan
        As for :func:`platform_metrics`.

    Returns
    -------
    pandas.DataFrame
        ``platform_id``, ``platform`` and the columns of
        :func:`chuanyu_geo.cross_border_pairs` (Sichuan side first).

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> pairs = cg.platform_pairs(level="partner")
    >>> pairs.loc[pairs["platform_id"] == "suitong", ["name_a", "name_b"]].values.tolist()
    [['遂宁市', '潼南区']]
    """
    graph = graph_for(graph, level, vintage, detail, METRIC_LEVELS)
    meta = graph.graph
    pairs = cross_border_pairs(graph=graph)
    frames = []
    chosen = platform_set_of(platform_set, plan)
    for platform in chosen:
        members = set(platform.member_adcodes(meta["level"], meta["vintage"]))
        inside = pairs[pairs["adcode_a"].isin(members) & pairs["adcode_b"].isin(members)]
        frames.append(inside.assign(platform_id=platform.id, platform=platform.short_name))
    table = pd.concat(frames, ignore_index=True)
    table = table[["platform_id", "platform"] + [c for c in pairs.columns]]
    table.attrs.update(pairs.attrs, plan=plan_of(chosen))
    return table
