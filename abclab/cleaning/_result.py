"""The cleaning result and its audit trail (the log and the pending-reason collector)."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from abclab.cleaning._reasons import Reason

LOG_COLUMNS = [
    "customer", "column", "old_value", "new_value", "rule", "reason", "reason_code", "reason_values",
]  # fmt: skip
#: Columns of :attr:`CleaningResult.reasons` (one row per pending reason).
REASON_COLUMNS = ["customer", "column", "code", "values", "reason"]
MERGED_COLUMNS = ["customer", "merged_into", "reason", "input_row"]
REVIEW_COLUMNS = ["customer", "name", "candidate", "candidate_name", "rule", "evidence"]


def _empty_review() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in REVIEW_COLUMNS})


@dataclass(frozen=True, eq=False)
class CleaningResult:
    """Result of :func:`clean_customers`.

    Attributes
    ----------
    cleaned : pandas.DataFrame
        Customers ready to score, indexed by customer id; criteria have no missing values.
    pending : pandas.DataFrame
        Customers that cannot be scored yet, indexed by customer id, with the input columns
        plus ``status`` (the pending label) and ``pending_reason``.
    merged : pandas.DataFrame
        Columns ``customer, merged_into, reason, input_row``: one row per input row merged
        into another record (``input_row`` is its 0-based position in the input frame; the
        log's reasons say "input record N", counting from 1 as a spreadsheet user does).
    log : pandas.DataFrame
        Columns ``customer, column, old_value, new_value, rule, reason, reason_code,
        reason_values``: one row per change or flag, in the order the steps ran; ``reason``
        is the English sentence, ``reason_code`` and ``reason_values`` (a dict) the same
        reason as a :class:`~abclab.cleaning.Reason` code and its values (``""`` and ``{}``
        for review rows, whose evidence is text).
    input_rows : int or None
        Number of rows of the input frame (reported by :meth:`summary`).
    review : pandas.DataFrame
        Columns ``customer, name, candidate, candidate_name, rule, evidence``: pairs of
        records that look like one customer but were *not* merged, for a person to decide.
        ``rule`` is ``different_legal_form`` (names equal but for 有限公司 / 股份有限公司,
        Ltd / PLC, ...) or ``conflicting_contact`` (both have a phone, e-mail or other
        contact and they differ); ``evidence`` says what linked them and what differs, with
        contact values masked. Both records stay customers (in ``cleaned`` or ``pending``),
        so the accounting ``input = cleaned + pending + merged`` is unchanged.
    reasons : pandas.DataFrame
        Columns ``customer, column, code, values, reason``: one row per reason a customer is
        pending (``pending_reason`` joins their ``reason`` texts with "; ").
    """

    cleaned: pd.DataFrame
    pending: pd.DataFrame
    merged: pd.DataFrame
    log: pd.DataFrame
    input_rows: int | None = None
    review: pd.DataFrame = field(default_factory=_empty_review)
    reasons: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REASON_COLUMNS))

    def summary(self) -> pd.Series:
        """Row counts ``input, cleaned, pending, merged``; input = cleaned + pending + merged."""
        counts = {"cleaned": len(self.cleaned), "pending": len(self.pending)}
        counts["merged"] = len(self.merged)
        total = sum(counts.values()) if self.input_rows is None else self.input_rows
        return pd.Series({"input": total, **counts}, name="customers")


class _Log:
    def __init__(self) -> None:
        self.rows: list[tuple[Any, ...]] = []

    def add(
        self, customer: Hashable, column: Any, old: Any, new: Any, rule: str, reason: Reason | str
    ):
        self.rows.append((customer, column, old, new, rule, *_parts(reason)))

    def extend(self, customers: Any, column: str, old: Any, new: Any, rule: str, why: Any):
        n = len(customers)
        olds, news = (v if isinstance(v, pd.Series) else [v] * n for v in (old, new))
        whys = [why] * n if isinstance(why, str | Reason) else why
        for row in zip(customers, [column] * n, olds, news, [rule] * n, whys, strict=True):
            self.rows.append((*row[:5], *_parts(row[5])))

    def frame(self) -> pd.DataFrame:
        log = pd.DataFrame(self.rows, columns=LOG_COLUMNS, dtype=object)
        return log.astype({"rule": "str", "reason": "str", "reason_code": "str"})


def _parts(reason: Reason | str) -> tuple[str, str, dict[str, Any]]:
    """``(text, code, values)`` of a reason (a plain text has no code)."""
    if isinstance(reason, Reason):
        return reason.text, reason.code, dict(reason.values)
    return str(reason), "", {}


class _Pending:
    """Collects why customers go to ``pending`` and logs each reason."""

    def __init__(self, log: _Log, label: str) -> None:
        self.log, self.label, self.reasons = log, label, {}

    def add(self, customers: Any, col: str, old: Any, rule: str, why: Any) -> None:
        whys = [why] * len(customers) if isinstance(why, str | Reason) else list(why)
        olds = old if isinstance(old, pd.Series) else [old] * len(customers)
        for customer, value, why in zip(customers, olds, whys, strict=True):
            self.reasons.setdefault(customer, []).append((col, why))
            self.log.add(customer, col, value, self.label, rule, why)

    def texts(self, customer: Hashable) -> str:
        """The English reasons of ``customer`` joined with "; "."""
        return "; ".join(str(why) for _, why in self.reasons[customer])

    def frame(self) -> pd.DataFrame:
        """One row per pending reason (:data:`REASON_COLUMNS`)."""
        rows = []
        for customer, whys in self.reasons.items():
            for col, why in whys:
                text, code, values = _parts(why)
                rows.append((customer, col, code, values, text))
        return pd.DataFrame(rows, columns=REASON_COLUMNS, dtype=object)
