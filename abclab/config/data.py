"""The ``data`` section: where a study's customers, transactions and last classes come from."""

from __future__ import annotations

import datetime as dt
import urllib.parse
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
from pydantic import (
    BeforeValidator,
    Field,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from abclab._model import DataPath, NonEmptyStr, StrictInt, StudyModel, context_of, fail, quoted
from abclab.features import FORMATS, REMOTE_SCHEMES, SparkOptions, SparkSource, uri_scheme
from abclab.io import DATE_FORMATS, READ_OPTIONS_OF, ReadOptions, file_kind

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


#: How messages name each kind of file.
_KIND_WORDS = {"csv": "a CSV file", "excel": "an XLSX workbook", "parquet": "a Parquet file"}


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

    @model_validator(mode="after")
    def _options_fit_the_file(self) -> _File:
        """Refuse options the file's type has no use for (``sheet`` on a CSV, ``encoding`` on
        an XLSX workbook): they would be ignored, and the analyst meant something else."""
        if not isinstance(self.path, Path):  # a URI or table: Spark reads it (see _source)
            return self
        kind = file_kind(self.path)
        if kind is None:
            return self
        for key in ("sheet", "encoding", "sep", "decimal", "header_row"):
            if getattr(self, key, None) is not None and key not in READ_OPTIONS_OF[kind]:
                allowed = [k for k in READ_OPTIONS_OF[kind] if k in type(self).model_fields]
                raise fail(f"{key} is not an option of {_KIND_WORDS[kind]} ({self.path.name}); "
                           f"its reader options are {quoted(allowed)}", at=(key,))  # fmt: skip
        return self

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


#: Keys of ``data.transactions`` that say how this machine reads a client file (not Spark).
_LOCAL_READ_KEYS = ("sheet", "encoding", "sep", "decimal", "header_row", "missing_values")


class TransactionsSource(_File):
    """A transaction log from which per-customer criteria are derived.

    The log is a local file (``path``, relative to the study file), or, with ``engine:
    spark``, a URI that Spark reads where it runs (``path: s3a://…``; the scheme decides:
    :data:`abclab.features.REMOTE_SCHEMES`) or a catalogue table (``table``).
    """

    path: Annotated[
        Path | str | None, WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "null"}]})
    ] = Field(
        None,
        description="CSV, XLSX or Parquet file, relative to the study file; with engine: spark "
        "also a URI read by Spark (s3a://, abfss://, hdfs://, gs://, dbfs:/, file:).",
    )
    table: NonEmptyStr | None = Field(
        None,
        description="Catalogue table or view read by Spark (engine: spark), e.g. "
        "sales.invoice_lines; instead of path.",
    )
    format: Literal[FORMATS] | None = Field(  # type: ignore[valid-type]
        None,
        description="How Spark reads a path (engine: spark): parquet, csv or delta (Delta Lake on "
        "the cluster); default by suffix (.csv/.tsv/.txt: csv, else parquet).",
    )
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
        "Apache Spark (path: also a URI Spark reads; or table).",
    )
    spark: SparkSettings = Field(
        default_factory=SparkSettings, description="Spark session settings (engine: spark)."
    )
    unmatched: Literal["report", "classify"] = Field(
        "report",
        description="Customers of the log missing from data.customers: listed in the report "
        "(default) or classified like the others.",
    )

    @field_validator("path", mode="before")
    @classmethod
    def _location(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            return None
        if not isinstance(value, str | Path):
            raise fail(f"expected a file path or a URI, got {value!r}")
        text = str(value)
        scheme = uri_scheme(text) if isinstance(value, str) else None
        if scheme is None:
            path = Path(text)
            return path if path.is_absolute() else context_of(info).base_dir / path
        if scheme not in REMOTE_SCHEMES:
            raise fail(f"expected a file path or a URI with scheme "
                       f"{', '.join(s + ':' for s in REMOTE_SCHEMES)}; got {text!r}")  # fmt: skip
        if scheme == "file" and not urllib.parse.urlparse(text).path.startswith("/"):
            raise fail(f"expected an absolute file: URI (file:///data/log.parquet), got {text!r}")
        return text

    @model_validator(mode="after")
    def _source(self) -> TransactionsSource:
        if self.path is None and self.table is None:
            raise fail("expected 'path' (a file) or 'table' (engine: spark), got neither")
        if self.path is not None and self.table is not None:
            raise fail("expected either path or table, got both", at=("table",))
        spark = self.engine == "spark"
        if self.table is not None and not spark:
            raise fail(f"table {self.table!r} is read by Spark: needs engine: spark (DuckDB "
                       "reads local files)", at=("table",))  # fmt: skip
        uri = self.path if isinstance(self.path, str) else None
        if uri is not None and not spark and uri_scheme(uri) != "file":
            raise fail(f"expected a local file with engine duckdb, got the URI {uri!r}; a remote "
                       "log is read by Spark (engine: spark), or copy it here", at=("path",))  # fmt: skip
        if self.format is not None and not (spark and self.table is None):
            raise fail(f"format {self.format!r} says how Spark reads a path: needs engine: spark "
                       "and a path", at=("format",))  # fmt: skip
        if self.format is not None and isinstance(self.path, Path):
            raise fail(f"format {self.format!r} is for a URI read by Spark; the local file "
                       f"{self.path.name} is read by its suffix", at=("format",))  # fmt: skip
        if self.local_path is None:
            for key in _LOCAL_READ_KEYS:
                if getattr(self, key) not in (None, ()):
                    raise fail(f"says how this machine reads a client file; {self.label} is read "
                               "by Spark", at=(key,))  # fmt: skip
            if self.date_format != "auto":
                raise fail(f"says how this machine reads dates; {self.label} is read by Spark",
                           at=("date_format",))  # fmt: skip
        return self

    @property
    def local_path(self) -> Path | None:
        """The log as a file on this machine, or None when Spark reads it where it runs.

        A local path; with engine duckdb also a ``file:`` URI (the file it names). With engine
        spark a URI is Spark's to read (``file:`` then names the driver's and executors' file
        system), a table too.
        """
        if isinstance(self.path, Path):
            return self.path
        if isinstance(self.path, str) and self.engine == "duckdb":  # file: (validated)
            return Path(urllib.parse.unquote(urllib.parse.urlparse(self.path).path))
        return None

    @property
    def source(self) -> Path | SparkSource:
        """What the engine reads: the local file, or the URI or table Spark reads."""
        if self.local_path is not None:
            return self.local_path
        if self.table is not None:
            return SparkSource(table=self.table)
        return SparkSource(path=str(self.path), format=self.format)

    @property
    def key(self) -> str:
        """The study key that names the log (for messages)."""
        return "data.transactions.table" if self.table is not None else "data.transactions.path"

    @property
    def label(self) -> str:
        """How messages name the log: the file name, the URI, or the table."""
        if self.local_path is not None:
            return self.local_path.name
        return f"table {self.table}" if self.table is not None else str(self.path)


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
        """Every data file on this machine the study reads, in a fixed order (not a log that
        Spark reads where it runs: :attr:`TransactionsSource.local_path`)."""
        t = None if self.transactions is None else self.transactions.local_path
        return [p for p in (getattr(self.customers, "path", None), t,
                            getattr(self.previous, "path", None)) if p is not None]  # fmt: skip
