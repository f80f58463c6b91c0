"""Execute the notebooks and store them with light outputs.

    python scripts/run_notebooks.py [notebooks/01-quickstart.ipynb ...]

Each notebook runs in a temporary copy of notebooks/ (files it writes stay out of the
repository). Stored outputs keep tables and text; rich outputs over MAX_OUTPUT_BYTES (the
interactive maps, ~0.7 MB of HTML each) are replaced by a short note, so the committed
files stay small. Run the notebook yourself to see the maps.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
MAX_OUTPUT_BYTES = 60_000
TIMEOUT_S = 600


def execute(path: Path, workdir: Path) -> nbformat.NotebookNode:
    """Run one notebook with a kernel of this Python environment; raises on a failing cell."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, timeout=TIMEOUT_S, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}
    )
    client.execute()
    return notebook


def lighten(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Replace heavy rich outputs by a note; keep everything else."""
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        cell.metadata.pop("execution", None)
        for output in cell.get("outputs", []):
            data = output.get("data")
            if not data:
                continue
            heavy = {k for k, v in data.items() if k != "image/png" and len(json.dumps(v)) > MAX_OUTPUT_BYTES}
            if heavy:
                output["data"] = {
                    "text/plain": f"[{', '.join(sorted(heavy))} output of "
                    f"{sum(len(json.dumps(data[k])) for k in heavy) / 1e6:.1f} MB not "
                    f"stored: run the notebook to see it]"
                }
    return notebook


def main(paths: list[str]) -> int:
    targets = [Path(p) for p in paths] or sorted(NOTEBOOKS.glob("*.ipynb"))
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp) / "notebooks"
        shutil.copytree(NOTEBOOKS, workdir)
        for path in targets:
            start = time.perf_counter()
            notebook = lighten(execute(path, workdir))
            nbformat.write(notebook, path)
            print(
                f"{path.name}: {time.perf_counter() - start:.1f} s, {path.stat().st_size / 1e3:.0f} kB stored"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
