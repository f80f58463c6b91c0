"""Shared lines of polygon pairs from their collinear boundary segments, on arrays (no overlay per pair)."""

from __future__ import annotations

import numpy as np
import shapely

from ..coords import _GEOD
from ._arrays import _is_in
from .budget import _pair_budget
from .convex import _orientation_sign
from .frame import _Frame
from .matching import _ring_coordinates

_CHUNK_SEGMENTS = 1 << 18  # query segments per chunk of the bulk query


def shared_line_km(
    geoms: np.ndarray, a: np.ndarray, b: np.ndarray, frame: _Frame
) -> tuple[np.ndarray, np.ndarray] | None:
    """Length (km, on the ellipsoid) of the line each pair of polygons ``a[k]``, ``b[k]`` shares.

    What ``boundary(a) ∩ boundary(b)`` measures, without an overlay per pair: two boundaries
    share a line exactly where a segment of one lies on the same line as a segment of the
    other and their extents overlap; the piece shared runs between two of their end
    points. Segments that might share a line are found with one bulk query of their bounding
    boxes; whether they are collinear is decided by orientation determinants whose rounding
    error is bounded (as in GEOS's own robust predicates).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray) or None
        The km per pair, and the pairs doubles could not decide (segments all but
        collinear): the caller measures those with GEOS. ``None`` when the segments' boxes
        meet too often for the bulk query (long segments across crowded ones): the caller
        measures every pair with GEOS.
    """
    n = len(geoms)
    pair_keys = np.minimum(a, b) * n + np.maximum(a, b)
    order = np.argsort(pair_keys, kind="stable")
    sorted_keys = pair_keys[order]
    km = np.zeros(len(a))
    undecided = np.zeros(len(a), dtype=bool)
    if not len(a):
        return km, undecided
    rows = np.unique(np.concatenate([a, b]))
    xy, local_owner, ring, _ = _ring_coordinates(geoms[rows], orientation=False)
    start = np.nonzero(ring[1:] == ring[:-1])[0]
    p0, p1 = xy[start], xy[start + 1]
    proper = (p0[:, 0] != p1[:, 0]) | (p0[:, 1] != p1[:, 1])
    start, p0, p1 = start[proper], p0[proper], p1[proper]
    owner = rows[local_owner[start]]
    segments = np.asarray(shapely.linestrings(np.stack([p0, p1], axis=1)), dtype=object)
    tree = shapely.STRtree(segments)
    # Chunks of query segments, each filtered at once to the few pairs of different owners
    # that form a wanted pair: memory stays that of a chunk's candidates.
    budget, total, found_i, found_j = 2 * _pair_budget(len(segments)), 0, [], []
    for first in range(0, len(segments), _CHUNK_SEGMENTS):
        i, j = tree.query(segments[first : first + _CHUNK_SEGMENTS])
        total += len(i)
        if total > budget:  # long segments over crowded ones: GEOS measures the pairs instead
            return None
        i += first
        keep = owner[i] < owner[j]
        i, j = i[keep], j[keep]
        wanted = _is_in(owner[i] * n + owner[j], sorted_keys)
        found_i.append(i[wanted])
        found_j.append(j[wanted])
    i, j = np.concatenate(found_i), np.concatenate(found_j)
    keys = owner[i] * n + owner[j]
    # Where each end of segment j lies against segment i's line: 0 exactly on it, 1 or -1
    # certainly off it, 2 when doubles cannot tell (those pairs go to GEOS).
    side0 = _orientation_sign(p0[i], p1[i], p0[j])
    side1 = _orientation_sign(p0[i], p1[i], p1[j])
    pair = order[np.searchsorted(sorted_keys, keys)]
    undecided[pair[((side0 == 2) | (side1 == 2)) & (np.abs(side0) != 1) & (np.abs(side1) != 1)]] = True
    collinear = (side0 == 0) & (side1 == 0)
    i, j, pair = i[collinear], j[collinear], pair[collinear]
    # Along the line's longer axis, the overlap of the two segments' extents; its ends are
    # end points of one segment or the other, on both.
    d = np.abs(p1[i] - p0[i])
    axis = (d[:, 1] > d[:, 0]).astype(np.intp)
    rows_ = np.arange(len(i))
    ends = np.stack([p0[i], p1[i], p0[j], p1[j]], axis=1)  # (m, 4, 2)
    u = ends[rows_[:, None], np.arange(4)[None, :], axis[:, None]]  # (m, 4)
    low_i = np.argmin(u[:, :2], axis=1)
    low_j = 2 + np.argmin(u[:, 2:], axis=1)
    high_i = 1 - low_i
    high_j = 5 - low_j
    low = np.where(u[rows_, low_i] >= u[rows_, low_j], low_i, low_j)
    high = np.where(u[rows_, high_i] <= u[rows_, high_j], high_i, high_j)
    shared = u[rows_, high] > u[rows_, low]
    rows_, low, high, pair = rows_[shared], low[shared], high[shared], pair[shared]
    start_xy, end_xy = ends[rows_, low], ends[rows_, high]
    lon, lat = frame.lonlat(
        np.concatenate([start_xy[:, 0], end_xy[:, 0]]), np.concatenate([start_xy[:, 1], end_xy[:, 1]])
    )
    m = len(rows_)
    _, _, metres = _GEOD.inv(lon[:m], lat[:m], lon[m:], lat[m:])
    km += np.bincount(pair, weights=np.asarray(metres, dtype=float), minlength=len(a)) / 1e3
    return km, undecided
