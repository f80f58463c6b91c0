"""The vector layers the maps share: web-simplified units with tooltips and search keys,
line layers, the province border and the province names.

Web layers are coverage-simplified (neighbours keep sharing their borders exactly) and
rounded, so a county map stays small; every figure shown (shared km, areas) comes from the
unsimplified layers. With Gaode tiles, which are drawn in GCJ-02, every vector layer is
shifted to GCJ-02 so borders sit on the roads and rivers they follow.
"""

from __future__ import annotations

import functools
import json
import re

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.ops import polylabel

from .._style import config
from ..boundaries import (
    border_line,
    load_boundaries,
)
from ..coords import to_gcj02
from .base import FILL_OPACITY, _esc, _map_tools, _tr

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


def _border_only(
    m: folium.Map, web: gpd.GeoDataFrame, datum: str, lang: str, detail: str = "", weight: float = 3
) -> None:
    """The Sichuan–Chongqing border as a layer; ``detail`` follows the name in its tooltip."""
    style = config()["style"]
    tip = _tr(lang, "川渝省界", "Sichuan–Chongqing border") + detail
    rows = [{"tip": _esc(tip), "geometry": border_line(web)}]
    _lines_layer(rows, datum, _esc(_tr(lang, "省界", "Border")), style["border_color"], weight).add_to(m)
