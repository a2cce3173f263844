"""Clean step: duplicates, missing values and outliers, and the status of every input row.

Customer accounting: every input row ends up exactly once as *classified*, *pending*
(insufficient data, tier "D") or *merged* (a duplicate folded into another record);
``counts["input"] == classified + pending + merged`` is checked and a :class:`ReportError`
raised otherwise, so no customer is silently lost.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd

from abclab.cleaning import (
    LINE_FLAG_COLUMNS,
    REASON_COLUMNS,
    CleaningResult,
    clean_customers,
    flag_lines,
)
from abclab.config import Study
from abclab.exceptions import InputDataError, ReportError
from abclab.features import PreparedLog
from abclab.pipeline.read import ID, NAME, open_log, read_transactions, transaction_lines
from abclab.pipeline.results import CleanStep, DataStep
from abclab.privacy import detect_pii_columns

__all__ = [
    "MERGED_INTO",
    "STATUS",
    "clean_step",
    "count_statuses",
    "NO_TRANSACTIONS",
    "STATUSES",
    "pii_columns",
]

STATUS = "status"
MERGED_INTO = "merged_into"
#: What becomes of an input record (each record ends as exactly one).
STATUSES = ("classified", "pending", "merged", "excluded")


def pii_columns(study: Study, frame: pd.DataFrame) -> dict[str, str]:
    """Columns to mask: every detected one (phones, e-mails, ID and bank card numbers, contact
    persons, addresses) and the study's ``pii`` list (masked as detected, else as text)."""
    detected = dict(detect_pii_columns(frame))
    for column in study.pii or ():
        column = NAME if column == study.name_column and NAME in frame.columns else column
        if column in frame.columns and column not in detected:
            detected[column] = "person"
    return detected


#: Reason of a customer-table record without any line in the transaction log.
NO_TRANSACTIONS = "no transactions in the log"


def clean_step(study: Study, data: DataStep, *, log: PreparedLog | None = None) -> CleanStep:
    """Clean the input records of :func:`abclab.pipeline.read.read_step` by the study's policy.

    ``log`` is the run's transaction log (:func:`abclab.pipeline.read.open_log`), which the
    ``recent_average`` rule and the line flags read; without it, it is prepared for this call.

    ``input_customers`` then holds every record once: classified, pending (with its reason;
    a customer-table record without transactions says :data:`NO_TRANSACTIONS`), merged, or
    excluded (the customer table's total rows).
    """
    t = study.data.transactions
    if t is not None and log is None and t.local_path is not None:
        with open_log(study) as opened:
            return clean_step(study, data, log=opened)
    frame = data.frame
    names = study.criterion_names
    empty = [c for c in names if frame[c].isna().all()]
    if empty:
        files = ", ".join(p.name for p in study.data.paths)
        raise InputDataError(
            f"criterion {empty[0]!r} has no value for any of the {len(frame)} input customers "
            f"({files}); check the column mapping or drop the criterion"
        )
    policies = {n: study.cleaning.policy(n).to_dict() for n in names}
    options: dict[str, Any] = {}
    if any(p["missing"] == "recent_average" for p in policies.values()):
        t = study.data.transactions
        options["transactions"] = read_transactions(study, log=log)
        options["transaction_columns"] = {"customer": t.customer, "date": t.date,
                                          "amount": t.amount}  # fmt: skip
    has_names = NAME in frame.columns
    result = clean_customers(
        frame,
        policies=policies,
        id_column=ID,
        name_column=NAME if has_names else None,
        contact_columns=list(pii_columns(study, frame)) if has_names else [],
        **options,
    )
    cleaned = result.cleaned
    if len(cleaned) == 0:
        reasons = result.pending["pending_reason"].astype(str).value_counts().head(3)
        raise InputDataError(
            f"no customer is left to classify: all {len(result.pending)} are pending after "
            f"cleaning (most common reasons: {'; '.join(reasons.index)})"
        )
    criteria = cleaned[names].astype(float)
    bad = criteria.columns[criteria.isna().any()].tolist()
    if bad:
        first = criteria.index[criteria[bad[0]].isna()][0]
        raise ReportError(
            f"criterion {bad[0]!r} still has missing values after cleaning (customer {first!r}); "
            "set cleaning.<criterion>.missing to 'pending' or an imputation"
        )
    result = _no_transactions(study, frame, result)
    inputs = frame.copy()
    inputs.insert(1, STATUS, _status(inputs, result))
    inputs.insert(2, MERGED_INTO, _merged_into(inputs, result))
    if len(data.excluded):
        excluded = data.excluded.drop(columns=["row", "reason"], errors="ignore")
        excluded = excluded.assign(**{STATUS: "excluded", MERGED_INTO: None})
        inputs = pd.concat([inputs, excluded[[c for c in inputs.columns if c in excluded]]],
                           ignore_index=True)  # fmt: skip
    if has_names:
        inputs.insert(1, NAME, inputs.pop(NAME))
    return CleanStep(cleaning=result, inputs=inputs, criteria=criteria,
                     counts=count_statuses(inputs),
                     flagged_lines=_flagged_lines(study, result, log))  # fmt: skip


def _flagged_lines(study: Study, result: CleaningResult, log: PreparedLog | None) -> pd.DataFrame:
    """Lines of the log that look like keying errors (merged duplicates booked to the kept id),
    ``row`` being the row of the client's file (:meth:`abclab.features.PreparedLog.file_row`)."""
    t = study.data.transactions
    if t is None:
        return pd.DataFrame(columns=LINE_FLAG_COLUMNS)
    merged = result.merged
    aliases = (
        dict(zip(merged["customer"], merged["merged_into"], strict=True)) if len(merged) else None
    )
    lines = transaction_lines(study, log=log)
    if lines is None:  # a table or URI read by Spark: its lines stay where they are
        return pd.DataFrame(columns=LINE_FLAG_COLUMNS)
    flagged = flag_lines(lines, customer=t.customer, amount=t.amount, date=t.date,
                         aliases=aliases)  # fmt: skip
    # ``row`` is the line's position in the log; the report names the row of the client's file
    return flagged.assign(row=log.file_row(flagged["row"].to_numpy()))


def _no_transactions(study: Study, frame: pd.DataFrame, result: CleaningResult) -> CleaningResult:
    """Pending customers of the customer table without a line in the log say so."""
    if study.data.transactions is None or study.data.customers is None or not len(result.pending):
        return result
    derived = "purchase_count" if "purchase_count" in frame else None
    if derived is None:
        return result
    none = frame.loc[frame[derived].isna(), ID]
    hit = result.pending.index.isin(set(none))
    if not hit.any():
        return result
    pending = result.pending.copy()
    pending.loc[hit, "pending_reason"] = NO_TRANSACTIONS
    customers = pending.index[hit]
    reasons = result.reasons[~result.reasons["customer"].isin(set(customers))]
    added = pd.DataFrame(
        {
            "customer": customers,
            "column": None,
            "code": "no_transactions",
            "values": [{}] * len(customers),
            "reason": NO_TRANSACTIONS,
        },  # fmt: skip
        columns=REASON_COLUMNS,
    )
    reasons = pd.concat([reasons, added], ignore_index=True) if len(reasons) else added
    return dataclasses.replace(result, pending=pending, reasons=reasons)


def _status(inputs: pd.DataFrame, result: CleaningResult) -> pd.Series:
    """classified / pending / merged for every input row (merged rows by ``input_row``)."""
    status = pd.Series("classified", index=inputs.index, dtype=object)
    status[inputs[ID].isin(result.pending.index)] = "pending"
    status.iloc[result.merged["input_row"].astype(int).to_numpy()] = "merged"
    return status


def _merged_into(inputs: pd.DataFrame, result: CleaningResult) -> pd.Series:
    out = pd.Series(None, index=inputs.index, dtype=object)
    merged = result.merged
    out.iloc[merged["input_row"].astype(int).to_numpy()] = (
        merged["merged_into"].astype(object).to_numpy()
    )
    return out


def count_statuses(inputs: pd.DataFrame) -> dict[str, int]:
    """``input``, ``classified``, ``pending``, ``merged``; raises if they do not balance."""
    status = inputs[STATUS]
    counts = {"input": len(inputs)}
    counts.update({s: int((status == s).sum()) for s in STATUSES})
    if counts["input"] != sum(counts[s] for s in STATUSES):
        raise ReportError(
            f"customer accounting does not balance: input {counts['input']} != "
            + " + ".join(f"{s} {counts[s]}" for s in STATUSES)
        )
    return counts
