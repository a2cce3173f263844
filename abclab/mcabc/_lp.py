"""Linear-optimisation ABC models: Ramanathan (2006), Ng (2007), Zhou & Fan (2007).

Every model min–max normalises the criteria first (:func:`abclab.mcabc.minmax_matrix`).
Ramanathan's per-item LPs are solved exactly by vertex enumeration of their common
polytope (:func:`ramanathan_kernel`, with the HiGHS reference :func:`ramanathan_lp_kernel`),
Ng's model has a closed form, and Zhou & Fan add a bad index (one LP per item).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import linprog
from scipy.spatial import HalfspaceIntersection, QhullError

from abclab._normalise import minmax_kernel
from abclab.exceptions import DataQualityWarning, InputDataError
from abclab.mcabc._common import _matrix, _order, _series, minmax_matrix


def _ordering_constraints(order: np.ndarray | None, n_crit: int) -> np.ndarray | None:
    """Rows ``-w_a + w_b <= 0`` for consecutive criteria a more important than b."""
    if order is None:
        return None
    rows = np.zeros((n_crit - 1, n_crit))
    for k in range(n_crit - 1):
        rows[k, order[k]] = -1.0
        rows[k, order[k + 1]] = 1.0
    return rows


def ramanathan_kernel(v: np.ndarray, order: np.ndarray | None = None) -> np.ndarray:
    r"""Kernel of :func:`ramanathan` (no validation): exact scores by vertex enumeration.

    Every item's LP ``max v_i·w s.t. V w <= 1, w >= 0`` (plus the ordering rows) has the
    same feasible polytope :math:`P`, and a linear objective attains its maximum over a
    polytope at a vertex, so :math:`S_i = \max_{w \in \mathrm{vert}(P)} v_i \cdot w`.
    The vertices are computed once (Qhull's halfspace intersection) from the constraints
    that can bind: an item dominated by another (``v_k <= v_l``) gives a redundant
    constraint, so only the Pareto-maximal items are kept, and, as ``v >= 0``, only the
    maximal vertices matter. Cost O(n·|vertices|) instead of n LPs with n rows each.
    Falls back to :func:`ramanathan_lp_kernel` (one HiGHS LP per item) when the polytope is
    not bounded (an all-zero criterion with ordering rows), when ``v`` has negative entries,
    or when Qhull fails on a degenerate input.
    """
    v = np.asarray(v, dtype=float)
    if v.shape[1] == 0 or (v < 0).any():
        return ramanathan_lp_kernel(v, order)
    if order is None:
        # a criterion that is zero for every item neither constrains nor scores: drop it
        v = v[:, v.max(axis=0) > 0]
        if v.shape[1] == 0:
            return np.zeros(v.shape[0])
        if v.shape[1] == 1:
            return v[:, 0] / v[:, 0].max()
    elif (v.max(axis=0) <= 0).any() or v.shape[1] < 2:
        return ramanathan_lp_kernel(v, order)
    try:
        vertices = _ramanathan_vertices(v, _ordering_constraints(order, v.shape[1]), order)
    except QhullError:
        return ramanathan_lp_kernel(v, order)
    return _max_dot(v, vertices)


def _ramanathan_vertices(
    v: np.ndarray, ordering: np.ndarray | None, order: np.ndarray | None
) -> np.ndarray:
    """Maximal vertices of ``P = {w >= 0, V w <= 1, ordering·w <= 0}`` (v >= 0, bounded)."""
    n = v.shape[1]
    front = _maximal_rows(v)
    rows = [np.c_[front, -np.ones(len(front))], np.c_[-np.eye(n), np.zeros(n)]]
    # strictly interior point: w0 > 0 (strictly decreasing along the order, if any) with
    # V w0 <= 1/2
    ranks = np.ones(n) if order is None else np.empty(n)
    if order is not None:
        ranks[order] = np.arange(n, 0, -1, dtype=float)
        rows.append(np.c_[ordering, np.zeros(n - 1)])
    w0 = 0.5 * ranks / float((front @ ranks).max())
    hull = HalfspaceIntersection(np.vstack(rows), w0)
    return _maximal_rows(hull.intersections)


def _maximal_rows(x: np.ndarray, block: int = 256, screen: int = 2048) -> np.ndarray:
    """Rows of ``x`` not dominated by another row (``x_k <= x_l``, ``x_k != x_l``), deduplicated.

    Rows are visited by decreasing sum (a dominating row never has a smaller sum). For a
    large table the maximal rows among the ``screen`` largest sums first screen every row,
    a few of them at a time so that a row leaves as soon as one dominates it (most rows are
    dominated by a strong row); the survivors are then checked block by block against the
    maximal rows found so far and against each other.
    """
    x = np.unique(x, axis=0)
    x = x[np.argsort(-x.sum(axis=1), kind="stable")]
    if len(x) > screen:
        strong = _maximal_rows(x[:screen], block, screen)
        for start in range(0, len(strong), 32):
            x = x[~_dominated(x, strong[start : start + 32])]
        x = np.vstack([strong, x])  # strong rows are maximal in x, hence kept above
        x = np.unique(x, axis=0)
        x = x[np.argsort(-x.sum(axis=1), kind="stable")]
    kept = np.empty((0, x.shape[1]))
    for start in range(0, len(x), block):
        b = x[start : start + block]
        if len(kept):
            b = b[~_dominated(b, kept)]
        kept = np.vstack([kept, b[~_dominated(b, b)]])
    return kept


def _dominated(points: np.ndarray, by: np.ndarray, cells: int = 1 << 20) -> np.ndarray:
    """Whether each row of ``points`` is dominated by some row of ``by`` (row blocks)."""
    out = np.zeros(len(points), dtype=bool)
    step = max(1, cells // max(1, len(by) * points.shape[1]))
    for start in range(0, len(points), step):
        p = points[start : start + step, None, :]
        ge = (by[None, :, :] >= p).all(axis=2)
        gt = (by[None, :, :] > p).any(axis=2)
        out[start : start + step] = (ge & gt).any(axis=1)
    return out


def _max_dot(v: np.ndarray, vertices: np.ndarray, cells: int = 1 << 16) -> np.ndarray:
    """``max_k v_i · vertices_k`` for every row, in row blocks of about ``cells`` products."""
    out = np.empty(len(v))
    step = max(1, cells // max(1, len(vertices)))
    for start in range(0, len(v), step):
        out[start : start + step] = (v[start : start + step] @ vertices.T).max(axis=1)
    return out


def ramanathan_lp_kernel(v: np.ndarray, order: np.ndarray | None = None) -> np.ndarray:
    """Reference kernel of :func:`ramanathan`: one HiGHS LP per item (O(n) LPs of n rows)."""
    m, n = v.shape
    ordering = _ordering_constraints(order, n)
    a_ub = v if ordering is None else np.vstack([v, ordering])
    b_ub = np.r_[np.ones(m), np.zeros(0 if ordering is None else n - 1)]
    out = np.empty(m)
    for i in range(m):
        res = linprog(-v[i], A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs")
        if res.status != 0:  # pragma: no cover - bounded and feasible by construction
            raise InputDataError(f"item {i}: the Ramanathan LP failed ({res.message})")
        out[i] = -res.fun
    return out


def bad_index_kernel(v: np.ndarray) -> np.ndarray:
    """Kernel of the Zhou & Fan (2007) bad index: ``min v_i·w s.t. V w >= 1, w >= 0``.

    One HiGHS LP per item (O(n) LPs of n rows: quadratic in the number of items). The
    polyhedron is unbounded, so the vertex enumeration of :func:`ramanathan_kernel` does not
    carry over directly.
    """
    m, _ = v.shape
    out = np.empty(m)
    for i in range(m):
        res = linprog(v[i], A_ub=-v, b_ub=-np.ones(m), bounds=(0, None), method="highs")
        if res.status != 0:
            raise InputDataError(
                f"Zhou & Fan bad index: LP for item {i} is {res.message.lower()}; an item with "
                "the worst value on every criterion makes the bad-index model infeasible"
            )
        out[i] = res.fun
    return out


def ng_kernel(v_ordered: np.ndarray) -> np.ndarray:
    """Kernel of :func:`ng`: ``max_j (1/j) Σ_{k<=j} v_ik`` with columns in importance order."""
    running_mean = np.cumsum(v_ordered, axis=1) / np.arange(1, v_ordered.shape[1] + 1)
    return running_mean.max(axis=1)


def ramanathan(
    frame: pd.DataFrame,
    *,
    cost: Sequence[Any] | None = None,
    order: Sequence[Any] | None = None,
) -> pd.Series:
    """Ramanathan (2006) weighted linear optimisation score (DEA-like, one LP per item).

    For every item ``i`` the model chooses the weights most favourable to it:

    .. math:: S_i = \\max_{w \\ge 0} \\sum_j w_{ij} v_{ij}
              \\quad \\text{s.t.} \\quad \\sum_j w_{ij} v_{kj} \\le 1 \\;\\; \\forall k,

    with :math:`v` the min–max normalised criteria (see the module docstring). Each item's
    score lies in [0, 1]; an item that is best on some weighting scores 1.

    Parameters
    ----------
    frame : DataFrame
        Items as rows, criteria as columns.
    cost : list, optional
        Criteria where smaller is better.
    order : list, optional
        Criteria from most to least important. Adds the ordering constraints
        :math:`w_{i1} \\ge w_{i2} \\ge \\dots \\ge w_{iJ}` (Ramanathan's suggestion for
        incorporating a ranking of the criteria). ``None`` (default) is the paper's base model.

    Returns
    -------
    pandas.Series
        Optimal scores, name ``"ramanathan"``.

    References
    ----------
    Ramanathan, R. (2006). ABC inventory classification with multiple-criteria using weighted
    linear optimization. Computers & Operations Research 33(3), 695–700.
    """
    x, is_cost, frame = _matrix(frame, cost)
    v = minmax_matrix(x, is_cost, frame.columns)
    ordered = None if order is None else _order(order, frame.columns)
    return _series(ramanathan_kernel(v, ordered), frame, "ramanathan")


def ng(
    frame: pd.DataFrame, order: Sequence[Any], *, cost: Sequence[Any] | None = None
) -> pd.Series:
    """Ng (2007) score: ranked-weights model in closed form.

    Ng's model ``max Σ_j w_ij v_ij`` s.t. ``Σ_j w_ij = 1``, ``w_i1 >= w_i2 >= ... >= w_iJ >= 0``
    (criteria ranked by importance, :math:`v` min–max normalised) is a linear programme whose
    optimum is attained at a vertex ``w = (1/j, …, 1/j, 0, …)``, so

    .. math:: S_i = \\max_{j = 1..J} \\frac{1}{j} \\sum_{k=1}^{j} v_{i(k)}

    where :math:`v_{i(k)}` is the item's value on the k-th most important criterion.

    Parameters
    ----------
    frame : DataFrame
        Items as rows, criteria as columns.
    order : list
        All criteria, from most to least important.
    cost : list, optional
        Criteria where smaller is better.

    Returns
    -------
    pandas.Series
        Scores in [0, 1], name ``"ng"``.

    References
    ----------
    Ng, W. L. (2007). A simple classifier for multiple criteria ABC analysis. European Journal
    of Operational Research 177(1), 344–353.
    """
    x, is_cost, frame = _matrix(frame, cost)
    v = minmax_matrix(x, is_cost, frame.columns)
    return _series(ng_kernel(v[:, _order(order, frame.columns)]), frame, "ng")


def zhou_fan(
    frame: pd.DataFrame, *, lam: float = 0.5, cost: Sequence[Any] | None = None
) -> pd.Series:
    """Zhou & Fan (2007) composite index of a good and a bad DEA-like index.

    Good index :math:`g_i` = Ramanathan's optimum (most favourable weights). Bad index:

    .. math:: b_i = \\min_{w \\ge 0} \\sum_j w_{ij} v_{ij}
              \\quad \\text{s.t.} \\quad \\sum_j w_{ij} v_{kj} \\ge 1 \\;\\; \\forall k.

    Composite: :math:`\\lambda (g_i - g^-)/(g^+ - g^-) + (1 - \\lambda)(b_i - b^-)/(b^+ - b^-)`
    with :math:`g^\\pm, b^\\pm` the max/min over items.

    Parameters
    ----------
    frame : DataFrame
        Items as rows, criteria as columns (min–max normalised internally).
    lam : float
        Weight λ in [0, 1] of the good index.
    cost : list, optional
        Criteria where smaller is better.

    Returns
    -------
    pandas.Series
        Composite index in [0, 1], name ``"zhou_fan"``; ``attrs["good"]`` and
        ``attrs["bad"]`` hold :math:`g` and :math:`b`.

    Raises
    ------
    InputDataError
        If an item is worst on every criterion (the bad-index LP is infeasible), or if the
        good or bad index is the same for every item.

    References
    ----------
    Zhou, P., & Fan, L. (2007). A note on multi-criteria ABC inventory classification using
    weighted linear optimization. European Journal of Operational Research 182(3), 1488–1491.
    """
    if not 0.0 <= float(lam) <= 1.0:
        raise InputDataError(f"lam: expected a number in [0, 1], got {lam!r}")
    x, is_cost, frame = _matrix(frame, cost)
    v = minmax_matrix(x, is_cost, frame.columns)
    worst = (v == 0).all(axis=1)
    if worst.all():
        raise InputDataError("zhou_fan: every item is worst on every criterion")
    if worst.any():
        warnings.warn(
            f"zhou_fan: item(s) {list(frame.index[worst][:10])} are worst on every criterion; "
            "their bad index is 0 (the lowest possible) and they are left out of the "
            "bad-index constraints, which they would make infeasible",
            DataQualityWarning,
            stacklevel=2,
        )
    good = ramanathan_kernel(v)
    bad = np.zeros(len(v))
    bad[~worst] = bad_index_kernel(v[~worst])
    composite = float(lam) * _rescale(good, "good") + (1.0 - float(lam)) * _rescale(bad, "bad")
    out = _series(composite, frame, "zhou_fan")
    out.attrs["good"] = _series(good, frame, "good_index")
    out.attrs["bad"] = _series(bad, frame, "bad_index")
    return out


def _rescale(a: np.ndarray, what: str) -> np.ndarray:
    """Min–max rescale an index to [0, 1]; an index equal for every item gives 1 (warned)."""
    if a.max() == a.min():  # no information to rank on: every item gets the top of the range
        warnings.warn(
            f"zhou_fan: the {what} index is equal for every item; it does not rank them",
            DataQualityWarning,
            stacklevel=3,
        )
    return minmax_kernel(a)
