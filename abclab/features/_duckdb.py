"""The DuckDB engine that runs the criteria definition (the default engine).

One in-memory DuckDB database per process (each call works in its own connection), the log
as the temporary view ``abclab_source`` (:class:`_DuckDBRun`, what
:mod:`abclab.features._engine` runs its steps through), the Arrow fetch of a result and the
customer-alias view.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from abclab.exceptions import InputDataError
from abclab.features._definition import DUCKDB, _quote
from abclab.features._engine import _arrow_columns
from abclab.features._prepared import PreparedLog
from abclab.features._source import _source_relation

_ENGINE_LOCK = threading.Lock()


@functools.cache
def _engine(pid: int) -> duckdb.DuckDBPyConnection:
    """The DuckDB in-memory database of process ``pid``, created on first use.

    Creating a DuckDB database costs about 20 ms, a tenth of the whole computation on a
    one-million-line log, so one database (no tables, no settings besides the thread
    count) serves every call of the process; each call works in its own connection
    (:func:`_connect`), whose temporary view and registered frame vanish when it closes.
    Keyed by process id so that a forked child never uses its parent's database.
    """
    return duckdb.connect(config={"threads": _cpu_count()})


def _connect() -> duckdb.DuckDBPyConnection:
    """A new connection to this process's DuckDB database (thread-safe)."""
    with _ENGINE_LOCK:
        return _engine(os.getpid()).cursor()


def _cpu_count() -> int:
    """CPUs this process may run on (affinity mask where the OS exposes one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


class _DuckDBRun:
    """One log opened on DuckDB as the temporary view ``abclab_source`` (an ``_Engine``)."""

    dialect = DUCKDB
    source = "abclab_source"

    def __init__(
        self, con: duckdb.DuckDBPyConnection, relation_sql: str, label: str, *, csv: bool
    ) -> None:
        self.con, self.relation_sql, self.label = con, relation_sql, label
        self.cheap_stats = not csv
        con.execute(f"CREATE TEMP VIEW abclab_source AS SELECT * FROM {relation_sql}")

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return self.con.execute(sql).fetchall()

    def fetch(self, sql: str) -> dict[str, Any]:
        relation = self.con.sql(sql)
        arrow = relation.to_arrow_table if hasattr(relation, "to_arrow_table") else relation.arrow
        return _arrow_columns(arrow())

    def types(self) -> dict[str, str]:
        return _column_types(self.con, self.label)

    def apply_aliases(self, customer: str, aliases: Mapping[Any, Any]) -> None:
        _apply_aliases(self.con, self.relation_sql, customer, self.types(), aliases, self.label)


@contextlib.contextmanager
def _open(
    source: str | os.PathLike[str] | pd.DataFrame | PreparedLog, *, customer: str
) -> Iterator[_DuckDBRun]:
    """The log (a prepared path or frame) opened on a new connection, closed afterwards."""
    label, relation_sql, frame = _source_relation(source, customer=customer)
    con = _connect()
    try:
        if frame is not None:
            con.register("abclab_source_frame", frame)
        elif relation_sql.startswith("read_parquet("):
            path = source.path if isinstance(source, PreparedLog) else Path(source)
            relation_sql = _parallel_relation(con, relation_sql, path)
        yield _DuckDBRun(con, relation_sql, label, csv=relation_sql.startswith("read_csv"))
    finally:
        con.close()


#: Largest Parquet data (uncompressed bytes, from the file's metadata) that
#: :func:`_parallel_relation` reads into memory to scan it on every thread.
IN_MEMORY_SCAN_BYTES = 512 * 2**20


def _parallel_relation(con: duckdb.DuckDBPyConnection, relation_sql: str, path: Path) -> str:
    """A relation with the rows and column types of ``relation_sql`` (``read_parquet`` of
    ``path``) that DuckDB scans on all its threads.

    DuckDB's Parquet reader gives each row group to one thread, and pyarrow writes up to
    1 Mi rows per row group by default, so a log of a million lines is read and aggregated
    on one core. A file with fewer row groups than threads and at most
    :data:`IN_MEMORY_SCAN_BYTES` of data is therefore read by pyarrow (which decodes the
    columns in parallel) and scanned as an Arrow table, which DuckDB splits across its
    threads; columns whose Arrow type DuckDB would see differently (e.g. millisecond
    timestamps) are cast to the Parquet reader's type, so every statement sees the same
    relation either way (``tests/test_features_parallel_scan.py``). Any other file, or one
    pyarrow cannot read, is scanned as it is (DuckDB then names any error).
    """
    try:
        meta = pq.read_metadata(path)
    except (OSError, pa.ArrowException):
        return relation_sql
    groups = meta.num_row_groups
    size = sum(meta.row_group(i).total_byte_size for i in range(groups))
    if not 0 < groups < _cpu_count() or size > IN_MEMORY_SCAN_BYTES:
        return relation_sql
    try:
        wanted = con.execute(f"DESCRIBE SELECT * FROM {relation_sql}").fetchall()
        con.register("abclab_source_arrow", pq.read_table(path))
        seen = con.execute("DESCRIBE SELECT * FROM abclab_source_arrow").fetchall()
    except (duckdb.Error, OSError, pa.ArrowException):
        return relation_sql
    if [row[0] for row in seen] != [row[0] for row in wanted]:
        return relation_sql
    columns = [
        _quote(name) if have == want else f"CAST({_quote(name)} AS {want}) AS {_quote(name)}"
        for (name, want, *_), (_, have, *_) in zip(wanted, seen, strict=True)
    ]
    relation = f"(SELECT {', '.join(columns)} FROM abclab_source_arrow)"
    try:
        cast = con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    except duckdb.Error:
        return relation_sql
    return relation if [row[:2] for row in cast] == [row[:2] for row in wanted] else relation_sql


def log_columns(log: PreparedLog, columns: Sequence[str]) -> pd.DataFrame:
    """The named columns of a prepared log as a frame, one row per line, in file order.

    Parameters
    ----------
    log : PreparedLog
        The run's log (:func:`abclab.features.prepare_log`).
    columns : sequence of str
        Columns to return (each once, in this order); the first is the customer id.

    Raises
    ------
    InputDataError
        If a column is not in the log (the message names the log and lists its columns).
    """
    names = list(dict.fromkeys(columns))
    with _open(log, customer=names[0]) as run:
        types = run.types()
        absent = [c for c in names if c not in types]
        if absent:
            raise InputDataError(
                f"{log.label} has no column {absent[0]!r}; available columns: "
                f"{', '.join(map(repr, types))}"
            )
        quoted = ", ".join(_quote(c) for c in names)
        return run.con.sql(f"SELECT {quoted} FROM {run.source}").df()


def _apply_aliases(
    con: duckdb.DuckDBPyConnection,
    relation_sql: str,
    customer: str,
    types: Mapping[str, str],
    aliases: Mapping[Any, Any],
    label: str,
) -> None:
    """Redefine ``abclab_source`` with customer ids replaced by their alias targets."""
    if customer not in types:
        raise InputDataError(
            f"{label}: customer column {customer!r} not found; available columns: {list(types)}"
        )
    table = pd.DataFrame(
        {"alias_from": [str(k) for k in aliases], "alias_to": [str(v) for v in aliases.values()]}
    )
    con.register("abclab_aliases", table)
    column = _quote(customer)
    con.execute(
        "CREATE OR REPLACE TEMP VIEW abclab_source AS "
        f"SELECT s.* REPLACE (coalesce(a.alias_to, CAST(s.{column} AS VARCHAR)) AS {column}) "
        f"FROM {relation_sql} s LEFT JOIN abclab_aliases a "
        f"ON CAST(s.{column} AS VARCHAR) = a.alias_from"
    )


def _column_types(con: duckdb.DuckDBPyConnection, label: str) -> dict[str, str]:
    try:
        rows = con.execute("DESCRIBE SELECT * FROM abclab_source").fetchall()
    except duckdb.Error as err:
        raise InputDataError(f"{label} could not be read: {err}") from err
    return {row[0]: row[1] for row in rows}
