"""The contiguity engine: who touches whom in any polygon layer, and over how many km.

Contiguity follows libpysal's semantics: Queen = any shared point, Rook = a shared edge.
A valid polygon coverage (every shipped layer, and most administrative layers) shares its
borders vertex for vertex, so contacts are found by matching identical boundary segments
and vertices with numpy sorts, and a shared edge's length is the geodesic length of its
matched segments. Polygons that break the coverage rules (overlaps, borders with
different vertices) go through an exact geometric path instead, pair by pair.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from ._errors import InvalidArgumentError
from .coords import WGS84_CRS, geodesic_area_km2, geodesic_length_km, is_gcj02, segment_lengths_m

__all__ = [
    "AdjacencyWarning",
    "contacts",
    "contiguity_graph",
    "graph_to_frame",
    "shared_lines",
    "RESOLUTION_NOTE",
    "PAIR_COLUMNS",
]

RESOLUTION_NOTE = (
    "shared lengths depend on the boundary resolution (finer layers give longer borders); "
    "compare lengths only within one layer"
)
PAIR_COLUMNS = [
    "adcode_a",
    "name_a",
    "province_a",
    "adcode_b",
    "name_b",
    "province_b",
    "shared_km",
    "contact",
]
_NODE_COLUMNS = ("name", "short_name", "name_en", "province", "prefecture", "prefecture_adcode")


class AdjacencyWarning(UserWarning):
    """A user layer needed repair, or overlaps were found."""


@dataclass(frozen=True)
class _Contacts:
    """Contacts between rows i < j of a layer."""

    i: np.ndarray
    j: np.ndarray
    shared_km: np.ndarray
    edge: np.ndarray  # bool: a line is shared (Rook), else only points (Queen only)
    overlap_km2: np.ndarray
    gap: np.ndarray  # bool: contact found only through the tolerance


# --------------------------------------------------------------------------- fast path


def _ring_coordinates(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """All ring vertices with their owning row and ring number, and per ring whether the
    polygon's interior lies to the left of the ring as it is walked (a CCW shell, a CW hole)."""
    parts, part_owner = shapely.get_parts(geoms, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    xy, ring_of_vertex = shapely.get_coordinates(rings, return_index=True)
    owner = part_owner[ring_part][ring_of_vertex]
    shell = np.r_[True, ring_part[1:] != ring_part[:-1]] if len(ring_part) else np.zeros(0, dtype=bool)
    return xy, owner, ring_of_vertex, shapely.is_ccw(rings) == shell


def _unique_ints(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values of an integer array, by sorting.

    numpy >= 2.3 answers ``np.unique`` (without ``return_inverse``), ``np.union1d`` and
    ``np.isin`` on integers with a hash table, 30-50x slower than a sort on the pair keys
    of a large layer.
    """
    ordered = np.sort(values)
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if len(ordered) else ordered


def _is_in(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """Whether each value is in ``sorted_set`` (sorted, distinct), by binary search."""
    if len(sorted_set) == 0:
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_set, values), len(sorted_set) - 1)
    return sorted_set[at] == values


# --------------------------------------------------------------------------- stacked polygons

# Candidate pairs a layer may produce: real layers give 1-7 per polygon (all China's counties,
# also within a 500 m tolerance); the exact path costs ~60 µs a pair, so the base stays ~6 s.
PAIR_BUDGET_BASE = 100_000
PAIR_BUDGET_PER_ROW = 16
_CHUNK_PAIRS = 2_000_000  # pairs one chunk of a spatial query may return (~32 MB)


def _pair_budget(n: int) -> int:
    """Most candidate pairs a layer of ``n`` polygons may produce.

    A polygon meets a handful of neighbours, so real layers stay far below this; a stack of
    ``k`` polygons over one place produces ``k²`` pairs (3,000 copies: 9 million), and the
    exact geometry of every pair would take minutes and gigabytes.
    """
    return PAIR_BUDGET_BASE + PAIR_BUDGET_PER_ROW * n


# The exact path intersects pairs of polygons: its cost grows with the vertices of both. Real
# layers give each vertex a few pairs (a polygon meets a handful of neighbours); a stack of
# near-copies of a detailed polygon gives every vertex hundreds.
VERTEX_WORK_BASE = 2_000_000
VERTEX_WORK_PER_VERTEX = 64


def _check_vertex_work(geoms: np.ndarray, a: np.ndarray, b: np.ndarray) -> None:
    """Refuse exact intersections whose total vertex work only a stack of polygons produces."""
    if not len(a):
        return
    vertices = shapely.get_num_coordinates(geoms)
    work = int(vertices[a].sum() + vertices[b].sum())
    budget = VERTEX_WORK_BASE + VERTEX_WORK_PER_VERTEX * int(vertices.sum())
    if work > budget:
        rows, counts = np.unique(np.concatenate([a, b]), return_counts=True)
        crowded = rows[np.argsort(-counts, kind="stable")[:10]]
        stacked = _Stacked(crowded, int(counts.max()) + 1, len(a))
        stacked.vertex_work = (work, budget)
        raise stacked


class _Stacked(Exception):
    """More candidate pairs than the budget: many polygons lie on top of each other.

    ``rows`` are some of the rows involved (most crowded first); :func:`contacts` names them.
    """

    def __init__(self, rows: np.ndarray, crowd: int, budget: int, within_tolerance: bool = False):
        super().__init__(f"{crowd} polygons at one place; budget {budget} pairs")
        self.rows, self.crowd, self.budget = np.asarray(rows, dtype=np.int64), int(crowd), int(budget)
        self.within_tolerance = within_tolerance
        self.vertex_work: tuple[int, int] | None = None  # (work, budget) when vertices, not pairs, ran over


def _query_pairs(tree: shapely.STRtree, geoms: np.ndarray, budget: int, **query) -> np.ndarray:
    """``tree.query(geoms, **query)``, refusing to produce more than ``budget`` pairs.

    The query runs in chunks of rows, each sized from the most results one row has given so
    far, so a stack is found after a few chunks and its ``k²`` pairs never fill memory.
    Same result (shape ``(2, m)``, ordered by row of ``geoms``) as one query.
    """
    parts, total, start, size, crowd = [], 0, 0, 8, 1
    while start < len(geoms):
        stop = min(start + size, len(geoms))
        pairs = tree.query(geoms[start:stop], **query)
        total += pairs.shape[1]
        if pairs.shape[1]:
            per_row = np.bincount(pairs[0], minlength=stop - start)
            crowd = max(crowd, int(per_row.max()))
            if total > budget:
                raise _Stacked(start + np.argsort(-per_row, kind="stable")[:10], crowd, budget)
        parts.append(pairs + np.array([[start], [0]]))
        start = stop
        size = max(1, min(2 * size, _CHUNK_PAIRS // crowd))
    return np.concatenate(parts, axis=1) if parts else np.empty((2, 0), dtype=np.intp)


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


# --------------------------------------------------------------------------- near-coincident vertices

MIN_EDGE_KM = 1e-6  # 1 mm: shorter shared lines are corners drawn with float noise
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


# --------------------------------------------------------------------------- general path


@dataclass(frozen=True)
class _Frame:
    """The layer's own CRS: topology is judged there (reprojection bends straight edges);
    lengths and areas are measured on the WGS84 ellipsoid."""

    crs: CRS

    @property
    def geographic(self) -> bool:
        return self.crs.equals(WGS84_CRS)

    def lonlat(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self.geographic:
            return x, y
        from pyproj import Transformer

        return Transformer.from_crs(self.crs, WGS84_CRS, always_xy=True).transform(x, y)

    def to_wgs84(self, geoms: np.ndarray) -> np.ndarray:
        return geoms if self.geographic else gpd.GeoSeries(geoms, crs=self.crs).to_crs(WGS84_CRS).values

    def length_km(self, geoms: np.ndarray) -> np.ndarray:
        return geodesic_length_km(np.asarray(self.to_wgs84(geoms), dtype=object))

    def area_km2(self, geoms: np.ndarray) -> np.ndarray:
        return geodesic_area_km2(np.asarray(self.to_wgs84(geoms), dtype=object))

    def metric(self, geoms: np.ndarray) -> tuple[np.ndarray, _Frame]:
        """The geometries in metres: the layer's own CRS if projected, else an equidistant projection."""
        if self.crs.is_projected and self.crs.axis_info[0].unit_name in ("metre", "meter"):
            return geoms, self
        centre = shapely.centroid(shapely.union_all(shapely.envelope(self.to_wgs84(geoms))))
        local = CRS.from_proj4(f"+proj=aeqd +lat_0={centre.y} +lon_0={centre.x} +datum=WGS84 +units=m")
        return gpd.GeoSeries(geoms, crs=self.crs).to_crs(local).values, _Frame(local)


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
    lines = shapely.intersection(shapely.boundary(geoms[a]), shapely.boundary(geoms[b]))
    shared = frame.length_km(shapely.line_merge(_linework(lines)))
    overlap_km2 = frame.area_km2(_areal(shapely.intersection(geoms[a], geoms[b])))
    edge = shared > MIN_EDGE_KM  # a line of float noise at a corner is not a shared border
    return _Contacts(a, b, np.where(edge, shared, 0.0), edge, overlap_km2, np.zeros(len(a), dtype=bool))


def _linework(geoms: np.ndarray) -> np.ndarray:
    """Only the (multi)line parts of each geometry (points of contact dropped)."""
    out = []
    for g in geoms:
        parts = [
            p for p in shapely.get_parts(g) if p.geom_type in ("LineString", "LinearRing", "MultiLineString")
        ]
        out.append(shapely.multilinestrings(parts) if parts else shapely.MultiLineString())
    return np.array(out, dtype=object)


def _areal(geoms: np.ndarray) -> np.ndarray:
    out = []
    for g in geoms:
        parts = [p for p in shapely.get_parts(g) if p.geom_type == "Polygon"]
        out.append(shapely.multipolygons(parts) if parts else shapely.MultiPolygon())
    return np.array(out, dtype=object)


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
    clean = known[found.edge & (found.overlap_km2 == 0)]
    keys = np.setdiff1d(keys, clean)
    if not len(keys):
        return found
    a, b = keys // n, keys % n
    pa, pb = projected[a], projected[b]
    towards_b = shapely.intersection(
        shapely.boundary(shapely.snap(pa, pb, tolerance_m)), shapely.boundary(pb)
    )
    towards_a = shapely.intersection(
        shapely.boundary(shapely.snap(pb, pa, tolerance_m)), shapely.boundary(pa)
    )
    km = (
        metric.length_km(shapely.line_merge(_linework(towards_b)))
        + metric.length_km(shapely.line_merge(_linework(towards_a)))
    ) / 2
    edge = (
        km * 1000 > tolerance_m
    )  # after snapping, a corner is a point; a border is longer than the tolerance
    position = {int(k): p for p, k in enumerate(known)}
    shared, is_edge, overlap, gap = (
        found.shared_km.copy(),
        found.edge.copy(),
        found.overlap_km2.copy(),
        found.gap.copy(),
    )
    extra = {f: [] for f in _CONTACT_FIELDS}
    for key, ai, bi, length, e in zip(keys.tolist(), a, b, km, edge):
        p = position.get(key)
        if p is None:  # no contact at all without the tolerance
            for f, v in zip(_CONTACT_FIELDS, (ai, bi, length if e else 0.0, e, 0.0, True)):
                extra[f].append(v)
        elif e and (not is_edge[p] or overlap[p] > 0):
            gap[p] = gap[p] or (not is_edge[p] and overlap[p] == 0)
            shared[p], is_edge[p] = length, True
    base = _Contacts(found.i, found.j, shared, is_edge, overlap, gap)
    added = _Contacts(*(np.asarray(extra[f], dtype=getattr(found, f).dtype) for f in _CONTACT_FIELDS))
    return _combine(base, added)


_CONTACT_FIELDS = ("i", "j", "shared_km", "edge", "overlap_km2", "gap")


def _combine(base: _Contacts, extra: _Contacts, drop_rows: np.ndarray | None = None) -> _Contacts:
    """``base`` plus ``extra``, sorted by (i, j); first drops base contacts of ``drop_rows``."""
    keep = (
        np.ones(len(base.i), dtype=bool)
        if drop_rows is None
        else ~(_is_in(base.i, _unique_ints(drop_rows)) | _is_in(base.j, _unique_ints(drop_rows)))
    )
    merged = {f: np.concatenate([getattr(base, f)[keep], getattr(extra, f)]) for f in _CONTACT_FIELDS}
    order = np.lexsort((merged["j"], merged["i"]))
    return _Contacts(**{f: merged[f][order] for f in _CONTACT_FIELDS})


# --------------------------------------------------------------------------- input checks


def _id_key(value) -> str:
    """The identity networkx and readers give an id: 1, 1.0 and "1" are one id."""
    if isinstance(value, (bool, np.bool_)):
        return repr(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _check_user_layer(gdf: gpd.GeoDataFrame, id_col: str | None) -> tuple[gpd.GeoDataFrame, list]:
    """Refuse what cannot be measured; return the layer and the row ids."""
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise InvalidArgumentError(f"expected a GeoDataFrame of polygons, got {type(gdf).__name__}")
    if id_col is not None and id_col not in gdf.columns:
        raise InvalidArgumentError(
            f"id_col={id_col!r} is not a column; columns: {', '.join(map(str, gdf.columns))}"
        )
    if len(gdf) == 0:
        return gdf, []
    if gdf.crs is None:
        raise InvalidArgumentError(
            "the layer has no CRS; set one (e.g. gdf.set_crs(4326)) so lengths can be measured on the "
            "ellipsoid"
        )
    if is_gcj02(gdf):
        raise InvalidArgumentError(
            "the layer is in GCJ-02; convert it with chuanyu_geo.coords.to_wgs84 first"
        )
    column = gdf[id_col] if id_col else gdf.index.to_series()
    ids = column.tolist()
    where = f"id_col={id_col!r}" if id_col else "the index"
    # All ints or all strings (none missing): nothing to normalise, and pandas finds the
    # repeats; the general loops below cost seconds at a million rows.
    kind = pd.api.types.infer_dtype(column, skipna=True)
    uniform = kind in ("integer", "string") and not column.isna().any()
    missing_ids = [
        k
        for k, v in enumerate([] if uniform else ids)
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA or v is pd.NaT
    ]
    if missing_ids:
        raise InvalidArgumentError(
            f"{where} has missing ids (NaN/None) in rows {', '.join(map(str, missing_ids[:20]))}; every "
            f"polygon needs an id"
        )
    unhashable = [k for k, v in enumerate([] if uniform else ids) if not isinstance(v, Hashable)]
    if unhashable:
        shown = ", ".join(f"row {k} ({type(ids[k]).__name__})" for k in unhashable[:10])
        raise InvalidArgumentError(
            f"{where} holds values that cannot be node ids (unhashable): {shown}; expected numbers or text"
        )
    groups: dict[str, list] = {}
    for value in column[column.duplicated(keep=False).to_numpy()].tolist() if uniform else ids:
        groups.setdefault(_id_key(value), []).append(value)
    clashes = [values for values in groups.values() if len(values) > 1]
    if clashes:
        listing = "; ".join(
            " = ".join(f"{v!r} ({type(v).__name__})" for v in values) for values in clashes[:10]
        )
        raise InvalidArgumentError(f"duplicate ids in {id_col or 'the index'}: {listing}")
    geometry = gdf.geometry
    none = geometry.isna().to_numpy()
    empty = ~none & geometry.is_empty.to_numpy()
    wrong_type = ~none & ~empty & ~gdf.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    if none.any() or empty.any() or wrong_type.any():
        bad = [
            f"{ids[k]} ({'missing geometry' if none[k] else 'empty' if empty[k] else gdf.geom_type.iloc[k]})"
            for k in np.nonzero(none | empty | wrong_type)[0]
        ]
        raise InvalidArgumentError(f"adjacency needs polygons; these rows are not: {', '.join(bad[:20])}")
    return gdf, ids


def _listing(ids: list, rows, limit: int = 10) -> str:
    """Some ids of ``rows`` for a message, with an ellipsis when there are more."""
    rows = list(rows)
    return ", ".join(str(ids[k]) for k in rows[:limit]) + (", …" if len(rows) > limit else "")


def _identical_groups(geoms: np.ndarray) -> list[np.ndarray]:
    """Groups of two or more rows with the same geometry (up to vertex order and orientation).

    Identical outlines share their bounds and vertex count, so only rows that share those
    are normalised and compared by WKB: linear time, and nearly free on a real layer.
    """
    bounds = shapely.bounds(geoms)
    prefilter = pd.DataFrame(bounds).assign(count=shapely.get_num_coordinates(geoms))
    rows = np.nonzero(prefilter.duplicated(keep=False).to_numpy())[0]
    if len(rows) == 0:
        return []
    codes = pd.factorize(pd.Series(shapely.to_wkb(shapely.normalize(geoms[rows]))))[0]
    order = np.argsort(codes, kind="stable")
    codes, rows = codes[order], rows[order]
    starts = np.nonzero(np.r_[True, codes[1:] != codes[:-1]])[0]
    groups = np.split(rows, starts[1:])
    return sorted((g for g in groups if len(g) > 1), key=lambda g: (-len(g), g[0]))


def _refuse_identical(geoms: np.ndarray, ids: list) -> None:
    """Refuse a layer in which two rows have the same outline (a copied row, a stack of copies)."""
    groups = _identical_groups(geoms)
    if not groups:
        return
    copies = sum(len(g) for g in groups)
    shown = "; ".join(
        " = ".join(map(str, (ids[k] for k in g[:5]))) + (" = …" if len(g) > 5 else "") + f" ({len(g)} rows)"
        for g in groups[:5]
    )
    raise InvalidArgumentError(
        f"{copies} rows repeat another row's geometry ({len(groups)} sets of identical outlines: "
        f"{shown}{'; …' if len(groups) > 5 else ''}); copies overlap entirely, so they have no border "
        f"to measure, and k copies make k² pairs. Keep one row per outline, e.g. "
        f"gdf[~gdf.geometry.normalize().to_wkb().duplicated()], or merge them with gdf.dissolve()"
    )


def _repair(geoms: np.ndarray, invalid: np.ndarray, ids: list, issues: list[dict]) -> np.ndarray:
    """Invalid geometries made valid (their areal part), each recorded as a ``repaired`` issue.

    Raises
    ------
    InvalidArgumentError
        Rows with no area left (a polygon whose vertices lie on one line, or on one point):
        they have no interior, so they touch nothing in a way adjacency can measure.
    """
    rows = np.nonzero(invalid)[0]
    reasons = shapely.is_valid_reason(geoms[rows])
    try:
        repaired = shapely.make_valid(geoms[rows])
    except shapely.errors.GEOSException:
        # The default method refuses some inputs ("mixed-dimension": a collapsed part beside
        # a real one); the "structure" method drops collapsed parts instead.
        repaired = np.array([_make_valid_one(g, ids[k]) for g, k in zip(geoms[rows], rows)], dtype=object)
    repaired = _areal(repaired)
    flat = shapely.is_empty(repaired)
    if flat.any():
        shown = "; ".join(f"{ids[k]} ({reason})" for k, reason in zip(rows[flat][:10], reasons[flat][:10]))
        raise InvalidArgumentError(
            f"{int(flat.sum())} row(s) have no area (zero-area polygons: all their vertices on one line or "
            f"point): {shown}{'; …' if flat.sum() > 10 else ''}; adjacency needs polygons with an "
            f"interior. Drop them (e.g. gdf[gdf.geometry.make_valid().area > 0]) or fix their outlines"
        )
    for k, reason in zip(rows, reasons):
        issues.append({"kind": "repaired", "id_a": ids[k], "id_b": None, "value": None, "detail": reason})
    fixed = geoms.copy()
    fixed[rows] = repaired
    return fixed


def _make_valid_one(geom, row_id):
    """One geometry made valid, by GEOS's "structure" method when the default one fails."""
    try:
        return shapely.make_valid(geom)
    except shapely.errors.GEOSException:
        try:
            return shapely.make_valid(geom, method="structure", keep_collapsed=False)
        except shapely.errors.GEOSException as exc:
            raise InvalidArgumentError(
                f"the geometry of {row_id} is invalid ({shapely.is_valid_reason(geom)}) and GEOS cannot "
                f"repair it ({exc}); fix or drop that row"
            ) from exc


def _check_and_match(geoms: np.ndarray, frame: _Frame) -> tuple[_Contacts, np.ndarray, np.ndarray]:
    """Match a layer as a coverage while validating it.

    Returns the contacts, the mask of invalid geometries and the rows that break the
    coverage rules. GEOS releases the GIL, so ``is_valid`` runs on a second thread beside
    the matching, which also finds the coverage problems.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        checking = pool.submit(lambda: ~shapely.is_valid(geoms))
        try:
            found, problems = _coverage_contacts(geoms, frame, validate=True)
            failure = None
        except shapely.errors.GEOSException as exc:  # invalid input: repaired and redone
            found, problems, failure = None, np.empty(0, dtype=np.int64), exc
        invalid = checking.result()
    if failure is not None and not invalid.any():
        raise failure  # not caused by an invalid geometry
    return found, invalid, problems


def _check_tolerance(tolerance_m) -> float | None:
    if tolerance_m is None:
        return None
    if (
        isinstance(tolerance_m, bool)
        or not isinstance(tolerance_m, (int, float, np.integer, np.floating))
        or not np.isfinite(tolerance_m)
        or tolerance_m < 0
    ):
        raise InvalidArgumentError(
            f"tolerance_m={tolerance_m!r} must be a finite number of metres >= 0 (or None)"
        )
    return float(tolerance_m) or None


def _has_near_duplicates(geoms: np.ndarray, distance: float) -> bool:
    """Whether two distinct vertices lie within ``distance`` in x or in y (cheap pre-check)."""
    xy = shapely.get_coordinates(geoms)
    for axis in (0, 1):
        values = np.unique(xy[:, axis])
        if len(values) > 1 and np.diff(values).min() <= distance:
            return True
    return False


ISSUE_COLUMNS = ["kind", "id_a", "id_b", "value", "detail"]


def _report_issues(issues: list[dict], stacklevel: int) -> pd.DataFrame:
    """The issues as a table; one bounded warning line for those a user must know about."""
    table = pd.DataFrame(issues, columns=ISSUE_COLUMNS)
    parts = []
    repaired = table[table["kind"] == "repaired"]
    if len(repaired):
        shown = "; ".join(f"{r.id_a}: {r.detail}" for r in repaired.head(5).itertuples())
        parts.append(
            f"repaired {len(repaired)} invalid geometries with shapely.make_valid "
            f"({shown}{', …' if len(repaired) > 5 else ''})"
        )
    overlaps = table[table["kind"] == "overlap"].sort_values("value", ascending=False)
    if len(overlaps):
        shown = "; ".join(f"{r.id_a}–{r.id_b}: {r.value:.4f} km²" for r in overlaps.head(5).itertuples())
        parts.append(
            f"{len(overlaps)} pairs of polygons overlap ({'largest: ' if len(overlaps) > 5 else ''}{shown})"
        )
    if parts:
        where = " in graph.graph['issues']" if stacklevel > 3 else " in .attrs['issues']"
        warnings.warn(
            "; ".join(parts) + f"; the full list is{where}", AdjacencyWarning, stacklevel=stacklevel
        )
    return table


def _find_contacts(
    geoms: np.ndarray, ids: list, frame: _Frame, tolerance: float | None, trusted_coverage: bool
) -> tuple[_Contacts, np.ndarray, list[dict]]:
    """The contacts of a checked layer, the geometries they were found on, and the issues."""
    issues: list[dict] = []
    if trusted_coverage:
        found, _ = _coverage_contacts(geoms, frame)
    else:
        # Before anything pairs polygons up: copies would be paired with each other k² times.
        _refuse_identical(geoms, ids)
        distance = snap_distance(geoms)
        if _has_near_duplicates(geoms, distance):
            geoms, moved = _snap_vertices(geoms, distance)
            if moved:
                issues.append(
                    {
                        "kind": "snapped",
                        "id_a": None,
                        "id_b": None,
                        "value": moved,
                        "detail": f"{moved} vertices within {distance:.1e} (layer units) of another made "
                        f"identical",
                    }
                )
        found, invalid, flagged = _check_and_match(geoms, frame)
        if invalid.any():
            geoms = _repair(geoms, invalid, ids, issues)
            found, _, flagged = _check_and_match(geoms, frame)
        if len(flagged):
            # The exact contacts of flagged rows replace what vertex matching found for them.
            found = _combine(found, _exact_contacts(geoms, flagged, frame), drop_rows=flagged)
    if tolerance:
        found = _tolerant_contacts(geoms, found, tolerance, frame)
    return found, geoms, issues


def contacts(
    gdf: gpd.GeoDataFrame,
    id_col: str | None = None,
    tolerance_m: float | None = None,
    trusted_coverage: bool = False,
    _stacklevel: int = 2,
) -> pd.DataFrame:
    """Every pair of polygons that touch, with the kind and length of the contact.

    Vertices closer than a few ULPs of the layer's coordinates (float noise from a round
    trip through another CRS) are first made identical, so such a layer gives exactly the
    contacts and lengths of the clean one.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Polygons in any CRS pyproj can convert to WGS84.
    id_col : str, optional
        Column with unique ids; the index by default.
    tolerance_m : float, optional
        Also count gaps and overlaps (slivers) up to this many metres wide as shared
        borders, measured along the border itself; contacts found only thanks to it have
        ``gap`` True, overlapping pairs keep ``overlap_km2``. ``None`` or 0: exact contacts.
    trusted_coverage : bool
        Skip validation (for the shipped layers, validated when they were built).

    Returns
    -------
    pandas.DataFrame
        ``id_a``, ``id_b`` (a before b in layer order), ``shared_km`` (length of the shared
        border on the WGS84 ellipsoid), ``contact`` (``edge`` or ``point``), ``overlap_km2``,
        ``gap``. ``attrs["issues"]``: what was repaired, snapped or found overlapping
        (``kind``, ``id_a``, ``id_b``, ``value``, ``detail``).

    Raises
    ------
    InvalidArgumentError
        Naming the rows: missing, repeated or unhashable ids; rows that are not polygons or
        have no area (zero-area polygons, even after repair); rows with identical outlines
        (copies); and stacks of polygons over one place, or a ``tolerance_m`` so wide, that
        more than ``100,000 + 16 × rows`` candidate pairs would need comparing (real layers
        give under 10 per row) — refused in well under a second instead of taking minutes
        and gigabytes.

    Warns
    -----
    AdjacencyWarning
        One line when invalid geometries were repaired or polygons overlap (counts and the
        five largest cases); an empty layer gives an empty table and a warning.

    Notes
    -----
    Ids may mix types (``1``, ``"b"``); ``1``, ``1.0`` and ``"1"`` count as one id, so a
    column holding two of them is refused as repeating an id.

    Examples
    --------
    >>> import geopandas as gpd, shapely, chuanyu_geo as cg
    >>> squares = [shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)]
    >>> cells = gpd.GeoDataFrame({"id": ["a", "b"]}, geometry=squares, crs=3857)
    >>> cg.contacts(cells, "id")[["id_a", "id_b", "contact"]].values.tolist()
    [['a', 'b', 'edge']]
    """
    tolerance = _check_tolerance(tolerance_m)
    layer, ids = _check_user_layer(gdf, id_col)
    columns = ["id_a", "id_b", "shared_km", "contact", "overlap_km2", "gap"]
    if len(layer) == 0:
        warnings.warn("the layer has no rows: no contacts", AdjacencyWarning, stacklevel=_stacklevel)
        table = pd.DataFrame(columns=columns)
        table.attrs["issues"] = pd.DataFrame(columns=ISSUE_COLUMNS)
        return table
    geoms = np.asarray(layer.geometry.values)
    try:
        found, geoms, issues = _find_contacts(geoms, ids, _Frame(layer.crs), tolerance, trusted_coverage)
    except _Stacked as stacked:
        if stacked.within_tolerance:
            raise InvalidArgumentError(
                f"tolerance_m={tolerance_m!r} brings up to {stacked.crowd} polygons within reach of one "
                f"(rows {_listing(ids, stacked.rows)}): more candidate pairs than the {stacked.budget:,} "
                f"allowed for this layer; the tolerance is meant for gaps and slivers a few metres wide: "
                f"pass a smaller one"
            ) from None
        if stacked.vertex_work:
            work, budget = stacked.vertex_work
            raise InvalidArgumentError(
                f"polygons lie stacked on top of each other: up to {stacked.crowd} meet at one place "
                f"(rows {_listing(ids, stacked.rows)}): intersecting them would process {work:,} vertices, "
                f"more than the {budget:,} allowed for this layer, where each vertex meets a few neighbours. "
                "Remove the stacked copies or overlapping versions, or merge them with gdf.dissolve()"
            ) from None
        raise InvalidArgumentError(
            f"polygons lie stacked on top of each other: up to {stacked.crowd} meet at one place "
            f"(rows {_listing(ids, stacked.rows)}): more candidate pairs than the {stacked.budget:,} "
            f"allowed for this layer, where neighbours give a few per polygon. Remove the stacked "
            f"copies or overlapping versions, or merge them with gdf.dissolve()"
        ) from None
    id_array = np.empty(len(ids), dtype=object)
    id_array[:] = ids
    table = pd.DataFrame(
        {
            "id_a": id_array[found.i],
            "id_b": id_array[found.j],
            "shared_km": found.shared_km,
            "contact": np.where(found.edge, "edge", "point"),
            "overlap_km2": found.overlap_km2,
            "gap": found.gap,
        }
    )
    for row in table[table["overlap_km2"] > 0].itertuples():
        issues.append(
            {
                "kind": "overlap",
                "id_a": row.id_a,
                "id_b": row.id_b,
                "value": row.overlap_km2,
                "detail": "km² of overlap",
            }
        )
    for row in table[table["gap"]].itertuples():
        issues.append(
            {
                "kind": "gap",
                "id_a": row.id_a,
                "id_b": row.id_b,
                "value": row.shared_km,
                "detail": f"contact within tolerance_m={tolerance:g} only",
            }
        )
    table.attrs["issues"] = _report_issues(issues, _stacklevel + 1)
    return table


# --------------------------------------------------------------------------- graphs


def build_graph(
    layer: gpd.GeoDataFrame,
    key: str | None,
    table: pd.DataFrame,
    meta: dict,
    tolerance_m,
    node_attributes: dict | None = None,
) -> nx.Graph:
    """A networkx graph from a layer and its :func:`contacts` table.

    ``node_attributes`` (node -> dict) adds attributes that layers above this engine know
    (platform labels of the shipped layers, for instance).
    """
    graph = nx.Graph(
        **meta, resolution_note=RESOLUTION_NOTE, tolerance_m=tolerance_m, issues=table.attrs.get("issues")
    )
    ids = layer[key].tolist() if key else layer.index.tolist()
    attributes = [c for c in _NODE_COLUMNS if c in layer.columns]
    extra = node_attributes or {}
    columns = {c: layer[c].tolist() for c in attributes}
    records = [{c: values[k] for c, values in columns.items()} for k in range(len(ids))]
    # Bulk insertion: per-call overhead dominates for large layers.
    graph.add_nodes_from((node, {**row, **extra.get(node, {})}) for node, row in zip(ids, records))
    if len(table):
        # Plain lists: iterating pandas string arrays element by element is slow.
        id_a, id_b = table["id_a"].tolist(), table["id_b"].tolist()
        if "province" in layer.columns:
            province = dict(zip(ids, layer["province"].tolist()))
            cross = [province[a] != province[b] for a, b in zip(id_a, id_b)]
        else:
            cross = [False] * len(table)
        graph.add_edges_from(
            (a, b, {"shared_km": km, "contact": c, "cross_border": x, "overlap_km2": o, "gap": g})
            for a, b, km, c, x, o, g in zip(
                id_a,
                id_b,
                table["shared_km"].astype(float).tolist(),
                table["contact"].tolist(),
                cross,
                table["overlap_km2"].astype(float).tolist(),
                table["gap"].astype(bool).tolist(),
            )
        )
    return graph


def _id_order(value) -> tuple:
    """A sort key that orders ids of different types: numbers, then text, then anything else."""
    if isinstance(value, (int, float, np.integer, np.floating)):
        return (0, value)
    if isinstance(value, str):
        return (1, value)
    return (2, type(value).__name__, str(value))


def _sorted_pair(a, b) -> tuple:
    try:
        return (b, a) if b < a else (a, b)
    except TypeError:  # ids of different types (1 and "b") do not compare
        return tuple(sorted((a, b), key=_id_order))


def graph_to_frame(graph: nx.Graph) -> pd.DataFrame:
    """Edges of an adjacency graph as a pair table (columns of DESIGN.md), a before b by id.

    Ids of different types that Python cannot compare (``1`` and ``"b"`` in one id column)
    are ordered numbers first, then text.

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> frame = cg.graph_to_frame(cg.adjacency_graph())
    >>> len(frame), int(frame["cross_border"].sum())
    (602, 29)
    """
    rows = []
    for a, b, attrs in graph.edges(data=True):
        a, b = _sorted_pair(a, b)
        na, nb = graph.nodes[a], graph.nodes[b]
        rows.append(
            {
                "adcode_a": a,
                "name_a": na.get("name"),
                "province_a": na.get("province"),
                "adcode_b": b,
                "name_b": nb.get("name"),
                "province_b": nb.get("province"),
                "shared_km": attrs["shared_km"],
                "contact": attrs["contact"],
                "cross_border": attrs["cross_border"],
            }
        )
    frame = pd.DataFrame(rows, columns=PAIR_COLUMNS + ["cross_border"])
    try:
        frame = frame.sort_values(["adcode_a", "adcode_b"])
    except TypeError:
        frame = frame.sort_values(["adcode_a", "adcode_b"], key=lambda ids: ids.map(_id_order))
    return frame.reset_index(drop=True)


def shared_lines(pairs: pd.DataFrame, layer: gpd.GeoDataFrame) -> list:
    """The line each pair of a pair table shares, drawn from ``layer``'s geometry.

    Parameters
    ----------
    pairs : pandas.DataFrame
        With ``adcode_a`` and ``adcode_b`` (from :func:`graph_to_frame` or
        :func:`cross_border_pairs`).
    layer : geopandas.GeoDataFrame
        Units with ``adcode``; a simplified display layer gives display lines (the
        lengths in ``pairs`` stay those of the layer the graph was built from).

    Returns
    -------
    list of shapely geometries, one per row

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> pairs = cg.cross_border_pairs()
    >>> lines = cg.shared_lines(pairs, cg.load_boundaries())
    >>> len(lines) == len(pairs), lines[0].geom_type
    (True, 'LineString')
    """
    geoms = layer.set_index("adcode").geometry
    shared = shapely.intersection(
        shapely.boundary(geoms.loc[pairs["adcode_a"]].values),
        shapely.boundary(geoms.loc[pairs["adcode_b"]].values),
    )
    # The intersection comes back segment by segment; merged, a border is half the size.
    lines = shapely.get_type_id(shared) == shapely.GeometryType.MULTILINESTRING
    shared[lines] = shapely.line_merge(shared[lines])
    return list(shared)


def contiguity_graph(
    gdf: gpd.GeoDataFrame, id_col: str | None = None, tolerance_m: float | None = None, _stacklevel: int = 2
) -> nx.Graph:
    """Contiguity graph of any polygon layer, with shared border lengths.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
    id_col : str, optional
        Column of unique node ids; the index by default.
    tolerance_m : float, optional
        As for :func:`contacts`.

    Returns
    -------
    networkx.Graph
        Edges carry ``shared_km``, ``contact``, ``cross_border`` (provinces differ, when the
        layer has a ``province`` column), ``overlap_km2`` and ``gap``; ``graph.graph`` the
        layer's ``source`` and the ``issues`` table.

    Raises
    ------
    InvalidArgumentError
        As for :func:`contacts` (bad ids, zero-area polygons, identical or stacked polygons).
    """
    table = contacts(gdf, id_col, tolerance_m, _stacklevel=_stacklevel + 1)
    meta = {
        "level": "user layer",
        "vintage": gdf.attrs.get("vintage"),
        "detail": gdf.attrs.get("detail"),
        "source": gdf.attrs.get("source", "user layer"),
    }
    return build_graph(gdf, id_col, table, meta, tolerance_m)
