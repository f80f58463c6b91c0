"""The geometric path: contacts of rows off the coverage rules (shared lines from collinear
segments, overlaps by intersection), and contacts within a tolerance."""

from __future__ import annotations

import numpy as np
import shapely

from ._arrays import _combine, _Contacts, _is_in, _unique_ints
from ._workers import _beside
from .budget import _check_vertex_work, _pair_budget, _query_pairs, _Stacked
from .collinear import shared_line_km
from .frame import _Frame, _linework

MIN_EDGE_KM = 1e-6  # 1 mm: shorter shared lines are corners drawn with float noise


def _exact_contacts(geoms: np.ndarray, rows: np.ndarray, frame: _Frame) -> _Contacts:
    """Contacts of ``rows`` with every polygon, from geometric intersections (any layer)."""
    tree = shapely.STRtree(geoms)
    src, dst = _query_pairs(tree, geoms[rows], _pair_budget(len(geoms)), predicate="intersects")
    src = rows[src]
    keep = src != dst
    a, b = np.minimum(src[keep], dst[keep]), np.maximum(src[keep], dst[keep])
    keys = _unique_ints(a * len(geoms) + b)
    a, b = keys // len(geoms), keys % len(geoms)
    _check_vertex_work(geoms, a, b)
    # The overlaps (polygon intersections, GEOS, and their areas) in chunks on both threads,
    # the shared lines (numpy) on the main thread meanwhile.
    overlap_km2, measured = _beside(
        lambda pa, pb: frame.area_km2(np.asarray(shapely.intersection(pa, pb))),  # polygon parts only
        (geoms[a], geoms[b]),
        lambda: shared_line_km(geoms, a, b, frame),
    )
    if measured is None:
        shared, undecided = np.zeros(len(a)), np.ones(len(a), dtype=bool)
    else:
        shared, undecided = measured
    if undecided.any():  # segments all but collinear: GEOS's overlay decides
        u = np.nonzero(undecided)[0]
        lines = shapely.intersection(shapely.boundary(geoms[a[u]]), shapely.boundary(geoms[b[u]]))
        shared[u] = frame.length_km(shapely.line_merge(_linework(lines)))
    edge = shared > MIN_EDGE_KM  # a line of float noise at a corner is not a shared border
    return _Contacts(a, b, np.where(edge, shared, 0.0), edge, overlap_km2, np.zeros(len(a), dtype=bool))


def _tolerant_contacts(geoms: np.ndarray, found: _Contacts, tolerance_m: float, frame: _Frame) -> _Contacts:
    """Contacts within ``tolerance_m``: gaps and slivers up to that width are shared borders.

    Each candidate pair (closer than the tolerance and not already sharing a clean edge) is
    measured after snapping one polygon's vertices onto the other's boundary (GEOS snap,
    within the tolerance, in metres): the borders then coincide where they ran side by side,
    and the shared length is that of the border itself, not of a buffered outline. The two
    directions are averaged. Found only thanks to the tolerance: ``gap``; overlapping pairs
    keep their ``overlap_km2``.
    """
    n = len(geoms)
    projected, metric = frame.metric(geoms)
    tree = shapely.STRtree(projected)
    try:
        src, dst = _query_pairs(tree, projected, _pair_budget(n), predicate="dwithin", distance=tolerance_m)
    except _Stacked as crowded:  # the tolerance, not the layer, brings too many polygons together
        raise _Stacked(crowded.rows, crowded.crowd, crowded.budget, within_tolerance=True) from None
    keep = src < dst
    keys = _unique_ints(src[keep] * n + dst[keep])
    known = found.i * n + found.j
    clean = _unique_ints(known[found.edge & (found.overlap_km2 == 0)])
    keys = keys[~_is_in(keys, clean)]
    if not len(keys):
        return found
    a, b = keys // n, keys % n
    # Both directions of each pair in one element-wise call, its rows shared by both threads.
    both = _beside(
        _snapped_borders, (projected[a], projected[b], np.full(len(a), tolerance_m)), lambda: None
    )[0]
    # The length of each result's lines (its points of contact add nothing).
    km = (metric.length_km(both[:, 0]) + metric.length_km(both[:, 1])) / 2
    edge = (
        km * 1000 > tolerance_m
    )  # after snapping, a corner is a point; a border is longer than the tolerance
    shared, is_edge, overlap, gap = (
        found.shared_km.copy(),
        found.edge.copy(),
        found.overlap_km2.copy(),
        found.gap.copy(),
    )
    order = np.argsort(known, kind="stable")
    sorted_known = known[order]  # distinct: one row per pair
    seen = _is_in(keys, sorted_known)
    p = order[np.searchsorted(sorted_known, keys[seen])]
    # A known pair becomes a shared border when the tolerance finds one and it had none, or
    # only an overlap: a gap when it had no contact line and no overlap.
    update = edge[seen] & (~is_edge[p] | (overlap[p] > 0))
    p, length = p[update], km[seen][update]
    gap[p] |= ~is_edge[p] & (overlap[p] == 0)
    shared[p], is_edge[p] = length, True
    # Pairs without any contact but within the tolerance.
    new = ~seen
    added = _Contacts(
        a[new].astype(found.i.dtype),
        b[new].astype(found.j.dtype),
        np.where(edge[new], km[new], 0.0),
        edge[new],
        np.zeros(int(new.sum())),
        np.ones(int(new.sum()), dtype=bool),
    )
    return _combine(_Contacts(found.i, found.j, shared, is_edge, overlap, gap), added)


def _snapped_borders(pa: np.ndarray, pb: np.ndarray, tolerance_m: np.ndarray) -> np.ndarray:
    """Per pair, ``a``'s outline snapped onto ``b`` met with ``b``'s outline, and the reverse
    (shape ``(m, 2)``)."""
    out = np.empty((len(pa), 2), dtype=object)
    out[:, 0] = shapely.intersection(
        shapely.boundary(shapely.snap(pa, pb, tolerance_m)), shapely.boundary(pb)
    )
    out[:, 1] = shapely.intersection(
        shapely.boundary(shapely.snap(pb, pa, tolerance_m)), shapely.boundary(pa)
    )
    return out
