"""Statistics across division changes: census extracts, harmonise, panels and one-to-one joins.

One module per job, data flowing one way (each imports only from those above it):

- :mod:`~chuanyu_geo.tables.census`: the shipped census extracts (``load_census``).
- :mod:`~chuanyu_geo.tables.zones`: development zones (``not_divisions``, their hosts,
  ``harmonise_totals``).
- :mod:`~chuanyu_geo.tables.lineage`: a table's keys read in their year and followed
  through the crosswalk.
- :mod:`~chuanyu_geo.tables.checks`: checks of the tables and arguments given.
- :mod:`~chuanyu_geo.tables.report`: the row report (``harmonise_report``,
  ``HarmoniseWarning``).
- :mod:`~chuanyu_geo.tables.splits`: split units apportioned by population or area.
- :mod:`~chuanyu_geo.tables.core`: ``harmonise`` and ``panel``.
- :mod:`~chuanyu_geo.tables.joins`: ``join_table``, ``join_values``, ``UnmatchedRowsError``.

``import chuanyu_geo as cg`` and ``cg.harmonise(...)`` is the usual entry; this package's
names are also importable from it (``from chuanyu_geo.tables import join_table``).
"""

from __future__ import annotations

from .census import CENSUS_YEARS, load_census
from .core import harmonise, panel
from .joins import UnmatchedRowsError, join_table, join_values
from .report import HarmoniseWarning, harmonise_report
from .zones import harmonise_totals, not_divisions

__all__ = [
    "harmonise",
    "harmonise_report",
    "harmonise_totals",
    "panel",
    "load_census",
    "not_divisions",
    "join_table",
    "join_values",
    "UnmatchedRowsError",
    "HarmoniseWarning",
    "CENSUS_YEARS",
]
