"""A third vintage and a third plan added as data (issue 13): no code change.

``tests/data/third`` holds the registry entries; the layers of vintage "2026" are copies of
the 2025 layers under the new id, written here. A child Python process with
``CHUANYU_GEO_DATA`` pointing at the directory runs the public functions on them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest

from chuanyu_geo import DataIntegrityError, boundaries

FIXTURE = Path(__file__).parent / "data" / "third"


@pytest.fixture(scope="module")
def third(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("third")
    for name in ("vintages.toml", "plans.toml", "platforms-2030.toml"):
        shutil.copy(FIXTURE / name, root / name)
    layers = root / "boundaries"
    layers.mkdir()
    manifest = json.loads((boundaries.data_dir() / "manifest.json").read_text(encoding="utf-8"))
    files = {}
    for level in boundaries.LEVELS:
        for detail in boundaries.DETAILS:
            entry = dict(manifest["files"][boundaries.layer_filename(level, "2025", detail)])
            gdf = gpd.read_file(boundaries.data_dir() / boundaries.layer_filename(level, "2025", detail))
            gdf["vintage"] = "2026"
            name = boundaries.layer_filename(level, "2026", detail)
            gdf.to_file(layers / name, driver="FlatGeobuf")
            raw = (layers / name).read_bytes()
            entry.update(vintage="2026", sha256=hashlib.sha256(raw).hexdigest(), bytes=len(raw))
            files[name] = entry
    (layers / "manifest.json").write_text(json.dumps({"files": files}), encoding="utf-8")
    return root


CHILD = r"""
import json, warnings
import pandas as pd
import chuanyu_geo as cg
from chuanyu_geo import maps, report
warnings.simplefilter("ignore")
out = {}
out["vintages"] = list(cg.VINTAGES)
out["plans"] = cg.plans()[["id", "n_platforms"]].values.tolist()
for level in cg.LEVELS:
    for detail in cg.DETAILS:
        out[f"n_{level}_{detail}"] = len(cg.load_boundaries(level, "2026", detail))
out["n_units_2025"] = len(cg.unit_table("county", "2025"))
out["resolve"] = cg.resolve("两江新区", vintage="2026").adcode
out["crosswalk"] = len(cg.crosswalk("2026")) == len(cg.crosswalk("2025"))
graph = cg.adjacency_graph(vintage="2026")
out["edges"] = [graph.number_of_edges(), cg.adjacency_graph(vintage="2025").number_of_edges()]
out["cross"] = round(cg.cross_border_pairs(vintage="2026")["shared_km"].sum(), 6) == round(
    cg.cross_border_pairs(vintage="2025")["shared_km"].sum(), 6)
changes = cg.compare_vintages()
out["compare"] = [changes.attrs.get("before"), changes.attrs.get("after"), len(changes)]
out["n_platforms"] = len(cg.platforms(plan="2030"))
out["gaozhu"] = cg.get_platform("gaozhu", plan="2030").member_adcodes("county", "2026")
member = cg.membership(level="county", vintage="2026", plan="2030")
treat = cg.treatment_table(plan="2030", level="county", vintage="2026")
out["membership"] = [len(member), len(treat), int(treat["date"].notna().sum())]
out["metrics"] = len(cg.platform_metrics(vintage="2026", plan="2030"))
out["clusters"] = len(cg.cluster_metrics(vintage="2026", plan="2030"))
out["coverage"] = len(cg.border_coverage(vintage="2026", plan="2030"))
out["pairs"] = len(cg.platform_pairs(vintage="2026", plan="2030"))
out["regions"] = len(cg.regions("chongqing", vintage="2026"))
html = maps._render(cg.platform_map(vintage="2026", plan="2030", tiles=None, offline=True), True)
out["map"] = ["2026" in html, "2030" in html]
maps._render(cg.adjacency_map(vintage="2026", tiles=None, offline=True), True)
table = pd.DataFrame({"unit": ["两江新区", "北碚区", "合川区"], "v": [1.0, 2.0, 3.0]})
maps._render(cg.choropleth(table, "v", "unit", vintage="2026", k=3, tiles=None), False)
raw = cg.load_census(2020)[["adcode", "population"]]
census = cg.harmonise(raw, "adcode", year=2020, to_vintage="2026", columns={"population": "sum"})
out["census"] = round(float(census["population"].sum()))
census25 = cg.harmonise(raw, "adcode", year=2020, to_vintage="2025", columns={"population": "sum"})
out["census25"] = round(float(census25["population"].sum()))
w = cg.weights(vintage="2026")
out["weights"] = w.n
units = cg.unit_table("county", "2026")
out["moran"] = [
    round(float(cg.morans_i(units, "label_lat", "adcode", vintage=v, permutations=0).I), 9) for v in ("2025", "2026")
]
fig = cg.plot_platforms(vintage="2026", plan="2030")
out["figure"] = any("2026" in t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")))
rep = cg.adjacency_report(vintage="2026", plan="2030")
rep.write("out-report")
out["report"] = "2030" in open("out-report/report.html", encoding="utf-8").read()
print(json.dumps(out, ensure_ascii=False, default=lambda v: v.item()))
"""


def test_a_third_vintage_and_plan_work_everywhere_with_no_code_change(third, tmp_path):
    env = dict(os.environ, CHUANYU_GEO_DATA=str(third), MPLBACKEND="Agg")
    done = subprocess.run(
        [sys.executable, "-c", CHILD], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["vintages"] == ["2024", "2025", "2026"]
    assert out["plans"] == [["2020", 9], ["2023", 10], ["2030", 10]]
    assert out["n_county_standard"] == out["n_county_fine"] == out["n_units_2025"]
    assert out["resolve"] == "500120" or out["resolve"].startswith("50")
    assert out["crosswalk"] is True
    assert out["edges"][0] == out["edges"][1] and out["cross"] is True
    assert out["compare"] == ["2025", "2026", 0], "nothing changed between 2025 and its copy"
    assert out["n_platforms"] == 10
    assert len(out["gaozhu"]) == 2, "高竹新区's 2025 containing units hold on in 2026"
    assert out["membership"][0] == out["membership"][1] == out["membership"][2] > 0
    assert out["metrics"] == 10 and out["clusters"] == 3 and out["pairs"] > 0 and out["coverage"] > 0
    assert out["regions"] > 0
    assert out["map"] == [True, True]
    assert out["census"] == out["census25"] > 0
    assert out["weights"] == out["n_units_2025"]
    assert out["moran"][0] == out["moran"][1] > 0.5, "latitude is strongly autocorrelated"
    assert out["figure"] is True and out["report"] is True


def test_data_directory_errors_name_what_is_wrong(tmp_path):
    # The import works (issue 19); the first data call raises the error.
    use = "import chuanyu_geo as cg; cg.load_boundaries()"
    env = dict(os.environ, CHUANYU_GEO_DATA=str(tmp_path / "missing"))
    done = subprocess.run([sys.executable, "-c", use], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode != 0 and "CHUANYU_GEO_DATA" in done.stderr and "not a directory" in done.stderr
    (tmp_path / "dup").mkdir()
    (tmp_path / "dup" / "vintages.toml").write_text(
        (FIXTURE / "vintages.toml").read_text(encoding="utf-8").replace('"2026"', '"2025"'), encoding="utf-8"
    )
    env = dict(os.environ, CHUANYU_GEO_DATA=str(tmp_path / "dup"))
    done = subprocess.run([sys.executable, "-c", use], env=env, capture_output=True, text=True, timeout=300)
    assert "vintage '2025' is already defined in chuanyu_geo/data/vintages.toml" in done.stderr


def test_an_entry_holds_until_the_next_and_an_uncovered_vintage_is_an_error():
    entries = {"2025": ["邻水县", "北碚区"]}
    assert boundaries.as_of(entries, "2025", "x") == ["邻水县", "北碚区"]
    with pytest.raises(
        DataIntegrityError, match=r"platforms\.toml: footprint_units has no entry for vintage 2024"
    ):
        boundaries.as_of(entries, "2024", "platforms.toml: footprint_units")
    assert boundaries.as_of({"2024": 1, "2025": 2}, "2024", "x") == 1
