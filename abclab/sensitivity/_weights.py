"""Weight perturbation: random weight vectors, their Monte Carlo, one-at-a-time sweeps.

:func:`draw_weights` draws Dirichlet or uniform weight vectors around the base weights,
:func:`weight_monte_carlo` reclassifies every customer under each draw, and
:func:`one_at_a_time` moves one weight at a time by a relative delta (the other weights
rescaled so that they still sum to 1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from abclab._validation import weight_vector
from abclab.sensitivity._result import SensitivityResult, _run
from abclab.sensitivity._tiers import (
    _DEFAULT_CHUNK,
    Rule,
    _check_scores,
    _rule_params,
)

#: Default relative weight moves of :func:`one_at_a_time`: -20 %, -15 %, ..., +20 %.
_DEFAULT_DELTAS = (-0.2, -0.15, -0.1, -0.05, 0.0, 0.05, 0.1, 0.15, 0.2)


def _draw_weights_kernel(
    w: np.ndarray,
    draws: int,
    scheme: str,
    concentration: float,
    spread: float,
    rng: np.random.Generator,
) -> np.ndarray:
    if scheme == "dirichlet":
        out = np.zeros((draws, len(w)))
        pos = w > 0
        if np.isinf(concentration) or pos.sum() == 1:
            out[:] = w
        else:
            out[:, pos] = rng.dirichlet(concentration * w[pos], size=draws)
        return out
    out = w * (1.0 + rng.uniform(-spread, spread, size=(draws, len(w))))
    return out / out.sum(axis=1, keepdims=True)


def draw_weights(
    weights: pd.Series | Mapping[str, float],
    *,
    draws: int = 1000,
    scheme: Literal["dirichlet", "uniform"] = "dirichlet",
    concentration: float = 100.0,
    spread: float = 0.1,
    seed: int = 0,
) -> pd.DataFrame:
    """Random weight vectors around ``weights`` (draws x criteria, each row sums to 1).

    ``"dirichlet"``: :math:`w^{(r)} \\sim \\mathrm{Dirichlet}(\\alpha)`, :math:`\\alpha = c\\,w`
    (mean ``w``, variance :math:`w_i(1-w_i)/(c+1)`; ``concentration=inf`` returns ``w``).
    ``"uniform"``: :math:`w_i (1 + u_i)`, :math:`u_i \\sim U(-x, x)`, renormalised to sum 1
    (``x = spread``, ``0 <= x < 1``). Zero weights stay zero in both schemes.
    """
    s = pd.Series(weights, dtype=float)
    w = weight_vector(s, s.index)
    _check_draw_options(draws, scheme, concentration, spread)
    W = _draw_weights_kernel(w, draws, scheme, concentration, spread, np.random.default_rng(seed))
    return pd.DataFrame(W, columns=s.index, index=pd.RangeIndex(draws, name="draw"))


def _check_draw_options(draws: int, scheme: str, concentration: float, spread: float) -> None:
    if int(draws) != draws or draws < 1:
        raise ValueError(f"draws={draws!r}: expected a positive integer.")
    if scheme not in ("dirichlet", "uniform"):
        raise ValueError(f"scheme={scheme!r}: expected 'dirichlet' or 'uniform'.")
    if not concentration > 0:
        raise ValueError(f"concentration={concentration!r}: expected a positive number (or inf).")
    if not 0 <= spread < 1:
        raise ValueError(f"spread={spread!r}: expected 0 <= spread < 1 (relative half-width).")


def weight_monte_carlo(
    indicator_scores: pd.DataFrame,
    weights: pd.Series | Mapping[str, float] | Sequence[float],
    *,
    draws: int = 1000,
    scheme: Literal["dirichlet", "uniform"] = "dirichlet",
    concentration: float = 100.0,
    spread: float = 0.1,
    rule: Rule = "bands",
    cuts: Sequence[float] | None = None,
    shares: Sequence[float] | None = None,
    cutoffs: Sequence[float] | None = None,
    labels: Sequence[str] | None = None,
    seed: int = 0,
    chunk_size: int = _DEFAULT_CHUNK,
) -> SensitivityResult:
    """Monte Carlo perturbation of the criteria weights; per-customer tier stability.

    Parameters
    ----------
    indicator_scores : DataFrame
        Customers x criteria scores (e.g. 0-100 indicator scores); the total score under
        weights ``w`` is ``indicator_scores @ w``.
    weights : Series, mapping or sequence
        Base weights (renormalised to sum 1), matched to the columns by name when labelled.
    draws, scheme, concentration, spread, seed
        See :func:`draw_weights`.
    rule : {"bands", "shares", "pareto"}
        Tier rule (module docstring) with its parameter ``cuts`` (default (90, 75, 60)),
        ``shares`` (default (0.2, 0.3, 0.5)) or ``cutoffs`` (default (0.8, 0.95)).
    labels : sequence of str, optional
        Tier labels best first (default "A", "B", ...).
    chunk_size : int
        Score cells (draws x customers) computed per block.

    Returns
    -------
    SensitivityResult

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"spend": [80, 40, 100], "margin": [40, 80, 100]})
    >>> res = weight_monte_carlo(X, {"spend": 0.5, "margin": 0.5}, rule="bands", cuts=(60,),
    ...                          draws=200, seed=1)
    >>> res.per_customer["base_tier"].tolist()
    ['A', 'A', 'A']
    >>> round(float(res.per_customer.loc[2, "stability"]), 2)
    1.0
    """
    X = _check_scores(indicator_scores)
    w0 = weight_vector(weights, indicator_scores.columns)
    _check_draw_options(draws, scheme, concentration, spread)
    param, names = _rule_params(rule, cuts, shares, cutoffs, labels, X)
    W = _draw_weights_kernel(
        w0, int(draws), scheme, concentration, spread, np.random.default_rng(seed)
    )
    return _run(
        X, indicator_scores.index, indicator_scores.columns, w0, W, rule, param, names, chunk_size
    )


def one_at_a_time(
    indicator_scores: pd.DataFrame,
    weights: pd.Series | Mapping[str, float] | Sequence[float],
    *,
    deltas: Sequence[float] | np.ndarray = _DEFAULT_DELTAS,
    rule: Rule = "bands",
    cuts: Sequence[float] | None = None,
    shares: Sequence[float] | None = None,
    cutoffs: Sequence[float] | None = None,
    chunk_size: int = _DEFAULT_CHUNK,
) -> pd.DataFrame:
    """Move one weight at a time by a relative ``delta``; share of customers changing tier.

    For criterion ``i``: :math:`w_i' = w_i (1 + \\delta)` and every other weight is rescaled by
    :math:`(1 - w_i') / (1 - w_i)` so the weights still sum to 1.

    Returns
    -------
    DataFrame
        Columns ``criterion, delta, weight`` (the moved weight), ``share_changed``,
        ``share_upgraded``, ``share_downgraded``; one row per criterion and delta.
    """
    X = _check_scores(indicator_scores)
    cols = indicator_scores.columns
    w0 = weight_vector(weights, cols)
    param, names = _rule_params(rule, cuts, shares, cutoffs, None, X)
    deltas = np.asarray(deltas, dtype=float)
    rows, W = [], []
    for i, crit in enumerate(cols):
        for delta in deltas:
            wi = w0[i] * (1.0 + delta)
            if wi < 0 or wi > 1 or (w0[i] >= 1 and wi != 1):
                raise ValueError(
                    f"deltas: delta={delta:g} moves the weight of {crit!r} from {w0[i]:g} to {wi:g}; "
                    "a weight must stay within [0, 1] and other weights must be able to absorb it."
                )
            w = w0 * ((1.0 - wi) / (1.0 - w0[i]) if w0[i] < 1 else 0.0)
            w[i] = wi
            W.append(w)
            rows.append({"criterion": crit, "delta": float(delta), "weight": float(wi)})
    res = _run(X, indicator_scores.index, cols, w0, np.array(W), rule, param, names, chunk_size)
    out = pd.DataFrame(rows)
    for c in ("share_changed", "share_upgraded", "share_downgraded"):
        out[c] = res.draw_change[c].to_numpy()
    return out
