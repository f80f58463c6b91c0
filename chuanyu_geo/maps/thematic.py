"""Maps of a user's values on the units: the choropleth and the LISA cluster map."""

from __future__ import annotations

import folium
import pandas as pd

from .._errors import listing
from .._style import (
    LISA_ORDER,
    SCHEMES_ZH,
    WEIGHT_KINDS_ZH,
    config,
    format_number,
    lisa_label,
    lisa_test_note,
)
from ..boundaries import Layer, check_choice
from ..classify import classify_values
from ..stable_units import dissolve_stable
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
    _province_labels,
    _web_layer,
    border_row,
    province_note,
)

# --------------------------------------------------------------------------- choropleth


@warns_at_caller
def choropleth(
    table: pd.DataFrame,
    value_col: str,
    key_col: str,
    level: str = "county",
    vintage: str | None = None,
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
    vintage : str, optional
        An id of the vintage registry (``cg.VINTAGES``); None: the registry's default.
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
    checked = Layer.resolve(level, vintage, levels=MAP_LEVELS)
    level, vintage, lang = checked.level, checked.vintage, check_choice("lang", lang, LANGS)
    _refuse_tiles_offline(tiles, offline)
    classes = classify_values(table, value_col, key_col, level, vintage, scheme, k, allow_partial, year)
    matched, report, unmatched = classes.matched, classes.report, classes.unmatched
    colors, class_of = classes.colors, classes.class_of
    value_of = dict(zip(matched["adcode"], matched[value_col]))

    web = dissolve_stable(_web_layer(level, vintage), list(class_of), level, vintage)
    # Open on the units that have data; the rest of both provinces is one zoom out.
    focus = web[web["adcode"].isin(list(class_of))]
    m, datum = _base_map(tiles, focus.total_bounds, _provenance(web, vintage, lang), title, offline)
    _province_labels(m, focus.total_bounds, vintage, datum, lang)
    _add_context(m, focus.total_bounds, datum, lang)  # the neighbouring provinces, under the units
    style = config()["style"]
    extra = {code: f"<br>{_esc(value_col)}: {_esc(format_number(value))}" for code, value in value_of.items()}
    _add_units(
        m,
        web,
        datum,
        _esc(value_col),
        lambda code: colors[class_of[code]] if code in class_of else style["no_platform_color"],
        extra,
        lang,
        vintage=vintage,
    )
    border = _border_only(m, web, datum, lang)
    scheme_name = _tr(lang, SCHEMES_ZH.get(str(scheme).lower(), str(scheme)), str(scheme))
    legend = [f"<b>{_esc(value_col)}</b> ({_esc(scheme_name)})"]
    legend += [_swatch(colors[i], _esc(label)) for i, label in enumerate(classes.labels())]
    legend.append(_swatch(style["no_platform_color"], _esc(_tr(lang, "无数据", "no data"))))
    legend.append(border_row(lang, border))
    legend.append(province_note(lang))
    if len(unmatched):
        not_mapped = _tr(lang, f"{len(unmatched)} 行未能对应单元：", f"{len(unmatched)} rows not mapped: ")
        # The first few keys, each cut short; the full list is on map.unmatched.
        keys = listing((_cut(k) for k in unmatched["key"]), total=len(unmatched), sep=", ")
        legend.append(f"<div style='color:#a50f15'>{_esc(not_mapped + keys)}</div>")
    _layer_control(m)
    _add_legend(m, "".join(legend))
    m.join_report = report
    m.unmatched = unmatched
    return m


def _cut(value, limit: int = 200) -> str:
    """A user's key as text for a legend, at most ``limit`` characters."""
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


# --------------------------------------------------------------------------- LISA


@warns_at_caller
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
    vintage = local.attrs.get("vintage")
    checked = Layer.resolve(level if level in MAP_LEVELS else "county", vintage, levels=MAP_LEVELS)
    level, vintage, lang = checked.level, checked.vintage, check_choice("lang", lang, LANGS)
    _refuse_tiles_offline(tiles, offline)
    colors = config()["lisa"]
    web = dissolve_stable(_web_layer(level, vintage), list(local["adcode"]), level, vintage)
    focus = web[web["adcode"].isin(list(local["adcode"]))]
    m, datum = _base_map(tiles, focus.total_bounds, _provenance(web, vintage, lang), title, offline)
    _province_labels(m, focus.total_bounds, vintage, datum, lang)
    _add_context(m, focus.total_bounds, datum, lang)  # the neighbouring provinces, under the units
    cluster = dict(zip(local["adcode"], local["cluster"]))

    def tip(row) -> str:
        value = _esc(f"{row.value:,.6g}")
        if row.cluster == "isolate":
            return f"<br>{_esc(lisa_label('isolate', lang))} · {_esc(_tr(lang, '值', 'value'))} {value}"
        # No p-value: the unit neighbours every other unit tested (lisa's attrs["untestable"]).
        p = (
            f"p = {row.p_sim:.3f}"
            if row.p_sim == row.p_sim
            else _tr(lang, "无 p 值：与其余各单元均相邻", "no p-value: next to every other unit")
        )
        return (
            f"<br>{_esc(lisa_label(row.cluster, lang))} · I = {row.Is:.3f} · {_esc(p)} · "
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
        vintage=vintage,
    )
    border = _border_only(m, web, datum, lang)
    title_text = _esc(_tr(lang, "LISA 局部空间自相关", "LISA clusters"))
    test_note = _esc(lisa_test_note(local.attrs, lang))
    legend = [f"<b>{title_text}</b><br><span style='color:#555'>{test_note}</span>"]
    shown = [k for k in LISA_ORDER if k != "isolate" or "isolate" in set(local["cluster"])]
    legend += [_swatch(colors[k], _esc(lisa_label(k, lang))) for k in shown]
    kind = local.attrs.get("kind", "queen")
    kind_zh = WEIGHT_KINDS_ZH.get(kind, kind)
    weights_note = _tr(lang, f"{kind_zh}权重；区划版本 {vintage}", f"{kind} weights; vintage {vintage}")
    legend.append(border_row(lang, border))
    legend.append(province_note(lang))
    legend.append(f"<div style='color:#555'>{_esc(weights_note)}</div>")
    _add_legend(m, "".join(legend))
    return m
