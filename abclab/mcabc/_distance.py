"""Distance-based ABC models: TOPSIS (Hwang & Yoon 1981) and EDAS (Keshavarz Ghorabaee 2015).

Both weigh the criteria with given weights and score each item by its distance from
reference points: the ideal and anti-ideal (TOPSIS) or the criterion means (EDAS).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from abclab._normalise import minmax_kernel
from abclab._validation import weight_vector
from abclab.exceptions import InputDataError
from abclab.mcabc._common import _matrix, _series, minmax_matrix


def topsis_kernel(x: np.ndarray, w: np.ndarray, is_cost: np.ndarray, normalisation: str):
    """Kernel of :func:`topsis` (no validation)."""
    if normalisation == "vector":
        r = x / np.sqrt((x**2).sum(axis=0))
        r[:, is_cost] = 1.0 - r[:, is_cost]
    else:
        r = minmax_kernel(x, is_cost)
    vw = r * w
    d_best = np.sqrt(((vw - vw.max(axis=0)) ** 2).sum(axis=1))
    d_worst = np.sqrt(((vw - vw.min(axis=0)) ** 2).sum(axis=1))
    return d_worst / (d_best + d_worst)


def topsis(
    frame: pd.DataFrame,
    weights: Any,
    *,
    cost: Sequence[Any] | None = None,
    normalisation: Literal["vector", "minmax"] = "vector",
) -> pd.Series:
    """TOPSIS closeness coefficient (Hwang & Yoon 1981).

    .. math:: C_i = \\frac{D_i^-}{D_i^+ + D_i^-}, \\quad
              D_i^\\pm = \\lVert w \\circ (r_i - r^\\pm) \\rVert_2

    with :math:`r^+` (:math:`r^-`) the best (worst) normalised value of each criterion.

    Parameters
    ----------
    frame : DataFrame
        Items as rows, criteria as columns.
    weights : dict, Series or array
        Criterion weights (renormalised to sum to 1).
    cost : list, optional
        Criteria where smaller is better.
    normalisation : {"vector", "minmax"}
        ``"vector"`` (Hwang & Yoon; default): :math:`r_{ij} = x_{ij} / \\sqrt{\\sum_k x_{kj}^2}`;
        ``"minmax"``: :math:`(x - \\min)/(\\max - \\min)` (pymcdm's default; cost columns
        :math:`(\\max - x)/(\\max - \\min)`, :func:`abclab._normalise.minmax_kernel`). Vector
        cost columns are turned into ``1 - r``, which leaves the distances unchanged.

    Returns
    -------
    pandas.Series
        Closeness in [0, 1], name ``"topsis"``. Equals ``pymcdm.methods.TOPSIS`` with the
        matching normalisation function.
    """
    if normalisation not in ("vector", "minmax"):
        raise InputDataError(f"normalisation: expected 'vector' or 'minmax', got {normalisation!r}")
    x, is_cost, frame = _matrix(frame, cost)
    if normalisation == "minmax":
        minmax_matrix(x, is_cost, frame.columns)  # constant-column check
    elif (np.sqrt((x**2).sum(axis=0)) == 0).any():
        raise InputDataError("topsis: a criterion is zero for every item")
    w = weight_vector(weights, frame.columns)
    return _series(topsis_kernel(x, w, is_cost, normalisation), frame, "topsis")


def edas_kernel(x: np.ndarray, w: np.ndarray, is_cost: np.ndarray) -> np.ndarray:
    """Kernel of :func:`edas` (no validation)."""
    av = x.mean(axis=0)
    d = (x - av) / av
    d[:, is_cost] = -d[:, is_cost]
    sp = (w * np.maximum(d, 0.0)).sum(axis=1)
    sn = (w * np.maximum(-d, 0.0)).sum(axis=1)
    return (sp / sp.max() + 1.0 - sn / sn.max()) / 2.0


def edas(frame: pd.DataFrame, weights: Any, *, cost: Sequence[Any] | None = None) -> pd.Series:
    """EDAS appraisal score (Keshavarz Ghorabaee et al. 2015).

    With :math:`AV_j` the criterion mean, positive and negative distances from average
    :math:`PDA_{ij} = \\max(0, (x_{ij} - AV_j)/AV_j)`, :math:`NDA_{ij} = \\max(0, (AV_j -
    x_{ij})/AV_j)` (signs swapped for cost criteria), :math:`SP_i = \\sum_j w_j PDA_{ij}`,
    :math:`SN_i = \\sum_j w_j NDA_{ij}` and

    .. math:: AS_i = \\tfrac12 \\left(\\frac{SP_i}{\\max_k SP_k} + 1 - \\frac{SN_i}{\\max_k SN_k}\\right).

    Raw data are used (no normalisation); every criterion mean must be positive.

    Parameters
    ----------
    frame : DataFrame
        Items as rows, criteria as columns.
    weights : dict, Series or array
        Criterion weights (renormalised to sum to 1).
    cost : list, optional
        Criteria where smaller is better.

    Returns
    -------
    pandas.Series
        Appraisal scores in [0, 1], name ``"edas"``. Equals ``pymcdm.methods.EDAS``.

    References
    ----------
    Keshavarz Ghorabaee, M., Zavadskas, E. K., Olfat, L., & Turskis, Z. (2015). Multi-criteria
    inventory classification using a new method of evaluation based on distance from average
    solution (EDAS). Informatica 26(3), 435–451.
    """
    x, is_cost, frame = _matrix(frame, cost)
    av = x.mean(axis=0)
    if (av <= 0).any():
        j = int(np.argmax(av <= 0))
        raise InputDataError(
            f"column {frame.columns[j]!r}: EDAS needs a positive mean, got {av[j]}"
        )
    w = weight_vector(weights, frame.columns)
    if ((w * np.abs(x - av)).sum(axis=0) == 0).all():
        raise InputDataError("edas: every criterion with a positive weight is constant")
    return _series(edas_kernel(x, w, is_cost), frame, "edas")
