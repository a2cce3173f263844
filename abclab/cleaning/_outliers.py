"""Outlier flags (Tukey's fences or the modified z-score), optionally winsorized."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from abclab.cleaning._policy import CriterionPolicy
from abclab.cleaning._result import _Log
from abclab.exceptions import DataQualityWarning

#: Consistency constant making the MAD a standard-deviation estimate under normality
#: (1 / Φ⁻¹(3/4)); Iglewicz & Hoaglin (1993) flag modified z-scores above 3.5.
MAD_SCALE = 1.4826


def _outlier_bounds(values: np.ndarray, policy: CriterionPolicy) -> tuple[float, float, str]:
    """Lower/upper bounds and a description; kernel without validation (NaN-free input)."""
    if policy.outliers == "iqr":
        q1, q3 = np.percentile(values, [25, 75])
        k = policy.iqr_k
        lo, hi = q1 - k * (q3 - q1), q3 + k * (q3 - q1)
        return lo, hi, f"Tukey fences [{lo:.6g}, {hi:.6g}] (Q1={q1:.6g}, Q3={q3:.6g}, k={k:g})"
    med = np.median(values)
    mad = np.median(np.abs(values - med))
    width = policy.mad_threshold * MAD_SCALE * mad
    lo, hi = med - width, med + width
    how = f"|x - median| / (1.4826·MAD) > {policy.mad_threshold:g}, i.e. outside"
    return lo, hi, f"{how} [{lo:.6g}, {hi:.6g}] (median={med:.6g}, MAD={mad:.6g})"


def _flag_outliers(
    work: pd.DataFrame, col: str, active: pd.Series, policy: CriterionPolicy, log: _Log
) -> None:
    observed = work[col].where(active).dropna()
    if policy.outliers == "none" or observed.empty:
        return
    lo, hi, how = _outlier_bounds(observed.to_numpy(float), policy)
    if policy.outliers == "mad" and lo == hi:
        message = f"criterion {col!r}: MAD is 0, no MAD outlier flags computed"
        warnings.warn(message, DataQualityWarning, stacklevel=3)
        return
    rule = f"outlier_{policy.outliers}"
    for customer, value in observed[(observed < lo) | (observed > hi)].items():
        side = "below" if value < lo else "above"
        log.add(customer, col, value, value, rule, f"{side} the bound: {how}")
        if policy.winsorize:
            new, bound = (lo, "lower") if value < lo else (hi, "upper")
            work.loc[customer, col] = new
            note = f"clipped to the {bound} bound: {how}"
            log.add(customer, col, value, new, f"winsorize_{policy.outliers}", note)
