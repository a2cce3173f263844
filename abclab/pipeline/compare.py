"""Compare step: per-method summaries, strategies of the recommended tiers, agreement, disputes."""

from __future__ import annotations

import pandas as pd

from abclab import compare, strategy
from abclab.config import Study
from abclab.methods import NO_DATA_TIER, default_value_column
from abclab.pipeline.classify import PENDING_WORD
from abclab.pipeline.results import CompareStep

__all__ = ["comparable_tiers", "compare_step", "strategy_table"]

#: Methods whose tiers are quadrants or clusters rather than one ranking are left out of the
#: tier-range ("disputed customers") measure; the registry's ``kind`` says which.
RANKED_KIND = "ranking"


def compare_step(study: Study, criteria: pd.DataFrame, tiers: pd.DataFrame) -> CompareStep:
    """Summaries of every method, the recommended method's strategies, agreement, disputes."""
    strategies = strategy_table(study, tiers[study.recommended])
    benefit = [c for c in criteria.columns if c not in study.cost_criteria]
    value_name = default_value_column(pd.Series(1.0, index=criteria.columns), benefit)
    value = criteria[value_name].clip(lower=0)
    margin = next((criteria[n] for n in ("margin", "profit_margin") if n in criteria), None)
    summaries = {}
    for m in study.methods:
        t = tiers[m.name].loc[criteria.index].cat.remove_unused_categories()
        strat = strategies["strategy"].to_dict() if m.name == study.recommended else None
        summaries[m.name] = compare.summary_table(t, value=value, margin=margin, strategies=strat,
                                                  language=study.language)  # fmt: skip
    classified = comparable_tiers(tiers.loc[criteria.index])
    agreement = None
    disputed = pd.DataFrame()
    if classified.shape[1] >= 2:
        agreement = compare.agreement(classified)
        matrix = [m.name for m in study.methods if m.kind == "matrix"]
        ranked = classified.drop(columns=matrix)
        if ranked.shape[1] >= 2:
            disputed = compare.disputed(ranked, criteria, top=20)
    return CompareStep(strategies=strategies, summaries=summaries, agreement=agreement,
                       disputed=disputed)  # fmt: skip


def comparable_tiers(tiers: pd.DataFrame, *, insufficient: str = NO_DATA_TIER) -> pd.DataFrame:
    """Tiers of classified customers ready for agreement and dispute measures.

    A classified customer can still be :data:`~abclab.methods.NO_DATA_TIER` in one method
    (ABCD: e.g. no industry growth figure for value × potential). That says *no judgement*,
    not *worst tier*, so it becomes missing: agreement is computed over the customers both
    methods placed, and a missing figure does not make a customer "disputed". Unused
    categories are dropped.
    """
    out = {}
    for name, column in tiers.items():
        column = column.cat.remove_unused_categories()
        if insufficient in column.cat.categories:
            column = column.cat.remove_categories([insufficient])
        out[name] = column
    return pd.DataFrame(out, index=tiers.index)


def strategy_table(study: Study, tiers: pd.Series) -> pd.DataFrame:
    """Tier -> name and strategy (abclab.strategy defaults, overridden by the study).

    The scheme is the recommended method's ``strategy_scheme``: ``bands`` for score bands,
    ``value_potential`` for the value x potential matrix, ``abc_accounts`` otherwise (source
    003's strategies for existing accounts; source 004's D for pending). Columns ``key, name, strategy, count``
    indexed by tier; ``tiers.labels`` of the study replace the names.
    """
    scheme = study.method(study.recommended).strategy_scheme
    overrides = study.tiers.strategies
    tiers = tiers.cat.remove_unused_categories()
    cats = [str(c) for c in tiers.cat.categories]
    words = ("D", *PENDING_WORD.values())
    extra = [c for c in words if c in cats and scheme != "abc_accounts"]
    main = tiers[~tiers.astype(object).isin(extra)].cat.remove_categories(extra) if extra else tiers
    table = strategy.strategy_table(
        main,
        scheme=scheme,
        language=study.language,
        overrides={k: v for k, v in overrides.items() if k not in extra},
    )
    if extra:
        pending = strategy.strategy_table(
            pd.Series(pd.Categorical(["D"], categories=["A", "B", "C", "D"], ordered=True)),
            scheme="abc_accounts",
            language=study.language,
        ).iloc[[-1]]
        pending = pending.assign(tier=extra[0], count=int((tiers.astype(object) == extra[0]).sum()))
        if extra[0] in overrides:
            pending = pending.assign(strategy=overrides[extra[0]])
        table = pd.concat([table, pending], ignore_index=True)
    table = table.set_index("tier")
    if study.tiers.labels:
        table["name"] = [
            study.tiers.labels.get(t, n) for t, n in zip(table.index, table["name"], strict=True)
        ]
    return table
