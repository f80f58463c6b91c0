"""How the adjacency report reads to a person: column labels, values as words, HTML and Markdown tables.

CSV and JSON keep the column names and codes; the HTML page and the Markdown file head each
column with its label in Chinese and English (and its unit), write codes such as ``edge`` or
``True`` as words, and fold secondary columns behind a toggle that needs no script. Everything
taken from data passes :func:`chuanyu_geo._safe.inert` (HTML) or :func:`_md_cell` (Markdown).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable

import pandas as pd

from ._safe import inert
from .sources import read_package_toml

TABLE_TITLES = {
    "pairs": "Cross-border pairs 跨省界相邻单元",
    "units": "Cross-border length per unit 各单元省界长度",
    "totals": "Totals per province pair 省际合计",
    "platforms": "Platform metrics 功能平台指标",
    "platform_pairs": "Cross-border pairs inside each platform 各平台内的跨省界相邻单元",
    "clusters": "Cluster metrics 片区指标",
}

# Secondary columns: folded on screen behind "show all columns", always printed. Without
# them the widest tables fit a 1,400 px window; the CSV and JSON hold them as they are.
FOLDED = {
    "platforms": (
        "platform_id",
        "area_note",
        "components",
        "cross_border_edges",
        "n_external_neighbours",
        "external_neighbours",
    ),
    "clusters": (
        "cluster",
        "components",
        "cross_border_edges",
        "n_external_neighbours",
        "external_neighbours",
    ),
    "platform_pairs": ("platform_id", "province_a", "province_b"),
}
# A table the report does not know (built by hand) shows this many columns before folding.
UNFOLDED_AT_MOST = 10

# Columns of long lists of units: folded into <details> on screen, printed in full.
LONG_TEXT = ("units", "external_neighbours", "neighbours", "platforms", "area_note", "note")


@functools.lru_cache(maxsize=1)
def _glossary() -> dict:
    return read_package_toml("glossary.toml")


def glossary_key(table: str, column: str) -> str:
    """The glossary entry of a column: ``table.column`` where a table gives it its own meaning.

    Examples
    --------
    >>> glossary_key("platforms", "cross_border_km"), glossary_key("units", "cross_border_km")
    ('platforms.cross_border_km', 'cross_border_km')
    """
    entries = _glossary()["columns"]
    return f"{table}.{column}" if f"{table}.{column}" in entries else column


def column_label(table: str, column) -> tuple[str, str, str] | None:
    """Chinese label, English label and unit of a report column; None for a column of its own.

    Examples
    --------
    >>> column_label("pairs", "shared_km")
    ('共同边界长度', 'Shared border', 'km')
    >>> column_label("mine", "x") is None
    True
    """
    entry = _glossary()["columns"].get(glossary_key(table, str(column)))
    if not entry or "label_zh" not in entry:
        return None
    return entry["label_zh"], entry["label_en"], entry.get("unit", "")


def label_text(table: str, column) -> str:
    """A column's heading as one line of plain text (Markdown, the glossary).

    Examples
    --------
    >>> label_text("platforms", "area_km2"), label_text("t", "my_column")
    ('面积 Area (km²)', 'my_column')
    """
    label = column_label(table, column)
    if label is None:
        return str(column)
    zh, en, unit = label
    return f"{zh} {en}" + (f" ({unit})" if unit else "")


def _text(value) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _words(table: str, column, series: pd.Series, clusters: dict[str, str]) -> Callable[[object], str]:
    """How a report column's codes read as words (``是 yes``, ``共边 edge``); other values pass."""
    values = _glossary().get("values", {})
    if column_label(table, column) is None:
        return _text  # a column of the user's own: shown as it is
    if pd.api.types.is_bool_dtype(series):
        words = {True: values["bool"]["true"], False: values["bool"]["false"]}
        return lambda v: " ".join(words[bool(v)])
    if str(column) in values:
        words = values[str(column)]
        return lambda v: " ".join(words[v]) if isinstance(v, str) and v in words else _text(v)
    if str(column) == "cluster" and table != "clusters" and clusters:
        return lambda v: f"{clusters[v]} {v}" if isinstance(v, str) and v in clusters else _text(v)
    return _text


def _numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def formatter(table: str, column, series: pd.Series, clusters: dict[str, str] | None = None):
    """How a column's values are shown: km with 2 decimals, km² with 1, shares as %, codes as words.

    Examples
    --------
    >>> import pandas as pd
    >>> formatter("pairs", "contact", pd.Series(["edge"]))("edge")
    '共边 edge'
    >>> formatter("platforms", "border_share", pd.Series([0.1592]))(0.1592)
    '15.9%'
    """
    if not _numeric(series):
        return _words(table, column, series, clusters or {})
    name = str(column)
    if name.endswith("_km2"):
        return lambda v: "" if pd.isna(v) else f"{v:,.1f}"
    if name.endswith("_km"):
        return lambda v: "" if pd.isna(v) else f"{v:,.2f}"
    if name.endswith("share"):
        return lambda v: "" if pd.isna(v) else f"{v:.1%}"
    return _text


def folded_columns(table: str, frame: pd.DataFrame) -> list:
    """The columns of ``frame`` folded on screen (all are printed and kept in CSV and JSON)."""
    if table in FOLDED:
        return [c for c in frame.columns if c in FOLDED[table]]
    return list(frame.columns[UNFOLDED_AT_MOST:])


def cluster_names(tables: dict[str, pd.DataFrame]) -> dict[str, str]:
    """Cluster id -> Chinese name, from the report's cluster table (empty without one)."""
    clusters = tables.get("clusters")
    if clusters is None or not {"cluster", "cluster_name"} <= set(clusters.columns):
        return {}
    return {
        str(k): str(v) for k, v in zip(clusters["cluster"], clusters["cluster_name"]) if isinstance(v, str)
    }


# ---------------------------------------------------------------------------- Markdown

# Markdown that could make a cell more than text: "[" and "]" (every link, image and
# reference), "`" (code), "*" and "_" where they can open or close emphasis (not inside a
# word such as shared_km), "\\" (escapes) and "|" (a new cell); "<", ">" and "&" become
# entities, since Python-Markdown does not honour "\\<". "(", ")" and "!" stay as they are:
# with the brackets escaped they cannot form a link or an image, and the file stays readable.
_MD_ESCAPES = str.maketrans({**{ch: "\\" + ch for ch in "\\`*[]|"}, "&": "&amp;", "<": "&lt;", ">": "&gt;"})
_MD_EMPHASIS_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")


def _md_cell(value) -> str:
    """Text for a Markdown cell or heading that every common renderer shows as text.

    Examples
    --------
    >>> print(_md_cell("[x](javascript:alert(1)) a|b shared_km _u_"))
    \\[x\\](javascript:alert(1)) a\\|b shared_km \\_u\\_
    """
    text = _text(value).translate(_MD_ESCAPES)
    return " ".join(_MD_EMPHASIS_UNDERSCORE.sub(r"\\_", text).split())


def markdown_table(key: str, table: pd.DataFrame, clusters: dict[str, str] | None = None) -> str:
    """A GitHub table with every column, headed by labels, values as words.

    Examples
    --------
    >>> import pandas as pd
    >>> print(markdown_table("pairs", pd.DataFrame({"shared_km": [1.234], "contact": ["point"]})))
    | 共同边界长度 Shared border (km) | 接触方式 Contact |
    |---:|---|
    | 1.23 | 共点 point |
    """
    formats = [formatter(key, c, table[c], clusters) for c in table.columns]
    header = "| " + " | ".join(_md_cell(label_text(key, c)) for c in table.columns) + " |"
    rule = "|" + "|".join("---:" if _numeric(table[c]) else "---" for c in table.columns) + "|"
    rows = [
        "| " + " | ".join(_md_cell(f(v)) for f, v in zip(formats, row)) + " |"
        for row in table.itertuples(index=False)
    ]
    return "\n".join([header, rule, *rows])


# ---------------------------------------------------------------------------- HTML


def _html_cell(text: str, long: bool) -> str:
    """A cell's HTML; a long list of units folds into a <details> on screen and prints in full."""
    items = text.split("、")
    if not long or (len(text) <= 48 and len(items) <= 4):
        return inert(text)
    summary = "、".join(items[:3]) + (f"… ({len(items)})" if len(items) > 3 else "…")
    return (
        f'<details><summary>{inert(summary)}</summary>{inert(text)}</details><span class="print-full">'
        f"{inert(text)}</span>"
    )


def _html_head(key: str, column, numeric: bool, folded: bool) -> str:
    label = column_label(key, column)
    if label is None:  # the user's own column: its name, as written
        text = inert(str(column))
    else:
        zh, en, unit = label
        unit_html = f' <span class="unit">({inert(unit)})</span>' if unit else ""
        text = (
            f'<span lang="zh-Hans">{inert(zh)}</span> '
            f'<span class="en"><span lang="en">{inert(en)}</span>{unit_html}</span>'
        )
    kind = "num" if numeric else "text"
    return (
        f'<th data-column="{inert(str(column))}" data-type="{kind}"{" class=sec" if folded else ""} '
        f'tabindex="0" scope="col">{text}</th>'
    )


def html_table(key: str, table: pd.DataFrame, clusters: dict[str, str] | None = None) -> str:
    """A sortable table with every column; folded ones hide on screen until the reader asks."""
    folded = set(folded_columns(key, table))
    numeric = [_numeric(table[c]) for c in table.columns]
    formats = [formatter(key, c, table[c], clusters) for c in table.columns]
    labels = [inert(label_text(key, c)) for c in table.columns]
    classes = [
        " ".join(
            filter(
                None, ["num" if n else "long" if str(c) in LONG_TEXT else "", "sec" if c in folded else ""]
            )
        )
        for c, n in zip(table.columns, numeric)
    ]
    head = "".join(_html_head(key, c, n, c in folded) for c, n in zip(table.columns, numeric))
    # Sorting reads data-value (the full number), the cell shows the formatted one; a phone
    # shows each row as a card, labelled from data-label.
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="{k}" data-label="{lab}"'
            + (f' data-value="{inert(_text(v))}"' if n else "")
            + f">{_html_cell(f(v), 'long' in k.split())}</td>"
            for v, n, f, k, lab in zip(row, numeric, formats, classes, labels)
        )
        + "</tr>"
        for row in table.itertuples(index=False)
    )
    table_html = f'<table class="sortable"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    toggle = ""
    if folded:
        ident = inert(f"more-{key}")
        names = "、".join(inert(label_text(key, c)) for c in table.columns if c in folded)
        toggle = (
            f'<input type="checkbox" class="more" id="{ident}">'
            f'<label class="more" for="{ident}">显示全部 {len(table.columns)} 列 · show all '
            f"{len(table.columns)} columns</label>"
            f'<p class="folded">已折叠 Folded: {names}</p>'
        )
    return f'{toggle}<div class="table-box">{table_html}</div>'


_CSS = """
body { font-family: system-ui, "Noto Sans CJK SC", "PingFang SC", sans-serif;
       margin: 2rem; color: #222; max-width: 100%; line-height: 1.4; }
h2 { margin-top: 2.5rem; }
table { border-collapse: separate; border-spacing: 0; font-size: 0.9rem; }
th, td { border: solid #ccc; border-width: 0 1px 1px 0; padding: 0.25rem 0.5rem; vertical-align: top; }
tr > :first-child { border-left-width: 1px; }
table.meta tr:first-child > *, thead th { border-top-width: 1px; }
table.meta { margin: 1rem 0 2rem; }
table.meta th { text-align: left; background: #f7f7f7; }
table.meta td, td { overflow-wrap: anywhere; }
table.glossary code { white-space: nowrap; }
.table-box { margin: 0.5rem 0 2rem; }
/* Sticky to the page: no ancestor of a table scrolls on its own. */
thead th { background: #f0f0f0; cursor: pointer; user-select: none; position: sticky; top: 0;
           z-index: 1; font-weight: 600; text-align: left; box-shadow: 0 1px 0 #bbb; }
thead th .en { font-weight: 400; color: #444; display: block; }
thead th[data-type="num"] { text-align: right; }
thead th[aria-sort="ascending"]::after { content: " ▲"; }
thead th[aria-sort="descending"]::after { content: " ▼"; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.long { min-width: 10em; max-width: 28em; }
details summary { cursor: pointer; }
.print-full { display: none; }
input.more { margin: 0 0.3rem 0 0; }
label.more { cursor: pointer; font-size: 0.9rem; }
p.folded { margin: 0.2rem 0 0; font-size: 0.8rem; color: #555; }
input.more:checked ~ p.folded { display: none; }
figure.map { margin: 1rem 0 2rem; max-width: 46rem; }
figure.map > svg { width: 100%; height: auto; border: 1px solid #ccc; background: #f4f8fb; }
figure.map text { font-family: inherit; paint-order: stroke; stroke: #fff; stroke-width: 3px;
                  stroke-linejoin: round; }
figcaption { font-size: 0.85rem; color: #333; }
ul.legend { list-style: none; padding: 0; margin: 0.4rem 0; display: flex; flex-wrap: wrap;
            gap: 0.3rem 1.2rem; }
ul.legend svg { width: 1.6em; height: 0.9em; vertical-align: -0.1em; border: 0; background: none; }
@media screen {
  input.more:not(:checked) ~ .table-box .sec { display: none; }
}
/* A phone: each row becomes a card of "label: value" lines; the headers sort. */
@media screen and (max-width: 700px) {
  body { margin: 0.75rem; } h1 { font-size: 1.3rem; }
  table.glossary th, table.glossary td { display: block; border: 0; padding: 0.1rem 0.25rem; }
  table.glossary tr { display: block; border-top: 1px solid #ccc; padding: 0.3rem 0; }
  table.sortable, table.sortable tbody { display: block; }
  table.sortable thead tr { display: flex; flex-wrap: wrap; gap: 0.25rem; margin-bottom: 0.5rem; }
  table.sortable thead th { position: static; display: block; border: 1px solid #ccc;
                            border-radius: 0.3rem; padding: 0.1rem 0.4rem; font-size: 0.8rem; }
  table.sortable thead th .en { display: inline; }
  table.sortable tbody tr { display: block; border: 1px solid #ccc; border-radius: 0.3rem;
                            margin-bottom: 0.5rem; padding: 0.2rem 0; }
  table.sortable td { display: grid; grid-template-columns: 42% 1fr; gap: 0.5rem; border: 0;
                      padding: 0.1rem 0.5rem; text-align: left; white-space: normal; max-width: none; }
  table.sortable td::before { content: attr(data-label); color: #555; font-size: 0.8rem; }
}
/* Paper (A4 portrait): every column, small type that wraps, lists in full, no toggles. */
@page { size: A4 portrait; margin: 12mm 10mm; }
@media print {
  body { margin: 0; font-size: 9pt; }
  h2 { margin-top: 1.2rem; break-after: avoid; }
  input.more, label.more, p.folded, details { display: none; }
  .print-full { display: inline; }
  table.sortable { width: 100%; font-size: 6.5pt; }
  th, td { padding: 1px 2px; }
  thead th { position: static; box-shadow: none; cursor: auto; }
  thead th[aria-sort]::after { content: none; }
  table.glossary td:nth-child(2) { overflow-wrap: normal; }
  td.long { min-width: 0; max-width: none; }
  tr { break-inside: avoid; }
  figure.map { break-inside: avoid; max-width: 100%; }
  figure.map > svg { max-height: 165mm; }
}
"""

_SCRIPT = """
// Click (or Enter on) a column header to sort; numbers sort as numbers.
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("thead th").forEach(function (th, col) {
    function sort() {
      var asc = th.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("thead th").forEach(function (o) { o.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      var num = th.dataset.type === "num";
      var rows = Array.prototype.slice.call(table.tBodies[0].rows);
      rows.sort(function (a, b) {
        var x = a.cells[col].dataset.value || a.cells[col].textContent;
        var y = b.cells[col].dataset.value || b.cells[col].textContent;
        var d = num ? (parseFloat(x) || 0) - (parseFloat(y) || 0) : x.localeCompare(y, "zh-Hans-CN");
        return asc ? d : -d;
      });
      rows.forEach(function (r) { table.tBodies[0].appendChild(r); });
    }
    th.addEventListener("click", sort);
    th.addEventListener("keydown", function (e) { if (e.key === "Enter") sort(); });
  });
});
"""


def html_page(title: str, meta: str, figure: str, sections: str) -> str:
    """The page around already-inert parts (``title`` is inert text, the others inert HTML)."""
    return (
        '<!DOCTYPE html>\n<html lang="zh-Hans">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<h1>{title}</h1>\n"
        f'<table class="meta">{meta}</table>\n{figure}\n{sections}\n<script>{_SCRIPT}</script>\n'
        "</body>\n</html>\n"
    )
