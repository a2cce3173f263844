"""The full customer list of the HTML report: every classified and pending customer in one
searchable, sortable, filterable table (by tier, by method), rendered by the page's own
script from inlined JSON (no network). The PDF shows a sentence pointing to it instead."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from abclab.pipeline import customer_table
from abclab.report._format import format_number, format_percent, format_score
from abclab.report._i18n import column_labels, text
from abclab.report.sections._blocks import Explorer, Paragraph, Section
from abclab.report.sections._context import (
    ReportContext,
    criterion_formatter,
    criterion_labels,
    method_labels,
    status_text,
    tier_names,
    tier_text,
)
from abclab.report.sections._executive import account_flags

__all__ = ["customers", "explorer_frame"]


def customers(ctx: ReportContext) -> Section:
    """Every classified and pending customer with the recommended tier, stability, flags,
    the criteria and every method's tier (HTML only; contact columns are not shown)."""
    r, lang = ctx.results, ctx.language
    frame, kinds = explorer_frame(r, lang)
    headers = _headers(r, lang, frame.columns)
    columns = tuple((str(c), headers[c], kinds[c]) for c in frame.columns)
    formats = {**criterion_formats(r, lang), **_FORMATS}
    encoded = [
        _number_column(frame[c].to_numpy(float), formats.get(c, format_number))
        if kinds[c] == "number"
        else _text_column(frame[c])
        for c in frame.columns
    ]
    labels = {
        "search": text("text.search", lang),
        "any_tier": text("text.any_tier", lang),
        "rows_shown": text("text.rows_shown", lang),
        "method": text("col.method", lang),
        "tier": text("col.tier", lang),
    }
    explorer = Explorer(
        columns,
        values=tuple(values for values, _, _ in encoded),
        codes=tuple(codes for _, codes, _ in encoded),
        labels=labels,
        missing=tuple(missing for _, _, missing in encoded),
    )
    return Section(
        "customers",
        text("section.customers", lang),
        (
            Paragraph(text("text.customers_intro", lang), css="abclab-screen-only"),
            Paragraph(text("text.customers_print", lang), css="abclab-print-only"),
            explorer,
        ),
    )


def _text_column(column: pd.Series) -> tuple[tuple[str, ...], np.ndarray, bool]:
    """Distinct texts (in order of first appearance) and each row's index into them."""
    shown = column.astype(object).where(column.notna(), "").to_numpy(dtype=object)
    codes, values = pd.factorize(shown)
    return tuple(str(v) for v in values), codes, False


def _number_column(
    values: np.ndarray, fmt: Callable[[float], str]
) -> tuple[tuple[str, ...], np.ndarray, bool]:
    """Distinct shown texts of a number column in ascending numeric order (a text shared by
    several numbers is placed at the smallest), each row's index, and whether "–" (missing
    or infinite) is the last text. Each distinct number is formatted once."""
    finite = np.isfinite(values)
    distinct, inverse = np.unique(values[finite], return_inverse=True)
    shown = np.asarray([fmt(float(x)) for x in distinct], dtype=object)
    text_codes, texts = pd.factorize(shown) if len(shown) else (np.zeros(0, int), [])
    codes = np.full(len(values), len(texts), dtype=np.int64)
    codes[finite] = np.asarray(text_codes, dtype=np.int64)[inverse.ravel()]
    missing = bool((~finite).any())
    return tuple(str(t) for t in texts) + (("–",) if missing else ()), codes, missing


def explorer_frame(results: Any, language: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """The customer list as shown and each column's kind (``text`` | ``number`` | ``tier``).

    Numbers are kept as floats here (:func:`customers` formats them). Texts are translated
    once per distinct value (a tier column of 100 000 customers has a handful).
    """
    table = customer_table(results)
    table = table[table["status"].isin(("classified", "pending"))]
    ids = table["customer_id"].astype(str)
    rec = results.recommended
    names = tier_names(results, language)
    frame = pd.DataFrame(index=pd.RangeIndex(len(table)))
    kinds: dict[str, str] = {}
    frame["customer_id"] = ids.to_numpy()
    kinds["customer_id"] = "text"
    display = results.display_names.reindex(ids).astype(object).to_numpy()
    frame["name"] = _mapped(display, lambda v: str(v) if v is not None and not pd.isna(v) else "")
    kinds["name"] = "text"
    frame["status"] = _mapped(table["status"], lambda s: status_text(s, language))
    kinds["status"] = "text"
    own = table[f"tier_{rec}"].astype(object).to_numpy()
    frame["recommended_tier"] = _mapped(own, lambda t: _tier_cell(t, names, language))
    kinds["recommended_tier"] = "tier"
    if results.sensitivity is not None:
        stability = results.sensitivity.per_customer["stability"]
        frame["stability"] = stability.reindex(ids).to_numpy(float)
        kinds["stability"] = "number"
    frame["score"] = table["score"].to_numpy(float)
    kinds["score"] = "number"
    flags = account_flags(results, language)
    frame["flags"] = flags.reindex(ids).fillna("").to_numpy()
    kinds["flags"] = "text"
    for c in results.criteria.columns:
        if c in table:
            frame[c] = pd.to_numeric(table[c], errors="coerce").to_numpy(float)
            kinds[c] = "number"
    for m in results.tiers.columns:
        if m == rec:
            continue
        key = f"tier_{m}"
        frame[key] = _mapped(table[key], lambda t: tier_text(t, language) if t is not None else "")
        kinds[key] = "tier"
    return frame, kinds


def _mapped(values: Any, fn: Callable[[object], str]) -> np.ndarray:
    """``[fn(v) for v in values]`` as an object array, calling ``fn`` once per distinct value
    (and once for the missing ones)."""
    items = np.asarray(pd.Series(values).astype(object).to_numpy(), dtype=object)
    codes, distinct = pd.factorize(items)
    shown = np.asarray([fn(v) for v in distinct] + [""], dtype=object)
    out = shown[codes]  # code -1 (missing) picks the last entry, replaced below
    if (codes < 0).any():
        out[codes < 0] = fn(items[np.flatnonzero(codes < 0)[0]])
    return out


def _tier_cell(tier: object, names: dict[str, str], language: str) -> str:
    if tier is None or (not isinstance(tier, str) and pd.isna(tier)):
        return ""
    shown = tier_text(tier, language)
    name = names.get(str(tier))
    return f"{shown} · {name}" if name and name != str(tier) else shown


def _headers(results: Any, language: str, columns: pd.Index) -> dict[str, str]:
    labels = criterion_labels(results)
    methods = method_labels(results, language)
    known = column_labels(columns, language)  # a criterion without a label keeps its name
    out = {}
    for c in columns:
        if c.startswith("tier_"):
            out[c] = methods.get(c[5:], c[5:])
        elif c in labels:
            out[c] = labels[c]
        else:
            out[c] = known[c]
    out["recommended_tier"] = text("col.recommended_tier", language)
    return out


_FORMATS = {"stability": lambda x: format_percent(x, decimals=0), "score": format_score}


def criterion_formats(results: Any, language: str) -> dict[str, Any]:
    """Formatters of the criterion columns (money, percent, number)."""
    return {c: criterion_formatter(results, c, language) for c in results.criteria.columns}
