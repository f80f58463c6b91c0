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
import warnings
from collections.abc import Hashable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ._errors import ChuanyuGeoError, InvalidArgumentError, listing
from .adjacency import adjacency_graph, shipped_contacts
from .boundaries import (
    DEFAULT_DETAIL,
    DETAILS,
    MEMBER_LEVELS,
    check_choice,
    check_vintage,
)
from .conditional import draw_seed, local_moran_simulations, neighbours_everyone, pseudo_p
from .stable_units import is_stable, table_vintage, unit_info, unit_layer, values_by_unit
from .weights_io import write_weights  # noqa: F401  (importable from here too; in __all__)

if TYPE_CHECKING:  # weights of a level need no graph, and no networkx (50-90 ms to import)
    import networkx as nx

__all__ = [
    "MissingExtraError",
    "weights",
    "write_weights",
    "morans_i",
    "lisa",
    "IsolateWarning",
    "LISA_CORRECTIONS",
    "WEIGHT_KINDS",
    "LISA_CLASSES",
]

WEIGHT_KINDS = ("queen", "rook", "shared_km", "cross_border")
LISA_CLASSES = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}
ANALYSIS_LEVELS = MEMBER_LEVELS


class MissingExtraError(ChuanyuGeoError, ImportError):
    """A function needs an optional dependency that is not installed."""


def _require(module: str, extra: str = "analysis"):
    """Import an optional package or say, in one line, which extra to install."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtraError(
            f"{module.split('.')[0]} is not installed; these analyses need the {extra} extra: "
            f'pip install "chuanyu-geo[{extra}]"'
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
        For a level: the layer (default: the registry's default vintage, standard detail).
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
    if isinstance(graph_or_level, str) or graph_or_level is None:
        level = check_choice("graph_or_level", graph_or_level, ANALYSIS_LEVELS)
        args = (level, check_vintage(vintage), check_choice("detail", detail or DEFAULT_DETAIL, DETAILS))
        return _finish_weights(_level_weights(*args, kind), order, transform)
    import networkx as nx

    if not isinstance(graph_or_level, nx.Graph):
        raise InvalidArgumentError(
            f"graph_or_level must be a networkx.Graph from adjacency_graph() or a level "
            f"({', '.join(ANALYSIS_LEVELS)}), got {type(graph_or_level).__name__}"
        )
    graph = graph_or_level
    if vintage is not None or detail is not None:
        raise InvalidArgumentError(
            "vintage= and detail= are read from the graph; omit them when passing a graph"
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
    return _finish_weights(result, order, transform)


def _level_weights(level: str, vintage: str, detail: str, kind: str):
    """``weights(level, kind)`` from the shipped layer's contacts table, the table the
    level's adjacency graph is built from (no graph: same pairs, weights and unit order)."""
    from .contiguity import contacts_to_graph

    layer, table = shipped_contacts(level, vintage, detail, None)
    if kind == "cross_border":
        # As the graph's edge attribute: the two units' provinces differ.
        province = dict(zip(layer["adcode"], layer["province"]))
        table = table[[province[a] != province[b] for a, b in zip(table["id_a"], table["id_b"])]]
    ids = pd.Index(layer["adcode"].tolist())  # text ids, as the graph path gives them
    weight = "shared_km" if kind == "shared_km" else None
    return contacts_to_graph(table, ids, weight=weight, rook=kind == "rook")


def _finish_weights(result, order: int, transform: str | None):
    if order > 1:
        result = result.higher_order(k=order, lower_order=False)
    if transform is not None:
        result = result.transform(transform)
    return result


# --------------------------------------------------------------------------- joining a table


def _check_table(table) -> None:
    """Refuse what the joins below cannot read: not a DataFrame, or MultiIndex columns."""
    if not isinstance(table, pd.DataFrame):
        raise InvalidArgumentError(f"table must be a pandas DataFrame, got {type(table).__name__}")
    if isinstance(table.columns, pd.MultiIndex):
        shown = ", ".join(map(repr, table.columns[:3])) + (", …" if table.shape[1] > 3 else "")
        raise InvalidArgumentError(
            f"the table has MultiIndex columns ({shown}); flatten them, e.g. "
            f"table.columns = ['_'.join(map(str, c)) for c in table.columns]"
        )


def _values(
    table: pd.DataFrame, column: str, key: str, level: str, vintage: str, year, allow_partial: bool
) -> pd.Series:
    """The numeric ``column`` of ``table`` indexed by unit key (one row per unit).

    Keys are adcodes or names (joined with :func:`chuanyu_geo.join_table`), or, in a
    harmonised table, adcodes and stable units (``500105+500109``), taken as they are.
    """
    _check_table(table)
    if not isinstance(column, Hashable) or column not in table.columns:
        raise InvalidArgumentError(
            f"column={column!r} is not a column of the table; columns: "
            f"{', '.join(map(str, table.columns[:20]))}{', …' if table.shape[1] > 20 else ''}"
        )
    if isinstance(key, Hashable) and key in table.columns and any(is_stable(k) for k in table[key]):
        return _unit_values(table, column, key, level, vintage, allow_partial)
    from .tables.joins import UnmatchedRowsError, join_values, unmatched_rows

    matched, report = join_values(table, column, key, level, vintage, year=year)
    missing = report[~report["status"].isin(["matched", "renamed"])]
    if len(missing) and not allow_partial:
        rows = unmatched_rows(missing)
        raise UnmatchedRowsError(f"{rows}. Fix them, or pass allow_partial=True to analyse the rest.", report)
    return matched.set_index("adcode")[column].astype(float)


def _unit_values(
    table: pd.DataFrame, column, key, level: str, vintage: str, allow_partial: bool
) -> pd.Series:
    """Values keyed by unit keys of ``vintage`` (adcodes and stable units), never copied onto parts."""
    from .tables.joins import UnmatchedRowsError, unmatched_rows

    values, report = values_by_unit(table, column, key, level, vintage)
    bad = report[report["status"] != "matched"]
    if len(bad) and not allow_partial:
        rows = unmatched_rows(bad)
        raise UnmatchedRowsError(
            f"{rows}. A harmonised table is keyed by adcodes and stable units of vintage {vintage}; fix "
            "these rows, or pass allow_partial=True to analyse the rest.",
            report,
        )
    return values


def _check_sample(y: pd.Series, column, minimum: int, statistic: str, isolates: list | tuple = ()) -> None:
    """Refuse samples the statistic is undefined on: too few units, or constant values.

    ``y`` holds the units the statistic is computed on; ``isolates`` those left out for
    having no neighbour (counted in the message, so a user sees where the units went).
    """
    if len(y) < minimum:
        given = [*map(str, y.index), *map(str, isolates)]
        lonely = f", {len(isolates)} of them without a neighbour in the weights" if len(isolates) else ""
        raise InvalidArgumentError(
            f"{statistic} needs at least {minimum} units with a value of {column!r} and a neighbour; the "
            f"table gives {len(given)} ({', '.join(given[:10])}){lonely}"
        )
    if np.ptp(y.to_numpy()) == 0:
        raise InvalidArgumentError(
            f"the values of {column!r} are constant ({y.iloc[0]:g} for all {len(y)} units): {statistic} is "
            f"undefined (it divides by the variance)"
        )


def _analysis_weights(y: pd.Series, level: str, vintage: str, detail: str, kind: str, transform: str):
    """The weights on the units of ``y``, their isolates, and why each is one.

    Returns ``(weights on every unit of y, untransformed; isolates; reasons)``: an isolate
    has no neighbour among the units of ``y``; ``reasons`` maps it to a sentence naming the
    neighbours the table lacks (or saying it has none of this kind at all).
    """
    if any(is_stable(k) for k in y.index):
        # Stable units are connected as the dissolved shapes they are.
        layer = unit_layer(level, vintage, detail, list(y.index))
        full = weights(adjacency_graph(layer, id_col="adcode"), kind)
    else:
        full = weights(level, kind, vintage=vintage, detail=detail)
    w = full.subgraph(list(y.index)) if len(y) < full.n else full
    isolates = [unit for unit in y.index if unit in set(w.isolates)]
    names = unit_info(level, vintage, list(y.index))["name"]
    reasons = {}
    for unit in isolates:
        lacking = [n for n in full[unit].index if n != unit and full[unit][n] != 0]
        if lacking:
            reasons[unit] = (
                f"{names.get(unit, unit)} ({unit}): its {kind} neighbours "
                f"{', '.join(f'{names.get(n, n)}' for n in lacking[:6])}{' …' if len(lacking) > 6 else ''} "
                "have no value in the table"
            )
        else:
            reasons[unit] = f"{names.get(unit, unit)} ({unit}): no {kind} neighbour at all"
    return w, isolates, reasons


class IsolateWarning(UserWarning):
    """Units without neighbours in the weights used were left out of a statistic, or marked."""


def _seeded(seed: int | None, call):
    """Run ``call`` with NumPy's global generator seeded, and put the user's state back.

    esda.Moran draws its permutations from NumPy's global generator; a seed given here must
    not fix the draws of the user's own code afterwards.
    """
    if seed is None:
        return call()
    state = np.random.get_state()
    try:
        np.random.seed(seed)
        return call()
    finally:
        np.random.set_state(state)


# --------------------------------------------------------------------------- autocorrelation


def morans_i(
    table: pd.DataFrame,
    column: str,
    key: str,
    *,
    level: str = "county",
    vintage: str | None = None,
    detail: str = DEFAULT_DETAIL,
    kind: str = "queen",
    transform: str = "r",
    permutations: int = 999,
    seed: int | None = None,
    isolates: str = "drop",
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
        The units and layer the weights come from. ``vintage`` defaults to the one the table
        records (a harmonise result does), else the registry's default. Keys may be adcodes,
        names, or a harmonised table's stable units (``500105+500109``), which are weighted as
        the dissolved shapes they are.
    kind : {"queen", "rook", "shared_km", "cross_border"}
        Weights (see :func:`weights`); row-standardised by default (``transform``).
    permutations : int
        Random permutations for the pseudo p-value ``p_sim``.
    seed : int, optional
        Makes the permutations repeatable. NumPy's global generator is seeded for esda's
        draws and then put back as it was, so the caller's own random draws are unaffected.
    isolates : {"drop", "keep", "error"}
        Units without a neighbour in the weights actually used (after the table's units are
        applied; with ``kind="cross_border"`` every unit off the border). ``drop`` (default)
        leaves them out of n and warns (:class:`IsolateWarning`), naming why each is one;
        ``keep`` leaves them in (their spatial lag is 0, which pulls I towards 0); ``error``
        raises.
    year : int, optional
        The year whose codes and names the table uses.
    allow_partial : bool
        Analyse the rows that match (on the weights of those units only).

    Returns
    -------
    esda.Moran
        ``I``, ``EI``, ``p_norm``, ``p_sim``, ``z_sim`` … exactly as esda gives them, with
        ``units`` (the adcodes in the order of ``y``), ``weights`` (the libpysal Graph),
        ``isolates`` (the units dropped or kept as isolates) and ``isolate_policy``.

    Raises
    ------
    InvalidArgumentError
        Fewer than 4 units with a value (esda's variance is undefined), constant values
        (Moran's I is undefined), isolates with ``isolates="error"``, or a table with
        MultiIndex columns.

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> census = cg.load_census(2020)
    >>> mi = cg.morans_i(census, "years_of_schooling", "adcode", year=2020, permutations=99, seed=1,
    ...                  allow_partial=True)
    >>> bool(mi.I > 0.3), mi.isolates
    (True, [])
    """
    esda = _require("esda")
    level = check_choice("level", level, ANALYSIS_LEVELS)
    isolates = check_choice("isolates", isolates, ("drop", "keep", "error"))
    vintage = table_vintage(table, vintage)
    y = _values(table, column, key, level, vintage, year, allow_partial)
    w, lonely, reasons = _analysis_weights(y, level, vintage, detail, kind, "")
    _isolate_policy(lonely, reasons, isolates, "Moran's I")
    if lonely and isolates == "drop":
        y = y.drop(index=lonely)
        w = w.subgraph(list(y.index))
    # esda's variance under randomisation divides by (n - 1)(n - 2)(n - 3).
    _check_sample(y, column, 4, "Moran's I", lonely if isolates == "drop" else ())
    w = w.transform(transform) if transform else w
    y = y.loc[list(w.unique_ids)]
    result = _seeded(
        seed, lambda: esda.Moran(y.to_numpy(), w, transformation=transform or "o", permutations=permutations)
    )
    result.units = list(y.index)
    result.weights = w
    result.isolates = lonely
    result.isolate_policy = isolates
    return result


def _isolate_policy(lonely: list, reasons: dict, policy: str, statistic: str) -> None:
    """Warn about (or refuse) isolates, saying why each unit is one."""
    if not lonely:
        return
    why = "; ".join(reasons[u] for u in lonely[:8]) + (
        f"; … and {len(lonely) - 8} more" if len(lonely) > 8 else ""
    )
    if policy == "error":
        raise InvalidArgumentError(
            f"{len(lonely)} units have no neighbour in the weights used: {why}. Pass isolates='drop' "
            "to leave them out or isolates='keep' to keep them with a spatial lag of 0"
        )
    action = {
        "drop": "left out of n",
        "keep": "kept in n with a spatial lag of 0",
        "mark": "marked 'isolate', never significant",
    }[policy]
    warnings.warn(
        f"{statistic}: {len(lonely)} units have no neighbour in the weights used and were {action}: {why}",
        IsolateWarning,
        stacklevel=3,
    )


LISA_CORRECTIONS = (None, "fdr", "bonferroni")
LISA_ALTERNATIVES = ("folded", "two-sided")


def lisa(
    table: pd.DataFrame,
    column: str,
    key: str,
    *,
    level: str = "county",
    vintage: str | None = None,
    detail: str = DEFAULT_DETAIL,
    kind: str = "queen",
    transform: str = "r",
    permutations: int = 999,
    seed: int | None = None,
    alpha: float = 0.05,
    correction: str | None = None,
    alternative: str = "folded",
    year: int | None = None,
    allow_partial: bool = False,
) -> pd.DataFrame:
    """Local Moran's I (LISA) through :class:`esda.Moran_Local`, with cluster classes.

    Parameters
    ----------
    table, column, key, level, vintage, detail, kind, transform, permutations, year, allow_partial
        As for :func:`morans_i`.
    seed : int, optional
        Makes the conditional permutations repeatable (0 to 2**32 - 1); without it a seed is
        drawn and recorded in ``attrs["seed"]``. NumPy's global generator is neither read
        nor changed. The permutations are drawn by :mod:`chuanyu_geo.conditional` exactly
        as esda draws them without numba (NumPy's Mersenne Twister from this seed; the test
        suite checks value for value), whether or not numba is installed: a seed gives the
        same draws on every machine (the simulated values may differ in the last bits
        between BLAS builds, which moves a p-value only where a draw ties with the observed
        statistic), and no call waits for numba to compile esda's permutation code (10-20 s
        on a two-core machine).
    alpha : float
        Significance level.
    correction : {None, "fdr", "bonferroni"}
        Multiple-testing correction over the units tested: ``None`` compares each pseudo
        p-value with ``alpha``; ``"fdr"`` with the Benjamini–Hochberg threshold of
        :func:`esda.fdr`; ``"bonferroni"`` with ``alpha / n``. A unit is significant when its
        p-value is below the threshold. When even the smallest possible pseudo p-value,
        ``1 / (permutations + 1)``, is not below the threshold, a warning says how many
        permutations would be needed.
    alternative : {"folded", "two-sided"}
        How the pseudo p-value is read from the permutations, computed here from esda's
        kept simulations so that a change of esda's default cannot change the clusters:
        ``"folded"`` (default; GeoDa's and esda 2.x's p_sim) counts the permuted values at
        least as extreme as the observed one in its own direction, ``(min(#≥, #<) + 1) /
        (permutations + 1)``; ``"two-sided"`` doubles it (at most 1), as esda recommends for
        its next major release.

    Returns
    -------
    pandas.DataFrame
        One row per unit of the table: ``adcode``, ``name``, ``province``, ``value``, ``Is``,
        ``q`` (esda's quadrant: 1 HH, 2 LH, 3 LL, 4 HL), ``p_sim`` and ``cluster`` (``HH``,
        ``LL``, ``HL``, ``LH`` where significant, else ``ns``). A unit without a neighbour in
        the weights used is ``isolate``, with ``Is``, ``q`` and ``p_sim`` missing: it is not
        tested and never significant (an :class:`IsolateWarning` names each and why). A unit
        whose neighbours are all the other units tested (possible in small tables) draws the
        same values in every permutation: its ``p_sim`` is missing and it is ``ns``, with a
        warning naming it (esda's p-value for it depends on rounding only).
        ``attrs`` records ``alpha``, ``correction``, ``threshold``, ``alternative``,
        ``permutations``, ``seed``, ``n_tested`` (units with a p-value), ``untestable``, weights
        kind and layer; ``attrs["esda"]`` is the esda object, run without permutations (``Is``,
        ``q``, the analytical moments; its ``p_sim``, ``sim`` and ``z_sim`` do not exist) and
        ``attrs["sim"]`` the simulated statistics (permutations × units with a neighbour).

    Raises
    ------
    InvalidArgumentError
        Fewer than 3 units with a neighbour and a value, constant values (local Moran's I is
        undefined), a seed that is not an int from 0 to 2**32 - 1, or a table with MultiIndex
        columns.

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> local = cg.lisa(cg.load_census(2020), "years_of_schooling", "adcode", year=2020,
    ...                 permutations=999, seed=1, allow_partial=True, correction="fdr")
    >>> set(local["cluster"]) <= {"HH", "LL", "HL", "LH", "ns", "isolate"}
    True
    >>> local.attrs["correction"], local.attrs["permutations"]
    ('fdr', 999)
    """
    esda = _require("esda")
    level = check_choice("level", level, ANALYSIS_LEVELS)
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
        raise InvalidArgumentError(f"alpha={alpha!r} must be between 0 and 1")
    if correction not in LISA_CORRECTIONS:
        raise InvalidArgumentError(
            f"correction={correction!r} is not valid; expected None, 'fdr' or 'bonferroni'"
        )
    alternative = check_choice("alternative", alternative, LISA_ALTERNATIVES)
    if isinstance(permutations, bool) or not isinstance(permutations, int) or permutations < 1:
        raise InvalidArgumentError(f"permutations={permutations!r} must be an int >= 1")
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**32
    ):
        raise InvalidArgumentError(f"seed={seed!r} must be an int from 0 to 2**32 - 1, or None")
    vintage = table_vintage(table, vintage)
    y_all = _values(table, column, key, level, vintage, year, allow_partial)
    w, lonely, reasons = _analysis_weights(y_all, level, vintage, detail, kind, "")
    _isolate_policy(lonely, reasons, "mark", "LISA")
    y = y_all.drop(index=lonely)
    # esda's local moments divide by (n - 1)(n - 2).
    _check_sample(y, column, 3, "LISA", lonely)
    w = w.subgraph(list(y.index)) if lonely else w
    w = w.transform(transform) if transform else w
    y = y.loc[list(w.unique_ids)]
    # esda computes Is, q and the moments; the permutations are drawn here, as esda draws them
    # without numba (chuanyu_geo.conditional), so that no call compiles numba code.
    local = esda.Moran_Local(y.to_numpy(), w, transformation=transform or "o", permutations=0)
    seed = draw_seed() if seed is None else int(seed)
    sim = local_moran_simulations(local.z, local.w.sparse, permutations, seed)
    p = pseudo_p(local.Is, sim, permutations, alternative)
    # A unit next to every other one draws the same neighbours in every permutation: no test.
    everyone = neighbours_everyone(local.w.sparse)
    p[everyone] = np.nan
    untestable = [u for u, e in zip(y.index, everyone) if e]
    units = unit_info(level, vintage, list(y_all.index))
    if untestable:
        names = units["name"]
        warnings.warn(
            f"LISA: {listing((f'{names.get(u, u)} ({u})' for u in untestable), len(untestable), sep=', ')} "
            "neighbour(s) every other unit "
            "tested, so every conditional permutation draws the same values: no p-value, never significant",
            UserWarning,
            stacklevel=2,
        )
    n = int((~everyone).sum())
    threshold = {
        None: alpha,
        "fdr": float(esda.fdr(p[~everyone], alpha)) if n else alpha,
        "bonferroni": alpha / max(n, 1),
    }[correction]
    smallest = 1 / (permutations + 1)
    if smallest >= threshold:
        needed = math.ceil(1 / threshold)
        warnings.warn(
            f"LISA: with {permutations} permutations the smallest possible pseudo p-value is {smallest:.3g}, "
            f"not below the {correction or 'uncorrected'} threshold {threshold:.3g}: no unit can be "
            f"significant; {needed:,} permutations or more reach it",
            UserWarning,
            stacklevel=2,
        )
    order = list(y.index) + list(lonely)
    tested = pd.DataFrame({"Is": local.Is, "q": local.q, "p_sim": p}, index=list(y.index))
    tested["cluster"] = [LISA_CLASSES[q] if pv < threshold else "ns" for q, pv in zip(local.q, p)]
    out = pd.DataFrame(
        {
            "adcode": order,
            "name": units.loc[order, "name"].to_numpy(),
            "province": units.loc[order, "province"].to_numpy(),
            "value": y_all.loc[order].to_numpy(),
        }
    )
    out = out.join(tested, on="adcode")
    out["q"] = out["q"].astype("Int64")
    out["cluster"] = out["cluster"].fillna("isolate")
    out.attrs.update(
        esda=local,
        sim=sim,
        seed=seed,
        untestable=untestable,
        alpha=alpha,
        correction=correction,
        threshold=threshold,
        alternative=alternative,
        n_tested=n,
        isolates=list(lonely),
        kind=kind,
        level=level,
        vintage=vintage,
        detail=detail,
        permutations=permutations,
    )
    return out


# Names kept importable from here for existing code, loaded on first use: the tables and the
# pair design (moved to designs.py) are not needed by weights(), whose cold call is budgeted.
_MOVED = {"border_pair_panel": "designs", "UnmatchedRowsError": "tables.joins"}


def __getattr__(name: str):
    if name in _MOVED:
        return getattr(importlib.import_module(f".{_MOVED[name]}", __package__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
