"""Modules with one job (issue 20): every module short and saying its job, keys checked where a
call enters, nothing read at import, types checked; the stats shim the tables subpackage replaced."""

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
MODULES = sorted(PACKAGE.rglob("*.py"))


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


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
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


def test_keys_are_checked_only_where_a_call_enters_the_package():
    # scripts/entry_points.py lists every check (python scripts/entry_points.py prints them).
    sys.path.insert(0, str(PACKAGE.parent / "scripts"))
    try:
        from entry_points import sites
    finally:
        sys.path.pop(0)
    found = sites(PACKAGE)
    assert len(found) > 50  # the walk finds the checks (a broken walk would find none)
    inner = [f"{s.module}:{s.line} {s.check} in {s.holder}" for s in found if not s.public]
    assert not inner, inner


def test_import_reads_no_data_and_a_bad_directory_fails_at_the_first_call(tmp_path):
    # Every module imported (not only the package): none reads a registry at import.
    modules = sorted(
        ".".join(("chuanyu_geo", *p.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(".__init__")
        for p in MODULES
        if p.name != "stats.py"
    )
    code = (
        "import importlib, chuanyu_geo as cg\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "assert cg.boundaries.vintage_registry.cache_info().misses == 0, 'read at import'\n"
        "print('imported')\n"
        "cg.load_boundaries('county')\n"
    )
    env = {**os.environ, "CHUANYU_GEO_DATA": str(tmp_path / "nonexistent"), "MPLBACKEND": "Agg"}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env)
    assert run.stdout == "imported\n", run.stderr[-2000:]
    assert "InvalidArgumentError: CHUANYU_GEO_DATA names" in run.stderr.strip().splitlines()[-1]


def test_the_adjacency_layer_does_not_load_the_platforms_layer():
    run = _run("import sys, chuanyu_geo.adjacency; assert 'chuanyu_geo.platforms' not in sys.modules")
    assert run.returncode == 0, run.stderr[-2000:]


@pytest.mark.slow
def test_mypy_is_clean():
    # Settings in pyproject.toml ([tool.mypy]); the cache stays in the checkout (.mypy_cache).
    run = subprocess.run(
        [sys.executable, "-m", "mypy"], capture_output=True, text=True, timeout=900, cwd=PACKAGE.parent
    )
    assert run.returncode == 0, (run.stdout + run.stderr)[-3000:]
