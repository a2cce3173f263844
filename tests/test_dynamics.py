"""Tests for abclab.dynamics: migration matrix, review triggers (source 003 §三(六)), hysteresis."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abclab.clv import CHURN_TIERS
from abclab.dynamics import (
    TRIGGER_COLUMNS,
    apply_hysteresis,
    customer_triggers,
    hysteresis_path,
    migration_matrix,
    trigger_review,
    trigger_table,
)
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


def test_trigger_table_lists_each_fired_rule_by_hand():
    """Source 003 §三(六): one row per customer and rule that fired, the values that fired."""
    prev = pd.DataFrame({"annual_spend": [100.0, 100.0, 100.0]}, index=["a", "b", "c"])
    curr = pd.DataFrame({"annual_spend": [60.0, 110.0, 0.0, 5.0],
                         "months_without_purchase": [1, 0, 7, 0]},
                        index=["a", "b", "c", "n"])  # fmt: skip
    table = trigger_table(trigger_review(prev, curr))
    assert list(table.columns) == TRIGGER_COLUMNS
    assert list(zip(table["customer"], table["rule"], strict=True)) == [
        ("a", "spend_change"), ("c", "spend_change"), ("c", "inactive"), ("n", "new")]  # fmt: skip
    assert table["value"].iloc[:3].tolist() == pytest.approx([-0.4, -1.0, 7.0])
    assert table["threshold"].iloc[:3].tolist() == [0.3, 0.3, 3.0]
    assert np.isnan(table["value"].iloc[3])


def test_customer_triggers_on_a_log():
    """Spend of the 12 months before as_of against the 12 before those; months since the
    last purchase; a customer without a previous year is 'new', not a +inf spend change."""
    log = pd.DataFrame({
        "id": ["a", "a", "b", "b", "c", "d", "d"],
        "day": ["2023-03-01", "2024-03-01", "2023-05-01", "2024-11-01", "2024-11-15",
                "2023-02-01", "2024-12-01"],
        "value": [100.0, 50.0, 80.0, 85.0, 20.0, 10.0, 20.0],
    })  # fmt: skip
    table = customer_triggers(log, customer="id", date="day", amount="value", as_of="2025-01-01")
    fired = list(zip(table["customer"], table["rule"], strict=True))
    # customers of the previous year first (a, b, d), then the new ones (c)
    assert fired == [("a", "spend_change"), ("a", "inactive"), ("d", "spend_change"),
                     ("c", "new")]  # fmt: skip
    assert table.set_index(["customer", "rule"]).loc[("a", "inactive"), "value"] == 10
    loose = customer_triggers(log, customer="id", date="day", amount="value",
                              as_of="2025-01-01", spend_change=1.5, inactive_months=12)  # fmt: skip
    assert list(zip(loose["customer"], loose["rule"], strict=True)) == [("c", "new")]


def test_customer_triggers_on_the_demo():
    """The demo's leavers (data/demo/README.md) fire the inactivity rule."""
    root = Path(__file__).resolve().parents[1] / "data" / "demo"
    table = customer_triggers(root / "transactions.csv", customer="customer_id", date="date",
                              amount="amount", as_of="2025-01-01")  # fmt: skip
    inactive = set(table.loc[table["rule"] == "inactive", "customer"])
    log = pd.read_csv(root / "transactions.csv", parse_dates=["date"])
    last = log[log["amount"] >= 0].groupby("customer_id")["date"].max()
    assert set(last[last < pd.Timestamp("2024-01-01")].index) <= inactive


def test_hysteresis_damps_churn_tier_changes():
    """The churn-risk tiers cut P(alive) at 0.7 and 0.4 (abclab.clv.churn_codes); on a 0-100
    scale apply_hysteresis keeps a customer whose P(alive) dips just under a cut in its tier."""
    prev = pd.Series(["stable", "watch", "stable"], index=["a", "b", "c"])
    p_alive = pd.Series([0.68, 0.43, 0.30], index=["a", "b", "c"])
    out = apply_hysteresis(prev, 100 * p_alive, cuts=(70, 40), labels=CHURN_TIERS, margin=5)
    assert out.astype(str).tolist() == ["stable", "watch", "at risk"]
    plain = apply_hysteresis(prev, 100 * p_alive, cuts=(70, 40), labels=CHURN_TIERS)
    assert plain.astype(str).tolist() == ["watch", "watch", "at risk"]
