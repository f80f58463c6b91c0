"""Treatment coding: which unit is treated by which platform, from when, and how sure we are.

One row per unit × platform (never filled from another platform or plan). A date that was not
found is missing, never "untreated". The year a unit counts as treated follows an explicit rule
(``how``), and a unit whose membership came with territory it gained in a later division change
is treated from the day it gained that territory, not from the platform's date.
"""

from __future__ import annotations

import calendar
import math

import pandas as pd

from .boundaries import check_choice, check_vintage, vintage_registry
from .gazetteer import crosswalk
from .platforms import Platform, membership, platform_set_of

__all__ = ["treatment_table", "TREATMENT_EVENTS", "YEAR_RULES", "DATE_PRECISIONS"]

TREATMENT_EVENTS = ("designated", "overall_plan")
YEAR_RULES = ("first_full_year", "any_day", "share_of_year")
DATE_PRECISIONS = ("day", "month", "year", "unknown")


def _fact(platform: Platform, event: str) -> tuple[str | None, str, str | None, str]:
    """(date text, bound, source, status) of a platform's event, exactly as recorded."""
    if event == "designated":
        designation = platform.designated
        if designation is None:
            return None, "unknown", None, "not found"
        bound = "no later than" if designation.precision == "by" else "on"
        status = "found" if designation.precision == "exact" else "reported"
        return designation.date, bound, designation.source, status
    plan = platform.overall_plan
    if plan is None:
        return None, "unknown", None, "not found"
    return plan.date or None, "on" if plan.date else "unknown", plan.source, plan.status


def _precision(date: str | None) -> str:
    if not date:
        return "unknown"
    return {10: "day", 7: "month", 4: "year"}.get(len(date), "unknown")


def _year_length(year: int) -> int:
    return 366 if calendar.isleap(year) else 365


def first_treated(date: pd.Timestamp, precision: str, how: str) -> tuple[int | None, float, str | None]:
    """(cohort year, treatment in that year, note) of one date under a year rule.

    ``first_full_year``: the first calendar year treated for all of its days (a date on
    1 January treats its own year); ``any_day``: the year of the date; ``share_of_year``: the
    year of the date, with the share of that year's days on or after it.
    """
    if precision == "unknown" or pd.isna(date):
        return None, math.nan, None
    year = int(date.year)
    if how == "any_day":
        return year, 1.0, None
    if how == "first_full_year":
        starts_year = precision == "day" and date.month == 1 and date.day == 1
        return (year if starts_year else year + 1), 1.0, None
    # share_of_year
    if precision == "year":
        return None, math.nan, "only the year is known: the share of that year is unknown"
    if precision == "month":
        days = calendar.monthrange(year, date.month)[1]
        middle = date + pd.Timedelta(days=(days - 1) / 2)
        share = (_year_length(year) - (middle.day_of_year - 1)) / _year_length(year)
        return year, share, "only the month is known: the share counts from the middle of the month"
    return year, (_year_length(year) - (date.day_of_year - 1)) / _year_length(year), None


def _territory_dates(platform: Platform, vintage: str) -> dict[str, tuple[pd.Timestamp, str]]:
    """Units that are members in ``vintage`` only through territory gained after the plan's vintage.

    Adcode -> (date the territory arrived, note). 北碚区 in vintage 2025 holds 高竹新区's towns
    茨竹镇 and 大湾镇 only since 2025-11-06 (from 渝北区).
    """
    if (
        vintage == platform.plan_vintage
        or vintage not in vintage_registry().ids
        or platform.plan_vintage not in vintage_registry().ids
    ):
        return {}
    before = set(platform.member_adcodes("county", platform.plan_vintage))
    after = set(platform.member_adcodes("county", vintage))
    changes = crosswalk(vintage)
    changes = changes[changes["date"].astype(str).str.len() == 10]
    found = {}
    for code in sorted(after - before):
        arrived = changes[(changes["new_adcode"] == code) & changes["old_adcode"].isin(before)]
        if arrived.empty:
            continue
        when = pd.Timestamp(max(arrived["date"]))
        sources = "、".join(sorted(set(arrived["old_name"])))
        found[code] = (
            when,
            f"in vintage {vintage} this unit holds {platform.short_name}'s territory only since "
            f"{when.date()} (from {sources}): treated from that date, not from the platform's; "
            f"the territory it held before was not in the platform",
        )
    return found


def treatment_table(
    plan: str | None = None,
    level: str = "county",
    vintage: str | None = None,
    event: str = "designated",
    platform_set: list[Platform] | None = None,
    *,
    how: str = "first_full_year",
) -> pd.DataFrame:
    """One row per unit × platform with its treatment date, for a staggered difference-in-differences design.

    Each row is one unit's treatment by one platform under one plan and event: a unit in
    several platforms has several rows, and no row borrows another platform's date. A date
    that was not found stays missing (``first_treated`` is NA): it never means "untreated".

    Parameters
    ----------
    plan : str, optional
        Which plan's platforms (see :func:`plans`); default the 2020 plan.
    level : {"county", "partner", "prefecture"}
    vintage : str, optional
        An id of the vintage registry (``cg.VINTAGES``); None: the registry's default.
    event : {"designated", "overall_plan"}
        The treatment: the platform's designation, or the approval of its overall plan.
    platform_set : list of Platform, optional
        A user set instead of a plan.
    how : {"first_full_year", "any_day", "share_of_year"}
        The year rule. ``first_full_year`` (default): a unit is treated from the first
        calendar year it is treated for all of, so an approval dated 2020-12-31 treats 2021
        on, not 2020. ``any_day``: from the year of the date. ``share_of_year``: from the
        year of the date, with ``first_year_share`` the share of that year's days treated.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`membership`, then ``event``, ``date`` (text as found:
        YYYY-MM-DD, or YYYY-MM where only the month is known), ``treated`` (the date the unit
        is treated from, a timestamp at the first day of the period when only the month or
        year is known; later than ``date`` when the unit gained the platform's territory in a
        later division change), ``date_precision`` (``day``, ``month``, ``year``,
        ``unknown``), ``date_bound`` (``on``, or ``no later than`` when only a report that
        the event had happened was found), ``date_source``, ``date_status`` (``found`` on a
        government page, ``reported`` in news and reposts, ``not found``), ``year_rule``,
        ``first_treated`` (the cohort year, NA when the date is unknown),
        ``first_year_share`` (treatment in that year: 1, or the share for
        ``share_of_year``), ``treatment_note`` (what was done and why, or empty),
        ``n_platforms`` (platforms the unit is in) and ``in_several`` (True when the unit
        appears more than once: decide how to treat it).

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> table = cg.treatment_table(plan="2020", event="designated")
    >>> sorted(set(table["date"]))
    ['2020-07-27']
    >>> sorted(set(table["first_treated"].astype(int)))  # signed in July: 2021 is the first full year
    [2021]
    >>> int(table.loc[table["name"] == "邻水县", "n_platforms"].iloc[0])
    3
    >>> approvals = cg.treatment_table(plan="2020", event="overall_plan")
    >>> approvals.loc[approvals["platform_id"] == "neirong", "first_treated"].isna().all()  # not found
    np.True_
    """
    event = check_choice("event", event, TREATMENT_EVENTS)
    how = check_choice("how", how, YEAR_RULES)
    vintage = check_vintage(vintage)
    chosen = platform_set_of(platform_set, plan)
    table = membership(level, vintage, platform_set=chosen)
    rows = []
    for platform in chosen:
        date, bound, source, status = _fact(platform, event)
        precision = _precision(date)
        moved = _territory_dates(platform, vintage) if level == "county" else {}
        start = pd.to_datetime(date, format="mixed") if date else pd.NaT
        for code in platform.member_adcodes(level, vintage):
            notes = []
            effective, unit_precision = start, precision
            if code in moved and pd.notna(start) and moved[code][0] > start:
                (effective, note), unit_precision = moved[code], "day"
                notes.append(note)
            cohort, share, rule_note = first_treated(effective, unit_precision, how)
            if rule_note:
                notes.append(rule_note)
            if precision == "unknown":
                notes.append(f"{platform.short_name}'s {event.replace('_', ' ')} date was not found")
            elif bound == "no later than":
                notes.append(
                    "the date is the earliest report that it had happened: the true date may be earlier"
                )
            rows.append((effective, precision, bound, source, status, cohort, share, "; ".join(notes)))
    columns = [
        "treated", "date_precision", "date_bound", "date_source", "date_status",
        "first_treated", "first_year_share", "treatment_note",
    ]  # fmt: skip
    coded = pd.DataFrame(rows, columns=columns, index=table.index)
    table["event"] = event
    table["date"] = [d for p in chosen for d in [_fact(p, event)[0]] * len(p.member_adcodes(level, vintage))]
    table = pd.concat([table, coded], axis=1)
    table["treated"] = pd.to_datetime(table["treated"])
    table["first_treated"] = table["first_treated"].astype("Int64")
    table.insert(table.columns.get_loc("first_treated"), "year_rule", how)
    counts = table.groupby("adcode")["platform_id"].transform("count")
    table["n_platforms"] = counts
    table["in_several"] = counts > 1
    table.attrs.update(event=event, year_rule=how, vintage=vintage, level=level)
    return table
