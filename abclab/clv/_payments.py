"""Payment behaviour per customer and the credit grade it earns (source 001: 客户资信评价).

From the invoice lines with a due and a paid date: the on-time payment rate, days overdue
(mean and worst), open receivables at the evaluation date and their share of the last
year's spend — one DuckDB statement, as :mod:`abclab.features` reads the log.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from abclab.clv._summary import _to_date
from abclab.exceptions import InputDataError
from abclab.features._definition import _date_expr, _quote
from abclab.features._duckdb import _open
from abclab.features._source import _resolve_columns

__all__ = ["CREDIT_LABELS", "PAYMENT_COLUMNS", "credit_grades", "payment_behaviour"]

#: Credit grades, best first (the 信用等级 of source 001).
CREDIT_LABELS = ("AAA", "AA", "A", "B")
#: Columns of :func:`payment_behaviour`, in order.
PAYMENT_COLUMNS = ("invoices", "on_time_payment_rate", "mean_days_overdue", "worst_days_overdue",
                   "open_receivables", "open_share_of_spend")  # fmt: skip


def payment_behaviour(
    source: str | os.PathLike[str] | pd.DataFrame,
    *,
    customer: str,
    date: str,
    amount: str,
    due_date: str,
    paid_date: str,
    as_of: str | _dt.date | pd.Timestamp | None,
    aliases: Mapping[Any, Any] | None = None,
) -> pd.DataFrame:
    """Per-customer payment figures of the invoices due before ``as_of``.

    Parameters
    ----------
    source, customer, date, amount, aliases
        As :func:`abclab.features.from_transactions`.
    due_date, paid_date : str
        Invoice due and payment dates (paid missing = not paid).
    as_of : date-like or None
        Evaluation date, exclusive: what was unpaid at its start is open (None: the day
        after the last transaction date).

    Returns
    -------
    pandas.DataFrame
        Indexed by customer, columns ``invoices`` (lines with amount ≥ 0 dated before
        ``as_of`` and due before it), ``on_time_payment_rate`` (paid on or before the due
        date), ``mean_days_overdue`` and ``worst_days_overdue`` (days from due to paid, or to
        ``as_of`` while unpaid; 0 when on time), ``open_receivables`` (amount invoiced before
        ``as_of`` and unpaid at it, due or not), ``open_share_of_spend`` (open receivables /
        spend in the 12 months before ``as_of``; NaN without such spend).

    Notes
    -----
    Days overdue of invoice :math:`i`: :math:`\\max(0, \\min(paid_i, as\\_of) - due_i)`.
    """
    end = None if as_of is None else _to_date(as_of, "as_of")
    with _open(source, customer=customer) as run:
        if aliases:
            run.apply_aliases(customer, aliases)
        label, con = run.label, run.con
        spec = _resolve_columns(run.types(), label, customer=customer, date=date, amount=amount,
                                profit=None, category=None, due_date=due_date,
                                paid_date=paid_date)  # fmt: skip
        if end is None:
            day, _ = _date_expr(*spec["date"])
            last = con.execute(f"SELECT max({day}) FROM abclab_source").fetchall()[0][0]
            if last is None:
                raise InputDataError(f"{label} has no dated transactions")
            end = last + _dt.timedelta(days=1)
        out = con.sql(_payments_sql(spec, end)).df()
    out = out.set_index("customer").rename_axis(customer).sort_index()
    return out[list(PAYMENT_COLUMNS)].astype(
        {c: "float64" for c in PAYMENT_COLUMNS if c != "invoices"} | {"invoices": "int64"}
    )


def _payments_sql(spec: dict[str, tuple[str, str] | None], end: _dt.date) -> str:
    day, _ = _date_expr(*spec["date"])
    due, _ = _date_expr(*spec["due_date"])
    paid, _ = _date_expr(*spec["paid_date"])
    amount = f"CAST({_quote(spec['amount'][0])} AS DOUBLE)"
    as_of = f"DATE '{end:%Y-%m-%d}'"
    year_ago = f"DATE '{(pd.Timestamp(end) - pd.DateOffset(years=1)).date():%Y-%m-%d}'"
    return f"""
WITH lines AS (
    SELECT {_quote(spec["customer"][0])} AS customer, {day} AS day, {due} AS due,
           CASE WHEN {paid} < {as_of} THEN {paid} END AS paid, {amount} AS amount
    FROM abclab_source
    WHERE {day} < {as_of}
), invoices AS (
    SELECT *, due < {as_of} AS is_due,
           greatest(0, date_diff('day', due, coalesce(paid, {as_of}))) AS overdue
    FROM lines WHERE amount >= 0
)
SELECT customer,
       count(*) FILTER (WHERE is_due) AS invoices,
       avg(CAST(overdue = 0 AS DOUBLE)) FILTER (WHERE is_due) AS on_time_payment_rate,
       avg(overdue) FILTER (WHERE is_due) AS mean_days_overdue,
       max(overdue) FILTER (WHERE is_due) AS worst_days_overdue,
       coalesce(sum(amount) FILTER (WHERE paid IS NULL), 0) AS open_receivables,
       coalesce(sum(amount) FILTER (WHERE paid IS NULL), 0)
           / nullif(sum(amount) FILTER (WHERE day >= {year_ago}), 0) AS open_share_of_spend
FROM invoices
GROUP BY customer
"""


def credit_grades(
    payments: pd.DataFrame,
    *,
    on_time: Sequence[float] = (0.95, 0.85, 0.70),
    mean_days: Sequence[float] = (5, 15, 30),
    worst_days: Sequence[float] = (15, 45, 90),
    open_share: Sequence[float] = (0.25, 0.5, 1.0),
    labels: Sequence[str] = CREDIT_LABELS,
    no_data: str = "n/a",
) -> pd.Series:
    """Credit grade of each customer: the best grade whose every band the customer meets.

    Parameters
    ----------
    payments : pandas.DataFrame
        :func:`payment_behaviour`'s table.
    on_time, mean_days, worst_days, open_share : sequence of float
        One bound per grade except the last: the on-time payment rate must be at least
        ``on_time[g]``, the mean and worst days overdue and the open receivables' share of
        the year's spend at most ``mean_days[g]``, ``worst_days[g]``, ``open_share[g]``.
    labels : sequence of str
        Grades, best first (one more than bounds).
    no_data : str
        Grade of customers without an invoice due before the evaluation date.

    Returns
    -------
    pandas.Series
        Ordered categorical (``labels`` then ``no_data``), index of ``payments``.

    Notes
    -----
    grade = min over criteria of the best grade each criterion allows (a customer paying on
    time but with one invoice 100 days late is graded by the 100 days). An unknown share
    (no spend in the year) does not limit the grade.
    """
    k = len(labels) - 1
    bounds = {"on_time": on_time, "mean_days": mean_days, "worst_days": worst_days,
              "open_share": open_share}  # fmt: skip
    for name, values in bounds.items():
        if len(values) != k:
            raise InputDataError(
                f"{name}: expected {k} bounds ({len(labels)} grades), got {len(values)}"
            )
    grade = np.zeros(len(payments), dtype=np.int64)
    for column, values, better in (
        ("on_time_payment_rate", on_time, "high"),
        ("mean_days_overdue", mean_days, "low"),
        ("worst_days_overdue", worst_days, "low"),
        ("open_share_of_spend", open_share, "low"),
    ):
        x = payments[column].to_numpy(dtype=np.float64)
        cuts = np.asarray(values, dtype=np.float64)
        fails = (x[:, None] < cuts) if better == "high" else (x[:, None] > cuts)
        allowed = np.where(np.isnan(x), 0, fails.sum(axis=1))  # bounds failed = grades lost
        grade = np.maximum(grade, allowed)
    codes = np.where(payments["invoices"].to_numpy() > 0, grade, k + 1)
    categories = [*labels, no_data]
    tiers = pd.Categorical.from_codes(codes, categories=categories, ordered=True)
    out = pd.Series(tiers, index=payments.index, name="credit_grade")
    out.attrs["cut_points"] = {name: list(v) for name, v in bounds.items()}
    return out
