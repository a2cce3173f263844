"""Report sections: each function renders one part of the report from ``StudyResults``.

The report notebook (``abclab/notebooks/report.ipynb``) holds no logic of its own: each cell
calls one or two functions of this module. Every section displays HTML built here:

- tables with ``DataFrame.to_html(escape=True)``, so a customer called
  ``<script>alert(1)</script>`` shows as text;
- sentences through :func:`html.escape` (a tiny ``**bold**`` mark-up is applied after
  escaping);
- charts as PNG (:mod:`abclab.report.charts`), embedded by nbconvert as base64.

Contact columns (phone, e-mail) are masked in every customer-level table unless the report is
run with ``mask_pii=False``. Headings, table headers and chart labels come from
:mod:`abclab.report._i18n` in the study's language.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from abclab.report import charts
from abclab.report._i18n import check_language, display_name, label_frame, text
from abclab.report._masking import mask_frame

__all__ = [
    "ReportContext",
    "agreement",
    "appendix",
    "clusters",
    "context",
    "data_quality",
    "disputed",
    "executive_summary",
    "method_summaries",
    "migration",
    "pareto_lorenz",
    "sensitivity",
    "strategies",
    "title",
    "value_potential",
    "weights",
    "write_outputs",
]

_CLUSTER_METHODS = ("kmeans", "gmm", "ward")
_SHARE_COLUMNS = (
    "count_share",
    "value_share",
    "share",
    "stability",
    "percent",
    "average_margin",
    "mean_stability",
    "min_stability",
)


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


# --------------------------------------------------------------------------- sections


def title(ctx: ReportContext) -> None:
    """Report title and a one-line subtitle (customers, methods, date)."""
    r = ctx.results
    _emit_html(f"<h1>{_esc(text('report.title', ctx.language, name=r.study.name))}</h1>")
    subtitle = text(
        "report.subtitle",
        ctx.language,
        n_customers=r.counts["input"],
        n_methods=r.tiers.shape[1],
        date=_dt.date.today().isoformat(),
    )
    _emit_html(f'<p class="abclab-note">{_esc(subtitle)}</p>')


def executive_summary(ctx: ReportContext) -> None:
    """Recommended method with its tiers, the agreement headline and the disputed count."""
    r, lang = ctx.results, ctx.language
    _heading(ctx, "section.summary")
    _paragraph(text("text.recommended", lang, method=method_labels(r, lang)[r.recommended]))
    summary = r.summaries[r.recommended]
    cols = [
        c for c in ("tier", "count", "count_share", "total_value", "value_share") if c in summary
    ]
    _table(ctx, summary[cols], index=False)
    headline = agreement_headline(r)
    if headline is not None:
        _paragraph(text("text.agreement_headline", lang, percent=headline[0], kappa=headline[1]))
    from abclab.pipeline import comparable_tiers

    compared = comparable_tiers(r.tiers.loc[r.criteria.index])
    compared = compared[[c for c in r.disputed.columns if c in compared.columns]]
    _paragraph(text("text.disputed_count", lang, n=count_disputed(compared)))


def data_quality(ctx: ReportContext) -> None:
    """Customer accounting, cleaning log summarised by rule, customers pending evaluation."""
    r, lang = ctx.results, ctx.language
    _heading(ctx, "section.data_quality")
    _counts_sentence(ctx)
    _heading(ctx, "sub.cleaning_log", level=3)
    log = r.cleaning.log
    if len(log) == 0:
        _paragraph(text("text.no_log", lang))
    else:
        summary = cleaning_summary(log)
        summary["rule"] = [display_name("rule", rule, lang) for rule in summary["rule"]]
        _table(ctx, summary, index=False)
    flagged = outlier_table(r)
    if len(flagged):
        _heading(ctx, "sub.outliers", level=3)
        _paragraph(text("text.outliers", lang, n=len(flagged)))
        _customer_table(ctx, flagged.head(10), formatter=lambda x: f"{x:,.1f}")
    _heading(ctx, "sub.pending", level=3)
    pending = r.cleaning.pending
    if len(pending) == 0:
        _paragraph(text("text.no_pending", lang))
    else:
        contacts = list(_pii_columns(r, pending))
        keep = [
            c for c in ["name", *contacts, *r.criteria.columns, "pending_reason"] if c in pending
        ]
        _customer_table(ctx, pending[keep])


def weights(ctx: ReportContext) -> None:
    """AHP matrix, weights and consistency per expert; objective weights beside them."""
    r, lang = ctx.results, ctx.language
    _heading(ctx, "section.weights")
    for expert, res in r.ahp.items():
        _heading(ctx, "sub.ahp_expert", level=3, expert=expert)
        matrix = res.matrix.copy()
        matrix["weight"] = res.weights.reindex(matrix.index)
        _table(ctx, matrix, formatter=lambda x: f"{x:.4g}" if x >= 1 else f"{x:.4f}")
        _consistency(ctx, res)
        worst = res.inconsistent_judgements()
        if len(worst) and not res.consistent:
            _heading(ctx, "sub.inconsistent", level=4, expert=expert)
            labels = criterion_labels(r)
            repair = inconsistency_table(worst).head(3)
            repair = repair.replace({"row": labels, "column": labels})
            _table(ctx, repair, index=False, formatter=lambda x: f"{x:.3g}")
    if r.ahp_group is not None:
        _paragraph(text("text.group", lang, n=len(r.ahp)))
        _consistency(ctx, r.ahp_group)
    _heading(ctx, "sub.weights_compare", level=3)
    comparison = r.weight_comparison
    _table(ctx, comparison, formatter=lambda x: f"{x:.4f}")
    plotted = comparison.drop(
        columns=[c for c in ("used",) if c in comparison and "ahp" in comparison]
    )
    _figure(ctx, charts.weights_chart(plotted.rename(index=criterion_labels(r)), language=lang))


def method_summaries(ctx: ReportContext) -> None:
    """The source-003 summary table (count, shares, value, margin, strategy) of each method."""
    r = ctx.results
    _heading(ctx, "section.methods")
    for method, summary in r.summaries.items():
        _heading(ctx, "sub.method_summary", level=3, method=method_labels(r, ctx.language)[method])
        _table(ctx, summary, index=False)


def pareto_lorenz(ctx: ReportContext) -> None:
    """Pareto (ABC) curve with the cut-offs, Lorenz curve and Gini of the main value criterion."""
    from abclab import compare

    r, lang = ctx.results, ctx.language
    _heading(ctx, "section.pareto")
    name = value_criterion(r)
    values = r.criteria[name].clip(lower=0).dropna()
    gini = compare.gini(values)
    cutoffs = _pareto_cutoffs(r)
    fig = charts.pareto_lorenz_chart(
        compare.lorenz(values, kind="abc"),
        compare.lorenz(values, kind="lorenz"),
        gini=gini,
        cutoffs=cutoffs,
        language=lang,
    )
    _figure(ctx, fig)
    _paragraph(text("text.gini", lang, value=name, gini=gini))


def agreement(ctx: ReportContext) -> None:
    """Heat map of Cohen's κ and the table of percent agreement between methods."""
    r, lang = ctx.results, ctx.language
    _heading(ctx, "section.agreement")
    if r.agreement is None:
        return
    names = method_labels(r, lang)
    kappa = r.agreement.kappa.rename(index=names, columns=names)
    _figure(ctx, charts.agreement_heatmap(kappa, language=lang))
    percent = r.agreement.percent.rename(index=names, columns=names)
    _table(ctx, percent, formatter=lambda x: f"{x:.0%}")


def disputed(ctx: ReportContext) -> None:
    """Customers the methods classify most differently (names escaped, contacts masked)."""
    r, lang = ctx.results, ctx.language
    _heading(ctx, "section.disputed")
    if len(r.disputed) == 0:
        _paragraph(text("text.no_disputed", lang))
        return
    # Compact for A4: the tier range as a whole number, the rank columns dropped (the tiers
    # are shown), criteria to three significant figures.
    shown = r.disputed.drop(columns=["best_rank", "worst_rank"], errors="ignore")
    shown["rank_range"] = shown["rank_range"].astype("int64")
    shown = shown.rename(columns=method_labels(r, lang))
    _customer_table(ctx, shown, formatter=_compact_number)


def _compact_number(x: float) -> str:
    """1234567 -> '1.23M', 0.1234 -> '0.123', 42 -> '42' (three significant figures)."""
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= size:
            return f"{x / size:.3g}{suffix}"
    return f"{x:.3g}"


def value_potential(ctx: ReportContext) -> None:
    """Value × potential scatter coloured by tier (needs a ``value_potential`` method)."""
    r, lang = ctx.results, ctx.language
    _heading(ctx, "section.value_potential")
    spec = next((m for m in r.study.methods if m.method == "value_potential"), None)
    if spec is None:
        _paragraph(text("text.no_value_potential", lang))
        return
    from abclab.pipeline import value_potential_inputs

    value, potential = value_potential_inputs(r, spec.name)
    tiers = _classified(r, spec.name)
    _figure(
        ctx,
        charts.value_potential_scatter(value, potential, tiers, method=spec.name, language=lang),
    )


def clusters(ctx: ReportContext) -> None:
    """Customers on two principal components, coloured by the first clustering method's tiers."""
    r, lang = ctx.results, ctx.language
    _heading(ctx, "section.clusters")
    spec = next((m for m in r.study.methods if m.method in _CLUSTER_METHODS), None)
    if spec is None:
        _paragraph(text("text.no_clusters", lang))
        return
    frame = r.scores.indicator_scores.loc[r.criteria.index]
    fig = charts.cluster_projection(
        frame, _classified(r, spec.name), language=lang, seed=r.study.seed
    )
    _figure(ctx, fig)


def sensitivity(ctx: ReportContext) -> None:
    """Per-customer class stability under weight perturbation: chart and table per tier."""
    r, lang = ctx.results, ctx.language
    _heading(ctx, "section.sensitivity")
    result = r.sensitivity
    if result is None:
        _paragraph(text("text.no_sensitivity", lang))
        return
    per = result.per_customer
    _paragraph(text("text.stability", lang, stability=float(per["stability"].mean())))
    _figure(ctx, charts.stability_chart(per["stability"], per["base_tier"], language=lang))
    table = per.groupby("base_tier", observed=False)["stability"].agg(
        customers="count", mean_stability="mean", min_stability="min"
    )
    _table(ctx, table)


def migration(ctx: ReportContext) -> None:
    """Migration matrix previous tier → current tier (when a previous period was given)."""
    r, lang = ctx.results, ctx.language
    _heading(ctx, "section.migration")
    if r.migration is None:
        _paragraph(text("text.no_migration", lang))
        return
    matrix = r.migration.select_dtypes("number")
    _figure(ctx, charts.migration_heatmap(matrix, language=lang))
    _table(ctx, r.migration)


def strategies(ctx: ReportContext) -> None:
    """Tier → service strategy table of the recommended method."""
    _heading(ctx, "section.strategy")
    table = ctx.results.strategies
    _table(ctx, table.drop(columns=["key"], errors="ignore"))


def appendix(ctx: ReportContext, parameters: Mapping[str, Any]) -> None:
    """Notebook parameters, the study as a table, data files with SHA-256, package versions."""
    from abclab.report._provenance import file_sha256, package_versions

    r, lang = ctx.results, ctx.language
    _heading(ctx, "section.appendix")
    params = pd.DataFrame({"key": list(parameters), "value": [str(v) for v in parameters.values()]})
    _table(ctx, params, index=False)
    _heading(ctx, "sub.study", level=3)
    study_text = yaml.safe_dump(
        r.study.to_dict(), allow_unicode=True, sort_keys=False, default_flow_style=None, width=88
    )
    _emit_html(f'<pre class="abclab-study">{_esc(study_text)}</pre>')
    _heading(ctx, "sub.provenance", level=3)
    files = pd.DataFrame(
        {
            "file": [Path(p).name for p in r.data_files],
            "sha256": [file_sha256(p) for p in r.data_files],
        }
    )
    _table(ctx, files, index=False)
    timings = pd.DataFrame({"stage": list(r.timings), "seconds": list(r.timings.values())})
    _table(ctx, timings, index=False, formatter=lambda x: f"{x:.3f}")
    _heading(ctx, "sub.versions", level=3)
    versions = package_versions()
    _table(
        ctx,
        pd.DataFrame({"package": list(versions), "version": list(versions.values())}),
        index=False,
    )
    del lang


def write_outputs(
    ctx: ReportContext, output_dir: str | Path, *, write_xlsx: bool, parameters: Mapping[str, Any]
) -> None:
    """Write the Excel workbook (when asked) and ``provenance.json`` into ``output_dir``."""
    from abclab.report._excel import write_workbook
    from abclab.report._provenance import write_provenance

    out = Path(output_dir)
    if write_xlsx:
        write_workbook(ctx.results, out / "report.xlsx")
    extra = {"report_parameters": {k: _plain(v) for k, v in parameters.items()}}
    write_provenance(ctx.results, out / "provenance.json", extra=extra)


# --------------------------------------------------------------------------- tables


def cleaning_summary(log: pd.DataFrame) -> pd.DataFrame:
    """Cleaning log summarised by rule and column: number of changes and of customers."""
    grouped = log.groupby(["rule", "column"], sort=True, dropna=False)
    return grouped.agg(
        changes=("customer", "size"), customers=("customer", "nunique")
    ).reset_index()


def outlier_table(results: Any) -> pd.DataFrame:
    """Values the cleaning flagged as outliers, largest multiple of the median first.

    A keying error such as 万元 entered as 元 or an extra "00" shows up at the top as a value
    of about 100 or 10 000 times the median. Columns ``column, value, times_median``, indexed
    by customer; only flags on criteria of classified customers (after any winsorising the
    log's old value is shown).
    """
    log = results.cleaning.log
    flags = log[log["rule"].astype(str).str.startswith(("outlier", "winsorize"))]
    flags = flags[flags["column"].isin(results.criteria.columns)]
    if len(flags) == 0:
        return pd.DataFrame(columns=["column", "value", "times_median"])
    value = pd.to_numeric(flags["old_value"], errors="coerce")
    median = flags["column"].map(results.criteria.median())
    table = pd.DataFrame(
        {
            "column": flags["column"].to_numpy(),
            "value": value.to_numpy(),
            "times_median": (value / median.where(median != 0)).to_numpy(),
        },
        index=pd.Index(flags["customer"].to_numpy(), name="customer"),
    )
    table = table[~table.index.duplicated(keep="first") | ~table["column"].duplicated()]
    return table.sort_values("times_median", ascending=False, key=np.abs)


def inconsistency_table(repair: pd.DataFrame) -> pd.DataFrame:
    """Repair aid: judged value, the value consistent with the weights (w_i/w_j), the nearest
    Saaty-scale value to enter instead, and the CR that revision would give; most
    inconsistent first (from :meth:`abclab.ahp.AHPResult.inconsistent_judgements`)."""
    keep = {
        "row": "row",
        "column": "column",
        "judgement": "judged",
        "consistent_value": "consistent_value",
        "suggested_value": "suggested_value",
        "cr_if_revised": "cr_if_revised",
        "log_error": "error",
    }
    cols = {k: v for k, v in keep.items() if k in repair.columns}
    return repair[list(cols)].rename(columns=cols).loc[:, lambda f: ~f.columns.duplicated()]


def count_disputed(tiers: pd.DataFrame) -> int:
    """Number of customers whose tier position differs between at least two methods."""
    if tiers.shape[1] < 2:
        return 0
    codes = np.column_stack([np.asarray(tiers[c].cat.codes, dtype=float) for c in tiers.columns])
    codes[codes < 0] = np.nan
    with np.errstate(invalid="ignore"):
        spread = np.nanmax(codes, axis=1) - np.nanmin(codes, axis=1)
    return int(np.sum(spread > 0))


def agreement_headline(results: Any) -> tuple[float, float] | None:
    """Mean off-diagonal percent agreement and Cohen's κ over all pairs of methods."""
    if results.agreement is None:
        return None
    mask = ~np.eye(len(results.agreement.percent), dtype=bool)
    percent = float(np.nanmean(results.agreement.percent.to_numpy(float)[mask]))
    kappa = float(np.nanmean(results.agreement.kappa.to_numpy(float)[mask]))
    return percent, kappa


def value_criterion(results: Any) -> str:
    """Criterion plotted on the Pareto curve.

    The ``value`` parameter of the first value-based method of the study (``pareto``,
    ``shares``, ``computed_abc``, ``bands``) when it names a criterion, else the benefit
    criterion with the largest weight.
    """
    for spec in results.study.methods:
        name = spec.params.get("value")
        if (
            spec.method in ("pareto", "shares", "computed_abc", "bands")
            and name in results.criteria
        ):
            return str(name)
    benefit = [c.name for c in results.study.criteria if c.direction == "benefit"]
    w = results.weights.reindex(benefit or list(results.weights.index))
    return str(w.idxmax())


# --------------------------------------------------------------------------- rendering


def render_table(
    frame: pd.DataFrame,
    *,
    language: str = "en",
    index: bool = True,
    formatter: Callable[[float], str] | None = None,
) -> str:
    """HTML of a table with translated headers; every value and header is HTML-escaped.

    Columns named like shares (``count_share``, ``value_share`` ...) are shown as percentages;
    other floats with ``formatter`` (default: thousands separator, two decimals).
    """
    shown = frame.copy()
    fmt = formatter or (lambda x: f"{x:,.2f}")
    for column in shown.columns:
        series = shown[column]
        if pd.api.types.is_float_dtype(series):
            rule = (lambda x: f"{x:.1%}") if str(column) in _SHARE_COLUMNS else fmt
            shown[column] = pd.Series(
                [("–" if pd.isna(v) else rule(float(v))) for v in series],
                index=shown.index,
                dtype=object,
            )
    numeric = [k for k, c in enumerate(frame.columns) if pd.api.types.is_numeric_dtype(frame[c])]
    shown = label_frame(shown, language)
    classes = "abclab-table abclab-tid" + (" abclab-small" if len(shown) <= 15 else "")
    markup = shown.to_html(escape=True, index=index, classes=classes, border=0, na_rep="–")
    # Right-align numeric columns with a rule scoped to this table (id = content hash).
    table_id = "abclab-t" + hashlib.sha1(markup.encode("utf-8")).hexdigest()[:10]
    offset = frame.index.nlevels if index else 0
    rules = "".join(
        f"table.{table_id} td:nth-child({k + offset + 1}){{text-align:right !important}}"
        for k in numeric
    )
    markup = markup.replace("abclab-tid", table_id, 1)
    return (f"<style>{rules}</style>" if rules else "") + markup


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


def _table(
    ctx: ReportContext,
    frame: pd.DataFrame,
    *,
    index: bool = True,
    formatter: Callable[[float], str] | None = None,
) -> None:
    labels = criterion_labels(ctx.results)
    if labels:  # criterion ids in headers or row labels are shown as the study's labels
        frame = frame.rename(columns=labels)
        if frame.index.nlevels == 1:
            frame = frame.rename(index=labels)
    _emit_html(render_table(frame, language=ctx.language, index=index, formatter=formatter))


def _customer_table(
    ctx: ReportContext,
    frame: pd.DataFrame,
    *,
    formatter: Callable[[float], str] | None = None,
) -> None:
    """A customer list: names from ``display_names``, contacts masked, at most ``max_rows``."""
    r = ctx.results
    shown = frame.head(ctx.max_rows).copy()
    names = r.display_names.reindex(shown.index)
    if "name" not in shown.columns and names.notna().any():
        shown.insert(0, "name", names.to_numpy())
    if ctx.mask_pii:
        shown = mask_frame(shown, columns=_pii_columns(r, shown))
    shown.index = shown.index.set_names(["customer"])
    _table(ctx, shown, formatter=formatter)
    if len(frame) > ctx.max_rows:
        _paragraph(text("text.more_rows", ctx.language, shown=ctx.max_rows, total=len(frame)))


def _pii_columns(results: Any, frame: pd.DataFrame) -> dict[str, str]:
    from abclab.pipeline import pii_columns

    return pii_columns(results.study, frame)


def _consistency(ctx: ReportContext, res: Any) -> None:
    verdict = text("text.consistent" if res.consistent else "text.inconsistent", ctx.language)
    _paragraph(
        text(
            "text.cr",
            ctx.language,
            lambda_max=res.lambda_max,
            ci=res.ci,
            cr=res.cr,
            ri_table=f"{res.ri_table} (RI = {res.ri:.2f})",
            verdict=verdict,
        )
    )


def _counts_sentence(ctx: ReportContext) -> None:
    c = ctx.results.counts
    balanced = c["input"] == c["classified"] + c["pending"] + c["merged"]
    key = "text.counts" if balanced else "text.counts_mismatch"
    _paragraph(text(key, ctx.language, **c), css="" if balanced else "abclab-warning")


def _heading(ctx: ReportContext, key: str, *, level: int = 2, **values: object) -> None:
    _emit_html(f"<h{level}>{_esc(text(key, ctx.language, **values))}</h{level}>")


def _paragraph(message: str, *, css: str = "") -> None:
    body = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", _esc(message))
    cls = f' class="{css}"' if css else ""
    _emit_html(f"<p{cls}>{body}</p>")


def _figure(ctx: ReportContext, fig: Any) -> None:
    from IPython.display import Image

    _emit(Image(data=charts.render_png(fig, ctx.language), format="png"))


def _emit_html(markup: str) -> None:
    from IPython.display import HTML

    _emit(HTML(markup))


def _emit(obj: object) -> None:
    from IPython.display import display

    display(obj)


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


# --------------------------------------------------------------------------- helpers


def _classified(results: Any, method: str) -> pd.Series:
    tiers = results.tiers[method].loc[results.criteria.index]
    return tiers.cat.remove_unused_categories()


def _pareto_cutoffs(results: Any) -> tuple[float, ...]:
    for spec in results.study.methods:
        if spec.method == "pareto" and "cutoffs" in spec.params:
            return tuple(float(c) for c in spec.params["cutoffs"])
    return (0.8, 0.95)


def _plain(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)
