"""Line-level keying errors and returns (issue 9, item 4): hand cases, the leave-one-out
median kernel against a brute-force reference, the skewed-spend scenario of the issue."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from abclab.cleaning import (
    LINE_FLAG_COLUMNS,
    clean_customers,
    flag_lines,
    summarise_returns,
)
from abclab.cleaning._lines import _leave_one_out_median
from abclab.exceptions import InputDataError
from abclab.features import transaction_features


def _log(rows):
    return pd.DataFrame(rows, columns=["customer", "date", "amount"])


def test_hand_case():
    """a: 100, 120, 90, 11000 → the others of 11000 have median 100: 110×. b's lines are
    alike. The positive lines' linear 0.75-quantile (top_quantile=0.75) of [90, 100, 120,
    5000, 6000, 11000] is 5000 + 0.75·1000 = 5750 < 11000."""
    tx = _log(
        [
            ("a", "2024-01-01", 100.0),
            ("a", "2024-01-02", 120.0),
            ("a", "2024-01-03", 90.0),
            ("a", "2024-01-04", 11000.0),
            ("b", "2024-01-05", 5000.0),
            ("b", "2024-01-06", 6000.0),
            ("b", "2024-01-07", -300.0),  # a return: not assessed, not counted
        ]
    )
    out = flag_lines(tx, customer="customer", amount="amount", date="date", top_quantile=0.75)
    assert list(out.columns) == LINE_FLAG_COLUMNS
    assert len(out) == 1
    row = out.iloc[0]
    assert (row["row"], row["date"], row["customer"], row["amount"]) == (
        3,
        "2024-01-04",
        "a",
        11000.0,
    )
    assert row["customer_median"] == pytest.approx(100.0)
    assert row["multiple"] == pytest.approx(110.0)
    assert row["file_percentile"] == pytest.approx(100.0)
    assert row["other_lines"] == 3
    assert row["reason"] == (
        "110.0× the customer's median line 100.00 (over 3 other lines) and above the file's "
        "75th percentile 5,750.00"
    )


def test_a_large_line_that_is_not_among_the_files_largest_is_kept():
    """A small customer's one 20× order (200 against lines of 10) is far below the file's
    top 1 % (the large customer's lines of 10 000): not a keying error."""
    tx = _log([("s", "d", v) for v in (10.0, 10.0, 10.0, 200.0)] + [("L", "d", 1e4)] * 200)
    assert flag_lines(tx, customer="customer", amount="amount", date="date").empty


def test_min_history_and_a_single_other_line():
    """With one other line, that line is the median: 5 → 500 is 100×. A customer with a
    single line (b) has no history and is never assessed. The 0.99-quantile of the 103
    positive lines (100 × 1, 5, 500, 9e9) is at position 100.98: 5 + 0.98·495 = 490.1."""
    tx = _log([("a", "d", 5.0), ("a", "d", 500.0), ("b", "d", 9e9)] + [("c", "d", 1.0)] * 100)
    one = flag_lines(tx, customer="customer", amount="amount", date="date", min_history=1)
    assert one[["customer", "amount"]].values.tolist() == [["a", 500.0]]
    assert one["multiple"].iloc[0] == pytest.approx(100.0)
    assert flag_lines(tx, customer="customer", amount="amount", date="date").empty  # needs 2


def test_aliases_book_a_duplicates_lines_under_the_kept_record():
    tx = _log(
        [("dup", "d", 100.0), ("dup", "d", 100.0), ("kept", "d", 5000.0)] + [("z", "d", 1.0)] * 100
    )
    plain = flag_lines(tx, customer="customer", amount="amount", date="date", min_history=1)
    assert plain.empty  # "kept" alone has no history
    merged = flag_lines(
        tx,
        customer="customer",
        amount="amount",
        date="date",
        min_history=1,
        aliases={"dup": "kept"},
    )
    assert merged[["row", "customer"]].values.tolist() == [[2, "kept"]]
    assert merged["multiple"].iloc[0] == pytest.approx(50.0)


def test_skewed_spend_genuine_large_accounts_are_not_flagged_but_a_keyed_line_is():
    """120 customers, lognormal typical line exp(8 + 1.4 z) (σ of the demo), 12 lines each
    varying ±30 %; the median customer (C060) gets one line keyed 100× too large. The annual
    spend's log-scale rules flag no customer (not the genuine large accounts, nor C060, whose
    spend grows ~9×, 1.6σ of ln spend); the raw rule flags the large accounts; the line rule
    flags exactly the keyed line."""
    n, lines = 120, 12
    z = stats.norm.ppf((np.arange(1, n + 1) - 0.5) / n)
    typical = np.exp(8 + 1.4 * z)
    wobble = np.tile(np.linspace(0.7, 1.3, lines), n)
    amount = np.repeat(typical, lines) * wobble
    customer = np.repeat([f"C{i:03d}" for i in range(n)], lines)
    keyed = 60 * lines + 4
    amount[keyed] *= 100
    tx = pd.DataFrame({"customer": customer, "date": "2024-06-30", "amount": amount})
    flagged = flag_lines(tx, customer="customer", amount="amount", date="date")
    assert flagged["row"].tolist() == [keyed]
    assert flagged["multiple"].iloc[0] == pytest.approx(100 * wobble[4], rel=0.15)
    spend = tx.groupby("customer")["amount"].sum().to_frame("spend")
    for rule in ("iqr_log", "mad_log"):
        result = clean_customers(spend, policies={"spend": {"outliers": rule, "iqr_k": 3}})
        assert not result.log["rule"].str.startswith("outlier").any(), rule
    raw = clean_customers(spend, policies={"spend": {"outliers": "iqr", "iqr_k": 3}})
    raw_flags = raw.log.loc[raw.log["rule"] == "outlier_iqr", "customer"].tolist()
    assert len(set(raw_flags) - {"C060"}) >= 5  # genuine large accounts


def test_bad_arguments():
    tx = _log([("a", "d", 1.0)])
    kwargs = {"customer": "customer", "amount": "amount", "date": "date"}
    with pytest.raises(InputDataError, match="amount='value' is not a column"):
        flag_lines(tx, **{**kwargs, "amount": "value"})
    with pytest.raises(ValueError, match="k must be a number > 1"):
        flag_lines(tx, **kwargs, k=1)
    with pytest.raises(ValueError, match=r"top_quantile must be in \(0, 1\)"):
        flag_lines(tx, **kwargs, top_quantile=1.0)
    with pytest.raises(ValueError, match="min_history must be a positive integer"):
        flag_lines(tx, **kwargs, min_history=0)
    text = _log([("a", "d", "1.0"), ("a", "d", "lots")])
    with pytest.raises(InputDataError, match="row 2 .*cannot read 'lots' as a number"):
        flag_lines(text, **kwargs)
    assert flag_lines(_log([]), **kwargs).empty


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.floats(-5, 5, allow_nan=False)), min_size=1, max_size=30
    )
)
def test_leave_one_out_median_equals_brute_force(pairs):
    codes = np.array([c for c, _ in pairs])
    codes = pd.factorize(codes)[0]
    y = np.array([v for _, v in pairs])
    median, others = _leave_one_out_median(codes, y)
    for i in range(len(y)):
        rest = np.delete(
            y[codes == codes[i]], np.flatnonzero(np.flatnonzero(codes == codes[i]) == i)
        )
        assert others[i] == len(rest)
        if len(rest):
            assert median[i] == pytest.approx(np.median(rest))
        else:
            assert np.isnan(median[i])


def test_returns_per_customer_and_in_total():
    """a: 100 + 50 - 30 (one return of 30; net 120, gross 150, share 0.2); b: 80 - 10 - 10
    (two returns; net 60, gross 80, share 0.25); c: 40, no return. Total: 3 returns, 50 of
    gross 220 + 50 = 270."""
    tx = pd.DataFrame(
        {
            "cust": ["a", "a", "a", "b", "b", "b", "c"],
            "day": pd.to_datetime(["2024-01-05", "2024-02-01", "2024-03-01"] * 2 + ["2024-01-09"]),
            "value": [100.0, 50.0, -30.0, 80.0, -10.0, -10.0, 40.0],
        }
    )
    features = transaction_features(tx, customer="cust", date="day", amount="value")
    summary = summarise_returns(features)
    assert summary.to_frame().to_dict("index") == {  # most returned first
        "a": {
            "return_count": 1,
            "returned_amount": 30.0,
            "gross_spend": 150.0,
            "return_share": 0.2,
        },
        "b": {
            "return_count": 2,
            "returned_amount": 20.0,
            "gross_spend": 80.0,
            "return_share": 0.25,
        },
    }
    total = summary.total
    assert (total["return_count"], total["returned_amount"], total["customers"]) == (3, 50.0, 2)
    assert total["gross_spend"] == pytest.approx(270.0)
    assert total["return_share"] == pytest.approx(50 / 270)
    # the same numbers from the joined frame; without total_spend no gross figures
    assert summarise_returns(features.to_frame()).total.equals(total)
    bare = summarise_returns(features.returns)
    assert bare.total["returned_amount"] == 50.0 and np.isnan(bare.total["gross_spend"])
    with pytest.raises(InputDataError, match="return_count"):
        summarise_returns(pd.DataFrame({"x": [1]}))


def test_demo_log_flags_only_the_planted_line():
    """data/demo/README.md: invoice row 654 (C0372, 2022-04-17) is keyed 100× too large;
    with the defaults it is the only line flagged (203× the median of C0372's other 6
    lines; the next largest multiple in the file is 8.7×)."""
    path = Path(__file__).resolve().parents[1] / "data" / "demo" / "transactions.csv"
    tx = pd.read_csv(path)
    flagged = flag_lines(tx, customer="customer_id", amount="amount", date="date")
    assert flagged[["row", "customer", "date"]].values.tolist() == [[654, "C0372", "2022-04-17"]]
    assert flagged["multiple"].iloc[0] == pytest.approx(203.1, abs=0.1)
