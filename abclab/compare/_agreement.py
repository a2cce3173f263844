"""Agreement between methods: percent, Cohen's kappa, ARI, cross-tabs, disputed customers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

from abclab.compare._common import _as_frame, _as_tiers, _kappa_kernel


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
