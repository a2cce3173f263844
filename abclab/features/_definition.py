"""The definition of the transaction criteria: one aggregation statement and its parts.

Every criterion of :func:`abclab.features.transaction_features` (and every input check that
the aggregation counts) is written here once, as SQL text built by :func:`_aggregation_sql`
from the resolved columns and a :class:`_Plan` (what must be known before the statement
runs). Nothing here connects to a database or reads a file: the engines that run the
statement are :mod:`abclab.features._duckdb` and :mod:`abclab.features._spark`.

The statement is written once; a :class:`_Dialect` spells the few functions whose names
differ between DuckDB and Spark SQL (identifier quoting, string literals, the text type, day
differences, date parsing, one bit of a 64-bit word, a position in a list). Every other part —
which lines count, the FILTER clauses, the windows, the month and category bit sets, the
month difference — is the same text on both engines (``tests/test_features_spark.py``
proves the results equal). Also here: the column types the definition accepts and the date
layouts it parses.

Definitions that differ between SQL engines are written out rather than borrowed: day
differences are calendar-date differences (no time of day, no time zone); the month
difference is ``12 · (year, month) difference − 1 if the day of the month of ``as_of`` is
smaller (and ``as_of`` is not a month end)``, DuckDB's ``date_sub('month', …)``
(``tests/test_features.py`` checks this on every pair of dates 2019–2025); ratios of
integers divide as DOUBLE (never DECIMAL).

With an invoice column, a second CTE (``inv``, :func:`_invoice_sql`) nets the same lines per
(customer, invoice) and counts the invoices with a non-negative net; it is joined to the
per-customer aggregation, which counts the lines without an invoice id itself.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt

import pandas as pd

from abclab.exceptions import InputDataError

#: Days per year used for tenure and annualisation (Julian year).
DAYS_PER_YEAR = 365.25


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


def _month_number(day: _dt.date) -> int:
    return day.year * 12 + day.month


class _Dialect:
    """How DuckDB spells the engine-specific parts of the definition (the default)."""

    name = "duckdb"
    #: the text type of CAST
    text = "VARCHAR"

    def quote(self, name: str) -> str:
        """A quoted identifier."""
        return '"' + name.replace('"', '""') + '"'

    def literal(self, text: str) -> str:
        """A string literal."""
        return "'" + text.replace("'", "''") + "'"

    def days(self, start: str, end: str) -> str:
        """Whole days from date ``start`` to date ``end`` (BIGINT)."""
        return f"date_diff('day', {start}, {end})"

    def parse(self, text: str, formats: tuple[str, ...], *, iso: bool = True) -> str:
        """``text`` as a DATE: ISO 8601 (if ``iso``), then each strptime layout; else NULL."""
        if not iso:
            return f"CAST(try_strptime({text}, '{formats[0]}') AS DATE)"
        layouts = ", ".join(f"'{f}'" for f in formats)
        return (
            f"COALESCE(TRY_CAST({text} AS DATE), CAST(try_strptime({text}, [{layouts}]) AS DATE))"
        )

    def bit(self, index: str) -> str:
        """A 64-bit word with bit ``index`` (an integer in [0, 64)) set, for bit_or/bit_count."""
        return f"1::UBIGINT << CAST({index} AS UBIGINT)"

    def signed_bit(self, index: str) -> str:
        """A signed BIGINT with bit ``index`` (in [0, 63)) set."""
        return f"1::BIGINT << ({index})"

    def position(self, values: tuple[str, ...], expr: str) -> str:
        """1-based position of ``expr`` in the list of text ``values``."""
        listed = "[" + ", ".join(self.literal(v) for v in values) + "]"
        return f"list_position({listed}, {expr})"


class _SparkDialect(_Dialect):
    """How Spark SQL (3.5+, ANSI mode) spells them."""

    name = "spark"
    text = "STRING"
    #: strptime layouts of _DATE_FORMATS in Spark's datetime patterns (1- or 2-digit fields)
    _LAYOUTS = {
        "%Y/%m/%d": "yyyy/M/d",
        "%Y%m%d": "yyyyMMdd",
        "%Y/%m/%d %H:%M:%S": "yyyy/M/d H:m:s",
        "%Y.%m.%d": "yyyy.M.d",
        "%d.%m.%Y": "d.M.yyyy",
    }

    def quote(self, name: str) -> str:
        return "`" + name.replace("`", "``") + "`"

    def literal(self, text: str) -> str:
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"

    def days(self, start: str, end: str) -> str:
        return f"CAST(datediff({end}, {start}) AS BIGINT)"

    def parse(self, text: str, formats: tuple[str, ...], *, iso: bool = True) -> str:
        tries = [f"CAST(try_to_timestamp({text}, '{self._LAYOUTS[f]}') AS DATE)" for f in formats]
        return f"COALESCE({', '.join([f'try_cast({text} AS DATE)'] * iso + tries)})"

    def bit(self, index: str) -> str:
        # a signed BIGINT: bit 63 is the sign bit; bit_or and bit_count treat it as any other
        return f"shiftleft(CAST(1 AS BIGINT), CAST({index} AS INT))"

    def signed_bit(self, index: str) -> str:
        return self.bit(index)

    def position(self, values: tuple[str, ...], expr: str) -> str:
        listed = "array(" + ", ".join(self.literal(v) for v in values) + ")"
        return f"CAST(array_position({listed}, {expr}) AS INT)"


#: The dialects by engine name.
DUCKDB = _Dialect()
SPARK = _SparkDialect()


def _quote(name: str) -> str:
    return DUCKDB.quote(name)


def _date_expr(column: str, type_name: str, dialect: _Dialect = DUCKDB) -> tuple[str, str]:
    """SQL that turns ``column`` into a DATE, and SQL that is true where parsing failed."""
    col = dialect.quote(column)
    base = type_name.split("(")[0].upper()
    if base == "DATE":
        return col, "false"
    if base.startswith("TIMESTAMP"):
        return f"CAST({col} AS DATE)", "false"
    if base in _STRING_TYPES:
        expr = dialect.parse(f"trim({col})", _DATE_FORMATS)
        return expr, f"({col} IS NOT NULL AND trim({col}) <> '' AND ({expr}) IS NULL)"
    if base in _NUMERIC_TYPES[:10]:  # integer dates such as 20240131
        expr = dialect.parse(f"CAST({col} AS {dialect.text})", ("%Y%m%d",), iso=False)
        return expr, f"({col} IS NOT NULL AND ({expr}) IS NULL)"
    raise _unsupported_type(column, type_name, "dates")


def _invoice_expr(column: str, type_name: str, dialect: _Dialect = DUCKDB) -> str:
    """SQL of the invoice id as trimmed text (NULL when missing or blank).

    Whole numbers stored as FLOAT, DOUBLE or DECIMAL (a column with gaps) are written
    without decimals, as an integer column is: ``1001.0`` and ``1001`` are one invoice; NaN is
    missing (each such line its own invoice); numbers beyond 2⁵³ stay as they are.
    """
    col = dialect.quote(column)
    base = type_name.split("(")[0].upper()
    if base in _NUMERIC_TYPES[10:]:
        whole = f"CAST(CAST({col} AS BIGINT) AS {dialect.text})"
        test = f"abs({col}) < 9e15 AND {col} = floor({col})"
        # a NaN that reaches the SQL (a float column read as it is) is a missing id
        nan = f"isnan(CAST({col} AS DOUBLE))"
        return (
            f"CASE WHEN {nan} THEN NULL WHEN {test} THEN {whole} "
            f"ELSE CAST({col} AS {dialect.text}) END"
        )
    return f"NULLIF(trim(CAST({col} AS {dialect.text})), '')"


def _aggregation_sql(
    spec: dict[str, tuple[str, str] | None],
    plan: _Plan,
    dialect: _Dialect = DUCKDB,
    source: str = "abclab_source",
) -> str:
    """Build the single statement that defines every criterion and counts bad input.

    One CTE pipeline and one hash ``GROUP BY`` over the log. ``as_of`` and the window
    boundaries are written in as SQL date literals, which fold into constants (prepared
    parameters and scalar subqueries inside FILTER clauses are evaluated per row or make
    DuckDB materialise the log, 2–3× slower). Lines dated on or after ``as_of`` are
    dropped by the WHERE clause (absent when ``as_of`` is the day after the last date);
    lines with a missing or unparseable date, a missing amount or (text columns) an
    unparseable due or paid date are kept whatever their date, so that per-customer counts
    (``n_lines``, ``n_dated``, ``n_bad_due_paid``) expose them; :func:`_check_result` raises before any criterion is
    used. A missing amount is a line counted in ``n_lines`` but neither as purchase line
    (``line_count``, amount ≥ 0) nor as return (amount < 0). ``n_lines`` and ``n_dated`` are
    left out when :func:`_plan` has already counted missing dates and amounts
    (``plan.counted``).

    ``purchase_count`` is ``line_count`` without an ``invoice`` column in ``spec``; with one,
    the lines kept by the same WHERE clause are netted per (customer, invoice) in the CTE
    ``inv`` and ``purchase_count`` = invoices with net ≥ 0 (up to ``_NET_TOLERANCE``) + the
    purchase lines without an invoice id (each its own invoice). Dates, months and spend
    stay line-based, so that the invoice column changes ``purchase_count`` only.

    Distinct months and distinct categories are exact bit sets rather than
    ``count(DISTINCT …)`` (which DuckDB runs as a separate, much slower, distinct hash
    aggregation): month ``i`` before ``as_of`` sets bit ``i mod 64`` of word ``i // 64``
    (``bit_or``, then ``bit_count``); category ``k`` of the sorted category list sets bit
    ``k`` of ``category_bits``. With more than ``_MAX_BITSET_CATEGORIES`` categories or a
    log spanning more than ``64 * _MAX_MONTH_WORDS`` months the statement falls back to
    ``count(DISTINCT …)``.

    ``dialect`` spells it for an engine (DuckDB by default); ``source`` is the relation read.
    """
    q = dialect.quote
    date_sql, date_bad = _date_expr(*spec["date"], dialect)
    cols = [
        f"{q(spec['customer'][0])} AS customer",
        f"{date_sql} AS d",
        f"CAST({q(spec['amount'][0])} AS DOUBLE) AS amount",
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
        "count(*) FILTER (WHERE amount >= 0) AS line_count",
        "count(*) FILTER (WHERE amount < 0) AS return_count",
        "sum(amount) AS total_spend",
        "sum(amount) FILTER (WHERE amount < 0) AS returned_sum",
        "min(d) FILTER (WHERE amount >= 0) AS first_purchase",
        "max(d) FILTER (WHERE amount >= 0) AS last_purchase",
        _active_months_sql(plan, dialect),
        f"sum(amount) FILTER (WHERE d >= {from_12m}) AS spend_12m",
        f"sum(amount) FILTER (WHERE d >= {from_24m} AND d < {from_12m}) AS spend_prev_12m",
    ]
    tenure = (
        f"CAST({dialect.days('first_purchase', as_of)} AS DOUBLE) / CAST({DAYS_PER_YEAR} AS DOUBLE)"
    )
    invoices = spec.get("invoice") is not None
    if invoices:
        cols.append(f"{_invoice_expr(*spec['invoice'], dialect)} AS invoice")
        aggs.append("count(*) FILTER (WHERE amount >= 0 AND invoice IS NULL) AS loose_purchases")
    final = [
        "customer",
        "loose_purchases + coalesce(invoice_purchases, 0) AS purchase_count"
        if invoices
        else "line_count AS purchase_count",
        "line_count",
        "total_spend",
        f"total_spend / greatest({tenure}, CAST(1 AS DOUBLE)) AS annual_spend",
    ]
    if spec["profit"] is not None:
        cols.append(f"CAST({q(spec['profit'][0])} AS DOUBLE) AS profit")
        aggs.append("sum(profit) AS profit")
        final += ["profit", "CASE WHEN total_spend > 0 THEN profit / total_spend END AS margin"]
    final += [
        "first_purchase",
        "last_purchase",
        f"CAST({dialect.days('last_purchase', as_of)} AS BIGINT) AS recency_days",
        f"{tenure} AS tenure_years",
        "CAST(active_months AS BIGINT) AS active_months",
        f"{_months_between_sql('last_purchase', plan.as_of)} AS months_since_last_purchase",
        "coalesce(spend_12m, 0.0) AS spend_12m",
        "coalesce(spend_prev_12m, 0.0) AS spend_prev_12m",
        "CASE WHEN spend_prev_12m > 0"
        " THEN coalesce(spend_12m, 0.0) / spend_prev_12m - 1 END AS spend_growth",
    ]
    if spec["category"] is not None:
        cols.append(f"CAST({q(spec['category'][0])} AS {dialect.text}) AS category")
        aggs.append(_categories_sql(plan.categories, dialect))
        if plan.categories is not None:
            final += ["CAST(bit_count(category_bits) AS BIGINT) AS n_categories", "category_bits"]
        else:
            final.append("n_categories")
    if spec["due_date"] is not None and spec["paid_date"] is not None:
        due_sql, due_bad = _date_expr(*spec["due_date"], dialect)
        paid_sql, paid_bad = _date_expr(*spec["paid_date"], dialect)
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
    joined, per_invoice = "agg", ""
    if invoices:
        joined = "agg LEFT JOIN inv USING (customer)"
        per_invoice = _invoice_sql(f"({' OR '.join(keep)}) AND " if keep else "")
    return (
        f"WITH tx AS (SELECT {', '.join(cols)} FROM {source}),\n"
        f"agg AS (SELECT customer, {', '.join(aggs)} FROM tx{where} GROUP BY customer)"
        f"{per_invoice}\nSELECT {', '.join(final)} FROM {joined} ORDER BY customer"
    )


#: An invoice counts as a purchase when its net amount is at least this fraction of its
#: gross amount below zero: non-negative up to the rounding of a sum of doubles, whose order
#: differs between engines (an invoice of 0.1 + 0.2 and a return of 0.3 nets to ±5.6e-17).
_NET_TOLERANCE = 1e-9


def _invoice_sql(keep: str) -> str:
    """The CTE ``inv``: per customer, the invoices whose net amount is non-negative.

    Lines are grouped by (customer, invoice id as trimmed text): an invoice id is counted per
    customer. ``keep`` is the aggregation's line filter (``"(…) AND "`` or empty), so the
    same lines count; lines without an invoice id are each their own invoice and are counted
    by the main aggregation (``loose_purchases``).
    """
    return (
        ",\ninv AS (SELECT customer, count(*) FILTER ("
        f"WHERE net >= -{_NET_TOLERANCE} * gross) AS invoice_purchases FROM ("
        "SELECT customer, invoice, sum(amount) AS net, sum(abs(amount)) AS gross FROM tx"
        f" WHERE {keep}invoice IS NOT NULL GROUP BY customer, invoice) AS lines"
        " GROUP BY customer)"
    )


def _month_words(plan: _Plan) -> int:
    """64-month words the month bit set needs (0: too many, use ``count(DISTINCT …)``)."""
    if plan.first_month is None:
        return _DEFAULT_MONTH_WORDS
    last = _month_number(plan.as_of - _dt.timedelta(days=1))
    words = max(1, -(-(last - plan.first_month + 1) // 64))
    return words if words <= _MAX_MONTH_WORDS else 0


def _months_between_sql(start: str, end: _dt.date) -> str:
    """Whole calendar months from date ``start`` to ``end`` (DuckDB's ``date_sub('month', …)``).

    ``12 · Δyear + Δmonth``, less one when the day of ``end`` is smaller than that of
    ``start`` — unless ``end`` is the last day of its month (Jan 31 → Feb 29 is one month).
    """
    month_end = (end + _dt.timedelta(days=1)).day == 1
    late = "0" if month_end else f"CASE WHEN day({start}) > {end.day} THEN 1 ELSE 0 END"
    return f"CAST({_month_number(end)} - (year({start}) * 12 + month({start})) - {late} AS BIGINT)"


def _active_months_sql(plan: _Plan, dialect: _Dialect = DUCKDB) -> str:
    """Distinct purchase months as a bit set over the months before ``as_of``."""
    words = _month_words(plan)
    if not words:
        return (
            "count(DISTINCT CASE WHEN amount >= 0 THEN year(d) * 12 + month(d) END)"
            " AS active_months"
        )
    last = _month_number(plan.as_of - _dt.timedelta(days=1))
    idx = f"({last} - (year(d) * 12 + month(d)))"
    # every month index lies in [0, 64) when one word covers the first date: no range test
    ranged = words > 1 or plan.first_month is None
    parts = [
        f"coalesce(bit_count(bit_or({dialect.bit(f'({idx} - {64 * w}) & 63')})"
        " FILTER (WHERE amount >= 0"
        + (f" AND {idx} >= {64 * w} AND {idx} < {64 * (w + 1)}" if ranged else "")
        + ")), 0)"
        for w in range(words)
    ]
    return " + ".join(parts) + " AS active_months"


def _categories_sql(categories: tuple[str, ...] | None, dialect: _Dialect = DUCKDB) -> str:
    """Purchased categories: a bit set over the sorted category list, else a distinct count."""
    if categories is None:
        return "count(DISTINCT CASE WHEN amount >= 0 THEN category END) AS n_categories"
    if not categories:
        return "CAST(0 AS BIGINT) AS category_bits"
    bit = dialect.signed_bit(f"{dialect.position(categories, 'category')} - 1")
    return f"coalesce(bit_or({bit}) FILTER (WHERE amount >= 0), CAST(0 AS BIGINT)) AS category_bits"


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
