"""Cleaning reasons in the report's language: :class:`abclab.cleaning.Reason` codes and values
translated with the message catalogue (``reason.<code>``), never by parsing English text."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from abclab.cleaning import Reason
from abclab.report._format import format_number
from abclab.report._i18n import text

__all__ = ["log_reasons", "pending_reasons", "reason_text"]


def reason_text(
    code: str, values: Mapping[str, Any], language: str, *, labels: Mapping[str, str] | None = None
) -> str:
    """The reason ``code`` with ``values`` as the report writes it.

    ``column`` values show as the study's criterion labels (``labels``), nested reasons (the
    ``link`` of a merged duplicate) are translated too, other numbers take the report's
    number style (:func:`abclab.report._format.format_number`; whole numbers as counts).
    """
    labels = labels or {}
    shown: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, Reason):
            shown[name] = reason_text(value.code, value.values, language, labels=labels)
        elif name == "column":
            shown[name] = labels.get(str(value), str(value))
        elif isinstance(value, float):
            shown[name] = format_number(value)
        else:
            shown[name] = value
    return text(f"reason.{code}", language, **shown)


def log_reasons(
    log: pd.DataFrame, language: str, *, labels: Mapping[str, str] | None = None
) -> pd.Series:
    """The ``reason`` column of a cleaning log in ``language`` (rows without a code, the
    review rows, keep their text)."""
    if "reason_code" not in log:
        return log["reason"] if "reason" in log else pd.Series(index=log.index, dtype=object)
    return pd.Series(
        [
            reason_text(code, values, language, labels=labels) if _coded(code, values) else why
            for code, values, why in zip(
                log["reason_code"], log["reason_values"], log["reason"], strict=True
            )
        ],
        index=log.index,
        dtype=object,
    )


def pending_reasons(
    reasons: pd.DataFrame, language: str, *, labels: Mapping[str, str] | None = None
) -> pd.Series:
    """Customer -> why it is pending, in ``language`` (``reasons``: the
    :attr:`abclab.cleaning.CleaningResult.reasons` frame), reasons joined with "; " / "；"."""
    if reasons is None or len(reasons) == 0:
        return pd.Series(dtype=object)
    sep = "；" if language == "zh" else "; "
    texts = [
        reason_text(code, values, language, labels=labels) if _coded(code, values) else str(why)
        for code, values, why in zip(
            reasons["code"], reasons["values"], reasons["reason"], strict=True
        )
    ]
    frame = pd.DataFrame({"customer": reasons["customer"].to_numpy(), "text": texts})
    return frame.groupby("customer", sort=False)["text"].agg(sep.join)


def _coded(code: object, values: object) -> bool:
    """Whether a row carries a reason code (rows added by hand or review rows may not)."""
    return isinstance(code, str) and bool(code) and isinstance(values, Mapping)
