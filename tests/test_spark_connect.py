"""The Spark engine through Spark Connect: ``spark: {master: "sc://host:port"}``.

A Spark Connect server of this test run (fixture ``spark_connect`` in ``conftest.py``: the
server pyspark ships, on a free loopback port) runs the derive step; the results equal
DuckDB's. The test run's classic local session (fixture ``spark``) is running meanwhile: the
Connect client's own builder (not the classic ``SparkSession.builder``, which refuses a remote
session beside a local one) makes the remote session, and leaves no process-wide switch to
Spark Connect behind.
"""

from __future__ import annotations

import os

import pandas as pd
import pytest

from abclab import datasets
from abclab.features import SparkOptions, SparkSource, from_transactions, spark_session
from abclab.pipeline import run_study
from abclab.study import study_from_dict

pytestmark = pytest.mark.spark

ALL = dict(datasets.DEMO_LOG_COLUMNS)


def test_connect_session_beside_a_local_one(spark, spark_connect):
    """``sc://`` gives a Spark Connect session while the classic local one runs."""
    assert not type(spark).__module__.startswith("pyspark.sql.connect")
    session = spark_session(SparkOptions(master=spark_connect))
    assert type(session).__module__.startswith("pyspark.sql.connect")
    assert session.range(3).count() == 3
    assert "SPARK_CONNECT_MODE_ENABLED" not in os.environ
    assert spark.range(2).count() == 2  # the local session still works


def test_derive_step_through_spark_connect(spark, spark_connect, tmp_path):
    """A pandas log (sent to the server as Arrow) with aliases, and a ``file:`` URI that the
    server reads itself, give DuckDB's criteria."""
    log = datasets.load("demo_transactions")
    options = SparkOptions(master=spark_connect)
    ids = sorted(log["customer_id"].unique())
    aliases = {ids[0]: ids[1]}
    duck = from_transactions(log, **ALL, aliases=aliases)
    got = from_transactions(log, **ALL, aliases=aliases, engine="spark", spark=options)
    pd.testing.assert_frame_equal(got, duck, check_exact=False, rtol=1e-12)
    path = tmp_path / "log.parquet"
    log.to_parquet(path, index=False)
    uri = SparkSource(path=path.as_uri())
    got = from_transactions(uri, **ALL, engine="spark", spark=options)
    pd.testing.assert_frame_equal(
        got, from_transactions(path, **ALL), check_exact=False, rtol=1e-12
    )


def test_study_on_spark_connect(spark_connect, tmp_path):
    """``data.transactions.spark.master: sc://localhost:<port>`` runs a study's criteria on
    the server: the same criteria and tiers as with DuckDB."""
    datasets.load("demo_transactions").to_parquet(tmp_path / "log.parquet", index=False)
    log = {"path": "log.parquet", "customer": "customer_id", "date": "date", "amount": "amount",
           "profit": "profit"}  # fmt: skip
    doc = {
        "name": "connect",
        "data": {"transactions": log},
        "criteria": {"annual_spend": None, "margin": None, "recency_days": {"direction": "cost"}},
        "methods": ["weighted_abc"],
    }
    on_spark = {**doc, "data": {"transactions": {**log, "engine": "spark",
                                                 "spark": {"master": spark_connect}}}}  # fmt: skip
    duck = run_study(study_from_dict(doc, base_dir=tmp_path))
    remote = run_study(study_from_dict(on_spark, base_dir=tmp_path))
    pd.testing.assert_frame_equal(remote.criteria, duck.criteria, check_exact=False, rtol=1e-12)
    pd.testing.assert_frame_equal(remote.classification.tiers, duck.classification.tiers)
