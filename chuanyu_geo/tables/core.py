"""Harmonise: put a county table of any year, or a panel of years, on a vintage's units.

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

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .._errors import InvalidArgumentError, listing, shown
from ..boundaries import _unit_table, check_choice, check_vintage, vintage_registry
from ..gazetteer import _chinese_key
from .checks import _check_columns, _check_flag, _check_table
from .lineage import (
    SUGGESTION_LIMIT,
    _descend,
    _names,
    _normalise_key,
    _required,
    _same_unit,
    _source_version,
)
from .report import _REPORT_ATTR, _encode_report, _finish
from .splits import _apportioned, _split_weights, _warn_about_splits
from .zones import _zone, _zone_note

__all__ = ["harmonise", "panel"]


HOWS = ("aggregate", "population", "area")


ZONES = ("host", "drop")


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


def _columns(frame: pd.DataFrame, *names: str):
    """The rows of some columns as tuples of Python values. ``tolist`` converts a column at
    once; iterating a Series converts value by value, ten times slower for pandas' Arrow-backed
    text (the default text dtype wherever pyarrow is installed)."""
    return zip(*(frame[name].tolist() for name in names))


def _components(relations: list[pd.DataFrame], vintage: str) -> dict[str, tuple[str, ...]]:
    """Target adcode -> the stable unit (sorted target adcodes) it belongs to.

    Formed from the division changes of every table's year, not only from the rows a table
    holds: 两江新区 and 北碚区 are one stable unit even in a table that lacks 渝北区.
    """
    import networkx as nx  # here: joins and maps import this module, and need no graph

    graph = nx.Graph()
    graph.add_nodes_from(("t", c) for c in _names(vintage))
    for relation in relations:
        # Columns zipped, not itertuples: a table may have 10^5 rows, most of them unlinked.
        rows = _columns(relation, "year", "source_adcode", "source_name", "targets")
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
    for targets, zone in _columns(relation, "targets", "zone"):
        if isinstance(zone, str):  # an addition to its host, not a part that was merged
            continue
        for target in targets:
            rows_per_unit[unit_of[target]] = rows_per_unit.get(unit_of[target], 0) + 1
    units: list[str | None] = []
    unit_names: list[str | None] = []
    statuses: list[str] = []
    notes: list[str | None] = []
    # Columns zipped, not itertuples: a table may have 10^5 rows.
    rows = _columns(relation, "targets", "status", "source_adcode", "source_name", "note", "zone")
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
    for targets, position, code, name in _columns(relation, "targets", "row", "source_adcode", "source_name"):
        if not targets:
            continue
        if how == "aggregate":
            parts.append(("+".join(unit_of[next(iter(targets))]), 1.0, position, False, ""))
            continue
        w, basis = weights.get((code, name), ({next(iter(targets)): 1.0}, ""))
        parts.extend((t, f, position, len(w) > 1, basis if len(w) > 1 else "") for t, f in w.items())
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


def _passthrough_ok(relation: pd.DataFrame, unit_of) -> bool:
    linked = relation[relation["targets"].map(len) > 0]
    units = ["+".join(unit_of[next(iter(t))]) for t in linked["targets"]]
    return (
        all(len(t) == 1 for t in linked["targets"])
        and len(set(units)) == len(units)
        and all("+" not in u for u in units)
    )


def harmonise(
    table: pd.DataFrame,
    key: str,
    *,
    year: int,
    to_vintage: str | None = None,
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
    to_vintage : str, optional
        An id of the vintage registry (``cg.VINTAGES``); None: the registry's default.
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
    to_vintage = check_vintage(to_vintage, "to_vintage")
    how = check_choice("how", how, HOWS)
    zones = check_choice("zones", zones, ZONES)
    _check_flag("allow_partial", allow_partial)
    year = int(year)
    rules = _check_columns(table, columns, key)
    relation = _relation(table, key, year, to_vintage, zones)
    components = _components([relation], to_vintage)
    unit_of: dict[str, tuple[str, ...]] = (
        components if how == "aggregate" else {c: (c,) for c in _names(to_vintage)}
    )
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
        vintage_date=vintage_registry().dates[to_vintage],
        how=how,
        zones=zones,
        allow_partial=allow_partial,
        precision=precision,
        columns={c: r if w is None else (r, w) for c, (r, w) in rules.items()},
        zones_outside=_zones_outside(table, relation, rules, zones, year),
        **{_REPORT_ATTR: _encode_report(report)},
    )
    return out


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


def panel(
    tables: Mapping[int, pd.DataFrame],
    key: str,
    *,
    to_vintage: str | None = None,
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
    to_vintage = check_vintage(to_vintage, "to_vintage")
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
    unit_of: dict[str, tuple[str, ...]] = (
        joint if how == "aggregate" else {c: (c,) for c in _names(to_vintage)}
    )
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
