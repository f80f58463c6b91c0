"""Contacts as parallel arrays, and the sorted-integer primitives that merge and look them up."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class _Contacts:
    """Contacts between rows i < j of a layer."""

    i: np.ndarray
    j: np.ndarray
    shared_km: np.ndarray
    edge: np.ndarray  # bool: a line is shared (Rook), else only points (Queen only)
    overlap_km2: np.ndarray
    gap: np.ndarray  # bool: contact found only through the tolerance


def _unique_ints(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values of an integer array, by sorting.

    numpy >= 2.3 answers ``np.unique`` (without ``return_inverse``), ``np.union1d`` and
    ``np.isin`` on integers with a hash table, 30-50x slower than a sort on the pair keys
    of a large layer.
    """
    ordered = np.sort(values)
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if len(ordered) else ordered


def _is_in(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """Whether each value is in ``sorted_set`` (sorted, distinct), by binary search."""
    if len(sorted_set) == 0:
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_set, values), len(sorted_set) - 1)
    return sorted_set[at] == values


_CONTACT_FIELDS = ("i", "j", "shared_km", "edge", "overlap_km2", "gap")


def _combine(base: _Contacts, extra: _Contacts, drop_rows: np.ndarray | None = None) -> _Contacts:
    """``base`` plus ``extra``, sorted by (i, j); first drops base contacts of ``drop_rows``."""
    keep = (
        np.ones(len(base.i), dtype=bool)
        if drop_rows is None
        else ~(_is_in(base.i, _unique_ints(drop_rows)) | _is_in(base.j, _unique_ints(drop_rows)))
    )
    merged = {f: np.concatenate([getattr(base, f)[keep], getattr(extra, f)]) for f in _CONTACT_FIELDS}
    order = np.lexsort((merged["j"], merged["i"]))
    return _Contacts(**{f: merged[f][order] for f in _CONTACT_FIELDS})
