"""Contacts of a valid coverage by matching identical vertices and segments, and its coverage rules."""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from ..coords import segment_lengths_m
from ._arrays import _Contacts, _is_in, _unique_ints
from .budget import _pair_budget, _query_pairs, _Stacked
from .convex import _convex_rows, _kept_off
from .frame import _Frame


def _ring_coordinates(
    geoms: np.ndarray, orientation: bool = True, xy: np.ndarray | None = None, ccw: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """All ring vertices with their owning row and ring number, and per ring whether the
    polygon's interior lies to the left of the ring as it is walked (a CCW shell, a CW hole).

    The vertices are read once, without copying rings into new geometries: a polygon
    without holes is one ring, so only multipolygons and polygons with holes are taken
    apart (``get_parts``/``get_rings`` clone every ring, which cost as much as the rest
    of the matching). ``orientation=False`` skips the last array (``None``). ``xy``: the
    layer's ``shapely.get_coordinates(geoms)`` when the caller has read it already; ``ccw``:
    whether each row runs counter-clockwise, when known and every row is a polygon without
    holes (strictly convex rows, :func:`._convex_rows`).
    """
    counts = shapely.get_num_coordinates(geoms)
    if xy is None:
        xy = shapely.get_coordinates(geoms)
    # get_coordinates reads the rows in order, each row's coordinates together.
    owner = np.repeat(np.arange(len(geoms)), counts)
    simple = (shapely.get_type_id(geoms) == shapely.GeometryType.POLYGON) & (
        shapely.get_num_interior_rings(geoms) == 0
    )
    rings = None
    if simple.all():
        sizes, shell = counts, np.ones(len(geoms), dtype=bool)
    else:
        rows = np.nonzero(~simple)[0]
        parts, part_row = shapely.get_parts(geoms[rows], return_index=True)
        rings, ring_part = shapely.get_rings(parts, return_index=True)
        first = np.r_[True, ring_part[1:] != ring_part[:-1]] if len(ring_part) else np.zeros(0, dtype=bool)
        ring_row = np.concatenate([np.nonzero(simple)[0], rows[part_row[ring_part]]])
        order = np.argsort(ring_row, kind="stable")  # rows in order, a row's rings in GEOS order
        sizes = np.concatenate(
            [shapely.get_num_coordinates(geoms[simple]), shapely.get_num_coordinates(rings)]
        )
        shell = np.concatenate([np.ones(int(simple.sum()), dtype=bool), first])[order]
        sizes = sizes[order]
        rings = np.concatenate([np.full(int(simple.sum()), None, dtype=object), rings])[order]
    ring = np.repeat(np.arange(len(sizes)), sizes)
    if len(ring) != len(xy):  # never for polygons; kept as a guard on the reading above
        raise shapely.errors.GEOSException("ring sizes do not add up to the vertices read")
    if not orientation:
        return xy, owner, ring, None
    if ccw is not None and rings is None:  # one ring per row, each a shell
        return xy, owner, ring, ccw
    return xy, owner, ring, _is_ccw(xy, ring, sizes, geoms, rings) == shell


def _is_ccw(
    xy: np.ndarray, ring: np.ndarray, sizes: np.ndarray, geoms: np.ndarray, rings: np.ndarray | None
) -> np.ndarray:
    """Whether each ring runs counter-clockwise, from its signed area (shoelace, vectorised).

    The area is summed about each ring's first vertex, which keeps the products small (and
    makes the closing vertex's term, and so the term reaching into the next ring, exactly
    zero); a ring whose area is within rounding of zero is asked of GEOS (``is_ccw``).
    """
    first = np.r_[0, np.cumsum(sizes)[:-1]].astype(np.int64)
    dx = xy[:, 0] - np.repeat(xy[first[sizes > 0], 0], sizes[sizes > 0])
    dy = xy[:, 1] - np.repeat(xy[first[sizes > 0], 1], sizes[sizes > 0])
    left, right = dx[:-1] * dy[1:], dx[1:] * dy[:-1]
    at = np.minimum(first, max(len(left) - 1, 0))
    area = np.add.reduceat(np.r_[left - right, 0.0], at) if len(left) else np.zeros(len(sizes))
    bound = np.add.reduceat(np.r_[np.abs(left) + np.abs(right), 0.0], at) if len(left) else area
    area[sizes == 0] = 0.0
    ccw = area > 0
    unsure = np.nonzero(np.abs(area) <= 1e-9 * bound)[0]
    if len(unsure):
        # Degenerate or nearly so: GEOS decides, on the ring itself.
        mask = np.isin(ring, unsure)
        try:
            made = shapely.linearrings(xy[mask], indices=np.searchsorted(unsure, ring[mask]))
            ccw[unsure] = shapely.is_ccw(made)
        except (shapely.errors.GEOSException, ValueError):
            ccw[unsure] = False
    return ccw


def _vertex_ids(xy: np.ndarray) -> np.ndarray:
    """An integer id per distinct vertex, numbered in order of first appearance.

    The same ids as ``pd.factorize`` of the coordinates (so the same sort orders, and
    lengths summed in the same order), from a 64-bit hash of the coordinates' bits sorted
    with numpy, about three times faster; a hash shared by two different vertices (checked)
    falls back to ``pd.factorize``.
    """
    x, y = xy[:, 0] + 0.0, xy[:, 1] + 0.0  # + 0.0: -0.0 becomes 0.0, as they compare equal
    with np.errstate(over="ignore"):
        h = x.view(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        h ^= h >> np.uint64(29)
        h += y.view(np.uint64) * np.uint64(0xC2B2AE3D27D4EB4F)
        h ^= h >> np.uint64(32)
        h *= np.uint64(0x165667B19E3779F9)
    order = np.argsort(h)
    hs, xs, ys = h[order], x[order], y[order]
    new = np.r_[True, hs[1:] != hs[:-1]][: len(hs)]
    clash = ~new[1:] & ((xs[1:] != xs[:-1]) | (ys[1:] != ys[:-1]))  # NaN too
    if clash.any():
        return pd.factorize(xy[:, 0] + 1j * xy[:, 1], sort=False)[0]
    starts = np.nonzero(new)[0]
    first_seen = np.minimum.reduceat(order, starts) if len(starts) else starts
    rank = np.empty(len(starts), dtype=np.int64)
    rank[np.argsort(first_seen)] = np.arange(len(starts))
    ids = np.empty(len(xy), dtype=np.int64)
    ids[order] = np.repeat(rank, np.diff(np.r_[starts, len(xy)]))
    return ids


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


def _owner_dedupe(keys: np.ndarray, owners: np.ndarray) -> np.ndarray | None:
    """Mask keeping one of each (key, owner) in arrays sorted by key only.

    Groups are tiny, so comparing each row with the next few finds the repeats; ``None``
    when a group is too large for that (a stack), for the caller's exact fallback.
    """
    keep = np.ones(len(keys), dtype=bool)
    offset = 1
    while offset < len(keys):
        same = keys[offset:] == keys[:-offset]
        if not same.any():
            return keep
        if offset > 32:
            return None
        keep[offset:] &= ~(same & (owners[offset:] == owners[:-offset]))
        offset += 1
    return keep


def _coverage_contacts(
    geoms: np.ndarray,
    frame: _Frame,
    validate: bool = False,
    xy: np.ndarray | None = None,
    convex: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[_Contacts, np.ndarray]:
    """Contacts of a valid coverage by matching identical vertices and segments.

    With ``validate``, also the rows that break the coverage rules (see
    :func:`_segment_problems`), found from the same sorted segments; else an empty array.
    ``xy``: the layer's vertices (``shapely.get_coordinates``) when already read;
    ``convex``: the layer's :func:`._convex_rows` when already found.
    """
    known = convex[1] if convex is not None and convex[0].all() else None
    xy, owner, ring, interior_left = _ring_coordinates(geoms, orientation=validate, xy=xy, ccw=known)
    n = len(geoms)
    vertex_id = _vertex_ids(xy)
    n_vertices = int(vertex_id.max()) + 1 if len(vertex_id) else 1

    # Queen: owners sharing a vertex. One int64 key per (vertex, owner), sorted by value:
    # numpy sorts values several times faster than it argsorts, and far faster than lexsort.
    if n_vertices * max(n, 1) < 2**62:
        vo = np.sort(vertex_id * n + owner)
        vo = vo[np.r_[True, vo[1:] != vo[:-1]][: len(vo)]]
        qv, qo = np.divmod(vo, n)
    else:
        order = np.lexsort((owner, vertex_id))
        vo = np.stack([vertex_id[order], owner[order]], axis=1)
        vo = vo[np.r_[True, np.any(vo[1:] != vo[:-1], axis=1)][: len(vo)]]
        qv, qo = vo[:, 0], vo[:, 1]
    # Each shared vertex (segment) gives a pair or three: the budget is per vertex here.
    qa, qb, _ = _pairs_from_sorted_groups(qv, qo, _pair_budget(len(qv)))

    # Rook: owners sharing a segment (consecutive vertices of one ring).
    start = np.nonzero(ring[1:] == ring[:-1])[0]
    va, vb = vertex_id[start], vertex_id[start + 1]
    segment_key = np.minimum(va, vb) * n_vertices + np.maximum(va, vb)
    seg_owner = owner[start]
    # Sorted by key alone (owners within a group in any order): a length does not depend
    # on which copy of a segment is measured, its two end points being the same vertices.
    order = np.argsort(segment_key)
    keys, owners, starts = segment_key[order], seg_owner[order], start[order]
    problems = np.empty(0, dtype=np.int64)
    if validate:
        assert interior_left is not None  # read with orientation=validate
        # Which side the owner's interior lies on, for the segment walked from lo to hi.
        side = ((va < vb) == interior_left[ring[start]])[order]
        if convex is None:
            convex = _convex_rows(geoms, xy, shapely.get_num_coordinates(geoms))
        problems = _segment_problems(geoms, xy, owner, keys, owners, starts, side, (va != vb)[order], convex)
    keep = _owner_dedupe(keys, owners)
    if keep is None:  # a crowded segment: owners sorted within each group, as exact as before
        order = np.lexsort((owners, keys))
        keys, owners, starts = keys[order], owners[order], starts[order]
        keep = np.r_[True, (keys[1:] != keys[:-1]) | (owners[1:] != owners[:-1])][: len(keys)]
    keys, owners, starts = keys[keep], owners[keep], starts[keep]
    ra, rb, where = _pairs_from_sorted_groups(keys, owners, _pair_budget(len(keys)))
    seg = starts[where]
    ends = np.concatenate([seg, seg + 1])
    lon, lat = frame.lonlat(xy[ends, 0], xy[ends, 1])
    seg_m = segment_lengths_m(lon[: len(seg)], lat[: len(seg)], lon[len(seg) :], lat[len(seg) :])

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


_POINT_TEST_FROM = 2_000  # chain-polygon pairs from which end points are tested first


def _segment_problems(
    geoms: np.ndarray,
    xy: np.ndarray,
    vertex_owner: np.ndarray,
    keys: np.ndarray,
    owners: np.ndarray,
    starts: np.ndarray,
    side: np.ndarray,
    proper: np.ndarray,
    convex: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Rows that break the coverage rules, from the segments sorted by key (valid polygons).

    In a valid coverage every boundary segment is either shared by exactly two polygons,
    whose interiors lie on opposite sides of it, or lies on the outer boundary, where it
    meets no other polygon except at its two end points. A segment held three times or
    twice on one side (an overlap), or an outer segment whose inside touches or enters
    another polygon (an overlap, or borders drawn with different vertices), marks its
    rows. The matching only needs GEOS for the outer segments near other polygons, which
    makes this several times cheaper than ``shapely.coverage_invalid_edges``; the tests
    check it flags every row GEOS flags. ``convex`` (:func:`._convex_rows`): pairs of an
    outer chain and a strictly convex polygon are first cleared, where one of the polygon's
    edges keeps the chain off it, by :func:`._kept_off` (exact, no GEOS).
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
        if convex is not None and len(poly):
            # A pair certified clear is one GEOS would clear: it is left out, as if its
            # polygon did not touch the chain.
            counts = np.bincount(vertex_owner, minlength=len(geoms))
            row_first = np.r_[0, np.cumsum(counts)[:-1]]
            maybe = np.nonzero(convex[0][poly])[0]
            clear_ = np.zeros(len(poly), dtype=bool)
            clear_[maybe] = _kept_off(
                xy,
                k[head][seg[maybe]],
                k[tail][seg[maybe]] + 1,
                row_first[poly[maybe]],
                counts[poly[maybe]],
                convex[1][poly[maybe]],
            )
            poly, seg = poly[~clear_], seg[~clear_]
        if len(poly):
            # Prepared polygons (prepared here, released below) answer "intersects" fast.
            fresh = _unique_ints(poly)
            fresh = fresh[~shapely.is_prepared(geoms[fresh])]
            shapely.prepare(geoms[fresh])
            try:
                # A chain whose first or last vertex lies inside another polygon enters it
                # (flagging both rows, as the test below would): a point test is far cheaper,
                # and the test below then only runs where a row is not flagged yet.
                inside = np.zeros(len(poly), dtype=bool)
                if len(poly) > _POINT_TEST_FROM:  # a clean coverage has a few such pairs
                    for end in (xy[k[head]], xy[k[tail] + 1]):
                        inside |= shapely.contains_xy(geoms[poly], end[seg, 0], end[seg, 1])
                bad += [poly[inside], own[seg[inside]]]
                flagged = _unique_ints(np.concatenate(bad).astype(np.int64))
                open_ = ~inside & ~(_is_in(poly, flagged) & _is_in(own[seg], flagged))
                poly, seg = poly[open_], seg[open_]
                touch = shapely.intersects(geoms[poly], segments[seg])
                poly, seg = poly[touch], seg[touch]
                # The segment's inside (its end points excluded) meets neither the inside nor
                # the boundary of the other polygon: "FF*******" of (segment, polygon), asked
                # of the prepared polygon (the transposed pattern), which GEOS answers faster.
                clear = shapely.relate_pattern(geoms[poly], segments[seg], "F**F*****")
            finally:
                shapely.destroy_prepared(geoms[fresh])
            bad += [poly[~clear], own[seg[~clear]]]
    return _unique_ints(np.concatenate(bad).astype(np.int64))
