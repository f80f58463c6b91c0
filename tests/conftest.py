"""Shared fixtures, the markers of slow and browser tests, and doctests' own TMPDIR.

Data comes from the shipped layers: no mocks. The markers ``browser`` and ``slow``
(registered in pyproject.toml) are applied here, by the fixtures a test uses and by module,
so that the tests themselves stay readable; ``python -m pytest -m "not browser and not
slow"`` is the fast part for development, ``python -m pytest`` (CI) runs everything.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import tempfile
from pathlib import Path

# One BLAS/OpenMP thread per process, set before numpy loads and inherited by the
# pytest-xdist workers, notebook kernels and child processes: with one worker per core,
# BLAS's spinning threads fought the other worker (notebook 07 took 48-64 s beside one busy
# process instead of 12 s). A developer's own setting wins.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from _pytest.doctest import DoctestItem  # noqa: E402

import chuanyu_geo as cg  # noqa: E402

ALL_LAYERS = list(itertools.product(cg.LEVELS, cg.VINTAGES, cg.DETAILS))
COUNTY_LAYERS = list(itertools.product(cg.VINTAGES, cg.DETAILS))


def build_once(tmp_path_factory, name: str, build) -> Path:
    """The directory ``name``, filled by ``build(directory)`` once per run, in any worker.

    Under pytest-xdist a module-scoped fixture is set up in every worker that runs one of
    its tests; for the fixtures whose setup takes many seconds, the workers share the
    directory of the run (the parent of each worker's base temporary directory) and a lock:
    the first builds, the others wait and read. A failed build is retried by the next.
    """
    import fcntl

    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the run's own directory, shared by its workers
    target = base / name
    with open(base / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not (target / ".built").exists():
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir()
            build(target)
            (target / ".built").touch()
    return target


def modules_loaded_by(code: str, modules: tuple[str, ...]) -> list[str]:
    """Which of ``modules`` a fresh interpreter has imported after running ``code``."""
    import ast
    import subprocess
    import sys

    probe = f"{code}\nimport sys\nprint(sorted(m for m in {modules!r} if m in sys.modules))"
    run = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", probe], capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return ast.literal_eval(run.stdout.strip().splitlines()[-1])


# esda.Moran_Local in a child where numba cannot be imported, so that esda draws its conditional
# permutations with NumPy (its documented fallback) instead of in numba's generator.
_ESDA_WITHOUT_NUMBA = """
import pickle, sys, warnings
sys.modules["numba"] = None  # import numba now fails: esda and libpysal take their NumPy paths
y, w, kwargs = pickle.load(sys.stdin.buffer)
import esda
warnings.simplefilter("ignore")
local = esda.Moran_Local(y, w, **kwargs)
out = {"Is": local.Is, "q": local.q, "p_sim": local.p_sim, "sim": local.sim, "z": local.z}
sys.stdout.buffer.write(pickle.dumps(out))
"""


def esda_local_moran_without_numba(y, w, **kwargs) -> dict:
    """``Is``, ``q``, ``p_sim``, ``sim`` and ``z`` of ``esda.Moran_Local(y, w, **kwargs)`` as
    esda computes them where numba is not installed (``y``, ``w`` and ``kwargs`` are pickled)."""
    import pickle
    import subprocess
    import sys

    run = subprocess.run(
        [sys.executable, "-c", _ESDA_WITHOUT_NUMBA],
        input=pickle.dumps((y, w, kwargs)),
        capture_output=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr.decode()[-2000:]
    return pickle.loads(run.stdout)


def require_or_skip(condition: bool, reason: str) -> None:
    """Skip when an optional tool is missing, but fail in CI, where everything must run."""
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this may not be skipped)")
    pytest.skip(reason)


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium driven by Playwright (never a downloaded browser)."""
    require_or_skip(os.path.exists(CHROMIUM), f"{CHROMIUM} is missing (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require_or_skip(False, "playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as driver:
        instance = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def copy_vintage_layers(root, to_vintage: str, from_vintage: str = "2025", source: str | None = None) -> dict:
    """Put copies of the shipped ``from_vintage`` layers under ``root/boundaries`` as ``to_vintage``.

    The bytes are the shipped ones (so their sha256 is too); the manifest names the new vintage
    and, if given, another ``source`` (what a shared data pack's manifest says). Returns the
    manifest's ``files``.
    """
    import json
    import shutil
    from pathlib import Path

    from chuanyu_geo import boundaries

    layers = Path(root) / "boundaries"
    layers.mkdir(parents=True, exist_ok=True)
    shipped = json.loads((boundaries.data_dir() / "manifest.json").read_text(encoding="utf-8"))["files"]
    files = {}
    for level in boundaries.LEVELS:
        for detail in boundaries.DETAILS:
            original = boundaries.layer_filename(level, from_vintage, detail)
            name = boundaries.layer_filename(level, to_vintage, detail)
            shutil.copy(boundaries.data_dir() / original, layers / name)
            files[name] = dict(
                shipped[original], vintage=to_vintage, **({"source": source} if source else {})
            )
    (layers / "manifest.json").write_text(json.dumps({"files": files}), encoding="utf-8")
    return files


# --------------------------------------------------------------------------- markers

# What is slow (> ~1 s on a loaded two-core machine, measured with --durations), by module,
# by fixture, by name. A run selected with -m lists unmarked tests slower than FAST_LIMIT_S.
SLOW_MODULES = {
    "test_atomic_report.py": "reports written by child processes, killed at points of a run",
    "test_notebooks.py": "executes every notebook in a kernel",
    "test_build.py": "builds the layers twice from the pinned sources",
    "test_packaging.py": "builds a wheel and installs it into a fresh venv",
    "test_registries.py": "a third vintage and plan through child processes",
    "test_security_data.py": "the CLI in a child process against hostile data packs",
    "test_causal.py": "estimators, bootstraps and coverage of planted effects",
    "test_plot.py": "draws and renders figures with CJK fonts",
    "test_choropleth_figure.py": "draws and renders choropleth figures",
    "test_referee.py": "permutation inference on the census panel",
}
# Fixtures whose setup alone takes seconds: every test using one is slow.
SLOW_FIXTURES = {
    "hostile_pack": "a child process writes every map, report and figure of a hostile pack",
}
# Test functions (every parametrization) that take seconds, by module. Any test named
# test_cli_* runs the command line in a child process and is slow too.
SLOW_TESTS = {
    "test_adjacency.py": {
        "test_adjacency_does_not_import_the_platforms_layer",
        "test_own_coverage_rules_flag_every_row_geos_flags_on_all_china",
        "test_neighbours_equal_libpysal_on_all_china",
        "test_neighbours_equal_libpysal_on_shipped_layers",
    },
    "test_adjacency_robust.py": {
        "test_float_noise_grid_gives_the_clean_grid",
        "test_two_metre_overlaps_are_shared_borders_with_a_tolerance",
    },
    "test_analysis.py": {"test_lisa_equals_esda", "test_lisa_figure", "test_a_clear_line_without_the_extra"},
    "test_consistency.py": {
        "test_report_names_its_plan_explains_columns_and_links_the_map",
        "test_coverage_is_the_same_in_report_json_and_api",
        "test_gaozhu_is_one_footprint",
        "test_stale_matplotlib_cache_still_finds_cjk_fonts",
    },
    "test_docs.py": {"test_the_readme_example_runs_without_future_warnings"},
    "test_layout.py": {
        "test_importing_stats_warns_and_still_gives_its_names",
        "test_the_public_names_load_without_the_deprecated_module",
    },
    "test_maps.py": {"test_gaode_tiles_shift_vectors_to_gcj02"},
    "test_plans.py": {"test_every_output_names_its_plan"},
    "test_report.py": {"test_write_all_formats_atomically_and_refuse_foreign_directories"},
    "test_security.py": {
        "test_platform_labels_are_never_mathtext",
        "test_template_text_is_never_rendered",
        "test_choropleth_legend_lists_a_few_unmatched_keys",
        "test_good_colours_work",
        "test_figure_text_is_never_mathtext",
    },
    "test_security_edge.py": {
        "test_a_stack_of_detailed_near_copies_is_refused_quickly",
        "test_three_thousand_stacked_squares_are_refused_in_seconds_and_megabytes",
    },
    "test_security_inputs.py": {
        "test_harmonise_of_junk_keys_is_bounded_and_its_warning_capped",
        "test_join_table_of_junk_keys_is_bounded",
        "test_many_copies_of_one_key_are_not_a_quadratic_report",
        "test_bad_values_are_listed_a_few_at_a_time",
        "test_a_huge_key_is_cut_in_every_message_but_kept_in_the_report",
    },
    "test_stable_units.py": {"test_lisa_theil_linkage_and_choropleth_take_stable_units"},
}
# Doctests (by their name) that take seconds: estimators, LISA (see _is_slow) and figures.
SLOW_DOCTESTS = {
    "chuanyu_geo.analysis.lisa",
    "chuanyu_geo.maps.thematic.lisa_map",
    "chuanyu_geo.plot.plot_lisa",
    "chuanyu_geo.causal.event_study",
    "chuanyu_geo.causal.CausalResult.plot",
    "chuanyu_geo.designs.design_report",
    "chuanyu_geo.regional_inequality.theil",
}


def _is_slow(item: pytest.Item) -> bool:
    if isinstance(item, DoctestItem):
        return item.name in SLOW_DOCTESTS
    # esda's LISA permutations are numba code compiled on the first call in each process
    # (10-30 s, not cached on disk): a test named (or parametrized) for LISA is slow.
    if "lisa" in item.name.lower():
        return True
    module = item.path.name
    function = getattr(item, "originalname", item.name)
    return (
        module in SLOW_MODULES
        or function.startswith("test_cli_")
        or function in SLOW_TESTS.get(module, ())
        or any(name in SLOW_FIXTURES for name in getattr(item, "fixturenames", ()))
    )


@pytest.hookimpl(tryfirst=True)  # before -m deselects by these markers
def pytest_collection_modifyitems(config, items):
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
        if _is_slow(item):
            item.add_marker(pytest.mark.slow)
    # The longest first (notebooks, then the other slow tests), so that pytest-xdist's
    # workers end together on short tests instead of one waiting for the other's notebook.
    items.sort(key=lambda item: 0 if item.path.name == "test_notebooks.py" else 1 if _is_slow(item) else 2)


# Tests not marked slow or browser that took longer than this are listed after a run
# selected with -m (the fast part), so that the fast part stays fast.
FAST_LIMIT_S = 2.0
_UNMARKED_S: dict[str, float] = {}


def pytest_runtest_logreport(report):
    if "slow" not in report.keywords and "browser" not in report.keywords:
        _UNMARKED_S[report.nodeid] = _UNMARKED_S.get(report.nodeid, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter, config):
    if not config.option.markexpr:
        return
    over = sorted(((s, n) for n, s in _UNMARKED_S.items() if s > FAST_LIMIT_S), reverse=True)
    if over:
        terminalreporter.section("unmarked tests slower than the fast part allows")
        for seconds, nodeid in over:
            terminalreporter.write_line(f"{seconds:6.1f} s  {nodeid}  (mark it slow in tests/conftest.py?)")


# --------------------------------------------------------------------------- TMPDIR of doctests

# Doctests that write into tempfile.mkdtemp() to show a call, as a reader would: the
# harness removes what they leave (and checks that they did write into their own directory).
WRITES_TEMP_FILES = {
    "chuanyu_geo.report.AdjacencyReport.to_csv",
    "chuanyu_geo.report.AdjacencyReport.write",
    "chuanyu_geo.maps.base.save_map",
    "chuanyu_geo.weights_io.write_weights",
}


def check_own_temp(name: str, left: list[str]) -> None:
    """Fail the test ``name`` (at its teardown) for what it left in its own TMPDIR.

    The doctests of :data:`WRITES_TEMP_FILES` show a call writing into ``tempfile.mkdtemp()``:
    they must have written there (the redirection works, and the list is not stale), and
    the harness removes it. Any other doctest or notebook must leave nothing.
    """
    if name in WRITES_TEMP_FILES:
        assert left, f"{name} wrote nothing into its own TMPDIR (is WRITES_TEMP_FILES stale?)"
    else:
        assert not left, f"{name} left temporary files: {left[:10]}"


class OwnTemp:
    """A temporary directory of their own for each doctest and notebook test.

    ``TMPDIR`` and :data:`tempfile.tempdir` point at ``<pytest's basetemp>/own-tmp/<test>``
    while the test runs and are restored after; at teardown :func:`check_own_temp` fails
    the test for what it left, then the directory is removed. The check belongs to the test
    itself, so it holds in whichever pytest-xdist worker runs it; nothing is compared with
    the machine's temporary directory, which other processes share.
    """

    root: Path | None = None

    @pytest.fixture(scope="session")
    @classmethod
    def own_tempdir(cls, tmp_path_factory) -> type[OwnTemp]:
        if cls.root is None:
            cls.root = tmp_path_factory.mktemp("own-tmp")
        return cls

    @pytest.fixture(autouse=True)
    @classmethod
    def _own_temp_for_doctests_and_notebooks(cls, request):
        item = request.node
        if not (isinstance(item, DoctestItem) or item.path.name == "test_notebooks.py"):
            yield
            return
        root = request.getfixturevalue("own_tempdir").root
        folder = root / re.sub(r"[^\w.-]+", "_", item.name)[:100]
        folder.mkdir()
        saved = os.environ.get("TMPDIR"), tempfile.tempdir
        os.environ["TMPDIR"], tempfile.tempdir = str(folder), str(folder)
        try:
            yield folder
        finally:
            if saved[0] is None:
                os.environ.pop("TMPDIR", None)
            else:
                os.environ["TMPDIR"] = saved[0]
            tempfile.tempdir = saved[1]
        left = sorted(p.name for p in folder.iterdir())
        shutil.rmtree(folder)
        check_own_temp(item.name, left)


# numpy's print options as the session started: colour-science sets legacy="1.13" when it
# is imported (by a palette test), which would make later doctests print np.True_ as True.
_NUMPY_PRINT = np.get_printoptions()


class NumpyPrint:
    """Every test and doctest starts with the session's numpy print options."""

    @pytest.fixture(autouse=True)
    @classmethod
    def _numpy_print_options(cls):
        np.set_printoptions(**_NUMPY_PRINT)
        yield


def pytest_xdist_auto_num_workers(config):
    # -n auto (pyproject's addopts): one pytest-xdist worker per core, at most four, as each
    # holds about 1 GB once the analysis stack and numba's compiled LISA code are loaded.
    return max(1, min(os.cpu_count() or 1, 4))


def pytest_configure(config):
    # A plugin, not conftest fixtures: these must reach the doctests in chuanyu_geo/ too.
    if not config.pluginmanager.has_plugin("chuanyu-own-temp"):
        config.pluginmanager.register(OwnTemp(), "chuanyu-own-temp")
    if not config.pluginmanager.has_plugin("chuanyu-numpy-print"):
        config.pluginmanager.register(NumpyPrint(), "chuanyu-numpy-print")
