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

The data rows of the table sheets are streamed by :mod:`abclab.report._xlsx`.
"""

from __future__ import annotations

import datetime as _dt
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook

from abclab.pipeline import customer_table, pii_columns
from abclab.privacy import mask_cleaning_log
from abclab.report._i18n import column_labels
from abclab.report._xlsx import (
    _BOLD,
    _HEADER_FILL,
    _TITLE,
    _Body,
    _table_sheet,
    _widths,
    _write_frame,
    _write_package,
)

__all__ = ["cleaning_log", "write_workbook", "workbook_time"]


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
    path = Path(path)
    wb = Workbook()
    wb.remove(wb.active)
    bodies: dict[str, _Body] = {}
    customers = customer_table(results)
    _table_sheet(wb, bodies, "Customers", customers, index=False)
    _summary_sheet(wb, results)
    _ahp_sheet(wb, results)
    _table_sheet(wb, bodies, "Weights", results.weight_comparison.reset_index())
    _table_sheet(wb, bodies, "Cleaning log", cleaning_log(results).reset_index(drop=True))
    _table_sheet(wb, bodies, "Parameters", _parameters(results))
    _agreement_sheet(wb, results)
    _table_sheet(wb, bodies, "Strategies", results.strategies.reset_index())
    if results.sensitivity is not None:
        _table_sheet(wb, bodies, "Sensitivity", results.sensitivity.per_customer.reset_index())
    if results.migration is not None:
        _table_sheet(wb, bodies, "Migration", results.migration.reset_index())
    _translate_headers(wb, results)
    stamp = workbook_time(results)
    wb.properties.creator = "abclab"
    wb.properties.title = str(results.study.name)
    wb.properties.created = stamp
    wb.properties.modified = stamp
    buffer = io.BytesIO()
    wb.save(buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    try:
        with partial.open("wb") as target:
            _write_package(buffer.getvalue(), target, stamp, bodies)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def _translate_headers(wb: Workbook, results: Any) -> None:
    """Column headers in the report's language: the study's criterion labels, then the
    report's column names (sheet names and data values stay as they are)."""
    criteria = {c.name: c.label for c in results.study.criteria if c.label}
    english = results.study.language == "en"
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.fill != _HEADER_FILL or not isinstance(cell.value, str):
                    continue
                name = cell.value
                if english:  # English headers keep their names, criteria take their labels
                    cell.value = criteria.get(name, name)
                else:
                    label = criteria.get(name) or column_labels([name], results.study.language)
                    cell.value = label if isinstance(label, str) else label[name]


def cleaning_log(results: Any) -> pd.DataFrame:
    """The study's cleaning log as a report shows it: contact values masked.

    A duplicate record that fills a missing phone or e-mail (``duplicate_fill``) or differs
    from it (``duplicate_conflict``) puts the contact itself into ``old_value`` /
    ``new_value``. Rows whose ``column`` is a contact column of the input table (as
    :func:`abclab.pipeline.pii_columns` decides: the study's ``pii`` list, else detection) get
    both values masked with :func:`abclab.report.mask_phone` / :func:`~abclab.report.mask_email`.
    Only the logged columns are examined, so the input table is not scanned again.
    """
    log = getattr(results.cleaning, "log", None)
    if log is None:
        return pd.DataFrame()
    if len(log) == 0 or "column" not in log.columns:
        return log
    inputs = results.input_customers
    logged = set(log["column"].dropna().tolist())
    subset = inputs[[c for c in inputs.columns if c in logged]]
    return mask_cleaning_log(log, pii_columns(results.study, subset))


# --------------------------------------------------------------------------- sheets


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
