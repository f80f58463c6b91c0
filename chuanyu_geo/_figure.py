"""The page of a static figure: fonts, languages, sizes, text wrapping, layout and saving.

Every figure function builds its figure here (without pyplot), has its title, legend and
caption laid out here outside the data, and saves through :class:`PaperFigure` (fonts embedded
as journals need them). What is drawn on the map itself lives in ``_map_furniture``.
"""

from __future__ import annotations

import contextlib
import functools
import re
import warnings

from .boundaries import vintage_registry

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
LANGS = ("zh", "en", "zh+en")

# Journal sizes: single column 3.5 in (89 mm), double column 7 in (178 mm); font sizes in points.
SIZES = {"single": ((3.5, 3.2), 7.0), "double": ((7.0, 6.0), 8.0)}

CJK_CHARS = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_NO_LINE_START = set("，。、；：！？）》」』”’")
_TOKEN = re.compile(f"[{CJK_CHARS}]|[^\\s{CJK_CHARS}]+|\\s+")


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
    """``(language, CJK font)`` of a checked ``lang``: Chinese without a CJK font falls back to
    English with one warning."""
    font = cjk_font()
    if lang != "en" and font is None:
        warnings.warn(
            "no font with Chinese glyphs is installed (e.g. Debian's fonts-noto-cjk); drawing English "
            "labels instead",
            CJKFontWarning,
            stacklevel=3,
        )
        return "en", None
    return lang, font


def _tr(lang: str, zh: str, en: str, sep: str = " ") -> str:
    """One text in the figure's language; both, joined by ``sep``, for ``zh+en``."""
    return zh if lang == "zh" else en if lang == "en" else f"{zh}{sep}{en}"


def _sizes(size: str, figsize, font_size) -> tuple[tuple[float, float], float]:
    """Figure size (inches) and font size (points) from a checked preset, each overridden when given."""
    preset_size, preset_font = SIZES[size]
    return (tuple(figsize) if figsize is not None else preset_size), float(font_size or preset_font)


# Journals take PDFs with embedded TrueType fonts (Type 42), not Type 3; SVG keeps text as text.
_SAVE_RC = {"pdf.fonttype": 42, "ps.fonttype": 42, "svg.fonttype": "none"}


def _rc(font: str | None) -> dict:
    rc = dict(_SAVE_RC)
    # The generic family last: an SVG opened where none of the named fonts exists still gets a
    # sans-serif face, not the viewer's default serif.
    rc["font.family"] = [font, "DejaVu Sans", "sans-serif"] if font else ["DejaVu Sans", "sans-serif"]
    return rc


def _glyf_outlines(font) -> None:
    """Replace the CFF outlines of a fontTools font by TrueType (quadratic) ones, in place.

    matplotlib embeds every Type 42 subset as a TrueType font program (``FontFile2``); a CFF
    font there (Noto Sans CJK is one) breaks the PDF specification, and poppler reports a
    "Mismatch between font type and embedded font file". Converting the subset's outlines
    keeps its glyph order, so matplotlib's glyph indices stay valid.
    """
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        # 1 font unit: the usual tolerance for a cubic-to-quadratic conversion of outlines.
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    for tag in ("CFF ", "CFF2", "VORG"):
        if tag in font:
            del font[tag]
    font.sfntVersion = "\0\1\0\0"
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    for glyph in glyphs.values():
        glyph.recalcBounds(glyf)  # the saver that matplotlib uses does not recompute them
    font["loca"] = newTable("loca")
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for field in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
        "maxPoints",
        "maxContours",
        "maxCompositePoints",
        "maxCompositeContours",
        "maxComponentDepth",
    ):
        setattr(maxp, field, 2 if field == "maxZones" else 0)
    maxp.recalc(font)  # points and contours of the new outlines
    font["head"].glyphDataFormat = 0
    post = font["post"]
    post.formatType = 3.0  # no glyph names: a PDF selects glyphs by index
    post.extraNames, post.mapping = [], {}


@contextlib.contextmanager
def _truetype_subsets():
    """While saving: font subsets with CFF outlines are converted to TrueType before embedding.

    matplotlib offers no option for this; its subsetting helper is wrapped for the duration of
    one save. Should a later matplotlib rename it, saving still works (with the old fonts) and
    the PDF test reports the mismatch.
    """
    try:
        from matplotlib.backends import _backend_pdf_ps as helpers
    except ImportError:  # pragma: no cover - a matplotlib without the helper
        yield
        return
    original = getattr(helpers, "get_glyphs_subset", None)
    if original is None:  # pragma: no cover
        yield
        return

    @contextlib.contextmanager
    def subset_with_glyf(fontfile, glyphs):
        with original(fontfile, glyphs) as subset:
            if "CFF " in subset.font or "CFF2" in subset.font:
                _glyf_outlines(subset.font)
            yield subset

    helpers.get_glyphs_subset = subset_with_glyf
    try:
        yield
    finally:
        helpers.get_glyphs_subset = original


@functools.lru_cache(maxsize=1)
def _figure_class():
    """A Figure whose ``savefig`` embeds fonts the way journals need, whatever rcParams say then."""
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    class PaperFigure(Figure):
        def savefig(self, *args, **kwargs):
            with rc_context(_SAVE_RC), _truetype_subsets():
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
    return fig, fig.add_axes((0.02, 0.02, 0.96, 0.96)), True


def _wrap(fig, text: str, width_px: float, fontsize: float) -> str:
    """``text`` broken into lines no wider than ``width_px`` (Chinese between any two characters,
    other scripts at spaces), measured with the figure's renderer and font."""
    from matplotlib.font_manager import FontProperties

    renderer = fig.canvas.get_renderer()
    prop = FontProperties(size=fontsize)

    def width(s: str) -> float:
        return renderer.get_text_width_height_descent(s, prop, ismath=False)[0] if s else 0.0

    lines = []
    for paragraph in text.split("\n"):
        line = ""
        for token in _TOKEN.findall(paragraph):
            if line and not token.isspace() and width(line + token) > width_px:
                carried = ""
                if token in _NO_LINE_START and len(line) > 1:  # punctuation takes a character along
                    line, carried = line[:-1], line[-1]
                lines.append(line.rstrip())
                line = carried + token
            else:
                line += "" if (not line and token.isspace()) else token
        lines.append(line.rstrip())
    return "\n".join(lines)


def _caption_text(layer, vintage: str, extra: tuple[str, str] = ("", ""), lang: str = "en") -> str:
    """The source line in the figure's language; ``extra`` is (Chinese, English)."""
    registry = vintage_registry()
    zh = (
        f"边界：{layer.attrs['source']}，区划版本 {vintage}（{registry.short_zh[vintage]}），标准精度；"
        f"WGS84。{extra[0]}"
    )
    en = (
        f"Boundaries: {layer.attrs['source']}, vintage {vintage} ({registry.short[vintage]}), standard "
        f"detail; WGS84.{extra[1]}"
    )
    return _tr(lang, zh, en, "\n")


def _caption(
    where, layer, vintage: str, extra: tuple[str, str] = ("", ""), font_size: float = 8.0, lang="en"
) -> None:
    """The source line, in the figure's language: at the foot of a figure made here, or under
    the user's own axes. ``extra`` is (Chinese, English)."""
    text = _caption_text(layer, vintage, extra, lang)
    style = {"fontsize": max(font_size - 0.5, 6), "color": "#444", "wrap": True}
    if hasattr(where, "transAxes"):  # an Axes of the user's: beneath it, not over another plot
        where.text(0.0, -0.02, text, transform=where.transAxes, ha="left", va="top", **style)
    else:
        where.text(0.01, 0.01, text, **style)


def _finish(fig, ax, own: bool, labels: list | None = None, page: dict | None = None) -> None:
    """Gate every text against mathtext, lay out a figure made here (a user's own axes keep
    the layout they chose), then move the labels apart, measured in the final layout.

    ``page`` holds what goes around the map: ``title``, ``legend`` (keyword arguments of
    ``Axes.legend``), ``legend_at`` ("below" or "right"), ``caption``, ``font_size`` and
    ``furniture`` (a callable placing the locator, north arrow and scale bar once the map
    has its final size; it returns the texts labels must avoid).
    """
    fixed = []
    if page is not None:
        fixed = _lay_out(fig, ax, own, page)
    _no_mathtext(fig)  # before measuring, which parses every text
    if labels:
        from ._map_furniture import _declutter

        _declutter(ax, labels, fixed=fixed)


def _tick_room(fig, ax, renderer) -> tuple[float, float]:
    """Room (pixels) the degree labels of a projected map need left of and below its frame."""
    if not ax.axison:
        return 0.0, 0.0
    pad = 5 * fig.dpi / 72  # tick length and padding
    left = max((t.get_window_extent(renderer).width for t in ax.get_yticklabels() if t.get_text()), default=0)
    below = max(
        (t.get_window_extent(renderer).height for t in ax.get_xticklabels() if t.get_text()), default=0
    )
    return left + pad, below + pad


def _lay_out(fig, ax, own: bool, page: dict) -> list:
    """Title, legend and caption around the map, each measured; the map takes the rest."""
    size = page["font_size"]
    renderer = fig.canvas.get_renderer()
    legend_kw = dict(page["legend"])
    legend_kw.setdefault("fontsize", size)
    legend_kw.setdefault("title_fontsize", size)
    legend_kw.setdefault("frameon", False)
    if not own:  # the user's axes: legend to their right, caption beneath, title above
        ax.set_title(
            _wrap(fig, page["title"], ax.get_window_extent(renderer).width, size + 2), fontsize=size + 2
        )
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), **legend_kw)
        ax.text(
            0.0,
            -0.02,
            page["caption"],
            transform=ax.transAxes,
            ha="left",
            va="top",
            fontsize=max(size - 1, 6),
            color="#444",
            wrap=True,
        )
        _no_mathtext(fig)
        return page["furniture"]() if page.get("furniture") else []
    W, H = fig.get_size_inches() * fig.dpi
    margin = 0.05 * fig.dpi
    gap = 0.06 * fig.dpi
    caption = fig.text(
        margin / W,
        margin / H,
        _wrap(fig, page["caption"], W - 2 * margin, max(size - 1, 6)),
        ha="left",
        va="bottom",
        fontsize=max(size - 1, 6),
        color="#444",
    )
    _no_mathtext(fig)
    caption_h = caption.get_window_extent(renderer).height
    title = _wrap(fig, page["title"], W - 2 * margin, size + 1.5)
    ax.set_title(title, fontsize=size + 1.5, pad=3)
    _no_mathtext(fig)
    title_h = ax.title.get_window_extent(renderer).height + 3 * fig.dpi / 72
    top = H - margin - title_h - gap
    left, below = _tick_room(fig, ax, renderer)
    if page.get("legend_at", "below") == "right":
        legend = ax.legend(loc="upper left", bbox_to_anchor=(0.0, 0.0), **legend_kw)
        _no_mathtext(fig)
        legend_w = legend.get_window_extent(renderer).width
        bottom = margin + caption_h + gap
        bottom += below
        box = (margin + left, bottom, W - 2 * margin - legend_w - gap - left, top - bottom)
        ax.set_position([box[0] / W, box[1] / H, box[2] / W, box[3] / H])
        ax.apply_aspect()
        map_box = ax.get_window_extent(renderer)
        legend.set_bbox_to_anchor(((map_box.x1 + gap) / W, map_box.y1 / H), transform=fig.transFigure)
    else:
        legend = None
        handles = legend_kw.pop("handles")
        names = [h.get_label() for h in handles]
        best = None
        for ncol in range(1, 5):  # the lowest legend that fits the width, labels wrapped to a column
            if legend is not None:
                legend.remove()
            column = (W - 2 * margin) / ncol - 3.2 * size * fig.dpi / 72  # less the handle and padding
            wrapped = [_wrap(fig, name, column, legend_kw["fontsize"]) for name in names]
            legend = ax.legend(
                handles, wrapped, loc="lower left", ncol=ncol, bbox_to_anchor=(0.0, 0.0), **legend_kw
            )
            _no_mathtext(fig)
            extent = legend.get_window_extent(renderer)
            if extent.width <= W - 2 * margin and (best is None or extent.height < best[0] - 0.5):
                best = (extent.height, ncol, wrapped)
        legend.remove()
        assert best is not None  # one column always fits
        legend = ax.legend(
            handles, best[2], loc="lower left", ncol=best[1], bbox_to_anchor=(0.0, 0.0), **legend_kw
        )
        _no_mathtext(fig)
        extent = legend.get_window_extent(renderer)
        legend_y = margin + caption_h + gap
        legend.set_bbox_to_anchor(
            (max(margin, (W - extent.width) / 2) / W, legend_y / H), transform=fig.transFigure
        )
        bottom = legend_y + extent.height + gap + below
        ax.set_position([(margin + left) / W, bottom / H, (W - 2 * margin - left) / W, (top - bottom) / H])
        ax.apply_aspect()
    ax.set_anchor("C")
    return page["furniture"]() if page.get("furniture") else []
