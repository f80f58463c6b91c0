"""Statistics across division changes (issue 12), on the shipped census extracts."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import chuanyu_geo as cg

COLUMNS = {"population": "sum", "households": "sum", "household_size": ("mean", "households")}


@pytest.fixture(scope="module")
def census():
    return {year: cg.load_census(year) for year in (2010, 2020)}


def _quiet(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cg.HarmoniseWarning)
        return function(*args, **kwargs)


@pytest.mark.parametrize("year", [2010, 2020])
@pytest.mark.parametrize("vintage", ["2024", "2025"])
def test_every_census_code_is_explained(census, year, vintage):
    result = _quiet(cg.harmonise, census[year], "adcode", year=year, to_vintage=vintage, columns=COLUMNS)
    report = cg.harmonise_report(result)
    assert len(report) == len(census[year])
    assert set(report["status"]) <= {"matched", "renamed", "merged", "split", "combined", "not a division"}
    changes = cg.crosswalk(vintage)
    current = set(cg.unit_table("county", vintage)["adcode"])
    for row in report.itertuples():
        if row.status == "not a division":
            assert row.key in set(cg.not_divisions()["adcode"])
        elif row.status != "matched":
            explained = row.source_adcode in set(changes["old_adcode"]) or row.source_adcode in current
            assert explained, row
        else:
            assert row.source_adcode in current
    assert (report["status"] == "not a division").sum() == (3 if year == 2020 else 0)


def test_2010_on_2024_units(census):
    c10 = census[2010].set_index("adcode")
    result = cg.harmonise(census[2010], "adcode", year=2010, columns=COLUMNS).set_index("name")
    pop = lambda *codes: int(c10.loc[list(codes), "population"].sum())  # noqa: E731
    assert result.loc["綦江区", "population"] == pop("500222", "500110")  # 綦江县 + 万盛区 of 2010
    assert result.loc["大足区", "population"] == pop("500225", "500111")  # 大足县 + 双桥区
    assert result.loc["开州区", "population"] == pop("500234")
    assert result.set_index("unit").loc["510185", "population"] == pop(
        "512081"
    )  # 简阳市, recoded when it moved to 成都
    assert result.loc["广安区+前锋区", "population"] == pop("511602") and result.loc[
        "广安区+前锋区", "adcodes"
    ] == ["511602", "511603"]
    size = c10.loc[["500222", "500110"]]
    expected = (size["household_size"] * size["households"]).sum() / size["households"].sum()
    assert result.loc["綦江区", "household_size"] == pytest.approx(expected)
    report = cg.harmonise_report(result).set_index("key")
    assert report.loc["500110", "source_name"] == "万盛区" and report.loc["500110", "status"] == "merged"
    assert report.loc["511602", "status"] == "split" and report.loc["500234", "status"] == "renamed"
    raw = census[2010]
    for province in ("四川省", "重庆市"):
        assert (
            result.loc[result["province"] == province, "population"].sum()
            == raw.loc[raw["province"] == province, "population"].sum()
        )


def test_2020_on_the_2025_reform(census):
    raw = census[2020]
    with pytest.warns(cg.HarmoniseWarning, match="3 of 224 rows are not in the result: not a division"):
        exact = cg.harmonise(raw, "adcode", year=2020, to_vintage="2025", columns=COLUMNS)
    unit = exact.set_index("unit").loc["500105+500109"]
    assert unit["name"] == "两江新区+北碚区" and unit["n_sources"] == 3  # 江北区 + 渝北区 + 北碚区
    parts = raw.set_index("adcode").loc[["500105", "500112", "500109"], "population"].sum()
    assert unit["population"] == parts and exact.attrs["precision"] == "exact"
    approx = _quiet(
        cg.harmonise, raw, "adcode", year=2020, to_vintage="2025", columns=COLUMNS, how="area"
    ).set_index("unit")
    assert approx.loc[["500105", "500109"], "population"].sum() == pytest.approx(parts)
    assert (
        approx.loc["500105", "approximate"]
        and approx.loc["500109", "approximate"]
        and not approx.loc["500101", "approximate"]
    )
    assert approx.attrs["precision"] == "approximate"
    zones = raw[raw["adcode"].isin(cg.not_divisions()["adcode"])]["population"].sum()
    for frame in (exact, approx.reset_index()):
        assert frame["population"].sum() + zones == pytest.approx(raw["population"].sum()), (
            "nothing lost but the listed zones"
        )


def test_panel_keeps_stable_units_across_years(census):
    long = _quiet(cg.panel, {2010: census[2010], 2020: census[2020]}, "adcode", columns={"population": "sum"})
    assert (long.groupby("unit")["year"].count() == 2).all()
    guangan = long[long["unit"] == "511602+511603"].set_index("year")["population"]
    c20 = census[2020].set_index("adcode")
    assert guangan[2020] == c20.loc[["511602", "511603"], "population"].sum()
    assert len(cg.harmonise_report(long)) == len(census[2010]) + len(census[2020])


def test_column_rules_are_checked(census):
    raw = census[2010]
    with pytest.raises(cg.InvalidArgumentError, match="rows are merged or split.*columns="):
        cg.harmonise(raw, "adcode", year=2010)
    with pytest.raises(
        cg.InvalidArgumentError,
        match=r"column 'household_size': a mean .* cannot be combined without weights",
    ):
        cg.harmonise(raw, "adcode", year=2010, columns={"household_size": "mean"})
    with pytest.raises(cg.InvalidArgumentError, match="'nope', which is not a column"):
        cg.harmonise(raw, "adcode", year=2010, columns={"nope": "sum"})
    bad = raw.assign(population=raw["population"].astype(float))
    bad.loc[3, "population"] = np.inf
    with pytest.raises(cg.InvalidArgumentError, match=r"column 'population' has infinite values in row 3"):
        cg.harmonise(bad, "adcode", year=2010, columns={"population": "sum"})
    gaps = raw.assign(population=raw["population"].astype(float))
    gaps.loc[gaps["adcode"] == "500110", "population"] = np.nan
    result = cg.harmonise(gaps, "adcode", year=2010, columns={"population": "sum"}).set_index("name")
    assert np.isnan(result.loc["綦江区", "population"]), "a missing part makes the sum missing, not smaller"


def test_bad_keys_and_tables():
    with pytest.raises(cg.InvalidArgumentError, match="no rows"):
        cg.harmonise(pd.DataFrame({"adcode": [], "v": []}), "adcode", year=2010)
    with pytest.raises(cg.InvalidArgumentError, match="key='code' is not a column"):
        cg.harmonise(pd.DataFrame({"adcode": ["500101"]}), "code", year=2010)
    with pytest.raises(cg.InvalidArgumentError, match="year='2010' must be the year"):
        cg.harmonise(pd.DataFrame({"adcode": ["500101"]}), "adcode", year="2010")
    table = pd.DataFrame(
        {"k": [500101.0, "500155.0", None, "万洲", "500154", "510100"], "v": [1, 2, 3, 4, 5, 6]}
    )
    with pytest.warns(cg.HarmoniseWarning):
        result = cg.harmonise(table, "k", year=2010, columns={"v": "sum"})
    report = cg.harmonise_report(result).set_index("row")
    assert report.loc[0, "status"] == "matched"
    assert report.loc[1, "status"] == "unknown" and "exists only since 2016" in report.loc[1, "note"]
    assert report.loc[2, "status"] == "missing key" and report.loc[2, "note"].startswith("row 2:")
    assert report.loc[3, "status"] == "unknown" and report.loc[3, "note"].startswith("row 3 '万洲'")
    assert report.loc[5, "status"] == "not a county"


def test_join_table_is_one_to_one():
    table = pd.DataFrame({"k": ["綦江县", "开县", "广安", "达州", "江北区"]})
    _, report = cg.join_table(table, "k")
    status = dict(zip(report["key"], report["status"]))
    assert status["綦江县"] == "merged" and status["开县"] == "renamed" and status["广安"] == "ambiguous"
    assert status["达州"] == "unknown" and "level='partner'" in report.set_index("key").loc["达州", "note"]
    _, report_2025 = cg.join_table(table, "k", vintage="2025")
    row = report_2025.set_index("key").loc["江北区"]
    assert row["status"] == "merged" and "两江新区" in row["note"]
    _, codes_2025 = cg.join_table(pd.DataFrame({"k": ["500105"]}), "k", vintage="2025")
    assert "it was 江北区 until 2025-11-06" in codes_2025["note"][0]
    _, old = cg.join_table(pd.DataFrame({"k": ["500110", "500234", 500155.0]}), "k", year=2010)
    assert list(old["status"]) == ["merged", "renamed", "unknown"]
    with pytest.raises(cg.InvalidArgumentError, match="no rows"):
        cg.join_table(pd.DataFrame({"k": []}), "k")


def test_choropleth_values_must_be_finite():
    table = pd.DataFrame({"k": ["万州", "开县", "梁平", "涪陵"], "v": [1.0, np.nan, 3.0, 4.0]})
    with pytest.raises(cg.UnmatchedRowsError, match="row 1 '开县': no value"):
        cg.choropleth(table, "v", "k", k=3, tiles=None)
    m = cg.choropleth(table, "v", "k", k=3, tiles=None, allow_partial=True)
    assert list(m.unmatched["status"]) == ["no value"]
    with pytest.raises(cg.InvalidArgumentError, match=r"infinite values.*row 1 \('开县'\)"):
        cg.choropleth(table.assign(v=[1.0, np.inf, 3.0, 4.0]), "v", "k", k=3, tiles=None)


@pytest.mark.parametrize("query", ["渝北", "Yubei", "渝北区"])
def test_resolve_knows_abolished_units_by_every_name(query):
    place = cg.resolve(query, vintage="2025")
    assert "abolished" in place.note and "2025-11-06" in place.note
    assert {p.name for p in place.successors} == {"两江新区", "北碚区"}


@pytest.mark.parametrize("query", ["两江", "Liangjiang", "两江新区"])
def test_resolve_knows_units_of_a_later_vintage(query):
    with pytest.raises(
        cg.UnknownPlaceError, match=r"两江新区 exists only from 2025-11-06 \(use vintage='2025'\)"
    ):
        cg.resolve(query, vintage="2024")


def test_census_ships_with_its_citation():
    table = cg.load_census(2020)
    assert "Lei Dong" in table.attrs["citation"] and "MIT" in table.attrs["licence"]
    assert table["adcode"].str.fullmatch(r"\d{6}").all()
    with pytest.raises(cg.InvalidArgumentError, match="year=2015 is not a shipped census"):
        cg.load_census(2015)


# --------------------------------------------------------------------------- what an independent review found


def _keys(keys, year, vintage="2024"):
    table = pd.DataFrame({"k": keys, "v": 1})
    return _quiet(cg.harmonise, table, "k", year=year, to_vintage=vintage, columns={"v": "sum"})


def test_a_name_is_read_in_the_tables_year():
    report = cg.harmonise_report(_keys(["綦江区", "大足区"], 2010))
    assert list(report["status"]) == ["unknown", "unknown"]
    assert "綦江区 exists only since 2011; in 2010 its code 500110 was 万盛区" in report["note"].iloc[0]
    stale = cg.harmonise_report(_keys(["双桥区", "大足区"], 2020))
    assert list(stale["status"]) == ["duplicate", "duplicate"], (
        "one unit under an old and a new name is not a merge"
    )
    assert list(cg.harmonise_report(_keys(["康定县", "康定市"], 2020))["status"]) == [
        "duplicate",
        "duplicate",
    ]
    assert cg.harmonise_report(_keys(["两江新区"], 2020, "2025"))["status"].iloc[0] == "not a division"
    guangyuan = cg.harmonise_report(_keys(["广元市市中区"], 2010)).iloc[0]
    assert (guangyuan["status"], guangyuan["unit"]) == ("matched", "510802")
    assert "had become 利州区" in guangyuan["note"]
    odd = cg.harmonise_report(_keys(["成都市", True, 500101.5], 2010))
    assert list(odd["status"]) == ["not a county", "invalid key", "invalid key"]


def test_a_missing_part_makes_the_mean_missing(census):
    table = census[2010].copy()
    table.loc[table["adcode"] == "500110", "household_size"] = np.nan
    result = cg.harmonise(
        table, "adcode", year=2010, columns={"household_size": ("mean", "households")}
    ).set_index("name")
    assert np.isnan(result.loc["綦江区", "household_size"])
    weights = census[2010].copy()
    weights.loc[weights["adcode"] == "500110", "households"] = np.nan
    result = cg.harmonise(
        weights, "adcode", year=2010, columns={"household_size": ("mean", "households")}
    ).set_index("name")
    assert np.isnan(result.loc["綦江区", "household_size"])


def test_report_notes_and_area_units(census):
    report = cg.harmonise_report(
        _quiet(cg.harmonise, census[2020], "adcode", year=2020, columns={"population": "sum"})
    )
    huili = report.set_index("key").loc["513425"]
    assert huili["status"] == "renamed" and huili["note"] == "会理县 (513425) -> 会理市"
    area = _quiet(
        cg.harmonise,
        census[2020],
        "adcode",
        year=2020,
        to_vintage="2025",
        columns={"population": "sum"},
        how="area",
    )
    units = set(area["unit"])
    rows = cg.harmonise_report(area).dropna(subset=["unit"])
    assert all(part in units for unit in rows["unit"] for part in unit.split("+")), (
        "the report's units are the result's rows"
    )
    shares = {
        v: _quiet(
            cg.harmonise,
            census[2010],
            "adcode",
            year=2010,
            to_vintage=v,
            columns={"population": "sum"},
            how="area",
        )
        .set_index("unit")
        .loc["511902", "population"]
        for v in ("2024", "2025")
    }
    assert shares["2024"] == pytest.approx(shares["2025"], rel=1e-12), (
        "a 2013 split is apportioned the same way for either vintage"
    )


def test_one_to_one_tables_pass_through_unchanged():
    table = pd.DataFrame({"k": ["500101", "500102"], "year": [2010, 2010], "label": ["a", "b"], "n": [1, 2]})
    result = cg.harmonise(table, "k", year=2010)
    assert list(result["year"]) == [2010, 2010] and list(result["label"]) == ["a", "b"]
    assert result["n"].dtype == table["n"].dtype
