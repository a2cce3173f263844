"""Customer criteria derived from a transaction log, computed by one DuckDB query.

A transaction log (one row per invoice line: customer, date, amount and optionally profit,
product category, invoice due and paid dates) becomes one row per customer with the criteria
of source 003 (annual spend, profit and margin, tenure, cross-purchase rate, on-time payment
rate) and the RFM / dynamics quantities (purchase count, recency, active months, months since
the last purchase, spend growth).

DuckDB reads CSV and Parquet files directly (out of core, columns pruned), so a log of tens of
millions of rows never becomes a pandas frame; a pandas frame is registered with DuckDB as is.
The aggregation is one SQL statement (CTEs, one hash ``GROUP BY``) built in
:func:`_aggregation_sql`, the single place that defines the criteria; a light first statement
over the date column resolves ``as_of`` and checks the dates. The cost stays close to one bare
``GROUP BY`` over the log (``bench/transactions.py``).
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
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


@dataclass(frozen=True)
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
    All criteria come from one aggregation statement (CTEs) over the log, preceded by a scan
    of the date column that resolves ``as_of`` and validates the dates, so the cost is close
    to a bare ``GROUP BY`` computing counts, sums, first/last dates and distinct months (see
    ``bench/transactions.py``). The SQL lives in one function (``_aggregation_sql``) so that
    another engine could run the same definition.

    References
    ----------
    .. [1] Source 003 (客户关系分级分类工具应用指南): criteria 年消费额, 利润率, 合作时长,
       交叉购买率, 回款及时率, and the trigger "连续3个月无交易" (months without purchase).
    .. [2] Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). RFM and CLV: using iso-value
       curves for customer base analysis. Journal of Marketing Research 42(4), 415–430.
    """
    label, relation_sql, frame = _source_relation(source)
    con = duckdb.connect()
    try:
        if frame is not None:
            con.register("abclab_source_frame", frame)
        con.execute(f"CREATE TEMP VIEW abclab_source AS SELECT * FROM {relation_sql}")
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
        as_of_date = None if as_of is None else _to_date(as_of)
        bounds_sql, _ = _aggregation_sql(spec)
        cursor = con.execute(bounds_sql, [as_of_date])
        names = [d[0] for d in cursor.description]
        bounds = dict(zip(names, cursor.fetchone(), strict=True))
        _check_bounds(con, bounds, spec, label)
        _, main_sql = _aggregation_sql(
            spec,
            as_of=bounds["as_of"],
            first_date=bounds["first_date"],
            categories=bounds.get("categories"),
        )
        result = con.execute(main_sql).df()
        _check_result(result, spec, label)
    finally:
        con.close()
    return _split_result(result, spec, bounds["as_of"])


# --------------------------------------------------------------------------- SQL definition


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


def _aggregation_sql(
    spec: dict[str, tuple[str, str] | None],
    *,
    as_of: _dt.date | None = None,
    first_date: _dt.date | None = None,
    categories: list[str] | None = None,
) -> tuple[str, str]:
    """Build the two statements that define every criterion.

    The first (``bounds``) scans the date column once: it resolves ``as_of`` (parameter
    ``$1``; NULL → the day after the last date), counts unparseable and missing dates and,
    with a category, counts the distinct categories bought before ``as_of``. The second is the
    single aggregation over the log (one CTE pipeline, one hash GROUP BY) for the resolved
    ``as_of``, first date and category list, written in as SQL literals: literal dates fold
    into constants (prepared parameters and scalar subqueries inside FILTER clauses are
    evaluated per row or make DuckDB materialise the log, 2–3× slower). Only the bounds
    statement is meaningful when called without ``as_of``.

    Distinct months and distinct categories are exact bit sets rather than
    ``count(DISTINCT …)`` (which DuckDB runs as a separate, much slower, distinct hash
    aggregation): month ``i`` before ``as_of`` sets bit ``i mod 64`` of word ``i // 64``
    (``bit_or``, then ``bit_count``), category ``k`` of the sorted category list sets bit
    ``k``. With more than 64 categories or a log spanning more than 512 months the query
    falls back to ``count(DISTINCT …)``.
    """
    date_sql, date_bad = _date_expr(*spec["date"])
    amount_sql = f"CAST({_quote(spec['amount'][0])} AS DOUBLE) AS amount"
    cols = [f"{_quote(spec['customer'][0])} AS customer", f"{date_sql} AS d", amount_sql]
    bound_cols = [f"{date_sql} AS d", f"{date_bad} AS d_bad"]
    checks = [
        "COALESCE(CAST($1 AS DATE), CAST(max(d) + 1 AS DATE)) AS as_of",
        "min(d) FILTER (WHERE d < COALESCE(CAST($1 AS DATE), DATE '9999-12-31')) AS first_date",
        "count(*) FILTER (WHERE d_bad) AS n_bad_date",
        "count(*) - count(d) AS n_no_date",
    ]
    stamp = pd.Timestamp(as_of if as_of is not None else _dt.date(2000, 1, 1))
    as_of = f"DATE '{stamp:%Y-%m-%d}'"
    from_12m = f"DATE '{stamp - pd.DateOffset(months=12):%Y-%m-%d}'"
    from_24m = f"DATE '{stamp - pd.DateOffset(months=24):%Y-%m-%d}'"
    aggs = [
        "count(*) FILTER (WHERE amount >= 0) AS purchase_count",
        "sum(amount) AS total_spend",
        "min(d) FILTER (WHERE amount >= 0) AS first_purchase",
        "max(d) FILTER (WHERE amount >= 0) AS last_purchase",
        _active_months_sql(stamp, first_date),
        f"sum(amount) FILTER (WHERE d >= {from_12m}) AS spend_12m",
        f"sum(amount) FILTER (WHERE d >= {from_24m} AND d < {from_12m}) AS spend_prev_12m",
        "count(*) FILTER (WHERE amount < 0) AS return_count",
        "sum(amount) FILTER (WHERE amount < 0) AS returned_sum",
        "count(*) - count(amount) AS n_no_amount",
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
        "active_months",
        f"date_sub('month', last_purchase, {as_of}) AS months_since_last_purchase",
        "coalesce(spend_12m, 0.0) AS spend_12m",
        "coalesce(spend_prev_12m, 0.0) AS spend_prev_12m",
        "CASE WHEN spend_prev_12m > 0"
        " THEN coalesce(spend_12m, 0.0) / spend_prev_12m - 1 END AS spend_growth",
    ]
    if spec["category"] is not None:
        category = f"{_quote(spec['category'][0])} AS category"
        cols.append(category)
        bound_cols += [category, amount_sql]
        checks.append(
            "list_sort(list(DISTINCT CAST(category AS VARCHAR)) FILTER (WHERE amount >= 0 AND d <"
            " COALESCE(CAST($1 AS DATE), DATE '9999-12-31') AND category IS NOT NULL))"
            " AS categories"
        )
        aggs.append(_categories_sql(categories or []))
        n_categories = len(categories or [])
        final.append(f"n_categories / nullif({float(n_categories)}, 0) AS cross_purchase_rate")
    if spec["due_date"] is not None and spec["paid_date"] is not None:
        due_sql, due_bad = _date_expr(*spec["due_date"])
        paid_sql, paid_bad = _date_expr(*spec["paid_date"])
        cols += [f"{due_sql} AS due", f"{paid_sql} AS paid"]
        if due_bad != "false" or paid_bad != "false":
            bound_cols.append(f"({due_bad}) AS due_bad, ({paid_bad}) AS paid_bad")
            checks += [
                "count(*) FILTER (WHERE due_bad) AS n_bad_due",
                "count(*) FILTER (WHERE paid_bad) AS n_bad_paid",
            ]
        # An invoice is assessed once it is paid before as_of or overdue at as_of.
        assessed = f"amount >= 0 AND due IS NOT NULL AND (due < {as_of} OR paid < {as_of})"
        on_time = f"paid IS NOT NULL AND paid < {as_of} AND paid <= due"
        aggs += [
            f"count(*) FILTER (WHERE {assessed}) AS n_invoices",
            f"count(*) FILTER (WHERE {assessed} AND {on_time}) AS n_on_time",
        ]
        final.append("n_on_time / nullif(n_invoices, 0) AS on_time_payment_rate")
    final += ["return_count", "coalesce(-returned_sum, 0.0) AS returned_amount", "n_no_amount"]
    bounds_sql = (
        f"SELECT {', '.join(checks)} FROM (SELECT {', '.join(bound_cols)} FROM abclab_source)"
    )
    main_sql = (
        f"WITH tx AS (SELECT {', '.join(cols)} FROM abclab_source),\n"
        f"agg AS (SELECT customer, {', '.join(aggs)} FROM tx"
        f" WHERE d < {as_of} GROUP BY customer)\n"
        f"SELECT {', '.join(final)} FROM agg ORDER BY customer"
    )
    return bounds_sql, main_sql


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _active_months_sql(as_of: pd.Timestamp, first_date: _dt.date | None) -> str:
    """Distinct purchase months as a bit set over the months before ``as_of``."""
    last = as_of - pd.Timedelta(days=1)
    first = pd.Timestamp(first_date) if first_date is not None else last
    span = (last.year * 12 + last.month) - (first.year * 12 + first.month) + 1
    words = max(1, -(-span // 64))
    if words > 8:
        return "count(DISTINCT year(d) * 12 + month(d)) FILTER (WHERE amount >= 0) AS active_months"
    idx = f"({last.year * 12 + last.month} - (year(d) * 12 + month(d)))"
    parts = [
        f"coalesce(bit_count(bit_or(1::UBIGINT << (({idx} - {64 * w}) & 63))"
        f" FILTER (WHERE amount >= 0 AND {idx} >= {64 * w} AND {idx} < {64 * (w + 1)})), 0)"
        for w in range(words)
    ]
    return " + ".join(parts) + " AS active_months"


def _categories_sql(categories: list[str]) -> str:
    """Distinct purchased categories as a bit set over the sorted category list."""
    if not categories or len(categories) > 64:
        return "count(DISTINCT category) FILTER (WHERE amount >= 0) AS n_categories"
    listed = "[" + ", ".join(_literal(c) for c in categories) + "]"
    return (
        "coalesce(bit_count(bit_or(1::UBIGINT << (list_position("
        f"{listed}, CAST(category AS VARCHAR)) - 1)) FILTER (WHERE amount >= 0)), 0)"
        " AS n_categories"
    )


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


def _check_bounds(
    con: duckdb.DuckDBPyConnection,
    bounds: dict,
    spec: dict[str, tuple[str, str] | None],
    label: str,
) -> None:
    """Raise on unparseable or missing dates (counted by the bounds statement)."""
    roles = (("date", "n_bad_date"), ("due_date", "n_bad_due"), ("paid_date", "n_bad_paid"))
    for role, bad in roles:
        if bounds.get(bad):
            column = spec[role][0]
            _, bad_sql = _date_expr(*spec[role])
            example = con.execute(
                f"SELECT {_quote(column)} FROM abclab_source WHERE {bad_sql} LIMIT 1"
            ).fetchone()[0]
            raise InputDataError(
                f"{label}: column '{column}' has {int(bounds[bad])} value(s) that are not dates, "
                f"e.g. {example!r}; expected dates such as '2024-01-31', '2024/1/31' or 20240131"
            )
    if bounds["n_no_date"]:
        raise InputDataError(
            f"{label}: column '{spec['date'][0]}' has {int(bounds['n_no_date'])} missing "
            "date(s); every transaction needs a date"
        )


def _check_result(
    result: pd.DataFrame, spec: dict[str, tuple[str, str] | None], label: str
) -> None:
    """Raise on missing amounts and missing customer ids."""
    if result["n_no_amount"].sum() > 0:
        raise InputDataError(
            f"{label}: column '{spec['amount'][0]}' has {int(result['n_no_amount'].sum())} "
            "missing amount(s); fill or drop them explicitly before deriving criteria"
        )
    if result["customer"].isna().any():
        raise InputDataError(
            f"{label}: column '{spec['customer'][0]}' has missing customer ids; "
            "transactions without a customer cannot be attributed"
        )


def _split_result(
    result: pd.DataFrame, spec: dict[str, tuple[str, str] | None], as_of: _dt.date
) -> TransactionFeatures:
    index_name = spec["customer"][0]
    result = result.drop(columns=["n_no_amount"]).set_index("customer")
    result.index.name = index_name
    for column in ("first_purchase", "last_purchase"):
        result[column] = pd.to_datetime(result[column])
    int_columns = ["purchase_count", "active_months", "return_count"]
    result[int_columns] = result[int_columns].astype("int64")
    for column in ("recency_days", "months_since_last_purchase"):
        # int64; float64 with NaN only if some customer has returns but no purchase
        result[column] = result[column].astype(
            "float64" if result[column].isna().any() else "int64"
        )
    float_columns = [
        c
        for c in result.columns
        if c not in int_columns
        and c
        not in ("first_purchase", "last_purchase", "recency_days", "months_since_last_purchase")
    ]
    result[float_columns] = result[float_columns].astype("float64")
    returns = result[["return_count", "returned_amount"]].copy()
    customers = result.drop(columns=["return_count", "returned_amount"])
    return TransactionFeatures(customers=customers, returns=returns, as_of=pd.Timestamp(as_of))
