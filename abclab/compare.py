"""Compare classifications: summary table, agreement, cross-tabs, disputed customers, Lorenz/Gini.

Tiers are ordered pandas Categorical Series (categories best first), as every abclab classifier
returns them. Where a method needs tier *positions* (weighted kappa, disputed customers, methods
with different label sets) a tier is replaced by its rank position: 0 for the first (best)
category, 1 for the next, and so on. A plain (non-categorical) Series is ordered by its sorted
unique values ("A" < "B" < "C").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.metrics import adjusted_rand_score

from abclab.exceptions import InputDataError

__all__ = [
    "AgreementResult",
    "RankCorrelation",
    "agreement",
    "crosstab",
    "disputed",
    "gini",
    "lorenz",
    "rank_correlation",
    "summary_table",
]

_TOTAL = {"en": "Total", "zh": "合计"}
_UNCLASSIFIED = {"en": "(unclassified)", "zh": "(未分级)"}


# -- helpers ----------------------------------------------------------------------------------
def _as_tiers(tiers: pd.Series, name: str = "tiers") -> pd.Series:
    """Return ``tiers`` as an ordered Categorical Series (sorted unique values if not one)."""
    if not isinstance(tiers, pd.Series):
        raise InputDataError(
            f"{name}: expected a pandas Series of tiers, got {type(tiers).__name__}."
        )
    if isinstance(tiers.dtype, pd.CategoricalDtype):
        return tiers if tiers.cat.ordered else tiers.cat.as_ordered()
    cats = sorted(pd.unique(tiers.dropna()), key=str)
    return pd.Series(
        pd.Categorical(tiers, categories=cats, ordered=True), index=tiers.index, name=tiers.name
    )


def _rank_codes(tiers: pd.Series) -> np.ndarray:
    """Rank position of each tier (0 = best), -1 for missing."""
    return np.asarray(_as_tiers(tiers).cat.codes, dtype=np.int64)


def _as_frame(classifications: Mapping[str, pd.Series] | pd.DataFrame) -> pd.DataFrame:
    """Align several tier Series into a DataFrame of ordered Categoricals (outer join)."""
    if isinstance(classifications, pd.DataFrame):
        items = {str(c): classifications[c] for c in classifications.columns}
    elif isinstance(classifications, Mapping):
        items = {str(k): v for k, v in classifications.items()}
    else:
        raise InputDataError(
            "classifications: expected a dict of name -> tier Series or a DataFrame, "
            f"got {type(classifications).__name__}."
        )
    if len(items) < 2:
        raise InputDataError(
            f"classifications: need at least 2 methods to compare, got {len(items)}."
        )
    for name, s in items.items():
        if not isinstance(s, pd.Series):
            raise InputDataError(
                f"classifications[{name!r}]: expected a Series, got {type(s).__name__}."
            )
        if s.index.has_duplicates:
            dup = s.index[s.index.duplicated()][0]
            raise InputDataError(
                f"classifications[{name!r}]: duplicate customer {dup!r} in the index."
            )
    frame = pd.concat({k: _as_tiers(v, k) for k, v in items.items()}, axis=1, join="outer")
    return frame


def _kappa_kernel(a: np.ndarray, b: np.ndarray, k: int, weights: str | None) -> float:
    """Cohen's (weighted) kappa of integer codes 0..k-1 (no validation).

    kappa = 1 - sum(v * O) / sum(v * E), with O the observed and E the chance-expected
    confusion proportions; v = 1 - I (unweighted), |i-j| (linear) or (i-j)^2 (quadratic).
    """
    obs = np.bincount(a * k + b, minlength=k * k).reshape(k, k) / len(a)
    exp = np.outer(obs.sum(1), obs.sum(0))
    i, j = np.indices((k, k))
    if weights is None:
        v = (i != j).astype(float)
    elif weights == "linear":
        v = np.abs(i - j).astype(float)
    else:
        v = (i - j).astype(float) ** 2
    denom = (v * exp).sum()
    if denom == 0:
        return 1.0 if (v * obs).sum() == 0 else np.nan
    return float(1.0 - (v * obs).sum() / denom)


# -- summary ------------------------------------------------------------------------------------
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
@dataclass(frozen=True)
class AgreementResult:
    """Pairwise agreement between classification methods (methods x methods matrices).

    Attributes
    ----------
    percent : DataFrame
        Share of customers with the same tier (by rank position).
    kappa : DataFrame
        Cohen's kappa.
    kappa_linear, kappa_quadratic : DataFrame
        Weighted kappa with linear |i-j| and quadratic (i-j)^2 disagreement weights.
    adjusted_rand : DataFrame
        Adjusted Rand index of the two partitions (label-free).
    n : DataFrame
        Number of customers classified by both methods.
    """

    percent: pd.DataFrame
    kappa: pd.DataFrame
    kappa_linear: pd.DataFrame
    kappa_quadratic: pd.DataFrame
    adjusted_rand: pd.DataFrame
    n: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """Tidy table: one row per pair (method_a < method_b) with every statistic."""
        names = list(self.percent.index)
        rows = [
            {
                "method_a": a,
                "method_b": b,
                "n": int(self.n.loc[a, b]),
                "percent": self.percent.loc[a, b],
                "kappa": self.kappa.loc[a, b],
                "kappa_linear": self.kappa_linear.loc[a, b],
                "kappa_quadratic": self.kappa_quadratic.loc[a, b],
                "adjusted_rand": self.adjusted_rand.loc[a, b],
            }
            for a, b in combinations(names, 2)
        ]
        return pd.DataFrame(rows)


def agreement(classifications: Mapping[str, pd.Series] | pd.DataFrame) -> AgreementResult:
    """Agreement between every pair of classifications.

    Parameters
    ----------
    classifications : dict of name -> tier Series, or DataFrame (one column per method)
        Customers are matched on the index; a pair is compared on the customers both methods
        classified (missing tiers are left out).

    Returns
    -------
    AgreementResult

    Notes
    -----
    Tiers are compared by **rank position** (0 = best category), so methods with different label
    sets but the same number of tiers (e.g. "strategic/key/ordinary/potential" against
    "A/B/C/D") can be compared. With *different* numbers of tiers rank positions do not
    correspond (the third of four tiers is not the third of three), so percent agreement and
    the kappas are NaN for that pair; the adjusted Rand index, which compares the partitions
    whatever their labels, is still given.

    Cohen's kappa (Cohen 1960): :math:`\\kappa = (p_o - p_e) / (1 - p_e)`. Weighted kappa
    (Cohen 1968): :math:`\\kappa_w = 1 - \\sum v_{ij} o_{ij} / \\sum v_{ij} e_{ij}` with
    disagreement weights :math:`v_{ij} = |i-j|` (linear) or :math:`(i-j)^2` (quadratic); these
    equal scikit-learn's ``cohen_kappa_score(weights=...)``. Adjusted Rand index (Hubert &
    Arabie 1985) via ``sklearn.metrics.adjusted_rand_score``; it ignores tier order.

    References
    ----------
    Cohen, J. (1960). A coefficient of agreement for nominal scales. *Educational and
    Psychological Measurement*, 20(1), 37-46.
    Cohen, J. (1968). Weighted kappa. *Psychological Bulletin*, 70(4), 213-220.
    Hubert, L., & Arabie, P. (1985). Comparing partitions. *Journal of Classification*, 2, 193-218.
    """
    frame = _as_frame(classifications)
    names = list(frame.columns)
    codes = {c: np.asarray(frame[c].cat.codes, dtype=np.int64) for c in names}
    sizes = {c: len(frame[c].cat.categories) for c in names}
    mats = {
        key: pd.DataFrame(np.nan, index=names, columns=names)
        for key in ("percent", "kappa", "kappa_linear", "kappa_quadratic", "adjusted_rand", "n")
    }
    for a in names:
        for b in names:
            ok = (codes[a] >= 0) & (codes[b] >= 0)
            x, y = codes[a][ok], codes[b][ok]
            mats["n"].loc[a, b] = ok.sum()
            if not ok.any():
                continue
            mats["adjusted_rand"].loc[a, b] = float(adjusted_rand_score(x, y))
            if sizes[a] != sizes[b]:  # rank positions are not comparable
                continue
            k = max(sizes[a], 1)
            mats["percent"].loc[a, b] = float(np.mean(x == y))
            mats["kappa"].loc[a, b] = _kappa_kernel(x, y, k, None)
            mats["kappa_linear"].loc[a, b] = _kappa_kernel(x, y, k, "linear")
            mats["kappa_quadratic"].loc[a, b] = _kappa_kernel(x, y, k, "quadratic")
    mats["n"] = mats["n"].astype(np.int64)
    for m in mats.values():
        m.index.name, m.columns.name = "method_a", "method_b"
    return AgreementResult(**mats)


def crosstab(a: pd.Series, b: pd.Series, *, margins: bool = False) -> pd.DataFrame:
    """Counts of customers by tier of ``a`` (rows) and tier of ``b`` (columns).

    Every category appears (empty ones as 0); customers missing from either Series or with a
    missing tier are left out. ``margins=True`` adds a "Total" row and column.
    """
    ta, tb = _as_tiers(a, "a"), _as_tiers(b, "b")
    common = ta.index.intersection(tb.index)
    ta, tb = ta.reindex(common), tb.reindex(common)
    ca, cb = np.asarray(ta.cat.codes), np.asarray(tb.cat.codes)
    ok = (ca >= 0) & (cb >= 0)
    ka, kb = len(ta.cat.categories), len(tb.cat.categories)
    counts = np.bincount(ca[ok] * kb + cb[ok], minlength=ka * kb).reshape(ka, kb)
    out = pd.DataFrame(
        counts,
        index=pd.Index(
            [str(c) for c in ta.cat.categories], name=str(a.name) if a.name is not None else "a"
        ),
        columns=pd.Index(
            [str(c) for c in tb.cat.categories], name=str(b.name) if b.name is not None else "b"
        ),
    )
    if margins:
        out["Total"] = out.sum(axis=1)
        out.loc["Total"] = out.sum(axis=0)
    return out


def disputed(
    classifications: Mapping[str, pd.Series] | pd.DataFrame,
    criteria: pd.DataFrame | None = None,
    *,
    top: int = 20,
) -> pd.DataFrame:
    """Customers on whose tier the methods disagree most.

    Disagreement of a customer = max - min of its tier rank positions (0 = best) over the
    methods that classified it. Only customers with disagreement > 0 are listed, largest first
    (ties by customer order in the input), at most ``top`` of them.

    Returns
    -------
    DataFrame
        Indexed by customer: one column per method (its tier), ``best_rank``, ``worst_rank``,
        ``rank_range``, then the ``criteria`` columns for those customers (if given).
    """
    if top < 1:
        raise ValueError(f"top={top}: expected a positive integer.")
    frame = _as_frame(classifications)
    ranks = np.column_stack([np.asarray(frame[c].cat.codes, dtype=float) for c in frame.columns])
    ranks[ranks < 0] = np.nan
    classified = np.isfinite(ranks).any(axis=1)
    lo = np.where(classified, np.nanmin(np.where(np.isnan(ranks), np.inf, ranks), axis=1), np.nan)
    hi = np.where(classified, np.nanmax(np.where(np.isnan(ranks), -np.inf, ranks), axis=1), np.nan)
    out = frame.copy()
    out["best_rank"], out["worst_rank"] = lo, hi
    out["rank_range"] = hi - lo
    out = out[out["rank_range"] > 0]
    order = np.argsort(-out["rank_range"].to_numpy(), kind="stable")[:top]
    out = out.iloc[order]
    if criteria is not None:
        clash = [c for c in criteria.columns if c in out.columns]
        out = out.join(criteria.rename(columns={c: f"{c}_criterion" for c in clash}), how="left")
    return out


# -- concentration --------------------------------------------------------------------------------
def _values(values: pd.Series | np.ndarray, name: str = "values") -> np.ndarray:
    x = np.asarray(values, dtype=float).ravel()
    if x.size == 0:
        raise InputDataError(f"{name}: empty; need at least one value.")
    if np.isnan(x).any():
        raise InputDataError(
            f"{name}: {int(np.isnan(x).sum())} missing value(s); drop or impute them."
        )
    if np.any(x < 0):
        raise InputDataError(
            f"{name}: negative value {float(x[x < 0][0])!r} at position {int(np.argmax(x < 0))}; expected >= 0."
        )
    if x.sum() <= 0:
        raise InputDataError(f"{name}: all values are zero; shares are undefined.")
    return x


def lorenz(
    values: pd.Series | np.ndarray, *, kind: Literal["abc", "lorenz"] = "abc"
) -> pd.DataFrame:
    """Points of the ABC (Pareto) curve or of the Lorenz curve, starting at (0, 0).

    Parameters
    ----------
    values : array-like of non-negative numbers
    kind : {"abc", "lorenz"}
        "abc": customers sorted by value **descending** (concave curve above the diagonal: the
        top 20 % of customers hold ``value_share`` of the value). "lorenz": sorted ascending
        (convex curve below the diagonal, as in the Gini coefficient).

    Returns
    -------
    DataFrame
        Columns ``customer_share`` and ``value_share`` (cumulative, 0..1), n + 1 rows.
    """
    x = _values(values)
    if kind not in ("abc", "lorenz"):
        raise ValueError(f"kind={kind!r}: expected 'abc' or 'lorenz'.")
    x = np.sort(x)[::-1] if kind == "abc" else np.sort(x)
    n = len(x)
    return pd.DataFrame(
        {
            "customer_share": np.arange(n + 1) / n,
            "value_share": np.concatenate([[0.0], np.cumsum(x) / x.sum()]),
        }
    )


def gini(values: pd.Series | np.ndarray) -> float:
    """Gini coefficient of non-negative values.

    .. math:: G = \\frac{\\sum_i \\sum_j |x_i - x_j|}{2 n^2 \\mu}
              = \\frac{2 \\sum_{i=1}^n i\\, x_{(i)}}{n \\sum_i x_i} - \\frac{n + 1}{n},

    with :math:`x_{(i)}` sorted ascending (O(n log n) form). 0 for equal values, (n-1)/n when one
    customer holds everything.

    References
    ----------
    Gini, C. (1912). *Variabilità e mutabilità*. Bologna: Tipografia di Paolo Cuppini.
    """
    x = np.sort(_values(values))
    n = len(x)
    g = 2.0 * np.sum(np.arange(1, n + 1) * x) / (n * x.sum()) - (n + 1) / n
    # the closed form cancels two terms of about 1: equal values can give -2e-16
    return float(min(max(g, 0.0), (n - 1) / n))


@dataclass(frozen=True)
class RankCorrelation:
    """Spearman's rho and Kendall's tau-b between score columns (methods x methods)."""

    spearman: pd.DataFrame
    kendall: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """Tidy table: method_a, method_b, spearman, kendall (each pair once)."""
        names = list(self.spearman.index)
        return pd.DataFrame(
            [
                {
                    "method_a": a,
                    "method_b": b,
                    "spearman": self.spearman.loc[a, b],
                    "kendall": self.kendall.loc[a, b],
                }
                for a, b in combinations(names, 2)
            ]
        )


def rank_correlation(scores: pd.DataFrame | Mapping[str, pd.Series]) -> RankCorrelation:
    """Spearman and Kendall (tau-b) rank correlations between score columns.

    Rows with a missing score in either column are left out pairwise. Computed with
    ``scipy.stats.spearmanr`` and ``scipy.stats.kendalltau``.
    """
    frame = pd.DataFrame(dict(scores)) if isinstance(scores, Mapping) else scores
    if not isinstance(frame, pd.DataFrame) or frame.shape[1] < 2:
        raise InputDataError(
            "scores: expected a DataFrame (or dict) with at least 2 score columns."
        )
    for c in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[c]):
            raise InputDataError(
                f"scores column {c!r}: expected numbers, found dtype {frame[c].dtype}."
            )
    names = [str(c) for c in frame.columns]
    arr = frame.to_numpy(dtype=float, na_value=np.nan)
    sp = np.eye(len(names))
    kd = np.eye(len(names))
    for i, j in combinations(range(len(names)), 2):
        ok = ~np.isnan(arr[:, i]) & ~np.isnan(arr[:, j])
        sp[i, j] = sp[j, i] = stats.spearmanr(arr[ok, i], arr[ok, j]).statistic
        kd[i, j] = kd[j, i] = stats.kendalltau(arr[ok, i], arr[ok, j]).statistic
    return RankCorrelation(
        spearman=pd.DataFrame(sp, index=names, columns=names),
        kendall=pd.DataFrame(kd, index=names, columns=names),
    )
