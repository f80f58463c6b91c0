"""Development zones: statistical areas with codes or names of their own that are not divisions.

Which zone a key names in a table's year (:func:`not_divisions` lists them with their hosts),
what :func:`harmonise` does with a zone's row, and :func:`harmonise_totals`, whose prefecture
and province totals count the zones kept out of the units.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._errors import InvalidArgumentError
from ..boundaries import _unit_table, check_choice
from ..gazetteer import _zone_keys, _zone_table

__all__ = ["not_divisions", "harmonise_totals"]


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
