"""Concentration and rank agreement of values: Lorenz curve, Gini, Spearman and Kendall."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from abclab.exceptions import InputDataError


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
    return float(np.clip(g, 0.0, (n - 1) / n))  # equal values: the closed form gave -2e-16


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
