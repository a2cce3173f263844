"""The analysis sections: AHP weights, per-method summaries, concentration, agreement between
methods, disputed customers, value × potential, clusters, weight sensitivity, tier migration
and tier strategies. A section says so in a sentence when the study lacks what it shows."""

from __future__ import annotations

from typing import Any

from abclab import compare
from abclab.methods import Pareto
from abclab.pipeline import value_potential_inputs
from abclab.report import charts
from abclab.report._i18n import text
from abclab.report.sections._blocks import Block, Section
from abclab.report.sections._context import (
    ReportContext,
    classified,
    consistency,
    criterion_labels,
    customer_table,
    figure,
    heading,
    method_labels,
    paragraph,
    table,
)
from abclab.report.sections._tables import inconsistency_table, value_criterion


def weights(ctx: ReportContext) -> Section:
    """AHP matrix, weights and consistency per expert; objective weights beside them."""
    r, lang = ctx.results, ctx.language
    blocks: list[Block] = []
    for expert, res in r.ahp.items():
        blocks.append(heading(ctx, "sub.ahp_expert", expert=expert))
        matrix = res.matrix.copy()
        matrix["weight"] = res.weights.reindex(matrix.index)
        blocks.append(table(ctx, matrix, formatter=lambda x: f"{x:.4g}" if x >= 1 else f"{x:.4f}"))
        blocks.append(consistency(ctx, res))
        worst = res.inconsistent_judgements()
        if len(worst) and not res.consistent:
            blocks.append(heading(ctx, "sub.inconsistent", level=4, expert=expert))
            labels = criterion_labels(r)
            repair = inconsistency_table(worst).head(3)
            repair = repair.replace({"row": labels, "column": labels})
            blocks.append(table(ctx, repair, index=False, formatter=lambda x: f"{x:.3g}"))
    if r.ahp_group is not None:
        blocks.append(paragraph(ctx, "text.group", n=len(r.ahp)))
        blocks.append(consistency(ctx, r.ahp_group))
    blocks.append(heading(ctx, "sub.weights_compare"))
    comparison = r.weight_comparison
    blocks.append(table(ctx, comparison, formatter=lambda x: f"{x:.4f}"))
    plotted = comparison.drop(
        columns=[c for c in ("used",) if c in comparison and "ahp" in comparison]
    )
    chart = charts.weights_chart(plotted.rename(index=criterion_labels(r)), language=lang)
    blocks.append(figure(ctx, chart, alt=text("sub.weights_compare", lang)))
    return Section("weights", text("section.weights", lang), tuple(blocks))


def method_summaries(ctx: ReportContext) -> Section:
    """The source-003 summary table (count, shares, value, margin, strategy) of each method."""
    r = ctx.results
    names = method_labels(r, ctx.language)
    blocks: list[Block] = []
    for method, summary in r.summaries.items():
        blocks.append(heading(ctx, "sub.method_summary", method=names[method]))
        blocks.append(table(ctx, summary, index=False))
    return Section("methods", text("section.methods", ctx.language), tuple(blocks))


def pareto_lorenz(ctx: ReportContext) -> Section:
    """Pareto (ABC) curve with the cut-offs, Lorenz curve and Gini of the main value criterion."""
    r, lang = ctx.results, ctx.language
    name = value_criterion(r)
    values = r.criteria[name].clip(lower=0).dropna()
    gini = compare.gini(values)
    fig = charts.pareto_lorenz_chart(
        compare.lorenz(values, kind="abc"),
        compare.lorenz(values, kind="lorenz"),
        gini=gini,
        cutoffs=_pareto_cutoffs(r),
        language=lang,
    )
    title = text("section.pareto", lang)
    return Section(
        "pareto",
        title,
        (figure(ctx, fig, alt=title), paragraph(ctx, "text.gini", value=name, gini=gini)),
    )


def agreement(ctx: ReportContext) -> Section:
    """Heat map of Cohen's κ and the table of percent agreement between methods (an empty
    section when the study has a single method)."""
    r, lang = ctx.results, ctx.language
    if r.agreement is None:
        return Section.empty("agreement")
    names = method_labels(r, lang)
    kappa = r.agreement.kappa.rename(index=names, columns=names)
    percent = r.agreement.percent.rename(index=names, columns=names)
    title = text("section.agreement", lang)
    return Section(
        "agreement",
        title,
        (
            figure(ctx, charts.agreement_heatmap(kappa, language=lang), alt=title),
            table(ctx, percent, formatter=lambda x: f"{x:.0%}"),
        ),
    )


def disputed(ctx: ReportContext) -> Section:
    """Customers the methods classify most differently (names escaped, contacts masked)."""
    r, lang = ctx.results, ctx.language
    title = text("section.disputed", lang)
    if len(r.disputed) == 0:
        return Section("disputed", title, (paragraph(ctx, "text.no_disputed"),))
    # Compact for A4: the tier range as a whole number, the rank columns dropped (the tiers
    # are shown), criteria to three significant figures.
    shown = r.disputed.drop(columns=["best_rank", "worst_rank"], errors="ignore")
    shown["rank_range"] = shown["rank_range"].astype("int64")
    shown = shown.rename(columns=method_labels(r, lang))
    return Section("disputed", title, tuple(customer_table(ctx, shown, formatter=compact_number)))


def strategies(ctx: ReportContext) -> Section:
    """Tier → service strategy table of the recommended method."""
    shown = ctx.results.strategies.drop(columns=["key"], errors="ignore")
    return Section("strategy", text("section.strategy", ctx.language), (table(ctx, shown),))


def compact_number(x: float) -> str:
    """1234567 -> '1.23M', 0.1234 -> '0.123', 42 -> '42' (three significant figures)."""
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= size:
            return f"{x / size:.3g}{suffix}"
    return f"{x:.3g}"


def _pareto_cutoffs(results: Any) -> tuple[float, ...]:
    for spec in results.study.methods:
        if isinstance(spec, Pareto):
            return tuple(float(c) for c in spec.cutoffs)
    return Pareto().cutoffs


def value_potential(ctx: ReportContext) -> Section:
    """Value × potential scatter coloured by tier (needs a ``value_potential`` method)."""
    r, lang = ctx.results, ctx.language
    title = text("section.value_potential", lang)
    spec = next((m for m in r.study.methods if m.method == "value_potential"), None)
    if spec is None:
        return Section("value_potential", title, (paragraph(ctx, "text.no_value_potential"),))
    value, potential = value_potential_inputs(r, spec.name)
    fig = charts.value_potential_scatter(
        value, potential, classified(r, spec.name), method=spec.name, language=lang
    )
    return Section("value_potential", title, (figure(ctx, fig, alt=title),))


def clusters(ctx: ReportContext) -> Section:
    """Customers on two principal components, coloured by the first clustering method's tiers."""
    r, lang = ctx.results, ctx.language
    title = text("section.clusters", lang)
    spec = next((m for m in r.study.methods if m.kind == "clusters"), None)
    if spec is None:
        return Section("clusters", title, (paragraph(ctx, "text.no_clusters"),))
    frame = r.scores.indicator_scores.loc[r.criteria.index]
    fig = charts.cluster_projection(
        frame, classified(r, spec.name), language=lang, seed=r.study.seed
    )
    return Section("clusters", title, (figure(ctx, fig, alt=title),))


def sensitivity(ctx: ReportContext) -> Section:
    """Per-customer class stability under weight perturbation: chart and table per tier."""
    r, lang = ctx.results, ctx.language
    title = text("section.sensitivity", lang)
    result = r.sensitivity
    if result is None:
        return Section("sensitivity", title, (paragraph(ctx, "text.no_sensitivity"),))
    per = result.per_customer
    chart = charts.stability_chart(per["stability"], per["base_tier"], language=lang)
    by_tier = per.groupby("base_tier", observed=False)["stability"].agg(
        customers="count", mean_stability="mean", min_stability="min"
    )
    return Section(
        "sensitivity",
        title,
        (figure(ctx, chart, alt=title), table(ctx, by_tier)),
        takeaway=text("text.stability", lang, stability=float(per["stability"].mean())),
    )


def migration(ctx: ReportContext) -> Section:
    """Migration matrix previous tier → current tier (when a previous period was given)."""
    r, lang = ctx.results, ctx.language
    title = text("section.migration", lang)
    if r.migration is None:
        return Section("migration", title, (paragraph(ctx, "text.no_migration"),))
    chart = charts.migration_heatmap(r.migration.select_dtypes("number"), language=lang)
    return Section("migration", title, (figure(ctx, chart, alt=title), table(ctx, r.migration)))
