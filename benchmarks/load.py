"""Import and first-load cost, measured in fresh interpreters (run: python benchmarks/load.py).

Targets (issue 2): cold `import chuanyu_geo` within 0.1 s of a bare `import geopandas`
measured in the same run; the first `load_boundaries("county")` under 50 ms (standard)
and under 100 ms (fine). Each figure is the median of several fresh processes.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

RUNS = 7

PROBE = """
import json, time
t0 = time.perf_counter()
import {module}
t1 = time.perf_counter()
extra = {{}}
if "{module}" == "chuanyu_geo":
    for detail in ("standard", "fine"):
        s = time.perf_counter()
        chuanyu_geo.load_boundaries("county", detail=detail)
        extra[detail] = time.perf_counter() - s
print(json.dumps({{"import": t1 - t0, **extra}}))
"""


def measure(module: str) -> dict[str, float]:
    samples = []
    for _ in range(RUNS):
        out = subprocess.run(
            [sys.executable, "-c", PROBE.format(module=module)], capture_output=True, text=True, check=True
        )
        samples.append(json.loads(out.stdout))
    return {key: statistics.median(s[key] for s in samples) for key in samples[0]}


def main() -> None:
    geopandas = measure("geopandas")
    ours = measure("chuanyu_geo")
    rows = [
        ("import geopandas (reference)", geopandas["import"], None),
        ("import chuanyu_geo", ours["import"], None),
        ("  difference", ours["import"] - geopandas["import"], 0.100),
        ("first load_boundaries('county') standard", ours["standard"], 0.050),
        ("first load_boundaries('county', detail='fine')", ours["fine"], 0.100),
    ]
    print(f"median of {RUNS} fresh processes, Python {sys.version.split()[0]}")
    print(f"{'measure':50s} {'seconds':>9s} {'target':>8s}  met")
    for label, value, target in rows:
        met = "" if target is None else ("yes" if value <= target else "NO")
        print(f"{label:50s} {value:9.4f} {'' if target is None else f'{target:8.3f}':>8s}  {met}")


if __name__ == "__main__":
    main()
