"""The platform map: units coloured by cluster, one layer per platform, and the border's edges."""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import shapely

from .._safe import check_color
from .._style import config, unit_color
from ..adjacency import cross_border_pairs, shared_lines
from ..boundaries import Layer, check_choice, dissolve
from ..coords import to_gcj02
from ..palette import overlap_emphasis
from ..platforms import Platform, plan_of, platform_set_of, platforms_by_unit
from .base import (
    LANGS,
    MAP_LEVELS,
    _add_legend,
    _base_map,
    _esc,
    _layer_control,
    _provenance,
    _refuse_tiles_offline,
    _swatch,
    _tr,
    warns_at_caller,
)
from .layers import (
    _add_context,
    _add_units,
    _border_only,
    _geojson,
    _Labels,
    _lines_layer,
    _names_in,
    _province_labels,
    _web_layer,
    border_row,
    province_note,
)
from .strokes import (
    BANDS_PANE,
    CASING_EXTRA_PX,
    OUTLINE_PX,
    Copy,
    Stroke,
    add_outline_panes,
    band_of,
    line_icon,
    line_row,
    outline_strokes,
)

# The cross-border edges: a faint band along the border, wide enough to point at.
EDGE_BAND_PX = 10.0
EDGE_BAND_OPACITY = 0.3

# --------------------------------------------------------------------------- platform map


_PRECISION_ZH = {"exact": "精确", "approximate": "近似"}
_STATUS_ZH = {"found": "已查到原文", "reported": "据报道", "not found": "未查到"}


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
            f"范围：<b>{_esc(_PRECISION_ZH.get(precision, precision))}</b>"
            + (f" — {_esc(platform.footprint_note_zh)}" if note and platform.footprint_note_zh else ""),
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
        if zh:
            status = _STATUS_ZH.get(plan.status, plan.status)
            parts.append(f"总体方案：{_esc(plan.document or '')} {_esc(plan.date or '')}（{_esc(status)}）")
        if en:  # the document number is Chinese (川府发〔2023〕9号): the Chinese map gives it
            parts.append(f"overall plan: issued {_esc(plan.date or 'date unknown')} ({_esc(plan.status)})")
    return "<div style='max-width:360px'>" + "<br>".join(parts) + "</div>"


@warns_at_caller
def platform_map(
    level: str = "county",
    vintage: str | None = None,
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
    vintage : str, optional
        An id of the vintage registry (``cg.VINTAGES``); None: the registry's default.
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
    checked = Layer.resolve(level, vintage, levels=MAP_LEVELS)
    level, vintage, lang = checked.level, checked.vintage, check_choice("lang", lang, LANGS)
    _refuse_tiles_offline(tiles, offline)
    chosen = platform_set_of(platform_set, plan)
    web = _web_layer(level, vintage)
    member_of = platforms_by_unit(chosen, level, vintage)
    # Open on the platforms (the border region); the whole of both provinces is one zoom out.
    focus = web[web["adcode"].isin(list(member_of))] if member_of else web
    m, datum = _base_map(tiles, focus.total_bounds, _provenance(web, vintage, lang), title, offline)
    _province_labels(m, focus.total_bounds, vintage, datum, lang)
    _add_context(m, focus.total_bounds, datum, lang)  # the neighbouring provinces, under the units
    style = config()["style"]

    def color_of(code: str) -> str:
        return unit_color(member_of.get(code, []))

    def short(p: Platform) -> str:
        return _esc(_tr(lang, p.short_name, p.short_name_en))

    separator = _tr(lang, "、", ", ")
    extra = {code: "<br>" + separator.join(short(p) for p in ps) for code, ps in member_of.items()}
    _add_units(m, web, datum, _esc(_tr(lang, "单元", "Units")), color_of, extra, lang, vintage=vintage)

    for platform in chosen:  # Platform objects may also be built in code, past load_platforms' checks
        check_color(platform.cluster_color, f"platform {platform.id!r}, cluster {platform.cluster!r}")
    footprints = {p.id: p.footprint(level, vintage, "standard").iloc[0] for p in chosen}
    # Outlines and name labels use the same shapes, on the web layer.
    shapes = {p.id: dissolve(web, footprints[p.id]["unit_adcodes"].split(","))[0] for p in chosen}
    # Each platform in its own palette colour (distinct within its cluster, also to colour-blind
    # eyes), dashed where its footprint is approximate, over a white casing.
    approximate = {pid for pid, f in footprints.items() if f["precision"] == "approximate"}
    strokes = outline_strokes(chosen, approximate)
    # Where platforms overlap, the larger also gets a wide translucent band under every outline,
    # and smaller platforms' outlines lie above larger ones' (one pane each), as in plot_platforms.
    banded, _contains = overlap_emphasis(shapes)
    by_size = sorted(chosen, key=lambda p: -shapes[p.id].area)
    panes = dict(zip((p.id for p in by_size), add_outline_panes(m, len(chosen))))
    for number, platform in enumerate(chosen):
        footprint = footprints[platform.id]
        precision = footprint["precision"]
        name = _tr(lang, platform.short_name, platform.short_name_en)
        state = _tr(lang, _PRECISION_ZH[precision], precision)
        icon = _icon(platform.id, strokes, banded)
        label = f"{icon}{_esc(name)} <span style='color:#666'>({_esc(state)})</span>"
        frame = gpd.GeoDataFrame(
            {
                "tip": [_outline_tip(platform, footprint, web, name, lang)],
                "popup": [_platform_popup(platform, precision, footprint["note"], lang)],
            },
            geometry=[shapes[platform.id]],
            crs=4326,
        )
        line = strokes[platform.id]
        group = folium.FeatureGroup(name=label, show=True)
        drawn = {
            **line.path_options(),
            # Outlines only: a fill would catch the mouse and hide the units' tooltips.
            "fill": False,
            # Index-based class: tests and user CSS can find a platform's outline.
            "className": f"chuanyu-platform chuanyu-platform-{number}",
        }
        casing_pane, outline_pane = panes[platform.id]
        source = folium.GeoJson(
            _geojson(frame, datum),
            style_function=lambda f, s=drawn: s,
            tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True),
            popup=folium.GeoJsonPopup(fields=["popup"], labels=False),
            pane=outline_pane,
        )
        source.add_to(group)
        casing = {**line.casing_options(), "className": f"chuanyu-casing-{number}"}
        Copy(source, casing, casing_pane).add_to(group)
        if platform.id in banded:
            band = {**band_of(line).path_options(), "className": f"chuanyu-band chuanyu-band-{number}"}
            Copy(source, band, BANDS_PANE).add_to(group)
        group.add_to(m)

    _platform_labels(m, chosen, shapes, strokes, datum, lang)
    border, edges = _border_and_edges(m, web, level, vintage, datum, lang)
    provenance = _tr(
        lang,
        f"方案 {plan_of(chosen)}；区划版本 {vintage}；{web.attrs['source']}",
        f"plan {plan_of(chosen)}; vintage {vintage}; {web.attrs['source']}",
    )
    legend = [f"<b>{_esc(_tr(lang, '功能平台', 'Platforms'))}</b>"]
    for members in _by_cluster(chosen).values():
        first = members[0]
        legend.append(
            _swatch(first.cluster_color, _esc(_tr(lang, first.cluster_name, first.cluster_name_en)))
        )
        keys = "".join(
            "<span style='display:inline-block;white-space:nowrap;margin-right:8px'>"
            f"{_icon(p.id, strokes, banded)}{_esc(_tr(lang, p.short_name, p.short_name_en))}</span>"
            for p in members
        )
        legend.append(f"<div style='margin:0 0 2px 20px'>{keys}</div>")
    legend += [
        _swatch(style["several_clusters_color"], _esc(_tr(lang, "多个片区", "several clusters"))),
        _swatch(style["no_platform_color"], _esc(_tr(lang, "无平台", "no platform"))),
        line_row(
            _esc(
                _tr(
                    lang,
                    "虚线：近似范围（单元部分属于平台）",
                    "dashed: approximate footprint (part of units)",
                )
            ),
            Stroke("#444444", OUTLINE_PX, "dashed", casing=OUTLINE_PX + CASING_EXTRA_PX),
        ),
    ]
    if banded:
        legend.append(
            line_row(
                _esc(
                    _tr(
                        lang,
                        "宽色带：与其他平台重叠的较大平台",
                        "wide band: the larger of overlapping platforms",
                    )
                ),
                band_of(Stroke("#444444", OUTLINE_PX)),
            )
        )
    legend.append(border_row(lang, border))
    if edges is not None:
        legend.append(
            line_row(
                _esc(_tr(lang, "跨省界相邻边（指向查看长度）", "cross-border edges (point to see their km)")),
                edges,
            )
        )
    legend += [province_note(lang), f"<div style='color:#555'>{_esc(provenance)}</div>"]
    _add_legend(m, "".join(legend))
    _layer_control(m)
    return m


def _by_cluster(chosen: list[Platform]) -> dict[str, list[Platform]]:
    """Platforms by cluster, clusters and platforms in plan order."""
    groups: dict[str, list[Platform]] = {}
    for p in chosen:
        groups.setdefault(p.cluster, []).append(p)
    return groups


def _icon(pid: str, strokes: dict[str, Stroke], banded: set[str]) -> str:
    """A platform's key: its outline as drawn, over its band if it has one."""
    line = strokes[pid]
    return line_icon(band_of(line), line) if pid in banded else line_icon(line)


def _outline_tip(platform: Platform, footprint, web: gpd.GeoDataFrame, name: str, lang: str) -> str:
    """The tooltip of a platform's outline: its name, units and area (inert HTML)."""
    approximate = footprint["precision"] == "approximate"
    area = round(float(footprint["area_km2"]), 1)
    area_text = platform.area_note(footprint["precision"], area) or f"exact: {area:,.1f} km²"
    if lang == "zh":
        area_text = (
            f"近似：完整单元 {area:,.1f} km²；方案面积 {platform.plan_area_km2:,.0f} km²"
            if approximate and platform.plan_area_km2
            else f"{'近似' if approximate else '精确'}：{area:,.1f} km²"
        )
    units_text = (
        footprint["units"]
        if lang != "en"
        else ", ".join(web.set_index("adcode").loc[footprint["unit_adcodes"].split(","), "name_en"])
    )
    return f"<b>{_esc(name)}</b><br>{_esc(units_text)}<br>{_esc(area_text)}"


def _platform_labels(
    m: folium.Map, chosen: list[Platform], shapes: dict, strokes: dict[str, Stroke], datum: str, lang: str
) -> None:
    """Platform names on the map, at a point inside each footprint, framed in the outline's
    colour; a layer that can be hidden."""
    group = folium.FeatureGroup(name=_esc(_tr(lang, "平台名称", "Platform names")), show=True)
    labels = []
    for platform in chosen:
        spot = shapely.point_on_surface(shapes[platform.id])
        if datum == "gcj02":
            spot = to_gcj02(np.asarray([spot]))[0]
        text = _esc(_tr(lang, platform.short_name, platform.short_name_en))
        labels.append([round(spot.y, 4), round(spot.x, 4), text, "chuanyu-label", strokes[platform.id].color])
    _Labels(labels).add_to(group)
    group.add_to(m)


def _border_and_edges(
    m: folium.Map, web: gpd.GeoDataFrame, level: str, vintage: str, datum: str, lang: str
) -> tuple[Stroke, Stroke | None]:
    """The border (``palette.border()``) and, under it, the cross-border edges as a faint band in
    the border's colour whose tooltips give each pair's shared km. Returns both strokes."""
    source = web.attrs["source"]
    pairs = cross_border_pairs(level, vintage, "standard")
    total = pairs["shared_km"].sum()
    names = _names_in(web, lang)
    border = _border_only(m, web, datum, lang, detail=f": {total:.2f} km ({source})")
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
    # Not red: the border is near-black, and a red band would be read as a data colour.
    band = Stroke(border.color, EDGE_BAND_PX, opacity=EDGE_BAND_OPACITY)
    edges = _lines_layer(
        edge_rows,
        datum,
        _esc(_tr(lang, "跨省界相邻边", "Cross-border edges")),
        band.color,
        band.weight,
        show=True,
        opacity=band.opacity,
        pane=BANDS_PANE,
        extra={"className": "chuanyu-edge", "fillOpacity": band.opacity},
    )
    if edges is None:
        return border, None
    edges.add_to(m)
    return border, band
