"""The public readers :func:`read_table` and :func:`read_table_report` and their result."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter

from abclab.exceptions import InputDataError
from abclab.io._formats import (
    _CSV_SUFFIXES,
    _EXCEL_SUFFIXES,
    _PARQUET_SUFFIXES,
    _check_unique_headers,
    _guess_decimal,
    _read_csv,
    _read_excel,
    _resolve_rename,
    formulas_without_values,
)
from abclab.io._layout import DROPPED_COLUMNS, split_layout
from abclab.io._numbers import _convert_numeric


@dataclass(frozen=True, eq=False)
class TableRead:
    """A table read by :func:`read_table_report` and how it was read.

    Attributes
    ----------
    frame : pandas.DataFrame
        The data; numeric columns are ``float64``, other columns are text.
    path : pathlib.Path
        The file read.
    encoding : str or None
        Text encoding used for CSV files (``"utf-8"``, ``"utf-8-sig"``, ``"gb18030"`` ...);
        ``None`` for XLSX and Parquet.
    sep : str or None
        Field separator used for CSV files.
    decimal : str
        Decimal mark used to parse numbers (``"."`` or ``","``).
    sheet : str or int or None
        The XLSX sheet read.
    conversions : pandas.DataFrame
        Columns ``column, rule, count``: one row per column and conversion rule applied.
    numeric_columns : tuple of str
        Columns converted to numbers.
    rows : ndarray of int
        1-based row number in the file of each row of ``frame``.
    header_row : int
        1-based row of the header (1 for Parquet).
    dropped : pandas.DataFrame
        Rows set aside: ``row``, ``kind`` (title / blank / total / note), ``content``.
    """

    frame: pd.DataFrame
    path: Path
    encoding: str | None
    sep: str | None
    decimal: str
    sheet: str | int | None
    conversions: pd.DataFrame
    numeric_columns: tuple[str, ...]
    rows: np.ndarray
    header_row: int
    dropped: pd.DataFrame


def read_table_report(
    path: str | Path,
    *,
    sheet: str | int | None = None,
    encoding: str | None = None,
    sep: str | None = None,
    decimal: str | None = None,
    numeric: Sequence[str] | None = None,
    rename: Mapping[str, str] | None = None,
    header_row: int | None = None,
    missing_values: Sequence[str] = (),
) -> TableRead:
    """Read a CSV, XLSX or Parquet file and report how it was read.

    Parameters
    ----------
    path : str or pathlib.Path
        ``.csv``/``.txt``/``.tsv``, ``.xlsx``/``.xlsm`` or ``.parquet``/``.pq``.
    sheet : str or int, optional
        XLSX sheet name or 0-based index (default: the first sheet).
    encoding : str, optional
        CSV text encoding. Default: a UTF-16 BOM means UTF-16; else UTF-8 (``utf-8-sig``
        when a BOM is present) is tried strictly, then GB18030 (a superset of GBK, used by
        Chinese Excel exports), then charset-normalizer's best guess.
    sep : str, optional
        CSV separator. Default: whichever of ``,`` ``;`` tab gives the most consistent number
        of fields over the first 50 records.
    decimal : {".", ","}, optional
        Decimal mark. Default ``"."``, except a CSV not separated by ``,`` whose cells look
        like ``12,5`` or ``1.234,56`` more often than like ``12.5`` or ``1,234.56``.
    numeric : list of str, optional
        Columns that must be numeric (any cell that does not parse raises). These may be
        named by their client name or by their name after ``rename``; other columns are then
        left as read. Default ``None``: every text column where at least 90 % of the non-blank
        cells parse (and at least one is a number) is converted; cells that do not parse
        become NaN, counted under ``unparseable`` with a :class:`DataQualityWarning`.
        Columns of codes with leading zeros (``007``) are kept as text. Pass ``[]`` to
        convert nothing.
    rename : mapping, optional
        Client column name -> criterion name. Names are matched exactly, then ignoring
        case, spaces and full-width/half-width differences.
    header_row : int, optional
        1-based row of the header (as a spreadsheet numbers it). Default: detected, skipping
        title rows, blank rows and merged-cell bands above it (:mod:`abclab.io._layout`).
        Total rows (``合计``, ``Total`` ...), blank rows and trailing notes are set aside and
        listed in ``dropped``.
    missing_values : sequence of str
        More cell texts that mean "no value" (besides ``暂无``, ``无``, ``N/A``, ``-`` ...),
        in any column.

    Returns
    -------
    TableRead
        ``frame``, ``path``, ``encoding``, ``sep``, ``decimal``, ``sheet``, ``conversions``
        (columns ``column, rule, count``) and ``numeric_columns``.

    Raises
    ------
    InputDataError
        Unknown extension, missing file, undecodable or malformed file, missing sheet,
        mapped or numeric column not in the file, or a numeric column with a cell that does
        not parse (the message names the file, the column, the row and the value).

    See Also
    --------
    parse_business_numbers : the number formats understood.
    """
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise InputDataError(f"{path}: file not found")
    if decimal not in {None, ".", ","}:
        raise InputDataError(f"decimal must be '.' or ',', got {decimal!r}")
    suffix = path.suffix.lower()
    used_encoding = used_sep = None
    if suffix in _CSV_SUFFIXES:
        grid, used_encoding, used_sep = _read_csv(path, encoding, sep)
        kind = "csv"
    elif suffix in _EXCEL_SUFFIXES:
        grid, sheet = _read_excel(path, sheet)
        kind = "excel"
    elif suffix in _PARQUET_SUFFIXES:
        try:
            frame = pd.read_parquet(path)
        except Exception as err:  # pyarrow raises ArrowInvalid, OSError ...
            raise InputDataError(f"{name}: cannot read as Parquet: {err}") from err
        kind = "parquet"
    else:
        raise InputDataError(
            f"{name}: unknown file type {path.suffix!r}; expected one of "
            f"{sorted(_CSV_SUFFIXES | _EXCEL_SUFFIXES | _PARQUET_SUFFIXES)}"
        )
    if kind == "parquet":
        rows, header, dropped = (
            np.arange(2, len(frame) + 2),
            1,
            pd.DataFrame(columns=DROPPED_COLUMNS),
        )
    else:
        layout = split_layout(grid, name=name, header_row=header_row)
        frame, rows, header, dropped = layout.frame, layout.rows, layout.header_row, layout.dropped
        if kind == "excel":
            _refuse_uncalculated(path, sheet, grid, rows)
            frame = frame.infer_objects()
    frame.columns = [str(c).lstrip("\ufeff").strip() for c in frame.columns]
    _check_unique_headers(list(frame.columns), name)
    frame, marked = _blank_markers(frame, missing_values)
    if decimal is None:
        decimal = _guess_decimal(frame, used_sep) if kind == "csv" else "."
    if rename:
        mapping = _resolve_rename(list(frame.columns), rename, name)
        frame = frame.rename(columns=mapping)
        if numeric is not None:
            numeric = [mapping.get(c, c) for c in numeric]
    frame, conversions, converted = _convert_numeric(frame, numeric, decimal, name, kind, rows)
    if marked:
        extra = pd.DataFrame([(c, "missing_marker", n) for c, n in marked.items()],
                             columns=conversions.columns)  # fmt: skip
        conversions = pd.concat([conversions, extra], ignore_index=True).astype(conversions.dtypes)
    frame.attrs["conversions"] = conversions
    frame.attrs["rows"] = rows
    frame.attrs["dropped"] = dropped
    return TableRead(frame, path, used_encoding, used_sep, decimal, sheet, conversions, converted,
                     rows, header, dropped)  # fmt: skip


def _refuse_uncalculated(
    path: Path, sheet: str | int, grid: pd.DataFrame, rows: np.ndarray
) -> None:
    """Raise if a data row of the sheet has a formula without a computed value."""
    data = set(rows.tolist())
    name, found = formulas_without_values(path, sheet, grid)
    cells = [c for c in found if c[0] in data]
    if cells:
        row, column, formula = cells[0]
        more = f" (and {len(cells) - 1} more such cell(s))" if len(cells) > 1 else ""
        raise InputDataError(
            f"{path.name}, sheet {name!r}, cell {get_column_letter(column)}{row}: the formula "
            f"{formula} has no computed value{more}; the workbook was saved by a program that "
            "does not calculate formulas. Open it in Excel or LibreOffice and save it again, "
            "or export the values"
        )


def _blank_markers(frame: pd.DataFrame, markers: Sequence[str]) -> tuple[pd.DataFrame, dict]:
    """Cells equal to one of ``markers`` (after NFKC, trimmed, any case) become missing."""
    if not markers:
        return frame, {}
    wanted = {unicodedata.normalize("NFKC", str(m)).strip().casefold() for m in markers}
    counts = {}
    for col in frame.columns:
        series = frame[col]
        if pd.api.types.is_numeric_dtype(series):
            continue
        text = series.astype("string").str.normalize("NFKC").str.strip().str.casefold()
        hit = text.isin(wanted).fillna(False).to_numpy(bool)
        if hit.any():
            frame[col] = series.where(~hit, None)
            counts[str(col)] = int(hit.sum())
    return frame, counts


def read_table(path: str | Path, **options: Any) -> pd.DataFrame:
    """Read a CSV, XLSX or Parquet file into a DataFrame, parsing business numbers.

    Takes the keyword options of :func:`read_table_report` (``sheet``, ``encoding``, ``sep``,
    ``decimal``, ``numeric``, ``rename``, ``header_row``, ``missing_values``) and returns its ``frame``; the conversion counts
    (columns ``column, rule, count``) are in ``frame.attrs["conversions"]``.

    Raises
    ------
    InputDataError
        As :func:`read_table_report`, and for an unknown option.
    """
    allowed = {"sheet", "encoding", "sep", "decimal", "numeric", "rename", "header_row",
               "missing_values"}  # fmt: skip
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise InputDataError(f"read_table: unknown option(s) {unknown}; allowed: {sorted(allowed)}")
    return read_table_report(path, **options).frame
