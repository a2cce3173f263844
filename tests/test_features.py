"""Tests for abclab.features (transaction log → per-customer criteria)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abclab import datasets
from abclab.exceptions import InputDataError
from abclab.features import TransactionFeatures, from_transactions, transaction_features

ALL = dict(datasets.DEMO_LOG_COLUMNS)


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    return datasets.load("cdnow")


@pytest.fixture(scope="module")
def cdnow_features(cdnow: pd.DataFrame) -> pd.DataFrame:
    return from_transactions(cdnow, customer="customer_id", date="date", amount="dollar_value")


@pytest.fixture(scope="module")
def demo_log() -> pd.DataFrame:
    return datasets.load("demo_transactions")


@pytest.fixture
def small_log() -> pd.DataFrame:
    """Two customers; every number in ``test_small_log_by_hand`` is worked out from this."""
    return pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "a", "b", "b", "a"],
            "date": [
                "2023-01-10",
                "2023-12-20",
                "2024-02-03",
                "2024-02-20",
                "2024-01-05",
                "2024-03-01",
                "2024-03-20",  # after as_of: ignored
            ],
            "amount": [100.0, -20.0, 50.0, 30.0, 80.0, 30.0, 999.0],
            "profit": [10.0, -2.0, 5.0, 6.0, 8.0, 3.0, 99.0],
            "category": ["m", "m", "n", "n", "m", "o", "p"],
            "due_date": [
                "2023-02-10",
                None,
                "2024-03-03",
                "2024-03-20",
                "2024-02-05",
                "2024-04-01",
                "2024-04-20",
            ],
            "paid_date": [
                "2023-02-01",
                None,
                "2024-03-10",
                "2024-03-01",
                "2024-02-05",
                None,
                None,
            ],
        }
    )


# ------------------------------------------------------------------ CDNOW against pandas


def test_cdnow_matches_independent_pandas_groupby(cdnow, cdnow_features):
    """CDNOW (Fader & Hardie; 23,570 customers, 69,659 purchases): every customer present and
    count, sum, first/last purchase and distinct months equal to a pandas groupby."""
    grouped = cdnow.groupby("customer_id")
    expected = pd.DataFrame(
        {
            "purchase_count": grouped.size(),
            "total_spend": grouped["dollar_value"].sum(),
            "first_purchase": grouped["date"].min(),
            "last_purchase": grouped["date"].max(),
            "active_months": cdnow.assign(m=cdnow["date"].dt.to_period("M"))
            .groupby("customer_id")["m"]
            .nunique(),
        }
    )
    got = cdnow_features
    assert len(got) == 23_570 == cdnow["customer_id"].nunique()
    assert got.index.name == "customer_id"
    assert got.index.equals(expected.index)
    assert got["purchase_count"].sum() == 69_659
    pd.testing.assert_series_equal(
        got["purchase_count"], expected["purchase_count"], check_names=False
    )
    np.testing.assert_allclose(got["total_spend"], expected["total_spend"], rtol=1e-12)
    for column in ("first_purchase", "last_purchase"):
        assert (got[column].to_numpy() == expected[column].to_numpy()).all(), column
    np.testing.assert_array_equal(got["active_months"], expected["active_months"])


def test_cdnow_windows_and_recency_against_pandas(cdnow, cdnow_features):
    """Default as_of is the day after the last date (1998-06-30 → 1998-07-01); spend windows
    [as_of − 12 m, as_of) and [as_of − 24 m, as_of − 12 m) recomputed with pandas."""
    as_of = pd.Timestamp("1998-07-01")
    got = cdnow_features
    last = cdnow.groupby("customer_id")["date"].max()
    np.testing.assert_array_equal(got["recency_days"], (as_of - last).dt.days)
    recent = cdnow[cdnow["date"] >= pd.Timestamp("1997-07-01")]
    spend_12m = recent.groupby("customer_id")["dollar_value"].sum().reindex(got.index, fill_value=0)
    np.testing.assert_allclose(got["spend_12m"], spend_12m, rtol=1e-12, atol=1e-9)
    prev = cdnow[cdnow["date"] < pd.Timestamp("1997-07-01")]
    spend_prev = prev.groupby("customer_id")["dollar_value"].sum().reindex(got.index, fill_value=0)
    np.testing.assert_allclose(got["spend_prev_12m"], spend_prev, rtol=1e-12, atol=1e-9)
    growth = np.where(spend_prev > 0, spend_12m / spend_prev.where(spend_prev > 0) - 1, np.nan)
    np.testing.assert_allclose(got["spend_growth"], growth, rtol=1e-12)


def test_cdnow_against_lifetimes_summary(cdnow, cdnow_features):
    """Peer library side by side: lifetimes' ``T`` = days from first purchase to the
    observation end (inclusive, 1998-06-30) and ``recency`` = last − first purchase (days)."""
    utils = pytest.importorskip("lifetimes.utils")
    summary = utils.summary_data_from_transaction_data(
        cdnow, "customer_id", "date", observation_period_end="1998-06-30"
    )
    got = cdnow_features.loc[summary.index]
    tenure_days = np.round(got["tenure_years"] * 365.25).astype(int)
    np.testing.assert_array_equal(tenure_days - 1, summary["T"].astype(int))
    span = (got["last_purchase"] - got["first_purchase"]).dt.days
    np.testing.assert_array_equal(span, summary["recency"].astype(int))


# ------------------------------------------------------------------ hand-computed cases


def test_small_log_by_hand(small_log):
    """as_of 2024-03-15 (exclusive): the 2024-03-20 line is dropped. Customer a: purchases
    100, 50, 30 and a return of 20 → total 160; b: 80 + 30 = 110."""
    result = transaction_features(small_log, as_of="2024-03-15", **ALL)
    assert isinstance(result, TransactionFeatures)
    assert result.as_of == pd.Timestamp("2024-03-15")
    a, b = result.customers.loc["a"], result.customers.loc["b"]
    assert a["purchase_count"] == 3 and b["purchase_count"] == 2
    assert a["total_spend"] == pytest.approx(160.0) and b["total_spend"] == pytest.approx(110.0)
    assert a["profit"] == pytest.approx(19.0) and a["margin"] == pytest.approx(19 / 160)
    assert b["margin"] == pytest.approx(11 / 110)
    assert a["first_purchase"] == pd.Timestamp("2023-01-10")
    assert a["last_purchase"] == pd.Timestamp("2024-02-20")
    # 2024-02-20 → 2024-03-15: 9 + 15 days; 2023-01-10 → 2024-03-15: 430 days
    assert a["recency_days"] == 24
    assert a["tenure_years"] == pytest.approx(430 / 365.25)
    assert a["annual_spend"] == pytest.approx(160 / (430 / 365.25))
    # b's tenure (70 days) is below one year: the window is floored at one year
    assert b["tenure_years"] == pytest.approx(70 / 365.25)
    assert b["annual_spend"] == pytest.approx(110.0)
    assert a["active_months"] == 2  # 2023-01 and 2024-02 (the 2023-12 line is a return)
    assert a["months_since_last_purchase"] == 0 and b["months_since_last_purchase"] == 0
    # windows [2023-03-15, 2024-03-15) and [2022-03-15, 2023-03-15)
    assert a["spend_12m"] == pytest.approx(-20 + 50 + 30)
    assert a["spend_prev_12m"] == pytest.approx(100.0)
    assert a["spend_growth"] == pytest.approx(60 / 100 - 1)
    assert b["spend_prev_12m"] == 0.0 and np.isnan(b["spend_growth"])
    # categories bought before as_of: m, n, o (p is after as_of)
    assert a["cross_purchase_rate"] == pytest.approx(2 / 3)
    assert b["cross_purchase_rate"] == pytest.approx(2 / 3)
    # a: on time (02-01 ≤ 02-10), late (03-10 > 03-03), paid early but due after as_of and
    # paid before it (03-01 ≤ 03-20) → 2 of 3; b: on time, and one not yet due → 1 of 1
    assert a["on_time_payment_rate"] == pytest.approx(2 / 3)
    assert b["on_time_payment_rate"] == pytest.approx(1.0)
    assert result.returns.loc["a"].tolist() == [1, 20.0]
    assert result.returns.loc["b"].tolist() == [0, 0.0]
    joined = result.to_frame()
    assert list(joined.columns[-2:]) == ["return_count", "returned_amount"]


def test_columns_are_stable_and_optional_ones_only_when_given(small_log):
    minimal = from_transactions(small_log, customer="customer_id", date="date", amount="amount")
    assert list(minimal.columns) == [
        "purchase_count",
        "line_count",
        "total_spend",
        "annual_spend",
        "first_purchase",
        "last_purchase",
        "recency_days",
        "tenure_years",
        "active_months",
        "months_since_last_purchase",
        "spend_12m",
        "spend_prev_12m",
        "spend_growth",
    ]
    full = from_transactions(small_log, **ALL)
    assert {"profit", "margin", "cross_purchase_rate", "on_time_payment_rate"} <= set(full.columns)


def test_default_as_of_is_day_after_last_date(small_log):
    """Last date 2024-03-20 → as_of 2024-03-21; a's last purchase is then 2024-03-20."""
    result = transaction_features(small_log, customer="customer_id", date="date", amount="amount")
    assert result.as_of == pd.Timestamp("2024-03-21")
    assert result.customers.at["a", "recency_days"] == 1
    assert result.customers.at["a", "total_spend"] == pytest.approx(160.0 + 999.0)


def test_months_since_last_purchase_counts_whole_months():
    """Source 003's trigger "连续3个月无交易": last purchase 2024-01-15, as_of 2024-04-16 → 3;
    as_of 2024-04-14 → 2."""
    log = pd.DataFrame({"c": [1], "d": ["2024-01-15"], "x": [10.0]})
    for as_of, months in (("2024-04-16", 3), ("2024-04-14", 2)):
        got = from_transactions(log, customer="c", date="d", amount="x", as_of=as_of)
        assert got.at[1, "months_since_last_purchase"] == months


def test_customer_with_only_returns_is_kept():
    log = pd.DataFrame({"c": ["a", "b"], "d": ["2024-01-02", "2024-01-03"], "x": [50.0, -5.0]})
    got = transaction_features(log, customer="c", date="d", amount="x")
    assert list(got.customers.index) == ["a", "b"]
    assert got.customers.at["b", "purchase_count"] == 0
    assert pd.isna(got.customers.at["b", "last_purchase"])
    assert np.isnan(got.customers.at["b", "recency_days"])
    assert got.returns.at["b", "returned_amount"] == pytest.approx(5.0)


@pytest.mark.parametrize(
    "dates",
    [
        ["2024-01-05", "2024-02-10"],
        ["2024/1/5", "2024/2/10"],
        ["20240105", "20240210"],
        [20240105, 20240210],
        pd.to_datetime(["2024-01-05 10:30", "2024-02-10 23:59"]),
    ],
)
def test_date_formats(dates):
    log = pd.DataFrame({"c": ["a", "a"], "d": dates, "x": [1.0, 2.0]})
    got = from_transactions(log, customer="c", date="d", amount="x", as_of="2024-03-01")
    assert got.at["a", "first_purchase"] == pd.Timestamp("2024-01-05")
    assert got.at["a", "last_purchase"] == pd.Timestamp("2024-02-10")


# ------------------------------------------------------------------ input kinds


def test_csv_parquet_and_frame_inputs_agree_on_cdnow(cdnow, cdnow_features, tmp_path):
    csv, parquet = tmp_path / "cdnow.csv", tmp_path / "cdnow.parquet"
    cdnow.to_csv(csv, index=False)
    cdnow.to_parquet(parquet, index=False)
    kw = dict(customer="customer_id", date="date", amount="dollar_value")
    for path in (csv, parquet, str(csv)):
        pd.testing.assert_frame_equal(from_transactions(path, **kw), cdnow_features)


def test_csv_parquet_and_frame_inputs_agree_on_demo(demo_log, tmp_path):
    """All optional criteria, returns and open invoices (demo company log)."""
    csv, parquet = tmp_path / "demo.csv", tmp_path / "demo.parquet"
    demo_log.to_csv(csv, index=False)
    demo_log.to_parquet(parquet, index=False)
    frames = [transaction_features(src, **ALL) for src in (demo_log, csv, parquet)]
    for other in frames[1:]:
        pd.testing.assert_frame_equal(other.customers, frames[0].customers)
        pd.testing.assert_frame_equal(other.returns, frames[0].returns)
    assert frames[0].as_of == pd.Timestamp("2025-01-01")
    returns = demo_log[demo_log["amount"] < 0]
    assert frames[0].returns["return_count"].sum() == len(returns)
    assert frames[0].returns["returned_amount"].sum() == pytest.approx(-returns["amount"].sum())


# ------------------------------------------------------------------ invariants


_logs = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c", "d"]),
        st.integers(0, 1000),  # day offset from 2022-01-01
        st.floats(-500, 5000, allow_nan=False, width=32),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=_logs, seed=st.integers(0, 2**16))
def test_sums_counts_and_order_invariance(rows, seed):
    """Net spend per customer equals the pandas sum; purchases + returns = lines; the 12-month
    windows never exceed the total; shuffling the lines changes nothing."""
    log = pd.DataFrame(rows, columns=["c", "day", "x"])
    log["d"] = pd.Timestamp("2022-01-01") + pd.to_timedelta(log.pop("day"), unit="D")
    log["x"] = log["x"].astype("float64")
    kw = dict(customer="c", date="d", amount="x")
    got = transaction_features(log, **kw)
    expected = log.groupby("c")["x"].sum()
    np.testing.assert_allclose(got.customers["total_spend"], expected, rtol=1e-9, atol=1e-6)
    lines = log.groupby("c").size()
    np.testing.assert_array_equal(
        got.customers["purchase_count"] + got.returns["return_count"], lines
    )
    windows = got.customers["spend_12m"] + got.customers["spend_prev_12m"]
    outside = log[log["d"] < got.as_of - pd.DateOffset(months=24)].groupby("c")["x"].sum()
    np.testing.assert_allclose(
        windows + outside.reindex(windows.index, fill_value=0.0),
        got.customers["total_spend"],
        rtol=1e-9,
        atol=1e-6,
    )
    shuffled = log.sample(frac=1.0, random_state=seed)
    pd.testing.assert_frame_equal(transaction_features(shuffled, **kw).customers, got.customers)


# ------------------------------------------------------------------ bad input


def test_missing_column_names_file_column_and_available(tmp_path, small_log):
    path = tmp_path / "log.csv"
    small_log.to_csv(path, index=False)
    with pytest.raises(InputDataError, match=r"log\.csv.*no column 'value'.*'customer_id'"):
        from_transactions(path, customer="customer_id", date="date", amount="value")
    with pytest.raises(InputDataError, match=r"DataFrame has no column 'cat'.*the category"):
        from_transactions(
            small_log, customer="customer_id", date="date", amount="amount", category="cat"
        )


def test_unparseable_dates_name_column_and_example():
    log = pd.DataFrame({"c": ["a", "b"], "d": ["2024-01-05", "5th of May"], "x": [1.0, 2.0]})
    with pytest.raises(InputDataError, match=r"column 'd'.*cannot read '5th of May' as a date"):
        from_transactions(log, customer="c", date="d", amount="x")


def test_unparseable_paid_date_names_column(small_log):
    log = small_log.assign(paid_date=small_log["paid_date"].fillna("paid"))
    with pytest.raises(InputDataError, match=r"column 'paid_date'.*cannot read 'paid' as a date"):
        from_transactions(log, **ALL)


def test_missing_date_amount_and_customer_are_errors():
    base = pd.DataFrame({"c": ["a", "b"], "d": ["2024-01-05", "2024-01-06"], "x": [1.0, 2.0]})
    kw = dict(customer="c", date="d", amount="x")
    with pytest.raises(InputDataError, match=r"column 'd' has 1 missing date"):
        from_transactions(base.assign(d=["2024-01-05", None]), **kw)
    with pytest.raises(InputDataError, match=r"column 'x' has 1 missing amount"):
        from_transactions(base.assign(x=[1.0, np.nan]), **kw)
    with pytest.raises(InputDataError, match=r"column 'c' has missing customer ids"):
        from_transactions(base.assign(c=["a", None]), **kw)


def test_text_amounts_and_wrong_sources_are_errors(tmp_path):
    log = pd.DataFrame({"c": ["a"], "d": ["2024-01-05"], "x": ["1,200"]})
    with pytest.raises(InputDataError, match=r"column 'x' has type VARCHAR; expected numbers"):
        from_transactions(log, customer="c", date="d", amount="x")
    with pytest.raises(InputDataError, match=r"'.*nope\.csv' does not exist"):
        from_transactions(tmp_path / "nope.csv", customer="c", date="d", amount="x")
    (tmp_path / "log.xlsx").write_bytes(b"")
    with pytest.raises(InputDataError, match=r"log\.xlsx: cannot open as an XLSX workbook"):
        from_transactions(tmp_path / "log.xlsx", customer="c", date="d", amount="x")
    with pytest.raises(InputDataError, match=r"path to a CSV/Parquet file or a pandas DataFrame"):
        from_transactions([1, 2], customer="c", date="d", amount="x")
    with pytest.raises(InputDataError, match=r"needs both due_date and paid_date; got only due"):
        from_transactions(log.assign(x=1.0), customer="c", date="d", amount="x", due_date="d")
    with pytest.raises(InputDataError, match=r"as_of='someday' is not a date"):
        from_transactions(log.assign(x=1.0), customer="c", date="d", amount="x", as_of="someday")


@pytest.mark.parametrize(("n_categories", "years"), [(6, 3), (70, 3), (6, 60)])
def test_distinct_months_and_categories_exact_on_every_code_path(n_categories, years):
    """Bit-set counting (≤ 64 categories, ≤ 512 months) and the count(DISTINCT) fallback agree
    with pandas nunique; 10 years of monthly data cross the 64-month word boundary."""
    rng = np.random.default_rng(n_categories + years)
    n = 3_000
    log = pd.DataFrame(
        {
            "c": rng.integers(0, 40, n),
            "d": pd.Timestamp("2024-12-31") - pd.to_timedelta(rng.integers(0, 365 * years, n), "D"),
            "x": rng.normal(100, 80, n).round(2),
            "k": [f"cat{i}" for i in rng.integers(0, n_categories, n)],
        }
    )
    got = from_transactions(log, customer="c", date="d", amount="x", category="k")
    buys = log[log["x"] >= 0]
    months = buys.groupby("c")["d"].apply(lambda s: s.dt.to_period("M").nunique())
    np.testing.assert_array_equal(got["active_months"], months.reindex(got.index, fill_value=0))
    cats = buys.groupby("c")["k"].nunique().reindex(got.index, fill_value=0)
    np.testing.assert_allclose(got["cross_purchase_rate"], cats / buys["k"].nunique())


# ------------------------------------------------------------------ execution paths


def test_csv_with_as_of_counts_missing_values_inside_the_aggregation(tmp_path, small_log):
    """With as_of given, a CSV file is not pre-scanned: missing dates and amounts (also on
    lines after as_of) are counted by the aggregation itself and still named."""
    kw = dict(customer="customer_id", date="date", amount="amount", as_of="2024-03-15")
    for column, value, message in (
        ("date", None, r"column 'date' has 1 missing date"),
        ("amount", np.nan, r"column 'amount' has 1 missing amount"),
        ("date", "soon", r"date\.csv: column 'date': row 8 of the file: cannot read 'soon'"),
    ):
        log = small_log.copy()
        log[column] = log[column].astype(object)
        log.loc[6, column] = value  # the 2024-03-20 line, after as_of
        path = tmp_path / f"{column}.csv"
        log.to_csv(path, index=False)
        with pytest.raises(InputDataError, match=message):
            from_transactions(path, **kw)


def test_typed_dates_with_as_of_are_checked_before_the_aggregation(small_log, tmp_path):
    """A DATE/TIMESTAMP column is checked from statistics / one scan before aggregating."""
    log = small_log.assign(date=pd.to_datetime(small_log["date"]))
    log.loc[6, "date"] = pd.NaT
    log.to_parquet(tmp_path / "log.parquet", index=False)
    for source in (log, tmp_path / "log.parquet"):
        with pytest.raises(InputDataError, match=r"column 'date' has 1 missing date"):
            from_transactions(
                source, customer="customer_id", date="date", amount="amount", as_of="2024-03-15"
            )


def test_unparseable_paid_date_after_as_of_is_still_reported(small_log):
    """Every value of a text due/paid column is checked, also on lines after as_of."""
    log = small_log.copy()
    log.loc[6, "paid_date"] = "never"  # the 2024-03-20 line, after as_of
    with pytest.raises(InputDataError, match=r"column 'paid_date'.*cannot read 'never' as a date"):
        from_transactions(log, as_of="2024-03-15", **ALL)


def test_long_history_with_as_of_recounts_months_exactly(tmp_path):
    """A CSV log over 15 years with as_of given: the default 128-month bit set is too short,
    detected from the earliest purchase, and the months are recounted exactly (pandas)."""
    rng = np.random.default_rng(7)
    n = 2_000
    days = rng.integers(0, 365 * 15, n)
    log = pd.DataFrame(
        {
            "c": rng.integers(0, 30, n),
            "d": pd.Timestamp("2010-01-01") + pd.to_timedelta(days, "D"),
            "x": rng.normal(100, 80, n).round(2),
        }
    )
    path = tmp_path / "long.csv"
    log.to_csv(path, index=False)
    as_of = pd.Timestamp("2024-07-01")
    got = from_transactions(path, customer="c", date="d", amount="x", as_of=as_of)
    buys = log[(log["x"] >= 0) & (log["d"] < as_of)]
    assert (as_of - buys["d"].min()).days > 128 * 31  # beyond the default bit set
    months = buys.groupby("c")["d"].apply(lambda s: s.dt.to_period("M").nunique())
    np.testing.assert_array_equal(got["active_months"], months.reindex(got.index, fill_value=0))
    pd.testing.assert_frame_equal(
        got, from_transactions(log, customer="c", date="d", amount="x", as_of=as_of)
    )


def test_category_only_returned_or_bought_late_is_not_in_the_denominator():
    """Cross-purchase rate = categories bought / categories bought by anyone before as_of:
    'z' (only returned) and 'late' (only after as_of) do not count, hand-computed."""
    log = pd.DataFrame(
        {
            "c": ["a", "a", "b", "b", "b"],
            "d": ["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05", "2024-06-01"],
            "x": [10.0, 5.0, 7.0, -3.0, 9.0],
            "k": ["m", "n", "m", "z", "late"],
        }
    )
    got = from_transactions(
        log, customer="c", date="d", amount="x", category="k", as_of="2024-02-01"
    )
    assert got["cross_purchase_rate"].to_dict() == {"a": 1.0, "b": 0.5}


def test_concurrent_calls_share_the_engine_safely(cdnow, cdnow_features):
    """Calls from several threads (one DuckDB connection each) give the sequential result."""
    from concurrent.futures import ThreadPoolExecutor

    kw = dict(customer="customer_id", date="date", amount="dollar_value")
    halves = [cdnow.iloc[::2], cdnow.iloc[1::2]]
    expected = [from_transactions(h, **kw) for h in halves]
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda i: from_transactions(halves[i % 2], **kw), range(8)))
    for i, frame in enumerate(got):
        pd.testing.assert_frame_equal(frame, expected[i % 2])


def test_month_difference_is_duckdbs_date_sub_on_every_pair_of_dates():
    """The written-out month difference of the definition (the same text on every engine)
    equals DuckDB's ``date_sub('month', …)`` for every pair of dates 2019-12 – 2025-03 up to
    800 days apart (month ends, leap days)."""
    import duckdb

    from abclab.features._definition import _months_between_sql

    con = duckdb.connect()
    ends = pd.date_range("2019-12-01", "2025-03-05", freq="D").date
    # every end date's formula is a constant: each week and every month end keeps it quick
    for end in [e for i, e in enumerate(ends) if i % 7 == 0 or (e + pd.Timedelta(days=1)).day == 1]:
        formula = _months_between_sql("a", end)
        wrong = con.execute(
            f"SELECT count(*) FROM (SELECT CAST(range AS DATE) AS a FROM range(DATE"
            f" '{end - pd.Timedelta(days=800):%Y-%m-%d}', DATE '{end:%Y-%m-%d}', INTERVAL 1 DAY))"
            f" WHERE {formula} <> date_sub('month', a, DATE '{end:%Y-%m-%d}')"
        ).fetchall()[0][0]
        assert wrong == 0, end


# ------------------------------------------------------------------ invoice-level frequency


def invoice_log() -> pd.DataFrame:
    """Every invoice case of ``test_invoices_by_hand`` (as_of 2024-04-01); ids are text and
    numbers mixed in one column, as a spreadsheet export holds them."""
    rows = [
        ("a", "2024-01-05", 100.0, "I1"),  # I1: two lines, net 150 → a purchase
        ("a", "2024-01-05", 50.0, "I1"),
        ("a", "2024-02-10", 80.0, "I2"),  # I2: a line and a return line, net 50 → a purchase
        ("a", "2024-02-10", -30.0, "I2"),
        ("a", "2024-02-20", 40.0, "I3"),  # I3: returns exceed purchases, net −20 → none
        ("a", "2024-02-25", -60.0, "I3"),
        ("a", "2024-03-01", -25.0, "CN1"),  # a credit note (only returns) → not a purchase
        ("a", "2024-03-05", 10.0, 1001),  # the number 1001 and the text "1001": one invoice
        ("a", "2024-03-05", 5.0, "1001"),
        ("a", "2024-03-10", 7.0, None),  # missing and blank ids: each line its own invoice
        ("a", "2024-03-11", 8.0, ""),
        ("a", "2024-03-12", 9.0, "  "),
        ("a", "2024-03-15", 20.0, "I4"),  # I4: fully returned, net 0 → a purchase (≥ 0)
        ("a", "2024-03-15", -20.0, "I4"),
        ("a", "2024-03-20", 0.3, "I6"),  # I6: net 0 up to rounding (0.3 − 0.1 − 0.2 < 0)
        ("a", "2024-03-20", -0.1, "I6"),
        ("a", "2024-03-20", -0.2, "I6"),
        ("a", "2024-04-05", 500.0, "I9"),  # after as_of: ignored
        ("a", "2024-03-31", 5.0, "I10"),  # I10 spans as_of: its line before as_of counts
        ("a", "2024-04-02", -50.0, "I10"),
        ("b", "2024-01-07", 60.0, "I1"),  # a's invoice number under b: b's own invoice
        ("b", "2024-02-01", 30.0, " I5 "),  # ids are trimmed: one invoice I5
        ("b", "2024-02-02", 30.0, "I5"),
        ("r", "2024-01-09", -5.0, "CN2"),  # only a credit note
    ]
    log = pd.DataFrame(rows, columns=["customer_id", "date", "amount", "invoice"])
    log["invoice"] = log["invoice"].astype(object)
    return log


def test_invoices_by_hand():
    """a: I1, I2, 1001, I4, I6, I10 and three lines without an id = 9 purchases out of 12
    purchase lines; b: I1 and I5 = 2 out of 3; r: none. Every other criterion is the one of
    the log without ``invoice``, and ``line_count`` is that log's ``purchase_count``."""
    kw = dict(customer="customer_id", date="date", amount="amount", as_of="2024-04-01")
    got = transaction_features(invoice_log(), **kw, invoice="invoice")
    lines = transaction_features(invoice_log(), **kw)
    assert got.customers["purchase_count"].to_dict() == {"a": 9, "b": 2, "r": 0}
    assert got.customers["line_count"].to_dict() == {"a": 12, "b": 3, "r": 0}
    assert got.returns["return_count"].to_dict() == {"a": 6, "b": 0, "r": 1}
    pd.testing.assert_series_equal(
        got.customers["line_count"], lines.customers["purchase_count"], check_names=False
    )
    pd.testing.assert_series_equal(lines.customers["line_count"], lines.customers["purchase_count"],
                                   check_names=False)  # fmt: skip
    empty = transaction_features(invoice_log().assign(invoice=None), **kw, invoice="invoice")
    pd.testing.assert_frame_equal(empty.customers, lines.customers)  # no ids: lines
    rest = [c for c in got.customers.columns if c != "purchase_count"]
    pd.testing.assert_frame_equal(got.customers[rest], lines.customers[rest])
    pd.testing.assert_frame_equal(got.returns, lines.returns)


def test_invoice_ids_are_text_in_every_source(tmp_path):
    """CSV (ids with leading zeros: ``001`` and ``1`` are two invoices), Parquet with a float
    column (``1001.0`` with gaps is invoice ``1001``, as in the integer column) and a frame."""
    log = pd.DataFrame({"c": ["a"] * 5, "d": ["2024-01-01"] * 5, "x": [1.0, 2.0, 3.0, 4.0, 5.0]})
    kw = dict(customer="c", date="d", amount="x", invoice="inv")
    csv = tmp_path / "zeros.csv"
    log.assign(inv=["001", "1", "001", "01", "1"]).to_csv(csv, index=False)
    assert from_transactions(csv, **kw).at["a", "purchase_count"] == 3
    floats = log.assign(inv=[1001.0, np.nan, 1001.0, 1002.0, np.nan])
    ints = log.assign(inv=pd.array([1001, None, 1001, 1002, None], dtype="Int64"))
    for frame, name in ((floats, "floats"), (ints, "ints")):
        path = tmp_path / f"{name}.parquet"
        frame.to_parquet(path, index=False)
        assert from_transactions(path, **kw).at["a", "purchase_count"] == 4, name
        assert from_transactions(frame, **kw).at["a", "purchase_count"] == 4, name


def test_invoice_column_errors_name_the_column():
    log = invoice_log()
    with pytest.raises(InputDataError, match=r"no column 'bon'.*invoice column"):
        from_transactions(log, customer="customer_id", date="date", amount="amount",
                          invoice="bon")  # fmt: skip
    with pytest.raises(InputDataError, match=r"column 'date' has type TIMESTAMP; expected invoice"):
        from_transactions(log.assign(date=pd.to_datetime(log["date"]), d=log["date"]),
                          customer="customer_id", date="d", amount="amount",
                          invoice="date")  # fmt: skip


def _pandas_purchases(log: pd.DataFrame, customer: str, amount: str, invoice: str) -> pd.Series:
    """Per customer, the invoices whose net amount is ≥ 0 (independent of the SQL)."""
    grouped = log.groupby([customer, invoice])[amount]
    net, gross = grouped.sum(), grouped.apply(lambda x: x.abs().sum())
    return (net >= -1e-9 * gross).groupby(level=0).sum()


def test_cdnow_orders_per_day_match_pandas_and_lifetimes(cdnow):
    """CDNOW with the purchase day as the invoice (several lines a day are one order, as
    Fader & Hardie count it): purchases equal a pandas count of distinct days, and
    ``purchase_count − 1`` is lifetimes' ``frequency`` (repeat purchase days)."""
    log = cdnow.assign(order=cdnow["date"].dt.strftime("%Y%m%d"))
    got = from_transactions(log, customer="customer_id", date="date", amount="dollar_value",
                            invoice="order")  # fmt: skip
    days = log.groupby("customer_id")["order"].nunique()
    np.testing.assert_array_equal(got["purchase_count"], days.loc[got.index])
    assert got["line_count"].sum() == 69_659 > got["purchase_count"].sum()
    expected = _pandas_purchases(log, "customer_id", "dollar_value", "order")
    np.testing.assert_array_equal(got["purchase_count"], expected.loc[got.index])
    utils = pytest.importorskip("lifetimes.utils")
    summary = utils.summary_data_from_transaction_data(
        cdnow, "customer_id", "date", observation_period_end="1998-06-30"
    )
    np.testing.assert_array_equal(got.loc[summary.index, "purchase_count"] - 1,
                                  summary["frequency"].astype(int))  # fmt: skip


def test_demo_log_monthly_invoices_net_returns_like_pandas(demo_log, tmp_path):
    """The demo log with one invoice per customer and month (52 of them net negative through
    credit notes): purchases equal the pandas count, from the frame, CSV and Parquet."""
    log = demo_log.assign(invoice_id=demo_log["date"].dt.strftime("%Y-%m"))
    expected = _pandas_purchases(log, "customer_id", "amount", "invoice_id")
    assert (expected < log[log["amount"] >= 0].groupby("customer_id").size()).any()
    csv, parquet = tmp_path / "demo.csv", tmp_path / "demo.parquet"
    log.to_csv(csv, index=False)
    log.to_parquet(parquet, index=False)
    for source in (log, csv, parquet):
        got = transaction_features(source, **ALL, invoice="invoice_id").customers
        np.testing.assert_array_equal(got["purchase_count"], expected.loc[got.index])
    real = transaction_features(demo_log, **ALL, invoice="invoice_id").customers
    # the demo's invoices have one line each and credit notes are negative: as without ids
    pd.testing.assert_frame_equal(real, transaction_features(demo_log, **ALL).customers)
