"""Default service strategies per tier, in English and simplified Chinese, from the sources.

Schemes and where their wording comes from (source 003 is in traditional characters; the
Chinese text here is its faithful simplified-character transcription; the English is ours):

``"bands"``
    Score bands of source 003 §三(四) (战略级/重点级/普通级/潜在级客户, 90-100 / 75-89 / 60-74 /
    < 60 points); strategies from template (一) "客户分级分类标准表", column 适用策略.
``"bands_summary"``
    The same tiers with the shorter strategies of template (三) "分级分类结果汇总表", column
    核心维护策略.
``"value_potential"``
    The value x potential case of source 003 §五(二) (S: high value & high potential, A: high
    value & low potential, B: low value & high potential, C: low value & low potential) with the
    measures listed under 策略落地.
``"abc"``
    A/B/C/D classes of source 004: A = most important mature / intent customers (spend the most
    time to close deals, 重点培养), B = general intent (需要再沟通), C = widest group (follow up
    when time allows), D = not yet assessed (尚未了解…有待盘活; abclab's "pending evaluation").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import pandas as pd

from abclab.exceptions import InputDataError

__all__ = ["SCHEMES", "default_strategies", "strategy_table", "tier_names"]

Language = Literal["en", "zh"]
#: Languages abclab writes (strategies here, and every report text).
LANGUAGES: tuple[Language, ...] = ("en", "zh")

# key, English name, Chinese name, English strategy, Chinese strategy
_BANDS_NAMES = [
    ("strategic", "Strategic customer", "战略级客户"),
    ("key", "Key customer", "重点级客户"),
    ("ordinary", "Ordinary customer", "普通级客户"),
    ("potential", "Potential customer", "潜在级客户"),
]
#: Strategy tables per scheme; each row: (key, name_en, name_zh, strategy_en, strategy_zh).
SCHEMES: dict[str, list[tuple[str, str, str, str, str]]] = {
    # source 003, template (一), column 适用策略
    "bands": [
        (
            *_BANDS_NAMES[0],
            "Dedicated account manager + customised solutions + senior-management visits",
            "专属客户经理+定制化方案+高层拜访",
        ),
        (
            *_BANDS_NAMES[1],
            "Regular follow-up visits + product training + priority supply",
            "定期回访+产品培训+优先供货",
        ),
        (*_BANDS_NAMES[2], "Standardised service + bulk marketing", "标准化服务+批量营销"),
        (
            *_BANDS_NAMES[3],
            "Low-price trials + market education + targeted promotion",
            "低价试用+市场教育+定向推广",
        ),
    ],
    # source 003, template (三), column 核心维护策略
    "bands_summary": [
        (*_BANDS_NAMES[0], "Dedicated service + customised solutions", "专属服务+定制化方案"),
        (*_BANDS_NAMES[1], "Regular communication + product training", "定期沟通+产品培训"),
        (*_BANDS_NAMES[2], "Standardised operation + bulk marketing", "标准化运营+批量营销"),
        (*_BANDS_NAMES[3], "Low-price trials + targeted promotion", "低价试用+定向推广"),
    ],
    # source 003, §五(二) 策略落地
    "value_potential": [
        (
            "S",
            "S: high value, high potential",
            "高价值高潜力（S级）",
            "Key-account manager, senior-management visit every quarter, support for customised "
            "product development",
            "配备大客户经理,每季度高层拜访,提供定制化产品研发支持",
        ),
        (
            "A",
            "A: high value, low potential",
            "高价值低潜力（A级）",
            "Push new-product catalogues regularly, hold technical exchange meetings, secure steady "
            "repeat purchases",
            "定期推送新品目录,组织技术交流会,保证稳定复购",
        ),
        (
            "B",
            "B: low value, high potential",
            "低价值高潜力（B级）",
            "Push standardised products through online channels to lower acquisition cost",
            "通过线上渠道推送标准化产品,降低获客成本",
        ),
        (
            "C",
            "C: low value, low potential",
            "低价值低潜力（C级）",
            "Send promotions with automated marketing tools to reduce manual effort",
            "采用自动化营销工具发送促销信息,减少人工投入",
        ),
    ],
    # existing accounts in three tiers + pending: source 003 template (三) 核心维护策略 for the
    # top three grades, source 004's D (待评估) for customers whose data is incomplete
    "abc_accounts": [
        (
            "A",
            "A: key accounts",
            "A类客户",
            "Dedicated service + customised solutions",
            "专属服务+定制化方案",
        ),
        (
            "B",
            "B: growth accounts",
            "B类客户",
            "Regular communication + product training",
            "定期沟通+产品培训",
        ),
        (
            "C",
            "C: standard accounts",
            "C类客户",
            "Standardised operation + bulk marketing",
            "标准化运营+批量营销",
        ),
        (
            "D",
            "D: pending evaluation",
            "D类客户(待评估)",
            "Value and intent not yet known: assess first, then activate",
            "尚未了解具体资产质量和倾向,有待盘活",
        ),
    ],
    # source 004 (sales leads / prospects)
    "abc": [
        (
            "A",
            "A: most important customers",
            "A类客户",
            "Develop as a priority: spend the most time to close deals",
            "重点培养,花最多时间以促成交易",
        ),
        (
            "B",
            "B: general-intent customers",
            "B类客户",
            "Interested but not yet converted: communicate again",
            "有一定兴趣但未促成,需要再沟通",
        ),
        ("C", "C: broad base", "C类客户", "Follow up when time allows", "有空的时候再进行跟踪"),
        (
            "D",
            "D: pending evaluation",
            "D类客户",
            "Value and intent not yet known: assess first, then activate",
            "尚未了解具体资产质量和倾向,有待盘活",
        ),
    ],
}


def _check(scheme: str, language: str) -> list[tuple[str, str, str, str, str]]:
    if scheme not in SCHEMES:
        raise ValueError(f"scheme={scheme!r}: expected one of {sorted(SCHEMES)}.")
    if language not in LANGUAGES:
        raise ValueError(f"language={language!r}: expected 'en' or 'zh'.")
    return SCHEMES[scheme]


def tier_names(scheme: str = "bands", *, language: Language = "en") -> pd.Series:
    """Display name of each tier (index = tier key, best first), e.g. strategic → 战略级客户."""
    rows = _check(scheme, language)
    col = 1 if language == "en" else 2
    return pd.Series(
        [r[col] for r in rows],
        index=pd.Index([r[0] for r in rows], name="tier"),
        name="name",
        dtype="str",
    )


def default_strategies(scheme: str = "bands", *, language: Language = "en") -> pd.Series:
    """Default service strategy of each tier (index = tier key, best first).

    Examples
    --------
    >>> default_strategies("bands", language="zh")["strategic"]
    '专属客户经理+定制化方案+高层拜访'
    """
    rows = _check(scheme, language)
    col = 3 if language == "en" else 4
    return pd.Series(
        [r[col] for r in rows],
        index=pd.Index([r[0] for r in rows], name="tier"),
        name="strategy",
        dtype="str",
    )


def strategy_table(
    tiers: pd.Series,
    *,
    scheme: str = "bands",
    language: Language = "en",
    overrides: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """One row per tier of ``tiers``: display name, strategy and number of customers.

    A tier label is matched to the scheme by key ("strategic", "S"), English or Chinese display
    name (case-insensitive). If *no* label matches and there are no more tiers than the scheme
    has, tiers are matched by rank position (first category = best tier of the scheme) and
    ``attrs["matched_by"]`` says "rank"; a partial match is an error. ``overrides`` (tier label or
    scheme key → text) replace the default strategy.

    Returns
    -------
    DataFrame
        Columns ``tier, key, name, strategy, count``.
    """
    rows = _check(scheme, language)
    if not isinstance(tiers, pd.Series):
        raise InputDataError(f"tiers: expected a pandas Series, got {type(tiers).__name__}.")
    cats = (
        list(tiers.cat.categories)
        if isinstance(tiers.dtype, pd.CategoricalDtype)
        else sorted(pd.unique(tiers.dropna()), key=str)
    )
    lookup = {}
    for i, r in enumerate(rows):
        for text in r[:3]:
            lookup[str(text).strip().lower()] = i
    matched = {c: lookup.get(str(c).strip().lower()) for c in cats}
    matched_by = "label"
    if all(v is None for v in matched.values()) and len(cats) <= len(rows):
        matched, matched_by = {c: i for i, c in enumerate(cats)}, "rank"
    unknown = [c for c, v in matched.items() if v is None]
    if unknown:
        raise InputDataError(
            f"tiers: labels {unknown} are not tiers of scheme {scheme!r} "
            f"(known: {[r[0] for r in rows]}); rename them or pass overrides for a custom scheme."
        )
    overrides = dict(overrides or {})
    known = {str(c) for c in cats} | {r[0] for r in rows}
    stray = [k for k in overrides if k not in known]
    if stray:
        raise InputDataError(
            f"overrides: {stray} are neither tier labels {[str(c) for c in cats]} nor scheme keys."
        )
    counts = tiers.astype("object").value_counts()
    name_col, strat_col = (1, 3) if language == "en" else (2, 4)
    out = pd.DataFrame(
        [
            {
                "tier": str(c),
                "key": rows[matched[c]][0],
                "name": rows[matched[c]][name_col],
                "strategy": overrides.get(
                    str(c), overrides.get(rows[matched[c]][0], rows[matched[c]][strat_col])
                ),
                "count": int(counts.get(c, 0)),
            }
            for c in cats
        ]
    )
    out.attrs["matched_by"] = matched_by
    out.attrs["scheme"] = scheme
    return out
