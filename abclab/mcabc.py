"""Multi-criteria ABC models from the inventory-classification literature.

Every function takes a DataFrame with one row per item (customer) and the criteria as
columns, and returns a Series of scores aligned to the rows, **higher = more important**, named
after the method. Classify the scores with :func:`abclab.classify.shares` (the literature uses
the Flores et al. 1992 split 10 A / 14 B / 23 C of 47 items, i.e. shares 20/30/50 %) or
:func:`abclab.classify.pareto`.

Conventions
-----------
* All criteria are *benefit* criteria unless named in ``cost=[...]``.
* Ramanathan, Ng and Zhou & Fan min–max normalise every criterion to [0, 1] first, as in the
  papers: benefit ``(x - min) / (max - min)``, cost ``(max - x) / (max - min)``. A constant
  criterion is an error (it cannot be normalised and carries no information).
* TOPSIS and EDAS use their own normalisations on the raw data (see each function).
* Ties in scores are left as ties; the classifiers keep equal scores in one class.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.optimize import linprog
from scipy.spatial import HalfspaceIntersection, QhullError

from abclab.exceptions import DataQualityWarning, InputDataError

__all__ = ["edas", "minmax_matrix", "ng", "ramanathan", "topsis", "zhou_fan"]


# --------------------------------------------------------------------------- validation


def _matrix(frame: Any, cost: Sequence[Any] | None) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """Return ``(X, is_cost, frame)`` with X an (items × criteria) float array."""
    if not isinstance(frame, pd.DataFrame):
        raise InputDataError(f"frame: expected a DataFrame, got {type(frame).__name__}")
    if frame.shape[0] < 2 or frame.shape[1] < 1:
        raise InputDataError(
            f"frame: need at least 2 items and 1 criterion, got shape {frame.shape}"
        )
    cost = list(cost or [])
    unknown = [c for c in cost if c not in frame.columns]
    if unknown:
        raise InputDataError(f"cost: {unknown} are not columns of the frame {list(frame.columns)}")
    x = np.empty(frame.shape, dtype=float)
    for j, column in enumerate(frame.columns):
        try:
            x[:, j] = frame[column].to_numpy(dtype=float, na_value=np.nan)
        except (TypeError, ValueError) as err:
            raise InputDataError(
                f"column {column!r}: expected numbers, found dtype {frame[column].dtype}"
            ) from err
        bad = ~np.isfinite(x[:, j])
        if bad.any():
            raise InputDataError(
                f"column {column!r}: missing or infinite values at rows "
                f"{list(frame.index[bad][:5])}"
            )
    is_cost = np.array([c in cost for c in frame.columns])
    return x, is_cost, frame


def minmax_matrix(x: np.ndarray, is_cost: np.ndarray, columns: Sequence[Any] = ()) -> np.ndarray:
    """Min–max normalise each column to [0, 1] (cost columns reversed); constant → error."""
    lo, hi = x.min(axis=0), x.max(axis=0)
    span = hi - lo
    if (span == 0).any():
        j = int(np.argmax(span == 0))
        name = columns[j] if len(columns) else j
        raise InputDataError(f"column {name!r} is constant; min–max normalisation is undefined")
    v = (x - lo) / span
    v[:, is_cost] = 1.0 - v[:, is_cost]
    return v


def _weights(weights: Any, columns: pd.Index) -> np.ndarray:
    if isinstance(weights, Mapping):
        weights = pd.Series(dict(weights), dtype=float)
    if isinstance(weights, pd.Series):
        missing = [c for c in columns if c not in weights.index]
        extra = [c for c in weights.index if c not in columns]
        if missing or extra:
            raise InputDataError(
                f"weights: must name exactly the criteria; missing {missing}, unknown {extra}"
            )
        w = weights.reindex(columns).to_numpy(dtype=float)
    else:
        w = np.asarray(weights, dtype=float)
        if w.shape != (len(columns),):
            raise InputDataError(f"weights: expected {len(columns)} numbers, got shape {w.shape}")
    if not np.all(np.isfinite(w)) or (w < 0).any() or w.sum() <= 0:
        raise InputDataError(f"weights: expected non-negative numbers with a positive sum, got {w}")
    return w / w.sum()


def _order(order: Sequence[Any] | None, columns: pd.Index) -> np.ndarray:
    """Column positions in decreasing importance."""
    if order is None:
        raise InputDataError(
            f"order: give the criteria from most to least important, e.g. {list(columns)}"
        )
    order = list(order)
    if sorted(map(str, order)) != sorted(map(str, columns)) or len(set(order)) != len(order):
        raise InputDataError(
            f"order: must list every criterion once; got {order}, criteria {list(columns)}"
        )
    return np.array([columns.get_loc(c) for c in order])


def _series(values: np.ndarray, frame: pd.DataFrame, name: str) -> pd.Series:
    return pd.Series(values, index=frame.index, name=name)


# --------------------------------------------------------------------------- LP kernels


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


# --------------------------------------------------------------------------- public models


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
    span = a.max() - a.min()
    if span <= 0:  # no information to rank on: every item gets the top of the range
        warnings.warn(
            f"zhou_fan: the {what} index is equal for every item; it does not rank them",
            DataQualityWarning,
            stacklevel=3,
        )
        return np.ones_like(a)
    return (a - a.min()) / span


def topsis_kernel(x: np.ndarray, w: np.ndarray, is_cost: np.ndarray, normalisation: str):
    """Kernel of :func:`topsis` (no validation)."""
    if normalisation == "vector":
        r = x / np.sqrt((x**2).sum(axis=0))
    else:
        r = (x - x.min(axis=0)) / (x.max(axis=0) - x.min(axis=0))
    r[:, is_cost] = 1.0 - r[:, is_cost]
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
        ``"minmax"``: :math:`(x - \\min)/(\\max - \\min)` (pymcdm's default). Cost columns are
        turned into ``1 - r``, which leaves the vector-normalised distances unchanged.

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
    w = _weights(weights, frame.columns)
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
    w = _weights(weights, frame.columns)
    if ((w * np.abs(x - av)).sum(axis=0) == 0).all():
        raise InputDataError("edas: every criterion with a positive weight is constant")
    return _series(edas_kernel(x, w, is_cost), frame, "edas")
