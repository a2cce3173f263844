"""The Spark engine: the same criteria statement run as Spark SQL, on a cluster or locally.

The log stays where it is — Parquet, CSV or Delta files on whatever file system the session
reads (``file:``, ``hdfs://``, ``s3a://``, ``abfss://``, ``gs://``, ``dbfs:/``), a catalogue
table (:class:`SparkSource`), or a Spark DataFrame — and is
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
import re
import sys
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Literal

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
#: File formats Spark is asked to read (``delta`` needs Delta Lake on the cluster).
FORMATS = ("parquet", "csv", "delta")
#: URI schemes of a log read by Spark where it runs (the scheme decides that it is not a
#: file on this machine): S3, Azure Data Lake / Blob, HDFS, Google Cloud Storage, Databricks
#: File System, and ``file:`` (the file system of the driver and executors).
REMOTE_SCHEMES = ("s3a", "s3", "abfss", "abfs", "wasbs", "hdfs", "gs", "dbfs", "file")
#: ``scheme:`` at the start of a location (two letters at least, so ``C:\`` is a path).
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):")


def uri_scheme(location: str) -> str | None:
    """The lower-case URI scheme of ``location`` (``s3a``, ``file``…), None for a plain path."""
    match = _SCHEME.match(location)
    return match.group(1).lower() if match else None


@dataclasses.dataclass(frozen=True)
class SparkSource:
    """A transaction log that the Spark session reads where it runs.

    Attributes
    ----------
    path : str, optional
        A file or folder on any file system the session reads (``s3a://bucket/sales/``,
        ``abfss://…``, ``hdfs://…``, ``gs://…``, ``dbfs:/…``, ``file:/data/log.parquet``).
        Nothing checks on this machine that it exists: Spark does, when it reads it.
    table : str, optional
        A catalogue table or view (``sales.invoice_lines``), instead of ``path``.
    format : {"parquet", "csv", "delta"}, optional
        How ``path`` is read. Default by suffix: ``.csv``, ``.tsv``, ``.txt`` (optionally
        ``.gz``) are CSV with a header line (tab-separated for ``.tsv``, types inferred by
        Spark), anything else — a ``.parquet`` file or a folder — Parquet. ``delta`` reads a
        Delta Lake table folder and needs Delta Lake on the cluster (Databricks has it).
    """

    path: str | None = None
    table: str | None = None
    format: Literal["parquet", "csv", "delta"] | None = None

    def __post_init__(self) -> None:
        if (self.path is None) == (self.table is None):
            raise InputDataError("SparkSource: expected either path or table")
        if self.format is not None and self.format not in FORMATS:
            raise InputDataError(
                f"SparkSource: format={self.format!r}; expected one of {', '.join(FORMATS)}"
            )
        if self.format is not None and self.table is not None:
            raise InputDataError("SparkSource: format applies to a path, not to a table")

    @property
    def label(self) -> str:
        """How messages name the log."""
        return f"table '{self.table}'" if self.table is not None else f"file '{self.path}'"

    def read_format(self) -> str | None:
        """``parquet``, ``csv`` or ``delta`` for a path (explicit, else by suffix); None for a table."""
        if self.path is None:
            return None
        if self.format is not None:
            return self.format
        return "csv" if self.path.lower().endswith(_CSV_SUFFIXES) else "parquet"


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
    Likewise the process's active Spark Connect session is reused for an ``sc://`` master
    (the Connect client's ``getOrCreate``); a classic local session may run beside it.
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
    """The ``SparkSession.builder`` for ``options`` (not yet started).

    A Spark Connect URL (``sc://host:port``) gets the Spark Connect client's own
    ``SparkSession.builder.remote(url)`` (:mod:`pyspark.sql.connect.session`), not the
    classic builder: that one refuses a remote session while a local one runs in the process
    and switches every later session of the process to Spark Connect (an environment
    variable). Only SQL settings apply to a Connect session (the server's cluster is set up
    where it runs); static settings in ``config`` are ignored by the server, with a warning.
    """
    if options.master.startswith("sc://"):
        _pyspark()  # the message when pyspark is missing
        from pyspark.sql.connect.session import SparkSession as ConnectSession

        builder = ConnectSession.builder.remote(options.master)
        defaults = PINNED
    else:
        builder = _pyspark().SparkSession.builder.appName("abclab").master(options.master)
        defaults = SESSION_DEFAULTS
    settings = {**defaults, **{str(k): str(v) for k, v in options.config.items()}}
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


def _functions(session: Any) -> Any:
    """``pyspark.sql.functions`` of the session's kind (classic or Spark Connect)."""
    if type(session).__module__.startswith("pyspark.sql.connect"):
        from pyspark.sql.connect import functions

        return functions
    return _pyspark().functions


def _read(session: Any, source: Any) -> tuple[Any, str]:
    """The log as a Spark DataFrame, and its label for messages."""
    if isinstance(source, pd.DataFrame):
        # pyarrow turns NaN into NULL, as DuckDB's scan of a frame does
        table = pa.Table.from_pandas(source, preserve_index=False).replace_schema_metadata(None)
        return session.createDataFrame(table), source.attrs.get("source_label", "the DataFrame")
    if hasattr(source, "createOrReplaceTempView"):
        return source, "the Spark DataFrame"
    if isinstance(source, str | os.PathLike):
        text = os.fspath(source)
        is_path = text.lower().endswith(_CSV_SUFFIXES + _PARQUET_SUFFIXES)
        is_path = is_path or "/" in text or "\\" in text or Path(text).exists()
        source = SparkSource(path=text) if is_path else SparkSource(table=text)
    if not isinstance(source, SparkSource):
        raise InputDataError(
            "source must be a path (Parquet or CSV, any file system Spark reads), a table name,"
            f" a SparkSource, a Spark or pandas DataFrame; got {type(source).__name__}"
        )
    return _read_source(session, source), source.label


def _read_source(session: Any, source: SparkSource) -> Any:
    """The Spark DataFrame of a path or table (errors name the source and Spark's reason)."""
    try:
        kind = source.read_format()
        if kind is None:
            frame = session.table(source.table)
        elif kind == "csv":
            sep = "\t" if ".tsv" in source.path.lower() else ","
            frame = session.read.csv(source.path, header=True, inferSchema=True, sep=sep)
        elif kind == "delta":
            frame = session.read.format("delta").load(source.path)
        else:
            frame = session.read.parquet(source.path)
        frame.schema  # noqa: B018 - Spark Connect analyses lazily: a missing table fails here
    except _spark_errors() as err:
        how = f" as {kind}" if kind else ""
        raise InputDataError(
            f"{source.label} could not be read by Spark{how}: {_reason(err)}"
        ) from err
    return frame


def _spark_errors() -> tuple[type[BaseException], ...]:
    """Exceptions of a failed read: pyspark's own, and a JVM error that pyspark passes on."""
    from pyspark.errors import PySparkException

    try:
        from py4j.protocol import Py4JJavaError
    except ImportError:  # a Spark Connect client without py4j
        return (PySparkException,)
    return (PySparkException, Py4JJavaError)


def _reason(err: BaseException) -> str:
    """The first line of Spark's message (not the JVM stack trace)."""
    java = getattr(err, "java_exception", None)
    text = str(java.getMessage()) if java is not None else str(err)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else type(err).__name__


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
        functions = _functions(self.session)
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


def spark_sample(source: Any, *, spark: Any = None, rows: int) -> pd.DataFrame:
    """The first ``rows`` lines of a log as Spark reads it, as a pandas frame.

    For checks before a run (``abclab validate``) of a log that is not on this machine: Spark
    reads the schema and stops after ``rows`` lines (a ``LIMIT``); nothing else comes back.
    Dates are ``datetime64``; timestamps are UTC, without a time zone.
    """
    session = spark_session(spark)
    with _pinned(session):
        frame, _ = _read(session, source)
        table = frame.limit(int(rows)).toArrow()
    out = table.to_pandas(date_as_object=False)
    for name in out.columns:
        if isinstance(out[name].dtype, pd.DatetimeTZDtype):
            out[name] = out[name].dt.tz_convert("UTC").dt.tz_localize(None)
    return out


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
