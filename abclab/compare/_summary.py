"""Source 003's summary table per method (count, share, value, margin, strategy)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd

from abclab.compare._common import _as_tiers
from abclab.exceptions import InputDataError

_TOTAL = {"en": "Total", "zh": "合计"}
_UNCLASSIFIED = {"en": "(unclassified)", "zh": "(未分级)"}


def summary_table(
    tiers: pd.Series,
    *,
    value: pd.Series,
    margin: pd.Series | None = None,
    strategies: Mapping[str, str] | pd.Series | None = None,
    margin_weighting: Literal["mean", "value"] = "mean",
    language: Literal["en", "zh"] = "en",
) -> pd.DataFrame:
    """Per-tier summary as in source 003, template (三) "分级分类结果汇总表".

    Parameters
    ----------
    tiers : Series
        Tier of each customer (ordered Categorical, best first).
    value : Series
        Value per customer (e.g. annual spend), aligned on the index.
    margin : Series, optional
        Profit margin per customer (fraction or percent, returned in the same unit).
    strategies : mapping or Series, optional
        Strategy text per tier label (e.g. :func:`abclab.strategy.default_strategies`).
    margin_weighting : {"mean", "value"}
        ``average_margin`` as the plain mean over customers, or weighted by ``value``
        (= total profit / total value).
    language : {"en", "zh"}
        Label of the total row: "Total" or "合计".

    Returns
    -------
    DataFrame
        Columns ``tier, count, count_share, total_value, value_share, average_margin, strategy``;
        one row per tier (empty tiers included, count 0), a row "(unclassified)" if some tiers
        are missing, then the total row. Shares are fractions (0.05 = 5 %).

    Notes
    -----
    Source 003's printed total margin (11.5 %) matches neither weighting of its own tier rows
    (count-weighted 7.375 %, value-weighted 12.95 %); abclab computes the total row from the
    customers with the chosen weighting.
    """
    t = _as_tiers(tiers)
    v = _aligned(value, t, "value")
    m = None if margin is None else _aligned(margin, t, "margin")
    if np.any(v < 0):
        raise InputDataError(
            f"value: negative value at row {t.index[np.argmax(v < 0)]!r}; expected >= 0."
        )
    if margin_weighting not in ("mean", "value"):
        raise ValueError(f"margin_weighting={margin_weighting!r}: expected 'mean' or 'value'.")
    codes = np.asarray(t.cat.codes)
    groups: list[tuple[str, np.ndarray]] = [
        (str(c), codes == i) for i, c in enumerate(t.cat.categories)
    ]
    if np.any(codes < 0):
        groups.append((_UNCLASSIFIED[language], codes < 0))
    groups.append((_TOTAL[language], np.ones(len(codes), dtype=bool)))
    total_n, total_v = len(codes), v.sum()
    strat = dict(strategies) if strategies is not None else {}
    rows = []
    for label, mask in groups:
        n, tv = int(mask.sum()), float(v[mask].sum())
        avg = np.nan
        if m is not None and n:
            mm, vv = m[mask], v[mask]
            ok = ~np.isnan(mm)
            if margin_weighting == "mean":
                avg = float(mm[ok].mean()) if ok.any() else np.nan
            elif vv[ok].sum() > 0:
                avg = float((mm[ok] * vv[ok]).sum() / vv[ok].sum())
        rows.append(
            {
                "tier": label,
                "count": n,
                "count_share": n / total_n if total_n else np.nan,
                "total_value": tv,
                "value_share": tv / total_v if total_v else np.nan,
                "average_margin": avg,
                "strategy": strat.get(label, None),
            }
        )
    out = pd.DataFrame(rows)
    out["strategy"] = pd.Series([r["strategy"] for r in rows], dtype="str")
    return out


def _aligned(values: pd.Series, tiers: pd.Series, name: str) -> np.ndarray:
    if not isinstance(values, pd.Series):
        values = pd.Series(np.asarray(values), index=tiers.index)
    missing = tiers.index.difference(values.index)
    if len(missing):
        raise InputDataError(
            f"{name}: no value for customer {missing[0]!r} (and {len(missing) - 1} more)."
        )
    out = pd.to_numeric(values.reindex(tiers.index), errors="coerce")
    return out.to_numpy(dtype=float, na_value=np.nan)


# -- agreement ----------------------------------------------------------------------------------
