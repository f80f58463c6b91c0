"""One-to-one joins: match a user table one row to one unit (:func:`join_table`, :func:`join_values`).

A row whose unit was merged into a larger one, split, or is not a division is reported
(``UnmatchedRowsError`` carries the report where a caller needs every row), never drawn on a
unit of another size.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._errors import AmbiguousPlaceError, ChuanyuGeoError, InvalidArgumentError, PlaceError, listing, shown
from ..boundaries import UNIT_LEVELS, check_choice, check_vintage, vintage_registry
from ..gazetteer import _chinese_key, _resolve, _zone_keys, _zone_table
from .checks import _check_frame, _check_real, _check_table, _columns_listing
from .lineage import (
    SUGGESTION_LIMIT,
    _changes_where,
    _descend,
    _events,
    _names,
    _normalise_key,
    _same_unit,
    _source_version,
    _stale_merge,
    _unknown_note,
)
from .zones import _zone

__all__ = ["UnmatchedRowsError", "join_table", "join_values"]


JOIN_LEVELS = UNIT_LEVELS


class UnmatchedRowsError(ChuanyuGeoError, LookupError):
    """Rows of a user table did not match a unit; ``report`` lists every row and why."""

    def __init__(self, message: str, report: pd.DataFrame):
        super().__init__(message)
        self.report = report


def unmatched_rows(report: pd.DataFrame) -> str:
    """The first rows of a join report as ``row 3 '开县': renamed; …``, capped with the count of the rest."""
    return listing(
        (f"row {r.row} {shown(r.key)}: {r.status}" for r in report.itertuples()), total=len(report)
    )


def _larger_than_source(version: tuple[str, str], target: str, year: int, vintage: str) -> list[str]:
    """Other units of ``year`` that also went into ``target`` (empty when it is the same unit)."""
    others = []
    itself = _same_unit(version, vintage)
    for _date, event_year, old, news in _events(vintage):
        if (
            not any(new[0] == target for new, _ in news)
            or old == version
            or _same_unit(old, vintage) == itself
        ):
            continue  # the same unit under an earlier name or code is not another part
        if event_year is None or event_year > year or (event_year == year and old[0] != target):
            others.append(f"{old[1]} ({old[0]})")
    return sorted(set(others))


def _join_one(text: str, level: str, vintage: str, year: int | None, suggest: bool = True) -> dict:
    """Status, adcode, name and note for one key of a one-to-one join."""
    if year is not None and level == "county":
        version, status, note = _source_version(text, year, vintage, suggest)
        if version is None:
            return {"status": status, "note": note}
        stale = _stale_merge(text, year, vintage)
        if stale:
            return {"status": "merged", "note": stale}
        targets = _descend(version, year, vintage)
        names = _names(vintage)
        if len(targets) > 1:
            return {
                "status": "split",
                "note": f"{version[1]} ({version[0]}) became {', '.join(names[t] for t in targets)}; use "
                f"cg.harmonise to combine or apportion",
            }
        target = next(iter(targets))
        others = _larger_than_source(version, target, year, vintage)
        if others:
            return {
                "status": "merged",
                "note": f"{version[1]} ({version[0]}) is only part of {names[target]} ({target}), which "
                f"also includes "
                f"{', '.join(others)}; its value would be drawn on a larger unit. Sum the parts with "
                f"cg.harmonise first",
            }
        renamed = version != (target, names[target])
        if renamed:
            note = f"{version[1]} ({version[0]}) in {year} is {names[target]} ({target}) in vintage {vintage}"
        elif note is not None:  # a former name still used in the table's year (开县 in 2023)
            renamed = True
        return {
            "status": "renamed" if renamed else "matched",
            "adcode": target,
            "name": names[target],
            "note": note,
        }
    zone = _zone(_chinese_key(text), int(vintage_registry().dates[vintage][:4]))
    if zone is not None:
        host = (
            f"; it lies in {zone['host_name']} ({zone['host_adcode']})"
            if zone["host_status"] == "documented"
            else ""
        )
        return {
            "status": "not a division",
            "note": f"{zone['name']}: {zone['note']}{host}; add it to its host with "
            "cg.harmonise(zones='host')"
            if host
            else f"{zone['name']}: {zone['note']}",
        }
    place = _resolve(text, level, vintage, suggest=suggest)
    if place.successors:
        return {"status": "split", "note": place.note}
    if place.former_name:
        rows = _changes_where(vintage, "old_name", place.former_name)
        others = (
            _larger_than_source((rows["old_adcode"].iloc[0], place.former_name), place.adcode, 0, vintage)
            if level == "county"
            else []
        )
        if others:
            return {
                "status": "merged",
                "note": f"{place.former_name} is only part of {place.name} ({place.adcode}), which also "
                f"includes {', '.join(others)}; "
                "its value would be drawn on a larger unit. Sum the parts with cg.harmonise first",
            }
        return {"status": "renamed", "adcode": place.adcode, "name": place.name, "note": place.note}
    note = place.note
    if text == place.adcode:
        reused = _changes_where(vintage, "old_adcode", text)
        reused = reused[reused["old_name"] != place.name]
        if len(reused):
            first = reused.sort_values("date").iloc[-1]
            note = (
                f"{text} is {place.name} in vintage {vintage}; "
                f"it was {first['old_name']} until {first['date']}: "
                "pass year= to read codes of an earlier year"
            )
    if level == "county" and text not in (place.name, place.adcode):
        try:
            prefecture = _resolve(text, "prefecture", vintage, suggest=False)
        except PlaceError:
            prefecture = None
        if (
            prefecture is not None
            and prefecture.adcode != place.adcode
            and prefecture.province_adcode != "500000"
        ):
            return {
                "status": "ambiguous",
                "note": f"{text!r} names both {place.name} ({place.adcode}, county) and {prefecture.name} "
                f"({prefecture.adcode}, prefecture): "
                f"write {place.name} for the county, or join prefecture values with level='partner'",
            }
    return {"status": "matched", "adcode": place.adcode, "name": place.name, "note": note}


def join_table(
    table: pd.DataFrame,
    key_col: str,
    level: str = "county",
    vintage: str | None = None,
    year: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Match a user table one row to one unit, by adcode or any name :func:`resolve` accepts.

    A one-to-one join: a row whose unit was merged into a larger one (綦江县 into 綦江区),
    split, or is not a division is reported, not drawn on a unit of another size; use
    :func:`harmonise` to sum or apportion such rows first.

    Parameters
    ----------
    table : pandas.DataFrame
    key_col : str
        Column holding adcodes or names.
    level : {"county", "partner"}
    vintage : str, optional
        An id of the vintage registry (``cg.VINTAGES``); None: the registry's default.
    year : int, optional
        The year whose codes and names the table uses (county level): 500110 in a 2010
        table is 万盛区. Without it, codes are read in ``vintage`` and former names go
        through the crosswalk.

    Returns
    -------
    (matched, report) : tuple of pandas.DataFrame
        ``matched``: the rows that match with ``adcode`` added. ``report``: every row with
        ``row``, ``key``, ``status`` (``matched``, ``renamed``, ``merged``, ``split``,
        ``unknown``, ``ambiguous``, ``duplicate``, ``not a division``, ``missing key``),
        ``adcode``, ``name`` and ``note``.

    Examples
    --------
    >>> import chuanyu_geo as cg, pandas as pd
    >>> _, report = cg.join_table(pd.DataFrame({"k": ["开县", "綦江县"]}), "k")
    >>> list(report["status"])
    ['renamed', 'merged']
    """
    _check_frame(table, key_col, "key_col", "join")
    level = check_choice("level", level, JOIN_LEVELS)
    vintage = check_vintage(vintage)
    if year is not None:
        _check_table(table, key_col, year)
        year = int(year)
    records = []
    found: dict[str, dict] = {}  # each distinct key is resolved once, however many rows hold it
    unknown = 0
    for position, key in enumerate(table[key_col].tolist()):
        entry = {"row": position, "key": key, "status": "matched", "adcode": None, "name": None, "note": None}
        text, problem, key_status = _normalise_key(key)
        if text is None:
            entry.update(status=key_status, note=f"row {position}: {problem}")
        else:
            if text not in found:
                found[text] = _join_key(text, level, vintage, year, suggest=unknown < SUGGESTION_LIMIT)
                unknown += found[text]["status"] == "unknown"
            entry.update(found[text])
        records.append(entry)
    report = pd.DataFrame(records)
    taken = report["adcode"].notna() & report["adcode"].duplicated(keep=False)
    report.loc[taken, "note"] = [
        f"{n} also matched by another row; neither value is used" for n in report.loc[taken, "name"]
    ]
    report.loc[taken, "status"] = "duplicate"
    ok = report["status"].isin(["matched", "renamed"]).to_numpy()
    matched = table.iloc[np.nonzero(ok)[0]].copy()
    matched["adcode"] = report.loc[ok, "adcode"].to_numpy()
    return matched, report


def _join_key(text: str, level: str, vintage: str, year: int | None, suggest: bool) -> dict:
    """:func:`_join_one` with a failed lookup turned into the row's status and note."""
    try:
        return _join_one(text, level, vintage, year, suggest)
    except AmbiguousPlaceError as exc:
        return {"status": "ambiguous", "note": str(exc)}
    except ChuanyuGeoError as exc:
        return {"status": "unknown", "note": _unknown_hint(text, level, vintage, _unknown_note(exc))}


def _unknown_hint(text: str, level: str, vintage: str, message: str) -> str:
    zones = _zone_table()
    positions = _zone_keys().get(_chinese_key(text), []) + _zone_keys().get(text, [])
    if positions:
        return f"{text}: {zones['note'].iloc[min(positions)]}"
    if level == "county":
        try:
            prefecture = _resolve(text, "prefecture", vintage, suggest=False)
            return (
                f"{message}; {text!r} is the prefecture {prefecture.name} ({prefecture.adcode}): "
                "join prefecture values with level='partner'"
            )
        except ChuanyuGeoError:  # not a prefecture either, or not a name at all (12345)
            pass
    return message


def join_values(
    table: pd.DataFrame,
    value_col,
    key_col: str,
    level: str = "county",
    vintage: str | None = None,
    year: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`join_table` for one numeric column: maps and analyses share it.

    Values must be numbers (or missing) and finite; a matched row without a value gets the
    status ``no value`` in the report and is left out of ``matched``.

    Parameters
    ----------
    table : pandas.DataFrame
    value_col : hashable
        The numeric column.
    key_col, level, vintage, year
        As for :func:`join_table`.

    Returns
    -------
    (matched, report) : tuple of pandas.DataFrame
        ``matched`` holds the rows with a unit and a value, ``value_col`` as numbers.

    Examples
    --------
    >>> import chuanyu_geo as cg, pandas as pd
    >>> from chuanyu_geo.tables import join_values
    >>> matched, report = join_values(pd.DataFrame({"k": ["万州", "开县"], "v": [1.0, None]}), "v", "k")
    >>> list(report["status"])
    ['matched', 'no value']
    """
    _check_frame(table, key_col, "key_col", "join")
    if table.columns.duplicated().any():
        duplicated = table.columns[table.columns.duplicated()].unique()
        raise InvalidArgumentError(
            f"the table has duplicate column names "
            f"({listing(map(shown, duplicated), total=len(duplicated), sep=', ')}); rename them first"
        )
    try:
        present = value_col in table.columns
    except TypeError:  # an unhashable value_col (a list)
        present = False
    if not present:
        raise InvalidArgumentError(
            f"value_col={shown(value_col)} is not a column; columns: {_columns_listing(table)}"
        )
    if value_col == key_col:
        raise InvalidArgumentError(
            f"value_col and key_col are both {shown(value_col)}; the values must be another column"
        )
    values = pd.to_numeric(table[value_col], errors="coerce")
    _check_real(values, value_col)
    name = value_col if isinstance(value_col, str) and len(value_col) <= 80 else shown(value_col)
    not_numbers = np.nonzero((values.isna() & table[value_col].notna()).to_numpy())[0]
    if len(not_numbers):
        bad = (
            f"row {i} ({shown(table[key_col].iloc[i])}: {shown(table[value_col].iloc[i])})"
            for i in not_numbers
        )
        raise InvalidArgumentError(
            f"{name} must be numeric; not numbers: {listing(bad, total=len(not_numbers), sep=', ')}"
        )
    infinite = np.nonzero(np.isinf(values.to_numpy(dtype=float)))[0]
    if len(infinite):
        bad = (f"row {i} ({shown(table[key_col].iloc[i])})" for i in infinite)
        raise InvalidArgumentError(
            f"{name} has infinite values, which cannot be used: {listing(bad, total=len(infinite), sep=', ')}"
        )
    numeric = table.copy()
    numeric[value_col] = values  # any hashable column name, not only text
    matched, report = join_table(numeric, key_col, level, vintage, year=year)
    missing = report["row"].isin(np.nonzero(values.isna().to_numpy())[0]) & report["status"].isin(
        ["matched", "renamed"]
    )
    report.loc[missing, "note"] = [f"row {r} has no value in {name}" for r in report.loc[missing, "row"]]
    report.loc[missing, "status"] = "no value"
    return matched[matched[value_col].notna()], report
