"""The customer-base summary of a transaction log: frequency, recency, T, monetary value.

The log (a path or a DataFrame, read as :func:`abclab.features.from_transactions` reads it)
is summarised on DuckDB by the statements of :mod:`abclab.clv._summary_sql`: a scan for the
day range and the input checks, then one ``GROUP BY`` customer that counts distinct
purchase days with day bit sets (the lines never collapse to one row per purchase day
unless the bit sets would not fit in memory), then the first day's total of the customers
with several lines on one day. Days are integers; the result comes back through Arrow as
NumPy arrays and is assembled without pandas in between.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from abclab.clv import _summary_sql as _sql
from abclab.exceptions import InputDataError
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
    r"""Summarise a transaction log per customer for the BG/NBD and Gamma-Gamma models.

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
    amount (returns) are not purchases and are left out (but every line needs a date).
    ``monetary_value`` is lifetimes' definition too: the purchase days' totals without the
    first, averaged — :math:`(\sum_{d \le e} s_d - s_{d_0}) / x` with :math:`s_d` the total
    of day :math:`d`.

    The distinct purchase days :math:`x + 1` are counted with a bit per day of the log and
    customer (DuckDB ``bitstring_agg``), so the lines are aggregated once, by customer; the
    first day's total :math:`s_{d_0}` is the first line's amount, summed again over that
    day's lines for customers who have several lines on some day
    (:mod:`abclab.clv._summary_sql`).

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
        label = run.label
        spec = _resolve_columns(run.types(), label, customer=customer, date=date, amount=amount,
                                profit=None, category=None, due_date=None,
                                paid_date=None)  # fmt: skip
        n_lines, n_dated, n_amount, first, final, low, high = run.rows(_sql.stats_sql(spec))[0]
        if n_dated < n_lines:
            _raise_date_error(run, spec, label)
        if n_amount < n_lines:
            raise InputDataError(
                f"{label}: column '{spec['amount'][0]}' has {n_lines - n_amount} missing "
                "amount(s); fill or drop them explicitly before summarising"
            )
        if cal_end is None:
            last = run.rows(_sql.last_purchase_sql(spec))[0][0]
            if last is None:
                raise InputDataError(f"{label} has no purchases (no dated line with an amount ≥ 0)")
            cal_end = _EPOCH + _dt.timedelta(days=int(last))
        obs = None if obs_end is None else _day(obs_end)
        bounds = _Bounds(n_lines, first, final, low, high)
        table = _summarise(run, spec, bounds, _day(cal_end), obs)
    if table["customer"].hasnans:
        raise InputDataError(
            f"{label}: column '{spec['customer'][0]}' has missing customer ids; "
            "transactions without a customer cannot be attributed"
        )
    return _assemble(table, spec, days, cal_end, obs_end)


_EPOCH = _dt.date(1970, 1, 1)


def _day(value: _dt.date) -> int:
    """Day number of ``value`` (days since 1970-01-01), as the statements count days."""
    return (value - _EPOCH).days


@dataclass(frozen=True)
class _Bounds:
    """What the statistics statement says about the log: lines, first and last day (day
    numbers, None without dates), smallest and largest amount."""

    n_lines: int
    first: int | None
    last: int | None
    low: float | None
    high: float | None


def _summarise(
    run: Any, spec: _sql.Spec, bounds: _Bounds, cal: int, obs: int | None
) -> dict[str, Any]:
    """The per-customer columns of :func:`abclab.clv._summary_sql.bitset_sql`, exact, sorted
    by customer.

    Day bit sets over the log's first day to the last day of interest when the calibration
    period can have purchases and the bit sets fit
    :data:`~abclab.clv._summary_sql.BITSET_BUDGET_BYTES`; the first day's total of each
    customer with several lines on one day then comes from a second pass
    (:func:`~abclab.clv._summary_sql.first_day_sql`). Otherwise the (customer, day)
    statement. Integer ids are sorted in NumPy (cheaper than DuckDB's ORDER BY), others in
    the statement. Conditions the statistics prove always true (no returns, no line after
    the last day of interest) are left out of the scans.
    """
    first, last = bounds.first, cal if obs is None else obs
    if (
        first is None
        or first > cal
        or not _bitsets_fit(run, spec, bounds.n_lines, last - first + 1)
    ):
        return run.fetch(_sql.days_sql(spec, cal, obs))
    numeric = spec["customer"][1].split("(")[0].upper() in _INTEGER_TYPES
    returns = bounds.low is None or bounds.low < 0
    later = bounds.last is None or bounds.last > last
    money = _sql.money_type(bounds.low, bounds.high)
    table = run.fetch(_sql.bitset_sql(spec, first, cal, obs, order=not numeric, returns=returns,
                                      later=later, money=money))  # fmt: skip
    shared = np.flatnonzero(table["n_lines"] > table["n_days"])  # NaN (no calibration day): False
    if len(shared):
        days = table["first_day"][shared].astype(np.int64)
        pairs = pa.table({
            "row": pa.array(shared, pa.int64()),
            "customer": pa.Array.from_pandas(table["customer"].iloc[shared]),
            "first_day": pa.array(days),
        })  # fmt: skip
        run.con.register("abclab_first_days", pairs)
        sql = _sql.first_day_sql(spec, int(days.min()), int(days.max()), returns=returns,
                                 money=money)  # fmt: skip
        fixed = run.con.execute(sql).fetchnumpy()
        totals = table["first_total"].astype(np.float64)
        totals[fixed["row"]] = fixed["first_total"]
        table["first_total"] = totals
    if numeric:
        order = np.argsort(table["customer"].to_numpy(), kind="stable")
        table = {k: (v.iloc[order].reset_index(drop=True) if k == "customer" else v[order])
                 for k, v in table.items()}  # fmt: skip
    return table


_INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT",
                  "UINTEGER", "UBIGINT")  # fmt: skip


def _bitsets_fit(run: Any, spec: _sql.Spec, n_lines: int, days: int) -> bool:
    """Whether one bit per day for every customer fits the budget: first with the lines as
    the bound on customers (free), then with an estimate of the customers (a scan)."""
    if n_lines * days / 8 <= _sql.BITSET_BUDGET_BYTES:
        return True
    customers = run.rows(_sql.customers_sql(spec))[0][0] or 0
    return customers * 1.1 * days / 8 <= _sql.BITSET_BUDGET_BYTES


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


def _assemble(
    table: dict[str, Any],
    spec: _sql.Spec,
    days: float,
    cal_end: _dt.date,
    obs_end: _dt.date | None,
) -> pd.DataFrame:
    """The summary frame from the per-customer columns (day numbers → periods)."""
    keep = table["n_days"] > 0  # NaN (purchases in the hold-out period only): dropped
    first = table["first_day"][keep]
    frequency = table["n_days"][keep].astype(np.float64) - 1.0
    repeat_total = table["cal_total"][keep] - table["first_total"][keep]
    with np.errstate(invalid="ignore", divide="ignore"):
        monetary = np.where(frequency > 0, repeat_total / frequency, 0.0)
    columns = {
        "frequency": frequency,
        "recency": (table["last_day"][keep] - first).astype(np.float64) / days,
        "T": (_day(cal_end) - first).astype(np.float64) / days,
        "monetary_value": monetary,
    }
    if obs_end is not None:
        n_holdout = np.nan_to_num(table["n_holdout"][keep].astype(np.float64), nan=0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            spend = np.where(n_holdout > 0, table["holdout_total"][keep] / n_holdout, 0.0)
        columns["frequency_holdout"] = n_holdout
        columns["monetary_value_holdout"] = spend
        columns["duration_holdout"] = np.full(n_holdout.shape, (obs_end - cal_end).days / days)
    index = pd.Index(table["customer"][keep].to_numpy(), name=spec["customer"][0])
    return pd.DataFrame(columns, index=index)
