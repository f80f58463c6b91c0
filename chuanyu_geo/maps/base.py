"""The map object and what every map shares around its data: base map, tiles, attribution,
legend, layer control, map tools, CSS, and rendering and saving to one HTML file.

Leaflet (from the XStatic-Leaflet package) is inlined in every map, so a saved file needs
the network only for its tiles. Every string from data or users reaches HTML through
:func:`chuanyu_geo._safe.inert`; a map checks its whole element tree before it renders and
refuses any string that slipped past (see ``_safe``). Colours are validated.
"""

from __future__ import annotations

import base64
import functools
import json
import os
import re
import sys
import warnings
from pathlib import Path
from types import FrameType
from typing import cast

import folium
import geopandas as gpd
import pandas as pd
from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from .._errors import InvalidArgumentError, listing
from .._io import read_package_text, write_text_atomic
from .._safe import check_color, check_tree, inert
from .._style import config
from ..boundaries import UNIT_LEVELS, vintage_registry
from .strokes import add_panes

TILES = ("osm", "cartodb", "gaode", None)
LANGS = ("zh", "en", "zh+en")
FILL_OPACITY = 0.8  # units and legend swatches alike, so the legend matches the map


def _tr(lang: str, zh: str, en: str) -> str:
    """One label in the map's language: Chinese, English, or both (``zh+en``)."""
    return zh if lang == "zh" else en if lang == "en" else f"{zh} {en}"


MAP_LEVELS = UNIT_LEVELS


_esc = inert  # the one way text enters a map


_PACKAGE_DIR = str(Path(__file__).resolve().parent.parent)
# Library warnings about library use (not the user's data) stay where their library put them.
_ABOUT_CODE = (DeprecationWarning, PendingDeprecationWarning, FutureWarning)


def _user_stacklevel() -> int:
    """The ``stacklevel`` that makes a warning issued by the caller point at the first frame
    outside this package: the user's call, however deep in the package the warning arose."""
    frame: FrameType | None = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame, level = frame.f_back, level + 1
    return level


def warns_at_caller(function):
    """Make the warnings raised while a public map function runs point at the user's call.

    Warnings inside the package are issued with a stack level fitting their own public
    function (``adjacency_graph``, ``join_table`` ...), and a classifier's warning points
    into the classifier; reached through a map function they would point at the package.
    They are collected and issued again from the user's call; deprecation warnings of
    libraries about library use stay as they were.
    """

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                return function(*args, **kwargs)
        finally:
            for w in caught:
                if w.filename.startswith(_PACKAGE_DIR) or not issubclass(w.category, _ABOUT_CODE):
                    warnings.warn(w.message, w.category, stacklevel=_user_stacklevel())
                else:
                    warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)

    return wrapper


class _Map(folium.Map):
    """A folium map that inlines its assets, checks its tree for live template text, and
    carries what the map was built with.

    Leaflet (from XStatic-Leaflet) is inlined in every map, online or offline: the only
    network use of an online map is its tiles (several CDNs are unreachable from mainland
    China). jQuery and Bootstrap, which folium adds by default, are not used by these maps.

    Attributes
    ----------
    offline : bool
        Built with ``offline=True`` (no tiles): :func:`save_map` then checks by default that
        the file makes no network request.
    join_report : pandas.DataFrame or None
        :func:`chuanyu_geo.choropleth` only: the report of :func:`chuanyu_geo.join_table`,
        one row per row of the user's table; ``None`` on other maps.
    unmatched : pandas.DataFrame or None
        :func:`chuanyu_geo.choropleth` only: the rows that were not drawn (no unit, or no
        value), in full (the legend names the first few); ``None`` on other maps.
    """

    offline: bool
    join_report: pd.DataFrame | None
    unmatched: pd.DataFrame | None

    def __init__(self, *args, offline: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.offline = bool(offline)
        self.join_report = None
        self.unmatched = None

    def render(self, **kwargs):
        js, css = _leaflet_assets()
        self.default_js = []
        self.default_css = []
        safe_js = js.replace("</script", "<\\/script")  # cannot end the inline block early
        self.get_root().header.add_child(
            _Html(f"<style>{css}</style>\n<script>{safe_js}</script>", trusted=True), name="leaflet_inline"
        )
        check_tree(self.get_root())
        return super().render(**kwargs)


class _Html(Element):
    """Ready-made HTML placed as a template *value*, so branca never parses it as a template.

    ``trusted`` marks the package's own static assets (Leaflet, the map tools, the map's
    CSS), which the tripwire does not read as data; everything else is built from inert
    parts and checked by :func:`chuanyu_geo._safe.check_tree`.
    """

    _template = Template("{{ this.markup }}")

    def __init__(self, markup: str, trusted: bool = False):
        super().__init__()
        self.markup = markup
        self.trusted = trusted


# --------------------------------------------------------------------------- map scaffolding


class _Attribution(MacroElement):
    """Adds text to Leaflet's attribution control (also without tiles).

    Leaflet writes attributions with innerHTML, and the text comes from data files a data
    pack may supply (a manifest's ``source``, a vintage's ``short``): it is made inert here.
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.text|tojson }});
        {% endmacro %}"""
    )

    def __init__(self, text: str):
        super().__init__()
        self.text = inert(text)


def _root(m: folium.Map) -> Figure:
    """The page a map is drawn in (folium types it as a plain Element)."""
    return cast(Figure, m.get_root())


def _add_legend(m: folium.Map, body: str) -> None:
    """A fixed legend box; ``body`` is HTML built from inert parts.

    The map tools add a button that folds it (folded from the start on a phone).
    """
    _root(m).html.add_child(
        _Html(
            '<div class="chuanyu-legend" style="position:absolute; bottom:52px; left:10px; z-index:1000; '
            "background:rgba(255,255,255,0.92); padding:8px 10px; border:1px solid #999; border-radius:4px; "
            f'font:12px/1.5 sans-serif; max-width:320px;"><div class="chuanyu-legend-body">{body}</div></div>'
        )
    )


def _swatch(color: str, label: str, dashed: bool = False, line: bool = False, width: float = 3) -> str:
    """One legend row: a fill swatch, or a line of ``width`` pixels, then ``label`` (inert HTML)."""
    color = check_color(color, "legend colour")
    if line:
        style = (
            f"display:inline-block;width:22px;height:0;border-top:{float(width):g}px "
            f"{'dashed' if dashed else 'solid'} {color};vertical-align:middle;margin-right:6px"
        )
    else:
        style = (
            f"display:inline-block;width:14px;height:14px;background:{color};opacity:{FILL_OPACITY};"
            "border:1px solid #666;vertical-align:middle;margin-right:6px"
        )
    return f"<div><span style='{style}'></span>{label}</div>"


# Map-wide CSS: no black focus box on clicked shapes (Leaflet #8659/#9126), a light page
# behind the study area, a compact layer control that wraps its labels.
_MAP_CSS = (
    "path.leaflet-interactive:focus:not(:focus-visible){outline:0}"
    "html body .leaflet-container{background:#f7f9fb}"
    ".leaflet-control-layers-expanded{max-width:300px;max-height:70vh;overflow:auto;font:12px/1.4 sans-serif}"
    ".leaflet-control-layers label{white-space:normal}"
    ".chuanyu-label-icon{pointer-events:none}"
    ".chuanyu-tools a{display:flex;align-items:center;justify-content:center}"
    ".chuanyu-search input{width:150px;height:30px;border:0;border-radius:4px;padding:0 6px;"
    "font:13px sans-serif}"
    ".chuanyu-search input.chuanyu-miss{outline:2px solid #cb181d}"
    ".chuanyu-fill-window{position:fixed!important;inset:0;width:100vw!important;height:100vh!important;"
    "z-index:10000}"
    ".chuanyu-province{transform:translate(-50%,-50%);display:inline-block;white-space:nowrap;"
    "font:bold 22px sans-serif;letter-spacing:.25em;color:rgba(60,60,60,.62);"
    "text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 6px #fff;pointer-events:none}"
    # Place names: prefectures at low zoom, counties from the zoom they fit (map_tools.js).
    ".chuanyu-place{transform:translate(-50%,-50%);display:inline-block;white-space:nowrap;"
    "font:12px sans-serif;color:#333;text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 4px #fff;pointer-events:none}"
    ".chuanyu-place-prefecture{font:bold 13px sans-serif;color:#222}"
    ".chuanyu-legend-toggle{float:right;margin:-4px -6px 0 8px;border:1px solid #999;border-radius:3px;"
    "background:#fff;font:12px sans-serif;padding:1px 6px;cursor:pointer}"
    ".chuanyu-legend.chuanyu-folded .chuanyu-legend-body{display:none}"
    ".chuanyu-legend.chuanyu-folded{padding:4px 8px}"
    # Tooltips wrap instead of running past a phone's edge (map_tools.js also keeps them inside).
    ".leaflet-tooltip{white-space:normal;width:max-content;max-width:min(360px,calc(100vw - 24px))}"
    # On a phone the attribution is one line (tap to read it whole), clear of the scale bar,
    # and the legend fits the screen.
    "@media (max-width:600px),(max-height:500px){"
    ".leaflet-control-attribution{max-width:calc(100vw - 150px);white-space:nowrap;overflow:hidden;"
    "text-overflow:ellipsis;cursor:pointer}"
    ".leaflet-control-attribution.chuanyu-open{white-space:normal}"
    ".chuanyu-legend{max-width:calc(100vw - 40px)!important;max-height:calc(100vh - 160px);overflow:auto}}"
    ".chuanyu-label{transform:translate(-50%,-50%);display:inline-block;white-space:nowrap;padding:1px 5px;"
    "background:rgba(255,255,255,.85);border:1.5px solid #555;border-radius:3px;"
    "font:bold 12px sans-serif;color:#222}"
)


def _layer_control(m: folium.Map) -> None:
    """A layer control open on wide screens and collapsed to its button on small ones."""
    control = folium.LayerControl(collapsed=False)
    control.add_to(m)
    _root(m).script.add_child(
        _Html(
            # folium declares the control with `let`: a global binding, not a window property.
            "window.addEventListener('load', function () {"
            f" if (typeof {control.get_name()} !== 'undefined'"
            " && (window.innerWidth < 1000 || window.innerHeight < 600))"
            f" {{ {control.get_name()}.collapse(); }}"
            " });",
            trusted=True,  # our script; the only name in it is folium's generated one
        )
    )


def _map_tools(m: folium.Map, units: folium.GeoJson, lang: str, datum: str) -> None:
    """Fullscreen, a unit search box and a download of the units in view (``map_tools.js``).

    Our own few lines, inlined like Leaflet: no plugin on PyPI ships these, and a CDN
    would break offline files.
    """
    text = {
        "fullscreen": _tr(lang, "全屏", "Full screen"),
        "download": _tr(lang, "下载视图内单元 (GeoJSON)", "Download the units in view (GeoJSON)"),
        "search": _tr(lang, "查找单元…", "Find a unit…"),
        "file": "chuanyu-units.geojson",
        "legend": _tr(lang, "图例", "Legend"),
        "datum": _tr(
            lang,
            "坐标为 GCJ-02（高德底图）" if datum == "gcj02" else "坐标为 WGS84",
            "coordinates in GCJ-02 (Gaode basemap)" if datum == "gcj02" else "coordinates in WGS84",
        ),
    }
    script = (
        _tools_js()
        .replace("__MAP__", m.get_name())
        .replace("__UNITS__", units.get_name())
        .replace("__TEXT__", json.dumps(text))  # ASCII JSON of our own strings
    )
    _root(m).script.add_child(_Html(script, trusted=True))


@functools.lru_cache(maxsize=1)
def _tools_js() -> str:
    """``map_tools.js`` without its comment lines and indentation (it is inlined in every map)."""
    lines = (line.strip() for line in read_package_text("assets/map_tools.js").splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("//"))


def _base_map(
    tiles: str | None, bounds, attribution: str, title: str | None, offline: bool = False
) -> tuple[_Map, str]:
    if tiles not in TILES:
        raise InvalidArgumentError(
            f"tiles={tiles!r} is not valid; expected one of: osm, cartodb, gaode, None"
        )
    basemap = config()["basemaps"].get(tiles) if tiles else None
    m = _Map(
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
        max_zoom=config()["style"]["max_zoom"],
        offline=offline,
    )
    if basemap:
        folium.TileLayer(
            tiles=basemap["url"],
            attr=basemap["attribution"],
            name=_esc(tiles),
            subdomains=basemap.get("subdomains", "abc"),
            max_zoom=min(basemap["max_zoom"], config()["style"]["max_zoom"]),
            control=False,
        ).add_to(m)
    m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    add_panes(m)
    _Attribution(attribution).add_to(m)
    _root(m).header.add_child(_Html(f"<style>{_MAP_CSS}</style>", trusted=True), name="chuanyu_css")
    if title:
        _root(m).html.add_child(
            _Html(
                "<h3 class='chuanyu-title' style='position:absolute;top:6px;left:50px;right:60px;"
                "z-index:1000;margin:0;background:rgba(255,255,255,0.85);padding:2px 8px;"
                "font:bold 16px sans-serif;"
                f"overflow-wrap:anywhere;max-height:4.5em;overflow:hidden'>{_esc(title)}</h3>"
            )
        )
    return m, (basemap["datum"] if basemap else "wgs84")


def _refuse_tiles_offline(tiles, offline: bool) -> None:
    if offline and tiles is not None:
        raise InvalidArgumentError(
            f"offline=True makes no network request, so it cannot load {tiles!r} tiles; pass tiles=None"
        )


def _provenance(layer: gpd.GeoDataFrame, vintage: str, lang: str = "en") -> str:
    source = layer.attrs["source"]
    en = (
        f"Boundaries: {source}, vintage {vintage} ({vintage_registry().short[vintage]}), "
        "standard detail; simplified for display"
    )
    when = vintage_registry().short_zh.get(vintage, vintage)
    zh = f"边界：{source}，区划版本 {vintage}（{when}），标准精度；显示时简化"
    return _tr(lang, zh, en) if lang != "zh+en" else en


# --------------------------------------------------------------------------- saving


@functools.lru_cache(maxsize=1)
def _leaflet_assets() -> tuple[str, str]:
    """Leaflet's JS and CSS from XStatic-Leaflet, with the CSS's images inlined as data URIs."""
    import xstatic.pkg.leaflet as xleaflet

    base = Path(xleaflet.BASE_DIR)
    js = (base / "leaflet.js").read_text(encoding="utf-8")
    css = (base / "leaflet.css").read_text(encoding="utf-8")

    def inline(match: re.Match) -> str:
        data = base64.b64encode((base / match.group(1)).read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    css = re.sub(r"url\((images/[\w\-.]+\.png)\)", inline, css)
    return js, css


def _network_uses(m: folium.Map, page: str) -> list[str]:
    """What a rendered map would fetch from the network: tile layers, remote scripts and styles."""
    found = [
        f"{child.tile_name!r} tiles"
        for child in _descendants(m)
        if isinstance(child, folium.raster_layers.TileLayer)
    ]
    remote = r"""(?:https?:)?//[^"'\s)]+"""
    for pattern in (
        rf"""<script[^>]*\ssrc=["']({remote})""",
        rf"""<link[^>]*\shref=["']({remote})""",
    ):  # tags only: text from data is escaped, so "<script" in a page is ours or folium's
        found += re.findall(pattern, page)
    return list(dict.fromkeys(found))


def _descendants(element):
    for child in element._children.values():
        yield child
        yield from _descendants(child)


def _render(m: folium.Map, offline: bool) -> str:
    """The map's HTML; with ``offline`` it must make no network request (else an error)."""
    # Every map inlines Leaflet (see _Map); what can still reach the network is tiles, or
    # the CDN assets of a map that is not one of ours.
    page = m.get_root().render()
    if offline:
        uses = _network_uses(m, page)
        if uses:
            raise InvalidArgumentError(
                "offline=True: the map would load from the network: "
                + listing(uses, total=len(uses), sep=", ")
                + "; build it with tiles=None (and offline=True), or save it with offline=False"
            )
    return page


def save_map(m: folium.Map, path: str | os.PathLike, offline: bool | None = None) -> Path:
    """Write a map to one HTML file, atomically.

    Every map of this package inlines Leaflet, so the file needs the network only for its
    tiles.

    Parameters
    ----------
    m : folium.Map
        A map of this package, or any folium map.
    path : path-like
        The HTML file to write (replaced whole, never left half-written).
    offline : bool, optional
        ``True``: the file must make no network request; a map with tiles (or, for a folium
        map not built here, CDN scripts) is refused with an error naming them, and nothing
        is written. ``False``: written as it is, tiles and all. ``None`` (default): what the
        map was built with (``offline=`` of :func:`platform_map` and the other map
        functions; ``False`` for a folium map not built here).

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    InvalidArgumentError
        ``m`` is not a folium map, or ``offline=True`` and the map loads from the network.

    Examples
    --------
    >>> import tempfile, chuanyu_geo as cg
    >>> path = cg.save_map(cg.platform_map(tiles=None, offline=True), tempfile.mkdtemp() + "/map.html")
    >>> path.stat().st_size < 1_000_000
    True
    """
    if not isinstance(m, folium.Map):
        raise InvalidArgumentError(
            f"save_map: m must be a folium.Map (a map function's result); got {type(m).__name__}"
        )
    if offline is None:
        offline = m.offline if isinstance(m, _Map) else False
    elif not isinstance(offline, bool):
        raise InvalidArgumentError(f"save_map: offline must be True, False or None; got {offline!r}")
    return write_text_atomic(path, _render(m, offline))
