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

__all__ = ["inert", "inert_figure_text", "check_color", "check_tree", "UnsafeTextError", "JINJA_OPENER"]

# The three sequences that open a Jinja tag; braces alone are harmless.
JINJA_OPENER = re.compile(r"\{[{%#]")

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
    return html.escape(str(value), quote=True).translate(_ENTITIES)


def inert_figure_text(value: Any) -> str:
    """Text for a matplotlib label: dollar signs escaped so mathtext never parses it.

    Examples
    --------
    >>> print(inert_figure_text("GDP $ per head $"))
    GDP \\$ per head \\$
    """
    return ("" if value is None else str(value)).replace("$", r"\$")


# --------------------------------------------------------------------------- colours

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:%|deg)?"
_FUNCTION = re.compile(
    rf"(?:rgba?|hsla?)\(\s*{_NUMBER}\s*(?:,\s*{_NUMBER}\s*){{2,3}}\)"  # rgb(1, 2, 3) / rgba(1, 2, 3, .5)
    rf"|(?:rgba?|hsla?)\(\s*{_NUMBER}(?:\s+{_NUMBER}){{2}}\s*(?:/\s*{_NUMBER}\s*)?\)",  # rgb(1 2 3 / 50%)
    re.IGNORECASE,
)
_HEX = re.compile(r"#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})", re.IGNORECASE)
COLOR_GRAMMAR = "a CSS colour name, #rgb, #rgba, #rrggbb, #rrggbbaa, or rgb()/rgba()/hsl()/hsla() with numbers only"


@functools.lru_cache(maxsize=1)
def _named_colors() -> frozenset[str]:
    # The CSS Color Module's 148 named colours, as matplotlib keeps them.
    from matplotlib.colors import CSS4_COLORS

    return frozenset(CSS4_COLORS)


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
    >>> check_color("red;x", "cluster 'south'")
    Traceback (most recent call last):
    ...
    chuanyu_geo._errors.DefinitionError: cluster 'south': color 'red;x' is not valid; expected a CSS colour name, #rgb, #rgba, #rrggbb, #rrggbbaa, or rgb()/rgba()/hsl()/hsla() with numbers only
    """
    if isinstance(value, str) and (_HEX.fullmatch(value) or _FUNCTION.fullmatch(value) or value.lower() in _named_colors()):
        return value
    raise DefinitionError(f"{what}: color {value!r} is not valid; expected {COLOR_GRAMMAR}")


# --------------------------------------------------------------------------- the tripwire

_SKIP = {"_parent", "_children", "_template", "_template_str", "_template_name"}


def check_tree(root: Any) -> None:
    """Refuse a branca element tree in which any data string could open a Jinja tag.

    Our own templates live in ``_template`` (skipped); everything else an element holds is
    data that branca may render through a template a second time.

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

    def scan(value: Any, owner: str) -> None:
        if isinstance(value, str):
            match = JINJA_OPENER.search(value)
            if match:
                start = max(match.start() - 30, 0)
                raise UnsafeTextError(
                    f"{owner} holds text that a template engine would run ({value[start:match.start() + 30]!r}); "
                    "user text must pass through chuanyu_geo._safe.inert — please report this as a bug"
                )
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
        for key, value in vars(element).items():
            if key in _SKIP:
                continue
            if hasattr(value, "_children"):  # a Figure's header, html and script are attributes
                visit(value)
            else:
                scan(value, owner)
        for child in getattr(element, "_children", {}).values():
            visit(child)

    visit(root.get_root() if hasattr(root, "get_root") else root)
