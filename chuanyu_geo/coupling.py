"""Coupling coordination degree (耦合协调度) with entropy weights.

The method most studies of the region's coordinated development use:

1. each indicator is min–max standardised in its direction (``+``: larger is better,
   ``x' = (x − min) / (max − min)``; ``−``: ``x' = (max − x) / (max − min)``);
2. entropy weights within each system: ``p_ij = x'_ij / Σ_i x'_ij``,
   ``e_j = −(1 / ln n) Σ_i p_ij ln p_ij`` (``0 · ln 0 = 0``), ``w_j = (1 − e_j) / Σ (1 − e_k)``;
3. a comprehensive index per system, ``U_s = Σ_j w_j x'_ij``;
4. the coupling degree ``C = n · (Π U_s)^(1/n) / Σ U_s`` (for two systems
   ``2√(U₁U₂) / (U₁ + U₂)``), the coordination index ``T = Σ α_s U_s`` (equal ``α`` by default)
   and the coupling coordination degree ``D = √(C · T)``;
5. ``D`` in ten customary classes, 极度失调 … 优质协调 (``coupling_classes.toml``, with its
   source).
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from ._errors import InvalidArgumentError
from .sources import read_package_toml

__all__ = ["coupling_coordination", "coupling_classes"]


@functools.lru_cache(maxsize=1)
def _classes() -> dict:
    return read_package_toml("coupling_classes.toml")


def coupling_classes() -> pd.DataFrame:
    """The ten classes of ``D``: ``lower`` < D ≤ ``upper``, names in Chinese and English, source.

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> cg.coupling_classes().iloc[[0, -1]][["lower", "upper", "zh"]].values.tolist()
    [[0.0, 0.1, '极度失调'], [0.9, 1.0, '优质协调']]
    """
    data = _classes()
    table = pd.DataFrame(data["classes"])
    table.insert(0, "lower", [0.0, *table["upper"].iloc[:-1]])
    table["source"] = data["source"]
    return table


def _standardise(values: pd.DataFrame, directions: dict[str, str]) -> pd.DataFrame:
    low, high = values.min(), values.max()
    flat = [c for c in values.columns if high[c] == low[c]]
    if flat:
        raise InvalidArgumentError(
            f"indicators {', '.join(map(repr, flat))} are constant: min–max standardisation is undefined"
        )
    out = (values - low) / (high - low)
    for column, direction in directions.items():
        if direction == "-":
            out[column] = 1 - out[column]
    return out


def _entropy_weights(standard: pd.DataFrame) -> pd.Series:
    n = len(standard)
    p = standard / standard.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(p), 0.0)
    entropy = -plogp.sum(axis=0) / np.log(n)
    divergence = 1 - entropy
    return pd.Series(divergence / divergence.sum(), index=standard.columns)


def coupling_coordination(
    table: pd.DataFrame,
    systems: dict[str, list[str]],
    key: str,
    *,
    directions: dict[str, str] | None = None,
    weights: str | dict[str, float] = "entropy",
    contributions: dict[str, float] | None = None,
    time: str | None = None,
    entropy: str = "pooled",
) -> pd.DataFrame:
    """Coupling degree ``C``, coordination index ``T`` and coupling coordination degree ``D``.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per unit (or per unit and year, with ``time``).
    systems : dict of str -> list of str
        Two or more systems, each a list of indicator columns
        (``{"economy": ["gdp_per_head"], "ecology": ["green_share", "so2"]}``).
    key : str
        The unit column carried into the result (adcodes or names: the result can go straight
        to :func:`chuanyu_geo.choropleth`).
    directions : dict of str -> {"+", "-"}, optional
        ``"-"`` for indicators where larger is worse (emissions); ``"+"`` otherwise.
    weights : "entropy" or dict of str -> float
        Indicator weights within each system: entropy weights (default) or your own (they are
        normalised to sum to 1 within each system).
    contributions : dict of str -> float, optional
        ``α_s`` of each system in ``T``; equal by default.
    time : str, optional
        A year column for a panel.
    entropy : {"pooled", "per_year"}
        With ``time``: standardise and weigh over all unit-years at once (``pooled``, default:
        indices comparable across years) or within each year (``per_year``).

    Returns
    -------
    pandas.DataFrame
        ``key`` (and ``time``), ``U_<system>`` for each system, ``C``, ``T``, ``D``, ``class``
        (Chinese) and ``class_en``. ``attrs["weights"]`` lists each indicator's system,
        direction and weight (per year with ``per_year``); ``attrs`` also records how.

    Examples
    --------
    >>> import chuanyu_geo as cg, pandas as pd
    >>> t = pd.DataFrame({"unit": ["a", "b", "c"], "gdp": [1.0, 2.0, 4.0], "green": [3.0, 1.0, 2.0]})
    >>> r = cg.coupling_coordination(t, {"economy": ["gdp"], "ecology": ["green"]}, "unit")
    >>> r[["unit", "U_economy", "U_ecology", "D"]].round(3).values.tolist()
    [['a', 0.0, 1.0, 0.0], ['b', 0.333, 0.0, 0.0], ['c', 1.0, 0.5, 0.841]]
    """
    if not isinstance(table, pd.DataFrame):
        raise InvalidArgumentError(f"table must be a pandas DataFrame, got {type(table).__name__}")
    if not isinstance(systems, dict) or len(systems) < 2:
        raise InvalidArgumentError("systems must map two or more system names to lists of indicator columns")
    indicators = [c for cols in systems.values() for c in cols]
    if len(set(indicators)) != len(indicators):
        raise InvalidArgumentError("an indicator is listed in more than one system")
    missing = [c for c in [key, *indicators, *([time] if time else [])] if c not in table.columns]
    if missing:
        raise InvalidArgumentError(f"columns {', '.join(map(repr, missing))} are not in the table")
    directions = dict(directions or {})
    bad = {c: d for c, d in directions.items() if d not in ("+", "-") or c not in indicators}
    if bad:
        raise InvalidArgumentError(f"directions {bad!r}: expected indicator columns mapped to '+' or '-'")
    if entropy not in ("pooled", "per_year"):
        raise InvalidArgumentError(f"entropy={entropy!r} is not valid; expected 'pooled' or 'per_year'")
    values = table[indicators].apply(pd.to_numeric, errors="coerce")
    holes = values.isna().any(axis=1)
    if holes.any():
        rows = ", ".join(map(str, table.loc[holes, key].head(10)))
        raise InvalidArgumentError(
            f"indicators are missing or not numeric for {int(holes.sum())} rows: {rows}"
        )
    groups = (
        [slice(None)]
        if time is None or entropy == "pooled"
        else [table[time] == v for v in table[time].unique()]
    )
    parts, weight_rows = [], []
    for selector in groups:
        block = values.loc[selector]
        standard = _standardise(block, directions)
        scores = {}
        for system, cols in systems.items():
            if weights == "entropy":
                w = _entropy_weights(standard[cols])
            elif isinstance(weights, dict) and all(c in weights for c in cols):
                w = pd.Series([float(weights[c]) for c in cols], index=cols)
                w = w / w.sum()
            else:
                raise InvalidArgumentError(
                    "weights must be 'entropy' or a dict with a weight for every indicator"
                )
            scores[f"U_{system}"] = standard[cols].to_numpy() @ w.to_numpy()
            period = None if time is None or entropy == "pooled" else table.loc[selector, time].iloc[0]
            weight_rows += [
                {
                    "system": system,
                    "indicator": c,
                    "direction": directions.get(c, "+"),
                    "weight": float(w[c]),
                    time or "period": period,
                }
                for c in cols
            ]
        parts.append(pd.DataFrame(scores, index=block.index))
    u = pd.concat(parts).loc[table.index]
    n = len(systems)
    alpha = contributions or {s: 1 / n for s in systems}
    if set(alpha) != set(systems):
        raise InvalidArgumentError("contributions must give a value for every system")
    total = sum(alpha.values())
    U = u.to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        C = np.where(U.sum(axis=1) > 0, n * np.prod(U, axis=1) ** (1 / n) / U.sum(axis=1), 0.0)
    T = sum(alpha[s] / total * u[f"U_{s}"].to_numpy() for s in systems)
    D = np.sqrt(C * T)
    result = pd.concat(
        [table[[key, *([time] if time else [])]].reset_index(drop=True), u.reset_index(drop=True)], axis=1
    )
    result["C"], result["T"], result["D"] = C, T, D
    classes = coupling_classes()
    index = np.clip(np.searchsorted(classes["upper"].to_numpy(), D, side="left"), 0, len(classes) - 1)
    result["class"] = classes["zh"].to_numpy()[index]
    result["class_en"] = classes["en"].to_numpy()[index]
    result.attrs.update(
        weights=pd.DataFrame(weight_rows).to_dict("list"),
        weighting=weights if isinstance(weights, str) else "user",
        entropy=entropy if time else "cross-section",
        contributions=alpha,
        classes_source=classes["source"].iloc[0],
    )
    return result
