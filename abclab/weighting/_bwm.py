"""Best-Worst Method (Rezaei 2015, 2016): criteria weights from 2n - 3 comparisons.

The decision-maker names the best criterion ``B`` and the worst ``W``, then gives the
best-to-others vector ``a_Bj`` (how much ``B`` is preferred to ``j``, 1-9) and the
others-to-worst vector ``a_jW``. Two models:

* ``"linear"`` (Rezaei 2016, eq. 9): min xi s.t. ``|w_B - a_Bj w_j| <= xi``,
  ``|w_j - a_jW w_W| <= xi``, ``sum w = 1``, ``w >= 0`` -- an LP with a unique weight vector,
  solved with SciPy's HiGHS.
* ``"nonlinear"`` (Rezaei 2015, eq. 8): min xi s.t. ``|w_B / w_j - a_Bj| <= xi``,
  ``|w_j / w_W - a_jW| <= xi``. For a fixed xi the constraints are linear in ``w``, so xi*
  is found by bisection on LP feasibility; the optimum may be a set of weight vectors
  (n >= 4 and inconsistent comparisons), reported as intervals ``[w_j^L, w_j^U]`` (min and
  max of ``w_j`` over the optimal set, Rezaei 2016 section 2) whose centres, renormalised,
  are the weights.

Consistency (Rezaei 2015, section 2.1): ``CR = xi* / CI(a_BW)`` with xi* of the nonlinear
model and ``CI`` the largest xi possible for the given ``a_BW`` (Table 5; root of
``xi^2 - (1 + 2 a_BW) xi + (a_BW^2 - a_BW) = 0``). The input-based ratio of Liang,
Brunelli & Rezaei (2020) is ``max_j |a_Bj a_jW - a_BW| / (a_BW^2 - a_BW)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from abclab.exceptions import InputDataError, JudgementError

#: Consistency index of the BWM by a_BW = 1..9 (Rezaei 2015, Table 5).
BWM_CONSISTENCY_INDEX = {
    1: 0.00,
    2: 0.44,
    3: 1.00,
    4: 1.63,
    5: 2.30,
    6: 3.00,
    7: 3.73,
    8: 4.47,
    9: 5.23,
}


def _consistency_index(a_bw: float) -> float:
    """Rezaei's CI: the root ``((1 + 2a) - sqrt(1 + 8a)) / 2`` (0 for a = 1); Table 5 rounds it."""
    return float(((1 + 2 * a_bw) - np.sqrt(1 + 8 * a_bw)) / 2)


def _pairs(ab: np.ndarray, aw: np.ndarray, b: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows (i, j, a) meaning ``w_i ~ a w_j``: best-to-others, then others-to-worst."""
    n = len(ab)
    rows = [(b, j, ab[j]) for j in range(n) if j != b]
    rows += [(j, w, aw[j]) for j in range(n) if j not in (w, b)]
    arr = np.array(rows, dtype=float)
    return arr[:, :2].astype(np.int64), arr[:, 2]


def _linear_kernel(ab: np.ndarray, aw: np.ndarray, b: int, w: int) -> tuple[np.ndarray, float]:
    """Rezaei (2016) linear model; variables ``(w_1..w_n, xi)``."""
    n = len(ab)
    idx, a = _pairs(ab, aw, b, w)
    rows = []
    for (i, j), aij in zip(idx, a, strict=True):
        r = np.zeros(n + 1)
        r[i] += 1.0
        r[j] -= aij
        for sign in (1.0, -1.0):
            row = sign * r
            row[n] = -1.0
            rows.append(row)
    c = np.zeros(n + 1)
    c[n] = 1.0
    res = linprog(
        c,
        A_ub=np.array(rows),
        b_ub=np.zeros(len(rows)),
        A_eq=np.r_[np.ones(n), 0.0][None, :],
        b_eq=[1.0],
        bounds=[(0, None)] * (n + 1),
        method="highs",
    )
    return res.x[:n], float(res.x[n])


def _ratio_constraints(ab: np.ndarray, aw: np.ndarray, b: int, w: int, xi: float) -> np.ndarray:
    """``A_ub`` rows (n) of ``(a - xi) w_j <= w_i <= (a + xi) w_j`` for every ``w_i / w_j ~ a``."""
    n = len(ab)
    idx, a = _pairs(ab, aw, b, w)
    rows = []
    for (i, j), aij in zip(idx, a, strict=True):
        up = np.zeros(n)
        up[i], up[j] = 1.0, -(aij + xi)  # w_i - (a + xi) w_j <= 0
        lo = np.zeros(n)
        lo[i], lo[j] = -1.0, aij - xi  # (a - xi) w_j - w_i <= 0
        rows += [up, lo]
    return np.array(rows)


def _feasible(A: np.ndarray, c: np.ndarray) -> np.ndarray | None:
    n = A.shape[1]
    res = linprog(
        c,
        A_ub=A,
        b_ub=np.zeros(len(A)),
        A_eq=np.ones((1, n)),
        b_eq=[1.0],
        bounds=[(0, None)] * n,
        method="highs",
    )
    return res.x if res.status == 0 else None


def _nonlinear_kernel(
    ab: np.ndarray, aw: np.ndarray, b: int, w: int, tol: float = 1e-10
) -> tuple[float, np.ndarray, np.ndarray]:
    """xi* of Rezaei (2015) by bisection, and the interval ``(low, high)`` of every weight."""
    n = len(ab)
    zero = np.zeros(n)
    lo, hi = 0.0, float(max(ab.max(), aw.max()))
    if _feasible(_ratio_constraints(ab, aw, b, w, 0.0), zero) is not None:
        hi = 0.0
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if _feasible(_ratio_constraints(ab, aw, b, w, mid), zero) is None:
            lo = mid
        else:
            hi = mid
    low, high = np.empty(n), np.empty(n)
    for j in range(n):
        e = np.zeros(n)
        e[j] = 1.0
        for k, sign in enumerate((1.0, -1.0)):
            for slack in (1e-9, 1e-8, 1e-7, 1e-6):
                x = _feasible(_ratio_constraints(ab, aw, b, w, hi * (1 + slack) + slack), sign * e)
                if x is not None:
                    break
            if x is None:
                raise RuntimeError("best_worst: the interval LP did not solve; please report it.")
            (low if k == 0 else high)[j] = x[j]
    return hi, low, high


@dataclass(frozen=True)
class BestWorstResult:
    """Weights and consistency of one Best-Worst comparison.

    Attributes
    ----------
    weights : pandas.Series
        Sum 1, indexed by criterion, ``name="best_worst"``.
    xi : float
        Optimal objective of the model solved (xi^L* for ``"linear"``, xi* for ``"nonlinear"``).
    xi_nonlinear : float
        xi* of the nonlinear model (Rezaei 2015), the numerator of ``consistency_ratio``.
    consistency_index : float
        CI for ``a_BW`` (Rezaei 2015, Table 5, unrounded).
    consistency_ratio : float
        ``xi_nonlinear / consistency_index`` (0 when a_BW = 1); 0 = fully consistent.
    input_consistency_ratio : float
        ``max_j |a_Bj a_jW - a_BW| / (a_BW^2 - a_BW)`` (Liang, Brunelli & Rezaei 2020).
    interval : pandas.DataFrame
        Criterion x ``weight_low``, ``weight_high``: range of each weight over the optimal
        solutions of the nonlinear model (equal when the optimum is unique).
    best, worst : str
        The best and worst criteria.
    model : str
        ``"linear"`` or ``"nonlinear"``.
    comparisons : pandas.DataFrame
        Criterion x ``best_to_other``, ``other_to_worst`` (the input).
    """

    weights: pd.Series
    xi: float
    xi_nonlinear: float
    consistency_index: float
    consistency_ratio: float
    input_consistency_ratio: float
    interval: pd.DataFrame
    best: str
    worst: str
    model: str
    comparisons: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """``criterion, weight, weight_low, weight_high, rank`` (1 = most important)."""
        out = self.interval.copy()
        out.insert(0, "weight", self.weights)
        out["rank"] = self.weights.rank(ascending=False, method="min").astype(int)
        return out.rename_axis("criterion").reset_index()


def _vector(values: pd.Series | Mapping[str, float], who: str) -> pd.Series:
    s = pd.Series(values, dtype=float)
    if s.empty or s.index.has_duplicates:
        raise JudgementError(f"{who}: expected one value per criterion, got {dict(s)}.")
    bad = s[~(np.isfinite(s) & (s >= 1) & (s <= 9))]
    if len(bad):
        raise JudgementError(
            f"{who}[{bad.index[0]!r}] = {float(bad.iloc[0]):g}: expected a preference between 1 and 9."
        )
    return s


def _pick(s: pd.Series, given: str | None, who: str, role: str) -> str:
    if given is not None:
        if given not in s.index:
            raise JudgementError(f"{role}={given!r} is not a criterion of {who} {list(s.index)}.")
        if s[given] != 1:
            raise JudgementError(
                f"{who}[{given!r}] = {s[given]:g}: the {role} criterion compares 1 to itself."
            )
        return given
    ones = list(s.index[s == 1])
    if len(ones) != 1:
        raise JudgementError(
            f"{who}: exactly one criterion should have the value 1 (the {role}), found {ones}; "
            f"pass {role}=... to choose."
        )
    return ones[0]


def best_worst(
    best_to_others: pd.Series | Mapping[str, float],
    others_to_worst: pd.Series | Mapping[str, float],
    *,
    model: Literal["linear", "nonlinear"] = "linear",
    best: str | None = None,
    worst: str | None = None,
) -> BestWorstResult:
    """Best-Worst Method weights (Rezaei 2015 nonlinear model, Rezaei 2016 linear model).

    Parameters
    ----------
    best_to_others : Series or mapping
        ``a_Bj`` in [1, 9] per criterion: preference of the best criterion over ``j``
        (1 for the best itself).
    others_to_worst : Series or mapping
        ``a_jW`` in [1, 9] per criterion: preference of ``j`` over the worst criterion
        (1 for the worst itself); same criteria as ``best_to_others``.
    model : {"linear", "nonlinear"}
        Linear model (unique weights, Rezaei 2016) or the original minmax model (Rezaei 2015;
        weights = renormalised centres of the optimal intervals).
    best, worst : str, optional
        Needed only when several criteria have the value 1 in a vector (ties with the best or
        the worst).

    Returns
    -------
    BestWorstResult

    Raises
    ------
    JudgementError
        A value outside [1, 9], vectors over different criteria, no unique best/worst, or
        ``a_BW`` differing between the two vectors.

    Notes
    -----
    Linear: min xi s.t. ``|w_B - a_Bj w_j| <= xi``, ``|w_j - a_jW w_W| <= xi``, ``sum_j w_j = 1``.
    Nonlinear: min xi s.t. ``|w_B/w_j - a_Bj| <= xi``, ``|w_j/w_W - a_jW| <= xi``.
    ``CR = xi* / CI``, ``CI = ((1 + 2 a_BW) - sqrt(1 + 8 a_BW)) / 2`` (Rezaei 2015, Table 5).

    References
    ----------
    Rezaei, J. (2015). Best-worst multi-criteria decision-making method. *Omega* 53, 49-57.
    Rezaei, J. (2016). Best-worst multi-criteria decision-making method: Some properties and a
    linear model. *Omega* 64, 126-130.
    Liang, F., Brunelli, M., & Rezaei, J. (2020). Consistency issues in the best worst method:
    Measurements and thresholds. *Omega* 96, 102175.

    Examples
    --------
    >>> res = best_worst({"c1": 8, "c2": 2, "c3": 1}, {"c1": 1, "c2": 5, "c3": 8},
    ...                  model="nonlinear")
    >>> res.weights.round(3).tolist(), round(res.xi, 2)
    ([0.071, 0.339, 0.59], 0.26)
    """
    ab = _vector(best_to_others, "best_to_others")
    aw = _vector(others_to_worst, "others_to_worst")
    if set(ab.index) != set(aw.index):
        raise InputDataError(
            f"best_to_others criteria {list(ab.index)} and others_to_worst criteria "
            f"{list(aw.index)} differ."
        )
    if len(ab) < 2:
        raise JudgementError("best_to_others: need at least 2 criteria.")
    aw = aw.reindex(ab.index)
    b_name = _pick(ab, best, "best_to_others", "best")
    w_name = _pick(aw, worst, "others_to_worst", "worst")
    if b_name == w_name:
        raise JudgementError(f"best and worst are the same criterion {b_name!r}.")
    if not np.isclose(ab[w_name], aw[b_name]):
        raise JudgementError(
            f"best_to_others[{w_name!r}] = {ab[w_name]:g} and others_to_worst[{b_name!r}] = "
            f"{aw[b_name]:g} are the same comparison (best over worst) and must be equal."
        )
    if model not in ("linear", "nonlinear"):
        raise ValueError(f"model={model!r}: expected 'linear' or 'nonlinear'.")
    names = list(ab.index)
    b, w = names.index(b_name), names.index(w_name)
    a_vec, w_vec = ab.to_numpy(), aw.to_numpy()
    xi_nl, low, high = _nonlinear_kernel(a_vec, w_vec, b, w)
    if model == "linear":
        weights, xi = _linear_kernel(a_vec, w_vec, b, w)
    else:
        mid = (low + high) / 2
        weights, xi = mid / mid.sum(), xi_nl
    a_bw = float(ab[w_name])
    ci = _consistency_index(a_bw)
    index = pd.Index(names)
    icr = float(np.max(np.abs(a_vec * w_vec - a_bw)) / (a_bw**2 - a_bw)) if a_bw > 1 else 0.0
    return BestWorstResult(
        weights=pd.Series(weights / weights.sum(), index=index, name="best_worst"),
        xi=float(xi),
        xi_nonlinear=float(xi_nl),
        consistency_index=ci,
        consistency_ratio=float(xi_nl / ci) if ci > 0 else 0.0,
        input_consistency_ratio=icr,
        interval=pd.DataFrame({"weight_low": low, "weight_high": high}, index=index),
        best=str(b_name),
        worst=str(w_name),
        model=model,
        comparisons=pd.DataFrame({"best_to_other": ab, "other_to_worst": aw}, index=index),
    )
