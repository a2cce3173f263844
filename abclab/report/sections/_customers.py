"""The full customer list of the HTML report: every classified and pending customer in one
searchable, sortable, filterable table (by tier, by method), rendered by the page's own
script from inlined JSON (no network). The PDF shows a sentence pointing to it instead."""

from __future__ import annotations

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
    rows = tuple(
        _row(values, kinds, frame.columns, formats) for values in frame.itertuples(index=False)
    )
    labels = {
        "search": text("text.search", lang),
        "any_tier": text("text.any_tier", lang),
        "rows_shown": text("text.rows_shown", lang),
        "method": text("col.method", lang),
        "tier": text("col.tier", lang),
    }
    return Section(
        "customers",
        text("section.customers", lang),
        (
            Paragraph(text("text.customers_intro", lang), css="abclab-screen-only"),
            Paragraph(text("text.customers_print", lang), css="abclab-print-only"),
            Explorer(columns, rows, labels),
        ),
    )


def explorer_frame(results: Any, language: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """The customer list as shown and each column's kind (``text`` | ``number`` | ``tier``).

    Numbers are kept as floats here; each one travels with its formatted text.
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
    frame["name"] = [str(v) if v is not None and not pd.isna(v) else "" for v in display]
    kinds["name"] = "text"
    frame["status"] = [status_text(s, language) for s in table["status"]]
    kinds["status"] = "text"
    own = table[f"tier_{rec}"].astype(object).to_numpy()
    frame["recommended_tier"] = [_tier_cell(t, names, language) for t in own]
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
        frame[key] = [tier_text(t, language) if t is not None else "" for t in table[key]]
        kinds[key] = "tier"
    return frame, kinds


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


def _row(
    values: tuple, kinds: dict[str, str], columns: pd.Index, formats: dict[str, Any]
) -> tuple[object, ...]:
    cells: list[object] = []
    for column, value in zip(columns, values, strict=True):
        if kinds[column] != "number":
            cells.append(value)
        elif value is None or not np.isfinite(value):
            cells.append(["–", None])
        else:
            cells.append([formats.get(column, format_number)(value), round(float(value), 6)])
    return tuple(cells)


_FORMATS = {"stability": lambda x: format_percent(x, decimals=0), "score": format_score}


def criterion_formats(results: Any, language: str) -> dict[str, Any]:
    """Formatters of the criterion columns (money, percent, number)."""
    return {c: criterion_formatter(results, c, language) for c in results.criteria.columns}
