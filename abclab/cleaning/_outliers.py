"""Outlier flags (Tukey's fences or the modified z-score, on the raw or the log scale).

Flagged values are logged and kept, or clipped to the fence they crossed (winsorized).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from abclab.cleaning._policy import CriterionPolicy
from abclab.cleaning._reasons import Reason
from abclab.cleaning._result import _Log
from abclab.exceptions import DataQualityWarning

#: Consistency constant making the MAD a standard-deviation estimate under normality
#: (1 / Φ⁻¹(3/4)); Iglewicz & Hoaglin (1993) flag modified z-scores above 3.5.
MAD_SCALE = 1.4826


def _outlier_bounds(values: np.ndarray, policy: CriterionPolicy) -> tuple[float, float, str]:
    """Lower/upper bounds and a description; kernel without validation (NaN-free input).

    Notes
    -----
    ``iqr``: ``[Q1 - k·(Q3 - Q1), Q3 + k·(Q3 - Q1)]`` (Tukey 1977). ``mad``: ``median ±
    t · 1.4826 · MAD`` (Iglewicz & Hoaglin 1993). ``iqr_log`` / ``mad_log``: the same on
    ``y = ln x`` of the positive values, bounds ``exp`` back to the scale of ``x``; with
    lognormal money amounts ``y`` is normal and the fences are symmetric in ratios
    (``hi / median = median / lo``). No positive value: no bounds (NaN).

    References
    ----------
    .. [1] Tukey, J. W. (1977). Exploratory Data Analysis. Addison-Wesley, §2C.
    .. [2] Iglewicz, B. & Hoaglin, D. C. (1993). How to Detect and Handle Outliers. ASQC.
    """
    log = policy.outliers.endswith("_log")
    if log:
        values = np.log(values[values > 0])
        if values.size == 0:
            return np.nan, np.nan, "no positive value"
    back = np.exp if log else (lambda v: v)
    if policy.outliers.startswith("iqr"):
        q1, q3 = np.percentile(values, [25, 75])
        k = policy.iqr_k
        lo, hi = back(q1 - k * (q3 - q1)), back(q3 + k * (q3 - q1))
        if log:
            quartiles = f"exp(Q1)={back(q1):.6g}, exp(Q3)={back(q3):.6g} of ln x"
            return lo, hi, f"Tukey fences on ln x: [{lo:.6g}, {hi:.6g}] ({quartiles}, k={k:g})"
        return lo, hi, f"Tukey fences [{lo:.6g}, {hi:.6g}] (Q1={q1:.6g}, Q3={q3:.6g}, k={k:g})"
    med = np.median(values)
    mad = np.median(np.abs(values - med))
    width = policy.mad_threshold * MAD_SCALE * mad
    lo, hi = back(med - width), back(med + width)
    y = "ln x" if log else "x"
    how = f"|{y} - median| / (1.4826·MAD) > {policy.mad_threshold:g}, i.e. outside"
    middle = f"median={back(med):.6g}, MAD of {y}={mad:.6g}"
    return lo, hi, f"{how} [{lo:.6g}, {hi:.6g}] ({middle})"


def _flag_outliers(
    work: pd.DataFrame, col: str, active: pd.Series, policy: CriterionPolicy, log: _Log
) -> None:
    observed = work[col].where(active).dropna()
    if policy.outliers == "none" or observed.empty:
        return
    lo, hi, how = _outlier_bounds(observed.to_numpy(float), policy)
    if np.isnan(lo):
        return
    if policy.outliers.startswith("mad") and lo == hi:
        message = f"criterion {col!r}: MAD is 0, no MAD outlier flags computed"
        warnings.warn(message, DataQualityWarning, stacklevel=3)
        return
    rule = f"outlier_{policy.outliers}"
    for customer, value in observed[(observed < lo) | (observed > hi)].items():
        side = "below" if value < lo else "above"
        bounds = {"low": float(lo), "high": float(hi)}
        flag = Reason(f"outlier_{side}", f"{side} the bound: {how}", bounds)
        log.add(customer, col, value, value, rule, flag)
        if policy.winsorize:
            new, bound = (lo, "lower") if value < lo else (hi, "upper")
            work.loc[customer, col] = new
            note = Reason(f"clipped_{bound}", f"clipped to the {bound} bound: {how}", bounds)
            log.add(customer, col, value, new, f"winsorize_{policy.outliers}", note)
