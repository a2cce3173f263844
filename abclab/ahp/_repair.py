"""Repair aid: which judgements contribute most to inconsistency, and what would fix them.

For priorities ``w`` the consistent value of a judgement is ``w_i / w_j``; the error of
``a_ij`` is ``e_ij = a_ij w_j / w_i`` (1 when consistent), ranked by ``|log e_ij|``
(Saaty 2003, "Decision-making with the AHP: why is the principal eigenvector necessary",
EJOR 145:85-91, section on improving consistency). For each upper-triangle judgement abclab
also gives the nearest Saaty scale value to ``w_i / w_j`` and the CR that would follow if
that single judgement (and its reciprocal) were revised to it, all others unchanged.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd

from abclab.ahp._consistency import _ci_cr_kernel
from abclab.ahp._matrix import nearest_scale_value
from abclab.ahp._weights import _eigenvector_kernel

REPAIR_COLUMNS = [
    "rank",
    "row",
    "column",
    "i",
    "j",
    "judgement",
    "consistent_value",
    "suggested_value",
    "error_ratio",
    "log_error",
    "cr",
    "cr_if_revised",
]


def _repair_kernel(
    a: np.ndarray, w: np.ndarray, ri: float, judged: np.ndarray
) -> dict[str, np.ndarray]:
    """Arrays for every judged upper-triangle cell (no validation)."""
    n = a.shape[0]
    i, j = np.triu_indices(n, 1)
    keep = judged[i, j]
    i, j = i[keep], j[keep]
    consistent = w[i] / w[j]
    error = a[i, j] / consistent
    suggested = nearest_scale_value(consistent) if len(i) else np.array([])
    lam = _eigenvector_kernel(a)[1]
    cr = _ci_cr_kernel(lam, n, ri)[1] if n > 2 else 0.0
    after = np.empty(len(i))
    for k, (r, c) in enumerate(zip(i, j, strict=True)):
        b = a.copy()
        b[r, c], b[c, r] = suggested[k], 1.0 / suggested[k]
        after[k] = _ci_cr_kernel(_eigenvector_kernel(b)[1], n, ri)[1] if n > 2 else 0.0
    return {
        "i": i,
        "j": j,
        "judgement": a[i, j],
        "consistent_value": consistent,
        "suggested_value": suggested,
        "error_ratio": error,
        "log_error": np.abs(np.log(error)),
        "cr": np.full(len(i), cr),
        "cr_if_revised": after,
    }


def repair_table(
    a: np.ndarray,
    w: np.ndarray,
    labels: Sequence[Hashable],
    ri: float,
    judged: np.ndarray | None = None,
) -> pd.DataFrame:
    """Tidy repair table, most inconsistent judgement first (columns :data:`REPAIR_COLUMNS`)."""
    judged = np.ones(a.shape, bool) if judged is None else judged
    parts = _repair_kernel(a, w, ri, judged)
    frame = pd.DataFrame(parts)
    frame.insert(0, "row", pd.Series([labels[k] for k in parts["i"]], dtype=object))
    frame.insert(1, "column", pd.Series([labels[k] for k in parts["j"]], dtype=object))
    frame = frame.sort_values("log_error", ascending=False, kind="stable").reset_index(drop=True)
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    return frame[REPAIR_COLUMNS]


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
    from abclab.ahp._api import weights as _weights
    from abclab.ahp._result import AHPResult

    result = (
        matrix
        if isinstance(matrix, AHPResult)
        else _weights(matrix, method=method, ri_table=ri_table, criteria=criteria, warn=False)
    )
    return result.inconsistent_judgements()
