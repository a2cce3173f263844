"""Tests for abclab.scoring: normalisation to 0–100 and weighted scores."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from abclab.exceptions import DataQualityWarning, InputDataError
from abclab.scoring import SOURCE003_BANDS, SOURCE003_WEIGHTS, ScoreResult, normalise, score

SPEC003 = {name: {"method": "bands", "bands": table} for name, table in SOURCE003_BANDS.items()}


def source003_customers() -> pd.DataFrame:
    """Customer A (步骤五 worked example) and C2024001 (template 二), in yuan and fractions."""
    return pd.DataFrame(
        {
            "annual_spend": [12_000_000, 15_000_000],  # 1200万元, 1500万元
            "profit_margin": [0.15, 0.18],
            "tenure_years": [5, 6],
            "cross_purchase_rate": [0.30, 0.35],
        },
        index=pd.Index(["A", "C2024001"], name="customer"),
    )


def test_source003_customer_a_scores_94_5_and_c2024001_scores_100():
    """Source 003 步骤五: 客户A 1200万/15%/5年/30% → 100/90/100/80 → 40+22.5+20+12 = 94.5;
    template (二): C2024001 1500万/18%/6年/35% → 100 on every indicator → 100.0."""
    result = score(source003_customers(), SOURCE003_WEIGHTS, criteria=SPEC003)
    assert isinstance(result, ScoreResult)
    assert result.score.loc["A"] == pytest.approx(94.5, abs=1e-12)
    assert result.score.loc["C2024001"] == pytest.approx(100.0, abs=1e-12)
    assert result.indicator_scores.loc["A"].tolist() == [100, 90, 100, 80]
    assert result.contributions.loc["A"].tolist() == pytest.approx([40, 22.5, 20, 12])
    frame = result.to_frame()
    assert list(frame.columns[-1:]) == ["score"]
    assert "annual_spend_weighted" in frame.columns


def test_percent_weights_are_renormalised_with_a_warning():
    weights = {k: v * 100 for k, v in SOURCE003_WEIGHTS.items()}  # 40/25/20/15
    with pytest.warns(DataQualityWarning, match="sum to 100"):
        result = score(source003_customers(), weights, criteria=SPEC003)
    assert result.weights.sum() == pytest.approx(1.0)
    assert result.score.loc["A"] == pytest.approx(94.5)


def test_spend_bands_follow_source003_with_half_open_intervals():
    """Source 003: ≥1000万 → 100, 500–1000万 → 80, <500万 → 60; intervals [lower, upper)."""
    spend = pd.Series([10_000_000, 9_999_999.99, 5_000_000, 4_999_999, 0], name="spend")
    out = normalise(spend, method="bands", bands=SOURCE003_BANDS["annual_spend"])
    assert out.tolist() == [100, 80, 80, 60, 60]
    assert out.name == "spend"


def test_bands_accept_a_dataframe_and_reject_uncovered_values():
    table = pd.DataFrame({"lower": [0, 10], "upper": [10, 20], "score": [50, 100]})
    assert normalise([0, 9.5, 10, 19], method="bands", bands=table).tolist() == [50, 50, 100, 100]
    with pytest.raises(
        InputDataError, match=r"values \[25.0\] at rows \[1\] fall outside every band"
    ):
        normalise([5, 25], method="bands", bands=table)
    with pytest.raises(InputDataError, match="overlap"):
        normalise(
            [1],
            method="bands",
            bands=[{"lower": 0, "upper": 10, "score": 1}, {"lower": 5, "upper": 20, "score": 2}],
        )
    with pytest.raises(InputDataError, match="missing \\['score'\\]"):
        normalise([1], method="bands", bands=[{"lower": 0, "upper": 10}])
    with pytest.raises(InputDataError, match="direction='benefit'"):
        normalise([1], method="bands", direction="cost", bands=table)


@pytest.mark.parametrize(
    ("method", "direction", "expected"),
    [
        # hand-computed for x = [2, 4, 4, 10]
        ("minmax", "benefit", [0, 25, 25, 100]),
        ("minmax", "cost", [100, 75, 75, 0]),
        ("max", "benefit", [20, 40, 40, 100]),
        ("max", "cost", [100, 50, 50, 20]),
        # average ranks 1, 2.5, 2.5, 4 → 100 (r-1)/3
        ("percentile", "benefit", [0, 50, 50, 100]),
        ("percentile", "cost", [100, 50, 50, 0]),
        # mean 5, population sd 3 → z = -1, -1/3, -1/3, 5/3 → 50 + 10 z
        ("zscore", "benefit", [40, 50 - 10 / 3, 50 - 10 / 3, 50 + 50 / 3]),
        ("zscore", "cost", [60, 50 + 10 / 3, 50 + 10 / 3, 50 - 50 / 3]),
    ],
)
def test_normalise_hand_computed(method, direction, expected):
    out = normalise(np.array([2.0, 4.0, 4.0, 10.0]), method=method, direction=direction)
    assert isinstance(out.index, pd.RangeIndex)
    np.testing.assert_allclose(out.to_numpy(), expected, atol=1e-12)


def test_zscore_is_clipped_to_0_100():
    x = np.r_[np.zeros(99), 1000.0]  # z of the outlier ≈ 9.9 → 149 before clipping
    out = normalise(x, method="zscore")
    assert out.max() == 100.0 and out.min() >= 0


def test_constant_column_warns_and_is_documented_value():
    with pytest.warns(DataQualityWarning, match="constant"):
        assert normalise([3, 3, 3]).tolist() == [100, 100, 100]
    with pytest.warns(DataQualityWarning, match="constant"):
        assert normalise([3, 3, 3], method="zscore").tolist() == [50, 50, 50]
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [7.0, 7.0]})
    with pytest.warns(DataQualityWarning, match="'b' is constant"):
        result = score(frame, {"a": 0.5, "b": 0.5})
    assert result.score.tolist() == [50, 100]
    assert not result.score.isna().any()


def test_missing_values_name_the_rows():
    s = pd.Series([1.0, np.nan, 3.0], index=["x", "y", "z"], name="spend")
    with pytest.raises(InputDataError, match=r"'spend'.*rows \['y'\]"):
        normalise(s)
    with pytest.raises(InputDataError, match="every value is missing"):
        normalise(pd.Series([np.nan, np.nan], name="spend"))
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [np.nan, 1.0]})
    with pytest.raises(InputDataError, match=r"column 'b'.*rows \[0\]"):
        score(frame, {"a": 0.5, "b": 0.5})


def test_bad_arguments_are_clear_errors():
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 1.0]})
    with pytest.raises(InputDataError, match=r"not columns of the frame"):
        score(frame, {"a": 0.5, "zz": 0.5})
    with pytest.raises(InputDataError, match="positive"):
        score(frame, {"a": 1.0, "b": 0.0})
    with pytest.raises(InputDataError, match="have no weight"):
        score(frame, {"a": 1.0}, criteria={"b": "minmax"})
    with pytest.raises(InputDataError, match="method must be one of"):
        normalise([1, 2], method="log")
    with pytest.raises(InputDataError, match="direction must be"):
        normalise([1, 2], direction="up")
    with pytest.raises(InputDataError, match="expected numbers"):
        normalise(pd.Series(["a", "b"], name="txt"))
    with pytest.raises(InputDataError, match="method='max' needs values"):
        normalise([-1, 2], method="max")


def test_criteria_spec_directions_are_applied():
    frame = pd.DataFrame({"spend": [100.0, 50.0, 0.0], "overdue_days": [0.0, 10.0, 20.0]})
    result = score(
        frame,
        pd.Series({"spend": 0.5, "overdue_days": 0.5}),
        criteria={"overdue_days": {"method": "minmax", "direction": "cost"}},
    )
    assert result.score.tolist() == [100, 50, 0]


@settings(max_examples=60, deadline=None)
@given(
    arrays(np.float64, st.integers(2, 40), elements=st.floats(0, 1e6)),
    st.sampled_from(["minmax", "max", "percentile", "zscore"]),
    st.sampled_from(["benefit", "cost"]),
)
def test_scores_lie_in_0_100_and_are_monotone(x, method, direction):
    if method == "max" and (x.max() <= 0 or (direction == "cost" and x.min() <= 0)):
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        out = normalise(x, method=method, direction=direction).to_numpy()
    assert np.all((out >= -1e-9) & (out <= 100 + 1e-9))
    order = np.argsort(x, kind="stable")
    diffs = np.diff(out[order])
    if direction == "benefit":
        assert np.all(diffs >= -1e-9)
    else:
        assert np.all(diffs <= 1e-9)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 30))
def test_weighted_score_in_range_and_permutation_equivariant(seed, n):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rng.lognormal(size=(n, 3)), columns=["a", "b", "c"])
    weights = dict(zip("abc", rng.dirichlet(np.ones(3)), strict=True))
    weights["c"] = 1.0 - weights["a"] - weights["b"]
    result = score(frame, weights)
    assert result.score.between(0, 100).all()
    np.testing.assert_allclose(result.contributions.sum(axis=1), result.score)
    perm = rng.permutation(n)
    permuted = score(frame.iloc[perm], weights).score
    pd.testing.assert_series_equal(permuted, result.score.iloc[perm])
