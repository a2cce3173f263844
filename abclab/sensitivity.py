"""Weight sensitivity: how many customers change tier when the weights or judgements move.

Three analyses share one vectorised kernel. Given indicator scores ``X`` (n customers x m
criteria, e.g. ``ScoreResult.indicator_scores``) and a stack of weight vectors ``W`` (d draws x m),
the scores of every customer under every draw are one matrix product, ``S = W @ X.T``
(d x n), computed in blocks of at most ``chunk_size`` cells so that memory stays bounded.
Each row of ``S`` is classified with the chosen tier rule and compared with the tiers under the
base weights.

Tier rules (tiers numbered 0 = best; ties at a boundary go to the **better** tier, and a score
within a relative 1e-9 of a boundary counts as on it):

``"bands"``
    Fixed score cut points, e.g. ``cuts=(90, 75, 60)`` as in source 003 §三(四) (90-100
    strategic, 75-89 key, 60-74 ordinary, < 60 potential): a score >= 90 is tier 0.
``"shares"``
    Count shares, e.g. ``shares=(0.2, 0.3, 0.5)``: per draw, the ceil(0.2 n) highest scores are
    tier 0, the next up to ceil(0.5 n) tier 1, and so on (boundary scores from a per-draw sort).
``"pareto"``
    Pareto on the score: per draw, customers sorted by score descending; a customer is in tier
    ``j`` if the cumulative score share of the customers *before* it is below ``cutoffs[j]``
    (so the customer that crosses 80 % is still "A"; the top customer is always "A").

These are the rules of :func:`abclab.classify.bands`, :func:`~abclab.classify.shares` and
:func:`~abclab.classify.pareto`, re-implemented over a whole draws x customers matrix.

Because rank rules need every customer of a draw at once, blocks are formed over draws
(each block holds at least one full draw: memory O(n x max(1, chunk_size / n))).

References
----------
Saltelli, A. et al. (2008). *Global Sensitivity Analysis: The Primer*. Wiley (one-at-a-time and
Monte Carlo designs).
Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill (1-9 scale, eigenvector).
Crawford, G., & Williams, C. (1985). A note on the analysis of subjective judgment matrices.
*Journal of Mathematical Psychology*, 29(4), 387-405 (row geometric mean).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from abclab.exceptions import InputDataError, JudgementError

__all__ = [
    "SAATY_SCALE",
    "SensitivityResult",
    "draw_weights",
    "judgement_monte_carlo",
    "one_at_a_time",
    "perturb_judgements",
    "weight_monte_carlo",
]

Rule = Literal["bands", "shares", "pareto"]
#: Saaty's 1-9 scale as 17 ordered positions 1/9, ..., 1/2, 1, 2, ..., 9 (Saaty 1980, Table 1).
SAATY_SCALE = np.concatenate([1.0 / np.arange(9, 1, -1), np.arange(1, 10, dtype=float)])
_DEFAULT_CHUNK = 8_000_000
#: Default relative weight moves of :func:`one_at_a_time`: -20 %, -15 %, ..., +20 %.
_DEFAULT_DELTAS = (-0.2, -0.15, -0.1, -0.05, 0.0, 0.05, 0.1, 0.15, 0.2)
#: Relative tolerance: a score within 1e-9 of a boundary counts as on it (floating-point sums
#: of the same weights in a different order must not flip a tier).
_TIE_TOL = 1e-9


# -- numpy kernels (no validation) ------------------------------------------------------------
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


def _stack_weights(A: np.ndarray, method: str) -> np.ndarray:
    """Priority vectors (d, n) of a stack of positive reciprocal matrices (d, n, n).

    ``"geometric_mean"``: w_i proportional to (prod_j a_ij)^(1/n) (Crawford & Williams 1985).
    ``"eigenvector"``: principal right eigenvector (Saaty 1980), via ``numpy.linalg.eig`` on the
    whole stack; the eigenvalue with the largest real part is the Perron root.
    """
    if method == "geometric_mean":
        w = np.exp(np.log(A).mean(axis=2))
    else:
        vals, vecs = np.linalg.eig(A)
        idx = np.argmax(vals.real, axis=1)
        w = np.abs(vecs[np.arange(A.shape[0]), :, idx].real)
    return w / w.sum(axis=1, keepdims=True)


# -- validation helpers ------------------------------------------------------------------------------
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


def _check_weights(weights: Any, columns: pd.Index) -> np.ndarray:
    if isinstance(weights, Mapping):
        weights = pd.Series(weights)
    if isinstance(weights, pd.Series):
        missing = [c for c in columns if c not in weights.index]
        extra = [c for c in weights.index if c not in columns]
        if missing or extra:
            raise InputDataError(
                f"weights: criteria do not match indicator_scores columns; missing {missing}, unknown {extra}."
            )
        w = weights.reindex(columns).to_numpy(dtype=float)
    else:
        w = np.asarray(weights, dtype=float).ravel()
        if w.shape != (len(columns),):
            raise InputDataError(
                f"weights: expected {len(columns)} values (one per criterion), got {w.size}."
            )
    if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise InputDataError(
            f"weights: expected finite non-negative numbers with a positive sum, got {w.tolist()}."
        )
    return w / w.sum()


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


# -- result ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SensitivityResult:
    """Outcome of a weight or judgement perturbation study.

    Attributes
    ----------
    per_customer : DataFrame
        Indexed like the input: ``base_tier``, ``modal_tier`` (ordered Categoricals),
        ``stability`` (share of draws in the modal tier), ``share_changed`` (share of draws in a
        tier other than ``base_tier``).
    tier_shares : DataFrame
        Customers x tiers: share of draws in each tier.
    expected_change : float
        Expected share of customers whose tier changes (mean of ``draw_change``).
    draw_change : DataFrame
        Per draw: ``share_changed``, ``share_upgraded``, ``share_downgraded``.
    weights : DataFrame
        Drawn weights (draws x criteria); ``base_weights`` holds the unperturbed ones.
    base_weights : Series
    rule : str
    labels : tuple of str
    attribution : DataFrame or None
        Judgement Monte Carlo only: one-at-a-time shift of each judgement (see
        :func:`judgement_monte_carlo`), most influential first.
    """

    per_customer: pd.DataFrame
    tier_shares: pd.DataFrame
    expected_change: float
    draw_change: pd.DataFrame
    weights: pd.DataFrame
    base_weights: pd.Series
    rule: str
    labels: tuple[str, ...]
    attribution: pd.DataFrame | None = None

    def to_frame(self) -> pd.DataFrame:
        """Per-customer table joined with the tier shares (columns ``share_<tier>``)."""
        return self.per_customer.join(self.tier_shares.add_prefix("share_"))


def _run(
    X: np.ndarray,
    index: pd.Index,
    criteria: pd.Index,
    w0: np.ndarray,
    W: np.ndarray,
    rule: str,
    param: np.ndarray,
    labels: list[str],
    chunk: int,
    attribution: pd.DataFrame | None = None,
) -> SensitivityResult:
    k = len(labels)
    base = _tiers_kernel((w0 @ X.T)[None, :], rule, param)[0]
    tal = _tally_kernel(X, W, base, rule, param, k, chunk)
    d, n = W.shape[0], X.shape[0]
    modal = np.argmax(tal.counts, axis=1)
    cat = pd.CategoricalDtype(labels, ordered=True)
    per_customer = pd.DataFrame(
        {
            "base_tier": pd.Categorical.from_codes(base.astype(np.int64), dtype=cat),
            "modal_tier": pd.Categorical.from_codes(modal, dtype=cat),
            "stability": tal.counts[np.arange(n), modal] / d,
            "share_changed": tal.changed / d,
        },
        index=index,
    )
    draw_change = pd.DataFrame(
        {
            "share_changed": tal.draw_changed / n,
            "share_upgraded": tal.draw_up / n,
            "share_downgraded": tal.draw_down / n,
        },
        index=pd.RangeIndex(d, name="draw"),
    )
    return SensitivityResult(
        per_customer=per_customer,
        tier_shares=pd.DataFrame(tal.counts / d, index=index, columns=labels),
        expected_change=float(draw_change["share_changed"].mean()),
        draw_change=draw_change,
        weights=pd.DataFrame(W, columns=criteria, index=pd.RangeIndex(d, name="draw")),
        base_weights=pd.Series(w0, index=criteria, name="weight"),
        rule=rule,
        labels=tuple(labels),
        attribution=attribution,
    )


# -- weight perturbation ------------------------------------------------------------------------------
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
    w = _check_weights(s, s.index)
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
    w0 = _check_weights(weights, indicator_scores.columns)
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
    w0 = _check_weights(weights, cols)
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


# -- judgement perturbation -----------------------------------------------------------------------------
def _scale_positions(matrix: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """Positions (0..16) on :data:`SAATY_SCALE` of the upper-triangle judgements (validated)."""
    n = matrix.shape[0]
    log_scale = np.log(SAATY_SCALE)
    iu = np.triu_indices(n, 1)
    pos = np.empty(len(iu[0]), dtype=np.int64)
    for p, (i, j) in enumerate(zip(*iu, strict=True)):
        a, b = matrix[i, j], matrix[j, i]
        if not (np.isfinite(a) and a > 0):
            raise JudgementError(
                f"matrix[{names[i]!r}, {names[j]!r}] = {a!r}: expected a positive number on Saaty's 1-9 scale."
            )
        if not np.isclose(a * b, 1.0, rtol=1e-2):
            raise JudgementError(
                f"matrix[{names[j]!r}, {names[i]!r}] should be 1/{a:g} = {1 / a:.4g} "
                f"because matrix[{names[i]!r}, {names[j]!r}] is {a:g}; found {b!r}."
            )
        dist = np.abs(log_scale - np.log(a))
        pos[p] = int(np.argmin(dist))
        if dist[pos[p]] > 0.05:
            raise JudgementError(
                f"matrix[{names[i]!r}, {names[j]!r}] = {a:g} is not on Saaty's scale "
                "1/9..1/2, 1, 2..9; judgement perturbation moves judgements along that scale."
            )
    if not np.allclose(np.diag(matrix), 1.0):
        raise JudgementError("matrix: diagonal entries must be 1.")
    return pos


def _matrices_from_positions(pos: np.ndarray, n: int) -> np.ndarray:
    """Stack (d, n, n) of reciprocal matrices from upper-triangle scale positions (d, p)."""
    d = pos.shape[0]
    A = np.ones((d, n, n))
    iu = np.triu_indices(n, 1)
    vals = SAATY_SCALE[pos]
    A[:, iu[0], iu[1]] = vals
    A[:, iu[1], iu[0]] = 1.0 / vals
    return A


def _check_matrix(matrix: Any, criteria: pd.Index) -> tuple[np.ndarray, list[str]]:
    if isinstance(matrix, pd.DataFrame):
        if list(matrix.index) != list(matrix.columns):
            raise JudgementError(
                "matrix: index and columns must list the same criteria in the same order."
            )
        if set(map(str, matrix.index)) != set(map(str, criteria)):
            raise InputDataError(
                f"matrix criteria {list(matrix.index)} do not match indicator_scores columns {list(criteria)}."
            )
        order = [list(map(str, matrix.index)).index(str(c)) for c in criteria]
        A = matrix.to_numpy(dtype=float)[np.ix_(order, order)]
    else:
        A = np.asarray(matrix, dtype=float)
    if A.ndim != 2 or A.shape != (len(criteria), len(criteria)):
        raise JudgementError(
            f"matrix: expected a {len(criteria)} x {len(criteria)} matrix (one row per criterion), got shape {A.shape}."
        )
    return A, [str(c) for c in criteria]


def perturb_judgements(
    matrix: pd.DataFrame | np.ndarray,
    *,
    draws: int = 1000,
    steps: int = 1,
    probability: float = 0.5,
    seed: int = 0,
) -> np.ndarray:
    """Random reciprocal matrices around ``matrix`` on Saaty's scale, shape (draws, n, n).

    Every upper-triangle judgement independently moves, with ``probability``, by an offset drawn
    uniformly from {-steps, ..., -1, 1, ..., steps} positions on :data:`SAATY_SCALE` (clipped at
    1/9 and 9); the lower triangle is set to the reciprocals.
    """
    A = np.asarray(matrix, dtype=float)
    names = (
        [str(i) for i in range(A.shape[0])]
        if not isinstance(matrix, pd.DataFrame)
        else list(map(str, matrix.index))
    )
    if A.ndim != 2 or A.shape[0] != A.shape[1] or A.shape[0] < 2:
        raise JudgementError(f"matrix: expected a square matrix of size >= 2, got shape {A.shape}.")
    _check_judgement_options(draws, steps, probability)
    pos = _scale_positions(A, names)
    return _matrices_from_positions(
        _perturb_positions(pos, draws, steps, probability, seed), A.shape[0]
    )


def _check_judgement_options(draws: int, steps: int, probability: float) -> None:
    if int(draws) != draws or draws < 1:
        raise ValueError(f"draws={draws!r}: expected a positive integer.")
    if int(steps) != steps or steps < 0:
        raise ValueError(f"steps={steps!r}: expected a non-negative integer (scale positions).")
    if not 0 <= probability <= 1:
        raise ValueError(f"probability={probability!r}: expected a number in [0, 1].")


def _perturb_positions(
    pos: np.ndarray, draws: int, steps: int, probability: float, seed: int
) -> np.ndarray:
    rng = np.random.default_rng(seed)
    shape = (int(draws), len(pos))
    move = rng.random(shape) < probability
    if steps == 0:
        return np.broadcast_to(pos, shape).copy()
    offset = rng.integers(1, steps + 1, size=shape) * rng.choice(np.array([-1, 1]), size=shape)
    return np.clip(pos + np.where(move, offset, 0), 0, len(SAATY_SCALE) - 1)


def judgement_monte_carlo(
    matrix: pd.DataFrame | np.ndarray,
    indicator_scores: pd.DataFrame,
    *,
    draws: int = 1000,
    steps: int = 1,
    probability: float = 0.5,
    weight_method: Literal["eigenvector", "geometric_mean"] = "eigenvector",
    rule: Rule = "bands",
    cuts: Sequence[float] | None = None,
    shares: Sequence[float] | None = None,
    cutoffs: Sequence[float] | None = None,
    labels: Sequence[str] | None = None,
    seed: int = 0,
    chunk_size: int = _DEFAULT_CHUNK,
) -> SensitivityResult:
    """Monte Carlo perturbation of AHP pairwise judgements; tier stability and attribution.

    Judgements are moved along Saaty's scale as in :func:`perturb_judgements`; the weights of
    each perturbed matrix are recomputed for the whole stack at once with ``weight_method``
    (principal eigenvector, Saaty 1980, or row geometric mean, Crawford & Williams 1985), and
    customers are reclassified. The base weights are computed from ``matrix`` by the same method.

    Attribution (``result.attribution``): every upper-triangle judgement is shifted alone by one
    scale position up and down (moves off the scale are skipped); columns ``row, col, judgement,
    direction, new_value, share_changed``, sorted by ``share_changed`` descending. The first row
    is the judgement that moves most customers.

    Parameters
    ----------
    matrix : DataFrame or ndarray
        Pairwise comparison matrix; a DataFrame's labels are matched to the criteria columns of
        ``indicator_scores``, an array is taken in column order.
    """
    X = _check_scores(indicator_scores)
    A, names = _check_matrix(matrix, indicator_scores.columns)
    if len(names) < 2:
        raise JudgementError("matrix: need at least 2 criteria to perturb judgements.")
    if weight_method not in ("eigenvector", "geometric_mean"):
        raise ValueError(
            f"weight_method={weight_method!r}: expected 'eigenvector' or 'geometric_mean'."
        )
    _check_judgement_options(draws, steps, probability)
    param, tier_names = _rule_params(rule, cuts, shares, cutoffs, labels, X)
    n = A.shape[0]
    pos = _scale_positions(A, names)
    w0 = _stack_weights(_matrices_from_positions(pos[None, :], n), weight_method)[0]
    P = _perturb_positions(pos, draws, steps, probability, seed)
    W = _stack_weights(_matrices_from_positions(P, n), weight_method)

    iu = np.triu_indices(n, 1)
    shifts, rows = [], []
    for p, (i, j) in enumerate(zip(*iu, strict=True)):
        for direction in (-1, 1):
            q = pos[p] + direction
            if 0 <= q < len(SAATY_SCALE):
                new = pos.copy()
                new[p] = q
                shifts.append(new)
                rows.append(
                    {
                        "row": names[i],
                        "col": names[j],
                        "judgement": float(SAATY_SCALE[pos[p]]),
                        "direction": direction,
                        "new_value": float(SAATY_SCALE[q]),
                    }
                )
    Wa = _stack_weights(_matrices_from_positions(np.array(shifts), n), weight_method)
    att = _run(
        X,
        indicator_scores.index,
        indicator_scores.columns,
        w0,
        Wa,
        rule,
        param,
        tier_names,
        chunk_size,
    )
    attribution = pd.DataFrame(rows)
    attribution["share_changed"] = att.draw_change["share_changed"].to_numpy()
    attribution = attribution.sort_values(
        "share_changed", ascending=False, kind="stable"
    ).reset_index(drop=True)
    return _run(
        X,
        indicator_scores.index,
        indicator_scores.columns,
        w0,
        W,
        rule,
        param,
        tier_names,
        chunk_size,
        attribution,
    )
