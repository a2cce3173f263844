"""The frame of the report: the cover, the contents, data quality (every record accounted for,
what was set aside, flagged or kept apart), the client's appendix (criteria and methods) and
the one action of the notebook, :func:`write_outputs` (Excel workbook and
``provenance.json``, which keeps the paths, hashes, timings and versions)."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from abclab.pipeline import pii_columns
from abclab.report._excel import write_workbook
from abclab.report._format import Count, format_count, format_money, format_number, format_percent
from abclab.report._i18n import display_name, text
from abclab.report._provenance import write_provenance
from abclab.report.sections._blocks import Block, Contents, Paragraph, Section
from abclab.report.sections._context import (
    ReportContext,
    criterion_labels,
    customer_table,
    evidence_text,
    heading,
    method_labels,
    paragraph,
    reason_text,
    table,
)
from abclab.report.sections._tables import cleaning_summary, outlier_table

#: The report's sections in order (key -> title message), what the contents list.
ORDER = (
    ("summary", "section.summary"),
    ("data_quality", "section.data_quality"),
    ("weights", "section.weights"),
    ("methods", "section.methods"),
    ("pareto", "section.pareto"),
    ("agreement", "section.agreement"),
    ("disputed", "section.disputed"),
    ("value_potential", "section.value_potential"),
    ("clusters", "section.clusters"),
    ("sensitivity", "section.sensitivity"),
    ("migration", "section.migration"),
    ("customer_base", "section.customer_base"),
    ("customers", "section.customers"),
    ("appendix", "section.appendix_method"),
)


def title(ctx: ReportContext) -> Section:
    """The cover: report title, the study's title, the client (``client``), date, scope and
    the confidentiality line (prepared for the client, when the study names one)."""
    r, lang = ctx.results, ctx.language
    client = r.study.client
    for_client = () if client is None else (
        Paragraph(text("report.client", lang, name=client), css="abclab-cover-for"),
    )  # fmt: skip
    confidential = (
        text("report.confidential_anon", lang)
        if client is None
        else text("report.confidential", lang, name=client)
    )
    blocks = (
        Paragraph(r.study.name, css="abclab-cover-client"),
        *for_client,
        Paragraph(
            text("report.date", lang, date=_dt.date.today().isoformat()), css="abclab-cover-date"
        ),
        Paragraph(
            text(
                "report.scope",
                lang,
                n_customers=Count(r.counts["classified"]),
                n_methods=Count(r.tiers.shape[1]),
            ),
            css="abclab-cover-scope",
        ),
        Paragraph(confidential, css="abclab-confidential"),
    )
    return Section(key="title", title=text("report.cover_title", lang), blocks=blocks, level=1)


def contents(ctx: ReportContext) -> Section:
    """Table of contents: links to every section the report shows (page numbers in the
    PDF; the customer list is in the HTML only)."""
    r, lang = ctx.results, ctx.language
    shown = [
        (f"sec-{key}", text(message, lang))
        for key, message in ORDER
        if not (key == "agreement" and r.agreement is None)
        and not (key == "customer_base" and r.customer_base is None)
    ]
    return Section(
        key="contents",
        title="",
        blocks=(Contents(tuple(shown), title=text("report.contents", lang)),),
    )


def data_quality(ctx: ReportContext) -> Section:
    """Customer accounting; file rows set aside; log customers missing from the customer
    table; invoice lines that look like keying errors; possible duplicates kept apart;
    returns; values flagged and used as they are; the cleaning log by rule; pending customers."""
    r, lang = ctx.results, ctx.language
    c = {k: Count(v) for k, v in r.counts.items()}
    c.setdefault("excluded", Count(0))
    balanced = r.counts["input"] == sum(
        r.counts.get(k, 0) for k in ("classified", "pending", "merged", "excluded")
    )
    blocks: list[Block] = []
    if not balanced:
        blocks.append(paragraph(ctx, "text.counts_mismatch", css="abclab-warning", **c))
    blocks.extend(_set_aside(ctx))
    blocks.extend(_unmatched(ctx))
    blocks.extend(_flagged_lines(ctx))
    blocks.extend(_review(ctx))
    blocks.extend(_returns(ctx))
    flagged = outlier_table(r)
    if len(flagged):
        flagged = flagged.assign(
            column=flagged["column"].map(lambda x: criterion_labels(r).get(x, x))
        )
        blocks.append(heading(ctx, "sub.outliers"))
        blocks.append(paragraph(ctx, "text.outliers_used", n=Count(len(flagged))))
        money = {
            "value": lambda x: format_number(x),
            "times_median": lambda x: f"{format_count(x)}×",
        }
        blocks.extend(
            customer_table(
                ctx,
                flagged.head(10),
                formats=money,
                max_rows=10,
                caption=text("sub.outliers", lang),
            )  # fmt: skip
        )
    blocks.append(heading(ctx, "sub.cleaning_log"))
    log = r.cleaning.log
    if len(log) == 0:
        blocks.append(paragraph(ctx, "text.no_log"))
    else:
        summary = cleaning_summary(log)
        summary["rule"] = [display_name("rule", rule, lang) for rule in summary["rule"]]
        labels = criterion_labels(r)
        summary["column"] = [labels.get(str(v), v) for v in summary["column"]]
        blocks.append(table(ctx, summary, index=False, caption=text("sub.cleaning_log", lang)))
    blocks.append(heading(ctx, "sub.pending"))
    pending = r.cleaning.pending
    if len(pending) == 0:
        blocks.append(paragraph(ctx, "text.no_pending"))
    else:
        contacts = list(pii_columns(r.study, pending))
        keep = [
            c for c in ["name", *contacts, *r.criteria.columns, "pending_reason"] if c in pending
        ]
        shown = pending[keep].copy()
        why = reason_text(r, lang).reindex(shown.index)
        shown["pending_reason"] = why.where(why.notna(), shown["pending_reason"])
        blocks.extend(customer_table(ctx, shown, caption=text("sub.pending", lang)))
    return Section(
        key="data_quality",
        title=text("section.data_quality", lang),
        takeaway=text("text.accounting", lang, **c) if balanced else "",
        blocks=tuple(blocks),
    )


def _set_aside(ctx: ReportContext) -> list[Block]:
    rows = ctx.results.data.set_aside
    if len(rows) == 0:
        return []
    lang = ctx.language
    shown = rows.assign(
        file=[Path(str(f)).name for f in rows["file"]],
        kind=[display_name("kind", k, lang) for k in rows["kind"]],
    )
    return [
        heading(ctx, "sub.set_aside"),
        paragraph(ctx, "text.set_aside", n=Count(len(rows))),
        table(ctx, shown.head(ctx.max_rows), index=False, caption=text("sub.set_aside", lang)),
    ]


def _unmatched(ctx: ReportContext) -> list[Block]:
    r, lang = ctx.results, ctx.language
    rows = r.data.unmatched
    if len(rows) == 0:
        return []
    shown = rows.set_index("customer_id").sort_values("amount", ascending=False)
    shown.index.name = "customer"
    for col in ("first_purchase", "last_purchase"):
        if col in shown:
            shown[col] = [_date_text(v) for v in shown[col]]
    return [
        heading(ctx, "sub.unmatched"),
        paragraph(
            ctx,
            "text.unmatched",
            n=Count(len(rows)),
            lines=Count(rows["lines"].sum()),
            amount=format_money(rows["amount"].sum(), language=lang, compact=lang == "zh"),
        ),
        table(
            ctx,
            shown.head(ctx.max_rows),
            caption=text("sub.unmatched", lang),
            formats={
                "amount": lambda x: format_money(x, language=lang, compact=lang == "zh"),
                "lines": format_count,
            },
        ),
    ]


def _flagged_lines(ctx: ReportContext) -> list[Block]:
    r, lang = ctx.results, ctx.language
    lines = r.clean.flagged_lines
    if len(lines) == 0:
        return []
    shown = pd.DataFrame(
        {
            "date": [_date_text(v) for v in lines["date"]],
            "amount": lines["amount"].to_numpy(float),
            "customer_median": lines["customer_median"].to_numpy(float),
            "multiple": lines["multiple"].to_numpy(float),
        },
        index=pd.Index(lines["customer"].astype(str).to_numpy(), name="customer"),
    )
    money = {
        "amount": lambda x: format_money(x, language=lang, compact=lang == "zh"),
        "customer_median": lambda x: format_money(x, language=lang, compact=lang == "zh"),
        "multiple": lambda x: f"{format_count(x)}×",
    }
    return [
        heading(ctx, "sub.flagged_lines"),
        paragraph(ctx, "text.flagged_lines", n=Count(len(lines))),
        *customer_table(ctx, shown, formats=money, caption=text("sub.flagged_lines", lang)),
    ]


def _review(ctx: ReportContext) -> list[Block]:
    r, lang = ctx.results, ctx.language
    review = r.cleaning.review
    if len(review) == 0:
        return []
    shown = pd.DataFrame(
        {
            "name": review["name"].astype(str).to_numpy(),
            "candidate": review["candidate"].astype(str).to_numpy(),
            "candidate_name": review["candidate_name"].astype(str).to_numpy(),
            "rule": [display_name("rule", v, lang) for v in review["rule"]],
            "evidence": [evidence_text(r, v, lang) for v in review["evidence"]],
        },
        index=pd.Index(review["customer"].astype(str).to_numpy(), name="customer"),
    )
    return [
        heading(ctx, "sub.review"),
        paragraph(ctx, "text.review", n=Count(len(review))),
        table(ctx, shown.head(ctx.max_rows), caption=text("sub.review", lang)),
    ]


def _returns(ctx: ReportContext) -> list[Block]:
    r, lang = ctx.results, ctx.language
    returns = r.data.returns
    if returns is None:
        return []
    total = returns.total
    if not total.get("return_count"):
        return [heading(ctx, "sub.returns"), paragraph(ctx, "text.no_returns")]
    per = returns.per_customer.sort_values("returned_amount", ascending=False).head(10)
    money = {
        "returned_amount": lambda x: format_money(x, language=lang, compact=lang == "zh"),
        "gross_spend": lambda x: format_money(x, language=lang, compact=lang == "zh"),
        "return_share": lambda x: format_percent(x, decimals=1),
        "return_count": format_count,
    }
    return [
        heading(ctx, "sub.returns"),
        paragraph(
            ctx,
            "text.returns",
            count=Count(total["return_count"]),
            customers=Count(total["customers"]),
            amount=format_money(total["returned_amount"], language=lang, compact=lang == "zh"),
            share=format_percent(total["return_share"], decimals=1),
        ),
        *customer_table(ctx, per, formats=money, max_rows=10, caption=text("sub.returns", lang)),
    ]


def _date_text(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "–"
    return str(pd.Timestamp(value).date()) if not isinstance(value, str) else value


def appendix(ctx: ReportContext, parameters: Mapping[str, Any] | None = None) -> Section:
    """How the tiers were computed, for the client: the criteria (label, direction, scoring,
    weight), the methods compared, the evaluation date. Files, hashes, timings and versions
    stay in ``provenance.json`` (``parameters`` is accepted for the notebook's call and not
    shown: it holds the study's path)."""
    r, lang = ctx.results, ctx.language
    labels = criterion_labels(r)
    rows = []
    for c in r.study.criteria:
        rows.append(
            {
                "criterion": labels.get(c.name, c.name),
                "direction": text(f"word.{c.direction}", lang),
                "normalise": display_name(
                    "norm", "bands" if getattr(c, "bands", None) else c.normalise, lang
                ),
                "weight": float(r.weights.get(c.name, np.nan)),
            }
        )
    criteria = pd.DataFrame(rows)
    names = method_labels(r, lang)
    methods = pd.DataFrame(
        {"method": [names[m.name] for m in r.study.methods]},
    )
    methods["used"] = [
        text("word.recommended", lang) if m.name == r.recommended else "" for m in r.study.methods
    ]
    blocks: list[Block] = [paragraph(ctx, "text.appendix_intro")]
    description = getattr(r.study, "description", None)
    if description:
        blocks.append(Paragraph(str(description), css="abclab-description"))
    as_of = getattr(getattr(r.study.data, "transactions", None), "as_of", None)
    if as_of is not None:
        blocks.append(paragraph(ctx, "text.as_of", date=str(as_of)[:10]))
    blocks += [
        heading(ctx, "sub.criteria"),
        table(
            ctx,
            criteria,
            index=False,
            caption=text("sub.criteria", lang),
            formats={"weight": lambda x: format_percent(x, decimals=1)},
        ),
        heading(ctx, "sub.methods_used"),
        table(ctx, methods, index=False, caption=text("sub.methods_used", lang)),
    ]
    return Section("appendix", text("section.appendix_method", lang), tuple(blocks))


def write_outputs(
    ctx: ReportContext, output_dir: str | Path, *, write_xlsx: bool, parameters: Mapping[str, Any]
) -> None:
    """Write the Excel workbook (when asked) and ``provenance.json`` into ``output_dir``."""
    out = Path(output_dir)
    if write_xlsx:
        write_workbook(ctx.results, out / "report.xlsx")
    extra = {"report_parameters": {k: _plain(v) for k, v in parameters.items()}}
    write_provenance(ctx.results, out / "provenance.json", extra=extra)


def _plain(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)
