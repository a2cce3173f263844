"""File formats and encodings: CSV decoding and sniffing, Excel sheets, header checks.

CSV bytes are decoded (explicit encoding, UTF-16 BOM, UTF-8 with or without BOM, GB18030,
then a detector), the separator and decimal mark are guessed, Excel sheets are chosen and
read as text-preserving objects, and headers are checked for duplicates and renamed.
"""

from __future__ import annotations

import codecs
import csv
import io as _stdio
import itertools
import re
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
from charset_normalizer import from_bytes

from abclab._text import normalise_header
from abclab.exceptions import InputDataError

_CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
_EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
_PARQUET_SUFFIXES = {".parquet", ".pq"}
#: The reader options that mean something for each kind of file (see :func:`file_kind`).
READ_OPTIONS_OF = {
    "csv": ("encoding", "sep", "decimal", "header_row", "missing_values"),
    # decimal: cells a workbook holds as text ("2,5 %", "1.200,50") are read with it
    "excel": ("sheet", "decimal", "header_row", "missing_values"),
    "parquet": ("missing_values",),
}


def file_kind(path: str | Path) -> str | None:
    """``"csv"``, ``"excel"`` or ``"parquet"`` by the file's suffix (None: not a table file)."""
    suffix = Path(path).suffix.lower()
    for kind, suffixes in (("csv", _CSV_SUFFIXES), ("excel", _EXCEL_SUFFIXES),
                           ("parquet", _PARQUET_SUFFIXES)):  # fmt: skip
        if suffix in suffixes:
            return kind
    return None


def _decode(raw: bytes, encoding: str | None, name: str) -> tuple[str, str]:
    """Decode CSV bytes: explicit encoding, else UTF-16 BOM, UTF-8(-sig), GB18030, detector."""
    if encoding is not None:
        try:
            return raw.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as err:
            raise InputDataError(f"{name}: cannot decode as {encoding!r}: {err}") from err
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16"), "utf-16"
    head = raw[:4096]
    if head.count(0) > len(head) // 4:  # UTF-16 without a BOM: zero bytes on one side of ASCII
        order = "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
        try:
            return raw.decode(order), order
        except UnicodeDecodeError as err:
            raise InputDataError(f"{name}: looks like UTF-16 without a byte-order mark but does "
                                 f"not decode as {order}: {err}; pass encoding=...") from err  # fmt: skip
    candidates = ["utf-8-sig"] if raw.startswith(codecs.BOM_UTF8) else ["utf-8"]
    if b"\x00" not in raw[:4096]:
        candidates.append("gb18030")
    for candidate in candidates:
        try:
            return raw.decode(candidate), candidate
        except UnicodeDecodeError:
            continue
    best = from_bytes(raw).best()
    if best is None:
        raise InputDataError(
            f"{name}: cannot detect the text encoding (tried utf-8, gb18030 and "
            "charset-normalizer); pass encoding=..."
        )
    return str(best), best.encoding


def _sniff_sep(text: str) -> str:
    """Choose among ``,`` ``;`` and tab: the separator giving the most consistent field count."""
    best, best_key = ",", (0.0, 1)
    for sep in (",", ";", "\t"):
        try:
            rows = [
                r
                for r in itertools.islice(csv.reader(_stdio.StringIO(text), delimiter=sep), 50)
                if r
            ]
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        key = (sum(len(r) == width for r in rows) / len(rows), width)
        if key > best_key:
            best, best_key = sep, key
    return best


_COMMA_VOTE = r"\d,(?:\d{1,2}|\d{4,})(?:\D|$)|\d\.\d{3},\d"
_DOT_VOTE = r"\d\.(?:\d{1,2}|\d{4,})(?:\D|$)|\d,\d{3}\.\d"


def _guess_decimal(frame: pd.DataFrame, sep: str) -> str:
    """Decimal comma if the separator is not ``,`` and cells like ``12,5`` / ``1.234,56`` win."""
    if sep == "," or frame.empty:
        return "."
    cells = pd.concat([frame[c].dropna().head(500).astype("str") for c in frame.columns])
    cells = cells.str.replace(r"\s+", "", regex=True)
    comma = int(cells.str.contains(_COMMA_VOTE, regex=True).sum())
    dot = int(cells.str.contains(_DOT_VOTE, regex=True).sum())
    return "," if comma > dot else "."


def _read_csv(path: Path, encoding: str | None, sep: str | None) -> tuple[pd.DataFrame, str, str]:
    """Every row of a CSV as text cells, no header (ragged rows padded to the widest)."""
    raw = path.read_bytes()
    if not raw.strip():
        raise InputDataError(f"{path.name}: the file is empty")
    text, used = _decode(raw, encoding, path.name)
    text = text.lstrip("\ufeff")
    sep = sep or _sniff_sep(text)
    head = itertools.islice(csv.reader(_stdio.StringIO(text), delimiter=sep), 200)
    width = max((len(r) for r in head), default=1)
    try:
        grid = pd.read_csv(
            _stdio.StringIO(text), sep=sep, header=None, names=range(width), dtype=str,
            keep_default_na=False, na_values=[""], skip_blank_lines=False,
        )  # fmt: skip
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise InputDataError(f"{path.name}: cannot parse as CSV with sep={sep!r}: {err}") from err
    return grid, used, sep


def _check_unique_headers(headers: Sequence[Any], name: str) -> None:
    """Refuse a header that occurs twice (pandas would silently rename it to 'x.1')."""
    seen: dict[str, int] = {}
    for position, header in enumerate(headers, start=1):
        key = str(header).lstrip("\ufeff").strip()
        if key in seen:
            raise InputDataError(
                f"{name}: column header {key!r} occurs twice (columns {seen[key]} and "
                f"{position}); rename one of them"
            )
        seen[key] = position


def _read_excel(path: Path, sheet: str | int | None) -> tuple[pd.DataFrame, str | int]:
    """Every row of an XLSX sheet as read (text-preserving objects), no header."""
    try:
        book = pd.ExcelFile(path, engine="openpyxl")
    except Exception as err:  # openpyxl raises several unrelated types for corrupt files
        raise InputDataError(f"{path.name}: cannot open as an XLSX workbook: {err}") from err
    with book:
        names = book.sheet_names
        chosen = 0 if sheet is None else sheet
        valid = chosen in names if isinstance(chosen, str) else -len(names) <= chosen < len(names)
        if not valid:
            raise InputDataError(
                f"{path.name}: no sheet {chosen!r}; sheets are {names} "
                f"(give a name or a 0-based index)"
            )
        grid = pd.read_excel(
            book, sheet_name=chosen, header=None, dtype=object, keep_default_na=False,
            na_values=[""],
        )  # fmt: skip
    return grid, chosen


#: A formula element in a worksheet's XML (``<f>``, ``<f t="shared" …>``, ``<x:f>``).
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


def formulas_without_values(
    path: Path, sheet: str | int, grid: pd.DataFrame
) -> tuple[str, list[tuple[int, int, str]]]:
    """The sheet's name and its cells holding a formula with no computed value: (row,
    column, formula).

    Excel stores each formula's last result beside it, and that result is what
    :func:`_read_excel` read into ``grid`` (cell ``(r, c)`` of the sheet is ``grid.iat[r - 1,
    c - 1]``); a workbook written by a program that does not calculate (a script, some web
    exports) stores the formula alone, and its cells read as empty. Rows and columns are
    1-based. Reads the sheet's formulas only when the workbook has formulas at all.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
            if not any(_FORMULA_TAG.search(archive.read(n)) for n in sheets):
                return str(sheet), []
    except (zipfile.BadZipFile, OSError, KeyError):
        return str(sheet), []
    found = []
    book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        name = sheet if isinstance(sheet, str) else book.sheetnames[sheet]
        rows, columns = grid.shape
        for line in book[name].iter_rows():
            for cell in line:
                text = getattr(cell, "value", None)
                if not (isinstance(text, str) and text.startswith("=")):
                    continue
                r, c = cell.row - 1, cell.column - 1
                if r >= rows or c >= columns or pd.isna(grid.iat[r, c]):
                    found.append((cell.row, cell.column, text))
    finally:
        book.close()
    return name, found


def _resolve_rename(columns: Sequence[str], rename: Mapping[str, str], name: str) -> dict[str, str]:
    """Map client column names to actual columns (exact match, then NFKC/case/space-insensitive)."""
    found = _match_columns(columns, list(rename))
    missing = [client for client, column in found.items() if column is None]
    if missing:
        raise InputDataError(
            f"{name}: mapped column(s) {missing} not found; available columns: {list(columns)}"
        )
    mapping = {found[client]: target for client, target in rename.items()}
    clash = sorted(set(mapping.values()) & (set(columns) - set(mapping)))
    if clash:
        raise InputDataError(f"{name}: renaming would duplicate existing column(s) {clash}")
    return mapping


def _match_columns(columns: Sequence[str], names: Sequence[str]) -> dict[str, str | None]:
    """Each name's column: the exact one, else the only one equal after NFKC, case and space
    folding (:func:`abclab._text.normalise_header`); None when there is none or several."""
    by_norm: dict[str, list[str]] = {}
    for col in columns:
        by_norm.setdefault(normalise_header(col), []).append(col)
    out: dict[str, str | None] = {}
    for name in names:
        similar = by_norm.get(normalise_header(name), [])
        out[name] = name if name in columns else (similar[0] if len(similar) == 1 else None)
    return out


def unmatched_columns(columns: Sequence[str], names: Sequence[str]) -> list[str]:
    """The ``names`` (client columns of a ``rename`` mapping) that match no column of a file
    the way :func:`abclab.io.read_table` matches them (exact, then ignoring case, spaces and
    full-/half-width differences)."""
    return [name for name, column in _match_columns(columns, names).items() if column is None]
