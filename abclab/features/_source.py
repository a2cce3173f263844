"""The transaction source and its columns: what is read, and the checks on what was read.

Resolves a path or DataFrame to a SQL relation (CSV or Parquet by suffix), checks that the
named columns exist with usable types, parses ``as_of``, and turns the aggregation's
per-customer counts of bad input into errors that name the column, the count and an example.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io as _stdio
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from abclab._text import normalise_ids
from abclab.exceptions import InputDataError
from abclab.features._definition import _NUMERIC_TYPES, DUCKDB, _date_expr, _unsupported_type
from abclab.features._prepared import PreparedLog
from abclab.io import ReadOptions, parse_dates, read_table
from abclab.io._layout import NOTE_WORDS, TOTAL_WORDS

_PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")
#: Name of the converted log inside a run's directory (:func:`prepare_log`).
PREPARED_NAME = "transactions.parquet"
_CSV_SUFFIXES = (".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz", ".txt.gz")


#: Bytes read from the start and the end of a CSV to decide whether DuckDB reads it directly.
_SNIFF_BYTES = 256 * 1024
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T][\d:.]+)?$")
_LEADING_ZERO = re.compile(r"^0\d+$")
_PLAIN = re.compile(r"^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$")
_NOT_DATA = re.compile(
    r"^\s*(?:" + "|".join(re.escape(w) for w in (*TOTAL_WORDS, *NOTE_WORDS)) + r")", re.I
)


def prepare_log(
    path: str | os.PathLike[str],
    *,
    customer: str,
    dates: Sequence[str],
    numbers: Sequence[str],
    read: ReadOptions | None = None,
    invoice: str | None = None,
    workdir: str | os.PathLike[str],
) -> PreparedLog:
    """Read a transaction log once: the file itself, or its conversion as Parquet in ``workdir``.

    The reader decision is :func:`prepare_source`'s; a converted log is written (every
    column, the dates parsed, ids as text) to ``workdir``/:data:`PREPARED_NAME` and the
    frame is dropped.

    Parameters
    ----------
    path : path
        The client's log (CSV, XLSX or Parquet).
    customer : str
        Customer id column (kept as text).
    dates, numbers : sequence of str
        Every date and amount column any consumer reads (a log DuckDB reads as it is must
        have ISO dates and plain numbers in all of them); empty names are skipped.
    read : abclab.io.ReadOptions, optional
        The reader options of the log.
    invoice : str, optional
        Invoice number column (kept as text, as the customer ids).
    workdir : path
        An existing directory owned by the caller (a run's temporary directory), never the
        folder of the client's file; removing it is the caller's job.

    Returns
    -------
    PreparedLog

    Raises
    ------
    InputDataError
        As :func:`prepare_source`, or if ``workdir`` is the folder of the log itself.
    """
    source, workdir = Path(path), Path(workdir)
    if source.is_file() and workdir.resolve() == source.resolve().parent:
        raise InputDataError(
            f"workdir: the folder of the client's file {source.name!r}; the converted log "
            "is written to a run's own temporary directory"
        )
    prepared = prepare_source(source, customer=customer, dates=[d for d in dates if d],
                              numbers=[n for n in numbers if n], read=read,
                              invoice=invoice)  # fmt: skip
    if not isinstance(prepared, pd.DataFrame):
        return PreparedLog(path=source, label=f"file '{source.name}'", converted=False)
    target = workdir / PREPARED_NAME
    rows = prepared.attrs.get("rows")
    file_rows = None if rows is None or len(rows) != len(prepared) else np.asarray(rows, np.int64)
    dropped = prepared.attrs.get("dropped")
    set_aside = dropped.copy() if isinstance(dropped, pd.DataFrame) else pd.DataFrame()
    prepared.attrs = {}  # not written into the Parquet file
    table = pa.Table.from_pandas(prepared, preserve_index=False).replace_schema_metadata(None)
    pq.write_table(table, target)
    return PreparedLog(path=target, label=f"file '{source.name}'", converted=True,
                       file_rows=file_rows, set_aside=set_aside)  # fmt: skip


def prepare_source(
    source: str | os.PathLike[str] | pd.DataFrame | PreparedLog,
    *,
    customer: str,
    dates: list[str],
    numbers: list[str],
    read: ReadOptions | None = None,
    invoice: str | None = None,
) -> str | os.PathLike[str] | pd.DataFrame | PreparedLog:
    """The source as DuckDB should scan it: the file itself, or a frame read by abclab.io.

    A :class:`~abclab.features.PreparedLog` (:func:`prepare_log`, read once per run) is
    returned as it is.

    A Parquet file, or a plain CSV (UTF-8, ``,``-separated, header on the first line, ISO
    dates, plain numbers, no total or note lines at its ends: :func:`_duckdb_reads`), goes to
    DuckDB as it is. Anything else — GBK, ``;`` and decimal commas, title rows and 合计 lines,
    Chinese or day-first dates, XLSX — is read by :func:`abclab.io.read_table` with ``read``,
    its dates by :func:`abclab.io.parse_dates`, and scanned as a frame. Customer and
    ``invoice`` ids are text (:func:`abclab._text.normalise_ids`).
    """
    read = read or ReadOptions()
    if isinstance(source, PreparedLog):
        return source
    if isinstance(source, pd.DataFrame):
        return _typed_frame(
            source, customer=customer, dates=dates, read=read, label="", invoice=invoice
        )
    if not isinstance(source, str | os.PathLike):
        raise InputDataError(
            f"source must be a path to a CSV/Parquet file or a pandas DataFrame, "
            f"got {type(source).__name__}"
        )
    path = Path(source)
    if not path.is_file():
        raise InputDataError(f"transaction file '{path}' does not exist")
    name = path.name.lower()
    if name.endswith(_PARQUET_SUFFIXES):
        return source
    if (
        name.endswith(_CSV_SUFFIXES)
        and read.is_default
        and _duckdb_reads(path, [customer, invoice or ""], dates, numbers)
    ):
        return source
    # numbers auto-detected: a text amount column stays text and is refused below, by name
    frame = read_table(path, **read.table_options())
    return _typed_frame(frame, customer=customer, dates=dates, read=read, label=path.name,
                        invoice=invoice)  # fmt: skip


def _typed_frame(
    frame: pd.DataFrame,
    *,
    customer: str,
    dates: list[str],
    read: ReadOptions,
    label: str,
    invoice: str | None = None,
) -> pd.DataFrame:
    out = frame.copy()
    rows = frame.attrs.get("rows")
    for column in dates:
        if column in out.columns and not pd.api.types.is_datetime64_any_dtype(out[column]):
            series = out[column]
            series.attrs["rows"] = rows
            out[column] = parse_dates(series, column=column, source=label,
                                      date_format=read.date_format).values  # fmt: skip
    if customer in out.columns and not pd.api.types.is_numeric_dtype(out[customer]):
        out[customer] = normalise_ids(out[customer])
    if invoice and invoice in out.columns and _id_like(out[invoice]):
        out[invoice] = normalise_ids(out[invoice])  # invoice numbers are text
    out.attrs = {"source_label": f"file '{label}'"} if label else {}
    if rows is not None:
        out.attrs["rows"] = rows  # the client's file row of each line (for messages)
    if "dropped" in frame.attrs:
        out.attrs["dropped"] = frame.attrs["dropped"]  # rows of the file that are no lines
    return out


def _id_like(column: pd.Series) -> bool:
    """Text or numbers (ids); dates and booleans are left for the type check to refuse."""
    return not (pd.api.types.is_datetime64_any_dtype(column) or pd.api.types.is_bool_dtype(column))


def _duckdb_reads(path: Path, ids: list[str], dates: list[str], numbers: list[str]) -> bool:
    """True for a plain CSV that DuckDB's ``read_csv_auto`` reads as the file means it.

    Not for ids (customer, invoice) with leading zeros (``001`` would become the number 1),
    text that is not
    UTF-8, rows of another width, non-ISO dates, business-formatted numbers, or total or
    note lines at the end.
    """
    if path.name.lower().endswith(".gz"):
        return True  # compressed logs are machine exports; DuckDB reads them directly
    size = path.stat().st_size
    with path.open("rb") as f:
        head = f.read(_SNIFF_BYTES)
        f.seek(max(0, size - 4096))
        tail = f.read()
    try:
        text = head.decode("utf-8")
        tail_text = tail.decode("utf-8", errors="ignore")
    except UnicodeDecodeError:
        return False
    lines = text.splitlines()[: (-1 if len(head) == _SNIFF_BYTES else None)]
    if len(lines) < 2 or text.startswith("\ufeff"):
        return False
    records = list(csv.reader(_stdio.StringIO("\n".join(lines[:500]))))
    header = records[0]
    if len(header) < 3 or any(len(r) != len(header) for r in records[1:] if r):
        return False
    position = {name: k for k, name in enumerate(header)}
    if any(c not in position for c in (*dates, *numbers) if c):
        return False
    for row in records[1:]:
        if any(c in position and _LEADING_ZERO.match(row[position[c]]) for c in ids if c):
            return False
        for c in dates:
            if c and row[position[c]] and not _ISO_DATE.match(row[position[c]]):
                return False
        for c in numbers:
            if c and row[position[c]] and not _PLAIN.match(row[position[c]]):
                return False
    last = [line for line in tail_text.splitlines() if line.strip()][-3:]
    return not any(_NOT_DATA.match(line) or line.count(",") < len(header) - 1 for line in last)


def _source_relation(
    source: str | os.PathLike[str] | pd.DataFrame | PreparedLog, *, customer: str | None = None
) -> tuple[str, str, pd.DataFrame | None]:
    """Return (label for messages, SQL relation, frame to register or None)."""
    if isinstance(source, PreparedLog):
        if not source.path.is_file():
            raise InputDataError(f"{source.label} does not exist (or its run has ended)")
        return source.label, source.relation_sql, None
    if isinstance(source, pd.DataFrame):
        return source.attrs.get("source_label", "the DataFrame"), "abclab_source_frame", source
    if not isinstance(source, str | os.PathLike):
        raise InputDataError(
            f"source must be a path to a CSV/Parquet file or a pandas DataFrame, "
            f"got {type(source).__name__}"
        )
    path = Path(source)
    if not path.is_file():
        raise InputDataError(f"transaction file '{path}' does not exist")
    name = path.name.lower()
    literal = "'" + str(path).replace("'", "''") + "'"
    if name.endswith(_PARQUET_SUFFIXES):
        return f"file '{path}'", f"read_parquet({literal})", None
    if name.endswith(_CSV_SUFFIXES):
        return f"file '{path}'", f"read_csv_auto({literal})", None
    raise InputDataError(
        f"file '{path}': unknown transaction file type; expected one of "
        f"{', '.join(_CSV_SUFFIXES + _PARQUET_SUFFIXES)}"
    )


def _resolve_columns(
    types: dict[str, str], label: str, **names: str | None
) -> dict[str, tuple[str, str] | None]:
    """Check that each named column exists and has a usable type."""
    spec: dict[str, tuple[str, str] | None] = {}
    for role, name in names.items():
        if name is None:
            spec[role] = None
            continue
        if name not in types:
            raise InputDataError(
                f"{label} has no column '{name}' (the {role} column); "
                f"available columns: {', '.join(map(repr, types))}"
            )
        spec[role] = (name, types[name])
    for role in ("amount", "profit"):
        if spec[role] is not None and spec[role][1].split("(")[0] not in _NUMERIC_TYPES:
            raise _unsupported_type(*spec[role], "numbers", label=label)
    invoice = spec.get("invoice")
    # NULL / VOID: a frame's column without a single id (every line its own invoice)
    id_types = (*_NUMERIC_TYPES, "VARCHAR", '"NULL"', "NULL", "VOID")
    if invoice is not None and invoice[1].split("(")[0] not in id_types:
        raise _unsupported_type(*invoice, "invoice numbers (text or whole numbers)", label=label)
    if (spec["due_date"] is None) != (spec["paid_date"] is None):
        raise InputDataError(
            "on-time payment needs both due_date and paid_date; got only "
            + ("due_date" if spec["paid_date"] is None else "paid_date")
        )
    return spec


def _to_date(value: str | _dt.date | pd.Timestamp) -> _dt.date:
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError) as err:
        raise InputDataError(f"as_of={value!r} is not a date") from err
    if pd.isna(stamp):
        raise InputDataError(f"as_of={value!r} is not a date")
    return stamp.date()


def _check_result(
    con: Any,
    result: dict[str, Any],
    spec: dict[str, tuple[str, str] | None],
    label: str,
) -> None:
    """Raise on bad or missing dates, missing amounts and missing customer ids.

    The aggregation counts lines per customer; only when a count shows a problem does a
    diagnostic statement scan the log again to name the column, the count and an example.
    """
    n_lines = int(result["n_lines"].sum()) if "n_lines" in result else 0
    no_date = "n_dated" in result and n_lines > int(result["n_dated"].sum())
    if no_date or ("n_bad_due_paid" in result and result["n_bad_due_paid"].sum() > 0):
        _raise_date_error(con, spec, label)
    if "n_lines" in result:
        counted = int(result["line_count"].sum() + result["return_count"].sum())
        if n_lines > counted:
            raise _missing_amounts(spec, label, n_lines - counted)
    if result["customer"].hasnans:
        raise InputDataError(
            f"{label}: column '{spec['customer'][0]}' has missing customer ids; "
            "transactions without a customer cannot be attributed"
        )


def _missing_amounts(
    spec: dict[str, tuple[str, str] | None], label: str, n_missing: int
) -> InputDataError:
    return InputDataError(
        f"{label}: column '{spec['amount'][0]}' has {n_missing} "
        "missing amount(s); fill or drop them explicitly before deriving criteria"
    )


def _raise_date_error(con: Any, spec: dict[str, tuple[str, str] | None], label: str) -> None:
    """Name the first date column with unparseable values (count, example) or missing dates.

    ``con`` is an engine run (:class:`abclab.features._engine._Engine`) or a DuckDB
    connection with the log as ``abclab_source``.
    """
    if hasattr(con, "rows"):
        rows, dialect, source = con.rows, con.dialect, con.source
    else:
        rows, dialect, source = (lambda sql: con.execute(sql).fetchall()), DUCKDB, "abclab_source"
    for role in ("date", "due_date", "paid_date"):
        if spec[role] is None:
            continue
        column = spec[role][0]
        _, bad_sql = _date_expr(*spec[role], dialect)
        n_bad, example = rows(
            f"SELECT count(*), any_value({dialect.quote(column)}) FROM {source} WHERE {bad_sql}"
        )[0]
        if n_bad:
            raise InputDataError(
                f"{label}: column '{column}' has {n_bad} value(s) that are not dates, "
                f"e.g. {example!r}; expected dates such as '2024-01-31', '2024/1/31' or 20240131"
            )
    date_sql, _ = _date_expr(*spec["date"], dialect)
    n_missing = rows(f"SELECT count(*) - count({date_sql}) FROM {source}")[0][0]
    raise InputDataError(
        f"{label}: column '{spec['date'][0]}' has {n_missing} missing "
        "date(s); every transaction needs a date"
    )
