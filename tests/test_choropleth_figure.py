"""The static choropleth: the web choropleth's classes, as a figure for a paper."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

import chuanyu_geo as cg  # noqa: E402
from chuanyu_geo.choropleth_figure import BORDER_ON_DATA  # noqa: E402
from chuanyu_geo.classify import classify_values  # noqa: E402


@pytest.fixture(scope="module")
def census():
    table = cg.load_census(2020)
    return table[~table["adcode"].isin(cg.not_divisions()["adcode"])].reset_index(drop=True)


def test_the_figure_has_the_web_maps_classes(census):
    m = cg.choropleth(census, "years_of_schooling", "adcode", year=2020, k=5, tiles=None)
    html = m.get_root().render()
    fig = cg.plot_choropleth(census, "years_of_schooling", "adcode", year=2020, k=5, lang="en")
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    classes = classify_values(census, "years_of_schooling", "adcode", "county", "2024", year=2020)
    assert legend[:5] == classes.labels() and all(label in html for label in classes.labels())
    assert legend[5:] == ["no data", "Sichuan–Chongqing border"]
    # Each unit is filled with its class's colour (the layer is drawn in adcode order).
    fills = fig.axes[0].collections[0].get_facecolors()
    layer = cg.load_boundaries("county", "2024")
    for i, code in enumerate(layer["adcode"]):
        assert to_hex(fills[i], keep_alpha=False) == classes.colors[classes.class_of[code]].lower()


def test_no_pyplot_state_and_ax_is_honoured(census):
    before = plt.get_fignums()
    fig = cg.plot_choropleth(census, "population", "adcode", year=2020)
    assert plt.get_fignums() == before and fig.axes
    mine, ax = plt.subplots()
    try:
        assert cg.plot_choropleth(census, "population", "adcode", year=2020, ax=ax) is mine
    finally:
        plt.close(mine)


def test_border_colour_is_no_class_colour_and_legend_is_outside_the_data(census):
    fig = cg.plot_choropleth(census, "population", "adcode", year=2020, figsize=(3.5, 3.2), font_size=7)
    classes = classify_values(census, "population", "adcode", "county", "2024", year=2020)
    assert BORDER_ON_DATA.lower() not in [c.lower() for c in classes.colors]
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)  # a Figure made without pyplot has no drawing canvas of its own
    canvas.draw()
    renderer = canvas.get_renderer()
    ax = fig.axes[0]
    legend = ax.get_legend().get_window_extent(renderer)
    units = ax.collections[0].get_window_extent(renderer)
    assert legend.x0 >= units.x1 - 1, "the legend lies right of every unit"
    drawn = [*fig.texts, *ax.texts, ax.title, *ax.get_legend().get_texts(), ax.get_legend().get_title()]
    for text in drawn:
        if text.get_text():
            box = text.get_window_extent(renderer)
            assert box.x0 >= -1 and box.x1 <= fig.bbox.x1 + 1, text.get_text()


def test_zh_caption_is_chinese_and_unmatched_rows_are_refused(census):
    fig = cg.plot_choropleth(census, "population", "adcode", year=2020, lang="zh")
    texts = " ".join(t.get_text() for t in fig.findobj(matplotlib.text.Text))
    assert "分位数" in texts and "quantiles" not in texts and "川渝省界" in texts
    odd = pd.concat([census, pd.DataFrame({"adcode": ["999999"], "population": [np.nan]})])
    with pytest.raises(cg.UnmatchedRowsError, match="999999"):
        cg.plot_choropleth(odd, "population", "adcode", year=2020)


@pytest.mark.parametrize("scheme", ["quantiles", "equal_interval"])
def test_numpy_breaks_equal_mapclassify(census, scheme):
    import mapclassify

    from chuanyu_geo.classify import numpy_breaks

    rng = np.random.default_rng(0)
    columns = [census[c].to_numpy(float) for c in ("population", "years_of_schooling", "household_size")]
    samples = (
        columns + [rng.normal(size=n) for n in (5, 7, 221, 1000)] + [rng.integers(0, 4, 200).astype(float)]
    )
    for y in samples:
        for k in (3, 4, 5, 6, 7):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # mapclassify: fewer unique quantiles than k
                expected = mapclassify.classify(y, scheme=scheme, k=k)
            bins, classes = numpy_breaks(y, scheme, k)
            assert np.array_equal(bins, expected.bins) and np.array_equal(classes, expected.yb), (
                scheme,
                k,
                len(y),
            )


def test_a_quantile_choropleth_does_not_import_mapclassify():
    import subprocess
    import sys

    code = (
        "import sys, chuanyu_geo as cg; t = cg.load_census(2020);"
        "cg.choropleth(t, 'population', 'adcode', year=2020, allow_partial=True, tiles=None);"
        "print('mapclassify' in sys.modules, 'scipy.stats' in sys.modules)"
    )
    run = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", code], capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == ["False", "False"]
