"""Excel workbook of a study's results (openpyxl).

Sheets: ``Customers`` (every input row exactly once, with status, criteria, score and every
method's tier and score; contact columns masked), ``Summary`` (one table per method),
``AHP`` (each expert's matrix, weights, λmax, CI, CR with the Random Index table named, group
weights), ``Weights`` (AHP vs entropy/CRITIC/equal), ``Cleaning log``, ``Parameters`` (the
study as dotted key / value), ``Agreement`` (pairwise agreement, then disputed customers),
plus ``Strategies``, ``Sensitivity`` and ``Migration`` when the study has them.

The file is deterministic: the same results give byte-identical files. The document
properties (created / modified) are set to a fixed time taken from the study (the
transactions' ``as_of`` date, else 1980-01-01), and the zip entries carry that time too.
"""

from __future__ import annotations

import datetime as _dt
import io
import math
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["write_workbook", "workbook_time"]

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=12)
_HEADER_FILL = PatternFill("solid", fgColor="DDE5F0")
_MAX_WIDTH = 48
_SHARE_COLUMNS = re.compile(r"(share|percent|rate|margin|stability|growth)", re.I)


def workbook_time(results: Any) -> _dt.datetime:
    """The fixed document time of a study's workbook (``as_of`` of the data, else 1980-01-01)."""
    t = results.study.data.transactions
    if t is not None and t.as_of is not None:
        ts = pd.Timestamp(t.as_of)
        return _dt.datetime(ts.year, ts.month, ts.day)
    return _dt.datetime(1980, 1, 1)


def write_workbook(results: Any, path: str | Path) -> Path:
    """Write the results workbook.

    Parameters
    ----------
    results : abclab.pipeline.StudyResults
    path : str or Path
        Target ``.xlsx`` (parent directories are created).

    Returns
    -------
    Path
        The file written.
    """
    from abclab.pipeline import customer_table

    path = Path(path)
    wb = Workbook()
    wb.remove(wb.active)
    customers = customer_table(results)
    _table_sheet(wb, "Customers", customers, index=False)
    _summary_sheet(wb, results)
    _ahp_sheet(wb, results)
    _table_sheet(wb, "Weights", results.weight_comparison.reset_index())
    log = getattr(results.cleaning, "log", pd.DataFrame())
    _table_sheet(wb, "Cleaning log", log.reset_index(drop=True))
    _table_sheet(wb, "Parameters", _parameters(results))
    _agreement_sheet(wb, results)
    _table_sheet(wb, "Strategies", results.strategies.reset_index())
    if results.sensitivity is not None:
        _table_sheet(wb, "Sensitivity", results.sensitivity.per_customer.reset_index())
    if results.migration is not None:
        _table_sheet(wb, "Migration", results.migration.reset_index())
    stamp = workbook_time(results)
    wb.properties.creator = "abclab"
    wb.properties.title = str(results.study.name)
    wb.properties.created = stamp
    wb.properties.modified = stamp
    buffer = io.BytesIO()
    wb.save(buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_normalise_zip(buffer.getvalue(), stamp))
    return path


# --------------------------------------------------------------------------- sheets
def _table_sheet(
    wb: Workbook, title: str, frame: pd.DataFrame, *, index: bool = False
) -> Worksheet:
    ws = wb.create_sheet(title)
    if index:
        frame = frame.reset_index()
    if frame.shape[1] == 0:
        ws.append(["(none)"])
        return ws
    end = _write_frame(ws, frame, row=1, col=1)
    ws.freeze_panes = "B2" if title == "Customers" else "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(frame.shape[1])}{max(end, 1)}"
    _widths(ws)
    return ws


def _write_frame(ws: Worksheet, frame: pd.DataFrame, *, row: int, col: int) -> int:
    """Write header + rows at (row, col); return the last row written."""
    for j, name in enumerate(frame.columns):
        cell = ws.cell(row=row, column=col + j, value=str(name))
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=False)
    formats = [_number_format(str(c), frame[c]) for c in frame.columns]
    for i, values in enumerate(frame.itertuples(index=False, name=None), start=1):
        for j, value in enumerate(values):
            cell = ws.cell(row=row + i, column=col + j, value=_cell_value(value))
            if formats[j] and isinstance(cell.value, float):
                cell.number_format = formats[j]
    return row + len(frame)


def _summary_sheet(wb: Workbook, results: Any) -> None:
    ws = wb.create_sheet("Summary")
    row = 1
    for method, table in results.summaries.items():
        mark = " (recommended)" if method == results.recommended else ""
        ws.cell(row=row, column=1, value=f"{method}{mark}").font = _TITLE
        row = (
            _write_frame(ws, table.reset_index(drop=table.index.name is None), row=row + 1, col=1)
            + 2
        )
    ws.freeze_panes = "A2"
    _widths(ws)


def _ahp_sheet(wb: Workbook, results: Any) -> None:
    ws = wb.create_sheet("AHP")
    row = 1
    blocks = list(results.ahp.items())
    if results.ahp_group is not None:
        blocks.append((f"group ({results.ahp_group.method})", results.ahp_group))
    if not blocks:
        ws.cell(row=1, column=1, value=f"weights: {results.study.weights.kind} (no AHP judgements)")
        return
    for name, res in blocks:
        ws.cell(
            row=row, column=1, value=f"Expert: {name}" if ":" not in name else name
        ).font = _TITLE
        matrix = res.matrix.copy()
        matrix.insert(0, "criterion", [str(i) for i in matrix.index])
        matrix["weight"] = res.weights.reindex(res.matrix.index).to_numpy()
        row = _write_frame(ws, matrix.reset_index(drop=True), row=row + 1, col=1) + 1
        stats = [
            ("method", res.method),
            ("lambda_max", float(res.lambda_max)),
            ("CI", float(res.ci)),
            ("RI", float(res.ri)),
            ("RI table", res.ri_table),
            ("CR", float(res.cr)),
            ("consistent (CR <= threshold)", bool(res.consistent)),
            ("threshold", float(res.threshold)),
        ]
        for key, value in stats:
            ws.cell(row=row, column=1, value=key).font = _BOLD
            cell = ws.cell(row=row, column=2, value=value)
            if isinstance(value, float):
                cell.number_format = "0.0000"
            row += 1
        row += 1
    _widths(ws)


def _agreement_sheet(wb: Workbook, results: Any) -> None:
    ws = wb.create_sheet("Agreement")
    row = 1
    if results.agreement is None:
        ws.cell(row=1, column=1, value="only one method: no agreement to compute")
        return
    ws.cell(row=row, column=1, value="Pairwise agreement (classified customers)").font = _TITLE
    row = _write_frame(ws, results.agreement.to_frame(), row=row + 1, col=1) + 2
    ws.cell(row=row, column=1, value="Disputed customers (largest tier range first)").font = _TITLE
    disputed = results.disputed.copy()
    for c in disputed.columns:
        if isinstance(disputed[c].dtype, pd.CategoricalDtype):
            disputed[c] = disputed[c].astype(object)
    _write_frame(ws, disputed.reset_index(), row=row + 1, col=1)
    _widths(ws)


def _parameters(results: Any) -> pd.DataFrame:
    rows = list(_flatten(results.study.to_dict()))
    rows.append(("recommended", results.recommended))
    rows.append(("seed", results.study.seed))
    for key, value in results.counts.items():
        rows.append((f"counts.{key}", value))
    return pd.DataFrame(rows, columns=["key", "value"]).drop_duplicates("key", keep="first")


def _flatten(value: Any, prefix: str = "") -> Iterable[tuple[str, Any]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _flatten(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
        for i, v in enumerate(value):
            yield from _flatten(v, f"{prefix}[{i}]")
    elif isinstance(value, list):
        yield prefix, ", ".join(str(v) for v in value)
    else:
        yield prefix, value


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
            # CJK characters take about two columns
            n = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
            widths[cell.column] = max(widths.get(cell.column, 0), n)
    for col, n in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = min(max(n + 2, 8), _MAX_WIDTH)


# --------------------------------------------------------------------------- determinism
def _normalise_zip(data: bytes, stamp: _dt.datetime) -> bytes:
    """Rewrite the xlsx zip with fixed entry times and the fixed modified time in core.xml."""
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    date_time = (
        max(stamp.year, 1980),
        stamp.month,
        stamp.day,
        stamp.hour,
        stamp.minute,
        stamp.second,
    )
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
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
            dst.writestr(entry, content)
    return out.getvalue()
