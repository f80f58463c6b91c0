"""Lineage: read a table's keys in their year and follow the crosswalk to a vintage's units.

A key is read as the code or name *of the table's year* (500110 is 万盛区 in a 2010 table and
綦江区 in a 2020 one); the unit it names is followed through the dated changes of
``crosswalk.csv`` to the units of the target vintage. Both :func:`harmonise` and
:func:`join_table` read keys through this module.
"""

from __future__ import annotations

import functools
import math
import re

import numpy as np
import pandas as pd

from .._errors import AmbiguousPlaceError, ChuanyuGeoError
from ..boundaries import _unit_table, vintage_registry
from ..gazetteer import _CJK, _chinese_key, _index, _latin_key, _reach, _resolve, crosswalk
from .zones import _zone, _zone_before

_CODE = re.compile(r"\d{6}")


# Close matches are worked out for this many distinct unknown keys of a table; the rest
# are reported as unknown without them (a table of 10^5 junk keys must not take hours).
SUGGESTION_LIMIT = 20


_NO_SUGGESTIONS = f"no suggestions: they are given for the first {SUGGESTION_LIMIT} distinct unknown keys"


def _event_year(date: str) -> int | None:
    return int(date[:4]) if date else None


@functools.cache
def _changes(vintage: str) -> pd.DataFrame:
    """The crosswalk in force in ``vintage`` with ``event_year`` (NaN where undated)."""
    table = crosswalk(vintage)
    return table.assign(event_year=pd.to_numeric(table["date"].str[:4], errors="coerce"))


@functools.cache
def _positions(vintage: str, column: str) -> dict[str, np.ndarray]:
    """Value of ``column`` -> positions of the rows of ``_changes(vintage)`` holding it."""
    groups = _changes(vintage).groupby(column, sort=False).indices
    return {value: np.sort(rows) for value, rows in groups.items()}


def _changes_where(vintage: str, column: str, value: str) -> pd.DataFrame:
    """``_changes(vintage)[column == value]`` by a dictionary lookup, not a scan per key."""
    rows = _positions(vintage, column).get(value)
    return _changes(vintage).iloc[rows] if rows is not None else _no_changes(vintage)


@functools.cache
def _no_changes(vintage: str) -> pd.DataFrame:
    """``_changes(vintage)`` without rows, shared (read only): most junk keys get it."""
    return _changes(vintage).iloc[:0]


def _after(events: pd.DataFrame, year: int, inclusive: bool = False) -> pd.Series:
    """Changes dated after ``year`` (or in it), and undated ones."""
    dated = events["event_year"] >= year if inclusive else events["event_year"] > year
    return events["event_year"].isna() | dated


@functools.cache
def _events(vintage: str) -> tuple[tuple, ...]:
    """Change groups in force in ``vintage``, oldest first: (date, year, old, [(new, share)])."""
    table = crosswalk(vintage)
    groups: dict[tuple, list] = {}
    for row in table.itertuples():
        key = (row.date, row.old_adcode, row.old_name)
        groups.setdefault(key, []).append(((row.new_adcode, row.new_name), row.share))
    ordered = sorted(groups.items(), key=lambda item: (item[0][0] or "0000", item[0][1]))
    return tuple((date, _event_year(date), (code, name), tuple(news)) for (date, code, name), news in ordered)


def _descend(version: tuple[str, str], year: int, vintage: str) -> dict[str, str]:
    """Target adcodes of ``vintage`` that the unit ``version`` of ``year`` became, with shares."""
    pieces = {version: "all"}
    for _date, event_year, old, news in _events(vintage):
        if old not in pieces:
            continue
        keeps_identity = any(new == old for new, _ in news)  # a split's "most" part keeps code and name
        if keeps_identity and event_year is not None and event_year < year:
            continue  # the table already shows the units after this change
        share = pieces.pop(old)
        for new, part in news:
            pieces[new] = part if share == "all" else "part"
    return {code: share for (code, _name), share in pieces.items()}


@functools.cache
def _names(vintage: str) -> dict[str, str]:
    """Adcode -> county name of ``vintage`` (shared: callers read it, never change it)."""
    table = _unit_table("county", vintage)
    return dict(zip(table["adcode"], table["name"]))


def _name_of_code(code: str, year: int, vintage: str) -> tuple[str | None, str | None]:
    """The name ``code`` had in ``year``, or (None, why not)."""
    if code not in _positions(vintage, "old_adcode") and code not in _positions(vintage, "new_adcode"):
        # No change names the code (most keys): its name is the vintage's, else the earliest's.
        for table in (_names(vintage), _names(vintage_registry().earliest)):
            if code in table:
                return table[code], None
        return None, f"{code} is not a county-level code of Sichuan or Chongqing"
    later = _changes_where(vintage, "old_adcode", code)
    later = later[_after(later, year)]
    if len(later):
        return later.sort_values("date")["old_name"].iloc[0], None
    if code not in _names(vintage) and code not in _names(vintage_registry().earliest):
        return None, f"{code} is not a county-level code of Sichuan or Chongqing"
    names = {**_names(vintage_registry().earliest), **_names(vintage)}
    created = _changes_where(vintage, "new_adcode", code)
    created = created[created["old_adcode"] != code]
    created = created[created["event_year"] > year]
    if len(created):
        first = created.sort_values("date").iloc[0]
        return (
            None,
            f"{code} {first['new_name']} exists only since {first['date']} ({first['old_name']} "
            f"{first['old_adcode']} before)",
        )
    return names[code], None


def _normalise_key(key) -> tuple[str | None, str | None, str]:
    """(text, problem, status): codes read as numbers become 6-digit text; NaN is refused."""
    if key is None or (isinstance(key, float) and math.isnan(key)):
        return None, "the key is empty (NaN); expected an adcode or a name", "missing key"
    if isinstance(key, (bool, np.bool_)):
        return None, f"the key {key!r} is not an adcode or a name", "invalid key"
    if isinstance(key, (int, np.integer)):
        return str(int(key)), None, "ok"
    if isinstance(key, (float, np.floating)):
        if float(key).is_integer():
            return str(int(key)), None, "ok"
        return None, f"the key {key!r} is not an adcode (six digits) or a name", "invalid key"
    text = str(key).strip()
    if re.fullmatch(r"\d{6}\.0+", text):  # a code that went through a float column
        text = text.split(".")[0]
    return (
        (text, None, "ok")
        if text
        else (None, "the key is empty; expected an adcode or a name", "missing key")
    )


def _advance(version: tuple[str, str], year: int, vintage: str) -> tuple[tuple[str, str], str | None]:
    """A former name still used in a table of a later year: the unit it had become by then."""
    note = None
    for date, event_year, old, news in _events(vintage):
        if old == version and event_year is not None and event_year < year and len(news) == 1:
            (new_code, new_name), _share = news[0]
            note = f"{version[1]} ({version[0]}) had become {new_name} ({new_code}) in {date}, before {year}"
            others = _merged_with(version, news[0][0], vintage)
            if others:
                note += (
                    f" (merged with {', '.join(others)}: if the value covers only the former "
                    f"{version[1]}, it is a part of {new_name})"
                )
            version = news[0][0]
    return version, note


def _merged_with(version: tuple[str, str], new: tuple[str, str], vintage: str) -> list[str]:
    """The other units merged with ``version`` into ``new`` (empty for a rename or recode)."""
    return sorted(
        {
            f"{old[1]} ({old[0]})"
            for _date, _year, old, news in _events(vintage)
            if old != version and any(n == new for n, _share in news)
        }
    )


def _stale_merge(text: str, year: int, vintage: str) -> str | None:
    """Why a name of a unit merged away before ``year`` must not stand for the larger unit."""
    if _CJK.search(text):
        names = {_chinese_key(text)}
    elif not text.isdigit():  # pinyin of a former unit (shuangqiaoqu)
        index = _index(vintage)
        names = set(index.former.loc[index.former_latin.get(_latin_key(text), []), "old_name"])
    else:
        return None
    for name in names:
        rows = _changes_where(vintage, "old_name", name)
        if rows.empty or not (rows["event_year"] < year).all():
            continue
        for code, old_name in dict.fromkeys(zip(rows["old_adcode"], rows["old_name"])):
            for _date, event_year, old, news in _events(vintage):
                if old != (code, old_name) or len(news) != 1:
                    continue
                others = _merged_with(old, news[0][0], vintage)
                if others:
                    new_code, new_name = news[0][0]
                    return (
                        f"{old_name} ({code}) was merged with {', '.join(others)} into {new_name} "
                        f"({new_code}) in {event_year}, before {year}: a {year} table that names "
                        f"{old_name} most likely gives its former area only, a part of {new_name}; its "
                        "value would be drawn on a larger unit. Sum the parts with cg.harmonise first"
                    )
    return None


@functools.cache
def _prefecture_prefixes() -> dict[str, tuple[tuple[str, str], ...]]:
    """First character -> (name or short name, first four digits of the code) of prefectures."""
    prefectures = _unit_table("prefecture", vintage_registry().earliest)
    by_first: dict[str, list[tuple[str, str]]] = {}
    for name, short, code in zip(prefectures["name"], prefectures["short_name"], prefectures["adcode"]):
        for prefix in dict.fromkeys((name, short)):
            by_first.setdefault(prefix[:1], []).append((prefix, code[:4]))
    return {first: tuple(pairs) for first, pairs in by_first.items()}


def _prefixed_former(key: str, year: int, vintage: str) -> list[tuple[str, str]]:
    """Former units named with their prefecture in front (广元市市中区)."""
    found: set[tuple[str, str]] = set()
    for prefix, code4 in _prefecture_prefixes().get(key[:1], ()):
        if key.startswith(prefix) and len(key) > len(prefix):
            hits = _changes_where(vintage, "old_name", key[len(prefix) :])
            found.update((c, n) for c, n in zip(hits["old_adcode"], hits["old_name"]) if c[:4] == code4)
    return sorted(found)


def _source_version(
    text: str, year: int, vintage: str, suggest: bool = True
) -> tuple[tuple[str, str] | None, str, str | None]:
    """(version, status, note) for one key: the unit it names in ``year``.

    ``suggest=False`` leaves close matches out of an ``unknown`` note (they cost the most).
    """
    zone = _zone(_chinese_key(text), year)
    if zone is not None:
        return None, "not a division", f"{zone['name']}: {zone['note']}"
    early = _zone_before(_chinese_key(text), year)
    if early is not None:
        return (
            None,
            "unknown",
            f"{early['name']} is named after {early['former_name']} ({early['former_adcode']}), merged "
            f"into {early['host_name']} in {early['since']}; a table of {year} names "
            f"{early['former_name']} itself",
        )
    if _CODE.fullmatch(text):
        if text.endswith("00"):
            return (
                None,
                "not a county",
                f"{text} is a prefecture or province code; harmonise takes county rows",
            )
        name, problem = _name_of_code(text, year, vintage)
        return ((text, name), "ok", None) if name else (None, "unknown", problem)
    key = _chinese_key(text)
    named = _changes_where(vintage, "old_name", key)
    former_versions: list[tuple[str, str]] = []
    stale_versions: list[tuple[str, str]] = []
    if len(named):  # most keys name no former unit: skip the frame operations
        valid = named[_after(named, year, inclusive=True)]
        former_versions = sorted(set(zip(valid["old_adcode"], valid["old_name"])))
    former_versions = former_versions or _prefixed_former(key, year, vintage)
    if len(named):
        stale_versions = sorted(set(zip(named["old_adcode"], named["old_name"])) - set(former_versions))
    try:
        place = _resolve(text, "county", vintage_registry().earliest, suggest=suggest)
    except AmbiguousPlaceError as exc:
        if len(former_versions) == 1:
            return former_versions[0], "ok", None
        also = "; ".join(
            f"formerly {n} ({c}), {_advance((c, n), year, vintage)[0][1]} by {year}"
            for c, n in stale_versions
        )
        return None, "ambiguous", str(exc) + (f"; also {also}: write the code" if also else "")
    except ChuanyuGeoError as exc:  # also a bad key (12345), which is this row's problem only
        if len(former_versions) == 1:
            return (*_with_note(former_versions[0], year, vintage),)
        if not _reach().could_match(text):  # no other level or vintage knows it either
            return None, "unknown", _unknown_note(exc)
        try:  # only whether it resolves matters here: no suggestions
            _resolve(text, "prefecture", vintage_registry().earliest, suggest=False)
            return None, "not a county", f"{text} is a prefecture; harmonise takes county rows"
        except ChuanyuGeoError:
            pass
        try:  # a unit of a later vintage (两江新区)
            place = _resolve(text, "county", vintage, suggest=False)
        except ChuanyuGeoError:
            return None, "unknown", _unknown_note(exc)
    if place.former_name:
        rows = _changes_where(vintage, "old_name", place.former_name)
        return (*_with_note((rows["old_adcode"].iloc[0], place.former_name), year, vintage),)
    if former_versions and (place.adcode, place.name) not in former_versions and place.name == key:
        return former_versions[0], "ok", None
    name, problem = _name_of_code(place.adcode, year, vintage)
    if name is None:
        return None, "unknown", f"{text}: {problem}"
    if (
        name != place.name
    ):  # the code meant another unit in the table's year (綦江区 in 2010: 500110 was 万盛区)
        created = _changes_where(vintage, "new_adcode", place.adcode)
        created = created[created["new_name"] == place.name]
        since = f" since {created['date'].min()}" if len(created) else ""
        return (
            None,
            "unknown",
            f"{text}: {place.name} exists only{since}; in {year} its code {place.adcode} was {name}",
        )
    return (place.adcode, name), "ok", None


def _unknown_note(exc: ChuanyuGeoError) -> str:
    """The error as a report note, saying so when close matches were not looked for."""
    if not getattr(exc, "suggestions_skipped", False):
        return str(exc)
    return f"{exc} ({_NO_SUGGESTIONS})"


@functools.cache
def _predecessors(vintage: str) -> dict[tuple[str, str], int]:
    """How many change groups lead to each version (more than one: a merge)."""
    counts: dict[tuple, int] = {}
    for _date, _year, _old, news in _events(vintage):
        for new, _share in news:
            counts[new] = counts.get(new, 0) + 1
    return counts


@functools.cache
def _same_unit(version: tuple[str, str], vintage: str) -> tuple[str, str]:
    """The latest version of a unit through one-to-one renames and recodes (any date)."""
    predecessors = _predecessors(vintage)
    for _date, _year, old, news in _events(vintage):
        if old == version and len(news) == 1 and news[0][1] == "all" and predecessors[news[0][0]] == 1:
            version = news[0][0]
    return version


def _with_note(version: tuple[str, str], year: int, vintage: str) -> tuple[tuple[str, str], str, str | None]:
    advanced, note = _advance(version, year, vintage)
    return advanced, "ok", note


@functools.cache
def _units_in_year(year: int, vintage: str, end_of_year: bool) -> frozenset[tuple[str, str]]:
    """The county-level units (code, name) of ``year``: ``vintage``'s units with later changes undone.

    A change dated in ``year`` itself is undone for the start of the year and kept for its
    end: a table of a change year may show either, and both are accepted.
    """
    units = set(_names(vintage).items())
    undone = [
        event
        for event in _events(vintage)
        if event[1] is None or event[1] > year or (event[1] == year and not end_of_year)
    ]
    # Undated changes first (they are read as after any year), then the latest dates first;
    # the changes of one date are undone together (a transfer and a split may share units).
    by_date: dict[str, list] = {}
    for date, _year, old, news in undone:
        by_date.setdefault(date or "9999", []).append((old, news))
    for date in sorted(by_date, reverse=True):
        removed = {new for _old, news in by_date[date] for new, _share in news}
        units = (units - removed) | {old for old, _news in by_date[date]}
    return frozenset(units)


@functools.cache
def _required(year: int, vintage: str, end_of_year: bool) -> dict[str, tuple[tuple[str, str], ...]]:
    """Target adcode -> the units of ``year`` that went (wholly or partly) into it."""
    required: dict[str, set] = {}
    for version in _units_in_year(year, vintage, end_of_year):
        for target in _descend(version, year, vintage):
            required.setdefault(target, set()).add(version)
    return {target: tuple(sorted(versions)) for target, versions in required.items()}
