"""Every number agrees with every other (issue 10): coverage, footprints, layer kinds, fonts."""

from __future__ import annotations

import glob
import json
import os
import re
import subprocess
import sys

import pandas as pd
import pytest

import chuanyu_geo as cg
from chuanyu_geo import cli

LEVELS = ("county", "partner", "prefecture")


@pytest.fixture(scope="module")
def reports():
    return {
        (level, vintage): cg.adjacency_report(level, vintage) for level in LEVELS for vintage in cg.VINTAGES
    }


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("vintage", cg.VINTAGES)
def test_coverage_is_the_same_in_report_json_and_api(reports, level, vintage):
    report = reports[level, vintage]
    api = cg.border_coverage(level=level, vintage=vintage)
    assert report.meta["coverage"] == api
    line = dict(report._meta_lines())["Inside a platform on both sides 两侧同属一平台"]
    assert line.startswith(f"{api['covered_km']:.2f} km (share {api['share']:.4f} ")
    assert f"{api['covered_km']:.2f} km (share {api['share']:.4f}" in report.to_markdown()
    assert json.loads(report.to_json())["meta"]["coverage"] == api
    assert api["level"] == level and api["vintage"] == vintage
    if level == "partner":
        assert api["share"] > 0.85


def test_graph_arguments_come_from_the_graph():
    graph = cg.adjacency_graph(level="partner")
    pd.testing.assert_frame_equal(cg.platform_metrics(graph=graph), cg.platform_metrics(level="partner"))
    assert cg.border_coverage(graph=graph) == cg.border_coverage(level="partner")
    pd.testing.assert_frame_equal(cg.cluster_metrics(graph=graph), cg.cluster_metrics(level="partner"))
    with pytest.raises(cg.InvalidArgumentError, match=r"level='county' contradicts the graph.*'partner'"):
        cg.platform_metrics(graph=graph, level="county")
    with pytest.raises(cg.InvalidArgumentError, match=r"vintage='2025' contradicts"):
        cg.border_coverage(graph=graph, vintage="2025")
    with pytest.raises(cg.InvalidArgumentError, match=r"detail='fine' contradicts"):
        cg.cross_border_pairs(graph=graph, detail="fine")
    assert cg.platform_metrics(graph=graph, level="partner").attrs["level"] == "partner"


def _cli_areas(level, vintage, tmp_path) -> dict[str, float]:
    target = tmp_path / f"platforms-{level}-{vintage}.json"
    assert (
        cli.main(["platforms", "--level", level, "--vintage", vintage, "--format", "json", "-o", str(target)])
        == 0
    )
    return {
        row["id"]: row["footprint_area_km2"]
        for row in json.loads(target.read_text(encoding="utf-8"))["platforms"]
    }


@pytest.mark.parametrize("level", ("county", "partner"))
@pytest.mark.parametrize("vintage", cg.VINTAGES)
def test_one_footprint_per_platform_everywhere(reports, level, vintage, tmp_path):
    from_cli = _cli_areas(level, vintage, tmp_path)
    metrics = cg.platform_metrics(level=level, vintage=vintage).set_index("platform_id")
    report = reports[level, vintage].tables["platforms"].set_index("platform_id")
    report_json = {
        r["platform_id"]: r for r in json.loads(reports[level, vintage].to_json())["tables"]["platforms"]
    }
    membership = cg.membership(level, vintage)
    for platform in cg.platforms():
        footprint = platform.footprint(level, vintage).iloc[0]
        area = round(float(footprint["area_km2"]), 1)
        assert (
            from_cli[platform.id]
            == metrics.loc[platform.id, "area_km2"]
            == report.loc[platform.id, "area_km2"]
            == area
        )
        assert report_json[platform.id]["area_km2"] == area
        members = sorted(membership.loc[membership["platform_id"] == platform.id, "adcode"])
        assert (
            members
            == sorted(footprint["unit_adcodes"].split(","))
            == sorted(platform.member_adcodes(level, vintage))
        )
        if footprint["precision"] == "approximate":
            note = metrics.loc[platform.id, "area_note"]
            assert note.startswith(f"approximate: whole units {area:,.1f} km²")
            assert report_json[platform.id]["area_note"] == note


def test_gaozhu_is_one_footprint():
    gaozhu = cg.get_platform("gaozhu")
    members_2025 = cg.membership("county", "2025").query("platform_id == 'gaozhu'")
    assert sorted(members_2025["name"]) == ["北碚区", "邻水县"]
    assert gaozhu.footprint("county", "2025").iloc[0]["units"] == "北碚区、邻水县"
    note = cg.platform_metrics().set_index("platform_id").loc["gaozhu", "area_note"]
    assert note == "approximate: whole units 3,364.5 km²; plan area 262 km²"
    page = cg.platform_map(tiles=None, lang="en").get_root().render()
    assert json.dumps(note)[1:-1] in page  # the outline's tooltip (as JSON text in the page)
    page_zh = cg.platform_map(tiles=None).get_root().render()
    assert json.dumps("近似：完整单元 3,364.5 km²；方案面积 262 km²")[1:-1] in page_zh


def test_missing_footprint_vintage_is_an_error():
    # An entry holds from its vintage until the next one; a vintage before every entry, or
    # one in which a listed unit no longer exists, is an error naming the key: never a
    # footprint silently widened to every partner.
    entry = {
        "id": "x",
        "name": "x",
        "cluster": "central",
        "partners": ["遂宁"],
        "footprint": "approximate",
        "footprint_units": {"2025": ["船山区"]},
    }
    with pytest.raises(
        cg.DefinitionError, match=r"platform 'x': footprint_units has no entry for vintage 2024 or an earlier"
    ):
        cg.load_platforms({"platforms": [entry]})
    entry.update(partners=["渝北"], footprint_units={"2024": ["渝北区"]})
    with pytest.raises(
        cg.DefinitionError,
        match=r"footprint_units\['2024'\] names '渝北区', which is not a unit of vintage 2025",
    ):
        cg.load_platforms({"platforms": [entry]})
    entry["footprint_units"] = {"2024": ["船山区"]}
    entry["partners"] = ["遂宁"]
    (platform,) = cg.load_platforms({"platforms": [entry]})
    assert (
        platform.member_adcodes("county", "2025") == platform.member_adcodes("county", "2024") == ["510903"]
    )


def test_partner_and_prefecture_layers_name_their_kinds():
    for vintage in cg.VINTAGES:
        for detail in cg.DETAILS:
            for level in ("partner", "prefecture"):
                layer = cg.load_boundaries(level, vintage, detail).set_index("name")
                assert (
                    layer.loc["成都市", "kind"] == "地级市"
                    and layer.loc["成都市", "name_en"] == "Chengdu City"
                )
                assert layer.loc["阿坝藏族羌族自治州", "kind"] == "自治州"
                assert (
                    layer.loc["阿坝藏族羌族自治州", "name_en"]
                    == "Aba Tibetan and Qiang Autonomous Prefecture"
                )
                prefectures = layer[layer["unit_level"] == "prefecture"]
                assert not prefectures["name_en"].str.endswith("County").any()
    graph = cg.adjacency_graph(level="partner")
    assert graph.nodes["511700"]["name_en"] == "Dazhou City"


def test_compare_vintages_names_the_cause():
    standard = cg.compare_vintages()
    assert standard.attrs["detail"] == "standard" and set(standard["cause"]) == {"reform"}
    fine = cg.compare_vintages(detail="fine")
    source = fine[fine["cause"] == "source"]
    assert list(zip(source["name_a"], source["name_b"])) == [("自流井区", "荣县")]
    assert (fine["reform"] == (fine["cause"] == "reform")).all()


def test_report_names_its_plan_explains_columns_and_links_the_map(tmp_path):
    report = cg.adjacency_report()
    out = report.write(tmp_path / "r", formats=("md", "json", "html", "csv", "map"))
    md = (out / "report.md").read_text(encoding="utf-8")
    page = (out / "report.html").read_text(encoding="utf-8")
    payload = json.loads((out / "report.json").read_text(encoding="utf-8"))
    for text in (md, page):
        assert "川渝毗邻地区合作共建区域发展功能平台推进方案" in text and "渝府办发〔2020〕97号" in text
        assert "map.html" in text and "Glossary" in text
    assert payload["meta"]["plan"]["document"] == "渝府办发〔2020〕97号"
    glossary = payload["meta"]["glossary"]
    for key, table in report.tables.items():
        for column in table.columns:
            name = f"{key}.{column}" if f"{key}.{column}" in glossary else column
            assert name in glossary, f"{key}.{column} is not explained"
            assert f"| {name} |" in md
    assert (
        "both units inside the platform" in glossary["platforms.cross_border_km"]["en"]
        or "both inside the platform" in glossary["platforms.cross_border_km"]["en"]
    )
    pairs = report.tables["platform_pairs"]
    assert set(pairs["platform_id"]) == {p.id for p in cg.platforms()}
    suitong = pairs[pairs["platform_id"] == "suitong"]
    assert set(suitong["name_b"]) == {"潼南区"} and set(suitong["province_a"]) == {"四川省"}
    raw = (out / "pairs.csv").read_bytes()
    assert raw.startswith("\ufeff".encode("utf-8")), "a BOM for Excel"
    table = pd.read_csv(out / "pairs.csv", dtype=str, encoding="utf-8-sig")
    assert table["adcode_a"].str.fullmatch(r"\d{6}").all()


def test_stale_matplotlib_cache_still_finds_cjk_fonts(tmp_path):
    """A font cache written before fonts-noto-cjk was installed (CJK entries removed)."""
    from tests.conftest import require_or_skip

    fonts = (
        subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout
        if os.path.exists("/usr/bin/fc-list")
        else ""
    )
    require_or_skip("CJK" in fonts, "no CJK font on this machine (apt-get install -y fonts-noto-cjk)")
    env = dict(os.environ, MPLCONFIGDIR=str(tmp_path / "mpl"))
    subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], env=env, check=True)
    cache = glob.glob(str(tmp_path / "mpl" / "fontlist-*.json"))[0]
    data = json.loads(open(cache, encoding="utf-8").read())
    data["ttflist"] = [f for f in data["ttflist"] if "CJK" not in f["name"]]
    open(cache, "w", encoding="utf-8").write(json.dumps(data))
    script = f"""
import warnings, chuanyu_geo as cg
warnings.simplefilter("error")  # no CJKFontWarning may be raised
fig = cg.plot_platforms(lang="zh")
labels = [t.get_text() for t in fig.axes[0].texts]
assert "万达开" in labels, labels
import matplotlib
matplotlib.rcParams["pdf.fonttype"] = 3  # the user's own settings at save time
matplotlib.rcParams["svg.fonttype"] = "path"
fig.savefig({str(tmp_path / "f.pdf")!r}); fig.savefig({str(tmp_path / "f.svg")!r})
"""
    run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    pdf = (tmp_path / "f.pdf").read_bytes()
    assert b"/Type3" not in pdf and re.search(rb"/Subtype\s*/(CIDFontType2|TrueType)", pdf)
    assert (tmp_path / "f.svg").read_text(encoding="utf-8").count("<text") > 10
