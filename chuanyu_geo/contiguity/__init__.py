"""The contiguity engine: who touches whom in any polygon layer, and over how many km.

Contiguity follows libpysal's semantics: Queen = any shared point, Rook = a shared edge.
A valid polygon coverage (every shipped layer, and most administrative layers) shares its
borders vertex for vertex, so contacts are found by matching identical boundary segments
and vertices with numpy sorts, and a shared edge's length is the geodesic length of its
matched segments. Polygons that break the coverage rules (overlaps, borders with
different vertices) go through an exact geometric path instead, on arrays of pairs: their
shared lines from collinear segments, their overlaps from polygon intersections.

The engine knows no province or platform. Its modules, in the order a layer meets them:
:mod:`.validation` (ids, types, copies, repair), :mod:`.snapping` (float-noise vertices),
:mod:`.matching` (vertex and segment matching, coverage rules), :mod:`.exact` (the
geometric path: overlaps and tolerance) with :mod:`.collinear` (shared lines of pairs),
:mod:`.pipeline` (the steps in order: :func:`contacts`) and :mod:`.graphs` (networkx
graphs, libpysal Graphs and pair tables); :mod:`.frame` measures, :mod:`.budget` bounds the
work, :mod:`._workers` runs GEOS on a second thread and :mod:`._arrays` holds the contact
arrays.
"""

from __future__ import annotations

# The public names (__all__), and, where the single module ``contiguity.py`` had them, the
# steps the adjacency layer, the tests and the benchmarks reach as ``contiguity.<name>``.
from ._arrays import _combine, _Contacts, _is_in, _unique_ints  # noqa: F401
from .budget import (  # noqa: F401
    PAIR_BUDGET_BASE,
    PAIR_BUDGET_PER_ROW,
    VERTEX_WORK_BASE,
    VERTEX_WORK_PER_VERTEX,
    _pair_budget,
    _query_pairs,
    _Stacked,
)
from .exact import MIN_EDGE_KM, _exact_contacts, _tolerant_contacts  # noqa: F401
from .frame import _areal, _Frame, _linework  # noqa: F401
from .graphs import (  # noqa: F401
    PAIR_COLUMNS,
    RESOLUTION_NOTE,
    build_graph,
    contacts_to_graph,
    contiguity_graph,
    graph_to_frame,
    shared_lines,
)
from .matching import (  # noqa: F401
    _coverage_contacts,
    _pairs_from_sorted_groups,
    _ring_coordinates,
    _segment_problems,
)
from .pipeline import (  # noqa: F401
    ISSUE_COLUMNS,
    AdjacencyWarning,
    _check_and_match,
    _find_contacts,
    _report_issues,
    contacts,
)
from .snapping import SNAP_ULPS, _has_near_duplicates, _snap_vertices, snap_distance  # noqa: F401
from .validation import (  # noqa: F401
    _check_tolerance,
    _check_user_layer,
    _id_key,
    _identical_groups,
    _listing,
    _refuse_identical,
    _repair,
)

__all__ = [
    "AdjacencyWarning",
    "contacts",
    "contacts_to_graph",
    "contiguity_graph",
    "graph_to_frame",
    "shared_lines",
    "RESOLUTION_NOTE",
    "PAIR_COLUMNS",
]
