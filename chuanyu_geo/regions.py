"""Regional groupings named in the 2020 plan: Sichuan's 五区 and Chongqing's 一区两群, and the two cores.

Definitions live in ``regions.toml``; members are names resolved by the gazetteer and
expanded to counties, so each grouping works in both division vintages.
"""

from __future__ import annotations

import functools

import geopandas as gpd
import pandas as pd

from ._errors import DefinitionError
from .boundaries import (
    DEFAULT_DETAIL,
    DETAILS,
    as_of,
    check_choice,
    check_vintage,
    dissolve,
    key_in_force,
    load_boundaries,
)
from .gazetteer import expand, resolve
from .platforms import Platform, membership
from .sources import origin_of, read_package_toml

__all__ = ["REGION_KINDS", "regions", "region_membership", "platform_regions"]

REGION_KINDS = ("sichuan", "chongqing", "cores")
_ORIGIN = origin_of(None, "regions.toml")  # how messages name the definitions


@functools.lru_cache(maxsize=1)
def _definitions() -> dict[str, dict]:
    data = read_package_toml("regions.toml")
    return {g["id"]: g for g in data["groupings"]}


def _origin(region: dict) -> dict:
    """The region whose member list ``region`` uses (itself, or the one ``members_from`` names)."""
    if "members_from" not in region:
        return region
    grouping_id, region_id = region["members_from"].split(".")
    (source,) = [r for r in _definitions()[grouping_id]["regions"] if r["id"] == region_id]
    return _origin(source)


def _members_of(region: dict, vintage: str) -> list[str]:
    members = _origin(region)["members"]
    if not isinstance(members, dict):
        return list(members)
    return list(as_of(members, vintage, f"{_ORIGIN}: region {region['id']!r} members"))


def _inferred(region: dict, vintage: str) -> str | None:
    notes = _origin(region).get("inferred", {})
    key = key_in_force(notes, vintage)  # None: no note for this or an earlier vintage
    return notes[key] if key else None


def region_membership(kind: str = "sichuan", vintage: str | None = None) -> pd.DataFrame:
    """Which region of a grouping each county belongs to.

    Parameters
    ----------
    kind : {"sichuan", "chongqing", "cores"}
        Sichuan 五区协同 (by prefecture), Chongqing 一区两群 (by county), or the two cores
        (成都市; 重庆 中心城区).
    vintage : str, optional
        An id of the vintage registry (``cg.VINTAGES``); None: the registry's default.

    Returns
    -------
    pandas.DataFrame
        ``adcode`` (county), ``region_id``, ``region``, ``inferred`` (why a list is
        unconfirmed, else None).

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> table = cg.region_membership("chongqing", vintage="2025")
    >>> sorted(table["region_id"].unique())
    ['central_urban', 'new_urban', 'northeast_chongqing', 'southeast_chongqing']
    """
    kind = check_choice("kind", kind, REGION_KINDS)
    vintage = check_vintage(vintage)
    grouping = _definitions()[kind]
    rows = []
    for region in grouping["regions"]:
        inferred = _inferred(region, vintage)
        level = region.get("level", grouping["level"])
        for name in _members_of(region, vintage):
            place = resolve(name, level=level, vintage=vintage)
            if place.former_name:
                raise DefinitionError(
                    f"{_ORIGIN}: {region['id']} member {name!r} is not a unit of vintage {vintage}: "
                    f"{place.note}"
                )
            for code in expand(place, "county", vintage):
                rows.append(
                    {
                        "adcode": code,
                        "region_id": region["id"],
                        "region": region["name"],
                        "inferred": inferred,
                    }
                )
    table = pd.DataFrame(rows)
    duplicated = table[table["adcode"].duplicated(keep=False)]
    if not duplicated.empty:
        raise DefinitionError(
            f"{_ORIGIN}: counties in more than one {kind} region: {sorted(set(duplicated['adcode']))}"
        )
    return table


def regions(
    kind: str = "sichuan", vintage: str | None = None, detail: str = DEFAULT_DETAIL
) -> gpd.GeoDataFrame:
    """Regions of a grouping as polygons dissolved from their counties.

    Parameters
    ----------
    kind : {"sichuan", "chongqing", "cores"}
    vintage : str, optional
        An id of the vintage registry (``cg.VINTAGES``); None: the registry's default.
    detail : {"standard", "fine"}

    Returns
    -------
    geopandas.GeoDataFrame
        ``region_id``, ``name``, ``name_en``, ``parent``, ``grouping``, ``members`` (county
        names), ``n_counties``, ``area_km2`` (geodesic), ``inferred``, ``note``,
        ``vintage``, ``source`` and the geometry.

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> cg.regions("sichuan")["region_id"].tolist()[:2]
    ['chengdu_plain', 'south_sichuan']
    """
    detail = check_choice("detail", detail, DETAILS)
    vintage = check_vintage(vintage)
    table = region_membership(kind, vintage)
    grouping = _definitions()[kind]
    counties = load_boundaries("county", vintage, detail).set_index("adcode")
    rows, geometries = [], []
    for region in grouping["regions"]:
        codes = table.loc[table["region_id"] == region["id"], "adcode"]
        units = counties.loc[codes]
        geometry, area = dissolve(units)
        geometries.append(geometry)
        rows.append(
            {
                "region_id": region["id"],
                "name": region["name"],
                "name_en": region["name_en"],
                "parent": region.get("parent"),
                "grouping": grouping["name"],
                "members": "、".join(units["name"]),
                "n_counties": len(units),
                "area_km2": area,
                "inferred": _inferred(region, vintage),
                "note": region.get("note"),
                "vintage": vintage,
                "source": grouping["source"],
            }
        )
    frame = gpd.GeoDataFrame(rows, geometry=geometries, crs=counties.crs)
    frame.attrs.update(counties.attrs, level="region")
    return frame


def platform_regions(
    kind: str = "sichuan",
    vintage: str | None = None,
    platform_set: list[Platform] | None = None,
    plan: str | None = None,
) -> pd.DataFrame:
    """Cross-tab of platforms against a grouping's regions: member counties in each.

    Parameters
    ----------
    kind : {"sichuan", "chongqing", "cores"}
    vintage : str, optional
        An id of the vintage registry (``cg.VINTAGES``); None: the registry's default.
    platform_set : list of Platform, optional

    Returns
    -------
    pandas.DataFrame
        Index: platform short names in the plan's order; columns: region names; values:
        number of the platform's member counties in the region.

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> table = cg.platform_regions("sichuan")
    >>> int(table.loc["万达开", "川东北经济区"])  # units of 万达开 in the northeast economic region
    7
    """
    vintage = check_vintage(vintage)
    members = membership("county", vintage, platform_set, plan)
    regions_of = region_membership(kind, vintage)
    joined = members.merge(regions_of[["adcode", "region"]], on="adcode", how="inner")
    table = pd.crosstab(joined["platform"], joined["region"])
    order_rows = list(dict.fromkeys(members["platform"]))
    order_cols = list(dict.fromkeys(regions_of["region"]))
    return table.reindex(index=order_rows, columns=order_cols, fill_value=0)
