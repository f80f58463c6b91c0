"""Gravity linkage strength (经济联系强度) between units, as the 成渝 literature writes it.

The classic model is ``R_ij = k · M_i · M_j / d_ij^b`` with the mass ``M = sqrt(P · G)``
(population and GDP). The modified model most studies of the region use makes the link
directional with ``k_ij = G_i / (G_i + G_j)``: the richer side contributes the larger share,
so ``R_ij / R_ji = G_i / G_j``. Each link's share of its unit's total is the 隶属度.
Distances are geodesic, between points the user can choose.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd

from ._errors import InvalidArgumentError
from .analysis import ANALYSIS_LEVELS, _check_table, _values
from .boundaries import check_choice, vintage_registry
from .coords import geodesic_distance_km
from .platforms import membership
from .stable_units import table_vintage, unit_info, unit_layer

__all__ = ["linkage", "linkage_summary", "DISTANCES"]

DISTANCES = ("label_point", "centroid", "seat")
# An equal-area projection of the region, so that centroids are those of the real shapes.
_ALBERS = "+proj=aea +lat_1=25 +lat_2=47 +lat_0=0 +lon_0=105 +datum=WGS84 +units=m"


def _points(units: list[str], distance, level: str, vintage: str) -> pd.DataFrame:
    """Longitude and latitude of each unit's point, indexed by adcode."""
    if isinstance(distance, pd.DataFrame):
        if {"adcode", "lon", "lat"} <= set(distance.columns):
            points = distance.assign(adcode=distance["adcode"].astype(str)).set_index("adcode")
            missing = [u for u in units if u not in points.index]
            if missing:
                raise InvalidArgumentError(
                    f"distance= points lack {len(missing)} units: {', '.join(missing[:10])}"
                )
            return points.loc[units, ["lon", "lat"]].astype(float)
        return None  # an OD matrix
    if distance == "label_point":
        table = unit_info(level, vintage, units)
        return table.loc[units, ["label_lon", "label_lat"]].set_axis(["lon", "lat"], axis=1)
    if distance == "centroid":
        layer = unit_layer(level, vintage, "standard", units).set_index("adcode").loc[units]
        centres = layer.geometry.to_crs(_ALBERS).centroid.to_crs("EPSG:4326")
        return pd.DataFrame({"lon": centres.x, "lat": centres.y}, index=layer.index)
    raise InvalidArgumentError(
        "distance='seat': the package ships no county government seats (县政府驻地), because no "
        "cited source of them was found offline; pass your own points as a DataFrame with columns "
        "adcode, lon, lat (WGS84), or an OD distance matrix in km (index and columns adcodes)"
    )


def _distances(units: list[str], distance, level: str, vintage: str) -> np.ndarray:
    """Square matrix of km between the units, in the order of ``units``."""
    if isinstance(distance, pd.DataFrame) and not {"adcode", "lon", "lat"} <= set(distance.columns):
        matrix = distance.copy()
        matrix.index, matrix.columns = matrix.index.astype(str), matrix.columns.astype(str)
        missing = [u for u in units if u not in matrix.index or u not in matrix.columns]
        if missing:
            raise InvalidArgumentError(
                "distance= must be a DataFrame of points (adcode, lon, lat) or a square OD matrix in km "
                f"with adcodes as index and columns; it lacks {', '.join(missing[:10])}"
            )
        values = matrix.loc[units, units].to_numpy(dtype=float)
        if not np.isfinite(values).all() or (values < 0).any():
            raise InvalidArgumentError("distance= OD matrix holds negative or missing distances")
        return values
    points = _points(units, distance, level, vintage)
    lon, lat = points["lon"].to_numpy(), points["lat"].to_numpy()
    n = len(units)
    i, j = np.triu_indices(n, k=1)
    out = np.zeros((n, n))
    out[i, j] = out[j, i] = geodesic_distance_km(lon[i], lat[i], lon[j], lat[j])
    return out


def linkage(
    table: pd.DataFrame,
    mass: str | tuple[str, str],
    key: str,
    *,
    k: float | str = 1.0,
    distance: str | pd.DataFrame = "label_point",
    b: float = 2.0,
    level: str = "county",
    vintage: str | None = None,
    year: int | None = None,
    allow_partial: bool = False,
) -> nx.Graph:
    """Gravity linkage strength between every pair of units.

    ``R_ij = k_ij · M_i · M_j / d_ij ** b``, with ``M`` the ``mass`` column, or ``sqrt(P·G)``
    when ``mass`` names two columns (population, GDP).

    Parameters
    ----------
    table : pandas.DataFrame
    mass : str or (str, str)
        One mass column, or (population, GDP).
    key : str
        The adcode or name column.
    k : float or {"constant", "gdp_share"}
        A constant factor (``"constant"`` is 1; the result is an undirected graph), or
        ``"gdp_share"``: ``k_ij = G_i / (G_i + G_j)`` (needs ``mass=(population, GDP)``), the
        modified model, which is directional: the result is a :class:`networkx.DiGraph` with
        an edge each way.
    distance : {"label_point", "centroid", "seat"} or pandas.DataFrame
        Where a unit is: its label point (a point inside it; default), the centroid of its
        shape (computed in an equal-area projection), or your own: a DataFrame of points
        (``adcode``, ``lon``, ``lat``, WGS84; e.g. government seats) or a square OD matrix of
        km or travel distances (adcodes as index and columns). ``"seat"`` is refused with an
        explanation: no cited source of county seats is shipped. Label points and centroids
        can change a pair's strength by a factor of two either way: say which you used.
    b : float
        Distance decay exponent (2: the classic gravity model).
    level, vintage, year, allow_partial
        As for :func:`chuanyu_geo.morans_i`.

    Returns
    -------
    networkx.Graph or networkx.DiGraph
        On the matched units; edges carry ``linkage``, ``distance_km``, ``cross_border`` and
        ``share`` (隶属度: the edge's part of its source unit's total linkage; in an undirected
        graph ``share_a``/``share_b`` for the two ends in the order of the edge); nodes
        ``name``, ``province``, ``mass`` (and ``gdp`` with ``k="gdp_share"``). ``graph.graph``
        records ``k``, ``b``, ``distance`` and the layer.

    Examples
    --------
    >>> import chuanyu_geo as cg, pandas as pd
    >>> g = cg.linkage(pd.DataFrame({"k": ["万州", "开州", "梁平"], "m": [1.0, 2.0, 3.0]}), "m", "k")
    >>> round(g.edges["500101", "500154"]["linkage"] * g.edges["500101", "500154"]["distance_km"] ** 2, 9)
    2.0
    >>> t = pd.DataFrame({"k": ["万州", "开州", "梁平"], "p": [150.0, 120, 65], "g": [1000.0, 600, 500]})
    >>> d = cg.linkage(t, ("p", "g"), "k", k="gdp_share")
    >>> round(d.edges["500101", "500154"]["linkage"] / d.edges["500154", "500101"]["linkage"], 9)
    1.666666667
    """
    _check_table(table)
    if not isinstance(b, (int, float)) or isinstance(b, bool) or not math.isfinite(b) or b < 0:
        raise InvalidArgumentError(f"b={b!r} must be a finite number >= 0")
    level = check_choice("level", level, ANALYSIS_LEVELS)
    if not isinstance(distance, pd.DataFrame):
        check_choice("distance", distance, DISTANCES)
    vintage = table_vintage(table, vintage)
    columns = (mass,) if isinstance(mass, str) else tuple(mass)
    if len(columns) not in (1, 2):
        raise InvalidArgumentError("mass must be a column name or a pair (population, GDP)")
    directional = k == "gdp_share"
    if directional and len(columns) != 2:
        raise InvalidArgumentError("k='gdp_share' needs mass=(population, GDP): k_ij = G_i / (G_i + G_j)")
    if k == "constant":
        k = 1.0
    if not directional and (isinstance(k, bool) or not isinstance(k, (int, float)) or not math.isfinite(k)):
        raise InvalidArgumentError(f"k={k!r} must be a number, 'constant' or 'gdp_share'")
    series = [_values(table, c, key, level, vintage, year, allow_partial) for c in columns]
    common = series[0].index
    for s in series[1:]:
        common = common.intersection(s.index)
    units = list(common)
    m = series[0].loc[units] if len(series) == 1 else np.sqrt(series[0].loc[units] * series[1].loc[units])
    m = m.to_numpy(dtype=float)
    d = _distances(units, distance, level, vintage)
    with np.errstate(divide="ignore"):
        strength = np.outer(m, m) / d**b
    if directional:
        gdp = series[1].loc[units].to_numpy(dtype=float)
        strength = strength * (gdp[:, None] / (gdp[:, None] + gdp[None, :]))
    else:
        strength = float(k) * strength
    np.fill_diagonal(strength, 0.0)
    totals = strength.sum(axis=1)
    info = unit_info(level, vintage, units).loc[units]
    provinces = info["province"].to_numpy()
    how = distance if isinstance(distance, str) else "user DataFrame"
    graph = (nx.DiGraph if directional else nx.Graph)(
        level=level, vintage=vintage, b=b, k=k, distance=how, mass=" × ".join(columns)
    )
    for i, code in enumerate(units):
        attrs = {"name": info["name"].iloc[i], "province": provinces[i], "mass": float(m[i])}
        if directional:
            attrs["gdp"] = float(gdp[i])
        graph.add_node(code, **attrs)
    pairs = (
        [(i, j) for i in range(len(units)) for j in range(len(units)) if i != j]
        if directional
        else [(i, j) for i in range(len(units)) for j in range(i + 1, len(units))]
    )
    for i, j in pairs:
        edge = {
            "linkage": float(strength[i, j]),
            "distance_km": float(d[i, j]),
            "cross_border": bool(provinces[i] != provinces[j]),
        }
        if directional:
            edge["share"] = float(strength[i, j] / totals[i]) if totals[i] else float("nan")
        else:
            edge["share_a"] = float(strength[i, j] / totals[i]) if totals[i] else float("nan")
            edge["share_b"] = float(strength[i, j] / totals[j]) if totals[j] else float("nan")
        graph.add_edge(units[i], units[j], **edge)
    return graph


def linkage_summary(graph: nx.Graph, plan: str | None = None, by: str = "unit") -> pd.DataFrame:
    """Per unit (or platform): total gravity linkage, the part across the provincial border, and its share.

    Parameters
    ----------
    graph : networkx.Graph or networkx.DiGraph
        From :func:`linkage` (a DiGraph sums each unit's outgoing links).
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
        edges = list(graph.edges(node, data=True))
        rows.append(
            {
                "adcode": node,
                "name": data["name"],
                "province": data["province"],
                "total": sum(d["linkage"] for _, _, d in edges),
                "cross_border": sum(d["linkage"] for _, _, d in edges if d["cross_border"]),
            }
        )
    table = pd.DataFrame(rows)
    table["cross_border_share"] = table["cross_border"] / table["total"]
    members = membership(
        graph.graph.get("level", "county"), graph.graph.get("vintage", vintage_registry().default), plan=plan
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
