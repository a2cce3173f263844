"""The customer-base summary of a transaction log: frequency, recency, T, monetary value.

One DuckDB statement over the log (a path or a DataFrame, read as
:func:`abclab.features.from_transactions` reads it): the lines collapse to one row per
customer and purchase day (day totals), then one ``GROUP BY`` customer gives the calibration
statistics and, when an observation end is given, the hold-out counts.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Mapping
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from abclab.exceptions import InputDataError
from abclab.features._definition import _date_expr, _quote
from abclab.features._duckdb import _open
from abclab.features._source import _raise_date_error, _resolve_columns

__all__ = ["PERIOD_DAYS", "rfm_summary"]

#: Length of the time unit ``period`` in days ("W": the weeks of Fader, Hardie & Lee 2005).
PERIOD_DAYS = {"D": 1.0, "W": 7.0}


def rfm_summary(
    source: str | os.PathLike[str] | pd.DataFrame,
    *,
    customer: str,
    date: str,
    amount: str,
    calibration_end: str | _dt.date | pd.Timestamp | None,
    observation_end: str | _dt.date | pd.Timestamp | None = None,
    period: str | float = "W",
    aliases: Mapping[Any, Any] | None = None,
) -> pd.DataFrame:
    """Summarise a transaction log per customer for the BG/NBD and Gamma-Gamma models.

    Parameters
    ----------
    source : path or pandas.DataFrame
        A CSV or Parquet file, or a DataFrame: one row per transaction line.
    customer, date, amount : str
        Column names of the customer id, the transaction date (date, timestamp, text such
        as ``2024-01-31`` or integer ``20240131``) and the amount.
    calibration_end : date-like or None
        Last day of the calibration period, **inclusive** (lifetimes' ``observation_period_end``
        and ``calibration_period_end``; Fader, Hardie & Lee's 39-week CDNOW calibration runs
        1997-01-01 to 1997-09-30). None: the last purchase date in the log.
    observation_end : date-like, optional
        Last day of the hold-out period (inclusive). When given, the hold-out columns are
        added for the customers of the calibration period.
    period : "D", "W" or a positive number of days
        Time unit of ``recency``, ``T`` and ``duration_holdout`` (weeks = days / 7).
    aliases : mapping, optional
        Customer id -> the id it is booked under instead (merged duplicates), as in
        :func:`abclab.features.from_transactions`; ids are then compared as text.

    Returns
    -------
    pandas.DataFrame
        Indexed by customer id (index named after ``customer``), sorted, one row per customer
        with a purchase on or before ``calibration_end``; float64 columns

        - ``frequency``: repeat purchases — distinct purchase days minus one;
        - ``recency``: time from the first to the last purchase day, in periods;
        - ``T``: time from the first purchase day to ``calibration_end``, in periods;
        - ``monetary_value``: mean of the repeat purchase days' totals (0 without repeats);

        with ``observation_end`` also ``frequency_holdout`` (purchase days after
        ``calibration_end``, up to ``observation_end``), ``monetary_value_holdout`` (their
        mean total, 0 without any) and ``duration_holdout`` (the hold-out length in periods).

    Raises
    ------
    InputDataError
        If the source cannot be read, a column is missing, a date cannot be parsed or is
        missing, an amount or customer id is missing, ``observation_end`` is not after
        ``calibration_end``, or ``period`` is unknown.

    Notes
    -----
    The conventions of Fader, Hardie & Lee [1]_ and lifetimes'
    ``summary_data_from_transaction_data(..., freq="D", freq_multiplier=7)`` [2]_: several
    lines on one day are one transaction (their amounts summed), the first purchase is not a
    repeat purchase, and for a customer with first purchase day :math:`d_0`, last purchase
    day :math:`d_x` and calibration end :math:`e`, :math:`t_x = (d_x - d_0)/p` and
    :math:`T = (e - d_0)/p` with :math:`p` the period length in days. Lines with a negative
    amount (returns) are not purchases and are left out.

    References
    ----------
    .. [1] Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers"
       the easy way: an alternative to the Pareto/NBD model. Marketing Science 24(2), 275-284.
    .. [2] Davidson-Pilon, C. lifetimes 0.11 ``lifetimes.utils``
       (https://github.com/CamDavidsonPilon/lifetimes).

    Examples
    --------
    >>> log = pd.DataFrame({"id": [1, 1, 1, 2],
    ...                     "day": ["2024-01-01", "2024-01-15", "2024-01-15", "2024-01-08"],
    ...                     "value": [10.0, 4.0, 6.0, 5.0]})
    >>> rfm_summary(log, customer="id", date="day", amount="value",
    ...             calibration_end="2024-01-29")  # doctest: +NORMALIZE_WHITESPACE
        frequency  recency    T  monetary_value
    id
    1         1.0      2.0  4.0            10.0
    2         0.0      0.0  3.0             0.0
    """
    days = _period_days(period)
    cal_end = None if calibration_end is None else _to_date(calibration_end, "calibration_end")
    obs_end = None if observation_end is None else _to_date(observation_end, "observation_end")
    if obs_end is not None and cal_end is not None and obs_end <= cal_end:
        raise InputDataError(
            f"observation_end ({obs_end}) must be after calibration_end ({cal_end})"
        )
    with _open(source, customer=customer) as run:
        if aliases:
            run.apply_aliases(customer, aliases)
        label, con = run.label, run.con
        spec = _resolve_columns(run.types(), label, customer=customer, date=date, amount=amount,
                                profit=None, category=None, due_date=None,
                                paid_date=None)  # fmt: skip
        if cal_end is None:
            cal_end = _last_purchase_day(con, spec, label)
        table = _fetch(con, _summary_sql(spec, cal_end, obs_end))
        _check(con, table, spec, label)
    return _assemble(table, spec, days, cal_end, obs_end)


def _last_purchase_day(
    con: duckdb.DuckDBPyConnection, spec: dict[str, tuple[str, str] | None], label: str
) -> _dt.date:
    day, _ = _date_expr(*spec["date"])
    amount = _quote(spec["amount"][0])
    last = con.execute(f"SELECT max({day}) FROM abclab_source WHERE {amount} >= 0").fetchall()
    if last[0][0] is None:
        raise InputDataError(f"{label} has no purchases (no dated line with an amount ≥ 0)")
    return last[0][0]


def _period_days(period: str | float) -> float:
    if isinstance(period, str):
        if period not in PERIOD_DAYS:
            raise InputDataError(
                f"period={period!r}: expected one of {', '.join(PERIOD_DAYS)} or a number of days"
            )
        return PERIOD_DAYS[period]
    if isinstance(period, bool) or not isinstance(period, int | float) or not period > 0:
        raise InputDataError(f"period={period!r}: expected a positive number of days")
    return float(period)


def _to_date(value: Any, name: str) -> _dt.date:
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError) as err:
        raise InputDataError(f"{name}={value!r} is not a date") from err
    if pd.isna(stamp):
        raise InputDataError(f"{name}={value!r} is not a date")
    return stamp.date()


def _summary_sql(
    spec: dict[str, tuple[str, str] | None], cal_end: _dt.date, obs_end: _dt.date | None
) -> str:
    """The statement: day totals per customer, then one row per customer.

    Lines with a missing customer, date or amount are kept (their own groups) and counted
    so that :func:`_check` can name them; lines after the last day of interest are dropped.
    Amounts are summed as DECIMAL(38, 6): exact, so the totals do not depend on the order in
    which DuckDB's threads combine partial sums (floating-point sums do, in the last bits,
    and a Gamma-Gamma fit on them then differs from run to run).
    """
    day, _ = _date_expr(*spec["date"])
    cust = _quote(spec["customer"][0])
    amount = f"CAST({_quote(spec['amount'][0])} AS DOUBLE)"
    cal = f"DATE '{cal_end:%Y-%m-%d}'"
    last = f"DATE '{(obs_end or cal_end):%Y-%m-%d}'"
    holdout = (
        f", count(*) FILTER (WHERE day > {cal}) AS n_holdout"
        f", CAST(coalesce(sum(total) FILTER (WHERE day > {cal}), 0) AS DOUBLE) AS holdout_total"
    ) if obs_end is not None else ""  # fmt: skip
    return f"""
WITH days AS (
    SELECT {cust} AS customer, {day} AS day, sum(CAST({amount} AS DECIMAL(38, 6))) AS total,
           count(*) - count({amount}) AS n_no_amount
    FROM abclab_source
    WHERE {amount} IS NULL OR ({amount} >= 0 AND ({day} IS NULL OR {day} <= {last}))
    GROUP BY ALL
)
SELECT customer,
       count(*) FILTER (WHERE day <= {cal}) AS n_days,
       min(day) FILTER (WHERE day <= {cal}) AS first_day,
       max(day) FILTER (WHERE day <= {cal}) AS last_day,
       CAST(sum(total) FILTER (WHERE day <= {cal}) AS DOUBLE) AS cal_total,
       CAST(arg_min(total, day) FILTER (WHERE day <= {cal}) AS DOUBLE) AS first_total,
       count(*) FILTER (WHERE day IS NULL) AS n_no_day,
       sum(n_no_amount) AS n_no_amount{holdout}
FROM days
GROUP BY customer
ORDER BY customer
"""


def _fetch(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, Any]:
    relation = con.sql(sql)
    table = relation.to_arrow_table() if hasattr(relation, "to_arrow_table") else relation.arrow()
    out: dict[str, Any] = {
        name: table.column(name).to_numpy(zero_copy_only=False)
        for name in table.column_names
        if name != "customer"
    }
    out["customer"] = table.column("customer").to_pandas()
    return out


def _check(
    con: duckdb.DuckDBPyConnection,
    table: dict[str, Any],
    spec: dict[str, tuple[str, str] | None],
    label: str,
) -> None:
    """Raise on missing or unparseable dates, missing amounts and missing customer ids."""
    if table["n_no_day"].sum() > 0:
        _raise_date_error(con, spec, label)
    n_no_amount = int(table["n_no_amount"].sum())
    if n_no_amount:
        raise InputDataError(
            f"{label}: column '{spec['amount'][0]}' has {n_no_amount} missing amount(s); "
            "fill or drop them explicitly before summarising"
        )
    if table["customer"].hasnans:
        raise InputDataError(
            f"{label}: column '{spec['customer'][0]}' has missing customer ids; "
            "transactions without a customer cannot be attributed"
        )


def _assemble(
    table: dict[str, Any],
    spec: dict[str, tuple[str, str] | None],
    days: float,
    cal_end: _dt.date,
    obs_end: _dt.date | None,
) -> pd.DataFrame:
    keep = table["n_days"] > 0
    first = table["first_day"][keep].astype("datetime64[D]")
    last = table["last_day"][keep].astype("datetime64[D]")
    end = np.datetime64(cal_end, "D")
    frequency = table["n_days"][keep].astype(np.float64) - 1.0
    repeat_total = table["cal_total"][keep] - table["first_total"][keep]
    with np.errstate(invalid="ignore", divide="ignore"):
        monetary = np.where(frequency > 0, repeat_total / frequency, 0.0)
    columns = {
        "frequency": frequency,
        "recency": (last - first).astype(np.float64) / days,
        "T": (end - first).astype(np.float64) / days,
        "monetary_value": monetary,
    }
    if obs_end is not None:
        n_holdout = table["n_holdout"][keep].astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            spend = np.where(n_holdout > 0, table["holdout_total"][keep] / n_holdout, 0.0)
        columns["frequency_holdout"] = n_holdout
        columns["monetary_value_holdout"] = spend
        columns["duration_holdout"] = np.full(n_holdout.shape, (obs_end - cal_end).days / days)
    index = pd.Index(table["customer"][keep].to_numpy(), name=spec["customer"][0])
    return pd.DataFrame(columns, index=index)
