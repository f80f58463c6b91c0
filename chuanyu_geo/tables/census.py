"""The shipped census extracts: county results of the 2010 and 2020 population censuses.

:func:`load_census` reads them with the codes and names of the census year; put them on a
vintage's units with ``cg.harmonise``.
"""

from __future__ import annotations

import pandas as pd

from .._errors import InvalidArgumentError
from ..boundaries import check_choice
from ..sources import origin_of, package_data_path

__all__ = ["load_census", "CENSUS_YEARS"]


CENSUS_YEARS = (2010, 2020)


def load_census(year: int, level: str | None = "county") -> pd.DataFrame:
    """County population census results for Sichuan and Chongqing (2010 or 2020).

    Codes and names are those of the census year; put them on today's units with
    :func:`harmonise`. Extracted from the China Census dataset (Lei Dong et al., MIT
    licence); ``attrs`` carries the citation and licence.

    Parameters
    ----------
    year : {2010, 2020}
    level : {"county", "prefecture", "province"} or None
        Rows of this level only; None keeps all.

    Returns
    -------
    pandas.DataFrame
        ``adcode`` (text), ``name``, ``level``, ``province``, ``year``, ``population``,
        ``male``, ``female``, ``urban_population``, ``households``, ``household_size``,
        ``years_of_schooling``, ``age_0_14`` (and ``age_65_plus`` in 2020).

    Examples
    --------
    >>> import chuanyu_geo as cg
    >>> census = cg.load_census(2010)
    >>> census.set_index("adcode").loc["500110", "name"]
    '万盛区'
    >>> int(census["population"].sum())  # Sichuan 80,417,528 + Chongqing 28,846,170
    109263698
    """
    if year not in CENSUS_YEARS:
        raise InvalidArgumentError(
            f"year={year!r} is not a shipped census; expected one of: {', '.join(map(str, CENSUS_YEARS))}"
        )
    if level is not None:
        level = check_choice("level", level, ("county", "prefecture", "province"))
    path = package_data_path(f"census/census-{year}-sichuan-chongqing.csv")
    with path.open(encoding="utf-8") as fh:
        table = pd.read_csv(fh, dtype={"adcode": str})
    if level is not None:
        table = table[table["level"] == level].reset_index(drop=True)
    table.attrs.update(
        source="China Census dataset, version 1 (github.com/leiii/census), county tables of the "
        f"{year} population census",
        citation="Lei Dong, Rui Du and Yu Liu, Mapping Evolving Population Geography in China, working "
        "paper, 2022 (SSRN 4049338)",
        licence=f"MIT, copyright (c) 2022 Lei Dong ({origin_of(None, 'census/LICENSE')})",
        year=year,
    )
    return table
