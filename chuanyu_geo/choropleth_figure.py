"""A user's indicator as a static choropleth figure for a paper (the web choropleth's classes).

Built on :class:`matplotlib.figure.Figure` directly: no figure is left in pyplot's list, and a
user's own axes can be drawn into with ``ax=``.
"""

from __future__ import annotations

import pandas as pd

from ._figure import LANGS, SIZES, _finish, _new_axes, _rc, _resolve_lang, _sizes, _tr
from ._map_furniture import CRS_CHOICES, Context, Projection, _frame, place_furniture
from ._safe import color_rgba, inert_figure_text
from ._style import SCHEMES_ZH, config
from .boundaries import UNIT_LEVELS, check_choice, check_vintage
from .classify import classify_values
from .plot import _border_handle, _draw_border
from .stable_units import unit_layer

__all__ = ["plot_choropleth"]


def __getattr__(name: str):
    # The border's colour over data, from the palette (a colour no class uses): read on use.
    if name == "BORDER_ON_DATA":
        from .palette import border

        return border().color
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def plot_choropleth(
    table: pd.DataFrame,
    column: str,
    key: str,
    *,
    level: str = "county",
    vintage: str | None = None,
    scheme: str = "quantiles",
    k: int = 5,
    allow_partial: bool = False,
    year: int | None = None,
    lang: str = "zh",
    title: str | None = None,
    figsize: tuple[float, float] | None = None,
    font_size: float | None = None,
    ax=None,
    size: str | None = None,
    crs: str = "wgs84",
):
    """A user's indicator on the units, as a figure: the same classes as :func:`chuanyu_geo.choropleth`.

    Parameters
    ----------
    table, column, key
        The table, its value column and its adcode or name column (a harmonised table's
        stable units need their layer: see :func:`chuanyu_geo.harmonise`).
    level, vintage, scheme, k, allow_partial, year
        As for :func:`chuanyu_geo.choropleth` (mapclassify scheme and number of classes).
    lang : {"zh", "en", "zh+en"}
        Language of the legend and caption.
    title : str, optional
        Default: the column name.
    figsize : (float, float), optional
        Inches, when a new figure is made; default the ``size`` preset's.
    font_size : float, optional
        Points for the legend; the title is 1.5 pt larger, the caption 1 pt smaller.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes (the caption goes under them) instead of a new figure.
    size : {"single", "double"}, optional
        Journal presets: single column 3.5 × 3.2 in at 7 pt, double column 7 × 6 in at 8 pt.
    crs : {"wgs84", "albers"}
        Longitude/latitude, or an Albers equal-area projection of the region with degree labels.

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
    from matplotlib.patches import Patch

    level = check_choice("level", level, UNIT_LEVELS)
    vintage = check_vintage(vintage)
    lang, font = _resolve_lang(check_choice("lang", lang, LANGS))
    figsize, font_size = _sizes(check_choice("size", size or "double", tuple(SIZES)), figsize, font_size)
    projection = Projection(check_choice("crs", crs, CRS_CHOICES))
    classes = classify_values(table, column, key, level, vintage, scheme, k, allow_partial, year)
    layer = projection.layer(unit_layer(level, vintage, "standard", list(classes.class_of)))
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
        context = Context(ax, projection, lang, font_size)  # the neighbouring provinces, under the units
        _draw_border(ax, projection, vintage)
        handles = [
            Patch(facecolor=color_rgba(c), edgecolor="#777", label=label)
            for c, label in zip(classes.colors, classes.labels())
        ]
        handles.append(
            Patch(facecolor=color_rgba(no_data), edgecolor="#777", label=_tr(lang, "无数据", "no data"))
        )
        handles.append(_border_handle(lang))
        frame = _frame(ax, layer.total_bounds, 0.03)
        projection.ticks(ax, frame, font_size)
        zh_scheme = SCHEMES_ZH.get(scheme.lower(), scheme)
        n = len(classes.colors)
        caption = _tr(
            lang,
            f"边界：{layer.attrs['source']}，区划版本 {vintage}，标准精度；分级：{zh_scheme}，k = {n}。",
            f"Boundaries: {layer.attrs['source']}, vintage {vintage}, standard detail; "
            f"classes: {scheme}, k = {n}.",
            "\n",
        )
        page = {
            "title": inert_figure_text(title if title is not None else column),
            # Outside the map, to its right: a legend never covers a unit that carries data.
            "legend": {"handles": handles, "title": inert_figure_text(column)},
            "legend_at": "right",
            "caption": caption,
            "font_size": font_size,
            "furniture": lambda: place_furniture(
                fig, ax, layer.geometry.values, projection, vintage, frame, font_size, context
            ),
        }
        _finish(fig, ax, own, None, page)
    return fig
