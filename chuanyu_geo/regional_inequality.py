"""Regional inequality the way the field measures it: population-weighted Theil and Williamson.

For a per-capita quantity ``x`` (income per head, a rate) held by units of population ``P``,
the regional Theil index is ``T = Σ sᵢ ln(sᵢ / pᵢ)`` with ``sᵢ = xᵢPᵢ / Σ xⱼPⱼ`` (the unit's
share of the total) and ``pᵢ = Pᵢ / ΣP`` (its share of the people); it decomposes exactly into
a between-group part ``Σ S_g ln(S_g / P_g)`` and a within-group part ``Σ S_g T_g``. With equal
weights it is Theil's T of :class:`inequality.theil.TheilD`. The Williamson index is the
population-weighted coefficient of variation.

Groups come from provinces, platforms or clusters. A county can be in several platforms (邻水
is in 合广长, 明月山 and 高竹新区), so platform groups need a stated policy (``overlap``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._errors import InvalidArgumentError
from .analysis import ANALYSIS_LEVELS, _check_table, _values
from .boundaries import check_choice
from .platforms import clusters, membership, platforms
from .stable_units import table_vintage, unit_info

__all__ = ["theil", "williamson", "TheilResult", "GROUPINGS", "OVERLAP_POLICIES"]

GROUPINGS = ("province", "platform", "cluster")
OVERLAP_POLICIES = ("error", "exclusive", "first", "member")
MEMBER, NON_MEMBER = "platform member", "non-member"


@dataclass
class TheilResult:
    """Theil's T with its decomposition.

    Attributes
    ----------
    T : float
        Theil index of all units.
    bg : float
        Between the groups of ``by`` (the first level when ``by`` has two).
    wg : float
        Within the finest groups (``T == bg + bg2 + wg``).
    bg2 : float
        Between the second-level groups within the first-level ones (0 for one level).
    cv : float
        Coefficient of variation with the same weights (the Williamson index when weighted).
    groups : pandas.DataFrame
        Per finest group: ``n_units``, ``population`` (sum of weights), ``total`` (Σ x·P),
        ``share`` (of the total), ``population_share``, ``mean`` (weighted), ``theil_within``.
    by : tuple of str
        The grouping(s).
    weights : str or None
        The weight column, or None for equal weights.
    overlap : str
        How units in several platforms were grouped.
    dropped : list of str
        Units left out by ``overlap="exclusive"``.
    bg_share : float
        ``bg / T``.
    bg_p_sim : float
        Permutation p-value of ``bg`` (NaN unless ``permutations`` > 0).
    bg_null : numpy.ndarray
        ``bg`` of each permutation.
    """

    T: float
    bg: float
    wg: float
    bg2: float
    cv: float
    groups: pd.DataFrame
    by: tuple
    weights: str | None
    overlap: str
    dropped: list = field(default_factory=list)
    bg_share: float = float("nan")
    bg_p_sim: float = float("nan")
    bg_null: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False)


# --------------------------------------------------------------------------- groups


def _groups(
    units: pd.Index, by: str, level: str, vintage: str, plan: str | None, overlap: str
) -> tuple[pd.Series, list[str]]:
    """Group label of each unit, and the units ``overlap="exclusive"`` leaves out."""
    info = unit_info(level, vintage, list(units))
    if by == "province":
        return info.loc[units, "province"], []
    members = membership(level, vintage, plan=plan)
    column = "platform" if by == "platform" else "cluster_name"
    of_part = members.groupby("adcode")[column].agg(lambda s: list(dict.fromkeys(s)))
    # A stable unit is in every platform one of its parts is in.
    held = pd.Series(
        {
            code: list(dict.fromkeys(p for part in info.loc[code, "parts"] for p in of_part.get(part, [])))
            for code in units
        }
    )
    held = held[held.map(len) > 0]
    several = {code: held[code] for code in units if code in held.index and len(held[code]) > 1}
    if overlap == "member":
        return pd.Series([MEMBER if code in held.index else NON_MEMBER for code in units], index=units), []
    if several and overlap == "error":
        names = info["name"]
        listed = "; ".join(f"{names[c]} ({'、'.join(g)})" for c, g in list(several.items())[:8])
        raise InvalidArgumentError(
            f"{len(several)} units are in several {by}s ({listed}{' …' if len(several) > 8 else ''}), so "
            f"{by} groups are not a partition; choose overlap='member' (members vs non-members), "
            "'exclusive' (leave those units out) or 'first' (the first in the plan's order)"
        )
    if overlap == "first":
        order = (
            [p.short_name for p in platforms(plan=plan)]
            if by == "platform"
            else [c.name for c in clusters(plan=plan)]
        )
        rank = {name: i for i, name in enumerate(order)}
        first = {code: min(g, key=lambda n: rank.get(n, len(rank))) for code, g in held.items()}
        return pd.Series([first.get(code, "none") for code in units], index=units), []
    dropped = [code for code in units if code in several]
    kept = [code for code in units if code not in several]
    return pd.Series([held[c][0] if c in held.index else "none" for c in kept], index=kept), dropped


# --------------------------------------------------------------------------- the index


def _theil_parts(x: np.ndarray, p: np.ndarray) -> float:
    """Theil's T of values ``x`` with weights ``p`` (both positive): Σ s ln(s / p)."""
    share = x * p / (x * p).sum()
    weight = p / p.sum()
    return float((share * np.log(share / weight)).sum())


def _between(x: np.ndarray, p: np.ndarray, codes: np.ndarray) -> float:
    """Between-group Theil: Σ S_g ln(S_g / P_g)."""
    total = np.bincount(codes, weights=x * p) / (x * p).sum()
    people = np.bincount(codes, weights=p) / p.sum()
    keep = total > 0
    return float((total[keep] * np.log(total[keep] / people[keep])).sum())


def _weights_of(table: pd.DataFrame, weights, column, key, level, vintage, year, allow_partial):
    if weights is None:
        return None
    if not isinstance(weights, str):
        raise InvalidArgumentError(
            f"weights={weights!r} must be the name of a population column, or None for equal weights"
        )
    if weights == column:
        raise InvalidArgumentError(
            f"weights={weights!r} is the value column itself; the regional Theil weights a per-capita "
            f"value by population. For the inequality of {column!r} across units, pass weights=None"
        )
    if weights not in table.columns:
        raise InvalidArgumentError(
            f"weights={weights!r} is not a column of the table; the regional indices weight each unit by "
            "its population: name that column (weights='population'), or pass weights=None for equal "
            "weights"
        )
    p = _values(table, weights, key, level, vintage, year, allow_partial)
    if (p <= 0).any():
        raise InvalidArgumentError(
            f"weights {weights!r} must be positive; not in {', '.join(map(str, p[p <= 0].index[:10]))}"
        )
    return p


def theil(
    table: pd.DataFrame,
    column: str,
    key: str,
    *,
    weights: str | None = "population",
    by: str | tuple[str, str] = "province",
    overlap: str = "error",
    level: str = "county",
    vintage: str | None = None,
    plan: str | None = None,
    permutations: int = 0,
    seed: int | None = None,
    year: int | None = None,
    allow_partial: bool = False,
) -> TheilResult:
    """Theil's T of a per-capita quantity, population-weighted, decomposed between and within groups.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per unit.
    column : str
        The per-capita (or rate) quantity ``x``; positive (Theil takes logarithms).
    key : str
        The adcode or name column.
    weights : str or None, default "population"
        The population column ``P``: each unit weighs by its people, as the regional
        literature does. ``None``: every unit weighs the same (Theil's T of
        :class:`inequality.theil.TheilD`, the inequality across units rather than people).
    by : {"province", "platform", "cluster"} or a pair of them
        The groups; a pair such as ``("province", "platform")`` gives the nested (Akita
        two-stage) decomposition: between provinces, between platform groups within each
        province, and within those.
    overlap : {"error", "exclusive", "first", "member"}
        For platform and cluster groups, where a unit may be in several: ``"error"``
        (default) refuses and names the units; ``"member"`` makes two groups, platform
        members and non-members; ``"exclusive"`` keeps units in one platform (or none) and
        leaves the others out, named in a warning; ``"first"`` puts a unit in the first of
        its platforms (clusters) in the plan's own order (``cg.platforms(plan)``).
    level, vintage, year, allow_partial
        As for :func:`chuanyu_geo.morans_i`.
    plan : str, optional
        The plan whose platforms define the groups.
    permutations : int
        When > 0 (single-level ``by`` only), the group labels are shuffled among the units
        this many times (group sizes kept) and ``bg_p_sim`` is the share of shuffles whose
        between-group part is at least the observed one: how much of ``bg`` the grouping
        alone would give.
    seed : int, optional
        Seed of the shuffles (a generator of its own; NumPy's global state is untouched).

    Returns
    -------
    TheilResult

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> census = cg.load_census(2020)
    >>> census["urban_rate"] = census["urban_population"] / census["population"]
    >>> t = cg.theil(census, "urban_rate", "adcode", year=2020, allow_partial=True)
    >>> round(t.bg + t.wg - t.T, 12), t.weights
    (0.0, 'population')
    >>> cg.theil(census, "urban_rate", "adcode", year=2020, by="platform", overlap="member",
    ...          allow_partial=True).groups["group"].tolist()
    ['non-member', 'platform member']
    """
    _check_table(table)
    level = check_choice("level", level, ANALYSIS_LEVELS)
    vintage = table_vintage(table, vintage)
    overlap = check_choice("overlap", overlap, OVERLAP_POLICIES)
    levels = (by,) if isinstance(by, str) else tuple(by)
    if len(levels) not in (1, 2) or any(b not in GROUPINGS for b in levels):
        raise InvalidArgumentError(
            f"by={by!r} is not valid; expected one of {', '.join(GROUPINGS)}, or a pair of them"
        )
    if isinstance(permutations, bool) or not isinstance(permutations, int) or permutations < 0:
        raise InvalidArgumentError(f"permutations={permutations!r} must be an int >= 0")
    if permutations and len(levels) == 2:
        raise InvalidArgumentError("permutations are offered for a single-level by= only")
    x = _values(table, column, key, level, vintage, year, allow_partial)
    p = _weights_of(table, weights, column, key, level, vintage, year, allow_partial)
    units = x.index if p is None else x.index.intersection(p.index)
    if (x.loc[units] <= 0).any():
        bad = x.loc[units][x.loc[units] <= 0]
        raise InvalidArgumentError(
            f"{column} must be positive for Theil's T; not in {', '.join(map(str, bad.index[:10]))}"
        )
    labels, dropped = [], []
    for b in levels:
        series, gone = _groups(pd.Index(units), b, level, vintage, plan, overlap)
        labels.append(series)
        dropped += gone
    if dropped:
        names = unit_info(level, vintage, list(units))["name"]
        warnings.warn(
            f"Theil: overlap='exclusive' left out {len(dropped)} units in several groups: "
            f"{'、'.join(names[c] for c in dropped[:12])}{' …' if len(dropped) > 12 else ''}",
            UserWarning,
            stacklevel=2,
        )
    kept = [u for u in units if u not in set(dropped)]
    xv = x.loc[kept].to_numpy(dtype=float)
    pv = np.ones(len(kept)) if p is None else p.loc[kept].to_numpy(dtype=float)
    first = labels[0].loc[kept].astype(str).to_numpy()
    if len(levels) == 1:
        finest = first
    else:
        second = labels[1].loc[kept].astype(str).to_numpy()
        finest = np.array([f"{a} / {b}" for a, b in zip(first, second)], dtype=object)
    first_codes = pd.factorize(first)[0]
    fine_codes, fine_names = pd.factorize(finest)
    T = _theil_parts(xv, pv)
    bg = _between(xv, pv, first_codes)
    bg_fine = _between(xv, pv, fine_codes)
    wg = T - bg_fine
    groups = _group_table(xv, pv, fine_codes, fine_names)
    mean = np.average(xv, weights=pv)
    cv = float(np.sqrt(np.average((xv - mean) ** 2, weights=pv)) / mean)
    result = TheilResult(
        T=T,
        bg=bg,
        wg=wg,
        bg2=bg_fine - bg,
        cv=cv,
        groups=groups,
        by=levels,
        weights=weights,
        overlap=overlap,
        dropped=dropped,
        bg_share=bg / T if T > 0 else float("nan"),
    )
    if permutations:
        rng = np.random.default_rng(seed)
        null = np.array([_between(xv, pv, rng.permutation(first_codes)) for _ in range(permutations)])
        result.bg_null = null
        result.bg_p_sim = float((1 + (null >= bg - 1e-15).sum()) / (1 + permutations))
    return result


def _group_table(x: np.ndarray, p: np.ndarray, codes: np.ndarray, names) -> pd.DataFrame:
    rows = []
    total, people = (x * p).sum(), p.sum()
    for code, name in enumerate(names):
        inside = codes == code
        rows.append(
            {
                "group": name,
                "n_units": int(inside.sum()),
                "population": float(p[inside].sum()),
                "total": float((x * p)[inside].sum()),
                "share": float((x * p)[inside].sum() / total),
                "population_share": float(p[inside].sum() / people),
                "mean": float(np.average(x[inside], weights=p[inside])),
                "theil_within": _theil_parts(x[inside], p[inside]),
            }
        )
    return pd.DataFrame(rows).sort_values("group").reset_index(drop=True)


def williamson(
    table: pd.DataFrame,
    column: str,
    key: str,
    *,
    weights: str = "population",
    level: str = "county",
    vintage: str | None = None,
    year: int | None = None,
    allow_partial: bool = False,
) -> float:
    """The Williamson index: the population-weighted coefficient of variation of ``column``.

    ``V_w = sqrt(Σ pᵢ (xᵢ − x̄)²) / x̄`` with ``pᵢ = Pᵢ / ΣP`` and ``x̄ = Σ pᵢ xᵢ`` (Williamson
    1965).

    Parameters
    ----------
    table, column, key, level, vintage, year, allow_partial
        As for :func:`theil`.
    weights : str
        The population column.

    Returns
    -------
    float

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> census = cg.load_census(2020)
    >>> census["urban_rate"] = census["urban_population"] / census["population"]
    >>> 0 < cg.williamson(census, "urban_rate", "adcode", year=2020, allow_partial=True) < 1
    True
    """
    _check_table(table)
    level = check_choice("level", level, ANALYSIS_LEVELS)
    vintage = table_vintage(table, vintage)
    x = _values(table, column, key, level, vintage, year, allow_partial)
    p = _weights_of(table, weights, column, key, level, vintage, year, allow_partial)
    if p is None:
        raise InvalidArgumentError("williamson needs weights: the name of a population column")
    units = x.index.intersection(p.index)
    xv, pv = x.loc[units].to_numpy(dtype=float), p.loc[units].to_numpy(dtype=float)
    mean = np.average(xv, weights=pv)
    if mean == 0:
        raise InvalidArgumentError(f"the weighted mean of {column!r} is 0: the Williamson index is undefined")
    return float(np.sqrt(np.average((xv - mean) ** 2, weights=pv)) / abs(mean))
