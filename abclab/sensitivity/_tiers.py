"""Tier rules over a whole draws x customers score matrix, and the shared input checks.

The numpy kernels (no validation) classify every row of ``S = W @ X.T`` with the
``"bands"``, ``"shares"`` or ``"pareto"`` rule (see :mod:`abclab.sensitivity`) and tally the
tier changes against the base tiers in blocks of at most ``chunk_size`` cells. The checks
below them validate the indicator scores, the weights and the rule parameters for every
public function of the package.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from abclab.exceptions import InputDataError

Rule = Literal["bands", "shares", "pareto"]


_DEFAULT_CHUNK = 8_000_000


#: Relative tolerance: a score within 1e-9 of a boundary counts as on it (floating-point sums
#: of the same weights in a different order must not flip a tier).
_TIE_TOL = 1e-9


def _thresholds(S: np.ndarray, rule: str, param: np.ndarray) -> np.ndarray:
    """Boundary scores (d, K-1): a score >= t[:, j] is in tier j or better."""
    d, n = S.shape
    if rule == "bands":
        return np.broadcast_to(param, (d, len(param)))
    if rule == "shares":
        counts = np.ceil(np.round(np.cumsum(param)[:-1] * n, 9)).astype(np.int64)
        asc = np.sort(S, axis=1)  # SIMD sort: faster than np.partition with several kth
        t = np.full((d, len(counts)), np.inf)
        for j, c in enumerate(counts):
            if c > 0:
                t[:, j] = asc[:, n - c]
        return t
    desc = np.sort(S, axis=1)[:, ::-1]
    before = np.cumsum(desc, axis=1) - desc
    total = desc.sum(axis=1, keepdims=True)
    t = np.empty((d, len(param)))
    for j, c in enumerate(param):
        m = (before < c * total).sum(axis=1)
        t[:, j] = desc[np.arange(d), np.maximum(m, 1) - 1]
    return t


def _tiers_kernel(S: np.ndarray, rule: str, param: np.ndarray) -> np.ndarray:
    """Tier codes (d, n) int8 of the score matrix ``S`` (d, n) under a tier rule."""
    t = _thresholds(S, rule, param)
    t = t - _TIE_TOL * np.maximum(np.abs(t), 1.0)
    out = np.zeros(S.shape, dtype=np.int8)
    for j in range(t.shape[1]):
        out += S < t[:, j : j + 1]
    return out


@dataclass(frozen=True)
class _Tally:
    counts: np.ndarray  # (n, K) draws in each tier
    changed: np.ndarray  # (n,) draws differing from base
    draw_changed: np.ndarray  # (d,) customers changed per draw
    draw_up: np.ndarray  # (d,) customers moved to a better tier
    draw_down: np.ndarray  # (d,) customers moved to a worse tier


def _tally_kernel(
    X: np.ndarray, W: np.ndarray, base: np.ndarray, rule: str, param: np.ndarray, k: int, chunk: int
) -> _Tally:
    """Classify every draw of ``W`` (d, m) on ``X`` (n, m) and tally changes against ``base``."""
    n, d = X.shape[0], W.shape[0]
    counts = np.zeros((n, k), dtype=np.int64)
    changed = np.zeros(n, dtype=np.int64)
    draw_changed, draw_up, draw_down = (np.zeros(d, dtype=np.int64) for _ in range(3))
    step = max(1, chunk // max(n, 1))
    XT = np.ascontiguousarray(X.T)
    for lo in range(0, d, step):
        hi = min(d, lo + step)
        T = _tiers_kernel(W[lo:hi] @ XT, rule, param)
        for j in range(k):
            counts[:, j] += (T == j).sum(axis=0)
        up, down = T < base, T > base
        diff = up | down
        changed += diff.sum(axis=0)
        draw_changed[lo:hi] = diff.sum(axis=1)
        draw_up[lo:hi] = up.sum(axis=1)
        draw_down[lo:hi] = down.sum(axis=1)
    return _Tally(counts, changed, draw_changed, draw_up, draw_down)


def _check_scores(indicator_scores: pd.DataFrame) -> np.ndarray:
    if not isinstance(indicator_scores, pd.DataFrame):
        raise InputDataError(
            f"indicator_scores: expected a DataFrame (customers x criteria), got {type(indicator_scores).__name__}."
        )
    if indicator_scores.shape[0] < 1 or indicator_scores.shape[1] < 1:
        raise InputDataError(
            "indicator_scores: empty; need at least one customer and one criterion."
        )
    for col in indicator_scores.columns:
        s = indicator_scores[col]
        if not pd.api.types.is_numeric_dtype(s):
            raise InputDataError(
                f"indicator_scores column {col!r}: expected numbers, found dtype {s.dtype}."
            )
        if s.isna().any():
            row = s.index[s.isna().to_numpy()][0]
            raise InputDataError(f"indicator_scores column {col!r}: missing value at row {row!r}.")
    return indicator_scores.to_numpy(dtype=float)


def _rule_params(
    rule: str,
    cuts: Sequence[float] | None,
    shares: Sequence[float] | None,
    cutoffs: Sequence[float] | None,
    labels: Sequence[str] | None,
    X: np.ndarray,
) -> tuple[np.ndarray, list[str]]:
    if rule == "bands":
        p = np.asarray((90.0, 75.0, 60.0) if cuts is None else cuts, dtype=float)
        if p.ndim != 1 or len(p) < 1 or np.any(np.diff(p) >= 0):
            raise ValueError(
                f"cuts={cuts!r}: expected strictly decreasing cut points, e.g. (90, 75, 60)."
            )
        k = len(p) + 1
    elif rule == "shares":
        p = np.asarray((0.2, 0.3, 0.5) if shares is None else shares, dtype=float)
        if p.ndim != 1 or len(p) < 2 or np.any(p <= 0) or abs(p.sum() - 1) > 1e-6:
            raise ValueError(
                f"shares={shares!r}: expected at least 2 positive shares summing to 1."
            )
        k = len(p)
    elif rule == "pareto":
        p = np.asarray((0.8, 0.95) if cutoffs is None else cutoffs, dtype=float)
        if p.ndim != 1 or len(p) < 1 or np.any(np.diff(p) <= 0) or p[0] <= 0 or p[-1] >= 1:
            raise ValueError(
                f"cutoffs={cutoffs!r}: expected increasing cumulative shares in (0, 1)."
            )
        if np.any(X < 0):
            raise InputDataError(
                "indicator_scores: 'pareto' needs non-negative scores; found a negative value."
            )
        k = len(p) + 1
    else:
        raise ValueError(f"rule={rule!r}: expected 'bands', 'shares' or 'pareto'.")
    names = [chr(ord("A") + i) for i in range(k)] if labels is None else [str(x) for x in labels]
    if len(names) != k or len(set(names)) != k:
        raise ValueError(
            f"labels={labels!r}: rule {rule!r} with these parameters makes {k} tiers; give {k} distinct labels."
        )
    return p, names
