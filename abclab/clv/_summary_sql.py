"""The DuckDB statements behind :func:`abclab.clv.rfm_summary`.

Days are integer day numbers (days since 1970-01-01) throughout, so every comparison, bound
and difference is integer arithmetic. Three statements:

1. :func:`stats_sql` — lines, missing dates and amounts, first and last day (from Parquet
   statistics where the date column is a date or timestamp);
2. :func:`bitset_sql` — one ``GROUP BY customer`` over the purchase lines: the distinct
   purchase days are counted with a per-customer day bit set (``bitstring_agg`` over the
   known day range, then ``bit_count``), the first purchase day's total is the amount of the
   first line (``arg_min``), exact for every customer with one line per purchase day;
3. :func:`first_day_sql` — for the customers with several lines on some purchase day only,
   the first day's total from a join of the lines with their (customer, first day) pairs.

:func:`days_sql` is the general fallback (a log whose day bit sets would not fit
:data:`BITSET_BUDGET_BYTES`, or without purchases in the calibration period): lines
collapse to (customer, day) totals, then one ``GROUP BY customer`` — exact, but it hashes
one group per purchase day (10 M lines → ~10 M groups), 2–3× the CPU of the bit-set pass.
"""

from __future__ import annotations

from abclab.features._definition import _date_expr, _quote

__all__ = [
    "BITSET_BUDGET_BYTES",
    "MONEY",
    "SMALL_MONEY",
    "bitset_sql",
    "customers_sql",
    "days_sql",
    "first_day_sql",
    "last_purchase_sql",
    "money_type",
    "stats_sql",
]

#: Most memory the per-customer day bit sets may take (customers × days / 8): checked with
#: the number of lines as the bound on customers, then with an estimate of the customers.
BITSET_BUDGET_BYTES = 2 * 2**30

#: Amounts are summed as this exact type: the totals then do not depend on the order in
#: which DuckDB's threads combine partial sums (floating-point sums do, in the last bits, and
#: a Gamma-Gamma fit on them would differ from run to run).
MONEY = "DECIMAL(38, 6)"
#: The same rounding in 64 bits (faster), for logs whose amounts are all below 10^12 in
#: magnitude (DuckDB sums DECIMAL(18, s) into DECIMAL(38, s): the totals are the same).
SMALL_MONEY = "DECIMAL(18, 6)"


def money_type(low: float | None, high: float | None) -> str:
    """The exact type the amounts are summed in, given the smallest and largest amount."""
    if low is None or high is None or max(abs(low), abs(high)) >= 1e12:
        return MONEY
    return SMALL_MONEY


Spec = dict[str, tuple[str, str] | None]


def _columns(spec: Spec) -> tuple[str, str, str]:
    """SQL of the customer, the integer day number and the amount of a line."""
    day, _ = _date_expr(*spec["date"])
    customer = _quote(spec["customer"][0])
    amount = f"CAST({_quote(spec['amount'][0])} AS DOUBLE)"
    return customer, f"({day} - DATE '1970-01-01')", amount


def stats_sql(spec: Spec) -> str:
    """Lines, lines with a date, lines with an amount, first and last day of the log, and
    the smallest and largest amount.

    On a DATE or TIMESTAMP column the bounds are taken of the column itself (casting to a
    date keeps the order), so that DuckDB answers the statement from a Parquet file's
    row-group statistics without reading the data; text and integer dates are parsed.
    """
    column, type_name = spec["date"]
    amount = _quote(spec["amount"][0])
    base = type_name.split("(")[0].upper()
    if base == "DATE" or base.startswith("TIMESTAMP"):
        raw = _quote(column)
        inner = f"SELECT count(*) AS n, count({raw}) AS n_dated, count({amount}) AS n_amount, "
        inner += f"min({raw}) AS lo, max({raw}) AS hi, min({amount}) AS low, "
        inner += f"max({amount}) AS high FROM abclab_source"
        days = "(CAST(lo AS DATE) - DATE '1970-01-01'), (CAST(hi AS DATE) - DATE '1970-01-01')"
        return f"SELECT n, n_dated, n_amount, {days}, low, high FROM ({inner})"
    _, day, _ = _columns(spec)
    return (
        f"SELECT count(*), count({day}), count({amount}), min({day}), max({day}), "
        f"min({amount}), max({amount}) FROM abclab_source"
    )


def last_purchase_sql(spec: Spec) -> str:
    """The last purchase day (amount ≥ 0), the calibration end when none is given."""
    _, day, amount = _columns(spec)
    return f"SELECT max({day}) FROM abclab_source WHERE {amount} >= 0"


def customers_sql(spec: Spec) -> str:
    """Distinct customers, estimated (HyperLogLog, a few per cent): sizes the bit sets."""
    return f"SELECT approx_count_distinct({_quote(spec['customer'][0])}) FROM abclab_source"


def _lines(
    spec: Spec,
    last: int | None,
    *,
    returns: bool = True,
    first: int | None = None,
    money: str = MONEY,
) -> str:
    """The purchase lines from day ``first`` to day ``last``: customer, d (day number),
    amount. ``returns=False`` (no negative amount in the log) and ``last=None`` (no line
    after it) leave the conditions out of the scan."""
    customer, day, amount = _columns(spec)
    where = [f"{amount} >= 0"] * returns
    where += [f"{day} <= {last}"] * (last is not None) + [f"{day} >= {first}"] * (first is not None)
    select = f"SELECT {customer} AS customer, {day} AS d, CAST({amount} AS {money}) AS amount"
    return f"{select} FROM abclab_source" + (" WHERE " + " AND ".join(where) if where else "")


def bitset_sql(
    spec: Spec,
    first: int,
    cal: int,
    obs: int | None,
    *,
    order: bool,
    returns: bool = True,
    later: bool = True,
    money: str = MONEY,
) -> str:
    """One row per customer: distinct calibration days (bit set), lines, first/last day,
    total, the first line's amount; hold-out distinct days and total when ``obs`` is given.

    ``first`` is the first purchase day of the log (the bit sets' lower bound), ``cal`` and
    ``obs`` the last calibration and hold-out days; ``order``: sorted by customer;
    ``returns``/``later``: the log may have negative amounts / lines after the last day of
    interest (else those conditions are left out); ``money``: the type amounts are summed in
    (:func:`money_type`).
    """
    cal_only = f" FILTER (WHERE d <= {cal})" if obs is not None else ""
    holdout = (
        f",\n       bit_count(bitstring_agg(d, {cal + 1}, {obs}) FILTER (WHERE d > {cal}))"
        " AS n_holdout"
        f",\n       CAST(sum(amount) FILTER (WHERE d > {cal}) AS DOUBLE) AS holdout_total"
    ) if obs is not None else ""  # fmt: skip
    return f"""
SELECT customer,
       bit_count(bitstring_agg(d, {first}, {cal}){cal_only}) AS n_days,
       count(*){cal_only} AS n_lines,
       min(d) AS first_day,
       max(d){cal_only} AS last_day,
       CAST(sum(amount){cal_only} AS DOUBLE) AS cal_total,
       CAST(arg_min(amount, d) AS DOUBLE) AS first_total{holdout}
FROM ({_lines(spec, (cal if obs is None else obs) if later else None, returns=returns, money=money)})
GROUP BY customer{" ORDER BY customer" if order else ""}
"""


def first_day_sql(
    spec: Spec, first: int, last: int, *, returns: bool = True, money: str = MONEY
) -> str:
    """The first purchase day's total of the customers in ``abclab_first_days`` (row, customer,
    first_day): their lines on that day, summed. ``first``/``last``: the range of those first
    days (lines outside it are not joined)."""
    return f"""
SELECT f.row, CAST(sum(l.amount) AS DOUBLE) AS first_total
FROM ({_lines(spec, last, returns=returns, first=first, money=money)}) l
JOIN abclab_first_days f ON l.customer = f.customer AND l.d = f.first_day
GROUP BY f.row
"""


def days_sql(spec: Spec, cal: int, obs: int | None) -> str:
    """The general statement: day totals per customer, then one row per customer (the
    columns of :func:`bitset_sql`; ``first_total`` is then the first day's total)."""
    cal_only = f" FILTER (WHERE d <= {cal})" if obs is not None else ""
    holdout = (
        f", count(*) FILTER (WHERE d > {cal}) AS n_holdout"
        f", CAST(sum(total) FILTER (WHERE d > {cal}) AS DOUBLE) AS holdout_total"
    ) if obs is not None else ""  # fmt: skip
    return f"""
WITH days AS (
    SELECT customer, d, sum(amount) AS total, count(*) AS n_lines
    FROM ({_lines(spec, cal if obs is None else obs)})
    GROUP BY ALL
)
SELECT customer,
       count(*){cal_only} AS n_days,
       sum(n_lines){cal_only} AS n_lines,
       min(d){cal_only} AS first_day,
       max(d){cal_only} AS last_day,
       CAST(sum(total){cal_only} AS DOUBLE) AS cal_total,
       CAST(arg_min(total, d){cal_only} AS DOUBLE) AS first_total{holdout}
FROM days
GROUP BY customer
ORDER BY customer
"""
