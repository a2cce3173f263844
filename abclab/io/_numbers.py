"""Business numbers: ``¥1,200``, ``15%``, ``1200万元``, ``(300)`` and friends as floats.

:func:`parse_business_numbers` parses one column and counts every rule it applied; the
column conversion of :func:`abclab.io.read_table` (explicit numeric columns, or the columns
auto-detected as numeric, leaving codes and phone numbers as text) builds on the same parser.
The text rules themselves live in :mod:`abclab._text`.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from abclab._text import parse_number_text
from abclab.exceptions import DataQualityWarning, InputDataError

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


def _row_note(kind: str, position: int, rows: Sequence[int] | None = None) -> str:
    if rows is not None and len(rows) > position:
        return f"row {int(rows[position])} of the file"
    if kind == "series":
        return f"row {position + 1} (1-based position in the data)"
    return (
        f"row {position + 1} (data rows counted from 1 below the header; "
        f"spreadsheet row {position + 2})"
    )


def _bad_value_error(
    source: str | None,
    column: Any,
    series: pd.Series,
    bad: pd.Series,
    kind: str,
    rows: Sequence[int] | None = None,
) -> InputDataError:
    position = int(np.flatnonzero(bad.to_numpy(bool))[0])
    prefix = f"{source}: " if source else ""
    prefix += f"column {column!r} " if column is not None else ""
    return InputDataError(
        f"{prefix}{_row_note(kind, position, rows)}: cannot read "
        f"{series.iloc[position]!r} as a number ({_EXPECTED}; a marker the client uses for "
        "a missing value can be added with the file's missing_values: option)"
    )


def parse_business_numbers(
    series: pd.Series,
    *,
    column: str | None = None,
    source: str | None = None,
    decimal: str = ".",
    rows: Sequence[int] | None = None,
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
    rows : sequence of int, optional
        The file row of each value (as :func:`read_table` records them in
        ``frame.attrs["rows"]``), so that an error names the row a client finds in the file.

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
    if decimal == "." and (plain := _plain_numbers(series)) is not None:
        blank = int(series.isna().sum())
        return plain, ({"blank": blank} if blank else {})
    values, bad, counts = _parse_column(series, decimal)
    if bad.any():
        name = series.name if column is None else column
        raise _bad_value_error(source, name, series, bad, "series", rows)
    return values, counts


#: Plain decimal text (``-12``, ``3.25``): what most exports hold, read without the
#: business-number rules.
_PLAIN_NUMBER = r"-?[0-9]+(?:\.[0-9]+)?"


def _plain_numbers(series: pd.Series) -> pd.Series | None:
    """Floats of a text column whose every value is a plain decimal, else None.

    A fast path in front of :func:`abclab.io.parse_business_numbers` (same values: both give
    the correctly rounded double of the written decimal; missing stays NaN).
    """
    text = series.astype("string[pyarrow]")
    present = text.notna()
    if not text[present].str.fullmatch(_PLAIN_NUMBER).all():
        return None
    values = np.full(len(text), np.nan)
    values[present.to_numpy()] = np.asarray(
        pa.array(text[present].to_numpy(dtype=object), type=pa.string()).cast(pa.float64())
    )
    return pd.Series(values, index=series.index, name=series.name)


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
    frame: pd.DataFrame,
    numeric: Sequence[str] | None,
    decimal: str,
    name: str,
    kind: str,
    file_rows: Sequence[int] | None = None,
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
        if numeric is None and (
            pd.api.types.is_numeric_dtype(series)
            or pd.api.types.is_datetime64_any_dtype(series)  # Excel date cells stay dates
            or _looks_like_code(series)
        ):
            continue
        values, bad, counts = _parse_column(series, decimal)
        if numeric is not None and bad.any():
            raise _bad_value_error(name, col, series, bad, kind, file_rows)
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
                    f"numbers and became missing, first at {_row_note(kind, position, file_rows)}: "
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
