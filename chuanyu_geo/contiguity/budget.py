"""Bounds on the work: refuse stacks of polygons (k copies make k² pairs) before they cost minutes."""

from __future__ import annotations

import numpy as np
import shapely

# Candidate pairs a layer may produce: real layers give 1-7 per polygon (all China's counties,
# also within a 500 m tolerance); the exact path costs ~12 µs of CPU a pair, so the base stays ~1 s.
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
    whole = None
    if len(geoms) * len(tree) <= _CHUNK_PAIRS:
        # Small enough to query at once (every row meets at most the whole tree); the chunks
        # below then only read its counts, so a stack is refused exactly as chunk by chunk.
        whole = tree.query(geoms, **query)
        if whole.shape[1] <= budget:  # the running total never passes the budget either
            return whole
        counts = np.bincount(whole[0], minlength=len(geoms))
    parts, total, start, size, crowd = [], 0, 0, 8, 1
    while start < len(geoms):
        stop = min(start + size, len(geoms))
        if whole is None:
            pairs = tree.query(geoms[start:stop], **query)
            per_row = np.bincount(pairs[0], minlength=stop - start)
            parts.append(pairs + np.array([[start], [0]]))
        else:
            per_row = counts[start:stop]
        total += int(per_row.sum())
        if per_row.any():
            crowd = max(crowd, int(per_row.max()))
            if total > budget:
                raise _Stacked(start + np.argsort(-per_row, kind="stable")[:10], crowd, budget)
        start = stop
        size = max(1, min(2 * size, _CHUNK_PAIRS // crowd))
    if whole is not None:
        return whole
    return np.concatenate(parts, axis=1) if parts else np.empty((2, 0), dtype=np.intp)
