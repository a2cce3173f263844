"""SMAA-2 for the weighted score and its tiers (Lahdelma & Salminen 2001).

Weights are drawn uniformly from the simplex (or from the part of it inside per-criterion
bounds); every customer is scored under every draw, ``S = W @ X.T``, in blocks over draws.

* rank acceptability ``b_i^r`` = share of the weight space in which customer ``i`` has rank
  ``r`` (1 = best; ties broken by input order, a zero-probability event for continuous
  weights). Rows and columns of the items x ranks table sum to 1. Its size is n x n, so it is
  kept only for ``n <= max_rank_items`` customers; the first-rank acceptability ``b_i^1``
  is always computed (an argmax per draw).
* central weight ``w_i^c`` = mean of the weights that make ``i`` best (NaN if it never is).
* confidence factor ``p_i^c`` = share of draws of criteria values in which ``i`` is best at its
  central weights. The criteria values here are exact, so it is 1 or 0 (whether ``i`` is best
  at ``w_i^c``); NaN where there is no central weight.
* tier acceptability = share of the weight space placing ``i`` in each tier under a tier rule
  (bands, shares, pareto; see :mod:`abclab.sensitivity`), with the base tier from the given
  weights (or equal weights).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from abclab._validation import weight_vector
from abclab.sensitivity._tiers import (
    _DEFAULT_CHUNK,
    Rule,
    _check_scores,
    _rule_params,
    _tiers_kernel,
)


@dataclass(frozen=True)
class SMAAResult:
    """Acceptability indices of an SMAA-2 run.

    Attributes
    ----------
    rank_acceptability : pandas.DataFrame or None
        Customers x ranks 1..n, ``b_i^r``; rows and columns sum to 1. None above
        ``max_rank_items`` customers.
    first_rank_acceptability : pandas.Series
        ``b_i^1`` for every customer.
    central_weights : pandas.DataFrame
        Customers x criteria, mean weights that make the customer best (NaN if never best).
    confidence : pandas.Series
        Confidence factor ``p_i^c`` (1/0 with exact criteria values, NaN if never best).
    tier_acceptability : pandas.DataFrame
        Customers x tiers, share of draws in each tier (rows sum to 1).
    base_tier : pandas.Series
        Tier under the base weights (ordered Categorical).
    base_weights : pandas.Series
    weights : pandas.DataFrame
        The weight draws (draws x criteria).
    draws : int
    seed : int
    """

    rank_acceptability: pd.DataFrame | None
    first_rank_acceptability: pd.Series
    central_weights: pd.DataFrame
    confidence: pd.Series
    tier_acceptability: pd.DataFrame
    base_tier: pd.Series
    base_weights: pd.Series
    weights: pd.DataFrame
    draws: int
    seed: int

    def to_frame(self) -> pd.DataFrame:
        """Per customer: ``base_tier``, ``acceptability_base_tier``, ``first_rank_acceptability``,
        ``confidence`` and ``tier_<label>`` columns."""
        tiers = self.tier_acceptability
        codes = self.base_tier.cat.codes.to_numpy()
        own = tiers.to_numpy()[np.arange(len(tiers)), codes]
        out = pd.DataFrame(
            {
                "base_tier": self.base_tier,
                "acceptability_base_tier": own,
                "first_rank_acceptability": self.first_rank_acceptability,
                "confidence": self.confidence,
            },
            index=tiers.index,
        )
        return out.join(tiers.add_prefix("tier_"))


def _simplex_kernel(
    draws: int, m: int, low: np.ndarray, high: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Uniform draws from {w >= 0, sum w = 1, low <= w <= high} (rejection from Dirichlet(1))."""
    if np.all(low <= 0) and np.all(high >= 1):
        return rng.dirichlet(np.ones(m), size=draws)
    out, have, tries = np.empty((draws, m)), 0, 0
    while have < draws:
        block = rng.dirichlet(np.ones(m), size=max(4 * (draws - have), 1024))
        ok = block[np.all((block >= low) & (block <= high), axis=1)]
        take = min(len(ok), draws - have)
        out[have : have + take] = ok[:take]
        have += take
        tries += len(block)
        if tries > 1000 * draws and have < draws:
            raise ValueError(
                f"weight_bounds: only {have} of {tries} uniform weight vectors fell inside the "
                "bounds; widen them (the accepted region is too small to sample by rejection)."
            )
    return out


def _smaa_kernel(
    X: np.ndarray, W: np.ndarray, keep_ranks: bool, rule: str, param: np.ndarray, k: int, chunk: int
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray, np.ndarray]:
    """One pass over blocks of draws: rank counts (n, n) or None, first-rank counts (n,),
    summed weights of first ranks (n, m), tier counts (n, k)."""
    n, m = X.shape
    d = W.shape[0]
    ranks = np.zeros((n, n), dtype=np.int64) if keep_ranks else None
    first = np.zeros(n, dtype=np.int64)
    wsum = np.zeros((n, m))
    tiers = np.zeros((n, k), dtype=np.int64)
    XT = np.ascontiguousarray(X.T)
    step = max(1, chunk // max(n, 1))
    for lo in range(0, d, step):
        Wb = W[lo : lo + step]
        S = Wb @ XT
        best = np.argmax(S, axis=1)
        first += np.bincount(best, minlength=n)
        np.add.at(wsum, best, Wb)
        T = _tiers_kernel(S, rule, param)
        for j in range(k):
            tiers[:, j] += (T == j).sum(axis=0)
        if ranks is not None:
            order = np.argsort(-S, axis=1, kind="stable")  # order[k, r] = item at rank r
            flat = order * n + np.arange(n)[None, :]
            ranks += np.bincount(flat.ravel(), minlength=n * n).reshape(n, n)
    return ranks, first, wsum, tiers


def _bounds(
    weight_bounds: Mapping[str, tuple[float, float]] | pd.DataFrame | None,
    criteria: pd.Index,
) -> tuple[np.ndarray, np.ndarray]:
    m = len(criteria)
    if weight_bounds is None:
        return np.zeros(m), np.ones(m)
    frame = (
        weight_bounds
        if isinstance(weight_bounds, pd.DataFrame)
        else pd.DataFrame(dict(weight_bounds), index=["low", "high"]).T
    )
    unknown = set(map(str, frame.index)) - set(map(str, criteria))
    if unknown:
        raise ValueError(f"weight_bounds: {sorted(unknown)} are not criteria {list(criteria)}.")
    frame = frame.reindex(criteria)
    low = frame.iloc[:, 0].fillna(0.0).to_numpy(dtype=float)
    high = frame.iloc[:, 1].fillna(1.0).to_numpy(dtype=float)
    if np.any(low > high) or np.any(low < 0) or np.any(high > 1) or low.sum() > 1 or high.sum() < 1:
        raise ValueError(
            "weight_bounds: expected 0 <= low <= high <= 1 per criterion with sum(low) <= 1 <= "
            f"sum(high); got low={low.tolist()}, high={high.tolist()}."
        )
    return low, high


def smaa(
    frame: pd.DataFrame,
    *,
    weights: pd.Series | Mapping[str, float] | Sequence[float] | None = None,
    weight_bounds: Mapping[str, tuple[float, float]] | pd.DataFrame | None = None,
    spread: float = 0.2,
    draws: int = 10_000,
    rule: Rule = "pareto",
    cuts: Sequence[float] | None = None,
    shares: Sequence[float] | None = None,
    cutoffs: Sequence[float] | None = None,
    labels: Sequence[str] | None = None,
    max_rank_items: int = 1000,
    seed: int = 0,
    chunk_size: int = _DEFAULT_CHUNK,
) -> SMAAResult:
    """Stochastic multicriteria acceptability analysis (SMAA-2) of the weighted score.

    Parameters
    ----------
    frame : DataFrame
        Customers x criteria indicator scores (higher = better, e.g.
        ``ScoreResult.indicator_scores``); the score under weights ``w`` is ``frame @ w``.
    weights : Series, mapping or sequence, optional
        Base weights: the base tiers are computed with them, and without ``weight_bounds``
        the draws are ``w_i (1 + u_i)``, ``u_i ~ U(-spread, spread)``, renormalised to sum 1
        (the ``"uniform"`` scheme of :func:`draw_weights`). None: equal base weights and
        draws uniform on the whole simplex (no preference information, as in SMAA-2).
    weight_bounds : mapping criterion -> (low, high) or DataFrame (two columns), optional
        Draws uniform on the part of the simplex inside these bounds (rejection sampling
        from Dirichlet(1); a region too small to hit raises ValueError); missing criteria
        are unbounded. Takes precedence over ``spread``.
    spread : float
        Relative half-width around ``weights`` when no bounds are given.
    draws : int
        Number of weight vectors.
    rule, cuts, shares, cutoffs, labels
        Tier rule of :func:`weight_monte_carlo` (default Pareto 80/95 %).
    max_rank_items : int
        Keep the full n x n rank acceptability only up to this many customers.
    seed : int
        Seed of ``numpy.random.default_rng``; the same seed gives the same result.
    chunk_size : int
        Score cells per block.

    Returns
    -------
    SMAAResult

    Notes
    -----
    ``b_i^r = P(rank_i(w) = r)``, ``w_i^c = E[w | rank_i(w) = 1]``, estimated by the share and
    mean over the draws (Lahdelma & Salminen 2001, eqs. 3-6); the standard error of an
    acceptability ``b`` is ``sqrt(b (1 - b) / draws)``.

    References
    ----------
    Lahdelma, R., & Salminen, P. (2001). SMAA-2: Stochastic multicriteria acceptability
    analysis for group decision making. *Operations Research* 49(3), 444-454.
    Tervonen, T., & Figueira, J. R. (2008). A survey on stochastic multicriteria acceptability
    analysis methods. *Journal of Multi-Criteria Decision Analysis* 15, 1-14.

    Examples
    --------
    >>> X = pd.DataFrame({"a": [1.0, 0.0, 0.4], "b": [0.0, 1.0, 0.4]}, index=["A", "B", "C"])
    >>> res = smaa(X, draws=20_000, rule="bands", cuts=(0.45,), seed=1)
    >>> res.first_rank_acceptability.round(1).tolist()
    [0.5, 0.5, 0.0]
    """
    X = _check_scores(frame)
    criteria = frame.columns
    if int(draws) != draws or draws < 1:
        raise ValueError(f"draws={draws!r}: expected a positive integer.")
    if not 0 <= spread < 1:
        raise ValueError(f"spread={spread!r}: expected 0 <= spread < 1.")
    w0 = None if weights is None else weight_vector(weights, criteria)
    low, high = _bounds(weight_bounds, criteria)
    param, names = _rule_params(rule, cuts, shares, cutoffs, labels, X)
    rng = np.random.default_rng(seed)
    if w0 is not None and weight_bounds is None:
        W = w0 * (1.0 + rng.uniform(-spread, spread, size=(int(draws), len(criteria))))
        W /= W.sum(axis=1, keepdims=True)
    else:
        W = _simplex_kernel(int(draws), len(criteria), low, high, rng)
    base_w = np.full(len(criteria), 1.0 / len(criteria)) if w0 is None else w0
    n = X.shape[0]
    ranks, first, wsum, tier_counts = _smaa_kernel(
        X, W, n <= max_rank_items, rule, param, len(names), chunk_size
    )
    base = _tiers_kernel((base_w @ X.T)[None, :], rule, param)[0]
    with np.errstate(invalid="ignore", divide="ignore"):
        central = wsum / first[:, None]
    central[first == 0] = np.nan
    conf = np.full(n, np.nan)
    has = first > 0
    if has.any():
        S = central[has] @ X.T  # (k, n): each customer's score table at its central weights
        conf[has] = (np.argmax(S, axis=1) == np.flatnonzero(has)).astype(float)
    index = frame.index
    cat = pd.CategoricalDtype(names, ordered=True)
    return SMAAResult(
        rank_acceptability=None
        if ranks is None
        else pd.DataFrame(ranks / draws, index=index, columns=pd.RangeIndex(1, n + 1, name="rank")),
        first_rank_acceptability=pd.Series(first / draws, index=index, name="b1"),
        central_weights=pd.DataFrame(central, index=index, columns=criteria),
        confidence=pd.Series(conf, index=index, name="confidence"),
        tier_acceptability=pd.DataFrame(tier_counts / draws, index=index, columns=names),
        base_tier=pd.Series(
            pd.Categorical.from_codes(base.astype(np.int64), dtype=cat),
            index=index,
            name="base_tier",
        ),
        base_weights=pd.Series(base_w, index=criteria, name="weight"),
        weights=pd.DataFrame(W, columns=criteria, index=pd.RangeIndex(int(draws), name="draw")),
        draws=int(draws),
        seed=seed,
    )
