"""The vector layers the maps share: web-simplified units with tooltips and search keys,
line layers, the province border, the provinces' tint and names, place names, and the
neighbouring provinces as context.

Web layers are coverage-simplified (neighbours keep sharing their borders exactly) and
rounded, so a county map stays small; every figure shown (shared km, areas) comes from the
unsimplified layers. With Gaode tiles, which are drawn in GCJ-02, every vector layer is
shifted to GCJ-02 so borders sit on the roads and rivers they follow.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from jinja2 import Template
from shapely.ops import polylabel

from .._safe import check_color
from .._style import config
from ..boundaries import border_line, context_layer, load_boundaries, unit_table
from ..coords import to_gcj02
from .base import FILL_OPACITY, _esc, _Html, _map_tools, _root, _tr
from .strokes import BORDER_CASING_PANE, BORDER_PANE, Copy, Stroke, border_stroke, line_row

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


def _add_units(
    m: folium.Map,
    layer: gpd.GeoDataFrame,
    datum: str,
    name: str,
    color_of,
    tooltip_extra: dict[str, str],
    lang: str,
    quiet: bool = False,
    vintage: str | None = None,
) -> None:
    """The units layer, and the map tools that search and download it.

    ``quiet`` draws the unit outlines light, for maps whose subject is drawn on top of them.
    """
    frame = layer[["adcode", "name", "name_en", "geometry"]].copy()
    # Every name a user may type, whatever the map's language: 邻水县, 邻水, Linshui County,
    # Linshui (pinyin), 511623. Matched as text by the search box; never shown.
    rows = pd.DataFrame(layer.drop(columns=layer.geometry.name)).to_dict("records")  # not iterrows: slow
    frame["keys"] = [_esc("|".join(_search_keys(row))) for row in rows]
    frame["label"] = [_label(row, lang) for row in rows]
    frame["color"] = [_province_tint(code, color_of(code)) for code in frame["adcode"]]
    frame["extra"] = [tooltip_extra.get(code, "") for code in frame["adcode"]]
    # What the search box offers and the download names each unit by.
    # In one language that is the tooltip's name (``label``), not repeated (map_tools.js).
    if lang == "zh+en":
        frame["find"] = [_esc(_tr(lang, r.name, r.name_en)) for r in frame.itertuples()]
    units = folium.GeoJson(
        _geojson(frame.drop(columns=["name", "name_en"]), datum),
        name=name,
        style_function=lambda f: {
            "fillColor": f["properties"]["color"],
            "color": "#aaa" if quiet else "#555",
            "weight": 0.4 if quiet else 0.6,
            "fillOpacity": FILL_OPACITY,
            "className": "chuanyu-unit",
        },
        highlight_function=lambda f: {"weight": 2.5, "color": "#000"},
        tooltip=folium.GeoJsonTooltip(fields=["label", "extra"], labels=False, sticky=True),
    )
    units.add_to(m)
    _map_tools(m, units, lang, datum)
    if vintage is not None:
        _place_names(m, vintage, datum, lang)


def _lines_layer(
    rows: list[dict],
    datum: str,
    name: str,
    color: str,
    weight: float,
    dash: str | None = None,
    show: bool = True,
    opacity: float = 0.9,
    radius: float = 5,
    pane: str | None = None,
    extra: dict | None = None,
) -> folium.GeoJson | None:
    """Lines (and point contacts as circles) with a tooltip ``tip``; a row's own ``weight``
    overrides ``weight`` for that line. ``pane`` names a Leaflet pane (see ``strokes``);
    ``extra`` adds Leaflet path options (``lineCap``, ``className``)."""
    if not rows:
        return None
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)
    style = {"color": color, "weight": weight, "opacity": opacity, **(extra or {})}
    if dash:
        style["dashArray"] = dash
    options: dict[str, Any] = {"pane": pane} if pane else {}  # Leaflet's default pane otherwise
    return folium.GeoJson(
        _geojson(frame, datum),
        name=name,
        show=show,
        **options,
        # Point contacts as circles: Leaflet's default marker needs image files beside the page.
        marker=folium.CircleMarker(radius=radius, color=color, fill=True, fill_color=color, fill_opacity=0.9),
        style_function=lambda f, style=style: {
            **style,
            "weight": f["properties"].get("weight", style["weight"]),
        },
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True),
    )


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
    labels = []
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
        labels.append([round(spot.y, 4), round(spot.x, 4), text, "chuanyu-province", None])
    _Labels(labels).add_to(group)
    group.add_to(m)


def _names_in(web: gpd.GeoDataFrame, lang: str) -> dict[str, str]:
    """Adcode -> unit name in the map's language."""
    column = "name_en" if lang == "en" else "name"
    return dict(zip(web["adcode"], web[column]))


def _border_only(m: folium.Map, web: gpd.GeoDataFrame, datum: str, lang: str, detail: str = "") -> Stroke:
    """The Sichuan–Chongqing border as one layer, drawn as ``palette.border()`` says (near-black,
    dash-dot) over a white casing, above every other line; ``detail`` follows the name in its
    tooltip. Returns the stroke drawn, for the legend."""
    line = border_stroke()
    tip = _tr(lang, "川渝省界", "Sichuan–Chongqing border") + detail
    frame = gpd.GeoDataFrame({"tip": [_esc(tip)]}, geometry=[border_line(web)], crs=4326)
    group = folium.FeatureGroup(name=_esc(_tr(lang, "省界", "Border")), show=True)
    drawn = {**line.path_options(), "className": "chuanyu-border"}
    source = folium.GeoJson(
        _geojson(frame, datum),
        style_function=lambda f: drawn,
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True),
        pane=BORDER_PANE,
    )
    source.add_to(group)
    casing = {**line.casing_options(), "className": "chuanyu-border-casing"}
    Copy(source, casing, BORDER_CASING_PANE).add_to(group)
    group.add_to(m)
    return line


def border_row(lang: str, line: Stroke) -> str:
    """The legend's row of the border, drawn as on the map."""
    return line_row(_esc(_tr(lang, "川渝省界", "Sichuan–Chongqing border")), line)


_HEX = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


def _shade(color: str, tint: str, share: float) -> str:
    """``color`` mixed with ``tint`` (``share`` of it); colours not in hex stay as they are."""
    rgb = []
    for value in (color, tint):
        match = _HEX.fullmatch(value.strip())
        if match is None:
            return color
        digits = match.group(1) if len(match.group(1)) == 6 else "".join(c * 2 for c in match.group(1))
        rgb.append([int(digits[k : k + 2], 16) for k in (0, 2, 4)])
    mixed = (round(a * (1 - share) + b * share) for a, b in zip(*rgb))
    return "#" + "".join(f"{v:02x}" for v in mixed)


def _province_tint(code: str, color: str) -> str:
    """A unit's fill, a shade darker on the Chongqing side, so the provinces read apart on
    every map while each class keeps its hue (the legend says so)."""
    if not str(code).startswith("50"):
        return color
    style = config()["style"]
    return _shade(
        color, check_color(style["chongqing_tint"], "chongqing_tint"), style["chongqing_tint_share"]
    )


def province_note(lang: str) -> str:
    """The legend's line on the tint (inert HTML)."""
    text = _tr(lang, "底色：重庆市一侧略深", "base tint: the Chongqing side is a shade darker")
    return f"<div style='color:#555'>{_esc(text)}</div>"


class _Labels(MacroElement):
    """Fixed labels added to a layer group in one script (``chuanyuLabels``, map_tools.js).

    One element for all of them instead of a folium Marker and DivIcon each: branca compiles
    every element's output as a template once more, which made labels a tenth of the render
    time. ``labels`` holds [lat, lon, inert text, CSS class, border colour or None]; the text
    is set as text, the colour checked here.
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
        chuanyuLabels({{ this._parent.get_name() }}, {{ this.labels|tojson }});
        {% endmacro %}"""
    )

    def __init__(self, labels: list[list]):
        super().__init__()
        for label in labels:
            if label[4] is not None:
                check_color(label[4], "label border colour")
        self.labels = labels


class _PlaceNames(MacroElement):
    """Prefecture and county names, shown by zoom and decluttered in the browser.

    ``places`` holds inert text (checked by the map's tripwire like any data); the drawing is
    ``chuanyuPlaceNames`` in ``map_tools.js``, which sets each name as text.
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
        document.addEventListener("DOMContentLoaded", function () {
          chuanyuPlaceNames(
            {{ this._parent.get_name() }}, {{ this.places|tojson }}, {{ this.county_zoom|tojson }}
          );
        });
        {% endmacro %}"""
    )

    def __init__(self, places: list[list], county_zoom: int):
        super().__init__()
        self.places = places
        self.county_zoom = int(county_zoom)


@functools.cache
def _places(vintage: str, lang: str) -> tuple[tuple, ...]:
    """(lat, lon, name, kind) of every prefecture (kind 0) and county (1), largest first."""
    counties = unit_table("county", vintage)
    web = _web_layer("county", vintage)
    area = dict(zip(web["adcode"], shapely.area(web.geometry.values)))  # degrees², for ranking only
    prefectures = unit_table("prefecture", vintage)
    # Chongqing has no prefectures: its name is the province label's.
    prefectures = prefectures[~prefectures["adcode"].str.startswith("50")]
    by_prefecture = pd.Series(area).groupby(counties.set_index("adcode")["prefecture_adcode"]).sum()

    def name(row) -> str:
        return _esc(_tr(lang, row.name, row.pinyin))

    rows = [
        (by_prefecture.get(r.adcode, 0.0), (r.label_lat, r.label_lon, name(r), 0))
        for r in prefectures.itertuples()
    ]
    rows.sort(key=lambda item: -item[0])
    county_rows = [
        (area.get(r.adcode, 0.0), (r.label_lat, r.label_lon, name(r), 1)) for r in counties.itertuples()
    ]
    county_rows.sort(key=lambda item: -item[0])
    return tuple(place for _area, place in rows + county_rows)


def _place_names(m: folium.Map, vintage: str, datum: str, lang: str) -> None:
    """Prefecture names at low zoom, county names from ``county_names_zoom`` (maps.toml)."""
    places = _places(vintage, lang)
    points = np.array([[p[1], p[0]] for p in places])
    if datum == "gcj02":
        points = shapely.get_coordinates(to_gcj02(shapely.points(points)))
    decimals = config()["style"]["coordinate_decimals"]
    data = [
        [round(float(lat), decimals), round(float(lon), decimals), text, kind]
        for (lon, lat), (_y, _x, text, kind) in zip(points, places)
    ]
    _PlaceNames(data, config()["style"]["county_names_zoom"]).add_to(m)


# --------------------------------------------------------------------------- context

# The neighbouring provinces: their shared borders near the study area, simplified more than
# the units (only a backdrop), and their names up to a middle zoom, from which the units' place
# names say where one is.
CONTEXT_WEB_TOLERANCE_DEG = 0.03  # Douglas–Peucker, ~3 km: a backdrop seen at low zoom
CONTEXT_NEAR_DEG = 1.0
CONTEXT_NAMES_MAX_ZOOM = 8
_CONTEXT_CSS = (
    ".chuanyu-province.chuanyu-context{font:italic 15px sans-serif;letter-spacing:.08em;"
    "color:rgba(90,90,90,.7)}"
    ".chuanyu-context-far .chuanyu-context{display:none}"
)


@functools.cache
def _web_context() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The context layer, and the borders between its provinces as web lines: only where two
    of them meet (not the study area's outline, which the units draw, nor the edge of the box
    the layer is clipped to, which would read as a border), within ``CONTEXT_NEAR_DEG`` of the
    study area, simplified and rounded to a few kilobytes (a default map must stay under 1 MB).
    """
    layer = context_layer()
    polygons = layer.geometry.values
    outer = shapely.boundary(shapely.coverage_union_all(polygons))
    shared = shapely.difference(shapely.union_all(shapely.boundary(polygons)), outer.buffer(1e-6))
    study = shapely.union_all(load_boundaries("province", None, "standard").geometry.values)
    # Buffering the full outline (2,600 vertices) by a degree takes ~0.1 s of a cold map;
    # simplified as much as the lines themselves, it takes ~10 ms and moves the cut by < 3 km.
    study = shapely.simplify(study, CONTEXT_WEB_TOLERANCE_DEG)
    near = shapely.intersection(shared, shapely.buffer(study, CONTEXT_NEAR_DEG))
    lines = shapely.set_precision(shapely.simplify(shapely.line_merge(near), CONTEXT_WEB_TOLERANCE_DEG), 1e-3)
    return layer, gpd.GeoDataFrame(geometry=[lines], crs=layer.crs)


class _Context(MacroElement):
    """The context lines in a pane of their own under the overlay pane (400, the units'), taking
    no pointer, and the zoom rule of the context names: beyond ``max_zoom`` the map container
    is marked ``chuanyu-context-far`` and the CSS hides them. One short script instead of a
    folium GeoJson and CustomPane: the adjacency map has only a few kilobytes to spare.

    ``lines`` is GeoJSON made here from coordinates alone (no text).
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (map, lines, maxZoom) {
          var pane = map.createPane("chuanyu-context");
          pane.style.zIndex = 350;
          pane.style.pointerEvents = "none";
          L.geoJson(lines, {pane: "chuanyu-context", interactive: false, style: {{ this.style|tojson }}})
            .addTo(map);
          function update() {
            map.getContainer().classList.toggle("chuanyu-context-far", map.getZoom() > maxZoom);
          }
          map.on("zoomend", update);
          update();
        })({{ this._parent.get_name() }}, {{ this.lines }}, {{ this.max_zoom|tojson }});
        {% endmacro %}"""
    )

    def __init__(self, lines: str, max_zoom: int):
        super().__init__()
        self.lines = lines
        self.style = {"color": "#8a8a8a", "weight": 1.2, "opacity": 0.6, "dashArray": "6 3"}
        self.max_zoom = int(max_zoom)


def _add_context(m: folium.Map, bounds, datum: str, lang: str) -> None:
    """The provinces around the study area (display only): their shared borders as light lines
    under the units that take no clicks or hovers, and their names as inert text up to a
    middle zoom.

    ``bounds`` is the part of the map first shown: a name goes on its province's part there
    (grown by a quarter each way, what a wide window shows beyond it) when that part is big
    enough to read, else on the province's own label point.
    """
    web, lines = _web_context()
    _root(m).header.add_child(
        _Html(f"<style>{_CONTEXT_CSS}</style>", trusted=True), name="chuanyu_context_css"
    )
    _Context(_geojson(lines, datum), CONTEXT_NAMES_MAX_ZOOM).add_to(m)
    minx, miny, maxx, maxy = bounds
    dx, dy = (maxx - minx) / 4, (maxy - miny) / 4
    view = shapely.box(minx - dx, miny - dy, maxx + dx, maxy + dy)
    labels = []
    for row in web.itertuples():
        shown = shapely.intersection(row.geometry, view)
        parts = [g for g in shapely.get_parts(shown) if g.geom_type == "Polygon"]
        largest = max(parts, key=lambda g: g.area, default=None)
        if largest is not None and largest.area > 0.02 * view.area:
            spot = polylabel(largest, tolerance=0.01)
        elif row.neighbour:  # the corners of farther provinces are named only where they show
            spot = shapely.Point(row.label_lon, row.label_lat)
        else:
            continue
        if datum == "gcj02":
            spot = to_gcj02(np.asarray([spot]))[0]
        text = _esc(_tr(lang, row.short_name, row.pinyin))
        labels.append([round(spot.y, 4), round(spot.x, 4), text, "chuanyu-province chuanyu-context", None])
    _Labels(labels).add_to(m)  # on the map itself: no layer group, nothing in the layer control
