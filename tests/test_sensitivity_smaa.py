"""abclab.sensitivity.smaa (SMAA-2): a hand-computed 3-alternative case and invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from abclab.sensitivity import smaa

#: A = (1, 0), B = (0, 1), C = (0.4, 0.4); w = (t, 1 - t), t ~ U(0, 1) (uniform on the 2-simplex).
HAND = pd.DataFrame({"a": [1.0, 0.0, 0.4], "b": [0.0, 1.0, 0.4]}, index=["A", "B", "C"])


def test_three_alternatives_by_hand():
    """Scores t, 1 - t, 0.4. A is best iff t > 1/2, B iff t < 1/2, C never (max(t, 1-t) >= 1/2).
    Rank 2: A iff 0.4 < t < 0.5 (0.1), B iff 0.5 < t < 0.6 (0.1), C otherwise (0.8); rank 3 is
    the rest: A 0.4, B 0.4, C 0.2. Central weights: E[w | t > 1/2] = (3/4, 1/4) for A, (1/4, 3/4)
    for B. Bands cut 0.45: A in tier A iff t >= 0.45 (0.55), B iff t <= 0.55, C never.
    Tolerance 4 standard errors of 200 000 draws (~0.0045)."""
    res = smaa(HAND, draws=200_000, rule="bands", cuts=(0.45,), seed=3)
    expected = np.array([[0.5, 0.1, 0.4], [0.5, 0.1, 0.4], [0.0, 0.8, 0.2]])
    np.testing.assert_allclose(res.rank_acceptability.to_numpy(), expected, atol=0.0045)
    np.testing.assert_allclose(
        res.central_weights.loc[["A", "B"]].to_numpy(), [[0.75, 0.25], [0.25, 0.75]], atol=0.003
    )
    assert res.central_weights.loc["C"].isna().all() and np.isnan(res.confidence["C"])
    assert res.confidence[["A", "B"]].tolist() == [1.0, 1.0]
    np.testing.assert_allclose(
        res.tier_acceptability.to_numpy(), [[0.55, 0.45], [0.55, 0.45], [0.0, 1.0]], atol=0.0045
    )
    # equal base weights: A and B score 0.5 (tier A), C 0.4 (tier B)
    assert res.base_tier.tolist() == ["A", "A", "B"]


@pytest.fixture(scope="module")
def customers() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    X = pd.DataFrame(
        rng.uniform(0, 100, size=(40, 4)), columns=["spend", "margin", "growth", "pay"]
    )
    X.loc[40] = X.loc[3] - 1.0  # strictly dominated by customer 3
    return X


def test_invariants(customers):
    """Rows and columns of the rank acceptability sum to 1, tier acceptability rows sum to 1,
    first-rank acceptability is the rank-1 column; a dominated customer is never best."""
    res = smaa(customers, draws=3000, seed=0)
    b = res.rank_acceptability
    np.testing.assert_allclose(b.sum(axis=1), 1.0)
    np.testing.assert_allclose(b.sum(axis=0), 1.0)
    np.testing.assert_allclose(res.tier_acceptability.sum(axis=1), 1.0)
    pd.testing.assert_series_equal(b[1], res.first_rank_acceptability, check_names=False)
    assert res.first_rank_acceptability[40] == 0.0
    # the dominated customer is ranked below its dominator in every draw
    ranks = np.arange(1, b.shape[1] + 1)
    assert (b.loc[40] * ranks).sum() > (b.loc[3] * ranks).sum()
    np.testing.assert_allclose(res.weights.sum(axis=1), 1.0)


def test_seeded_and_chunk_independent(customers):
    a = smaa(customers, draws=500, seed=11)
    b = smaa(customers, draws=500, seed=11, chunk_size=50)
    c = smaa(customers, draws=500, seed=12)
    pd.testing.assert_frame_equal(a.rank_acceptability, b.rank_acceptability)
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())
    assert not a.weights.equals(c.weights)


def test_weights_and_bounds_restrict_the_draws(customers):
    w = {"spend": 0.4, "margin": 0.3, "growth": 0.2, "pay": 0.1}
    res = smaa(customers, weights=w, spread=0.1, draws=400, seed=0)
    ratio = res.weights / pd.Series(w)
    # w_i (1 + u_i) renormalised: the ratios of two weights stay within (0.9/1.1, 1.1/0.9)
    assert (ratio["spend"] / ratio["pay"]).between(0.9 / 1.1, 1.1 / 0.9).all()
    assert res.base_weights.to_dict() == pytest.approx(w)
    res = smaa(customers, weight_bounds={"spend": (0.5, 0.8)}, draws=300, seed=0)
    assert res.weights["spend"].between(0.5, 0.8).all()
    with pytest.raises(ValueError, match="weight_bounds"):
        smaa(customers, weight_bounds={"spend": (0.9, 0.8)})
    with pytest.raises(ValueError, match="not criteria"):
        smaa(customers, weight_bounds={"size": (0.1, 0.2)})


def test_large_n_keeps_first_ranks_only(customers):
    res = smaa(customers, draws=200, max_rank_items=10, seed=0)
    assert res.rank_acceptability is None
    assert res.first_rank_acceptability.sum() == pytest.approx(1.0)
    out = res.to_frame()
    assert {"base_tier", "acceptability_base_tier", "tier_A", "tier_C"} <= set(out.columns)
