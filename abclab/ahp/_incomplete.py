"""Incomplete pairwise comparison matrices: Harker's (1987) completion.

Harker, P. T. (1987). Alternative modes of questioning in the analytic hierarchy process.
*Mathematical Modelling* 9(3-5), 353-360; and Incomplete pairwise comparisons in the AHP,
*Mathematical Modelling* 9(11), 837-848.

Harker's matrix ``B`` sets missing entries to 0 and ``b_ii = 1 + m_i`` (``m_i`` = number of
missing entries in row *i*). Its Perron vector ``w`` is the priority vector. Filling each
missing ``a_ij`` with ``w_i / w_j`` gives a complete matrix ``A*`` with ``A* w = B w = lambda w``,
so ``w`` is also the Perron vector of ``A*`` and ``lambda_max(A*) = lambda_max(B)``; abclab
reports ``A*`` as the completed matrix and its consistency.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
from scipy.sparse.csgraph import connected_components

from abclab.ahp._weights import _eigenvector_kernel
from abclab.exceptions import JudgementError


def _harker_matrix(a: np.ndarray) -> np.ndarray:
    """Harker's auxiliary matrix: missing -> 0, diagonal 1 + number of missing in the row."""
    missing = np.isnan(a)
    b = np.where(missing, 0.0, a)
    b[np.diag_indices_from(b)] = 1.0 + missing.sum(axis=1)
    return b


def check_connected(a: np.ndarray, labels: Sequence[Hashable]) -> None:
    """Raise JudgementError naming the groups when the comparison graph is disconnected."""
    known = ~np.isnan(a)
    n_groups, group_of = connected_components(known.astype(int), directed=False)
    if n_groups > 1:
        groups = [[labels[i] for i in np.flatnonzero(group_of == g)] for g in range(n_groups)]
        raise JudgementError(
            f"the judgements fall into {n_groups} unconnected groups {groups}; no comparison links "
            f"them, so their relative weights are undetermined -- compare at least one criterion "
            f"of each group with one of another"
        )


def _harker_kernel(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Complete ``a`` (NaN = missing) by Harker's method: (completed matrix, weights, lambda)."""
    w, lam = _eigenvector_kernel(_harker_matrix(a))
    completed = np.where(np.isnan(a), w[:, None] / w[None, :], a)
    return completed, w, lam


def harker_completion(
    a: np.ndarray, labels: Sequence[Hashable]
) -> tuple[np.ndarray, np.ndarray, float]:
    """Validated Harker completion (checks connectivity first)."""
    check_connected(a, labels)
    return _harker_kernel(a)
