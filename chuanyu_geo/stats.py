"""Statistics across division changes: put a county table of any year on a vintage's units.

A table's keys are read as the codes and names *of the table's year* (500110 is 万盛区 in a
2010 table and 綦江区 in a 2020 one). Each source unit is followed through the dated changes
of ``crosswalk.csv`` to the units of the target vintage. Source units and target units that
are linked form connected groups: a group with one source and one target is a match or a
rename; several sources into one target are summed (綦江县 + 万盛区 -> 綦江区); a source split
into several targets makes them one *stable unit* (广安区+前锋区), so nothing is apportioned
and the numbers stay exact. ``how="area"`` instead apportions split sources by area over our
own layers, and says so.
"""

from __future__ import annotations

import functools
import json
import math
import re
import warnings
from collections.abc import Mapping
from importlib import resources

import networkx as nx
import numpy as np
import pandas as pd

from ._errors import (
    AmbiguousPlaceError,
    ChuanyuGeoError,
    InvalidArgumentError,
    PlaceError,
    cap_message,
    listing,
    shown,
)
from .boundaries import (
    DEFAULT_VINTAGE,
    EARLIEST_VINTAGE,
    UNIT_LEVELS,
    VINTAGE_DATES,
    VINTAGES,
    _unit_table,
    check_choice,
)
from .gazetteer import (
    _CJK,
    _chinese_key,
    _index,
    _latin_key,
    _reach,
    _resolve,
    _zone_keys,
    _zone_table,
    crosswalk,
)

# Historical names and codes are resolved in the earliest vintage, the closest to census years.
_EARLIEST_YEAR = int(VINTAGE_DATES[EARLIEST_VINTAGE][:4])

__all__ = [
    "harmonise",
    "harmonise_report",
    "harmonise_totals",
    "panel",
    "load_census",
    "not_divisions",
    "join_table",
    "join_values",
    "UnmatchedRowsError",
    "HarmoniseWarning",
    "CENSUS_YEARS",
]

HOWS = ("aggregate", "population", "area")
ZONES = ("host", "drop")
REPORT_COLUMNS = ["row", "key", "year", "source_adcode", "source_name", "status", "unit", "unit_name", "note"]
# The row report travels in attrs as one JSON string (see _encode_report), under this key.
_REPORT_ATTR = "harmonise_report"
CENSUS_YEARS = (2010, 2020)
_CODE = re.compile(r"\d{6}")
# Close matches are worked out for this many distinct unknown keys of a table; the rest
# are reported as unknown without them (a table of 10^5 junk keys must not take hours).
SUGGESTION_LIMIT = 20
_NO_SUGGESTIONS = f"no suggestions: they are given for the first {SUGGESTION_LIMIT} distinct unknown keys"


class HarmoniseWarning(UserWarning):
    """Rows of a table were left out of a harmonised result, or a unit lacks parts, or a split is
    approximate in a way worth knowing (every row is in :func:`harmonise_report`)."""


# --------------------------------------------------------------------------- shipped data


def load_census(year: int, level: str | None = "county") -> pd.DataFrame:
    """County population census results for Sichuan and Chongqing (2010 or 2020).

    Codes and names are those of the census year; put them on today's units with
    :func:`harmonise`. Extracted from the China Census dataset (Lei Dong et al., MIT
    licence); ``attrs`` carries the citation and licence.

    Parameters
    ----------
    year : {2010, 2020}
    level : {"county", "prefecture", "province"} or None
        Rows of this level only; None keeps all.

    Returns
    -------
    pandas.DataFrame
        ``adcode`` (text), ``name``, ``level``, ``province``, ``year``, ``population``,
        ``male``, ``female``, ``urban_population``, ``households``, ``household_size``,
        ``years_of_schooling``, ``age_0_14`` (and ``age_65_plus`` in 2020).

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> census = cg.load_census(2010)
    >>> census.set_index("adcode").loc["500110", "name"]
    '万盛区'
    >>> int(census["population"].sum())  # Sichuan 80,417,528 + Chongqing 28,846,170
    109263698
    """
    if year not in CENSUS_YEARS:
        raise InvalidArgumentError(
            f"year={year!r} is not a shipped census; expected one of: {', '.join(map(str, CENSUS_YEARS))}"
        )
    if level is not None:
        level = check_choice("level", level, ("county", "prefecture", "province"))
    path = resources.files("chuanyu_geo").joinpath("data", "census", f"census-{year}-sichuan-chongqing.csv")
    with path.open(encoding="utf-8") as fh:
        table = pd.read_csv(fh, dtype={"adcode": str})
    if level is not None:
        table = table[table["level"] == level].reset_index(drop=True)
    table.attrs.update(
        source="China Census dataset, version 1 (github.com/leiii/census), county tables of the "
        f"{year} population census",
        citation="Lei Dong, Rui Du and Yu Liu, Mapping Evolving Population Geography in China, working "
        "paper, 2022 (SSRN 4049338)",
        licence="MIT, copyright (c) 2022 Lei Dong (chuanyu_geo/data/census/LICENSE)",
        year=year,
    )
    return table


def not_divisions() -> pd.DataFrame:
    """Statistical areas with their own codes or names that are not divisions, and their hosts.

    The economic development zones of the 2020 census, 万盛经开区 and 双桥经开区 (named after
    the districts merged into 綦江区 and 大足区 in 2011), and 两江新区 before it became a
    county-level district on 2025-11-06 (``until``). ``host_status`` says whether the unit a
    zone lies in is documented (``documented``, with ``host_source``), unknown (``host not
    found``: :func:`harmonise` keeps the zone out of the units but counts it in its prefecture
    through :func:`harmonise_totals`) or already counted in its hosts' rows (``overlaps``).

    Returns
    -------
    pandas.DataFrame
        ``adcode``, ``name``, ``aliases`` (``;``-separated), ``prefecture_adcode``,
        ``prefecture``, ``kind``, ``since``, ``until``, ``former_adcode``, ``former_name``,
        ``host_adcode``, ``host_name``, ``host_status``, ``host_source``, ``note``, ``source``.

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> zones = cg.not_divisions().set_index("name")
    >>> list(zones.index)
    ['内江经济开发区', '达州经济开发区', '巴中经济开发区', '两江新区', '万盛经开区', '双桥经开区']
    >>> zones.loc["万盛经开区", "host_name"], zones.loc["内江经济开发区", "host_status"]
    ('綦江区', 'host not found')
    """
    return _zone_table().copy()


# --------------------------------------------------------------------------- lineage


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
    later = _changes_where(vintage, "old_adcode", code)
    later = later[_after(later, year)]
    if len(later):
        return later.sort_values("date")["old_name"].iloc[0], None
    if code not in _names(vintage) and code not in _names(EARLIEST_VINTAGE):
        return None, f"{code} is not a county-level code of Sichuan or Chongqing"
    names = {**_names(EARLIEST_VINTAGE), **_names(vintage)}
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


# --------------------------------------------------------------------------- keys


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


def _zone(key: str, year: int) -> pd.Series | None:
    """The not-a-division row a name, alias or code denotes in ``year``, if any."""
    positions = _zone_keys().get(key)
    if positions is None:
        return None
    hits = _zone_table().iloc[positions]
    in_force = [
        (not until or year < int(until[:4])) and (not since or year >= int(since))
        for until, since in zip(hits["until"], hits["since"])
    ]
    hits = hits[np.asarray(in_force, dtype=bool)]
    return hits.iloc[0] if len(hits) else None


def _zone_before(key: str, year: int) -> pd.Series | None:
    """A zone named in a table of a year before the zone existed (万盛经开区 in 2010)."""
    for position in _zone_keys().get(key, []):
        zone = _zone_table().iloc[position]
        if zone["since"] and year < int(zone["since"]):
            return zone
    return None


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
    prefectures = _unit_table("prefecture", EARLIEST_VINTAGE)
    by_first: dict[str, list[tuple[str, str]]] = {}
    for name, short, code in zip(prefectures["name"], prefectures["short_name"], prefectures["adcode"]):
        for prefix in dict.fromkeys((name, short)):
            by_first.setdefault(prefix[:1], []).append((prefix, code[:4]))
    return {first: tuple(pairs) for first, pairs in by_first.items()}


def _prefixed_former(key: str, year: int, vintage: str) -> list[tuple[str, str]]:
    """Former units named with their prefecture in front (广元市市中区)."""
    found = set()
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
        place = _resolve(text, "county", EARLIEST_VINTAGE, suggest=suggest)
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
            _resolve(text, "prefecture", EARLIEST_VINTAGE, suggest=False)
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


# --------------------------------------------------------------------------- columns


def _check_columns(table: pd.DataFrame, columns, key: str) -> dict[str, tuple[str, str | None]]:
    """``{column: (rule, weight column)}`` with every column and weight checked."""
    if columns is None:
        return {}
    if not isinstance(columns, Mapping) or not columns:
        raise InvalidArgumentError(
            "columns must map column names to 'sum' or ('mean', weight column), e.g. "
            "{'population': 'sum', 'household_size': ('mean', 'households')}"
        )
    rules: dict[str, tuple[str, str | None]] = {}
    for column, rule in columns.items():
        if column not in table.columns:
            raise InvalidArgumentError(
                f"columns names {shown(column)}, which is not a column; columns: {_columns_listing(table)}"
            )
        if column == key:
            raise InvalidArgumentError(f"columns names the key column {shown(key)}; it cannot be combined")
        if rule == "sum":
            rules[column] = ("sum", None)
        elif isinstance(rule, tuple) and len(rule) == 2 and rule[0] == "mean":
            weight = rule[1]
            if weight not in table.columns:
                raise InvalidArgumentError(
                    f"column {shown(column)} is a mean weighted by {shown(weight)}, which is not a column"
                )
            rules[column] = ("mean", weight)
        elif rule == "mean":
            raise InvalidArgumentError(
                f"column {column!r}: a mean (a rate, an average) cannot be combined without weights; "
                f"write ('mean', 'weight column'), e.g. ('mean', 'households') for household size"
            )
        else:
            raise InvalidArgumentError(
                f"column {column!r}: rule {rule!r} is not 'sum' or ('mean', weight column)"
            )
    for column in {c for c, _ in rules.items()} | {w for _, w in rules.values() if w}:
        if table.columns.get_indexer_for([column]).size > 1:
            raise InvalidArgumentError(
                f"{shown(column)} names {table.columns.get_indexer_for([column]).size} columns of the "
                "table; rename them so each value column is one"
            )
        values = pd.to_numeric(table[column], errors="coerce")
        _check_real(values, column)
        bad = np.nonzero((values.isna() & table[column].notna()).to_numpy())[0]
        if len(bad):
            rows = listing(
                (f"row {i} ({shown(table[column].iloc[i])})" for i in bad), total=len(bad), sep=", "
            )
            raise InvalidArgumentError(f"column {shown(column)} must be numeric; not numbers: {rows}")
        infinite = np.nonzero(np.isinf(values.to_numpy(dtype=float)))[0]
        if len(infinite):
            rows = listing(
                (f"row {i} ({shown(table[key].iloc[i])})" for i in infinite), total=len(infinite), sep=", "
            )
            raise InvalidArgumentError(
                f"column {shown(column)} has infinite values in {rows}; expected finite numbers"
            )
    return rules


# --------------------------------------------------------------------------- the relation


def _relation(table: pd.DataFrame, key: str, year: int, vintage: str, zones: str = "host") -> pd.DataFrame:
    """One row per input row: its source version, status and target adcodes (with shares).

    ``zones="host"`` links a development zone whose host is documented to its host unit
    (``zone`` names it); other zones stay ``not a division``.
    """
    records = []
    found: dict[str, tuple] = {}  # each distinct key is looked up once, however many rows hold it
    unknown = 0
    names = _names(vintage)
    for position, raw in enumerate(table[key].tolist()):
        entry = {
            "row": position,
            "key": raw,
            "year": year,
            "source_adcode": None,
            "source_name": None,
            "status": None,
            "targets": {},
            "zone": None,
            "note": None,
        }
        text, problem, key_status = _normalise_key(raw)
        if text is None:
            entry.update(status=key_status, note=f"row {position}: {problem}")
            records.append(entry)
            continue
        if text not in found:
            version, status, note = _source_version(text, year, vintage, suggest=unknown < SUGGESTION_LIMIT)
            unknown += status == "unknown"
            targets = _descend(version, year, vintage) if version is not None else {}
            zone = _zone(_chinese_key(text), year) if status == "not a division" else None
            found[text] = (
                version,
                status,
                _zone_note(zone, zones, note) if zone is not None else note,
                targets,
            )
            if zone is not None and zones == "host" and _hosted(zone, vintage):
                found[text] = (
                    (zone["adcode"], zone["name"]),
                    "zone added",
                    found[text][2],
                    {zone["host_adcode"]: "all"},
                )
        version, status, note, targets = found[text]
        entry["note"] = note  # e.g. a name already out of date in the table's year
        if status == "zone added":
            entry.update(
                source_adcode=version[0],
                source_name=version[1],
                targets=dict(targets),
                zone=version[1],
                note=f"row {position} {shown(raw)}: {note}",
            )
        elif version is None:
            entry.update(status=status, note=f"row {position} {shown(raw)}: {note}")
        elif any(c not in names for c in targets):
            entry.update(
                status="unknown",
                note=f"row {position} {shown(raw)}: {version[1]} ({version[0]}) leads to "
                f"{', '.join(c for c in targets if c not in names)}, not a unit of vintage {vintage}",
            )
        else:
            entry.update(source_adcode=version[0], source_name=version[1], targets=dict(targets))
        records.append(entry)
    relation = pd.DataFrame(records)
    linked = np.nonzero(relation["source_adcode"].notna().to_numpy())[0]
    # One unit under two names in one table (康定县 and 康定市) is a duplicate, not a merge.
    rows_of: dict[tuple[str, str], list[int]] = {}
    sources = zip(relation["source_adcode"].to_numpy()[linked], relation["source_name"].to_numpy()[linked])
    for i, version in zip(linked.tolist(), sources):
        rows_of.setdefault(_same_unit(version, vintage), []).append(i)
    duplicates, notes = [], []
    keys = relation["key"].to_numpy()
    for version, rows in rows_of.items():
        if len(rows) < 2:
            continue
        for i in rows:
            # Name a few of the other rows: 10^5 copies of one key must not make 10^10 characters.
            others = listing((str(j) for j in rows if j != i), total=len(rows) - 1, sep=", ")
            duplicates.append(i)
            notes.append(
                f"row {i} {shown(keys[i])}: {version[1]} ({version[0]}) is also row(s) {others}; "
                "neither value is used"
            )
    if duplicates:
        relation.loc[duplicates, "status"] = "duplicate"
        relation.loc[duplicates, "note"] = notes
        dropped = set(duplicates)
        relation["targets"] = [{} if i in dropped else t for i, t in enumerate(relation["targets"])]
    return relation


def _hosted(zone: pd.Series, vintage: str) -> bool:
    """Whether a zone's host unit is documented and is a unit of ``vintage``."""
    return zone["host_status"] == "documented" and zone["host_adcode"] in _names(vintage)


def _zone_note(zone: pd.Series, zones: str, note: str | None) -> str:
    """What happens to a zone's row, and why."""
    where = f"{zone['name']}: {zone['note']}"
    if zone["host_status"] == "overlaps":
        return f"{where}; not added to any unit: {zone['host_source']}"
    if zones == "drop":
        host = f" (it lies in {zone['host_name']})" if zone["host_name"] else ""
        return f"{where}; dropped (zones='drop'){host}"
    if zone["host_status"] == "documented":
        return (
            f"{where}; added to its host {zone['host_name']} ({zone['host_adcode']}), "
            f"source: {zone['host_source']}"
        )
    return (
        f"{where}; host not found ({zone['host_source']}): kept out of the units; its prefecture "
        f"{zone['prefecture']} ({zone['prefecture_adcode']}) is known, so cg.harmonise_totals counts it"
    )


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


def _components(relations: list[pd.DataFrame], vintage: str) -> dict[str, tuple[str, ...]]:
    """Target adcode -> the stable unit (sorted target adcodes) it belongs to.

    Formed from the division changes of every table's year, not only from the rows a table
    holds: 两江新区 and 北碚区 are one stable unit even in a table that lacks 渝北区.
    """
    graph = nx.Graph()
    graph.add_nodes_from(("t", c) for c in _names(vintage))
    for relation in relations:
        # Columns zipped, not itertuples: a table may have 10^5 rows, most of them unlinked.
        rows = zip(relation["year"], relation["source_adcode"], relation["source_name"], relation["targets"])
        for year, code, name, targets in rows:
            for target in targets:
                graph.add_edge(("s", year, code, name), ("t", target))
        for year in set(relation["year"]):
            for end_of_year in (False, True):
                for target, versions in _required(int(year), vintage, end_of_year).items():
                    for code, name in versions:
                        graph.add_edge(("s", int(year), code, name), ("t", target))
    unit_of = {}
    for component in nx.connected_components(graph):
        targets = tuple(sorted(c for kind, *rest in component if kind == "t" for c in rest))
        for target in targets:
            unit_of[target] = targets
    return unit_of


def _absent_parts(
    relation: pd.DataFrame, units: list[tuple[str, ...]], year: int, vintage: str
) -> dict[tuple[str, ...], list[tuple[str, str]]]:
    """Result unit -> the units of ``year`` that feed it but have no row in the table.

    Only units with at least one row are asked about; a unit with none is simply not in
    the result. Zone rows (additions to a host) do not stand for any unit of ``year``.
    """
    linked = relation[(relation["targets"].map(len) > 0) & relation["zone"].isna()]
    present = {
        _same_unit((code, name), vintage)
        for code, name in zip(linked["source_adcode"], linked["source_name"])
    }
    absent: dict[tuple[str, ...], list[tuple[str, str]]] = {}
    for unit in units:
        options = []
        for end_of_year in (False, True):  # a change year may show the units before or after it
            required = _required(year, vintage, end_of_year)
            needed = {v for target in unit for v in required.get(target, ())}
            options.append(sorted(v for v in needed if _same_unit(v, vintage) not in present))
        lacking = min(options, key=len)
        if lacking:
            absent[unit] = lacking
    return absent


def _status(relation: pd.DataFrame, unit_of: dict[str, tuple[str, ...]], vintage: str) -> pd.DataFrame:
    """Each linked row's unit in the result (``unit_of``: target -> its result unit) and status."""
    names = _names(vintage)

    rows_per_unit: dict[tuple, int] = {}
    for targets, zone in zip(relation["targets"], relation["zone"]):
        if isinstance(zone, str):  # an addition to its host, not a part that was merged
            continue
        for target in targets:
            rows_per_unit[unit_of[target]] = rows_per_unit.get(unit_of[target], 0) + 1
    units, unit_names, statuses, notes = [], [], [], []
    # Columns zipped, not itertuples: a table may have 10^5 rows.
    rows = zip(
        relation["targets"],
        relation["status"],
        relation["source_adcode"],
        relation["source_name"],
        relation["note"],
        relation["zone"],
    )
    for targets, status, code, name, note, zone in rows:
        if not targets:
            units.append(None)
            unit_names.append(None)
            statuses.append(status)
            notes.append(note if isinstance(note, str) or status == "matched" else f"{name} ({code}) -> None")
            continue
        unit = tuple(sorted({c for t in targets for c in unit_of[t]}))
        units.append("+".join(unit))
        unit_names.append("+".join(names[c] for c in unit))
        if isinstance(zone, str):
            statuses.append("zone added")
        elif len(targets) > 1:
            statuses.append("split")
        elif len(unit) > 1:
            statuses.append("combined")  # its unit was joined with another source's split
        elif rows_per_unit[unit_of[next(iter(targets))]] > 1:
            statuses.append("merged")
        elif (code, name) == (unit[0], names[unit[0]]):
            statuses.append("matched")
        else:
            statuses.append("renamed")
        if isinstance(note, str):
            notes.append(note)
        else:
            notes.append(f"{name} ({code}) -> {unit_names[-1]}" if statuses[-1] != "matched" else None)
    return relation.assign(unit=units, unit_name=unit_names, status=statuses, note=notes)


# --------------------------------------------------------------------------- combining


@functools.cache
def _fine_areas(vintage: str) -> tuple[dict[str, float], object, object]:
    """Geodesic areas of the earliest vintage's units, and both fine layers' geometries."""
    from .boundaries import load_boundaries
    from .coords import geodesic_area_km2

    before = load_boundaries("county", EARLIEST_VINTAGE, "fine").set_index("adcode").geometry
    after = load_boundaries("county", vintage, "fine").set_index("adcode").geometry
    return {c: float(geodesic_area_km2(before[c])) for c in before.index}, before, after


def _area_onward(piece: str, vintage: str) -> dict[str, float]:
    """How a unit of the earliest vintage spreads over the target vintage's, by area (fine layers)."""
    import shapely

    from .coords import geodesic_area_km2

    targets = _descend((piece, _names(EARLIEST_VINTAGE)[piece]), _EARLIEST_YEAR, vintage)
    if len(targets) == 1:
        return {next(iter(targets)): 1.0}
    _areas, before, after = _fine_areas(vintage)
    areas = {t: float(geodesic_area_km2(shapely.intersection(before[piece], after[t]))) for t in targets}
    return {t: a / sum(areas.values()) for t, a in areas.items()}


@functools.cache
def _census_counties(year: int) -> dict[tuple[str, str], float]:
    """(adcode, name) -> population of the county rows of a shipped census."""
    census = load_census(year)
    return {(c, n): float(p) for c, n, p in zip(census["adcode"], census["name"], census["population"])}


def _census_shares(pieces: list[str], year: int) -> tuple[dict[str, float], int] | None:
    """Shares of units of the earliest vintage in the census nearest ``year`` that has them all."""
    names = _names(EARLIEST_VINTAGE)
    for census_year in sorted(CENSUS_YEARS, key=lambda c: (abs(c - year), c)):
        counts = _census_counties(census_year)
        people = [counts.get((p, names[p])) for p in pieces]
        if all(n is not None for n in people) and sum(people) > 0:
            return {p: n / sum(people) for p, n in zip(pieces, people)}, census_year
    return None


@functools.cache
def _town_table() -> pd.DataFrame:
    """``data/town_population_2020.csv``: towns that changed county, with their 2020 population."""
    path = resources.files("chuanyu_geo").joinpath("data", "town_population_2020.csv")
    with path.open(encoding="utf-8") as fh:
        return pd.read_csv(
            fh, dtype={"population": float}, keep_default_na=False, na_values={"population": [""]}
        )


def _town_onward(piece: str, vintage: str) -> tuple[dict[str, float] | None, list[str]]:
    """A unit's shares in the target vintage by the 2020 population of the towns it gave away.

    Returns (shares, towns without a figure); shares is None when any town lacks one.
    """
    name = _names(EARLIEST_VINTAGE)[piece]
    targets = _descend((piece, name), _EARLIEST_YEAR, vintage)
    if len(targets) == 1:
        return {next(iter(targets)): 1.0}, []
    names = _names(vintage)
    towns = _town_table()[_town_table()["from_unit"] == name]
    lacking = list(towns.loc[towns["population"].isna(), "town"])
    whole = _census_counties(2020).get((piece, name))
    given = {
        t: towns.loc[towns["to_unit"] == names[t], "population"].sum() for t in targets if names[t] != name
    }
    kept = [t for t in targets if t not in given]
    if lacking or towns.empty or whole is None or len(kept) != 1:
        return None, lacking or [f"the towns {name} gave away"]
    shares = {t: n / whole for t, n in given.items()}
    shares[kept[0]] = 1.0 - sum(shares.values())
    return shares, []


def _split_weights(
    relation: pd.DataFrame, year: int, vintage: str, how: str
) -> dict[tuple[str, str], tuple[dict[str, float], str]]:
    """Shares of each split source in each of its targets, and the basis they rest on.

    Two steps, so an earlier split gets the same shares whatever the target vintage: the
    source over its successors in the earliest vintage, then each of those onward.
    ``how="population"`` takes the first step from the nearest census that has all the
    successors and the second from the 2020 population of the towns that changed hands;
    where a figure is missing that step falls back to area and the basis says so.
    """
    areas = None
    weights = {}
    for row in relation.itertuples():
        if len(row.targets) < 2:
            continue
        version = (row.source_adcode, row.source_name)
        pieces = sorted(_descend(version, year, EARLIEST_VINTAGE))
        bases = []
        first = _census_shares(pieces, year) if how == "population" and len(pieces) > 1 else None
        if len(pieces) == 1:
            first_shares = {pieces[0]: 1.0}
        elif first is not None:
            first_shares, census_year = first
            bases.append(f"population ({census_year} census)")
        else:
            areas = areas or _fine_areas(vintage)[0]
            total = sum(areas[p] for p in pieces)
            first_shares = {p: areas[p] / total for p in pieces}
            if len(pieces) > 1:
                bases.append("area" if how == "area" else "area (no census has all the successors)")
        shares: dict[str, float] = {}
        for piece, fraction in first_shares.items():
            onward = None
            if how == "population":
                onward, lacking = _town_onward(piece, vintage)
                if onward is not None and len(onward) > 1:
                    bases.append("population (2020 towns)")
                elif onward is None:
                    bases.append(f"area (2020 populations not found: {', '.join(lacking)})")
            if onward is None:
                onward = _area_onward(piece, vintage)
                if how == "area" and len(onward) > 1:
                    bases.append("area")
            for target, part in onward.items():
                shares[target] = shares.get(target, 0.0) + fraction * part
        weights[version] = ({t: shares.get(t, 0.0) for t in row.targets}, "; ".join(dict.fromkeys(bases)))
    return weights


def _apportion(value: float, fractions: list[float]) -> list[float]:
    """Parts of a count that add up to it exactly: whole numbers stay whole (largest remainder)."""
    if len(fractions) == 1 or not math.isfinite(value):
        return [value * f for f in fractions]
    raw = [value * f for f in fractions]
    if float(value).is_integer():
        parts = [math.floor(r) for r in raw]
        order = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
        for i in order[: int(value) - sum(parts)]:
            parts[i] += 1
        return [float(x) for x in parts]
    return [*raw[:-1], value - sum(raw[:-1])]


def _combine(
    table: pd.DataFrame,
    relation: pd.DataFrame,
    rules,
    unit_of,
    how: str,
    year: int,
    vintage: str,
    weights: dict | None = None,
    absent: dict | None = None,
    allow_partial: bool = False,
) -> pd.DataFrame:
    """Values on stable units (aggregate) or on target units (area, population).

    ``absent``: result unit -> units of ``year`` without a row; such a unit's values are
    missing unless ``allow_partial``, and ``missing_parts`` names them either way.
    """
    names = _names(vintage)
    weights = weights or {}
    absent = absent or {}
    parts = []  # (unit, fraction, row position, apportioned, basis)
    for row in relation.itertuples():
        if not row.targets:
            continue
        if how == "aggregate":
            parts.append(("+".join(unit_of[next(iter(row.targets))]), 1.0, row.row, False, ""))
            continue
        w, basis = weights.get((row.source_adcode, row.source_name), ({next(iter(row.targets)): 1.0}, ""))
        parts.extend((t, f, row.row, len(w) > 1, basis if len(w) > 1 else "") for t, f in w.items())
    frame = pd.DataFrame(parts, columns=["unit", "fraction", "row", "apportioned", "basis"])
    out = frame.groupby("unit", sort=True).agg(
        n_sources=("row", "nunique"),
        approximate=("apportioned", "any"),
        basis=("basis", lambda b: "; ".join(dict.fromkeys(x for x in b if x)) or None),
    )
    lacking = {"+".join(unit): parts_ for unit, parts_ in absent.items()}
    out["missing_parts"] = [
        ", ".join(f"{n} ({c})" for c, n in lacking[u]) if u in lacking else None for u in out.index
    ]
    blank = out.index.isin(list(lacking)) if not allow_partial else np.zeros(len(out), dtype=bool)
    for column, (rule, weight) in rules.items():
        values = pd.to_numeric(table[column], errors="coerce").to_numpy(dtype=float)[frame["row"]]
        if rule == "passthrough":  # one row per unit: its own value, with its own type
            out[column] = (
                pd.Series(table[column].to_numpy()[frame["row"]], index=frame["unit"])
                .groupby(level=0)
                .first()
            )
            if blank.any():
                out.loc[blank, column] = None
            continue
        # A missing part makes the combined value missing, never smaller or biased.
        incomplete = pd.Series(np.isnan(values), index=frame["unit"]).groupby(level=0).any()
        incomplete |= pd.Series(blank, index=out.index)
        if rule == "sum":
            frame[column] = _apportioned(values, frame)
            out[column] = frame.groupby("unit")[column].sum().where(~incomplete)
        else:
            raw_w = pd.to_numeric(table[weight], errors="coerce").to_numpy(dtype=float)[frame["row"]]
            incomplete |= pd.Series(np.isnan(raw_w), index=frame["unit"]).groupby(level=0).any()
            w = raw_w * frame["fraction"]
            frame[f"_{column}_num"] = values * w
            frame[f"_{column}_den"] = w
            grouped = frame.groupby("unit")
            out[column] = (grouped[f"_{column}_num"].sum() / grouped[f"_{column}_den"].sum()).where(
                ~incomplete
            )
    out = out.reset_index()
    out.insert(1, "name", ["+".join(names[c] for c in u.split("+")) for u in out["unit"]])
    out.insert(2, "adcodes", [u.split("+") for u in out["unit"]])
    table_24 = _unit_table("county", vintage).set_index("adcode")
    out.insert(3, "province", [table_24.at[u.split("+")[0], "province"] for u in out["unit"]])
    if how == "aggregate":
        out = out.drop(columns=["approximate", "basis"])
    return out


def _apportioned(values: np.ndarray, frame: pd.DataFrame) -> np.ndarray:
    """Each row's value spread over its parts so that the parts add up to it exactly."""
    result = values * frame["fraction"].to_numpy()
    split = frame.index[frame["apportioned"].to_numpy()]
    for _row, positions in frame.loc[split].groupby("row").groups.items():
        positions = list(positions)
        result[positions] = _apportion(values[positions[0]], list(frame.loc[positions, "fraction"]))
    return result


def _columns_listing(table: pd.DataFrame) -> str:
    """The table's column names for a message: the first few, each cut short."""
    names = (c if len(c) <= 80 else c[:80] + "…" if isinstance(c, str) else shown(c) for c in table.columns)
    return listing(names, total=len(table.columns), sep=", ")


def _check_frame(table, key: str, argument: str, task: str) -> None:
    """A DataFrame with rows and the key column, or an error naming what is wrong."""
    if not isinstance(table, pd.DataFrame):
        raise InvalidArgumentError(f"table must be a pandas DataFrame, got {type(table).__name__}")
    if isinstance(table.columns, pd.MultiIndex):
        # Before the key check: a tuple key would half-work on such a table and fail later.
        raise InvalidArgumentError(
            f"the table has MultiIndex columns ({table.columns.nlevels} levels, e.g. "
            f"{shown(table.columns[0])}); flatten them, e.g. "
            "table.columns = ['_'.join(map(str, c)) for c in table.columns]"
        )
    try:
        present = key in table.columns
    except TypeError:  # an unhashable key (a list)
        present = False
    if not present:
        raise InvalidArgumentError(
            f"{argument}={shown(key)} is not a column; columns: {_columns_listing(table)}"
        )
    if table.columns.get_indexer_for([key]).size > 1:
        raise InvalidArgumentError(
            f"{argument}={shown(key)} names {table.columns.get_indexer_for([key]).size} columns of the "
            "table; rename them so the key column is one"
        )
    if table.empty:
        raise InvalidArgumentError(f"the table has no rows; nothing to {task}")


def _check_real(values: pd.Series, column) -> None:
    """Refuse complex numbers: converting them to float would silently drop the imaginary part."""
    if pd.api.types.is_complex_dtype(values):
        raise InvalidArgumentError(
            f"column {shown(column)} holds complex numbers; expected real numbers (take .real or "
            "abs() first if that is what you mean)"
        )


def _check_table(table, key: str, year) -> None:
    _check_frame(table, key, "key", "harmonise")
    if isinstance(year, bool) or not isinstance(year, (int, np.integer)) or not 1949 <= int(year) <= 2100:
        raise InvalidArgumentError(
            f"year={year!r} must be the year (an int such as 2010) whose codes and names the table uses"
        )


def _passthrough_ok(relation: pd.DataFrame, unit_of) -> bool:
    linked = relation[relation["targets"].map(len) > 0]
    units = ["+".join(unit_of[next(iter(t))]) for t in linked["targets"]]
    return (
        all(len(t) == 1 for t in linked["targets"])
        and len(set(units)) == len(units)
        and all("+" not in u for u in units)
    )


def _finish(
    relation: pd.DataFrame,
    dropped_statuses=("unknown", "ambiguous", "duplicate", "missing key", "not a county", "not a division"),
    absent: dict | None = None,
    allow_partial: bool = False,
    vintage: str = DEFAULT_VINTAGE,
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
    columns = {c: [_plain(v) for v in report[c].tolist()] for c in report.columns}
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


def harmonise(
    table: pd.DataFrame,
    key: str,
    *,
    year: int,
    to_vintage: str = DEFAULT_VINTAGE,
    columns: Mapping | None = None,
    how: str = "aggregate",
    zones: str = "host",
    allow_partial: bool = False,
) -> pd.DataFrame:
    """Put a county table of ``year`` on the units of a division vintage.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per county-level unit of ``year``.
    key : str
        Column with adcodes or names, read as they were in ``year`` (500110 in a 2010
        table is 万盛区). Codes read as numbers (500110.0) are accepted.
    year : int
        The year whose codes and names the table uses.
    to_vintage : {"2024", "2025"}
    columns : mapping, optional
        How to combine each value column: ``"sum"`` for counts, ``("mean", weight)`` for
        rates and averages (``{"population": "sum", "household_size": ("mean", "households")}``).
        Needed as soon as any rows are merged or split; other columns are dropped.
    how : {"aggregate", "population", "area"}
        ``aggregate`` (exact): merges are summed and split units combined into stable units
        (``511602+511603`` 广安区+前锋区). ``population``: split sources are apportioned to
        their successors by the successors' shares of people in the nearest shipped census
        that has them all (广安区/前锋区 from the 2020 census), and across the 2025 reform by
        the 2020 population of the towns that changed hands (``data/town_population_2020.csv``;
        where a town's figure was not found, that step is split by area and ``basis`` and a
        warning say so). ``area``: by area on our fine layers; warns when a count's split is
        known by population, with the difference. Apportioned rows have ``approximate ==
        True``; counts are apportioned in whole numbers that add up to the source exactly.
    zones : {"host", "drop"}
        Development zones with rows of their own (not divisions, see :func:`not_divisions`).
        ``host`` adds a zone to the unit it lies in where that is documented (万盛经开区 to
        綦江区); a zone whose host was not found is kept out with a warning, and its values
        are kept in ``attrs`` so that :func:`harmonise_totals` gives exact prefecture and
        province totals. ``drop`` leaves every zone out.
    allow_partial : bool
        A result unit any of whose parts (units of ``year``) has no row in the table is
        missing (NaN) unless this is True; then it adds up the parts present. Either way
        ``missing_parts`` names the absent parts and a warning lists them.

    Returns
    -------
    pandas.DataFrame
        ``unit`` (adcodes joined by ``+``), ``name``, ``adcodes``, ``province``,
        ``n_sources`` (input rows combined), (``approximate`` and ``basis`` for ``area`` and
        ``population``), ``missing_parts`` and the value columns. The row report, which
        accounts for every input row, is :func:`harmonise_report` ``(result)``; ``attrs``
        holds plain metadata only (year, vintage, how, zones, precision, columns), so the
        result concatenates, merges and pickles like any DataFrame.

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> census = cg.load_census(2010)
    >>> on2024 = cg.harmonise(census, "adcode", year=2010, columns={"population": "sum"})
    >>> int(on2024.set_index("name").loc["綦江区", "n_sources"])  # 綦江县 + 万盛区
    2
    >>> cg.harmonise_report(on2024).set_index("key").loc["500234", "status"]
    'renamed'
    """
    _check_table(table, key, year)
    to_vintage = check_choice("to_vintage", to_vintage, VINTAGES)
    how = check_choice("how", how, HOWS)
    zones = check_choice("zones", zones, ZONES)
    _check_flag("allow_partial", allow_partial)
    year = int(year)
    rules = _check_columns(table, columns, key)
    relation = _relation(table, key, year, to_vintage, zones)
    components = _components([relation], to_vintage)
    unit_of = components if how == "aggregate" else {c: (c,) for c in _names(to_vintage)}
    relation = _status(relation, unit_of, to_vintage)
    if columns is None:
        if table.columns.duplicated().any():  # each would pass through as a frame, not a column
            duplicated = table.columns[table.columns.duplicated()].unique()
            raise InvalidArgumentError(
                f"the table has duplicate column names "
                f"({listing(map(shown, duplicated), total=len(duplicated), sep=', ')}); rename them first"
            )
        if not _passthrough_ok(relation, components):
            combined = relation[relation["status"].isin(["merged", "split", "combined", "zone added"])]
            examples = ", ".join(f"{r.source_name} -> {r.unit_name}" for r in combined.head(3).itertuples())
            raise InvalidArgumentError(
                f"rows are merged or split on the way to vintage {to_vintage} ({examples}); say how to "
                f"combine each value "
                "column with columns=, e.g. {'population': 'sum', 'household_size': ('mean', 'households')}"
            )
        rules = {
            c: ("passthrough", None) for c in table.columns if c != key
        }  # one row per unit: nothing to combine
    out, report = _harmonise_year(table, relation, rules, unit_of, how, year, to_vintage, allow_partial)
    precision = (
        "exact" if how == "aggregate" or not out.get("approximate", pd.Series(False)).any() else "approximate"
    )
    out.attrs.update(
        year=year,
        vintage=to_vintage,
        vintage_date=VINTAGE_DATES[to_vintage],
        how=how,
        zones=zones,
        allow_partial=allow_partial,
        precision=precision,
        columns={c: r if w is None else (r, w) for c, (r, w) in rules.items()},
        zones_outside=_zones_outside(table, relation, rules, zones, year),
        **{_REPORT_ATTR: _encode_report(report)},
    )
    return out


def _check_flag(name: str, value) -> None:
    if not isinstance(value, (bool, np.bool_)):
        raise InvalidArgumentError(f"{name}={shown(value)} must be True or False")


def _harmonise_year(table, relation, rules, unit_of, how, year, vintage, allow_partial):
    """One year's table on the units: (values, row report), with the warnings of both."""
    weights = _split_weights(relation, year, vintage, how) if how != "aggregate" else {}
    if how != "aggregate":
        _warn_about_splits(table, relation, rules, weights, year, vintage, how)
    units = sorted({unit_of[t] for targets in relation["targets"] for t in targets})
    absent = _absent_parts(relation, units, year, vintage)
    report = _finish(relation, absent=absent, allow_partial=allow_partial, vintage=vintage)
    out = _combine(table, relation, rules, unit_of, how, year, vintage, weights, absent, allow_partial)
    return out, report


def _zones_outside(table, relation, rules, zones: str, year: int) -> dict:
    """Zones kept out of the units whose prefecture is known: their values, for totals."""
    if zones != "host":
        return {}
    kept = {}
    for row in relation[relation["status"] == "not a division"].itertuples():
        text, _problem, _status_ = _normalise_key(row.key)
        zone = _zone(_chinese_key(text), year) if text else None
        if zone is None or zone["host_status"] != "host not found" or not zone["prefecture_adcode"]:
            continue
        values = {}
        for column, (rule, _weight) in rules.items():
            if rule == "sum":
                value = pd.to_numeric(pd.Series([table[column].iloc[row.row]]), errors="coerce").iloc[0]
                values[column] = None if pd.isna(value) else float(value)
        kept[f"{year} {zone['adcode'] or zone['name']}"] = {
            "year": year,
            "name": zone["name"],
            "prefecture": zone["prefecture"],
            "prefecture_adcode": zone["prefecture_adcode"],
            "province": "四川省" if zone["prefecture_adcode"].startswith("51") else "重庆市",
            "values": values,
        }
    return kept


def _warn_about_splits(table, relation, rules, weights, year: int, vintage: str, how: str) -> None:
    """Say where a split is approximate in a way the user may not expect."""
    if how == "population":
        fallback = sorted({b for _w, b in weights.values() if "not found" in b or "no census" in b})
        if fallback:
            sources = sorted({f"{v[1]} ({v[0]})" for v, (_w, b) in weights.items() if b in fallback})
            warnings.warn(
                cap_message(
                    f"how='population': {'; '.join(fallback)}; {', '.join(sources)} of {year} "
                    "split by area there instead; the units they feed are flagged approximate "
                    "(column basis says how each was split)"
                ),
                HarmoniseWarning,
                stacklevel=4,
            )
        return
    counts = [c for c, (rule, _w) in rules.items() if rule == "sum"]
    if not counts:
        return
    by_people = _split_weights(relation, year, vintage, "population")
    names = _names(vintage)
    lines = []
    for row in relation.itertuples():
        version = (row.source_adcode, row.source_name)
        if version not in weights or "census" not in by_people[version][1]:
            continue
        value = pd.to_numeric(pd.Series([table[counts[0]].iloc[row.row]]), errors="coerce").iloc[0]
        if pd.isna(value):
            continue
        targets = sorted(weights[version][0])
        # The same whole-number apportionment the results get, so the numbers match them.
        by_area = _apportion(float(value), [weights[version][0][t] for t in targets])
        by_census = _apportion(float(value), [by_people[version][0][t] for t in targets])
        for target, area_part, census_part in zip(targets, by_area, by_census):
            lines.append(
                f"{version[1]} ({version[0]}) -> {names[target]}: {area_part:,.0f} by area, "
                f"{census_part:,.0f} by the census shares (difference {area_part - census_part:+,.0f})"
            )
    if lines:
        warnings.warn(
            cap_message(
                f"how='area' splits counts whose split is known by population; {counts[0]} of {year}: "
                f"{listing(lines, total=len(lines), limit=4)}; how='population' uses the census shares"
            ),
            HarmoniseWarning,
            stacklevel=4,
        )


def harmonise_totals(result: pd.DataFrame, level: str = "province") -> pd.DataFrame:
    """Prefecture or province totals of a :func:`harmonise` or :func:`panel` result, zones included.

    Development zones whose host county is not documented are kept out of the units, but
    their prefecture is known from their code (5110xx lies in 内江市): they are added here,
    so the totals of the ``"sum"`` columns are those of the input table.

    Parameters
    ----------
    result : pandas.DataFrame
        What :func:`harmonise` or :func:`panel` returned.
    level : {"province", "prefecture"}

    Returns
    -------
    pandas.DataFrame
        One row per province (or prefecture) and, for a panel, year: the ``"sum"`` columns,
        ``n_units`` and ``zones_added`` (the zones counted, ``;``-separated). A unit whose
        value is missing makes its total missing.

    Examples
    --------
    >>> import warnings, chuanyu_geo as cg
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", cg.HarmoniseWarning)
    ...     on2024 = cg.harmonise(cg.load_census(2020), "adcode", year=2020, columns={"population": "sum"})
    >>> int(cg.harmonise_totals(on2024).set_index("province").loc["四川省", "population"])
    83674866
    """
    level = check_choice("level", level, ("province", "prefecture"))
    if not isinstance(result, pd.DataFrame) or "unit" not in result.columns or "columns" not in result.attrs:
        raise InvalidArgumentError("result must be what cg.harmonise or cg.panel returned (with its attrs)")
    counts = [c for c, rule in result.attrs["columns"].items() if rule == "sum"]
    if not counts:
        raise InvalidArgumentError(
            "the result has no 'sum' columns to total; harmonise with columns={...: 'sum'}"
        )
    counties = _unit_table("county", result.attrs["vintage"]).set_index("adcode")
    frame = result.assign(
        prefecture=[
            "+".join(dict.fromkeys(counties.at[c, "prefecture"] for c in u.split("+")))
            for u in result["unit"]
        ],
        zones_added="",
    )
    keys = [level] + (["year"] if "year" in frame.columns and "years" in result.attrs else [])
    zone_rows = pd.DataFrame(
        [
            {
                "province": z["province"],
                "prefecture": z["prefecture"],
                "year": z["year"],
                "zones_added": z["name"],
                **{c: z["values"].get(c, np.nan) for c in counts},
            }
            for z in result.attrs.get("zones_outside", {}).values()
        ],
        columns=["province", "prefecture", "year", "zones_added", *counts],
    )
    both = pd.concat(
        [
            frame[keys + counts + ["zones_added"]].assign(n_units=1),
            zone_rows[keys + counts + ["zones_added"]].assign(n_units=0),
        ],
        ignore_index=True,
    )
    grouped = both.groupby(keys, sort=True)
    totals = grouped[counts].sum(min_count=1)
    for column in counts:  # a missing unit makes its total missing, never smaller
        totals[column] = totals[column].where(~grouped[column].apply(lambda s: s.isna().any()))
    totals["n_units"] = grouped["n_units"].sum()
    totals["zones_added"] = grouped["zones_added"].agg(lambda z: ";".join(x for x in z if x))
    return totals.reset_index()


def panel(
    tables: Mapping[int, pd.DataFrame],
    key: str,
    *,
    to_vintage: str = DEFAULT_VINTAGE,
    columns: Mapping | None = None,
    how: str = "aggregate",
    zones: str = "host",
    allow_partial: bool = False,
) -> pd.DataFrame:
    """A long panel (unit × year) of several years' tables on stable units of one vintage.

    Stable units are formed over all years together, so a unit split between two of the
    years (广安区 -> 广安区 + 前锋区 in 2013) is one unit in every year of the panel.

    Parameters
    ----------
    tables : mapping of int to pandas.DataFrame
        ``{2010: table_2010, 2020: table_2020}``; each read in its own year's codes.
    key, to_vintage, columns, how, zones, allow_partial
        As for :func:`harmonise`; ``columns`` applies to every table.

    Returns
    -------
    pandas.DataFrame
        ``unit``, ``name``, ``province``, ``year``, ``n_sources``, ``missing_parts`` and the
        value columns, sorted by unit and year; :func:`harmonise_report` gives every input
        row of every year.

    Examples
    --------
    >>> import warnings, chuanyu_geo as cg
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", cg.HarmoniseWarning)  # the 2020 zones without a known host
    ...     long = cg.panel({2010: cg.load_census(2010), 2020: cg.load_census(2020)}, "adcode",
    ...                     columns={"population": "sum"})
    >>> sorted(set(long["year"]))
    [2010, 2020]
    >>> bool(long.groupby("unit")["year"].count().eq(2).all())
    True
    """
    if not isinstance(tables, Mapping) or not tables:
        raise InvalidArgumentError(
            "tables must be a non-empty mapping of year -> DataFrame, e.g. {2010: t2010, 2020: t2020}"
        )
    to_vintage = check_choice("to_vintage", to_vintage, VINTAGES)
    how = check_choice("how", how, HOWS)
    zones = check_choice("zones", zones, ZONES)
    _check_flag("allow_partial", allow_partial)
    relations, rule_sets = {}, {}
    for year, table in tables.items():
        _check_table(table, key, year)
        rule_sets[year] = _check_columns(table, columns, key)
        relations[year] = _relation(table, key, int(year), to_vintage, zones)
    if columns is None:
        raise InvalidArgumentError(
            "panel needs columns=, e.g. {'population': 'sum', 'household_size': ('mean', 'households')}"
        )
    joint = _components(list(relations.values()), to_vintage)
    unit_of = joint if how == "aggregate" else {c: (c,) for c in _names(to_vintage)}
    frames, reports, outside = [], [], {}
    for year, table in tables.items():
        relation = _status(relations[year], unit_of, to_vintage)
        out, report = _harmonise_year(
            table, relation, rule_sets[year], unit_of, how, int(year), to_vintage, allow_partial
        )
        frames.append(out.assign(year=int(year)))
        reports.append(report)
        outside.update(_zones_outside(table, relation, rule_sets[year], zones, int(year)))
    long = pd.concat(frames, ignore_index=True).drop(columns="adcodes")
    ordered = ["unit", "name", "province", "year", "n_sources"]
    long = (
        long[ordered + [c for c in long.columns if c not in ordered]]
        .sort_values(["unit", "year"])
        .reset_index(drop=True)
    )
    long.attrs.update(
        vintage=to_vintage,
        how=how,
        zones=zones,
        allow_partial=allow_partial,
        years=tuple(sorted(int(y) for y in tables)),
        columns={c: r if w is None else (r, w) for c, (r, w) in rule_sets[next(iter(tables))].items()},
        zones_outside=outside,
        **{_REPORT_ATTR: _encode_report(pd.concat(reports, ignore_index=True))},
    )
    return long


# --------------------------------------------------------------------------- one-to-one joins

JOIN_LEVELS = UNIT_LEVELS


class UnmatchedRowsError(ChuanyuGeoError, LookupError):
    """Rows of a user table did not match a unit; ``report`` lists every row and why."""

    def __init__(self, message: str, report: pd.DataFrame):
        super().__init__(message)
        self.report = report


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
    zone = _zone(_chinese_key(text), int(VINTAGE_DATES[vintage][:4]))
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
    vintage: str = DEFAULT_VINTAGE,
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
    vintage : {"2024", "2025"}
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
    vintage = check_choice("vintage", vintage, VINTAGES)
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
    vintage: str = DEFAULT_VINTAGE,
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
    >>> from chuanyu_geo.stats import join_values
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
