"""The DuckDB engine that runs the criteria definition.

One in-memory DuckDB database per process (each call works in its own connection), the
plan (last date, missing-value counts, category list) asked for before the aggregation, the
aggregation itself (:func:`abclab.features._definition._aggregation_sql`, re-run once when
the month bit set was too short), the Arrow fetch of its result, the cross-purchase rate's
denominator and the customer-alias view.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import functools
import os
import threading
from collections.abc import Mapping
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from abclab.exceptions import InputDataError
from abclab.features._definition import (
    _DEFAULT_MONTH_WORDS,
    _MAX_BITSET_CATEGORIES,
    _aggregation_sql,
    _date_expr,
    _month_number,
    _month_words,
    _Plan,
    _quote,
)
from abclab.features._source import _missing_amounts, _raise_date_error

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


def _plan(
    con: duckdb.DuckDBPyConnection,
    spec: dict[str, tuple[str, str] | None],
    as_of: _dt.date | None,
    *,
    csv: bool,
    label: str,
) -> _Plan:
    """Resolve ``as_of`` (last date + 1 day) if needed, check dates and list the categories.

    The first and last date and the numbers of missing dates and amounts are asked for
    when ``as_of`` is not given, or whenever they are cheap: for DATE/TIMESTAMP columns of a
    Parquet file DuckDB answers ``min``, ``max`` and ``count`` from the row-group statistics
    without reading the data, and DataFrame columns are in-memory scans. With ``as_of`` given,
    a CSV file or a text date column is not scanned for them: the aggregation counts missing
    values itself and the month bit set starts with its default size (see :func:`_run`).
    The category list is one scan of the category column; it may include values bought only
    after ``as_of`` or only returned, as bits that no customer sets do not count (see
    :func:`_cross_purchase_rate`).

    Raises
    ------
    InputDataError
        On unparseable or missing dates and missing amounts, when counted here.
    """
    raw = _quote(spec["date"][0])
    date_sql, _ = _date_expr(*spec["date"])
    typed = date_sql in (raw, f"CAST({raw} AS DATE)")
    first_month, filter_dates, counted = None, True, False
    if as_of is None or (typed and not csv):
        # aggregates of the raw column (cast afterwards) so that statistics can answer them
        date_sql = raw if typed else date_sql
        amount = _quote(spec["amount"][0])
        first, last, n_no_date, n_no_amount = con.execute(
            f"SELECT CAST(min({date_sql}) AS DATE), CAST(max({date_sql}) AS DATE),"
            f" count(*) - count({date_sql}), count(*) - count({amount}) FROM abclab_source"
        ).fetchall()[0]
        if n_no_date:
            _raise_date_error(con, spec, label)
        if n_no_amount:
            raise _missing_amounts(spec, label, n_no_amount)
        counted = True
        if first is not None:
            first_month = _month_number(first)
        if as_of is None and last is not None:
            as_of, filter_dates = last + _dt.timedelta(days=1), False
    categories = None
    if spec["category"] is not None:
        column = _quote(spec["category"][0])
        rows = con.execute(
            f"SELECT DISTINCT CAST({column} AS VARCHAR) FROM abclab_source"
            f" WHERE {column} IS NOT NULL LIMIT {_MAX_BITSET_CATEGORIES + 1}"
        ).fetchall()
        if len(rows) <= _MAX_BITSET_CATEGORIES:
            categories = tuple(sorted(row[0] for row in rows))
    return _Plan(
        as_of=as_of,
        filter_dates=filter_dates,
        first_month=first_month,
        categories=categories,
        counted=counted,
    )


def _run(
    con: duckdb.DuckDBPyConnection, spec: dict[str, tuple[str, str] | None], plan: _Plan
) -> dict[str, Any]:
    """Run the aggregation; recompute once if the month bit set was too short.

    When the earliest date is unknown (``as_of`` given with a CSV file or a text date
    column), the month bit set covers the ``_DEFAULT_MONTH_WORDS * 64`` months before
    ``as_of``. The earliest purchase in the result is exactly the earliest month that sets
    a bit, so a longer history is detected here and the statement runs again with a bit
    set sized for it (or with ``count(DISTINCT …)``).
    """
    if plan.as_of is None:  # empty log and no as_of: nothing to aggregate
        plan = _Plan(as_of=_dt.date(2000, 1, 1), filter_dates=True)
    result = _fetch(con, _aggregation_sql(spec, plan))
    purchases = result["first_purchase"][~np.isnat(result["first_purchase"])]
    if plan.first_month is None and len(purchases):
        first = purchases.min().astype(_dt.date)
        exact = dataclasses.replace(plan, first_month=_month_number(first))
        if _month_words(exact) not in range(1, _DEFAULT_MONTH_WORDS + 1):
            result = _fetch(con, _aggregation_sql(spec, exact))
    return result


def _fetch(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, Any]:
    """Run ``sql`` and return its columns: NumPy arrays, the customer ids a pandas Series.

    The result travels as Arrow (columnar, no per-row Python objects; text customer ids
    stay Arrow-backed in pandas' ``str`` dtype): several times faster than ``.df()`` on
    hundreds of thousands of customers. Missing values become NaN (integer columns turn
    float64) and NaT (dates, as ``datetime64[D]``).
    """
    relation = con.sql(sql)
    table = relation.to_arrow_table() if hasattr(relation, "to_arrow_table") else relation.arrow()
    columns: dict[str, Any] = {
        name: table.column(name).to_numpy() for name in table.column_names if name != "customer"
    }
    columns["customer"] = table.column("customer").to_pandas()
    return columns


def _cross_purchase_rate(
    con: duckdb.DuckDBPyConnection,
    result: dict[str, Any],
    spec: dict[str, tuple[str, str] | None],
    plan: _Plan,
) -> np.ndarray | None:
    """Distinct categories bought per customer / distinct categories bought by anyone.

    With the bit set, the categories bought by anyone (amount ≥ 0, before ``as_of``) are
    the bitwise OR of every customer's bits, so the category list may be a superset. The
    ``count(DISTINCT …)`` fallback asks DuckDB for the denominator.
    """
    if spec["category"] is None:
        return None
    bought = result["n_categories"].astype(np.float64)
    if plan.categories is not None:
        bits = result["category_bits"]
        everyone = int(np.bitwise_or.reduce(bits)).bit_count() if len(bits) else 0
    else:
        date_sql, _ = _date_expr(*spec["date"])
        category = _quote(spec["category"][0])
        as_of = f"DATE '{plan.as_of:%Y-%m-%d}'" if plan.as_of is not None else "NULL"
        everyone = con.execute(
            f"SELECT count(DISTINCT CAST({category} AS VARCHAR)) FROM abclab_source"
            f" WHERE CAST({_quote(spec['amount'][0])} AS DOUBLE) >= 0"
            f" AND {date_sql} < {as_of}"
        ).fetchall()[0][0]
    return bought / everyone if everyone else np.full(len(bought), np.nan)


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
