"""The public entry points of :mod:`abclab.features` and their result.

:func:`transaction_features` validates the source and columns, lets the DuckDB engine
(:mod:`abclab.features._duckdb`) run the criteria definition
(:mod:`abclab.features._definition`) and assembles :class:`TransactionFeatures`;
:func:`from_transactions` returns only its ``customers`` table.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import functools
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from abclab._text import normalise_ids
from abclab.exceptions import InputDataError
from abclab.features import _duckdb, _spark
from abclab.features._engine import _cross_purchase_rate, _plan, _run
from abclab.features._prepared import PreparedLog
from abclab.features._source import _check_result, _resolve_columns, _to_date, prepare_source
from abclab.io import ReadOptions

#: The engines that run the criteria definition.
ENGINES = ("duckdb", "spark")

__all__ = ["TransactionFeatures", "from_transactions", "transaction_features"]


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
    source: str | os.PathLike[str] | pd.DataFrame | PreparedLog | _spark.SparkSource,
    *,
    customer: str,
    date: str,
    amount: str,
    profit: str | None = None,
    category: str | None = None,
    due_date: str | None = None,
    paid_date: str | None = None,
    invoice: str | None = None,
    as_of: str | _dt.date | pd.Timestamp | None = None,
    aliases: Mapping[Any, Any] | None = None,
    read: ReadOptions | None = None,
    engine: Literal["duckdb", "spark"] = "duckdb",
    spark: Any = None,
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
        invoice=invoice,
        as_of=as_of,
        aliases=aliases,
        read=read,
        engine=engine,
        spark=spark,
    ).customers


def transaction_features(
    source: str | os.PathLike[str] | pd.DataFrame | PreparedLog | _spark.SparkSource,
    *,
    customer: str,
    date: str,
    amount: str,
    profit: str | None = None,
    category: str | None = None,
    due_date: str | None = None,
    paid_date: str | None = None,
    invoice: str | None = None,
    as_of: str | _dt.date | pd.Timestamp | None = None,
    aliases: Mapping[Any, Any] | None = None,
    read: ReadOptions | None = None,
    engine: Literal["duckdb", "spark"] = "duckdb",
    spark: Any = None,
) -> TransactionFeatures:
    """Derive per-customer criteria and a returns report from a transaction log.

    Parameters
    ----------
    source : path, table name or DataFrame
        A CSV (``.csv``, ``.tsv``, ``.txt``, optionally gzipped; read with DuckDB's
        ``read_csv_auto``) or Parquet file (``read_parquet``), or a pandas DataFrame. One row
        per invoice line; negative amounts are returns / cancellations. With
        ``engine="spark"`` also: a path on any file system the session reads (``hdfs://``,
        ``s3a://``, ``abfss://``…; a directory is read as Parquet), a catalog table name
        (``sales.transactions``), a :class:`abclab.features.SparkSource` (a path or URI
        with an explicit format, or a table), or a Spark DataFrame. A
        :class:`~abclab.features.PreparedLog` (:func:`~abclab.features.prepare_log`: a client
        export read once per run) is scanned as it is, its ``read`` options already applied.
    customer, date, amount : str
        Column names of the customer id, the transaction date (a date/timestamp column, or
        text such as ``2024-01-31``, ``2024/1/31`` or ``20240131``) and the amount.
    profit, category, due_date, paid_date : str, optional
        Column names of the profit per line, the product category and the invoice due and
        payment dates. Columns that depend on them are only returned when they are given.
    invoice : str, optional
        Column name of the invoice (order) number. Given, ``purchase_count`` counts invoices
        rather than lines (see below); ids are compared as trimmed text (``1001`` and
        ``"1001"`` are one invoice, a whole-number float ``1001.0`` too), per customer.
    as_of : date-like, optional
        Evaluation date, exclusive: transactions dated on or after ``as_of`` are ignored.
        Default: the day after the last transaction date in the log.
    aliases : mapping, optional
        Customer id -> the id it is booked under instead, e.g. the ``merged`` table of
        :func:`abclab.cleaning.clean_customers` (a duplicate customer's invoices belong to
        the record it was merged into). Ids are compared as text and the result's index is
        then text.
    read : abclab.io.ReadOptions, optional
        How to read a client file (sheet, encoding, separator, decimal mark, header row,
        missing markers, date order). A file that DuckDB cannot read as it is (GBK, ``;``,
        decimal commas, title rows, 合计 lines, Chinese or day-first dates, XLSX) is read by
        :func:`abclab.io.read_table` first (:func:`abclab.features._source.prepare_source`).
    engine : {"duckdb", "spark"}
        Where the criteria are computed: DuckDB in this process (default), or Apache Spark
        (``pip install 'abclab[spark]'``): the same definition as Spark SQL, the log read and
        aggregated by the cluster, only the per-customer result brought back.
    spark : SparkSession or SparkOptions, optional
        With ``engine="spark"``: a session to use, or :class:`SparkOptions` (``master`` —
        ``local[*]`` by default, or a Spark Connect URL ``sc://host:15002`` — and ``config``).
        Ignored by DuckDB.

    Customer ids are text, NFKC-normalised and trimmed (``ＫＨ００１２`` and ``KH0012 `` are
    one customer, ``001`` stays ``001``).

    Returns
    -------
    TransactionFeatures
        ``customers`` is indexed by the customer id (index named after ``customer``), sorted,
        with columns

        - ``purchase_count``: without ``invoice``, number of lines with amount ≥ 0 (a line
          is a purchase); with ``invoice``, number of the customer's distinct invoices whose
          net amount (sum of their lines) is ≥ 0 — the RFM frequency [2]_. An invoice whose
          lines are all returns (a credit note), or whose returns exceed its purchases, is
          not a purchase, as a return line is not one without ``invoice``; its return lines
          count in ``return_count`` either way. A line without an invoice id (missing or
          blank) is its own invoice. "≥ 0" allows for the rounding of a sum of doubles
          (net ≥ −10⁻⁹ · the invoice's sum of absolute amounts). Dates, months, spend and
          returns stay line-based: ``invoice`` changes ``purchase_count`` only;
        - ``line_count``: number of lines with amount ≥ 0, always present (without
          ``invoice`` it equals ``purchase_count``);
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
    if engine not in ENGINES:
        raise InputDataError(f"engine={engine!r}; expected one of {', '.join(ENGINES)}")
    if engine == "duckdb" and isinstance(source, _spark.SparkSource):
        raise InputDataError(f"{source.label} is read by Spark: use engine='spark'")
    dates = [c for c in (date, due_date, paid_date) if c]
    prepared = source
    if engine == "duckdb" or _local(source):  # else Spark reads the path, table or frame
        prepared = prepare_source(source, customer=customer, dates=dates, invoice=invoice,
                                  numbers=[amount, profit or ""], read=read)  # fmt: skip
    run = functools.partial(_features, prepared, engine=engine, spark=spark, customer=customer,
                            date=date, amount=amount, profit=profit, category=category,
                            due_date=due_date, paid_date=paid_date, invoice=invoice,
                            as_of=as_of)  # fmt: skip
    result = run(aliases=aliases)
    if not pd.api.types.is_string_dtype(result.customers.index) and not (
        result.customers.index.dtype == object
    ):
        return result  # numeric ids (a frame's int column) keep their type
    ids = pd.Series(result.customers.index, dtype=object)
    clean = normalise_ids(ids)
    if clean.equals(ids):
        return result
    if clean.duplicated().any():  # one customer under two spellings: book both to one id
        spelled = {a: b for a, b in zip(ids, clean, strict=True) if a != b}
        merged = {**{str(k): str(v) for k, v in (aliases or {}).items()}, **spelled}
        result = run(aliases=merged)
        clean = normalise_ids(pd.Series(result.customers.index, dtype=object))
    index = pd.Index(clean.to_numpy(), name=result.customers.index.name)
    return TransactionFeatures(
        customers=result.customers.set_axis(index),
        returns=result.returns.set_axis(index),
        as_of=result.as_of,
    )


def _local(source: Any) -> bool:
    """A pandas frame or a file on this machine (read like DuckDB's, then given to Spark)."""
    if isinstance(source, pd.DataFrame | PreparedLog):
        return True
    return isinstance(source, str | os.PathLike) and Path(source).is_file()


def _features(
    source: Any,
    *,
    engine: str,
    spark: Any,
    customer: str,
    date: str,
    amount: str,
    profit: str | None,
    category: str | None,
    due_date: str | None,
    paid_date: str | None,
    invoice: str | None,
    as_of: Any,
    aliases: Mapping[Any, Any] | None,
) -> TransactionFeatures:
    """One engine run of the criteria over a prepared source (see transaction_features)."""
    if engine == "spark":
        opened = _spark._open(_spark_input(source), spark=spark, customer=customer)
    else:
        opened = _duckdb._open(source, customer=customer)
    with opened as log:
        if aliases:
            log.apply_aliases(customer, aliases)
        spec = _resolve_columns(
            log.types(),
            log.label,
            customer=customer,
            date=date,
            amount=amount,
            profit=profit,
            category=category,
            due_date=due_date,
            paid_date=paid_date,
            invoice=invoice,
        )
        plan = _plan(log, spec, None if as_of is None else _to_date(as_of))
        result = _run(log, spec, plan)
        _check_result(log, result, spec, log.label)
        rate = _cross_purchase_rate(log, result, spec, plan)
    return _split_result(result, spec, plan.as_of, rate)


def _spark_input(source: Any) -> Any:
    """What Spark reads of a prepared log: the converted frame (the session may run on
    another machine than the run's temporary file), or the client's own file."""
    if not isinstance(source, PreparedLog):
        return source
    if not source.converted:
        return os.fspath(source.path)
    frame = pd.read_parquet(source.path)
    frame.attrs["source_label"] = source.label
    return frame


#: Result columns in their published order (optional ones only when their input is given).
_CUSTOMER_COLUMNS = (
    "purchase_count",
    "line_count",
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
