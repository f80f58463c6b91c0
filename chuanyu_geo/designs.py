"""The policy-evaluation design as data: unit and cross-border pair panels, and what they identify.

A panel carries the treatment coding of :func:`chuanyu_geo.treatment_table` per unit and year
(``first_treated``, ``event_time``, ``treated``, ``ever_treated``), the unit's platforms and
cross-border pairs, and its exposure to treated neighbours. An outcome table of any year's
codes or names is put on the panel's units through :func:`chuanyu_geo.harmonise`; every
missing outcome is named in a warning. :func:`design_report` counts what a design can
identify before anything is estimated.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Mapping
from dataclasses import astuple

import numpy as np
import pandas as pd

from ._errors import InvalidArgumentError, listing
from .adjacency import _distance_to_border_km, cross_border_pairs, graph_for
from .boundaries import DEFAULT_DETAIL, MEMBER_LEVELS, Layer, check_choice, unit_table, vintage_registry
from .gazetteer import crosswalk
from .platforms import plan_of, platform_set_of
from .tables.core import harmonise, panel
from .treatment import TREATMENT_EVENTS, YEAR_RULES, treatment_table

__all__ = ["unit_panel", "border_pair_panel", "design_report", "DesignWarning", "UNKNOWN_POLICIES"]

UNKNOWN_POLICIES = ("exclude", "never", "error")
DESIGN_LEVELS = MEMBER_LEVELS


class DesignWarning(UserWarning):
    """Something in a design that changes what is estimated: units dropped, outcomes missing."""


# --------------------------------------------------------------------------- per-unit coding


def _unit_coding(treatment: pd.DataFrame) -> pd.DataFrame:
    """One row per treated unit: its platforms and its cohort, NA when any of its dates is unknown.

    The earliest known date cannot stand for a unit when another of its platforms has an
    unknown date (that date may be earlier): the unit's cohort is then unknown.
    """
    rows = {}
    for code, group in treatment.groupby("adcode", sort=False):
        known = group["first_treated"].notna()
        platforms = tuple(group["platform_id"])
        notes = [n for n in group["treatment_note"] if n]
        if known.all():
            first = int(group["first_treated"].min())
            share = float(group.loc[group["first_treated"] == first, "first_year_share"].max())
        else:
            first, share = pd.NA, np.nan
            unknown = "、".join(group.loc[~known, "platform"])
            notes.append(f"cohort unknown: the date of {unknown} was not found (it may be the earliest)")
        rows[code] = {
            "platforms": "、".join(platforms),
            "n_platforms": len(platforms),
            "first_treated": first,
            "first_year_share": share,
            "treatment_note": "; ".join(dict.fromkeys(notes)),
        }
    coded = pd.DataFrame.from_dict(rows, orient="index")
    coded["first_treated"] = coded["first_treated"].astype("Int64")
    return coded


def _combined_coding(unit: str, coding: pd.DataFrame, history: pd.DataFrame, vintage: str) -> dict:
    """The coding of a stable unit ``a+b``: by the treatment of the territory it holds in every year.

    Its parts, traced back through the crosswalk to the plan's vintage, give its cohort: the
    earliest of theirs (unknown if any is unknown).
    """
    parts = unit.split("+")
    changes = crosswalk(vintage)
    candidates = set(parts) | set(changes.loc[changes["new_adcode"].isin(parts), "old_adcode"])
    sources = [c for c in candidates if c in history.index] or [p for p in parts if p in coding.index]
    base = history if set(sources) <= set(history.index) else coding
    rows = base.reindex(sources)
    treated = rows.dropna(subset=["platforms"])
    platforms = "、".join(dict.fromkeys(p for s in treated["platforms"] for p in s.split("、")))
    if treated.empty:
        first, share = 0, np.nan
    elif treated["first_treated"].isna().any():
        first, share = pd.NA, np.nan
    else:
        first = int(treated["first_treated"].min())
        share = float(treated.loc[treated["first_treated"] == first, "first_year_share"].max())
    return {
        "platforms": platforms,
        "n_platforms": len(platforms.split("、")) if platforms else 0,
        "first_treated": first,
        "first_year_share": share,
        "treatment_note": f"stable unit {unit}: treated as the territory it holds in every year "
        f"({', '.join(sorted(sources))}) was",
    }


def _yearly(frame: pd.DataFrame) -> pd.DataFrame:
    """``event_time``, ``treated`` and ``ever_treated`` from ``first_treated`` and ``year``."""
    first = frame["first_treated"]
    known = first.notna()
    ever = first.fillna(0).gt(0)
    event_time = (frame["year"] - first).where(known & ever)
    frame["event_time"] = event_time.astype("Int64")
    treated = pd.Series(np.where(event_time.fillna(-1).ge(0), 1.0, 0.0), index=frame.index)
    share = frame["first_year_share"].fillna(1.0)
    treated = treated.where(~event_time.eq(0).fillna(False), share)
    frame["treated"] = treated.where(known)
    frame["ever_treated"] = pd.array(np.where(ever, 1, 0), dtype="Int64")
    frame.loc[~known, "ever_treated"] = pd.NA
    return frame


def _exposure(frame: pd.DataFrame, graph, id_col: str) -> pd.DataFrame:
    """Share of each unit's shared border km with units treated (and of unknown status) that year."""
    status = frame.drop_duplicates([id_col, "year"]).set_index([id_col, "year"])["treated"]
    exposure, unknown = [], []
    for code, year in zip(frame[id_col], frame["year"]):
        neighbours = [
            (n, d["shared_km"]) for n, d in graph.adj.get(code, {}).items() if d.get("contact") == "edge"
        ]
        total = sum(km for _, km in neighbours)
        if total == 0:
            exposure.append(np.nan)
            unknown.append(np.nan)
            continue
        values = [(status.get((n, year), 0.0), km) for n, km in neighbours]
        exposure.append(sum(km * v for v, km in values if pd.notna(v)) / total)
        unknown.append(sum(km for v, km in values if pd.isna(v)) / total)
    frame["exposure"] = np.round(exposure, 6)
    frame["exposure_unknown"] = np.round(unknown, 6)
    return frame


# --------------------------------------------------------------------------- outcomes


def _outcome(table, key, year_col, columns, vintage, years, table_year) -> pd.DataFrame:
    """A user's table on the panel vintage's units: ``unit``, ``year`` and the value columns."""
    if not isinstance(table, pd.DataFrame):
        raise InvalidArgumentError(f"table must be a pandas DataFrame, got {type(table).__name__}")
    if not isinstance(key, Hashable) or key is None or key not in table.columns:
        raise InvalidArgumentError(f"key={key!r} must name the code or name column of the table")
    if _harmonised_on(table, vintage) and key == "unit":
        # Already on this vintage's units (stable units included): taken as it is, not re-read.
        # Without a year column its values hold for every panel year (spread below).
        long = table.rename(columns={year_col: "year"}) if year_col in table.columns else table.assign(year=0)
    else:
        long = _harmonised_outcome(table, key, year_col, columns, vintage, table_year)
    long = long.drop(columns=[c for c in _DESCRIPTIVE if c in long.columns])
    if year_col not in table.columns:
        long = pd.concat([long.drop(columns="year").assign(year=y) for y in years], ignore_index=True)
    if long.duplicated(["unit", "year"]).any():
        raise InvalidArgumentError("the table gives several rows for one unit and year; expected one")
    return long


# What harmonise adds about each unit; a panel keeps the unit key and the values.
_DESCRIPTIVE = ("name", "province", "adcodes", "n_sources", "missing_parts")


def _harmonised_outcome(table, key, year_col, columns, vintage, table_year) -> pd.DataFrame:
    """A yearbook table (or one per year) read in its own year(s) and put on ``vintage``'s units."""
    if year_col in table.columns:
        tables = {int(y): g.drop(columns=year_col) for y, g in table.groupby(year_col, sort=True)}
    else:
        tables = {int(table_year or vintage_registry().dates[vintage][:4]): table}
    if columns is not None:
        long = panel(tables, key, to_vintage=vintage, columns=columns)
    else:
        long = pd.concat(
            [harmonise(t, key, year=y, to_vintage=vintage).assign(year=y) for y, t in tables.items()],
            ignore_index=True,
        )
    return long


def _harmonised_on(table: pd.DataFrame, vintage: str) -> bool:
    """Whether ``table`` is a harmonise (or panel) result on ``vintage``'s units."""
    return "harmonise_report" in table.attrs and str(table.attrs.get("vintage")) == str(vintage)


def _warn_missing(frame: pd.DataFrame, values: list[str], id_col: str) -> None:
    """Name every unit-year whose outcome is missing: a panel never carries a silent NaN."""
    for column in values:
        missing = frame.loc[frame[column].isna()].drop_duplicates([id_col, "year"])
        if missing.empty:
            continue
        by_unit = missing.groupby(["unit", "name"], sort=True)["year"].agg(
            lambda y: ",".join(map(str, sorted(y)))
        )
        shown = [f"{name} {unit} ({years})" for (unit, name), years in by_unit.items()]
        warnings.warn(
            f"{column!r} is missing for {len(missing)} unit-years: {listing(shown, total=len(shown))}",
            DesignWarning,
            stacklevel=3,
        )


def _unit_rows(level, vintage, plan, event, how):
    chosen = platform_set_of(None, plan)
    treatment = treatment_table(level=level, vintage=vintage, event=event, platform_set=chosen, how=how)
    return chosen, treatment, _unit_coding(treatment)


# --------------------------------------------------------------------------- panels


def unit_panel(
    table: pd.DataFrame | None = None,
    *,
    key: str | None = None,
    columns: Mapping | None = None,
    plan: str | None = None,
    level: str = "county",
    vintage: str | None = None,
    detail: str = DEFAULT_DETAIL,
    years=range(2015, 2024),
    event: str = "designated",
    how: str = "first_full_year",
    year_col: str = "year",
    table_year: int | None = None,
) -> pd.DataFrame:
    """A unit × year panel of every unit of Sichuan and Chongqing, with its treatment coding.

    Parameters
    ----------
    table : pandas.DataFrame, optional
        Outcomes: a long table with ``key`` and ``year_col``, each year's rows read in that
        year's codes or names, or one row per unit (read in ``table_year``'s codes, by default
        the vintage's year). It is put on the panel's units by :func:`chuanyu_geo.harmonise`
        (:func:`chuanyu_geo.panel` when ``columns`` is given): with the default vintage 2024,
        years before 2025 are on the 2024 units; with ``vintage="2025"`` they are carried onto
        the 2025 units, and units that cannot be separated become one stable unit (``a+b``).
    key : str, optional
        The code or name column of ``table``.
    columns : mapping, optional
        How to combine values when units merged or split (``{"gdp": "sum"}``), as for
        :func:`chuanyu_geo.harmonise`.
    plan, event, how
        As for :func:`chuanyu_geo.treatment_table`.
    level, vintage, detail : str
        The units, and the layer shared border lengths come from.
    years : iterable of int
    year_col : str
        The year column of a long ``table``.
    table_year : int, optional
        The year of the codes of a ``table`` without a year column.

    Returns
    -------
    pandas.DataFrame
        ``unit``, ``name``, ``province``, ``prefecture``, ``year``, ``platforms`` (ids joined
        by 、), ``n_platforms``, ``pair_ids`` (the cross-border pairs the unit is in, by ``;``),
        ``n_pairs``, ``first_treated`` (cohort year; 0 = never treated; NA = date unknown),
        ``event_time`` (year − cohort; NA if never treated or unknown), ``treated`` (0/1, or
        the share of the first year under ``share_of_year``; NA if unknown),
        ``ever_treated``, ``exposure`` (share of the unit's shared border km with units
        treated that year), ``exposure_unknown`` (share with units of unknown status),
        ``treatment_note``, and the outcome columns. A missing outcome is named in a
        :class:`DesignWarning`. ``attrs`` holds the design's keys.

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> units = cg.unit_panel(years=range(2018, 2023))
    >>> len(units), units["unit"].nunique()
    (1105, 221)
    >>> units.loc[units["name"] == "潼南区", "treated"].tolist()  # 2018 to 2022
    [0.0, 0.0, 0.0, 1.0, 1.0]
    """
    level, vintage, detail = astuple(Layer.resolve(level, vintage, detail, levels=DESIGN_LEVELS))
    event = check_choice("event", event, TREATMENT_EVENTS)
    how = check_choice("how", how, YEAR_RULES)
    years = _years(years)
    chosen, treatment, coding = _unit_rows(level, vintage, plan, event, how)
    units = unit_table(level, vintage)[["adcode", "name", "province", "prefecture"]].set_index("adcode")
    base = units.join(coding, how="left")
    base["platforms"] = base["platforms"].fillna("")
    base["n_platforms"] = base["n_platforms"].fillna(0).astype(int)
    base["first_treated"] = base["first_treated"].astype("Int64")
    never = base["platforms"].eq("")
    base.loc[never, "first_treated"] = 0
    base["treatment_note"] = base["treatment_note"].fillna("")
    graph = graph_for(None, level, vintage, detail, DESIGN_LEVELS)
    pairs = cross_border_pairs(graph=graph)
    pair_of: dict[str, list[str]] = {}
    for a, b in zip(pairs["adcode_a"], pairs["adcode_b"]):
        for code in (a, b):
            pair_of.setdefault(code, []).append(f"{a}-{b}")
    base["pair_ids"] = [";".join(pair_of.get(c, [])) for c in base.index]
    base["n_pairs"] = [len(pair_of.get(c, [])) for c in base.index]
    outcome = None
    if table is not None:
        outcome = _outcome(table, key, year_col, columns, vintage, years, table_year)
        base = _collapse(base, sorted(set(outcome["unit"])), level, vintage, plan, event, how)
    frame = base.rename_axis("unit").reset_index()
    frame = frame.merge(pd.DataFrame({"year": years}), how="cross")
    frame = _exposure(_yearly(frame), graph, "unit")
    ordered = [
        "unit", "name", "province", "prefecture", "year", "platforms", "n_platforms", "pair_ids", "n_pairs",
        "first_treated", "event_time", "treated", "ever_treated", "exposure", "exposure_unknown",
        "treatment_note",
    ]  # fmt: skip
    frame = frame[ordered]
    if outcome is not None:
        values = [c for c in outcome.columns if c not in ("unit", "year")]
        frame = frame.merge(outcome, on=["unit", "year"], how="left", validate="one_to_one")
        _warn_missing(frame, values, "unit")
    frame.attrs.update(
        design="unit", plan=plan_of(chosen), level=level, vintage=vintage, detail=detail, event=event,
        year_rule=how, source=graph.graph["source"], years=tuple(years),
    )  # fmt: skip
    return frame


def _years(years) -> list[int]:
    years = [int(y) for y in years]
    if not years:
        raise InvalidArgumentError("years is empty; expected e.g. range(2015, 2024)")
    return years


def _collapse(base, outcome_units, level, vintage, plan, event, how) -> pd.DataFrame:
    """Merge panel units that the outcome holds only as one stable unit (``a+b``)."""
    combined = [u for u in outcome_units if "+" in u]
    if not combined:
        return base
    history = _unit_rows(level, vintage_registry().default, plan, event, how)[2]
    rows = []
    for unit in combined:
        parts = [p for p in unit.split("+") if p in base.index]
        if not parts:
            continue
        first = base.loc[parts[0]]
        row = first.copy()
        row.update(pd.Series(_combined_coding(unit, base, history, vintage)))
        row["name"] = "+".join(base.loc[parts, "name"])
        row["pair_ids"] = ";".join(p for p in base.loc[parts, "pair_ids"] if p)
        row["n_pairs"] = int(base.loc[parts, "n_pairs"].sum())
        rows.append(row.rename(unit))
        base = base.drop(index=parts)
    out = pd.concat([base, pd.DataFrame(rows)])
    out["first_treated"] = out["first_treated"].astype("Int64")
    return out


def border_pair_panel(
    table: pd.DataFrame | None = None,
    *,
    key: str | None = None,
    columns: Mapping | None = None,
    plan: str | None = None,
    level: str = "county",
    vintage: str | None = None,
    detail: str = DEFAULT_DETAIL,
    years=range(2015, 2024),
    event: str = "designated",
    how: str = "first_full_year",
    year_col: str = "year",
    table_year: int | None = None,
) -> pd.DataFrame:
    """The contiguous cross-border pair design: one row per pair × year × side.

    Each pair of units that touch across the Sichuan–Chongqing border is a pair (a pair
    fixed effect, ``pair_id``); each year gives a pair × year cell; each pair has a Sichuan
    side ``a`` and a Chongqing side ``b``. A unit in several pairs appears in each of them
    (``n_pairs`` says how many): cluster on the unit as well as the pair.

    Parameters
    ----------
    table, key, columns, year_col, table_year
        Outcomes, as for :func:`unit_panel` (harmonised onto the vintage's units; every
        missing outcome is named in a :class:`DesignWarning`).
    plan : str, optional
        Which plan's platforms and dates; default the 2020 plan.
    level, vintage, detail : str
        The units, and the layer the pairs and shared lengths come from.
    years : iterable of int
    event : {"designated", "overall_plan"}
        Which date treats a unit (see :func:`chuanyu_geo.treatment_table`).
    how : {"first_full_year", "any_day", "share_of_year"}
        The year rule (see :func:`chuanyu_geo.treatment_table`).

    Returns
    -------
    pandas.DataFrame
        ``pair_id``, ``year``, ``side`` (``a`` Sichuan, ``b`` Chongqing), ``unit`` and
        ``adcode`` (the same code), ``name``, ``province``, ``partner_adcode`` (the other
        side), ``shared_km``, ``distance_to_border_km`` (from the unit's label point),
        ``platforms``, ``n_platforms``, ``n_pairs``, ``treatment_date`` (the earliest date of
        its platforms; NaT when any is unknown), ``first_treated`` (cohort; 0 = never; NA =
        unknown), ``event_time``, ``treated`` (NA when unknown), ``ever_treated``,
        ``exposure``, ``exposure_unknown``, ``same_platform`` (both sides in one platform),
        ``treatment_note`` and the outcome columns.

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> design = cg.border_pair_panel(years=range(2015, 2024))
    >>> design["pair_id"].nunique(), len(design)
    (29, 522)
    >>> int(design.loc[design["name"] == "邻水县", "n_pairs"].iloc[0])
    3
    """
    level, vintage, detail = astuple(Layer.resolve(level, vintage, detail, levels=DESIGN_LEVELS))
    event = check_choice("event", event, TREATMENT_EVENTS)
    how = check_choice("how", how, YEAR_RULES)
    years = _years(years)
    graph = graph_for(None, level, vintage, detail, DESIGN_LEVELS)
    pairs = cross_border_pairs(graph=graph).reset_index(drop=True)
    chosen, treatment, coding = _unit_rows(level, vintage, plan, event, how)
    dates = treatment.groupby("adcode")["treated"].agg(lambda d: d.min() if d.notna().all() else pd.NaT)
    distance = _distance_to_border_km(level, vintage, detail)
    in_pairs = pd.concat([pairs["adcode_a"], pairs["adcode_b"]]).value_counts()
    outcome = None if table is None else _outcome(table, key, year_col, columns, vintage, years, table_year)
    # A side the outcome holds only as part of a stable unit (两江新区+北碚区) is that unit: its
    # value is the stable unit's, and so is its treatment (the territory it holds, every year).
    held_by = {}
    if outcome is not None:
        history = _unit_rows(level, vintage_registry().default, plan, event, how)[2]
        for stable in (u for u in outcome["unit"].unique() if "+" in str(u)):
            held_by.update({part: stable for part in str(stable).split("+")})
            combined = pd.DataFrame([_combined_coding(stable, coding, history, vintage)], index=[stable])
            coding = pd.concat([coding.drop(index=stable, errors="ignore"), combined])
        coding["first_treated"] = coding["first_treated"].astype("Int64")
    rows = []
    for pair in pairs.itertuples():
        platforms_a = set(coding["platforms"].get(pair.adcode_a, "").split("、")) - {""}
        platforms_b = set(coding["platforms"].get(pair.adcode_b, "").split("、")) - {""}
        for side, code, name, province, other in (
            ("a", pair.adcode_a, pair.name_a, pair.province_a, pair.adcode_b),
            ("b", pair.adcode_b, pair.name_b, pair.province_b, pair.adcode_a),
        ):
            unit = held_by.get(code, code)
            member = unit in coding.index
            rows.append(
                {
                    "pair_id": f"{pair.adcode_a}-{pair.adcode_b}",
                    "side": side,
                    "unit": unit,
                    "adcode": code,
                    "name": name,
                    "province": province,
                    "partner_adcode": other,
                    "shared_km": round(float(pair.shared_km), 2),
                    "distance_to_border_km": distance[code],
                    "platforms": coding["platforms"].get(unit, ""),
                    "n_platforms": int(coding["n_platforms"].get(unit, 0)),
                    "n_pairs": int(in_pairs[code]),
                    "treatment_date": dates.get(code, pd.NaT) if unit == code else pd.NaT,
                    "first_treated": coding["first_treated"].get(unit) if member else 0,
                    "first_year_share": coding["first_year_share"].get(unit, np.nan),
                    "same_platform": bool(platforms_a & platforms_b),
                    "treatment_note": coding["treatment_note"].get(unit, ""),
                }
            )
    frame = pd.DataFrame(rows).merge(pd.DataFrame({"year": years}), how="cross")
    frame["first_treated"] = frame["first_treated"].astype("Int64")
    # Exposure is read on the county that touches the border (a stable unit's part on the pair).
    frame = _exposure(_yearly(frame), graph, "adcode").drop(columns="first_year_share")
    ordered = [
        "pair_id", "year", "side", "unit", "adcode", "name", "province", "partner_adcode", "shared_km",
        "distance_to_border_km", "platforms", "n_platforms", "n_pairs", "treatment_date", "first_treated",
        "event_time", "treated", "ever_treated", "exposure", "exposure_unknown", "same_platform",
        "treatment_note",
    ]  # fmt: skip
    frame = frame[ordered]
    if outcome is not None:
        values = [c for c in outcome.columns if c not in ("unit", "year")]
        frame = frame.merge(outcome, on=["unit", "year"], how="left", validate="many_to_one")
        _warn_missing(frame, values, "unit")
    frame.attrs.update(
        design="pair", plan=plan_of(chosen), level=level, vintage=vintage, detail=detail, event=event,
        year_rule=how, source=graph.graph["source"], years=tuple(years),
    )  # fmt: skip
    return frame


# --------------------------------------------------------------------------- what a design identifies


def apply_unknown(frame: pd.DataFrame, unknown: str, stacklevel: int = 3) -> pd.DataFrame:
    """Drop (``exclude``), code as never treated (``never``) or refuse (``error``) unknown dates."""
    missing = frame["first_treated"].isna()
    if not missing.any():
        return frame
    names = sorted(set(frame.loc[missing, "name"]))
    if unknown == "error":
        raise InvalidArgumentError(
            f"the treatment date of {len(names)} units is unknown ({'、'.join(names)}); pass "
            f'unknown="exclude" to drop them or unknown="never" to count them as never treated'
        )
    if unknown == "exclude":
        warnings.warn(
            f"{len(names)} units with an unknown treatment date are left out: {'、'.join(names)} "
            f'(unknown="never" counts them as never treated)',
            DesignWarning,
            stacklevel=stacklevel,
        )
        return frame.loc[~missing].reset_index(drop=True)
    frame = frame.copy()
    frame.loc[missing, "first_treated"] = 0
    frame.loc[missing, "treated"] = 0.0
    frame.loc[missing, "ever_treated"] = 0
    frame.loc[missing, "event_time"] = pd.NA
    frame.loc[missing, "treatment_note"] = (
        frame.loc[missing, "treatment_note"] + '; counted as never treated (unknown="never")'
    )
    return frame


def default_fe(frame: pd.DataFrame) -> str:
    """``unit + pair_id^year`` for the pair design, ``unit + year`` for a unit panel."""
    return "unit + pair_id^year" if _is_pair(frame) else "unit + year"


def _is_pair(frame: pd.DataFrame) -> bool:
    return "pair_id" in frame.columns and "side" in frame.columns


def _dummies(frame: pd.DataFrame, fe: str) -> np.ndarray:
    blocks = []
    for term in (t.strip() for t in fe.split("+")):
        parts = term.split("^")
        for part in parts:
            if part not in frame.columns:
                raise InvalidArgumentError(f"fixed effect {part!r} is not a column of the panel")
        labels = frame[parts].astype(str).agg("|".join, axis=1)
        codes, uniques = pd.factorize(labels)
        block = np.zeros((len(frame), len(uniques)))
        block[np.arange(len(frame)), codes] = 1.0
        blocks.append(block)
    return np.hstack(blocks)


def residual_treatment(frame: pd.DataFrame, fe: str, column: str = "treated") -> np.ndarray:
    """The treatment left after the fixed effects (Frisch–Waugh–Lovell): what identifies the effect."""
    dummies = _dummies(frame, fe)
    d = frame[column].to_numpy(dtype=float)
    coef, *_ = np.linalg.lstsq(dummies, d, rcond=None)
    residual = d - dummies @ coef
    residual[np.abs(residual) < 1e-9] = 0.0
    return residual


def contrast_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Pair × year cells whose two sides differ in treatment: the pair design's only contrast."""
    spread = frame.groupby(["pair_id", "year"])["treated"].agg(lambda t: t.max() - t.min())
    return spread[spread > 0].reset_index()[["pair_id", "year"]]


def _simulated_mde(frame, fe, sd, rho, draws, seed, alpha, power) -> tuple[float, float]:
    """(MDE, sd of the estimate) of the TWFE coefficient under AR(1) unit noise of marginal sd ``sd``."""
    from statistics import NormalDist

    residual = residual_treatment(frame, fe)
    scale = float(residual @ residual)
    if scale == 0:
        return np.nan, np.nan
    units, unit_index = np.unique(frame["unit"].to_numpy(), return_inverse=True)
    years = np.sort(frame["year"].unique())
    year_index = np.searchsorted(years, frame["year"].to_numpy())
    rng = np.random.default_rng(seed)
    estimates = np.empty(draws)
    for k in range(draws):
        shocks = rng.normal(0.0, sd * np.sqrt(1 - rho**2), size=(len(units), len(years)))
        noise = np.empty_like(shocks)
        noise[:, 0] = rng.normal(0.0, sd, size=len(units))
        for t in range(1, len(years)):
            noise[:, t] = rho * noise[:, t - 1] + shocks[:, t]
        estimates[k] = residual @ noise[unit_index, year_index] / scale
    spread = float(estimates.std(ddof=1))
    z = NormalDist().inv_cdf(1 - alpha / 2) + NormalDist().inv_cdf(power)
    return z * spread, spread


def design_report(
    panel: pd.DataFrame,
    *,
    sd: float = 1.0,
    fe: str | None = None,
    unknown: str = "exclude",
    rho: float = 0.5,
    draws: int = 200,
    seed: int = 0,
    alpha: float = 0.05,
    power: float = 0.8,
    show: bool = True,
) -> pd.DataFrame:
    """What a design can identify, counted before anything is estimated.

    Parameters
    ----------
    panel : pandas.DataFrame
        From :func:`unit_panel` or :func:`border_pair_panel`.
    sd : float
        The outcome's standard deviation within units (after unit and year effects), for the
        minimum detectable effect.
    fe : str, optional
        Fixed effects as in :func:`chuanyu_geo.did` (default ``unit + pair_id^year`` for the
        pair design, ``unit + year`` for a unit panel).
    unknown : {"exclude", "never", "error"}
        Units with an unknown treatment date (see :func:`chuanyu_geo.did`).
    rho : float
        Year-to-year autocorrelation of the simulated noise.
    draws, seed : int
        Simulations of the noise on the real design (a local generator: no global state).
    alpha, power : float
        Test size and power of the minimum detectable effect.
    show : bool
        Print the table.

    Returns
    -------
    pandas.DataFrame
        ``section`` (``cohorts``, ``contrast``, ``clusters``, ``several pairs``, ``power``),
        ``item``, ``value`` and ``note``.

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> report = cg.design_report(cg.border_pair_panel(plan="2020"), show=False)
    >>> report.set_index("item").loc[["pairs", "pairs with contrast"], "value"].tolist()
    [29, 0]
    """
    unknown = check_choice("unknown", unknown, UNKNOWN_POLICIES)
    frame = apply_unknown(panel, unknown, stacklevel=3)
    fe = fe or default_fe(frame)
    pair = _is_pair(frame)
    rows: list[tuple[str, str, float, str]] = []
    units = frame.drop_duplicates("unit")
    for cohort, group in units.groupby("first_treated", sort=True):
        label = "never treated" if cohort == 0 else f"cohort {cohort}"
        n_pairs = frame.loc[frame["unit"].isin(group["unit"]), "pair_id"].nunique() if pair else None
        rows.append(("cohorts", label, len(group), f"{n_pairs} pairs" if pair else ""))
    if pair:
        cells = contrast_cells(frame)
        rows += [
            ("contrast", "pairs", frame["pair_id"].nunique(), ""),
            ("contrast", "pair-year cells", frame[["pair_id", "year"]].drop_duplicates().shape[0], ""),
            ("contrast", "cells with contrast", len(cells), "the two sides differ in treatment"),
            ("contrast", "pairs with contrast", cells["pair_id"].nunique(), "after pair × year effects"),
        ]
    residual = residual_treatment(frame, fe)
    rows.append(
        ("contrast", "rows with identifying variation", int((residual != 0).sum()), f"treatment after {fe}")
    )
    levels = ["unit", "pair_id", "platforms", "prefecture", "province"]
    for level in (c for c in levels if c in frame.columns):
        values = frame[level].replace("", "(none)") if level == "platforms" else frame[level]
        rows.append(("clusters", level, int(values.nunique()), ""))
    if pair:
        several = frame.loc[frame["n_pairs"] > 1].drop_duplicates("unit")
        for row in several.itertuples():
            rows.append(("several pairs", row.name, int(row.n_pairs), ""))
    mde, spread = _simulated_mde(frame, fe, sd, rho, draws, seed, alpha, power)
    note = f"{draws} simulations, outcome sd {sd:g}, AR(1) rho {rho:g}, {power:.0%} power at {alpha:g}"
    rows += [
        ("power", "sd of the estimate", round(spread, 6) if spread == spread else np.nan, note),
        ("power", "minimum detectable effect", round(mde, 6) if mde == mde else np.nan, note),
    ]
    report = pd.DataFrame(rows, columns=["section", "item", "value", "note"], dtype=object)
    report.attrs.update(
        fe=fe, design="pair" if pair else "unit", **{k: panel.attrs.get(k) for k in ("plan", "event")}
    )
    if show:
        print(report.to_string(index=False))
    return report
