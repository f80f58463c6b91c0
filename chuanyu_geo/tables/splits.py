"""Splits: apportion a source unit that was split among its successors, by population or area.

Used by ``how="population"`` and ``how="area"`` of :func:`harmonise`: the shares of each split
source in its targets (census shares, the 2020 population of towns that changed county, or
areas on our fine layers), whole-number apportionment, and the warnings about both.
"""

from __future__ import annotations

import functools
import math
import warnings

import numpy as np
import pandas as pd

from .._errors import cap_message, listing
from ..boundaries import vintage_registry
from ..sources import package_data_path
from .census import CENSUS_YEARS, load_census
from .lineage import _descend, _names
from .report import HarmoniseWarning

# Historical names and codes are resolved in the earliest vintage, the closest to census years.


def _earliest_year() -> int:
    registry = vintage_registry()
    return int(registry.dates[registry.earliest][:4])


@functools.cache
def _fine_areas(vintage: str) -> tuple[dict[str, float], pd.Series, pd.Series]:
    """Geodesic areas of the earliest vintage's units, and both fine layers' geometries."""
    from ..boundaries import load_boundaries
    from ..coords import geodesic_area_km2

    before = load_boundaries("county", vintage_registry().earliest, "fine").set_index("adcode").geometry
    after = load_boundaries("county", vintage, "fine").set_index("adcode").geometry
    return {c: float(geodesic_area_km2(before[c])) for c in before.index}, before, after


def _area_onward(piece: str, vintage: str) -> dict[str, float]:
    """How a unit of the earliest vintage spreads over the target vintage's, by area (fine layers)."""
    import shapely

    from ..coords import geodesic_area_km2

    targets = _descend((piece, _names(vintage_registry().earliest)[piece]), _earliest_year(), vintage)
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
    names = _names(vintage_registry().earliest)
    for census_year in sorted(CENSUS_YEARS, key=lambda c: (abs(c - year), c)):
        counts = _census_counties(census_year)
        found = [counts.get((p, names[p])) for p in pieces]
        people = [n for n in found if n is not None]
        if len(people) == len(pieces) and sum(people) > 0:
            return {p: n / sum(people) for p, n in zip(pieces, people)}, census_year
    return None


@functools.cache
def _town_table() -> pd.DataFrame:
    """``data/town_population_2020.csv``: towns that changed county, with their 2020 population."""
    path = package_data_path("town_population_2020.csv")
    with path.open(encoding="utf-8") as fh:
        return pd.read_csv(
            fh, dtype={"population": float}, keep_default_na=False, na_values={"population": [""]}
        )


def _town_onward(piece: str, vintage: str) -> tuple[dict[str, float] | None, list[str]]:
    """A unit's shares in the target vintage by the 2020 population of the towns it gave away.

    Returns (shares, towns without a figure); shares is None when any town lacks one.
    """
    name = _names(vintage_registry().earliest)[piece]
    targets = _descend((piece, name), _earliest_year(), vintage)
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
        pieces = sorted(_descend(version, year, vintage_registry().earliest))
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


def _apportioned(values: np.ndarray, frame: pd.DataFrame) -> np.ndarray:
    """Each row's value spread over its parts so that the parts add up to it exactly."""
    result = values * frame["fraction"].to_numpy()
    split = frame.index[frame["apportioned"].to_numpy()]
    for _row, positions in frame.loc[split].groupby("row").groups.items():
        positions = list(positions)
        result[positions] = _apportion(values[positions[0]], list(frame.loc[positions, "fraction"]))
    return result


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
