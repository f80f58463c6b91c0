"""Interactive folium maps: platforms, adjacency and choropleths.

Web layers are coverage-simplified (neighbours keep sharing their borders exactly) and
rounded, so a county map stays small; every figure shown (shared km, areas) comes from the
unsimplified layers. With Gaode tiles, which are drawn in GCJ-02, every vector layer is
shifted to GCJ-02 so borders sit on the roads and rivers they follow. ``offline=True``
inlines Leaflet (from the XStatic-Leaflet package) so the file makes no network request.

Every string from data or users reaches HTML through :func:`chuanyu_geo._safe.inert`
(escaped for HTML, braces as character references, so neither a browser nor branca's
second Jinja pass can run it); a map checks its whole element tree before it renders and
refuses any string that slipped past (see ``_safe``). Colours are validated.
"""

from __future__ import annotations

import base64
import functools
import json
import os
import re
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from jinja2 import Template
from shapely.ops import polylabel

from ._errors import InvalidArgumentError, listing
from ._io import read_package_text, write_text_atomic
from ._safe import check_color, check_tree, inert
from ._style import LISA_ORDER, config, lisa_label, lisa_test_note, unit_color
from .adjacency import RESOLUTION_NOTE, adjacency_graph, cross_border_pairs, graph_to_frame, shared_lines
from .boundaries import (
    DEFAULT_VINTAGE,
    UNIT_LEVELS,
    VINTAGE_SHORT,
    VINTAGE_SHORT_ZH,
    VINTAGES,
    border_line,
    check_choice,
    dissolve,
    load_boundaries,
)
from .classify import classify_values
from .coords import to_gcj02
from .platforms import Platform, plan_of, platform_set_of, platforms_by_unit
from .stable_units import dissolve_stable
from .tables.joins import UnmatchedRowsError, join_table

__all__ = [
    "lisa_map",
    "TILES",
    "platform_map",
    "adjacency_map",
    "choropleth",
    "join_table",
    "UnmatchedRowsError",
    "save_map",
]

TILES = ("osm", "cartodb", "gaode", None)
LANGS = ("zh", "en", "zh+en")
FILL_OPACITY = 0.8  # units and legend swatches alike, so the legend matches the map


def _tr(lang: str, zh: str, en: str) -> str:
    """One label in the map's language: Chinese, English, or both (``zh+en``)."""
    return zh if lang == "zh" else en if lang == "en" else f"{zh} {en}"


MAP_LEVELS = UNIT_LEVELS


_esc = inert  # the one way text enters a map


class _Map(folium.Map):
    """A folium map that inlines its assets and checks its tree for live template text.

    Leaflet (from XStatic-Leaflet) is inlined in every map, online or offline: the only
    network use of an online map is its tiles (several CDNs are unreachable from mainland
    China). jQuery and Bootstrap, which folium adds by default, are not used by these maps.
    """

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


# --------------------------------------------------------------------------- layers


@functools.cache
def _web_layer(level: str, vintage: str) -> gpd.GeoDataFrame:
    """The standard layer, coverage-simplified and rounded for the web."""
    style = config()["style"]
    layer = load_boundaries(level, vintage, "standard")
    simplified = shapely.coverage_simplify(layer.geometry.values, style["simplify_tolerance_deg"])
    grid = 10.0 ** -style["coordinate_decimals"]
    rounded = shapely.set_precision(simplified, grid)
    out = layer.set_geometry(gpd.GeoSeries(rounded, index=layer.index, crs=layer.crs))
    out.attrs.update(layer.attrs, web_simplify_tolerance_deg=style["simplify_tolerance_deg"])
    return out


def _label(row, lang: str) -> str:
    """Unit name for tooltips in the map's language."""
    if lang == "zh+en":
        return f"{_esc(row['name'])} <span style='color:#555'>{_esc(row['name_en'])}</span>"
    return _esc(row["name_en"] if lang == "en" else row["name"])


def _geojson(frame: gpd.GeoDataFrame, datum: str) -> str:
    """GeoJSON text in the basemap's datum (GCJ-02 for Gaode tiles; GeoJSON carries no CRS).

    Geometries go through GEOS's GeoJSON writer in one vectorised call: several times
    faster than building Python dicts feature by feature.
    """
    geoms = frame.geometry.values
    if datum == "gcj02":
        decimals = config()["style"]["coordinate_decimals"]
        geoms = shapely.transform(to_gcj02(np.asarray(geoms)), lambda xy: np.round(xy, decimals))
    properties = pd.DataFrame(frame.drop(columns=frame.geometry.name)).to_dict(orient="records")
    features = (
        f'{{"type": "Feature", "properties": {json.dumps(p, ensure_ascii=False)}, "geometry": {g}}}'
        for p, g in zip(properties, shapely.to_geojson(np.asarray(geoms)))
    )
    return '{"type": "FeatureCollection", "features": [' + ", ".join(features) + "]}"


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


def _add_legend(m: folium.Map, body: str) -> None:
    """A fixed legend box; ``body`` is HTML built from inert parts."""
    m.get_root().html.add_child(
        _Html(
            '<div class="chuanyu-legend" style="position:absolute; bottom:48px; left:10px; z-index:1000; '
            "background:rgba(255,255,255,0.92); padding:8px 10px; border:1px solid #999; border-radius:4px; "
            f'font:12px/1.5 sans-serif; max-width:320px;">{body}</div>'
        )
    )


def _swatch(color: str, label: str, dashed: bool = False, line: bool = False) -> str:
    color = check_color(color, "legend colour")
    if line:
        style = (
            "display:inline-block;width:22px;height:0;"
            f"border-top:3px {'dashed' if dashed else 'solid'} {color};vertical-align:middle;margin-right:6px"
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
    ".chuanyu-label{transform:translate(-50%,-50%);display:inline-block;white-space:nowrap;padding:1px 5px;"
    "background:rgba(255,255,255,.85);border:1.5px solid #555;border-radius:3px;"
    "font:bold 12px sans-serif;color:#222}"
)


def _layer_control(m: folium.Map) -> None:
    """A layer control open on wide screens and collapsed to its button on small ones."""
    control = folium.LayerControl(collapsed=False)
    control.add_to(m)
    m.get_root().script.add_child(
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
    m.get_root().script.add_child(_Html(script, trusted=True))


@functools.lru_cache(maxsize=1)
def _tools_js() -> str:
    return read_package_text("map_tools.js")


def _base_map(tiles: str | None, bounds, attribution: str, title: str | None) -> tuple[folium.Map, str]:
    if tiles not in TILES:
        raise InvalidArgumentError(
            f"tiles={tiles!r} is not valid; expected one of: osm, cartodb, gaode, None"
        )
    basemap = config()["basemaps"].get(tiles) if tiles else None
    m = _Map(tiles=None, control_scale=True, prefer_canvas=False, max_zoom=config()["style"]["max_zoom"])
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
    _Attribution(attribution).add_to(m)
    m.get_root().header.add_child(_Html(f"<style>{_MAP_CSS}</style>", trusted=True), name="chuanyu_css")
    if title:
        m.get_root().html.add_child(
            _Html(
                "<h3 class='chuanyu-title' style='position:absolute;top:6px;left:50px;right:60px;"
                "z-index:1000;margin:0;background:rgba(255,255,255,0.85);padding:2px 8px;"
                "font:bold 16px sans-serif;"
                f"overflow-wrap:anywhere;max-height:4.5em;overflow:hidden'>{_esc(title)}</h3>"
            )
        )
    return m, (basemap["datum"] if basemap else "wgs84")


def _check_map_args(level: str, vintage: str, lang: str, tiles, offline: bool) -> tuple[str, str, str]:
    level = check_choice("level", level, MAP_LEVELS)
    vintage = check_choice("vintage", vintage, VINTAGES)
    lang = check_choice("lang", lang, LANGS)
    if offline and tiles is not None:
        raise InvalidArgumentError(
            f"offline=True makes no network request, so it cannot load {tiles!r} tiles; pass tiles=None"
        )
    return level, vintage, lang


_VINTAGE_SHORT_ZH = VINTAGE_SHORT_ZH


def _provenance(layer: gpd.GeoDataFrame, vintage: str, lang: str = "en") -> str:
    source = layer.attrs["source"]
    en = (
        f"Boundaries: {source}, vintage {vintage} ({VINTAGE_SHORT[vintage]}), "
        "standard detail; simplified for display"
    )
    when = _VINTAGE_SHORT_ZH.get(vintage, vintage)
    zh = f"边界：{source}，区划版本 {vintage}（{when}），标准精度；显示时简化"
    return _tr(lang, zh, en) if lang != "zh+en" else en


def _add_units(
    m: folium.Map,
    layer: gpd.GeoDataFrame,
    datum: str,
    name: str,
    color_of,
    tooltip_extra: dict[str, str],
    lang: str,
) -> None:
    """The units layer, and the map tools that search and download it."""
    frame = layer[["adcode", "name", "name_en", "geometry"]].copy()
    # Every name a user may type, whatever the map's language: 邻水县, 邻水, Linshui County,
    # Linshui (pinyin), 511623. Matched as text by the search box; never shown.
    frame["keys"] = [_esc("|".join(_search_keys(row))) for _, row in layer.iterrows()]
    frame["label"] = [_label(r, lang) for _, r in frame.iterrows()]
    frame["color"] = [color_of(code) for code in frame["adcode"]]
    frame["extra"] = [tooltip_extra.get(code, "") for code in frame["adcode"]]
    # What the search box offers and the download names each unit by.
    frame["find"] = [_esc(_tr(lang, r.name, r.name_en)) for r in frame.itertuples()]
    units = folium.GeoJson(
        _geojson(frame.drop(columns=["name", "name_en"]), datum),
        name=name,
        style_function=lambda f: {
            "fillColor": f["properties"]["color"],
            "color": "#555",
            "weight": 0.6,
            "fillOpacity": FILL_OPACITY,
            "className": "chuanyu-unit",
        },
        highlight_function=lambda f: {"weight": 2.5, "color": "#000"},
        tooltip=folium.GeoJsonTooltip(fields=["label", "extra"], labels=False, sticky=True),
    ).add_to(m)
    _map_tools(m, units, lang, datum)


def _lines_layer(
    rows: list[dict],
    datum: str,
    name: str,
    color: str,
    weight: float,
    dash: str | None = None,
    show: bool = True,
) -> folium.GeoJson | None:
    if not rows:
        return None
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)
    style = {"color": color, "weight": weight, "opacity": 0.9}
    if dash:
        style["dashArray"] = dash
    return folium.GeoJson(
        _geojson(frame, datum),
        name=name,
        show=show,
        # Point contacts as circles: Leaflet's default marker needs image files beside the page.
        marker=folium.CircleMarker(radius=5, color=color, fill=True, fill_color=color, fill_opacity=0.9),
        style_function=lambda f, style=style: style,
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True),
    )


# --------------------------------------------------------------------------- platform map


_PRECISION_ZH = {"exact": "精确", "approximate": "近似"}


def _platform_popup(platform: Platform, precision: str, note: str | None, lang: str) -> str:
    zh, en = lang in ("zh", "zh+en"), lang in ("en", "zh+en")
    partners = "、".join(_esc(p.name) for p in platform.partners)
    parts = []
    if zh:
        parts += [
            f"<b>{_esc(platform.name)}</b> ({_esc(platform.short_name)})",
            f"{_esc(platform.cluster_name)} · 合作方：{partners}",
            f"主题：{_esc(platform.theme)}",
            f"条款 {_esc(platform.clause)}：「{_esc(platform.quote)}」",
            f"范围：<b>{_esc(_PRECISION_ZH.get(precision, precision))}</b>",
        ]
    if en:
        parts += [
            f"<b>{_esc(platform.name_en)}</b>",
            f"{_esc(platform.cluster_name_en)} cluster · {len(platform.partners)} partners",
            f"theme: {_esc(platform.theme_en)}",
            f"footprint: <b>{_esc(precision)}</b>{' — ' + _esc(note) if note else ''}",
        ]
    if platform.overall_plan is not None and (platform.overall_plan.document or platform.overall_plan.date):
        plan = platform.overall_plan
        label = _tr(lang, "总体方案", "overall plan")
        parts.append(f"{label}: {_esc(plan.document or '')} {_esc(plan.date or '')} ({_esc(plan.status)})")
    return "<div style='max-width:360px'>" + "<br>".join(parts) + "</div>"


def platform_map(
    level: str = "county",
    vintage: str = DEFAULT_VINTAGE,
    tiles: str | None = "osm",
    lang: str = "zh",
    offline: bool = False,
    platform_set: list[Platform] | None = None,
    title: str | None = None,
    plan: str | None = None,
) -> folium.Map:
    """Units coloured by cluster, one toggleable layer per platform, the border and cross-border edges.

    Parameters
    ----------
    level : {"county", "partner"}
    vintage : {"2024", "2025"}
    tiles : {"osm", "cartodb", "gaode", None}
        ``gaode`` tiles are GCJ-02: every vector layer is shifted to match them.
    lang : {"zh", "en"}
        Tooltips in Chinese with English beside, or English only.
    offline : bool
        Inline Leaflet so the saved file makes no network request (requires ``tiles=None``).
    platform_set : list of Platform, optional
        A user set from :func:`chuanyu_geo.load_platforms`.
    title : str, optional
    plan : str, optional
        Which plan's platforms (see :func:`chuanyu_geo.plans`); default the 2020 plan.

    Returns
    -------
    folium.Map
        Save it with :func:`save_map` (atomic, honours ``offline``) or ``Map.save``.

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> m = cg.platform_map(level="partner", tiles=None, lang="en")
    >>> "Wan-Da-Kai" in m.get_root().render()
    True
    """
    level, vintage, lang = _check_map_args(level, vintage, lang, tiles, offline)
    chosen = platform_set_of(platform_set, plan)
    web = _web_layer(level, vintage)
    member_of = platforms_by_unit(chosen, level, vintage)
    # Open on the platforms (the border region); the whole of both provinces is one zoom out.
    focus = web[web["adcode"].isin(list(member_of))] if member_of else web
    m, datum = _base_map(tiles, focus.total_bounds, _provenance(web, vintage, lang), title)
    _province_labels(m, focus.total_bounds, vintage, datum, lang)
    style = config()["style"]

    def color_of(code: str) -> str:
        return unit_color(member_of.get(code, []))

    def short(p: Platform) -> str:
        return _esc(_tr(lang, p.short_name, p.short_name_en))

    extra = {code: "<br>" + "、".join(short(p) for p in ps) for code, ps in member_of.items()}
    _add_units(m, web, datum, _esc(_tr(lang, "单元", "Units")), color_of, extra, lang)

    for platform in chosen:  # Platform objects may also be built in code, past load_platforms' checks
        check_color(platform.cluster_color, f"platform {platform.id!r}, cluster {platform.cluster!r}")
    footprints = {p.id: p.footprint(level, vintage, "standard").iloc[0] for p in chosen}
    # Outlines and name labels use the same shapes, on the web layer.
    shapes = {p.id: dissolve(web, footprints[p.id]["unit_adcodes"].split(","))[0] for p in chosen}
    # Approximate outlines are drawn last, dashed over a white casing, so they stay visible
    # where they run along an exact outline of the same colour (明月山 under 万达开).
    order = sorted(enumerate(chosen), key=lambda item: footprints[item[1].id]["precision"] == "approximate")
    for number, platform in order:
        footprint = footprints[platform.id]
        approximate = footprint["precision"] == "approximate"
        geometry = shapes[platform.id]
        precision = footprint["precision"]
        name = _tr(lang, platform.short_name, platform.short_name_en)
        state = _tr(lang, _PRECISION_ZH[precision], precision)
        # A colour swatch before each platform in the layer control (a dashed one if approximate).
        swatch = (
            f"<span style='display:inline-block;width:14px;height:0;border-top:3px "
            f"{'dashed' if approximate else 'solid'} {platform.cluster_color};"
            "vertical-align:middle;margin-right:4px'></span>"
        )
        label = f"{swatch}{_esc(name)} <span style='color:#666'>({_esc(state)})</span>"
        area = round(float(footprint["area_km2"]), 1)
        area_text = platform.area_note(precision, area) or f"exact: {area:,.1f} km²"
        if lang == "zh":
            area_text = (
                f"近似：完整单元 {area:,.1f} km²；方案面积 {platform.plan_area_km2:,.0f} km²"
                if approximate and platform.plan_area_km2
                else f"{'近似' if approximate else '精确'}：{area:,.1f} km²"
            )
        units_text = (
            footprint["units"]
            if lang != "en"
            else "、".join(web.set_index("adcode").loc[footprint["unit_adcodes"].split(","), "name_en"])
        )
        frame = gpd.GeoDataFrame(
            {
                "tip": [f"<b>{_esc(name)}</b><br>{_esc(units_text)}<br>{_esc(area_text)}"],
                "popup": [_platform_popup(platform, precision, footprint["note"], lang)],
            },
            geometry=[geometry],
            crs=4326,
        )
        group = folium.FeatureGroup(name=label, show=True)
        if approximate:
            folium.GeoJson(
                _geojson(frame[["geometry"]], datum),
                style_function=lambda f: {
                    "color": "#ffffff",
                    "weight": 4,
                    "opacity": 0.95,
                    "fill": False,
                    "interactive": False,
                },
            ).add_to(group)
        folium.GeoJson(
            _geojson(frame, datum),
            style_function=lambda f, c=platform.cluster_color, d=approximate, n=number: {
                "color": c,
                "weight": 3,
                # Outlines only: a fill would catch the mouse and hide the units' tooltips.
                "fill": False,
                "dashArray": "8 6" if d else None,
                # Index-based class: tests and user CSS can find a platform's outline.
                "className": f"chuanyu-platform chuanyu-platform-{n}",
            },
            tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True),
            popup=folium.GeoJsonPopup(fields=["popup"], labels=False),
        ).add_to(group)
        group.add_to(m)

    _platform_labels(m, chosen, shapes, datum, lang)
    _border_and_edges(m, web, level, vintage, datum, lang)
    provenance = _tr(
        lang,
        f"方案 {plan_of(chosen)}；区划版本 {vintage}；{web.attrs['source']}",
        f"plan {plan_of(chosen)}; vintage {vintage}; {web.attrs['source']}",
    )
    legend = [f"<b>{_esc(_tr(lang, '功能平台', 'Platforms'))}</b>"]
    seen = {}
    for p in chosen:
        seen.setdefault(p.cluster, (p.cluster_color, _tr(lang, p.cluster_name, p.cluster_name_en)))
    legend += [_swatch(color, _esc(name)) for color, name in seen.values()]
    legend += [
        _swatch(style["several_clusters_color"], _esc(_tr(lang, "多个片区", "several clusters"))),
        _swatch(style["no_platform_color"], _esc(_tr(lang, "无平台", "no platform"))),
        _swatch("#333", _esc(_tr(lang, "近似范围", "approximate footprint")), dashed=True, line=True),
        _swatch(style["border_color"], _esc(_tr(lang, "川渝省界", "Sichuan–Chongqing border")), line=True),
        f"<div style='color:#555'>{_esc(provenance)}</div>",
    ]
    _add_legend(m, "".join(legend))
    _layer_control(m)
    m._chuanyu_offline = offline
    return m


def _platform_labels(m: folium.Map, chosen: list[Platform], shapes: dict, datum: str, lang: str) -> None:
    """Platform names on the map, at a point inside each footprint; a layer that can be hidden."""
    group = folium.FeatureGroup(name=_esc(_tr(lang, "平台名称", "Platform names")), show=True)
    for platform in chosen:
        spot = shapely.point_on_surface(shapes[platform.id])
        if datum == "gcj02":
            spot = to_gcj02(np.asarray([spot]))[0]
        text = _esc(_tr(lang, platform.short_name, platform.short_name_en))
        html = f"<div class='chuanyu-label' style='border-color:{platform.cluster_color}'>{text}</div>"
        folium.Marker(
            [spot.y, spot.x],
            icon=folium.DivIcon(
                html=html, icon_size=(0, 0), icon_anchor=(0, 0), class_name="chuanyu-label-icon"
            ),
            interactive=False,
        ).add_to(group)
    group.add_to(m)


def _search_keys(row) -> list[str]:
    """The names a unit is searched by, lower-cased: full, short, English, pinyin, adcode."""
    keys = [row.get("name"), row.get("short_name"), row.get("name_en"), row.get("pinyin"), row.get("adcode")]
    spelled = [str(k).strip().lower() for k in keys if isinstance(k, str) and k.strip()]
    # Also without spaces, apostrophes and hyphens: guangan finds Guang'an.
    return list(dict.fromkeys(spelled + [re.sub(r"[\s'’-]+", "", k) for k in spelled]))


def _province_labels(m: folium.Map, bounds, vintage: str, datum: str, lang: str) -> None:
    """四川省 / 重庆市 written on each side of the border, inside the part of the map first shown.

    A province's own label point can lie far outside the view (Sichuan's is in the west), so
    each name goes on the part of its province within the opening bounds.
    """
    provinces = load_boundaries("province", vintage, "standard")
    view = shapely.box(*bounds)
    group = folium.FeatureGroup(name=_esc(_tr(lang, "省名", "Province names")), show=True)
    for name, name_en, shape in zip(provinces["name"], provinces["name_en"], provinces.geometry):
        inside = shapely.intersection(shape, view)
        if inside.is_empty:
            continue
        # The point farthest from the border and the view's edges: the name stands clear of both.
        parts = list(getattr(inside, "geoms", [inside]))
        largest = max((g for g in parts if g.geom_type == "Polygon"), key=lambda g: g.area, default=None)
        if largest is None:
            continue
        spot = polylabel(largest, tolerance=0.01)
        if datum == "gcj02":
            spot = to_gcj02(np.asarray([spot]))[0]
        english = name_en.replace(" Province", "").replace(" Municipality", "")
        text = _esc(_tr(lang, name, english))
        folium.Marker(
            [spot.y, spot.x],
            icon=folium.DivIcon(
                html=f"<div class='chuanyu-province'>{text}</div>",
                icon_size=(0, 0),
                icon_anchor=(0, 0),
                class_name="chuanyu-label-icon",
            ),
            interactive=False,
        ).add_to(group)
    group.add_to(m)


def _names_in(web: gpd.GeoDataFrame, lang: str) -> dict[str, str]:
    """Adcode -> unit name in the map's language."""
    column = "name_en" if lang == "en" else "name"
    return dict(zip(web["adcode"], web[column]))


def _border_and_edges(
    m: folium.Map, web: gpd.GeoDataFrame, level: str, vintage: str, datum: str, lang: str
) -> None:
    style = config()["style"]
    source = web.attrs["source"]
    pairs = cross_border_pairs(level, vintage, "standard")
    total = pairs["shared_km"].sum()
    names = _names_in(web, lang)
    _border_only(m, web, datum, lang, detail=f": {total:.2f} km ({source})", weight=4)
    contact = {"edge": _tr(lang, "共享边界", "shared border"), "point": _tr(lang, "点接触", "point contact")}
    edge_rows = [
        {
            "tip": f"{_esc(names[row.adcode_a])} ↔ {_esc(names[row.adcode_b])}: "
            f"{row.shared_km:.2f} km<br><span "
            f"style='color:#555'>{_esc(contact[row.contact])}; {_esc(source)}</span>",
            "geometry": line,
        }
        for row, line in zip(pairs.itertuples(), shared_lines(pairs, web))
    ]
    edges = _lines_layer(
        edge_rows,
        datum,
        _esc(_tr(lang, "跨省界相邻边", "Cross-border edges")),
        style["cross_border_edge_color"],
        6,
        show=True,
    )
    if edges is not None:
        edges.add_to(m)


# --------------------------------------------------------------------------- adjacency map


def adjacency_map(
    level: str = "county",
    vintage: str = DEFAULT_VINTAGE,
    tiles: str | None = "osm",
    lang: str = "zh",
    offline: bool = False,
    title: str | None = None,
) -> folium.Map:
    """Every shared border, cross-border ones highlighted, with shared km in the tooltips.

    Parameters
    ----------
    level : {"county", "partner"}
    vintage : {"2024", "2025"}
    tiles : {"osm", "cartodb", "gaode", None}
    lang : {"zh", "en"}
    offline : bool
    title : str, optional

    Returns
    -------
    folium.Map

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> m = cg.adjacency_map(tiles=None, lang="en")
    >>> "Cross-border" in m.get_root().render()
    True
    """
    level, vintage, lang = _check_map_args(level, vintage, lang, tiles, offline)
    web = _web_layer(level, vintage)
    m, datum = _base_map(tiles, web.total_bounds, _provenance(web, vintage, lang), title)
    _province_labels(m, web.total_bounds, vintage, datum, lang)
    style = config()["style"]
    graph = adjacency_graph(level=level, vintage=vintage, detail="standard")
    degree = {n: f"<br>{graph.degree(n)} {_tr(lang, '个邻接单元', 'neighbours')}" for n in graph.nodes}
    _add_units(m, web, datum, _esc(_tr(lang, "单元", "Units")), lambda code: "#f7f7f7", degree, lang)
    internal, cross = [], []
    pairs = graph_to_frame(graph)
    names = _names_in(web, lang)
    contact = {"edge": _tr(lang, "共享边界", "shared border"), "point": _tr(lang, "点接触", "point contact")}
    for row, shared in zip(pairs.itertuples(), shared_lines(pairs, web)):
        # Sichuan side first, as in the report's tables.
        a, b = (
            (row.adcode_b, row.adcode_a)
            if row.cross_border and row.adcode_a < row.adcode_b
            else (row.adcode_a, row.adcode_b)
        )
        tip = f"{_esc(names[a])} ↔ {_esc(names[b])}: {row.shared_km:.2f} km ({_esc(contact[row.contact])})"
        (cross if row.cross_border else internal).append({"tip": tip, "geometry": shared})
    for rows, name, color, weight in (
        (internal, _tr(lang, "省内相邻边", "Shared borders"), style["internal_edge_color"], 2),
        (cross, _tr(lang, "跨省界相邻边", "Cross-border"), style["cross_border_edge_color"], 5),
    ):
        layer = _lines_layer(rows, datum, _esc(name), color, weight)
        if layer is not None:
            layer.add_to(m)
    _add_legend(
        m,
        _swatch(
            style["cross_border_edge_color"],
            _esc(_tr(lang, "跨省界相邻", "cross-border shared border")),
            line=True,
        )
        + _swatch(style["internal_edge_color"], _esc(_tr(lang, "省内相邻", "shared border")), line=True)
        + f"<div style='color:#555'>{_esc(_tr(lang, '共享边界长度取决于边界精度', RESOLUTION_NOTE))}</div>",
    )
    _layer_control(m)
    m._chuanyu_offline = offline
    return m


# --------------------------------------------------------------------------- choropleth


def choropleth(
    table: pd.DataFrame,
    value_col: str,
    key_col: str,
    level: str = "county",
    vintage: str = DEFAULT_VINTAGE,
    scheme: str = "quantiles",
    k: int = 5,
    allow_partial: bool = False,
    tiles: str | None = "osm",
    lang: str = "zh",
    offline: bool = False,
    title: str | None = None,
    year: int | None = None,
) -> folium.Map:
    """Map a user indicator onto units, classified with mapclassify.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per unit.
    value_col : str
        Numeric column to map.
    key_col : str
        Column with adcodes or names (current, short, pinyin or former: 开县, 梁平县).
    level : {"county", "partner"}
    vintage : {"2024", "2025"}
    scheme : str
        A mapclassify classifier name (quantiles, equal_interval, natural_breaks, ...).
    k : int
        Number of classes (3–7).
    allow_partial : bool
        Draw the rows that match and list the others (and rows without a value) in the
        map and in ``map.unmatched``; by default any such row raises.
    tiles, lang, offline, title
        As for :func:`platform_map`.
    year : int, optional
        The year whose codes and names the table uses (see :func:`join_table`).

    Returns
    -------
    folium.Map
        ``map.join_report`` holds the report of :func:`join_table`.

    Raises
    ------
    UnmatchedRowsError
        Rows that did not match (listed), unless ``allow_partial``.

    Examples
    --------
    >>> import pandas as pd, chuanyu_geo as cg
    >>> table = pd.DataFrame({"unit": ["万州", "开州", "达川", "大竹"], "gdp": [1.2, 0.8, 0.9, 0.5]})
    >>> m = cg.choropleth(table, "gdp", "unit", k=3, tiles=None)
    >>> m.join_report["status"].tolist()
    ['matched', 'matched', 'matched', 'matched']
    """
    level, vintage, lang = _check_map_args(level, vintage, lang, tiles, offline)
    classes = classify_values(table, value_col, key_col, level, vintage, scheme, k, allow_partial, year)
    matched, report, unmatched = classes.matched, classes.report, classes.unmatched
    colors, class_of = classes.colors, classes.class_of
    value_of = dict(zip(matched["adcode"], matched[value_col]))

    web = dissolve_stable(_web_layer(level, vintage), list(class_of), level, vintage)
    # Open on the units that have data; the rest of both provinces is one zoom out.
    focus = web[web["adcode"].isin(list(class_of))]
    m, datum = _base_map(tiles, focus.total_bounds, _provenance(web, vintage, lang), title)
    _province_labels(m, focus.total_bounds, vintage, datum, lang)
    style = config()["style"]
    extra = {code: f"<br>{_esc(value_col)}: {_esc(f'{value:,.6g}')}" for code, value in value_of.items()}
    _add_units(
        m,
        web,
        datum,
        _esc(value_col),
        lambda code: colors[class_of[code]] if code in class_of else style["no_platform_color"],
        extra,
        lang,
    )
    legend = [f"<b>{_esc(value_col)}</b> ({_esc(scheme)})"]
    legend += [_swatch(colors[i], _esc(label)) for i, label in enumerate(classes.labels())]
    legend.append(_swatch(style["no_platform_color"], _esc(_tr(lang, "无数据", "no data"))))
    if len(unmatched):
        not_mapped = _tr(lang, f"{len(unmatched)} 行未能对应单元：", f"{len(unmatched)} rows not mapped: ")
        # The first few keys, each cut short; the full list is on map.unmatched.
        keys = listing((_cut(k) for k in unmatched["key"]), total=len(unmatched), sep=", ")
        legend.append(f"<div style='color:#a50f15'>{_esc(not_mapped + keys)}</div>")
    _border_only(m, web, datum, lang)
    _layer_control(m)
    _add_legend(m, "".join(legend))
    m.join_report = report
    m.unmatched = unmatched
    m._chuanyu_offline = offline
    return m


def _cut(value, limit: int = 200) -> str:
    """A user's key as text for a legend, at most ``limit`` characters."""
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


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


def _render(m: folium.Map, offline: bool) -> str:
    # Every map inlines its assets (see _Map); ``offline`` only decides whether tiles load.
    return m.get_root().render()


def save_map(m: folium.Map, path: str | os.PathLike, offline: bool | None = None) -> Path:
    """Write a map to one HTML file, atomically.

    Parameters
    ----------
    m : folium.Map
    path : path-like
    offline : bool, optional
        Inline Leaflet so the file needs no network; defaults to what the map was built with.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile, chuanyu_geo as cg
    >>> path = cg.save_map(cg.platform_map(tiles=None, offline=True), tempfile.mkdtemp() + "/map.html")
    >>> path.stat().st_size < 1_000_000
    True
    """
    offline = getattr(m, "_chuanyu_offline", False) if offline is None else offline
    return write_text_atomic(path, _render(m, offline))


# --------------------------------------------------------------------------- LISA


def lisa_map(
    local: pd.DataFrame,
    tiles: str | None = "osm",
    lang: str = "zh",
    offline: bool = False,
    title: str | None = None,
) -> folium.Map:
    """The LISA cluster map of :func:`chuanyu_geo.lisa`: HH, LL, HL, LH and not significant.

    Parameters
    ----------
    local : pandas.DataFrame
        The result of :func:`chuanyu_geo.lisa` (its ``attrs`` say level, vintage and alpha).
    tiles, lang, offline, title
        As for :func:`platform_map`.

    Returns
    -------
    folium.Map

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> units = cg.unit_table("county")
    >>> local = cg.lisa(units, "label_lat", "adcode", permutations=99, seed=1)
    >>> m = cg.lisa_map(local, tiles=None, lang="en")
    >>> "LISA clusters" in m.get_root().render()
    True
    """
    level = local.attrs.get("level", "county")
    vintage = local.attrs.get("vintage", DEFAULT_VINTAGE)
    level, vintage, lang = _check_map_args(
        level if level in MAP_LEVELS else "county", vintage, lang, tiles, offline
    )
    colors = config()["lisa"]
    web = dissolve_stable(_web_layer(level, vintage), list(local["adcode"]), level, vintage)
    focus = web[web["adcode"].isin(list(local["adcode"]))]
    m, datum = _base_map(tiles, focus.total_bounds, _provenance(web, vintage, lang), title)
    _province_labels(m, focus.total_bounds, vintage, datum, lang)
    cluster = dict(zip(local["adcode"], local["cluster"]))

    def tip(row) -> str:
        value = _esc(f"{row.value:,.6g}")
        if row.cluster == "isolate":
            return f"<br>{_esc(lisa_label('isolate', lang))} · {_esc(_tr(lang, '值', 'value'))} {value}"
        return (
            f"<br>{_esc(lisa_label(row.cluster, lang))} · I = {row.Is:.3f} · p = {row.p_sim:.3f} · "
            f"{_esc(_tr(lang, '值', 'value'))} {value}"
        )

    extra = {row.adcode: tip(row) for row in local.itertuples()}
    _add_units(
        m,
        web,
        datum,
        _esc("LISA"),
        lambda code: colors.get(cluster.get(code, "none"), colors["none"]),
        extra,
        lang,
    )
    _border_only(m, web, datum, lang)
    title_text = _esc(_tr(lang, "LISA 局部空间自相关", "LISA clusters"))
    test_note = _esc(lisa_test_note(local.attrs, lang))
    legend = [f"<b>{title_text}</b><br><span style='color:#555'>{test_note}</span>"]
    shown = [k for k in LISA_ORDER if k != "isolate" or "isolate" in set(local["cluster"])]
    legend += [_swatch(colors[k], _esc(lisa_label(k, lang))) for k in shown]
    kind = local.attrs.get("kind", "queen")
    weights_note = _tr(lang, f"{kind} 权重；区划版本 {vintage}", f"{kind} weights; vintage {vintage}")
    legend.append(f"<div style='color:#555'>{_esc(weights_note)}</div>")
    _add_legend(m, "".join(legend))
    m._chuanyu_offline = offline
    return m


def _border_only(
    m: folium.Map, web: gpd.GeoDataFrame, datum: str, lang: str, detail: str = "", weight: float = 3
) -> None:
    """The Sichuan–Chongqing border as a layer; ``detail`` follows the name in its tooltip."""
    style = config()["style"]
    tip = _tr(lang, "川渝省界", "Sichuan–Chongqing border") + detail
    rows = [{"tip": _esc(tip), "geometry": border_line(web)}]
    _lines_layer(rows, datum, _esc(_tr(lang, "省界", "Border")), style["border_color"], weight).add_to(m)
