"""Dates as clients write them: ISO, ``2023/5/1``, ``2023.5.1``, ``2023年5月1日``, ``20230501``,
``08/11/2020`` and Excel serial numbers.

:func:`parse_dates` reads a column into ``datetime64`` values. Year-first forms are
unambiguous. For day/month/year forms the order is decided from the data: a first number
above 12 means day first, a second number above 12 means month first; a column where every
date could be read both ways (and some would differ) is an error that says how to set
``date_format``. Nothing is guessed silently: :class:`DateRead` says which form was used.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from abclab.exceptions import InputDataError

__all__ = ["DATE_FORMATS", "DateRead", "parse_dates"]

#: ``date_format`` choices: the order of day, month and year in ``d/m/y``-style dates.
DATE_FORMATS = ("auto", "ymd", "dmy", "mdy")
#: Excel's day 0 (1900 date system, with its 1900-02-29 bug: serials count from 1899-12-30).
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
#: Excel serials accepted as dates (1954-10-15 .. 2119-01-26).
EXCEL_SERIALS = (20_000, 80_000)

_YMD = r"^(\d{4})\D(\d{1,2})\D(\d{1,2})\D?(?:\s.*)?$"
_DMY = r"^(\d{1,2})\D(\d{1,2})\D(\d{4})(?:\s.*)?$"
_COMPACT = r"^(\d{4})(\d{2})(\d{2})$"


@dataclass(frozen=True)
class DateRead:
    """Dates of a column and how they were read.

    ``order`` is ``"ymd"``, ``"dmy"`` or ``"mdy"`` (the form of ``d/m/y``-style cells; ``ymd``
    when there are none); ``counts`` has the number of cells read in each form (``iso``,
    ``ymd``, ``dmy``/``mdy``, ``compact``, ``excel_serial``, ``blank``).
    """

    values: pd.Series
    order: str
    counts: dict[str, int]


def _build(year: pd.Series, month: pd.Series, day: pd.Series) -> pd.Series:
    parts = pd.DataFrame({"year": year, "month": month, "day": day}).astype("float64")
    return pd.to_datetime(parts, errors="coerce")


def parse_dates(
    series: pd.Series, *, column: str, source: str = "", date_format: str = "auto"
) -> DateRead:
    """Read a column of dates written in any of the module's forms.

    Parameters
    ----------
    series : pandas.Series
        Text, numbers (Excel serials, ``20230501``) or datetimes.
    column, source : str
        Column and file named in messages.
    date_format : {"auto", "ymd", "dmy", "mdy"}
        Order of day and month in ``08/11/2020``-style dates; ``auto`` decides from the data.

    Raises
    ------
    InputDataError
        A cell that is no date (the message names the file, the column, the row and the
        value), or day/month order that the data cannot decide under ``auto``.
    """
    where = f"{source}: column {column!r}" if source else f"column {column!r}"
    if date_format not in DATE_FORMATS:
        raise InputDataError(f"date_format: expected one of {DATE_FORMATS}, got {date_format!r}")
    if pd.api.types.is_datetime64_any_dtype(series):
        return DateRead(pd.to_datetime(series), "ymd", {"datetime": int(series.notna().sum())})
    out = pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns]")
    counts: dict[str, int] = {}
    numeric = pd.to_numeric(series, errors="coerce")
    text = series.astype("string").str.normalize("NFKC").str.strip()
    text = text.str.replace("年", "-").str.replace("月", "-").str.replace("日", "")
    blank = text.isna() | (text == "")
    lo, hi = EXCEL_SERIALS
    serial = numeric.between(lo, hi) & (numeric == np.floor(numeric))
    out[serial] = EXCEL_EPOCH + pd.to_timedelta(numeric[serial], unit="D")
    compact = text.str.fullmatch(r"\d{8}").fillna(False) & ~serial
    parts = text[compact].str.extract(_COMPACT)
    out[compact] = _build(parts[0], parts[1], parts[2])
    ymd = text.str.match(_YMD).fillna(False) & ~serial & ~compact
    parts = text[ymd].str.extract(_YMD)
    out[ymd] = _build(parts[0], parts[1], parts[2])
    dmy = text.str.match(_DMY).fillna(False) & ~serial & ~compact & ~ymd
    order = "ymd"
    if dmy.any():
        parts = text[dmy].str.extract(_DMY).astype(float)
        first, second = parts[0], parts[1]
        if date_format == "auto":
            day_first, month_first = bool((first > 12).any()), bool((second > 12).any())
            if day_first and month_first:
                raise InputDataError(f"{where}: dates mix day-first and month-first forms "
                                     "(e.g. 13/01 and 01/13); correct the file")  # fmt: skip
            if not (day_first or month_first) and bool((first != second).any()):
                example = series[dmy][first != second].iloc[0]
                raise InputDataError(
                    f"{where}: cannot tell day from month in dates such as {example!r} (every "
                    "date reads both ways); set date_format: dmy (day first) or mdy (month "
                    "first) for this file"
                )
            order = "dmy" if day_first or not month_first else "mdy"
        else:
            order = "dmy" if date_format == "ymd" else date_format
        day, month = (first, second) if order == "dmy" else (second, first)
        out[dmy] = _build(parts[2], month, day)
    bad = out.isna() & ~blank
    if bad.any():
        position = int(np.flatnonzero(bad.to_numpy(bool))[0])
        rows = series.attrs.get("rows")
        row = (
            f"row {int(rows[position])} of the file" if rows is not None else f"row {position + 1}"
        )
        raise InputDataError(
            f"{where}: {row}: cannot read {series.iloc[position]!r} as a date (expected e.g. "
            "2023-05-01, 2023/5/1, 2023年5月1日, 01/05/2023, 20230501 or an Excel date)"
        )
    for name, mask in (("excel_serial", serial), ("compact", compact), ("ymd", ymd),
                       (order, dmy), ("blank", blank)):  # fmt: skip
        if int(mask.sum()):
            counts[name] = int(mask.sum())
    return DateRead(out, order, counts)
