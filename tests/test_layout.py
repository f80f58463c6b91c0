"""Modules with one job (issue 20): the tables subpackage, and the stats shim it replaced."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

import chuanyu_geo as cg

PACKAGE = Path(cg.__file__).parent
MAX_LINES = 700
# The modules split out of stats.py, and the compatibility module left in its place.
SPLIT = sorted((PACKAGE / "tables").glob("*.py")) + [PACKAGE / "stats.py"]


def _run(code: str, *flags: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(PACKAGE.parent), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.run(
        [sys.executable, *flags, "-c", code], capture_output=True, text=True, timeout=300, env=env
    )


def test_the_split_made_the_modules_it_promised():
    names = {path.stem for path in SPLIT}
    assert {"census", "zones", "lineage", "core", "joins", "stats"} <= names, names


@pytest.mark.parametrize("path", SPLIT, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_each_module_is_short_and_says_its_job(path):
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_LINES, f"{path.name}: {len(text.splitlines())} lines"
    docstring = ast.get_docstring(ast.parse(text))
    assert docstring and docstring.strip(), f"{path.name} opens without a docstring"


def _imported_modules(path: Path) -> set[str]:
    """Absolute names of the modules a file of the package imports (relative imports resolved)."""
    package = ["chuanyu_geo", *path.parent.relative_to(PACKAGE).parts]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def test_nothing_in_the_package_imports_the_stats_shim():
    users = [
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*.py")
        if path != PACKAGE / "stats.py" and "chuanyu_geo.stats" in _imported_modules(path)
    ]
    assert not users, users


def test_the_public_names_load_without_the_deprecated_module():
    code = (
        "import sys, chuanyu_geo as cg; cg.harmonise; cg.join_table; cg.load_census(2020);"
        "import chuanyu_geo.maps, chuanyu_geo.designs, chuanyu_geo.analysis, chuanyu_geo.classify;"
        "from chuanyu_geo.tables import core;"
        "assert cg.harmonise is core.harmonise and callable(cg.harmonise), cg.harmonise;"
        "assert 'chuanyu_geo.stats' not in sys.modules"
    )
    run = _run(code, "-W", "error::FutureWarning")
    assert run.returncode == 0, run.stderr[-2000:]


def test_cg_harmonise_stays_the_function_when_the_subpackage_is_imported_first():
    code = (
        "import chuanyu_geo.tables.joins, chuanyu_geo.tables, chuanyu_geo as cg;"
        "import inspect; assert inspect.isfunction(cg.harmonise), cg.harmonise;"
        "from chuanyu_geo.tables import harmonise, join_table;"
        "assert cg.harmonise is harmonise and cg.join_table is join_table"
    )
    run = _run(code, "-W", "error::FutureWarning")
    assert run.returncode == 0, run.stderr[-2000:]


def test_importing_stats_warns_and_still_gives_its_names():
    code = (
        "import warnings\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        "    import chuanyu_geo.stats as stats\n"
        "import chuanyu_geo as cg\n"
        "future = [w for w in caught if issubclass(w.category, FutureWarning)]\n"
        "assert len(future) == 1, [str(w.message) for w in caught]\n"
        "message = str(future[0].message)\n"
        "assert 'chuanyu_geo.stats is deprecated' in message and '0.3' in message, message\n"
        "assert stats.harmonise is cg.harmonise and stats.join_table is cg.join_table\n"
        "for name in stats.__all__:\n"
        "    getattr(stats, name)\n"
    )
    run = _run(code)
    assert run.returncode == 0, run.stderr[-2000:]
    run = _run("import chuanyu_geo.stats", "-W", "error::FutureWarning")
    assert run.returncode != 0 and "FutureWarning: chuanyu_geo.stats is deprecated" in run.stderr
