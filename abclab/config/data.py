"""The ``data`` section: where a study's customers, transactions and last classes come from."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
from pydantic import BeforeValidator, Field, model_validator

from abclab._model import DataPath, NonEmptyStr, StrictInt, StudyModel, fail
from abclab.features import SparkOptions
from abclab.io import DATE_FORMATS, ReadOptions

__all__ = ["CustomersSource", "DataSpec", "PreviousSource", "SparkSettings", "TransactionsSource"]


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


DateFormat = Literal[DATE_FORMATS]  # type: ignore[valid-type]


class _File(StudyModel):
    """How a client file is read (every option defaults to detection)."""

    path: DataPath = Field(description="CSV, XLSX or Parquet file; relative to the study file.")
    sheet: Sheet | None = Field(None, description="XLSX sheet name or 0-based position.")
    encoding: NonEmptyStr | None = Field(
        None, description="Text encoding of a CSV (e.g. gbk); default: detected."
    )
    sep: Literal[",", ";", "\t", "|"] | None = Field(
        None, description="CSV field separator; default: detected."
    )
    header_row: Annotated[StrictInt, Field(ge=1)] | None = Field(
        None, description="1-based row of the header; default: found below title rows."
    )
    missing_values: tuple[NonEmptyStr, ...] = Field(
        (), description="More cell texts meaning 'no value' (besides 暂无, 无, N/A, - ...)."
    )

    def read_options(self) -> ReadOptions:
        """The file's :class:`abclab.io.ReadOptions`."""
        return ReadOptions(
            sheet=self.sheet,
            encoding=self.encoding,
            sep=self.sep,
            decimal=getattr(self, "decimal", None),
            header_row=self.header_row,
            missing_values=tuple(self.missing_values),
            date_format=getattr(self, "date_format", "auto"),
        )


class CustomersSource(_File):
    """A customer table: one row per customer, client column names mapped to criteria."""

    decimal: Literal[".", ","] | None = Field(None, description="Decimal mark; default: detected.")
    columns: dict[str, NonEmptyStr] = Field(
        default_factory=dict, description="Client column name -> criterion or field name."
    )


class SparkSettings(StudyModel):
    """How ``engine: spark`` reaches Spark (see :class:`abclab.features.SparkOptions`)."""

    master: NonEmptyStr = Field(
        "local[*]",
        description="Spark master (local[*], yarn, spark://host:7077, k8s://...) or a Spark "
        "Connect URL sc://host:15002.",
    )
    config: dict[NonEmptyStr, str | int | float | bool] = Field(
        default_factory=dict,
        description="Spark settings, e.g. spark.executor.memory: 8g.",
    )

    def options(self) -> SparkOptions:
        """The :class:`abclab.features.SparkOptions` of these settings."""
        text = {
            k: (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in self.config.items()
        }
        return SparkOptions(master=self.master, config=text)


class TransactionsSource(_File):
    """A transaction log from which per-customer criteria are derived."""

    customer: NonEmptyStr = Field(description="Column of the customer id.")
    date: NonEmptyStr = Field(description="Column of the transaction date.")
    amount: NonEmptyStr = Field(description="Column of the amount (negative = return).")
    profit: NonEmptyStr | None = None
    category: NonEmptyStr | None = None
    due_date: NonEmptyStr | None = None
    paid_date: NonEmptyStr | None = None
    invoice: NonEmptyStr | None = Field(
        None,
        description="Column of the invoice (order) number: purchase_count then counts invoices "
        "with a non-negative net, line_count the lines.",
    )
    as_of: DateText | None = Field(None, description="Evaluation date (exclusive).")
    decimal: Literal[".", ","] | None = Field(None, description="Decimal mark; default: detected.")
    date_format: DateFormat = Field(
        "auto", description="Order of day and month in 08/11/2020-style dates."
    )
    engine: Literal["duckdb", "spark"] = Field(
        "duckdb",
        description="Where the criteria are computed: DuckDB in this process (default) or "
        "Apache Spark (path: any file system or table the Spark session reads).",
    )
    spark: SparkSettings = Field(
        default_factory=SparkSettings, description="Spark session settings (engine: spark)."
    )
    unmatched: Literal["report", "classify"] = Field(
        "report",
        description="Customers of the log missing from data.customers: listed in the report "
        "(default) or classified like the others.",
    )


class PreviousSource(_File):
    """Last period's classification (customer id and tier) for the migration matrix."""

    tier_column: NonEmptyStr
    id_column: NonEmptyStr | None = None


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
