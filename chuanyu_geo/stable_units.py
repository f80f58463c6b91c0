"""Stable units as first-class units: the dissolved layer behind a harmonised table.

:func:`chuanyu_geo.harmonise` keys a unit whose parts cannot be told apart across a division
change by its parts' adcodes joined with ``+`` (``500105+500109``: 两江新区+北碚区 on 2025 units,
which together hold what 江北, 渝北 and 北碚 held before). Maps, weights and analyses draw and
connect such a unit as one shape — its parts dissolved — and never copy its value onto the parts.
"""

from __future__ import annotations

import functools

import geopandas as gpd
import pandas as pd
import shapely

from ._errors import InvalidArgumentError, listing, shown
from .boundaries import DEFAULT_DETAIL, UNIT_LEVELS, Layer, check_choice, check_vintage, load_boundaries

__all__ = [
    "SEPARATOR",
    "is_stable",
    "parts_of",
    "unit_layer",
    "units",
    "unit_info",
    "dissolve_stable",
    "values_by_unit",
    "table_vintage",
]

SEPARATOR = "+"
_INFO = ("adcode", "name", "short_name", "name_en", "province", "prefecture", "prefecture_adcode")


def is_stable(key) -> bool:
    """Whether ``key`` names a stable unit (adcodes joined with ``+``).

    Examples
    --------
    >>> is_stable("500105+500109"), is_stable("500101"), is_stable(500101)
    (True, False, False)
    """
    return isinstance(key, str) and SEPARATOR in key


def parts_of(key: str) -> list[str]:
    """The adcodes a unit key stands for (one for a plain adcode)."""
    return [part.strip() for part in str(key).split(SEPARATOR)]


def _joined(values: pd.Series, sep: str) -> str:
    return sep.join(dict.fromkeys(str(v) for v in values))


def dissolve_stable(base: gpd.GeoDataFrame, keys, level: str, vintage: str) -> gpd.GeoDataFrame:
    """``base`` (a layer of ``level``/``vintage``) with the parts of each stable unit among
    ``keys`` dissolved into one row keyed by the stable unit; other rows unchanged."""
    stable = tuple(sorted({k for k in keys if is_stable(k)}))
    if not stable:
        return base.assign(parts=[(c,) for c in base["adcode"]])
    index = base.set_index("adcode", drop=False)
    taken: dict[str, str] = {}
    rows = []
    for key in stable:
        parts = parts_of(key)
        unknown = [p for p in parts if p not in index.index]
        if unknown:
            raise InvalidArgumentError(
                f"stable unit {shown(key)} names {', '.join(map(shown, unknown))}, which are not "
                f"{level} units of vintage {vintage}"
            )
        clash = [p for p in parts if p in taken]
        if clash:
            raise InvalidArgumentError(
                f"{clash[0]} is a part of both {shown(taken[clash[0]])} and {shown(key)}; a unit belongs to "
                "one stable unit"
            )
        taken.update({p: key for p in parts})
        members = index.loc[parts]
        if members["province"].nunique() > 1:
            raise InvalidArgumentError(
                f"stable unit {shown(key)} spans two provinces; its parts must share one"
            )
        shape = shapely.union_all(members.geometry.values)
        point = shape.point_on_surface()
        row: dict[str, object] = {
            column: _joined(members[column], "+") for column in _INFO if column in members
        }
        row.update(adcode=key, parts=tuple(parts), geometry=shape)
        if "name_en" in members:
            row["name_en"] = _joined(members["name_en"], " + ")
        if "label_lon" in members:
            row.update(label_lon=point.x, label_lat=point.y)
        rows.append(row)
    kept = base[~base["adcode"].isin(taken)].assign(parts=lambda t: [(c,) for c in t["adcode"]])
    merged = pd.concat([kept, gpd.GeoDataFrame(rows, crs=base.crs)], ignore_index=True)
    out = gpd.GeoDataFrame(merged, geometry=base.geometry.name, crs=base.crs)
    out.attrs.update(base.attrs, stable_units=list(stable))
    return out


@functools.lru_cache(maxsize=32)
def _layer(level: str, vintage: str, detail: str, stable: tuple[str, ...]) -> gpd.GeoDataFrame:
    return dissolve_stable(load_boundaries(level, vintage, detail), stable, level, vintage)


def values_by_unit(
    table: pd.DataFrame, column, key, level: str, vintage: str
) -> tuple[pd.Series, pd.DataFrame]:
    """``column`` keyed by unit keys of ``vintage`` (adcodes and stable units) as they are,
    never copied onto parts; and a row report (``row``, ``key``, ``status``: matched, unknown,
    no value, duplicate)."""
    import numpy as np

    keys = table[key].astype(str).str.strip()
    known = set(load_boundaries(level, vintage, DEFAULT_DETAIL)["adcode"])
    # A stable key naming a unit the vintage lacks is that row's problem, reported as unknown.
    usable = [k for k in dict.fromkeys(keys) if all(p in known for p in parts_of(k))]
    info = unit_info(level, vintage, usable)
    values = pd.to_numeric(table[column], errors="coerce")
    status = np.where(~keys.isin(info.index), "unknown", np.where(values.isna(), "no value", "matched"))
    status = np.where(keys.duplicated(keep=False) & (status == "matched"), "duplicate", status)
    report = pd.DataFrame({"row": range(len(table)), "key": keys.to_numpy(), "status": status})
    keep = (report["status"] == "matched").to_numpy()
    return pd.Series(values.to_numpy(dtype=float)[keep], index=keys.to_numpy()[keep], name=column), report


def table_vintage(table, vintage: str | None) -> str:
    """The vintage a table's keys are read in: the one given, else the one the table records
    (a harmonise result does), else the registry's default; the two may not disagree, since
    codes are reused across vintages (500105 was 江北区 and is 两江新区)."""
    recorded = table.attrs.get("vintage") if isinstance(table, pd.DataFrame) else None
    if vintage is not None and recorded is not None and str(vintage) != str(recorded):
        raise InvalidArgumentError(
            f"vintage={vintage!r} contradicts the table, which is on the units of vintage {recorded!r}"
        )
    return check_vintage(vintage or recorded)


def unit_layer(
    level: str = "county",
    vintage: str | None = None,
    detail: str = DEFAULT_DETAIL,
    keys=(),
) -> gpd.GeoDataFrame:
    """The layer of ``level``/``vintage`` with every stable unit among ``keys`` dissolved.

    Every other unit stays as it is, so the layer still covers both provinces (weights and
    maps need the whole partition). Columns as :func:`chuanyu_geo.load_boundaries`, with
    ``adcode`` the unit key and ``parts`` the adcodes it stands for.

    Examples
    --------
    >>> layer = unit_layer("county", "2025", keys=["500105+500109", "500101"])
    >>> len(layer), layer.set_index("adcode").loc["500105+500109", "name"]
    (219, '两江新区+北碚区')
    """
    layer = Layer.resolve(level, vintage, detail, levels=UNIT_LEVELS)
    stable = tuple(sorted({k for k in keys if is_stable(k)}))
    return _layer(layer.level, layer.vintage, layer.detail, stable).copy()


def unit_info(level: str, vintage: str, keys) -> pd.DataFrame:
    """Name, province and label point of each unit key (plain adcodes and stable units), by key."""
    layer = _layer(level, vintage, DEFAULT_DETAIL, tuple(sorted({k for k in keys if is_stable(k)})))
    return pd.DataFrame(layer.drop(columns=layer.geometry.name)).set_index("adcode")


def units(
    table: pd.DataFrame,
    key: str = "unit",
    *,
    level: str = "county",
    vintage: str | None = None,
    detail: str = DEFAULT_DETAIL,
) -> gpd.GeoDataFrame:
    """The units of a table — a harmonise result's stable units dissolved — as a layer, in table order.

    Parameters
    ----------
    table : pandas.DataFrame
        Keyed by adcodes and stable units (``500105+500109``), e.g. from :func:`chuanyu_geo.harmonise`.
    key : str
        The unit column (``unit`` in a harmonise result).
    level : {"county", "partner"}
    vintage : str, optional
        Read from ``table.attrs["vintage"]`` (a harmonise result records it); otherwise the
        default vintage. A vintage that contradicts the table's is an error.
    detail : {"standard", "fine"}

    Returns
    -------
    geopandas.GeoDataFrame
        One row per row of the table: ``adcode`` (the unit key), ``name`` (两江新区+北碚区),
        ``province``, ``parts``, label point and the dissolved geometry.

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> census = cg.load_census(2020)[["adcode", "population"]]
    >>> h = cg.harmonise(census, "adcode", year=2020, to_vintage="2025", columns={"population": "sum"})
    >>> layer = cg.units(h)
    >>> layer.set_index("adcode").loc["500105+500109", "name"], len(layer) == len(h)
    ('两江新区+北碚区', True)
    """
    if not isinstance(table, pd.DataFrame) or key not in table.columns:
        raise InvalidArgumentError(f"units() needs a DataFrame with a {key!r} column of unit keys")
    vintage = table_vintage(table, vintage)
    level = check_choice("level", level, UNIT_LEVELS)
    keys = [str(k) for k in table[key]]
    layer = unit_layer(level, vintage, detail, keys).set_index("adcode", drop=False)
    missing = [k for k in keys if k not in layer.index]
    if missing:
        raise InvalidArgumentError(
            f"{len(missing)} keys are not {level} units of vintage {vintage}: "
            f"{listing(map(shown, missing), total=len(missing))}"
        )
    out = layer.loc[keys].reset_index(drop=True)
    out.attrs.update(layer.attrs)
    return out
