"""Judgement perturbation: AHP pairwise judgements moved along Saaty's 1-9 scale.

:func:`perturb_judgements` draws reciprocal matrices around a judgement matrix;
:func:`judgement_monte_carlo` recomputes the weights of the whole stack at once
(eigenvector or row geometric mean), reclassifies the customers and attributes the tier
changes to single judgements.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from abclab.exceptions import InputDataError, JudgementError
from abclab.sensitivity._result import SensitivityResult, _run
from abclab.sensitivity._tiers import _DEFAULT_CHUNK, Rule, _check_scores, _rule_params

#: Saaty's 1-9 scale as 17 ordered positions 1/9, ..., 1/2, 1, 2, ..., 9 (Saaty 1980, Table 1).
SAATY_SCALE = np.concatenate([1.0 / np.arange(9, 1, -1), np.arange(1, 10, dtype=float)])


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
