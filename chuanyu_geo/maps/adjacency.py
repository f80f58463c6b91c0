"""The adjacency map: every shared border between units, the cross-border ones highlighted."""

from __future__ import annotations

import folium

from .._style import config
from ..adjacency import RESOLUTION_NOTE, adjacency_graph, graph_to_frame, shared_lines
from ..boundaries import DEFAULT_VINTAGE
from .base import (
    _add_legend,
    _base_map,
    _check_map_args,
    _esc,
    _layer_control,
    _provenance,
    _swatch,
    _tr,
    warns_at_caller,
)
from .layers import _add_units, _lines_layer, _names_in, _province_labels, _web_layer

# --------------------------------------------------------------------------- adjacency map


@warns_at_caller
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
    m, datum = _base_map(tiles, web.total_bounds, _provenance(web, vintage, lang), title, offline)
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
    return m
