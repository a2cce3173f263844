"""Tables a section computes from the results (pure functions of ``StudyResults``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from abclab.pipeline.stress import value_column

__all__ = [
    "agreement_headline",
    "cleaning_summary",
    "count_disputed",
    "inconsistency_table",
    "outlier_table",
    "value_criterion",
]


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
    """Criterion plotted on the Pareto curve (:func:`abclab.pipeline.stress.value_column`)."""
    return value_column(results.study, results.criteria, results.weights)
