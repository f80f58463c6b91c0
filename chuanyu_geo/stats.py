"""Deprecated: ``chuanyu_geo.stats`` moved to the subpackage :mod:`chuanyu_geo.tables` (removed in 0.3).

Import from ``chuanyu_geo`` (``cg.harmonise``, ``cg.join_table`` …) or from
``chuanyu_geo.tables``. Nothing in the package imports this module.
"""

from __future__ import annotations

import warnings

from .tables.census import CENSUS_YEARS, load_census
from .tables.core import HOWS, ZONES, harmonise, panel
from .tables.joins import JOIN_LEVELS, UnmatchedRowsError, join_table, join_values
from .tables.lineage import SUGGESTION_LIMIT
from .tables.report import REPORT_COLUMNS, HarmoniseWarning, harmonise_report
from .tables.zones import harmonise_totals, not_divisions

warnings.warn(
    "chuanyu_geo.stats is deprecated; import from chuanyu_geo (cg.harmonise …) or "
    "chuanyu_geo.tables; it will be removed in 0.3",
    FutureWarning,
    stacklevel=2,
)

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
    "HOWS",
    "ZONES",
    "JOIN_LEVELS",
    "REPORT_COLUMNS",
    "SUGGESTION_LIMIT",
]
