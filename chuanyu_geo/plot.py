"""Static matplotlib figures for papers (PNG, SVG, PDF): platforms, adjacency, LISA clusters.

Chinese labels need a CJK font (Debian: fonts-noto-cjk). Without one the figures fall back
to English labels with a single warning, never to boxes for missing glyphs. The page (fonts,
sizes, layout, saving) is ``_figure``'s job and the map furniture ``_map_furniture``'s; both
are re-exported here under their former names.
"""

from __future__ import annotations

import shapely

from ._figure import (  # noqa: F401  (re-exported: importable from chuanyu_geo.plot as before)
    _SAVE_RC,
    CJK_FAMILIES,
    LANGS,
    SIZES,
    CJKFontWarning,
    _caption,
    _caption_text,
    _figure_class,
    _finish,
    _new_axes,
    _no_mathtext,
    _rc,
    _resolve_lang,
    _sizes,
    _tr,
    cjk_font,
)
from ._map_furniture import (
    CRS_CHOICES,  # noqa: F401
    Context,
    Projection,
    _frame,
    _halo,
    _line_xy,
    place_furniture,
)
from ._safe import check_color, color_rgba, inert_figure_text
from ._style import LISA_ORDER, WEIGHT_KINDS_ZH, config, lisa_label, lisa_test_note, unit_color
from .adjacency import cross_border_pairs, shared_lines
from .boundaries import (
    UNIT_LEVELS,
    check_choice,
    check_vintage,
    load_boundaries,
    province_border,
)
from .palette import PROVINCE_FILLS, border, outlines_for, overlap_emphasis
from .platforms import Platform, plan_of, platform_set_of, platforms_by_unit

__all__ = ["CJKFontWarning", "cjk_font", "plot_platforms", "plot_adjacency", "plot_lisa"]

PLOT_LEVELS = UNIT_LEVELS
# The names of the weights in Chinese captions.


def _border_handle(lang: str):
    from matplotlib.lines import Line2D

    line = border()
    return Line2D(
        [],
        [],
        color=line.color,
        linestyle=line.dash,  # type: ignore[arg-type]  # a matplotlib dash name, from palette.toml
        linewidth=line.width,
        label=_tr(lang, "川渝省界", "Sichuan–Chongqing border"),
    )


def _draw_border(ax, projection, vintage: str) -> None:
    line = border()
    geom = projection.geometry(province_border(vintage, "standard"))
    ax.plot(*_line_xy(geom), color=line.color, linestyle=line.dash, linewidth=line.width, zorder=4)


def plot_platforms(
    level: str = "county",
    vintage: str | None = None,
    lang: str = "zh",
    platform_set: list[Platform] | None = None,
    figsize: tuple[float, float] | None = None,
    title: str | None = None,
    plan: str | None = None,
    font_size: float | None = None,
    ax=None,
    size: str | None = None,
    crs: str = "wgs84",
):
    """Units coloured by cluster, each platform outlined in its own colour, and the border.

    Outline colours come from :mod:`chuanyu_geo.palette` (distinct within each cluster under
    normal and colour-deficient vision); an approximate footprint is dashed. Where platforms
    overlap, the larger is drawn as a wide translucent band under the others' lines, and one
    that contains another is hatched, so every platform stays visible.

    Parameters
    ----------
    level : {"county", "partner"}
    vintage : str, optional
        An id of the vintage registry (``cg.VINTAGES``); None: the registry's default.
    lang : {"zh", "en", "zh+en"}
        Chinese labels need a CJK font; without one, English labels and a CJKFontWarning.
    platform_set : list of Platform, optional
    figsize : tuple of float, optional
        Inches; default the ``size`` preset's.
    title : str, optional
    plan : str, optional
        Which plan's platforms (see :func:`chuanyu_geo.plans`); default the 2020 plan.
    font_size : float, optional
        Points for labels and legend (the title is 1.5 pt larger, the caption 1 pt smaller);
        default the preset's.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes instead of a new figure (nothing is added to pyplot's list).
    size : {"single", "double"}, optional
        Journal presets: single column 3.5 × 3.2 in at 7 pt, double column 7 × 6 in at 8 pt
        (the default).
    crs : {"wgs84", "albers"}
        Longitude/latitude, or an Albers equal-area projection of the region with degree labels.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> fig = cg.plot_platforms(level="partner", lang="en", size="single")
    >>> "plan 2020" in fig.axes[0].get_title()
    True
    """
    from matplotlib import rc_context
    from matplotlib.artist import Artist
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    level = check_choice("level", level, PLOT_LEVELS)
    vintage = check_vintage(vintage)
    lang, font = _resolve_lang(check_choice("lang", lang, LANGS))
    figsize, font_size = _sizes(check_choice("size", size or "double", tuple(SIZES)), figsize, font_size)
    projection = Projection(check_choice("crs", crs, CRS_CHOICES))
    chosen = platform_set_of(platform_set, plan)
    layer = projection.layer(load_boundaries(level, vintage, "standard"))
    style = config()["style"]
    for platform in chosen:
        check_color(platform.cluster_color, f"platform {platform.id!r}, cluster {platform.cluster!r}")
    outlines = outlines_for(chosen)
    member_of = platforms_by_unit(chosen, level, vintage)
    with rc_context(_rc(font)):
        fig, ax, own = _new_axes(figsize, ax)
        # CSS colours (rgb(), hsl()) as RGBA tuples: matplotlib reads only names and hex.
        colors = [color_rgba(unit_color(member_of.get(code, []))) for code in layer["adcode"]]
        layer.plot(ax=ax, color=colors, edgecolor="#8a8a8a", linewidth=0.25, alpha=0.75)
        context = Context(ax, projection, lang, font_size)  # the neighbouring provinces, under the units
        footprints = {p.id: projection.layer(p.footprint(level, vintage, "standard")) for p in chosen}
        band, hatched = overlap_emphasis({i: f.geometry.iloc[0] for i, f in footprints.items()})
        labels = []
        # Largest first: a smaller platform's line lies on top of a larger one's band.
        for platform in sorted(chosen, key=lambda p: -footprints[p.id].geometry.iloc[0].area):
            footprint = footprints[platform.id]
            color = color_rgba(outlines[platform.id].color)
            dash = "--" if footprint["precision"].iloc[0] == "approximate" else "-"
            if platform.id in hatched:
                footprint.plot(ax=ax, facecolor="none", edgecolor=color, hatch="////", linewidth=0, zorder=2)
            if platform.id in band:
                footprint.boundary.plot(ax=ax, color=color, linewidth=4.5, alpha=0.45, zorder=2.5)
            footprint.boundary.plot(ax=ax, color="white", linewidth=2.4, zorder=3)
            footprint.boundary.plot(ax=ax, color=color, linewidth=1.3, linestyle=dash, zorder=3.1)
            spot = shapely.point_on_surface(footprint.geometry.iloc[0])
            name = _tr(lang, platform.short_name, platform.short_name_en, "\n")
            labels.append(
                ax.annotate(
                    inert_figure_text(name),
                    (spot.x, spot.y),
                    xytext=(0, 0),
                    textcoords="offset points",
                    fontsize=font_size - 1,
                    ha="center",
                    va="center",
                    zorder=5,
                    color=color,
                    fontweight="bold",
                    bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": color, "lw": 0.9},
                )
            )
        _draw_border(ax, projection, vintage)
        clusters_seen: dict[str, tuple] = {}
        for p in chosen:
            name = _tr(lang, p.cluster_name, p.cluster_name_en or p.cluster)
            clusters_seen.setdefault(p.cluster, (color_rgba(p.cluster_color), inert_figure_text(name)))
        handles: list[Artist] = [Patch(facecolor=c, alpha=0.75, label=n) for c, n in clusters_seen.values()]
        handles += [
            Patch(
                facecolor=style["several_clusters_color"],
                alpha=0.75,
                label=_tr(lang, "多个片区", "several clusters"),
            ),
            Patch(facecolor=style["no_platform_color"], alpha=0.75, label=_tr(lang, "无平台", "no platform")),
            Line2D(
                [], [], color="#333", linestyle="--", label=_tr(lang, "近似范围", "approximate footprint")
            ),
        ]
        if hatched:
            handles.append(
                Patch(
                    facecolor="white",
                    edgecolor="#555",
                    hatch="////",
                    label=_tr(lang, "含其他平台", "contains other platforms"),
                )
            )
        handles.append(_border_handle(lang))
        import geopandas as gpd

        region = gpd.GeoSeries([f.geometry.iloc[0] for f in footprints.values()], crs=layer.crs).total_bounds
        frame = _frame(ax, region, 0.1)
        projection.ticks(ax, frame, font_size)
        the_plan = plan_of(chosen)
        default = _tr(
            lang,
            f"川渝毗邻地区合作共建区域发展功能平台（{the_plan} 方案）",
            f"Sichuan–Chongqing cross-border platforms (plan {the_plan})",
            "\n",
        )
        page = {
            "title": inert_figure_text(title) if title else default,
            "legend": {"handles": handles},
            "caption": _caption_text(
                layer, vintage, (f"功能平台：{the_plan} 方案。", f" Platforms: plan {the_plan}."), lang
            ),
            "font_size": font_size,
            "furniture": lambda: place_furniture(
                fig, ax, layer.geometry.values, projection, vintage, frame, font_size, context
            ),
        }
        _finish(fig, ax, own, labels, page)
    return fig


def plot_adjacency(
    level: str = "county",
    vintage: str | None = None,
    lang: str = "zh",
    figsize: tuple[float, float] | None = None,
    title: str | None = None,
    zoom_to_border: bool = True,
    ax=None,
    font_size: float | None = None,
    size: str | None = None,
    crs: str = "wgs84",
):
    """Cross-border shared borders drawn with a width proportional to their length.

    Parameters
    ----------
    level : {"county", "partner"}
    vintage : str, optional
        An id of the vintage registry (``cg.VINTAGES``); None: the registry's default.
    lang : {"zh", "en", "zh+en"}
    figsize : tuple of float, optional
    title : str, optional
    zoom_to_border : bool
        Frame the units that touch the border instead of both provinces.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes instead of a new figure (nothing is added to pyplot's list).
    font_size : float, optional
    size : {"single", "double"}, optional
        As for :func:`plot_platforms`.
    crs : {"wgs84", "albers"}

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> fig = cg.plot_adjacency(lang="en", size="single")
    >>> len(fig.axes) >= 1
    True
    """
    from matplotlib import rc_context
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    level = check_choice("level", level, PLOT_LEVELS)
    vintage = check_vintage(vintage)
    lang, font = _resolve_lang(check_choice("lang", lang, LANGS))
    figsize, font_size = _sizes(check_choice("size", size or "double", tuple(SIZES)), figsize, font_size)
    projection = Projection(check_choice("crs", crs, CRS_CHOICES))
    layer = projection.layer(load_boundaries(level, vintage, "standard"))
    style = config()["style"]
    pairs = cross_border_pairs(level, vintage, "standard")
    touching = sorted(set(pairs["adcode_a"]) | set(pairs["adcode_b"]))
    framed = layer[layer["adcode"].isin(touching)] if zoom_to_border else layer
    with rc_context(_rc(font)):
        fig, ax, own = _new_axes(figsize, ax)
        layer.plot(
            ax=ax,
            color=[PROVINCE_FILLS[p] for p in layer["province_adcode"]],
            edgecolor="#888",
            linewidth=0.3,
        )
        context = Context(ax, projection, lang, font_size)  # the neighbouring provinces, under the units
        widest = pairs["shared_km"].max() if len(pairs) else 1.0
        for row, line in zip(
            pairs.itertuples(), shared_lines(pairs, load_boundaries(level, vintage, "standard"))
        ):
            ax.plot(
                *_line_xy(projection.geometry(line)),
                color=style["cross_border_edge_color"],
                linewidth=0.8 + 4.2 * row.shared_km / widest,
                solid_capstyle="round",
            )
        labels = []
        for code in touching:
            row = layer.loc[layer["adcode"] == code].iloc[0]
            x, y = projection.xy(row["label_lon"], row["label_lat"])
            labels.append(
                ax.annotate(
                    _tr(lang, row["short_name"], row["pinyin"], "\n"),
                    (x, y),
                    xytext=(0, 0),
                    textcoords="offset points",
                    fontsize=font_size - 1,
                    ha="center",
                    va="center",
                    color="#222",
                    zorder=5,
                    path_effects=_halo(),
                )
            )
        frame = _frame(ax, framed.total_bounds, 0.04)
        projection.ticks(ax, frame, font_size)
        sides = [
            Patch(facecolor=PROVINCE_FILLS["510000"], edgecolor="#888", label=_tr(lang, "四川", "Sichuan")),
            Patch(facecolor=PROVINCE_FILLS["500000"], edgecolor="#888", label=_tr(lang, "重庆", "Chongqing")),
        ]
        # Reference widths: the legend says what a line width means in km.
        widths = [
            Line2D(
                [],
                [],
                color=style["cross_border_edge_color"],
                linewidth=0.8 + 4.2 * km / widest,
                label=f"{km:g} km",
            )
            for km in (10, 50, 100)
            if km <= widest * 1.05
        ]
        total = pairs["shared_km"].sum()
        page = {
            "title": inert_figure_text(title)
            if title
            else _tr(lang, "川渝跨省界相邻单元", "Sichuan–Chongqing cross-border neighbours", "\n"),
            "legend": {
                "handles": sides + widths,
                "title": _tr(
                    lang, "跨省界共享边界（线宽∝长度）", "cross-border shared border (width ∝ km)", "\n"
                ),
            },
            "caption": _caption_text(
                layer,
                vintage,
                (
                    f"本图层上共享边界 {total:.0f} 公里；长度取决于边界精度。",
                    f" {total:.0f} km of shared border on this layer; lengths depend on its resolution.",
                ),
                lang,
            ),
            "font_size": font_size,
            "furniture": lambda: place_furniture(
                fig, ax, layer.geometry.values, projection, vintage, frame, font_size, context
            ),
        }
        _finish(fig, ax, own, labels, page)
    return fig


def plot_lisa(
    local,
    lang: str = "zh",
    figsize: tuple[float, float] | None = None,
    title: str | None = None,
    ax=None,
    font_size: float | None = None,
    size: str | None = None,
    crs: str = "wgs84",
):
    """The LISA cluster map of :func:`chuanyu_geo.lisa` as a figure for a paper.

    Parameters
    ----------
    local : pandas.DataFrame
        The result of :func:`chuanyu_geo.lisa`.
    lang : {"zh", "en", "zh+en"}
    figsize : tuple of float, optional
    title : str, optional
    ax : matplotlib.axes.Axes, optional
        Draw into these axes instead of a new figure (nothing is added to pyplot's list).
    font_size : float, optional
    size : {"single", "double"}, optional
        As for :func:`plot_platforms`.
    crs : {"wgs84", "albers"}

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> local = cg.lisa(cg.unit_table("county"), "label_lat", "adcode", permutations=99, seed=1)
    >>> fig = cg.plot_lisa(local, lang="en")
    >>> len(fig.axes) >= 1
    True
    """
    from matplotlib import rc_context
    from matplotlib.patches import Patch

    lang, font = _resolve_lang(check_choice("lang", lang, LANGS))
    figsize, font_size = _sizes(check_choice("size", size or "double", tuple(SIZES)), figsize, font_size)
    projection = Projection(check_choice("crs", crs, CRS_CHOICES))
    level = local.attrs.get("level", "county")
    vintage = check_vintage(local.attrs.get("vintage"))
    from .stable_units import unit_layer

    layer = projection.layer(unit_layer(level, vintage, "standard", list(local["adcode"])))
    colors = config()["lisa"]
    cluster = dict(zip(local["adcode"], local["cluster"]))
    with rc_context(_rc(font)):
        fig, ax, own = _new_axes(figsize, ax)
        fills = [
            color_rgba(colors.get(cluster.get(code, "none"), colors["none"])) for code in layer["adcode"]
        ]
        layer.plot(ax=ax, color=fills, edgecolor="#777", linewidth=0.3)
        context = Context(ax, projection, lang, font_size)  # the neighbouring provinces, under the units
        _draw_border(ax, projection, vintage)
        shown = [k for k in LISA_ORDER if k != "isolate" or "isolate" in set(local["cluster"])]
        handles = [
            Patch(facecolor=color_rgba(colors[k]), edgecolor="#777", label=lisa_label(k, lang)) for k in shown
        ]
        handles.append(_border_handle(lang))
        frame = _frame(ax, layer.total_bounds, 0.03)
        projection.ticks(ax, frame, font_size)
        kind = local.attrs.get("kind", "queen")
        permutations = local.attrs.get("permutations", 999)
        page = {
            "title": inert_figure_text(title)
            if title
            else _tr(lang, "局部空间自相关 LISA 聚类", "LISA clusters", "\n"),
            "legend": {"handles": handles, "title": "LISA\n" + lisa_test_note(local.attrs, lang)},
            "caption": _caption_text(
                layer,
                vintage,
                (
                    f"{WEIGHT_KINDS_ZH.get(kind, kind)}权重，{permutations} 次置换。",
                    f" {kind} weights, {permutations} permutations.",
                ),
                lang,
            ),
            "font_size": font_size,
            "furniture": lambda: place_furniture(
                fig, ax, layer.geometry.values, projection, vintage, frame, font_size, context
            ),
        }
        _finish(fig, ax, own, None, page)
    return fig
