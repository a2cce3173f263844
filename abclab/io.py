"""Read client exports (CSV, XLSX, Parquet) and parse business number formats.

Client CRM/ERP exports arrive as GBK-encoded CSV files with Chinese headers, as ``;``-separated
files with decimal commas, or as Excel workbooks whose amounts are strings such as ``¥1,200``,
``1200万元`` or ``(300)``. :func:`read_table` reads all of them into a DataFrame and converts the
numeric columns; :func:`read_table_report` also returns how the file was read (encoding,
separator, decimal mark) and a tidy table counting every conversion per column and rule, so a
report can show what was changed.
"""

from __future__ import annotations

import codecs
import csv
import io as _stdio
import itertools
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from abclab._text import normalise_header, parse_number_text
from abclab.exceptions import DataQualityWarning, InputDataError

__all__ = ["TableRead", "parse_business_numbers", "read_table", "read_table_report"]

#: Share of non-blank cells that must parse for a column to be auto-detected as numeric.
AUTO_NUMERIC_SHARE = 0.9
#: Rules counted by :func:`parse_business_numbers`, in reporting order.
RULES = (
    "blank",
    "missing_marker",
    "excel_error",
    "fullwidth",
    "thousands_separator",
    "decimal_comma",
    "currency",
    "percent",
    "wan",
    "yi",
    "parentheses_negative",
    "unparseable",
)
_EXPECTED = "expected e.g. 1,200 / ¥1,200 / 15% / 1200万元 / (300)"
_CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
_EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
_PARQUET_SUFFIXES = {".parquet", ".pq"}


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
    """

    frame: pd.DataFrame
    path: Path
    encoding: str | None
    sep: str | None
    decimal: str
    sheet: str | int | None
    conversions: pd.DataFrame
    numeric_columns: tuple[str, ...]


def _split_typed(series: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Split a column into text cells, already-numeric cells and cells of another type."""
    if pd.api.types.is_bool_dtype(series):
        bad = series.notna()
        return pd.Series(np.nan, index=series.index, dtype="str"), series.astype(float), bad
    if pd.api.types.is_numeric_dtype(series):
        none = pd.Series(False, index=series.index)
        return pd.Series(np.nan, index=series.index, dtype="str"), series.astype(float), none
    if pd.api.types.is_string_dtype(series) and series.dtype != object:
        none = pd.Series(False, index=series.index)
        return series, pd.Series(np.nan, index=series.index), none
    # object column (e.g. from Excel): one type check per cell, then vectorised parsing
    kind = series.map(type)
    is_text = kind.eq(str).to_numpy(bool)
    is_number = kind.isin([int, float, np.int64, np.float64]).to_numpy(bool) & series.notna()
    numbers = pd.to_numeric(series.where(is_number), errors="coerce").astype(float)
    other = series.notna() & ~is_text & ~is_number
    return series.where(is_text).astype("str"), numbers, other


def _parse_column(series: pd.Series, decimal: str) -> tuple[pd.Series, pd.Series, dict[str, int]]:
    text, numbers, other = _split_typed(series)
    values, bad, counts = parse_number_text(text, decimal)
    values = values.where(text.notna(), numbers)
    counts["blank"] -= int((text.isna() & (numbers.notna() | other)).sum())
    bad = bad | other
    return values.rename(series.name), bad, {k: v for k, v in counts.items() if v}


def _row_note(kind: str, position: int) -> str:
    if kind == "series":
        return f"row {position + 1} (1-based position in the data)"
    return (
        f"row {position + 1} (data rows counted from 1 below the header; "
        f"spreadsheet row {position + 2})"
    )


def _bad_value_error(
    source: str | None, column: Any, series: pd.Series, bad: pd.Series, kind: str
) -> InputDataError:
    position = int(np.flatnonzero(bad.to_numpy(bool))[0])
    prefix = f"{source}: " if source else ""
    prefix += f"column {column!r} " if column is not None else ""
    return InputDataError(
        f"{prefix}{_row_note(kind, position)}: cannot read "
        f"{series.iloc[position]!r} as a number ({_EXPECTED})"
    )


def parse_business_numbers(
    series: pd.Series, *, column: str | None = None, source: str | None = None, decimal: str = "."
) -> tuple[pd.Series, dict[str, int]]:
    """Parse a column of business-formatted numbers into floats.

    Accepted forms (after Unicode NFKC normalisation, so full-width ``￥１２００`` works, and
    after removing spaces): plain numbers (``1200``, ``-3.5``, ``1e6``); thousands separators
    (``1,200``, or ``1.200`` with ``decimal=","``); currency symbols ``¥ ￥ $ € £`` and codes
    ``RMB CNY USD EUR`` before or after the number, and a ``元`` suffix; percentages
    (``15%`` -> 0.15); Chinese units ``万``/``万元`` (x 1e4) and ``亿``/``亿元`` (x 1e8);
    negatives as ``-300`` or ``(300)``. Blank cells, missing markers (``NA``, ``null``, ``-``,
    ``--`` ...) and Excel error values (``#DIV/0!``, ``#N/A``, ``#VALUE!``, ``#REF!``,
    ``#NAME?``, ``#NUM!``, ``#NULL!``) become NaN.

    Parameters
    ----------
    series : pandas.Series
        Text, numbers, or a mix of both (as read from Excel).
    column : str, optional
        Column name used in error messages (default: ``series.name``).
    source : str, optional
        File name used in error messages.
    decimal : {".", ","}
        Decimal mark; with ``","`` the thousands separator is ``"."``.

    Returns
    -------
    values : pandas.Series
        ``float64`` values aligned to ``series``.
    counts : dict of str to int
        Number of cells each rule applied to (only rules that applied), e.g.
        ``{"currency": 3, "wan": 2}``. Rules are listed in :data:`RULES`.

    Raises
    ------
    InputDataError
        If a cell cannot be read; the message names the column, the first bad row (1-based)
        and the value.

    Notes
    -----
    The parser is vectorised: one regular expression extracts sign, currency, digits,
    exponent, percent and unit; each value is then built as the decimal literal
    ``sign digits e(exp + 4·[万] + 8·[亿] − 2·[%])`` so that it is the correctly rounded
    double of the written number (``1.2亿`` gives exactly ``120000000.0``).

    Examples
    --------
    >>> values, counts = parse_business_numbers(pd.Series(["¥1,200", "15%", "3万元", "(300)"]))
    >>> values.tolist()
    [1200.0, 0.15, 30000.0, -300.0]
    >>> counts["currency"], counts["wan"], counts["parentheses_negative"]
    (2, 1, 1)
    """
    if decimal not in {".", ","}:
        raise InputDataError(f"decimal must be '.' or ',', got {decimal!r}")
    if not isinstance(series, pd.Series):
        series = pd.Series(series)
    values, bad, counts = _parse_column(series, decimal)
    if bad.any():
        name = series.name if column is None else column
        raise _bad_value_error(source, name, series, bad, "series")
    return values, counts


# ----------------------------------------------------------------------------- file reading


def _decode(raw: bytes, encoding: str | None, name: str) -> tuple[str, str]:
    """Decode CSV bytes: explicit encoding, else UTF-16 BOM, UTF-8(-sig), GB18030, detector."""
    if encoding is not None:
        try:
            return raw.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as err:
            raise InputDataError(f"{name}: cannot decode as {encoding!r}: {err}") from err
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16"), "utf-16"
    candidates = ["utf-8-sig"] if raw.startswith(codecs.BOM_UTF8) else ["utf-8"]
    if b"\x00" not in raw[:4096]:
        candidates.append("gb18030")
    for candidate in candidates:
        try:
            return raw.decode(candidate), candidate
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

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
    raw = path.read_bytes()
    if not raw.strip():
        raise InputDataError(f"{path.name}: the file is empty")
    text, used = _decode(raw, encoding, path.name)
    sep = sep or _sniff_sep(text)
    try:
        frame = pd.read_csv(
            _stdio.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_values=[""]
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise InputDataError(f"{path.name}: cannot parse as CSV with sep={sep!r}: {err}") from err
    first_line = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    frame.attrs["raw_headers"] = next(csv.reader([first_line], delimiter=sep), [])
    return frame, used, sep


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
        frame = pd.read_excel(
            book, sheet_name=chosen, dtype=object, keep_default_na=False, na_values=[""]
        )
        headers = pd.read_excel(book, sheet_name=chosen, header=None, nrows=1)
    frame = frame.infer_objects()
    frame.attrs["raw_headers"] = (
        [h for h in headers.iloc[0].tolist() if pd.notna(h)] if len(headers) else []
    )
    return frame, chosen


def _resolve_rename(columns: Sequence[str], rename: Mapping[str, str], name: str) -> dict[str, str]:
    """Map client column names to actual columns (exact match, then NFKC/case/space-insensitive)."""
    by_norm: dict[str, list[str]] = {}
    for col in columns:
        by_norm.setdefault(normalise_header(col), []).append(col)
    mapping, missing = {}, []
    for client, target in rename.items():
        if client in columns:
            mapping[client] = target
        elif len(by_norm.get(normalise_header(client), [])) == 1:
            mapping[by_norm[normalise_header(client)][0]] = target
        else:
            missing.append(client)
    if missing:
        raise InputDataError(
            f"{name}: mapped column(s) {missing} not found; available columns: {list(columns)}"
        )
    clash = sorted(set(mapping.values()) & (set(columns) - set(mapping)))
    if clash:
        raise InputDataError(f"{name}: renaming would duplicate existing column(s) {clash}")
    return mapping


#: Column names that hold contact numbers, never amounts (kept as text when auto-detecting).
_CONTACT_NAME = r"(?i)phone|mobile|\btel|fax|电话|手机|联系方式"


def _looks_like_code(series: pd.Series) -> bool:
    """True for text columns of codes kept as text: leading zeros (ids, postcodes), phone
    numbers (a contact column name, or digit strings of 11+ digits / a leading "+")."""
    if re.search(_CONTACT_NAME, str(series.name)):
        return True
    text = series.dropna()
    text = text[text.map(type).eq(str)] if text.dtype == object else text
    text = text.astype("str").str.strip()
    if text.str.match(r"0\d").any():
        return True
    return len(text) > 0 and bool(text.str.fullmatch(r"\+?\d{11,}").all())


def _convert_numeric(
    frame: pd.DataFrame, numeric: Sequence[str] | None, decimal: str, name: str, kind: str
) -> tuple[pd.DataFrame, pd.DataFrame, tuple[str, ...]]:
    rows, converted, out = [], [], frame.copy()
    strict = list(numeric) if numeric is not None else []
    unknown = [c for c in strict if c not in frame.columns]
    if unknown:
        raise InputDataError(
            f"{name}: numeric column(s) {unknown} not found; available columns: "
            f"{list(frame.columns)}"
        )
    targets = strict if numeric is not None else list(frame.columns)
    for col in targets:
        series = frame[col]
        if numeric is None and (pd.api.types.is_numeric_dtype(series) or _looks_like_code(series)):
            continue
        values, bad, counts = _parse_column(series, decimal)
        if numeric is not None and bad.any():
            raise _bad_value_error(name, col, series, bad, kind)
        if numeric is None:
            parsed = values.notna().sum() + counts.get("excel_error", 0)
            non_blank = int(series.notna().sum()) - counts.get("blank", 0)
            if values.notna().sum() == 0 or parsed < AUTO_NUMERIC_SHARE * non_blank:
                continue
            if bad.any():
                position = int(np.flatnonzero(bad.to_numpy(bool))[0])
                counts["unparseable"] = int(bad.sum())
                warnings.warn(
                    f"{name}: column {col!r}: {int(bad.sum())} cell(s) could not be read as "
                    f"numbers and became missing, first at {_row_note(kind, position)}: "
                    f"{series.iloc[position]!r}",
                    DataQualityWarning,
                    stacklevel=4,
                )
        plain = not (set(counts) - {"blank"}) and values.notna().all()
        if plain and np.array_equal(values, np.round(values)) and values.abs().max() < 2**53:
            values = values.astype("int64")  # e.g. counts or numeric codes written as 12
        out[col] = values
        converted.append(col)
        rows += [(col, rule, counts[rule]) for rule in RULES if counts.get(rule)]
    conversions = pd.DataFrame(rows, columns=["column", "rule", "count"]).astype(
        {"column": "str", "rule": "str", "count": "int64"}
    )
    return out, conversions, tuple(converted)


def read_table_report(
    path: str | Path,
    *,
    sheet: str | int | None = None,
    encoding: str | None = None,
    sep: str | None = None,
    decimal: str | None = None,
    numeric: Sequence[str] | None = None,
    rename: Mapping[str, str] | None = None,
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
        frame, used_encoding, used_sep = _read_csv(path, encoding, sep)
        kind = "csv"
    elif suffix in _EXCEL_SUFFIXES:
        frame, sheet = _read_excel(path, sheet)
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
    frame.columns = [str(c).lstrip("\ufeff").strip() for c in frame.columns]
    _check_unique_headers(frame.attrs.pop("raw_headers", list(frame.columns)), name)
    if decimal is None:
        decimal = _guess_decimal(frame, used_sep) if kind == "csv" else "."
    if rename:
        mapping = _resolve_rename(list(frame.columns), rename, name)
        frame = frame.rename(columns=mapping)
        if numeric is not None:
            numeric = [mapping.get(c, c) for c in numeric]
    frame, conversions, converted = _convert_numeric(frame, numeric, decimal, name, kind)
    frame.attrs["conversions"] = conversions
    return TableRead(frame, path, used_encoding, used_sep, decimal, sheet, conversions, converted)


def read_table(path: str | Path, **options: Any) -> pd.DataFrame:
    """Read a CSV, XLSX or Parquet file into a DataFrame, parsing business numbers.

    Takes the keyword options of :func:`read_table_report` (``sheet``, ``encoding``, ``sep``,
    ``decimal``, ``numeric``, ``rename``) and returns its ``frame``; the conversion counts
    (columns ``column, rule, count``) are in ``frame.attrs["conversions"]``.

    Raises
    ------
    InputDataError
        As :func:`read_table_report`, and for an unknown option.
    """
    allowed = {"sheet", "encoding", "sep", "decimal", "numeric", "rename"}
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise InputDataError(f"read_table: unknown option(s) {unknown}; allowed: {sorted(allowed)}")
    return read_table_report(path, **options).frame
