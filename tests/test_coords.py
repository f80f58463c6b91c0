from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from chuanyu_geo import coords
from chuanyu_geo._errors import InvalidArgumentError


def _grid(n=200):
    lon, lat = np.meshgrid(np.linspace(97.3, 110.2, n), np.linspace(26.0, 34.4, n))  # SC + CQ
    return lon.ravel(), lat.ravel()


def test_round_trip_error_below_half_a_metre():
    lon, lat = _grid()
    g_lon, g_lat = coords.wgs84_to_gcj02(lon, lat)
    back_lon, back_lat = coords.gcj02_to_wgs84(g_lon, g_lat)
    _, _, error = coords._GEOD.inv(lon, lat, back_lon, back_lat)
    assert np.max(error) < 0.5
    # ... while the offset itself is hundreds of metres, so the test would notice no-ops.
    _, _, offset = coords._GEOD.inv(lon, lat, g_lon, g_lat)
    assert 100 < np.median(offset) < 1000


def test_points_outside_china_are_unchanged():
    lon = np.array([2.35, -74.0, 151.2, 139.7])  # Paris, New York, Sydney, Tokyo
    lat = np.array([48.85, 40.7, -33.9, 35.7])
    for func in (coords.wgs84_to_gcj02, coords.gcj02_to_wgs84):
        out_lon, out_lat = func(lon, lat)
        assert np.array_equal(out_lon, lon) and np.array_equal(out_lat, lat)


def test_geometry_conversion_keeps_shared_vertices_shared():
    a = shapely.box(106.0, 29.0, 106.5, 29.5)
    b = shapely.box(106.5, 29.0, 107.0, 29.5)
    ga, gb = coords.to_gcj02(np.array([a, b]))
    assert shapely.coverage_is_valid(np.array([ga, gb]))
    assert shapely.intersection(ga, gb).length > 0.4


def test_frame_conversion_sets_and_checks_crs():
    frame = gpd.GeoDataFrame({"id": [1]}, geometry=[shapely.Point(106.55, 29.56)], crs=4326)
    gcj = coords.to_gcj02(frame)
    assert coords.is_gcj02(gcj) and not coords.is_gcj02(frame)
    lon, lat = coords.wgs84_to_gcj02(106.55, 29.56)
    assert gcj.geometry.iloc[0].x == pytest.approx(float(lon)) and gcj.geometry.iloc[0].y == pytest.approx(
        float(lat)
    )
    back = coords.to_wgs84(gcj)
    assert back.crs.to_epsg() == 4326
    assert back.geometry.iloc[0].distance(frame.geometry.iloc[0]) < 1e-7
    with pytest.raises(InvalidArgumentError, match="no CRS"):
        coords.to_gcj02(frame.set_crs(None, allow_override=True))
    with pytest.raises(InvalidArgumentError, match="expects GCJ-02"):
        coords.to_wgs84(frame.to_crs(3857))


def test_vectorised_over_large_arrays():
    lon, lat = _grid(700)  # 490,000 points in one call
    g_lon, _ = coords.wgs84_to_gcj02(lon, lat)
    assert g_lon.shape == lon.shape


def test_geodesic_area_and_length_on_the_wgs84_ellipsoid():
    cell = shapely.box(0, 0, 1, 1)
    assert coords.geodesic_area_km2(cell) == pytest.approx(12_308.8, rel=1e-3)
    line = shapely.LineString([(0, 0), (1, 0)])
    assert coords.geodesic_length_km(line) == pytest.approx(111.319, rel=1e-4)
    frame = gpd.GeoDataFrame(geometry=[cell, cell], crs=4326)
    assert list(coords.geodesic_area_km2(frame).round(0)) == [12309.0, 12309.0]
    # A projected frame is converted first, not measured in metres as if they were degrees.
    assert coords.geodesic_area_km2(frame.to_crs(3857)).iloc[0] == pytest.approx(12_308.8, rel=1e-3)
