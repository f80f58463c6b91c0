"""Near-coincident vertices: the snapping distance, a cheap pre-check, and the snap itself."""

from __future__ import annotations

import numpy as np
import shapely

SNAP_ULPS = 32  # default snapping distance: this many units in the last place of the largest coordinate


def snap_distance(geoms: np.ndarray, xy: np.ndarray | None = None) -> float:
    """The default snapping distance of a layer: a few ULPs of its largest coordinate.

    Float noise from a round trip through another CRS moves a vertex by one or two ULPs
    (~2e-14 deg at longitude 105); 32 ULPs (~5e-13 deg, ~50 nm) merges such copies and
    nothing a surveyor drew apart. ``xy``: the layer's vertices, when already read (their
    largest magnitude is that of the layer's bounds when all are finite).
    """
    if xy is not None and len(xy) and np.isfinite(xy).all():
        largest = float(np.abs(xy).max())
    else:
        bounds = shapely.total_bounds(geoms)
        largest = float(np.nanmax(np.abs(bounds))) if np.isfinite(bounds).all() else 1.0
    return SNAP_ULPS * float(np.spacing(max(largest, 1.0)))


def _snap_vertices(geoms: np.ndarray, distance: float) -> tuple[np.ndarray, int]:
    """Geometries whose vertices closer than ``distance`` (per axis) are made identical.

    Vertices are grouped by four grids of cell ``4 * distance`` offset by half a cell in x
    and y: two vertices within ``distance`` share a cell in at least one of them, and the
    groups of all four grids are joined (connected components). Each group takes its first
    vertex's coordinates. Returns the geometries and the number of vertices moved.
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    xy = shapely.get_coordinates(geoms)
    if len(xy) == 0:
        return geoms, 0
    unique, inverse = np.unique(xy[:, 0] + 1j * xy[:, 1], return_inverse=True)
    inverse = inverse.ravel()
    ux, uy = unique.real, unique.imag
    m, cell = len(unique), 4 * distance
    row_parts: list[np.ndarray] = []
    col_parts: list[np.ndarray] = []
    offset = m
    for ox in (0.0, 0.5):
        for oy in (0.0, 0.5):
            key = np.floor(ux / cell + ox) + 1j * np.floor(uy / cell + oy)
            ids = np.unique(key, return_inverse=True)[1].ravel()
            row_parts.append(np.arange(m))
            col_parts.append(ids + offset)
            offset += int(ids.max()) + 1
    rows, cols = np.concatenate(row_parts), np.concatenate(col_parts)
    graph = coo_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(offset, offset))
    _, labels = connected_components(graph, directed=False)
    labels = labels[:m]
    first = np.full(labels.max() + 1, m, dtype=np.int64)
    np.minimum.at(first, labels, np.arange(m))
    representative = first[labels]
    moved = representative != np.arange(m)
    if not moved.any():
        return geoms, 0
    snapped = np.stack([ux[representative], uy[representative]], axis=1)[inverse]
    out = shapely.set_coordinates(
        np.array(geoms, dtype=object).copy(), snapped
    )  # replaces the copy's elements
    # Two vertices of one ring may have merged: drop the repeated point.
    return shapely.remove_repeated_points(out), int(moved[inverse].sum())


def _has_near_duplicates(geoms: np.ndarray, distance: float, xy: np.ndarray | None = None) -> bool:
    """Whether two distinct vertices lie within ``distance`` of each other in x and in y.

    A pair that close has x values within ``distance`` (distinct ones) or equal x values
    and y values within ``distance``; so only the vertices whose x or y value has a distinct
    neighbour that close (sorted values, no argsort) are compared on both axes. On a clean
    layer that leaves a handful of vertices (x values alone collide by chance at 10^6
    cells, which made a one-axis check fire); a noisy layer fires at once.
    """
    if xy is None:
        xy = shapely.get_coordinates(geoms)
    if len(xy) < 2:
        return False
    suspects = np.zeros(len(xy), dtype=bool)
    for axis in (0, 1):
        values = np.sort(xy[:, axis])
        step = np.diff(values)
        close = np.nonzero((step > 0) & (step <= distance))[0]
        if len(close):
            near = np.unique(np.concatenate([values[close], values[close + 1]]))
            at = np.minimum(np.searchsorted(near, xy[:, axis]), len(near) - 1)
            suspects |= near[at] == xy[:, axis]
    if not suspects.any():
        return False
    if suspects.sum() > 10_000:  # float noise everywhere: the snap itself is the check
        return True
    # The few suspects, distinct, by x: a close pair lies within a short run in that order.
    points = np.unique(xy[suspects], axis=0)
    for offset in range(1, len(points)):
        dx = points[offset:, 0] - points[:-offset, 0]
        within = dx <= distance
        if not within.any():
            return False
        if (within & (np.abs(points[offset:, 1] - points[:-offset, 1]) <= distance)).any():
            return True
        if offset >= 64:  # a long run of equal x: let the snap itself decide
            return True
    return False
