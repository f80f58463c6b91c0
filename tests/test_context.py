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
