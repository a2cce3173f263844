"""Objective criteria weights from data, and blends with subjective (AHP) weights.

Every function takes a frame with one row per item (customer) and one numeric column per
criterion and returns a Series of weights indexed by the column names, summing to 1, with
``name`` = the method. ``cost=[...]`` names criteria where smaller is better; they are
reversed before weighting (min-max: ``(max - x)/(max - min)``).

References
----------
Shannon entropy weights: Zeleny, M. (1982). *Multiple Criteria Decision Making*, McGraw-Hill;
Hwang, C.-L., & Yoon, K. (1981). *Multiple Attribute Decision Making*, Springer, pp. 52-54.
CRITIC: Diakoulaki, D., Mavrotas, G., & Papayannakis, L. (1995). Determining objective
weights in multiple criteria problems: the CRITIC method. *Computers & Operations Research*
22(7), 763-770.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from abclab._normalise import minmax_kernel
from abclab.exceptions import DataQualityWarning, InputDataError

_NORMALISATIONS = ("minmax", "sum", "none")


def _validated(
    frame: pd.DataFrame, cost: Sequence[str] | None, who: str
) -> tuple[np.ndarray, list, set]:
    if not isinstance(frame, pd.DataFrame):
        raise InputDataError(
            f"{who}: expected a DataFrame with one column per criterion, got {type(frame).__name__}"
        )
    if frame.shape[1] == 0:
        raise InputDataError(f"{who}: the frame has no criterion columns")
    if frame.shape[0] < 2:
        raise InputDataError(f"{who}: needs at least 2 rows (items), got {frame.shape[0]}")
    for col in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[col]) or pd.api.types.is_bool_dtype(frame[col]):
            raise InputDataError(f"{who}: column {col!r} is {frame[col].dtype}, expected numbers")
    x = frame.to_numpy(dtype=float)
    bad = ~np.isfinite(x)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise InputDataError(
            f"{who}: column {frame.columns[c]!r}, row {frame.index[r]!r} is {x[r, c]}; "
            f"impute or drop missing values first"
        )
    cost_set = set(cost or ())
    unknown = cost_set - set(frame.columns)
    if unknown:
        raise InputDataError(
            f"{who}: cost={sorted(unknown, key=str)} are not columns of the frame {list(frame.columns)}"
        )
    return x, list(frame.columns), cost_set


def _constant_columns(x: np.ndarray, columns: list, who: str) -> np.ndarray:
    const = np.ptp(x, axis=0) == 0
    if const.all():
        raise InputDataError(
            f"{who}: every column is constant ({columns}); the data carry no information to weight them"
        )
    if const.any():
        warnings.warn(
            f"{who}: constant column(s) {[c for c, k in zip(columns, const, strict=True) if k]} get weight 0",
            DataQualityWarning,
            stacklevel=3,
        )
    return const


def _minmax(x: np.ndarray, columns: list, cost: set) -> np.ndarray:
    """Columns on [0, 1], cost reversed (a constant column gets 1 and weight 0 downstream)."""
    return minmax_kernel(x, np.array([c in cost for c in columns], dtype=bool))


def _entropy_kernel(p_source: np.ndarray) -> np.ndarray:
    """Entropy weights of non-negative columns; zero or constant columns have e_j = 1."""
    m = p_source.shape[0]
    totals = p_source.sum(axis=0)
    p = np.where(totals > 0, p_source / np.where(totals > 0, totals, 1.0), 1.0 / m)
    const = np.ptp(p_source, axis=0) == 0
    plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    d = np.clip(1.0 + plogp.sum(axis=0) / np.log(m), 0.0, None)  # 1 - e_j, rounding-safe
    d[const] = 0.0
    return d / d.sum()


def entropy(
    frame: pd.DataFrame,
    *,
    cost: Sequence[str] | None = None,
    normalisation: str = "sum",
    data: Literal["raw", "scores"] = "raw",
) -> pd.Series:
    """Shannon entropy weights (Zeleny 1982; Hwang & Yoon 1981).

    The weights depend on what the frame holds: entropy is not invariant to shifting a
    column, so weights of the raw criteria and of their 0-100 indicator scores differ (the
    lowest-scoring item has ``p_ij = 0`` on min-max scores). Say which with ``data``; the
    result records it in ``attrs``. The study pipeline compares weights on the normalised
    indicator scores (``data="scores"``).

    Parameters
    ----------
    frame : pandas.DataFrame
        Items in rows, numeric criteria in columns (no missing values).
    cost : list of str, optional
        Cost criteria (smaller is better).
    normalisation : {"minmax", "sum"}
        ``"sum"`` (default, the textbook method and pymcdm's ``entropy_weights``):
        ``p_ij = x_ij / sum_i x_ij`` on the raw, non-negative data; cost columns are
        reflected first (``max + min - x``). ``"minmax"`` (common in Chinese practice,
        极差标准化): rescale each column to [0, 1] (cost reversed) before ``p_ij``; needed for
        data with negative values (e.g. growth rates).
    data : {"raw", "scores"}
        ``"raw"`` (default): the criteria as measured. ``"scores"``: already normalised,
        benefit-oriented indicator scores (e.g. ``ScoreResult.indicator_scores``, 0-100, cost
        criteria reversed); ``cost`` must then be empty, since the scores are oriented. The
        computation is the same; only the record and the ``cost`` check differ.

    Returns
    -------
    pandas.Series
        ``w_j = (1 - e_j) / sum_k (1 - e_k)``, name ``"entropy"``; ``attrs`` =
        ``{"method": "entropy", "normalisation": ..., "data": ...}``.

    Notes
    -----
    ``p_ij = x'_ij / sum_i x'_ij``, ``e_j = -k sum_i p_ij ln p_ij``, ``k = 1/ln m``, with
    ``0 ln 0 = 0``. A constant column has uniform ``p`` and ``e_j = 1``: zero weight
    (DataQualityWarning). All columns constant raises InputDataError.
    """
    if data not in ("raw", "scores"):
        raise InputDataError(f"entropy: data={data!r} is unknown; choose 'raw' or 'scores'")
    if data == "scores" and cost:
        raise InputDataError(
            f"entropy: cost={list(cost)} with data='scores': indicator scores are already "
            "oriented (higher = better); drop cost or pass the raw criteria"
        )
    x, columns, cost_set = _validated(frame, cost, "entropy")
    _constant_columns(x, columns, "entropy")
    if normalisation == "minmax":
        z = _minmax(x, columns, cost_set)
    elif normalisation == "sum":
        if (x < 0).any():
            col = columns[int(np.argwhere(x < 0)[0][1])]
            raise InputDataError(
                f"entropy: column {col!r} has negative values; use normalisation='minmax'"
            )
        flip = np.array([c in cost_set for c in columns])
        z = np.where(flip, x.max(axis=0) + x.min(axis=0) - x, x)
    else:
        raise InputDataError(
            f"entropy: normalisation={normalisation!r} is unknown; choose 'minmax' or 'sum'"
        )
    out = pd.Series(_entropy_kernel(z), index=pd.Index(columns), name="entropy")
    out.attrs = {"method": "entropy", "normalisation": normalisation, "data": data}
    return out


def critic(frame: pd.DataFrame, *, cost: Sequence[str] | None = None) -> pd.Series:
    """CRITIC weights (Diakoulaki et al. 1995).

    Notes
    -----
    Columns are min-max normalised (cost reversed); ``C_j = sigma_j sum_k (1 - r_jk)`` with
    ``sigma_j`` the standard deviation of the normalised column and ``r_jk`` Pearson's
    correlation; ``w_j = C_j / sum_k C_k``. A constant column has ``sigma_j = 0`` -> weight 0
    (DataQualityWarning) and is left out of the other columns' conflict sums (its
    correlation is undefined). The ddof of sigma cancels in the normalisation. Because the
    columns are min-max normalised first, CRITIC gives the same weights on the raw criteria
    and on any increasing affine rescaling of them (such as min-max 0-100 scores); unlike
    entropy, it does not depend on which of the two it is given.

    Returns
    -------
    pandas.Series
        Name ``"critic"``.
    """
    x, columns, cost_set = _validated(frame, cost, "critic")
    const = _constant_columns(x, columns, "critic")
    z = _minmax(x, columns, cost_set)
    sigma = z.std(axis=0, ddof=1)
    live = ~const
    r = np.zeros((len(columns), len(columns)))
    if live.sum() > 1:
        r[np.ix_(live, live)] = np.corrcoef(z[:, live], rowvar=False)
    conflict = ((1.0 - r) * np.outer(live, live)).sum(axis=1)
    c = sigma * conflict
    if c.sum() <= 0:
        c = sigma
    return pd.Series(c / c.sum(), index=pd.Index(columns), name="critic")


def std_dev(
    frame: pd.DataFrame, *, cost: Sequence[str] | None = None, normalisation: str = "minmax"
) -> pd.Series:
    """Standard-deviation weights ``w_j = sigma_j / sum_k sigma_k``.

    ``normalisation="minmax"`` (default) uses the min-max normalised columns so that units do
    not matter; ``"none"`` uses the raw columns (as pymcdm's ``standard_deviation_weights``).
    Direction (``cost``) does not change a standard deviation.
    """
    x, columns, cost_set = _validated(frame, cost, "std_dev")
    _constant_columns(x, columns, "std_dev")
    if normalisation not in ("minmax", "none"):
        raise InputDataError(
            f"std_dev: normalisation={normalisation!r} is unknown; choose 'minmax' or 'none'"
        )
    z = _minmax(x, columns, cost_set) if normalisation == "minmax" else x
    s = z.std(axis=0, ddof=1)
    return pd.Series(s / s.sum(), index=pd.Index(columns), name="std_dev")


def equal(frame: pd.DataFrame) -> pd.Series:
    """Equal weights ``1/n`` for the frame's columns."""
    if not isinstance(frame, pd.DataFrame) or frame.shape[1] == 0:
        raise InputDataError("equal: expected a DataFrame with at least one criterion column")
    n = frame.shape[1]
    return pd.Series(np.full(n, 1.0 / n), index=pd.Index(frame.columns), name="equal")


def _as_weights(w: pd.Series | dict, who: str) -> pd.Series:
    s = pd.Series(w, dtype=float)
    if s.empty or not np.isfinite(s.to_numpy()).all() or (s < 0).any() or s.sum() <= 0:
        raise InputDataError(
            f"blend: {who} weights must be non-negative with a positive sum, got {dict(s)}"
        )
    return s / s.sum()


def blend(
    subjective: pd.Series | dict,
    objective: pd.Series | dict,
    *,
    alpha: float = 0.5,
    how: str = "linear",
) -> pd.Series:
    """Combine subjective (e.g. AHP) and objective (e.g. entropy) weights.

    Parameters
    ----------
    subjective, objective : Series or dict
        Weights over the same criteria (each normalised to sum 1 first).
    alpha : float in [0, 1]
        Share of the subjective weights (``how="linear"``) or its exponent
        (``how="multiplicative"``: ``w ∝ s^alpha o^(1-alpha)``; the default 0.5 ranks like
        the plain product ``s_i o_i``).
    how : {"linear", "multiplicative"}
        ``linear``: ``w = alpha s + (1 - alpha) o``. ``multiplicative``:
        ``w_i ∝ s_i^(2 alpha) o_i^(2 (1 - alpha))``, i.e. ``s_i o_i / sum_k s_k o_k`` at alpha = 0.5.

    Returns
    -------
    pandas.Series
        Name ``"blend"``, indexed like ``subjective``.
    """
    s, o = _as_weights(subjective, "subjective"), _as_weights(objective, "objective")
    if set(s.index) != set(o.index):
        raise InputDataError(
            f"blend: subjective criteria {list(s.index)} and objective criteria {list(o.index)} differ"
        )
    o = o.reindex(s.index)
    if not 0.0 <= alpha <= 1.0:
        raise InputDataError(f"blend: alpha={alpha} must be between 0 and 1")
    if how == "linear":
        w = alpha * s + (1.0 - alpha) * o
    elif how == "multiplicative":
        w = s ** (2 * alpha) * o ** (2 * (1.0 - alpha))
        if w.sum() <= 0:
            raise InputDataError(
                "blend: subjective and objective weights share no positive criterion"
            )
    else:
        raise InputDataError(f"blend: how={how!r} is unknown; choose 'linear' or 'multiplicative'")
    return (w / w.sum()).rename("blend")


#: Objective weighting methods a study may name (``weights: {objective: ...}``).
OBJECTIVE_METHODS = {"entropy": entropy, "critic": critic, "std_dev": std_dev, "equal": equal}
