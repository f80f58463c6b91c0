"""Checks and repairs of the input layer: ids, geometry types, copies, invalid polygons, tolerance."""

from __future__ import annotations

from collections.abc import Hashable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .._errors import InvalidArgumentError
from ..coords import is_gcj02
from ._arrays import _is_in
from .frame import _areal


def _id_key(value) -> str:
    """The identity networkx and readers give an id: 1, 1.0 and "1" are one id."""
    if isinstance(value, (bool, np.bool_)):
        return repr(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _check_user_layer(gdf: gpd.GeoDataFrame, id_col: str | None) -> tuple[gpd.GeoDataFrame, list]:
    """Refuse what cannot be measured; return the layer and the row ids."""
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise InvalidArgumentError(f"expected a GeoDataFrame of polygons, got {type(gdf).__name__}")
    if id_col is not None and id_col not in gdf.columns:
        raise InvalidArgumentError(
            f"id_col={id_col!r} is not a column; columns: {', '.join(map(str, gdf.columns))}"
        )
    if len(gdf) == 0:
        return gdf, []
    if gdf.crs is None:
        raise InvalidArgumentError(
            "the layer has no CRS; set one (e.g. gdf.set_crs(4326)) so lengths can be measured on the "
            "ellipsoid"
        )
    if is_gcj02(gdf):
        raise InvalidArgumentError(
            "the layer is in GCJ-02; convert it with chuanyu_geo.coords.to_wgs84 first"
        )
    column = gdf[id_col] if id_col else gdf.index.to_series()
    ids = column.tolist()
    where = f"id_col={id_col!r}" if id_col else "the index"
    # All ints or all strings (none missing): nothing to normalise, and pandas finds the
    # repeats; the general loops below cost seconds at a million rows.
    kind = pd.api.types.infer_dtype(column, skipna=True)
    uniform = kind in ("integer", "string") and not column.isna().any()
    missing_ids = [
        k
        for k, v in enumerate([] if uniform else ids)
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA or v is pd.NaT
    ]
    if missing_ids:
        raise InvalidArgumentError(
            f"{where} has missing ids (NaN/None) in rows {', '.join(map(str, missing_ids[:20]))}; every "
            f"polygon needs an id"
        )
    unhashable = [k for k, v in enumerate([] if uniform else ids) if not isinstance(v, Hashable)]
    if unhashable:
        shown = ", ".join(f"row {k} ({type(ids[k]).__name__})" for k in unhashable[:10])
        raise InvalidArgumentError(
            f"{where} holds values that cannot be node ids (unhashable): {shown}; expected numbers or text"
        )
    groups: dict[str, list] = {}
    # A uniform column without repeats (pandas' is_unique: a third of duplicated's cost) has none.
    repeats: list | None = [] if uniform and column.is_unique else None
    if uniform and repeats is None:
        repeats = column[column.duplicated(keep=False).to_numpy()].tolist()
    for value in ids if repeats is None else repeats:
        groups.setdefault(_id_key(value), []).append(value)
    clashes = [values for values in groups.values() if len(values) > 1]
    if clashes:
        listing = "; ".join(
            " = ".join(f"{v!r} ({type(v).__name__})" for v in values) for values in clashes[:10]
        )
        raise InvalidArgumentError(f"duplicate ids in {id_col or 'the index'}: {listing}")
    values = np.asarray(gdf.geometry.values)
    none = shapely.is_missing(values)
    empty = ~none & shapely.is_empty(values)
    polygonal = np.isin(
        shapely.get_type_id(values), [shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON]
    )
    wrong_type = ~none & ~empty & ~polygonal
    if none.any() or empty.any() or wrong_type.any():
        bad = [
            f"{ids[k]} ({'missing geometry' if none[k] else 'empty' if empty[k] else gdf.geom_type.iloc[k]})"
            for k in np.nonzero(none | empty | wrong_type)[0]
        ]
        raise InvalidArgumentError(f"adjacency needs polygons; these rows are not: {', '.join(bad[:20])}")
    return gdf, ids


def _listing(ids: list, rows, limit: int = 10) -> str:
    """Some ids of ``rows`` for a message, with an ellipsis when there are more."""
    rows = list(rows)
    return ", ".join(str(ids[k]) for k in rows[:limit]) + (", …" if len(rows) > limit else "")


def _identical_groups(geoms: np.ndarray) -> list[np.ndarray]:
    """Groups of two or more rows with the same geometry (up to vertex order and orientation).

    Identical outlines share their bounds and vertex count, so only rows that share those
    are normalised and compared by WKB: linear time, and nearly free on a real layer.
    """
    # Rows sharing bounds and vertex count, found from one 64-bit hash of the five numbers
    # sorted by numpy (pandas' duplicated on the five columns took 20x longer).
    bounds = shapely.bounds(geoms) + 0.0  # + 0.0: -0.0 hashes as 0.0
    count = shapely.get_num_coordinates(geoms).astype(np.uint64)
    with np.errstate(over="ignore"):
        h = count * np.uint64(0x9E3779B97F4A7C15)
        for column in bounds.T:
            h ^= (
                np.ascontiguousarray(column).view(np.uint64)
                + np.uint64(0x7F4A7C15)
                + (h << np.uint64(6))
                + (h >> np.uint64(2))
            )
    ordered = np.sort(h)
    repeated = ordered[1:][ordered[1:] == ordered[:-1]]
    if len(repeated) == 0:
        return []
    maybe = np.nonzero(_is_in(h, repeated))[0]
    prefilter = pd.DataFrame(bounds[maybe]).assign(count=count[maybe])
    rows = maybe[prefilter.duplicated(keep=False).to_numpy()]
    codes = pd.factorize(pd.Series(shapely.to_wkb(shapely.normalize(geoms[rows]))))[0]
    order = np.argsort(codes, kind="stable")
    codes, rows = codes[order], rows[order]
    starts = np.nonzero(np.r_[True, codes[1:] != codes[:-1]])[0]
    groups = np.split(rows, starts[1:])
    return sorted((g for g in groups if len(g) > 1), key=lambda g: (-len(g), g[0]))


def _refuse_identical(geoms: np.ndarray, ids: list) -> None:
    """Refuse a layer in which two rows have the same outline (a copied row, a stack of copies)."""
    groups = _identical_groups(geoms)
    if not groups:
        return
    copies = sum(len(g) for g in groups)
    shown = "; ".join(
        " = ".join(map(str, (ids[k] for k in g[:5]))) + (" = …" if len(g) > 5 else "") + f" ({len(g)} rows)"
        for g in groups[:5]
    )
    raise InvalidArgumentError(
        f"{copies} rows repeat another row's geometry ({len(groups)} sets of identical outlines: "
        f"{shown}{'; …' if len(groups) > 5 else ''}); copies overlap entirely, so they have no border "
        f"to measure, and k copies make k² pairs. Keep one row per outline, e.g. "
        f"gdf[~gdf.geometry.normalize().to_wkb().duplicated()], or merge them with gdf.dissolve()"
    )


def _repair(geoms: np.ndarray, invalid: np.ndarray, ids: list, issues: list[dict]) -> np.ndarray:
    """Invalid geometries made valid (their areal part), each recorded as a ``repaired`` issue.

    Raises
    ------
    InvalidArgumentError
        Rows with no area left (a polygon whose vertices lie on one line, or on one point):
        they have no interior, so they touch nothing in a way adjacency can measure.
    """
    rows = np.nonzero(invalid)[0]
    reasons = shapely.is_valid_reason(geoms[rows])
    try:
        repaired = shapely.make_valid(geoms[rows])
    except shapely.errors.GEOSException:
        # The default method refuses some inputs ("mixed-dimension": a collapsed part beside
        # a real one); the "structure" method drops collapsed parts instead.
        repaired = np.array([_make_valid_one(g, ids[k]) for g, k in zip(geoms[rows], rows)], dtype=object)
    repaired = _areal(repaired)
    flat = shapely.is_empty(repaired)
    if flat.any():
        shown = "; ".join(f"{ids[k]} ({reason})" for k, reason in zip(rows[flat][:10], reasons[flat][:10]))
        raise InvalidArgumentError(
            f"{int(flat.sum())} row(s) have no area (zero-area polygons: all their vertices on one line or "
            f"point): {shown}{'; …' if flat.sum() > 10 else ''}; adjacency needs polygons with an "
            f"interior. Drop them (e.g. gdf[gdf.geometry.make_valid().area > 0]) or fix their outlines"
        )
    for k, reason in zip(rows, reasons):
        issues.append({"kind": "repaired", "id_a": ids[k], "id_b": None, "value": None, "detail": reason})
    fixed = geoms.copy()
    fixed[rows] = repaired
    return fixed


def _make_valid_one(geom, row_id):
    """One geometry made valid, by GEOS's "structure" method when the default one fails."""
    try:
        return shapely.make_valid(geom)
    except shapely.errors.GEOSException:
        try:
            return shapely.make_valid(geom, method="structure", keep_collapsed=False)
        except shapely.errors.GEOSException as exc:
            raise InvalidArgumentError(
                f"the geometry of {row_id} is invalid ({shapely.is_valid_reason(geom)}) and GEOS cannot "
                f"repair it ({exc}); fix or drop that row"
            ) from exc


def _check_tolerance(tolerance_m) -> float | None:
    if tolerance_m is None:
        return None
    if (
        isinstance(tolerance_m, bool)
        or not isinstance(tolerance_m, (int, float, np.integer, np.floating))
        or not np.isfinite(tolerance_m)
        or tolerance_m < 0
    ):
        raise InvalidArgumentError(
            f"tolerance_m={tolerance_m!r} must be a finite number of metres >= 0 (or None)"
        )
    return float(tolerance_m) or None
