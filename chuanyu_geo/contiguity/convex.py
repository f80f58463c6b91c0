"""Exact certificates that spare GEOS work: strictly convex rings (valid polygons), outer chains
kept off a convex polygon by the line of one of its edges, and the orientation predicate they
share with the collinear-segment path."""

from __future__ import annotations

import numpy as np
import shapely

# Shewchuk's bound on the rounding error of a 2D orientation determinant computed in doubles
# ((3 + 16 eps) eps, eps = 2^-53): a larger determinant has the sign of the exact one.
_ORIENT_ERROR = (3.0 + 16.0 * 2.0**-53) * 2.0**-53
_MOST_VERTICES = 64  # rings and chains this short are certified; longer ones are left to GEOS


def _cross_sign(ux: np.ndarray, uy: np.ndarray, vx: np.ndarray, vy: np.ndarray) -> np.ndarray:
    """Sign of the cross product ``u x v`` of difference vectors (each coordinate one rounded
    difference of doubles): 1 or -1 when certain, 0 when exactly zero, 2 when doubles cannot
    tell. The orientation determinant of three points, pivoted at one of them."""
    with np.errstate(over="ignore", invalid="ignore"):  # inf and NaN: undecided, GEOS decides
        left, right = ux * vy, uy * vx
        det = left - right
    sign = np.full(len(det), 2, dtype=np.int8)
    # A difference of doubles is zero only when they are equal, so a factor of each product
    # being zero makes the exact determinant zero; NaN compares unequal and stays undecided.
    on = ((ux == 0) | (vy == 0)) & ((uy == 0) | (vx == 0)) & np.isfinite(det)
    sure = np.abs(det) > _ORIENT_ERROR * (np.abs(left) + np.abs(right))
    sign[sure] = np.sign(det[sure]).astype(np.int8)
    sign[on] = 0
    return sign


def _strict_turns(
    ux: np.ndarray, uy: np.ndarray, vx: np.ndarray, vy: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Whether ``u x v`` is certainly positive (a left turn from ``u`` to ``v``), and whether
    certainly negative: beyond the error bound, the computed sign is the exact one."""
    with np.errstate(over="ignore", invalid="ignore"):  # inf and NaN: neither, GEOS decides
        left, right = ux * vy, uy * vx
        det = left - right
        bound = _ORIENT_ERROR * (np.abs(left) + np.abs(right))
        return det > bound, -det > bound


def _orientation_sign(p: np.ndarray, q: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Per row, where ``c`` lies against the line from ``p`` to ``q``: 1 certainly left, -1
    certainly right, 0 exactly on it, 2 when doubles cannot tell (rows of points)."""
    return _cross_sign(p[:, 0] - c[:, 0], p[:, 1] - c[:, 1], q[:, 0] - c[:, 0], q[:, 1] - c[:, 1])


def _convex_rows(geoms: np.ndarray, xy: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows that are certainly valid polygons, being strictly convex, and whether each runs CCW.

    ``xy`` holds the rows' coordinates in order (``shapely.get_coordinates``), ``counts``
    each row's number. A row is certified when it is a Polygon without holes of 4 to
    ``_MOST_VERTICES`` finite coordinates whose every turn (the closing vertex's too) is
    certainly to the left, or every one certainly to the right, and whose edge directions
    turn once round: the upper half-plane of directions (``dy > 0``, or ``dy == 0`` and
    ``dx > 0``, signs of differences, so exact) is entered and left exactly once.

    Why that is a valid polygon: every turn strictly one way with non-zero edges turns each
    edge's direction by an angle strictly between 0 and pi, so the directions rotate
    monotonically; a step under pi crosses at most one of the two boundaries of the
    half-planes (0 and pi apart), so the changes count two per full rotation, and two
    changes mean one rotation: total turning 2 pi with every turn one way is a convex
    simple closed polygon (the equality case of Fenchel's theorem). A simple ring of at
    least three distinct vertices, finite and not collinear, is what GEOS's ``is_valid``
    accepts for a polygon without holes; every other row is left to ``is_valid``.
    """
    n = len(geoms)
    convex, ccw = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    chosen = (
        (counts >= 4)
        & (counts <= _MOST_VERTICES)
        & (shapely.get_type_id(geoms) == shapely.GeometryType.POLYGON)
        & (shapely.get_num_interior_rings(geoms) == 0)
    )
    rows = np.nonzero(chosen)[0]
    if not len(rows):
        return convex, ccw
    # The chosen rings' coordinates, one after another (no copy when every row is chosen).
    mine = xy if len(rows) == n else xy[np.repeat(chosen, counts)]
    size = counts[rows].astype(np.int64)
    start = np.r_[0, np.cumsum(size)[:-1]]
    last = start + size - 2  # each ring's last edge (edge j runs from coordinate j to j + 1)
    with np.errstate(over="ignore", invalid="ignore"):  # inf and NaN rows are left to GEOS
        dx, dy = np.diff(mine[:, 0]), np.diff(mine[:, 1])
        # x + y is finite only when both are (a sum overflowing to inf leaves a row to GEOS).
        finite = np.logical_and.reduceat(np.isfinite(mine[:, 0] + mine[:, 1]), start)
    # Turn j is from edge j to edge j + 1; the two turns through the edge from one ring's
    # closing coordinate to the next ring's first are not turns (neutral below), and each
    # ring's closing turn (last edge to first edge) is computed apart.
    left, right = _strict_turns(dx[:-1], dy[:-1], dx[1:], dy[1:])
    close_left, close_right = _strict_turns(dx[last], dy[last], dx[start], dy[start])
    upper = (dy > 0) | ((dy == 0) & (dx > 0))
    change = upper[:-1] != upper[1:]
    between = np.concatenate([last, last + 1])
    between = between[between < len(left)]
    left[between], right[between], change[between] = True, True, False
    all_left = np.logical_and.reduceat(left, start) & close_left
    all_right = np.logical_and.reduceat(right, start) & close_right
    changes = np.add.reduceat(change.astype(np.int64), start) + (upper[last] != upper[start])
    convex[rows] = finite & (all_left | all_right) & (changes == 2)
    ccw[rows] = all_left
    return convex, ccw


def _kept_off(
    xy: np.ndarray,
    chain_first: np.ndarray,
    chain_last: np.ndarray,
    ring_first: np.ndarray,
    ring_count: np.ndarray,
    ccw: np.ndarray,
) -> np.ndarray:
    """Per pair of a chain and a strictly convex polygon, whether the chain's inside certainly
    misses the polygon (what ``relate_pattern(polygon, chain, "F**F*****")`` answers).

    Chain ``k`` is ``xy[chain_first[k] : chain_last[k] + 1]``; its polygon's ring is
    ``xy[ring_first[k] : ring_first[k] + ring_count[k]]``, running CCW when ``ccw[k]``.
    Longer chains or rings than ``_MOST_VERTICES`` are not certified (``False``).

    A convex polygon lies in the closed half-plane on its interior's side of every edge's
    line. When, for one edge, every vertex of the chain lies certainly on the other side,
    except its two end points (of an open chain), which may lie on the line, and at least
    one lies certainly on the other side, then every point of the chain but its end points
    lies strictly on the other side: it is a vertex of the chain, or inside a segment with
    one end strictly there and the other there or on the line (the side is an affine sign
    along a segment). The chain's inside (a closed chain has no end points, GEOS's
    mod-2 boundary) then misses the polygon, its boundary and inside alike. Otherwise the
    pair is not certified and GEOS decides, so a certificate only ever skips a pair GEOS
    would clear.
    """
    vertices = chain_last - chain_first + 1
    edges = ring_count - 1
    fit = (vertices <= _MOST_VERTICES) & (edges <= _MOST_VERTICES) & (edges >= 3)
    certified = np.zeros(len(vertices), dtype=bool)
    pairs = np.nonzero(fit)[0]
    if not len(pairs):
        return certified
    e, v = edges[pairs], vertices[pairs]
    # One row per (pair, edge, chain vertex), a pair's rows edge by edge.
    per_pair = e * v
    of = np.repeat(np.arange(len(pairs)), per_pair)  # the row's pair, numbered among ``pairs``
    local = np.arange(len(of)) - np.repeat(np.r_[0, np.cumsum(per_pair)[:-1]], per_pair)
    edge_no, at = np.divmod(local, v[of])
    pair = pairs[of]
    p = ring_first[pair] + edge_no
    c = chain_first[pair] + at
    x, y = xy[:, 0], xy[:, 1]
    # The orientation determinant pivoted at the chain's vertex: one of the edge's ends
    # equal to it makes a difference vector zero, so a shared vertex is exactly on the line.
    cx, cy = x[c], y[c]
    sign = _cross_sign(x[p] - cx, y[p] - cy, x[p + 1] - cx, y[p + 1] - cy)
    outside = sign == np.where(ccw[pair], -1, 1)
    head, tail = chain_first[pairs], chain_last[pairs]
    closed = (x[head] == x[tail]) & (y[head] == y[tail])
    end = ((at == 0) | (at == v[of] - 1)) & ~closed[of]
    allowed = outside | (end & (sign == 0))
    starts = np.nonzero(at == 0)[0]  # each (pair, edge) from its chain's first vertex
    separating = np.logical_and.reduceat(allowed, starts) & np.logical_or.reduceat(outside, starts)
    certified[pairs] = np.logical_or.reduceat(separating, np.r_[0, np.cumsum(e)[:-1]])
    return certified
