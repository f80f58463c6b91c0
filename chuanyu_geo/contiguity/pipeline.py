"""The engine's steps in order: a polygon layer in, the contacts table (pairs, km, issues) out."""

from __future__ import annotations

import warnings
from concurrent.futures import wait

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .._errors import InvalidArgumentError
from ._arrays import _combine, _Contacts
from ._workers import _checker
from .budget import _Stacked
from .convex import _convex_rows
from .exact import _exact_contacts, _tolerant_contacts
from .frame import _Frame
from .matching import _coverage_contacts
from .snapping import _has_near_duplicates, _snap_vertices, snap_distance
from .validation import _check_tolerance, _check_user_layer, _listing, _refuse_identical, _repair


class AdjacencyWarning(UserWarning):
    """A user layer needed repair, or overlaps were found."""


_THREAD_FROM_VERTICES = 20_000  # layers this large validate on the second thread


def _check_and_match(
    geoms: np.ndarray, frame: _Frame, xy: np.ndarray | None = None
) -> tuple[_Contacts | None, np.ndarray, np.ndarray]:
    """Match a layer as a coverage while validating it.

    Returns the contacts, the mask of invalid geometries and the rows that break the
    coverage rules. ``xy``: the layer's vertices (``shapely.get_coordinates``) when already
    read. A small layer's strictly convex rows are valid by construction
    (:func:`._convex_rows`): ``is_valid`` checks the other rows, and the certificates also
    spare the coverage rules GEOS's relate. On larger layers GEOS releases the GIL, so
    ``is_valid`` runs on a second thread beside the matching, which also finds the coverage
    problems; there the certificates (linear in the vertices, on the main thread) would cost
    more than the relate calls they save (which grow with the outer boundary).
    """
    if xy is None:
        xy = shapely.get_coordinates(geoms)
    if len(xy) < _THREAD_FROM_VERTICES:
        # A small layer: is_valid takes well under a millisecond, less than handing it to
        # the thread and back (under load, up to the interpreter's 5 ms switch interval).
        convex = _convex_rows(geoms, xy, shapely.get_num_coordinates(geoms))
        rest = np.nonzero(~convex[0])[0]
        invalid = np.zeros(len(geoms), dtype=bool)
        invalid[rest] = ~shapely.is_valid(geoms[rest])
        if invalid.any():
            return None, invalid, np.empty(0, dtype=np.int64)
        matched, flagged = _coverage_contacts(geoms, frame, validate=True, xy=xy, convex=convex)
        return matched, invalid, flagged
    none = np.zeros(len(geoms), dtype=bool)  # no certificates: every pair goes to GEOS
    checking = _checker().submit(lambda: ~shapely.is_valid(geoms))
    try:
        found, problems = _coverage_contacts(geoms, frame, validate=True, xy=xy, convex=(none, none))
        failure = None
    except shapely.errors.GEOSException as exc:  # invalid input: repaired and redone
        found, problems, failure = None, np.empty(0, dtype=np.int64), exc
    finally:
        wait([checking])  # also when matching raised: the check never outlives the call
    invalid = checking.result()
    if failure is not None and not invalid.any():
        raise failure  # not caused by an invalid geometry
    return found, invalid, problems


ISSUE_COLUMNS = ["kind", "id_a", "id_b", "value", "detail"]
_CONTACT_LABELS = np.array(["point", "edge"], dtype=object)
# The issues table of a clean layer: the columns (float64, as pandas infers them from empty
# lists) and no rows; contacts() returns copies.
_EMPTY_ISSUES = pd.DataFrame({c: [] for c in ISSUE_COLUMNS}, columns=ISSUE_COLUMNS)


def _report_issues(issues: list[dict], stacklevel: int, extra: dict[str, list] | None = None) -> pd.DataFrame:
    """The issues (``issues`` rows, then the columns of ``extra``) as a table; one bounded
    warning line for those a user must know about."""
    # Columns of Python values: pandas infers each column's dtype as from a list of rows.
    columns = {c: [row[c] for row in issues] + (extra[c] if extra else []) for c in ISSUE_COLUMNS}
    if not columns["kind"]:
        # No issue (a clean layer): a copy of the empty table, built once (building it took
        # a twentieth of a 10^3-cell layer's call).
        return _EMPTY_ISSUES.copy()
    table = pd.DataFrame(columns, columns=ISSUE_COLUMNS)
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
        xy: np.ndarray | None = shapely.get_coordinates(geoms)  # read once: snap check and matching
        distance = snap_distance(geoms, xy)
        if _has_near_duplicates(geoms, distance, xy):
            geoms, moved = _snap_vertices(geoms, distance)
            if moved:
                xy = None  # the vertices moved
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
        matched, invalid, flagged = _check_and_match(geoms, frame, xy)
        if invalid.any():
            geoms = _repair(geoms, invalid, ids, issues)
            matched, _, flagged = _check_and_match(geoms, frame)
        assert matched is not None  # matching fails only on invalid rows, repaired above
        found = matched
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
            "contact": _CONTACT_LABELS[found.edge.astype(np.intp)],  # two shared str objects
            "overlap_km2": found.overlap_km2,
            "gap": found.gap,
        },
        copy=False,  # the arrays are this call's own: no copy needed
    )
    # One issue row per overlapping pair and per contact found only within the tolerance,
    # gathered as columns (a dict per row cost seconds at 10^5 overlapping pairs).
    extra: dict[str, list] = {c: [] for c in ISSUE_COLUMNS}
    for kind, mask, values, detail in (
        ("overlap", found.overlap_km2 > 0, found.overlap_km2, "km² of overlap"),
        ("gap", found.gap, found.shared_km, f"contact within tolerance_m={tolerance or 0:g} only"),
    ):
        count = int(mask.sum())
        extra["kind"] += [kind] * count
        extra["id_a"] += id_array[found.i[mask]].tolist()
        extra["id_b"] += id_array[found.j[mask]].tolist()
        extra["value"] += values[mask].tolist()
        extra["detail"] += [detail] * count
    table.attrs["issues"] = _report_issues(issues, _stacklevel + 1, extra)
    return table
