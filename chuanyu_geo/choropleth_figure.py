"""A user's indicator as a static choropleth figure for a paper (the web choropleth's classes).

Built on :class:`matplotlib.figure.Figure` directly: no figure is left in pyplot's list, and a
user's own axes can be drawn into with ``ax=``.
"""

from __future__ import annotations

import pandas as pd

from ._safe import color_rgba, inert_figure_text
from ._style import config
from .boundaries import DEFAULT_VINTAGE, UNIT_LEVELS, VINTAGES, check_choice, province_border
from .classify import classify_values
from .plot import _finish, _line_xy, _new_axes, _rc, _resolve_lang, _scale_bar
from .stable_units import unit_layer

__all__ = ["plot_choropleth"]

# Chinese names of the usual mapclassify schemes, for Chinese captions.
_SCHEMES_ZH = {
    "quantiles": "分位数",
    "equal_interval": "等间距",
    "natural_breaks": "自然断点",
    "fisher_jenks": "Fisher–Jenks 最优分级",
    "jenks_caspall": "Jenks–Caspall 分级",
    "std_mean": "标准差",
    "percentiles": "百分位数",
}

# Drawn over the data in a colour no class of the sequential palette uses.
BORDER_ON_DATA = "#08306b"


def plot_choropleth(
    table: pd.DataFrame,
    column: str,
    key: str,
    *,
    level: str = "county",
    vintage: str = DEFAULT_VINTAGE,
    scheme: str = "quantiles",
    k: int = 5,
    allow_partial: bool = False,
    year: int | None = None,
    lang: str = "zh",
    title: str | None = None,
    figsize: tuple[float, float] = (7.0, 4.6),
    font_size: float = 9.0,
    ax=None,
):
    """A user's indicator on the units, as a figure: the same classes as :func:`chuanyu_geo.choropleth`.

    Parameters
    ----------
    table, column, key
        The table, its value column and its adcode or name column (a harmonised table's
        stable units need their layer: see :func:`chuanyu_geo.harmonise`).
    level, vintage, scheme, k, allow_partial, year
        As for :func:`chuanyu_geo.choropleth` (mapclassify scheme and number of classes).
    lang : {"zh", "en"}
        Language of the legend and caption.
    title : str, optional
        Default: the column name.
    figsize : (float, float)
        Inches, when a new figure is made.
    font_size : float
        Points for the legend; the title is 2 pt larger, the caption 1 pt smaller.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes (the caption goes under them) instead of a new figure.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import chuanyu_geo as cg, matplotlib.pyplot as plt
    >>> census = cg.load_census(2020)
    >>> before = plt.get_fignums()
    >>> fig = cg.plot_choropleth(census, "years_of_schooling", "adcode", year=2020, allow_partial=True,
    ...                          lang="en")
    >>> plt.get_fignums() == before  # nothing left in pyplot's list
    True
    """
    from matplotlib import rc_context
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    level = check_choice("level", level, UNIT_LEVELS)
    vintage = check_choice("vintage", vintage, VINTAGES)
    lang, font = _resolve_lang(lang)
    classes = classify_values(table, column, key, level, vintage, scheme, k, allow_partial, year)
    layer = unit_layer(level, vintage, "standard", list(classes.class_of))
    no_data = config()["style"]["no_platform_color"]
    fills = [
        color_rgba(classes.colors[classes.class_of[code]])
        if code in classes.class_of
        else color_rgba(no_data)
        for code in layer["adcode"]
    ]
    with rc_context(_rc(font)):
        fig, ax, own = _new_axes(figsize, ax)
        layer.plot(ax=ax, color=fills, edgecolor="#777", linewidth=0.3)
        ax.plot(*_line_xy(province_border(vintage, "standard")), color=BORDER_ON_DATA, linewidth=1.6)
        handles = [
            Patch(facecolor=color_rgba(c), edgecolor="#777", label=label)
            for c, label in zip(classes.colors, classes.labels())
        ]
        handles.append(
            Patch(
                facecolor=color_rgba(no_data), edgecolor="#777", label="无数据" if lang == "zh" else "no data"
            )
        )
        handles.append(
            Line2D(
                [],
                [],
                color=BORDER_ON_DATA,
                linewidth=1.6,
                label="川渝省界" if lang == "zh" else "Sichuan–Chongqing border",
            )
        )
        # Outside the map, to its right: a legend never covers a unit that carries data.
        ax.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            fontsize=font_size,
            title=inert_figure_text(column),
            title_fontsize=font_size,
            frameon=False,
        )
        _scale_bar(ax, layer.total_bounds)
        ax.set_axis_off()
        ax.set_title(inert_figure_text(title if title is not None else column), fontsize=font_size + 2)
        zh_scheme = _SCHEMES_ZH.get(scheme.lower(), scheme)
        scheme_text = f"{zh_scheme if lang == 'zh' else scheme}, k = {len(classes.colors)}"
        caption = (
            f"边界：{layer.attrs['source']}，区划版本 {vintage}，标准精度；分级：{scheme_text}。"
            if lang == "zh"
            else f"Boundaries: {layer.attrs['source']}, vintage {vintage}, standard detail; "
            f"classes: {scheme_text}."
        )
        ax.text(
            0.0,
            -0.02,
            caption,
            transform=ax.transAxes,
            ha="left",
            va="top",
            fontsize=max(font_size - 1, 6),
            color="#444",
            wrap=True,
        )
        _finish(fig, ax, own)
    return fig
