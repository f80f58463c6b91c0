"""Near-coincident vertices: the snapping distance, a cheap pre-check, and the snap itself."""

from __future__ import annotations

import numpy as np
import shapely

SNAP_ULPS = 32  # default snapping distance: this many units in the last place of the largest coordinate


def snap_distance(geoms: np.ndarray) -> float:
    """The default snapping distance of a layer: a few ULPs of its largest coordinate.

    Float noise from a round trip through another CRS moves a vertex by one or two ULPs
    (~2e-14 deg at longitude 105); 32 ULPs (~5e-13 deg, ~50 nm) merges such copies and
    nothing a surveyor drew apart.
    """
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
    rows, cols, offset = [], [], m
    for ox in (0.0, 0.5):
        for oy in (0.0, 0.5):
            key = np.floor(ux / cell + ox) + 1j * np.floor(uy / cell + oy)
            ids = np.unique(key, return_inverse=True)[1].ravel()
            rows.append(np.arange(m))
            cols.append(ids + offset)
            offset += int(ids.max()) + 1
    rows, cols = np.concatenate(rows), np.concatenate(cols)
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


def _has_near_duplicates(geoms: np.ndarray, distance: float) -> bool:
    """Whether two distinct vertices lie within ``distance`` in x or in y (cheap pre-check)."""
    xy = shapely.get_coordinates(geoms)
    for axis in (0, 1):
        values = np.unique(xy[:, axis])
        if len(values) > 1 and np.diff(values).min() <= distance:
            return True
    return False
