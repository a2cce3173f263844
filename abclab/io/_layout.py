"""Finance-export layouts: where the header is, and which rows are not data.

Client exports (Kingdee, Yonyou, SAP, Excel reports) put a title, a date line, blank rows or a
band of merged cells above the real header, and totals, blank rows and notes ("制表人：…")
in the body. A note is a one-cell line *below the last data row* that reads like one
(:data:`NOTE_WORDS`, or "label: text"); a last customer with only its id filled stays data. :func:`split_layout` takes the raw grid of a sheet or CSV (every cell as read,
no header) and returns the header row, the data rows with their row numbers in the file, and
a log of every row it set aside and why (``title``, ``blank``, ``total``, ``note``).

Header detection: the first of the top :data:`HEADER_SEARCH_ROWS` rows that fills at least
:data:`HEADER_FILL` of the table's width with distinct text cells (not numbers or dates).
An explicit ``header_row`` (1-based, as the spreadsheet shows it) overrides the search.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from abclab.exceptions import InputDataError

__all__ = ["DROPPED_COLUMNS", "HEADER_FILL", "TOTAL_WORDS", "Layout", "split_layout"]

#: Rows searched for the header.
HEADER_SEARCH_ROWS = 30
#: Share of the table's width a header row fills.
HEADER_FILL = 0.6
#: Words of a total or subtotal row (after NFKC and case folding; a trailing colon is allowed).
TOTAL_WORDS = (
    "合计", "总计", "小计", "共计", "总合计", "合 计", "总 计", "本页合计", "累计",
    "total", "totals", "subtotal", "sub-total", "sub total", "grand total", "sum", "summe",
    "gesamt", "totaal", "total général",
)  # fmt: skip
#: Openings of a note line below a table ("制表人：张三", "数据截至 2024-12-31", "Source: ERP").
NOTE_WORDS = (
    "制表", "制单", "审核", "打印", "日期", "备注", "注", "说明", "数据来源", "来源", "单位", "数据截至",
    "截至", "导出", "note", "notes", "source", "prepared", "printed", "remark", "remarks",
    "exported", "unit", "as of",
)  # fmt: skip
#: Columns of the log of rows set aside.
DROPPED_COLUMNS = ["row", "kind", "content"]

_TOTAL_RE = re.compile(
    r"^\s*(?:" + "|".join(re.escape(w) for w in TOTAL_WORDS) + r")\s*[:：]?\s*$", re.IGNORECASE
)
_NOTE_RE = re.compile(r"^\s*(?:" + "|".join(re.escape(w) for w in NOTE_WORDS) + r")", re.I)
_NUMBERISH = re.compile(r"^[\s¥￥$€£+\-−(]*[\d.,\s]+[%万亿元)]*\s*$|^\d{4}[-/.年]\d{1,2}")


@dataclass(frozen=True, eq=False)
class Layout:
    """The header and data rows of a raw grid, and the rows set aside.

    Attributes
    ----------
    frame : DataFrame
        Data rows under the header (cells as read), index 0..n-1.
    rows : ndarray of int
        1-based row number in the file of each data row (the spreadsheet's row number).
    header_row : int
        1-based row number of the header.
    dropped : DataFrame
        ``row`` (1-based), ``kind`` (title / blank / total / note) and ``content`` (the row's
        cells joined) of every row that is not data.
    """

    frame: pd.DataFrame
    rows: np.ndarray
    header_row: int
    dropped: pd.DataFrame


def _filled(grid: pd.DataFrame) -> pd.DataFrame:
    """Whether each cell holds something besides whitespace (``str(v).strip() != ""``)."""
    columns = [_filled_column(grid.iloc[:, j]) for j in range(grid.shape[1])]
    cells = np.column_stack(columns) if columns else np.zeros((len(grid), 0), dtype=bool)
    return pd.DataFrame(cells, index=grid.index, columns=grid.columns)


def _filled_column(column: pd.Series) -> np.ndarray:
    values = column.to_numpy(object)
    # a text cell with an ASCII letter or digit is filled (neither is whitespace): found in
    # Arrow for a column of text, the other cells are tested one by one
    sure = _contains(column, "[0-9A-Za-z]")
    out = np.zeros(len(values), dtype=bool)
    if sure is not None:
        out[sure] = True
    for i in np.flatnonzero(~out):
        value = values[i]
        out[i] = value is not None and not _isna(value) and str(value).strip() != ""
    return out


def _isna(value: object) -> bool:
    return bool(pd.isna(value)) if np.ndim(value) == 0 else False


def _contains(column: pd.Series, pattern: str) -> np.ndarray | None:
    """Cells of a text (string dtype) column matching ``pattern`` (a regular expression of
    ASCII characters only), as a boolean array; ``None`` for other columns."""
    if not isinstance(column.dtype, pd.StringDtype):
        return None
    return column.str.contains(pattern, regex=True).fillna(False).to_numpy(bool)


def _content(row: pd.Series) -> str:
    cells = [str(v).strip() for v in row if v is not None and pd.notna(v) and str(v).strip()]
    text = " | ".join(cells)
    return text if len(text) <= 120 else text[:117] + "..."


def _is_note(row: pd.Series) -> bool:
    cells = [str(v) for v in row if v is not None and pd.notna(v) and str(v).strip()]
    if len(cells) != 1:
        return False
    text = unicodedata.normalize("NFKC", cells[0]).strip()
    return bool(_NOTE_RE.match(text)) or (":" in text and len(text) > 8)


def _is_total(row: pd.Series) -> bool:
    for value in row:
        if isinstance(value, str) and value.strip():
            if _TOTAL_RE.match(unicodedata.normalize("NFKC", value).strip().casefold()):
                return True
    return False


def _total_rows(body: pd.DataFrame) -> np.ndarray:
    """:func:`_is_total` of every row of ``body`` at once (column by column, each distinct
    text matched once: a 100 000-line log repeats few texts)."""
    hit = np.zeros(len(body), dtype=bool)
    for j in range(body.shape[1]):
        memo: dict[str, bool] = {}
        column = body.iloc[:, j]
        values = column.to_numpy(object)
        # a cell with an ASCII digit is no total: digits survive NFKC, strip and casefold,
        # and no total word holds one (ids, amounts, dates and phones are skipped in Arrow)
        digits = _contains(column, "[0-9]")
        for i in range(len(values)) if digits is None else np.flatnonzero(~digits):
            value = values[i]
            if isinstance(value, str):
                found = memo.get(value)
                if found is None:
                    text = unicodedata.normalize("NFKC", value).strip().casefold()
                    found = memo[value] = bool(text) and bool(_TOTAL_RE.match(text))
                hit[i] |= found
    return hit


def _detect_header(grid: pd.DataFrame, filled: pd.DataFrame) -> int:
    top = filled.iloc[:HEADER_SEARCH_ROWS]
    width = int(filled.sum(axis=1).max()) if len(filled) else 0
    for r in range(len(top)):
        cells = [str(v).strip() for v, f in zip(grid.iloc[r], top.iloc[r], strict=True) if f]
        if len(cells) < max(2, HEADER_FILL * width):
            continue
        texts = [c for c in cells if not _NUMBERISH.match(c)]
        if len(texts) >= 0.8 * len(cells) and len(set(cells)) == len(cells):
            return r
    return 0


def split_layout(grid: pd.DataFrame, *, name: str, header_row: int | None = None) -> Layout:
    """Find the header of a raw grid and set aside title, blank, total and note rows.

    Parameters
    ----------
    grid : DataFrame
        Every row of the file as read, no header (``header=None``), cells as text or numbers.
    name : str
        File name for messages.
    header_row : int, optional
        1-based row of the header; default: detected (see the module docstring).

    Raises
    ------
    InputDataError
        ``header_row`` beyond the file, or a file without a data row.
    """
    if grid.empty:
        raise InputDataError(f"{name}: the file is empty")
    filled = _filled(grid)
    if header_row is not None:
        if not 1 <= header_row <= len(grid):
            raise InputDataError(f"{name}: header_row {header_row} is outside the file's "
                                 f"{len(grid)} rows")  # fmt: skip
        h = header_row - 1
    else:
        h = _detect_header(grid, filled)
    dropped: list[tuple[int, str, str]] = []
    for r in range(h):
        kind = "blank" if not filled.iloc[r].any() else "title"
        dropped.append((r + 1, kind, _content(grid.iloc[r])))
    header = [
        str(v).strip() if f else "" for v, f in zip(grid.iloc[h], filled.iloc[h], strict=True)
    ]
    for j, text in enumerate(header):
        below = filled.iloc[h + 1 :, j].to_numpy(bool)
        if not text and below.any():
            row = h + 2 + int(np.flatnonzero(below)[0])
            raise InputDataError(
                f"{name}: row {row} has a value in column {j + 1}, which has no header (header "
                f"row {h + 1} has {sum(1 for t in header if t)} named columns); quote values "
                "that contain the separator, or give the column a header"
            )
    keep = [j for j, text in enumerate(header) if text]
    body = grid.iloc[h + 1 :, keep]
    body_filled = filled.iloc[h + 1 :, keep]
    counts = body_filled.sum(axis=1).to_numpy()
    notes = len(body)  # the trailing block of note lines (and blank lines among them)
    while notes > 0 and (counts[notes - 1] == 0 or _is_note(body.iloc[notes - 1])):
        notes -= 1
    totals = _total_rows(body)
    rows, take = [], []
    for k in range(len(body)):
        row_number = h + 2 + k
        if counts[k] == 0:
            dropped.append((row_number, "blank", ""))
        elif k >= notes:
            dropped.append((row_number, "note", _content(body.iloc[k])))
        elif totals[k]:
            dropped.append((row_number, "total", _content(body.iloc[k])))
        else:
            rows.append(row_number)
            take.append(k)
    frame = body.iloc[take].copy()
    frame.columns = header
    frame = frame.reset_index(drop=True)
    log = pd.DataFrame(dropped, columns=DROPPED_COLUMNS).sort_values("row", ignore_index=True)
    return Layout(frame=frame, rows=np.asarray(rows, dtype=np.int64), header_row=h + 1,
                  dropped=log)  # fmt: skip
