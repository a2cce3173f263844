"""Logs a study can name for Spark: remote URIs, catalogue tables, an explicit format.

The Spark cases run on the test run's local session (fixture ``spark``): a ``file:`` URI and
a catalogue table (a temporary view, and ``saveAsTable`` into a database whose location is
under ``tmp_path``) give the criteria of the same log read from its local path by DuckDB.
The study cases check what is refused at load time (a table or remote URI with DuckDB, each
naming its key), what ``abclab validate`` does with a log it cannot open here (Spark reads a
sample; what needs the log's lines on this machine is a problem), and that a run whose methods
read single invoices says so instead of reading a table locally.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from abclab import datasets
from abclab.exceptions import InputDataError, StudyError
from abclab.features import SparkSource, from_transactions
from abclab.pipeline import run_study
from abclab.pipeline.check import check_data
from abclab.study import study_from_dict

ALL = dict(datasets.DEMO_LOG_COLUMNS)


@pytest.fixture(scope="module")
def log_file(tmp_path_factory) -> Path:
    """The demo log as a Parquet file (dates as dates, ids as text)."""
    path = tmp_path_factory.mktemp("spark_sources") / "log.parquet"
    datasets.load("demo_transactions").to_parquet(path, index=False)
    return path


def assert_same(duck: pd.DataFrame, got: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(got, duck, check_exact=False, rtol=1e-12)


def _study(data: dict, base: Path):
    return study_from_dict(data, base_dir=base, source=base / "study.yaml")


def _doc(**transactions) -> dict:
    log = {"customer": "customer_id", "date": "date", "amount": "amount"}
    log.update(transactions)
    return {
        "name": "remote",
        "data": {"transactions": log},
        "criteria": {"annual_spend": None, "recency_days": {"direction": "cost"}},
        "methods": ["weighted_abc"],
    }


# --------------------------------------------------------------------------- the engine


@pytest.mark.spark
def test_file_uri_gives_the_local_result(spark, log_file):
    """A ``file:`` URI, as a string or a SparkSource, is read by Spark itself (not on this
    machine first) and gives DuckDB's criteria of the local path."""
    duck = from_transactions(log_file, **ALL)
    uri = log_file.as_uri()
    assert uri.startswith("file:///")
    assert_same(duck, from_transactions(uri, **ALL, engine="spark", spark=spark))
    source = SparkSource(path=uri, format="parquet")
    assert_same(duck, from_transactions(source, **ALL, engine="spark", spark=spark))


@pytest.mark.spark
def test_catalogue_tables_give_the_local_result(spark, log_file, tmp_path):
    """A temporary view and a table saved with ``saveAsTable`` (its database located in
    ``tmp_path``) give DuckDB's criteria of the local file."""
    duck = from_transactions(log_file, **ALL)
    frame = spark.read.parquet(str(log_file))
    frame.createOrReplaceTempView("abclab_lines_view")
    spark.sql(f"CREATE DATABASE abclab_sales LOCATION '{(tmp_path / 'warehouse').as_uri()}'")
    try:
        frame.write.saveAsTable("abclab_sales.invoice_lines")
        assert (tmp_path / "warehouse" / "invoice_lines").is_dir()
        for name in ("abclab_lines_view", "abclab_sales.invoice_lines"):
            got = from_transactions(SparkSource(table=name), **ALL, engine="spark", spark=spark)
            assert_same(duck, got)
        # a dotted name without a suffix is a table, as SparkSource(table=...) says
        got = from_transactions("abclab_sales.invoice_lines", **ALL, engine="spark", spark=spark)
        assert_same(duck, got)
    finally:
        spark.catalog.dropTempView("abclab_lines_view")
        spark.sql("DROP DATABASE IF EXISTS abclab_sales CASCADE")


@pytest.mark.spark
def test_missing_table_and_unreadable_file_name_the_source(spark, tmp_path):
    with pytest.raises(InputDataError, match=r"table 'abclab_no_such_table' could not be read"):
        from_transactions(SparkSource(table="abclab_no_such_table"), **ALL, engine="spark",
                          spark=spark)  # fmt: skip
    text = tmp_path / "notes.data"
    text.write_text("not a log\n", encoding="utf-8")
    with pytest.raises(InputDataError, match=r"notes\.data' could not be read by Spark as parquet"):
        from_transactions(SparkSource(path=text.as_uri()), **ALL, engine="spark", spark=spark)


@pytest.mark.spark
@pytest.mark.skipif(
    importlib.util.find_spec("delta") is not None, reason="Delta Lake is installed here"
)
def test_delta_without_delta_lake_is_a_clear_error(spark, log_file):
    """``format: delta`` asks Spark for Delta Lake; without it on the session the error says
    which file and that it was read as delta (no Delta Lake jars here: no --packages)."""
    with pytest.raises(InputDataError, match=r"log\.parquet' could not be read by Spark as delta"):
        from_transactions(SparkSource(path=log_file.as_uri(), format="delta"), **ALL,
                          engine="spark", spark=spark)  # fmt: skip


def test_spark_source_is_one_path_or_one_table():
    with pytest.raises(InputDataError, match="either path or table"):
        SparkSource()
    with pytest.raises(InputDataError, match="either path or table"):
        SparkSource(path="s3a://b/x", table="t")
    with pytest.raises(InputDataError, match="format applies to a path"):
        SparkSource(table="t", format="csv")
    with pytest.raises(InputDataError, match="format='orc'"):
        SparkSource(path="s3a://b/x", format="orc")
    assert SparkSource(path="s3a://b/x.csv.gz").read_format() == "csv"
    assert SparkSource(path="s3a://b/sales/2024/").read_format() == "parquet"


def test_duckdb_refuses_a_spark_source(log_file):
    with pytest.raises(InputDataError, match="table 'sales.lines' is read by Spark"):
        from_transactions(SparkSource(table="sales.lines"), **ALL)


# --------------------------------------------------------------------------- the study file


def test_duckdb_with_a_table_or_remote_uri_names_the_key(tmp_path):
    with pytest.raises(StudyError, match=r"data\.transactions\.table: .*needs engine: spark"):
        _study(_doc(table="sales.invoice_lines"), tmp_path)
    with pytest.raises(StudyError, match=r"data\.transactions\.path: .*engine duckdb.*s3a://"):
        _study(_doc(path="s3a://bucket/sales/"), tmp_path)
    with pytest.raises(StudyError, match=r"data\.transactions\.table: .*either path or table"):
        _study(_doc(path="log.parquet", table="t", engine="spark"), tmp_path)
    with pytest.raises(StudyError, match=r"data\.transactions: expected 'path' .* or 'table'"):
        _study(_doc(engine="spark"), tmp_path)
    with pytest.raises(StudyError, match=r"data\.transactions\.path: .*scheme"):
        _study(_doc(path="ftp://host/log.csv", engine="spark"), tmp_path)
    with pytest.raises(StudyError, match=r"data\.transactions\.encoding: .*read by Spark"):
        _study(_doc(table="t", engine="spark", encoding="gbk"), tmp_path)
    with pytest.raises(StudyError, match=r"data\.transactions\.format: .*needs engine: spark"):
        _study(_doc(path="log.parquet", format="csv"), tmp_path)


def test_remote_uri_is_not_checked_here(tmp_path):
    """A URI read by Spark is not resolved against the study file nor checked for existence;
    it is no data file of this machine (nothing to hash or to find before a run)."""
    study = _study(_doc(path="abfss://lake@acct.dfs.core.windows.net/sales/", engine="spark"),
                   tmp_path)  # fmt: skip
    t = study.data.transactions
    assert t.local_path is None and study.data.paths == []
    assert t.source == SparkSource(path="abfss://lake@acct.dfs.core.windows.net/sales/")
    table = _study(_doc(table="sales.invoice_lines", engine="spark"), tmp_path).data.transactions
    assert table.source == SparkSource(table="sales.invoice_lines")


def test_file_uri_with_duckdb_is_the_local_file(log_file):
    """With engine duckdb a ``file:`` URI is the file it names: the same study as its path."""
    base = log_file.parent
    by_path = run_study(_study(_doc(path=log_file.name), base))
    by_uri = _study(_doc(path=log_file.as_uri()), base)
    assert by_uri.data.transactions.local_path == log_file
    pd.testing.assert_frame_equal(run_study(by_uri).criteria, by_path.criteria)


@pytest.mark.spark
def test_validate_lets_spark_read_the_table(spark, log_file, monkeypatch):
    """``abclab validate`` of a table study: Spark reads a sample (the columns are checked),
    nothing is opened on this machine; a method that reads single invoices is a problem
    that names the key, and the run refuses it with the same key."""
    import abclab.features._spark as engine

    monkeypatch.setattr(engine, "spark_session", lambda spark_=None: spark)
    spark.read.parquet(str(log_file)).createOrReplaceTempView("abclab_validate_lines")
    base = log_file.parent
    try:
        good = check_data(_study(_doc(table="abclab_validate_lines", engine="spark"), base))
        assert good.ok, good.problems
        assert good.customers is None and "annual_spend" in good.columns
        wrong = _doc(table="abclab_validate_lines", engine="spark", customer="client")
        problems = check_data(_study(wrong, base)).problems
        assert any("data.transactions.customer: column 'client'" in p
                   and "table abclab_validate_lines" in p
                   for p in problems), problems  # fmt: skip
        churn = _doc(table="abclab_validate_lines", engine="spark")
        churn["methods"] = ["weighted_abc", "churn_risk"]
        problems = check_data(_study(churn, base)).problems
        assert problems == ("data.transactions.table: method 'churn_risk' reads the log's lines "
                            "on this machine; table abclab_validate_lines is read by Spark where "
                            "it runs",)  # fmt: skip
        with pytest.raises(StudyError, match=r"data\.transactions\.table: method 'churn_risk'"):
            run_study(_study(churn, base))
        missing = check_data(_study(_doc(table="abclab_no_such_view", engine="spark"), base))
        assert any("abclab_no_such_view' could not be read by Spark" in p
                   for p in missing.problems), missing.problems  # fmt: skip
    finally:
        spark.catalog.dropTempView("abclab_validate_lines")
