"""Maps a researcher can put in front of people (issue 14), checked in headless Chromium."""

from __future__ import annotations

import re

import pytest

import chuanyu_geo as cg
from chuanyu_geo import maps

CJK = re.compile(r"[\u3400-\u9fff]")


def _page(browser, path, width=1400, height=900, allow=None):
    page = browser.new_page(viewport={"width": width, "height": height})
    events = {"requests": [], "errors": []}
    page.on("request", lambda r: events["requests"].append(r.url))
    page.on("pageerror", lambda e: events["errors"].append(str(e)))
    allow = allow or (lambda url: url.startswith("file:"))
    page.route("**/*", lambda route: route.continue_() if allow(route.request.url) else route.abort())
    page.goto(path.as_uri())
    page.wait_for_function(
        "typeof L !== 'undefined' && document.querySelectorAll('path.chuanyu-unit').length > 0"
    )
    page.wait_for_timeout(200)
    return page, events


def _hover_label(page, adcode: str) -> str:
    label = cg.unit_table("county").set_index("adcode").loc[adcode, ["label_lon", "label_lat"]]
    point = page.evaluate(
        """([lon, lat]) => { let map = null; for (const k of Object.keys(window)) if (window[k] instanceof L.Map) map = window[k];
            map.setView([lat, lon], 9, {animate: false});
            const p = map.latLngToContainerPoint([lat, lon]); const r = map.getContainer().getBoundingClientRect();
            return [p.x + r.left, p.y + r.top]; }""",
        [float(label["label_lon"]), float(label["label_lat"])],
    )
    page.mouse.move(0, 0)
    page.mouse.move(*point)
    page.wait_for_selector(".leaflet-tooltip")
    return " | ".join(page.locator(".leaflet-tooltip").all_inner_texts())


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ui")
    return {
        "zh": maps.save_map(cg.platform_map(tiles=None, offline=True), folder / "zh.html"),
        "en": maps.save_map(cg.platform_map(tiles=None, offline=True, lang="en"), folder / "en.html"),
        "online": maps.save_map(cg.platform_map(tiles="osm"), folder / "online.html"),
        "adjacency": maps.save_map(cg.adjacency_map(tiles=None, offline=True), folder / "adjacency.html"),
        "2023": maps.save_map(
            cg.platform_map(tiles=None, offline=True, plan="2023", lang="zh+en"), folder / "plan-2023.html"
        ),
    }


def test_unit_tooltips_are_reachable_inside_platforms(browser, saved):
    page, events = _page(browser, saved["zh"])
    assert "万州区" in _hover_label(page, "500101")
    assert "大竹县" in _hover_label(page, "511724")
    linshui = _hover_label(page, "511623")
    assert "邻水县" in linshui and all(name in linshui for name in ("明月山", "高竹新区", "合广长"))
    assert events["errors"] == []
    page.close()


def test_english_map_is_english_and_its_control_compact(browser, saved):
    page, _ = _page(browser, saved["en"])
    legend = page.locator(".chuanyu-legend").inner_text()
    control = page.locator(".leaflet-control-layers").inner_text()
    assert not CJK.search(legend) and not CJK.search(control), (legend, control)
    assert page.locator(".leaflet-control-layers").bounding_box()["width"] <= 320
    assert "Wanzhou District" in _hover_label(page, "500101")
    page.close()
    small, _ = _page(browser, saved["en"], 900, 500)
    assert (
        small.evaluate(
            "document.querySelector('.leaflet-control-layers').classList.contains('leaflet-control-layers-expanded')"
        )
        is False
    )
    small.close()


def test_chinese_map_is_chinese(browser, saved):
    page, _ = _page(browser, saved["zh"])
    legend = page.locator(".chuanyu-legend").inner_text()
    assert "功能平台" in legend and "Platforms" not in legend and "several clusters" not in legend
    page.close()


@pytest.mark.parametrize("name", ["zh", "adjacency"])
def test_offline_maps_request_nothing_and_have_no_broken_images(browser, saved, name):
    page, events = _page(browser, saved[name])
    broken = page.evaluate(
        "[...document.images].filter(i => i.complete && i.naturalWidth === 0).map(i => i.src)"
    )
    assert broken == []
    assert events["requests"] == [saved[name].as_uri()]
    assert saved[name].stat().st_size < 1_000_000, "a default map stays under 1 MB"
    page.close()


def test_online_map_requests_only_tiles(browser, saved):
    page, events = _page(browser, saved["online"], allow=lambda url: url.startswith("file:"))
    page.wait_for_timeout(300)
    others = [
        u
        for u in events["requests"]
        if not u.startswith("file:") and not re.match(r"https://tile\.openstreetmap\.org/\d+/\d+/\d+\.png", u)
    ]
    assert others == [], others
    assert any("tile.openstreetmap.org" in u for u in events["requests"])
    page.close()


def test_choropleth_fits_its_data_with_legend_breaks_at_one_precision():
    import pandas as pd

    table = pd.DataFrame(
        {"k": ["万州", "开州", "梁平", "达川", "大竹", "开江"], "v": [5.464, 6.66, 10.17, 3.2, 8.0, 7.1]}
    )
    m = cg.choropleth(table, "v", "k", k=3, tiles=None, lang="en")
    page = m.get_root().render()
    breaks = re.findall(r"(\d+\.\d+) – (\d+\.\d+)", page)
    assert breaks and len({len(a.split(".")[1]) for pair in breaks for a in pair}) == 1, breaks
    bounds = m.location if m.location else None
    fit = [c for c in m._children.values() if type(c).__name__ == "FitBounds"][0].bounds
    assert fit[1][1] - fit[0][1] < 3, "framed on the six units, not all of Sichuan"
    assert bounds is None or True


def test_point_contacts_are_circles_in_the_edge_colour(browser, saved):
    page, _ = _page(browser, saved["adjacency"])
    colours = page.evaluate(
        """() => { const out = []; for (const k of Object.keys(window)) { const v = window[k];
             if (v instanceof L.Map) v.eachLayer(l => { if (l instanceof L.CircleMarker) out.push(l.options.color); }); }
           return out; }"""
    )
    assert colours and set(colours) <= {"#737373", "#cb181d"}, colours
    page.close()


def test_search_box_finds_a_unit_and_shows_its_tooltip(browser, saved):
    for name, query, expected in (
        ("zh", "邻水县", "高竹新区"),
        ("en", "Wanzhou District", "Wanzhou District"),
    ):
        page, events = _page(browser, saved[name])
        box = page.locator(".chuanyu-search input")
        options = page.evaluate("[...document.querySelectorAll('.chuanyu-search option')].map(o => o.value)")
        assert query in options and len(options) == len(cg.unit_table("county"))
        box.fill(query)
        box.press("Enter")
        page.wait_for_selector(".leaflet-tooltip")
        assert expected in page.locator(".leaflet-tooltip").inner_text()
        box.fill("no such unit")
        box.press("Enter")
        assert "chuanyu-miss" in box.get_attribute("class")
        assert events["errors"] == []
        page.close()


def test_fullscreen_and_download_of_the_units_in_view(browser, saved, tmp_path):
    import json

    page, events = _page(browser, saved["zh"])
    page.click(".chuanyu-fullscreen")
    page.wait_for_timeout(200)
    filled = page.evaluate(
        "document.fullscreenElement !== null || "
        "document.querySelector('.leaflet-container').classList.contains('chuanyu-fill-window')"
    )
    assert filled
    page.evaluate("document.fullscreenElement && document.exitFullscreen()")
    page.locator(".chuanyu-search input").fill("万州区")
    page.locator(".chuanyu-search input").press("Enter")
    page.wait_for_timeout(300)
    with page.expect_download() as info:
        page.click(".chuanyu-download")
    path = tmp_path / "units.geojson"
    info.value.save_as(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    names = {f["properties"]["name"] for f in data["features"]}
    assert "万州区" in names and 0 < len(names) < len(cg.unit_table("county")), "only the units in view"
    wanzhou = next(f for f in data["features"] if f["properties"]["name"] == "万州区")
    assert wanzhou["properties"]["adcode"] == "500101" and "万达开" in wanzhou["properties"]["details"]
    assert "WGS84" in data["coordinates_note"]
    assert events["errors"] == []
    page.close()


@pytest.mark.parametrize(("lang", "names"), [("zh", ("四川省", "重庆市")), ("en", ("Sichuan", "Chongqing"))])
def test_province_names_are_visible_on_the_platform_map(browser, tmp_path, lang, names):
    path = maps.save_map(cg.platform_map(tiles=None, offline=True, lang=lang), tmp_path / f"map-{lang}.html")
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
    page.goto(path.as_uri())
    page.wait_for_selector(".chuanyu-province")
    for name in names:
        label = page.locator(".chuanyu-province", has_text=name)
        assert label.count() == 1 and label.is_visible(), name
        box = label.bounding_box()
        assert 0 <= box["x"] and box["x"] + box["width"] <= 1400 and 0 <= box["y"] <= 900, (name, box)
    page.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_search_finds_a_unit_by_any_of_its_names(browser, tmp_path, lang):
    path = maps.save_map(cg.platform_map(tiles=None, offline=True, lang=lang), tmp_path / f"s-{lang}.html")
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
    page.goto(path.as_uri())
    box = page.locator(".chuanyu-search input")
    box.wait_for()
    for query in ("邻水", "邻水县", "Linshui", "linshui county", "511623", "guangan"):
        box.fill(query)
        box.press("Enter")
        assert "chuanyu-miss" not in (box.get_attribute("class") or ""), query
        tip = " ".join(page.locator(".leaflet-tooltip").all_inner_texts())
        expected = "广安区" if query == "guangan" else "邻水县"
        english = "Guang'an District" if query == "guangan" else "Linshui County"
        assert (expected if lang == "zh" else english) in tip, (query, tip)
    box.fill("nowhere-at-all")
    box.press("Enter")
    assert "chuanyu-miss" in (box.get_attribute("class") or "")
    page.close()


# ----------------------------------------------------------------------- issue 24: names, tint, phone

LINSHUI = "511623"


def _map_call(page, body: str, *args):
    """Run ``body`` with ``map`` bound to the page's Leaflet map."""
    return page.evaluate(
        "(args) => { let map = null; for (const k of Object.keys(window)) if (window[k] instanceof L.Map) map = window[k];"
        f" {body} }}",
        list(args),
    )


def _centre_on(page, adcode: str, zoom: int, dx: int = 0, dy: int = 0) -> None:
    """Centre the map on a unit's label point at ``zoom``; then move that point by (dx, dy) px."""
    lat, lon = cg.unit_table("county").set_index("adcode").loc[adcode, ["label_lat", "label_lon"]]
    _map_call(
        page,
        "map.setView([args[0], args[1]], args[2], {animate: false}); map.panBy([-args[3], -args[4]], {animate: false});",
        float(lat),
        float(lon),
        zoom,
        dx,
        dy,
    )
    page.wait_for_timeout(100)


def _shown_names(page, kind: str) -> list[dict]:
    return page.evaluate(
        f"""[...document.querySelectorAll('.chuanyu-place-{kind}')].filter(e => e.style.display !== 'none')
            .map(e => {{ const r = e.getBoundingClientRect();
                        return {{text: e.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom}}; }})"""
    )


@pytest.mark.parametrize(
    ("lang", "county", "prefecture"), [("zh", "邻水县", "广安市"), ("en", "Linshui", "Guang'an")]
)
def test_place_names_by_zoom(browser, saved, lang, county, prefecture):
    page, events = _page(browser, saved[lang])
    assert _map_call(page, "return map.getZoom();") < 8
    opening = [n["text"] for n in _shown_names(page, "prefecture")]
    assert prefecture in opening and _shown_names(page, "county") == [], opening
    _centre_on(page, LINSHUI, 9)
    names = _shown_names(page, "county")
    texts = [n["text"] for n in names]
    assert county in texts and len(texts) >= 8, texts
    assert page.locator(".chuanyu-place-county", has_text=county).is_visible()
    assert _shown_names(page, "prefecture") == []
    # Every shown name lies inside the map and clear of every other.
    for i, a in enumerate(names):
        assert 0 <= a["left"] and a["right"] <= 1400 and 0 <= a["top"] and a["bottom"] <= 900, a
        for b in names[i + 1 :]:
            apart = (
                a["right"] <= b["left"]
                or b["right"] <= a["left"]
                or a["bottom"] <= b["top"]
                or b["bottom"] <= a["top"]
            )
            assert apart, (a, b)
    assert all(bool(CJK.search(t)) == (lang == "zh") for t in texts + opening), texts + opening
    assert events["errors"] == []
    page.close()


def _pixel(png: bytes, x: float, y: float) -> tuple[int, int, int]:
    import io

    from PIL import Image

    return Image.open(io.BytesIO(png)).convert("RGB").getpixel((int(x), int(y)))


def test_the_two_provinces_differ_faintly_in_fill(browser, saved):
    page, _ = _page(browser, saved["adjacency"])
    # Only the unit fills at the sampled points: names and labels out of the way.
    page.add_style_tag(
        content=".chuanyu-place, .chuanyu-province, .chuanyu-legend {display: none !important}"
    )
    _centre_on(page, "511623", 8)
    table = cg.unit_table("county").set_index("adcode")
    points = {}
    for code in ("511623", "500231"):  # 邻水县 (Sichuan), 垫江县 (Chongqing); both plain on this map
        lat, lon = table.loc[code, ["label_lat", "label_lon"]]
        points[code] = _map_call(
            page,
            "const p = map.latLngToContainerPoint([args[0], args[1]]); return [p.x, p.y];",
            float(lat),
            float(lon),
        )
    png = page.screenshot()
    sichuan, chongqing = (_pixel(png, *points[c]) for c in ("511623", "500231"))
    difference = sum(abs(a - b) for a, b in zip(sichuan, chongqing))
    assert 15 <= difference <= 90, (sichuan, chongqing)  # visible, yet faint
    page.close()


def _phone(browser, path):
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
    page.goto(path.as_uri())
    page.wait_for_function("document.querySelectorAll('path.chuanyu-unit').length > 0")
    page.wait_for_selector(".chuanyu-legend-toggle")
    return context, page, errors


def _box(page, selector: str) -> dict:
    box = page.locator(selector).last.bounding_box()
    assert box is not None, selector
    return box


def _apart(a: dict, b: dict) -> bool:
    return (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def _inside(box: dict, width: int = 390, height: int = 844) -> bool:
    return (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= width
        and box["y"] + box["height"] <= height
    )


@pytest.mark.parametrize("name", ["zh", "en", "adjacency"])
def test_phone_legend_folds_and_nothing_covers_the_scale_or_the_source(browser, saved, name):
    context, page, errors = _phone(browser, saved[name])
    legend = page.locator(".chuanyu-legend")
    assert "chuanyu-folded" in legend.get_attribute("class"), "folded from the start on a phone"
    attribution, scale = _box(page, ".leaflet-control-attribution"), _box(page, ".leaflet-control-scale")
    assert attribution["height"] <= 24, f"attribution on one line: {attribution}"
    folded = _box(page, ".chuanyu-legend")
    for box in (attribution, scale, folded):
        assert _inside(box), box
    assert _apart(attribution, scale) and _apart(folded, scale) and _apart(folded, attribution)
    page.click(".chuanyu-legend-toggle")
    assert "chuanyu-folded" not in legend.get_attribute("class")
    source = _box(page, ".chuanyu-legend-body > div:last-child")  # the legend's source line
    assert source["height"] > 0 and _inside(source), source
    assert _apart(source, attribution) and _apart(source, scale), (source, attribution, scale)
    # A tap on the attribution shows it whole; another folds it again.
    page.locator(".leaflet-control-attribution").click(position={"x": attribution["width"] - 10, "y": 8})
    assert _box(page, ".leaflet-control-attribution")["height"] > attribution["height"]
    page.click(".chuanyu-legend-toggle")
    assert "chuanyu-folded" in legend.get_attribute("class")
    assert errors == []
    context.close()


@pytest.mark.parametrize(("dx", "dy"), [(-10, 0), (180, 0), (0, 380), (100, -355)])
def test_a_tapped_tooltip_lies_inside_the_phone_screen(browser, saved, dx, dy):
    context, page, errors = _phone(browser, saved["zh"])
    _centre_on(page, LINSHUI, 9, dx, dy)
    page.touchscreen.tap(195 + dx, 422 + dy)
    page.wait_for_selector(".leaflet-tooltip")
    tooltip = page.locator(".leaflet-tooltip").last
    assert "邻水县" in tooltip.inner_text() or "高竹新区" in tooltip.inner_text()
    box = tooltip.bounding_box()
    assert _inside(box), box
    assert errors == []
    context.close()


def test_adjacency_map_draws_cross_border_contacts_as_wide_as_they_are_long(browser, saved):
    page, _ = _page(browser, saved["adjacency"])
    lines = page.evaluate(
        """() => { const out = []; for (const k of Object.keys(window)) { const v = window[k];
             if (v instanceof L.GeoJSON) v.eachLayer(l => { if (l.feature && l.feature.properties.tip && !(l instanceof L.CircleMarker))
               out.push({tip: l.feature.properties.tip, weight: l.options.weight, opacity: l.options.opacity, color: l.options.color}); }); }
           return out; }"""
    )
    page.close()
    km_of = lambda tip: float(re.search(r": ([\d.]+) km", tip).group(1))  # noqa: E731
    cross = [line for line in lines if line["color"] == "#cb181d" and "省界" not in line["tip"]]
    internal = [line for line in lines if line["color"] == "#737373"]
    assert len(cross) >= 20 and len(internal) > 10 * len(cross)
    widest = max(cross, key=lambda line: km_of(line["tip"]))
    assert widest["weight"] == pytest.approx(12, abs=0.01)
    per_km = widest["weight"] / km_of(widest["tip"])
    for line in cross:  # width ∝ km, with a floor so the shortest stay visible
        assert line["weight"] == pytest.approx(max(1.5, km_of(line["tip"]) * per_km), abs=0.01), line
    weights = sorted(line["weight"] for line in cross)
    assert weights[-1] > 3 * weights[len(weights) // 2], "the long contacts stand out"
    # The base is quiet: shared borders inside a province thin and faint.
    assert {line["weight"] for line in internal} == {1} and {line["opacity"] for line in internal} == {0.45}


# ----------------------------------------------------------------------- issue 24: the palette on the web

# What Leaflet drew: each SVG path of a class, with its stroke and the z-index of its pane.
DRAWN = """(selector) => [...document.querySelectorAll(selector)].map(p => ({
    stroke: p.getAttribute('stroke'), width: parseFloat(p.getAttribute('stroke-width')),
    opacity: parseFloat(p.getAttribute('stroke-opacity') || '1'), dash: p.getAttribute('stroke-dasharray'),
    fill: p.getAttribute('fill'), z: parseInt(getComputedStyle(p.closest('.leaflet-pane')).zIndex)}))"""

# The layers of a legend key (bottom first): height, opacity, colour, and the px stops of a dash pattern.
KEY = """(key) => [...key.children].map(s => { const c = getComputedStyle(s);
    const image = c.backgroundImage === 'none' ? '' : c.backgroundImage;
    return {height: parseFloat(c.height), opacity: parseFloat(c.opacity),
            color: image ? image.match(/rgba?\\([^)]*\\)/)[0] : c.backgroundColor,
            stops: [...image.matchAll(/([\\d.]+)px/g)].map(m => parseFloat(m[1]))}; })"""


def _rgb(hex_color: str) -> str:
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def _drawn(page, selector: str) -> list[dict]:
    return page.evaluate(DRAWN, selector)


def _dash_stops(dash: str | None) -> list[float]:
    """The px where a dash pattern switches between paint and gap over one period, from 0."""
    stops, at = [], 0.0
    for step in map(float, (dash or "").replace(",", " ").split()):
        stops += [at, at + step]
        at += step
    return stops


def _assert_key_draws(layers: list[dict], casing: dict | None, line: dict) -> None:
    """A legend key shows the line as drawn: casing under it, colour, width, opacity, dashes."""
    expected = ([casing] if casing else []) + [line]
    assert len(layers) >= len(expected), layers
    for key, path in zip(layers[-len(expected) :], expected):
        assert key["color"] == _rgb(path["stroke"]), (key, path)
        assert key["height"] == pytest.approx(path["width"], abs=1 / 32), (key, path)  # layout: 1/64 px
        assert key["opacity"] == pytest.approx(path["opacity"], abs=0.01), (key, path)
    top = layers[-1]
    assert top["stops"] == pytest.approx(_dash_stops(line["dash"]), abs=0.01), (top, line)


def _legend_key(page, container: str, text: str):
    """The key (``.chuanyu-key``) in the legend element of ``container`` holding ``text``."""
    holder = page.locator(container).filter(has_text=text).last
    return holder.locator(".chuanyu-key").first.evaluate(KEY)


@pytest.mark.parametrize("name", ["zh", "2023"])
def test_each_platform_is_outlined_in_its_palette_colour_and_the_legend_draws_it(browser, saved, name):
    from test_plot import _worst_delta_e

    from chuanyu_geo import palette
    from chuanyu_geo.platforms import clusters

    plan = "2023" if name == "2023" else None
    chosen = cg.platforms(plan=plan)
    outlines = palette.outlines_for(chosen)
    page, events = _page(browser, saved[name])
    drawn = {}
    for number, platform in enumerate(chosen):
        (line,) = _drawn(page, f"path.chuanyu-platform-{number}")
        (casing,) = _drawn(page, f"path.chuanyu-casing-{number}")
        assert line["stroke"] == outlines[platform.id].color, platform.id
        assert line["width"] == 3 and line["fill"] == "none", line
        approximate = platform.footprint("county").iloc[0]["precision"] == "approximate"
        assert bool(line["dash"]) == approximate, (platform.id, line)
        assert casing["stroke"] == "#ffffff" and casing["width"] > line["width"] and casing["z"] < line["z"]
        drawn[platform.id] = line
        # The legend row and the layer control each show the outline as drawn.
        short = platform.short_name if name == "zh" else f"{platform.short_name} {platform.short_name_en}"
        for container in (".chuanyu-legend-body > div > span", ".leaflet-control-layers-overlays label"):
            _assert_key_draws(_legend_key(page, container, short), casing, line)
    for cluster in clusters(plan=plan):
        colors = [drawn[p]["stroke"] for p in cluster.platform_ids]
        assert len(set(colors)) == len(colors), (cluster.id, colors)
        worst = min((_worst_delta_e(a, b) for i, a in enumerate(colors) for b in colors[i + 1 :]), default=99)
        assert worst >= 10, (cluster.id, colors, worst)
    assert events["errors"] == []
    page.close()


@pytest.fixture(scope="module")
def thematic(tmp_path_factory):
    folder = tmp_path_factory.mktemp("thematic")
    units = cg.unit_table("county")
    local = cg.lisa(units, "label_lat", "adcode", permutations=99, seed=1)
    return {
        "choropleth": maps.save_map(
            cg.choropleth(units, "label_lat", "adcode", k=7, tiles=None, offline=True), folder / "c.html"
        ),
        "lisa": maps.save_map(cg.lisa_map(local, tiles=None, offline=True, lang="en"), folder / "l.html"),
    }


@pytest.mark.parametrize("name", ["choropleth", "lisa", "platform"])
def test_the_border_is_the_palettes_and_stands_apart_from_every_data_colour(browser, saved, thematic, name):
    import matplotlib
    from test_plot import _worst_delta_e

    from chuanyu_geo import palette
    from chuanyu_geo._style import config

    page, events = _page(browser, thematic.get(name) or saved["zh"])
    expected = palette.border()
    (border,) = _drawn(page, "path.chuanyu-border")
    (casing,) = _drawn(page, "path.chuanyu-border-casing")
    assert border["stroke"] == expected.color
    # Twice the figures' width in points, in matplotlib's dash-dot rhythm (scaled by the width).
    assert border["width"] == pytest.approx(2 * expected.width)
    pattern = [step * border["width"] for step in matplotlib.rcParams[f"lines.{expected.dash}_pattern"]]
    assert [float(v) for v in border["dash"].split()] == pytest.approx(pattern, abs=0.01)
    assert casing["stroke"] == "#ffffff" and casing["width"] > border["width"] and casing["z"] < border["z"]
    # Above every other line and fill.
    others = _drawn(page, ".leaflet-pane path:not(.chuanyu-border):not(.chuanyu-border-casing)")
    assert max(p["z"] for p in others) < casing["z"]
    # Apart from every colour a unit is filled with on this map, and from every class colour.
    fills = {p["fill"] for p in _drawn(page, "path.chuanyu-unit")}
    classes = [c for k in config()["palettes"]["YlOrRd"].values() for c in k] + list(
        config()["lisa"].values()
    )
    close = {c: _worst_delta_e(border["stroke"], c) for c in fills | set(classes)}
    assert min(close.values()) >= 10, sorted(close.items(), key=lambda item: item[1])[:3]
    # The legend's border row draws it.
    row = "Sichuan–Chongqing border" if name == "lisa" else "川渝省界"
    _assert_key_draws(_legend_key(page, ".chuanyu-legend-body > div", row), casing, border)
    assert events["errors"] == []
    page.close()


def test_the_overlapping_platform_of_plan_2023_stays_visible(browser, saved):
    chosen = cg.platforms(plan="2023")
    number = [p.id for p in chosen].index("chuannanyuxi")
    inside = [[p.id for p in chosen].index(i) for i in ("neirong", "luyongjiang")]
    page, events = _page(browser, saved["2023"])
    (line,) = _drawn(page, f"path.chuanyu-platform-{number}")
    (band,) = _drawn(page, f"path.chuanyu-band-{number}")
    assert line["width"] > 0 and band["stroke"] == line["stroke"] and 0 < band["opacity"] < 1
    # The band is under every outline and wider than the casings of the platforms it contains,
    # so it shows on both sides of their lines; their lines lie above its own.
    for n in inside:
        (small,) = _drawn(page, f"path.chuanyu-platform-{n}")
        (small_casing,) = _drawn(page, f"path.chuanyu-casing-{n}")
        assert band["width"] > small_casing["width"] + 4 and band["z"] < small_casing["z"]
        assert small["z"] > line["z"]
    # Its legend key draws the band under its outline.
    key = _legend_key(page, ".chuanyu-legend-body > div > span", "川南渝西")
    assert len(key) == 3 and key[0]["color"] == _rgb(band["stroke"]), key
    assert key[0]["height"] == pytest.approx(band["width"], abs=1 / 32) and key[0][
        "opacity"
    ] == pytest.approx(band["opacity"])
    # Hiding the platform changes the picture: it is not covered by the others.
    page.add_style_tag(content=".chuanyu-label-icon, .chuanyu-place, .chuanyu-province {display:none}")
    shown = page.screenshot()
    page.locator(".leaflet-control-layers-overlays label", has_text="川南渝西").locator("input").uncheck()
    page.wait_for_function(f"document.querySelectorAll('path.chuanyu-band-{number}').length === 0")
    hidden = page.screenshot()
    changed = _changed_pixels(shown, hidden)
    assert changed > 3000, changed
    assert events["errors"] == []
    page.close()


def _changed_pixels(a: bytes, b: bytes) -> int:
    import io

    import numpy as np
    from PIL import Image

    first, second = (np.asarray(Image.open(io.BytesIO(x)).convert("RGB"), dtype=int) for x in (a, b))
    return int((np.abs(first - second).sum(axis=2) > 30).sum())
