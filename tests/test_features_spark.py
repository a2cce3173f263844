"""The Spark engine equals the DuckDB engine, column by column (abclab.features, engine="spark").

Every case runs :func:`abclab.features.transaction_features` on DuckDB and on the test run's
one local Spark session (``local[2]``, fixture ``spark`` in ``conftest.py``; one case also on
``local[1]`` in a child process) and compares both tables: same customers in the same order,
same columns and dtypes; counts, day and month numbers and dates exactly equal; money and
ratios equal to 1e-12 relative (sums of doubles in another order; see the module docstring of
:mod:`abclab.features._spark`). The logs: CDNOW, the demo log, the edge cases of
``test_features.py`` (returns, as_of, 12-month windows, cross purchase, on-time payment,
months since the last purchase, month ends and leap days), dates stored as text or integers,
both category code paths, a long history, aliases, and random logs from hypothesis.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abclab import datasets
from abclab.exceptions import InputDataError
from abclab.features import SparkOptions, from_transactions, transaction_features

pytestmark = pytest.mark.spark

ROOT = Path(__file__).resolve().parents[1]
ALL = dict(datasets.DEMO_LOG_COLUMNS)
CDNOW = dict(customer="customer_id", date="date", amount="dollar_value")


def assert_same(duck: pd.DataFrame, spark: pd.DataFrame) -> None:
    """Equal tables: exact for integers, dates and ids, 1e-12 relative for floats."""
    pd.testing.assert_index_equal(spark.index, duck.index, exact=True)
    assert list(spark.columns) == list(duck.columns)
    for name in duck.columns:
        a, b = duck[name], spark[name]
        assert a.dtype == b.dtype, (name, a.dtype, b.dtype)
        if pd.api.types.is_float_dtype(a):
            np.testing.assert_allclose(b, a, rtol=1e-12, atol=0, equal_nan=True, err_msg=name)
        else:
            pd.testing.assert_series_equal(b, a, check_exact=True, obj=name)


def both(spark, source, **kw):
    """DuckDB's and Spark's TransactionFeatures of ``source``, compared; returns DuckDB's."""
    duck = transaction_features(source, **kw)
    got = transaction_features(source, **kw, engine="spark", spark=spark)
    assert_same(duck.customers, got.customers)
    assert_same(duck.returns, got.returns)
    assert got.as_of == duck.as_of
    return duck


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    return datasets.load("cdnow")


@pytest.fixture(scope="module")
def demo_log() -> pd.DataFrame:
    return datasets.load("demo_transactions")


def small_log() -> pd.DataFrame:
    """The hand-worked log of test_features.py with a returns-only customer, month ends,
    leap days and a missing due date."""
    return pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "a", "b", "b", "a", "r", "m", "m", "m"],
            "date": [
                "2023-01-10", "2023-12-20", "2024-02-03", "2024-02-20", "2024-01-05",
                "2024-03-01", "2024-03-20", "2024-02-10", "2023-01-31", "2024-02-29",
                "2024-01-31",
            ],
            "amount": [100.0, -20.0, 50.0, 30.0, 80.0, 30.0, 999.0, -5.0, 10.25, 0.0, 7.5],
            "profit": [10.0, -2.0, 5.0, 6.0, 8.0, 3.0, 99.0, -1.0, 1.0, 0.0, 0.5],
            "category": ["m", "m", "n", "n", "m", "o", "p", "m", "o", "n", "n"],
            "due_date": [
                "2023-02-10", None, "2024-03-03", "2024-03-20", "2024-02-05", "2024-04-01",
                "2024-04-20", None, "2023-02-28", "2024-03-31", "2024-02-29",
            ],
            "paid_date": [
                "2023-02-01", None, "2024-03-10", "2024-03-01", "2024-02-05", None, None, None,
                "2023-02-28", "2024-03-15", None,
            ],
        }
    )  # fmt: skip


# ------------------------------------------------------------------ reference logs


def test_cdnow_frame_and_parquet(spark, cdnow, tmp_path):
    both(spark, cdnow, **CDNOW)
    path = tmp_path / "cdnow.parquet"
    cdnow.to_parquet(path, index=False)
    both(spark, path, **CDNOW, as_of="1998-01-01")


def test_demo_log_every_criterion(spark):
    got = both(spark, ROOT / "data" / "demo" / "transactions.csv", **ALL)
    assert got.customers["on_time_payment_rate"].notna().any()


def test_csv_read_by_spark_itself(spark, cdnow, tmp_path):
    """A directory of Parquet files and a CSV path that Spark reads (not prepared locally)."""
    folder = tmp_path / "cdnow_dir"
    folder.mkdir()
    half = len(cdnow) // 2
    cdnow.iloc[:half].to_parquet(folder / "part-0.parquet", index=False)
    cdnow.iloc[half:].to_parquet(folder / "part-1.parquet", index=False)
    duck = from_transactions(cdnow, **CDNOW)
    assert_same(duck, from_transactions(str(folder), **CDNOW, engine="spark", spark=spark))
    spark.read.parquet(str(folder)).coalesce(1).write.mode("overwrite").csv(
        str(tmp_path / "cdnow_csv"), header=True
    )
    csv = next((tmp_path / "cdnow_csv").glob("part-*.csv"))
    remote = f"file://{csv}"  # a URL: Spark reads it, as it would s3a:// or hdfs://
    assert_same(duck, from_transactions(remote, **CDNOW, engine="spark", spark=spark))


def test_table_name_and_spark_dataframe(spark, cdnow):
    frame = spark.createDataFrame(cdnow)
    duck = from_transactions(cdnow, **CDNOW)
    assert_same(duck, from_transactions(frame, **CDNOW, engine="spark", spark=spark))
    frame.createOrReplaceTempView("abclab_test_cdnow")
    try:
        got = from_transactions("abclab_test_cdnow", **CDNOW, engine="spark", spark=spark)
    finally:
        spark.catalog.dropTempView("abclab_test_cdnow")
    assert_same(duck, got)


# ------------------------------------------------------------------ edge cases


@pytest.mark.parametrize("as_of", [None, "2024-03-01", "2024-02-29", "2024-03-31", "2025-01-01"])
def test_small_log_returns_windows_payment_months(spark, as_of):
    got = both(spark, small_log(), **ALL, as_of=as_of)
    assert "r" in got.customers.index  # the returns-only customer is kept


def test_months_since_last_purchase_and_leap_days(spark):
    days = ["2024-01-15", "2024-01-31", "2023-02-28", "2024-02-29", "2023-12-31"]
    log = pd.DataFrame({"c": list("abcde"), "d": days, "x": [10.0] * 5})
    for as_of in ("2024-04-16", "2024-04-14", "2024-03-31", "2024-02-29", "2025-02-28"):
        both(spark, log, customer="c", date="d", amount="x", as_of=as_of)


@pytest.mark.parametrize(
    "dates",
    [
        ["2024-01-05", " 2024-02-10", "2024-01-31 10:00:00"],
        ["2024/1/5", "2024/02/10", "2024/1/31 10:00:00"],
        ["20240105", "20240210", "20240131"],
        [20240105, 20240210, 20240131],
        ["2024.1.5", "10.02.2024", None],
    ],
)
def test_dates_stored_as_text_or_integers(spark, tmp_path, dates):
    """Parquet keeps the raw column: each engine parses the text or integer dates itself."""
    log = pd.DataFrame({"c": ["a", "a", "b"], "d": dates, "x": [1.0, 2.0, 3.0]})
    path = tmp_path / "dates.parquet"
    log.dropna().to_parquet(path, index=False)
    got = both(spark, path, customer="c", date="d", amount="x", as_of="2024-03-01")
    assert got.customers.at["a", "first_purchase"] == pd.Timestamp("2024-01-05")


@pytest.mark.parametrize(("n_categories", "years"), [(6, 3), (70, 3), (6, 60)])
def test_category_bit_set_fallback_and_month_words(spark, n_categories, years):
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
    both(spark, log, customer="c", date="d", amount="x", category="k")


def test_long_history_with_as_of_recomputes(spark, tmp_path):
    rng = np.random.default_rng(7)
    n = 2_000
    log = pd.DataFrame(
        {
            "c": rng.integers(0, 30, n),
            "d": pd.Timestamp("2010-01-01") + pd.to_timedelta(rng.integers(0, 365 * 15, n), "D"),
            "x": rng.normal(100, 80, n).round(2),
        }
    )
    path = tmp_path / "long.parquet"
    log.to_parquet(path, index=False)
    both(spark, path, customer="c", date="d", amount="x", as_of="2024-07-01")


def test_aliases_and_id_spellings(spark):
    log = small_log()
    log.loc[0, "customer_id"] = "Ａ"  # full-width: one customer with "A" after normalisation
    log.loc[1, "customer_id"] = "A "
    got = both(spark, log, **ALL, aliases={"b": "a"})
    assert "b" not in got.customers.index


def test_errors_name_the_column_on_spark(spark, tmp_path):
    log = pd.DataFrame({"c": ["a", "b"], "d": ["2024-01-05", "someday"], "x": [1.0, 2.0]})
    path = tmp_path / "bad.parquet"
    log.to_parquet(path, index=False)
    with pytest.raises(InputDataError, match=r"column 'd' has 1 value\(s\) that are not dates"):
        from_transactions(path, customer="c", date="d", amount="x", engine="spark", spark=spark)
    with pytest.raises(InputDataError, match="has no column 'y'"):
        from_transactions(path, customer="c", date="d", amount="y", engine="spark", spark=spark)
    with pytest.raises(InputDataError, match="could not be read by Spark"):
        from_transactions(
            str(tmp_path / "absent" / "x.parquet"), customer="c", date="d", amount="x",
            engine="spark", spark=spark,
        )  # fmt: skip


_logs = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c", "d"]),
        st.integers(0, 1000),  # day offset from 2022-01-01
        st.floats(-500, 5000, allow_nan=False, width=32),
        st.sampled_from(["k", "l", "m"]),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(rows=_logs, as_of=st.sampled_from([None, "2023-06-30", "2024-02-29"]))
def test_random_logs(spark, rows, as_of):
    log = pd.DataFrame(rows, columns=["c", "day", "x", "k"])
    log["d"] = pd.Timestamp("2022-01-01") + pd.to_timedelta(log.pop("day"), unit="D")
    log["due"] = log["d"] + pd.Timedelta(days=30)
    log["paid"] = log["d"] + pd.to_timedelta(np.arange(len(log)) * 7 % 60, unit="D")
    kw = dict(customer="c", date="d", amount="x", category="k", due_date="due", paid_date="paid")
    both(spark, log.astype({"x": "float64"}), **kw, as_of=as_of)


# ------------------------------------------------------------------ invoice-level frequency


def invoice_log() -> pd.DataFrame:
    """Invoices of several lines, a return line inside an invoice, returns exceeding the
    purchases, a credit note, net zero up to rounding, an invoice spanning as_of, the number
    1001 and the text "1001", missing and blank ids, one id under two customers."""
    rows = [
        ("a", "2024-01-05", 100.0, "I1"), ("a", "2024-01-05", 50.0, "I1"),
        ("a", "2024-02-10", 80.0, "I2"), ("a", "2024-02-10", -30.0, "I2"),
        ("a", "2024-02-20", 40.0, "I3"), ("a", "2024-02-25", -60.0, "I3"),
        ("a", "2024-03-01", -25.0, "CN1"), ("a", "2024-03-05", 10.0, 1001),
        ("a", "2024-03-05", 5.0, "1001"), ("a", "2024-03-10", 7.0, None),
        ("a", "2024-03-11", 8.0, ""), ("a", "2024-03-12", 9.0, "  "),
        ("a", "2024-03-20", 0.3, "I6"), ("a", "2024-03-20", -0.1, "I6"),
        ("a", "2024-03-20", -0.2, "I6"), ("a", "2024-03-31", 5.0, "I10"),
        ("a", "2024-04-02", -50.0, "I10"), ("b", "2024-01-07", 60.0, "I1"),
        ("b", "2024-02-01", 30.0, " I5 "), ("b", "2024-02-02", 30.0, "I5"),
        ("r", "2024-01-09", -5.0, "CN2"),
    ]  # fmt: skip
    log = pd.DataFrame(rows, columns=["customer_id", "date", "amount", "invoice"])
    log["invoice"] = log["invoice"].astype(object)
    return log


@pytest.mark.parametrize("as_of", [None, "2024-04-01"])
def test_invoices_by_hand_on_spark(spark, as_of):
    kw = dict(customer="customer_id", date="date", amount="amount", as_of=as_of)
    got = both(spark, invoice_log(), **kw, invoice="invoice")
    a_purchases = 8 if as_of else 7  # I10 nets −45 once its return of 2024-04-02 counts
    assert got.customers["purchase_count"].to_dict() == {"a": a_purchases, "b": 2, "r": 0}


def test_invoice_ids_from_files_on_spark(spark, cdnow, demo_log, tmp_path):
    """Parquet with the purchase day as a text invoice (CDNOW), a float invoice column with
    gaps, and a CSV that Spark reads itself (demo log, one invoice per customer and month)."""
    orders = cdnow.assign(order=cdnow["date"].dt.strftime("%Y%m%d"))
    path = tmp_path / "cdnow_orders.parquet"
    orders.to_parquet(path, index=False)
    got = both(spark, path, **CDNOW, invoice="order")
    assert got.customers["purchase_count"].sum() < got.customers["line_count"].sum()
    floats = pd.DataFrame({"c": ["a"] * 5, "d": pd.to_datetime(["2024-01-01"] * 5),
                           "x": [1.0, 2.0, 3.0, 4.0, 5.0],
                           "inv": [1001.0, np.nan, 1001.0, 1002.5, np.nan]})  # fmt: skip
    floats.to_parquet(tmp_path / "floats.parquet", index=False)
    got = both(spark, tmp_path / "floats.parquet", customer="c", date="d", amount="x",
               invoice="inv")  # fmt: skip
    assert got.customers.at["a", "purchase_count"] == 4
    monthly = demo_log.assign(invoice_id="M" + demo_log["date"].dt.strftime("%Y%m"))
    monthly.to_csv(tmp_path / "monthly.csv", index=False)
    got = both(spark, str(tmp_path / "monthly.csv"), **ALL, invoice="invoice_id")
    assert got.customers["purchase_count"].sum() < got.customers["line_count"].sum()


_invoice_logs = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c"]),
        st.integers(0, 400),
        st.sampled_from([-0.75, -0.5, -0.25, 0.0, 0.25, 0.5, 0.75, 7.25, -7.25]),
        st.sampled_from(["i1", "i2", "i3", 4, None, ""]),
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(rows=_invoice_logs)
def test_random_invoice_logs(spark, rows):
    """Amounts that cancel within an invoice: both engines count alike. The amounts are
    exact in binary, so that sums near zero compare exactly (rounding of the net is the
    hand log's invoice I6)."""
    log = pd.DataFrame(rows, columns=["c", "day", "x", "inv"]).astype({"inv": object})
    log["d"] = pd.Timestamp("2023-01-01") + pd.to_timedelta(log.pop("day"), unit="D")
    both(spark, log, customer="c", date="d", amount="x", invoice="inv")


# ------------------------------------------------------------------ one core, sessions


def test_local_one_core_in_a_child_process(tmp_path, cdnow):
    """Spark allows one session per process: ``local[1]`` runs in a child, on CDNOW and the
    demo log, and writes its tables; they equal DuckDB's here."""
    pytest.importorskip("pyspark")
    script = textwrap.dedent(
        f"""
        from abclab import datasets
        from abclab.features import SparkOptions, from_transactions
        opts = SparkOptions(master="local[1]", config={{"spark.ui.enabled": "false",
                            "spark.sql.shuffle.partitions": "1"}})
        from_transactions(datasets.load("cdnow"), **{CDNOW!r}, engine="spark",
                          spark=opts).to_parquet({str(tmp_path / "cdnow.parquet")!r})
        from_transactions({str(ROOT / "data/demo/transactions.csv")!r}, **{ALL!r},
                          engine="spark", spark=opts).to_parquet({str(tmp_path / "demo.parquet")!r})
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, cwd=ROOT, capture_output=True)
    assert_same(from_transactions(cdnow, **CDNOW), pd.read_parquet(tmp_path / "cdnow.parquet"))
    demo = from_transactions(ROOT / "data/demo/transactions.csv", **ALL)
    assert_same(demo, pd.read_parquet(tmp_path / "demo.parquet"))


def test_session_settings_are_pinned_and_restored(spark, cdnow):
    spark.conf.set("spark.sql.session.timeZone", "Asia/Shanghai")
    try:
        got = from_transactions(cdnow.head(500), **CDNOW, engine="spark", spark=spark)
        assert spark.conf.get("spark.sql.session.timeZone") == "Asia/Shanghai"
    finally:
        spark.conf.set("spark.sql.session.timeZone", "UTC")
    assert_same(from_transactions(cdnow.head(500), **CDNOW), got)


def test_options_reach_the_session_builder():
    pytest.importorskip("pyspark")
    from abclab.features._spark import _builder

    local = _builder(SparkOptions(master="local[1]", config={"spark.executor.memory": "2g"}))
    assert local._options["spark.master"] == "local[1]"
    assert local._options["spark.executor.memory"] == "2g"
    assert local._options["spark.sql.session.timeZone"] == "UTC"
    remote = _builder(SparkOptions(master="sc://cluster.example:15002"))
    assert remote._options["spark.remote"] == "sc://cluster.example:15002"


def test_unknown_engine_is_refused(cdnow):
    with pytest.raises(InputDataError, match="engine='polars'; expected one of duckdb, spark"):
        from_transactions(cdnow, **CDNOW, engine="polars")


def test_nan_invoice_ids_of_a_frame_are_missing_on_both_engines(spark):
    """A pandas frame's float invoice column with NaN (a gap): on both engines each NaN line
    is its own invoice (hand count: customer a has invoice 1001 twice, then two lines
    without an id -> 3 purchases); the definition also maps a NaN that reaches the SQL to NULL."""
    log = pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "a", "b"],
            "date": pd.to_datetime(["2024-01-05"] * 2 + ["2024-02-01", "2024-03-01", "2024-01-09"]),
            "amount": [10.0, 5.0, 7.0, 8.0, 3.0],
            "invoice": [1001.0, 1001.0, np.nan, np.nan, 2001.0],
        }
    )
    got = both(spark, log, customer="customer_id", date="date", amount="amount",
               invoice="invoice")  # fmt: skip
    assert got.customers["purchase_count"].to_dict() == {"a": 3, "b": 1}
