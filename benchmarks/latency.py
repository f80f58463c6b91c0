"""What a user waits for, cold: each step in a fresh interpreter, beside its peer tool.

Run: ``python benchmarks/latency.py`` (needs the ``test`` extra for libpysal). Each figure is the
median wall time of several fresh processes (a notebook kernel or the CLI starts cold), from
before the first import to the end of the step; the budget is issue 25's. Timing is asserted
here only, never in the test suite.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time

RUNS = 3

# (name, budget in seconds or None, code run in a fresh interpreter)
STEPS = [
    ("import geopandas (peer)", None, "import geopandas"),
    ("import chuanyu_geo", "geopandas + 0.1", "import chuanyu_geo"),
    (
        "choropleth of the 2020 census",
        1.5,
        "import chuanyu_geo as cg; t = cg.load_census(2020);"
        "cg.choropleth(t, 'population', 'adcode', year=2020, allow_partial=True, tiles=None).get_root().render()",
    ),
    (
        "geopandas .explore() of the same (peer)",
        None,
        "import chuanyu_geo as cg; t = cg.load_census(2020); g = cg.load_boundaries('county');"
        "g.merge(t, on='adcode').explore(column='population', scheme='quantiles', k=5).get_root().render()",
    ),
    (
        "platform_map (offline)",
        1.2,
        "import chuanyu_geo as cg; cg.platform_map(tiles=None, offline=True).get_root().render()",
    ),
    ("weights('county')", 1.5, "import chuanyu_geo as cg; cg.weights('county')"),
    (
        "libpysal Queen on the same layer (peer)",
        None,
        "import chuanyu_geo as cg; from libpysal.graph import Graph;"
        "Graph.build_contiguity(cg.load_boundaries('county').set_index('adcode'), rook=False)",
    ),
]

# Steps timed inside one warm process (after import and the first data call): issue 25's
# "join_table / harmonise of a 10^4-row table <= 0.5 s", names resolved once per distinct key.
WARM = r"""
import time, warnings
import numpy as np, pandas as pd, chuanyu_geo as cg
warnings.simplefilter("ignore")
rng = np.random.default_rng(0)
names = list(cg.unit_table("county")["name"]) + ["开县", "綦江县", "双桥区"]
yearbook = pd.DataFrame({"k": rng.choice(names, 10_000), "v": np.arange(10_000.0)})
codes = list(cg.unit_table("county", cg.VINTAGES[0])["adcode"])
coded = pd.DataFrame({"adcode": rng.choice(codes, 10_000), "v": np.ones(10_000)})
cg.resolve("合川")  # the first data call: registries and name index
for name, step in (
    ("join_table", lambda: cg.join_table(yearbook, "k")),
    ("harmonise", lambda: cg.harmonise(coded, "adcode", year=2020, columns={"v": "sum"}, allow_partial=True)),
    ("panel (two years)", lambda: cg.panel({2010: coded, 2020: coded}, "adcode", columns={"v": "sum"},
                                           allow_partial=True)),
):
    start = time.perf_counter()
    step()
    print(f"{name}\t{time.perf_counter() - start:.3f}")
"""

CLI = [
    ("chuanyu-geo layers", 1.0, ["layers"]),
    ("chuanyu-geo platforms", 1.0, ["platforms"]),
    ("chuanyu-geo report", 1.5, ["report", "-o", "{tmp}/report"]),
]


def _cold(code: str) -> float:
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-W", "ignore", "-c", code], check=True, capture_output=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _cli(args: list[str]) -> float:
    samples = []
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory() as tmp:  # the report's folder, removed after each run
            command = [sys.executable, "-m", "chuanyu_geo.cli", *(a.format(tmp=tmp) for a in args)]
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _warm() -> dict[str, float]:
    """Median seconds of each WARM step over RUNS fresh processes (import excluded)."""
    runs = []
    for _ in range(RUNS):
        done = subprocess.run([sys.executable, "-c", WARM], check=True, capture_output=True, text=True)
        runs.append(dict(line.split("\t") for line in done.stdout.strip().splitlines()))
    return {name: statistics.median(float(r[name]) for r in runs) for name in runs[0]}


def main() -> None:
    baseline = _cold("pass")
    print(f"fresh interpreter alone: {baseline:.2f} s (included in every figure below)\n")
    print(f"{'step':44s} {'cold s':>7s}  budget")
    figures = {}
    for name, budget, code in STEPS:
        figures[name] = seconds = _cold(code)
        if budget == "geopandas + 0.1":
            budget_text = f"≤ {figures['import geopandas (peer)'] + 0.1:.2f}"
            ok = seconds <= figures["import geopandas (peer)"] + 0.1
        elif budget is None:
            budget_text, ok = "(peer / figure)", True
        else:
            budget_text, ok = f"≤ {budget:.1f}", seconds <= budget
        print(f"{name:44s} {seconds:7.2f}  {budget_text}{'' if ok else '  OVER'}")
    for name, budget, args in CLI:
        seconds = _cli(args)
        print(f"{name:44s} {seconds:7.2f}  ≤ {budget:.1f}{'' if seconds <= budget else '  OVER'}")
    print("\nwarm, 10^4-row tables (import and first data call excluded)")
    for name, seconds in _warm().items():
        print(f"{name:44s} {seconds:7.2f}  ≤ 0.5{'' if seconds <= 0.5 else '  OVER'}")


if __name__ == "__main__":
    main()
