"""Boundary layers of Sichuan and Chongqing, shipped with the package.

Files live in ``data/boundaries/`` (in a wheel: ``chuanyu_geo/data/boundaries/``), one
FlatGeobuf per level, vintage and detail, all in WGS84. Every read is checked against
``manifest.json`` so a truncated or edited file is caught before it skews a figure.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import re
from collections.abc import Mapping
from dataclasses import astuple, dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import geopandas as gpd
import pandas as pd
from pyproj import CRS

from ._errors import ChuanyuGeoError, DataIntegrityError, InvalidArgumentError, shown
from .coords import GCJ02_CRS, WGS84_CRS, geodesic_area_km2, to_gcj02
from .sources import (
    MAX_LAYER_BYTES,
    MAX_REGISTRY_BYTES,
    one_line_error,
    origin_of,
    package_data_path,
    read_bounded,
    read_confined,
    read_package_toml,
    registry_files,
)

__all__ = [
    "LEVELS",
    "DETAILS",
    "vintages",
    "default_vintage",
    "vintage_registry",
    "load_boundaries",
    "layer_info",
    "data_dir",
    "check_choice",
    "context_layer",
]


def _vintage_registry(files) -> dict:
    """The division vintages of the registry files ``files`` (``(folder, origin, data)``).

    The package's file comes first; a directory in ``CHUANYU_GEO_DATA`` may add vintages
    (with their layers in its ``boundaries/``) and may set ``default``.
    """
    merged: dict = {"vintages": [], "default": None}
    seen: dict[str, str] = {}
    default_origin = origin_of(None, "vintages.toml")
    for folder, origin, data in files:
        entries = data.get("vintages", [])
        if not isinstance(entries, list):
            raise DataIntegrityError(f"{origin}: vintages must be a list of [[vintages]] tables")
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict):
                raise DataIntegrityError(f"{origin}: vintage #{i + 1} must be a table")
            for key in ("id", "date", "description", "short"):
                if not isinstance(entry.get(key), str) or not entry[key]:
                    raise DataIntegrityError(f"{origin}: vintage #{i + 1} needs a text {key!r}")
            if not isinstance(entry.get("short_zh", ""), str):
                raise DataIntegrityError(f"{origin}: vintage #{i + 1}: short_zh must be text")
            if entry["id"] in seen:
                raise DataIntegrityError(
                    f"{origin}: vintage {entry['id']!r} is already defined in {seen[entry['id']]}"
                )
            if not _FILE_ID.fullmatch(entry["id"]):  # it becomes part of layer file names
                raise DataIntegrityError(
                    f"{origin}: vintage id {entry['id'][:40]!r} must be letters, digits, '-' or '.' "
                    f"(at most 32)"
                )
            seen[entry["id"]] = origin
            merged["vintages"].append({**entry, "folder": folder})
        if "default" in data and not isinstance(data["default"], str):
            raise DataIntegrityError(f"{origin}: default must be the text id of a vintage")
        if "default" in data:
            merged["default"], default_origin = data["default"], origin
    if merged["default"] not in seen:
        raise DataIntegrityError(f"{default_origin}: default {merged['default']!r} is not a listed vintage")
    # Ordered by date: "the previous vintage" and "the earliest" follow the calendar.
    merged["vintages"].sort(key=lambda v: v["date"])
    return merged


_FILE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9.-]{0,31}")


@dataclass(frozen=True)
class VintageRegistry:
    """The division vintages known to this session: the package's and the added ones.

    Read from ``vintages.toml`` of every data source on first use
    (:func:`vintage_registry`); ordered by date.
    """

    ids: tuple[str, ...]
    default: str
    dates: Mapping[str, str]
    notes: Mapping[str, str]
    short: Mapping[str, str]  # short forms for map attributions and figure captions
    short_zh: Mapping[str, str]
    folders: Mapping[str, Path | None]  # None: the package's own layers

    @property
    def earliest(self) -> str:
        return self.ids[0]


def _as_registry(merged: dict) -> VintageRegistry:
    entries = merged["vintages"]
    return VintageRegistry(
        ids=tuple(v["id"] for v in entries),
        default=merged["default"],
        dates=MappingProxyType({v["id"]: v["date"] for v in entries}),
        notes=MappingProxyType({v["id"]: v["description"] for v in entries}),
        short=MappingProxyType({v["id"]: v["short"] for v in entries}),
        short_zh=MappingProxyType({v["id"]: v.get("short_zh", v["short"]) for v in entries}),
        folders=MappingProxyType({v["id"]: v["folder"] for v in entries}),
    )


@functools.cache
def vintage_registry() -> VintageRegistry:
    """The registry of division vintages, read on first use from every data source.

    The package's ``vintages.toml`` comes first; each data directory
    (``CHUANYU_GEO_DATA`` or :func:`chuanyu_geo.set_data_dirs`) may add vintages and set
    the default. A malformed added file raises here, naming it, at the first data call;
    :func:`chuanyu_geo.clear_caches` makes the next call read the files again.

    Examples
    --------
    >>> from chuanyu_geo.boundaries import vintage_registry
    >>> registry = vintage_registry()
    >>> registry.earliest in registry.ids and registry.default in registry.ids
    True
    """
    try:
        return _as_registry(_vintage_registry(registry_files("vintages.toml")))
    except ChuanyuGeoError as exc:
        raise one_line_error(exc) from exc


def vintages() -> tuple[str, ...]:
    """Ids of the known division vintages, oldest first (see :func:`vintage_registry`)."""
    return vintage_registry().ids


def default_vintage() -> str:
    """The vintage used when a call names none: the registry's ``default``."""
    return vintage_registry().default


def _package_registry() -> VintageRegistry:
    name = "vintages.toml"
    return _as_registry(_vintage_registry([(None, origin_of(None, name), read_package_toml(name))]))


# The registry's values under their former module-level names (VINTAGES, DEFAULT_VINTAGE,
# ...), looked up at each access so that they follow set_data_dirs().
_REGISTRY_NAMES = {
    "VINTAGES": lambda r: r.ids,
    "DEFAULT_VINTAGE": lambda r: r.default,
    "EARLIEST_VINTAGE": lambda r: r.earliest,
    "VINTAGE_DATES": lambda r: dict(r.dates),
    "VINTAGE_NOTES": lambda r: dict(r.notes),
    "VINTAGE_SHORT": lambda r: dict(r.short),
    "VINTAGE_SHORT_ZH": lambda r: dict(r.short_zh),
    "_VINTAGE_FOLDER": lambda r: dict(r.folders),
}


def __getattr__(name: str) -> Any:
    if name in _REGISTRY_NAMES:
        try:
            registry = vintage_registry()
        except ChuanyuGeoError:  # the package's vintages; every data call raises the error
            registry = _package_registry()
        return _REGISTRY_NAMES[name](registry)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def key_in_force(entries: Mapping, vintage: str) -> str | None:
    """The key of ``entries`` (keyed by vintage) in force for ``vintage``: the latest one
    not after it (a key holds until the next), or None if every key is later."""
    registry = vintage_registry()
    keys = [v for v in registry.ids if v in entries and registry.dates[v] <= registry.dates[vintage]]
    return keys[-1] if keys else None


def as_of(entries: Mapping, vintage: str, what: str):
    """The entry of ``entries`` (keyed by vintage) in force for ``vintage``.

    A key holds from its vintage until the next key, so a later vintage with no change
    needs no new entry; a vintage older than every key is an error naming ``what``.
    """
    key = key_in_force(entries, vintage)
    if key is None:
        raise DataIntegrityError(
            f"{what} has no entry for vintage {vintage} or an earlier one (it lists {', '.join(entries)})"
        )
    return entries[key]


LEVELS = ("county", "prefecture", "province", "partner")
# The levels of the package, defined once: platform members (and metrics, analyses, reports)
# are listed at these; interactive maps, figures and table joins work on the two finest.
MEMBER_LEVELS = ("county", "partner", "prefecture")
UNIT_LEVELS = ("county", "partner")
DETAILS = ("standard", "fine")
# One default detail for every function that reports lengths or areas (README says so).
DEFAULT_DETAIL = "standard"

REBUILD_COMMAND = 'pip install -e ".[data]" && python scripts/build_boundaries.py'


def check_choice(name: str, value: Any, valid: tuple[str, ...]) -> str:
    """Return ``value`` as a string if it is one of ``valid``; otherwise raise naming all of them.

    Every data call checks its arguments here first, so it also raises the error of a bad
    data directory (``CHUANYU_GEO_DATA``) before any data is used: the registry is read on
    the first check.
    """
    vintage_registry()
    text = str(value)
    if text not in valid:
        raise InvalidArgumentError(f"{name}={shown(value)} is not valid; expected one of: {', '.join(valid)}")
    return text


def check_vintage(vintage: Any, name: str = "vintage") -> str:
    """``vintage`` if the registry knows it; None: the registry's default. Else raise naming it."""
    return check_choice(name, default_vintage() if vintage is None else vintage, vintages())


@dataclass(frozen=True)
class Layer:
    """A checked (level, vintage, detail): what the public functions resolve once and pass down.

    Examples
    --------
    >>> from chuanyu_geo.boundaries import Layer
    >>> Layer.resolve("county", "2025")
    Layer(level='county', vintage='2025', detail='standard')
    """

    level: str
    vintage: str
    detail: str

    @classmethod
    def resolve(
        cls,
        level: Any = "county",
        vintage: Any = None,
        detail: Any = None,
        levels: tuple[str, ...] = LEVELS,
    ) -> Layer:
        """Check each key against its registry (``levels``: the levels the caller accepts);
        None means the default vintage or detail. Raises InvalidArgumentError naming the key."""
        return cls(
            check_choice("level", level, levels),
            check_vintage(vintage),
            check_choice("detail", DEFAULT_DETAIL if detail is None else detail, DETAILS),
        )


def layer_filename(level: str, vintage: str, detail: str) -> str:
    """File name of one shipped layer."""
    return f"{level}_{vintage}_{detail}.fgb"


def data_dir() -> Path:
    """Directory holding the shipped boundary files.

    A wheel carries them inside the package; a source checkout keeps them at the
    repository root (``data/boundaries``), which an editable install reads in place.
    """
    packaged = package_data_path("boundaries")
    if (packaged / "manifest.json").exists():
        return packaged
    return Path(__file__).resolve().parents[1] / "data" / "boundaries"


def _layer_dir(vintage: str) -> Path:
    """Directory of a vintage's layers: the package's, or ``boundaries/`` of an added source."""
    folder = vintage_registry().folders[vintage]
    return data_dir() if folder is None else folder / "boundaries"


def _read_boundary_file(root: Path | None, folder: Path, name: str, what: str, limit: int) -> bytes | None:
    """Bytes of ``folder/name``, or None if it is missing.

    ``root`` is the data directory the file must stay in (None: the package's own files,
    which are trusted but still read only if regular and within ``limit``).
    """
    if root is None:
        path = folder / name
        return read_bounded(path, what, limit, DataIntegrityError) if os.path.lexists(path) else None
    return read_confined(root, str((folder / name).relative_to(root)), what, limit, DataIntegrityError)


_SHA256 = re.compile(r"[0-9a-f]{64}")
# What each manifest entry must hold, and the type: layer_info's callers read all of them.
_ENTRY_FIELDS = {"sha256": str, "bytes": int, "features": int, "vertices": int, "source": str}


@functools.cache
def _manifest(folder: Path, root: Path | None = None) -> dict:
    """The checked ``manifest.json`` of a layer directory (``root``: see _read_boundary_file)."""
    path = folder / "manifest.json"
    raw = _read_boundary_file(root, folder, "manifest.json", "boundary manifest", MAX_REGISTRY_BYTES)
    if raw is None:
        raise DataIntegrityError(f"boundary manifest {path} is missing; rebuild it with: {REBUILD_COMMAND}")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise DataIntegrityError(
            f"boundary manifest {path} is not valid JSON ({_one_line(exc)[:160]}); rebuild it with: "
            f"{REBUILD_COMMAND}"
        ) from exc
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        raise DataIntegrityError(f"boundary manifest {path} has no 'files' table of layer name -> entry")
    for name, entry in files.items():
        if not isinstance(entry, dict):
            raise DataIntegrityError(f"boundary manifest {path}: entry {name[:80]!r} must be a table")
        for key, kind in _ENTRY_FIELDS.items():
            value = entry.get(key)
            if (
                not isinstance(value, kind)
                or isinstance(value, bool)
                or (isinstance(value, int) and value < 0)
            ):
                expected = "a text" if kind is str else "a non-negative integer"
                raise DataIntegrityError(
                    f"boundary manifest {path}: entry {name[:80]!r} needs {expected} {key!r}"
                )
        if not _SHA256.fullmatch(entry["sha256"]):
            raise DataIntegrityError(
                f"boundary manifest {path}: entry {name[:80]!r} has a sha256 that is not 64 lower-case hex "
                f"digits"
            )
    return data


def _one_line(value: Any) -> str:
    return " ".join(str(value).split())


def layer_info(level: str = "county", vintage: str | None = None, detail: str = DEFAULT_DETAIL) -> dict:
    """Manifest entry of one layer: source, sha256, feature and vertex counts.

    Parameters
    ----------
    level, vintage, detail : str
        As for :func:`load_boundaries`.

    Returns
    -------
    dict

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> cg.layer_info("county", "2025", "fine")["features"]
    220
    """
    level, vintage, detail = astuple(Layer.resolve(level, vintage, detail))
    name = layer_filename(level, vintage, detail)
    folder = _layer_dir(vintage)
    entry = _manifest(folder, vintage_registry().folders[vintage])["files"].get(name)
    if entry is None:
        raise DataIntegrityError(
            f"{name} is not listed in {folder / 'manifest.json'}; rebuild with: {REBUILD_COMMAND}"
        )
    return {"file": name, **entry}


_FGB_MAGIC = (b"fgb", b"fgb")  # bytes 0-2 and 4-6; 3 and 7 are versions
_LAYER_COLUMNS = (
    "adcode", "name", "short_name", "name_en", "pinyin", "kind", "province", "province_adcode",
    "prefecture", "prefecture_adcode", "unit_level", "label_lon", "label_lat", "vintage", "source",
)  # fmt: skip


def _parse_layer(raw: bytes, path: Path, features: int, columns=_LAYER_COLUMNS) -> gpd.GeoDataFrame:
    """The layer in ``raw`` (the checked bytes of ``path``), or one DataIntegrityError naming it.

    A matching sha256 says only that the file is the one the manifest lists, not that it is
    a layer: the bytes are parsed here, never the path again (it could change meanwhile).
    """
    # GDAL guesses the format from the content: only FlatGeobuf may reach it (a VRT or a
    # shapefile index could make it read other files).
    if raw[0:3] != _FGB_MAGIC[0] or raw[4:7] != _FGB_MAGIC[1]:
        raise DataIntegrityError(
            f"boundary file {path} is not a FlatGeobuf file (its first bytes are not 'fgb')"
        )
    try:
        gdf = gpd.read_file(io.BytesIO(raw))
    except Exception as exc:  # pyogrio and GDAL raise many types for a damaged file
        raise DataIntegrityError(
            f"boundary file {path} matches its manifest but cannot be read as a layer: "
            f"{type(exc).__name__}: {_one_line(exc)[:200]}"
        ) from exc
    missing = [c for c in columns if c not in gdf.columns]
    if missing:
        raise DataIntegrityError(f"boundary file {path} lacks the column(s) {', '.join(missing)}")
    if gdf.crs is None or gdf.crs.to_epsg() != 4326:
        raise DataIntegrityError(f"boundary file {path} is not in WGS84 (EPSG:4326): {gdf.crs}")
    if len(gdf) != features:
        raise DataIntegrityError(f"{path} holds {len(gdf)} features, manifest.json says {features}")
    return gdf


@functools.cache
def _read_layer(level: str, vintage: str, detail: str) -> gpd.GeoDataFrame:
    info = layer_info(level, vintage, detail)
    folder = _layer_dir(vintage)
    path = folder / info["file"]
    raw = _read_boundary_file(
        vintage_registry().folders[vintage], folder, info["file"], "boundary file", MAX_LAYER_BYTES
    )
    if raw is None:
        raise DataIntegrityError(f"boundary file {path} is missing; rebuild it with: {REBUILD_COMMAND}")
    if hashlib.sha256(raw).hexdigest() != info["sha256"]:
        raise DataIntegrityError(
            f"boundary file {path} does not match its sha256 in manifest.json (altered or truncated); "
            f"restore it from the repository or rebuild with: {REBUILD_COMMAND}"
        )
    gdf = _parse_layer(raw, path, info["features"])
    gdf.attrs.update(
        {
            "level": level,
            "vintage": vintage,
            "detail": detail,
            "source": info["source"],
            "datum": "WGS84",
            "vintage_note": vintage_registry().notes[vintage],
        }
    )
    return gdf


CONTEXT_FILE = "context_provinces.fgb"
_CONTEXT_COLUMNS = (
    "adcode", "name", "short_name", "name_en", "pinyin", "neighbour", "label_lon", "label_lat",
)  # fmt: skip


@functools.cache
def _context_layer() -> gpd.GeoDataFrame:
    path = data_dir() / CONTEXT_FILE
    entry = _manifest(path.parent)["files"].get(CONTEXT_FILE, {})
    raw = _read_boundary_file(None, path.parent, CONTEXT_FILE, "boundary file", MAX_LAYER_BYTES)
    if raw is None or hashlib.sha256(raw).hexdigest() != entry.get("sha256"):
        state = "is missing" if raw is None else "does not match its sha256 in manifest.json"
        raise DataIntegrityError(f"boundary file {path} {state}; rebuild with: {REBUILD_COMMAND}")
    gdf = _parse_layer(raw, path, entry["features"], _CONTEXT_COLUMNS)
    gdf.attrs.update({"level": "context", "source": entry["source"], "datum": "WGS84", "use": "display only"})
    return gdf


def context_layer() -> gpd.GeoDataFrame:
    """The provinces around Sichuan and Chongqing, for maps and figures only.

    The tianditu provinces within 1.5° of the study area's bounding box, clipped to that
    box and simplified for display; their edge with the study area is the source's
    province border. Drawn under the units as context: no analysis uses this layer.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per province (WGS84) with ``adcode``, ``name`` (甘肃省), ``short_name``
        (甘肃), ``name_en``, ``pinyin`` (Gansu), ``neighbour`` (shares a border with
        Sichuan or Chongqing), ``label_lon``, ``label_lat``, ``source`` and the geometry;
        checked against ``manifest.json``. A copy of the cached layer.

    Raises
    ------
    DataIntegrityError
        The file is missing or differs from ``manifest.json``.

    Examples
    --------
    >>> from chuanyu_geo.boundaries import context_layer
    >>> sorted(context_layer().query("neighbour")["short_name"])
    ['云南', '湖北', '湖南', '甘肃', '西藏', '贵州', '陕西', '青海']
    """
    return _context_layer().copy()


def load_boundaries(
    level: str = "county",
    vintage: str | None = None,
    detail: str = DEFAULT_DETAIL,
    crs: str | int | CRS = "wgs84",
) -> gpd.GeoDataFrame:
    """Load a boundary layer of Sichuan and Chongqing.

    Parameters
    ----------
    level : {"county", "prefecture", "province", "partner"}
        ``partner`` is the level at which the 2020 plan names partners: Sichuan
        prefectures plus Chongqing's county-level units.
    vintage : str, optional
        An id of the vintage registry (``cg.VINTAGES``); None: the registry's default.
        Division vintage: ``2024`` before Chongqing's 2025-11-06 reform (38 Chongqing
        units), ``2025`` after it (37 units, 两江新区).
    detail : {"standard", "fine"}
        ``standard``: 2024 tianditu, 2025 coverage-simplified amap. ``fine``: amap detail.
    crs : "wgs84", "gcj02" or anything pyproj.CRS accepts
        ``gcj02`` shifts coordinates to the datum of Gaode/Amap web maps.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per unit with ``adcode``, ``name``, ``short_name``, ``name_en``,
        ``pinyin``, ``kind``, ``province``, ``province_adcode``, ``prefecture``,
        ``prefecture_adcode``, ``unit_level``, ``label_lon``, ``label_lat``,
        ``vintage``, ``source`` and the geometry. ``attrs`` records level, vintage,
        detail, source and datum. The frame is a copy: changing it does not touch the
        process-wide cache.

    Raises
    ------
    InvalidArgumentError
        Unknown level, vintage, detail or CRS.
    DataIntegrityError
        A file is missing or differs from ``manifest.json``.

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> sorted(cg.load_boundaries("province")["name"])
    ['四川省', '重庆市']
    """
    gdf = _read_layer(*astuple(Layer.resolve(level, vintage, detail))).copy()
    return _to_crs(gdf, crs)


def _to_crs(gdf: gpd.GeoDataFrame, crs: str | int | CRS) -> gpd.GeoDataFrame:
    key = crs.lower() if isinstance(crs, str) else None
    if key == "wgs84":
        return gdf
    if key in ("gcj02", "gcj-02"):
        out = to_gcj02(gdf)
        out.attrs.update(gdf.attrs, datum="GCJ-02")
        return out
    try:
        target = CRS.from_user_input(crs)
    except Exception as exc:  # pyproj raises CRSError, a plain Exception subclass
        raise InvalidArgumentError(
            f"crs={crs!r} is not valid; expected 'wgs84', 'gcj02' or a CRS pyproj understands (e.g. 4326, "
            f"'EPSG:4547')"
        ) from exc
    if target.equals(GCJ02_CRS):
        return _to_crs(gdf, "gcj02")
    if target.equals(WGS84_CRS):
        return gdf
    out = gdf.to_crs(target)
    out.attrs.update(gdf.attrs, datum=target.name)
    return out


def unit_table(level: str = "county", vintage: str | None = None) -> pd.DataFrame:
    """Attributes of every unit at one level (no geometry), from the standard layer.

    Parameters
    ----------
    level, vintage : str
        As for :func:`load_boundaries`.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> len(cg.unit_table("county", "2024")), len(cg.unit_table("county", "2025"))
    (221, 220)
    """
    layer = Layer.resolve(level, vintage)
    return _unit_table(layer.level, layer.vintage).copy()


@functools.cache
def _unit_table(level: str, vintage: str) -> pd.DataFrame:
    """Shared, cached attribute table; internal callers must not modify it."""
    return pd.DataFrame(_read_layer(level, vintage, "standard").drop(columns="geometry"))


def dissolve(layer: gpd.GeoDataFrame, adcodes=None) -> tuple[Any, float]:
    """One shape for a set of units of a layer, and its geodesic area in km².

    The one "dissolve and measure" of the package (platform footprints, regions, metrics,
    map outlines). Units of a layer form a coverage, so ``shapely.coverage_union_all``
    drops shared edges exactly and fast.

    Parameters
    ----------
    layer : geopandas.GeoDataFrame
        Units with ``adcode`` (WGS84).
    adcodes : iterable of str, optional
        The units to dissolve; all of them by default.

    Returns
    -------
    (shapely.Geometry, float)

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> from chuanyu_geo.boundaries import dissolve
    >>> shape, km2 = dissolve(cg.load_boundaries("county"), ["500117", "511622"])  # 合川, 武胜
    >>> shape.geom_type, 3000 < km2 < 4000
    ('Polygon', True)
    """
    import shapely

    units = layer if adcodes is None else layer[layer["adcode"].isin(list(adcodes))]
    geometry = shapely.coverage_union_all(units.geometry.values)
    return geometry, float(geodesic_area_km2(geometry))


def border_line(layer: gpd.GeoDataFrame) -> Any:
    """Where the Sichuan units of a layer meet the Chongqing units, as merged lines.

    Parameters
    ----------
    layer : geopandas.GeoDataFrame
        Units of both provinces with ``province_adcode`` (any level; a simplified web layer
        gives the line that matches its own outlines).

    Returns
    -------
    shapely.Geometry

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> from chuanyu_geo.boundaries import border_line
    >>> border_line(cg.load_boundaries("county")).geom_type in ("LineString", "MultiLineString")
    True
    """
    import shapely

    sides = [
        shapely.coverage_union_all(layer.loc[layer["province_adcode"] == code].geometry.values)
        for code in ("510000", "500000")
    ]
    return shapely.line_merge(shapely.intersection(sides[0].boundary, sides[1].boundary))


@functools.cache
def province_border(vintage: str | None = None, detail: str = DEFAULT_DETAIL):
    """The Sichuan–Chongqing border of a layer: where the two province outlines meet.

    Parameters
    ----------
    vintage : str, optional
        An id of the vintage registry (``cg.VINTAGES``); None: the registry's default.
    detail : {"standard", "fine"}

    Returns
    -------
    shapely.Geometry
        (Multi)line in WGS84. Shared: do not modify it.

    Examples
    --------
    >>> from chuanyu_geo.boundaries import province_border
    >>> province_border().geom_type in ("LineString", "MultiLineString", "GeometryCollection")
    True
    """
    return border_line(load_boundaries("province", vintage, detail))
