"""The colours of maps and figures, in one place: platform outlines, cluster fills, the border, data.

The data live in ``palette.toml`` (outlines, border, with the reasoning and sources), the plan
files (cluster fills) and ``maps.toml`` (choropleth classes, LISA colours). Figures read them
here; web maps can too. Nothing is loaded at import.

Examples
--------
>>> from chuanyu_geo import palette
>>> palette.platform_outline("suitong")
Outline(color='#01665e', dash='solid')
>>> palette.platform_outline("gaozhu").dash  # part of its units: dashed
'dashed'
>>> palette.cluster_fill("central")
'#1b9e77'
>>> palette.border().color
'#1a1a1a'
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

from ._errors import InvalidArgumentError, UnknownPlatformError, shown
from ._safe import check_color
from .sources import origin_of, read_package_toml

__all__ = [
    "Outline",
    "BorderLine",
    "platform_outline",
    "outlines_for",
    "cluster_fill",
    "border",
    "data_colors",
    "overlap_emphasis",
]

# Share of the smaller platform's area two footprints must have in common to count as
# overlapping (the larger gets a wide band under the outlines) ...
OVERLAP_SHARE = 0.01
# ... and to count as containing it (the container is hatched in figures).
CONTAIN_SHARE = 0.9


@dataclass(frozen=True)
class Outline:
    """How a platform's outline is drawn.

    Attributes
    ----------
    color : str
        ``#rrggbb``, its own within its cluster.
    dash : {"solid", "dashed"}
        ``dashed`` when the footprint is approximate (part of its units).
    """

    color: str
    dash: str


@dataclass(frozen=True)
class BorderLine:
    """The Sichuan–Chongqing border as figures draw it over data.

    Attributes
    ----------
    color : str
    dash : str
        A matplotlib line style name (``dashdot``).
    width : float
        Points.
    """

    color: str
    dash: str
    width: float


@functools.lru_cache(maxsize=1)
def _data() -> dict:
    origin = origin_of(None, "palette.toml")
    data = read_package_toml("palette.toml")
    for key, value in data["outlines"].items():
        check_color(value, f"{origin}, outline of {key!r}")
    for value in data["spare"]["colors"]:
        check_color(value, f"{origin}, spare outline colours")
    check_color(data["border"]["color"], f"{origin}, border")
    return data


def outlines_for(platform_set: Iterable) -> dict[str, Outline]:
    """Outline of every platform in a set, by platform id (a user's plan included).

    A platform listed in ``palette.toml`` keeps its colour; one that is not (a user's plan)
    gets the first spare colour its cluster does not use yet.

    Parameters
    ----------
    platform_set : iterable of Platform

    Returns
    -------
    dict of str to Outline

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> from chuanyu_geo.palette import outlines_for
    >>> sorted(outlines_for(cg.platforms(plan="2023")))[:3]
    ['chengxuanwan', 'chuannanyuxi', 'gaozhu']
    """
    listed = _data()["outlines"]
    spare = _data()["spare"]["colors"]
    chosen = list(platform_set)
    used: dict[str, set[str]] = {}
    for p in chosen:
        if p.id in listed:
            used.setdefault(p.cluster, set()).add(listed[p.id].lower())
    result = {}
    for p in chosen:
        color = listed.get(p.id)
        if color is None:
            taken = used.setdefault(p.cluster, set())
            free = [c for c in spare if c.lower() not in taken]
            # More new platforms in one cluster than spares: reuse in order (still drawn, named by label).
            color = free[0] if free else spare[len(taken) % len(spare)]
            taken.add(color.lower())
        result[p.id] = Outline(color, "dashed" if p.precision == "approximate" else "solid")
    return result


def platform_outline(platform_id: str, plan: str | None = None) -> Outline:
    """Outline colour and dash of one platform of a plan.

    Parameters
    ----------
    platform_id : str
        As in the plan's platform file (``luyongjiang``).
    plan : str, optional
        See :func:`chuanyu_geo.plans`; default the default plan.

    Returns
    -------
    Outline

    Examples
    --------
    >>> platform_outline("chuannanyuxi", plan="2023").color
    '#009988'
    """
    from .platforms import platforms

    outlines = outlines_for(platforms(plan=plan))
    if platform_id not in outlines:
        raise UnknownPlatformError(
            f"platform_id={shown(platform_id)} is not a platform of plan {plan!r}; "
            f"expected one of: {', '.join(outlines)}"
        )
    return outlines[platform_id]


def cluster_fill(cluster_id: str, plan: str | None = None) -> str:
    """Fill colour of a cluster's units, as its plan file gives it (ColorBrewer Dark2).

    Parameters
    ----------
    cluster_id : str
        ``northeast``, ``central`` or ``southwest`` in the built-in plans.
    plan : str, optional

    Returns
    -------
    str

    Examples
    --------
    >>> cluster_fill("southwest", plan="2023")
    '#7570b3'
    """
    from .platforms import clusters

    fills = {c.id: c.color for c in clusters(plan=plan)}
    if cluster_id not in fills:
        raise InvalidArgumentError(
            f"cluster_id={shown(cluster_id)} is unknown; expected one of: {', '.join(fills)}"
        )
    return fills[cluster_id]


def border() -> BorderLine:
    """The provincial border line of figures (near-black, dash-dot; distinct from every data colour).

    Examples
    --------
    >>> border().dash
    'dashdot'
    """
    raw = _data()["border"]
    return BorderLine(raw["color"], raw["dash"], float(raw["width"]))


def data_colors() -> dict[str, str]:
    """Every colour that carries data in a figure, by a name saying where it is used.

    Choropleth classes (every number of classes), LISA classes, the unit fills of the platform
    figure (cluster fills of every built-in plan, several clusters, no platform) and the two
    provinces of the adjacency figure.

    Returns
    -------
    dict of str to str

    Examples
    --------
    >>> colors = data_colors()
    >>> colors["lisa HH"], colors["no platform"]
    ('#d7191c', '#d9d9d9')
    """
    from ._style import config
    from .platforms import clusters, plan_ids

    maps = config()
    colors = {}
    for name, classes in maps["palettes"].items():
        for k, values in classes.items():
            for i, value in enumerate(values):
                colors[f"{name} k={k} class {i + 1}"] = value
    for key, value in maps["lisa"].items():
        colors[f"lisa {key}"] = value
    for plan in plan_ids():
        for c in clusters(plan=plan):
            colors[f"cluster {c.id}"] = c.color
    colors["several clusters"] = maps["style"]["several_clusters_color"]
    colors["no platform"] = maps["style"]["no_platform_color"]
    colors.update({f"province {k}": v for k, v in PROVINCE_FILLS.items()})
    return colors


# The two provinces on the adjacency figure (ColorBrewer RdPu 9 and Blues 9, lightest but one).
PROVINCE_FILLS = {"510000": "#fde0dd", "500000": "#deebf7"}


def overlap_emphasis(shapes: dict) -> tuple[set[str], set[str]]:
    """Which platforms a map draws with a wide band, and which it hatches, where they overlap.

    Parameters
    ----------
    shapes : dict
        Platform id -> its footprint (a shapely polygon, any one CRS for all).

    Returns
    -------
    (set of str, set of str)
        The larger platform of every pair sharing more than ``OVERLAP_SHARE`` of the
        smaller one's area (banded), and those sharing at least ``CONTAIN_SHARE`` of it
        (containers, hatched). Figures and web maps use the same rule.

    Examples
    --------
    >>> from shapely import box
    >>> overlap_emphasis({"big": box(0, 0, 4, 4), "small": box(1, 1, 2, 2), "apart": box(9, 9, 10, 10)})
    ({'big'}, {'big'})
    """
    band: set[str] = set()
    hatched: set[str] = set()
    ids = list(shapes)
    for n, a in enumerate(ids):
        for b in ids[n + 1 :]:
            small, large = sorted((a, b), key=lambda i: shapes[i].area)
            shared = shapes[a].intersection(shapes[b]).area
            if shared > OVERLAP_SHARE * shapes[small].area:
                band.add(large)
                if shared >= CONTAIN_SHARE * shapes[small].area:
                    hatched.add(large)
    return band, hatched
