"""The Spark engine: the same criteria statement run as Spark SQL, on a cluster or locally.

The log stays where it is — Parquet or CSV files on whatever file system the session reads
(local, ``hdfs://``, ``s3a://``, ``abfss://``), a catalog table, or a Spark DataFrame — and is
exposed to the statement as a temporary view (:class:`_SparkRun`, the ``_Engine`` of
:mod:`abclab.features._engine`). Spark runs the plan's small queries, the aggregation
(:func:`abclab.features._definition._aggregation_sql` in the Spark dialect) and the checks;
only the per-customer result (one row per customer, as Arrow) and a few scalars come back to
the driver. Nothing collects the log.

For the results to equal DuckDB's, every call runs with the session time zone pinned to
UTC and ANSI mode on (restored afterwards on a session passed in): dates are calendar dates,
timestamps are cut to their UTC date, and invalid casts fail rather than turn NULL silently
(the definition uses ``try_cast`` / ``try_to_timestamp`` where a failure is expected).

pyspark (``pip install 'abclab[spark]'``) and a Java runtime are needed only here; they are
imported when the Spark engine is first used.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from abclab.exceptions import InputDataError
from abclab.features._definition import SPARK
from abclab.features._engine import _arrow_columns

#: Settings every call runs with (the definition's assumptions; see the module docstring).
PINNED = {"spark.sql.session.timeZone": "UTC", "spark.sql.ansi.enabled": "true"}
#: Settings of a session that abclab starts itself (overridable by ``SparkOptions.config``).
SESSION_DEFAULTS = {**PINNED, "spark.ui.showConsoleProgress": "false"}

_CSV_SUFFIXES = (".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz", ".txt.gz")
_PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")
#: Spark type (``simpleString``, before any parenthesis) -> DuckDB type name of the definition.
_TYPES = {
    "tinyint": "TINYINT",
    "smallint": "SMALLINT",
    "int": "INTEGER",
    "bigint": "BIGINT",
    "float": "FLOAT",
    "double": "DOUBLE",
    "decimal": "DECIMAL",
    "string": "VARCHAR",
    "varchar": "VARCHAR",
    "char": "VARCHAR",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "timestamp_ntz": "TIMESTAMP",
    "boolean": "BOOLEAN",
}


@dataclasses.dataclass(frozen=True)
class SparkOptions:
    """How the Spark engine finds its session.

    Attributes
    ----------
    master : str
        ``local[*]`` (default: Spark in this process, every CPU), ``local[2]``, ``yarn``,
        ``spark://host:7077``, ``k8s://…`` — or a Spark Connect URL ``sc://host:15002`` to run
        on a remote cluster through Spark Connect.
    config : mapping
        Spark settings for the session (``spark.executor.memory``,
        ``spark.sql.shuffle.partitions``, ``spark.hadoop.fs.s3a.endpoint``…).

    A session that already exists in the process is reused (Spark allows one per process;
    its master cannot change), with ``config`` applied where Spark allows it at run time.
    """

    master: str = "local[*]"
    config: Mapping[str, str] = dataclasses.field(default_factory=dict)


def _pyspark() -> Any:
    try:
        import pyspark.sql
    except ImportError as err:
        raise ImportError(
            "engine='spark' needs pyspark and a Java runtime: pip install 'abclab[spark]'"
            " (Debian: apt-get install openjdk-17-jre-headless)"
        ) from err
    return pyspark.sql


def _builder(options: SparkOptions) -> Any:
    """The ``SparkSession.builder`` for ``options`` (not yet started)."""
    builder = _pyspark().SparkSession.builder.appName("abclab")
    if options.master.startswith("sc://"):
        builder = builder.remote(options.master)
    else:
        builder = builder.master(options.master)
    settings = {**SESSION_DEFAULTS, **{str(k): str(v) for k, v in options.config.items()}}
    if options.master.startswith("local"):  # local workers run this interpreter (its packages)
        settings.setdefault("spark.pyspark.python", sys.executable)
        settings.setdefault("spark.pyspark.driver.python", sys.executable)
    for key, value in settings.items():
        builder = builder.config(key, value)
    return builder


def _is_session(value: Any) -> bool:
    # classic and Spark Connect sessions are different classes; both read, run SQL, have conf
    return all(hasattr(value, name) for name in ("sql", "read", "conf", "createDataFrame"))


def spark_session(spark: Any = None) -> Any:
    """The session for ``spark``: a SparkSession as is, else one built from SparkOptions."""
    if spark is not None and _is_session(spark):
        return spark
    if spark is not None and not isinstance(spark, SparkOptions):
        raise TypeError(
            f"spark must be a SparkSession or abclab.features.SparkOptions, got {type(spark)}"
        )
    return _builder(spark or SparkOptions()).getOrCreate()


@contextlib.contextmanager
def _pinned(session: Any) -> Iterator[None]:
    """Run with ``PINNED`` settings; put back what the session had before."""
    before = {key: session.conf.get(key, None) for key in PINNED}
    for key, value in PINNED.items():
        session.conf.set(key, value)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                session.conf.unset(key)
            else:
                session.conf.set(key, value)


def _read(session: Any, source: Any) -> tuple[Any, str]:
    """The log as a Spark DataFrame, and its label for messages."""
    if isinstance(source, pd.DataFrame):
        # pyarrow turns NaN into NULL, as DuckDB's scan of a frame does
        table = pa.Table.from_pandas(source, preserve_index=False).replace_schema_metadata(None)
        return session.createDataFrame(table), source.attrs.get("source_label", "the DataFrame")
    if hasattr(source, "createOrReplaceTempView"):
        return source, "the Spark DataFrame"
    if not isinstance(source, str | os.PathLike):
        raise InputDataError(
            "source must be a path (Parquet or CSV, any file system Spark reads), a table name,"
            f" a Spark or pandas DataFrame; got {type(source).__name__}"
        )
    text = os.fspath(source)
    name = text.lower()
    from pyspark.errors import PySparkException

    try:
        if name.endswith(_CSV_SUFFIXES):
            sep = "\t" if ".tsv" in name else ","
            frame = session.read.csv(text, header=True, inferSchema=True, sep=sep)
            return frame, f"file '{text}'"
        if name.endswith(_PARQUET_SUFFIXES) or "/" in text or "\\" in text or Path(text).exists():
            return session.read.parquet(text), f"file '{text}'"
        return session.table(text), f"table '{text}'"
    except PySparkException as err:
        raise InputDataError(f"{text!r} could not be read by Spark: {err}") from err


class _SparkRun:
    """One log opened on a Spark session as a uniquely named temporary view (an ``_Engine``)."""

    dialect = SPARK
    #: Spark scans a file for min/max/count (no statistics pushdown by default)
    cheap_stats = False

    def __init__(self, session: Any, frame: Any, label: str) -> None:
        self.session, self.frame, self.label = session, frame, label
        self.source = f"abclab_source_{uuid.uuid4().hex}"
        frame.createOrReplaceTempView(self.source)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self.session.sql(sql).collect()]

    def fetch(self, sql: str) -> dict[str, Any]:
        columns = _arrow_columns(self.session.sql(sql).toArrow())
        if pd.api.types.is_integer_dtype(columns["customer"].dtype):
            columns["customer"] = columns["customer"].astype("int64")
        return columns

    def types(self) -> dict[str, str]:
        out = {}
        for field in self.frame.schema.fields:
            spark_type = field.dataType.simpleString()
            base = spark_type.split("(")[0]
            keep = base == "decimal" or base not in _TYPES  # DECIMAL(p,s); refused types by name
            out[field.name] = spark_type.upper() if keep else _TYPES[base]
        return out

    def apply_aliases(self, customer: str, aliases: Mapping[Any, Any]) -> None:
        functions = _pyspark().functions
        if customer not in self.frame.columns:
            raise InputDataError(
                f"{self.label}: customer column {customer!r} not found;"
                f" available columns: {list(self.frame.columns)}"
            )
        table = self.session.createDataFrame(
            [(str(k), str(v)) for k, v in aliases.items()],
            "abclab_alias_from string, abclab_alias_to string",
        )
        key = functions.col(customer).cast("string")
        joined = self.frame.join(
            functions.broadcast(table), key == functions.col("abclab_alias_from"), "left"
        )
        self.frame = joined.withColumn(
            customer, functions.coalesce(functions.col("abclab_alias_to"), key)
        ).drop("abclab_alias_from", "abclab_alias_to")
        self.frame.createOrReplaceTempView(self.source)

    def close(self) -> None:
        self.session.catalog.dropTempView(self.source)


@contextlib.contextmanager
def _open(source: Any, *, spark: Any, customer: str) -> Iterator[_SparkRun]:
    """The log opened on the session of ``spark`` with the pinned settings."""
    del customer  # the customer column is checked with the others
    session = spark_session(spark)
    with _pinned(session):
        frame, label = _read(session, source)
        run = _SparkRun(session, frame, label)
        try:
            yield run
        finally:
            run.close()
