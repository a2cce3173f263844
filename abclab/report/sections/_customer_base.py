"""The churn-risk and lifetime-value section (source 003 §二(三): 高稳定客户 / 关注客户 /
流失风险客户): tier sizes with their value, the top-tier accounts at risk by name, the
back-test of the tiers and the re-grade triggers that fired (source 003 §三(六)).

Everything shown comes from :attr:`abclab.pipeline.StudyResults.customer_base`; a study
without it gets an empty section (and no entry in the contents).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from abclab.exceptions import TooFewRepeatBuyers
from abclab.report._excel_customer_base import churn_label
from abclab.report._format import (
    Count,
    format_count,
    format_date,
    format_money,
    format_number,
    format_percent,
    format_ratio,
)
from abclab.report._i18n import text
from abclab.report.sections._blocks import Block, Section
from abclab.report.sections._context import (
    ReportContext,
    criterion_labels,
    customer_table,
    heading,
    paragraph,
    table,
    tier_names,
    tier_text,
)
from abclab.report.sections._tables import value_criterion

__all__ = ["at_risk_accounts", "customer_base", "tier_sizes", "trigger_rows"]


def customer_base(ctx: ReportContext) -> Section:
    """Churn risk and lifetime value: tiers, top-tier accounts at risk, back-test, triggers."""
    r, lang = ctx.results, ctx.language
    base = r.customer_base
    if base is None:
        return Section.empty("customer_base")
    blocks: list[Block] = []
    if not base.fitted:
        blocks.append(paragraph(ctx, "text.cb_not_fitted", css="abclab-warning",
                                reason=_reason(base.fit_error, lang),
                                watch=format_number(base.rule_days[0]),
                                risk=format_number(base.rule_days[1])))  # fmt: skip
    elif base.clv_message:
        blocks.append(paragraph(ctx, "text.cb_no_clv", css="abclab-note"))
    sizes = tier_sizes(r)
    blocks += [heading(ctx, "sub.cb_tiers"), _tier_table(ctx, sizes)]
    blocks += _at_risk_blocks(ctx)
    blocks += _back_test_blocks(ctx)
    blocks += _trigger_blocks(ctx)
    worst = base.labels[-1]
    total = int(sizes["customers"].sum())
    n = int(sizes.loc[worst, "customers"]) if worst in sizes.index else 0
    takeaway = text("text.cb_takeaway", lang, n=Count(n), total=Count(total),
                    share=format_percent(n / total if total else np.nan, decimals=1),
                    value_share=format_percent(sizes.loc[worst, "value_share"], decimals=1),
                    label=_value_label(r))  # fmt: skip
    return Section("customer_base", text("section.customer_base", lang), tuple(blocks),
                   takeaway=takeaway)  # fmt: skip


def _reason(error: Exception | None, language: str) -> str:
    """Why BG/NBD was not fitted, in the report's language."""
    if isinstance(error, TooFewRepeatBuyers):
        return text("text.cb_few_repeat", language, repeat=Count(error.repeat),
                    n=Count(error.customers), need=Count(error.needed))  # fmt: skip
    return text("text.cb_no_convergence", language)


def _value_label(results: Any) -> str:
    name = value_criterion(results)
    return criterion_labels(results).get(name, name)


def _classified(results: Any) -> pd.DataFrame:
    """The customer-base table of the classified customers that are in the log."""
    frame = results.customer_base.customers
    return frame.loc[frame.index.intersection(results.criteria.index, sort=False)]


def tier_sizes(results: Any) -> pd.DataFrame:
    """Per churn tier (best first) of the classified customers: ``customers``, ``share``,
    ``value`` and ``value_share`` (of the study's value criterion), ``mean_p_alive``,
    ``expected_purchases`` and ``clv`` (sums; NaN without a fit)."""
    base = results.customer_base
    frame = _classified(results)
    value = results.criteria[value_criterion(results)].reindex(frame.index).clip(lower=0)
    tiers = pd.Categorical(frame["churn_tier"], categories=list(base.labels), ordered=True)
    grouped = frame.assign(value=value.to_numpy(float)).groupby(tiers, observed=False)
    out = pd.DataFrame({
        "customers": grouped.size(),
        "value": grouped["value"].sum(),
        "mean_p_alive": grouped["p_alive"].mean(),
        "expected_purchases": grouped["expected_purchases"].sum(min_count=1),
        "clv": grouped["clv"].sum(min_count=1),
    })  # fmt: skip
    out.insert(1, "share", out["customers"] / max(int(out["customers"].sum()), 1))
    total = float(out["value"].sum())
    out.insert(3, "value_share", out["value"] / total if total else np.nan)
    out.index = pd.Index([str(t) for t in out.index], name="tier")
    return out


def _tier_table(ctx: ReportContext, sizes: pd.DataFrame) -> Any:
    r, lang = ctx.results, ctx.language
    base = r.customer_base
    shown = sizes.drop(columns=["value"])
    if not base.fitted:
        shown = shown.drop(columns=["mean_p_alive", "expected_purchases", "clv"])
    elif base.clv_message:
        shown = shown.drop(columns=["clv"])
    shown.index = pd.Index([churn_label(t, lang) for t in shown.index], name="tier")
    margin = base.margin
    if margin in ("profit", "revenue"):
        margin_text = text(f"text.cb_margin_{margin}", lang)
    else:
        margin_text = text(
            "text.cb_margin_share", lang, share=format_percent(float(margin), decimals=0)
        )
    caption = text("text.cb_tiers_caption", lang, date=format_date(base.evaluation_date.date()),
                   months=base.settings.horizon_months, margin=margin_text,
                   rate=format_percent(base.settings.discount_rate, decimals=1))  # fmt: skip
    if not base.fitted:  # the model figures are not shown: the caption says what is
        caption = text("text.cb_tiers_caption_rules", lang,
                       date=format_date(base.evaluation_date.date()))  # fmt: skip
    return table(ctx, shown, caption=caption, formats={
        "customers": format_count,
        "mean_p_alive": lambda x: format_percent(x, decimals=1),
        "expected_purchases": lambda x: format_number(x),
        "clv": lambda x: format_money(x, language=lang, compact=lang == 'zh'),
    })  # fmt: skip


def at_risk_accounts(results: Any) -> pd.DataFrame:
    """Customers of the recommended method's first tier whose churn tier is the worst one,
    largest value first: ``p_alive``, ``days_since_purchase``, the value criterion, ``clv``."""
    base = results.customer_base
    frame = _classified(results)
    tiers = results.tiers[results.recommended].reindex(frame.index)
    top = tiers.cat.categories[0]
    name = value_criterion(results)
    risky = frame[(tiers == top).to_numpy() & (frame["churn_tier"] == base.labels[-1]).to_numpy()]
    out = pd.DataFrame(
        {"p_alive": risky["p_alive"], "days_since_purchase": risky["days_since_purchase"],
         name: results.criteria[name].reindex(risky.index), "clv": risky["clv"]},
        index=risky.index,
    )  # fmt: skip
    return out.sort_values(name, ascending=False, kind="stable")


def _at_risk_blocks(ctx: ReportContext) -> list[Block]:
    r, lang = ctx.results, ctx.language
    base = r.customer_base
    top = str(r.tiers[r.recommended].cat.categories[0])
    tier = tier_names(r, lang).get(top, top)
    tier = tier if top in tier else f"{tier} ({tier_text(top, lang)})"
    frame = _classified(r)
    in_top = int((r.tiers[r.recommended].reindex(frame.index) == top).sum())
    risky = at_risk_accounts(r)
    blocks: list[Block] = [heading(ctx, "sub.cb_at_risk", tier=tier)]
    if len(risky) == 0:
        return [
            *blocks,
            paragraph(ctx, "text.cb_no_a_at_risk", total=format_count(in_top), tier=tier),
        ]
    name = value_criterion(r)
    column = r.criteria[name].reindex(frame.index)
    top_value = float(
        column[r.tiers[r.recommended].reindex(frame.index) == top].clip(lower=0).sum()
    )
    share = float(risky[name].clip(lower=0).sum()) / top_value if top_value else np.nan
    blocks.append(paragraph(ctx, "text.cb_a_at_risk", n=format_count(len(risky)),
                            total=format_count(in_top), tier=tier, label=_value_label(r),
                            value=format_percent(share, decimals=1)))  # fmt: skip
    shown = risky if base.fitted else risky.drop(columns=["p_alive", "clv"])
    if base.clv_message:
        shown = shown.drop(columns=["clv"], errors="ignore")
    formats = {"p_alive": lambda x: format_percent(x, decimals=1), "days_since_purchase":
               format_count, "clv": lambda x: format_money(x, language=lang, compact=lang == 'zh')}  # fmt: skip
    caption = text("sub.cb_at_risk", lang, tier=tier)
    return blocks + customer_table(ctx, shown, formats=formats, caption=caption,
                                   max_rows=min(ctx.max_rows, 20))  # fmt: skip


def _back_test_blocks(ctx: ReportContext) -> list[Block]:
    r, lang = ctx.results, ctx.language
    base = r.customer_base
    months = base.settings.holdout_months
    blocks: list[Block] = [heading(ctx, "sub.cb_back_test")]
    bt = base.back_test
    if bt is None:
        return [*blocks, paragraph(ctx, "text.cb_no_back_test", months=months,
                                   reason=base.back_test_message)]  # fmt: skip
    tiers = bt.to_frame().set_index("tier")
    hit = format_percent(tiers.loc["all", "hit_rate"], decimals=1)
    cutoff = format_date(bt.calibration_end)
    if bt.fitted:
        blocks.append(paragraph(ctx, "text.cb_back_test", cutoff=cutoff, months=months, hit=hit,
                                auc=format_ratio(bt.auc)))  # fmt: skip
    else:
        blocks.append(paragraph(ctx, "text.cb_back_test_rules", cutoff=cutoff, months=months,
                                hit=hit))  # fmt: skip
    shown = tiers[["customers", "bought", "did_not_buy_share", "predicted_p_purchase", "hit_rate"]]
    if not bt.fitted:
        shown = shown.drop(columns=["predicted_p_purchase"])
    labels = {t: churn_label(t, lang) for t in bt.labels} | {"all": text("word.cb_all", lang)}
    shown = shown.rename(index=labels)
    rate = {c: (lambda x: format_percent(x, decimals=1))
            for c in ("did_not_buy_share", "predicted_p_purchase", "hit_rate")}  # fmt: skip
    blocks.append(table(ctx, shown, caption=text("sub.cb_back_test", lang),
                        formats={"customers": format_count, "bought": format_count, **rate}))  # fmt: skip
    if bt.fitted and len(bt.calibration):
        cal = bt.calibration
        compact = pd.DataFrame({
            "p_purchase_range": [f"{format_percent(lo, decimals=0)}–{format_percent(hi, decimals=0)}"
                                 for lo, hi in zip(cal["p_purchase_low"], cal["p_purchase_high"],
                                                   strict=True)],
            "customers": cal["customers"].to_numpy(),
            "predicted_buyers": cal["predicted_buyers"].to_numpy(float),
            "actual_buyers": cal["actual_buyers"].to_numpy(float),
        }, index=pd.Index(cal["decile"].to_numpy(), name="decile"))  # fmt: skip
        blocks.append(table(ctx, compact, caption=text("sub.cb_calibration", lang), formats={
            "customers": format_count, "predicted_buyers": lambda x: f"{x:,.1f}",
            "actual_buyers": format_count}))  # fmt: skip
    return blocks


def trigger_rows(results: Any, language: str) -> pd.DataFrame:
    """The triggers of the classified and pending customers, the largest accounts first (by
    the larger of the two 12-month spends): ``trigger`` (translated rule), ``figure`` (the
    spend change or the months without a purchase, as text), ``spend_previous``,
    ``spend_current``; index = customer (a customer with two rules has two rows)."""
    table_ = results.customer_base.triggers
    known = table_["customer"].isin(results.display_names.index)
    t = table_[known.to_numpy()]
    size = np.fmax(t["spend_previous"].to_numpy(float), t["spend_current"].to_numpy(float))
    t = t.assign(_size=np.nan_to_num(size, nan=0.0)).sort_values("_size", ascending=False,
                                                                kind="stable")  # fmt: skip
    return pd.DataFrame(
        {"trigger": [text(f"trigger.{rule}", language) for rule in t["rule"]],
         "figure": [_figure(rule, v, language) for rule, v in zip(t["rule"], t["value"],
                                                                  strict=True)],
         "spend_previous": t["spend_previous"].to_numpy(float),
         "spend_current": t["spend_current"].to_numpy(float)},
        index=pd.Index(t["customer"].to_numpy(), name="customer"),
    )  # fmt: skip


def _figure(rule: str, value: float, language: str) -> str:
    if value is None or pd.isna(value):
        return "–"
    if rule == "spend_change":
        return "+∞" if np.isinf(value) else f"{value:+.1%}"
    return text("text.cb_months", language, n=format_count(value))


def _trigger_blocks(ctx: ReportContext) -> list[Block]:
    r, lang = ctx.results, ctx.language
    spec = r.customer_base.settings
    rows = trigger_rows(r, lang)
    blocks: list[Block] = [heading(ctx, "sub.cb_triggers")]
    if len(rows) == 0:
        return [*blocks, paragraph(ctx, "text.cb_no_triggers")]
    blocks.append(paragraph(ctx, "text.cb_triggers", n=Count(len(rows)),
                            customers=Count(rows.index.nunique()),
                            change=format_percent(spec.spend_change, decimals=0),
                            months=spec.inactive_months))  # fmt: skip
    money = {
        c: (lambda x: format_money(x, language=lang, compact=lang == "zh"))
        for c in ("spend_previous", "spend_current")
    }
    return blocks + customer_table(ctx, rows, formats=money, caption=text("sub.cb_triggers", lang),
                                   max_rows=min(ctx.max_rows, 20))  # fmt: skip
