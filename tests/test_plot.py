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
