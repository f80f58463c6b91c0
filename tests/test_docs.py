"""The documentation and the project's conventions (issue 26).

The site itself is built by CI (``sphinx-build -W`` then ``scripts/check_docs_links.py``); these
tests check what must stay true between builds: every public name has an API page, every CLI
option is documented, the README example runs, the data licences are stated honestly and each
dependency has one version rule.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import chuanyu_geo as cg
from chuanyu_geo import cli

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
sys.path.insert(0, str(ROOT / "scripts"))
from check_docs_links import broken_links  # noqa: E402


def _autosummary_names(text: str) -> list[str]:
    names = []
    for block in re.findall(r"\.\. autosummary::\n((?:   .*\n|\n)+)", text):
        names += [
            line.strip() for line in block.splitlines() if line.strip() and not line.strip().startswith(":")
        ]
    return names


def test_the_api_page_lists_every_public_name_once():
    names = _autosummary_names((DOCS / "api.md").read_text(encoding="utf-8"))
    assert sorted(names) == sorted(cg.__all__)
    assert len(names) == len(set(names))


def test_every_cli_option_is_in_its_help_and_in_the_docs():
    page = (DOCS / "cli.md").read_text(encoding="utf-8")
    parser = cli.build_parser()
    subparsers = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    for command, sub in subparsers.choices.items():
        assert f"`chuanyu-geo {command}`" in page, command
        section = page.split(f"`chuanyu-geo {command}`", 1)[1].split("\n## ", 1)[0]
        for action in sub._actions:
            if "-h" in action.option_strings:
                continue
            assert action.help, f"{command} {action.option_strings} has no help text"
            assert any(f"`{opt}" in section for opt in action.option_strings), (
                command,
                action.option_strings,
            )


def test_the_readme_example_runs_without_future_warnings(tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = readme.split("## Example", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    assert len(example.splitlines()) <= 25
    run = subprocess.run(
        [sys.executable, "-W", "error::FutureWarning", "-c", example],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
        env={**__import__("os").environ, "MPLBACKEND": "Agg"},
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert (tmp_path / "chuanyu-report" / "report.html").exists() and (tmp_path / "platforms.pdf").exists()


def test_the_readme_starts_with_the_two_commands():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    commands = [line for line in lines[:15] if line.startswith("python3 -m venv")]
    assert commands == [
        "python3 -m venv .venv && . .venv/bin/activate && pip install . && chuanyu-geo report -o chuanyu-report",
        'python3 -m venv .venv && . .venv/bin/activate && pip install -e ".[test,data]" && python -m pytest',
    ]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci, ".ci/run calls the README's test command"


def test_changelog_and_contributing_exist_and_contributing_commands_are_real():
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [Unreleased]" in changelog and "Keep a Changelog" in changelog
    contributing = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for command in (
        'pip install -e ".[test,data]" && python -m pytest',
        "sphinx-build -W -b html docs docs/_build/html",
        "python scripts/check_docs_links.py docs/_build/html",
    ):
        assert command in contributing and command in ci, command


def _requirements() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lists = [project["dependencies"], *project["optional-dependencies"].values()]
    return [req for reqs in lists for req in reqs if not req.startswith("chuanyu-geo[")]


def test_each_dependency_has_one_version_rule():
    rules: dict[str, set[str]] = {}
    for req in _requirements():
        name = re.split(r"[<>=!~;\[ ]", req, maxsplit=1)[0].lower().replace("_", "-")
        rules.setdefault(name, set()).add(req)
    assert {name: r for name, r in rules.items() if len(r) > 1} == {}


def test_declared_python_versions_are_the_tested_one():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    versions = [
        c.rsplit(" :: ", 1)[1]
        for c in project["classifiers"]
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    ]
    tested = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert versions == [tested], "classifiers declare exactly the Python the suite runs on"
    assert project["requires-python"] == f">={tested}"


def test_boundary_data_are_not_called_mit():
    for path in (ROOT / "data" / "boundaries" / "README.md", DOCS / "data.md"):
        text = path.read_text(encoding="utf-8")
        assert "审图号" in text and "天地图" in text and "高德" in text, path
        for line in text.splitlines():
            if line.startswith("| 20"):  # a row of the per-layer table
                assert "| MIT |" not in line, (path, line)


@pytest.mark.parametrize("missing", ["page", "anchor"])
def test_the_link_check_finds_broken_links(tmp_path, missing):
    (tmp_path / "a.html").write_text(
        '<p id="top"><a href="b.html#here">b</a> <a href="#top">top</a></p>', encoding="utf-8"
    )
    if missing == "anchor":
        (tmp_path / "b.html").write_text('<p id="elsewhere">b</p>', encoding="utf-8")
    assert broken_links(tmp_path) == [
        f"a.html: b.html#here (no such {'file' if missing == 'page' else 'anchor'})"
    ]
    (tmp_path / "b.html").write_text('<p id="here">b</p>', encoding="utf-8")
    assert broken_links(tmp_path) == []


def test_the_temporary_files_a_doctest_leaves_fail_it():
    """Each doctest and notebook runs with a TMPDIR of its own (tests/conftest.py, OwnTemp).

    What it left there fails it at teardown, in whichever worker ran it; never the machine's
    temporary directory, which other processes share.
    """
    from conftest import WRITES_TEMP_FILES, check_own_temp

    check_own_temp("chuanyu_geo.boundaries.load_boundaries", [])
    with pytest.raises(AssertionError, match="left temporary files: .'tmpab12'"):
        check_own_temp("chuanyu_geo.boundaries.load_boundaries", ["tmpab12"])
    writer = sorted(WRITES_TEMP_FILES)[0]
    check_own_temp(writer, ["tmpab12"])
    with pytest.raises(AssertionError, match="wrote nothing"):
        check_own_temp(writer, [])


def test_the_doctests_that_write_temporary_files_are_named_and_do_so():
    """The list in conftest is not stale: each name is a doctest showing tempfile.mkdtemp()."""
    import importlib

    from conftest import WRITES_TEMP_FILES

    for name in WRITES_TEMP_FILES:
        module_name, _, attribute = name.rpartition(".")
        try:
            owner = importlib.import_module(module_name)
        except ModuleNotFoundError:  # a method: module.Class.method
            module_name, _, cls = module_name.rpartition(".")
            owner = getattr(importlib.import_module(module_name), cls)
        doc = getattr(owner, attribute).__doc__ or ""
        assert ">>>" in doc and "mkdtemp" in doc, name


def test_the_fast_part_is_documented_and_ci_runs_everything():
    contributing = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert 'python -m pytest -m "not browser and not slow"' in contributing
    options = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]
    markers = {line.split(":")[0] for line in options["ini_options"]["markers"]}
    assert markers == {"browser", "slow"} and "--strict-markers" in options["ini_options"]["addopts"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = [line for line in ci.splitlines() if "python -m pytest" in line]
    # The first run is the README's command and deselects nothing; a later run (the fast part
    # again with pyarrow importable) adds a configuration, it never replaces the full run.
    assert test_command and " -m " not in test_command[0].split("pytest", 1)[1], test_command
    assert test_command[0].endswith("python -m pytest"), test_command
    extra = test_command[1:]
    assert all(line.startswith("PYTHONPATH=.ci-arrow ") for line in extra), extra
