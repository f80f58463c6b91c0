from __future__ import annotations

from importlib import resources

import pandas as pd
import pytest

import chuanyu_geo as cg

POLYPHONES = {
    # FACTS.md: readings that naive conversion gets wrong.
    "犍为县": "Qianwei",
    "筠连县": "Junlian",
    "荥经县": "Yingjing",
    "会理市": "Huili",
    "什邡市": "Shifang",
    "郫都区": "Pidu",
    "珙县": "Gongxian",
    "梓潼县": "Zitong",
    "华蓥市": "Huaying",
    "綦江区": "Qijiang",
    "涪陵区": "Fuling",
    "北碚区": "Beibei",
    "长寿区": "Changshou",
    "都江堰市": "Dujiangyan",
    "乐山市": "Leshan",
    "朝天区": "Chaotian",
    "阆中市": "Langzhong",
    "重庆市": "Chongqing",
    "广安市": "Guang'an",
    # Found wrong in pypinyin while building the layers.
    "丰都县": "Fengdu",
    "新都区": "Xindu",
    "长宁县": "Changning",
    "成都市": "Chengdu",
}


@pytest.mark.parametrize("vintage", cg.VINTAGES)
@pytest.mark.parametrize(("name", "pinyin"), POLYPHONES.items())
def test_polyphones(name, pinyin, vintage):
    table = cg.unit_table("county", vintage)
    table = table if name in set(table["name"]) else cg.unit_table("prefecture", vintage)
    row = table[table["name"] == name].iloc[0]
    assert row["pinyin"] == pinyin


def test_english_names():
    table = cg.unit_table("county").set_index("name")["name_en"]
    assert table["万州区"] == "Wanzhou District"
    assert table["珙县"] == "Gong County"
    assert table["华蓥市"] == "Huaying City"
    assert table["石柱土家族自治县"] == "Shizhu Tujia Autonomous County"
    assert table["彭水苗族土家族自治县"] == "Pengshui Miao and Tujia Autonomous County"
    assert cg.resolve("两江新区", vintage="2025").name_en == "Liangjiang New Area"


def test_short_names():
    table = cg.unit_table("county").set_index("name")["short_name"]
    assert (table["万州区"], table["石柱土家族自治县"], table["忠县"]) == ("万州", "石柱", "忠县")
    assert cg.unit_table("prefecture").set_index("name")["short_name"]["达州市"] == "达州"


@pytest.mark.parametrize(
    ("query", "kwargs", "adcode"),
    [
        ("万州区", {}, "500101"),
        ("万州", {}, "500101"),
        ("Wanzhou", {}, "500101"),
        ("WANZHOU", {}, "500101"),
        ("wàn zhōu", {}, "500101"),
        ("wan4zhou1", {}, "500101"),
        ("Wanzhou District", {}, "500101"),
        (500101, {}, "500101"),
        ("500101", {}, "500101"),
        ("guang an", {"level": "prefecture"}, "511600"),
        ("Guang'an", {"level": "partner"}, "511600"),
        ("广安市", {}, "511600"),
        ("广安区", {}, "511602"),
        ("内江市市中区", {}, "511002"),
        ("内江市中区", {}, "511002"),
        ("四川省乐山市市中区", {}, "511102"),
        ("重庆市万州区", {}, "500101"),
        ("石柱", {}, "500240"),
        ("忠县", {}, "500233"),
        ("Zhongxian", {}, "500233"),
        ("达州", {}, "511700"),
        ("重庆", {}, "500000"),
        ("重庆", {"level": "prefecture"}, "500000"),
        ("四川", {}, "510000"),
        ("渝北区", {}, "500112"),
        ("渝北", {"level": "partner"}, "500112"),
        ("两江新区", {"vintage": "2025"}, "500105"),
    ],
)
def test_resolve(query, kwargs, adcode):
    assert cg.resolve(query, **kwargs).adcode == adcode


def test_resolve_returns_a_full_record():
    place = cg.resolve("万州")
    assert place.name == "万州区" and place.short_name == "万州" and place.name_en == "Wanzhou District"
    assert place.level == "county" and place.province == "重庆市" and place.prefecture_adcode == "500000"
    assert place.vintage == "2024" and place.query == "万州" and place.note is None
    assert cg.resolve("达州").level == "prefecture"


@pytest.mark.parametrize(
    ("query", "successor", "year"),
    [
        ("开县", "开州区", "2016"),
        ("达县", "达川区", "2013"),
        ("500234", "开州区", "2016"),
        ("梁平县", "梁平区", "2016"),
        ("双桥区", "大足区", "2011"),
        ("元坝区", "昭化区", "2013"),
    ],
)
def test_former_names_resolve_to_successors_with_a_note(query, successor, year):
    place = cg.resolve(query)
    assert place.name == successor
    assert year in place.note and "former unit" in place.note


def test_yubei_in_vintage_2025_points_to_both_successors():
    place = cg.resolve("渝北区", vintage="2025")
    assert place.name == "两江新区"
    assert [s.name for s in place.successors] == ["两江新区", "北碚区"]
    for town in ("大湾镇", "统景镇", "大盛镇", "兴隆镇", "茨竹镇"):
        assert town in place.note
    assert "2025-11-06" in place.note
    jiangbei = cg.resolve("江北区", vintage="2025")
    assert jiangbei.name == "两江新区" and jiangbei.successors == ()
    assert "reshaped on 2025-11-06" in cg.resolve("北碚区", vintage="2025").note


def test_ambiguous_lists_candidates_and_how_to_name_each():
    with pytest.raises(cg.AmbiguousPlaceError) as err:
        cg.resolve("市中区")
    message = str(err.value)
    assert {c.adcode for c in err.value.candidates} == {"511002", "511102"}
    assert "内江市市中区" in message and "乐山市市中区" in message
    assert "511002" in message and "511102" in message
    with pytest.raises(cg.AmbiguousPlaceError, match="广安市.*广安区"):
        cg.resolve("广安")
    with pytest.raises(cg.AmbiguousPlaceError):
        cg.resolve("Shizhong")


def test_unknown_suggests_close_matches():
    with pytest.raises(cg.UnknownPlaceError) as err:
        cg.resolve("万洲")
    assert err.value.suggestions[0].startswith("万州区")
    assert len(err.value.suggestions) <= 3
    assert "万洲" in str(err.value) and "万州区" in str(err.value)
    with pytest.raises(cg.UnknownPlaceError) as err:
        cg.resolve("Wanzou")
    assert err.value.suggestions[0].startswith("万州区")


def test_unit_from_a_later_vintage_explains_itself():
    with pytest.raises(cg.UnknownPlaceError) as err:
        cg.resolve("两江新区", vintage="2024")
    assert "2025-11-06" in str(err.value) and "vintage='2025'" in str(err.value)
    assert {s.split()[0] for s in err.value.suggestions} == {"江北区", "渝北区", "北碚区"}


@pytest.mark.parametrize(
    ("query", "kwargs", "message"),
    [
        ("", {}, "query is empty"),
        ("12345", {}, "expected 6"),
        (None, {}, "must be a name"),
        ("万州", {"level": "town"}, "level='town' is not valid"),
        ("万州", {"vintage": "2030"}, "vintage='2030' is not valid"),
    ],
)
def test_bad_queries(query, kwargs, message):
    with pytest.raises(cg.InvalidArgumentError, match=message):
        cg.resolve(query, **kwargs)


def test_level_restricts_the_search():
    with pytest.raises(cg.UnknownPlaceError, match="at level province"):
        cg.resolve("万州", level="province")
    # 广安区 is a Sichuan county: not a partner-level unit, so 广安 is unambiguous there.
    assert cg.resolve("广安", level="partner").adcode == "511600"


def test_crosswalk():
    table = cg.crosswalk()
    assert list(table.columns) == [
        "old_adcode",
        "old_name",
        "new_adcode",
        "new_name",
        "date",
        "change",
        "share",
        "detail",
        "note",
        "source",
    ]
    assert set(table["change"]) <= {"rename", "recode", "merge", "split", "transfer", "abolish"}
    assert not table["source"].str.contains("FACTS").any(), "original sources, not our notes"
    assert (
        table["old_adcode"].str.fullmatch(r"\d{6}").all()
        and table["new_adcode"].str.fullmatch(r"\d{6}").all()
    )
    assert (table["source"] != "").all()
    kaixian = table[table["old_name"] == "开县"].iloc[0]
    assert (kaixian["old_adcode"], kaixian["new_adcode"], kaixian["new_name"], kaixian["date"]) == (
        "500234",
        "500154",
        "开州区",
        "2016",
    )
    yubei = table[table["old_name"] == "渝北区"]
    assert set(yubei["new_name"]) == {"两江新区", "北碚区"} and set(yubei["share"]) == {"most", "part"}
    assert not cg.crosswalk("2024")["date"].str.startswith("2025").any()
    assert cg.crosswalk("2025")["date"].str.startswith("2025").sum() == 5
    # Every successor exists in the vintage the change belongs to.
    for vintage in cg.VINTAGES:
        current = set(cg.unit_table("county", vintage)["adcode"])
        assert set(cg.crosswalk(vintage)["new_adcode"]) <= current


HEADER = "old_adcode,old_name,new_adcode,new_name,date,change,share,detail,note,source\n"
ROW = "500234,开县,500154,开州区,2016,recode,all,,,民政部\n"


@pytest.fixture
def data_pack(tmp_path, monkeypatch):
    """A data directory in CHUANYU_GEO_DATA, with the crosswalk read afresh before and after."""
    from chuanyu_geo import gazetteer_crosswalk

    monkeypatch.setenv("CHUANYU_GEO_DATA", str(tmp_path))
    gazetteer_crosswalk._crosswalk_table.cache_clear()
    yield tmp_path
    monkeypatch.undo()
    gazetteer_crosswalk._crosswalk_table.cache_clear()


def test_a_data_pack_adds_crosswalk_rows(data_pack):
    before = len(pd.read_csv(resources.files("chuanyu_geo").joinpath("data", "crosswalk.csv"), dtype=str))
    (data_pack / "crosswalk.csv").write_text(HEADER + ROW.replace("开县", "开县甲"), encoding="utf-8")
    table = cg.crosswalk()
    assert len(table) == before + 1 and table["old_name"].iloc[-1] == "开县甲"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "columns none (the file is empty)"),
        (HEADER + ROW.rstrip("\n") + ",extra,fields\n", "line 2: 12 fields; expected the 10 of the header"),
        (HEADER + '500234,"开县,500154\n', "line 2: not readable as CSV"),  # an unclosed quote
        (HEADER + '500234,"开县"x,500154\n', "line 2: not readable as CSV"),  # text after a quote
        ("old_code,old_name\n500234,开县\n", "columns ['old_code', 'old_name']"),
        (HEADER + ROW + "\n" + "500234,开县,500154\n", "line 4: 3 fields; expected the 10"),
        (HEADER + ROW.replace("recode", "renamed"), "line 2: change is 'renamed'; expected one of rename"),
        (HEADER + ROW.replace(",all,", ",half,"), "share is 'half'"),
        (HEADER + ROW.replace("500234", "50023"), "old_adcode is '50023'; expected a 6-digit adcode"),
        (HEADER + ROW.replace("2016", "2016/01/01"), "date is '2016/01/01'"),
    ],
)
def test_a_malformed_crosswalk_is_one_error_naming_the_file(data_pack, text, expected):
    path = data_pack / "crosswalk.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(cg.DataIntegrityError) as caught:
        cg.crosswalk()
    message = str(caught.value)
    assert str(path) in message and expected in message, message
    assert "\n" not in message
    # An error is not cached: asked again, the file is read again and refused again.
    with pytest.raises(cg.DataIntegrityError, match="crosswalk.csv"):
        cg.crosswalk("2025")


GAZETTEER_MODULES = ("gazetteer", "gazetteer_index", "gazetteer_crosswalk")


@pytest.mark.parametrize("name", GAZETTEER_MODULES)
def test_the_gazetteer_modules_are_short_and_say_their_job(name):
    import ast

    path = resources.files("chuanyu_geo").joinpath(f"{name}.py")
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 700, f"{name}.py: {len(text.splitlines())} lines"
    docstring = ast.get_docstring(ast.parse(text))
    assert docstring and len(docstring.split("\n\n")[0]) > 20, f"{name}.py opens without saying its job"


def test_names_imported_from_the_gazetteer_still_import_from_it():
    # What the package's other modules (tables/, platforms, regions, ...) import from it.
    from chuanyu_geo import gazetteer, gazetteer_crosswalk, gazetteer_index

    names = (
        "_CJK _chinese_key _index _latin_key _reach _resolve _zone_keys _zone_table "
        "EXPAND_LEVELS RESOLVE_LEVELS Place crosswalk expand resolve"
    ).split()
    assert all(hasattr(gazetteer, name) for name in names), [n for n in names if not hasattr(gazetteer, n)]
    assert gazetteer.crosswalk is gazetteer_crosswalk.crosswalk is cg.crosswalk
    assert gazetteer._index is gazetteer_index._index and gazetteer.Place is cg.Place
    assert cg.resolve("开县", vintage="2024").adcode == "500154"
