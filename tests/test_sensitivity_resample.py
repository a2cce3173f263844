"""abclab.sensitivity.bootstrap_tiers and rank_reversal; abclab.compare.top_k_overlap."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from abclab import mcabc
from abclab.compare import top_k_overlap
from abclab.exceptions import InputDataError
from abclab.sensitivity import bootstrap_tiers, rank_reversal


@pytest.fixture(scope="module")
def customers() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    return pd.DataFrame(
        {"spend": rng.lognormal(8, 1, 300), "margin": rng.uniform(0.05, 0.4, 300),
         "tenure": rng.integers(1, 15, 300).astype(float)},
    )  # fmt: skip


def test_bootstrap_interval_covers_the_point_and_is_seeded(customers):
    spend = customers["spend"]
    out = bootstrap_tiers(spend, rule="pareto", draws=400, seed=1)
    assert out["tier"].tolist() == ["A", "B", "C"]
    for col in ("count", "share", "value_share"):
        assert (out[f"{col}_ci_low"] <= out[col] + 1e-12).all()
        assert (out[col] <= out[f"{col}_ci_high"] + 1e-12).all()
    assert out["share"].sum() == pytest.approx(1.0)
    assert out["value_share"].sum() == pytest.approx(1.0)
    # Pareto: the A tier holds just under 80 % of the value in every resample
    assert 0.7 < out.loc[0, "value_share_ci_low"] <= out.loc[0, "value_share_ci_high"] < 0.85
    again = bootstrap_tiers(spend, rule="pareto", draws=400, seed=1, chunk_size=1000)
    pd.testing.assert_frame_equal(out, again)


def test_bootstrap_bands_count_share_interval_by_hand():
    """Bands at 50 on 100 customers, 30 above: the count share of A is Binomial(100, 0.3)/100
    across resamples; its 95 % interval is about 0.3 +- 1.96 sqrt(0.21/100) = [0.21, 0.39]."""
    scores = pd.Series([80.0] * 30 + [20.0] * 70)
    out = bootstrap_tiers(scores, rule="bands", cuts=(50,), draws=4000, seed=0)
    assert out.loc[0, "share"] == pytest.approx(0.3)
    assert out.loc[0, "share_ci_low"] == pytest.approx(0.21, abs=0.015)
    assert out.loc[0, "share_ci_high"] == pytest.approx(0.39, abs=0.015)


def test_weighted_sum_of_fixed_scores_never_reverses(customers):
    w = pd.Series({"spend": 0.5, "margin": 0.3, "tenure": 0.2})
    fixed = (customers - customers.min()) / (customers.max() - customers.min())
    res = rank_reversal(fixed, lambda f: f @ w, remove="best", rule="shares")
    row = res.changes.iloc[0]
    assert row["flipped_pairs"] == 0 and row["pairs"] == 299 * 298 // 2
    # shares re-cut on 299 customers: tiers can move at the boundaries, order cannot
    assert row["tier_changes"] >= 0 and not row["top_changed"]


def test_topsis_flips_pairs_when_the_best_leaves(customers):
    """TOPSIS normalises over the customers, so removing one moves the ideal point."""
    w = {"spend": 0.5, "margin": 0.3, "tenure": 0.2}
    res = rank_reversal(
        customers, lambda f: mcabc.topsis(f, w, normalisation="minmax"), remove="best"
    )
    assert res.changes.loc[0, "flipped_pairs"] > 0
    assert 0 < res.changes.loc[0, "share_flipped"] < 0.5


def test_flip_count_by_hand():
    """score = 4 z_x^2 + z_y on min-max columns. With d: z_x = (0, 1/9, 2/9), z_y = (1, 2/3, 1/3)
    for a, b, c -> scores 1, 0.716, 0.531 (a > b > c). Without d: z_x = (0, .5, 1),
    z_y = (1, .5, 0) -> 1, 1.5, 4 (c > b > a): all 3 pairs flip."""
    frame = pd.DataFrame(
        {"x": [1.0, 2.0, 3.0, 10.0], "y": [3.0, 2.0, 1.0, 0.0]}, index=list("abcd")
    )

    def score(f):  # min-max each column, then x^2 + y (non-linear in the normalisation)
        z = (f - f.min()) / (f.max() - f.min())
        return z["x"] ** 2 * 4 + z["y"]

    res = rank_reversal(frame, score, remove=["d"])
    full = score(frame)[["a", "b", "c"]].to_numpy()
    part = score(frame.drop(index="d")).to_numpy()
    flips = sum(
        (full[i] - full[j]) * (part[i] - part[j]) < 0 for i in range(3) for j in range(i + 1, 3)
    )
    assert res.changes.loc[0, "flipped_pairs"] == flips == 3
    assert res.changes.loc[0, "top_changed"]
    added = rank_reversal(frame, score, remove=[], add=frame.loc[["a"]].rename(index={"a": "a2"}))
    assert added.changes.loc[0, "change"] == "add 1"


def test_rank_reversal_errors(customers):
    with pytest.raises(ValueError, match="remove='middle'"):
        rank_reversal(customers, lambda f: f["spend"], remove="middle")
    with pytest.raises(InputDataError, match="not customers"):
        rank_reversal(customers, lambda f: f["spend"], remove=[9999])


def test_top_k_overlap():
    s = pd.DataFrame({"a": np.arange(10.0), "b": np.arange(10.0)[::-1], "c": np.arange(10.0)})
    out = top_k_overlap(s, k=[3, 10, 50])
    ab = out[(out.method_a == "a") & (out.method_b == "b")].set_index("k")
    assert ab.loc[3, "common"] == 0 and ab.loc[10, "overlap"] == 1.0
    ac = out[(out.method_a == "a") & (out.method_b == "c")].set_index("k")
    assert (ac["overlap"] == 1.0).all() and (ac["jaccard"] == 1.0).all()
    assert set(out["k"]) == {3, 10}  # 50 capped at 10 customers
    with pytest.raises(ValueError, match="k="):
        top_k_overlap(s, k=0)
