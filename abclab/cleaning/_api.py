"""The public entry point :func:`clean_customers`: the cleaning steps in their order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from abclab.cleaning._duplicates import _merge_groups, _merge_safely
from abclab.cleaning._missing import _fill_missing, _screen
from abclab.cleaning._outliers import _flag_outliers
from abclab.cleaning._policy import CriterionPolicy, _coerce_policies, _numeric_criterion
from abclab.cleaning._reasons import Reason
from abclab.cleaning._result import (
    MERGED_COLUMNS,
    REVIEW_COLUMNS,
    CleaningResult,
    _Log,
    _Pending,
)
from abclab.exceptions import InputDataError, StudyError


def clean_customers(
    frame: pd.DataFrame,
    *,
    policies: Mapping[str, CriterionPolicy | Mapping[str, Any]],
    id_column: str | None = None,
    name_column: str | None = None,
    contact_columns: Sequence[str] = (),
    transactions: pd.DataFrame | None = None,
    transaction_columns: Mapping[str, str] | None = None,
    pending_label: str = "pending",
) -> CleaningResult:
    """Deduplicate customers, treat missing values and outliers, and log every change.

    Steps, in order:

    1. **Same id** (``id_column``, else the index): rows with the same id are one customer.
       The row with the most non-missing criteria is kept (ties: the first); each of its
       missing cells (any column) is filled from the first other row that has it
       (``duplicate_fill``); differing criterion values are flagged (``duplicate_conflict``),
       and the kept value wins. Values are *not* summed: source 003 treats duplicates as the
       same customer entered twice (同一客户因不同录入方式导致多条数据), so adding them would
       double count.
    2. **Same name** (``name_column``): names equal after NFKC (full-width -> half-width),
       case folding, removing punctuation, spaces and company suffixes (有限公司, 集团,
       Co., Ltd., Inc., LLC, GmbH ...) are merged the same way, *if* their legal forms
       agree and no contact conflicts. Each removed row is a row of ``merged``
       (``customer, merged_into, reason, input_row``) and of the log (``merge_duplicate``).
       **Same contact** (``contact_columns``, e.g. phone and e-mail): records sharing a
       phone number (digits only, at least 7; ``+86``/``0086`` and separators ignored) or
       an e-mail address (case-folded) *and* whose normalised names contain one another
       ("Evergreen Industrial (Shanghai) Co., Ltd." / "EVERGREEN INDUSTRIAL LTD") are merged
       under the same two conditions. The name condition keeps two firms served by one
       purchasing agent apart.
       **Review instead of merge**: a pair linked by name or contact whose legal forms
       differ (有限公司 vs 股份有限公司, 集团 vs not, Ltd vs PLC, Inc vs LLC; 有限责任公司 =
       有限公司 and a name without suffix agrees with any form; see
       :data:`abclab._text.LEGAL_FORMS`) or whose contacts conflict (both have a value in a
       contact column, e.g. two different phones or contact persons) is a row of
       ``review`` (and of the log, ``review_different_legal_form`` /
       ``review_conflicting_contact``); both records stay customers.
    3. **Non-positive values** per ``nonpositive``: ``pending`` or ``missing``.
    4. **Missing values** with ``missing="pending"``, or ``"recent_average"`` for customers
       without transactions, send the customer to ``pending``.
    5. **Outliers** among the customers not pending: ``iqr`` or ``mad`` flags
       (``outlier_iqr``/``outlier_mad``), optionally clipped (``winsorize_iqr``/``_mad``).
    6. **Fill** the remaining missing values: ``median`` of the not-pending customers' values
       (after step 5), ``zero``, or ``recent_average`` = mean monthly amount over the
       customer's last ``recent_months`` months with transactions × ``periods_per_year``
       (source 003: 用近3个月平均消费额填补年消费额缺失值). A non-positive estimate counts as a
       non-positive value under step 3's rule.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per customer record; criteria columns numeric.
    policies : mapping
        Criterion column -> :class:`CriterionPolicy` or a dict of its fields.
    id_column : str, optional
        Column with the customer id (default: the index).
    name_column : str, optional
        Column with customer names, for step 2.
    contact_columns : sequence of str
        Contact columns (phone, e-mail, contact person ...) of step 2 (needs
        ``name_column``): phones and e-mails link records, every column can conflict.
    transactions : pandas.DataFrame, optional
        Transaction log for ``recent_average`` (customer, date, amount).
    transaction_columns : mapping, optional
        Names of the ``"customer"``, ``"date"`` and ``"amount"`` columns of ``transactions``
        (defaults: those words).
    pending_label : str
        Status given to pending customers (e.g. ``"待评估"`` or ``"D"``).

    Returns
    -------
    CleaningResult
        ``cleaned``, ``pending``, ``merged``, ``review``, ``log`` and ``summary()``.

    Raises
    ------
    StudyError
        Invalid policy (names the criterion and key).
    InputDataError
        Missing columns, missing customer ids, non-numeric criteria, bad transactions.
    """
    if not isinstance(frame, pd.DataFrame):
        raise InputDataError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    pols = _coerce_policies(policies, frame.columns)
    named = [("id_column", id_column), ("name_column", name_column)]
    named += [("contact_columns", c) for c in contact_columns]
    for label, col in named:
        if col is not None and col not in frame.columns:
            raise InputDataError(
                f"{label}={col!r} is not a column; available: {list(frame.columns)}"
            )
    needs_tx = [c for c, p in pols.items() if p.missing == "recent_average"]
    if needs_tx and transactions is None:
        raise StudyError(
            f"criteria {needs_tx} use missing='recent_average' but no transactions given"
        )
    ids = frame[id_column] if id_column is not None else frame.index.to_series()
    id_name = id_column or frame.index.name or "customer"
    absent = np.flatnonzero(pd.isna(ids).to_numpy(bool))
    if len(absent):
        raise InputDataError(
            f"customer id missing in row(s) {[int(i) + 1 for i in absent[:10]]} (1-based position)"
            f" of {id_column or 'the index'}; every customer needs an id"
        )
    criteria = list(pols)
    work = frame.drop(columns=[id_column] if id_column else []).reset_index(drop=True)
    for col in criteria:
        work[col] = _numeric_criterion(frame[col].reset_index(drop=True))
    work["__customer__"] = ids.to_numpy()
    log, merged_rows, review_rows = _Log(), [], []
    work = _merge_groups(
        work,
        work["__customer__"],
        criteria,
        log,
        merged_rows,
        Reason("same_id", "same customer id {key!r}", {"match": None}),
    )
    if name_column is not None:
        work = _merge_safely(
            work, name_column, list(contact_columns), criteria, log, merged_rows, review_rows
        )
    alias = {c: t for c, t, _, _ in merged_rows if c != t}  # name merges: removed -> kept
    for _ in range(len(merged_rows)):  # resolve chains (a row merged into one merged later)
        chained = {c: alias.get(t, t) for c, t in alias.items()}
        if chained == alias:
            break
        alias = chained
    merged_rows = [(c, alias.get(t, t), why, p) for c, t, why, p in merged_rows]
    review = _review_frame(review_rows, alias, work, name_column, log)
    work = work.set_index("__customer__").rename_axis(id_name)
    pending = _Pending(log, pending_label)
    estimates = _screen(work, pols, transactions, transaction_columns, alias, log, pending)
    active = pd.Series(~work.index.isin(list(pending.reasons)), index=work.index)
    for col, pol in pols.items():
        _flag_outliers(work, col, active, pol, log)
    _fill_missing(work, pols, active, estimates, log, pending)
    collected = pending
    is_pending = work.index.isin(list(collected.reasons))
    pending = work[is_pending].copy()
    pending["status"] = pending_label
    pending["pending_reason"] = [collected.texts(c) for c in pending.index]
    merged = pd.DataFrame(merged_rows, columns=MERGED_COLUMNS).astype({"input_row": "int64"})
    cleaned = work[~is_pending].copy()
    return CleaningResult(
        cleaned, pending, merged, log.frame(), len(frame), review, reasons=collected.frame()
    )


def _review_frame(rows: list, alias: dict, work: pd.DataFrame, name_column, log) -> pd.DataFrame:
    """Review pairs between the records kept, each unordered pair once, logged."""
    out, seen = [], set()
    names = work.set_index("__customer__")[name_column] if name_column else None
    for customer, candidate, rule, evidence in rows:
        customer, candidate = alias.get(customer, customer), alias.get(candidate, candidate)
        pair = frozenset((customer, candidate))
        if customer == candidate or pair in seen:
            continue
        seen.add(pair)
        shown = [names.get(c) if names is not None else None for c in (customer, candidate)]
        out.append((customer, shown[0], candidate, shown[1], rule, evidence))
        log.add(customer, None, customer, candidate, f"review_{rule}", f"not merged: {evidence}")
    return pd.DataFrame(out, columns=REVIEW_COLUMNS, dtype=object)
