from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pandas as pd
import pytest

import chuanyu_geo as cg
from chuanyu_geo import cli

DATA = Path(__file__).parent / "data"
PLAN_TEXT = (DATA / "plan-2020.txt").read_text(encoding="utf-8")

# Written out by hand from the plan's partners and the 2024 division lists; 高竹新区 is parts of
# 邻水县 and 渝北区 (its footprint units), not all of its partner 广安市.
EXPECTED_COUNTIES_2024 = {
    "wandakai": ["500101", "500154", "511702", "511703", "511722", "511723", "511724", "511725", "511781"],
    "mingyueshan": ["500155", "500231", "511623", "511703", "511723", "511724"],
    "chengxuanwan": ["500229", "511722", "511781"],
    "gaozhu": ["500112", "511623"],
    "heguangchang": ["500115", "500117", "511602", "511603", "511621", "511622", "511623", "511681"],
    "suitong": ["500152", "510903", "510904", "510921", "510923", "510981"],
    "zida": ["500111", "512002", "512021", "512022"],
    "neirong": ["500153", "511002", "511011", "511024", "511025", "511083"],
    "luyongjiang": ["500116", "500118", "510502", "510503", "510504", "510521", "510522", "510524", "510525"],
}
EXPECTED_PARTNER_LEVEL = {
    "wandakai": ["500101", "500154", "511700"],
    "mingyueshan": ["500155", "500231", "511600", "511700"],
    "chengxuanwan": ["500229", "511700"],
    "gaozhu": ["500112", "511600"],
    "heguangchang": ["500115", "500117", "511600"],
    "suitong": ["500152", "510900"],
    "zida": ["500111", "512000"],
    "neirong": ["500153", "511000"],
    "luyongjiang": ["500116", "500118", "510500"],
}


def test_nine_platforms_in_three_clusters():
    platforms = cg.platforms()
    assert len(platforms) == 9
    by_cluster = {c.id: [p.id for p in platforms if p.cluster == c.id] for c in cg.clusters()}
    assert {k: len(v) for k, v in by_cluster.items()} == {"northeast": 3, "central": 4, "southwest": 2}
    assert [c.name for c in cg.clusters()] == ["川东北渝东北", "成渝中部", "川南渝西"]
    assert {c.id: list(c.platform_ids) for c in cg.clusters()} == by_cluster
    assert [p.short_name for p in platforms] == [
        "万达开",
        "明月山",
        "城宣万",
        "高竹新区",
        "合广长",
        "遂潼",
        "资大",
        "内荣",
        "泸永江",
    ]


@pytest.mark.parametrize("platform", cg.platforms(), ids=lambda p: p.id)
def test_every_platform_is_quoted_from_the_plan(platform):
    assert platform.quote in PLAN_TEXT
    assert platform.name_in_plan in PLAN_TEXT
    for partner in platform.partners:
        assert partner.quoted in platform.quote, partner
        assert partner.quoted in PLAN_TEXT
    cluster = next(c for c in cg.clusters() if c.id == platform.cluster)
    assert cluster.quote in PLAN_TEXT and cluster.clause == platform.clause
    assert re.fullmatch(r"[a-z]+", platform.id) and platform.name_en and platform.theme and platform.theme_en


@pytest.mark.parametrize("platform_id", EXPECTED_COUNTIES_2024)
def test_partner_adcodes(platform_id):
    platform = cg.get_platform(platform_id)
    assert platform.member_adcodes("county") == EXPECTED_COUNTIES_2024[platform_id]
    assert platform.member_adcodes("partner") == EXPECTED_PARTNER_LEVEL[platform_id]


def test_partners_keep_their_level():
    levels = {p.name: p.level for platform in cg.platforms() for p in platform.partners}
    assert (levels["达州"], levels["达川"], levels["渝北"], levels["广安"]) == (
        "prefecture",
        "county",
        "county",
        "prefecture",
    )


def test_overall_plans_are_recorded_with_sources():
    mingyueshan = cg.get_platform("明月山")
    assert (
        mingyueshan.overall_plan.adds == ("长寿",)
        and mingyueshan.overall_plan.document == "渝发改合作〔2021〕1449号"
    )
    assert "500115" not in mingyueshan.member_adcodes(), "later additions do not change the 2020 membership"
    gaozhu = cg.get_platform("gaozhu")
    assert gaozhu.overall_plan.area_km2 == 262 and gaozhu.plan_area_km2 == 262
    for plan in cg.plans()["id"]:
        for platform in cg.platforms(plan=plan):
            assert platform.plan == plan
            assert platform.designated is not None and platform.designated.source, platform.id
            known = platform.overall_plan
            assert known is not None and known.source, platform.id
            assert known.document or known.note, (
                f"{platform.id}: a document number or a note saying it was not found"
            )


def _platforms_of(table, name):
    return set(table.loc[table["name"] == name, "platform"])


@pytest.mark.parametrize("vintage", cg.VINTAGES)
def test_membership(vintage):
    table = cg.membership("county", vintage)
    assert _platforms_of(table, "邻水县") == {"明月山", "高竹新区", "合广长"}
    assert _platforms_of(table, "大竹县") == {"万达开", "明月山"}
    assert _platforms_of(table, "潼南区") == {"遂潼"}
    assert _platforms_of(table, "江津区") == {"泸永江"}
    assert not table.duplicated(["adcode", "platform_id"]).any()
    assert set(table["cluster"]) == {"northeast", "central", "southwest"}


def test_yubei_across_vintages():
    before = cg.membership("county", "2024")
    assert _platforms_of(before, "渝北区") == {"高竹新区"}
    after = cg.membership("county", "2025")
    assert "渝北区" not in set(after["name"])
    # 高竹新区's towns on the Chongqing side went to 北碚区, not to 两江新区: one footprint rule.
    gaozhu = after[after["platform_id"] == "gaozhu"]
    assert dict(zip(gaozhu["name"], gaozhu["partner"])) == {"北碚区": "渝北", "邻水县": "广安"}
    assert cg.get_platform("gaozhu").member_adcodes("county", "2025") == ["500109", "511623"]
    assert "两江新区" not in set(after["name"])


def test_footprints_and_precision():
    gaozhu_2024 = cg.get_platform("gaozhu").footprint("county", "2024").iloc[0]
    gaozhu_2025 = cg.get_platform("gaozhu").footprint("county", "2025").iloc[0]
    assert gaozhu_2024["precision"] == gaozhu_2025["precision"] == "approximate"
    assert gaozhu_2024["units"] == "渝北区、邻水县" and gaozhu_2025["units"] == "北碚区、邻水县"
    assert "262 km²" in gaozhu_2024["note"] and gaozhu_2024["area_km2"] > 262 * 5
    suitong = cg.get_platform("suitong").footprint().iloc[0]
    assert suitong["precision"] == "exact" and suitong["note"] is None
    # A county partner widened to its prefecture at partner level makes the footprint approximate.
    chengxuanwan = cg.get_platform("chengxuanwan")
    assert chengxuanwan.footprint("county").iloc[0]["precision"] == "exact"
    assert (
        chengxuanwan.footprint_precision("county") == "exact"
        and chengxuanwan.footprint_precision("partner") == "approximate"
    )
    assert cg.get_platform("gaozhu").footprint_precision("county", "2025") == "approximate"
    widened = chengxuanwan.footprint("partner").iloc[0]
    assert widened["precision"] == "approximate" and "larger units" in widened["note"]


def test_get_platform_by_any_name():
    for key in (
        "luyongjiang",
        "泸永江",
        "泸永江融合发展示范区",
        "LUZHOU–YONGCHUAN–JIANGJIN integrated development demonstration zone",
        "高滩茨竹新区",
    ):
        assert cg.get_platform(key).id in {"luyongjiang", "gaozhu"}
    assert cg.get_platform("高滩茨竹新区").id == "gaozhu"
    with pytest.raises(cg.UnknownPlatformError, match="did you mean: 泸永江 \\(luyongjiang\\)"):
        cg.get_platform("luyongjang")


def test_platforms_are_immutable():
    platform = cg.get_platform("zida")
    with pytest.raises(dataclasses.FrozenInstanceError):
        platform.name = "x"
    assert isinstance(platform.partners, tuple)


@pytest.mark.parametrize("path", sorted((DATA / "broken_platforms").glob("*.toml")), ids=lambda p: p.stem)
def test_broken_platform_files(path):
    expected = path.read_text(encoding="utf-8").splitlines()[0].removeprefix("# expect: ")
    with pytest.raises(cg.DefinitionError) as err:
        cg.load_platforms(path)
    assert expected in str(err.value)
    assert str(path) in str(err.value)


def test_broken_files_each_give_their_own_message():
    messages = []
    for path in sorted((DATA / "broken_platforms").glob("*.toml")):
        with pytest.raises(cg.DefinitionError) as err:
            cg.load_platforms(path)
        messages.append(str(err.value).replace(str(path), ""))
    assert len(set(messages)) == len(messages)


def test_user_platform_set():
    user = cg.load_platforms(
        {
            "clusters": [{"id": "west", "name": "川西"}],
            "platforms": [
                {
                    "id": "chengmei",
                    "name": "成眉同城化",
                    "cluster": "west",
                    "partners": ["成都", {"name": "眉山", "quoted": "眉山"}],
                },
            ],
        }
    )
    assert [p.id for p in user] == ["chengmei"]
    table = cg.membership("partner", platform_set=user)
    assert list(table["adcode"]) == ["510100", "511400"] and set(table["cluster_name"]) == {"川西"}
    assert cg.get_platform("成眉同城化", platform_set=user).id == "chengmei"
    with pytest.raises(cg.DefinitionError, match="does not exist"):
        cg.load_platforms("no/such/file.toml")


def test_cli_platforms_prints_areas_and_precision(capsys):
    assert cli.main(["platforms"]) == 0
    out = capsys.readouterr().out
    assert "approximate" in out and "exact" in out and "262 km²" in out
    assert cli.main(["platforms", "--format", "json"]) == 0
    rows = {row["id"]: row for row in json.loads(capsys.readouterr().out)["platforms"]}
    # Whole-unit footprints against the areas the overall plans state (FACTS.md).
    assert rows["wandakai"]["footprint_area_km2"] == pytest.approx(24_100, rel=0.01)
    assert rows["chengxuanwan"]["footprint_area_km2"] == pytest.approx(11_628, rel=0.01)
    assert rows["heguangchang"]["footprint_area_km2"] == pytest.approx(10_107, rel=0.01)
    assert rows["gaozhu"]["precision"] == "approximate" and rows["gaozhu"]["plan_area_km2"] == 262
    assert rows["mingyueshan"]["plan_area_km2"] == 7200


def test_cli_platforms_partner_level_2025_csv(tmp_path, capsys):
    target = tmp_path / "p.csv"
    assert (
        cli.main(
            ["platforms", "--level", "partner", "--vintage", "2025", "--format", "csv", "-o", str(target)]
        )
        == 0
    )
    rows = pd.read_csv(target).set_index("id")
    assert rows.loc["gaozhu", "members"] == "北碚区、广安市"
    assert rows.loc["gaozhu", "vintage"] == 2025


def test_cli_user_file_error_is_clean(capsys):
    broken = DATA / "broken_platforms" / "unknown_cluster.toml"
    assert cli.main(["platforms", "--file", str(broken)]) == 2
    assert "unknown cluster 'west'" in capsys.readouterr().err


@pytest.mark.parametrize("plan", ["2020", "2023"])
def test_label_graph_agrees_with_membership(plan):
    graph = cg.label_graph(cg.adjacency_graph(level="partner"), plan=plan)
    table = cg.membership(level="partner", plan=plan)
    expected = table.groupby("adcode")["platform_id"].agg(tuple).to_dict()
    clusters = table.groupby("adcode")["cluster"].agg(lambda s: tuple(sorted(set(s)))).to_dict()
    assert graph.graph["plan"] == plan
    for node, data in graph.nodes(data=True):
        assert data["platforms"] == expected.get(node, ()), node
        assert data["clusters"] == clusters.get(node, ()), node
    assert graph.nodes["511000"]["platforms"] == (
        ("neirong",) if plan == "2020" else ("neirong", "chuannanyuxi")
    )  # 内江市


def test_label_graph_reads_level_and_vintage_from_the_graph():
    graph = cg.adjacency_graph(level="county", vintage="2025")
    with pytest.raises(cg.InvalidArgumentError, match="level='partner' contradicts the graph"):
        cg.label_graph(graph, level="partner")
    with pytest.raises(cg.InvalidArgumentError, match="pass either platform_set= or plan="):
        cg.label_graph(graph, plan="2020", platform_set=cg.platforms())
    cg.label_graph(graph)
    # 2025: 高竹新区 lies in 北碚区 (not 渝北区) after the reform.
    assert "gaozhu" in graph.nodes["500109"]["platforms"] and "gaozhu" not in graph.nodes.get(
        "500112", {}
    ).get("platforms", ())
    province = cg.label_graph(cg.adjacency_graph(level="province"))
    assert all(d["platforms"] == () and d["clusters"] == () for _, d in province.nodes(data=True))


def test_label_graph_of_a_graph_without_a_layer_and_of_a_user_set():
    layer = cg.load_boundaries("county", "2024")
    graph = cg.adjacency_graph(layer[layer["adcode"].isin(["500117", "511622", "511623"])], id_col="adcode")
    with pytest.raises(
        cg.InvalidArgumentError,
        match=r"the graph records level='user layer', not one of: county.*; pass level=",
    ):
        cg.label_graph(graph)
    mine = cg.load_platforms(
        {"platforms": [{"id": "hewu", "name": "合武", "cluster": "central", "partners": ["合川", "武胜"]}]}
    )
    cg.label_graph(graph, level="county", vintage="2024", platform_set=mine)
    assert graph.graph["plan"] == "user"
    assert {n: d["platforms"] for n, d in graph.nodes(data=True)} == {
        "500117": ("hewu",),
        "511622": ("hewu",),
        "511623": (),
    }
    with pytest.raises(cg.InvalidArgumentError, match="graph must be a networkx.Graph"):
        cg.label_graph(layer)
