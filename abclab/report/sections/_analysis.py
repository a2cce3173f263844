"""The analysis sections: per-method summaries, concentration, agreement between
methods, disputed customers, value × potential, clusters, weight sensitivity, tier migration
and tier strategies. A section says so in a sentence when the study lacks what it shows."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from abclab import compare
from abclab.methods import Pareto
from abclab.pipeline import value_potential_inputs
from abclab.report import charts
from abclab.report._format import (
    Count,
    format_count,
    format_percent,
    format_ratio,
)
from abclab.report._i18n import text
from abclab.report.sections._blocks import Block, Section
from abclab.report.sections._context import (
    ReportContext,
    classified,
    criterion_labels,
    customer_table,
    figure,
    heading,
    method_labels,
    paragraph,
    table,
    tier_text,
)
from abclab.report.sections._robustness import ranking_robustness, ranking_robustness_blocks
from abclab.report.sections._tables import value_criterion


def method_summaries(ctx: ReportContext) -> Section:
    """One synthesis table instead of one tier table per method: tier sizes, the top tier's
    share of value and agreement with the recommended method (percent and Cohen's κ)."""
    r, lang = ctx.results, ctx.language
    frame = method_synthesis(r, lang)
    names = method_labels(r, lang)
    shown = frame.rename(index=names)
    shown.index.name = "method"
    agreement = pd.to_numeric(
        frame["agreement"].drop(r.recommended, errors="ignore"), errors="coerce"
    ).dropna()
    blocks: list[Block] = [
        table(
            ctx,
            shown,
            caption=text("text.synthesis", lang),
            formats={
                "top_value_share": lambda x: format_percent(x, decimals=0),
                "agreement": lambda x: format_percent(x, decimals=0),
                "kappa": format_ratio,
            },
        )
    ]
    takeaway = ""
    if len(agreement):
        takeaway = text(
            "text.synthesis_takeaway",
            lang,
            method=names[r.recommended],
            closest=names.get(str(agreement.idxmax()), str(agreement.idxmax())),
            percent=format_percent(agreement.max(), decimals=0),
        )
    return Section("methods", text("section.methods", lang), tuple(blocks), takeaway=takeaway)


def method_synthesis(results: Any, language: str) -> pd.DataFrame:
    """Method -> ``tiers`` ("A 80 · B 120 · C 200"), ``top_value_share`` (value share of the
    method's first tier), ``agreement`` and ``kappa`` with the recommended method (NaN where
    the tiers are not comparable; the recommended method's own row says so in words)."""
    rec = results.recommended
    rows = {}
    for method, summary in results.summaries.items():
        body = summary[summary["tier"].astype(str) != "Total"]
        sizes = " · ".join(
            f"{tier_text(t, language)} {format_count(n)}"
            for t, n in zip(body["tier"], body["count"], strict=True)
        )
        share = (
            float(body["value_share"].iloc[0]) if "value_share" in body and len(body) else np.nan
        )
        rows[method] = {"tiers": sizes, "top_value_share": share}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    percent = kappa = pd.Series(np.nan, index=frame.index)
    if results.agreement is not None and rec in results.agreement.percent.index:
        percent = results.agreement.percent.loc[rec].reindex(frame.index)
        kappa = results.agreement.kappa.loc[rec].reindex(frame.index)
    frame["agreement"] = percent.astype(float).to_numpy()
    frame["kappa"] = kappa.astype(float).to_numpy()
    frame["agreement"] = frame["agreement"].astype(object)
    frame["kappa"] = frame["kappa"].astype(object)
    for method in frame.index:
        if method == rec:
            frame.loc[method, ["agreement", "kappa"]] = text("word.recommended", language)
        elif pd.isna(frame.loc[method, "agreement"]):
            frame.loc[method, ["agreement", "kappa"]] = text("text.not_comparable", language)
    return frame


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
    label = criterion_labels(r).get(name, name)
    ordered = values.sort_values(ascending=False)
    top = max(1, int(round(0.2 * len(ordered))))
    caption = text(
        "text.pareto_takeaway",
        lang,
        share=format_percent(0.2, decimals=0),
        value=format_percent(
            ordered.head(top).sum() / ordered.sum() if ordered.sum() else np.nan, decimals=0
        ),
        label=label,
        gini=format_ratio(gini),
    )
    return Section(
        "pareto",
        title,
        (figure(ctx, fig, alt=title, caption=caption),),
    )


def agreement(ctx: ReportContext) -> Section:
    """Heat map of Cohen's κ and the table of percent agreement between methods (an empty
    section when the study has a single method)."""
    r, lang = ctx.results, ctx.language
    if r.agreement is None:
        return Section.empty("agreement")
    names = method_labels(r, lang)
    kappa = r.agreement.kappa.rename(index=names, columns=names)
    kappa.index.name = kappa.columns.name = None
    title = text("section.agreement", lang)
    caption = text("text.kappa_takeaway", lang)
    chart = charts.agreement_heatmap(kappa, language=lang)
    return Section("agreement", title, (figure(ctx, chart, alt=title, caption=caption),))


def disputed(ctx: ReportContext) -> Section:
    """Customers the methods classify most differently, reshaped to fit A4: name, the
    recommended tier, the other methods grouped by the tier they give, the value criterion
    (names escaped, contacts masked); every method's tier is in the customer list."""
    r, lang = ctx.results, ctx.language
    title = text("section.disputed", lang)
    if len(r.disputed) == 0:
        return Section("disputed", title, (paragraph(ctx, "text.no_disputed"),))
    names = method_labels(r, lang)
    rec = r.recommended
    methods = [m for m in r.tiers.columns if m in r.disputed.columns]
    value = value_criterion(r)
    rows = {}
    for customer, row in r.disputed.iterrows():
        own = str(row.get(rec, ""))
        groups: dict[str, list[str]] = {}
        for m in methods:
            if m != rec and str(row[m]) != own and pd.notna(row[m]):
                groups.setdefault(tier_text(row[m], lang), []).append(names[m])
        others = "; ".join(f"{t}: {', '.join(ms)}" for t, ms in sorted(groups.items()))
        if lang == "zh":
            others = "；".join(f"{t}：{'、'.join(ms)}" for t, ms in sorted(groups.items()))
        rows[customer] = {"recommended_tier": tier_text(own, lang), "other_methods": others}
    shown = pd.DataFrame.from_dict(rows, orient="index")
    if value in r.disputed.columns:
        shown[value] = r.disputed[value].astype(float)
    total = max(r.comparison.disputed_count, len(r.disputed))
    intro = paragraph(ctx, "text.disputed_intro", n=Count(total), shown=Count(len(shown)))
    blocks: list[Block] = [intro]
    blocks.extend(customer_table(ctx, shown, max_rows=min(ctx.max_rows, 20), caption=title))
    blocks.append(paragraph(ctx, "text.disputed_more", css="abclab-note"))
    return Section("disputed", title, tuple(blocks))


def strategies(ctx: ReportContext) -> Section:
    """Tier → service strategy table of the recommended method."""
    shown = ctx.results.strategies.drop(columns=["key"], errors="ignore")
    return Section("strategy", text("section.strategy", ctx.language), (table(ctx, shown),))


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
    tiers = classified(r, spec.name)
    tiers = (
        tiers.cat.rename_categories({"n/a": text("word.no_data", lang)})
        if "n/a" in tiers.cat.categories
        else tiers
    )
    fig = charts.value_potential_scatter(
        value, potential, tiers, method=method_labels(r, lang)[spec.name], language=lang
    )
    caption = text("text.vp_takeaway", lang)
    return Section("value_potential", title, (figure(ctx, fig, alt=title, caption=caption),))


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
    caption = text("text.clusters_takeaway", lang)
    return Section("clusters", title, (figure(ctx, fig, alt=title, caption=caption),))


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
    caption = text(
        "text.stability_takeaway",
        lang,
        share=format_percent(float((per["stability"] >= 0.9).mean()), decimals=0),
    )
    blocks: list[Block] = [
        figure(ctx, chart, alt=title, caption=caption),
        table(ctx, by_tier, caption=title, formats={"customers": format_count}),
    ]
    figures = ranking_robustness(r)
    if figures is not None:
        blocks.extend(ranking_robustness_blocks(ctx, figures))
    robust = robustness_table(r)
    if robust is not None:
        blocks.extend(_robustness_blocks(ctx, robust))
    return Section(
        "sensitivity",
        title,
        tuple(blocks),
        takeaway=text("text.stability", lang, stability=float(per["stability"].mean())),
    )


def robustness_table(results: Any) -> pd.DataFrame | None:
    """Per tier of the recommended method: SMAA and bootstrap figures, or None without them.

    ``customers``; ``acceptability``, the mean SMAA acceptability of the tier's customers for
    their own tier (:attr:`abclab.pipeline.StressStep.smaa`); ``share``, ``share_low``,
    ``share_high``, ``value_share``, ``value_share_low``, ``value_share_high``, the
    bootstrap 95 % intervals of the tier's customer and value shares
    (:attr:`~abclab.pipeline.StressStep.bootstrap`). Index: the tier.
    """
    accept, boot = results.stress.smaa, results.stress.bootstrap
    if accept is None and boot is None:
        return None
    parts = []
    if accept is not None:
        own = accept.to_frame()
        parts.append(
            own.groupby("base_tier", observed=False)["acceptability_base_tier"].agg(
                customers="count", acceptability="mean"
            )
        )
    if boot is not None:
        b = boot.set_index(boot["tier"].astype(str))
        parts.append(
            pd.DataFrame(
                {
                    "share": b["share"],
                    "share_low": b["share_ci_low"],
                    "share_high": b["share_ci_high"],
                    "value_share": b["value_share"],
                    "value_share_low": b["value_share_ci_low"],
                    "value_share_high": b["value_share_ci_high"],
                }
            )
        )
    if len(parts) == 2:
        parts[0].index = parts[0].index.astype(str)
        frame = parts[0].join(parts[1], how="outer")
        frame = frame.reindex(
            [*parts[0].index, *[t for t in parts[1].index if t not in parts[0].index]]
        )
    else:
        frame = parts[0]
        frame.index = frame.index.astype(str)
    frame.index.name = "tier"
    return frame


def _interval(low: float, high: float, lang: str) -> str:
    return text("text.interval", lang, low=format_percent(low, decimals=1),
                high=format_percent(high, decimals=1))  # fmt: skip


def _robustness_blocks(ctx: ReportContext, frame: pd.DataFrame) -> list[Block]:
    """The SMAA / bootstrap table and its sentence."""
    lang = ctx.language
    shown = pd.DataFrame(index=frame.index)
    if "acceptability" in frame:
        shown["customers"] = frame["customers"]
        shown["acceptability"] = frame["acceptability"]
    if "share" in frame:
        shown["share_interval"] = [
            _interval(lo, hi, lang)
            for lo, hi in zip(frame["share_low"], frame["share_high"], strict=True)
        ]
        shown["value_share_interval"] = [
            _interval(lo, hi, lang)
            for lo, hi in zip(frame["value_share_low"], frame["value_share_high"], strict=True)
        ]
    shown.index = [tier_text(t, lang) for t in shown.index]
    shown.index.name = "tier"
    caption = text("sub.robustness", lang)
    blocks: list[Block] = [
        heading(ctx, "sub.robustness", level=4),
        table(
            ctx,
            shown,
            caption=caption,
            formats={
                "customers": format_count,
                "acceptability": lambda x: format_percent(x, decimals=1),
            },
        ),
    ]
    if "acceptability" in frame and "share" in frame and len(frame):
        top = str(frame.index[0])
        weakest = frame["acceptability"].idxmin()
        blocks.append(
            paragraph(
                ctx,
                "text.robustness",
                weakest=tier_text(weakest, lang),
                acceptability=format_percent(frame.loc[weakest, "acceptability"], decimals=1),
                tier=tier_text(top, lang),
                value=_interval(
                    frame.loc[top, "value_share_low"], frame.loc[top, "value_share_high"], lang
                ),
            )
        )
    return blocks


def migration(ctx: ReportContext) -> Section:
    """Migration matrix previous tier → current tier (when a previous period was given)."""
    r, lang = ctx.results, ctx.language
    title = text("section.migration", lang)
    if r.migration is None:
        return Section("migration", title, (paragraph(ctx, "text.no_migration"),))
    matrix = r.migration.select_dtypes("number")
    labels = _migration_labels(lang)
    chart = charts.migration_heatmap(matrix.rename(index=labels, columns=labels), language=lang)
    common = [t for t in matrix.index if t in matrix.columns]
    total = float(matrix.to_numpy().sum())
    stay = sum(float(matrix.loc[t, t]) for t in common) / total if total else np.nan
    caption = text("text.migration_takeaway", lang, stay=format_percent(stay, decimals=0))
    return Section(
        "migration",
        title,
        (figure(ctx, chart, alt=title, caption=caption),),
    )


def _migration_labels(language: str) -> dict[str, str]:
    return {"new": text("word.new", language), "lost": text("word.lost", language)}
