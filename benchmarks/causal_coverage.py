"""Coverage of each estimator's 95% interval on the real 2020 design (run: python benchmarks/causal_coverage.py [draws]).

The design is the unit panel of the 2020 plan with overall-plan dates (221 counties of
Sichuan and Chongqing, 2015–2023, cohorts 2021–2024; 内荣's three-plus-three units of unknown
date left out), and, for ``sdid``, the same units with designation dates (one cohort, 2021).
Each draw plants an effect of 0.5 on the treated unit-years on top of unit effects, year
effects and AR(1) noise (ρ = 0.3) per unit, from a local generator seeded by the draw number.
Printed: per estimator, the share of draws whose interval covers 0.5, the mean estimate and
the mean interval width. ``--quick`` runs 20 draws.
"""

from __future__ import annotations

import sys
import time
import warnings

import numpy as np
import pandas as pd

import chuanyu_geo as cg
from chuanyu_geo.designs import apply_unknown

EFFECT = 0.5


def outcome(panel: pd.DataFrame, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    units, years = sorted(set(panel["unit"])), sorted(set(panel["year"]))
    alpha = dict(zip(units, rng.normal(0, 1, len(units))))
    gamma = dict(zip(years, rng.normal(0, 0.5, len(years))))
    noise = np.empty((len(units), len(years)))
    noise[:, 0] = rng.normal(0, 0.5, len(units))
    for t in range(1, len(years)):
        noise[:, t] = 0.3 * noise[:, t - 1] + rng.normal(0, 0.5, len(units))
    row = {u: i for i, u in enumerate(units)}
    col = {y: j for j, y in enumerate(years)}
    out = panel.copy()
    out["y"] = (
        out["unit"].map(alpha)
        + out["year"].map(gamma)
        + noise[out["unit"].map(row), out["year"].map(col)]
        + EFFECT * out["treated"].astype(float)
    )
    return out


def main(draws: int) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        staggered = apply_unknown(cg.unit_panel(plan="2020", event="overall_plan"), "exclude")
        block = cg.unit_panel(plan="2020", event="designated")
    designs = {
        "twfe": staggered,
        "did2s": staggered,
        "sun_abraham": staggered,
        "callaway_santanna": staggered,
        "sdid": block,
    }
    rows = []
    for estimator, panel in designs.items():
        start = time.perf_counter()
        hits, estimates, widths = 0, [], []
        for seed in range(draws):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = cg.did(outcome(panel, seed), "y", estimator=estimator, seed=seed)
            hits += result.ci[0] <= EFFECT <= result.ci[1]
            estimates.append(result.estimate)
            widths.append(result.ci[1] - result.ci[0])
        rows.append(
            {
                "estimator": estimator,
                "design": "overall plan, staggered" if panel is staggered else "designated, one cohort",
                "draws": draws,
                "coverage": hits / draws,
                "mean estimate": round(float(np.mean(estimates)), 4),
                "mean CI width": round(float(np.mean(widths)), 4),
                "seconds": round(time.perf_counter() - start, 1),
            }
        )
    return pd.DataFrame(rows)


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if a != "--quick"]
    count = 20 if "--quick" in sys.argv else int(arguments[0]) if arguments else 100
    table = main(count)
    print(f"planted effect {EFFECT}; 95% intervals; {count} draws per estimator")
    print(table.to_string(index=False))
