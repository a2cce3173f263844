"""What every section needs (:class:`ReportContext`) and the block builders that apply the
report's conventions: criterion labels, translated text, masked customer lists."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from abclab.pipeline import pii_columns
from abclab.privacy import mask_frame
from abclab.report import charts
from abclab.report._i18n import check_language, display_name, text
from abclab.report.sections._blocks import Block, Figure, Heading, Paragraph, Table

__all__ = ["ReportContext", "context", "criterion_labels", "method_labels"]


@dataclass(frozen=True)
class ReportContext:
    """What every section needs: the results, the language, masking and table size."""

    results: Any
    language: str
    mask_pii: bool = True
    max_rows: int = 30


def context(
    results: Any, *, language: str = "", mask_pii: bool = True, max_rows: int = 30
) -> ReportContext:
    """Build the :class:`ReportContext` of a report.

    Parameters
    ----------
    results : abclab.pipeline.StudyResults
    language : {"", "en", "zh"}
        ``""`` uses the study's language.
    mask_pii : bool
        Mask phone and e-mail columns in customer tables (default on).
    max_rows : int
        Longest customer list shown (the Excel workbook has all rows).
    """
    if max_rows < 1:
        raise ValueError(f"max_rows must be a positive integer, got {max_rows!r}")
    lang = check_language(language or results.study.language)
    return ReportContext(
        results=results, language=lang, mask_pii=bool(mask_pii), max_rows=int(max_rows)
    )


def method_labels(results: Any, language: str) -> dict[str, str]:
    """Study method name -> display name (a method named after its kind gets the kind's
    translated name, e.g. ``weighted_abc`` -> "AHP加权ABC"; custom names stay)."""
    return {
        m.name: display_name("method", m.method, language) if m.name == m.method else m.name
        for m in results.study.methods
    }


def criterion_labels(results: Any) -> dict[str, str]:
    """Criterion id -> the study's display label (e.g. ``annual_spend`` -> "年消费额(元)")."""
    return {c.name: c.label for c in results.study.criteria if c.label}


# --------------------------------------------------------------------------- block builders


def heading(ctx: ReportContext, key: str, *, level: int = 3, **values: object) -> Heading:
    """A translated sub-heading."""
    return Heading(text(key, ctx.language, **values), level)


def paragraph(ctx: ReportContext, key: str, *, css: str = "", **values: object) -> Paragraph:
    """A translated sentence."""
    return Paragraph(text(key, ctx.language, **values), css)


def table(
    ctx: ReportContext,
    frame: pd.DataFrame,
    *,
    index: bool = True,
    formatter: Callable[[float], str] | None = None,
) -> Table:
    """A table whose criterion ids (headers, row labels) show as the study's labels."""
    labels = criterion_labels(ctx.results)
    if labels:
        frame = frame.rename(columns=labels)
        if frame.index.nlevels == 1:
            frame = frame.rename(index=labels)
    return Table(frame, language=ctx.language, index=index, formatter=formatter)


def customer_table(
    ctx: ReportContext,
    frame: pd.DataFrame,
    *,
    formatter: Callable[[float], str] | None = None,
) -> list[Block]:
    """A customer list: names from ``display_names``, contacts masked, at most ``max_rows``
    (then a sentence saying how many rows the workbook has)."""
    r = ctx.results
    shown = frame.head(ctx.max_rows).copy()
    names = r.display_names.reindex(shown.index)
    if "name" not in shown.columns and names.notna().any():
        shown.insert(0, "name", names.to_numpy())
    if ctx.mask_pii:
        shown = mask_frame(shown, columns=pii_columns(r.study, shown))
    shown.index = shown.index.set_names(["customer"])
    blocks: list[Block] = [table(ctx, shown, formatter=formatter)]
    if len(frame) > ctx.max_rows:
        blocks.append(
            paragraph(ctx, "text.more_rows", shown=ctx.max_rows, total=len(frame)),
        )
    return blocks


def figure(ctx: ReportContext, fig: Any, *, alt: str = "") -> Figure:
    """A matplotlib figure rendered to PNG with the fonts of the report's language."""
    return Figure(charts.render_png(fig, ctx.language), alt=alt)


def consistency(ctx: ReportContext, res: Any) -> Paragraph:
    """λmax, CI, CR with the RI table and the verdict of one AHP result."""
    verdict = text("text.consistent" if res.consistent else "text.inconsistent", ctx.language)
    return paragraph(
        ctx,
        "text.cr",
        lambda_max=res.lambda_max,
        ci=res.ci,
        cr=res.cr,
        ri_table=f"{res.ri_table} (RI = {res.ri:.2f})",
        verdict=verdict,
    )


def classified(results: Any, method: str) -> pd.Series:
    """Tiers of the classified customers by ``method`` (unused tiers dropped)."""
    tiers = results.tiers[method].loc[results.criteria.index]
    return tiers.cat.remove_unused_categories()
