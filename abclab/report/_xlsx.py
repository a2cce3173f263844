"""Streamed SpreadsheetML writer: the rows of the workbook's table sheets.

openpyxl builds the workbook (styles, header rows, widths, panes, filters and the small
sheets), but the data rows of the table sheets (``Customers``, ``Sensitivity``, ...) are not
added cell by cell: they are rendered column-wise into SpreadsheetML with Arrow string kernels
and streamed into the sheet's XML part when the package is written (about 50x faster than
openpyxl cells for 100 k customers). Cells are the ones openpyxl would write: numbers with the
column's number format, ``t="b"`` booleans, inline strings (``t="inlineStr"``), dates as serial
numbers with a date format; missing values leave the cell out. Cell formats, widths and XML
escaping live here, in one place; :mod:`abclab.report._excel` decides what the sheets hold.

Every table sheet is a real Excel table (filter buttons, banded rows) with a frozen header row
and a print set-up (A4 landscape, fit to one page wide, header row repeated on every page).
Text that a spreadsheet would take for a formula (starting with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return; OWASP "CSV injection") is written as text with the cell style's
``quotePrefix`` set, in the streamed bodies and in openpyxl cells alike (:func:`_put`), so it
stays text even when a user edits the cell. Date columns whose values are all at midnight
get the format ``yyyy-mm-dd`` (no 00:00:00).
"""

from __future__ import annotations

import datetime as _dt
import io
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.compute as pc
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from abclab.exceptions import ReportError
from abclab.report._xlsx_body import (
    FORMULA_PREFIX,
    _arrow_text,
    _Body,
    _cell_value,
    _column_kind,
    _write_package,
)

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=12)
_HEADER_FILL = PatternFill("solid", fgColor="DDE5F0")
_MAX_WIDTH = 48
_SHARE_COLUMNS = re.compile(r"(share|percent|rate|margin|stability|growth)", re.I)
#: Number formats openpyxl gives datetime and date cells.
_DATETIME_FORMAT = "yyyy-mm-dd h:mm:ss"
_DATE_FORMAT = "yyyy-mm-dd"
#: Characters counted as two columns wide (CJK and beyond).
_WIDE = f"[{chr(0x2E81)}-{chr(0x10FFFF)}]"
#: Style of the Excel tables of the table sheets (banded rows).
_TABLE_STYLE = "TableStyleMedium2"
#: Excel's row limit (header included).
_MAX_ROWS = 1_048_576


# --------------------------------------------------------------------------- sheets
def _table_sheet(
    wb: Workbook,
    bodies: dict[str, _Body],
    title: str,
    frame: pd.DataFrame,
    *,
    index: bool = False,
    headers: list[str] | None = None,
    formats: list[str | None] | None = None,
    freeze: str | None = None,
    empty: str = "(none)",
    table_name: str | None = None,
) -> Worksheet:
    """A table sheet: header by openpyxl, data rows registered in ``bodies`` (bulk XML).

    ``headers`` are the header texts (default: the column names; made unique, as an Excel
    table needs), ``formats`` the number format of each column (default:
    :func:`_number_format`), ``freeze`` the frozen-pane cell (default ``A2``), ``empty`` the
    text of a sheet without columns, ``table_name`` the Excel table's name (default: from
    the title).
    """
    ws = wb.create_sheet(title)
    if index:
        frame = frame.reset_index()
    if frame.shape[1] == 0:
        _put(ws, 1, 1, empty)
        return ws
    if len(frame) + 1 > _MAX_ROWS:
        raise ReportError(
            f"sheet {title!r}: {len(frame):,} rows do not fit in an Excel sheet "
            f"({_MAX_ROWS - 1:,} data rows at most)"
        )
    names = _unique_headers([str(c) for c in frame.columns] if headers is None else headers)
    _write_header(ws, names, row=1, col=1)
    kinds = [_column_kind(frame[c]) for c in frame.columns]
    if formats is None:
        formats = [_default_format(str(c), frame[c]) for c in frame.columns]
    if len(frame):
        bodies[title] = _Body(
            frame=frame,
            kinds=tuple(kinds),
            styles=tuple(_style_attribute(ws, f) for f in formats),
            date_styles=(
                _style_attribute(ws, _DATETIME_FORMAT),
                _style_attribute(ws, _DATE_FORMAT),
            ),
            quote_style=_quote_style(ws),
        )
    ws.freeze_panes = freeze or "A2"
    ref = f"A1:{get_column_letter(frame.shape[1])}{len(frame) + 1}"
    if len(frame):
        _add_table(wb, ws, ref, table_name or title, names)
    else:
        ws.auto_filter.ref = ref
    _print_setup(ws)
    for j, (name, kind) in enumerate(zip(frame.columns, kinds, strict=True), start=1):
        n = max(_text_width(names[j - 1]), _column_width(frame[name], kind))
        ws.column_dimensions[get_column_letter(j)].width = min(max(n + 2, 8), _MAX_WIDTH)
    return ws


def _unique_headers(names: list[str]) -> list[str]:
    """Header texts made non-empty and unique (``name (2)``), as Excel tables require."""
    seen: set[str] = set()
    out = []
    for name in names:
        base = name.strip() or "column"
        text, k = base, 2
        while text.casefold() in seen:
            text, k = f"{base} ({k})", k + 1
        seen.add(text.casefold())
        out.append(text)
    return out


def _add_table(wb: Workbook, ws: Worksheet, ref: str, name: str, headers: list[str]) -> None:
    """An Excel table over ``ref`` (filter buttons, banded rows) named ``T_<name>``.

    The column names are set here: openpyxl would otherwise read them from the header row
    with ``ws[ref]``, which creates a cell object for every cell of the (streamed) body.
    """
    taken = {t for sheet in wb.worksheets for t in sheet.tables}
    base = "T_" + (re.sub(r"\W", "_", name, flags=re.ASCII).strip("_") or "table")
    table_name, k = base, 2
    while table_name in taken:
        table_name, k = f"{base}_{k}", k + 1
    style = TableStyleInfo(name=_TABLE_STYLE, showRowStripes=True, showColumnStripes=False)
    table = Table(displayName=table_name, ref=ref, tableStyleInfo=style)
    table._initialise_columns()
    for column, header in zip(table.tableColumns, headers, strict=True):
        column.name = header
    ws.add_table(table)


def _print_setup(ws: Worksheet, *, title_rows: str | None = "1:1") -> None:
    """A4 landscape, one page wide (as many pages tall as needed), header row on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows:
        ws.print_title_rows = title_rows


def _quote_style(ws: Worksheet) -> str:
    """``' s="N"'`` of a text cell with ``quotePrefix`` (formula-like text stays text)."""
    cell = Cell(ws)
    cell.quotePrefix = True
    return f' s="{cell.style_id}"'


def _put(ws: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Write one value with openpyxl; formula-like text is kept as text (quotePrefix)."""
    cell = ws.cell(row=row, column=column)
    value = _cell_value(value)
    if isinstance(value, str) and value and FORMULA_PREFIX.match(value):
        cell.value = value
        cell.data_type = "s"
        cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def _default_format(name: str, series: pd.Series) -> str | None:
    """Number format of a column without one given: dates (date only when every value is at
    midnight), else :func:`_number_format`."""
    if _column_kind(series) in ("datetime", "mixed"):
        stamps = [v for v in series.tolist() if isinstance(v, _dt.datetime | _dt.date)]
        if _column_kind(series) == "datetime" or stamps:
            return _DATE_FORMAT if _all_midnight(stamps) else _DATETIME_FORMAT
    return _number_format(name, series)


def _all_midnight(values: Iterable[Any]) -> bool:
    for v in values:
        if v is None or v is pd.NaT:
            continue
        if isinstance(v, _dt.datetime) and (v.hour, v.minute, v.second, v.microsecond) != (0,) * 4:
            return False
    return True


def _write_header(ws: Worksheet, columns: Iterable[Any], *, row: int, col: int) -> None:
    for j, name in enumerate(columns):
        cell = _put(ws, row, col + j, str(name))
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=False)


def _style_attribute(ws: Worksheet, number_format: str | None) -> str:
    """``' s="N"'``: the workbook's cell-style index for a number format (``''`` for none).

    A detached cell (never added to the sheet) registers the style with the workbook, so
    ``styles.xml`` lists it and the index is the one openpyxl itself would write.
    """
    if number_format is None:
        return ""
    cell = Cell(ws)
    cell.number_format = number_format
    return f' s="{cell.style_id}"'


def _write_frame(
    ws: Worksheet,
    frame: pd.DataFrame,
    *,
    row: int,
    col: int,
    headers: list[str] | None = None,
    formats: list[str | None] | None = None,
) -> int:
    """Write header + rows at (row, col) cell by cell (small blocks); return the last row.

    ``formats`` (default :func:`_default_format`) apply to the numbers and dates of a column.
    """
    _write_header(ws, [str(c) for c in frame.columns] if headers is None else headers,
                  row=row, col=col)  # fmt: skip
    if formats is None:
        formats = [_default_format(str(c), frame[c]) for c in frame.columns]
    for i, values in enumerate(frame.itertuples(index=False, name=None), start=1):
        for j, value in enumerate(values):
            cell = _put(ws, row + i, col + j, value)
            if formats[j] and _takes_format(cell.value, formats[j]):
                cell.number_format = formats[j]
    return row + len(frame)


def _takes_format(value: Any, number_format: str) -> bool:
    """Dates take a date format; floats (and ints, but not booleans) any other format."""
    is_date = number_format in (_DATE_FORMAT, _DATETIME_FORMAT)
    if isinstance(value, _dt.date):
        return is_date
    if is_date or isinstance(value, bool):
        return False
    return isinstance(value, int | float)


# --------------------------------------------------------------------------- cells
def _number_format(name: str, series: pd.Series) -> str | None:
    if not pd.api.types.is_float_dtype(series):
        return None
    values = series.dropna().abs()
    if _SHARE_COLUMNS.search(name) and len(values) and values.max() <= 1.0:
        return "0.0%"
    if len(values) and bool(np.all(values == np.round(values))):
        return "#,##0"  # counts, days, whole years (float only because of missing values)
    if len(values) and values.max() >= 1000:
        return "#,##0.00"
    return "0.0000"


def _widths(ws: Worksheet) -> None:
    widths: dict[int, int] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            text = (
                cell.value
                if isinstance(cell.value, str)
                else f"{cell.value:.4f}"
                if isinstance(cell.value, float)
                else str(cell.value)
            )
            widths[cell.column] = max(widths.get(cell.column, 0), _text_width(text))
    for col, n in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = min(max(n + 2, 8), _MAX_WIDTH)


def _text_width(text: str) -> int:
    """Display width: CJK characters take about two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _width_text(value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def _column_width(series: pd.Series, kind: str) -> int:
    """Widest cell text of a column, as :func:`_widths` measures written cells."""
    if kind == "float":
        x = series.to_numpy(dtype=float, na_value=np.nan)
        x = x[np.isfinite(x)]
        # len(f"{v:.4f}") grows with |v| (and a sign): the extremes are the widest
        return max((len(f"{v:.4f}") for v in (x.min(), x.max())), default=0) if x.size else 0
    if kind == "int":
        x = series.dropna()
        return max(len(str(int(x.min()))), len(str(int(x.max())))) if len(x) else 0
    if kind == "bool":
        x = series.dropna().astype(bool)
        return max((len(str(v)) for v in x.unique()), default=0)
    if kind == "text":
        text = _arrow_text(series)
        if text.null_count == len(text):
            return 0
        wide = pc.count_substring_regex(text, _WIDE)
        return int(pc.max(pc.add(pc.utf8_length(text), wide)).as_py())
    values = (_cell_value(v) for v in series.drop_duplicates())
    return max((_text_width(_width_text(v)) for v in values if v is not None), default=0)


# --------------------------------------------------------------------------- one-table files
def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells starting with ``=``, ``+``, ``-``, ``@``, tab or CR carry a
    leading ``'`` (OWASP CSV injection advice), so a spreadsheet opens them as text."""
    out = frame.copy()
    for j in range(out.shape[1]):
        col = out.iloc[:, j]
        if _column_kind(col) not in ("text", "mixed"):
            continue
        values = col.astype(object)
        risky = values.map(lambda v: isinstance(v, str) and bool(FORMULA_PREFIX.match(v)))
        if risky.any():
            out.isetitem(j, values.where(~risky, "'" + values.astype(str)))
    return out


def write_table_xlsx(frame: pd.DataFrame, path: str | Path, *, sheet: str = "Sheet1") -> Path:
    """One frame as a workbook with one table sheet (typed cells, text kept as text)."""
    path = Path(path)
    wb = Workbook()
    wb.remove(wb.active)
    bodies: dict[str, _Body] = {}
    _table_sheet(wb, bodies, sheet, frame)
    buffer = io.BytesIO()
    wb.save(buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as target:
        _write_package(buffer.getvalue(), target, _dt.datetime(1980, 1, 1), bodies)
    return path
