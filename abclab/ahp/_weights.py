"""Priority-vector kernels (NumPy, no validation).

Each kernel takes a complete positive reciprocal matrix ``A`` (n x n) and returns weights
summing to 1.

- principal eigenvector (Saaty 1980): ``A w = lambda_max w``, the real positive Perron vector;
- row geometric mean (Crawford & Williams 1985, J. Math. Psych. 29:387-405):
  ``w_i ∝ (prod_j a_ij)^(1/n)``, the logarithmic least-squares solution;
- normalised column mean (Saaty's textbook approximation): ``w_i = (1/n) sum_j a_ij / sum_k a_kj``.
"""

from __future__ import annotations

import numpy as np


def _eigenvector_kernel(a: np.ndarray) -> tuple[np.ndarray, float]:
    """Perron eigenvector (normalised to sum 1) and eigenvalue of a non-negative irreducible matrix."""
    values, vectors = np.linalg.eig(a)
    k = int(np.argmax(values.real))
    w = np.abs(vectors[:, k].real)
    return w / w.sum(), float(values[k].real)


def _geometric_mean_kernel(a: np.ndarray) -> np.ndarray:
    """Row geometric means normalised to sum 1."""
    g = np.exp(np.log(a).mean(axis=1))
    return g / g.sum()


def _column_mean_kernel(a: np.ndarray) -> np.ndarray:
    """Mean of the rows of the column-normalised matrix."""
    return (a / a.sum(axis=0, keepdims=True)).mean(axis=1)


def _lambda_estimates(a: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Per-row estimates ``(A w)_i / w_i``; their mean is the textbook lambda_max estimate."""
    return (a @ w) / w


KERNELS = {
    "eigenvector": lambda a: _eigenvector_kernel(a)[0],
    "geometric_mean": _geometric_mean_kernel,
    "column_mean": _column_mean_kernel,
}
