"""Spatial weights written for other software: GAL and GWT (GeoDa, PySAL, R's spdep) and a CSV
edge list, atomically, with ids those formats cannot hold refused by name.
"""

from __future__ import annotations

import os
from pathlib import Path

from ._errors import InvalidArgumentError
from ._io import write_text_atomic
from ._safe import csv_text
from .boundaries import check_choice

__all__ = ["write_weights"]


def _unwritable_ids(ids, format: str) -> list[str]:
    """The ids a whitespace-separated weights file cannot hold, as ``repr`` strings.

    GAL and GWT readers split lines on whitespace, so an id must be one non-empty token;
    control characters break line-based readers, and the GWT writer (pandas) would put a
    double quote inside CSV quoting that GeoDa and R do not undo.
    """
    bad = []
    for value in ids:
        text = str(value)
        if (
            not text
            or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in text)
            or (format == "gwt" and '"' in text)
        ):
            bad.append(repr(value))
    return bad


def write_weights(
    w, path: str | os.PathLike, format: str | None = None, *, escape_formulas: bool = True
) -> Path:
    """Write weights for other software, atomically.

    Parameters
    ----------
    w : libpysal.graph.Graph
    path : path-like
    format : {"gal", "gwt", "csv"}, optional
        From the file suffix by default. ``gal`` (binary contiguity) and ``gwt`` (weighted)
        are read by GeoDa, PySAL and R (``spdep::read.gal("w.gal")``,
        ``spdep::read.gwt2nb("w.gwt")``); ``csv`` is an edge list ``focal,neighbor,weight``
        (Stata: ``import delimited w.csv``; R: ``read.csv("w.csv")``).
    escape_formulas : bool
        ``csv`` only: a text id that begins with ``=``, ``+``, ``-``, ``@``, a tab or a
        carriage return (and is not a number) is written with a leading ``'`` so that a
        spreadsheet shows it as text instead of running it as a formula (CSV injection).
        Pass False for machine pipelines that need the ids exactly as they are.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    InvalidArgumentError
        For ``gal``/``gwt``: ids these formats cannot hold (empty, or with whitespace or
        control characters, which the readers take as separators; for ``gwt`` also a
        double quote), named; write ``csv`` instead, or give the units simpler ids.

    Examples
    --------
    >>> import tempfile, chuanyu_geo as cg
    >>> path = cg.write_weights(cg.weights("county"), tempfile.mkdtemp() + "/county.gal")
    >>> path.read_text().split()[0]  # a GAL file starts with the number of units
    '221'
    """
    target = Path(path)
    format = format or target.suffix.lstrip(".").lower()
    format = check_choice("format", format, ("gal", "gwt", "csv"))
    if format == "csv":
        edges = w.adjacency.reset_index()
        edges = edges[edges["focal"] != edges["neighbor"]]
        return write_text_atomic(target, csv_text(edges, escape_formulas=escape_formulas))
    bad = _unwritable_ids(w.unique_ids, format)
    if bad:
        raise InvalidArgumentError(
            f"{len(bad)} ids cannot be written to a .{format} file, whose readers split on whitespace: "
            f"{', '.join(bad[:10])}{', …' if len(bad) > 10 else ''}; write format='csv' instead (a quoted "
            f"edge list), or give the units ids without spaces, tabs, line breaks or quotes"
        )
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp) / f"w.{format}"
        (w.to_gal if format == "gal" else w.to_gwt)(str(scratch))
        return write_text_atomic(target, scratch.read_text(encoding="utf-8"))
