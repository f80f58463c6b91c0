"""Shared fixtures. Data comes from the shipped layers: no mocks."""

from __future__ import annotations

import itertools
import os

import pytest

import chuanyu_geo as cg

ALL_LAYERS = list(itertools.product(cg.LEVELS, cg.VINTAGES, cg.DETAILS))
COUNTY_LAYERS = list(itertools.product(cg.VINTAGES, cg.DETAILS))


def require_or_skip(condition: bool, reason: str) -> None:
    """Skip when an optional tool is missing, but fail in CI, where everything must run."""
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this may not be skipped)")
    pytest.skip(reason)
