"""The row report of a harmonise result: what became of every input row.

Built when a table is harmonised (with the warnings about rows left out and units with
absent parts), carried in the result's ``attrs`` as one JSON string, and read back by
:func:`harmonise_report`.
"""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pandas as pd

from .._errors import InvalidArgumentError, cap_message, listing, shown
from .lineage import _NO_SUGGESTIONS, _names

__all__ = ["HarmoniseWarning", "harmonise_report"]


REPORT_COLUMNS = ["row", "key", "year", "source_adcode", "source_name", "status", "unit", "unit_name", "note"]


# The row report travels in attrs as one JSON string (see _encode_report), under this key.
_REPORT_ATTR = "harmonise_report"


class HarmoniseWarning(UserWarning):
    """Rows of a table were left out of a harmonised result, or a unit lacks parts, or a split is
    approximate in a way worth knowing (every row is in :func:`harmonise_report`)."""


def _finish(
    relation: pd.DataFrame,
    dropped_statuses=("unknown", "ambiguous", "duplicate", "missing key", "not a county", "not a division"),
    absent: dict | None = None,
    allow_partial: bool = False,
    *,
    vintage: str,
) -> pd.DataFrame:
    """The row report (every input row, then one row per absent part), with its warnings."""
    report = relation.drop(columns="targets")[REPORT_COLUMNS]
    dropped = report[report["status"].isin(dropped_statuses)]
    if len(dropped):
        # Notes come from the user's keys: each is cut, and only the first few are named.
        rows = listing(
            (f"{r.status}: {_cut(r.note)}" for r in dropped.head(5).itertuples()), total=len(dropped), limit=5
        )
        unsuggested = dropped["note"].str.contains(_NO_SUGGESTIONS, regex=False, na=False).any()
        warnings.warn(
            cap_message(
                f"{len(dropped)} of {len(report)} rows are not in the result: {rows}; every row is "
                f"in cg.harmonise_report(result)" + (f" ({_NO_SUGGESTIONS})" if unsuggested else "")
            ),
            HarmoniseWarning,
            stacklevel=4,
        )
    report = report.astype({"row": "Int64"})
    if not absent:
        return report
    names = _names(vintage)
    year = int(relation["year"].iloc[0])
    records = []
    for unit, parts in absent.items():
        unit_name = "+".join(names[c] for c in unit)
        for code, name in parts:
            effect = (
                "the value covers the parts present only (allow_partial=True)"
                if allow_partial
                else ("its value is missing (NaN); pass allow_partial=True to add up the parts present")
            )
            records.append(
                {
                    "row": pd.NA,
                    "key": None,
                    "year": year,
                    "source_adcode": code,
                    "source_name": name,
                    "status": "absent",
                    "unit": "+".join(unit),
                    "unit_name": unit_name,
                    "note": f"{name} ({code}) of {year} has no row in the table, and it is part of "
                    f"{unit_name}: {effect}",
                }
            )
    lacking = listing(
        (
            f"{'+'.join(names[c] for c in unit)} lacks {', '.join(n for _c, n in parts)}"
            for unit, parts in absent.items()
        ),
        total=len(absent),
        limit=5,
    )
    outcome = (
        "added up from the parts present (allow_partial=True)"
        if allow_partial
        else ("missing (NaN); pass allow_partial=True to add up the parts present")
    )
    warnings.warn(
        cap_message(
            f"{len(absent)} unit(s) of {year} have parts without a row in the table ({lacking}); "
            f"their values are {outcome}; see cg.harmonise_report(result)"
        ),
        HarmoniseWarning,
        stacklevel=4,
    )
    extra = pd.DataFrame(records, columns=report.columns).astype({"row": "Int64"})
    return pd.concat([report, extra], ignore_index=True)


def _cut(note, limit: int = 300) -> str:
    """A report note short enough to quote in a message."""
    note = str(note)
    return note if len(note) <= limit else note[:limit] + "…"


def _plain(value):
    """A report cell as JSON can hold it: numbers and text as they are, anything else as its repr."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else shown(value)
    return value if isinstance(value, str) else shown(value)


def _encode_report(report: pd.DataFrame) -> str:
    # One JSON string: pandas compares and deep-copies attrs on every operation, and a string
    # is compared and copied in one step whatever its size (a DataFrame cannot be compared).
    # Text cells (most of a report) pass as they are, without _plain's checks.
    columns = {
        c: [v if type(v) is str else _plain(v) for v in report[c].to_numpy(dtype=object)]
        for c in report.columns
    }
    return json.dumps({"format": 1, "columns": columns}, ensure_ascii=False)


def harmonise_report(result: pd.DataFrame) -> pd.DataFrame:
    """The row report of a :func:`harmonise` or :func:`panel` result.

    Every input row with what became of it, then one row per *absent* part (a unit of the
    table's year that feeds a result unit but has no row).

    Parameters
    ----------
    result : pandas.DataFrame
        What :func:`harmonise` or :func:`panel` returned (or a filtered copy of it: the report
        travels in ``attrs``, which pandas keeps through most operations).

    Returns
    -------
    pandas.DataFrame
        ``row`` (the input row; missing for absent parts), ``key``, ``year``,
        ``source_adcode``, ``source_name``, ``status`` (``matched``, ``renamed``, ``merged``,
        ``split``, ``combined``, ``zone added``, ``absent``, ``not a division``,
        ``not a county``, ``unknown``, ``ambiguous``, ``duplicate``, ``missing key``,
        ``invalid key``), ``unit``, ``unit_name`` and ``note``.

    Raises
    ------
    InvalidArgumentError
        ``result`` carries no report (not a harmonise result, or pandas dropped its
        ``attrs``, as ``pd.concat`` does for results with different reports).

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> on2024 = cg.harmonise(cg.load_census(2010), "adcode", year=2010, columns={"population": "sum"})
    >>> cg.harmonise_report(on2024).set_index("key").loc["500234", "status"]
    'renamed'
    """
    if not isinstance(result, pd.DataFrame):
        raise InvalidArgumentError(
            f"result must be the DataFrame cg.harmonise returned, got {type(result).__name__}"
        )
    encoded = result.attrs.get(_REPORT_ATTR)
    if not isinstance(encoded, str):
        raise InvalidArgumentError(
            "this table carries no harmonise report in attrs: pass the result of cg.harmonise or "
            "cg.panel (pandas drops attrs that differ, e.g. in pd.concat of two results: take each "
            "report before combining them)"
        )
    columns = json.loads(encoded)["columns"]
    report = pd.DataFrame(columns, columns=REPORT_COLUMNS)
    return report.astype({"row": "Int64"})
