"""The provinces around the study area, drawn as context on every figure and web map (issue 24).

Context is display only: under the units, light, named in the figure's language where a name
fits, and never taken for data (the units stay the first collection of a figure's axes).
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import shapely

import chuanyu_geo as cg
from chuanyu_geo import boundaries, plot
from chuanyu_geo._map_furniture import CONTEXT_GID, CONTEXT_TEXT

CJK = re.compile(r"[\u3400-\u9fff]")
FIGURES = ["plot_platforms", "plot_adjacency", "plot_lisa", "plot_choropleth"]
_MADE: dict = {}


def _names(lang: str) -> set[str]:
    layer = boundaries.context_layer()
    zh, en = set(layer["short_name"]), set(layer["pinyin"])
    return (
        zh
        if lang == "zh"
        else en
        if lang == "en"
        else {f"{a}\n{b}" for a, b in zip(layer["short_name"], layer["pinyin"])}
    )


def _figure(name: str, lang: str):
    if (name, lang) not in _MADE:
        if name == "plot_lisa":
            local = cg.lisa(cg.unit_table("county"), "label_lat", "adcode", permutations=99, seed=1)
            fig = cg.plot_lisa(local, lang=lang)
        elif name == "plot_choropleth":
            census = cg.load_census(2020)
            fig = cg.plot_choropleth(census, "population", "adcode", year=2020, allow_partial=True, lang=lang)
        else:
            fig = getattr(cg, name)(lang=lang)
        _MADE[(name, lang)] = fig
    return _MADE[(name, lang)]


def _context_labels(ax) -> list:
    return [t for t in ax.texts if t.get_color() == CONTEXT_TEXT]


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en", "zh+en"])
@pytest.mark.parametrize("name", FIGURES)
def test_every_figure_names_the_neighbours_in_its_language(name, lang):
    if lang != "en" and plot.cjk_font() is None:
        pytest.skip("no CJK font installed (apt-get install -y fonts-noto-cjk)")
    ax = _figure(name, lang).axes[0]
    drawn = [t.get_text() for t in _context_labels(ax)]
    assert len(drawn) >= 2, drawn  # every frame has room for two names or more (measured: 2 to 8)
    assert set(drawn) <= _names(lang), set(drawn) - _names(lang)
    assert len(set(drawn)) == len(drawn), "each name once"
    if lang == "en":
        assert not [t for t in drawn if CJK.search(t)]
    if lang == "zh":
        assert not [t for t in drawn if re.search(r"[A-Za-z]", t)]
    for text in _context_labels(ax):
        assert text.get_fontstyle() == "italic" and text.get_zorder() < 1


@pytest.mark.slow
@pytest.mark.parametrize("name", FIGURES)
def test_the_neighbours_are_context_under_the_units_and_names_sit_inside_them(name):
    fig = _figure(name, "en")
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    context = [c for c in ax.collections if c.get_gid() == CONTEXT_GID]
    assert len(context) == 1, "one context layer"
    units = ax.collections[0]
    assert units is not context[0], "the units stay the first collection (what the layout tests check)"
    assert context[0].get_zorder() < units.get_zorder() and context[0].get_zorder() < 0.5
    assert len(units.get_paths()) >= 58 and len(context[0].get_paths()) == len(boundaries.context_layer())

    def shapes(collection):
        polygons = []
        for path in collection.get_paths():
            for ring in path.to_polygons():
                if len(ring) >= 3:
                    polygons.append(shapely.Polygon(ax.transData.transform(np.asarray(ring))).buffer(0))
        return shapely.union_all(polygons)

    neighbours, study = shapes(context[0]), shapes(units)
    frame = ax.get_window_extent(renderer)
    for text in _context_labels(ax):
        others = [t.get_window_extent(renderer) for t in ax.texts if t is not text and t.get_text().strip()]
        extent = text.get_window_extent(renderer)
        box = shapely.box(extent.x0, extent.y0, extent.x1, extent.y1)
        assert neighbours.buffer(1).contains(box), (text.get_text(), "inside its province's visible part")
        assert study.intersection(box).area < 1.0, (text.get_text(), "off the units")
        assert (
            frame.x0 <= extent.x0
            and extent.x1 <= frame.x1
            and frame.y0 <= extent.y0
            and extent.y1 <= frame.y1
        )
        clashes = [b for b in others if b.overlaps(extent)]
        assert clashes == [], text.get_text()
        for inset in ax.child_axes:
            assert not inset.get_window_extent(renderer).overlaps(extent), (text.get_text(), "off the inset")


# ---------------------------------------------------------------- web maps


def _web_maps(lang: str) -> dict:
    census = cg.load_census(2020)
    census = census[~census["adcode"].isin(cg.not_divisions()["adcode"])]
    local = cg.lisa(cg.unit_table("county"), "label_lat", "adcode", permutations=99, seed=1)
    common = {"tiles": None, "offline": True, "lang": lang}
    return {
        "platform_map": cg.platform_map(**common),
        "adjacency_map": cg.adjacency_map(**common),
        "choropleth": cg.choropleth(census, "years_of_schooling", "adcode", year=2020, **common),
        "lisa_map": cg.lisa_map(local, **common),
    }


def _context_labels_in(page: str) -> list[str]:
    """The names the page writes as context labels (inert text in chuanyuLabels' data)."""
    import json

    found = []
    for data in re.findall(r"chuanyuLabels\(\s*\w+,\s*(\[.*?\])\s*\);", page, flags=re.S):
        found += [label[2] for label in json.loads(data) if "chuanyu-context" in label[3]]
    return found


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_web_map_names_the_neighbours_under_its_units(lang):
    from chuanyu_geo import maps

    neighbours = boundaries.context_layer().query("neighbour")
    expected = set(neighbours["short_name" if lang == "zh" else "pinyin"])
    for name, m in _web_maps(lang).items():
        page = m.get_root().render()
        labels = _context_labels_in(page)
        assert expected <= set(labels), (name, expected - set(labels))
        if lang == "en":
            assert not [t for t in labels if CJK.search(t)], name
        # The shapes: one line layer in a pane under the units' (overlay) pane, never interactive.
        assert 'pane: "chuanyu-context", interactive: false' in page, name
    from chuanyu_geo._style import config

    assert maps.layers.CONTEXT_NAMES_MAX_ZOOM < config()["style"]["max_zoom"]


def test_web_context_draws_no_clip_box_edge_and_names_in_both_languages():
    from chuanyu_geo.maps import layers

    web, lines = layers._web_context()
    assert len(web) == len(boundaries.context_layer()) and lines.geometry.iloc[0].geom_type.endswith(
        "LineString"
    )
    m = cg.platform_map(tiles=None, offline=True, lang="zh+en")
    page = m.get_root().render()
    assert "甘肃 Gansu" in _context_labels_in(page)
    # No box edge drawn as a border: every line vertex lies strictly inside the clip box.
    minx, miny, maxx, maxy = web.total_bounds
    xy = shapely.get_coordinates(lines.geometry.values)
    inside = (xy[:, 0] > minx) & (xy[:, 0] < maxx) & (xy[:, 1] > miny) & (xy[:, 1] < maxy)
    assert inside.mean() > 0.99


def test_platform_map_shows_the_neighbours_at_1400_by_900_and_hides_their_names_close_up(browser, tmp_path):
    from chuanyu_geo import maps

    path = maps.save_map(cg.platform_map(tiles=None, offline=True, lang="en"), tmp_path / "map.html")
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
    page.goto(path.as_uri())
    page.wait_for_function("document.querySelectorAll('.chuanyu-context').length > 0")
    shown = """() => [...document.querySelectorAll('.chuanyu-context')].filter(e => {
        const r = e.getBoundingClientRect();
        return getComputedStyle(e).display !== 'none' && r.width > 0 && r.left >= 0 && r.right <= 1400
          && r.top >= 0 && r.bottom <= 900; }).map(e => e.textContent)"""
    names = page.evaluate(shown)
    assert {"Hubei", "Hunan", "Guizhou", "Shaanxi"} <= set(names), names
    style = "getComputedStyle(document.querySelector('.chuanyu-context')).fontStyle"
    assert page.evaluate(style) == "italic"
    # The shapes take no pointer: a click on a neighbour reaches the map, not a layer.
    pane = ".leaflet-chuanyu-context-pane"
    assert page.locator(f"{pane} path.leaflet-interactive").count() == 0
    assert page.locator(f"{pane} path").count() >= 1
    z = "(s) => Number(getComputedStyle(document.querySelector(s)).zIndex)"
    assert page.evaluate(z, pane) < page.evaluate(z, ".leaflet-overlay-pane"), "under the units"
    page.evaluate(
        """() => { for (const k of Object.keys(window)) { if (window[k] instanceof L.Map) {
          window[k].setZoom(10, {animate: false}); } } }"""
    )
    page.wait_for_function(f"({shown})().length === 0")
    assert errors == []
    page.close()
