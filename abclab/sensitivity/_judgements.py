"""Judgement perturbation: AHP pairwise judgements moved along Saaty's 1-9 scale.

:func:`perturb_judgements` draws reciprocal matrices around a judgement matrix;
:func:`judgement_monte_carlo` recomputes the weights of the whole stack at once
(eigenvector or row geometric mean), reclassifies the customers and attributes the tier
changes to single judgements.

Judgements off the scale (an aggregated matrix of a group, e.g. sqrt(3 x 4) = 3.4641) have a
*fractional* position: ``off_scale="interpolate"`` (default) places ``a`` between its two
neighbours on the scale linearly in ``log a`` (3.4641 sits at 0.5 between 3 and 4, since
ln 3.4641 = (ln 3 + ln 4)/2) and moves it by whole positions, mapping back the same way (one
step up gives sqrt(4 x 5) = 4.4721). On-scale judgements have integer positions, so nothing
changes for them. ``"nearest"`` snaps each judgement to the nearest scale value before moving
(the base weights stay those of the given matrix); ``"raise"`` rejects off-scale judgements.
Values outside 1/9..9 are rejected in every mode.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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


_LOG_SCALE = np.log(SAATY_SCALE)
_POSITIONS = np.arange(len(SAATY_SCALE), dtype=float)
OffScale = Literal["interpolate", "nearest", "raise"]


def _scale_positions(
    matrix: np.ndarray, names: Sequence[str], off_scale: str = "raise"
) -> np.ndarray:
    """Positions (0..16, fractional off the scale) of the upper-triangle judgements (validated)."""
    if off_scale not in ("interpolate", "nearest", "raise"):
        raise ValueError(f"off_scale={off_scale!r}: expected 'interpolate', 'nearest' or 'raise'.")
    n = matrix.shape[0]
    iu = np.triu_indices(n, 1)
    pos = np.empty(len(iu[0]), dtype=float)
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
        la = np.log(a)
        dist = np.abs(_LOG_SCALE - la)
        nearest = int(np.argmin(dist))
        if dist[nearest] <= 0.05:
            pos[p] = nearest
        elif la < _LOG_SCALE[0] or la > _LOG_SCALE[-1]:
            raise JudgementError(
                f"matrix[{names[i]!r}, {names[j]!r}] = {a:g} is outside Saaty's scale 1/9..9."
            )
        elif off_scale == "raise":
            raise JudgementError(
                f"matrix[{names[i]!r}, {names[j]!r}] = {a:g} is not on Saaty's scale "
                "1/9..1/2, 1, 2..9; pass off_scale='interpolate' (fractional positions, e.g. "
                "for an aggregated group matrix) or 'nearest'."
            )
        elif off_scale == "nearest":
            pos[p] = nearest
        else:
            pos[p] = float(np.interp(la, _LOG_SCALE, _POSITIONS))
    if not np.allclose(np.diag(matrix), 1.0):
        raise JudgementError("matrix: diagonal entries must be 1.")
    return pos


def _scale_values(pos: np.ndarray) -> np.ndarray:
    """Judgements at scale positions: exact scale values at integers, log-linear in between."""
    whole = np.round(pos)
    exact = np.abs(pos - whole) < 1e-12
    inter = np.exp(np.interp(pos, _POSITIONS, _LOG_SCALE))
    return np.where(exact, SAATY_SCALE[whole.astype(np.int64)], inter)


def _matrices_from_positions(pos: np.ndarray, n: int) -> np.ndarray:
    """Stack (d, n, n) of reciprocal matrices from upper-triangle scale positions (d, p)."""
    d = pos.shape[0]
    A = np.ones((d, n, n))
    iu = np.triu_indices(n, 1)
    vals = _scale_values(pos)
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
    off_scale: OffScale = "interpolate",
    seed: int = 0,
) -> np.ndarray:
    """Random reciprocal matrices around ``matrix`` on Saaty's scale, shape (draws, n, n).

    Every upper-triangle judgement independently moves, with ``probability``, by an offset drawn
    uniformly from {-steps, ..., -1, 1, ..., steps} positions on :data:`SAATY_SCALE` (clipped at
    1/9 and 9); the lower triangle is set to the reciprocals. Off-scale judgements (e.g. an
    aggregated group matrix) are handled by ``off_scale`` (module docstring): fractional
    positions (default), the nearest scale value, or an error.
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
    pos = _move_positions(_scale_positions(A, names, off_scale), off_scale)
    return _matrices_from_positions(
        _perturb_positions(pos, draws, steps, probability, seed), A.shape[0]
    )


def _move_positions(pos: np.ndarray, off_scale: str) -> np.ndarray:
    """Positions the draws move from: snapped to whole positions for ``"nearest"``."""
    return np.round(pos) if off_scale == "nearest" else pos


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


def _expert_matrices(
    matrix: Any, criteria: pd.Index, expert_weights: Mapping[str, float] | None
) -> tuple[list[str] | None, list[np.ndarray], np.ndarray, list[str]]:
    """(expert names or None, matrices in criteria order, expert weights, criterion names)."""
    if not isinstance(matrix, Mapping):
        A, names = _check_matrix(matrix, criteria)
        return None, [A], np.ones(1), names
    if len(matrix) < 1:
        raise JudgementError("matrix: the mapping of experts is empty.")
    experts = [str(e) for e in matrix]
    mats = []
    for e, m in matrix.items():
        try:
            A, names = _check_matrix(m, criteria)
        except (JudgementError, InputDataError) as err:
            raise type(err)(f"expert {e!r}: {err}") from err
        mats.append(A)
    if expert_weights is None:
        ew = np.ones(len(experts))
    else:
        ew = np.array([float(expert_weights.get(e, np.nan)) for e in matrix])
        if not (np.isfinite(ew).all() and (ew >= 0).all() and ew.sum() > 0):
            raise ValueError(
                f"expert_weights={dict(expert_weights)!r}: expected a non-negative weight for "
                f"every expert {experts}."
            )
    return experts, mats, ew / ew.sum(), names


def _aggregate(stacks: list[np.ndarray], ew: np.ndarray) -> np.ndarray:
    """Weighted geometric mean of the experts' matrices (AIJ; Forman & Peniwati 1998)."""
    return np.exp(sum(w * np.log(A) for w, A in zip(ew, stacks, strict=True)))


def judgement_monte_carlo(
    matrix: pd.DataFrame | np.ndarray | Mapping[str, pd.DataFrame | np.ndarray],
    indicator_scores: pd.DataFrame,
    *,
    draws: int = 1000,
    steps: int = 1,
    probability: float = 0.5,
    weight_method: Literal["eigenvector", "geometric_mean"] = "eigenvector",
    off_scale: OffScale = "interpolate",
    expert_weights: Mapping[str, float] | None = None,
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

    Group studies: pass ``{expert: matrix}``. Each expert's judgements are perturbed
    independently, then the draws are aggregated cell by cell with the weighted geometric mean
    (AIJ, ``expert_weights`` default equal) -- what :func:`abclab.ahp.group_weights` does with
    ``method="aij"``. An already aggregated matrix can be passed as one matrix: its off-scale
    cells are handled by ``off_scale`` (module docstring).

    Attribution (``result.attribution``): every upper-triangle judgement (of every expert) is
    shifted alone by one scale position up and down (moves off the scale are skipped); columns
    ``row, col, judgement, direction, new_value, share_changed`` (and ``expert`` first for a
    group), sorted by ``share_changed`` descending. The first row is the judgement that moves
    most customers.

    Parameters
    ----------
    matrix : DataFrame, ndarray or mapping expert -> matrix
        Pairwise comparison matrix; a DataFrame's labels are matched to the criteria columns of
        ``indicator_scores``, an array is taken in column order.
    off_scale : {"interpolate", "nearest", "raise"}
        Judgements not on Saaty's scale: fractional positions, snapped, or rejected.
    expert_weights : mapping expert -> weight, optional
        Weights of the experts in the aggregation (normalised).
    """
    X = _check_scores(indicator_scores)
    experts, mats, ew, names = _expert_matrices(matrix, indicator_scores.columns, expert_weights)
    if len(names) < 2:
        raise JudgementError("matrix: need at least 2 criteria to perturb judgements.")
    if weight_method not in ("eigenvector", "geometric_mean"):
        raise ValueError(
            f"weight_method={weight_method!r}: expected 'eigenvector' or 'geometric_mean'."
        )
    _check_judgement_options(draws, steps, probability)
    param, tier_names = _rule_params(rule, cuts, shares, cutoffs, labels, X)
    n = len(names)
    base_pos, move_pos = [], []
    for e, A in enumerate(mats):
        try:
            pos = _scale_positions(A, names, off_scale)
        except JudgementError as err:
            if experts is None:
                raise
            raise JudgementError(f"expert {experts[e]!r}: {err}") from err
        base_pos.append(pos)
        move_pos.append(_move_positions(pos, off_scale))
    base = [_matrices_from_positions(p[None, :], n) for p in base_pos]
    w0 = _stack_weights(_aggregate(base, ew), weight_method)[0]
    seeds = np.random.SeedSequence(seed).spawn(len(mats)) if experts is not None else [seed]
    drawn = [
        _matrices_from_positions(_perturb_positions(p, draws, steps, probability, sd), n)
        for p, sd in zip(move_pos, seeds, strict=True)
    ]
    W = _stack_weights(_aggregate(drawn, ew), weight_method)

    iu = np.triu_indices(n, 1)
    shifted, rows = [], []
    for e, pos in enumerate(base_pos):
        for p, (i, j) in enumerate(zip(*iu, strict=True)):
            for direction in (-1, 1):
                q = pos[p] + direction
                if 0 <= q <= len(SAATY_SCALE) - 1:
                    new = pos.copy()
                    new[p] = q
                    stack = list(base)
                    stack[e] = _matrices_from_positions(new[None, :], n)
                    shifted.append(_aggregate(stack, ew)[0])
                    row = {} if experts is None else {"expert": experts[e]}
                    row |= {
                        "row": names[i],
                        "col": names[j],
                        "judgement": float(_scale_values(pos[p : p + 1])[0]),
                        "direction": direction,
                        "new_value": float(_scale_values(np.array([q]))[0]),
                    }
                    rows.append(row)
    Wa = _stack_weights(np.array(shifted), weight_method)
    args = (X, indicator_scores.index, indicator_scores.columns, w0)
    att = _run(*args, Wa, rule, param, tier_names, chunk_size)
    attribution = pd.DataFrame(rows)
    attribution["share_changed"] = att.draw_change["share_changed"].to_numpy()
    attribution = attribution.sort_values(
        "share_changed", ascending=False, kind="stable"
    ).reset_index(drop=True)
    return _run(*args, W, rule, param, tier_names, chunk_size, attribution)
