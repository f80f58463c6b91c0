"""Inert text and validated style values: the one gate between user text and rendered HTML.

folium and branca render every macro's output a second time as a Jinja template, so text
that reaches a map must not be able to form a template tag. Every string from data or
users goes through :func:`inert` before it enters an HTML builder: it is HTML-escaped and
its braces become character references, which a browser shows as ``{`` and ``}`` but which
no template engine can read as ``{{``, ``{%`` or ``{#``. :func:`check_tree` then walks a
folium map before it renders and refuses any string that could still open a tag, so a
code path that forgets :func:`inert` fails loudly instead of running a template.

Colours and other style values are checked against a strict grammar by :func:`check_color`.
"""

from __future__ import annotations

import functools
import html
import math
import re
from typing import Any

from ._errors import ChuanyuGeoError, DefinitionError

__all__ = [
    "inert",
    "inert_figure_text",
    "safe_link",
    "check_color",
    "color_rgba",
    "check_tree",
    "html_hazard",
    "UnsafeTextError",
    "JINJA_OPENER",
    "csv_safe",
    "csv_text",
]

# The three sequences that open a Jinja tag; braces alone are harmless.
JINJA_OPENER = re.compile(r"\{[{%#]")

_SURROGATE = re.compile("[\ud800-\udfff]")
_ENTITIES = str.maketrans({"{": "&#123;", "}": "&#125;", "\u2028": "&#8232;", "\u2029": "&#8233;"})


class UnsafeTextError(ChuanyuGeoError, RuntimeError):
    """A string that could open a template tag reached a map without :func:`inert` (a bug)."""


def inert(value: Any) -> str:
    """Text as HTML that no browser runs and no template engine parses.

    Parameters
    ----------
    value : object
        Anything; ``None`` and NaN become an empty string.

    Returns
    -------
    str
        HTML-escaped text with ``{``, ``}``, U+2028 and U+2029 as character references.

    Examples
    --------
    >>> inert("{{7*7}} <b>")
    '&#123;&#123;7*7&#125;&#125; &lt;b&gt;'
    >>> inert(None)
    ''
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    # Lone surrogates (undecodable bytes from a command line) cannot be written as UTF-8.
    text = _SURROGATE.sub("\ufffd", str(value))
    return html.escape(text, quote=True).translate(_ENTITIES)


def _decoded_link(text: str) -> str:
    """A link as a browser or Markdown renderer reads it: entities decoded (repeatedly, so
    ``&amp;colon;`` cannot hide ``:``), tabs and newlines removed (browsers drop them)."""
    for _ in range(4):
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    return re.sub(r"[\t\n\r]", "", text)


def safe_link(value: Any) -> str:
    """A link target that cannot run script: a relative path or an http(s) URL.

    The decision is made on the link as a renderer reads it (entities decoded), so
    ``javascript&colon;`` is a scheme like ``javascript:``. Backslashes are refused
    (browsers read ``/\\host`` and ``\\\\host`` as another host), and so are spaces, quotes
    and angle brackets, which could end the link in Markdown or HTML.

    Examples
    --------
    >>> safe_link("map.html")
    'map.html'
    >>> safe_link("javascript:alert(1)")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    chuanyu_geo._errors.InvalidArgumentError: link 'javascript:alert(1)' is not allowed; ...
    """
    from ._errors import InvalidArgumentError

    text = str(value)
    decoded = _decoded_link(text)
    scheme = re.match(r"([a-zA-Z][a-zA-Z0-9+.\-]*):", decoded.lstrip("".join(map(chr, range(33)))))
    refused = (
        not decoded.strip()
        or any(ord(ch) < 32 or ord(ch) == 127 or ch.isspace() for ch in text + decoded)
        or any(ch in "\\<>\"'`" for ch in text + decoded)
        or (scheme is not None and scheme.group(1).lower() not in ("http", "https"))
        or (scheme is None and ":" in decoded.split("/", 1)[0])  # "x:y" reads as a scheme
        or decoded.startswith("//")
    )
    if refused:
        raise InvalidArgumentError(
            f"link {text[:80]!r} is not allowed; expected a relative path (map.html) or an http(s) URL "
            "without spaces, quotes, angle brackets or backslashes"
        )
    return text


def inert_figure_text(value: Any) -> str:
    """Text for a matplotlib label: ``None`` as empty, lone surrogates replaced.

    The figure functions also switch mathtext off for every text they draw, so a dollar
    sign stays a dollar sign.

    Examples
    --------
    >>> print(inert_figure_text("GDP $ per head $"))
    GDP $ per head $
    """
    return _SURROGATE.sub("\ufffd", "" if value is None else str(value))


# --------------------------------------------------------------------------- colours

# ASCII only: \d and \s would also accept other scripts' digits and spaces, which CSS does not.
_NUM = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?"
_SP = r"[ \t]*"
_ALPHA = rf"(?P<a>{_NUM}%?)"
_RGB = re.compile(
    rf"rgba?\({_SP}(?P<r>{_NUM}%?){_SP},{_SP}(?P<g>{_NUM}%?){_SP},{_SP}(?P<b>{_NUM}%?){_SP}(?:,{_SP}{_ALPHA}{_SP})?\)"
    rf"|rgba?\({_SP}(?P<r2>{_NUM}%?)[ \t]+(?P<g2>{_NUM}%?)[ "
    rf"\t]+(?P<b2>{_NUM}%?){_SP}(?:/{_SP}(?P<a2>{_NUM}%?){_SP})?\)",
    re.IGNORECASE | re.ASCII,
)
_HSL = re.compile(
    rf"hsla?\({_SP}(?P<h>{_NUM})(?:deg)?{_SP},{_SP}(?P<s>{_NUM})%{_SP},{_SP}(?P<l>{_NUM})%{_SP}(?:,{_SP}{_ALPHA}{_SP})?\)"
    rf"|hsla?\({_SP}(?P<h2>{_NUM})(?:deg)?[ \t]+(?P<s2>{_NUM})%[ "
    rf"\t]+(?P<l2>{_NUM})%{_SP}(?:/{_SP}(?P<a2>{_NUM}%?){_SP})?\)",
    re.IGNORECASE | re.ASCII,
)
_HEX = re.compile(r"#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})", re.IGNORECASE | re.ASCII)
COLOR_GRAMMAR = (
    "a CSS colour name (or transparent), #rgb, #rgba, #rrggbb, #rrggbbaa, "
    "or rgb()/rgba()/hsl()/hsla() with numbers only"
)


@functools.lru_cache(maxsize=1)
def _named_colors() -> dict[str, str]:
    # The CSS Color Module's 148 named colours, as matplotlib keeps them (name -> #rrggbb).
    from matplotlib.colors import CSS4_COLORS

    return {**{k: str(v) for k, v in CSS4_COLORS.items()}, "transparent": "#00000000"}


def _unit(text: str, scale: float) -> float:
    """A CSS number or percentage as a fraction of ``scale``, clamped to 0–1."""
    value = float(text[:-1]) / 100 if text.endswith("%") else float(text) / scale
    return min(max(value, 0.0), 1.0)


def _hex_rgba(value: str) -> tuple[float, float, float, float]:
    """RGBA (0–1) of a ``#rgb``, ``#rgba``, ``#rrggbb`` or ``#rrggbbaa`` colour.

    Parsed here rather than by matplotlib: a web map checks every platform's colours, and
    importing matplotlib for that cost a cold ``platform_map`` ~0.05 s.
    """
    digits = value[1:]
    if len(digits) in (3, 4):
        digits = "".join(c * 2 for c in digits)
    if len(digits) == 6:
        digits += "ff"
    r, g, b, a = (int(digits[i : i + 2], 16) / 255 for i in range(0, 8, 2))
    return (r, g, b, a)


def color_rgba(value: Any) -> tuple[float, float, float, float] | None:
    """RGBA (0–1) of a colour of the accepted grammar, or None if it is not one.

    Examples
    --------
    >>> color_rgba("hsl(120, 100%, 25%)")
    (0.0, 0.5, 0.0, 1.0)
    >>> color_rgba("red;x") is None
    True
    """
    import colorsys

    if not isinstance(value, str) or not value.isascii():
        return None
    if _HEX.fullmatch(value):
        return _hex_rgba(value)
    if value.lower() in _named_colors():
        return _hex_rgba(_named_colors()[value.lower()])
    match = _RGB.fullmatch(value)
    if match:
        parts = [match.group(k) or match.group(k + "2") for k in ("r", "g", "b")]
        if len({p.endswith("%") for p in parts}) > 1:
            return None  # CSS: all three numbers or all three percentages
        alpha = match.group("a") or match.group("a2")
        r, g, b = (_unit(p, 255) for p in parts)
        return (r, g, b, _unit(alpha, 1) if alpha else 1.0)
    match = _HSL.fullmatch(value)
    if match:
        h, sat, light = (float(match.group(k) or match.group(k + "2")) for k in ("h", "s", "l"))
        alpha = match.group("a") or match.group("a2")
        r, g, b = colorsys.hls_to_rgb((h % 360) / 360, min(max(light / 100, 0), 1), min(max(sat / 100, 0), 1))
        return (r, g, b, _unit(alpha, 1) if alpha else 1.0)
    return None


def check_color(value: Any, what: str) -> str:
    """Return ``value`` if it is a CSS colour of the accepted grammar, else raise.

    Parameters
    ----------
    value : object
        The colour as the user gave it.
    what : str
        Where it came from (file, platform or cluster), used in the error.

    Returns
    -------
    str

    Raises
    ------
    DefinitionError
        Naming ``what``, the value and the accepted grammar.

    Examples
    --------
    >>> check_color("#1b9e77", "cluster 'south'")
    '#1b9e77'
    >>> check_color("rgb(27, 158, 119)", "cluster 'south'")
    'rgb(27, 158, 119)'
    >>> check_color("red;x", "cluster 'south'")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    chuanyu_geo._errors.DefinitionError: cluster 'south': color 'red;x' is not valid; ...
    """
    if color_rgba(value) is not None:
        return value
    shown = repr(value) if len(repr(value)) <= 80 else repr(value)[:77] + "…"
    raise DefinitionError(f"{what}: color {shown} is not valid; expected {COLOR_GRAMMAR}")


# --------------------------------------------------------------------------- the tripwire

_SKIP = {"_parent", "_children", "_template", "_template_str", "_template_name"}

# The markup the library itself builds around inert text (legends, labels, tooltips, popups):
# these tags, with these attributes. Anything else that looks like a tag in a data string
# came from data that skipped :func:`inert`, and Leaflet would insert it with innerHTML.
_OUR_TAGS = frozenset(
    "a b br div em h3 i li p small span strong sub summary sup details table td th tr ul".split()
)
_OUR_ATTRIBUTES = frozenset({"style", "class", "title", "href", "target", "rel"})
# A tag runs to the first ">" outside quotes: browsers read `<b title="a>b" onclick=…>` as one tag.
_TAG = re.compile(r"""<\s*(/?)\s*([^\s/>]*)((?:[^>"']|"[^"]*"?|'[^']*'?)*)(?:>|$)""")
_ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")


def html_hazard(value: str) -> str | None:
    """Why ``value`` is not markup the library writes, or None if it is.

    Inert text holds no ``<`` at all; the library's own markup uses a few tags, with
    style/class/title attributes and http(s) or relative links. A comment, a processing
    instruction, another tag, an event handler or a script URL is a hazard.

    Examples
    --------
    >>> html_hazard("<span style='color:#555'>万州区</span>") is None
    True
    >>> html_hazard("<img src=x onerror=alert(1)>")
    'tag <img> is not one the library writes'
    """
    if "<" not in value:
        return None
    for match in _TAG.finditer(value):
        name = match.group(2).lower()
        if match.group(1) and name in _OUR_TAGS and not match.group(3).strip():
            continue  # a closing tag of ours
        if name not in _OUR_TAGS:
            return f"tag <{match.group(2)[:20]}> is not one the library writes"
        for attribute in _ATTRIBUTE.finditer(match.group(3)):
            key = attribute.group(1).lower()
            text = next((g for g in attribute.group(2, 3, 4) if g is not None), "")
            if key not in _OUR_ATTRIBUTES:
                return f"attribute {key[:20]!r} on <{name}> is not one the library writes"
            if key == "href":
                try:
                    safe_link(text)
                except ChuanyuGeoError:
                    return f"link {text[:40]!r} on <{name}> is not a relative or http(s) link"
            loads = re.search(r"url\(|expression|javascript|@import", _decoded_link(text), re.I)
            if key == "style" and loads:
                return f"style {text[:40]!r} on <{name}> loads or runs something"
    return None


def check_tree(root: Any) -> None:
    """Refuse a branca element tree in which any data string could run as template or script.

    Our own templates live in ``_template`` (skipped), and so do static assets of the
    package marked ``trusted`` (Leaflet, the map tools); everything else an element holds
    is data that branca may render through a template a second time and that Leaflet may
    insert as HTML. Such a string may not open a Jinja tag, and may hold no markup but the
    library's own (see :func:`html_hazard`).

    Parameters
    ----------
    root : branca.element.Element
        Any element of the tree; the whole figure it belongs to is checked.

    Raises
    ------
    UnsafeTextError
        Naming the element and the start of the string.
    """
    seen: set[int] = set()

    def refuse(owner: str, value: str, at: int, why: str) -> None:
        start = max(at - 30, 0)
        raise UnsafeTextError(
            f"{owner} holds text that {why} ({value[start : at + 30]!r}); "
            "user text must pass through chuanyu_geo._safe.inert — please report this as a bug"
        )

    def scan(value: Any, owner: str) -> None:
        if isinstance(value, str):
            match = JINJA_OPENER.search(value)
            if match:
                refuse(owner, value, match.start(), "a template engine would run")
            hazard = html_hazard(value)
            if hazard:
                refuse(owner, value, value.index("<"), f"a browser would read as markup: {hazard}")
        elif isinstance(value, dict):
            for key, item in value.items():
                scan(key, owner)
                scan(item, owner)
        elif isinstance(value, (list, tuple, set, frozenset)):
            for item in value:
                scan(item, owner)

    def visit(element: Any) -> None:
        if id(element) in seen:
            return
        seen.add(id(element))
        owner = f"{type(element).__name__} {getattr(element, '_name', '')!s}"
        trusted = getattr(element, "trusted", False) is True
        for key, value in vars(element).items():
            if key in _SKIP or (trusted and key == "markup"):
                continue
            if hasattr(value, "_children"):  # a Figure's header, html and script are attributes
                visit(value)
            else:
                scan(value, owner)
        for child in getattr(element, "_children", {}).values():
            visit(child)

    visit(root.get_root() if hasattr(root, "get_root") else root)


# --------------------------------------------------------------------------- CSV cells

# OWASP "CSV Injection": a spreadsheet treats a cell opening with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _formula_mask(values: Any) -> Any:
    """Boolean mask of the text values of a Series that a spreadsheet would run as formulas."""
    import pandas as pd

    text = pd.Series([v if isinstance(v, str) else "" for v in values], index=values.index, dtype=object)
    risky = text.str.startswith(_FORMULA_START)
    if not risky.any():
        return risky
    # "-12.5" and "+3" are numbers, not formulas; keep them as they are.
    number = pd.to_numeric(text.where(risky, ""), errors="coerce").notna()
    return risky & ~number


def csv_safe(frame: Any) -> Any:
    """A copy of ``frame`` whose text cells and headers cannot run as spreadsheet formulas.

    A text cell (or column name) that begins with ``=``, ``+``, ``-``, ``@``, a tab or a
    carriage return and is not a number gets a leading apostrophe, as OWASP's guidance on
    CSV injection recommends: Excel, LibreOffice and Google Sheets then show it as text.
    Numbers and numeric columns are left exactly as they are.

    Parameters
    ----------
    frame : pandas.DataFrame

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> import pandas as pd
    >>> safe = csv_safe(pd.DataFrame({"name": ["=HYPERLINK(1)", "-3", "万州区"], "n": [-1, 2, 3]}))
    >>> safe["name"].tolist(), safe["n"].tolist()
    (["'=HYPERLINK(1)", '-3', '万州区'], [-1, 2, 3])
    """
    import pandas as pd

    if isinstance(frame.columns, pd.MultiIndex):
        from ._errors import InvalidArgumentError

        raise InvalidArgumentError(
            "a table with MultiIndex columns cannot be written as CSV with one header row; flatten them, "
            "e.g. table.columns = ['_'.join(map(str, c)) for c in table.columns]"
        )
    out = frame.copy()
    for position in range(out.shape[1]):
        column = out.iloc[:, position]
        if _is_numeric_column(column):
            continue
        mask = _formula_mask(column)
        if mask.any():
            values = column.astype(object).to_numpy(copy=True)  # categoricals too
            values[mask.to_numpy()] = ["'" + v for v in values[mask.to_numpy()]]
            out.isetitem(position, pd.Series(values, index=out.index, dtype=object))
    names = pd.Series([str(c) for c in out.columns], dtype=object)
    header_mask = _formula_mask(names).to_numpy()
    if header_mask.any():
        out.columns = ["'" + str(c) if risky else c for c, risky in zip(out.columns, header_mask)]
    return out


def csv_text(frame: Any, escape_formulas: bool = True) -> str:
    """CSV text of ``frame`` without index: the one way the package writes a CSV.

    Text cells that could run as formulas are prefixed with ``'`` (see :func:`csv_safe`)
    unless ``escape_formulas`` is False. A cell holding a carriage return is quoted, so
    that no reader splits its row there (Python's csv module before 3.12 leaves it bare).

    Examples
    --------
    >>> import pandas as pd
    >>> print(csv_text(pd.DataFrame({"a": ["@SUM(A1)", "ok"]})), end="")
    a
    '@SUM(A1)
    ok
    """
    import csv

    out = csv_safe(frame) if escape_formulas else frame
    has_cr = any(
        any(isinstance(v, str) and "\r" in v for v in out.iloc[:, i])
        for i in range(out.shape[1])
        if not _is_numeric_column(out.iloc[:, i])
    ) or any("\r" in str(c) for c in out.columns)
    quoting = csv.QUOTE_NONNUMERIC if has_cr else csv.QUOTE_MINIMAL
    return out.to_csv(index=False, lineterminator="\n", quoting=quoting)


def _is_numeric_column(column: Any) -> bool:
    import pandas as pd

    return pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column)
