"""What every section needs (:class:`ReportContext`) and the block builders that apply the
report's conventions: criterion labels, translated text, masked customer lists."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from abclab.pipeline import pii_columns
from abclab.privacy import mask_frame
from abclab.report import charts
from abclab.report._format import Count, format_money, format_number, format_percent
from abclab.report._i18n import check_language, criterion_labels, display_name, text
from abclab.report._reasons import pending_reasons
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
    caption: str = "",
    formats: Mapping[str, Callable[[float], str]] | None = None,
    css: str = "",
) -> Table:
    """A table whose criterion ids (headers, row labels) show as the study's labels; criterion
    columns get the criterion's number style unless ``formats`` names them."""
    labels = criterion_labels(ctx.results)
    rules = {
        str(c): criterion_formatter(ctx.results, str(c), ctx.language)
        for c in frame.columns
        if str(c) in ctx.results.criteria.columns
    }
    rules.update(formats or {})
    rules = {labels.get(k, k): v for k, v in rules.items()}
    if labels:
        frame = frame.rename(columns=labels)
        if frame.index.nlevels == 1:
            frame = frame.rename(index=labels)
    return Table(
        frame,
        language=ctx.language,
        index=index,
        formatter=formatter,
        caption=caption,
        formats=rules,
        css=css,
    )


def customer_table(
    ctx: ReportContext,
    frame: pd.DataFrame,
    *,
    formatter: Callable[[float], str] | None = None,
    caption: str = "",
    formats: Mapping[str, Callable[[float], str]] | None = None,
    max_rows: int | None = None,
) -> list[Block]:
    """A customer list: names from ``display_names``, contacts masked, at most ``max_rows``
    (then a sentence saying how many rows the workbook has)."""
    limit = max_rows or ctx.max_rows
    r = ctx.results
    shown = frame.head(limit).copy()
    names = r.display_names.reindex(shown.index)
    if "name" not in shown.columns and names.notna().any():
        shown.insert(0, "name", names.to_numpy())
    if ctx.mask_pii:
        shown = mask_frame(shown, columns=pii_columns(r.study, shown))
    shown.index = shown.index.set_names(["customer"])
    blocks: list[Block] = [table(ctx, shown, formatter=formatter, caption=caption, formats=formats)]
    if len(frame) > limit:
        blocks.append(
            paragraph(
                ctx,
                "text.more_rows",
                css="abclab-note",
                shown=Count(limit),
                total=Count(len(frame)),
            ),
        )
    return blocks


def figure(ctx: ReportContext, fig: Any, *, alt: str = "", caption: str = "") -> Figure:
    """A matplotlib figure rendered to PNG with the fonts of the report's language; the
    caption (the chart's one-sentence takeaway) is its alt text too."""
    return Figure(charts.render_png(fig, ctx.language), alt=alt or caption, caption=caption)


def consistency(ctx: ReportContext, res: Any) -> Paragraph:
    """λmax, CI, CR with the RI table and the verdict of one AHP result."""
    verdict = text(
        "text.consistent" if res.consistent else "text.inconsistent_client", ctx.language
    )
    return paragraph(
        ctx,
        "text.cr",
        lambda_max=res.lambda_max,
        ci=res.ci,
        cr=res.cr,
        ri_table=f"{display_name('ri', res.ri_table, ctx.language)} (RI = {res.ri:.2f})",
        verdict=verdict,
    )


def classified(results: Any, method: str) -> pd.Series:
    """Tiers of the classified customers by ``method`` (unused tiers dropped)."""
    tiers = results.tiers[method].loc[results.criteria.index]
    return tiers.cat.remove_unused_categories()


# --------------------------------------------------------------------------- number style
# Numbers go through abclab.report._format (one number style for the report and the
# workbook); sections call its functions directly.


def criterion_formatter(results: Any, column: str, language: str) -> Callable[[float], str]:
    """The number style of a criterion column: money for amounts, percentages for rates and
    margins (values within [-1, 1]), three significant figures otherwise."""
    values = pd.to_numeric(results.criteria.get(column, pd.Series(dtype=float)), errors="coerce")
    if column in MONEY_COLUMNS or (len(values) and values.abs().max() >= 1000):
        return lambda x: format_money(x, language=language, compact=language == "zh")
    if len(values) and values.abs().max() <= 1 and column not in COUNT_COLUMNS:
        return format_percent
    return format_number


#: Criteria and columns holding money amounts.
MONEY_COLUMNS = frozenset(
    {
        "annual_spend", "total_spend", "spend_12m", "spend_prev_12m", "profit", "amount",
        "total_value", "value", "returned_amount", "gross_spend", "customer_median",
        "clv", "monetary",
    }
)  # fmt: skip
#: Columns holding counts.
COUNT_COLUMNS = frozenset({"purchase_count", "line_count", "lines", "count", "customers"})


# --------------------------------------------------------------------------- client strings
# Reasons come with codes (abclab.cleaning.Reason) and are translated from them; the
# evidence of possible duplicates is still English text, matched by the patterns below.

_EVIDENCE = (
    (re.compile(r"^same normalised name (?P<value>.+)$"), "evidence.same_name"),
    (re.compile(r"^same (?P<column>\S+) (?P<value>.+) and similar name$"), "evidence.same_contact"),
    (re.compile(r"^legal form differs: (?P<a>.+) vs (?P<b>.+)$"), "evidence.legal_form"),
    (re.compile(r"^(?P<column>\S+) differs: (?P<a>.+) vs (?P<b>.+)$"), "evidence.contact_differs"),
)


def reason_text(results: Any, language: str) -> pd.Series:
    """Pending customer -> why it is pending, in the report's language with criterion labels
    (translated from the cleaning's reason codes: :func:`abclab.report._reasons.pending_reasons`)."""
    return pending_reasons(results.cleaning.reasons, language, labels=criterion_labels(results))


def evidence_text(results: Any, evidence: object, language: str) -> str:
    """The evidence of a possible duplicate in the report's language."""
    return _translate(results, evidence, language, _EVIDENCE)


def _translate(results: Any, value: object, language: str, patterns: tuple) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    labels = criterion_labels(results)
    parts = []
    for part in str(value).split("; "):
        for pattern, key in patterns:
            hit = pattern.match(part)
            if hit:
                values = {k: v.strip("'\"") for k, v in hit.groupdict().items()}
                for name in ("label", "column"):
                    if name in values:
                        values[name] = labels.get(values[name], values[name])
                parts.append(text(key, language, **values))
                break
        else:
            parts.append(part)
    return text("word.sep", language).join(parts) if language == "zh" else "; ".join(parts)


def status_text(status: object, language: str) -> str:
    """classified / pending / merged / excluded in the report's language."""
    return display_name("status", status, language)


def tier_text(tier: object, language: str) -> str:
    """A tier as shown: the no-data tier ``n/a`` in words, the others as they are."""
    if tier is None or (not isinstance(tier, str) and pd.isna(tier)):
        return "–"
    if str(tier) == "n/a":
        return text("word.no_data", language)
    if str(tier) in ("pending", "待评估"):
        return text("word.pending", language)
    return str(tier)


def tier_names(results: Any, language: str) -> dict[str, str]:
    """Tier -> the study's name for it (``tiers.labels``), else the recommended method's
    strategy-table name, else the tier itself."""
    names = {str(t): str(t) for t in results.tiers[results.recommended].cat.categories}
    strategies = results.strategies
    if "name" in strategies:
        names.update({str(t): _without_tier(str(t), str(n))
                      for t, n in strategies["name"].items() if pd.notna(n)})  # fmt: skip
    labels = getattr(results.study.tiers, "labels", None) or {}
    names.update({str(t): str(n) for t, n in labels.items()})
    return names


def _without_tier(tier: str, name: str) -> str:
    """A strategy-table name without its tier prefix: ``"A: key accounts"`` -> ``"Key accounts"``
    (the report shows the tier beside the name)."""
    prefix = f"{tier}: "
    if name.startswith(prefix) and len(name) > len(prefix):
        rest = name[len(prefix) :]
        return rest[0].upper() + rest[1:]
    return name


def join_names(items: list[str], language: str) -> str:
    """``a, b and c`` / ``a、b和c``."""
    if len(items) <= 1:
        return "".join(items)
    return text("word.sep", language).join(items[:-1]) + text("word.and", language) + items[-1]
