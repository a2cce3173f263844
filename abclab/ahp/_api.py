"""Validated public layer: ``weights(matrix, ...)`` -> :class:`AHPResult`, and the repair aid
``repair_suggestions(matrix, ...)``."""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from abclab.ahp._consistency import (
    _ci_cr_kernel,
    _gci_kernel,
    alonso_lamata_lambda_limit,
    random_index,
    saaty_threshold,
)
from abclab.ahp._incomplete import harker_completion
from abclab.ahp._matrix import as_matrix
from abclab.ahp._result import AHPResult
from abclab.ahp._weights import KERNELS, _eigenvector_kernel, _geometric_mean_kernel
from abclab.exceptions import InconsistentJudgementWarning, JudgementError

METHODS = tuple(KERNELS)


def _check_method(method: str) -> None:
    if method not in KERNELS:
        raise JudgementError(f"method={method!r} is unknown; choose one of {list(METHODS)}")


def _result_from_array(
    a: np.ndarray,
    labels: list[Hashable],
    *,
    method: str,
    ri_table: str,
    threshold: float | None,
    warn: bool,
    label: str | None = None,
    w: np.ndarray | None = None,
) -> AHPResult:
    """Weights and consistency of a validated matrix (NaN = missing) -- shared by the group layer."""
    _check_method(method)
    n = a.shape[0]
    ri, _ = random_index(n, ri_table)
    missing = np.isnan(a)
    completed = bool(missing.any())
    if completed:
        a, _, _ = harker_completion(a, labels)
    w_method, lam = _eigenvector_kernel(a)
    if w is None:
        w = w_method if method == "eigenvector" else KERNELS[method](a)
    ci, cr = _ci_cr_kernel(lam, n, ri)
    thr = saaty_threshold(n) if threshold is None else float(threshold)
    index = pd.RangeIndex(n) if labels == list(range(n)) else pd.Index(labels, dtype=object)
    cells = tuple(
        (labels[i], labels[j]) for i, j in zip(*np.nonzero(np.triu(missing, 1)), strict=True)
    )
    result = AHPResult(
        weights=pd.Series(w, index=index, name=label or method),
        lambda_max=lam if n > 2 else float(n),
        ci=ci,
        cr=cr,
        ri=ri,
        ri_table=ri_table,
        method=label or method,
        n=n,
        matrix=pd.DataFrame(a, index=index, columns=index),
        consistent=bool(cr <= thr),
        threshold=thr,
        gci=_gci_kernel(a, _geometric_mean_kernel(a)),
        alonso_lamata_lambda_limit=alonso_lamata_lambda_limit(n),
        completed=completed,
        missing_cells=cells,
    )
    if warn and not result.consistent:
        top = result.inconsistent_judgements().iloc[0]
        warnings.warn(
            f"CR = {cr:.3f} exceeds {thr:.2f} (n = {n}, RI table {ri_table}); the most inconsistent "
            f"judgement is [{top['row']!r}, {top['column']!r}] = {top['judgement']:.4g}, whose consistent "
            f"value is {top['consistent_value']:.3g} (nearest scale value {top['suggested_value']:.4g}); "
            f"see result.inconsistent_judgements()",
            InconsistentJudgementWarning,
            stacklevel=3,
        )
    return result


def weights(
    matrix: Any,
    *,
    method: str = "eigenvector",
    ri_table: str = "saaty1980",
    criteria: Sequence[Hashable] | None = None,
    threshold: float | None = None,
    warn: bool = True,
) -> AHPResult:
    """Priorities and consistency of a pairwise comparison matrix.

    Parameters
    ----------
    matrix : list of lists, numpy.ndarray, pandas.DataFrame or dict
        Square reciprocal matrix on Saaty's scale (numbers, fraction strings or verbal
        labels), labelled DataFrame, or judgement dict ``{(a, b): value}``. ``NaN`` entries
        are missing judgements, completed by Harker's (1987) method.
    method : {"eigenvector", "geometric_mean", "column_mean"}
        Principal right eigenvector (Saaty 1980), row geometric mean (Crawford & Williams
        1985) or mean of the normalised columns.
    ri_table : {"saaty1980", "alonso_lamata2006", "donegan_dodd1991", "tummala_ling1998"}
        Random Index table for CR; orders beyond the table use the Alonso-Lamata fit.
    criteria : sequence, optional
        Criterion names (default: DataFrame labels or 0..n-1).
    threshold : float, optional
        CR threshold; default 0.05 (n = 3), 0.08 (n = 4), 0.10 otherwise (Saaty 1994).
    warn : bool
        Emit :class:`InconsistentJudgementWarning` when CR exceeds the threshold.

    Returns
    -------
    AHPResult

    Raises
    ------
    JudgementError
        Invalid matrix (named cell), unknown method or table, or judgements in
        unconnected groups.

    Notes
    -----
    ``CI = (lambda_max - n)/(n - 1)``, ``CR = CI / RI(n)`` with ``lambda_max`` the principal
    eigenvalue of the (completed) matrix for every method; n = 1, 2 give CR = 0.

    Examples
    --------
    >>> r = weights([[1, 3], [1 / 3, 1]])
    >>> round(float(r.weights[0]), 3), r.cr
    (0.75, 0.0)
    """
    _check_method(method)
    a, labels = as_matrix(matrix, criteria=criteria)
    return _result_from_array(
        a, labels, method=method, ri_table=ri_table, threshold=threshold, warn=warn
    )


def repair_suggestions(
    matrix: object,
    *,
    method: str = "eigenvector",
    ri_table: str = "saaty1980",
    criteria: Sequence[Hashable] | None = None,
) -> pd.DataFrame:
    """Judgements ranked by their contribution to inconsistency, with suggested revisions.

    Parameters
    ----------
    matrix : array-like, DataFrame, judgement dict or AHPResult
        The pairwise comparison matrix (incomplete matrices are completed by Harker's
        method first; the filled-in cells are not listed).
    method, ri_table, criteria
        As in :func:`abclab.ahp.weights`.

    Returns
    -------
    pandas.DataFrame
        One row per judgement ``a_ij`` (i < j): ``rank`` (1 = most inconsistent), ``row``,
        ``column`` (criterion labels), ``i``, ``j`` (positions), ``judgement`` (a_ij),
        ``consistent_value`` (w_i/w_j), ``suggested_value`` (nearest value on Saaty's
        1/9-9 scale), ``error_ratio`` (e_ij = a_ij w_j / w_i), ``log_error`` (|log e_ij|),
        ``cr`` (current CR) and ``cr_if_revised`` (CR if only this judgement and its
        reciprocal were set to ``suggested_value``).
    """
    result = (
        matrix
        if isinstance(matrix, AHPResult)
        else weights(matrix, method=method, ri_table=ri_table, criteria=criteria, warn=False)
    )
    return result.inconsistent_judgements()
