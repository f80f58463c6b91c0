"""Data directories set at run time, caches cleared on demand, nothing read at import (issue 20)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import copy_vintage_layers

import chuanyu_geo as cg
from chuanyu_geo import boundaries

FIXTURE = Path(__file__).parent / "data" / "third"


@pytest.fixture
def restore_sources():
    """Whatever a test sets, the next one starts from the environment's data directories."""
    yield
    cg.set_data_dirs(None)


@pytest.fixture
def third(tmp_path) -> Path:
    root = tmp_path / "third"
    root.mkdir()
    (root / "vintages.toml").write_text((FIXTURE / "vintages.toml").read_text(encoding="utf-8"), "utf-8")
    copy_vintage_layers(root, "2026")
    return root


def test_set_data_dirs_adds_a_vintage_and_takes_it_back(third, restore_sources):
    assert "2026" not in cg.VINTAGES
    cg.set_data_dirs(third)
    assert cg.data_dirs() == [third]
    assert cg.VINTAGES[-1] == "2026" and boundaries.vintage_registry().folders["2026"] == third
    assert len(cg.load_boundaries("county", "2026")) == len(cg.load_boundaries("county", "2025"))
    cg.set_data_dirs()  # the package's data alone
    assert "2026" not in cg.VINTAGES and cg.data_dirs() == []
    with pytest.raises(cg.InvalidArgumentError, match="vintage='2026'"):
        cg.load_boundaries("county", "2026")


def test_set_data_dirs_wins_over_the_environment_and_none_goes_back(third, monkeypatch, restore_sources):
    monkeypatch.setenv("CHUANYU_GEO_DATA", str(third))
    cg.clear_caches()
    assert "2026" in cg.VINTAGES
    cg.set_data_dirs()
    assert "2026" not in cg.VINTAGES
    cg.set_data_dirs(None)
    assert "2026" in cg.VINTAGES


@pytest.mark.parametrize("bad", ["/nonexistent/chuanyu", 5, None])
def test_a_bad_directory_is_refused_and_changes_nothing(bad, tmp_path, third, restore_sources):
    cg.set_data_dirs(third)
    args = (tmp_path, bad) if bad is None else (bad,)  # a lone None means "the environment"
    with pytest.raises(cg.InvalidArgumentError, match="set_data_dirs"):
        cg.set_data_dirs(*args)
    assert cg.data_dirs() == [third] and "2026" in cg.VINTAGES


def test_clear_caches_reads_an_edited_registry_again(third, restore_sources):
    cg.set_data_dirs(third)
    assert "2026" in cg.VINTAGES
    registry = third / "vintages.toml"
    registry.write_text(registry.read_text(encoding="utf-8").replace('"2026"', '"2027"'), "utf-8")
    assert "2026" in cg.VINTAGES  # cached: a file edited under a running session is not seen
    cg.clear_caches()
    assert "2027" in cg.VINTAGES and "2026" not in cg.VINTAGES


def test_clear_caches_empties_every_cache_of_the_package():
    cg.load_boundaries("county")
    cg.resolve("邻水")
    caches = [
        value
        for name, module in list(sys.modules.items())
        if name.startswith("chuanyu_geo")
        for value in vars(module).values()
        if hasattr(value, "cache_info")
    ]
    assert sum(c.cache_info().currsize for c in caches) > 0
    cg.clear_caches()
    assert [c for c in caches if c.cache_info().currsize] == []
    assert len(cg.load_boundaries("county")) > 0  # and everything works again


def test_a_bad_data_directory_fails_at_the_first_data_call_in_one_line(tmp_path):
    env = dict(os.environ, CHUANYU_GEO_DATA="/nonexistent")
    code = "import chuanyu_geo as cg; print('imported'); cg.load_boundaries('county')"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert done.stdout == "imported\n"
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert "CHUANYU_GEO_DATA" in last and "'/nonexistent'" in last and "not a directory" in last
