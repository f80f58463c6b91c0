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
from .gazetteer import _chinese_key, _reach, _resolve, crosswalk

# Historical names and codes are resolved in the earliest vintage, the closest to census years.
_EARLIEST_YEAR = int(VINTAGE_DATES[EARLIEST_VINTAGE][:4])

__all__ = [
    "harmonise",
    "panel",
    "load_census",
    "not_divisions",
    "join_table",
    "join_values",
    "UnmatchedRowsError",
    "HarmoniseWarning",
    "CENSUS_YEARS",
]

HOWS = ("aggregate", "area")
CENSUS_YEARS = (2010, 2020)
_CODE = re.compile(r"\d{6}")
# Close matches are worked out for this many distinct unknown keys of a table; the rest
# are reported as unknown without them (a table of 10^5 junk keys must not take hours).
SUGGESTION_LIMIT = 20
_NO_SUGGESTIONS = f"no suggestions: they are given for the first {SUGGESTION_LIMIT} distinct unknown keys"


class HarmoniseWarning(UserWarning):
    """Rows of a table were left out of a harmonised result (listed in ``attrs["report"]``)."""


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


@functools.lru_cache(maxsize=1)
def _not_divisions() -> pd.DataFrame:
    with resources.files("chuanyu_geo").joinpath("not_divisions.csv").open(encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


def not_divisions() -> pd.DataFrame:
    """Statistical areas with their own codes or names that are not divisions.

    The economic development zones of the 2020 census, and 两江新区 before it became a
    county-level district on 2025-11-06 (``until``).

    Returns
    -------
    pandas.DataFrame
        ``adcode``, ``name``, ``prefecture_adcode``, ``prefecture``, ``kind``, ``until``,
        ``note``, ``source``.

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> list(cg.not_divisions()["name"])
    ['内江经济开发区', '达州经济开发区', '巴中经济开发区', '两江新区']
    """
    return _not_divisions().copy()


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


@functools.lru_cache(maxsize=1)
def _zone_rows() -> dict[str, list[int]]:
    """Name or code -> positions of the rows of ``_not_divisions()``."""
    rows: dict[str, list[int]] = {}
    for position, (code, name) in enumerate(zip(_not_divisions()["adcode"], _not_divisions()["name"])):
        for key in dict.fromkeys((code, name)):
            rows.setdefault(key, []).append(position)
    return rows


def _zone(key: str, year: int) -> pd.Series | None:
    """The not-a-division row a name or code denotes in ``year``, if any."""
    positions = _zone_rows().get(key)
    if positions is None:
        return None
    hits = _not_divisions().iloc[positions]
    in_force = [not until or year < int(until[:4]) for until in hits["until"]]
    hits = hits[np.asarray(in_force, dtype=bool)]
    return hits.iloc[0] if len(hits) else None


def _advance(version: tuple[str, str], year: int, vintage: str) -> tuple[tuple[str, str], str | None]:
    """A former name still used in a table of a later year: the unit it had become by then."""
    note = None
    for date, event_year, old, news in _events(vintage):
        if old == version and event_year is not None and event_year < year and len(news) == 1:
            (new_code, new_name), _share = news[0]
            note = f"{version[1]} ({version[0]}) had become {new_name} ({new_code}) in {date}, before {year}"
            version = news[0][0]
    return version, note


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


def _relation(table: pd.DataFrame, key: str, year: int, vintage: str) -> pd.DataFrame:
    """One row per input row: its source version, status and target adcodes (with shares)."""
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
            found[text] = (version, status, note, targets)
        version, status, note, targets = found[text]
        entry["note"] = note  # e.g. a name already out of date in the table's year
        if version is None:
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


def _components(relations: list[pd.DataFrame], vintage: str) -> dict[str, tuple[str, ...]]:
    """Target adcode -> the stable unit (sorted target adcodes) it belongs to."""
    graph = nx.Graph()
    graph.add_nodes_from(("t", c) for c in _names(vintage))
    for relation in relations:
        # Columns zipped, not itertuples: a table may have 10^5 rows, most of them unlinked.
        rows = zip(relation["year"], relation["source_adcode"], relation["source_name"], relation["targets"])
        for year, code, name, targets in rows:
            for target in targets:
                graph.add_edge(("s", year, code, name), ("t", target))
    unit_of = {}
    for component in nx.connected_components(graph):
        targets = tuple(sorted(c for kind, *rest in component if kind == "t" for c in rest))
        for target in targets:
            unit_of[target] = targets
    return unit_of


def _status(relation: pd.DataFrame, unit_of: dict[str, tuple[str, ...]], vintage: str) -> pd.DataFrame:
    """Each linked row's unit in the result (``unit_of``: target -> its result unit) and status."""
    names = _names(vintage)

    rows_per_unit: dict[tuple, int] = {}
    for targets in relation["targets"]:
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
    )
    for targets, status, code, name, note in rows:
        if not targets:
            units.append(None)
            unit_names.append(None)
            statuses.append(status)
            notes.append(note if isinstance(note, str) or status == "matched" else f"{name} ({code}) -> None")
            continue
        unit = tuple(sorted({c for t in targets for c in unit_of[t]}))
        units.append("+".join(unit))
        unit_names.append("+".join(names[c] for c in unit))
        if len(targets) > 1:
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


def _area_weights(relation: pd.DataFrame, year: int, vintage: str) -> dict[tuple[str, str], dict[str, float]]:
    """Share of each split source's area in each of its targets, from our own fine layers."""
    import shapely

    from .boundaries import load_boundaries
    from .coords import geodesic_area_km2

    before = load_boundaries("county", EARLIEST_VINTAGE, "fine").set_index("adcode").geometry
    after = load_boundaries("county", vintage, "fine").set_index("adcode").geometry
    names_first = _names(EARLIEST_VINTAGE)
    area_first = {c: float(geodesic_area_km2(before[c])) for c in before.index}

    def onward(piece: str) -> dict[str, float]:
        """How a unit of the earliest vintage spreads over the target vintage's (fine layers overlaid)."""
        targets = _descend((piece, names_first[piece]), _EARLIEST_YEAR, vintage)
        if len(targets) == 1:
            return {next(iter(targets)): 1.0}
        areas = {t: float(geodesic_area_km2(shapely.intersection(before[piece], after[t]))) for t in targets}
        return {t: a / sum(areas.values()) for t, a in areas.items()}

    weights = {}
    for row in relation.itertuples():
        if len(row.targets) < 2:
            continue
        # Two steps, so an earlier split gets the same shares whatever the target vintage: the
        # source over its successors in the earliest vintage (by their areas), then each of those onward.
        pieces = _descend((row.source_adcode, row.source_name), year, EARLIEST_VINTAGE)
        total = sum(area_first[p] for p in pieces)
        shares: dict[str, float] = {}
        for piece in pieces:
            for target, fraction in onward(piece).items():
                shares[target] = shares.get(target, 0.0) + area_first[piece] / total * fraction
        weights[(row.source_adcode, row.source_name)] = {t: shares.get(t, 0.0) for t in row.targets}
    return weights


def _combine(
    table: pd.DataFrame, relation: pd.DataFrame, rules, unit_of, how: str, year: int, vintage: str
) -> pd.DataFrame:
    """Values on stable units (aggregate) or on target units (area)."""
    names = _names(vintage)
    weights = _area_weights(relation, year, vintage) if how == "area" else {}
    parts = []  # (unit, fraction, row position)
    for row in relation.itertuples():
        if not row.targets:
            continue
        if how == "aggregate":
            parts.append(("+".join(unit_of[next(iter(row.targets))]), 1.0, row.row, False))
        else:
            w = weights.get((row.source_adcode, row.source_name), {next(iter(row.targets)): 1.0})
            parts.extend((t, f, row.row, len(w) > 1) for t, f in w.items())
    frame = pd.DataFrame(parts, columns=["unit", "fraction", "row", "apportioned"])
    out = frame.groupby("unit", sort=True).agg(
        n_sources=("row", "nunique"), approximate=("apportioned", "any")
    )
    for column, (rule, weight) in rules.items():
        values = pd.to_numeric(table[column], errors="coerce").to_numpy(dtype=float)[frame["row"]]
        if rule == "passthrough":  # one row per unit: its own value, with its own type
            out[column] = (
                pd.Series(table[column].to_numpy()[frame["row"]], index=frame["unit"])
                .groupby(level=0)
                .first()
            )
            continue
        # A missing part makes the combined value missing, never smaller or biased.
        incomplete = pd.Series(np.isnan(values), index=frame["unit"]).groupby(level=0).any()
        if rule == "sum":
            frame[column] = values * frame["fraction"]
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
        out = out.drop(columns="approximate")
    return out


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
) -> pd.DataFrame:
    report = relation.drop(columns="targets")[
        ["row", "key", "year", "source_adcode", "source_name", "status", "unit", "unit_name", "note"]
    ]
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
                f"in .attrs['report']" + (f" ({_NO_SUGGESTIONS})" if unsuggested else "")
            ),
            HarmoniseWarning,
            stacklevel=3,
        )
    return report


def _cut(note, limit: int = 300) -> str:
    """A report note short enough to quote in a message."""
    note = str(note)
    return note if len(note) <= limit else note[:limit] + "…"


def harmonise(
    table: pd.DataFrame,
    key: str,
    *,
    year: int,
    to_vintage: str = DEFAULT_VINTAGE,
    columns: Mapping | None = None,
    how: str = "aggregate",
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
    how : {"aggregate", "area"}
        ``aggregate`` (exact): merges are summed and split units combined into stable units
        (``511602+511603`` 广安区+前锋区). ``area`` (approximate): split sources are
        apportioned to their successors by area on our fine layers; rows that received an
        apportioned value have ``approximate == True``.

    Returns
    -------
    pandas.DataFrame
        ``unit`` (adcodes joined by ``+``), ``name``, ``adcodes``, ``province``,
        ``n_sources`` (input rows combined), (``approximate``) and the value columns.
        ``attrs["report"]`` accounts for every input row: ``status`` is ``matched``,
        ``renamed``, ``merged``, ``split``, ``combined`` (joined with a split neighbour),
        ``not a division``, ``not a county``, ``unknown``, ``ambiguous``, ``duplicate`` or
        ``missing key``, with ``unit`` and a ``note``. Rows left out are also named in a
        :class:`HarmoniseWarning`.

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> census = cg.load_census(2010)
    >>> on2024 = cg.harmonise(census, "adcode", year=2010, columns={"population": "sum"})
    >>> int(on2024.set_index("name").loc["綦江区", "n_sources"])  # 綦江县 + 万盛区
    2
    >>> on2024.attrs["report"].set_index("key").loc["500234", "status"]
    'renamed'
    """
    _check_table(table, key, year)
    to_vintage = check_choice("to_vintage", to_vintage, VINTAGES)
    how = check_choice("how", how, HOWS)
    year = int(year)
    rules = _check_columns(table, columns, key)
    relation = _relation(table, key, year, to_vintage)
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
            combined = relation[relation["status"].isin(["merged", "split", "combined"])]
            examples = ", ".join(f"{r.source_name} -> {r.unit_name}" for r in combined.head(3).itertuples())
            raise InvalidArgumentError(
                f"rows are merged or split on the way to vintage {to_vintage} ({examples}); say how to "
                f"combine each value "
                "column with columns=, e.g. {'population': 'sum', 'household_size': ('mean', 'households')}"
            )
        rules = {
            c: ("passthrough", None) for c in table.columns if c != key
        }  # one row per unit: nothing to combine
    report = _finish(relation)
    out = _combine(table, relation, rules, unit_of, how, year, to_vintage)
    out.attrs.update(
        report=report,
        year=year,
        vintage=to_vintage,
        vintage_date=VINTAGE_DATES[to_vintage],
        how=how,
        precision="exact"
        if how == "aggregate" or not out.get("approximate", pd.Series(False)).any()
        else "approximate",
        columns={c: r if w is None else (r, w) for c, (r, w) in rules.items()},
    )
    return out


def panel(
    tables: Mapping[int, pd.DataFrame],
    key: str,
    *,
    to_vintage: str = DEFAULT_VINTAGE,
    columns: Mapping | None = None,
    how: str = "aggregate",
) -> pd.DataFrame:
    """A long panel (unit × year) of several years' tables on stable units of one vintage.

    Stable units are formed over all years together, so a unit split between two of the
    years (广安区 -> 广安区 + 前锋区 in 2013) is one unit in every year of the panel.

    Parameters
    ----------
    tables : mapping of int to pandas.DataFrame
        ``{2010: table_2010, 2020: table_2020}``; each read in its own year's codes.
    key, to_vintage, columns, how
        As for :func:`harmonise`; ``columns`` applies to every table.

    Returns
    -------
    pandas.DataFrame
        ``unit``, ``name``, ``province``, ``year``, ``n_sources`` and the value columns,
        sorted by unit and year; ``attrs["report"]`` holds every input row of every year.

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> c2020 = cg.load_census(2020)
    >>> c2020 = c2020[~c2020["adcode"].isin(cg.not_divisions()["adcode"])]  # development zones
    >>> long = cg.panel({2010: cg.load_census(2010), 2020: c2020}, "adcode", columns={"population": "sum"})
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
    relations, rule_sets = {}, {}
    for year, table in tables.items():
        _check_table(table, key, year)
        rule_sets[year] = _check_columns(table, columns, key)
        relations[year] = _relation(table, key, int(year), to_vintage)
    if columns is None:
        raise InvalidArgumentError(
            "panel needs columns=, e.g. {'population': 'sum', 'household_size': ('mean', 'households')}"
        )
    joint = _components(list(relations.values()), to_vintage)
    unit_of = joint if how == "aggregate" else {c: (c,) for c in _names(to_vintage)}
    frames, reports = [], []
    for year, table in tables.items():
        relation = _status(relations[year], joint, to_vintage)
        reports.append(_finish(relation))
        frames.append(
            _combine(table, relation, rule_sets[year], unit_of, how, int(year), to_vintage).assign(
                year=int(year)
            )
        )
    long = pd.concat(frames, ignore_index=True).drop(columns="adcodes")
    ordered = ["unit", "name", "province", "year", "n_sources"]
    long = (
        long[ordered + [c for c in long.columns if c not in ordered]]
        .sort_values(["unit", "year"])
        .reset_index(drop=True)
    )
    long.attrs.update(
        report=pd.concat(reports, ignore_index=True),
        vintage=to_vintage,
        how=how,
        years=sorted(int(y) for y in tables),
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
        note = (
            f"{version[1]} ({version[0]}) in {year} is {names[target]} ({target}) in vintage {vintage}"
            if renamed
            else None
        )
        return {
            "status": "renamed" if renamed else "matched",
            "adcode": target,
            "name": names[target],
            "note": note,
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
    zones = _not_divisions()
    positions = _zone_rows().get(_chinese_key(text), []) + _zone_rows().get(text, [])
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
