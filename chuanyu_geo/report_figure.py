"""The report's platform map as an inline SVG figure: drawn from the geometries, without matplotlib.

Units take their cluster's colour, each platform its outline (dashed where approximate), the
Sichuan–Chongqing border its dash-dot line, as in :func:`chuanyu_geo.plot_platforms`; the
legend and caption are HTML under the drawing. It costs a few milliseconds (no figure library
is imported), prints with the page and needs no network. Names from data pass
:func:`chuanyu_geo._safe.inert`.
"""

from __future__ import annotations

import math

import numpy as np
import shapely

from ._safe import inert
from ._style import config, unit_color
from .boundaries import load_boundaries, province_border
from .palette import border, outlines_for
from .platforms import platform_set_of, platforms_by_unit

__all__ = ["platform_figure"]

WIDTH = 900  # viewBox width in px; the page scales it to its column
# Detail finer than this many px is invisible at the page's width and only makes it heavier.
SIMPLIFY_PX = 2.0
_DASHES = {"solid": "", "dashed": "7 4", "dashdot": "9 3 2 3", "dotted": "2 3"}


class _Projection:
    """Longitude/latitude to SVG pixels: equirectangular, true to scale at the frame's middle."""

    def __init__(self, frame: tuple[float, float, float, float]):
        self.minx, self.miny, self.maxx, self.maxy = frame
        self.kx = math.cos(math.radians((self.miny + self.maxy) / 2))
        self.scale = WIDTH / ((self.maxx - self.minx) * self.kx)
        self.height = round((self.maxy - self.miny) * self.scale)

    def xy(self, coords: np.ndarray) -> np.ndarray:
        x = (coords[:, 0] - self.minx) * self.kx * self.scale
        y = (self.maxy - coords[:, 1]) * self.scale
        return np.column_stack([x, y])

    def geometries(self, geometries) -> np.ndarray:
        """Geometries in pixels, cut to the frame."""
        projected = shapely.transform(np.asarray(geometries, dtype=object), self.xy)
        return shapely.clip_by_rect(projected, 0, 0, WIDTH, self.height)


def _path(geometry) -> str:
    """SVG path data of a (multi)polygon or (multi)line in pixels: whole-pixel relative steps."""
    parts = []
    for part in shapely.get_parts(geometry):
        if part.geom_type == "Polygon":
            rings, close = [part.exterior, *part.interiors], "z"
        elif part.geom_type == "LineString":
            rings, close = [part], ""
        else:
            continue
        for ring in rings:
            xy = np.rint(np.asarray(ring.coords)).astype(int)
            steps = np.diff(xy, axis=0)
            steps = steps[(steps != 0).any(axis=1)]  # points that rounding merged
            if len(steps) == 0:
                continue
            parts.append(f"M{xy[0, 0]} {xy[0, 1]}l" + " ".join(f"{dx} {dy}" for dx, dy in steps) + close)
    return "".join(parts)


def _lines(projection: _Projection, geometry):
    """A line in pixels, cut to the frame and simplified to about a pixel."""
    return shapely.simplify(projection.geometries([geometry])[0], SIMPLIFY_PX / 2)


def _place_labels(labels: list[dict], width: float, height: float) -> None:
    """Move a label down (then up) until its box overlaps no label placed before it."""
    placed: list[tuple[float, float, float, float]] = []
    for label in labels:
        w, h = label["w"], label["h"]
        for shift in (0, 1, -1, 2, -2, 3, -3):
            x, y = label["x"], label["y"] + shift * h
            box = (x - w / 2, y - h / 2, x + w / 2, y + h / 2)
            if not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in placed):
                break
        label["x"] = min(max(x, w / 2 + 2), width - w / 2 - 2)
        label["y"] = min(max(y, h / 2 + 2), height - h / 2 - 2)
        placed.append(box)


def _label(label: dict, color: str) -> str:
    """A platform's name at its place: Chinese, and English under it."""
    x, y, platform = f"{label['x']:.1f}", f"{label['y']:.1f}", label["p"]
    english = (
        f'<tspan x="{x}" dy="17" font-size="14">{inert(platform.short_name_en)}</tspan>'
        if platform.short_name_en
        else ""
    )
    return (
        f'<text x="{x}" y="{y}" text-anchor="middle" fill="{inert(color)}">'
        f'<tspan x="{x}" dy="{-4 if english else 6}" font-size="19" font-weight="700">'
        f"{inert(platform.short_name)}</tspan>{english}</text>"
    )


def _swatch(fill: str | None = None, stroke: str | None = None, dash: str = "") -> str:
    if fill is not None:
        return (
            f'<svg viewBox="0 0 16 9" aria-hidden="true">'
            f'<rect width="16" height="9" fill="{inert(fill)}"/></svg>'
        )
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<svg viewBox="0 0 16 9" aria-hidden="true"><line x1="0" y1="4.5" x2="16" y2="4.5" '
        f'stroke="{inert(stroke)}" stroke-width="2"{dashes}/></svg>'
    )


def platform_figure(level: str, vintage: str, plan: str | None = None, map_link: str | None = None) -> str:
    """The platforms of ``plan`` on the ``level`` units of ``vintage`` as an HTML ``<figure>``.

    Parameters
    ----------
    level : {"county", "partner"}
    vintage : str
    plan : str, optional
        A plan id; default the 2020 plan.
    map_link : str, optional
        Already-checked relative link to the interactive map, named in the caption.

    Returns
    -------
    str
        Inert HTML: an inline SVG, its legend and caption.

    Examples
    --------
    >>> html = platform_figure("county", "2024")
    >>> html.startswith('<figure class="map"') and "遂潼" in html and "<script" not in html
    True
    """
    chosen = platform_set_of(None, plan)
    layer = load_boundaries(level, vintage, "standard")
    member_of = platforms_by_unit(chosen, level, vintage)
    outlines = outlines_for(chosen)
    footprints = {p.id: p.footprint(level, vintage, "standard") for p in chosen}
    shapes = {key: fp.geometry.iloc[0] for key, fp in footprints.items()}
    minx, miny, maxx, maxy = shapely.total_bounds(list(shapes.values()))
    pad = 0.06 * max(maxx - minx, maxy - miny)
    frame = (minx - pad, miny - pad, maxx + pad, maxy + pad)
    projection = _Projection(frame)
    box = shapely.box(*frame)

    style = config()["style"]
    shown = layer[shapely.intersects(layer.geometry.values, box)]
    # The units simplified together (shared borders stay shared), to about 2 px.
    unit_shapes = shapely.coverage_simplify(projection.geometries(shown.geometry.values), SIMPLIFY_PX)
    units = "".join(
        f'<path d="{_path(geom)}" fill="{inert(unit_color(member_of.get(code, [])))}">'
        f"<title>{inert(name)}</title></path>"
        for code, name, geom in zip(shown["adcode"], shown["name"], unit_shapes)
    )
    lines, labels = [], []
    # Largest first: a smaller platform's line lies on top of a larger one's.
    for platform in sorted(chosen, key=lambda p: -shapes[p.id].area):
        outline = outlines[platform.id]
        approximate = footprints[platform.id]["precision"].iloc[0] == "approximate"
        d = _path(_lines(projection, shapes[platform.id].boundary))
        dash = f' stroke-dasharray="{_DASHES["dashed"]}"' if approximate else ""
        lines.append(
            f"<g><title>{inert(platform.short_name)} {inert(platform.short_name_en)}</title>"
            f'<path d="{d}" fill="none" stroke="#fff" stroke-width="4.5" stroke-linejoin="round"/>'
            f'<path d="{d}" fill="none" stroke="{inert(outline.color)}" stroke-width="2.2"'
            f' stroke-linejoin="round"{dash}/></g>'
        )
        spot = projection.xy(np.asarray(shapely.point_on_surface(shapes[platform.id]).coords))[0]
        zh, en = platform.short_name, platform.short_name_en
        width = max(len(zh) * 19, len(en) * 8.5) + 6
        labels.append({"x": spot[0], "y": spot[1], "w": width, "h": 40 if en else 22, "p": platform})
    _place_labels(labels, WIDTH, projection.height)
    texts = "".join(_label(lab, outlines[lab["p"].id].color) for lab in labels)
    line = border()
    border_dash = _DASHES.get(line.dash, "")
    border_path = (
        f'<path d="{_path(_lines(projection, province_border(vintage)))}" fill="none" '
        f'stroke="{inert(line.color)}" stroke-width="{line.width * 1.3:.1f}"'
        + (f' stroke-dasharray="{border_dash}"' if border_dash else "")
        + "/>"
    )
    the_plan = chosen[0].plan if chosen else ""
    title = f"川渝毗邻地区功能平台（{the_plan} 方案） Cross-border platforms (plan {the_plan})"
    svg = (
        f'<svg viewBox="0 0 {WIDTH} {projection.height}" role="img" aria-labelledby="map-title" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="map-title">{inert(title)}</title>'
        f'<g stroke="#8a8a8a" stroke-width="0.5" fill-opacity="0.75" stroke-linejoin="round">{units}</g>'
        f"{''.join(lines)}{border_path}{texts}</svg>"
    )
    clusters: dict[str, tuple[str, str]] = {}
    for p in chosen:
        clusters.setdefault(
            p.cluster, (p.cluster_color, f"{p.cluster_name} {p.cluster_name_en or p.cluster}")
        )
    legend = [f"<li>{_swatch(fill=color)} {inert(name)}</li>" for color, name in clusters.values()]
    legend += [
        f"<li>{_swatch(fill=style['several_clusters_color'])} 多个片区 several clusters</li>",
        f"<li>{_swatch(fill=style['no_platform_color'])} 无平台 no platform</li>",
        f"<li>{_swatch(stroke='#333')} 平台范围 platform footprint</li>",
        f"<li>{_swatch(stroke='#333', dash=_DASHES['dashed'])} 近似范围 approximate footprint</li>",
        f"<li>{_swatch(stroke=line.color, dash=border_dash)} 川渝省界 Sichuan–Chongqing border</li>",
    ]
    source = inert(f"{layer.attrs.get('source', '')}".strip())
    interactive = (
        f' 交互地图 Interactive map: <a href="{inert(map_link)}">{inert(map_link)}</a>.' if map_link else ""
    )
    caption = (
        f"{inert(title)}. {inert(level)} units, vintage {inert(vintage)}"
        + (f", {source}" if source else "")
        + f"; standard detail, WGS84.{interactive}"
    )
    return (
        f'<figure class="map" id="map">{svg}<figcaption><ul class="legend">{"".join(legend)}</ul>'
        f"{caption}</figcaption></figure>"
    )
