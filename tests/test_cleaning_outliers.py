"""Customer-level outlier rules on the log scale (issue 9, item 4): money is skewed, so the
raw fences flag the genuine large accounts; the fences on ln x do not."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from abclab.cleaning import CriterionPolicy, clean_customers
from abclab.exceptions import StudyError


def _flags(result, rule):
    return result.log[result.log["rule"] == rule]


def test_iqr_log_by_hand():
    """x = 10^[1, 2, 3, 4, 5, 9]; y = log10 x = [1, 2, 3, 4, 5, 9]. Linear quartiles
    Q1 = 2.25, Q3 = 4.75, IQR = 2.5; k = 1.5 gives fences [-1.5, 8.5] on y, i.e.
    x in [10^-1.5, 10^8.5] (the base of the logarithm does not matter): only 10^9 is out."""
    frame = pd.DataFrame({"x": 10.0 ** np.array([1, 2, 3, 4, 5, 9])}, index=list("abcdef"))
    result = clean_customers(frame, policies={"x": {"outliers": "iqr_log", "winsorize": True}})
    flags = _flags(result, "outlier_iqr_log")
    assert flags["customer"].tolist() == ["f"]
    assert "Tukey fences on ln x: [0.0316228, 3.16228e+08]" in flags["reason"].iloc[0]
    assert result.cleaned.loc["f", "x"] == pytest.approx(10**8.5)
    win = _flags(result, "winsorize_iqr_log")
    assert win["new_value"].tolist() == [pytest.approx(10**8.5)]


def test_mad_log_by_hand():
    """y = log10 x = [1, 1, 2, 2, 3, 9]: median 2, |y - 2| = [1, 1, 0, 0, 1, 7], MAD 1;
    bounds 2 ± 3.5·1.4826·1 = 2 ± 5.1891 → x in [10^-3.1891, 10^7.1891] ≈ [6.47e-4, 1.5456e7]: 10^9 is flagged."""
    frame = pd.DataFrame({"x": 10.0 ** np.array([1, 1, 2, 2, 3, 9])}, index=list("abcdef"))
    result = clean_customers(frame, policies={"x": {"outliers": "mad_log"}})
    flags = _flags(result, "outlier_mad_log")
    assert flags["customer"].tolist() == ["f"]
    z = np.abs(np.log(frame["x"]) - np.log(100)) / stats.median_abs_deviation(
        np.log(frame["x"]), scale="normal"
    )
    assert list(frame.index[z > 3.5]) == ["f"]
    assert (
        "outside [0.000646994, 1.54561e+07] (median=100, MAD of ln x=2.30259)"
        in flags["reason"].iloc[0]
    )


def test_log_rules_put_nonpositive_values_below_the_fence():
    frame = pd.DataFrame({"x": [0.0, 10, 20, 40, 80]}, index=list("abcde"))
    result = clean_customers(frame, policies={"x": {"outliers": "iqr_log"}})
    flags = _flags(result, "outlier_iqr_log")
    assert flags["customer"].tolist() == ["a"] and flags["reason"].iloc[0].startswith("below")


def test_skewed_spend_flags_no_genuine_account_on_the_log_scale():
    """400 customers whose annual spend is lognormal (σ = 1.4, as the demo): the quantiles
    exp(12 + 1.4 Φ⁻¹((i - ½)/400)). Raw Tukey fences (k = 3) flag the largest accounts as
    "keying errors"; the same fences on ln x flag none, nor does the MAD rule on ln x."""
    n = 400
    z = stats.norm.ppf((np.arange(1, n + 1) - 0.5) / n)
    frame = pd.DataFrame({"spend": np.exp(12 + 1.4 * z)}, index=[f"C{i:03d}" for i in range(n)])
    raw = clean_customers(frame, policies={"spend": {"outliers": "iqr", "iqr_k": 3}})
    assert len(_flags(raw, "outlier_iqr")) == 23  # the 23 largest accounts
    for rule, extra, expected in (
        ("iqr_log", {"iqr_k": 3}, 0),
        ("mad_log", {}, 0),
        # k = 1.5 on a normal y: fences at ±2.70σ, P(|Z| > 2.70) = 0.7 %: the two extremes
        # exp(12 ± 1.4·3.02) only
        ("iqr_log", {}, 2),
    ):
        result = clean_customers(frame, policies={"spend": {"outliers": rule, **extra}})
        assert len(_flags(result, f"outlier_{rule}")) == expected, (rule, extra)


def test_log_rules_are_policy_choices():
    assert CriterionPolicy(outliers="iqr_log").outliers == "iqr_log"
    with pytest.raises(StudyError, match="outliers='log' is not one of"):
        CriterionPolicy(outliers="log")
