"""What a user waits for, cold: each step in a fresh interpreter, beside its peer tool.

Run: ``python benchmarks/latency.py`` (needs the ``analysis`` extra for libpysal). Each figure
is the median wall time of several fresh processes (a notebook kernel or the CLI starts cold),
from the start of the interpreter to the end of the step; the budget is issue 25's. Timing is
asserted here only, never in the test suite.

A notebook has its result when the step ends; it does not wait for the interpreter to shut
down, which after importing libpysal takes a further 0.1-0.4 s (unloading scikit-learn, SciPy
and whatever else was imported). The library steps are therefore timed to the end of the step,
and the shutdown is printed beside them (``exit``) so that the whole-process figure is there
too. A shell does wait for a command to exit, so the CLI steps are timed to the process's end.

``weights`` pays for importing libpysal, which imports every optional package it finds
(SQLAlchemy for ``libpysal.io``, numba for ``libpysal.cg``; scikit-learn is required): an
environment with the ``docs`` or ``causal`` extras (a development venv) has both, one with
``.[bench]`` has neither. The header says which of them each interpreter has and what importing
libpysal costs there alone; ``--python`` times the same steps in more interpreters, side by side,
so that no environment's figure stands alone::

    python -m venv .bench-venv && .bench-venv/bin/pip install ".[bench]"
    python benchmarks/latency.py --python .bench-venv/bin/python

Every interpreter runs this checkout's code (``PYTHONPATH`` is set to it), not an installed copy;
its bytecode is compiled first, as ``pip install`` does, so that no figure includes compiling
the package's sources (which a ``PYTHONDONTWRITEBYTECODE`` environment would otherwise repeat
in every process).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# (name, budget in seconds, "geopandas + 0.1", or None for a peer, code run in a fresh interpreter)
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
    ("import libpysal.graph alone (floor)", None, "import libpysal.graph"),
    ("weights('county')", 1.5, "import chuanyu_geo as cg; cg.weights('county')"),
    (
        "libpysal Queen on the same layer (peer)",
        None,
        "import chuanyu_geo as cg; from libpysal.graph import Graph;"
        "Graph.build_contiguity(cg.load_boundaries('county').set_index('adcode'), rook=False)",
    ),
    # Not in issue 25's list (no budget): LISA's first call, beside esda's own on the same values,
    # which compiles its permutation code when numba is installed.
    (
        "lisa of the 2020 census, 999 permutations",
        "",
        "import chuanyu_geo as cg; cg.lisa(cg.load_census(2020), 'years_of_schooling', 'adcode',"
        " year=2020, seed=1, allow_partial=True)",
    ),
    (
        "esda.Moran_Local on the same values (peer)",
        None,
        "import chuanyu_geo as cg, esda; w = cg.weights('county').transform('r');"
        "t = cg.join_table(cg.load_census(2020), 'adcode', year=2020)[0].set_index('adcode');"
        "keep = [u for u in w.unique_ids if u in t.index and len(w[u])]; w = w.subgraph(keep);"
        "esda.Moran_Local(t.loc[list(w.unique_ids), 'years_of_schooling'].to_numpy(float), w,"
        " permutations=999, seed=1)",
    ),
]

CLI = [
    ("chuanyu-geo layers", 1.0, ["layers"]),
    ("chuanyu-geo platforms", 1.0, ["platforms"]),
    ("chuanyu-geo report", 1.5, ["report", "-o", "{tmp}/report"]),
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

# What importing libpysal pulls in, by interpreter: the optional packages that make it slow;
# and whether pandas imports pyarrow (it does when pyarrow is installed, as with ``.[bench]``).
PROBE = r"""
import json, sys, importlib.metadata as md
import pandas
arrow = "pyarrow" in sys.modules
import libpysal.graph
print(json.dumps({"libpysal": md.version("libpysal"), "arrow": arrow,
                  "imported": [m for m in ("sklearn", "sqlalchemy", "numba") if m in sys.modules]}))
"""


def _env() -> dict[str, str]:
    """This checkout first on the path: an interpreter's installed copy is not what is timed."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path}


# Appended to a library step: the wall clock at the step's end, on the last line of stdout. The
# parent reads the same clock (time.time, shared by processes) just before starting the child.
# No braces: the commands go through str.format (the CLI's ``{tmp}``).
STEP_END = "\nimport sys as _s, time as _t\n_s.stdout.write('\\n@' + repr(_t.time()) + '\\n')"


def _medians(pythons: list[str], args: list[str], runs: int) -> list[tuple[float, float, float]]:
    """Median wall, CPU and exit seconds of ``args`` in each interpreter, the runs interleaved
    (A B A B ...): a change in the machine's load during the step weighs on each alike.

    The wall time ends where the child printed its STEP_END mark, or at its exit if it printed
    none (the CLI); ``exit`` is the time from the mark to the process's end (0 without a mark).
    The CPU time (user + system of the child, exit included) beside the wall time says whether
    a slow figure waited for a core (CPU well under wall) or ran slower on a shared one (CPU
    near wall: cache and memory contention, which an idle machine does not have either).
    """
    samples: list[list[tuple[float, float, float]]] = [[] for _ in pythons]
    for _ in range(runs):
        for python, times in zip(pythons, samples):
            with tempfile.TemporaryDirectory() as tmp:  # the report's folder, removed after each run
                command = [python, *(a.format(tmp=tmp) for a in args)]
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                start = time.time()
                done = subprocess.run(
                    command, check=True, capture_output=True, text=True, cwd=ROOT, env=_env()
                )
                end = time.time()
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
                last = done.stdout.rstrip().rpartition("\n")[2]
                step_end = float(last[1:]) if last.startswith("@") else end
                times.append((step_end - start, cpu, end - step_end))
    return [tuple(statistics.median(t[k] for t in times) for k in range(3)) for times in samples]  # type: ignore[misc]


def _warm(python: str, runs: int) -> dict[str, float]:
    """Median seconds of each WARM step over ``runs`` fresh processes (import excluded)."""
    results = []
    for _ in range(runs):
        done = subprocess.run(
            [python, "-c", WARM], check=True, capture_output=True, text=True, cwd=ROOT, env=_env()
        )
        results.append(dict(line.split("\t") for line in done.stdout.strip().splitlines()))
    return {name: statistics.median(float(r[name]) for r in results) for name in results[0]}


def _probe(python: str) -> str:
    done = subprocess.run([python, "-c", PROBE], capture_output=True, text=True, cwd=ROOT, env=_env())
    if done.returncode:
        return "no libpysal"
    found = json.loads(done.stdout)
    imported = ", ".join(found["imported"]) or "none of sklearn, sqlalchemy, numba"
    arrow = "imports" if found["arrow"] else "does not import"
    return f"libpysal {found['libpysal']} imports {imported}; pandas {arrow} pyarrow"


def _load() -> str:
    return f"{os.getloadavg()[0]:.2f}"


def _verdict(seconds: float, budget: float) -> str:
    return "ok" if seconds <= 0.9 * budget else ("tight" if seconds <= budget else "OVER")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--python", action="append", default=[], help="another interpreter to time")
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per figure (median)")
    args = parser.parse_args(argv)
    pythons = [sys.executable, *args.python]
    print(f"{os.cpu_count()} cores; load average (1 min) {_load()} at the start")
    for i, python in enumerate(pythons):
        # Bytecode for this checkout, as pip writes it on install (ignored by git).
        subprocess.run([python, "-m", "compileall", "-q", str(ROOT / "chuanyu_geo")], check=True)
        print(f"[{i}] {python}: {_probe(python)}")
    base = _medians(pythons, ["-c", "pass"], args.runs)
    print("fresh interpreter alone: " + " / ".join(f"{w:.2f}" for w, _, _ in base) + " s (in every figure)")
    print("wall: median seconds from the interpreter's start to the step's end (a CLI command: to")
    print("its exit), judged against the budget (ok: ≥ 10 % under it; tight: under it by less;")
    print("OVER: above it); exit: the interpreter's shutdown after the step, which a notebook does")
    print("not wait for; cpu: the child's CPU seconds, exit included (well under wall + exit: it")
    print("waited for a core). Budgets are for an idle machine: with a load above 1, rerun.\n")
    head = "".join(f"{f'[{i}] wall':>10s}{'exit':>6s}{'cpu':>6s}" for i in range(len(pythons)))
    print(f"{'step':42s}{head}  budget            load  verdicts")
    cold = [(name, budget, ["-W", "ignore", "-c", code + STEP_END]) for name, budget, code in STEPS]
    cold += [(name, budget, ["-m", "chuanyu_geo.cli", *cli]) for name, budget, cli in CLI]
    geopandas = []
    for name, budget, command in cold:
        measured = _medians(pythons, command, args.runs)
        figures = [w for w, _, _ in measured]
        if name == "import geopandas (peer)":
            geopandas = figures
        if budget is None or budget == "":
            limits, text = [None] * len(figures), "(peer / floor)" if budget is None else "(no budget)"
        elif budget == "geopandas + 0.1":
            limits, text = [g + 0.1 for g in geopandas], "geopandas + 0.1"
        else:
            limits, text = [float(budget)] * len(figures), f"≤ {budget:.1f}"
        cells = "".join(f"{w:10.2f}{x:6.2f}{c:6.2f}" for w, c, x in measured)
        verdicts = " ".join(_verdict(s, b) for s, b in zip(figures, limits) if b is not None)
        print(f"{name:42s}{cells}  {text:16s}  {_load()}  {verdicts}")
    print("\nwarm, 10^4-row tables (import and first data call excluded)")
    warm = [_warm(p, args.runs) for p in pythons]
    for name in warm[0]:
        figures = [w[name] for w in warm]
        cells = "".join(f"{s:10.2f}{'':12s}" for s in figures)
        verdicts = " ".join(_verdict(s, 0.5) for s in figures)
        print(f"{name:42s}{cells}  {'≤ 0.5':16s}  {_load()}  {verdicts}")


if __name__ == "__main__":
    main()
