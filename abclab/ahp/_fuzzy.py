"""Fuzzy AHP with triangular fuzzy judgements: Buckley's (1985) fuzzy geometric mean.

A triangular fuzzy number (TFN) ``(l, m, u)``, ``l <= m <= u``, is a judgement "about m, at
least l, at most u"; the reciprocal of ``(l, m, u)`` is ``(1/u, 1/m, 1/l)``. Buckley's method
(1985, section 4) takes the fuzzy row geometric means
``r_i = ((prod_j l_ij)^(1/n), (prod_j m_ij)^(1/n), (prod_j u_ij)^(1/n))`` and the fuzzy weights
``w_i = r_i (x) (sum_k r_k)^(-1) = (l_i / sum_k u_k, m_i / sum_k m_k, u_i / sum_k l_k)``
(TFN arithmetic, the usual approximation of the product). They are defuzzified by the
centroid ``(l + m + u) / 3`` (or the graded mean ``(l + 4m + u) / 6``) and normalised to sum 1.
Consistency is checked on a crisp matrix: the modal values ``m_ij`` (default; reciprocal, so
Saaty's CR applies as usual) or the graded means (pyDecision's choice).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from abclab.ahp._api import _result_from_array
from abclab.ahp._result import AHPResult
from abclab.exceptions import JudgementError

#: Defuzzification of a TFN (l, m, u): centroid (Yager 1981) or graded mean (Chen & Hsieh).
DEFUZZIFICATIONS = ("centroid", "graded_mean")


def _buckley_kernel(L: np.ndarray, M: np.ndarray, U: np.ndarray) -> np.ndarray:
    """Fuzzy weights (n, 3) of a TFN matrix by Buckley's fuzzy geometric mean."""
    r = np.stack([np.exp(np.log(X).mean(axis=1)) for X in (L, M, U)], axis=1)
    total = r.sum(axis=0)
    return np.column_stack([r[:, 0] / total[2], r[:, 1] / total[1], r[:, 2] / total[0]])


def _defuzzify(tfn: np.ndarray, how: str) -> np.ndarray:
    if how == "centroid":
        return tfn.sum(axis=-1) / 3.0
    return (tfn[..., 0] + 4 * tfn[..., 1] + tfn[..., 2]) / 6.0


@dataclass(frozen=True)
class FuzzyAHPResult:
    """Fuzzy and defuzzified priorities of a triangular fuzzy comparison matrix.

    Attributes
    ----------
    weights : pandas.Series
        Defuzzified weights normalised to sum 1, ``name="fuzzy_buckley"``.
    fuzzy_weights : pandas.DataFrame
        Criterion x ``l``, ``m``, ``u``: Buckley's fuzzy weights (not normalised; the ``m``
        column sums to 1).
    defuzzified : pandas.Series
        Crisp value of each fuzzy weight before normalisation.
    lambda_max, ci, cr, ri : float
        Consistency of the crisp matrix ``crisp.matrix`` (see ``consistency``).
    consistent : bool
        ``cr <= threshold``.
    threshold : float
    ri_table : str
    method : str
        ``"buckley"``.
    defuzzification : str
        ``"centroid"`` or ``"graded_mean"``.
    consistency : str
        ``"modal"`` (the m_ij matrix) or ``"graded_mean"`` ((l + 4m + u)/6 per cell).
    n : int
    tfn : dict of pandas.DataFrame
        The judgements as three matrices ``{"l": ..., "m": ..., "u": ...}``.
    crisp : AHPResult
        The AHP result of the crisp matrix (its ``weights`` are its row geometric means).
    """

    weights: pd.Series
    fuzzy_weights: pd.DataFrame
    defuzzified: pd.Series
    lambda_max: float
    ci: float
    cr: float
    ri: float
    consistent: bool
    threshold: float
    ri_table: str
    method: str
    defuzzification: str
    consistency: str
    n: int
    tfn: dict[str, pd.DataFrame]
    crisp: AHPResult

    def to_frame(self) -> pd.DataFrame:
        """``criterion, weight_l, weight_m, weight_u, defuzzified, weight, rank``."""
        out = self.fuzzy_weights.add_prefix("weight_")
        out["defuzzified"] = self.defuzzified
        out["weight"] = self.weights
        out["rank"] = self.weights.rank(ascending=False, method="min").astype(int)
        return out.rename_axis("criterion").reset_index()


def _as_tfn(tfn_matrix: Any, criteria: Sequence[Hashable] | None) -> tuple[np.ndarray, list]:
    """``(n, n, 3)`` array and labels from a DataFrame of 3-tuples or a nested sequence."""
    if isinstance(tfn_matrix, pd.DataFrame):
        if list(tfn_matrix.index) != list(tfn_matrix.columns):
            raise JudgementError(
                "tfn_matrix: index and columns must list the same criteria in the same order."
            )
        labels = list(tfn_matrix.index)
        cells = [[tuple(c) for c in row] for row in tfn_matrix.itertuples(index=False)]
    else:
        cells = tfn_matrix
        labels = None
    try:
        T = np.asarray(cells, dtype=float)
    except (TypeError, ValueError) as err:
        raise JudgementError(
            "tfn_matrix: expected an n x n matrix of triangular fuzzy numbers (l, m, u)."
        ) from err
    if T.ndim != 3 or T.shape[0] != T.shape[1] or T.shape[2] != 3 or T.shape[0] < 2:
        raise JudgementError(
            f"tfn_matrix: expected shape (n, n, 3) with n >= 2 (one (l, m, u) per cell), got {T.shape}."
        )
    n = T.shape[0]
    if criteria is not None:
        labels = list(criteria)
        if len(labels) != n:
            raise JudgementError(f"criteria: expected {n} names, got {len(labels)}.")
    return T, labels if labels is not None else list(range(n))


def _check_tfn(T: np.ndarray, labels: list) -> None:
    n = T.shape[0]
    for i in range(n):
        for j in range(n):
            lo, mid, up = T[i, j]
            where = f"tfn_matrix[{labels[i]!r}, {labels[j]!r}] = ({lo:g}, {mid:g}, {up:g})"
            if not (np.isfinite(T[i, j]).all() and lo > 0):
                raise JudgementError(f"{where}: expected positive finite numbers.")
            if not lo <= mid <= up:
                raise JudgementError(f"{where}: expected l <= m <= u.")
            if i == j and not np.allclose(T[i, j], 1.0):
                raise JudgementError(f"{where}: a criterion compared with itself is (1, 1, 1).")
            want = 1.0 / T[j, i, ::-1]
            if i < j and not np.allclose(T[i, j], want, rtol=1e-2):
                raise JudgementError(
                    f"{where}: should be the reciprocal (1/u, 1/m, 1/l) = "
                    f"({want[0]:.4g}, {want[1]:.4g}, {want[2]:.4g}) of "
                    f"tfn_matrix[{labels[j]!r}, {labels[i]!r}] = "
                    f"({T[j, i, 0]:g}, {T[j, i, 1]:g}, {T[j, i, 2]:g})."
                )


def fuzzy_weights(
    tfn_matrix: Any,
    method: Literal["buckley"] = "buckley",
    *,
    defuzzification: Literal["centroid", "graded_mean"] = "centroid",
    consistency: Literal["modal", "graded_mean"] = "modal",
    criteria: Sequence[Hashable] | None = None,
    ri_table: str = "saaty1980",
    threshold: float | None = None,
    warn: bool = True,
) -> FuzzyAHPResult:
    """Fuzzy AHP priorities from triangular fuzzy judgements (Buckley 1985).

    Parameters
    ----------
    tfn_matrix : DataFrame of 3-tuples or nested sequence of shape (n, n, 3)
        Reciprocal matrix of TFNs ``(l, m, u)``: diagonal ``(1, 1, 1)``, ``a_ji = (1/u_ij,
        1/m_ij, 1/l_ij)`` (relative tolerance 1e-2, for rounded fractions).
    method : {"buckley"}
        Fuzzy geometric mean of the rows (Buckley 1985).
    defuzzification : {"centroid", "graded_mean"}
        ``(l + m + u)/3`` (default, as pyDecision) or ``(l + 4m + u)/6``.
    consistency : {"modal", "graded_mean"}
        Crisp matrix whose CR is reported: the modal values ``m_ij`` (default) or the graded
        means of the cells (pyDecision; not exactly reciprocal).
    criteria : sequence, optional
        Criterion names for a nested-sequence input.
    ri_table, threshold, warn
        As in :func:`abclab.ahp.weights` (CR of the crisp matrix).

    Returns
    -------
    FuzzyAHPResult

    Raises
    ------
    JudgementError
        Wrong shape, a cell not a TFN, not reciprocal (cell named), unknown option.

    Notes
    -----
    ``r_i = (prod_j a_ij)^(1/n)`` component-wise; ``w_i = (l_i / sum_k u_k, m_i / sum_k m_k,
    u_i / sum_k l_k)``; crisp ``c_i = (l_i + m_i + u_i)/3``; weight ``c_i / sum_k c_k``. With
    crisp judgements (l = m = u) this is the row geometric mean of Crawford & Williams (1985).

    References
    ----------
    Buckley, J. J. (1985). Fuzzy hierarchical analysis. *Fuzzy Sets and Systems* 17(3),
    233-247.
    Csutora, R., & Buckley, J. J. (2001). Fuzzy hierarchical analysis: the Lambda-Max
    method. *Fuzzy Sets and Systems* 120(2), 181-195 (consistency on the modal matrix).

    Examples
    --------
    >>> res = fuzzy_weights([[(1, 1, 1), (2, 3, 4)], [(1/4, 1/3, 1/2), (1, 1, 1)]],
    ...                     criteria=["spend", "margin"])
    >>> res.fuzzy_weights.round(3).to_numpy().tolist()
    [[0.522, 0.75, 1.045], [0.185, 0.25, 0.369]]
    >>> res.weights.round(3).tolist()
    [0.742, 0.258]
    """
    if method != "buckley":
        raise JudgementError(f"method={method!r} is unknown; choose 'buckley'.")
    if defuzzification not in DEFUZZIFICATIONS:
        raise JudgementError(
            f"defuzzification={defuzzification!r} is unknown; choose one of {list(DEFUZZIFICATIONS)}."
        )
    if consistency not in ("modal", "graded_mean"):
        raise JudgementError(
            f"consistency={consistency!r} is unknown; choose 'modal' or 'graded_mean'."
        )
    T, labels = _as_tfn(tfn_matrix, criteria)
    _check_tfn(T, labels)
    L, M, U = T[..., 0], T[..., 1], T[..., 2]
    fw = _buckley_kernel(L, M, U)
    crisp_w = _defuzzify(fw, defuzzification)
    crisp_matrix = M if consistency == "modal" else _defuzzify(T, "graded_mean")
    crisp = _result_from_array(
        crisp_matrix,
        labels,
        method="geometric_mean",
        ri_table=ri_table,
        threshold=threshold,
        warn=warn,
    )
    index = crisp.weights.index
    return FuzzyAHPResult(
        weights=pd.Series(crisp_w / crisp_w.sum(), index=index, name="fuzzy_buckley"),
        fuzzy_weights=pd.DataFrame(fw, index=index, columns=["l", "m", "u"]),
        defuzzified=pd.Series(crisp_w, index=index, name="defuzzified"),
        lambda_max=crisp.lambda_max,
        ci=crisp.ci,
        cr=crisp.cr,
        ri=crisp.ri,
        consistent=crisp.consistent,
        threshold=crisp.threshold,
        ri_table=ri_table,
        method=method,
        defuzzification=defuzzification,
        consistency=consistency,
        n=len(labels),
        tfn={
            k: pd.DataFrame(X, index=index, columns=index)
            for k, X in zip("lmu", (L, M, U), strict=True)
        },
        crisp=crisp,
    )
