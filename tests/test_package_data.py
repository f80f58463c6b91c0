"""The package's data files have one home, ``chuanyu_geo/data/``, and one way in (issue 20)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

import chuanyu_geo as cg
from chuanyu_geo import sources

PACKAGE = Path(cg.__file__).parent
DATA = PACKAGE / "data"

# Files of chuanyu_geo/data that no code reads: they document the data beside them.
DOCUMENTATION = {
    "census/LICENSE": "the census tables' licence, named by load_census's attrs",
    "census/README.md": "where the census tables come from",
    "traditional_characters.md": "the source of traditional_characters.csv",
}


def _data_files() -> set[str]:
    """Every file under chuanyu_geo/data except the boundary layers (a wheel adds those)."""
    return {
        path.relative_to(DATA).as_posix()
        for path in DATA.rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and path.relative_to(DATA).parts[0] != "boundaries"
    }


def _every_reader() -> None:
    """Run each loader of the package's data once, past its cache (``__wrapped__``)."""
    # By sys.modules: a package attribute may be a function of the same name (cg.regions).
    (_style, boundaries, coupling, gazetteer_crosswalk, gazetteer_index, palette, regions, report) = (
        importlib.import_module(f"chuanyu_geo.{name}")
        for name in (
            "_style",
            "boundaries",
            "coupling",
            "gazetteer_crosswalk",
            "gazetteer_index",
            "palette",
            "regions",
            "report",
        )
    )
    base, registry, census, splits = (
        importlib.import_module(f"chuanyu_geo.{name}")
        for name in ("maps.base", "platforms.registry", "tables.census", "tables.splits")
    )

    boundaries._package_registry()
    registry._plan_registry.__wrapped__()
    for plan in registry.plan_ids():
        registry._plan_data.__wrapped__(plan)
    for year in census.CENSUS_YEARS:
        census.load_census(year)
    for cached in (
        gazetteer_crosswalk._crosswalk_table,
        gazetteer_index._zone_table,
        gazetteer_index._traditional,
        splits._town_table,
        regions._definitions,
        report._glossary,
        palette._data,
        _style.config,
        coupling._classes,
        base._tools_js,
    ):
        cached.__wrapped__()


def test_every_data_file_is_read_through_package_data_path_or_is_documentation(monkeypatch):
    real = sources.package_data_path
    read: set[str] = set()

    def recording(name: str) -> Path:
        read.add(name)
        return real(name)

    # Each module holds its own binding of the function: replace them all, so a file read by
    # any other route is not recorded and the test fails.
    for name, module in list(sys.modules.items()):
        if name.startswith("chuanyu_geo") and getattr(module, "package_data_path", None) is real:
            monkeypatch.setattr(module, "package_data_path", recording)
    _every_reader()
    files = _data_files()
    assert files, "chuanyu_geo/data holds no files"
    assert {"plans.toml", "vintages.toml", "assets/map_tools.js"} <= files
    assert read <= files, f"read but not shipped: {sorted(read - files)}"
    assert set(DOCUMENTATION) <= files, (
        f"documentation listed but missing: {sorted(set(DOCUMENTATION) - files)}"
    )
    assert not read & set(DOCUMENTATION), "a file listed as documentation is read by the package"
    unread = files - read - set(DOCUMENTATION)
    assert not unread, f"files in chuanyu_geo/data that no code reads and no list names: {sorted(unread)}"


def test_no_data_file_is_left_beside_the_code():
    # Outside chuanyu_geo/data the package holds code: modules and the py.typed marker.
    stray = sorted(
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*")
        if path.is_file()
        and path.relative_to(PACKAGE).parts[0] != "data"
        and "__pycache__" not in path.parts
        and not (path.suffix == ".py" or path.name == "py.typed")
    )
    assert stray == []
    top = {path.name for path in PACKAGE.iterdir() if path.suffix in {".toml", ".csv", ".js", ".json"}}
    assert top == set(), "data files at the top of chuanyu_geo/"


def test_package_files_are_named_by_their_place_in_data():
    assert sources.origin_of(None, "plans.toml") == "chuanyu_geo/data/plans.toml"
    assert sources.package_data_path("plans.toml") == DATA / "plans.toml"
    assert sources.package_data_path("census/LICENSE") == DATA / "census" / "LICENSE"
    assert sources.read_source_text(None, "plans.toml") == (DATA / "plans.toml").read_text(encoding="utf-8")
    assert sources.read_source_text(None, "no-such-file.toml") is None
    # A data directory a user adds keeps its own layout: its files sit at its root.
    assert sources.origin_of(Path("pack"), "plans.toml") == str(Path("pack") / "plans.toml")


@pytest.mark.parametrize("name", ["../__init__.py", "/etc/passwd", "census/../../sources.py", "..\\x.toml"])
def test_package_data_path_stays_inside_data(name):
    with pytest.raises(ValueError, match="inside chuanyu_geo/data"):
        sources.package_data_path(name)
