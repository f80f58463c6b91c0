"""What a static map carries besides its data: projection, scale bar, north arrow, locator, labels,
and the neighbouring provinces as context.

The scale bar, north arrow and locator inset go into the corners of the map with the least data
under them (measured on the drawn polygons); labels are pushed apart until none overlap. The
provinces around the study area are drawn in light grey under everything, and named where a
name fits inside a province's visible part, clear of every other text and the inset.
"""

from __future__ import annotations

import numpy as np
import shapely

# Albers equal-area for the region (26–34°N, 102–110°E): standard parallels at one sixth of the
# latitude span from either end (the usual rule for a conic), centred on 106°E, 30°N.
ALBERS = "+proj=aea +lat_0=30 +lon_0=106 +lat_1=27.3 +lat_2=32.7 +datum=WGS84 +units=m +no_defs"
CRS_CHOICES = ("wgs84", "albers")
# The neighbouring provinces: lighter than any unit fill (no data, LISA "ns"), names in grey.
CONTEXT_FILL = "#f7f7f7"
CONTEXT_EDGE = "#c4c4c4"
CONTEXT_TEXT = "#8c8c8c"
CONTEXT_GID = "context-provinces"  # the collection's id: tests and users tell it from the units


class Projection:
    """Longitude/latitude as drawn (``wgs84``) or projected to the region's Albers (``albers``)."""

    def __init__(self, crs: str = "wgs84"):
        self.name = crs  # checked by the plot_* function (one of CRS_CHOICES)
        self._to = None
        if self.name == "albers":
            from pyproj import Transformer

            self._to = Transformer.from_crs("EPSG:4326", ALBERS, always_xy=True)

    def layer(self, frame):
        """A GeoDataFrame or GeoSeries in the map's coordinates."""
        return frame if self._to is None else frame.to_crs(ALBERS)

    def xy(self, lon, lat):
        """Map coordinates of longitudes and latitudes (arrays or scalars)."""
        if self._to is None:
            return lon, lat
        return self._to.transform(lon, lat)

    def geometry(self, geom):
        """A shapely geometry in the map's coordinates."""
        if self._to is None:
            return geom
        return shapely.transform(geom, lambda c: np.column_stack(self._to.transform(c[:, 0], c[:, 1])))

    def km_per_unit(self, mid_lat: float) -> float:
        """Kilometres per unit of x at the map's middle latitude."""
        return 111.320 * np.cos(np.radians(mid_lat)) if self._to is None else 0.001

    def ticks(self, ax, frame, font_size: float) -> None:
        """Degree labels along the bottom and left edges and a light graticule (projected maps)."""
        ax.set_xlabel("")  # geopandas names the CRS's axes; the degree labels say it all
        ax.set_ylabel("")
        if self._to is None:
            ax.set_axis_off()
            return
        from pyproj import Transformer

        back = Transformer.from_crs(ALBERS, "EPSG:4326", always_xy=True)
        minx, miny, maxx, maxy = frame
        corners = back.transform([minx, maxx, minx, maxx], [miny, miny, maxy, maxy])
        lon0, lon1 = np.floor(min(corners[0])), np.ceil(max(corners[0]))
        lat0, lat1 = np.floor(min(corners[1])), np.ceil(max(corners[1]))
        step = 2 if lon1 - lon0 > 6 else 1
        xticks, xlabels, yticks, ylabels = [], [], [], []
        for lon in np.arange(lon0, lon1 + 1, step):
            x, y = self.xy(np.full(200, lon), np.linspace(lat0 - 1, lat1 + 1, 200))
            ax.plot(x, y, color="#bbb", lw=0.4, zorder=0.5)
            crossing = np.interp(miny, y, x)  # the meridian rises monotonically
            if minx <= crossing <= maxx:
                xticks.append(crossing)
                xlabels.append(f"{lon:g}°E")
        for lat in np.arange(lat0, lat1 + 1, 1):
            x, y = self.xy(np.linspace(lon0 - 1, lon1 + 1, 200), np.full(200, lat))
            ax.plot(x, y, color="#bbb", lw=0.4, zorder=0.5)
            crossing = np.interp(minx, x, y)
            if miny <= crossing <= maxy:
                yticks.append(crossing)
                ylabels.append(f"{lat:g}°N")
        ax.set_xticks(xticks, xlabels, fontsize=max(font_size - 1.5, 5.5))
        ax.set_yticks(yticks, ylabels, fontsize=max(font_size - 1.5, 5.5))
        ax.tick_params(length=2, pad=1.5)
        ax.set_xlim(minx, maxx)
        ax.set_ylim(miny, maxy)
        for spine in ax.spines.values():
            spine.set_linewidth(0.5)
            spine.set_edgecolor("#666")


def _frame(ax, bounds, pad_fraction: float = 0.08) -> tuple[float, float, float, float]:
    """Frame the axes on ``bounds`` with a margin; the aspect stays the one the layer set."""
    minx, miny, maxx, maxy = bounds
    padx, pady = (maxx - minx) * pad_fraction, (maxy - miny) * pad_fraction
    frame = (minx - padx, miny - pady, maxx + padx, maxy + pady)
    ax.set_xlim(frame[0], frame[2])
    ax.set_ylim(frame[1], frame[3])
    return frame


def _line_xy(geometry) -> tuple[list[float], list[float]]:
    """x and y of (multi)line parts joined with NaN breaks, for one ``ax.plot`` call."""
    xs: list[float] = []
    ys: list[float] = []
    for part in shapely.get_parts(
        shapely.line_merge(geometry) if geometry.geom_type != "GeometryCollection" else geometry
    ):
        if part.geom_type not in ("LineString", "LinearRing"):
            continue
        coords = np.asarray(part.coords)
        xs.extend(coords[:, 0].tolist() + [np.nan])
        ys.extend(coords[:, 1].tolist() + [np.nan])
    return xs, ys


def _halo(width: float = 2.5):
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=width, foreground="white")]


def _corners_by_emptiness(ax, data_geoms, box_frac: tuple[float, float]) -> list[str]:
    """The four corners of the map, emptiest first: data area under a box of ``box_frac``
    (axes fractions) in each corner."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    w, h = (x1 - x0) * box_frac[0], (y1 - y0) * box_frac[1]
    boxes = {
        "lower left": (x0, y0, x0 + w, y0 + h),
        "lower right": (x1 - w, y0, x1, y0 + h),
        "upper left": (x0, y1 - h, x0 + w, y1),
        "upper right": (x1 - w, y1 - h, x1, y1),
    }
    geoms = np.asarray(data_geoms)
    covered = {
        k: float(shapely.area(shapely.intersection(geoms, shapely.box(*b))).sum()) for k, b in boxes.items()
    }
    return sorted(covered, key=lambda k: (covered[k], list(boxes).index(k)))


class Context:
    """The provinces around the study area on one map (display only: nothing is computed on them).

    Made right after the units are drawn, so the units stay the axes' first collection: the
    provinces are drawn then, under everything (low ``zorder``), and named by :meth:`name`
    once the map has its final size.
    """

    def __init__(self, ax, projection: Projection, lang: str, font_size: float):
        from .boundaries import context_layer

        self.ax, self.lang, self.font_size = ax, lang, font_size
        self.layer = projection.layer(context_layer())
        # aspect=None: the units' layer set the map's aspect; this one must not change it.
        self.layer.plot(
            ax=ax, color=CONTEXT_FILL, edgecolor=CONTEXT_EDGE, linewidth=0.4, zorder=0.2, aspect=None
        )
        ax.collections[-1].set_gid(CONTEXT_GID)

    def _text(self, row) -> str:
        from ._figure import _tr
        from ._safe import inert_figure_text

        return inert_figure_text(_tr(self.lang, row.short_name, row.pinyin, "\n"))

    def name(self, avoid: list) -> list:
        """Write each province's name where it fits: inside the province's visible part of the
        map, clear of the texts in ``avoid``, every other text and the inset. Returns the names."""
        ax, fig = self.ax, self.ax.figure
        renderer = fig.canvas.get_renderer()
        box = ax.get_window_extent(renderer)
        frame = shapely.box(box.x0 + 2, box.y0 + 2, box.x1 - 2, box.y1 - 2)
        to_display = ax.transData.transform
        obstacles = [t.get_window_extent(renderer) for t in [*ax.texts, *avoid] if t.get_text().strip()]
        obstacles += [c.get_window_extent(renderer) for c in ax.child_axes]
        # Lines drawn in axes coordinates: the scale bar.
        obstacles += [
            line.get_window_extent(renderer)
            for line in ax.lines
            if not line.get_transform().contains_branch(ax.transData)
        ]
        shown = []
        visible = [
            shapely.intersection(shapely.transform(g, to_display), frame) for g in self.layer.geometry.values
        ]
        for i in np.argsort([-v.area for v in visible], kind="stable"):
            if visible[i].is_empty:
                continue
            text = ax.text(
                0, 0, self._text(self.layer.iloc[i]), fontsize=max(self.font_size - 1, 5.5),
                fontstyle="italic", color=CONTEXT_TEXT, ha="center", va="center", zorder=0.6,
            )  # fmt: skip
            extent = text.get_window_extent(renderer)
            spot = _free_spot(visible[i], extent.width + 4, extent.height + 4, obstacles)
            if spot is None:
                text.remove()
                continue
            text.set_position(ax.transData.inverted().transform(spot))
            obstacles.append(text.get_window_extent(renderer))
            shown.append(text)
        return shown


def _free_spot(area, width: float, height: float, obstacles: list):
    """A point (display coordinates) where a ``width`` × ``height`` box centred on it lies
    inside ``area`` and off every obstacle box, or None: the box's free centres are ``area``
    eroded by half the box (in coordinates where the box is square), less the obstacles
    grown by half the box."""
    scale = height / width  # x scaled so that the box becomes a square of side ``height``
    squeezed = shapely.transform(area, lambda c: c * [scale, 1.0])
    half = height / 2
    # A mitre erosion by ``half`` falls short of the square's on slanted edges: √2 covers it.
    free = shapely.buffer(squeezed, -half * 1.42, join_style="mitre")
    for b in obstacles:
        free = free.difference(
            shapely.box(b.x0 * scale - half, b.y0 - half, b.x1 * scale + half, b.y1 + half)
        )
    if free.is_empty or free.area <= 0:
        return None
    from shapely.ops import polylabel

    largest = max(shapely.get_parts(free), key=lambda g: g.area)
    spot = polylabel(largest, tolerance=0.5)
    x, y = spot.x / scale, spot.y
    box = shapely.box(x - width / 2, y - height / 2, x + width / 2, y + height / 2)
    return (x, y) if area.buffer(0.5).contains(box) else None


def place_furniture(
    fig, ax, data_geoms, projection: Projection, vintage: str, frame, font_size: float, context=None
) -> list:
    """Locator inset (the two provinces of ``vintage``), north arrow and scale bar, each in the
    emptiest free corner of the map, then the names of the ``context`` provinces (a
    :class:`Context`) where they fit.

    Returns the texts (scale-bar length, "N", province names) that labels must keep clear of.
    """
    from .boundaries import load_boundaries

    provinces = projection.layer(load_boundaries("province", vintage, "standard"))
    ax.apply_aspect()
    box = ax.get_window_extent(fig.canvas.get_renderer())
    inch = fig.dpi
    # The locator: about 0.85 in wide, never more than a quarter of the map.
    loc_w = min(0.85 * inch, 0.25 * box.width) / box.width
    minx, miny, maxx, maxy = provinces.total_bounds
    loc_h = min(loc_w * box.width * (maxy - miny) / (maxx - minx) / box.height, 0.35)
    order = _corners_by_emptiness(ax, data_geoms, (loc_w, loc_h))
    _locator(fig, ax, provinces, frame, order[0], (loc_w, loc_h))
    rest = [c for c in order if c != order[0]]
    arrow_frac = (0.3 * inch / box.width, 0.5 * inch / box.height)
    arrow_at = _corners_by_emptiness(ax, data_geoms, arrow_frac)
    arrow_corner = next(c for c in arrow_at if c in rest)
    rest.remove(arrow_corner)
    texts = [_north_arrow(ax, arrow_corner, font_size)]
    bar_at = _corners_by_emptiness(ax, data_geoms, (0.3, 0.3 * inch / box.height))
    texts.append(_scale_bar(ax, projection, next(c for c in bar_at if c in rest), font_size))
    if context is not None:
        texts += context.name(texts)
    return texts


def _scale_bar(ax, projection: Projection, corner: str = "lower left", font_size: float = 8.0):
    """A bar of a round length in km, sized for the map's middle latitude; returns its label."""
    from matplotlib.transforms import blended_transform_factory

    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    mid_lat = 30.0
    if projection.name == "wgs84":
        mid_lat = (y0 + y1) / 2
    km_per_unit = projection.km_per_unit(mid_lat)
    target = (x1 - x0) * km_per_unit / 5
    length = max(v for v in (10, 20, 50, 100, 200, 500) if v <= max(target, 10))
    span = length / km_per_unit / (x1 - x0)  # in axes fraction
    left = 0.03 if "left" in corner else 0.97 - span
    bottom = 0.03 if "lower" in corner else 0.93
    trans = blended_transform_factory(ax.transAxes, ax.transAxes)
    ax.plot(
        [left, left + span], [bottom, bottom], transform=trans, color="black", lw=2.5, solid_capstyle="butt"
    )
    return ax.text(
        left + span / 2,
        bottom + 0.012,
        f"{length} km",
        transform=trans,
        ha="center",
        va="bottom",
        fontsize=max(font_size - 1, 6),
    )


def _north_arrow(ax, corner: str = "upper right", font_size: float = 8.0):
    x = 0.035 if "left" in corner else 0.965
    top = 0.97 if "upper" in corner else 0.17
    return ax.annotate(
        "N",
        xy=(x, top),
        xytext=(x, top - 0.1),
        xycoords="axes fraction",
        ha="center",
        va="center",
        fontsize=font_size + 1,
        fontweight="bold",
        arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.2},
    )


def _locator(fig, ax, provinces, frame, corner: str = "lower right", size=(0.21, 0.21)) -> None:
    """A small inset of Sichuan and Chongqing with the framed area outlined."""
    import matplotlib.patches as mpatches

    from ._figure import _no_mathtext

    w, h = size
    x = 0.01 if "left" in corner else 0.99 - w
    y = 0.01 if "lower" in corner else 0.99 - h
    inset = ax.inset_axes([x, y, w, h])
    _no_mathtext(fig)  # geopandas draws the figure once when it plots: the labels are already there
    provinces.plot(ax=inset, color=["#e8e8e8", "#d0d0d0"], edgecolor="#888", linewidth=0.3)
    inset.add_patch(
        mpatches.Rectangle(
            (frame[0], frame[1]), frame[2] - frame[0], frame[3] - frame[1], fill=False, ec="#1a1a1a", lw=0.9
        )
    )
    inset.set_xticks([])
    inset.set_yticks([])
    inset.set_xlabel("")
    inset.set_ylabel("")
    inset.set_facecolor("white")
    for spine in inset.spines.values():
        spine.set_edgecolor("#999")
        spine.set_linewidth(0.5)


def _declutter(ax, texts: list, step_pt: float = 3.0, rounds: int = 200, fixed: list | None = None) -> None:
    """Move annotation labels apart until no two of their boxes overlap (measured, not guessed).

    Each label is an ``annotate`` with an offset in points; overlapping pairs are pushed
    apart along the line between their centres, a few points per round, and a thin leader
    line is drawn from a moved label to its anchor. ``fixed`` texts (scale bar, north arrow)
    do not move: labels are pushed off them.
    """
    from ._figure import _no_mathtext

    fig = ax.figure
    _no_mathtext(fig)  # measuring a label parses it
    renderer = fig.canvas.get_renderer()

    def box(text):
        # The text's extent plus its rounded box (pad 0.2 em) and a hair of space.
        pad = 0.35 * text.get_fontsize() * fig.dpi / 72
        return text.get_window_extent(renderer).padded(pad)

    def push(text, dx, dy, sign):
        norm = (dx * dx + dy * dy) ** 0.5
        ox, oy = text.xyann
        text.xyann = (ox + sign * step_pt * dx / norm, oy + sign * step_pt * dy / norm)

    obstacles = [box(t) for t in fixed or []]
    for _ in range(rounds):
        boxes = [box(t) for t in texts]
        moved = False
        for i in range(len(texts)):
            for j in range(i + 1, len(texts)):
                if not boxes[i].overlaps(boxes[j]):
                    continue
                (xi, yi), (xj, yj) = boxes[i].get_points().mean(axis=0), boxes[j].get_points().mean(axis=0)
                dx, dy = xj - xi, yj - yi
                if abs(dx) < 1e-6 and abs(dy) < 1e-6:
                    dx, dy = 0.0, 1.0
                push(texts[i], dx, dy, -1)
                push(texts[j], dx, dy, 1)
                moved = True
            for obstacle in obstacles:
                if boxes[i].overlaps(obstacle):
                    (xi, yi), (xo, yo) = (
                        boxes[i].get_points().mean(axis=0),
                        obstacle.get_points().mean(axis=0),
                    )
                    dx, dy = xo - xi, yo - yi
                    push(texts[i], dx, dy, -1) if (dx or dy) else push(texts[i], 0.0, 1.0, 1)
                    moved = True
        if not moved:
            break
    for text in texts:
        if text.xyann != (0, 0):
            ax.annotate(
                "",
                text.xy,
                xytext=text.xyann,
                textcoords="offset points",
                arrowprops={"arrowstyle": "-", "color": "#555", "lw": 0.6, "shrinkA": 0, "shrinkB": 0},
            )
