"""Robustness to the customer sample: bootstrap intervals for tier shares, rank reversal.

:func:`bootstrap_tiers` resamples customers with replacement and re-applies a tier rule to
each resample (so rank rules recompute their boundaries), giving percentile intervals for the
tier shares, counts and value shares. :func:`rank_reversal` removes (or adds) customers,
re-scores with any score function (weighted sum, TOPSIS, ...) and counts the pairs of the
remaining customers whose order flips, and their tier changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from abclab.exceptions import InputDataError
from abclab.sensitivity._tiers import _DEFAULT_CHUNK, Rule, _rule_params, _tiers_kernel


def _as_scores(scores: pd.Series, who: str) -> np.ndarray:
    if not isinstance(scores, pd.Series) or not pd.api.types.is_numeric_dtype(scores):
        raise InputDataError(f"{who}: expected a numeric Series (one score per customer).")
    x = scores.to_numpy(dtype=float)
    if len(x) < 2 or not np.isfinite(x).all():
        raise InputDataError(f"{who}: expected at least 2 finite scores, no missing values.")
    return x


def bootstrap_tiers(
    scores: pd.Series,
    *,
    values: pd.Series | None = None,
    rule: Rule = "pareto",
    cuts: Sequence[float] | None = None,
    shares: Sequence[float] | None = None,
    cutoffs: Sequence[float] | None = None,
    labels: Sequence[str] | None = None,
    draws: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
    chunk_size: int = _DEFAULT_CHUNK,
) -> pd.DataFrame:
    """Bootstrap percentile intervals of tier shares, counts and value shares.

    Parameters
    ----------
    scores : Series
        The score the tiers are cut on (e.g. the weighted score or annual spend).
    values : Series, optional
        Value whose share per tier is reported (e.g. revenue); default ``scores``
        (non-negative).
    rule, cuts, shares, cutoffs, labels
        Tier rule (see :func:`weight_monte_carlo`); default Pareto 80/95 %.
    draws : int
        Bootstrap resamples of the n customers (with replacement).
    confidence : float
        Two-sided level of the percentile interval.
    seed, chunk_size
        Seed of ``numpy.random.default_rng``; cells per block.

    Returns
    -------
    DataFrame
        One row per tier: ``tier``, ``count``, ``share``, ``value_share`` (the full sample) and
        ``<x>_ci_low``, ``<x>_ci_high`` for each, plus ``confidence``.

    Notes
    -----
    Percentile bootstrap (Efron & Tibshirani 1993, ch. 13): the interval is the
    ``(1 - c)/2`` and ``(1 + c)/2`` quantiles of the statistic over the resamples. With a rank
    rule (shares, pareto) the count shares vary only through ties and rounding; the value
    shares carry the sampling uncertainty.

    References
    ----------
    Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman & Hall.
    """
    x = _as_scores(scores, "scores")
    v = x if values is None else _as_scores(values.reindex(scores.index), "values")
    if np.any(v < 0):
        raise InputDataError("values: expected non-negative values for value shares.")
    if int(draws) != draws or draws < 1:
        raise ValueError(f"draws={draws!r}: expected a positive integer.")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence={confidence!r}: expected a number in (0, 1).")
    param, names = _rule_params(rule, cuts, shares, cutoffs, labels, x[:, None])
    k, n = len(names), len(x)
    rng = np.random.default_rng(seed)
    counts = np.zeros((int(draws), k))
    vshare = np.zeros((int(draws), k))
    step = max(1, chunk_size // n)
    for lo in range(0, int(draws), step):
        idx = rng.integers(0, n, size=(min(step, int(draws) - lo), n))
        T = _tiers_kernel(x[idx], rule, param)
        vals = v[idx]
        total = vals.sum(axis=1)
        for j in range(k):
            hit = T == j
            counts[lo : lo + len(idx), j] = hit.sum(axis=1)
            vshare[lo : lo + len(idx), j] = np.where(total > 0, (vals * hit).sum(axis=1), 0.0) / (
                np.where(total > 0, total, 1.0)
            )
    T0 = _tiers_kernel(x[None, :], rule, param)[0]
    c0 = np.array([(T0 == j).sum() for j in range(k)], dtype=float)
    v0 = np.array([v[T0 == j].sum() for j in range(k)]) / (v.sum() or 1.0)
    q = [(1 - confidence) / 2, (1 + confidence) / 2]
    out = pd.DataFrame({"tier": pd.Categorical(names, categories=names, ordered=True)})
    for col, point, boot in (
        ("count", c0, counts),
        ("share", c0 / n, counts / n),
        ("value_share", v0, vshare),
    ):
        lo_hi = np.quantile(boot, q, axis=0)
        out[col] = point
        out[f"{col}_ci_low"] = lo_hi[0]
        out[f"{col}_ci_high"] = lo_hi[1]
    out["confidence"] = confidence
    return out


@dataclass(frozen=True)
class RankReversalResult:
    """Pairwise order flips after removing or adding customers.

    Attributes
    ----------
    changes : DataFrame
        One row per perturbation: ``change`` (e.g. ``"remove 17"``), ``pairs`` (pairs of the
        customers present in both runs), ``flipped_pairs`` (strict order reversals),
        ``share_flipped``, ``tier_changes`` (customers whose tier changed; NaN without a rule),
        ``top_changed`` (whether the best remaining customer changed).
    base_scores : Series
    """

    changes: pd.DataFrame
    base_scores: pd.Series

    def to_frame(self) -> pd.DataFrame:
        """The ``changes`` table."""
        return self.changes.copy()


def _flips_kernel(a: np.ndarray, b: np.ndarray, block: int = 2048) -> int:
    """Pairs (i < j) with sign(a_i - a_j) * sign(b_i - b_j) < 0, in blocks of rows."""
    n, total = len(a), 0
    for lo in range(0, n, block):
        da = np.sign(a[lo : lo + block, None] - a[None, :])
        db = np.sign(b[lo : lo + block, None] - b[None, :])
        total += int(np.count_nonzero(da * db < 0))
    return total // 2


def rank_reversal(
    frame: pd.DataFrame,
    score: Callable[[pd.DataFrame], pd.Series],
    *,
    remove: str | Sequence = "best",
    add: pd.DataFrame | None = None,
    rule: Rule | None = None,
    cuts: Sequence[float] | None = None,
    shares: Sequence[float] | None = None,
    cutoffs: Sequence[float] | None = None,
) -> RankReversalResult:
    """Rank-reversal check: remove or add customers, re-score, count flipped pairs.

    Parameters
    ----------
    frame : DataFrame
        Customers x criteria (the input of ``score``).
    score : callable
        ``score(frame) -> Series`` of scores indexed like ``frame`` (higher = better), e.g.
        ``lambda f: abclab.mcabc.topsis(f, weights)`` or ``lambda f: f @ w`` (weighted sum
        of fixed indicator scores: never flips). Methods that normalise over the customers
        (TOPSIS, min-max scores) can reorder the others when one leaves.
    remove : "best", "worst", "each" or sequence of labels
        Customers removed one at a time (``"each"``: every customer, n re-runs).
    add : DataFrame, optional
        Rows added (all at once) as one further perturbation, e.g. a copy of a non-optimal
        customer.
    rule, cuts, shares, cutoffs
        Optional tier rule; then ``tier_changes`` counts customers changing tier.

    Returns
    -------
    RankReversalResult

    References
    ----------
    Belton, V., & Gear, T. (1983). On a short-coming of Saaty's method of analytic
    hierarchies. *Omega* 11(3), 228-230. García-Cascales, M. S., & Lamata, M. T. (2012). On
    rank reversal and TOPSIS method. *Mathematical and Computer Modelling* 56, 123-132.
    """
    if not isinstance(frame, pd.DataFrame) or len(frame) < 3:
        raise InputDataError("frame: expected a DataFrame with at least 3 customers.")
    base = score(frame)
    x0 = _as_scores(base, "score(frame)")
    if isinstance(remove, str):
        order = frame.index[np.argsort(-x0, kind="stable")]
        targets = {"best": [order[0]], "worst": [order[-1]], "each": list(frame.index)}
        if remove not in targets:
            raise ValueError(f"remove={remove!r}: expected 'best', 'worst', 'each' or labels.")
        removals = targets[remove]
    else:
        removals = list(remove)
        missing = [r for r in removals if r not in frame.index]
        if missing:
            raise InputDataError(f"remove: {missing} are not customers of frame.")
    param = None
    if rule is not None:
        param, _ = _rule_params(rule, cuts, shares, cutoffs, None, x0[:, None])
    runs = [(f"remove {r}", frame.drop(index=r)) for r in removals]
    if add is not None:
        runs.append((f"add {len(add)}", pd.concat([frame, add])))
    rows = []
    for name, f in runs:
        s = score(f)
        common = frame.index.intersection(f.index)
        a, b = base.reindex(common).to_numpy(float), s.reindex(common).to_numpy(float)
        m = len(common)
        tier_changes = np.nan
        if param is not None:
            t0 = _tiers_kernel(x0[None, :], rule, param)[0]
            t0 = pd.Series(t0, index=frame.index).reindex(common).to_numpy()
            t1 = _tiers_kernel(s.to_numpy(float)[None, :], rule, param)[0]
            t1 = pd.Series(t1, index=f.index).reindex(common).to_numpy()
            tier_changes = int(np.count_nonzero(t0 != t1))
        flips = _flips_kernel(a, b)
        rows.append(
            {
                "change": name,
                "pairs": m * (m - 1) // 2,
                "flipped_pairs": flips,
                "share_flipped": flips / max(m * (m - 1) // 2, 1),
                "tier_changes": tier_changes,
                "top_changed": bool(common[np.argmax(a)] != common[np.argmax(b)]),
            }
        )
    return RankReversalResult(changes=pd.DataFrame(rows), base_scores=base)
