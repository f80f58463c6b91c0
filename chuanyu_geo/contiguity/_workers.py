"""The one worker thread the engine runs GEOS calls on beside the main thread (GEOS releases the GIL)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from typing import TypeVar

import numpy as np

T = TypeVar("T")

_CHECKER: list[ThreadPoolExecutor] = []  # one worker thread, started on first use and kept


def _checker() -> ThreadPoolExecutor:
    """The worker thread (starting a thread per call costs a small layer ~10%)."""
    if not _CHECKER:
        _CHECKER.append(ThreadPoolExecutor(max_workers=1, thread_name_prefix="chuanyu_geo-is_valid"))
    return _CHECKER[0]


def _beside(
    func: Callable[..., np.ndarray], arrays: tuple[np.ndarray, ...], first: Callable[[], T], least: int = 4096
) -> tuple[np.ndarray, T]:
    """``func(*arrays)`` (an element-wise GEOS function) and ``first()``, at the same time.

    The rows are cut into chunks that the worker thread takes one by one from the start,
    and the main thread too once it has run ``first()``: both cores stay busy whichever
    finishes first. Below ``least`` rows, one call after ``first()``.
    """
    n = len(arrays[0])
    if n < least:
        done = first()
        return func(*arrays), done
    bounds = np.linspace(0, n, 17).astype(int)
    results: list[np.ndarray | None] = [None] * 16
    taken = itertools.count()  # next() on a count is atomic: each chunk is taken once

    def work() -> None:
        while (k := next(taken)) < 16:
            results[k] = func(*(a[bounds[k] : bounds[k + 1]] for a in arrays))

    helper = _checker().submit(work)
    try:
        done = first()
        work()
    finally:
        wait([helper])  # also when the main thread raised: the worker never outlives the call
    helper.result()
    return np.concatenate([r for r in results if r is not None]), done  # every chunk is done
