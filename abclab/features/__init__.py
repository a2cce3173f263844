"""Customer criteria derived from a transaction log, computed by one DuckDB query.

A transaction log (one row per invoice line: customer, date, amount and optionally profit,
product category, invoice due and paid dates) becomes one row per customer with the criteria
of source 003 (annual spend, profit and margin, tenure, cross-purchase rate, on-time payment
rate) and the RFM / dynamics quantities (purchase count, recency, active months, months since
the last purchase, spend growth). With an invoice column the purchase count is the number of
invoices with a non-negative net (the RFM frequency), and ``line_count`` keeps the lines.

DuckDB reads CSV and Parquet files directly (out of core, only the named columns), so a log
of tens of millions of rows never becomes a pandas frame; a pandas frame is registered with
DuckDB as is. Every criterion and every input check is computed by one SQL statement (CTEs,
one hash ``GROUP BY``) built in ``_definition._aggregation_sql``, the single place that
defines the criteria; ``_duckdb`` is the default engine that runs it, ``_engine`` the steps
around it that every engine shares. ``engine="spark"`` runs the same statement, spelled in
Spark SQL, on a Spark session (``_spark``: a cluster, Spark Connect or local mode) where the
log lives; only the per-customer result comes back. Before it, only what the statement cannot know runs: the last date when ``as_of``
is not given (answered from Parquet statistics without a scan for date-typed columns) and
the list of category values when a category is given. The cost stays close to one bare
``GROUP BY`` over the log (``bench/transactions.py``).
"""

from abclab.features._api import (
    ENGINES,
    TransactionFeatures,
    from_transactions,
    transaction_features,
)
from abclab.features._definition import DAYS_PER_YEAR as DAYS_PER_YEAR
from abclab.features._duckdb import log_columns
from abclab.features._prepared import PreparedLog
from abclab.features._source import prepare_log, prepare_source
from abclab.features._spark import (
    FORMATS,
    REMOTE_SCHEMES,
    SparkOptions,
    SparkSource,
    spark_sample,
    spark_session,
    uri_scheme,
)

__all__ = [
    "ENGINES",
    "FORMATS",
    "PreparedLog",
    "REMOTE_SCHEMES",
    "SparkOptions",
    "SparkSource",
    "TransactionFeatures",
    "from_transactions",
    "log_columns",
    "prepare_log",
    "prepare_source",
    "spark_sample",
    "spark_session",
    "transaction_features",
    "uri_scheme",
]
