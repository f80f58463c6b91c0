"""How long each notebook takes to run end to end, in a kernel of this environment.

Run: ``python benchmarks/notebooks.py``. Each notebook runs once, in order, in a temporary
copy of notebooks/ (nothing is written back; ``scripts/run_notebooks.py`` stores outputs).
The budget, all notebooks together in under five minutes on an idle two-core machine, is
asserted here, not in the test suite (tests/test_notebooks.py checks that they run).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from run_notebooks import NOTEBOOKS, execute  # noqa: E402

BUDGET_S = 300.0


def main() -> int:
    total = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp) / "notebooks"
        shutil.copytree(NOTEBOOKS, workdir)
        for path in sorted(NOTEBOOKS.glob("*.ipynb")):
            start = time.perf_counter()
            execute(path, workdir)
            elapsed = time.perf_counter() - start
            total += elapsed
            print(f"{path.name:36s} {elapsed:6.1f} s")
    verdict = "within" if total <= BUDGET_S else "OVER"
    print(f"{'all notebooks':36s} {total:6.1f} s  ({verdict} the budget of {BUDGET_S:.0f} s)")
    print(f"load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0 if total <= BUDGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
