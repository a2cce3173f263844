"""The first sheet of the workbook: one row per customer, the way a manager reads it.

Columns, in order: id, name, status, the recommended method's tier (key and the study's tier
name), its strategy, the tier's stability under weight changes (when the study ran the
sensitivity step), flags (outliers, capped values, invoice lines that look like keying errors,
possible duplicates, merged duplicates), the study's criteria, the score, then every other
method's tier, the method scores, the customer base's churn tier, P(alive), expected
purchases, CLV and receivables (:mod:`abclab.report._excel_customer_base`), where a merged
record went and why a customer is pending,
and last the client's other columns (contact columns masked).

Client columns that hold numbers, dates or true/false as text (a CSV read with ids, phones and
codes kept as text) become typed cells here, unless a value would change on the way (leading
zeros, long digit strings such as phone numbers or ids).
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from abclab.pipeline import customer_table
from abclab.report._excel_customer_base import customer_base_columns
from abclab.report._i18n import criterion_labels, text
from abclab.report._reasons import pending_reasons

__all__ = ["manager_table", "FIRST_COLUMNS"]

#: Leading columns of the sheet (those present), before criteria and methods.
FIRST_COLUMNS = (
    "customer_id",
    "name",
    "status",
    "recommended_tier",
    "tier_name",
    "strategy",
    "stability",
    "flags",
)
#: A number written as text that can be typed without changing it: no leading zero (ids,
#: codes), at most 12 digits before the point (phones, bank cards and ids stay text).
_PLAIN_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]{0,11})(?:\.[0-9]+)?")
_PERCENT = re.compile(r"-?(?:0|[1-9][0-9]{0,5})(?:\.[0-9]+)?%")
_ISO_DATE = re.compile(r"[12][0-9]{3}-[01][0-9]-[0-3][0-9]")
_BOOLEAN = {"true": True, "false": False}
#: Cell texts that mean "no value" (Excel errors, dashes): blank once a column is typed.
_NO_VALUE = {"", "#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "N/A",
             "n/a", "NA", "-", "--", "—", "–"}  # fmt: skip


def manager_table(results: Any, language: str) -> pd.DataFrame:
    """The customer sheet's frame (code-name columns; the workbook translates the headers)."""
    table = customer_table(results)
    ids = table["customer_id"]
    out = pd.DataFrame({"customer_id": ids})
    if "name" in table:
        out["name"] = table["name"]
    status = table["status"].astype(object)
    out["status"] = status.map(lambda s: _status(s, language))
    rec = results.recommended
    tiers = table.get(f"tier_{rec}", pd.Series(None, index=table.index)).astype(object)
    pending = status.eq("pending").to_numpy()
    pending_key = _pending_key(results)
    tiers = tiers.where(~pending, pending_key)
    out["recommended_tier"] = tiers
    names, strategies = _tier_texts(results)
    out["tier_name"] = tiers.map(names)
    out["strategy"] = tiers.map(strategies)
    if results.sensitivity is not None:
        stability = results.sensitivity.per_customer["stability"]
        out["stability"] = ids.map(stability).astype(float)
    out["flags"] = _flags(results, ids, language)
    criteria = [c for c in results.study.criterion_names if c in table.columns]
    for c in criteria:
        out[c] = table[c]
    out["score"] = table["score"]
    for m in results.tiers.columns:
        if m != rec and f"tier_{m}" in table:
            out[f"tier_{m}"] = table[f"tier_{m}"]
    for m in results.tiers.columns:
        if f"score_{m}" in table:
            out[f"score_{m}"] = table[f"score_{m}"]
    for c, column in customer_base_columns(results, ids, language).items():
        if c not in out:
            out[c] = column
    if "merged_into" in table and table["merged_into"].notna().any():
        out["merged_into"] = table["merged_into"]
    pending = getattr(results.cleaning, "pending", pd.DataFrame())
    if len(pending) and "pending_reason" in pending:
        why = pending_reasons(results.cleaning.reasons, language, labels=criterion_labels(results))
        out["pending_reason"] = ids.map(why.combine_first(pending["pending_reason"]))
    skip = set(out.columns) | {"status", "merged_into"}
    skip |= {c for c in table.columns if str(c).startswith(("tier_", "score_"))}
    for c in table.columns:
        if c not in skip:
            out[c] = typed_column(table[c])
    return out.reset_index(drop=True)


def _status(value: Any, language: str) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return text(f"xl.status.{value}", language)
    except KeyError:
        return value


def _pending_key(results: Any) -> str:
    """The tier key pending customers are reported under (the study's label key "D")."""
    labels = results.study.tiers.labels or {}
    return "D" if "D" in labels or not labels else next(iter(labels))


def _tier_texts(results: Any) -> tuple[dict[str, str], dict[str, str]]:
    """Tier key -> tier name and -> strategy, for the recommended method (study labels win)."""
    names: dict[str, str] = {}
    strategies: dict[str, str] = {}
    table = results.strategies
    for key, row in table.iterrows():
        k = str(row.get("key", key))
        if isinstance(row.get("name"), str):
            names[k] = row["name"]
        if isinstance(row.get("strategy"), str):
            strategies[k] = row["strategy"]
    tiers = results.study.tiers
    names.update({str(k): str(v) for k, v in (tiers.labels or {}).items()})
    strategies.update({str(k): str(v) for k, v in (tiers.strategies or {}).items()})
    return names, strategies


def _flags(results: Any, ids: pd.Series, language: str) -> pd.Series:
    """One text per customer: what to check before acting on the tier ('' when nothing)."""
    found: dict[Any, list[str]] = {}

    def add(customer: Any, message: str) -> None:
        found.setdefault(customer, []).append(message)

    labels = {c.name: c.label or c.name for c in results.study.criteria}
    log = getattr(results.cleaning, "log", None)
    if log is not None and len(log) and {"customer", "rule", "column"} <= set(log.columns):
        for rule, key in (("outlier_", "xl.flag.outlier"), ("winsorize_", "xl.flag.winsorised")):
            hits = log[log["rule"].astype(str).str.startswith(rule)]
            for customer, column in (
                hits[["customer", "column"]].drop_duplicates().itertuples(index=False, name=None)
            ):
                add(customer, text(key, language, criterion=labels.get(column, column)))
    lines = results.clean.flagged_lines
    if len(lines) and "customer" in lines:
        for customer, n in lines["customer"].value_counts().items():
            add(customer, text("xl.flag.lines", language, n=int(n)))
    review = getattr(results.cleaning, "review", pd.DataFrame())
    if len(review) and {"customer", "candidate"} <= set(review.columns):
        for a, b in review[["customer", "candidate"]].itertuples(index=False, name=None):
            add(a, text("xl.flag.review", language, other=b))
            add(b, text("xl.flag.review", language, other=a))
    merged = getattr(results.cleaning, "merged", pd.DataFrame())
    if len(merged) and "merged_into" in merged:
        for kept, n in merged["merged_into"].value_counts().items():
            add(kept, text("xl.flag.merged", language, n=int(n)))
    sep = "；" if language == "zh" else "; "
    joined = {k: sep.join(dict.fromkeys(v)) for k, v in found.items()}
    return ids.map(joined).astype(object)


def typed_column(series: pd.Series) -> pd.Series:
    """A text column whose every value is a plain number, a percentage, an ISO date or
    true/false, typed; "no value" texts (``#N/A``, ``-``) become blanks then.

    Values that would change (``007``, 13+ digit strings, masked phones) keep the column text.
    """
    if not (pd.api.types.is_string_dtype(series.dtype) or series.dtype == object):
        return series
    head = series.dropna().head(1000)
    if len(head) == 0 or not all(isinstance(v, str) for v in head):
        return series
    try:
        text = series.astype("str").str.strip()
    except (TypeError, ValueError):
        return series
    text = text.mask(text.isin(_NO_VALUE))
    present = text.dropna()
    if len(present) == 0:
        return series
    if present.str.fullmatch(_PLAIN_NUMBER.pattern).all():
        numbers = pd.to_numeric(text, errors="coerce")
        whole = not present.str.contains(".", regex=False).any()
        return numbers.astype("Int64") if whole else numbers.astype(float)
    if present.str.fullmatch(_PERCENT.pattern).all():
        return pd.to_numeric(text.str.rstrip("%"), errors="coerce").astype(float) / 100
    if present.str.fullmatch(_ISO_DATE.pattern).all():
        dates = pd.to_datetime(text, errors="coerce", format="%Y-%m-%d")
        return dates if int(dates.notna().sum()) == len(present) else series
    lowered = text.str.casefold()
    if lowered.dropna().isin(list(_BOOLEAN)).all():
        return lowered.map(_BOOLEAN).astype("boolean")
    return series
