"""The package as users get it: a wheel in a fresh environment, and a light import."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def test_import_does_not_pull_in_folium_or_matplotlib():
    code = "import sys, chuanyu_geo; print(sorted(m for m in ('folium', 'matplotlib', 'networkx') if m in sys.modules))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("chuanyu_geo-*.whl")
    return built


def test_wheel_carries_every_data_file_in_chuanyu_geo_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {
        "chuanyu_geo/data/" + path.relative_to(REPO / "chuanyu_geo" / "data").as_posix()
        for path in (REPO / "chuanyu_geo" / "data").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    layers = {f"chuanyu_geo/data/boundaries/{path.name}" for path in (REPO / "data" / "boundaries").iterdir()}
    assert {"chuanyu_geo/data/plans.toml", "chuanyu_geo/data/assets/map_tools.js"} <= shipped
    assert "chuanyu_geo/data/boundaries/manifest.json" in layers
    assert shipped | layers <= names, sorted((shipped | layers) - names)
    data_files = {n for n in names if n.startswith("chuanyu_geo/data/")}
    assert data_files == shipped | layers, sorted(data_files ^ (shipped | layers))
    beside_code = [n for n in names if n.count("/") == 1 and n.endswith((".toml", ".csv", ".js", ".json"))]
    assert beside_code == [], "data files at the top of chuanyu_geo/ in the wheel"


def test_wheel_installs_into_a_fresh_venv_and_loads_every_layer(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)], check=True
    )
    # Dependencies come from this environment (appended after the venv's own site-packages,
    # so the wheel's copy of chuanyu_geo wins over any editable install here).
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(site, "_deps_from_test_env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    code = """
import chuanyu_geo as cg, pathlib, sys
assert pathlib.Path(cg.__file__).is_relative_to(pathlib.Path(sys.prefix)), cg.__file__
n = 0
for level in cg.LEVELS:
    for vintage in cg.VINTAGES:
        for detail in cg.DETAILS:
            gdf = cg.load_boundaries(level, vintage, detail)
            assert len(gdf) > 0 and gdf.crs.to_epsg() == 4326
            n += 1
# The data files beside the code: plans, census, glossary, not-divisions, vintages.
extra = (len(cg.platforms(plan="2023")), len(cg.load_census(2010)), len(cg.not_divisions()), len(cg.VINTAGES))
assert "Glossary" in cg.adjacency_report(plan="2023").to_markdown()
print(n, cg.resolve("万州").adcode, len(cg.crosswalk()), *extra)
"""
    # Without PYTHONPATH: a checkout named there (a git worktree under test) would win over the wheel.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    run = subprocess.run([str(python), "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == [
        "16",
        "500101",
        str(len(__import__("chuanyu_geo").crosswalk())),
        "10",
        "221",
        str(len(__import__("chuanyu_geo").not_divisions())),
        "2",
    ]
