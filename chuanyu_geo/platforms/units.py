"""Platforms unit by unit: which units belong to which platforms, as a mapping, a table or graph labels.

Every output that colours, counts or labels units by platform reads :func:`platforms_by_unit`;
:func:`membership` is the same relation as a table and :func:`label_graph` writes it onto the
nodes of an adjacency graph, for the plan a caller chooses (graphs carry no platforms of their
own: :mod:`chuanyu_geo.adjacency` sits below this layer).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from .._errors import InvalidArgumentError
from ..boundaries import LEVELS, MEMBER_LEVELS, _unit_table, check_choice, check_vintage, vintage_registry
from ..gazetteer import EXPAND_LEVELS
from .model import Platform
from .registry import plan_of, platform_set_of

if TYPE_CHECKING:  # networkx is imported by whoever holds a graph; `import chuanyu_geo` stays light
    import networkx as nx

__all__ = ["platforms_by_unit", "membership", "label_graph"]


def platforms_by_unit(chosen: list[Platform], level: str, vintage: str) -> dict[str, list[Platform]]:
    """Adcode -> the platforms of ``chosen`` the unit belongs to at ``level``, in plan order.

    The one unit -> platforms mapping: map colours and tooltips, figures, metrics and the
    platform labels on graph nodes all read it.
    """
    member_of: dict[str, list[Platform]] = {}
    for platform in chosen:
        for code in platform.member_adcodes(level, vintage):
            member_of.setdefault(code, []).append(platform)
    return member_of


def membership(
    level: str = "county",
    vintage: str | None = None,
    platform_set: list[Platform] | None = None,
    plan: str | None = None,
) -> pd.DataFrame:
    """One row per unit × platform, with the platform's cluster.

    A unit in several platforms appears once per platform (邻水 is named in 明月山 and lies in
    广安, a partner of 高竹新区 and 合广长).

    Parameters
    ----------
    level : {"county", "partner", "prefecture"}
    vintage : str, optional
        An id of the vintage registry (``cg.VINTAGES``); None: the registry's default.
    platform_set : list of Platform, optional
        A user set from :func:`load_platforms`; the built-in platforms by default.
    plan : str, optional
        The plan whose platforms to use (see :func:`plans`); default the 2020 plan.

    Returns
    -------
    pandas.DataFrame
        ``adcode``, ``name``, ``short_name``, ``name_en``, ``province``, ``prefecture``,
        ``prefecture_adcode``, ``platform_id``, ``platform``, ``platform_en``, ``cluster``,
        ``cluster_name``, ``partner`` (the partner the unit comes through), ``widened``,
        ``note``, ``vintage``, ``plan``.

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> table = cg.membership(level="partner", plan="2023")
    >>> sorted(table.loc[table["name"] == "内江市", "platform"])
    ['内荣', '川南渝西']
    """
    level = check_choice("level", level, MEMBER_LEVELS)
    vintage = check_vintage(vintage)
    units = _unit_table(level if level in EXPAND_LEVELS else "county", vintage).set_index("adcode")
    frames = []
    chosen = platform_set_of(platform_set, plan)
    for platform in chosen:
        members = platform.members(level, vintage)
        members = members.assign(
            platform_id=platform.id,
            platform=platform.short_name,
            platform_en=platform.name_en,
            cluster=platform.cluster,
            cluster_name=platform.cluster_name,
        )
        frames.append(members)
    table = pd.concat(frames, ignore_index=True)
    attributes = units.loc[
        table["adcode"], ["name", "short_name", "name_en", "province", "prefecture", "prefecture_adcode"]
    ].reset_index()
    table = pd.concat([attributes, table.drop(columns="adcode")], axis=1)
    table["vintage"] = vintage
    table["plan"] = [p.plan for p in chosen for _ in range(len(p.member_adcodes(level, vintage)))]
    columns = [
        "adcode", "name", "short_name", "name_en", "province", "prefecture", "prefecture_adcode",
        "platform_id", "platform", "platform_en", "cluster", "cluster_name", "partner", "widened", "note",
        "vintage", "plan",
    ]  # fmt: skip
    return table[columns]


def _graph_choice(name: str, given: str | None, graph: nx.Graph, choices: tuple[str, ...]) -> str:
    """``level``/``vintage`` of a graph: read from ``graph.graph``, or given (already checked) for
    a graph of a user layer."""
    recorded = graph.graph.get(name)
    if recorded not in choices:  # a user layer ("user layer") or a graph built elsewhere
        if given is None:
            raise InvalidArgumentError(
                f"the graph records {name}={recorded!r}, not one of: {', '.join(choices)}; pass {name}= "
                f"for its adcode nodes"
            )
        return given
    if given is not None and given != recorded:
        raise InvalidArgumentError(
            f"{name}={given!r} contradicts the graph, which was built from the {recorded!r} {name}; "
            f"omit {name}= (it is read from the graph)"
        )
    return recorded


def label_graph(
    graph: nx.Graph,
    plan: str | None = None,
    level: str | None = None,
    vintage: str | None = None,
    platform_set: list[Platform] | None = None,
) -> nx.Graph:
    """Label each node of an adjacency graph with the platforms and clusters it belongs to.

    Graphs from :func:`chuanyu_geo.adjacency_graph` carry no platforms; this adds them for
    the plan (or user set) you choose. The graph is changed in place and returned.

    Parameters
    ----------
    graph : networkx.Graph
        Nodes keyed by adcode, as :func:`chuanyu_geo.adjacency_graph` builds them.
    plan : str, optional
        A plan id of :func:`chuanyu_geo.plans`; default the 2020 plan.
    level : {"county", "prefecture", "province", "partner"}, optional
        The units the nodes are; read from ``graph.graph`` (give it only for a graph of your own
        layer, keyed by adcode). Province nodes get no labels: membership stops at prefectures.
    vintage : str, optional
        An id of the vintage registry (``cg.VINTAGES``); None: the registry's default.
        Read from ``graph.graph`` like ``level``.
    platform_set : list of Platform, optional
        A user set from :func:`chuanyu_geo.load_platforms` instead of a plan.

    Returns
    -------
    networkx.Graph
        ``graph``, each node with ``platforms`` (platform ids, plan order) and ``clusters``
        (cluster ids, sorted), both tuples, empty for a unit outside every platform;
        ``graph.graph["plan"]`` names the plan (``user`` for a user set).

    Raises
    ------
    InvalidArgumentError
        ``level``/``vintage`` contradicting the graph, or given by neither; ``plan`` and
        ``platform_set`` given together.

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> graph = cg.label_graph(cg.adjacency_graph(level="county", vintage="2024"), plan="2020")
    >>> graph.nodes["511623"]["platforms"], graph.nodes["511623"]["clusters"]  # 邻水县
    (('mingyueshan', 'gaozhu', 'heguangchang'), ('central', 'northeast'))
    >>> graph.nodes["510104"]["platforms"], graph.graph["plan"]  # 锦江区: in no platform
    ((), '2020')
    """
    if not hasattr(graph, "nodes") or not hasattr(graph, "graph"):
        raise InvalidArgumentError(
            f"graph must be a networkx.Graph from adjacency_graph(), got {type(graph).__name__}"
        )
    if level is not None:
        level = check_choice("level", level, LEVELS)
    if vintage is not None:
        vintage = check_vintage(vintage)
    level = _graph_choice("level", level, graph, LEVELS)
    vintage = _graph_choice("vintage", vintage, graph, vintage_registry().ids)
    chosen = platform_set_of(platform_set, plan)
    member_of = platforms_by_unit(chosen, level if level in MEMBER_LEVELS else "county", vintage)
    for node, data in graph.nodes(data=True):
        ps = member_of.get(node, ())
        data["platforms"] = tuple(p.id for p in ps)
        data["clusters"] = tuple(sorted({p.cluster for p in ps}))
    graph.graph["plan"] = plan_of(chosen)
    return graph
