"""The ``data`` section: where a study's customers, transactions and last classes come from."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
from pydantic import BeforeValidator, Field, model_validator

from abclab._model import DataPath, NonEmptyStr, StrictInt, StudyModel, fail

__all__ = ["CustomersSource", "DataSpec", "PreviousSource", "TransactionsSource"]


def _date_text(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            pd.Timestamp(value)
        except ValueError:
            raise fail(f"expected a date (YYYY-MM-DD), got {value!r}") from None
        return value
    raise fail(f"expected a date (YYYY-MM-DD), got {value!r}")


#: An XLSX sheet: its name, or its position counting from 0.
Sheet = NonEmptyStr | Annotated[StrictInt, Field(ge=0)]
#: A date written ``2025-01-01`` (quoted or not), kept as its ISO text.
DateText = Annotated[str, BeforeValidator(_date_text)]


class CustomersSource(StudyModel):
    """A customer table: one row per customer, client column names mapped to criteria."""

    path: DataPath = Field(description="CSV, XLSX or Parquet file; relative to the study file.")
    sheet: Sheet | None = Field(None, description="XLSX sheet name or 0-based position.")
    encoding: NonEmptyStr | None = Field(
        None, description="Text encoding of a CSV (e.g. gbk); default: detected."
    )
    columns: dict[str, NonEmptyStr] = Field(
        default_factory=dict, description="Client column name -> criterion or field name."
    )


class TransactionsSource(StudyModel):
    """A transaction log from which per-customer criteria are derived."""

    path: DataPath = Field(description="CSV, XLSX or Parquet file; relative to the study file.")
    customer: NonEmptyStr = Field(description="Column of the customer id.")
    date: NonEmptyStr = Field(description="Column of the transaction date.")
    amount: NonEmptyStr = Field(description="Column of the amount (negative = return).")
    profit: NonEmptyStr | None = None
    category: NonEmptyStr | None = None
    due_date: NonEmptyStr | None = None
    paid_date: NonEmptyStr | None = None
    as_of: DateText | None = Field(None, description="Evaluation date (exclusive).")
    encoding: NonEmptyStr | None = Field(None, description="Text encoding of a CSV log.")
    sheet: Sheet | None = Field(None, description="XLSX sheet name or 0-based position.")


class PreviousSource(StudyModel):
    """Last period's classification (customer id and tier) for the migration matrix."""

    path: DataPath
    tier_column: NonEmptyStr
    id_column: NonEmptyStr | None = None
    sheet: Sheet | None = None
    encoding: NonEmptyStr | None = None


class DataSpec(StudyModel):
    """Where the data come from (customers, transactions or both; optional previous period)."""

    customers: CustomersSource | None = None
    transactions: TransactionsSource | None = None
    previous: PreviousSource | None = None

    @model_validator(mode="after")
    def _customers_or_transactions(self) -> DataSpec:
        if self.customers is None and self.transactions is None:
            raise fail("expected a 'customers' or a 'transactions' section, got neither")
        return self

    @property
    def paths(self) -> list[Path]:
        """Every data file the study reads, in a fixed order."""
        return [s.path for s in (self.customers, self.transactions, self.previous) if s]
