"""How lines are drawn on the web maps: the palette's lines as Leaflet path options, the panes
that keep them stacked (bands under outlines under the border), and legend keys drawn alike.

Colours and dashes come from :mod:`chuanyu_geo.palette`, the figures' source, so a platform or
the border looks the same on a web map as in a figure. A legend key is built from the same
:class:`Stroke` as the line it names, so the legend shows exactly what is drawn.

Examples
--------
>>> from chuanyu_geo.maps.strokes import border_stroke
>>> line = border_stroke()
>>> line.color, line.weight, line.dash_array
('#1a1a1a', 3.2, '20.48 5.12 3.2 5.12')
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import folium
from branca.element import MacroElement
from jinja2 import Template

from .._errors import InvalidArgumentError
from .._safe import check_color
from ..palette import border, outlines_for

# Screen maps are read zoomed out and at arm's length: a line of w points in a figure is 2w px
# here (the border's 1.6 pt gives 3.2 px, about the weight of the web border before the palette).
PX_PER_PT = 2.0
# matplotlib's default dash patterns (rcParams ``lines.*_pattern``) in line widths: matplotlib
# scales them by the width too, so a dashed line keeps the figures' rhythm on the web.
DASH_PATTERNS: dict[str, tuple[float, ...]] = {
    "solid": (),
    "dashed": (3.7, 1.6),
    "dashdot": (6.4, 1.6, 1.0, 1.6),
    "dotted": (1.0, 1.65),
}
CASING_COLOR = "#ffffff"  # under outlines and the border, as in the figures
CASING_OPACITY = 0.9
OUTLINE_PX = 3.0  # a platform's outline
CASING_EXTRA_PX = 2.5  # the casing is this much wider than its line
# The larger of two overlapping platforms is also drawn as a wide translucent band under every
# outline, so it stays visible where a smaller platform's line covers its own (plot_platforms).
BAND_PX = 11.0
BAND_OPACITY = 0.45

# Panes fix the stacking whatever order layers are toggled in: bands, then outlines (one pane
# per platform, the largest lowest, each over its casing), then the border; labels (600) and
# tooltips lie above.
BANDS_PANE, BANDS_Z = "chuanyu-bands", 410
OUTLINES_Z = 420
BORDER_PANE, BORDER_Z = "chuanyu-border", 590
BORDER_CASING_PANE = "chuanyu-border-casing"


@dataclass(frozen=True)
class Stroke:
    """One line as a web map draws it.

    Attributes
    ----------
    color : str
        A CSS colour (checked).
    weight : float
        Pixels.
    dash : {"solid", "dashed", "dashdot", "dotted"}
        A matplotlib line style name, as in ``palette.toml``.
    opacity : float
    casing : float
        Width in pixels of a white line drawn under this one; 0 for none.
    """

    color: str
    weight: float
    dash: str = "solid"
    opacity: float = 1.0
    casing: float = 0.0

    def __post_init__(self) -> None:
        check_color(self.color, "line colour")
        if self.dash not in DASH_PATTERNS:
            raise InvalidArgumentError(
                f"dash={self.dash!r} is not a line style; expected one of: {', '.join(DASH_PATTERNS)}"
            )

    @property
    def dash_array(self) -> str | None:
        """The SVG/Leaflet ``dashArray`` in pixels (None for a solid line)."""
        pattern = [round(step * self.weight, 2) for step in DASH_PATTERNS[self.dash]]
        return " ".join(f"{step:g}" for step in pattern) or None

    def path_options(self) -> dict:
        """Leaflet path options of the line (a dashed line has flat ends, so its gaps stay open)."""
        options = {"color": self.color, "weight": self.weight, "opacity": self.opacity}
        if self.dash_array:
            options.update(dashArray=self.dash_array, lineCap="butt")
        return options

    def casing_options(self) -> dict:
        """Leaflet path options of the white line under this one."""
        return {"color": CASING_COLOR, "weight": self.casing, "opacity": CASING_OPACITY}

    def layers(self) -> list[tuple[str, float, float, str | None]]:
        """(colour, width, opacity, dash array) from the bottom up: the casing, then the line."""
        drawn = [(CASING_COLOR, self.casing, CASING_OPACITY, None)] if self.casing else []
        return drawn + [(self.color, self.weight, self.opacity, self.dash_array)]


def band_of(stroke: Stroke) -> Stroke:
    """The wide translucent band of an overlapping platform, in its outline's colour."""
    return replace(stroke, weight=BAND_PX, dash="solid", opacity=BAND_OPACITY, casing=0.0)


def border_stroke() -> Stroke:
    """The Sichuan–Chongqing border of ``palette.border()`` (colour, dash, width) over a casing."""
    line = border()
    weight = round(line.width * PX_PER_PT, 2)
    return Stroke(line.color, weight, line.dash, casing=weight + 3)


def outline_strokes(platform_set: Iterable, approximate: set[str]) -> dict[str, Stroke]:
    """Each platform's outline: its palette colour, dashed when its footprint (as drawn at the
    map's level) is approximate, over a white casing."""
    return {
        pid: Stroke(
            outline.color,
            OUTLINE_PX,
            "dashed" if pid in approximate else "solid",
            casing=OUTLINE_PX + CASING_EXTRA_PX,
        )
        for pid, outline in outlines_for(platform_set).items()
    }


def add_panes(m: folium.Map) -> None:
    """Create the panes of bands and of the border and its casing (every map has them)."""
    folium.map.CustomPane(BANDS_PANE, z_index=BANDS_Z, pointer_events=False).add_to(m)
    folium.map.CustomPane(BORDER_CASING_PANE, z_index=BORDER_Z - 1, pointer_events=False).add_to(m)
    folium.map.CustomPane(BORDER_PANE, z_index=BORDER_Z, pointer_events=True).add_to(m)


def add_outline_panes(m: folium.Map, count: int) -> list[tuple[str, str]]:
    """Create a casing pane and an outline pane for each of ``count`` platforms; return their
    names as (casing, outline) pairs, lowest first."""
    pairs = []
    for i in range(count):
        # Room for 80 stacked platforms below the border panes; more share the top two.
        z = OUTLINES_Z + 2 * min(i, 80)
        casing, outline = f"chuanyu-casing-{i}", f"chuanyu-outline-{i}"
        folium.map.CustomPane(casing, z_index=z, pointer_events=False).add_to(m)
        folium.map.CustomPane(outline, z_index=z + 1, pointer_events=True).add_to(m)
        pairs.append((casing, outline))
    return pairs


class Copy(MacroElement):
    """The shapes of a GeoJSON layer drawn once more with other path options in another pane
    (a casing or a band), added to the same parent layer, without embedding them twice.

    Add it to the parent after ``source``. ``options`` are Leaflet path options of ours
    (colours checked by :class:`Stroke`); ``source`` is folium's generated variable name.
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
        {{ this.source }}.eachLayer(function (l) {
          var make = l instanceof L.Polygon ? L.polygon : L.polyline;
          {{ this._parent.get_name() }}.addLayer(make(l.getLatLngs(), {{ this.options|tojson }}));
        });
        {% endmacro %}"""
    )

    def __init__(self, source: folium.GeoJson, options: dict, pane: str):
        super().__init__()
        self._name = "Copy"
        self.source = source.get_name()
        self.options = {**options, "pane": pane, "interactive": False, "fill": False}


# --------------------------------------------------------------------------- legend keys


def _css_fill(color: str, dash_array: str | None) -> str:
    """A CSS background painting ``color`` in the dash pattern (solid without one)."""
    if not dash_array:
        return color
    stops, at, on = [], 0.0, True
    for step in (float(s) for s in dash_array.split()):
        paint = color if on else "transparent"
        stops.append(f"{paint} {at:g}px {at + step:g}px")
        at, on = at + step, not on
    return f"repeating-linear-gradient(to right,{','.join(stops)})"


def line_icon(*strokes: Stroke, length: int = 40) -> str:
    """A legend key drawing ``strokes`` (bottom first, each with its casing) as the map does (HTML)."""
    parts = [layer for stroke in strokes for layer in stroke.layers()]
    height = max(width for _c, width, _o, _d in parts)
    spans = "".join(
        f"<span style='position:absolute;left:0;right:0;top:{(height - width) / 2:g}px;height:{width:g}px;"
        f"opacity:{opacity:g};background:{_css_fill(check_color(color, 'legend colour'), dash)}'></span>"
        for color, width, opacity, dash in parts
    )
    return (
        f"<span class='chuanyu-key' style='position:relative;display:inline-block;width:{length}px;"
        f"height:{height:g}px;vertical-align:middle;margin-right:6px'>{spans}</span>"
    )


def line_row(label: str, *strokes: Stroke) -> str:
    """One legend row: the key of :func:`line_icon`, then ``label`` (inert HTML)."""
    return f"<div>{line_icon(*strokes)}{label}</div>"
