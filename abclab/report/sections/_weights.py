"""The weights section: AHP judgements per expert, Best-Worst or fuzzy AHP weights with their
consistency, and the weights of every weighting method side by side."""

from __future__ import annotations

from typing import Any

import numpy as np

from abclab.pipeline import FUZZY_CRISP
from abclab.report import charts
from abclab.report._format import format_judgement, format_percent, format_ratio
from abclab.report._i18n import expert_name, text
from abclab.report.sections._blocks import Block, Section
from abclab.report.sections._context import (
    ReportContext,
    consistency,
    criterion_labels,
    figure,
    heading,
    paragraph,
    table,
)
from abclab.report.sections._tables import inconsistency_table

__all__ = ["weights"]

#: Weight kinds whose weights are the study's own (the ``used`` column repeats them).
_OWN = {"ahp": "ahp", "hierarchy": "ahp", "best_worst": "best_worst", "fuzzy_ahp": "fuzzy_ahp"}
#: A nonlinear BWM weight interval narrower than this is one optimum.
_UNIQUE = 1e-6


def weights(ctx: ReportContext) -> Section:
    """AHP matrices and consistency per expert; Best-Worst or fuzzy AHP weights with their
    consistency; the weights by method (table, chart and the largest difference)."""
    r, lang = ctx.results, ctx.language
    blocks: list[Block] = []
    derived = getattr(r.weighting, "derived", None)
    kind = r.study.weights.kind
    if kind == "best_worst" and derived is not None:
        blocks.extend(_best_worst(ctx, derived))
    if kind == "fuzzy_ahp" and derived is not None:
        blocks.extend(_fuzzy(ctx, derived))
    for expert, res in r.ahp.items():
        if expert != FUZZY_CRISP:
            blocks.extend(_expert(ctx, expert, res))
    if r.ahp_group is not None:
        blocks.append(paragraph(ctx, "text.group", n=len(r.ahp)))
        blocks.append(consistency(ctx, r.ahp_group))
    blocks.extend(_comparison(ctx))
    return Section("weights", text("section.weights", lang), tuple(blocks))


def _expert(ctx: ReportContext, expert: str, res: Any) -> list[Block]:
    """One expert's matrix with the weights, its consistency and the judgements to revise."""
    r, lang = ctx.results, ctx.language
    expert = expert_name(expert, lang)
    labels = criterion_labels(r)
    matrix = res.matrix.copy()
    matrix["weight"] = res.weights.reindex(matrix.index)
    judgements = {labels.get(str(c), str(c)): format_judgement for c in res.matrix.columns}
    blocks: list[Block] = [
        heading(ctx, "sub.ahp_expert", expert=expert),
        table(
            ctx,
            matrix,
            formats={**judgements, "weight": format_percent},
            caption=text("sub.ahp_expert", lang, expert=expert),
        ),
        consistency(ctx, res),
    ]
    worst = res.inconsistent_judgements()
    if len(worst) and not res.consistent:
        blocks.append(heading(ctx, "sub.inconsistent", level=4, expert=expert))
        repair = inconsistency_table(worst).head(3).replace({"row": labels, "column": labels})
        blocks.append(
            table(
                ctx,
                repair,
                index=False,
                formats={
                    "judged": format_judgement,
                    "consistent_value": format_judgement,
                    "suggested_value": format_judgement,
                    "cr_if_revised": lambda x: format_ratio(x, decimals=3),
                    "error": format_ratio,
                },
                caption=text("sub.inconsistent", lang, expert=expert),
            )
        )
    return blocks


def _best_worst(ctx: ReportContext, res: Any) -> list[Block]:
    """Rezaei's comparisons, the weights (with the optimal intervals of the nonlinear model
    when it has several optima), ξ and the two consistency ratios."""
    lang = ctx.language
    labels = criterion_labels(ctx.results)
    frame = res.comparisons.copy()
    frame["weight"] = res.weights.reindex(frame.index)
    interval = res.interval.reindex(frame.index)
    several = res.model == "nonlinear" and bool(
        ((interval["weight_high"] - interval["weight_low"]) > _UNIQUE).any()
    )
    if several:
        frame["weight_interval"] = [
            text("text.interval", lang, low=format_percent(lo), high=format_percent(hi))
            for lo, hi in zip(interval["weight_low"], interval["weight_high"], strict=True)
        ]
    a_bw = float(res.comparisons.loc[res.worst, "best_to_other"])
    blocks: list[Block] = [
        heading(ctx, "sub.best_worst"),
        table(
            ctx,
            frame,
            caption=text("sub.best_worst", lang),
            formats={
                "best_to_other": format_judgement,
                "other_to_worst": format_judgement,
                "weight": format_percent,
            },
        ),
        paragraph(
            ctx,
            "text.bwm",
            best=labels.get(res.best, res.best),
            worst=labels.get(res.worst, res.worst),
            model=text(f"word.bwm_{res.model}", lang),
            xi=format_ratio(res.xi, decimals=4),
            xi_star=format_ratio(res.xi_nonlinear, decimals=4),
            a_bw=format_judgement(a_bw),
            ci=format_ratio(res.consistency_index, decimals=2),
            cr=format_ratio(res.consistency_ratio, decimals=3),
            icr=format_ratio(res.input_consistency_ratio, decimals=3),
        ),
    ]
    if several:
        blocks.append(paragraph(ctx, "text.bwm_interval", css="abclab-note"))
    return blocks


def _fuzzy(ctx: ReportContext, res: Any) -> list[Block]:
    """Buckley's fuzzy weights, their defuzzified values and the modal matrix's consistency."""
    lang = ctx.language
    labels = criterion_labels(ctx.results)
    frame = res.fuzzy_weights.rename(columns={"l": "fuzzy_l", "m": "fuzzy_m", "u": "fuzzy_u"})
    frame["defuzzified"] = res.defuzzified
    frame["weight"] = res.weights
    crisp = res.crisp
    matrix = crisp.matrix.copy()
    judgements = {labels.get(str(c), str(c)): format_judgement for c in matrix.columns}
    return [
        heading(ctx, "sub.fuzzy_ahp"),
        paragraph(
            ctx,
            "text.fuzzy",
            defuzzification=text(f"word.{res.defuzzification}", lang),
        ),
        table(
            ctx,
            frame,
            caption=text("sub.fuzzy_ahp", lang),
            formats={c: format_ratio if c != "weight" else format_percent for c in frame},
        ),
        heading(ctx, "sub.fuzzy_modal", level=4),
        table(ctx, matrix, formats=judgements, caption=text("sub.fuzzy_modal", lang)),
        consistency(ctx, crisp),
    ]


def _comparison(ctx: ReportContext) -> list[Block]:
    """The weights by method, the chart and how far the used weights are from the closest
    alternative (the AHP eigenvector of fuzzy judgements' modal matrix, else equal weights)."""
    r, lang = ctx.results, ctx.language
    labels = criterion_labels(r)
    comparison = r.weight_comparison
    blocks: list[Block] = [
        heading(ctx, "sub.weights_compare"),
        table(
            ctx,
            comparison,
            formatter=format_percent,
            caption=text("text.weights_of", lang, used=text("col.used", lang)),
        ),
    ]
    own = _OWN.get(r.study.weights.kind)
    if own in comparison:
        # the criterion and the alternative weighting farthest from the weights used
        alternatives = [c for c in comparison.columns if c not in ("used", own)]
        gaps = comparison[alternatives].sub(comparison["used"], axis=0).abs()
        stacked = gaps.stack().dropna()
        if len(stacked) and np.isfinite(stacked.max()):
            worst, other = (str(k) for k in stacked.idxmax())
            gap = gaps[other]
            blocks.append(
                paragraph(
                    ctx,
                    "text.weights_choice",
                    method=text(f"col.{own}", lang),
                    other=text(f"col.{other}", lang),
                    criterion=labels.get(worst, worst),
                    used=format_percent(comparison.loc[worst, "used"]),
                    alternative=format_percent(comparison.loc[worst, other]),
                    points=format_ratio(100 * gap.max(), decimals=1),
                )
            )
    plotted = comparison.drop(columns=["used"]) if own in comparison else comparison
    chart = charts.weights_chart(plotted.rename(index=labels), language=lang)
    used = r.weights.sort_values(ascending=False)
    caption = text(
        "text.weights_takeaway",
        lang,
        criterion=labels.get(str(used.index[0]), str(used.index[0])),
        weight=format_percent(used.iloc[0]),
    )
    blocks.append(figure(ctx, chart, alt=text("sub.weights_compare", lang), caption=caption))
    return blocks
