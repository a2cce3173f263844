"""Check a study against its data without running it (``abclab validate``).

Reads the customer table and a sample of the transaction log, and checks that every column
the study names is there: ids, names, criteria (after the column mapping and the criteria
derived from transactions, and ``clv_12m`` / ``p_alive``, which the read step derives from
the log when named), the transaction columns, the columns methods read (a potential
dimension), and last period's classes. Each problem names the study key that names the
column, with its line in the study file (``criteria.spend: ... (line 12)``), as the study
loader's errors do.

A log that Spark reads where it runs (``data.transactions.table``, or a URI ``path`` with
``engine: spark``) is not opened on this machine: the Spark session of the study reads its
schema and first :data:`SAMPLE_ROWS` lines (Spark checks that it exists and can be read),
and what in the study would need its lines here is a problem (:func:`local_log_uses`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd

from abclab import clv
from abclab.config import Study, key_path
from abclab.exceptions import AbclabError
from abclab.features import from_transactions, prepare_source, spark_sample
from abclab.io import read_table, read_table_report, unmatched_columns
from abclab.pipeline.read import ID, local_log_uses, read_master

__all__ = ["SAMPLE_ROWS", "DataCheck", "check_data"]

#: Transaction lines read to check the log's columns and the criteria derived from them.
SAMPLE_ROWS = 5_000


@dataclass(frozen=True)
class DataCheck:
    """What :func:`check_data` found: problems (empty when all is well) and what was read."""

    problems: tuple[str, ...]
    customers: int | None
    columns: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems


def check_data(study: Study) -> DataCheck:
    """Check that the study's data files exist and hold every column the study names."""
    problems: list[str] = []
    missing = [p for p in study.data.paths if not p.is_file()]
    problems += [f"data file not found: {p}" for p in missing]
    if missing:
        return DataCheck(tuple(problems), None, ())
    columns: set[str] = set()
    customers = None
    try:
        master = read_master(study)
    except AbclabError as err:
        problems += _mapping_problems(study) or [
            f"data.customers: {err}{_at(study, 'data', 'customers')}"
        ]
        master = None
    if master is not None:
        columns |= set(map(str, master.frame.columns))
        customers = len(master.frame)
    t = study.data.transactions
    if t is not None:
        try:
            sample, log_customers = _transaction_sample(study)
            wanted = {"customer": t.customer, "date": t.date, "amount": t.amount, "profit": t.profit,
                      "category": t.category, "due_date": t.due_date, "paid_date": t.paid_date,
                      "invoice": t.invoice}  # fmt: skip
            absent = [k for k, v in wanted.items() if v and v not in sample.columns]
            listed = ", ".join(map(str, sample.columns))
            problems += [f"data.transactions.{k}: column {wanted[k]!r} not in {t.label} "
                         f"(columns: {listed}){_at(study, 'data', 'transactions', k)}"
                         for k in absent]  # fmt: skip
            if not absent:
                derived = from_transactions(sample, customer=t.customer, date=t.date,
                                            amount=t.amount, profit=t.profit, category=t.category,
                                            due_date=t.due_date, paid_date=t.paid_date,
                                            invoice=t.invoice, as_of=t.as_of)  # fmt: skip
                columns |= {ID, *map(str, derived.columns), *clv.CUSTOMER_BASE_CRITERIA}
                if customers is None:
                    customers = log_customers
        except AbclabError as err:
            problems.append(f"data.transactions: {err}{_at(study, 'data', 'transactions')}")
        if t.local_path is None:
            problems += [f"{t.key}: {use} reads the log's lines on this machine; {t.label} is "
                         "read by Spark where it runs" for use in local_log_uses(study)]  # fmt: skip
    master_failed = study.data.customers is not None and master is None
    if columns and not master_failed:  # else every master column would be reported missing too
        problems += _named_columns(study, columns)
        known = columns | {study.name_column} if study.name_column else columns
        problems += [f"pii[{i}]: column {c!r} not in the data (available: "
                     f"{', '.join(sorted(columns))}){_at(study, 'pii', i)}"
                     for i, c in enumerate(study.pii or ()) if c not in known]  # fmt: skip
    if study.data.previous is not None:
        problems += _previous_columns(study)
    return DataCheck(tuple(problems), customers, tuple(sorted(columns)))


def _transaction_sample(study: Study) -> tuple[pd.DataFrame, int | None]:
    """The first lines of the log, read as the run reads it, and its number of customers
    (None for a log that Spark reads: counting them would aggregate the whole log)."""
    t = study.data.transactions
    if t.local_path is None:  # Spark reads the table or URI; its customers are not counted
        return spark_sample(t.source, spark=t.spark.options(), rows=SAMPLE_ROWS), None
    dates = [c for c in (t.date, t.due_date, t.paid_date) if c]
    source = prepare_source(t.local_path, customer=t.customer, dates=dates, invoice=t.invoice,
                            numbers=[t.amount, t.profit or ""], read=t.read_options())  # fmt: skip
    if isinstance(source, pd.DataFrame):
        customers = int(source[t.customer].nunique()) if t.customer in source else 0
        return source.head(SAMPLE_ROWS), customers
    literal = "'" + str(source).replace("'", "''") + "'"
    reader = (
        "read_parquet" if str(source).lower().endswith((".parquet", ".pq")) else "read_csv_auto"
    )
    relation = duckdb.sql(f"SELECT * FROM {reader}({literal})")
    sample = relation.limit(SAMPLE_ROWS).df()
    customers = 0
    if t.customer in sample.columns:
        column = '"' + t.customer.replace('"', '""') + '"'
        query = f"SELECT count(DISTINCT {column}) FROM {reader}({literal})"
        customers = int(duckdb.sql(query).fetchall()[0][0])
    return sample, customers


def _at(study: Study, *key_path: str | int) -> str:
    """`` (line N)``: where the study file writes the key (or its section); empty if nowhere."""
    line = study.line_of(*key_path)
    return f" (line {line})" if line else ""


def _mapping_problems(study: Study) -> list[str]:
    """One problem per ``data.customers.columns`` key that is not a column of the file."""
    src = study.data.customers
    if src is None or not src.columns:
        return []
    try:
        header = read_table_report(src.path, **src.read_options().table_options(), numeric=[])
    except AbclabError:
        return []  # the file itself cannot be read: the reader's own error says why
    listed = ", ".join(map(str, header.frame.columns))
    return [f"data.customers.columns.{key}: column {key!r} not in {src.path.name} (columns: "
            f"{listed}){_at(study, 'data', 'customers', 'columns', key)}"
            for key in unmatched_columns(list(map(str, header.frame.columns)), list(src.columns))]  # fmt: skip


def _named_columns(study: Study, columns: set[str]) -> list[str]:
    problems = []
    available = ", ".join(sorted(columns))
    named: list[tuple[tuple[str | int, ...], Any]] = [(("id_column",), study.id_column or ID),
                                                      (("name_column",), study.name_column)]  # fmt: skip
    named += [(("criteria", c), c) for c in study.criterion_names]
    for i, method in enumerate(study.methods):
        named += [(("methods", i, method.method), c) for c in method.data_columns()]
    for key, column in named:
        if column is not None and column not in columns:
            problems.append(f"{key_path(key)}: column {column!r} not in the data (available: "
                            f"{available}); map client columns with data.customers.columns"
                            f"{_at(study, *key)}")  # fmt: skip
    return problems


def _previous_columns(study: Study) -> list[str]:
    prev = study.data.previous
    try:
        frame = read_table(prev.path, **prev.read_options().table_options())
    except AbclabError as err:
        return [f"data.previous: {err}"]
    id_col = prev.id_column or study.id_column or ID
    id_key = ("data", "previous", "id_column") if prev.id_column else ("id_column",)
    keys = {id_key: id_col, ("data", "previous", "tier_column"): prev.tier_column}
    return [f"{key_path(key)}: column {c!r} not in {prev.path.name} (columns: "
            f"{', '.join(map(str, frame.columns))}){_at(study, *key)}"
            for key, c in keys.items() if c not in frame.columns]  # fmt: skip
