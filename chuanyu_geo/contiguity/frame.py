"""Where geometry is judged and measured: the layer's CRS for topology, the WGS84 ellipsoid for km."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from ..coords import _GEOD, WGS84_CRS, _ring_areas_m2


@dataclass(frozen=True)
class _Frame:
    """The layer's own CRS: topology is judged there (reprojection bends straight edges);
    lengths and areas are measured on the WGS84 ellipsoid."""

    crs: CRS

    @property
    def geographic(self) -> bool:
        return self.crs.equals(WGS84_CRS)

    def lonlat(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self.geographic:
            return x, y
        from pyproj import Transformer

        return Transformer.from_crs(self.crs, WGS84_CRS, always_xy=True).transform(x, y)

    def to_wgs84(self, geoms: np.ndarray) -> np.ndarray:
        return geoms if self.geographic else gpd.GeoSeries(geoms, crs=self.crs).to_crs(WGS84_CRS).values

    def length_km(self, geoms: np.ndarray) -> np.ndarray:
        """Geodesic length of each geometry's lines (of a polygon, its shell, as pyproj counts).

        The vertices of all geometries are converted and measured at once (``Geod.inv`` on
        arrays: the distances ``Geod.geometry_length`` sums one geometry at a time).
        """
        xy, line, row = _vertices(np.asarray(geoms, dtype=object))
        lon, lat = self.lonlat(xy[:, 0], xy[:, 1])
        same = line[1:] == line[:-1]
        _, _, metres = _GEOD.inv(lon[:-1][same], lat[:-1][same], lon[1:][same], lat[1:][same])
        return np.bincount(row[:-1][same], weights=metres, minlength=len(geoms)) / 1e3

    def area_km2(self, geoms: np.ndarray) -> np.ndarray:
        """Area of each geometry's polygons on the WGS84 ellipsoid (rings measured all at once,
        holes subtracted), within 1e-5 of ``Geod.geometry_area_perimeter`` (see
        :func:`chuanyu_geo.coords._ring_areas_m2`)."""
        geoms = np.asarray(geoms, dtype=object)
        # A polygon without holes is one ring: its vertices are read without taking it apart.
        simple = (shapely.get_type_id(geoms) == shapely.GeometryType.POLYGON) & (
            shapely.get_num_interior_rings(geoms) == 0
        )
        parts, part_row = _flat_parts(geoms[~simple])
        polygons = shapely.get_type_id(parts) == shapely.GeometryType.POLYGON
        rings, part = shapely.get_rings(parts[polygons], return_index=True)
        xy, ring = shapely.get_coordinates(np.concatenate([geoms[simple], rings]), return_index=True)
        ring_row = np.concatenate([np.nonzero(simple)[0], np.nonzero(~simple)[0][part_row[polygons][part]]])
        lon, lat = self.lonlat(xy[:, 0], xy[:, 1])
        # A valid polygon's holes run against its shell: signed areas subtract them.
        signed = _ring_areas_m2(lon, lat, ring, len(ring_row))
        return np.abs(np.bincount(ring_row, weights=signed, minlength=len(geoms))) / 1e6

    def metric(self, geoms: np.ndarray) -> tuple[np.ndarray, _Frame]:
        """The geometries in metres: the layer's own CRS if projected, else an equidistant projection."""
        if self.crs.is_projected and self.crs.axis_info[0].unit_name in ("metre", "meter"):
            return geoms, self
        centre = shapely.centroid(shapely.union_all(shapely.envelope(self.to_wgs84(geoms))))
        local = CRS.from_proj4(f"+proj=aeqd +lat_0={centre.y} +lon_0={centre.x} +datum=WGS84 +units=m")
        return gpd.GeoSeries(geoms, crs=self.crs).to_crs(local).values, _Frame(local)


# Type ids of multi-part geometries and collections (MultiPoint ... GeometryCollection).
_MULTI = [
    shapely.GeometryType.MULTIPOINT,
    shapely.GeometryType.MULTILINESTRING,
    shapely.GeometryType.MULTIPOLYGON,
    shapely.GeometryType.GEOMETRYCOLLECTION,
]


def _flat_parts(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The single parts (points, lines, rings, polygons) of each geometry, and their rows,
    collections within collections taken apart too."""
    parts, row = shapely.get_parts(geoms, return_index=True)
    nested = np.isin(shapely.get_type_id(parts), _MULTI)
    while nested.any():
        inner, at = shapely.get_parts(parts[nested], return_index=True)
        parts = np.concatenate([parts[~nested], inner])
        row = np.concatenate([row[~nested], row[nested][at]])
        nested = np.isin(shapely.get_type_id(parts), _MULTI)
    return parts, row


def _vertices(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The vertices of each geometry's lines and polygon shells, the line each belongs to and its row."""
    parts, row = _flat_parts(geoms)
    kind = shapely.get_type_id(parts)
    polygons = kind == shapely.GeometryType.POLYGON
    lines = np.isin(kind, [shapely.GeometryType.LINESTRING, shapely.GeometryType.LINEARRING])
    paths = np.concatenate([parts[lines], shapely.get_exterior_ring(parts[polygons])])
    path_row = np.concatenate([row[lines], row[polygons]])
    xy, path = shapely.get_coordinates(paths, return_index=True)
    return xy, path, path_row[path]


def _parts_of_kind(geoms: np.ndarray, kinds: tuple, make, empty) -> np.ndarray | None:
    """Per geometry, its parts of ``kinds`` gathered by ``make`` (``empty`` when none), for all
    rows at once; ``None`` when a part is itself a collection (the caller goes row by row)."""
    parts, row = shapely.get_parts(geoms, return_index=True)
    kind = shapely.get_type_id(parts)
    if np.isin(kind, _MULTI).any():  # nested multi-geometries or collections
        return None
    keep = np.isin(kind, kinds)
    out = np.empty(len(geoms), dtype=object)
    out[:] = [empty] * len(geoms)
    if keep.any():
        make(parts[keep], indices=row[keep], out=out)
    return out


def _linework(geoms: np.ndarray) -> np.ndarray:
    """Only the (multi)line parts of each geometry (points of contact dropped)."""
    lines = (shapely.GeometryType.LINESTRING, shapely.GeometryType.LINEARRING)
    out = _parts_of_kind(geoms, lines, shapely.multilinestrings, shapely.MultiLineString())
    if out is not None:
        return out
    pieces = []
    for g in geoms:
        parts = [
            p for p in shapely.get_parts(g) if p.geom_type in ("LineString", "LinearRing", "MultiLineString")
        ]
        pieces.append(shapely.multilinestrings(parts) if parts else shapely.MultiLineString())
    return np.array(pieces, dtype=object)


def _areal(geoms: np.ndarray) -> np.ndarray:
    """Only the polygon parts of each geometry, as a MultiPolygon (lines and points dropped)."""
    out = _parts_of_kind(
        geoms, (shapely.GeometryType.POLYGON,), shapely.multipolygons, shapely.MultiPolygon()
    )
    if out is not None:
        return out
    pieces = []
    for g in geoms:
        parts = [p for p in shapely.get_parts(g) if p.geom_type == "Polygon"]
        pieces.append(shapely.multipolygons(parts) if parts else shapely.MultiPolygon())
    return np.array(pieces, dtype=object)
