"""The notebooks run end to end (in a kernel of this environment) and stay small.

How long they take is measured by benchmarks/notebooks.py, not here.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))
sys.path.insert(0, str(NOTEBOOKS.parent / "scripts"))
from run_notebooks import execute  # noqa: E402


def test_the_notebooks():
    assert [p.name for p in PATHS] == [
        "01-quickstart.ipynb",
        "02-cross-border-adjacency.ipynb",
        "03-maps.ipynb",
        "04-your-own-data.ipynb",
        "05-census-panel.ipynb",
        "06-spatial-analysis.ipynb",
        "07-policy-evaluation.ipynb",
    ]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("nb") / "notebooks"
    shutil.copytree(NOTEBOOKS, target)
    return target


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_notebook_runs(path, workdir, tmp_path, monkeypatch):
    # The kernel gets a temporary directory of its own (it inherits TMPDIR): what it leaves
    # there is the notebook's, whatever other processes on the machine do with theirs.
    own_temp = tmp_path / "tmp"
    own_temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(own_temp))
    before = sorted(p.name for p in workdir.iterdir())
    notebook = execute(path, workdir)  # raises CellExecutionError on a failing cell
    errors = [
        o
        for c in notebook.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.get("output_type") == "error"
    ]
    assert errors == []
    assert sorted(p.name for p in workdir.iterdir()) == before, "a notebook wrote into notebooks/"
    left = sorted(p.name for p in own_temp.iterdir())
    assert left == [], f"a notebook left temporary files behind: {left}"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_notebook_opens_with_its_question_and_stays_small(path):
    notebook = nbformat.read(path, as_version=4)
    assert "**Question.**" in notebook.cells[0].source
    assert path.stat().st_size < 400_000
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            for kind, value in output.get("data", {}).items():
                assert kind == "image/png" or len(json.dumps(value)) < 100_000, (path.name, kind)


def test_one_static_png_in_all_committed_outputs():
    pngs = sum(
        "image/png" in output.get("data", {})
        for path in PATHS
        for cell in nbformat.read(path, as_version=4).cells
        for output in cell.get("outputs", [])
    )
    assert pngs == 1
