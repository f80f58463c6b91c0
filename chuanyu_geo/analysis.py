"""The analyses researchers run next, handed to the PySAL ecosystem.

Spatial weights as :class:`libpysal.graph.Graph` built from our adjacency graphs (with
geodesic shared lengths), Moran's I and LISA through ``esda``, Theil's decomposition through
``inequality``, gravity linkage strength, and the contiguous cross-border pair design.

These need the ``analysis`` extra (``pip install "chuanyu-geo[analysis]"``); ``import
chuanyu_geo`` does not import any of them.
"""

from __future__ import annotations

import importlib
import math
import os
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import shapely

from ._errors import ChuanyuGeoError, InvalidArgumentError
from ._io import write_text_atomic
from ._safe import csv_text
from .adjacency import adjacency_graph, cross_border_pairs, graph_for
from .boundaries import (
    DEFAULT_DETAIL,
    DEFAULT_VINTAGE,
    MEMBER_LEVELS,
    check_choice,
    province_border,
    unit_table,
)
from .coords import geodesic_distance_km
from .platforms import membership, plan_of, platform_set_of, treatment_table
from .stats import UnmatchedRowsError, join_values

__all__ = [
    "MissingExtraError",
    "weights",
    "write_weights",
    "morans_i",
    "lisa",
    "theil",
    "TheilResult",
    "linkage",
    "linkage_summary",
    "border_pair_panel",
    "WEIGHT_KINDS",
    "LISA_CLASSES",
]

WEIGHT_KINDS = ("queen", "rook", "shared_km", "cross_border")
LISA_CLASSES = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}
ANALYSIS_LEVELS = MEMBER_LEVELS


class MissingExtraError(ChuanyuGeoError, ImportError):
    """A function needs an optional dependency that is not installed."""


def _require(module: str):
    """Import a PySAL package or say, in one line, which extra to install."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtraError(
            f"{module.split('.')[0]} is not installed; these analyses need the analysis extra: "
            'pip install "chuanyu-geo[analysis]"'
        ) from exc


# --------------------------------------------------------------------------- weights


def weights(
    graph_or_level: nx.Graph | str = "county",
    kind: str = "queen",
    *,
    vintage: str | None = None,
    detail: str | None = None,
    order: int = 1,
    transform: str | None = None,
):
    """Spatial weights of our units as a :class:`libpysal.graph.Graph`.

    Parameters
    ----------
    graph_or_level : networkx.Graph or {"county", "partner", "prefecture"}
        An adjacency graph (from :func:`chuanyu_geo.adjacency_graph`, any layer) or a level of
        the shipped layers.
    kind : {"queen", "rook", "shared_km", "cross_border"}
        ``queen``: any contact; ``rook``: a shared border line; ``shared_km``: rook
        contacts weighted by their geodesic shared length in km; ``cross_border``: only
        the pairs that touch across the Sichuan–Chongqing border (weight 1).
    vintage, detail : str, optional
        For a level: the layer (default 2024, standard).
    order : int
        ``k`` > 1 gives the neighbours of order ``k`` (``Graph.higher_order``), binary.
    transform : {None, "r", "b", "v", ...}
        A libpysal transformation applied to the result (``"r"``: row-standardised).

    Returns
    -------
    libpysal.graph.Graph
        Ids are the graph's node keys (adcodes for shipped layers); every unit is present,
        units without neighbours as isolates. ``.to_W()`` gives a classic ``W``.

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> w = cg.weights("county", kind="rook")
    >>> w.n
    221
    >>> w_km = cg.weights("county", kind="shared_km")
    >>> round(float(w_km.adjacency.loc[("500101", "500154")]), 2)  # 万州区–开州区, km
    68.1
    """
    _require("libpysal")
    from libpysal.graph import Graph

    kind = check_choice("kind", kind, WEIGHT_KINDS)
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise InvalidArgumentError(f"order={order!r} must be an int >= 1")
    if isinstance(graph_or_level, nx.Graph):
        graph = graph_or_level
        if vintage is not None or detail is not None:
            raise InvalidArgumentError(
                "vintage= and detail= are read from the graph; omit them when passing a graph"
            )
    else:
        level = check_choice("graph_or_level", graph_or_level, ANALYSIS_LEVELS)
        graph = adjacency_graph(
            level=level, vintage=vintage or DEFAULT_VINTAGE, detail=detail or DEFAULT_DETAIL
        )
    focal, neighbor, weight = [], [], []
    for a, b, data in graph.edges(data=True):
        if kind == "rook" and data["contact"] != "edge":
            continue
        if kind == "shared_km" and not (data["contact"] == "edge" and data["shared_km"] > 0):
            continue
        if kind == "cross_border" and not data.get("cross_border"):
            continue
        value = float(data["shared_km"]) if kind == "shared_km" else 1.0
        focal += [a, b]
        neighbor += [b, a]
        weight += [value, value]
    linked = set(focal)
    isolates = [n for n in graph.nodes if n not in linked]  # libpysal: a self-pair of weight 0
    ids = list(graph.nodes)
    frame = pd.DataFrame(
        {"focal": focal + isolates, "neighbor": neighbor + isolates, "weight": weight + [0.0] * len(isolates)}
    )
    order_of = {n: i for i, n in enumerate(ids)}
    frame = frame.sort_values(["focal", "neighbor"], key=lambda s: s.map(order_of), kind="stable")
    result = Graph.from_arrays(
        frame["focal"].to_numpy(), frame["neighbor"].to_numpy(), frame["weight"].to_numpy()
    )
    if order > 1:
        result = result.higher_order(k=order, lower_order=False)
    if transform is not None:
        result = result.transform(transform)
    return result


def _unwritable_ids(ids, format: str) -> list[str]:
    """The ids a whitespace-separated weights file cannot hold, as ``repr`` strings.

    GAL and GWT readers split lines on whitespace, so an id must be one non-empty token;
    control characters break line-based readers, and the GWT writer (pandas) would put a
    double quote inside CSV quoting that GeoDa and R do not undo.
    """
    bad = []
    for value in ids:
        text = str(value)
        if (
            not text
            or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in text)
            or (format == "gwt" and '"' in text)
        ):
            bad.append(repr(value))
    return bad


def write_weights(
    w, path: str | os.PathLike, format: str | None = None, *, escape_formulas: bool = True
) -> Path:
    """Write weights for other software, atomically.

    Parameters
    ----------
    w : libpysal.graph.Graph
    path : path-like
    format : {"gal", "gwt", "csv"}, optional
        From the file suffix by default. ``gal`` (binary contiguity) and ``gwt`` (weighted)
        are read by GeoDa, PySAL and R (``spdep::read.gal("w.gal")``,
        ``spdep::read.gwt2nb("w.gwt")``); ``csv`` is an edge list ``focal,neighbor,weight``
        (Stata: ``import delimited w.csv``; R: ``read.csv("w.csv")``).
    escape_formulas : bool
        ``csv`` only: a text id that begins with ``=``, ``+``, ``-``, ``@``, a tab or a
        carriage return (and is not a number) is written with a leading ``'`` so that a
        spreadsheet shows it as text instead of running it as a formula (CSV injection).
        Pass False for machine pipelines that need the ids exactly as they are.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    InvalidArgumentError
        For ``gal``/``gwt``: ids these formats cannot hold (empty, or with whitespace or
        control characters, which the readers take as separators; for ``gwt`` also a
        double quote), named; write ``csv`` instead, or give the units simpler ids.

    Examples
    --------
    >>> import tempfile, chuanyu_geo as cg
    >>> path = cg.write_weights(cg.weights("county"), tempfile.mkdtemp() + "/county.gal")
    >>> path.read_text().split()[0]  # a GAL file starts with the number of units
    '221'
    """
    target = Path(path)
    format = format or target.suffix.lstrip(".").lower()
    format = check_choice("format", format, ("gal", "gwt", "csv"))
    if format == "csv":
        edges = w.adjacency.reset_index()
        edges = edges[edges["focal"] != edges["neighbor"]]
        return write_text_atomic(target, csv_text(edges, escape_formulas=escape_formulas))
    bad = _unwritable_ids(w.unique_ids, format)
    if bad:
        raise InvalidArgumentError(
            f"{len(bad)} ids cannot be written to a .{format} file, whose readers split on whitespace: "
            f"{', '.join(bad[:10])}{', …' if len(bad) > 10 else ''}; write format='csv' instead (a quoted "
            f"edge list), or give the units ids without spaces, tabs, line breaks or quotes"
        )
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp) / f"w.{format}"
        (w.to_gal if format == "gal" else w.to_gwt)(str(scratch))
        return write_text_atomic(target, scratch.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- joining a table


def _check_table(table) -> None:
    """Refuse what the joins below cannot read: not a DataFrame, or MultiIndex columns."""
    if not isinstance(table, pd.DataFrame):
        raise InvalidArgumentError(f"table must be a pandas DataFrame, got {type(table).__name__}")
    if isinstance(table.columns, pd.MultiIndex):
        shown = ", ".join(map(repr, table.columns[:3])) + (", …" if table.shape[1] > 3 else "")
        raise InvalidArgumentError(
            f"the table has MultiIndex columns ({shown}); flatten them first, e.g. "
            f"table.columns = ['_'.join(map(str, c)) for c in table.columns]"
        )


def _values(
    table: pd.DataFrame, column: str, key: str, level: str, vintage: str, year, allow_partial: bool
) -> pd.Series:
    """The numeric ``column`` of ``table`` indexed by adcode (one row per unit)."""
    _check_table(table)
    if not isinstance(column, Hashable) or column not in table.columns:
        raise InvalidArgumentError(
            f"column={column!r} is not a column of the table; columns: "
            f"{', '.join(map(str, table.columns[:20]))}{', …' if table.shape[1] > 20 else ''}"
        )
    matched, report = join_values(table, column, key, level, vintage, year=year)
    missing = report[~report["status"].isin(["matched", "renamed"])]
    if len(missing) and not allow_partial:
        listing = "; ".join(f"row {r.row} {r.key!r}: {r.status}" for r in missing.head(10).itertuples())
        raise UnmatchedRowsError(
            f"{listing}. Fix them, or pass allow_partial=True to analyse the rest.", report
        )
    return matched.set_index("adcode")[column].astype(float)


def _check_sample(y: pd.Series, column, minimum: int, statistic: str) -> None:
    """Refuse samples the statistic is undefined on: too few units, or constant values."""
    if len(y) < minimum:
        raise InvalidArgumentError(
            f"{statistic} needs at least {minimum} units with a value of {column!r}; the table gives "
            f"{len(y)} ({', '.join(map(str, y.index[:10]))})"
        )
    if np.ptp(y.to_numpy()) == 0:
        raise InvalidArgumentError(
            f"the values of {column!r} are constant ({y.iloc[0]:g} for all {len(y)} units): {statistic} is "
            f"undefined (it divides by the variance)"
        )


def _analysis_weights(y: pd.Series, level: str, vintage: str, detail: str, kind: str, transform: str):
    w = weights(level, kind, vintage=vintage, detail=detail)
    w = w.subgraph(list(y.index)) if len(y) < w.n else w
    return w.transform(transform) if transform else w


# --------------------------------------------------------------------------- autocorrelation


def morans_i(
    table: pd.DataFrame,
    column: str,
    key: str,
    *,
    level: str = "county",
    vintage: str = DEFAULT_VINTAGE,
    detail: str = DEFAULT_DETAIL,
    kind: str = "queen",
    transform: str = "r",
    permutations: int = 999,
    seed: int | None = None,
    year: int | None = None,
    allow_partial: bool = False,
):
    """Global Moran's I of a unit table through :class:`esda.Moran`.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per unit; joined with :func:`chuanyu_geo.join_table`.
    column, key : str
        The value column and the adcode or name column.
    level, vintage, detail : str
        The units and layer the weights come from.
    kind : {"queen", "rook", "shared_km", "cross_border"}
        Weights (see :func:`weights`); row-standardised by default (``transform``).
    permutations : int
        Random permutations for the pseudo p-value ``p_sim``.
    seed : int, optional
        Seeds NumPy's global generator before esda draws the permutations (esda.Moran
        uses it), so a run is repeatable.
    year : int, optional
        The year whose codes and names the table uses.
    allow_partial : bool
        Analyse the rows that match (on the weights of those units only).

    Returns
    -------
    esda.Moran
        ``I``, ``EI``, ``p_norm``, ``p_sim``, ``z_sim`` … exactly as esda gives them, with
        ``units`` (the adcodes in the order of ``y``) and ``weights`` (the libpysal Graph).

    Raises
    ------
    InvalidArgumentError
        Fewer than 4 units with a value (esda's variance is undefined), constant values
        (Moran's I is undefined), or a table with MultiIndex columns.

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> census = cg.load_census(2020)
    >>> mi = cg.morans_i(census, "years_of_schooling", "adcode", year=2020, permutations=99, seed=1,
    ...                  allow_partial=True)
    >>> bool(mi.I > 0.3)
    True
    """
    esda = _require("esda")
    level = check_choice("level", level, ANALYSIS_LEVELS)
    y = _values(table, column, key, level, vintage, year, allow_partial)
    # esda's variance under randomisation divides by (n - 1)(n - 2)(n - 3).
    _check_sample(y, column, 4, "Moran's I")
    w = _analysis_weights(y, level, vintage, detail, kind, transform)
    y = y.loc[list(w.unique_ids)]
    if seed is not None:
        np.random.seed(seed)
    result = esda.Moran(y.to_numpy(), w, transformation=transform or "o", permutations=permutations)
    result.units = list(y.index)
    result.weights = w
    return result


def lisa(
    table: pd.DataFrame,
    column: str,
    key: str,
    *,
    level: str = "county",
    vintage: str = DEFAULT_VINTAGE,
    detail: str = DEFAULT_DETAIL,
    kind: str = "queen",
    transform: str = "r",
    permutations: int = 999,
    seed: int | None = None,
    alpha: float = 0.05,
    year: int | None = None,
    allow_partial: bool = False,
) -> pd.DataFrame:
    """Local Moran's I (LISA) through :class:`esda.Moran_Local`, with cluster classes.

    Parameters
    ----------
    table, column, key, level, vintage, detail, kind, transform, permutations, year, allow_partial
        As for :func:`morans_i`.
    seed : int, optional
        Passed to esda (its own generator).
    alpha : float
        Significance level of the pseudo p-values for the cluster classes.

    Returns
    -------
    pandas.DataFrame
        One row per unit: ``adcode``, ``name``, ``province``, ``value``, ``Is``, ``q``
        (esda's quadrant: 1 HH, 2 LH, 3 LL, 4 HL), ``p_sim`` and ``cluster`` (``HH``,
        ``LL``, ``HL``, ``LH`` where ``p_sim < alpha``, else ``ns``). ``attrs["esda"]`` is the
        esda object; ``attrs`` also records alpha, weights kind and layer.

    Raises
    ------
    InvalidArgumentError
        Fewer than 3 units with a value, constant values (local Moran's I is undefined), or
        a table with MultiIndex columns.

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> local = cg.lisa(cg.load_census(2020), "years_of_schooling", "adcode", year=2020,
    ...                 permutations=99, seed=1, allow_partial=True)
    >>> set(local["cluster"]) <= {"HH", "LL", "HL", "LH", "ns"}
    True
    """
    esda = _require("esda")
    level = check_choice("level", level, ANALYSIS_LEVELS)
    if not 0 < alpha < 1:
        raise InvalidArgumentError(f"alpha={alpha!r} must be between 0 and 1")
    y = _values(table, column, key, level, vintage, year, allow_partial)
    # esda's local moments divide by (n - 1)(n - 2).
    _check_sample(y, column, 3, "LISA")
    w = _analysis_weights(y, level, vintage, detail, kind, transform)
    y = y.loc[list(w.unique_ids)]
    local = esda.Moran_Local(
        y.to_numpy(), w, transformation=transform or "o", permutations=permutations, seed=seed
    )
    units = unit_table(level, vintage).set_index("adcode")
    out = pd.DataFrame(
        {
            "adcode": list(y.index),
            "name": units.loc[list(y.index), "name"].to_numpy(),
            "province": units.loc[list(y.index), "province"].to_numpy(),
            "value": y.to_numpy(),
            "Is": local.Is,
            "q": local.q,
            "p_sim": local.p_sim,
        }
    )
    out["cluster"] = [LISA_CLASSES[q] if p < alpha else "ns" for q, p in zip(local.q, local.p_sim)]
    out.attrs.update(
        esda=local,
        alpha=alpha,
        kind=kind,
        level=level,
        vintage=vintage,
        detail=detail,
        permutations=permutations,
    )
    return out


# --------------------------------------------------------------------------- inequality


@dataclass
class TheilResult:
    """Theil's T with its between/within decomposition (as :class:`inequality.theil.TheilD`).

    Attributes
    ----------
    T : float
        Theil index of all units.
    bg, wg : float
        Between-group and within-group parts (``bg + wg == T``).
    cv : float
        Coefficient of variation (population standard deviation / mean).
    groups : pandas.DataFrame
        Per group: ``n_units``, ``total``, ``share``, ``mean``.
    by : str
        What the groups are.
    theild : object
        The ``inequality.theil.TheilD`` object.
    """

    T: float
    bg: float
    wg: float
    cv: float
    groups: pd.DataFrame
    by: str
    theild: object = field(repr=False)


def _group_of(units: pd.Index, by: str, level: str, vintage: str, plan: str | None) -> pd.Series:
    table = unit_table(level, vintage).set_index("adcode")
    if by == "province":
        return table.loc[units, "province"]
    members = membership(level, vintage, plan=plan)
    column = "platform" if by == "platform" else "cluster_name"
    joined = members.groupby("adcode")[column].agg(lambda s: "+".join(sorted(set(s))))
    # A unit in several platforms (clusters) forms a group of its own, named by all of them:
    # the partition stays a partition and nothing is counted twice.
    return pd.Series([joined.get(code, "none") for code in units], index=units)


def theil(
    table: pd.DataFrame,
    column: str,
    key: str,
    *,
    by: str = "province",
    level: str = "county",
    vintage: str = DEFAULT_VINTAGE,
    plan: str | None = None,
    year: int | None = None,
    allow_partial: bool = False,
) -> TheilResult:
    """Theil's T of a unit table, decomposed between and within groups (through ``inequality``).

    Parameters
    ----------
    table, column, key, level, vintage, year, allow_partial
        As for :func:`morans_i`; ``column`` must be positive (Theil takes logarithms).
    by : {"province", "platform", "cluster"}
        The groups. A unit in several platforms or clusters forms its own group named by
        all of them (``合广长+明月山+高竹新区``); units in none form the group ``none``.
    plan : str, optional
        The plan whose platforms define the groups.

    Returns
    -------
    TheilResult

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> t = cg.theil(cg.load_census(2020), "population", "adcode", year=2020, allow_partial=True)
    >>> round(t.bg + t.wg - t.T, 12)
    0.0
    """
    theil_module = _require("inequality.theil")
    by = check_choice("by", by, ("province", "platform", "cluster"))
    level = check_choice("level", level, ANALYSIS_LEVELS)
    y = _values(table, column, key, level, vintage, year, allow_partial)
    if (y <= 0).any():
        raise InvalidArgumentError(
            f"{column} must be positive for Theil's T; not in {', '.join(map(str, y[y <= 0].index[:10]))}"
        )
    groups = _group_of(y.index, by, level, vintage, plan)
    codes, labels = pd.factorize(groups)
    result = theil_module.TheilD(y.to_numpy(), codes)
    summary = (
        pd.DataFrame({"group": groups.to_numpy(), "value": y.to_numpy()})
        .groupby("group")["value"]
        .agg(["count", "sum", "mean"])
    )
    summary = summary.rename(columns={"count": "n_units", "sum": "total"})
    summary["share"] = summary["total"] / summary["total"].sum()
    cv = float(np.std(y.to_numpy()) / np.mean(y.to_numpy()))
    return TheilResult(
        T=float(np.asarray(result.T).ravel()[0]),
        bg=float(np.asarray(result.bg).ravel()[0]),
        wg=float(np.asarray(result.wg).ravel()[0]),
        cv=cv,
        groups=summary.reset_index(),
        by=by,
        theild=result,
    )


# --------------------------------------------------------------------------- gravity linkage


def linkage(
    table: pd.DataFrame,
    mass: str | tuple[str, str],
    key: str,
    *,
    level: str = "county",
    vintage: str = DEFAULT_VINTAGE,
    b: float = 2.0,
    k: float = 1.0,
    year: int | None = None,
    allow_partial: bool = False,
) -> nx.Graph:
    """Gravity linkage strength (经济联系强度) between every pair of units.

    ``R_ij = k · M_i · M_j / d_ij ** b``, with ``M`` the ``mass`` column, or ``sqrt(P·G)``
    when ``mass`` names two columns (population and GDP, the usual form in the literature),
    and ``d_ij`` the geodesic distance in km between the units' label points (a point inside
    each unit).

    Parameters
    ----------
    table : pandas.DataFrame
    mass : str or (str, str)
    key : str
    level, vintage, year, allow_partial
        As for :func:`morans_i`.
    b : float
        Distance decay exponent (2: the classic gravity model).
    k : float
        Constant factor.

    Returns
    -------
    networkx.Graph
        A complete graph on the matched units; edges carry ``linkage``, ``distance_km`` and
        ``cross_border``; nodes ``name``, ``province`` and ``mass``. ``nx.to_pandas_adjacency(g,
        weight="linkage")`` gives the matrix.

    Examples
    --------
    >>> import chuanyu_geo as cg, pandas as pd
    >>> g = cg.linkage(pd.DataFrame({"k": ["万州", "开州", "梁平"], "m": [1.0, 2.0, 3.0]}), "m", "k")
    >>> round(g.edges["500101", "500154"]["linkage"] * g.edges["500101", "500154"]["distance_km"] ** 2, 9)
    2.0
    """
    if not isinstance(b, (int, float)) or isinstance(b, bool) or not math.isfinite(b) or b < 0:
        raise InvalidArgumentError(f"b={b!r} must be a finite number >= 0")
    level = check_choice("level", level, ANALYSIS_LEVELS)
    columns = (mass,) if isinstance(mass, str) else tuple(mass)
    if len(columns) not in (1, 2):
        raise InvalidArgumentError("mass must be a column name or a pair (population, GDP)")
    series = [_values(table, c, key, level, vintage, year, allow_partial) for c in columns]
    common = series[0].index
    for s in series[1:]:
        common = common.intersection(s.index)
    m = series[0].loc[common] if len(series) == 1 else np.sqrt(series[0].loc[common] * series[1].loc[common])
    units = unit_table(level, vintage).set_index("adcode").loc[list(common)]
    graph = nx.Graph(level=level, vintage=vintage, b=b, k=k, mass=" × ".join(columns))
    for code, row in units.iterrows():
        graph.add_node(code, name=row["name"], province=row["province"], mass=float(m[code]))
    codes = list(common)
    lon, lat = units["label_lon"].to_numpy(), units["label_lat"].to_numpy()
    for i in range(len(codes)):
        d = geodesic_distance_km(
            np.full(len(codes) - i - 1, lon[i]),
            np.full(len(codes) - i - 1, lat[i]),
            lon[i + 1 :],
            lat[i + 1 :],
        )
        for j, dist in zip(range(i + 1, len(codes)), d):
            strength = k * m[codes[i]] * m[codes[j]] / dist**b if dist > 0 else math.inf
            graph.add_edge(
                codes[i],
                codes[j],
                linkage=float(strength),
                distance_km=float(dist),
                cross_border=units.iloc[i]["province"] != units.iloc[j]["province"],
            )
    return graph


def linkage_summary(graph: nx.Graph, plan: str | None = None, by: str = "unit") -> pd.DataFrame:
    """Per unit (or platform): total gravity linkage, the part across the provincial border, and its share.

    Parameters
    ----------
    graph : networkx.Graph
        From :func:`linkage`.
    plan : str, optional
        The plan whose platforms are listed (``platforms``) or grouped by.
    by : {"unit", "platform"}
        ``platform``: sums over each platform's units (a unit in two platforms counts in
        both); ``platforms`` then holds the platform.

    Returns
    -------
    pandas.DataFrame
        ``adcode``, ``name``, ``province``, ``total``, ``cross_border``, ``cross_border_share``,
        ``platforms`` (by unit); or ``platform``, ``n_units``, ``total``, ``cross_border``,
        ``cross_border_share`` (by platform); sorted by total, largest first.

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> census = cg.load_census(2020)
    >>> graph = cg.linkage(census, "population", "adcode", year=2020, allow_partial=True)
    >>> len(cg.linkage_summary(graph, by="platform"))
    9
    """
    by = check_choice("by", by, ("unit", "platform"))
    rows = []
    for node, data in graph.nodes(data=True):
        total = sum(d["linkage"] for _, _, d in graph.edges(node, data=True))
        cross = sum(d["linkage"] for _, _, d in graph.edges(node, data=True) if d["cross_border"])
        rows.append(
            {
                "adcode": node,
                "name": data["name"],
                "province": data["province"],
                "total": total,
                "cross_border": cross,
            }
        )
    table = pd.DataFrame(rows)
    table["cross_border_share"] = table["cross_border"] / table["total"]
    members = membership(
        graph.graph.get("level", "county"), graph.graph.get("vintage", DEFAULT_VINTAGE), plan=plan
    )
    platforms_of = members.groupby("adcode")["platform"].agg(lambda s: "、".join(s))
    table["platforms"] = [platforms_of.get(code, "") for code in table["adcode"]]
    if by == "platform":
        joined = members[["adcode", "platform"]].merge(
            table[["adcode", "total", "cross_border"]], on="adcode"
        )
        table = joined.groupby("platform", as_index=False).agg(
            n_units=("adcode", "nunique"), total=("total", "sum"), cross_border=("cross_border", "sum")
        )
        table["cross_border_share"] = table["cross_border"] / table["total"]
    return table.sort_values("total", ascending=False).reset_index(drop=True)


# --------------------------------------------------------------------------- the pair design


def border_pair_panel(
    table: pd.DataFrame | None = None,
    *,
    key: str | None = None,
    plan: str | None = None,
    level: str = "county",
    vintage: str = DEFAULT_VINTAGE,
    detail: str = DEFAULT_DETAIL,
    years=range(2015, 2024),
    event: str = "designated",
    year_col: str = "year",
) -> pd.DataFrame:
    """The contiguous cross-border pair design: one row per pair × year × side.

    Each pair of units that touch across the Sichuan–Chongqing border is a pair (a pair
    fixed effect, ``pair_id``); each year gives a pair × year cell; each pair has a Sichuan
    side ``a`` and a Chongqing side ``b``. A side is ``treated`` in a year when its unit is
    in a platform whose treatment date (``event``) falls in or before that year.

    Parameters
    ----------
    table : pandas.DataFrame, optional
        Values to join on: a long panel with ``key`` and ``year_col`` (joined on unit and
        year) or one row per unit (joined on unit, repeated over years).
    key : str, optional
        The adcode column of ``table`` (current codes of ``vintage``; use
        :func:`chuanyu_geo.harmonise` first for older tables).
    plan : str, optional
        Which plan's platforms and dates; default the 2020 plan.
    level, vintage, detail : str
        The units, and the layer the pairs and shared lengths come from.
    years : iterable of int
    event : {"designated", "overall_plan"}
        Which date treats a unit (see :func:`chuanyu_geo.treatment_table`).
    year_col : str
        The year column of a long ``table``.

    Returns
    -------
    pandas.DataFrame
        ``pair_id``, ``year``, ``side`` (``a`` Sichuan, ``b`` Chongqing), ``adcode``,
        ``name``, ``province``, ``partner_adcode`` (the other side), ``shared_km``,
        ``distance_to_border_km`` (from the unit's label point), ``platforms``,
        ``treatment_date`` (the earliest of its platforms), ``treated`` (0/1),
        ``same_platform`` (both sides in one platform), and the joined columns.

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> design = cg.border_pair_panel(years=range(2015, 2024))
    >>> design["pair_id"].nunique(), len(design)
    (29, 522)
    """
    level = check_choice("level", level, ANALYSIS_LEVELS)
    if table is not None:
        _check_table(table)  # before the panel is built
    years = [int(y) for y in years]
    if not years:
        raise InvalidArgumentError("years is empty; expected e.g. range(2015, 2024)")
    graph = graph_for(None, level, vintage, detail, ANALYSIS_LEVELS)
    pairs = cross_border_pairs(graph=graph).reset_index(drop=True)
    chosen = platform_set_of(None, plan)
    treatment = treatment_table(level=level, vintage=vintage, event=event, platform_set=chosen)
    first = treatment.groupby("adcode")["treated"].min()
    platforms_of = treatment.groupby("adcode")["platform_id"].agg(lambda s: tuple(sorted(s)))
    distance = _distance_to_border_km(level, vintage, detail)
    rows = []
    for _, pair in pairs.iterrows():
        a_platforms, b_platforms = (
            platforms_of.get(pair["adcode_a"], ()),
            platforms_of.get(pair["adcode_b"], ()),
        )
        same = bool(set(a_platforms) & set(b_platforms))
        for side, code, name, province, other in (
            ("a", pair["adcode_a"], pair["name_a"], pair["province_a"], pair["adcode_b"]),
            ("b", pair["adcode_b"], pair["name_b"], pair["province_b"], pair["adcode_a"]),
        ):
            date = first.get(code, pd.NaT)
            for year in years:
                rows.append(
                    {
                        "pair_id": f"{pair['adcode_a']}-{pair['adcode_b']}",
                        "year": year,
                        "side": side,
                        "adcode": code,
                        "name": name,
                        "province": province,
                        "partner_adcode": other,
                        "shared_km": round(float(pair["shared_km"]), 2),
                        "distance_to_border_km": distance[code],
                        "platforms": "、".join(platforms_of.get(code, ())),
                        "treatment_date": date,
                        "treated": int(pd.notna(date) and date.year <= year),
                        "same_platform": same,
                    }
                )
    panel = pd.DataFrame(rows)
    if table is not None:
        if not isinstance(key, Hashable) or key is None or key not in table.columns:
            raise InvalidArgumentError(f"key={key!r} must name the adcode column of the table")
        values = table.rename(columns={key: "adcode"}).assign(adcode=lambda t: t["adcode"].astype(str))
        on = ["adcode", "year"] if year_col in values.columns else ["adcode"]
        values = values.rename(columns={year_col: "year"}) if year_col in values.columns else values
        if values.duplicated(on).any():
            raise InvalidArgumentError(f"the table has several rows for one {' and '.join(on)}; expected one")
        panel = panel.merge(values, on=on, how="left", validate="many_to_one")
    panel.attrs.update(
        plan=plan_of(chosen),
        level=level,
        vintage=vintage,
        detail=detail,
        event=event,
        source=graph.graph["source"],
    )
    return panel


def _distance_to_border_km(level: str, vintage: str, detail: str) -> dict[str, float]:
    """Distance from each unit's label point to the Sichuan–Chongqing border, in km.

    Measured in an azimuthal equidistant projection centred on the border, where distances
    from the border region are true to well under 1% at these ranges.
    """
    from pyproj import CRS

    border = province_border(vintage, detail)
    centre = shapely.centroid(border)
    local = CRS.from_proj4(f"+proj=aeqd +lat_0={centre.y} +lon_0={centre.x} +datum=WGS84 +units=m")
    import geopandas as gpd

    line = gpd.GeoSeries([border], crs=4326).to_crs(local).iloc[0]
    units = unit_table(level, vintage)
    points = gpd.GeoSeries(shapely.points(units["label_lon"], units["label_lat"]), crs=4326).to_crs(local)
    return dict(zip(units["adcode"], np.round(shapely.distance(points.values, line) / 1000, 3)))
