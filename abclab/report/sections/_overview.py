"""The frame of the report: title, executive summary, data quality, the appendix (parameters,
study, data files with SHA-256, versions) and the one action of the notebook,
:func:`write_outputs` (Excel workbook and ``provenance.json``)."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from abclab.pipeline import comparable_tiers, pii_columns
from abclab.report._excel import write_workbook
from abclab.report._i18n import display_name, text
from abclab.report._provenance import file_sha256, package_versions, write_provenance
from abclab.report.sections._blocks import Block, Paragraph, Preformatted, Section
from abclab.report.sections._context import (
    ReportContext,
    customer_table,
    heading,
    method_labels,
    paragraph,
    table,
)
from abclab.report.sections._tables import (
    agreement_headline,
    cleaning_summary,
    count_disputed,
    outlier_table,
)


def title(ctx: ReportContext) -> Section:
    """Report title and a one-line subtitle (customers, methods, date)."""
    r = ctx.results
    subtitle = text(
        "report.subtitle",
        ctx.language,
        n_customers=r.counts["input"],
        n_methods=r.tiers.shape[1],
        date=_dt.date.today().isoformat(),
    )
    return Section(
        key="title",
        title=text("report.title", ctx.language, name=r.study.name),
        blocks=(Paragraph(subtitle, css="abclab-note"),),
        level=1,
    )


def executive_summary(ctx: ReportContext) -> Section:
    """Recommended method with its tiers, the agreement headline and the disputed count."""
    r, lang = ctx.results, ctx.language
    summary = r.summaries[r.recommended]
    cols = [
        c for c in ("tier", "count", "count_share", "total_value", "value_share") if c in summary
    ]
    blocks: list[Block] = [table(ctx, summary[cols], index=False)]
    headline = agreement_headline(r)
    if headline is not None:
        blocks.append(
            paragraph(ctx, "text.agreement_headline", percent=headline[0], kappa=headline[1])
        )
    compared = comparable_tiers(r.tiers.loc[r.criteria.index])
    compared = compared[[c for c in r.disputed.columns if c in compared.columns]]
    blocks.append(paragraph(ctx, "text.disputed_count", n=count_disputed(compared)))
    return Section(
        key="summary",
        title=text("section.summary", lang),
        takeaway=text("text.recommended", lang, method=method_labels(r, lang)[r.recommended]),
        blocks=tuple(blocks),
    )


def data_quality(ctx: ReportContext) -> Section:
    """Customer accounting, cleaning log summarised by rule, customers pending evaluation."""
    r, lang = ctx.results, ctx.language
    c = r.counts
    balanced = c["input"] == c["classified"] + c["pending"] + c["merged"]
    counts = paragraph(
        ctx,
        "text.counts" if balanced else "text.counts_mismatch",
        css="" if balanced else "abclab-warning",
        **c,
    )
    blocks: list[Block] = [heading(ctx, "sub.cleaning_log")]
    log = r.cleaning.log
    if len(log) == 0:
        blocks.append(paragraph(ctx, "text.no_log"))
    else:
        summary = cleaning_summary(log)
        summary["rule"] = [display_name("rule", rule, lang) for rule in summary["rule"]]
        blocks.append(table(ctx, summary, index=False))
    flagged = outlier_table(r)
    if len(flagged):
        blocks.append(heading(ctx, "sub.outliers"))
        blocks.append(paragraph(ctx, "text.outliers", n=len(flagged)))
        blocks.extend(customer_table(ctx, flagged.head(10), formatter=lambda x: f"{x:,.1f}"))
    blocks.append(heading(ctx, "sub.pending"))
    pending = r.cleaning.pending
    if len(pending) == 0:
        blocks.append(paragraph(ctx, "text.no_pending"))
    else:
        contacts = list(pii_columns(r.study, pending))
        keep = [
            c for c in ["name", *contacts, *r.criteria.columns, "pending_reason"] if c in pending
        ]
        blocks.extend(customer_table(ctx, pending[keep]))
    return Section(
        key="data_quality",
        title=text("section.data_quality", lang),
        takeaway=counts.text if balanced else "",
        blocks=tuple(blocks if balanced else [counts, *blocks]),
    )


def appendix(ctx: ReportContext, parameters: Mapping[str, Any]) -> Section:
    """Notebook parameters, the study as a table, data files with SHA-256, package versions."""
    r = ctx.results
    params = pd.DataFrame({"key": list(parameters), "value": [str(v) for v in parameters.values()]})
    study_text = yaml.safe_dump(
        r.study.to_dict(), allow_unicode=True, sort_keys=False, default_flow_style=None, width=88
    )
    files = pd.DataFrame(
        {
            "file": [Path(p).name for p in r.data_files],
            "sha256": [file_sha256(p) for p in r.data_files],
        }
    )
    timings = pd.DataFrame({"stage": list(r.timings), "seconds": list(r.timings.values())})
    versions = package_versions()
    versions_table = pd.DataFrame({"package": list(versions), "version": list(versions.values())})
    blocks = (
        table(ctx, params, index=False),
        heading(ctx, "sub.study"),
        Preformatted(study_text),
        heading(ctx, "sub.provenance"),
        table(ctx, files, index=False),
        table(ctx, timings, index=False, formatter=lambda x: f"{x:.3f}"),
        heading(ctx, "sub.versions"),
        table(ctx, versions_table, index=False),
    )
    return Section("appendix", text("section.appendix", ctx.language), blocks)


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
