"""Top-k overlap between rankings: do two weightings pick the same best customers?"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import combinations

import numpy as np
import pandas as pd

from abclab.exceptions import InputDataError


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k highest scores (ties at the boundary broken by input order)."""
    return np.argsort(-scores, kind="stable")[:k]


def top_k_overlap(
    scores: pd.DataFrame | Mapping[str, pd.Series], *, k: int | Sequence[int] = (10, 50, 100)
) -> pd.DataFrame:
    """Share of the top-k customers that two score columns have in common.

    Parameters
    ----------
    scores : DataFrame or mapping name -> Series
        One score column per weighting or method (higher = better), aligned on the index;
        rows with a missing score in a pair are left out of that pair.
    k : int or sequence of int
        Sizes of the top set (values above the number of customers are capped, and a
        capped size is reported once).

    Returns
    -------
    DataFrame
        One row per pair and k: ``method_a``, ``method_b``, ``k``, ``common`` (customers in
        both top sets), ``overlap`` = common / k, ``jaccard`` = common / (2k - common).

    Notes
    -----
    ``overlap = |T_a(k) ∩ T_b(k)| / k`` (Fagin, Kumar & Sivakumar 2003 call 1 - overlap the
    top-k intersection distance at depth k). Ties at the k-th place are broken by input order.

    References
    ----------
    Fagin, R., Kumar, R., & Sivakumar, D. (2003). Comparing top k lists. *SIAM Journal on
    Discrete Mathematics* 17(1), 134-160.

    Examples
    --------
    >>> s = pd.DataFrame({"ahp": [5, 4, 3, 2, 1], "entropy": [5, 3, 4, 1, 2]})
    >>> top_k_overlap(s, k=2)[["k", "common", "overlap"]].to_dict("records")
    [{'k': 2, 'common': 1, 'overlap': 0.5}]
    """
    frame = pd.DataFrame(dict(scores)) if isinstance(scores, Mapping) else scores
    if not isinstance(frame, pd.DataFrame) or frame.shape[1] < 2:
        raise InputDataError(
            "scores: expected a DataFrame (or dict) with at least 2 score columns."
        )
    for c in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[c]):
            raise InputDataError(f"scores column {c!r}: expected numbers, found {frame[c].dtype}.")
    ks = [k] if isinstance(k, int | np.integer) else list(k)
    if not ks or any(int(x) != x or x < 1 for x in ks):
        raise ValueError(f"k={k!r}: expected positive integers.")
    arr = frame.to_numpy(dtype=float, na_value=np.nan)
    rows = []
    for i, j in combinations(range(arr.shape[1]), 2):
        ok = ~np.isnan(arr[:, i]) & ~np.isnan(arr[:, j])
        a, b = arr[ok, i], arr[ok, j]
        for kk in dict.fromkeys(int(min(x, len(a))) for x in ks):
            common = len(np.intersect1d(_top(a, kk), _top(b, kk)))
            rows.append(
                {
                    "method_a": str(frame.columns[i]),
                    "method_b": str(frame.columns[j]),
                    "k": kk,
                    "common": common,
                    "overlap": common / kk if kk else np.nan,
                    "jaccard": common / (2 * kk - common) if kk else np.nan,
                }
            )
    return pd.DataFrame(rows)
