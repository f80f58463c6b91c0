"""The contiguity engine as a subpackage (issue 20) and its contacts table without networkx (issue 25)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import chuanyu_geo as cg
from chuanyu_geo import contiguity

ENGINE = Path(contiguity.__file__).parent
MAX_LINES = 700


def test_the_engine_is_a_subpackage_of_modules_with_one_job():
    modules = sorted(ENGINE.glob("*.py"))
    names = {path.stem for path in modules}
    assert {"validation", "snapping", "matching", "exact", "pipeline", "graphs"} <= names, names
    assert not (ENGINE.parent / "contiguity.py").exists()


@pytest.mark.parametrize("path", sorted(ENGINE.glob("*.py")), ids=lambda p: p.name)
def test_each_engine_module_is_short_and_says_its_job(path):
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_LINES, f"{path.name}: {len(text.splitlines())} lines"
    docstring = ast.get_docstring(ast.parse(text))
    assert docstring and docstring.strip(), f"{path.name} opens without a docstring"


def test_the_names_imported_from_the_old_module_still_import():
    from chuanyu_geo.contiguity import (  # noqa: F401
        PAIR_COLUMNS,
        RESOLUTION_NOTE,
        AdjacencyWarning,
        build_graph,
        contacts,
        contiguity_graph,
        graph_to_frame,
        shared_lines,
    )

    assert contacts is cg.contacts and graph_to_frame is cg.graph_to_frame
    for name in contiguity.__all__:
        assert getattr(contiguity, name) is not None
    # The private steps the tests and benchmarks reach through the package.
    for name in (
        "_Frame",
        "_check_and_match",
        "_coverage_contacts",
        "_segment_problems",
        "_check_user_layer",
        "_has_near_duplicates",
        "_snap_vertices",
        "snap_distance",
    ):
        assert callable(getattr(contiguity, name)), name
