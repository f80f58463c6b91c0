"""Checks of the tables and arguments that harmonise and the joins are given.

Each check raises :class:`~chuanyu_geo.InvalidArgumentError` naming what is wrong (a missing
key column, value columns that are not numbers, a year that is not one) before any work.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .._errors import InvalidArgumentError, listing, shown


def _check_columns(table: pd.DataFrame, columns, key: str) -> dict[str, tuple[str, str | None]]:
    """``{column: (rule, weight column)}`` with every column and weight checked."""
    if columns is None:
        return {}
    if not isinstance(columns, Mapping) or not columns:
        raise InvalidArgumentError(
            "columns must map column names to 'sum' or ('mean', weight column), e.g. "
            "{'population': 'sum', 'household_size': ('mean', 'households')}"
        )
    rules: dict[str, tuple[str, str | None]] = {}
    for column, rule in columns.items():
        if column not in table.columns:
            raise InvalidArgumentError(
                f"columns names {shown(column)}, which is not a column; columns: {_columns_listing(table)}"
            )
        if column == key:
            raise InvalidArgumentError(f"columns names the key column {shown(key)}; it cannot be combined")
        if rule == "sum":
            rules[column] = ("sum", None)
        elif isinstance(rule, tuple) and len(rule) == 2 and rule[0] == "mean":
            weight = rule[1]
            if weight not in table.columns:
                raise InvalidArgumentError(
                    f"column {shown(column)} is a mean weighted by {shown(weight)}, which is not a column"
                )
            rules[column] = ("mean", weight)
        elif rule == "mean":
            raise InvalidArgumentError(
                f"column {column!r}: a mean (a rate, an average) cannot be combined without weights; "
                f"write ('mean', 'weight column'), e.g. ('mean', 'households') for household size"
            )
        else:
            raise InvalidArgumentError(
                f"column {column!r}: rule {rule!r} is not 'sum' or ('mean', weight column)"
            )
    for column in {c for c, _ in rules.items()} | {w for _, w in rules.values() if w}:
        if table.columns.get_indexer_for([column]).size > 1:
            raise InvalidArgumentError(
                f"{shown(column)} names {table.columns.get_indexer_for([column]).size} columns of the "
                "table; rename them so each value column is one"
            )
        values = pd.to_numeric(table[column], errors="coerce")
        _check_real(values, column)
        bad = np.nonzero((values.isna() & table[column].notna()).to_numpy())[0]
        if len(bad):
            rows = listing(
                (f"row {i} ({shown(table[column].iloc[i])})" for i in bad), total=len(bad), sep=", "
            )
            raise InvalidArgumentError(f"column {shown(column)} must be numeric; not numbers: {rows}")
        infinite = np.nonzero(np.isinf(values.to_numpy(dtype=float)))[0]
        if len(infinite):
            rows = listing(
                (f"row {i} ({shown(table[key].iloc[i])})" for i in infinite), total=len(infinite), sep=", "
            )
            raise InvalidArgumentError(
                f"column {shown(column)} has infinite values in {rows}; expected finite numbers"
            )
    return rules


def _columns_listing(table: pd.DataFrame) -> str:
    """The table's column names for a message: the first few, each cut short."""
    names = (c if len(c) <= 80 else c[:80] + "…" if isinstance(c, str) else shown(c) for c in table.columns)
    return listing(names, total=len(table.columns), sep=", ")


def _check_frame(table, key: str, argument: str, task: str) -> None:
    """A DataFrame with rows and the key column, or an error naming what is wrong."""
    if not isinstance(table, pd.DataFrame):
        raise InvalidArgumentError(f"table must be a pandas DataFrame, got {type(table).__name__}")
    if isinstance(table.columns, pd.MultiIndex):
        # Before the key check: a tuple key would half-work on such a table and fail later.
        raise InvalidArgumentError(
            f"the table has MultiIndex columns ({table.columns.nlevels} levels, e.g. "
            f"{shown(table.columns[0])}); flatten them, e.g. "
            "table.columns = ['_'.join(map(str, c)) for c in table.columns]"
        )
    try:
        present = key in table.columns
    except TypeError:  # an unhashable key (a list)
        present = False
    if not present:
        raise InvalidArgumentError(
            f"{argument}={shown(key)} is not a column; columns: {_columns_listing(table)}"
        )
    if table.columns.get_indexer_for([key]).size > 1:
        raise InvalidArgumentError(
            f"{argument}={shown(key)} names {table.columns.get_indexer_for([key]).size} columns of the "
            "table; rename them so the key column is one"
        )
    if table.empty:
        raise InvalidArgumentError(f"the table has no rows; nothing to {task}")


def _check_real(values: pd.Series, column) -> None:
    """Refuse complex numbers: converting them to float would silently drop the imaginary part."""
    if pd.api.types.is_complex_dtype(values):
        raise InvalidArgumentError(
            f"column {shown(column)} holds complex numbers; expected real numbers (take .real or "
            "abs() first if that is what you mean)"
        )


def _check_table(table, key: str, year) -> None:
    _check_frame(table, key, "key", "harmonise")
    if isinstance(year, bool) or not isinstance(year, (int, np.integer)) or not 1949 <= int(year) <= 2100:
        raise InvalidArgumentError(
            f"year={year!r} must be the year (an int such as 2010) whose codes and names the table uses"
        )


def _check_flag(name: str, value) -> None:
    if not isinstance(value, (bool, np.bool_)):
        raise InvalidArgumentError(f"{name}={shown(value)} must be True or False")
