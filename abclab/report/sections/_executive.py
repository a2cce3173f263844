"""The executive layer: the recommendation and why, the tiers with their names and strategies,
the accounts to act on by name and what needs the client's confirmation, written in full
sentences from the computed numbers (the first two pages of the PDF, the first screen of the
HTML)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from abclab.pipeline import previous_tiers
from abclab.report import charts
from abclab.report._format import Count, format_count, format_money, format_percent, format_ratio
from abclab.report._i18n import expert_name, text
from abclab.report.sections._blocks import Block, Items, Paragraph, Section
from abclab.report.sections._context import (
    ReportContext,
    classified,
    criterion_labels,
    customer_table,
    figure,
    heading,
    join_names,
    method_labels,
    reason_text,
    tier_names,
)
from abclab.report.sections._tables import outlier_table, value_criterion

__all__ = ["account_flags", "executive_summary", "movers", "recommendation_facts"]

#: Stability below which a customer's tier counts as unstable (share of simulations).
UNSTABLE = 0.8
#: Accounts named per list in the executive layer.
TOP_N = 10


def executive_summary(ctx: ReportContext) -> Section:
    """Recommendation, tier picture (names, strategies, one chart), accounts to act on and
    what needs the client's confirmation."""
    r, lang = ctx.results, ctx.language
    blocks: list[Block] = [heading(ctx, "sub.recommendation")]
    blocks.append(Paragraph(" ".join(recommendation_sentences(ctx))))
    blocks.extend(_tier_picture(ctx))
    blocks.extend(_accounts(ctx))
    blocks.append(heading(ctx, "sub.confirm"))
    items = confirmation_items(ctx)
    blocks.append(Items(tuple(items)) if items else Paragraph(text("text.confirm_none", lang)))
    method = method_labels(r, lang)[r.recommended]
    return Section(
        key="summary",
        title=text("section.summary", lang),
        takeaway=text("text.recommended", lang, method=method),
        blocks=tuple(blocks),
    )


# --------------------------------------------------------------------------- recommendation


def recommendation_facts(results: Any) -> dict[str, Any]:
    """The numbers the recommendation sentence is built from.

    Keys: ``agreement`` (method -> percent agreement with the recommended method, comparable
    methods only), ``mean_agreement``, ``closest``, ``stability`` (mean per-customer
    stability or None), ``unstable`` (customers below :data:`UNSTABLE`), ``cr`` (CR of the
    judgements used: the group's, else the one expert's, else None) and ``inconsistent``
    (expert -> CR above 0.10).
    """
    rec = results.recommended
    agreement = pd.Series(dtype=float)
    if results.agreement is not None and rec in results.agreement.percent.index:
        agreement = results.agreement.percent.loc[rec].drop(rec, errors="ignore").dropna()
    stability = unstable = None
    if results.sensitivity is not None:
        per = results.sensitivity.per_customer["stability"]
        stability = float(per.mean())
        unstable = int((per < UNSTABLE).sum())
    cr = None
    if results.ahp_group is not None:
        cr = float(results.ahp_group.cr)
    elif len(results.ahp) == 1:
        cr = float(next(iter(results.ahp.values())).cr)
    inconsistent = {e: float(a.cr) for e, a in results.ahp.items() if not a.consistent}
    return {
        "agreement": agreement.astype(float),
        "mean_agreement": float(agreement.mean()) if len(agreement) else None,
        "closest": str(agreement.idxmax()) if len(agreement) else None,
        "stability": stability,
        "unstable": unstable,
        "cr": cr,
        "inconsistent": inconsistent,
    }


def recommendation_sentences(ctx: ReportContext) -> list[str]:
    """The recommendation and why: agreement, stability and consistency of the judgements."""
    r, lang = ctx.results, ctx.language
    names = method_labels(r, lang)
    facts = recommendation_facts(r)
    out = [
        text(
            "text.recommend",
            lang,
            method=names[r.recommended],
            n_criteria=len(r.study.criteria),
        )
    ]
    if facts["mean_agreement"] is not None:
        out.append(
            text(
                "text.recommend_agreement",
                lang,
                n=len(facts["agreement"]),
                percent=format_percent(facts["mean_agreement"], decimals=0),
                closest=names.get(facts["closest"], facts["closest"]),
                closest_percent=format_percent(facts["agreement"].max(), decimals=0),
            )
        )
    if facts["stability"] is not None:
        out.append(
            text(
                "text.recommend_stability",
                lang,
                draws=Count(r.study.sensitivity.draws),
                stability=format_percent(facts["stability"], decimals=1),
                n_unstable=Count(facts["unstable"]),
                threshold=format_percent(1 - UNSTABLE, decimals=0),
            )
        )
    if facts["cr"] is not None:
        verdict = text("text.cr_ok" if facts["cr"] <= 0.1 else "text.cr_bad", lang)
        if r.ahp_group is not None:
            out.append(
                text(
                    "text.recommend_cr_group",
                    lang,
                    n=len(r.ahp),
                    cr=format_ratio(facts["cr"]),
                    verdict=verdict,
                )
            )
        else:
            expert = expert_name(next(iter(r.ahp)), lang)
            out.append(
                text(
                    "text.recommend_cr_one",
                    lang,
                    expert=expert,
                    cr=format_ratio(facts["cr"]),
                    verdict=verdict,
                )
            )
    return out


# --------------------------------------------------------------------------- tiers


def _tier_picture(ctx: ReportContext) -> list[Block]:
    r, lang = ctx.results, ctx.language
    summary = r.summaries[r.recommended]
    names = tier_names(r, lang)
    strategies = r.strategies["strategy"] if "strategy" in r.strategies else pd.Series()
    rows = summary[summary["tier"].astype(str).isin(names)]
    lines = []
    for _, row in rows.iterrows():
        tier = str(row["tier"])
        strategy = strategies.get(tier)
        key = (
            "text.tier_line_strategy"
            if isinstance(strategy, str) and strategy
            else "text.tier_line"
        )
        lines.append(
            text(
                key,
                lang,
                name=names[tier],
                tier=tier,
                count=Count(row["count"]),
                count_share=format_percent(row["count_share"], decimals=0),
                value_share=format_percent(row.get("value_share", np.nan), decimals=0),
                strategy=str(strategy).rstrip("。.") if isinstance(strategy, str) else "",
            )
        )
    pending = int(r.counts.get("pending", 0))
    pending_tier = next((t for t in r.strategies.index if str(t) == "D"), None)
    if pending and pending_tier is not None:
        lines.append(
            text(
                "text.tier_pending",
                lang,
                name=names.get("D", "D"),
                tier="D",
                count=Count(pending),
            )
        )
    blocks: list[Block] = [heading(ctx, "sub.tier_picture"), Items(tuple(lines))]
    top = rows.iloc[0] if len(rows) else None
    if top is not None:
        chart = charts.tier_share_chart(
            rows.assign(tier=rows["tier"].astype(str)),
            names={t: f"{names[t]} ({t})" for t in names},
            language=lang,
        )
        caption = text(
            "text.tier_chart_takeaway",
            lang,
            name=names[str(top["tier"])],
            count_share=format_percent(top["count_share"], decimals=0),
            value_share=format_percent(top.get("value_share", np.nan), decimals=0),
        )
        blocks.append(figure(ctx, chart, caption=caption))
    return blocks


# --------------------------------------------------------------------------- accounts


def account_flags(results: Any, language: str) -> pd.Series:
    """Customer id -> why the account needs a look (unstable tier, flagged invoice line,
    outlier value, at risk of churning, possible duplicate), in the report's language; only
    flagged customers."""
    flags: dict[str, list[str]] = {}

    def add(ids: Any, key: str) -> None:
        for customer in pd.Index(ids).astype(str).unique():
            flags.setdefault(customer, []).append(text(key, language))

    if results.sensitivity is not None:
        per = results.sensitivity.per_customer["stability"]
        add(per.index[per < UNSTABLE], "word.unstable")
    lines = results.clean.flagged_lines
    if len(lines) and "customer" in lines:
        add(lines["customer"], "word.flagged_line")
    add(outlier_table(results).index, "word.outlier")
    base = getattr(results, "customer_base", None)
    if base is not None and len(base.customers):  # the churn model's worst tier
        tiers = base.customers["churn_tier"].astype(str)
        add(tiers.index[tiers == str(base.labels[-1])], "word.churn_risk")
    review = results.cleaning.review
    if len(review):
        add(pd.concat([review["customer"], review["candidate"]]), "word.review")
    sep = text("word.sep", language)
    return pd.Series({k: sep.join(v) for k, v in flags.items()}, dtype=object, name="flags")


def movers(results: Any) -> pd.DataFrame:
    """Classified customers whose recommended tier differs from last period's: ``previous``,
    ``current``, ``steps`` (positive = moved up), largest value first; empty without a
    previous period. Customers whose previous tier is not one the method gives (pending, D)
    were newly graded, not moved, and are left out."""
    previous = previous_tiers(results.study)
    if previous is None:
        return pd.DataFrame(columns=["previous", "current", "steps"])
    current = classified(results, results.recommended)
    order = {str(t): k for k, t in enumerate(current.cat.categories)}
    before = previous.reindex(current.index)
    # a previous tier the method does not give now (D, pending) is no position to move from:
    # those customers are newly graded, not movers
    graded = before.astype(str).isin(list(order))
    moved = before.notna() & graded & (before.astype(str) != current.astype(str))
    steps = before[moved].astype(str).map(order) - current[moved].astype(str).map(order)
    out = pd.DataFrame(
        {
            "previous": before[moved].astype(str),
            "current": current[moved].astype(str),
            "steps": steps.astype(int),
        }
    )
    value = results.criteria[value_criterion(results)].reindex(out.index)
    return out.assign(_v=value).sort_values("_v", ascending=False).drop(columns="_v")


def _accounts(ctx: ReportContext) -> list[Block]:
    r, lang = ctx.results, ctx.language
    names = tier_names(r, lang)
    tiers = classified(r, r.recommended)
    top = str(tiers.cat.categories[0])
    top_name = names.get(top, top)
    value = value_criterion(r)
    label = criterion_labels(r).get(value, value)
    flags = account_flags(r, lang)
    stability = r.sensitivity.per_customer["stability"] if r.sensitivity is not None else None
    blocks: list[Block] = [heading(ctx, "sub.act_on")]
    # Largest accounts of the top tier
    ids = tiers.index[tiers.astype(str) == top]
    values = r.criteria.loc[ids, value].sort_values(ascending=False)
    frame = pd.DataFrame({value: values.head(TOP_N)})
    frame["value_share"] = frame[value] / r.criteria[value].clip(lower=0).sum()
    if stability is not None:
        frame["stability"] = stability.reindex(frame.index)
    frame["flags"] = flags.reindex(frame.index).fillna("")
    shown = [str(r.display_names.get(c, c)) for c in values.head(5).index]
    blocks.append(heading(ctx, "sub.top_accounts", level=4, tier=top_name))
    blocks.append(
        Paragraph(
            text(
                "text.top_accounts", lang, tier=top_name, value=label, names=join_names(shown, lang)
            )
        )  # fmt: skip
    )
    blocks.extend(
        customer_table(
            ctx, frame, max_rows=TOP_N, caption=text("sub.top_accounts", lang, tier=top_name)
        )  # fmt: skip
    )
    # Movers since last period
    blocks.append(heading(ctx, "sub.movers", level=4))
    moved = movers(r)
    if r.study.data.previous is None:
        blocks.append(Paragraph(text("text.no_previous", lang)))
    elif len(moved) == 0:
        blocks.append(Paragraph(text("text.no_movers", lang)))
    else:
        up, down = int((moved["steps"] > 0).sum()), int((moved["steps"] < 0).sum())
        blocks.append(
            Paragraph(
                text(
                    "text.movers",
                    lang,
                    up=Count(up),
                    down=Count(down),
                    tier=top_name,
                    new_top=Count((moved["current"] == top).sum()),
                    lost_top=Count((moved["previous"] == top).sum()),
                )
            )
        )
        # the moves that matter most first: in or out of the top tier, then by value
        key = (moved["current"] == top) | (moved["previous"] == top)
        ordered = pd.concat([moved[key], moved[~key]]).head(TOP_N)
        shown_moves = ordered[["previous", "current"]].assign(
            **{value: r.criteria.loc[ordered.index, value]}
        )
        blocks.extend(
            customer_table(
                ctx, shown_moves, max_rows=TOP_N, caption=text("sub.movers", lang)
            )  # fmt: skip
        )
    # Top-tier accounts at risk
    at_risk = flags.reindex(ids).dropna()
    blocks.append(heading(ctx, "sub.at_risk", level=4, tier=top_name))
    if len(at_risk) == 0:
        blocks.append(Paragraph(text("text.no_at_risk", lang, tier=top_name)))
    else:
        blocks.append(
            Paragraph(
                text(
                    "text.at_risk",
                    lang,
                    n=Count(len(at_risk)),
                    tier=top_name,
                    threshold=format_percent(UNSTABLE, decimals=0),
                )
            )
        )
        risk = pd.DataFrame({value: r.criteria.loc[at_risk.index, value]})
        if stability is not None:
            risk["stability"] = stability.reindex(risk.index)
        risk["flags"] = at_risk
        risk = risk.sort_values(value, ascending=False)
        blocks.extend(
            customer_table(
                ctx, risk, max_rows=TOP_N, caption=text("sub.at_risk", lang, tier=top_name)
            )  # fmt: skip
        )
    return blocks


# --------------------------------------------------------------------------- to confirm


def confirmation_items(ctx: ReportContext) -> list[str]:
    """What needs the client's confirmation: flagged invoice lines, possible duplicates kept
    apart, log customers missing from the customer table, inconsistent experts used anyway,
    outlier values used as they are, customers pending evaluation."""
    r, lang = ctx.results, ctx.language
    items = []
    lines = r.clean.flagged_lines
    if len(lines):
        items.append(
            text(
                "text.confirm_lines",
                lang,
                n=Count(len(lines)),
                multiple=format_count(float(lines["multiple"].max())),
            )
        )
    review = r.cleaning.review
    if len(review):
        items.append(text("text.confirm_review", lang, n=Count(len(review))))
    unmatched = r.data.unmatched
    if len(unmatched):
        items.append(
            text(
                "text.confirm_unmatched",
                lang,
                n=Count(len(unmatched)),
                lines=Count(unmatched["lines"].sum()),
                amount=format_money(unmatched["amount"].sum(), language=lang, compact=lang == "zh"),
            )
        )
    facts = recommendation_facts(r)
    if r.ahp_group is not None:
        for expert, cr in facts["inconsistent"].items():
            items.append(text("text.confirm_expert", lang, expert=expert_name(expert, lang),
                              cr=format_ratio(cr)))  # fmt: skip
    flagged = outlier_table(r)
    if len(flagged):
        items.append(
            text(
                "text.confirm_outliers",
                lang,
                n=Count(len(flagged)),
                multiple=format_count(float(flagged["times_median"].abs().max())),
            )
        )
    pending = r.cleaning.pending
    if len(pending):
        reasons = reason_text(r, lang).reindex(pending.index).fillna("")
        common = [str(v) for v in reasons.value_counts().head(3).index if v]
        items.append(
            text(
                "text.confirm_pending",
                lang,
                n=Count(len(pending)),
                reasons=text("word.sep", lang).join(common),
            )
        )
    return items
