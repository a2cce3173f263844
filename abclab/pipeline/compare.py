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
    value_methods = [m.name for m in study.methods if m.ranks_value]
    classified = comparable_tiers(tiers.loc[criteria.index, value_methods])
    agreement = None
    disputed, disputed_count = pd.DataFrame(), 0
    if classified.shape[1] >= 2:
        agreement = compare.agreement(classified)
        matrix = [m.name for m in study.methods if m.kind == "matrix"]
        ranked = classified.drop(columns=matrix)
        if ranked.shape[1] >= 2:
            every = compare.disputed(ranked, criteria, top=max(len(ranked), 1))
            disputed, disputed_count = every.head(20), len(every)  # widest spread first
    return CompareStep(strategies=strategies, summaries=summaries, agreement=agreement,
                       disputed=disputed, disputed_count=disputed_count)  # fmt: skip


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


def _fits_scheme(tiers: pd.Series, scheme: str) -> bool:
    """Whether :func:`abclab.strategy.strategy_table` can name every tier (bar D and n/a)."""
    skip = {"D", NO_DATA_TIER, *PENDING_WORD.values()}
    main = [str(c) for c in tiers.cat.categories if str(c) not in skip]
    rows = strategy.SCHEMES[scheme]
    names = {str(t).strip().lower() for r in rows for t in r[:3]}
    labelled = [c for c in main if c.strip().lower() in names]
    return len(labelled) == len(main) or (not labelled and len(main) <= len(rows))


def _plain_rows(study: Study, tiers: pd.Series, labels: list[str]) -> pd.DataFrame:
    """Rows for tiers without a default strategy: the study's names and strategies, else the
    tier itself and no strategy."""
    counts = tiers.astype(object).value_counts()
    return pd.DataFrame(
        {
            "key": labels,
            "name": [study.tiers.labels.get(c, c) for c in labels],
            "strategy": [study.tiers.strategies.get(c, "") for c in labels],
            "count": [int(counts.get(c, 0)) for c in labels],
        },
        index=pd.Index(labels, name="tier"),
    )


def strategy_table(study: Study, tiers: pd.Series) -> pd.DataFrame:
    """Tier -> name and strategy (abclab.strategy defaults, overridden by the study).

    The scheme is the recommended method's ``strategy_scheme``: ``bands`` for score bands,
    ``value_potential`` for the value x potential matrix, ``abc_accounts`` otherwise (source
    003's strategies for existing accounts; source 004's D for pending). Tiers outside any
    scheme (clusters beyond A-C, RFM segments, ``n/a`` of a customer a method could not
    place) get the study's ``tiers.labels`` / ``tiers.strategies`` or no strategy. Columns
    ``key, name, strategy, count`` indexed by tier; ``tiers.labels`` replace the names.
    """
    scheme = study.method(study.recommended).strategy_scheme
    tiers = tiers.cat.remove_unused_categories()
    cats = [str(c) for c in tiers.cat.categories]
    unplaced = [c for c in cats if c == NO_DATA_TIER]
    if scheme is None or not _fits_scheme(tiers, scheme):
        return _plain_rows(study, tiers, cats)
    if not unplaced:
        return _scheme_rows(study, tiers, scheme)
    placed = tiers[tiers.astype(object) != NO_DATA_TIER].cat.remove_categories(unplaced)
    return pd.concat([_scheme_rows(study, placed, scheme), _plain_rows(study, tiers, unplaced)])


def _scheme_rows(study: Study, tiers: pd.Series, scheme: str) -> pd.DataFrame:
    overrides = study.tiers.strategies
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
