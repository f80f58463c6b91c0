"""Contacts of a valid coverage by matching identical vertices and segments, and its coverage rules."""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from ..coords import segment_lengths_m
from ._arrays import _Contacts, _is_in, _unique_ints
from .budget import _pair_budget, _query_pairs, _Stacked
from .frame import _Frame


def _ring_coordinates(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """All ring vertices with their owning row and ring number, and per ring whether the
    polygon's interior lies to the left of the ring as it is walked (a CCW shell, a CW hole)."""
    parts, part_owner = shapely.get_parts(geoms, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    xy, ring_of_vertex = shapely.get_coordinates(rings, return_index=True)
    owner = part_owner[ring_part][ring_of_vertex]
    shell = np.r_[True, ring_part[1:] != ring_part[:-1]] if len(ring_part) else np.zeros(0, dtype=bool)
    return xy, owner, ring_of_vertex, shapely.is_ccw(rings) == shell


def _pairs_from_sorted_groups(
    keys: np.ndarray, owners: np.ndarray, budget: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of different owners holding the same key.

    ``keys``/``owners`` must be sorted by key with duplicates (key, owner) removed. Groups
    are tiny (a vertex is shared by a handful of units), so comparing each row with the next
    few rows finds every pair without a Python loop over groups. With ``budget``, raises
    :class:`_Stacked` before producing more pairs than that (a vertex shared by a stack).
    """
    if budget is not None and len(keys):
        new = np.r_[True, keys[1:] != keys[:-1]]
        sizes = np.diff(np.r_[np.nonzero(new)[0], len(keys)])
        if int((sizes * (sizes - 1) // 2).sum()) > budget:
            biggest = int(np.argmax(sizes))
            at = np.nonzero(new)[0][biggest]
            raise _Stacked(owners[at : at + min(int(sizes[biggest]), 10)], int(sizes.max()), budget)
    first, second, where = [], [], []
    offset = 1
    while offset < len(keys):
        same = keys[offset:] == keys[:-offset]
        if not same.any():
            break
        idx = np.nonzero(same)[0]
        first.append(owners[idx])
        second.append(owners[idx + offset])
        where.append(idx)
        offset += 1
    if not first:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty
    return np.concatenate(first), np.concatenate(second), np.concatenate(where)


def _coverage_contacts(
    geoms: np.ndarray, frame: _Frame, validate: bool = False
) -> tuple[_Contacts, np.ndarray]:
    """Contacts of a valid coverage by matching identical vertices and segments.

    With ``validate``, also the rows that break the coverage rules (see
    :func:`_segment_problems`), found from the same sorted segments; else an empty array.
    """
    xy, owner, ring, interior_left = _ring_coordinates(geoms)
    # Integer id per distinct vertex (a hash of x + iy: ids need equality, not order).
    vertex_id = pd.factorize(xy[:, 0] + 1j * xy[:, 1], sort=False)[0]

    # Queen: owners sharing a vertex.
    order = np.lexsort((owner, vertex_id))
    vo = np.stack([vertex_id[order], owner[order]], axis=1)
    # [: len(vo)]: an empty layer has no first row to keep.
    vo = vo[np.r_[True, np.any(vo[1:] != vo[:-1], axis=1)][: len(vo)]]
    # Each shared vertex (segment) gives a pair or three: the budget is per vertex here.
    qa, qb, _ = _pairs_from_sorted_groups(vo[:, 0], vo[:, 1], _pair_budget(len(vo)))

    # Rook: owners sharing a segment (consecutive vertices of one ring).
    same_ring = ring[1:] == ring[:-1]
    start = np.nonzero(same_ring)[0]
    va, vb = vertex_id[start], vertex_id[start + 1]
    lo, hi = np.minimum(va, vb), np.maximum(va, vb)
    n_vertices = int(vertex_id.max()) + 1 if len(vertex_id) else 1
    segment_key = lo.astype(np.int64) * n_vertices + hi
    seg_owner = owner[start]
    order = np.lexsort((seg_owner, segment_key))
    keys, owners, starts = segment_key[order], seg_owner[order], start[order]
    problems = np.empty(0, dtype=np.int64)
    if validate:
        # Which side the owner's interior lies on, for the segment walked from lo to hi.
        side = ((va < vb) == interior_left[ring[start]])[order]
        problems = _segment_problems(geoms, xy, owner, keys, owners, starts, side, (va != vb)[order])
    keep = np.r_[True, (keys[1:] != keys[:-1]) | (owners[1:] != owners[:-1])][: len(keys)]
    keys, owners, starts = keys[keep], owners[keep], starts[keep]
    ra, rb, where = _pairs_from_sorted_groups(keys, owners, _pair_budget(len(keys)))
    seg = starts[where]
    ends = np.concatenate([seg, seg + 1])
    lon, lat = frame.lonlat(xy[ends, 0], xy[ends, 1])
    seg_m = segment_lengths_m(lon[: len(seg)], lat[: len(seg)], lon[len(seg) :], lat[len(seg) :])

    n = len(geoms)
    rook_key = np.minimum(ra, rb) * n + np.maximum(ra, rb)
    edge_keys, inverse = np.unique(rook_key, return_inverse=True)
    edge_km = np.bincount(inverse.ravel(), weights=np.asarray(seg_m)) / 1e3
    queen_keys = np.minimum(qa, qb) * n + np.maximum(qa, qb)
    all_keys = _unique_ints(np.concatenate([queen_keys, edge_keys]))
    shared = np.zeros(len(all_keys))
    is_edge = _is_in(all_keys, edge_keys)
    shared[is_edge] = edge_km
    zeros = np.zeros(len(all_keys))
    no_gap = np.zeros(len(all_keys), dtype=bool)
    return _Contacts(all_keys // n, all_keys % n, shared, is_edge, zeros, no_gap), problems


def _segment_problems(
    geoms: np.ndarray,
    xy: np.ndarray,
    vertex_owner: np.ndarray,
    keys: np.ndarray,
    owners: np.ndarray,
    starts: np.ndarray,
    side: np.ndarray,
    proper: np.ndarray,
) -> np.ndarray:
    """Rows that break the coverage rules, from the segments sorted by key (valid polygons).

    In a valid coverage every boundary segment is either shared by exactly two polygons,
    whose interiors lie on opposite sides of it, or lies on the outer boundary, where it
    meets no other polygon except at its two end points. A segment held three times or
    twice on one side (an overlap), or an outer segment whose inside touches or enters
    another polygon (an overlap, or borders drawn with different vertices), marks its
    rows. The matching only needs GEOS for the outer segments near other polygons, which
    makes this several times cheaper than ``shapely.coverage_invalid_edges``; the tests
    check it flags every row GEOS flags.
    """
    keys, owners, starts, side = keys[proper], owners[proper], starts[proper], side[proper]
    if len(keys) == 0:
        return np.empty(0, dtype=np.int64)
    new = np.r_[True, keys[1:] != keys[:-1]]
    group = np.cumsum(new) - 1
    size = np.bincount(group)[group]
    first = np.nonzero(new & (size == 2))[0]
    clash = first[(owners[first] == owners[first + 1]) | (side[first] == side[first + 1])]
    bad = [owners[size >= 3], owners[clash], owners[clash + 1]]
    k = np.sort(starts[size == 1])
    if len(k):
        # Consecutive outer segments of a ring, joined into chains (far fewer geometries).
        # A chain's inside includes its inner vertices: a polygon touching one is flagged
        # too, which only costs that row the exact path.
        head = np.r_[True, k[1:] != k[:-1] + 1]
        chain = np.cumsum(head) - 1
        tail = np.r_[head[1:], True]
        position = np.concatenate([k, k[tail] + 1])
        of_chain = np.concatenate([chain, chain[tail]])
        order = np.lexsort((position, of_chain))
        segments = shapely.linestrings(xy[position[order]], indices=of_chain[order])
        own = vertex_owner[k[head]]
        # Bounding boxes only.
        poly, seg = _query_pairs(shapely.STRtree(segments), geoms, _pair_budget(len(geoms)))
        other = poly != own[seg]
        poly, seg = poly[other], seg[other]
        if len(poly):
            # Prepared polygons (prepared here, released below) answer "intersects" fast.
            fresh = _unique_ints(poly)
            fresh = fresh[~shapely.is_prepared(geoms[fresh])]
            shapely.prepare(geoms[fresh])
            try:
                touch = shapely.intersects(geoms[poly], segments[seg])
            finally:
                shapely.destroy_prepared(geoms[fresh])
            poly, seg = poly[touch], seg[touch]
            # The segment's inside (its end points excluded) meets neither the inside nor
            # the boundary of the other polygon.
            clear = shapely.relate_pattern(segments[seg], geoms[poly], "FF*******")
            bad += [poly[~clear], own[seg[~clear]]]
    return _unique_ints(np.concatenate(bad).astype(np.int64))
