"""Conditional randomisation for local Moran's I, in NumPy (esda's draws, nothing to compile).

esda draws the conditional permutations of :class:`esda.Moran_Local` in functions compiled by
numba when numba is installed (the ``causal`` extra and most conda environments bring it). The
compilation takes 10-20 s on the first call in every process, longer than the whole analysis
of a few hundred counties, and numba's generator gives other draws than NumPy's for the same
seed. This module draws them as esda does without numba: for each replication, ``max_k``
distinct positions among the ``n - 1`` other units (``RandomState.choice`` without
replacement, from a generator of its own, so NumPy's global state is never touched); unit
``i`` with ``k`` neighbours takes the first ``k`` of them, skipping itself, and its simulated
statistic is ``z_i * (z_others[draw] @ w_i) * (n - 1) / sum(z**2)``. The results equal esda's
own where numba is not installed, value for value (``tests/test_analysis.py`` runs esda with
numba's import blocked). :func:`pseudo_p` reads the p-values from the simulations;
:func:`neighbours_everyone` finds the units no permutation can test.
"""

from __future__ import annotations

import numpy as np

# esda's range for a seed it draws itself (esda.crand.crand); kept so that a drawn seed looks
# like one esda would have drawn.
_SEED_RANGE = (12345, 12345000)


def draw_seed() -> int:
    """A fresh seed from the operating system's entropy (not from NumPy's global generator)."""
    return int(np.random.default_rng().integers(*_SEED_RANGE))


def local_moran_simulations(z: np.ndarray, sparse, permutations: int, seed: int) -> np.ndarray:
    """Local Moran's I of each unit under conditional randomisation.

    Parameters
    ----------
    z : numpy.ndarray
        The standardised values (``(y - mean) / std``, as :class:`esda.Moran_Local` holds them
        in ``.z``), one per unit in the order of the weights.
    sparse : scipy.sparse matrix
        The (transformed) weights, ``Graph.sparse``. Every unit needs at least one neighbour
        other than itself (isolates are left out before); a self-weight stays with its unit,
        as in esda, and is never permuted.
    permutations : int
        Replications.
    seed : int
        Seeds the draws (a private ``numpy.random.RandomState``).

    Returns
    -------
    numpy.ndarray
        ``permutations`` × units: the simulated statistics, as esda's ``Moran_Local.sim``.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> ring = sp.csr_array(np.roll(np.eye(5), 1, axis=1) + np.roll(np.eye(5), -1, axis=1)) / 2
    >>> z = np.array([-1.2, -0.6, 0.0, 0.6, 1.2]) / np.sqrt(0.72)
    >>> local_moran_simulations(z, ring, permutations=99, seed=1).shape
    (99, 5)
    """
    z = np.asarray(z, dtype=float)
    n = len(z)
    matrix, own_weight = _off_diagonal(sparse)
    own_weight = own_weight.astype(z.dtype)
    cards = np.diff(matrix.indptr)
    if (cards == 0).any():
        raise ValueError("every unit needs a neighbour: leave isolates out first")
    weights = matrix.data.astype(z.dtype)
    generator = np.random.RandomState(seed)
    k_max = int(cards.max())
    drawn = np.empty((permutations, k_max), dtype=np.int64)
    for row in range(permutations):  # one draw per replication, as esda's vec_permutations
        drawn[row] = generator.choice(n - 1, size=k_max, replace=False)
    scaling = (n - 1) / (z * z).sum()
    simulated = np.empty((permutations, n))
    for i in range(n):
        k = cards[i]
        positions = drawn[:, :k]
        # Positions count the other units: those at or past i stand for the unit after it.
        others = z[positions + (positions >= i)]
        row_weights = weights[matrix.indptr[i] : matrix.indptr[i + 1]]
        simulated[:, i] = z[i] * (others @ row_weights + own_weight[i] * z[i]) * scaling
    return simulated


def neighbours_everyone(sparse) -> np.ndarray:
    """Units whose neighbours are all the other units: each of them, every draw of the
    conditional permutation is the same set of values, so the simulated statistics equal the
    observed one up to rounding and no pseudo p-value means anything.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> star = sp.csr_array(np.array([[0, 1, 1, 1], [1, 0, 0, 0], [1, 0, 0, 0], [1, 0, 0, 0]]))
    >>> neighbours_everyone(star).tolist()
    [True, False, False, False]
    """
    matrix = _off_diagonal(sparse)[0]
    return np.diff(matrix.indptr) == matrix.shape[0] - 1


def _off_diagonal(sparse):
    """A CSR copy of the weights without their diagonal (conditional on unit i, its own value
    is never drawn: only the other units are its neighbours), and the diagonal."""
    matrix = sparse.tocsr(copy=True)
    diagonal = matrix.diagonal()
    matrix.setdiag(0)
    matrix.eliminate_zeros()
    return matrix, diagonal


def pseudo_p(observed: np.ndarray, simulated: np.ndarray, permutations: int, alternative: str) -> np.ndarray:
    """Pseudo p-values from conditional permutations (``simulated``: permutations × units)."""
    at_least = (simulated >= observed).sum(axis=0)
    below = permutations - at_least  # as esda 2.x folds: the other tail is strictly below
    folded = (np.minimum(at_least, below) + 1.0) / (permutations + 1.0)
    return folded if alternative == "folded" else np.minimum(2 * folded, 1.0)
