"""Repair aid: which judgements contribute most to inconsistency, and what would fix them.

For priorities ``w`` the consistent value of a judgement is ``w_i / w_j``; the error of
``a_ij`` is ``e_ij = a_ij w_j / w_i`` (1 when consistent), ranked by ``|log e_ij|``
(Saaty 2003, "Decision-making with the AHP: why is the principal eigenvector necessary",
EJOR 145:85-91, section on improving consistency). For each upper-triangle judgement abclab
also gives the nearest Saaty scale value to ``w_i / w_j`` and the CR that would follow if
that single judgement (and its reciprocal) were revised to it, all others unchanged.

This module is the table only (it knows no result type); :meth:`AHPResult.inconsistent_judgements`
calls it and :func:`abclab.ahp.repair_suggestions` (in ``_api``) is the public entry point.
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
