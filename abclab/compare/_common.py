"""Shared checks of the comparisons: tiers as ordered categoricals, frames of methods."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from abclab.exceptions import InputDataError


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
