"""Streamed SpreadsheetML bodies: the data rows of the table sheets and the package writer.

The rows are rendered column-wise into SpreadsheetML with Arrow string kernels and streamed
into the sheet's XML part when the package is written (see :mod:`abclab.report._xlsx`, which
builds the sheets and imports what it needs from here). Formula-like text gets the
``quotePrefix`` style (``quote_style`` of a :class:`_Body`).
"""

from __future__ import annotations

import datetime as _dt
import io
import math
import re
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, Any
from xml.etree import ElementTree

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

#: zlib level of the table bodies (1 = fastest); small parts keep the default level.
_BODY_DEFLATE_LEVEL = 1
#: Rows rendered per Arrow batch when streaming a table body (bounds memory).
_CHUNK_ROWS = 20_000
#: Control characters XML 1.0 cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: Text a spreadsheet program would read as a formula (OWASP CSV injection prefixes).
FORMULA_PREFIX = re.compile(r"^[=+\-@\t\r]")
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"


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
