"""Robustness of the recommended ranking: a rank-reversal check and how much the choice of
weights changes the top of the ranking (sensitivity section)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from abclab import compare, scoring, sensitivity
from abclab.pipeline.stress import tested_method
from abclab.report._format import Count, format_percent, format_ratio
from abclab.report._i18n import text
from abclab.report.sections._blocks import Block
from abclab.report.sections._context import ReportContext, heading, table

__all__ = ["MAX_REVERSAL_CUSTOMERS", "TOP_K", "ranking_robustness", "ranking_robustness_blocks"]

#: Largest number of classified customers the rank-reversal check runs on: it compares every
#: pair of customers (n (n - 1) / 2 pairs), about 0.1 s at 5,000 customers.
MAX_REVERSAL_CUSTOMERS = 5000
#: The first top-k overlap (the size of the recommended top tier is the second).
TOP_K = 10
_RULE_KEYS = ("rule", "cuts", "shares", "cutoffs")


def ranking_robustness(results: Any) -> dict[str, Any] | None:
    """Rank reversal and weight-choice figures of the tested method's ranking, or None.

    Returns
    -------
    dict or None
        ``None`` without ``sensitivity:``. Else: ``alternative`` (``"ahp"`` for fuzzy AHP
        weights, whose crisp eigenvector weights are in ``weight_comparison``, else
        ``"equal"``); ``k`` and ``top_k``, the top-tier size and overlaps
        ``{10: common, k: common}`` of the customers ranked highest under the used and the
        alternative weights (:func:`abclab.compare.top_k_overlap`); ``tau``, Kendall's τ-b
        between the two scores (:func:`scipy.stats.kendalltau`); ``reversal``, the row of
        :func:`abclab.sensitivity.rank_reversal` when the second-ranked customer (the
        best-ranked non-optimal one) is removed and the customers are re-scored with the
        study's normalisation (``pairs``, ``flipped_pairs``, ``share_flipped``,
        ``tier_changes``, ``top_changed``), or None above :data:`MAX_REVERSAL_CUSTOMERS`.

    Notes
    -----
    The weighted score ``S_i = Σ_j w_j s_ij`` is re-computed with the alternative weights
    on the same indicator scores ``s_ij``. Normalisations over the customers (min-max,
    percentile) can reorder the others when one customer leaves (Belton & Gear 1983);
    fixed bands cannot.
    """
    study = results.study
    if study.sensitivity is None:
        return None
    method = tested_method(study)
    rule = {k: v for k, v in (method.weight_rule() or {}).items() if k in _RULE_KEYS}
    indicator = results.scores.indicator_scores.loc[results.criteria.index]
    used = results.weights.reindex(indicator.columns).astype(float)
    comparison = results.weight_comparison
    alternative = "ahp" if study.weights.kind == "fuzzy_ahp" and "ahp" in comparison else "equal"
    other = comparison[alternative].reindex(indicator.columns).astype(float)
    a = indicator.to_numpy(float) @ used.to_numpy()
    b = indicator.to_numpy(float) @ (other / other.sum()).to_numpy()
    tiers = results.tiers[method.name] if method.name in results.tiers else None
    k = TOP_K
    if tiers is not None:
        top = tiers.loc[indicator.index]
        k = int((top == top.cat.categories[0]).sum()) or TOP_K
    pair = pd.DataFrame({"used": a, "other": b}, index=indicator.index)
    overlap = compare.top_k_overlap(pair, k=[TOP_K, k])
    reversal = None
    if 3 <= len(indicator) <= MAX_REVERSAL_CUSTOMERS:
        reversal = _reversal(results, indicator.index, a, rule)
    return {
        "method": method.name,
        "alternative": alternative,
        "k": k,
        "top_k": dict(zip(overlap["k"].astype(int), overlap["common"].astype(int), strict=True)),
        "tau": float(stats.kendalltau(a, b).statistic),
        "reversal": reversal,
    }


def _reversal(
    results: Any, index: pd.Index, base: np.ndarray, rule: dict[str, Any]
) -> dict[str, Any]:
    frame = results.criteria.loc[index]
    spec = results.study.scoring_spec()
    w = results.weights

    def score(f: pd.DataFrame) -> pd.Series:
        return scoring.score(f, w, criteria=spec).score

    second = index[np.argsort(-base, kind="stable")[1]]
    out = sensitivity.rank_reversal(frame, score, remove=[second], **rule)
    return out.changes.iloc[0].to_dict()


def ranking_robustness_blocks(ctx: ReportContext, figures: dict[str, Any]) -> list[Block]:
    """The compact table of :func:`ranking_robustness` (measure -> value)."""
    lang = ctx.language
    alt = text(f"col.{figures['alternative']}", lang)
    rows: list[tuple[str, str]] = []
    rev = figures["reversal"]
    if rev is not None:
        rows.append((
            text("measure.flipped_pairs", lang),
            text("text.of_total", lang, part=Count(int(rev["flipped_pairs"])),
                 total=Count(int(rev["pairs"])), share=format_percent(rev["share_flipped"], decimals=2)),
        ))  # fmt: skip
        if not pd.isna(rev["tier_changes"]):
            rows.append((text("measure.tier_changes", lang), str(Count(int(rev["tier_changes"])))))
    else:
        rows.append((text("measure.flipped_pairs", lang),
                     text("text.reversal_skipped", lang, n=Count(MAX_REVERSAL_CUSTOMERS))))  # fmt: skip
    for k, common in figures["top_k"].items():
        rows.append((
            text("measure.top_k", lang, k=Count(k), alternative=alt),
            text("text.of_total", lang, part=Count(common), total=Count(k),
                 share=format_percent(common / k if k else np.nan, decimals=0)),
        ))  # fmt: skip
    rows.append((text("measure.kendall", lang, alternative=alt), format_ratio(figures["tau"])))
    frame = pd.DataFrame(rows, columns=["measure", "value"]).set_index("measure")
    caption = text("sub.ranking_robustness", lang)
    return [heading(ctx, "sub.ranking_robustness", level=4), table(ctx, frame, caption=caption)]
