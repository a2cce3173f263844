"""Check a study against its data without running it (``abclab validate``).

Reads the customer table and a sample of the transaction log, and checks that every column
the study names is there: ids, names, criteria (after the column mapping and the criteria
derived from transactions, and ``clv_12m`` / ``p_alive``, which the read step derives from
the log when named), the transaction columns, the columns methods read (a potential
dimension), and last period's classes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd

from abclab import clv
from abclab.config import Study
from abclab.exceptions import AbclabError
from abclab.features import from_transactions, prepare_source
from abclab.io import read_table
from abclab.pipeline.read import ID, read_master

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
        problems.append(f"data.customers: {err}")
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
            absent = [f"{k}: {v!r}" for k, v in wanted.items() if v and v not in sample.columns]
            if absent:
                problems.append(f"data.transactions: column(s) not in {t.path.name}: "
                                f"{', '.join(absent)} (columns: {', '.join(map(str, sample.columns))})")  # fmt: skip
            else:
                derived = from_transactions(sample, customer=t.customer, date=t.date,
                                            amount=t.amount, profit=t.profit, category=t.category,
                                            due_date=t.due_date, paid_date=t.paid_date,
                                            invoice=t.invoice, as_of=t.as_of)  # fmt: skip
                columns |= {ID, *map(str, derived.columns), *clv.CUSTOMER_BASE_CRITERIA}
                if customers is None:
                    customers = log_customers
        except AbclabError as err:
            problems.append(f"data.transactions: {err}")
    if columns:
        problems += _named_columns(study, columns)
        known = columns | {study.name_column} if study.name_column else columns
        problems += [f"pii: column {c!r} not in the data (available: {', '.join(sorted(columns))})"
                     for c in study.pii or () if c not in known]  # fmt: skip
    if study.data.previous is not None:
        problems += _previous_columns(study)
    return DataCheck(tuple(problems), customers, tuple(sorted(columns)))


def _transaction_sample(study: Study) -> tuple[pd.DataFrame, int]:
    """The first lines of the log, read as the run reads it, and its number of customers."""
    t = study.data.transactions
    dates = [c for c in (t.date, t.due_date, t.paid_date) if c]
    source = prepare_source(t.path, customer=t.customer, dates=dates, invoice=t.invoice,
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


def _named_columns(study: Study, columns: set[str]) -> list[str]:
    problems = []
    available = ", ".join(sorted(columns))
    named: list[tuple[str, Any]] = [("id_column", study.id_column or ID),
                                    ("name_column", study.name_column)]  # fmt: skip
    named += [(f"criteria.{c}", c) for c in study.criterion_names]
    for i, method in enumerate(study.methods):
        named += [(f"methods[{i}].{method.method}", c) for c in method.data_columns()]
    for key, column in named:
        if column is not None and column not in columns:
            problems.append(f"{key}: column {column!r} not in the data (available: {available}); "
                            "map client columns with data.customers.columns")  # fmt: skip
    return problems


def _previous_columns(study: Study) -> list[str]:
    prev = study.data.previous
    try:
        frame = read_table(prev.path, **prev.read_options().table_options())
    except AbclabError as err:
        return [f"data.previous: {err}"]
    id_col = prev.id_column or study.id_column or ID
    return [f"data.previous: column {c!r} not in {prev.path.name} (columns: "
            f"{', '.join(map(str, frame.columns))})"
            for c in (id_col, prev.tier_column) if c not in frame.columns]  # fmt: skip
