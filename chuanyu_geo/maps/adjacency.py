"""The adjacency map: every shared border between units, the cross-border ones highlighted."""

from __future__ import annotations

import folium

from .._style import config
from ..adjacency import RESOLUTION_NOTE, adjacency_graph, graph_to_frame, shared_lines
from ..boundaries import Layer, check_choice
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
    _lines_layer,
    _names_in,
    _province_labels,
    _web_layer,
    province_note,
)

# --------------------------------------------------------------------------- adjacency map


_WIDEST_PX = 12.0  # the longest cross-border contact
_THINNEST_PX = 1.5  # so a short contact stays visible (stated in the legend)


def _legend_km(longest: float) -> list[float]:
    """Two or three round lengths up to the longest contact, for the width key."""
    if longest <= 0:
        return []
    top = float(f"{longest:.1g}")
    return [k for k in (top / 10, top / 2, top) if k > 0]


@warns_at_caller
def adjacency_map(
    level: str = "county",
    vintage: str | None = None,
    tiles: str | None = "osm",
    lang: str = "zh",
    offline: bool = False,
    title: str | None = None,
) -> folium.Map:
    """Every shared border, cross-border ones highlighted, with shared km in the tooltips.

    Parameters
    ----------
    level : {"county", "partner"}
    vintage : str, optional
        An id of the vintage registry (``cg.VINTAGES``); None: the registry's default.
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
    checked = Layer.resolve(level, vintage, levels=MAP_LEVELS)
    level, vintage, lang = checked.level, checked.vintage, check_choice("lang", lang, LANGS)
    _refuse_tiles_offline(tiles, offline)
    web = _web_layer(level, vintage)
    m, datum = _base_map(tiles, web.total_bounds, _provenance(web, vintage, lang), title, offline)
    _province_labels(m, web.total_bounds, vintage, datum, lang)
    _add_context(m, web.total_bounds, datum, lang)  # the neighbouring provinces, under the units
    style = config()["style"]
    graph = adjacency_graph(level=level, vintage=vintage, detail="standard")
    degree = {n: f"<br>{graph.degree(n)} {_tr(lang, '个邻接单元', 'neighbours')}" for n in graph.nodes}
    # A quiet base (light unit outlines, faint shared borders) under the subject: the
    # cross-border contacts, each as wide as it is long.
    _add_units(
        m,
        web,
        datum,
        _esc(_tr(lang, "单元", "Units")),
        lambda code: "#f7f7f7",
        degree,
        lang,
        quiet=True,
        vintage=vintage,
    )
    internal: list[dict] = []
    cross: list[dict] = []
    pairs = graph_to_frame(graph)
    names = _names_in(web, lang)
    point = _tr(lang, "点接触", "point contact")
    longest = (
        float(pairs.loc[pairs["cross_border"], "shared_km"].max()) if pairs["cross_border"].any() else 0.0
    )
    px_per_km = _WIDEST_PX / longest if longest > 0 else 0.0
    for row, shared in zip(pairs.itertuples(), shared_lines(pairs, web)):
        # Sichuan side first, as in the report's tables.
        a, b = (
            (row.adcode_b, row.adcode_a)
            if row.cross_border and row.adcode_a < row.adcode_b
            else (row.adcode_a, row.adcode_b)
        )
        # Every line is a shared border: only a point contact says what it is (keeps the file small).
        kind = f" ({_esc(point)})" if row.contact == "point" else ""
        tip = f"{_esc(names[a])} ↔ {_esc(names[b])}: {row.shared_km:.2f} km{kind}"
        if row.cross_border:
            width = max(_THINNEST_PX, round(row.shared_km * px_per_km, 2))
            # A short first key: folium keys each line's own style by it (not by the tooltip).
            cross.append({"n": len(cross), "tip": tip, "weight": width, "geometry": shared})
        else:
            internal.append({"tip": tip, "geometry": shared})
    quiet = _lines_layer(
        internal,
        datum,
        _esc(_tr(lang, "省内相邻边", "Shared borders")),
        style["internal_edge_color"],
        1,
        opacity=0.45,
        radius=3,
    )
    if quiet is not None:
        quiet.add_to(m)
    layer = _lines_layer(
        cross, datum, _esc(_tr(lang, "跨省界相邻边", "Cross-border")), style["cross_border_edge_color"], 3
    )
    if layer is not None:
        layer.add_to(m)
    heading = _tr(lang, "跨省界相邻：线宽与共享边界长度成正比", "Cross-border contacts: width ∝ shared km")
    legend = [f"<b>{_esc(heading)}</b>"]
    legend += [
        _swatch(
            style["cross_border_edge_color"],
            _esc(f"{km:g} km"),
            line=True,
            width=max(_THINNEST_PX, km * px_per_km),
        )
        for km in _legend_km(longest)
    ]
    legend += [
        _swatch(
            style["cross_border_edge_color"],
            _esc(
                _tr(
                    lang,
                    f"点接触（圆点）；线宽至少 {_THINNEST_PX:g} 像素",
                    f"point contact (dot); lines at least {_THINNEST_PX:g} px",
                )
            ),
            line=True,
            width=_THINNEST_PX,
        ),
        _swatch(
            style["internal_edge_color"],
            _esc(_tr(lang, "省内相邻", "shared border within a province")),
            line=True,
            width=1,
        ),
        province_note(lang),
        f"<div style='color:#555'>{_esc(_tr(lang, '共享边界长度取决于边界精度', RESOLUTION_NOTE))}</div>",
    ]
    _add_legend(m, "".join(legend))
    _layer_control(m)
    return m
