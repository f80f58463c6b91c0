"""Static matplotlib figures for papers (PNG, SVG, PDF).

Chinese labels need a CJK font (Debian: fonts-noto-cjk). Without one the figures fall back
to English labels with a single warning, never to boxes for missing glyphs.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np
import shapely

from ._safe import check_color, color_rgba, inert_figure_text
from ._style import LISA_ORDER, config, lisa_label, lisa_test_note, unit_color
from .adjacency import cross_border_pairs, shared_lines
from .boundaries import (
    DEFAULT_VINTAGE,
    UNIT_LEVELS,
    VINTAGE_SHORT,
    VINTAGE_SHORT_ZH,
    VINTAGES,
    check_choice,
    load_boundaries,
    province_border,
)
from .platforms import Platform, plan_of, platform_set_of, platforms_by_unit

__all__ = ["CJKFontWarning", "cjk_font", "plot_platforms", "plot_adjacency", "plot_lisa"]

# Families known to cover simplified Chinese, in order of preference.
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Serif CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
)
PLOT_LEVELS = UNIT_LEVELS


class CJKFontWarning(UserWarning):
    """No font with Chinese glyphs was found: labels fall back to English."""


@functools.lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """Name of an installed font family with Chinese glyphs, or None.

    matplotlib keeps its font list in a cache written the first time it ran; a font installed
    later (``apt-get install fonts-noto-cjk`` after matplotlib was first used) is missing
    from it. When no CJK family is cached, the system font directories are scanned again
    and the fonts the cache does not know are added.

    Returns
    -------
    str or None

    Examples
    --------
    >>> from chuanyu_geo.plot import CJK_FAMILIES, cjk_font
    >>> cjk_font() is None or cjk_font() in CJK_FAMILIES
    True
    """
    from matplotlib import font_manager

    def cached() -> str | None:
        installed = {f.name for f in font_manager.fontManager.ttflist}
        return next((family for family in CJK_FAMILIES if family in installed), None)

    found = cached()
    if found is None:
        known = {f.fname for f in font_manager.fontManager.ttflist}
        for path in font_manager.findSystemFonts():
            if path not in known:
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):  # unreadable or unsupported font file
                    continue
        found = cached()
    return found


def _resolve_lang(lang: str) -> tuple[str, str | None]:
    lang = check_choice("lang", lang, ("zh", "en"))
    font = cjk_font()
    if lang == "zh" and font is None:
        warnings.warn(
            "no font with Chinese glyphs is installed (e.g. Debian's fonts-noto-cjk); drawing English "
            "labels instead",
            CJKFontWarning,
            stacklevel=3,
        )
        return "en", None
    return lang, font


# Journals take PDFs with embedded TrueType fonts (Type 42), not Type 3; SVG keeps text as text.
_SAVE_RC = {"pdf.fonttype": 42, "ps.fonttype": 42, "svg.fonttype": "none"}


def _rc(font: str | None) -> dict:
    rc = dict(_SAVE_RC)
    if font:
        rc["font.family"] = [font, "DejaVu Sans"]
    return rc


@functools.lru_cache(maxsize=1)
def _figure_class():
    """A Figure whose ``savefig`` embeds fonts the way journals need, whatever rcParams say then."""
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    class PaperFigure(Figure):
        def savefig(self, *args, **kwargs):
            with rc_context(_SAVE_RC):
                return super().savefig(*args, **kwargs)

    return PaperFigure


def _no_mathtext(fig) -> None:
    """The figure gate: no text the function drew is ever parsed as mathtext.

    Names, titles and sources come from data and users; a ``$`` in them must show as a
    dollar sign, and ``$\\undefinedmacro$`` must not make saving fail. Text a user adds to the
    returned figure afterwards keeps matplotlib's default.
    """
    from matplotlib.text import Text

    for text in fig.findobj(Text):
        if getattr(text, "_chuanyu_gated", False):
            continue
        if text.get_wrap():
            # Wrapping measures lines as mathtext whenever they hold a "$", whatever
            # parse_math says (matplotlib 3.10): escaped dollars are plain text there too.
            text.set_text(text.get_text().replace("$", r"\$"))
        else:
            text.set_parse_math(False)
        text._chuanyu_gated = True


def _new_axes(figsize, ax):
    """A new figure and axes, built without pyplot (so nothing stays in its list of figures),
    or the user's ``ax`` and its figure. Returns ``(figure, axes, made_here)``."""
    if ax is not None:
        return ax.figure, ax, False
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = _figure_class()(figsize=figsize)
    FigureCanvasAgg(fig)  # a canvas to measure text on (labels are moved apart by their boxes)
    return fig, fig.add_subplot(), True


def _finish(fig, ax, own: bool, labels: list | None = None) -> None:
    """Gate every text against mathtext, lay out a figure made here (a user's own axes keep
    the layout they chose), then move the labels apart, measured in the final layout."""
    _no_mathtext(fig)  # before layout, which measures (and so parses) every text
    if own:
        fig.tight_layout()
    if labels:
        _declutter(ax, labels)


def _scale_bar(ax, bounds) -> None:
    """A bar of a round length in km at the lower left, sized for the map's mid-latitude."""
    minx, miny, maxx, maxy = bounds
    mid_lat = (miny + maxy) / 2
    km_per_degree = 111.320 * np.cos(np.radians(mid_lat))
    target = (maxx - minx) * km_per_degree / 5
    length = max(v for v in (10, 20, 50, 100, 200, 500) if v <= max(target, 10))
    x0, y0 = minx + (maxx - minx) * 0.04, miny + (maxy - miny) * 0.05
    x1 = x0 + length / km_per_degree
    ax.plot([x0, x1], [y0, y0], color="black", linewidth=3, solid_capstyle="butt")
    ax.text((x0 + x1) / 2, y0 + (maxy - miny) * 0.015, f"{length} km", ha="center", va="bottom", fontsize=8)


def _declutter(ax, texts: list, step_pt: float = 3.0, rounds: int = 200) -> None:
    """Move annotation labels apart until no two of their boxes overlap (measured, not guessed).

    Each label is an ``annotate`` with an offset in points; overlapping pairs are pushed
    apart along the line between their centres, a few points per round, and a thin leader
    line is drawn from a moved label to its anchor.
    """
    fig = ax.figure
    _no_mathtext(fig)  # measuring a label parses it
    renderer = fig.canvas.get_renderer()

    def box(text):
        # The text's extent plus its rounded box (pad 0.2 em) and a hair of space.
        pad = 0.35 * text.get_fontsize() * fig.dpi / 72
        return text.get_window_extent(renderer).padded(pad)

    for _ in range(rounds):
        boxes = [box(t) for t in texts]
        moved = False
        for i in range(len(texts)):
            for j in range(i + 1, len(texts)):
                if not boxes[i].overlaps(boxes[j]):
                    continue
                (xi, yi), (xj, yj) = boxes[i].get_points().mean(axis=0), boxes[j].get_points().mean(axis=0)
                dx, dy = xj - xi, yj - yi
                if abs(dx) < 1e-6 and abs(dy) < 1e-6:
                    dx, dy = 0.0, 1.0
                norm = (dx * dx + dy * dy) ** 0.5
                for text, sign in ((texts[i], -1), (texts[j], 1)):
                    ox, oy = text.xyann
                    text.xyann = (ox + sign * step_pt * dx / norm, oy + sign * step_pt * dy / norm)
                moved = True
        if not moved:
            break
    for text in texts:
        if text.xyann != (0, 0):
            ax.annotate(
                "",
                text.xy,
                xytext=text.xyann,
                textcoords="offset points",
                arrowprops={"arrowstyle": "-", "color": "#555", "lw": 0.6, "shrinkA": 0, "shrinkB": 0},
            )


def _north_arrow(ax) -> None:
    ax.annotate(
        "N",
        xy=(0.965, 0.93),
        xytext=(0.965, 0.84),
        xycoords="axes fraction",
        ha="center",
        va="center",
        fontsize=9,
        fontweight="bold",
        arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.2},
    )


def _halo():
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=2.5, foreground="white")]


def _frame(ax, bounds, pad_fraction: float = 0.08) -> tuple[float, float, float, float]:
    """Frame the axes on ``bounds`` with a margin, keeping the aspect of geographic degrees."""
    minx, miny, maxx, maxy = bounds
    padx, pady = (maxx - minx) * pad_fraction, (maxy - miny) * pad_fraction
    frame = (minx - padx, miny - pady, maxx + padx, maxy + pady)
    ax.set_xlim(frame[0], frame[2])
    ax.set_ylim(frame[1], frame[3])
    return frame


def _locator(fig, ax, provinces, frame, border_color: str) -> None:
    """A small inset of Sichuan and Chongqing with the framed area outlined."""
    import matplotlib.patches as mpatches

    inset = ax.inset_axes([0.78, 0.02, 0.21, 0.21])
    _no_mathtext(fig)  # geopandas draws the figure once when it plots: the labels are already there
    provinces.plot(ax=inset, color=["#e8e8e8", "#d0d0d0"], edgecolor="#888", linewidth=0.3)
    inset.add_patch(
        mpatches.Rectangle(
            (frame[0], frame[1]), frame[2] - frame[0], frame[3] - frame[1], fill=False, ec=border_color, lw=1
        )
    )
    inset.set_xticks([])
    inset.set_yticks([])
    inset.set_xlabel("")
    inset.set_ylabel("")
    inset.set_facecolor("white")
    for spine in inset.spines.values():
        spine.set_edgecolor("#999")


def _caption(
    where, layer, vintage: str, extra: tuple[str, str] = ("", ""), font_size: float = 8.0, lang="en"
) -> None:
    """The source line, in the figure's language: at the foot of a figure made here, or under
    the user's own axes. ``extra`` is (Chinese, English)."""
    if lang == "zh":
        text = (
            f"边界：{layer.attrs['source']}，区划版本 {vintage}（{VINTAGE_SHORT_ZH[vintage]}），"
            "标准精度；WGS84。"
            f"{extra[0]}"
        )
    else:
        text = (
            f"Boundaries: {layer.attrs['source']}, vintage {vintage} ({VINTAGE_SHORT[vintage]}), standard "
            f"detail; WGS84.{extra[1]}"
        )
    style = {"fontsize": max(font_size - 0.5, 7), "color": "#444", "wrap": True}
    if hasattr(where, "transAxes"):  # an Axes of the user's: beneath it, not over another plot
        where.text(0.0, -0.02, text, transform=where.transAxes, ha="left", va="top", **style)
    else:
        where.text(0.01, 0.01, text, **style)


def plot_platforms(
    level: str = "county",
    vintage: str = DEFAULT_VINTAGE,
    lang: str = "zh",
    platform_set: list[Platform] | None = None,
    figsize: tuple[float, float] = (8, 7),
    title: str | None = None,
    plan: str | None = None,
    font_size: float = 8.0,
    ax=None,
):
    """Units coloured by cluster, platform outlines (dashed when approximate) and the border.

    Parameters
    ----------
    level : {"county", "partner"}
    vintage : {"2024", "2025"}
    lang : {"zh", "en"}
        Chinese labels need a CJK font; without one, English labels and a CJKFontWarning.
    platform_set : list of Platform, optional
    figsize : tuple of float
    title : str, optional
    plan : str, optional
        Which plan's platforms (see :func:`chuanyu_geo.plans`); default the 2020 plan.
    font_size : float
        Size of labels and legend in points (caption and title follow it).
    ax : matplotlib.axes.Axes, optional
        Draw into these axes instead of a new figure (nothing is added to pyplot's list).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> fig = cg.plot_platforms(level="partner", lang="en")
    >>> fig.axes[0].get_title() != ""
    True
    """
    from matplotlib import rc_context
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    level = check_choice("level", level, PLOT_LEVELS)
    vintage = check_choice("vintage", vintage, VINTAGES)
    lang, font = _resolve_lang(lang)
    chosen = platform_set_of(platform_set, plan)
    layer = load_boundaries(level, vintage, "standard")
    style = config()["style"]
    for platform in chosen:
        check_color(platform.cluster_color, f"platform {platform.id!r}, cluster {platform.cluster!r}")
    member_of = platforms_by_unit(chosen, level, vintage)
    with rc_context(_rc(font)):
        fig, ax, own = _new_axes(figsize, ax)
        # CSS colours (rgb(), hsl()) as RGBA tuples: matplotlib reads only names and hex.
        colors = [color_rgba(unit_color(member_of.get(code, []))) for code in layer["adcode"]]
        layer.plot(ax=ax, color=colors, edgecolor="#777", linewidth=0.3, alpha=0.75)
        footprints = {p.id: p.footprint(level, vintage, "standard") for p in chosen}
        labels = []
        # Approximate outlines last, dashed over a white casing: visible along exact ones.
        for platform in sorted(chosen, key=lambda p: footprints[p.id]["precision"].iloc[0] == "approximate"):
            footprint = footprints[platform.id]
            dashed = footprint["precision"].iloc[0] == "approximate"
            if dashed:
                footprint.boundary.plot(ax=ax, color="white", linewidth=2.2)
            footprint.boundary.plot(
                ax=ax,
                color=color_rgba(platform.cluster_color),
                linewidth=1.6,
                linestyle="--" if dashed else "-",
            )
            spot = shapely.point_on_surface(footprint.geometry.iloc[0])
            label = inert_figure_text(platform.short_name if lang == "zh" else platform.short_name_en)
            labels.append(
                ax.annotate(
                    label,
                    (spot.x, spot.y),
                    xytext=(0, 0),
                    textcoords="offset points",
                    fontsize=font_size,
                    ha="center",
                    va="center",
                    zorder=5,
                    bbox={
                        "boxstyle": "round,pad=0.2",
                        "fc": "white",
                        "ec": color_rgba(platform.cluster_color),
                        "alpha": 0.9,
                    },
                )
            )
        border = province_border(vintage, "standard")
        ax.plot(*_line_xy(border), color=style["border_color"], linewidth=2.2)
        clusters_seen = {}
        for p in chosen:
            clusters_seen.setdefault(
                p.cluster,
                (
                    color_rgba(p.cluster_color),
                    inert_figure_text(p.cluster_name if lang == "zh" else p.cluster),
                ),
            )
        handles = [Patch(facecolor=c, alpha=0.75, label=n) for c, n in clusters_seen.values()]
        handles += [
            Patch(
                facecolor=style["several_clusters_color"],
                alpha=0.75,
                label="多个片区" if lang == "zh" else "several clusters",
            ),
            Patch(
                facecolor=style["no_platform_color"],
                alpha=0.75,
                label="无平台" if lang == "zh" else "no platform",
            ),
            Line2D(
                [],
                [],
                color="#333",
                linestyle="--",
                label="近似范围" if lang == "zh" else "approximate footprint",
            ),
            Line2D(
                [],
                [],
                color=style["border_color"],
                linewidth=2.2,
                label="川渝省界" if lang == "zh" else "Sichuan–Chongqing border",
            ),
        ]
        ax.legend(handles=handles, loc="upper left", fontsize=font_size, frameon=True)
        import geopandas as gpd

        region = gpd.GeoSeries([f.geometry.iloc[0] for f in footprints.values()], crs=layer.crs).total_bounds
        frame = _frame(ax, region, 0.12)
        _scale_bar(ax, frame)
        _north_arrow(ax)
        _locator(fig, ax, load_boundaries("province", vintage, "standard"), frame, style["border_color"])
        ax.set_axis_off()
        ax.set_title(
            inert_figure_text(title)
            if title
            else (
                f"川渝毗邻地区合作共建区域发展功能平台（{plan_of(chosen)} 方案）"
                if lang == "zh"
                else f"Sichuan–Chongqing cross-border platforms (plan {plan_of(chosen)})"
            ),
            fontsize=11,
        )
        plan_text = (f"功能平台：{plan_of(chosen)} 方案。", f" Platforms: plan {plan_of(chosen)}.")
        _caption(fig if own else ax, layer, vintage, plan_text, font_size, lang)
        _finish(fig, ax, own, labels)
    return fig


def plot_adjacency(
    level: str = "county",
    vintage: str = DEFAULT_VINTAGE,
    lang: str = "zh",
    figsize: tuple[float, float] = (8, 7),
    title: str | None = None,
    zoom_to_border: bool = True,
    ax=None,
):
    """Cross-border shared borders drawn with a width proportional to their length.

    Parameters
    ----------
    level : {"county", "partner"}
    vintage : {"2024", "2025"}
    lang : {"zh", "en"}
    figsize : tuple of float
    title : str, optional
    zoom_to_border : bool
        Frame the units that touch the border instead of both provinces.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes instead of a new figure (nothing is added to pyplot's list).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> fig = cg.plot_adjacency(lang="en")
    >>> len(fig.axes) >= 1
    True
    """
    from matplotlib import rc_context
    from matplotlib.lines import Line2D

    level = check_choice("level", level, PLOT_LEVELS)
    vintage = check_choice("vintage", vintage, VINTAGES)
    lang, font = _resolve_lang(lang)
    layer = load_boundaries(level, vintage, "standard")
    style = config()["style"]
    pairs = cross_border_pairs(level, vintage, "standard")
    touching = sorted(set(pairs["adcode_a"]) | set(pairs["adcode_b"]))
    frame = layer[layer["adcode"].isin(touching)] if zoom_to_border else layer
    with rc_context(_rc(font)):
        fig, ax, own = _new_axes(figsize, ax)
        layer.plot(
            ax=ax,
            color=["#fde0dd" if p == "510000" else "#deebf7" for p in layer["province_adcode"]],
            edgecolor="#888",
            linewidth=0.3,
        )
        widest = pairs["shared_km"].max() if len(pairs) else 1.0
        for row, line in zip(pairs.itertuples(), shared_lines(pairs, layer)):
            ax.plot(
                *_line_xy(line),
                color=style["cross_border_edge_color"],
                linewidth=0.8 + 4.2 * row.shared_km / widest,
                solid_capstyle="round",
            )
        labels = []
        for code in touching:
            row = layer.loc[layer["adcode"] == code].iloc[0]
            labels.append(
                ax.annotate(
                    row["short_name"] if lang == "zh" else row["pinyin"],
                    (row["label_lon"], row["label_lat"]),
                    xytext=(0, 0),
                    textcoords="offset points",
                    fontsize=7,
                    ha="center",
                    va="center",
                    color="#222",
                    zorder=5,
                    path_effects=_halo(),
                )
            )
        minx, miny, maxx, maxy = frame.total_bounds
        pad = 0.15
        ax.set_xlim(minx - pad, maxx + pad)
        ax.set_ylim(miny - pad, maxy + pad)
        from matplotlib.patches import Patch

        sides = [
            Patch(facecolor="#fde0dd", edgecolor="#888", label="四川" if lang == "zh" else "Sichuan"),
            Patch(facecolor="#deebf7", edgecolor="#888", label="重庆" if lang == "zh" else "Chongqing"),
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
        ax.legend(
            handles=sides + widths,
            loc="upper left",
            fontsize=7.5,
            title="跨省界共享边界（线宽∝长度）"
            if lang == "zh"
            else "cross-border shared border (width ∝ km)",
            title_fontsize=7.5,
        )
        _scale_bar(ax, (minx - pad, miny - pad, maxx + pad, maxy + pad))
        _north_arrow(ax)
        ax.set_axis_off()
        ax.set_title(
            inert_figure_text(title)
            if title
            else ("川渝跨省界相邻单元" if lang == "zh" else "Sichuan–Chongqing cross-border neighbours"),
            fontsize=11,
        )
        _caption(
            fig if own else ax,
            layer,
            vintage,
            (
                f"本图层上共享边界 {pairs['shared_km'].sum():.0f} 公里；长度取决于边界精度。",
                f" {pairs['shared_km'].sum():.0f} km of shared border on this layer; lengths depend on its "
                f"resolution.",
            ),
            lang=lang,
        )
        _finish(fig, ax, own, labels)
    return fig


def _line_xy(geometry) -> tuple[list[float], list[float]]:
    """x and y of (multi)line parts joined with NaN breaks, for one ``ax.plot`` call."""
    xs: list[float] = []
    ys: list[float] = []
    for part in shapely.get_parts(
        shapely.line_merge(geometry) if geometry.geom_type != "GeometryCollection" else geometry
    ):
        if part.geom_type not in ("LineString", "LinearRing"):
            continue
        coords = np.asarray(part.coords)
        xs.extend(coords[:, 0].tolist() + [np.nan])
        ys.extend(coords[:, 1].tolist() + [np.nan])
    return xs, ys


def plot_lisa(
    local,
    lang: str = "zh",
    figsize: tuple[float, float] = (8, 7),
    title: str | None = None,
    ax=None,
):
    """The LISA cluster map of :func:`chuanyu_geo.lisa` as a figure for a paper.

    Parameters
    ----------
    local : pandas.DataFrame
        The result of :func:`chuanyu_geo.lisa`.
    lang : {"zh", "en"}
    figsize : tuple of float
    title : str, optional
    ax : matplotlib.axes.Axes, optional
        Draw into these axes instead of a new figure (nothing is added to pyplot's list).

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
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    lang, font = _resolve_lang(lang)
    level = local.attrs.get("level", "county")
    vintage = check_choice("vintage", local.attrs.get("vintage", DEFAULT_VINTAGE), VINTAGES)
    from .stable_units import unit_layer

    layer = unit_layer(level, vintage, "standard", list(local["adcode"]))
    colors = config()["lisa"]
    style = config()["style"]
    cluster = dict(zip(local["adcode"], local["cluster"]))
    with rc_context(_rc(font)):
        fig, ax, own = _new_axes(figsize, ax)
        fills = [
            color_rgba(colors.get(cluster.get(code, "none"), colors["none"])) for code in layer["adcode"]
        ]
        layer.plot(ax=ax, color=fills, edgecolor="#777", linewidth=0.3)
        border = province_border(vintage, "standard")
        ax.plot(*_line_xy(border), color=style["border_color"], linewidth=2.0)
        shown = [k for k in LISA_ORDER if k != "isolate" or "isolate" in set(local["cluster"])]
        handles = [
            Patch(facecolor=color_rgba(colors[k]), edgecolor="#777", label=lisa_label(k, lang)) for k in shown
        ]
        handles.append(
            Line2D(
                [],
                [],
                color=style["border_color"],
                linewidth=2.0,
                label="川渝省界" if lang == "zh" else "Sichuan–Chongqing border",
            )
        )
        ax.legend(
            handles=handles,
            loc="upper left",
            fontsize=7.5,
            frameon=True,
            title="LISA\n" + lisa_test_note(local.attrs, lang),
            title_fontsize=8,
        )
        _scale_bar(ax, layer.total_bounds)
        ax.set_axis_off()
        default = "局部空间自相关 LISA 聚类" if lang == "zh" else "LISA clusters"
        ax.set_title(inert_figure_text(title) if title else default, fontsize=11)
        _caption(
            fig if own else ax,
            layer,
            vintage,
            (
                f"{local.attrs.get('kind', 'queen')} 权重，{local.attrs.get('permutations', 999)} 次置换。",
                f" {local.attrs.get('kind', 'queen')} weights, "
                f"{local.attrs.get('permutations', 999)} permutations.",
            ),
            lang=lang,
        )
        _finish(fig, ax, own)
    return fig
