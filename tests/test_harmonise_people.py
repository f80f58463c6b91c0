"""Issue 21: absent parts, results that behave like DataFrames, splits by people, zones, names."""

from __future__ import annotations

import pickle
import warnings
from importlib import resources

import numpy as np
import pandas as pd
import pytest

import chuanyu_geo as cg

POP = {"population": "sum"}


@pytest.fixture(scope="module")
def census():
    return {year: cg.load_census(year) for year in (2010, 2020)}


def _quiet(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cg.HarmoniseWarning)
        return function(*args, **kwargs)


# --------------------------------------------------------------------------- absent means missing


def test_a_merged_unit_without_one_of_its_parts_is_missing(census):
    table = census[2010][census[2010]["adcode"] != "500110"]  # no 万盛区
    with pytest.warns(cg.HarmoniseWarning, match="綦江区 lacks 万盛区"):
        result = cg.harmonise(table, "adcode", year=2010, columns=POP)
    qijiang = result.set_index("name").loc["綦江区"]
    assert np.isnan(qijiang["population"]) and "万盛区 (500110)" in qijiang["missing_parts"]
    absent = cg.harmonise_report(result).query("status == 'absent'")
    assert list(absent["source_name"]) == ["万盛区"] and absent["row"].isna().all()
    with pytest.warns(cg.HarmoniseWarning, match="綦江区 lacks 万盛区"):
        partial = cg.harmonise(table, "adcode", year=2010, columns=POP, allow_partial=True)
    row = partial.set_index("name").loc["綦江区"]
    assert row["population"] == 801_041 and row["missing_parts"] == "万盛区 (500110)"


@pytest.mark.parametrize("how", ["aggregate", "area", "population"])
def test_a_split_without_its_other_parts_is_missing(census, how):
    only_yubei = census[2020][census[2020]["adcode"] == "500112"]
    with pytest.warns(cg.HarmoniseWarning, match="lacks 江北区, 北碚区"):
        result = cg.harmonise(only_yubei, "adcode", year=2020, to_vintage="2025", columns=POP, how=how)
    assert result["population"].isna().all()
    assert set(cg.harmonise_report(result).query("status == 'absent'")["source_name"]) == {"江北区", "北碚区"}
    if how == "aggregate":
        assert list(result["name"]) == ["两江新区+北碚区"]


def test_complete_tables_have_no_absent_parts(census):
    result = cg.harmonise(census[2010], "adcode", year=2010, columns=POP)
    assert result["missing_parts"].isna().all()
    assert "absent" not in set(cg.harmonise_report(result)["status"])


# --------------------------------------------------------------------------- results behave like DataFrames


def _results(census):
    h1 = cg.harmonise(census[2010], "adcode", year=2010, columns=POP)
    h2 = _quiet(cg.harmonise, census[2020], "adcode", year=2020, columns=POP)
    p1 = _quiet(cg.panel, {2010: census[2010], 2020: census[2020]}, "adcode", columns=POP)
    p2 = _quiet(cg.panel, {2020: census[2020]}, "adcode", columns=POP)
    return h1, h2, p1, p2


def _plain(value) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, (tuple, list)):
        return all(_plain(v) for v in value)
    return value is None or isinstance(value, (str, int, float, bool))


def test_results_concat_merge_compare_and_pickle(census, tmp_path):
    h1, h2, p1, p2 = _results(census)
    for first, second in ((h1, h2), (p1, p2)):
        assert _plain(first.attrs) and _plain(second.attrs)
        assert len(pd.concat([first, second])) == len(first) + len(second)
        assert len(first.merge(second, on="unit")) > 0
        assert first.equals(first.copy())
        assert list(first.nlargest(3, "population")["population"]) == sorted(first["population"])[-3:][::-1]
        path = tmp_path / "result.pkl"
        path.write_bytes(pickle.dumps(first))
        back = pickle.loads(path.read_bytes())
        assert back.equals(first) and cg.harmonise_report(back).equals(cg.harmonise_report(first))
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            continue
        first.drop(columns=[c for c in ("adcodes",) if c in first.columns]).to_parquet(tmp_path / "r.parquet")


def test_the_report_is_read_with_harmonise_report(census):
    h1 = cg.harmonise(census[2010], "adcode", year=2010, columns=POP)
    assert "report" not in h1.attrs
    report = cg.harmonise_report(h1)
    assert len(report) == len(census[2010]) and report["row"].tolist() == list(range(len(census[2010])))
    assert cg.harmonise_report(h1[h1["population"] > 0]).equals(report), "attrs travel with a filter"
    with pytest.raises(cg.InvalidArgumentError, match="carries no harmonise report"):
        cg.harmonise_report(pd.DataFrame({"unit": []}))


# --------------------------------------------------------------------------- splits by people


def test_population_splits_use_the_2020_census(census):
    c10, c20 = census[2010].set_index("adcode"), census[2020].set_index("adcode")
    result = cg.harmonise(census[2010], "adcode", year=2010, columns=POP, how="population").set_index("unit")
    for old, new in (("511602", "511603"), ("511902", "511903")):
        share = c20.loc[new, "population"] / c20.loc[[old, new], "population"].sum()
        assert result.loc[new, "population"] == pytest.approx(c10.loc[old, "population"] * share, abs=1)
        assert result.loc[old, "population"] + result.loc[new, "population"] == c10.loc[old, "population"]
        assert result.loc[new, "basis"] == "population (2020 census)" and result.loc[new, "approximate"]
    assert result["population"].sum() == census[2010]["population"].sum(), "totals preserved exactly"


def test_town_figures_not_found_fall_back_to_area_with_a_warning(census):
    towns = pd.read_csv(
        resources.files("chuanyu_geo").joinpath("data", "town_population_2020.csv"), dtype=str
    )
    assert len(towns) == 10 and set(towns["status"]) <= {"found", "not found"}
    assert towns.loc[towns["status"] == "not found", "population"].isna().all()
    assert towns["source"].notna().all()
    with pytest.warns(cg.HarmoniseWarning, match="populations not found: 大湾镇"):
        result = cg.harmonise(
            census[2020], "adcode", year=2020, to_vintage="2025", columns=POP, how="population"
        )
    rows = result.set_index("unit").loc[["500105", "500109"]]
    assert rows["approximate"].all() and rows["basis"].str.contains("area").all()
    parts = census[2020].set_index("adcode").loc[["500105", "500112", "500109"], "population"].sum()
    assert rows["population"].sum() == parts, "the split keeps the total exactly"


def test_area_warns_when_the_split_is_known_by_population(census):
    with pytest.warns(cg.HarmoniseWarning, match=r"how='area' splits counts.*前锋区.*difference") as record:
        area = cg.harmonise(census[2010], "adcode", year=2010, columns=POP, how="area").set_index("unit")
    people = cg.harmonise(census[2010], "adcode", year=2010, columns=POP, how="population").set_index("unit")
    gap = area.loc["511603", "population"] - people.loc["511603", "population"]
    assert f"{gap:+,.0f}" in " ".join(str(r.message) for r in record)
    assert area["population"].sum() == census[2010]["population"].sum()


# --------------------------------------------------------------------------- development zones


def test_zones_go_to_their_prefecture_when_the_host_is_not_found(census):
    raw = census[2020]
    zones = cg.not_divisions().set_index("name")
    for name in ("内江经济开发区", "达州经济开发区", "巴中经济开发区"):
        assert zones.loc[name, "host_status"] == "host not found" and zones.loc[name, "host_source"]
    with pytest.warns(cg.HarmoniseWarning, match="内江经济开发区.*host not found"):
        hosted = cg.harmonise(raw, "adcode", year=2020, columns=POP)
    totals = cg.harmonise_totals(hosted).set_index("province")
    assert totals.loc["四川省", "population"] == 83_674_866
    assert totals.loc["重庆市", "population"] == 32_054_159
    prefectures = cg.harmonise_totals(hosted, "prefecture").set_index("prefecture")["population"]
    official = cg.load_census(2020, "prefecture").set_index("name")["population"]
    for name in ("内江市", "达州市", "巴中市"):
        assert prefectures[name] == official[name]
    dropped = _quiet(cg.harmonise, raw, "adcode", year=2020, columns=POP, zones="drop")
    assert dropped.attrs["zones"] == "drop"
    zone_people = raw[raw["adcode"].isin(["511071", "511771", "511971"])]["population"].sum()
    assert (
        cg.harmonise_totals(dropped).set_index("province").loc["四川省", "population"]
        == 83_674_866 - zone_people
    )


def test_a_zone_with_a_documented_host_is_added_to_it():
    table = pd.DataFrame({"k": ["綦江区", "万盛经开区", "大足区", "双桥经开区"], "v": [1000, 250, 700, 50]})
    hosted = cg.harmonise(table, "k", year=2015, columns={"v": "sum"}).set_index("name")
    assert hosted.loc["綦江区", "v"] == 1250 and hosted.loc["大足区", "v"] == 750
    report = cg.harmonise_report(hosted)
    assert list(report["status"]) == ["matched", "zone added", "matched", "zone added"]
    with pytest.warns(cg.HarmoniseWarning, match="dropped \\(zones='drop'\\)"):
        dropped = cg.harmonise(table, "k", year=2015, columns={"v": "sum"}, zones="drop").set_index("name")
    assert dropped.loc["綦江区", "v"] == 1000
    with pytest.raises(cg.InvalidArgumentError, match="zones"):
        cg.harmonise(table, "k", year=2015, columns={"v": "sum"}, zones="keep")


@pytest.mark.parametrize(
    ("query", "host", "former"),
    [("万盛经开区", "綦江区", "万盛区"), ("双桥经济技术开发区", "大足区", "双桥区")],
)
def test_wansheng_and_shuangqiao_zones_are_recognised(query, host, former):
    place = cg.resolve(query)
    assert place.name == host and place.former_name == former and "2011" in place.note
    _, report = cg.join_table(pd.DataFrame({"k": [query]}), "k")
    assert report["status"].iloc[0] == "not a division" and host in report["note"].iloc[0]
    early = _quiet(cg.harmonise, pd.DataFrame({"k": [query], "v": [1]}), "k", year=2010, columns={"v": "sum"})
    assert cg.harmonise_report(early)["status"].iloc[0] == "unknown"
    assert former in cg.harmonise_report(early)["note"].iloc[0]


# --------------------------------------------------------------------------- names as yearbooks write them


def test_join_table_keeps_the_year_rules():
    _, report = cg.join_table(pd.DataFrame({"k": ["开县", "双桥区"]}), "k", year=2023)
    kaixian, shuangqiao = report.iloc[0], report.iloc[1]
    assert kaixian["status"] == "renamed" and kaixian["adcode"] == "500154" and "开州区" in kaixian["note"]
    assert shuangqiao["status"] == "merged" and pd.isna(shuangqiao["adcode"])
    assert "大足县" in shuangqiao["note"] and "part of 大足区" in shuangqiao["note"]


@pytest.mark.parametrize("query", ["開縣", "kaixian", "Kai Xian", "开县"])
def test_resolve_reads_traditional_characters_and_former_pinyin(query):
    place = cg.resolve(query)
    assert (place.name, place.former_name) == ("开州区", "开县")


def test_traditional_table_never_turns_one_name_into_another():
    table = pd.read_csv(
        resources.files("chuanyu_geo").joinpath("data", "traditional_characters.csv"), dtype=str
    )
    names = "".join(
        "".join(cg.unit_table(level, vintage)["name"])
        for vintage in cg.VINTAGES
        for level in ("province", "prefecture", "county")
    ) + "".join(cg.crosswalk()["old_name"])
    assert not set(table["traditional"]) & set(names)
    assert table["traditional"].is_unique
    assert cg.resolve("重慶市").adcode == "500000" and cg.resolve("瀘州市").name == "泸州市"
