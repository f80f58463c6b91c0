"""Sphinx configuration of the chuanyu-geo documentation (built offline).

Build: ``pip install -e ".[docs]" && sphinx-build -W -b html docs docs/_build/html``.
The notebooks live in ``notebooks/`` at the top of the repository; they are copied into
``docs/notebooks/`` (ignored by git) at every build and executed by myst-nb with a cache, so a
notebook that raises fails the build.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import chuanyu_geo  # noqa: E402

project = "chuanyu-geo"
author = "chuanyu-geo developers"
copyright = "2026, chuanyu-geo developers"
release = chuanyu_geo.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "myst_nb",
    "sphinx_copybutton",
    "sphinxcontrib.bibtex",
]

# --- the notebooks, copied in and executed (with a cache under _build) -----------------
_NB = HERE / "notebooks"
if _NB.exists():
    shutil.rmtree(_NB)
shutil.copytree(ROOT / "notebooks", _NB, ignore=shutil.ignore_patterns("README.md", ".ipynb_checkpoints"))

nb_execution_mode = "cache"
nb_execution_cache_path = str(HERE / "_build" / ".jupyter_cache")
nb_execution_raise_on_error = True
nb_execution_timeout = 600
nb_merge_streams = True
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# --- API pages from the docstrings ---------------------------------------------------
autosummary_generate = True
autosummary_imported_members = True
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks: set[str] = set()
autodoc_typehints = "none"
autodoc_default_options = {"members": False}

bibtex_bibfiles = ["references.bib"]
bibtex_default_style = "plain"
bibtex_reference_style = "author_year"

# --- HTML ------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = "chuanyu-geo 川渝边界地理"
html_static_path = ["_static"]
html_css_files = ["chuanyu.css"]
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 5,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_show_sourcelink = False
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints", "notebooks/data"]
suppress_warnings = ["mystnb.unknown_mime_type"]
