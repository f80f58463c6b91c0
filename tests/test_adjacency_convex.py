"""The shortcuts that spare GEOS work: every row certified convex is valid, every certified pair
is one GEOS's relate clears, the coverage rules flag the same rows with and without them, and a
small spatial query at once answers and refuses as chunk by chunk."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from chuanyu_geo import coords
from chuanyu_geo.contiguity import _coverage_contacts, _Frame
from chuanyu_geo.contiguity.convex import _convex_rows, _kept_off


def _polygons(seed: int = 1, n: int = 3000) -> np.ndarray:
    """Convex polygons (both orientations, tiny and far from the origin) among polygons that
    are not: self-crossing, winding twice, repeated vertices, near-collinear, with holes."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        kind = int(rng.integers(0, 8))
        pts = rng.normal(size=(int(rng.integers(3, 12)), 2)) * 10.0 ** rng.integers(-3, 4)
        pts = pts + rng.normal() * 1e5 * (rng.random() < 0.3)
        hull = shapely.get_coordinates(shapely.convex_hull(shapely.multipoints(pts)))
        if kind == 0 and len(hull) > 3:
            out.append(shapely.Polygon(hull))
        elif kind == 1:
            out.append(shapely.Polygon(pts))  # often self-crossing
        elif kind == 2 and len(hull) > 3:
            out.append(shapely.Polygon(hull[::-1]))  # clockwise
        elif kind == 3 and len(hull) > 3:
            out.append(shapely.Polygon(np.concatenate([hull[:-1], hull[:-1], hull[:1]])))  # winds twice
        elif kind == 4 and len(hull) > 3:
            out.append(shapely.Polygon(np.insert(hull, 1, hull[1], axis=0)))  # a repeated vertex
        elif kind == 5:
            angle = np.sort(rng.uniform(0, 2 * np.pi, int(rng.integers(3, 9))))
            ring = np.c_[np.cos(angle), np.sin(angle)] * 10.0 ** rng.integers(-12, 3) + rng.normal() * 1e6
            out.append(shapely.Polygon(ring))
        elif kind == 6:
            angle = np.arange(5) * 4 * np.pi / 5  # a pentagram: every turn one way, twice round
            out.append(shapely.Polygon(np.c_[np.cos(angle), np.sin(angle)]))
        else:
            a = rng.normal(size=2)
            b = a + rng.normal(size=2)
            c = a + (b - a) * rng.random() + rng.normal(size=2) * 1e-16  # all but collinear
            out.append(shapely.Polygon([a, b, c]))
    out += [
        shapely.box(0, 0, 4, 4).difference(shapely.box(1, 1, 2, 2)),  # a hole
        shapely.multipolygons([shapely.box(0, 0, 1, 1), shapely.box(2, 2, 3, 3)]),
        shapely.Polygon([(0, 0), (1, 0), (1, 1), (0, 1), (1, 0.5), (0, 0)]),  # a bow tie
    ]
    return np.array(out, dtype=object)


def test_every_row_certified_convex_is_valid_and_its_orientation_is_known():
    geoms = _polygons()
    with np.errstate(invalid="ignore"):
        convex, ccw = _convex_rows(geoms, shapely.get_coordinates(geoms), shapely.get_num_coordinates(geoms))
    valid = shapely.is_valid(geoms)
    assert convex.sum() > 800  # the convex hulls are certified, not merely nothing
    assert valid[convex].all()
    assert (~valid).sum() > 500 and not convex[~valid].any()
    rings = shapely.get_exterior_ring(geoms[convex])
    assert (shapely.is_ccw(rings) == ccw[convex]).all()
    assert not convex[-3:].any()  # a hole, two parts, a bow tie: GEOS decides


def test_non_finite_and_degenerate_rings_are_left_to_geos():
    geoms = np.array(
        [
            shapely.Polygon([(0, 0), (1, 0), (np.inf, 1), (0, 0)]),
            shapely.Polygon([(0, 0), (1e308, 0), (1e308, 1e308), (0, 0)]),
            shapely.Polygon([(0, 0), (1, 0), (2, 0), (0, 0)]),  # collinear
            shapely.Polygon([(0, 0), (2, 0), (1, 1), (0, 0)]),  # a plain triangle
        ],
        dtype=object,
    )
    convex, _ = _convex_rows(geoms, shapely.get_coordinates(geoms), shapely.get_num_coordinates(geoms))
    assert convex.tolist() == [False, False, False, True]


def _chain_cases(seed: int = 3, n: int = 4000):
    """Convex polygons with chains drawn near them: sharing a vertex, along an edge, ending on
    it, crossing it, closed round it, inside it."""
    rng = np.random.default_rng(seed)
    polygons, chains = [], []
    for _ in range(n):
        centre = rng.normal(size=2) * 100
        angle = np.sort(rng.uniform(0, 2 * np.pi, int(rng.integers(3, 8))))
        ring = centre + np.c_[np.cos(angle), np.sin(angle)] * rng.uniform(0.5, 3)
        if rng.random() < 0.5:
            ring = np.round(ring, 1)  # grid vertices: chains land exactly on edges and vertices
        ring = ring if rng.random() < 0.5 else ring[::-1]
        polygon = shapely.Polygon(ring)
        kind = int(rng.integers(0, 6))
        k = int(rng.integers(0, len(ring)))
        step = rng.normal(size=(int(rng.integers(1, 5)), 2))
        if kind == 0:  # from one of its vertices, outward or not
            chain = np.concatenate([ring[k : k + 1], ring[k] + np.cumsum(step, axis=0)])
        elif kind == 1:  # along one of its edges, and beyond
            b = ring[(k + 1) % len(ring)]
            chain = np.array([ring[k] - (b - ring[k]) * rng.uniform(0, 1), ring[k], b])
        elif kind == 2:  # ending on one of its edges
            b = ring[(k + 1) % len(ring)]
            on = ring[k] + (b - ring[k]) * 0.5
            chain = np.concatenate([on + np.cumsum(step, axis=0)[::-1], on[None]])
        elif kind == 3:  # a closed chain round it, or through it
            chain = centre + np.c_[np.cos(angle), np.sin(angle)] * rng.uniform(0.3, 4)
            chain = np.concatenate([chain, chain[:1]])
        elif kind == 4:  # two of its vertices
            chain = np.array([ring[k], ring[(k + 2) % len(ring)]])
        else:  # anywhere near
            chain = centre + np.cumsum(rng.normal(size=(int(rng.integers(2, 6)), 2)) * 2, axis=0)
        polygons.append(polygon)
        chains.append(chain)
    return polygons, chains


def test_a_certified_pair_is_one_geos_relate_clears():
    polygons, chains = _chain_cases()
    geoms = np.array(polygons, dtype=object)
    convex, ccw = _convex_rows(geoms, shapely.get_coordinates(geoms), shapely.get_num_coordinates(geoms))
    assert convex.sum() > 0.8 * len(geoms)  # rounding to the grid collapses some
    geoms, ccw = geoms[convex], ccw[convex]
    chains = [c for c, keep in zip(chains, convex) if keep]
    xy = np.concatenate([shapely.get_coordinates(geoms)] + chains)
    counts = shapely.get_num_coordinates(geoms)
    ring_first = np.r_[0, np.cumsum(counts)[:-1]]
    sizes = np.array([len(c) for c in chains])
    chain_first = counts.sum() + np.r_[0, np.cumsum(sizes)[:-1]]
    certified = _kept_off(xy, chain_first, chain_first + sizes - 1, ring_first, counts, ccw)
    lines = shapely.linestrings(np.concatenate(chains), indices=np.repeat(np.arange(len(chains)), sizes))
    clear = shapely.relate_pattern(geoms, lines, "F**F*****")
    assert certified.sum() > 800 and (~clear).sum() > 800  # both answers well represented
    assert clear[certified].all()


def _voronoi(n: int, seed: int = 11) -> np.ndarray:
    rng = np.random.default_rng(seed)
    points = shapely.multipoints(np.c_[rng.uniform(100, 101, n), rng.uniform(30, 31, n)])
    cells = shapely.get_parts(shapely.voronoi_polygons(points, extend_to=shapely.box(100, 30, 101, 31)))
    return np.asarray(shapely.intersection(cells, shapely.box(100, 30, 101, 31)), dtype=object)


def _broken(geoms: np.ndarray, how: str) -> np.ndarray:
    geoms = geoms.copy()
    edge = np.nonzero(shapely.intersects(geoms, shapely.box(100, 30, 101, 30)))[0]
    if how == "shifted":  # a boundary cell moved: overlaps, and pokes out of the box
        geoms[edge[0]] = shapely.affinity.translate(geoms[edge[0]], 0.0, -0.001)
    elif how == "grown":  # a boundary cell grown a little: overlaps its neighbours
        geoms[edge[1]] = shapely.affinity.scale(geoms[edge[1]], 1.01, 1.01)
    elif how == "shrunk":  # a cell shrunk: a gap (allowed), its neighbours' borders unmatched
        geoms[edge[2]] = shapely.affinity.scale(geoms[edge[2]], 0.99, 0.99)
    elif how == "t-junction":  # a vertex added on the middle of a shared edge, on one side only
        inner = np.nonzero(~shapely.intersects(geoms, shapely.box(100, 30, 101, 31).exterior))[0]
        for row, nudge in ((inner[0], 0.0), (inner[1], 1e-9), (inner[2], -1e-9)):
            ring = shapely.get_coordinates(geoms[row])
            middle = (ring[0] + ring[1]) / 2 + nudge  # on the edge (to rounding), or just off it
            geoms[row] = shapely.Polygon(np.insert(ring, 1, middle, axis=0))
    elif how == "inside":  # a small cell inside another, sharing nothing
        centre = shapely.centroid(geoms[edge[4]])
        geoms = np.append(geoms, shapely.buffer(centre, 1e-4, quad_segs=2))
    return geoms


@pytest.mark.parametrize("how", ["clean", "shifted", "grown", "shrunk", "t-junction", "inside"])
def test_the_coverage_rules_flag_the_same_rows_with_and_without_the_certificates(how):
    geoms = _broken(_voronoi(300), how)
    frame = _Frame(coords.WGS84_CRS)
    fast = _coverage_contacts(geoms, frame, validate=True)[1]
    none = np.zeros(len(geoms), dtype=bool)
    slow = _coverage_contacts(geoms, frame, validate=True, convex=(none, none))[1]
    assert fast.tolist() == slow.tolist()
    whole = np.nonzero(~shapely.is_empty(shapely.coverage_invalid_edges(geoms)))[0]
    assert set(whole) <= set(fast.tolist())
    assert (len(fast) == 0) == (how in ("clean", "shrunk"))


def _chunked_query(tree, geoms, budget):
    """The bounded query chunk by chunk, as budget._query_pairs runs it on large inputs."""
    parts, total, start, size, crowd = [], 0, 0, 8, 1
    while start < len(geoms):
        stop = min(start + size, len(geoms))
        pairs = tree.query(geoms[start:stop])
        total += pairs.shape[1]
        if pairs.shape[1]:
            per_row = np.bincount(pairs[0], minlength=stop - start)
            crowd = max(crowd, int(per_row.max()))
            if total > budget:
                return ("refused", (start + np.argsort(-per_row, kind="stable")[:10]).tolist(), crowd)
        parts.append(pairs + np.array([[start], [0]]))
        start = stop
        size = max(1, min(2 * size, 2_000_000 // crowd))
    return ("pairs", np.concatenate(parts, axis=1).tolist(), None)


@pytest.mark.parametrize("stack", [0, 30, 400])
@pytest.mark.parametrize("budget", [50, 2_000, 100_000])
def test_a_small_query_at_once_answers_and_refuses_as_chunk_by_chunk(stack, budget):
    from chuanyu_geo.contiguity.budget import _query_pairs, _Stacked

    rng = np.random.default_rng(stack + budget)
    boxes = shapely.box(*(np.r_[rng.uniform(0, 100, (2, 300)), rng.uniform(0, 100, (2, 300)) + 1]))
    geoms = np.concatenate([boxes, np.repeat(shapely.box(50, 50, 52, 52), stack)])
    geoms = geoms[rng.permutation(len(geoms))]
    tree = shapely.STRtree(geoms)
    expected = _chunked_query(tree, geoms, budget)
    try:
        got = ("pairs", _query_pairs(tree, geoms, budget).tolist(), None)
    except _Stacked as stacked:
        got = ("refused", stacked.rows.tolist(), stacked.crowd)
    assert got == expected
    if budget == 50:  # both outcomes are compared: refused here, answered with the widest budget
        assert expected[0] == "refused"
    if budget == 100_000 and stack < 300:
        assert expected[0] == "pairs"
