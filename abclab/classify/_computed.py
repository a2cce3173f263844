"""Computed ABC (Ultsch & Lötsch 2015): data-driven class limits from the ABC curve."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.interpolate import UnivariateSpline

from abclab.classify._common import as_values, tier_series
from abclab.exceptions import InputDataError


@dataclass(frozen=True, eq=False)  # holds arrays: identity equality keeps pd.concat working
class ABCCurve:
    """The interpolated ABC curve and its three points (effort = share of items)."""

    effort: np.ndarray
    yield_: np.ndarray
    pareto_point: tuple[float, float]
    break_even_point: tuple[float, float]
    submarginal_point: tuple[float, float]
    ab_limit: float
    bc_limit: float
    exchanged: bool


def computed_abc_kernel(x: np.ndarray) -> ABCCurve:
    """Kernel of :func:`computed_abc` (no validation; ``x >= 0``, ``x.size >= 3``, sum > 0).

    Follows ``abc_analysis`` 0.1.23 (the Python port of the R package ``ABCanalysis``) step by
    step, including its grid conventions, so that both give identical classes.
    """
    n = x.size
    p = np.linspace(0.0, 1.0, 101 if n < 101 else 1001)
    xs = np.sort(x)[::-1]
    y = np.cumsum(xs)
    y = y / y.max()
    eff = np.arange(1, n + 1) / n
    if y[0] > 0:
        y = np.r_[0.0, y]
        eff = np.r_[0.0, eff]
    if y[-1] < 1:
        y = np.r_[y, 1.0]
        eff = np.r_[eff, 1.0]
    spline = UnivariateSpline(eff, y, k=3, s=0)
    raw = spline(p)
    yld = np.nan_to_num(np.clip(raw, 0.0, 1.0), nan=0.0)
    if yld.sum() == 0:
        raise InputDataError("values: could not build the ABC curve from these values")
    # slope of the re-interpolated curve; evaluated at i/m, i = 1..m, as abc_analysis does
    m = p.size
    slope = UnivariateSpline(p, raw, k=3, s=0).derivative()(np.arange(1, m + 1) / m)

    i_pareto = int(np.argmin(np.hypot(p, yld - 1.0)))  # nearest to (0, 1), first on ties
    gap = np.abs(slope - 1.0)
    i_even = int(np.flatnonzero(gap == gap.min()).max())  # dABC/dp = 1, last on ties
    exchanged = p[i_even] < p[i_pareto]
    i_a, i_b = (i_even, i_pareto) if exchanged else (i_pareto, i_even)
    a_effort, b_effort = p[i_a], p[i_b]
    i_c = int(np.argmin(np.hypot(p - b_effort, yld - 1.0)))  # nearest to (B effort, 1)
    c_effort = p[i_c]
    # limits in data units; an effort that rounds to 0 items gives the largest value (empty A)
    ab_limit = float(xs[max(int(np.round(a_effort * n)) - 1, 0)])
    bc_limit = float(xs[max(int(np.round(c_effort * n)) - 1, 0)])
    return ABCCurve(
        effort=p,
        yield_=yld,
        pareto_point=(float(p[i_pareto]), float(yld[i_pareto])),
        break_even_point=(float(p[i_even]), float(yld[i_even])),
        submarginal_point=(float(c_effort), float(yld[i_c])),
        ab_limit=ab_limit,
        bc_limit=bc_limit,
        exchanged=bool(exchanged),
    )


def computed_codes(x: np.ndarray, ab_limit: float, bc_limit: float) -> np.ndarray:
    """A: ``x > ab_limit``; B: ``bc_limit <= x <= ab_limit``; C: ``x < bc_limit``."""
    return np.where(x > ab_limit, 0, np.where(x >= bc_limit, 1, 2)).astype(np.int8)


def validate_computed(values: Any) -> tuple[np.ndarray, pd.Index]:
    x, index, _ = as_values(values)
    if x.size < 3:
        raise InputDataError(f"values: computed ABC needs at least 3 values, got {x.size}")
    if (x < 0).any():
        rows = list(index[x < 0][:5])
        raise InputDataError(f"values: computed ABC needs non-negative values; negative at {rows}")
    if x.sum() <= 0:
        raise InputDataError("values: all values are zero; the ABC curve is undefined")
    return x, index


def computed_abc(values: Any) -> pd.Series:
    """Computed ABC analysis of Ultsch & Lötsch (2015).

    The ABC curve (share of items, largest first, against share of the total) is interpolated
    by a cubic spline. Three points set the limits: the *Pareto point* (nearest to (0, 1)),
    the *break-even point* (slope 1) and the *submarginal point* (nearest to (B, 1), B being
    the larger effort of the first two). A ends at the smaller of the first two efforts, C
    starts at the submarginal point.

    Parameters
    ----------
    values : Series, array or list
        At least 3 non-negative values, no missing values.

    Returns
    -------
    pandas.Series
        Ordered Categorical A/B/C, name ``"computed_abc"``, ``attrs["cut_points"]`` =
        ``{"A": ab_limit, "B": bc_limit}`` and ``attrs["curve"]`` (the :class:`ABCCurve`).

    Notes
    -----
    Class rule and ties (as in the reference implementation): A if ``value > ab_limit``
    (strictly: the item at the limit itself is B), B if ``bc_limit <= value <= ab_limit``,
    C if ``value < bc_limit``; equal values therefore always share a class. Agrees item for
    item with the PyPI package ``abc_analysis`` 0.1.23 (tested on Flores' 47 items, CDNOW
    customer spend and random lognormal samples). Unlike that package, negative values are an
    error instead of being replaced by 0.

    References
    ----------
    Ultsch, A., & Lötsch, J. (2015). Computed ABC analysis for rational selection of most
    informative variables in multivariate data. PLoS ONE 10(6): e0129767.
    """
    x, index = validate_computed(values)
    curve = computed_abc_kernel(x)
    codes = computed_codes(x, curve.ab_limit, curve.bc_limit)
    out = tier_series(
        codes, ("A", "B", "C"), index, "computed_abc", {"A": curve.ab_limit, "B": curve.bc_limit}
    )
    out.attrs["curve"] = curve
    return out
