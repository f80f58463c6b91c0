"""A user's indicator joined onto units and put into classes: one computation behind the web
choropleth and the static figure, so a map and a figure of the same column show the same classes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._errors import InvalidArgumentError
from ._style import config
from .stable_units import is_stable, values_by_unit
from .tables.joins import UnmatchedRowsError, join_values, unmatched_rows

__all__ = ["Classes", "classify_values", "break_label"]


@dataclass
class Classes:
    """The classes of one indicator on one layer.

    Attributes
    ----------
    matched : pandas.DataFrame
        The rows that joined (``adcode`` and the value column).
    report, unmatched : pandas.DataFrame
        :func:`chuanyu_geo.join_table`'s report of every row, and its rows that did not join.
    class_of : dict
        adcode -> class index (0 = lowest).
    colors : list of str
        One colour per class, lowest first.
    lower, upper : list of float
        Each class's bounds (``lower[0]`` is the smallest value).
    scheme : str
        The mapclassify scheme.
    """

    matched: pd.DataFrame
    report: pd.DataFrame
    unmatched: pd.DataFrame
    class_of: dict
    colors: list
    lower: list
    upper: list
    scheme: str

    def labels(self) -> list[str]:
        """``"lo – hi"`` per class, with one number format for all breaks."""
        edges = [*self.lower, self.upper[-1]]
        return [
            f"{break_label(lo, edges)} – {break_label(hi, edges)}" for lo, hi in zip(self.lower, self.upper)
        ]


def break_label(value: float, edges: list[float]) -> str:
    """A class break with as many decimals as the smallest gap between breaks needs (one precision).

    Examples
    --------
    >>> break_label(1234.5, [0.0, 1234.5, 2000.0])
    '1,234'
    >>> break_label(0.25, [0.0, 0.25, 0.5])
    '0.25'
    """
    gaps = [abs(b - a) for a, b in zip(edges, edges[1:]) if b != a]
    decimals = max(0, min(6, -int(math.floor(math.log10(min(gaps)))) + 1)) if gaps else 0
    return f"{value:,.{decimals}f}"


# The schemes computed here with numpy, exactly as mapclassify computes them: importing
# mapclassify (scipy.stats, pyplot) costs a cold process ~2.4 s, most of a choropleth's time.
NUMPY_SCHEMES = ("quantiles", "equal_interval")


def _percentile(ordered: np.ndarray, per: float) -> float:
    """scipy's ``scoreatpercentile`` (interpolation "fraction"), which mapclassify uses."""
    idx = per / 100.0 * (len(ordered) - 1)
    i = int(idx)
    if i == idx:
        return float(ordered[i])
    j = i + 1
    return float((ordered[i] * (j - idx) + ordered[j] * (idx - i)) / ((j - idx) + (idx - i)))


def numpy_breaks(values: np.ndarray, scheme: str, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Upper bounds of the classes and each value's class, as ``mapclassify.classify`` gives them
    for ``quantiles`` and ``equal_interval``.

    Examples
    --------
    >>> bins, classes = numpy_breaks(np.arange(10.0), "quantiles", 4)
    >>> bins.tolist(), classes.tolist()
    ([2.25, 4.5, 6.75, 9.0], [0, 0, 0, 1, 1, 2, 2, 3, 3, 3])
    """
    y = np.asarray(values, dtype=float).ravel()
    if scheme == "quantiles":
        w = 100.0 / k
        p = np.arange(w, 100 + w, w)
        if p[-1] > 100.0:
            p[-1] = 100.0
        ordered = np.sort(y)
        bins = np.unique(np.array([_percentile(ordered, pct) for pct in p]))
    else:
        low, high = float(y.min()), float(y.max())
        width = (high - low) * 1.0 / k
        cuts = np.arange(low + width, high + width, width)
        if len(cuts) > k:
            cuts = cuts[0:k]
        cuts[-1] = high
        bins = cuts.copy()
    # A value in (previous bound, bound] is in that bound's class (mapclassify's bin1d).
    lower = np.concatenate([[-np.inf], bins[:-1]])
    classes = np.zeros(y.shape, dtype=int)
    for index in range(len(bins) - 1, -1, -1):
        classes += (y > lower[index]) * (y <= bins[index]) * index
    return bins, classes


def classify_values(
    table: pd.DataFrame,
    value_col: str,
    key_col: str,
    level: str,
    vintage: str,
    scheme: str = "quantiles",
    k: int = 5,
    allow_partial: bool = False,
    year: int | None = None,
) -> Classes:
    """Join ``value_col`` onto the units and classify it with mapclassify.

    Raises
    ------
    InvalidArgumentError
        An unsupported ``k`` or a scheme mapclassify cannot apply.
    UnmatchedRowsError
        Rows that did not match (listed), unless ``allow_partial``; or no row at all.
    """
    palettes = config()["palettes"]["YlOrRd"]
    if str(k) not in palettes:
        raise InvalidArgumentError(
            f"k={k!r} classes is not supported; expected one of: {', '.join(palettes)}"
        )
    if key_col in table.columns and any(is_stable(k) for k in table[key_col]):
        # A harmonised table: adcodes and stable units, drawn as the dissolved units they are.
        values, report = values_by_unit(table, value_col, key_col, level, vintage)
        matched = pd.DataFrame({"adcode": values.index, value_col: values.to_numpy()})
    else:
        matched, report = join_values(table, value_col, key_col, level, vintage, year=year)
    unmatched = report[~report["status"].isin(["matched", "renamed"])]
    if len(unmatched) and not allow_partial:
        rows = unmatched_rows(unmatched)
        raise UnmatchedRowsError(
            f"{len(unmatched)} of {len(report)} rows did not match a {level} unit of vintage {vintage}: "
            f"{rows}. Fix them, or pass allow_partial=True to map the rest (the error's .report lists "
            "every row).",
            report,
        )
    if matched.empty:
        raise UnmatchedRowsError("no row matched a unit; nothing to map", report)
    y = matched[value_col].to_numpy(dtype=float)
    scheme_key = str(scheme).lower()
    try:
        if scheme_key in NUMPY_SCHEMES and len(y) >= k and np.ptp(y) > 0:
            upper, yb = numpy_breaks(y, scheme_key, k)
        else:
            import mapclassify

            classifier = mapclassify.classify(y, scheme=scheme, k=k)
            upper, yb = np.asarray(classifier.bins, dtype=float), np.asarray(classifier.yb)
    except Exception as exc:  # mapclassify raises several types for a bad scheme or too few values
        raise InvalidArgumentError(
            f"could not classify {value_col} with scheme={scheme!r}, k={k}: {exc}"
        ) from exc
    n = len(upper)
    colors = palettes[str(n)] if str(n) in palettes else palettes[str(k)]
    lower = [float(y.min())] + [float(b) for b in upper[:-1]]
    return Classes(
        matched=matched,
        report=report,
        unmatched=unmatched,
        class_of=dict(zip(matched["adcode"], (int(c) for c in yb))),
        colors=list(colors),
        lower=lower,
        upper=[float(b) for b in upper],
        scheme=scheme,
    )
