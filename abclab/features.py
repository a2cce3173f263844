"""Customer criteria derived from a transaction log, computed by one DuckDB query.

A transaction log (one row per invoice line: customer, date, amount and optionally profit,
product category, invoice due and paid dates) becomes one row per customer with the criteria
of source 003 (annual spend, profit and margin, tenure, cross-purchase rate, on-time payment
rate) and the RFM / dynamics quantities (purchase count, recency, active months, months since
the last purchase, spend growth).

DuckDB reads CSV and Parquet files directly (out of core, only the named columns), so a log
of tens of millions of rows never becomes a pandas frame; a pandas frame is registered with
DuckDB as is. Every criterion and every input check is computed by one SQL statement (CTEs,
one hash ``GROUP BY``) built in :func:`_aggregation_sql`, the single place that defines the
criteria. Before it, only what the statement cannot know runs: the last date when ``as_of``
is not given (answered from Parquet statistics without a scan for date-typed columns) and
the list of category values when a category is given. The cost stays close to one bare
``GROUP BY`` over the log (``bench/transactions.py``).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import functools
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from abclab.exceptions import InputDataError

__all__ = ["TransactionFeatures", "from_transactions", "transaction_features"]

#: Days per year used for tenure and annualisation (Julian year).
DAYS_PER_YEAR = 365.25

_PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")
_CSV_SUFFIXES = (".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz", ".txt.gz")
_NUMERIC_TYPES = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "UHUGEINT",
    "FLOAT",
    "DOUBLE",
    "DECIMAL",
)
_STRING_TYPES = ("VARCHAR",)
#: Text date layouts accepted besides ISO 8601 (``2024-01-31``, ``2024-01-31 10:00:00``).
_DATE_FORMATS = ("%Y/%m/%d", "%Y%m%d", "%Y/%m/%d %H:%M:%S", "%Y.%m.%d", "%d.%m.%Y")


@dataclasses.dataclass(frozen=True)
class TransactionFeatures:
    """Per-customer criteria and the returns-netting report of one transaction log.

    Attributes
    ----------
    customers : pandas.DataFrame
        One row per customer (see :func:`transaction_features` for the columns).
    returns : pandas.DataFrame
        Same index; ``return_count`` (rows with a negative amount) and ``returned_amount``
        (their absolute sum), both already netted into ``total_spend`` and the spend windows.
    as_of : pandas.Timestamp
        Evaluation date (exclusive): transactions on or after it were ignored.
    """

    customers: pd.DataFrame
    returns: pd.DataFrame
    as_of: pd.Timestamp

    def to_frame(self) -> pd.DataFrame:
        """Return ``customers`` joined with ``returns`` (same index)."""
        return self.customers.join(self.returns)


def from_transactions(
    source: str | os.PathLike[str] | pd.DataFrame,
    *,
    customer: str,
    date: str,
    amount: str,
    profit: str | None = None,
    category: str | None = None,
    due_date: str | None = None,
    paid_date: str | None = None,
    as_of: str | _dt.date | pd.Timestamp | None = None,
    aliases: Mapping[Any, Any] | None = None,
) -> pd.DataFrame:
    """Derive one row of criteria per customer from a transaction log.

    Thin wrapper around :func:`transaction_features` returning only ``.customers``; see
    there for parameters, columns and definitions.

    Examples
    --------
    >>> log = pd.DataFrame({"cust": ["a", "a", "b"],
    ...                     "day": pd.to_datetime(["2024-01-05", "2024-03-01", "2024-02-10"]),
    ...                     "value": [100.0, 50.0, 80.0]})
    >>> from_transactions(log, customer="cust", date="day", amount="value",
    ...                   as_of="2024-04-01")[["purchase_count", "total_spend", "recency_days"]]
    ... # doctest: +NORMALIZE_WHITESPACE
          purchase_count  total_spend  recency_days
    cust
    a                  2        150.0            31
    b                  1         80.0            51
    """
    return transaction_features(
        source,
        customer=customer,
        date=date,
        amount=amount,
        profit=profit,
        category=category,
        due_date=due_date,
        paid_date=paid_date,
        as_of=as_of,
        aliases=aliases,
    ).customers


def transaction_features(
    source: str | os.PathLike[str] | pd.DataFrame,
    *,
    customer: str,
    date: str,
    amount: str,
    profit: str | None = None,
    category: str | None = None,
    due_date: str | None = None,
    paid_date: str | None = None,
    as_of: str | _dt.date | pd.Timestamp | None = None,
    aliases: Mapping[Any, Any] | None = None,
) -> TransactionFeatures:
    """Derive per-customer criteria and a returns report from a transaction log.

    Parameters
    ----------
    source : path or pandas.DataFrame
        A CSV (``.csv``, ``.tsv``, ``.txt``, optionally gzipped; read with DuckDB's
        ``read_csv_auto``) or Parquet file (``read_parquet``), or a DataFrame. One row per
        invoice line; negative amounts are returns / cancellations.
    customer, date, amount : str
        Column names of the customer id, the transaction date (a date/timestamp column, or
        text such as ``2024-01-31``, ``2024/1/31`` or ``20240131``) and the amount.
    profit, category, due_date, paid_date : str, optional
        Column names of the profit per line, the product category and the invoice due and
        payment dates. Columns that depend on them are only returned when they are given.
    as_of : date-like, optional
        Evaluation date, exclusive: transactions dated on or after ``as_of`` are ignored.
        Default: the day after the last transaction date in the log.
    aliases : mapping, optional
        Customer id -> the id it is booked under instead, e.g. the ``merged`` table of
        :func:`abclab.cleaning.clean_customers` (a duplicate customer's invoices belong to
        the record it was merged into). Ids are compared as text and the result's index is
        then text.

    Returns
    -------
    TransactionFeatures
        ``customers`` is indexed by the customer id (index named after ``customer``), sorted,
        with columns

        - ``purchase_count``: number of lines with amount ≥ 0;
        - ``total_spend``: sum of all amounts, returns netted;
        - ``annual_spend``: ``total_spend / max(tenure_years, 1)`` — spend over the observed
          tenure window (first purchase to ``as_of``) per year, the window floored at one year
          so that new customers are not extrapolated; for the trailing calendar year use
          ``spend_12m``;
        - ``profit`` and ``margin = profit / total_spend`` (NaN when ``total_spend ≤ 0``),
          only with ``profit``;
        - ``first_purchase``, ``last_purchase``: dates of the first and last line with
          amount ≥ 0;
        - ``recency_days``: days from ``last_purchase`` to ``as_of``;
        - ``tenure_years``: days from ``first_purchase`` to ``as_of`` / 365.25;
        - ``active_months``: distinct calendar months with a purchase;
        - ``months_since_last_purchase``: whole calendar months from ``last_purchase`` to
          ``as_of`` (DuckDB ``date_sub('month', …)``);
        - ``spend_12m``: net spend in ``[as_of − 12 months, as_of)``;
        - ``spend_prev_12m``: net spend in ``[as_of − 24 months, as_of − 12 months)``;
        - ``spend_growth = spend_12m / spend_prev_12m − 1`` (NaN when ``spend_prev_12m ≤ 0``);
        - ``cross_purchase_rate``: distinct categories the customer bought / distinct
          categories bought by anyone (only with ``category``);
        - ``on_time_payment_rate``: share of the customer's invoices (lines with amount ≥ 0
          and a due date) paid on or before the due date, only with ``due_date`` and
          ``paid_date``. An invoice unpaid at ``as_of`` (missing paid date, or paid on or
          after ``as_of``) counts as late once its due date is before ``as_of`` and is left
          out while it is not yet due.

        Customers who only have returns in the window keep their row (NaT purchase dates).
        ``returns`` holds ``return_count`` and ``returned_amount`` (a positive number).

    Raises
    ------
    InputDataError
        If the file does not exist or has an unknown type, a named column is missing (the
        message names the file and lists the available columns), a date cannot be parsed or
        is missing (names the column and an example), an amount is missing or not numeric,
        or a customer id is missing.

    Notes
    -----
    All criteria and input checks come from one aggregation statement (CTEs, one hash
    ``GROUP BY``) over the columns named here. Before it run only the first/last date and
    missing-value counts (skipped when ``as_of`` is given for a CSV file or text dates;
    answered from the row-group statistics of a Parquet file, without reading the data) and
    the list of category values. The result travels from DuckDB as Arrow. The cost is close
    to a bare ``GROUP BY`` computing counts, sums, first/last dates and distinct months
    (``bench/transactions.py``; about 20 ms of fixed cost per call). The SQL lives in one
    function (``_aggregation_sql``) so that another engine could run the same definition.
    Calls share one DuckDB in-memory database per process, each through its own connection,
    using as many threads as the process may use CPUs.

    References
    ----------
    .. [1] Source 003 (客户关系分级分类工具应用指南): criteria 年消费额, 利润率, 合作时长,
       交叉购买率, 回款及时率, and the trigger "连续3个月无交易" (months without purchase).
    .. [2] Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). RFM and CLV: using iso-value
       curves for customer base analysis. Journal of Marketing Research 42(4), 415–430.
    """
    label, relation_sql, frame = _source_relation(source)
    con = _connect()
    try:
        if frame is not None:
            con.register("abclab_source_frame", frame)
        con.execute(f"CREATE TEMP VIEW abclab_source AS SELECT * FROM {relation_sql}")
        types = _column_types(con, label)
        if aliases:
            _apply_aliases(con, relation_sql, customer, types, aliases, label)
            types = _column_types(con, label)
        spec = _resolve_columns(
            types,
            label,
            customer=customer,
            date=date,
            amount=amount,
            profit=profit,
            category=category,
            due_date=due_date,
            paid_date=paid_date,
        )
        plan = _plan(
            con,
            spec,
            None if as_of is None else _to_date(as_of),
            csv=relation_sql.startswith("read_csv"),
            label=label,
        )
        result = _run(con, spec, plan)
        _check_result(con, result, spec, label)
        rate = _cross_purchase_rate(con, result, spec, plan)
    finally:
        con.close()
    return _split_result(result, spec, plan.as_of, rate)


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


# --------------------------------------------------------------------------- SQL definition

#: Month bit-set words (64 months each) used when the first date is not known beforehand
#: (``as_of`` given for a CSV file or text dates): 128 months; a longer history is detected
#: and recomputed.
_DEFAULT_MONTH_WORDS = 2
#: Beyond this many words distinct months are counted with ``count(DISTINCT …)``.
_MAX_MONTH_WORDS = 8
#: Distinct categories are a bit set in a signed BIGINT (bits 0–62) up to this many values.
_MAX_BITSET_CATEGORIES = 63


@dataclasses.dataclass(frozen=True)
class _Plan:
    """What the aggregation statement needs to know before it runs.

    ``as_of`` is None only for an empty log without ``as_of``; ``filter_dates`` says whether
    lines on or after ``as_of`` can exist (``as_of`` given); ``first_month`` is
    ``12 * year + month`` of the earliest date when known (it sizes the month bit set);
    ``categories`` lists the category values (None: no category column or too many values);
    ``counted`` says whether missing dates and amounts were already counted (and found
    absent) before the aggregation, which then need not count them.
    """

    as_of: _dt.date | None
    filter_dates: bool
    first_month: int | None = None
    categories: tuple[str, ...] | None = None
    counted: bool = False


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


def _month_number(day: _dt.date) -> int:
    return day.year * 12 + day.month


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


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _date_expr(column: str, type_name: str) -> tuple[str, str]:
    """SQL that turns ``column`` into a DATE, and SQL that is true where parsing failed."""
    col = _quote(column)
    base = type_name.split("(")[0].upper()
    if base == "DATE":
        return col, "false"
    if base.startswith("TIMESTAMP"):
        return f"CAST({col} AS DATE)", "false"
    if base in _STRING_TYPES:
        formats = ", ".join(f"'{f}'" for f in _DATE_FORMATS)
        expr = (
            f"COALESCE(TRY_CAST(trim({col}) AS DATE), "
            f"CAST(try_strptime(trim({col}), [{formats}]) AS DATE))"
        )
        return expr, f"({col} IS NOT NULL AND trim({col}) <> '' AND ({expr}) IS NULL)"
    if base in _NUMERIC_TYPES[:10]:  # integer dates such as 20240131
        expr = f"CAST(try_strptime(CAST({col} AS VARCHAR), '%Y%m%d') AS DATE)"
        return expr, f"({col} IS NOT NULL AND ({expr}) IS NULL)"
    raise _unsupported_type(column, type_name, "dates")


def _aggregation_sql(spec: dict[str, tuple[str, str] | None], plan: _Plan) -> str:
    """Build the single statement that defines every criterion and counts bad input.

    One CTE pipeline and one hash ``GROUP BY`` over the log. ``as_of`` and the window
    boundaries are written in as SQL date literals, which fold into constants (prepared
    parameters and scalar subqueries inside FILTER clauses are evaluated per row or make
    DuckDB materialise the log, 2–3× slower). Lines dated on or after ``as_of`` are
    dropped by the WHERE clause (absent when ``as_of`` is the day after the last date);
    lines with a missing or unparseable date, a missing amount or (text columns) an
    unparseable due or paid date are kept whatever their date, so that per-customer counts
    (``n_lines``, ``n_dated``, ``n_bad_due_paid``) expose them; :func:`_check_result` raises before any criterion is
    used. A missing amount is a line counted in ``n_lines`` but neither as purchase
    (amount ≥ 0) nor as return (amount < 0). ``n_lines`` and ``n_dated`` are left out when
    :func:`_plan` has already counted missing dates and amounts (``plan.counted``).

    Distinct months and distinct categories are exact bit sets rather than
    ``count(DISTINCT …)`` (which DuckDB runs as a separate, much slower, distinct hash
    aggregation): month ``i`` before ``as_of`` sets bit ``i mod 64`` of word ``i // 64``
    (``bit_or``, then ``bit_count``); category ``k`` of the sorted category list sets bit
    ``k`` of ``category_bits``. With more than ``_MAX_BITSET_CATEGORIES`` categories or a
    log spanning more than ``64 * _MAX_MONTH_WORDS`` months the statement falls back to
    ``count(DISTINCT …)``.
    """
    date_sql, date_bad = _date_expr(*spec["date"])
    cols = [
        f"{_quote(spec['customer'][0])} AS customer",
        f"{date_sql} AS d",
        f"CAST({_quote(spec['amount'][0])} AS DOUBLE) AS amount",
    ]
    stamp = pd.Timestamp(plan.as_of)
    as_of = f"DATE '{stamp:%Y-%m-%d}'"
    from_12m = f"DATE '{stamp - pd.DateOffset(months=12):%Y-%m-%d}'"
    from_24m = f"DATE '{stamp - pd.DateOffset(months=24):%Y-%m-%d}'"
    keep = [f"d < {as_of}"] if plan.filter_dates else []
    checks = []
    if not plan.counted:
        keep += ["d IS NULL", "amount IS NULL"]
        checks = ["count(*) AS n_lines", "count(d) AS n_dated"]
    aggs = [
        *checks,
        "count(*) FILTER (WHERE amount >= 0) AS purchase_count",
        "count(*) FILTER (WHERE amount < 0) AS return_count",
        "sum(amount) AS total_spend",
        "sum(amount) FILTER (WHERE amount < 0) AS returned_sum",
        "min(d) FILTER (WHERE amount >= 0) AS first_purchase",
        "max(d) FILTER (WHERE amount >= 0) AS last_purchase",
        _active_months_sql(plan),
        f"sum(amount) FILTER (WHERE d >= {from_12m}) AS spend_12m",
        f"sum(amount) FILTER (WHERE d >= {from_24m} AND d < {from_12m}) AS spend_prev_12m",
    ]
    final = [
        "customer",
        "purchase_count",
        "total_spend",
        f"total_spend / greatest(date_diff('day', first_purchase, {as_of})"
        f" / {DAYS_PER_YEAR}, 1.0) AS annual_spend",
    ]
    if spec["profit"] is not None:
        cols.append(f"CAST({_quote(spec['profit'][0])} AS DOUBLE) AS profit")
        aggs.append("sum(profit) AS profit")
        final += ["profit", "CASE WHEN total_spend > 0 THEN profit / total_spend END AS margin"]
    final += [
        "first_purchase",
        "last_purchase",
        f"date_diff('day', last_purchase, {as_of}) AS recency_days",
        f"date_diff('day', first_purchase, {as_of}) / {DAYS_PER_YEAR} AS tenure_years",
        "CAST(active_months AS BIGINT) AS active_months",
        f"date_sub('month', last_purchase, {as_of}) AS months_since_last_purchase",
        "coalesce(spend_12m, 0.0) AS spend_12m",
        "coalesce(spend_prev_12m, 0.0) AS spend_prev_12m",
        "CASE WHEN spend_prev_12m > 0"
        " THEN coalesce(spend_12m, 0.0) / spend_prev_12m - 1 END AS spend_growth",
    ]
    if spec["category"] is not None:
        cols.append(f"CAST({_quote(spec['category'][0])} AS VARCHAR) AS category")
        aggs.append(_categories_sql(plan.categories))
        if plan.categories is not None:
            final += ["CAST(bit_count(category_bits) AS BIGINT) AS n_categories", "category_bits"]
        else:
            final.append("n_categories")
    if spec["due_date"] is not None and spec["paid_date"] is not None:
        due_sql, due_bad = _date_expr(*spec["due_date"])
        paid_sql, paid_bad = _date_expr(*spec["paid_date"])
        cols += [f"{due_sql} AS due", f"{paid_sql} AS paid"]
        if due_bad != "false" or paid_bad != "false":
            cols.append(f"({due_bad} OR {paid_bad}) AS due_paid_bad")
            aggs.append("count(*) FILTER (WHERE due_paid_bad) AS n_bad_due_paid")
            final.append("n_bad_due_paid")
            keep.append("due_paid_bad")
        # An invoice is assessed once it is paid before as_of or overdue at as_of.
        assessed = f"amount >= 0 AND due IS NOT NULL AND (due < {as_of} OR paid < {as_of})"
        on_time = f"paid IS NOT NULL AND paid < {as_of} AND paid <= due"
        # the share of on-time invoices as the mean of a 0/1 indicator: one aggregate,
        # bit-identical to count(on time) / count(assessed) (both sums of integers)
        aggs.append(
            f"avg(CAST({on_time} AS DOUBLE)) FILTER (WHERE {assessed}) AS on_time_payment_rate"
        )
        final.append("on_time_payment_rate")
    if date_bad != "false":
        cols.append(f"{date_bad} AS d_bad")  # only kept so that the check can name it
    final += [
        "return_count",
        "coalesce(-returned_sum, 0.0) AS returned_amount",
        *(check.rsplit(" AS ", 1)[1] for check in checks),
    ]
    where = f" WHERE {' OR '.join(keep)}" if keep else ""
    return (
        f"WITH tx AS (SELECT {', '.join(cols)} FROM abclab_source),\n"
        f"agg AS (SELECT customer, {', '.join(aggs)} FROM tx{where} GROUP BY customer)\n"
        f"SELECT {', '.join(final)} FROM agg ORDER BY customer"
    )


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _month_words(plan: _Plan) -> int:
    """64-month words the month bit set needs (0: too many, use ``count(DISTINCT …)``)."""
    if plan.first_month is None:
        return _DEFAULT_MONTH_WORDS
    last = _month_number(plan.as_of - _dt.timedelta(days=1))
    words = max(1, -(-(last - plan.first_month + 1) // 64))
    return words if words <= _MAX_MONTH_WORDS else 0


def _active_months_sql(plan: _Plan) -> str:
    """Distinct purchase months as a bit set over the months before ``as_of``."""
    words = _month_words(plan)
    if not words:
        return "count(DISTINCT year(d) * 12 + month(d)) FILTER (WHERE amount >= 0) AS active_months"
    last = _month_number(plan.as_of - _dt.timedelta(days=1))
    idx = f"({last} - (year(d) * 12 + month(d)))"
    # every month index lies in [0, 64) when one word covers the first date: no range test
    ranged = words > 1 or plan.first_month is None
    parts = [
        f"coalesce(bit_count(bit_or(1::UBIGINT << CAST(({idx} - {64 * w}) & 63 AS UBIGINT))"
        " FILTER (WHERE amount >= 0"
        + (f" AND {idx} >= {64 * w} AND {idx} < {64 * (w + 1)}" if ranged else "")
        + ")), 0)"
        for w in range(words)
    ]
    return " + ".join(parts) + " AS active_months"


def _categories_sql(categories: tuple[str, ...] | None) -> str:
    """Purchased categories: a bit set over the sorted category list, else a distinct count."""
    if categories is None:
        return "count(DISTINCT category) FILTER (WHERE amount >= 0) AS n_categories"
    if not categories:
        return "0::BIGINT AS category_bits"
    listed = "[" + ", ".join(_literal(c) for c in categories) + "]"
    return (
        "coalesce(bit_or(1::BIGINT << (list_position("
        f"{listed}, category) - 1)) FILTER (WHERE amount >= 0), 0) AS category_bits"
    )


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


# --------------------------------------------------------------------------- validation


def _source_relation(
    source: str | os.PathLike[str] | pd.DataFrame,
) -> tuple[str, str, pd.DataFrame | None]:
    """Return (label for messages, SQL relation, frame to register or None)."""
    if isinstance(source, pd.DataFrame):
        return "the DataFrame", "abclab_source_frame", source
    if not isinstance(source, str | os.PathLike):
        raise InputDataError(
            f"source must be a path to a CSV/Parquet file or a pandas DataFrame, "
            f"got {type(source).__name__}"
        )
    path = Path(source)
    if not path.is_file():
        raise InputDataError(f"transaction file '{path}' does not exist")
    name = path.name.lower()
    literal = "'" + str(path).replace("'", "''") + "'"
    if name.endswith(_PARQUET_SUFFIXES):
        return f"file '{path}'", f"read_parquet({literal})", None
    if name.endswith(_CSV_SUFFIXES):
        return f"file '{path}'", f"read_csv_auto({literal})", None
    raise InputDataError(
        f"file '{path}': unknown transaction file type; expected one of "
        f"{', '.join(_CSV_SUFFIXES + _PARQUET_SUFFIXES)}"
    )


def _column_types(con: duckdb.DuckDBPyConnection, label: str) -> dict[str, str]:
    try:
        rows = con.execute("DESCRIBE SELECT * FROM abclab_source").fetchall()
    except duckdb.Error as err:
        raise InputDataError(f"{label} could not be read: {err}") from err
    return {row[0]: row[1] for row in rows}


def _resolve_columns(
    types: dict[str, str], label: str, **names: str | None
) -> dict[str, tuple[str, str] | None]:
    """Check that each named column exists and has a usable type."""
    spec: dict[str, tuple[str, str] | None] = {}
    for role, name in names.items():
        if name is None:
            spec[role] = None
            continue
        if name not in types:
            raise InputDataError(
                f"{label} has no column '{name}' (the {role} column); "
                f"available columns: {', '.join(map(repr, types))}"
            )
        spec[role] = (name, types[name])
    for role in ("amount", "profit"):
        if spec[role] is not None and spec[role][1].split("(")[0] not in _NUMERIC_TYPES:
            raise _unsupported_type(*spec[role], "numbers", label=label)
    if (spec["due_date"] is None) != (spec["paid_date"] is None):
        raise InputDataError(
            "on-time payment needs both due_date and paid_date; got only "
            + ("due_date" if spec["paid_date"] is None else "paid_date")
        )
    return spec


def _unsupported_type(column: str, type_name: str, expected: str, label: str = "") -> Exception:
    where = f"{label}: " if label else ""
    hint = (
        " (parse formats such as '1,200' or '15%' first, e.g. with abclab.io.read_table)"
        if expected == "numbers"
        else ""
    )
    return InputDataError(
        f"{where}column '{column}' has type {type_name}; expected {expected}{hint}"
    )


def _to_date(value: str | _dt.date | pd.Timestamp) -> _dt.date:
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError) as err:
        raise InputDataError(f"as_of={value!r} is not a date") from err
    if pd.isna(stamp):
        raise InputDataError(f"as_of={value!r} is not a date")
    return stamp.date()


def _check_result(
    con: duckdb.DuckDBPyConnection,
    result: dict[str, Any],
    spec: dict[str, tuple[str, str] | None],
    label: str,
) -> None:
    """Raise on bad or missing dates, missing amounts and missing customer ids.

    The aggregation counts lines per customer; only when a count shows a problem does a
    diagnostic statement scan the log again to name the column, the count and an example.
    """
    n_lines = int(result["n_lines"].sum()) if "n_lines" in result else 0
    no_date = "n_dated" in result and n_lines > int(result["n_dated"].sum())
    if no_date or ("n_bad_due_paid" in result and result["n_bad_due_paid"].sum() > 0):
        _raise_date_error(con, spec, label)
    if "n_lines" in result:
        counted = int(result["purchase_count"].sum() + result["return_count"].sum())
        if n_lines > counted:
            raise _missing_amounts(spec, label, n_lines - counted)
    if result["customer"].hasnans:
        raise InputDataError(
            f"{label}: column '{spec['customer'][0]}' has missing customer ids; "
            "transactions without a customer cannot be attributed"
        )


def _missing_amounts(
    spec: dict[str, tuple[str, str] | None], label: str, n_missing: int
) -> InputDataError:
    return InputDataError(
        f"{label}: column '{spec['amount'][0]}' has {n_missing} "
        "missing amount(s); fill or drop them explicitly before deriving criteria"
    )


def _raise_date_error(
    con: duckdb.DuckDBPyConnection, spec: dict[str, tuple[str, str] | None], label: str
) -> None:
    """Name the first date column with unparseable values (count, example) or missing dates."""
    for role in ("date", "due_date", "paid_date"):
        if spec[role] is None:
            continue
        column = spec[role][0]
        _, bad_sql = _date_expr(*spec[role])
        n_bad, example = con.execute(
            f"SELECT count(*), any_value({_quote(column)}) FROM abclab_source WHERE {bad_sql}"
        ).fetchall()[0]
        if n_bad:
            raise InputDataError(
                f"{label}: column '{column}' has {n_bad} value(s) that are not dates, "
                f"e.g. {example!r}; expected dates such as '2024-01-31', '2024/1/31' or 20240131"
            )
    date_sql, _ = _date_expr(*spec["date"])
    n_missing = con.execute(f"SELECT count(*) - count({date_sql}) FROM abclab_source").fetchall()[
        0
    ][0]
    raise InputDataError(
        f"{label}: column '{spec['date'][0]}' has {n_missing} missing "
        "date(s); every transaction needs a date"
    )


#: Result columns in their published order (optional ones only when their input is given).
_CUSTOMER_COLUMNS = (
    "purchase_count",
    "total_spend",
    "annual_spend",
    "profit",
    "margin",
    "first_purchase",
    "last_purchase",
    "recency_days",
    "tenure_years",
    "active_months",
    "months_since_last_purchase",
    "spend_12m",
    "spend_prev_12m",
    "spend_growth",
    "cross_purchase_rate",
    "on_time_payment_rate",
)
_DATE_COLUMNS = ("first_purchase", "last_purchase")


def _split_result(
    result: dict[str, Any],
    spec: dict[str, tuple[str, str] | None],
    as_of: _dt.date | None,
    cross_purchase_rate: np.ndarray | None,
) -> TransactionFeatures:
    """Assemble the two frames from the fetched columns.

    Counts are int64; ``recency_days`` and ``months_since_last_purchase`` are int64, or
    float64 with NaN when some customer only has returns; dates are ``datetime64[us]``.
    """
    index = pd.Index(result["customer"], name=spec["customer"][0])
    columns = {name: result[name] for name in _CUSTOMER_COLUMNS if name in result}
    if cross_purchase_rate is not None:
        columns["cross_purchase_rate"] = cross_purchase_rate
    for name in _DATE_COLUMNS:
        columns[name] = columns[name].astype("datetime64[us]")
    order = [name for name in _CUSTOMER_COLUMNS if name in columns]
    customers = pd.DataFrame({name: columns[name] for name in order}, index=index)
    returns = pd.DataFrame(
        {name: result[name] for name in ("return_count", "returned_amount")}, index=index
    )
    return TransactionFeatures(customers=customers, returns=returns, as_of=pd.Timestamp(as_of))
