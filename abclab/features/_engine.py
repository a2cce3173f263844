"""What an engine offers the criteria steps, and the steps that are the same on every engine.

An engine run (:class:`_Engine`; DuckDB in :mod:`abclab.features._duckdb`, Spark in
:mod:`abclab.features._spark`) exposes one transaction log as a relation named ``source``,
its column types under DuckDB's type names, and runs SQL of its :class:`_Dialect`, returning
rows (small answers) or the columns of a per-customer result. The steps here — the plan
asked for before the aggregation, the aggregation with its one recompute, the cross-purchase
denominator — only talk to an engine through that, so both engines run the same steps over
the same statement (:func:`abclab.features._definition._aggregation_sql`).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from collections.abc import Mapping
from typing import Any, Protocol

import numpy as np
import pyarrow as pa

from abclab.features._definition import (
    _DEFAULT_MONTH_WORDS,
    _MAX_BITSET_CATEGORIES,
    _aggregation_sql,
    _date_expr,
    _Dialect,
    _month_number,
    _month_words,
    _Plan,
)
from abclab.features._source import _missing_amounts, _raise_date_error


class _Engine(Protocol):
    """One transaction log opened on an engine."""

    #: how the engine spells the definition
    dialect: _Dialect
    #: the relation (view) that holds the log
    source: str
    #: the source named in messages, e.g. "file 'tx.parquet'"
    label: str
    #: min, max and count of a date-typed column cost no scan (Parquet statistics, a frame)
    cheap_stats: bool

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        """Run ``sql`` and return its (few) rows."""
        ...

    def fetch(self, sql: str) -> dict[str, Any]:
        """Run ``sql`` and return its columns (see :func:`_arrow_columns`)."""
        ...

    def types(self) -> dict[str, str]:
        """Column name -> DuckDB type name (``BIGINT``, ``DOUBLE``, ``DATE``, ``VARCHAR``…)."""
        ...

    def apply_aliases(self, customer: str, aliases: Mapping[Any, Any]) -> None:
        """Book every line of an alias id under its target id (ids compared as text)."""
        ...


def _arrow_columns(table: pa.Table) -> dict[str, Any]:
    """The result's columns: NumPy arrays, the customer ids a pandas Series.

    Arrow, not pandas, is the common result format: columnar, no per-row Python objects,
    text ids stay Arrow-backed in pandas' ``str`` dtype. Missing values become NaN (integer
    columns turn float64) and NaT (dates, as ``datetime64[D]``).
    """
    columns: dict[str, Any] = {
        name: table.column(name).to_numpy() for name in table.column_names if name != "customer"
    }
    columns["customer"] = table.column("customer").to_pandas()
    return columns


def _plan(
    engine: _Engine,
    spec: dict[str, tuple[str, str] | None],
    as_of: _dt.date | None,
) -> _Plan:
    """Resolve ``as_of`` (last date + 1 day) if needed, check dates and list the categories.

    The first and last date and the numbers of missing dates and amounts are asked for
    when ``as_of`` is not given, or whenever they are cheap (``engine.cheap_stats`` and a
    DATE/TIMESTAMP column: DuckDB answers them from a Parquet file's row-group statistics
    without reading the data, and DataFrame columns are in-memory scans). Otherwise the
    aggregation counts missing values itself and the month bit set starts with its default
    size (see :func:`_run`). The category list is one scan of the category column; it may
    include values bought only after ``as_of`` or only returned, as bits that no customer
    sets do not count (see :func:`_cross_purchase_rate`).

    Raises
    ------
    InputDataError
        On unparseable or missing dates and missing amounts, when counted here.
    """
    q = engine.dialect.quote
    raw = q(spec["date"][0])
    date_sql, _ = _date_expr(*spec["date"], engine.dialect)
    typed = date_sql in (raw, f"CAST({raw} AS DATE)")
    first_month, filter_dates, counted = None, True, False
    if as_of is None or (typed and engine.cheap_stats):
        # aggregates of the raw column (cast afterwards) so that statistics can answer them
        date_sql = raw if typed else date_sql
        amount = q(spec["amount"][0])
        first, last, n_no_date, n_no_amount = engine.rows(
            f"SELECT CAST(min({date_sql}) AS DATE), CAST(max({date_sql}) AS DATE),"
            f" count(*) - count({date_sql}), count(*) - count({amount}) FROM {engine.source}"
        )[0]
        if n_no_date:
            _raise_date_error(engine, spec, engine.label)
        if n_no_amount:
            raise _missing_amounts(spec, engine.label, n_no_amount)
        counted = True
        if first is not None:
            first_month = _month_number(first)
        if as_of is None and last is not None:
            as_of, filter_dates = last + _dt.timedelta(days=1), False
    categories = None
    if spec["category"] is not None:
        column = q(spec["category"][0])
        rows = engine.rows(
            f"SELECT DISTINCT CAST({column} AS {engine.dialect.text}) FROM {engine.source}"
            f" WHERE {column} IS NOT NULL LIMIT {_MAX_BITSET_CATEGORIES + 1}"
        )
        if len(rows) <= _MAX_BITSET_CATEGORIES:
            categories = tuple(sorted(row[0] for row in rows))
    return _Plan(
        as_of=as_of,
        filter_dates=filter_dates,
        first_month=first_month,
        categories=categories,
        counted=counted,
    )


def _run(engine: _Engine, spec: dict[str, tuple[str, str] | None], plan: _Plan) -> dict[str, Any]:
    """Run the aggregation; recompute once if the month bit set was too short.

    When the earliest date is unknown (``as_of`` given and no cheap statistics), the month
    bit set covers the ``_DEFAULT_MONTH_WORDS * 64`` months before ``as_of``. The earliest
    purchase in the result is exactly the earliest month that sets a bit, so a longer
    history is detected here and the statement runs again with a bit set sized for it (or
    with ``count(DISTINCT …)``).
    """
    if plan.as_of is None:  # empty log and no as_of: nothing to aggregate
        plan = _Plan(as_of=_dt.date(2000, 1, 1), filter_dates=True)
    result = engine.fetch(_aggregation_sql(spec, plan, engine.dialect, engine.source))
    purchases = result["first_purchase"][~np.isnat(result["first_purchase"])]
    if plan.first_month is None and len(purchases):
        first = purchases.min().astype(_dt.date)
        exact = dataclasses.replace(plan, first_month=_month_number(first))
        if _month_words(exact) not in range(1, _DEFAULT_MONTH_WORDS + 1):
            result = engine.fetch(_aggregation_sql(spec, exact, engine.dialect, engine.source))
    return result


def _cross_purchase_rate(
    engine: _Engine,
    result: dict[str, Any],
    spec: dict[str, tuple[str, str] | None],
    plan: _Plan,
) -> np.ndarray | None:
    """Distinct categories bought per customer / distinct categories bought by anyone.

    With the bit set, the categories bought by anyone (amount ≥ 0, before ``as_of``) are
    the bitwise OR of every customer's bits, so the category list may be a superset. The
    ``count(DISTINCT …)`` fallback asks the engine for the denominator.
    """
    if spec["category"] is None:
        return None
    bought = result["n_categories"].astype(np.float64)
    if plan.categories is not None:
        bits = result["category_bits"]
        everyone = int(np.bitwise_or.reduce(bits)).bit_count() if len(bits) else 0
    else:
        q, text = engine.dialect.quote, engine.dialect.text
        date_sql, _ = _date_expr(*spec["date"], engine.dialect)
        as_of = f"DATE '{plan.as_of:%Y-%m-%d}'" if plan.as_of is not None else "NULL"
        everyone = engine.rows(
            f"SELECT count(DISTINCT CAST({q(spec['category'][0])} AS {text}))"
            f" FROM {engine.source} WHERE CAST({q(spec['amount'][0])} AS DOUBLE) >= 0"
            f" AND {date_sql} < {as_of}"
        )[0][0]
    return bought / everyone if everyone else np.full(len(bought), np.nan)
