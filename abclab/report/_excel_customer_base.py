"""The workbook's customer-base content: churn and receivables columns of the customer sheet,
the ``Triggers`` sheet (every re-grade trigger that fired) and the ``Back-test`` sheet (the
churn tiers checked on the hold-out months: per-tier hit rates, ROC AUC, calibration table).

Everything comes from :attr:`abclab.pipeline.StudyResults.customer_base`; a study without it
gets none of it. Numbers are typed cells with the number format of their kind.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from abclab.methods import CHURN_LABELS
from abclab.report._format import Kind
from abclab.report._i18n import text
from abclab.report._xlsx import _BOLD, _TITLE, _print_setup, _put, _widths, _write_frame

__all__ = [
    "CUSTOMER_COLUMNS",
    "KINDS",
    "churn_label",
    "customer_base_columns",
    "trigger_sheet",
    "write_back_test",
]

#: Customer-sheet columns of the customer base (step column -> sheet column), in order.
CUSTOMER_COLUMNS = {
    "churn_tier": "churn_tier",
    "p_alive": "p_alive",
    "expected_purchases": "expected_purchases",
    "clv": "clv",
    "invoices": "invoices_due",
    "on_time_payment_rate": "invoices_on_time_rate",
    "mean_days_overdue": "mean_days_overdue",
    "worst_days_overdue": "worst_days_overdue",
    "open_receivables": "open_receivables",
    "open_share_of_spend": "open_share_of_spend",
}
#: Number kinds of the customer-base columns (where the column name alone would mislead).
KINDS: dict[str, Kind] = {
    "p_alive": "percent", "expected_purchases": "ratio", "clv": "money", "invoices_due": "count",
    "invoices_on_time_rate": "percent", "mean_days_overdue": "count",
    "worst_days_overdue": "count", "open_receivables": "money", "open_share_of_spend": "percent",
    "spend_previous": "money", "spend_current": "money", "spend_change": "percent",
    "months_inactive": "count", "customers": "count", "bought": "count", "did_not_buy": "count",
    "did_not_buy_share": "percent", "predicted_p_purchase": "percent", "hit_rate": "percent",
    "decile": "count", "p_purchase_low": "percent", "p_purchase_high": "percent",
    "predicted_buyers": "ratio", "actual_buyers": "count", "predicted_non_buyers": "ratio",
    "actual_non_buyers": "count", "predicted_purchases": "ratio", "actual_purchases": "count",
}  # fmt: skip
_CHURN_KEYS = dict(zip(CHURN_LABELS, ("churn.stable", "churn.watch", "churn.at_risk"), strict=True))


def churn_label(label: object, language: str) -> str:
    """A churn tier as shown: the default labels in the report's language, others as given."""
    key = _CHURN_KEYS.get(str(label))
    return text(key, language) if key else str(label)


def customer_base_columns(results: Any, ids: pd.Series, language: str) -> pd.DataFrame:
    """The customer-base columns of the customer sheet, one row per ``ids`` (blank for ids
    not in the log; model columns only where the model was fitted)."""
    base = results.customer_base
    if base is None:
        return pd.DataFrame(index=ids.index)
    frame = base.customers
    keep = [c for c in CUSTOMER_COLUMNS if c in frame.columns]
    if not base.fitted:
        keep = [c for c in keep if c not in ("p_alive", "expected_purchases", "clv")]
    elif base.clv_message:
        keep = [c for c in keep if c != "clv"]
    rows = frame.index.get_indexer(ids.astype(str))
    out = pd.DataFrame(index=ids.index)
    for c in keep:
        values = frame[c].astype(object) if c == "churn_tier" else frame[c]
        taken = values.to_numpy()[np.maximum(rows, 0)] if len(frame) else np.full(len(ids), None)
        column = pd.Series(taken, index=ids.index).where(rows >= 0)
        if c == "churn_tier":
            column = column.map(lambda t: churn_label(t, language) if isinstance(t, str) else t)
        else:
            column = column.astype(float)
        out[CUSTOMER_COLUMNS[c]] = column
    return out


def trigger_sheet(results: Any, language: str) -> pd.DataFrame:
    """Every trigger that fired: customer id, name, trigger, the two 12-month spends, the
    spend change (spend-change rows) and the months without a purchase."""
    t = results.customer_base.triggers
    names = results.display_names
    shown = names.reindex(t["customer"].astype(str)).to_numpy()
    change = np.where(t["rule"] == "spend_change", t["value"].to_numpy(float), np.nan)
    change[~np.isfinite(change)] = np.nan  # no previous spend: no finite change
    return pd.DataFrame({
        "customer_id": t["customer"].astype(str).to_numpy(),
        "name": [v if isinstance(v, str) else "" for v in shown],
        "trigger": [text(f"trigger.{rule}", language) for rule in t["rule"]],
        "spend_previous": t["spend_previous"].to_numpy(float),
        "spend_current": t["spend_current"].to_numpy(float),
        "spend_change": change,
        "months_inactive": t["months_inactive"].to_numpy(float),
    })  # fmt: skip


def write_back_test(book: Any, results: Any) -> None:
    """The ``Back-test`` sheet: cut, hold-out, fit, ROC AUC; per-tier table; calibration."""
    base = results.customer_base
    ws = book.wb.create_sheet(book.sheet_name("back_test"))
    bt = base.back_test
    if bt is None:
        _put(ws, 1, 1, book.t("xl.bt.none", months=base.settings.holdout_months))
        _put(ws, 2, 1, base.back_test_message)
        return
    lines: list[tuple[str, Any, str | None]] = [
        ("xl.bt.calibration_end", bt.calibration_end, "yyyy-mm-dd"),
        ("xl.bt.observation_end", bt.observation_end, "yyyy-mm-dd"),
        ("xl.bt.holdout_weeks", float(bt.holdout_weeks), "0.0"),
        ("xl.bt.fitted", book._yes_no(bool(bt.fitted)), None),
        ("xl.bt.auc", _number(bt.auc), "0.000"),
        ("xl.bt.auc_p_alive", _number(bt.auc_p_alive), "0.000"),
    ]
    row = 1
    for key, value, number_format in lines:
        _put(ws, row, 1, book.t(key)).font = _BOLD
        cell = _put(ws, row, 2, value)
        if number_format and value is not None:
            cell.number_format = number_format
        row += 1
    row += 1
    _put(ws, row, 1, book.t("xl.bt.tiers")).font = _TITLE
    tiers = bt.to_frame()
    names = {t: churn_label(t, book.language) for t in bt.labels} | {"all": book.t("xl.bt.all")}
    tiers["tier"] = tiers["tier"].map(names)
    row = _block(book, ws, tiers, row + 1) + 2
    if len(bt.calibration):
        _put(ws, row, 1, book.t("xl.bt.calibration")).font = _TITLE
        _block(book, ws, bt.calibration, row + 1)
    ws.freeze_panes = "A2"
    _print_setup(ws, title_rows=None)
    _widths(ws)


def _number(value: float) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)


def _block(book: Any, ws: Any, frame: pd.DataFrame, row: int) -> int:
    kinds = {str(c): KINDS[str(c)] for c in frame.columns if str(c) in KINDS}
    prepared, headers, formats = book.prepare(frame, kinds)
    return _write_frame(ws, prepared, row=row, col=1, headers=headers, formats=formats)
