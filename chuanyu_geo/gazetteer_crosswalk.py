"""The crosswalk of codes and names across vintages: read, check and filter ``crosswalk.csv``.

The package's ``crosswalk.csv`` holds the division changes (facts with their sources); a
data directory named by ``CHUANYU_GEO_DATA`` may add rows in a file of the same name. Every
file is checked as it is read, so a malformed one is a single error naming it. The
gazetteer (:mod:`chuanyu_geo.gazetteer`) reads former names and codes from here.
"""

from __future__ import annotations

import csv
import functools
import io

import pandas as pd

from ._errors import DataIntegrityError
from ._io import data_sources, origin_of, read_source_text
from .boundaries import check_vintage, vintage_registry

__all__ = ["crosswalk"]

COLUMNS = (
    "old_adcode",
    "old_name",
    "new_adcode",
    "new_name",
    "date",
    "change",
    "share",
    "detail",
    "note",
    "source",
)
CHANGES = ("rename", "recode", "merge", "split", "transfer", "abolish")
SHARES = ("all", "most", "part")
# Empty (an old, undated change), a year, or an ISO date: they compare as text with the
# vintages' dates (see _in_force).
_DATE = r"(\d{4}(-\d{2}-\d{2})?)?"
_ADCODE = r"\d{6}"


def _read_rows(text: str, origin: str) -> pd.DataFrame:
    """The rows of one ``crosswalk.csv``, or a DataIntegrityError naming ``origin``.

    Parameters
    ----------
    text : str
        The file's text.
    origin : str
        How messages name the file (its path, or ``chuanyu_geo/data/crosswalk.csv``).

    Returns
    -------
    pandas.DataFrame
        Every column as text, empty cells as ``""``.
    """
    expected = f"expected a CSV file with the header {','.join(COLUMNS)}"
    # The csv module in strict mode, not pandas: pandas takes extra fields for an index,
    # fills missing ones with "" and accepts an unclosed quote, all silently.
    reader = csv.reader(io.StringIO(text), strict=True)
    rows, lines = [], []
    try:
        for row in reader:
            if row:  # a blank line
                rows.append(row)
                lines.append(reader.line_num)
    except csv.Error as exc:
        raise DataIntegrityError(
            f"{origin}, line {reader.line_num}: not readable as CSV ({exc}); {expected}"
        ) from exc
    if not rows or tuple(rows[0]) != COLUMNS:
        found = rows[0] if rows else "none (the file is empty)"
        raise DataIntegrityError(f"{origin}: columns {found}; {expected}")
    for row, line in zip(rows[1:], lines[1:]):
        if len(row) != len(COLUMNS):
            raise DataIntegrityError(
                f"{origin}, line {line}: {len(row)} fields; expected the {len(COLUMNS)} of the header"
            )
    table = pd.DataFrame(rows[1:], columns=list(COLUMNS), dtype=str)
    checks = (
        ("old_adcode", lambda s: s.str.fullmatch(_ADCODE), "a 6-digit adcode"),
        ("new_adcode", lambda s: s.str.fullmatch(_ADCODE), "a 6-digit adcode"),
        ("date", lambda s: s.str.fullmatch(_DATE), "empty, a year (2011) or a date (2025-11-06)"),
        ("change", lambda s: s.isin(CHANGES), f"one of {', '.join(CHANGES)}"),
        ("share", lambda s: s.isin(SHARES), f"one of {', '.join(SHARES)}"),
    )
    for column, valid, what in checks:
        bad = ~valid(table[column]).astype(bool)
        if bad.any():
            position = int(bad.to_numpy().argmax())
            value = table[column].iloc[position][:40]
            raise DataIntegrityError(
                f"{origin}, line {lines[position + 1]}: {column} is {value!r}; expected {what}"
            )
    return table


@functools.lru_cache(maxsize=1)
def _crosswalk_table() -> pd.DataFrame:
    """The package's crosswalk, then the rows of each added data source's ``crosswalk.csv``."""
    tables = []
    for _, folder in data_sources():
        text = read_source_text(folder, "crosswalk.csv")
        if text is not None:
            tables.append(_read_rows(text, origin_of(folder, "crosswalk.csv")))
    return pd.concat(tables, ignore_index=True)


def crosswalk(vintage: str | None = None) -> pd.DataFrame:
    """Former codes and names and the units that succeeded them.

    Parameters
    ----------
    vintage : str, optional
        An id of the vintage registry (``cg.VINTAGES``): keep only the changes in force in
        that vintage (``2024`` leaves out
        Chongqing's 2025-11-06 reform). ``None`` returns every row.

    Returns
    -------
    pandas.DataFrame
        ``old_adcode``, ``old_name``, ``new_adcode``, ``new_name``, ``date``, ``change``
        (``rename``: same code, new name; ``recode``: new code, usually with a new name
        such as county to district; ``merge``; ``split``; ``transfer``: territory moved
        between units or a unit moved to another prefecture; ``abolish``), ``share``
        (``all``, ``most`` or ``part`` of the old unit), ``detail``, ``note``, ``source``
        (the original source).
        A split unit has one row per successor; join older statistics on
        ``old_adcode`` and mind ``share`` before summing.

    Raises
    ------
    DataIntegrityError
        A ``crosswalk.csv`` of a data directory is malformed; the message names the file.

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> table = cg.crosswalk()
    >>> table.loc[table["old_name"] == "开县", ["new_adcode", "new_name"]].values.tolist()
    [['500154', '开州区']]
    """
    table = _crosswalk_table().copy()
    if vintage is None:
        return table
    vintage = check_vintage(vintage)
    return table[_in_force(table, vintage)].reset_index(drop=True)


def _in_force(table: pd.DataFrame, vintage: str) -> pd.Series:
    # Rows without a date are old, undated changes; ISO dates and years compare as text.
    return (table["date"] == "") | (table["date"] <= vintage_registry().dates[vintage])


def _previous(vintage: str) -> str | None:
    """The vintage before ``vintage``, or None for the first."""
    position = vintage_registry().ids.index(vintage)
    return vintage_registry().ids[position - 1] if position else None
