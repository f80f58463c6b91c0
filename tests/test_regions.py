from __future__ import annotations

import pytest

import chuanyu_geo as cg


@pytest.mark.parametrize(("vintage", "chongqing_units"), [("2024", 38), ("2025", 37)])
def test_groupings_cover_each_province_once(vintage, chongqing_units):
    counties = cg.unit_table("county", vintage)
    sichuan = cg.region_membership("sichuan", vintage)
    assert sorted(sichuan["adcode"]) == sorted(
        counties.loc[counties["province_adcode"] == "510000", "adcode"]
    )
    chongqing = cg.region_membership("chongqing", vintage)
    assert len(chongqing) == chongqing_units
    assert sorted(chongqing["adcode"]) == sorted(
        counties.loc[counties["province_adcode"] == "500000", "adcode"]
    )


def test_regions_as_polygons():
    wuqu = cg.regions("sichuan")
    assert list(wuqu["name"]) == [
        "成都平原经济区",
        "川南经济区",
        "川东北经济区",
        "攀西经济区",
        "川西北生态示范区",
    ]
    assert wuqu["area_km2"].sum() == pytest.approx(486_000, rel=0.01)
    assert wuqu.attrs["vintage"] == "2024"
    yiqu = cg.regions("chongqing", "2025").set_index("region_id")
    assert (
        "两江新区" in yiqu.loc["central_urban", "members"]
        and "渝北区" not in yiqu.loc["central_urban", "members"]
    )
    assert "not found" in yiqu.loc["central_urban", "inferred"]
    assert yiqu.loc["central_urban", "parent"] == "主城都市区"
    assert cg.regions("chongqing", "2024").set_index("region_id").loc["central_urban", "n_counties"] == 9


def test_cores():
    cores = cg.regions("cores", "2025").set_index("region_id")
    assert cores.loc["chengdu_core", "n_counties"] == 20
    assert cores.loc["chongqing_core", "n_counties"] == 8 and cores.loc["chongqing_core", "inferred"]


def test_platforms_against_regions():
    sichuan = cg.platform_regions("sichuan")
    assert sichuan.loc["遂潼", "成都平原经济区"] == 5
    assert sichuan.loc["万达开", "川东北经济区"] == 7
    assert sichuan.loc["泸永江", "川南经济区"] == 7
    chongqing = cg.platform_regions("chongqing", "2025")
    assert chongqing.loc["高竹新区", "中心城区"] == 1  # 北碚区, where 渝北's towns of the new area went
    assert list(chongqing.index) == [p.short_name for p in cg.platforms()]


def test_bad_kind():
    with pytest.raises(
        cg.InvalidArgumentError, match="kind='wuqu' is not valid; expected one of: sichuan, chongqing, cores"
    ):
        cg.regions("wuqu")
