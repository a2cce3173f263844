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
import math
import re
import zipfile
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any
from xml.etree import ElementTree

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from abclab.exceptions import ReportError

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=12)
_HEADER_FILL = PatternFill("solid", fgColor="DDE5F0")
_MAX_WIDTH = 48
_SHARE_COLUMNS = re.compile(r"(share|percent|rate|margin|stability|growth)", re.I)
#: Number formats openpyxl gives datetime and date cells.
_DATETIME_FORMAT = "yyyy-mm-dd h:mm:ss"
_DATE_FORMAT = "yyyy-mm-dd"
#: zlib level of the table bodies (1 = fastest); small parts keep the default level.
_BODY_DEFLATE_LEVEL = 1
#: Rows rendered per Arrow batch when streaming a table body (bounds memory).
_CHUNK_ROWS = 20_000
#: Control characters XML 1.0 cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: Characters counted as two columns wide (CJK and beyond).
_WIDE = f"[{chr(0x2E81)}-{chr(0x10FFFF)}]"
#: Text a spreadsheet program would read as a formula (OWASP CSV injection prefixes).
FORMULA_PREFIX = re.compile(r"^[=+\-@\t\r]")
#: Style of the Excel tables of the table sheets (banded rows).
_TABLE_STYLE = "TableStyleMedium2"
#: Excel's row limit (header included).
_MAX_ROWS = 1_048_576
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"


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
        _add_table(wb, ws, ref, table_name or title)
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


def _add_table(wb: Workbook, ws: Worksheet, ref: str, name: str) -> None:
    """An Excel table over ``ref`` (filter buttons, banded rows) named ``T_<name>``."""
    taken = {t for sheet in wb.worksheets for t in sheet.tables}
    base = "T_" + (re.sub(r"\W", "_", name, flags=re.ASCII).strip("_") or "table")
    name, k = base, 2
    while name in taken:
        name, k = f"{base}_{k}", k + 1
    style = TableStyleInfo(name=_TABLE_STYLE, showRowStripes=True, showColumnStripes=False)
    ws.add_table(Table(displayName=name, ref=ref, tableStyleInfo=style))


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
def _cell_value(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().replace(tzinfo=None)
    if isinstance(value, _dt.datetime | _dt.date):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


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


# --------------------------------------------------------------------------- bulk bodies
@dataclass(frozen=True)
class _Body:
    """Data rows of a table sheet (rows 2..), rendered into the sheet XML at save time."""

    frame: pd.DataFrame
    kinds: tuple[str, ...]
    #: ``' s="N"'`` cell-style attribute of each column ('' for the default style)
    styles: tuple[str, ...]
    #: style attributes of datetime and date cells in mixed columns
    date_styles: tuple[str, str]
    #: style attribute of formula-like text (quotePrefix)
    quote_style: str = ""


def _column_kind(series: pd.Series) -> str:
    """How a column's cells are written: bool, int, float, datetime, text or mixed."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_integer_dtype(dtype):
        return "int"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if isinstance(dtype, pd.CategoricalDtype):
        inferred = pd.api.types.infer_dtype(dtype.categories, skipna=True)
        return "text" if inferred in ("string", "empty") else "mixed"
    if isinstance(dtype, pd.StringDtype):
        return "text"
    inferred = pd.api.types.infer_dtype(series, skipna=True)
    return "text" if inferred in ("string", "empty") else "mixed"


def _arrow_text(series: pd.Series) -> pa.Array:
    """A text column as an Arrow string array, missing values null."""
    values = series.astype(object).where(series.notna(), None).to_numpy()
    return pa.array(values, type=pa.string())


def _body_chunks(body: _Body, *, first_row: int = 2) -> Iterator[memoryview]:
    """The ``<row>`` elements of a table body as UTF-8, ``_CHUNK_ROWS`` rows at a time."""
    frame = body.frame
    letters = [get_column_letter(j) for j in range(1, frame.shape[1] + 1)]
    for start in range(0, len(frame), _CHUNK_ROWS):
        chunk = frame.iloc[start : start + _CHUNK_ROWS]
        numbers = np.arange(first_row + start, first_row + start + len(chunk))
        rows = pc.cast(pa.array(numbers), pa.string())
        cells = [
            _cells(chunk[name], letter, rows, kind, style, body.date_styles, body.quote_style)
            for name, letter, kind, style in zip(
                frame.columns, letters, body.kinds, body.styles, strict=True
            )
        ]
        xml = pc.binary_join_element_wise(
            '<row r="', rows, '">', *cells, "</row>", "", null_handling="replace"
        )
        yield _utf8(xml)


def _utf8(strings: pa.Array) -> memoryview:
    """The concatenation of a null-free Arrow string array, without copying."""
    offset_type = np.int64 if pa.types.is_large_string(strings.type) else np.int32
    _, offsets, data = strings.buffers()
    bounds = np.frombuffer(offsets, dtype=offset_type)[
        strings.offset : strings.offset + len(strings) + 1
    ]
    return memoryview(data)[int(bounds[0]) : int(bounds[-1])]


def _cells(
    series: pd.Series,
    letter: str,
    rows: pa.Array,
    kind: str,
    style: str,
    date_styles: tuple[str, str],
    quote_style: str = "",
) -> pa.Array:
    """``<c>`` elements of one column chunk (null where the cell is left out)."""
    ref = f'<c r="{letter}'
    if kind == "float":
        x = series.to_numpy(dtype=float, na_value=np.nan)
        values = pc.cast(pa.array(x, mask=~np.isfinite(x)), pa.string())
        return pc.binary_join_element_wise(ref, rows, f'"{style}><v>', values, "</v></c>", "")
    if kind == "int":
        values = pc.cast(pa.array(series.astype(object).where(series.notna(), None)), pa.string())
        return pc.binary_join_element_wise(ref, rows, f'"{style}><v>', values, "</v></c>", "")
    if kind == "bool":
        flags = pa.array(series.astype(object).where(series.notna(), None), type=pa.bool_())
        values = pc.if_else(flags, "1", "0")
        return pc.binary_join_element_wise(ref, rows, f'"{style} t="b"><v>', values, "</v></c>", "")
    if kind == "text":
        return _text_cells(_arrow_text(series), ref, rows, quote_style)
    if kind == "datetime" and style:  # the column's date format
        date_styles = (style, style)
    elif style in date_styles:  # a mixed column of dates: the column's format for each
        date_styles = (style, style)
    return _mixed_cells(series, letter, rows.to_pylist(), date_styles, quote_style)


def _text_cells(text: pa.Array, ref: str, rows: pa.Array, quote_style: str = "") -> pa.Array:
    """Inline-string cells; '' is left out, as openpyxl writes no value for it; formula-like
    text gets the quotePrefix style."""
    text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
    risky = pc.fill_null(pc.match_substring_regex(text, FORMULA_PREFIX.pattern), False)
    style = pc.if_else(risky, quote_style, "")
    if pc.any(pc.match_substring_regex(text, _ILLEGAL.pattern)).as_py():
        text = pa.array([None if s is None else _xstring(s) for s in text.to_pylist()], pa.string())
    for raw, escaped in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        text = pc.replace_substring(text, raw, escaped)
    padded = pc.not_equal(text, pc.utf8_trim_whitespace(text))
    opening = pc.if_else(padded, '<t xml:space="preserve">', "<t>")
    return pc.binary_join_element_wise(
        ref, rows, '"', style, ' t="inlineStr"><is>', opening, text, "</t></is></c>", ""
    )


def _xstring(text: str) -> str:
    """Control characters (not allowed in XML 1.0) as ST_Xstring escapes ``_xHHHH_``.

    Excel decodes them back; openpyxl would raise IllegalCharacterError instead. Literal
    ``_xHHHH_`` text is written as is, as openpyxl does.
    """
    return _ILLEGAL.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)


def _mixed_cells(
    series: pd.Series,
    letter: str,
    rows: list[str],
    date_styles: tuple[str, str],
    quote_style: str = "",
) -> pa.Array:
    """Cells of an object column holding several types, value by value (:func:`_cell_value`)."""
    out: list[str | None] = []
    for row, raw in zip(rows, series.tolist(), strict=True):
        value = _cell_value(raw)
        ref = f'<c r="{letter}{row}"'
        if value is None or value == "":
            out.append(None)
        elif isinstance(value, bool):
            out.append(f'{ref} t="b"><v>{int(value)}</v></c>')
        elif isinstance(value, int | float):
            out.append(f"{ref}><v>{value!r}</v></c>" if math.isfinite(value) else None)
        elif isinstance(value, _dt.datetime | _dt.date):
            style = date_styles[0] if isinstance(value, _dt.datetime) else date_styles[1]
            out.append(f"{ref}{style}><v>{to_excel(value)!r}</v></c>")
        else:
            text = _xstring(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            space = ' xml:space="preserve"' if text != text.strip() else ""
            quote = quote_style if FORMULA_PREFIX.match(value) else ""
            out.append(f'{ref}{quote} t="inlineStr"><is><t{space}>{text}</t></is></c>')
    return pa.array(out, type=pa.string())


# --------------------------------------------------------------------------- package
def _write_package(
    data: bytes, target: IO[bytes], stamp: _dt.datetime, bodies: dict[str, _Body]
) -> None:
    """Copy openpyxl's package with fixed times, streaming the table bodies into their sheets."""
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    date_time = (
        max(stamp.year, 1980),
        stamp.month,
        stamp.day,
        stamp.hour,
        stamp.minute,
        stamp.second,
    )
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        sheets = _sheet_parts(src)
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = content.decode("utf-8")
                text = re.sub(
                    r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                    lambda m: f"{m.group(1)}{iso}{m.group(2)}",
                    text,
                )
                content = text.encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            body = bodies.get(sheets.get(info.filename, ""))
            if body is None:
                dst.writestr(entry, content)
                continue
            head, tail = _split_sheet(content.decode("utf-8"), body)
            # the bulk of the file: fastest deflate level (about 3x faster than the default
            # level 6 for ~25 % more bytes); ZipFile.open takes the level from the entry
            entry._compresslevel = _BODY_DEFLATE_LEVEL
            with dst.open(entry, "w") as out:
                out.write(head.encode("utf-8"))
                for chunk in _prefetched(_body_chunks(body)):
                    out.write(chunk)
                out.write(tail.encode("utf-8"))


def _prefetched(items: Iterator[Any]) -> Iterator[Any]:
    """Yield ``items``, rendering the next one in a worker thread while this one is used.

    Arrow kernels and zlib both release the GIL, so rendering rows and compressing them
    overlap on two cores.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(next, items, None)
        while (item := future.result()) is not None:
            future = pool.submit(next, items, None)
            yield item


def _sheet_parts(package: zipfile.ZipFile) -> dict[str, str]:
    """Zip part name -> sheet title, from ``xl/workbook.xml`` and its relationships."""
    workbook = ElementTree.fromstring(package.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(package.read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for rel in rels.iter(f"{_NS_PKG}Relationship"):
        target = rel.get("Target", "")
        part = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl", target))
        targets[rel.get("Id")] = part
    return {
        targets[sheet.get(f"{_NS_REL}id")]: sheet.get("name", "")
        for sheet in workbook.iter(f"{_NS_MAIN}sheet")
    }


def _split_sheet(xml: str, body: _Body) -> tuple[str, str]:
    """Sheet XML around the insertion point of the body rows, with the full dimension."""
    last = f"{get_column_letter(body.frame.shape[1])}{len(body.frame) + 1}"
    xml = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="A1:{last}"/>', xml, count=1)
    if "</sheetData>" in xml:
        at = xml.index("</sheetData>")
        return xml[:at], xml[at:]
    empty = re.search(r"<sheetData\s*/>", xml)
    if empty is None:  # pragma: no cover - openpyxl always writes sheetData
        raise RuntimeError("openpyxl wrote a worksheet without <sheetData>")
    return xml[: empty.start()] + "<sheetData>", "</sheetData>" + xml[empty.end() :]


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
