"""Tests for abclab.dynamics: migration matrix, review triggers (source 003 §三(六)), hysteresis."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abclab.dynamics import apply_hysteresis, hysteresis_path, migration_matrix, trigger_review
from abclab.exceptions import InputDataError

CUTS = (90, 75, 60)  # source 003 步骤四: 90-100 / 75-89 / 60-74 / < 60
LABELS = ["strategic", "key", "ordinary", "potential"]


def _tiers(values, index, cats=("A", "B", "C")) -> pd.Series:
    return pd.Series(pd.Categorical(values, categories=list(cats), ordered=True), index=index)


def test_migration_matrix_counts_new_and_lost():
    prev = _tiers(["A", "A", "B", "C", "C"], ["c1", "c2", "c3", "c4", "c5"])
    curr = _tiers(["A", "B", "B", "A", "C"], ["c1", "c2", "c3", "c4", "c6"])
    out = migration_matrix(prev, curr)
    expected = pd.DataFrame(
        [[1, 1, 0, 0], [0, 1, 0, 0], [1, 0, 0, 1], [0, 0, 1, 0]],
        index=pd.Index(["A", "B", "C", "new"], name="previous"),
        columns=pd.Index(["A", "B", "C", "lost"], name="current"),
    )
    pd.testing.assert_frame_equal(out, expected)
    shares = migration_matrix(prev, curr, normalize=True)
    np.testing.assert_allclose(shares.loc["A"], [0.5, 0.5, 0, 0])
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)


@settings(max_examples=40, deadline=None)
@given(
    prev=st.lists(st.sampled_from(["A", "B", "C", None]), min_size=0, max_size=30),
    curr=st.lists(st.sampled_from(["A", "B", "C", None]), min_size=0, max_size=30),
)
def test_migration_matrix_accounts_for_every_customer(prev, curr):
    p = _tiers(prev, [f"c{i}" for i in range(len(prev))])
    c = _tiers(curr, [f"c{i}" for i in range(len(curr))])
    out = migration_matrix(p, c)
    in_p = p.notna().sum()
    in_c = c.notna().sum()
    assert out.drop(index="new").to_numpy().sum() == in_p  # every previous customer: one row
    assert out.drop(columns="lost").to_numpy().sum() == in_c  # every current customer: one column
    assert out.loc["new", "lost"] == 0


def test_trigger_review_source003_rules():
    """Source 003 §三(六): 年消费额变化超过30% or 连续3个月无交易 triggers a re-grade."""
    prev = pd.DataFrame(
        {"annual_spend": [100.0, 100.0, 100.0, 0.0, 50.0, 80.0]}, index=list("abcdeg")
    )
    curr = pd.DataFrame(
        {
            "annual_spend": [130.0, 131.0, 60.0, 10.0, 50.0, 10.0],
            "months_without_purchase": [0, 0, 1, 0, 3, 4],
        },
        index=list("abcdef"),
    )
    out = trigger_review(prev, curr)
    # a: exactly +30 % is not "more than 30 %"; b: +31 %; c: -40 %; d: 0 -> 10; e: 3 months
    assert out.loc[list("abcde"), "review"].tolist() == [False, True, True, True, True]
    assert out.loc["b", "spend_change"] == pytest.approx(0.31)
    assert out.loc["c", "reason"] == "spend"
    assert out.loc["e", "reason"] == "inactive"
    assert out.loc["f", "reason"] == "new" and out.loc["g", "reason"] == "lost"
    assert out.loc["f", "review"] and out.loc["g", "review"]
    assert pd.isna(out.loc["a", "reason"])
    loose = trigger_review(prev, curr, spend_change=0.5, inactive_months=4)
    assert loose.loc[list("abce"), "review"].tolist() == [False, False, False, False]


def test_trigger_review_bad_input():
    prev = pd.DataFrame({"spend": [1.0]}, index=["a"])
    curr = pd.DataFrame({"annual_spend": [1.0], "months_without_purchase": [0]}, index=["a"])
    with pytest.raises(InputDataError, match="previous_metrics: no column 'annual_spend'"):
        trigger_review(prev, curr)


def test_hysteresis_margin_blocks_small_crossings():
    """Previous tier key (75-89). With margin 2: 91 stays key, 92 is strategic; 74 stays key,
    72 is ordinary; 50 drops two tiers to potential."""
    idx = list("pqrst")
    prev = pd.Series(["key"] * 5, index=idx)
    scores = pd.Series([91.0, 92.0, 74.0, 72.0, 50.0], index=idx)
    out = apply_hysteresis(prev, scores, cuts=CUTS, labels=LABELS, margin=2.0)
    assert out.tolist() == ["key", "strategic", "key", "ordinary", "potential"]
    plain = apply_hysteresis(prev, scores, cuts=CUTS, labels=LABELS, margin=0.0)
    assert plain.tolist() == ["strategic", "strategic", "ordinary", "ordinary", "potential"]
    assert out.attrs["cut_points"] == {"cuts": [90.0, 75.0, 60.0], "margin": 2.0, "consecutive": 1}


def test_hysteresis_no_flapping_around_a_boundary():
    """A score oscillating 89/91 around the 90 cut flaps every period without hysteresis and
    never with a margin of 2; a real jump (95) still goes through."""
    scores = pd.DataFrame([[89.0, 91.0, 89.0, 91.0, 89.0, 95.0, 89.0]], index=["c1"])
    plain = hysteresis_path(scores, cuts=CUTS, labels=LABELS)
    assert plain.iloc[0].tolist() == [
        "key",
        "strategic",
        "key",
        "strategic",
        "key",
        "strategic",
        "key",
    ]
    damped = hysteresis_path(scores, cuts=CUTS, labels=LABELS, margin=2.0)
    assert damped.iloc[0].tolist() == ["key"] * 5 + ["strategic", "strategic"]


def test_hysteresis_consecutive_periods():
    """consecutive=2: a move needs two periods beyond the boundary in a row."""
    scores = pd.DataFrame([[80.0, 91.0, 80.0, 91.0, 92.0, 70.0, 70.0]], index=["c1"])
    out = hysteresis_path(scores, cuts=CUTS, labels=LABELS, consecutive=2)
    assert out.iloc[0].tolist() == [
        "key",
        "key",
        "key",
        "key",
        "strategic",
        "strategic",
        "ordinary",
    ]


def test_hysteresis_consecutive_takes_least_extreme_tier():
    prev = pd.Series(["key"], index=["c"])
    history = pd.DataFrame({"t1": [70.0]}, index=["c"])
    out = apply_hysteresis(
        prev,
        pd.Series([50.0], index=["c"]),
        cuts=CUTS,
        labels=LABELS,
        consecutive=2,
        history=history,
    )
    assert out.tolist() == ["ordinary"]  # 70 -> ordinary, 50 -> potential: the milder move


def test_hysteresis_new_customer_and_errors():
    prev = pd.Series(["key", None], index=["a", "b"])
    out = apply_hysteresis(
        prev, pd.Series([91.0, 91.0], index=["a", "b"]), cuts=CUTS, labels=LABELS, margin=5
    )
    assert out.tolist() == ["key", "strategic"]
    with pytest.raises(InputDataError, match=r"labels \['gold'\] are not among"):
        apply_hysteresis(
            pd.Series(["gold"], index=["a"]),
            pd.Series([1.0], index=["a"]),
            cuts=CUTS,
            labels=LABELS,
        )
    with pytest.raises(InputDataError, match="consecutive=3 needs the 2 previous period"):
        apply_hysteresis(
            prev, pd.Series([1.0, 2.0], index=["a", "b"]), cuts=CUTS, labels=LABELS, consecutive=3
        )
    with pytest.raises(ValueError, match="margin=-1"):
        apply_hysteresis(
            prev, pd.Series([1.0, 2.0], index=["a", "b"]), cuts=CUTS, labels=LABELS, margin=-1
        )
