"""Single-value ABC: Pareto (cumulative value share), count shares and score bands."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from abclab.classify._common import (
    as_values,
    check_labels,
    codes_from_thresholds,
    thresholds_from_counts,
    tier_series,
)
from abclab.exceptions import InputDataError

#: Source 003 步骤四 (分级名称 / 综合得分区间): 90–100 战略级, 75–89 重点级, 60–74 普通级, < 60 潜在级.
SOURCE003_SCORE_CUTS: tuple[float, float, float] = (90.0, 75.0, 60.0)
SOURCE003_SCORE_LABELS: tuple[str, str, str, str] = ("strategic", "key", "ordinary", "potential")


def _check_increasing(values: Sequence[float], name: str, *, low: float, high: float) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1 or arr.size == 0:
        raise InputDataError(f"{name}: expected a non-empty sequence of numbers, got {values!r}")
    if not np.all(np.isfinite(arr)) or (arr <= low).any() or (arr > high).any():
        raise InputDataError(f"{name}: every value must lie in ({low}, {high}], got {values!r}")
    if (np.diff(arr) <= 0).any():
        raise InputDataError(f"{name}: must be strictly increasing, got {values!r}")
    return arr


def pareto_thresholds(x: np.ndarray, cutoffs: np.ndarray) -> list[float]:
    """Kernel: value thresholds of the Pareto rule (no validation; ``x >= 0``, sum > 0).

    The item at sorted position ``i`` (values descending) belongs to class ``k`` when the
    cumulative share *before* it, ``(c_i - x_i) / total``, is ``< cutoffs[k]``.
    """
    desc = np.sort(x)[::-1]  # a reversed view, no copy
    before = np.cumsum(desc)
    total = before[-1]
    before -= desc  # sum of the values before each item: non-decreasing
    counts = np.searchsorted(before, cutoffs * total, side="left")  # items with before < c T
    return thresholds_from_counts(desc, counts)


def pareto(
    values: Any,
    *,
    cutoffs: Sequence[float] = (0.8, 0.95),
    labels: Sequence[str] = ("A", "B", "C"),
) -> pd.Series:
    """Pareto ABC on cumulative value share.

    Items are sorted by value, largest first. An item is A while the cumulative share of the
    items *before* it is < ``cutoffs[0]`` (so the item that crosses 80 % is still A), B while it
    is < ``cutoffs[1]``, otherwise C.

    Parameters
    ----------
    values : Series, array or list
        Non-negative values (e.g. annual spend) with a positive total, no missing values.
    cutoffs : sequence of float
        Increasing cumulative shares in (0, 1]; ``len(labels) - 1`` of them.
    labels : sequence of str
        Class labels, best first.

    Returns
    -------
    pandas.Series
        Ordered Categorical (categories = ``labels``), index of ``values``, name ``"pareto"``.
        ``attrs["cut_points"]`` maps each label but the last to its value threshold: an item
        is in the first class whose threshold it reaches (``value >= threshold``).

    Notes
    -----
    Ties: equal values always get the same class, the class of the best-placed of them, so
    a higher value never gets a worse class. With this rule and the default 80 %/95 %, the
    Flores et al. (1992) 47-item data give 14 A / 14 B / 19 C; the published split
    (10 / 14 / 23) is the count split 20 %/30 %/50 % (:func:`shares`), see
    ``tests/reference/flores_mcabc.md``.

    Examples
    --------
    >>> pareto([50, 30, 10, 6, 4]).tolist()
    ['A', 'A', 'B', 'B', 'C']
    """
    x, index, _ = as_values(values)
    labels = check_labels(labels, len(tuple(cutoffs)) + 1, "cutoffs")
    cut = _check_increasing(cutoffs, "cutoffs", low=0.0, high=1.0)
    if (x < 0).any():
        rows = list(index[x < 0][:5])
        raise InputDataError(
            f"values: Pareto ABC needs non-negative values; negative at rows {rows}"
        )
    if x.sum() <= 0:
        raise InputDataError("values: all values are zero; a cumulative share is undefined")
    thresholds = pareto_thresholds(x, cut)
    codes = codes_from_thresholds(x, thresholds)
    return tier_series(codes, labels, index, "pareto", dict(zip(labels, thresholds, strict=False)))


def share_counts(n: int, shares: np.ndarray) -> np.ndarray:
    """Kernel: number of items in the first k classes, ``ceil(n * cumulative share)``."""
    cum = np.cumsum(shares)[:-1]
    return np.ceil(np.round(cum * n, 9)).astype(np.int64)


def shares(
    values: Any,
    *,
    shares: Sequence[float] = (0.2, 0.3, 0.5),
    labels: Sequence[str] = ("A", "B", "C"),
) -> pd.Series:
    """ABC by count shares: the top 20 % of items are A, the next 30 % B, the rest C.

    Parameters
    ----------
    values : Series, array or list
        Numbers (any sign), no missing values.
    shares : sequence of float
        Class shares of the item count, best first, each >= 0, summing to 1.
    labels : sequence of str
        Class labels, best first.

    Returns
    -------
    pandas.Series
        Ordered Categorical, name ``"shares"``, ``attrs["cut_points"]`` = value thresholds
        (``value >= threshold`` → that class or better).

    Notes
    -----
    With ``n`` items sorted largest first, the item at 0-based rank ``r`` is in the first class
    whose cumulative share ``s`` satisfies ``r < s n``; i.e. the first ``ceil(0.2 n)`` items are
    A. Ties: equal values are kept together in the better class, so a class may hold more than
    its share when a tie straddles a boundary (shares are honoured up to ties). This
    reproduces the published split of Flores et al. (1992): 10 A / 14 B / 23 C of 47 items.

    Examples
    --------
    >>> shares([5, 4, 3, 2, 1, 0, -1, -2, -3, -4]).tolist()
    ['A', 'A', 'B', 'B', 'B', 'C', 'C', 'C', 'C', 'C']
    """
    x, index, _ = as_values(values)
    sh = np.asarray(shares, dtype=float)
    labels = check_labels(labels, sh.size, "shares")
    if sh.ndim != 1 or not np.all(np.isfinite(sh)) or (sh < 0).any() or abs(sh.sum() - 1) > 1e-9:
        raise InputDataError(f"shares: expected non-negative numbers summing to 1, got {shares!r}")
    desc = np.sort(x)[::-1]
    thresholds = thresholds_from_counts(desc, share_counts(x.size, sh))
    codes = codes_from_thresholds(x, thresholds)
    return tier_series(codes, labels, index, "shares", dict(zip(labels, thresholds, strict=False)))


def bands(
    scores: Any,
    *,
    cuts: Sequence[float] = SOURCE003_SCORE_CUTS,
    labels: Sequence[str] = SOURCE003_SCORE_LABELS,
) -> pd.Series:
    """Classes from fixed score bands (source 003 步骤四: 90–100 / 75–89 / 60–74 / < 60).

    Parameters
    ----------
    scores : Series, array or list
        Scores (typically :func:`abclab.scoring.score` on 0–100).
    cuts : sequence of float
        Strictly decreasing lower bounds of every class but the last; a score ``>= cuts[k]``
        reaches class ``labels[k]`` (so 89.5 is "key", 90 is "strategic").
    labels : sequence of str
        ``len(cuts) + 1`` labels, best first.

    Returns
    -------
    pandas.Series
        Ordered Categorical, name ``"bands"``, ``attrs["cut_points"]`` = dict label → cut.

    Examples
    --------
    >>> bands([94.5, 90, 89.9, 75, 60, 59.99]).tolist()
    ['strategic', 'strategic', 'key', 'key', 'ordinary', 'potential']
    """
    x, index, _ = as_values(scores, "scores")
    c = np.asarray(cuts, dtype=float)
    labels = check_labels(labels, c.size + 1, "cuts")
    if c.ndim != 1 or not np.all(np.isfinite(c)) or (np.diff(c) >= 0).any():
        raise InputDataError(f"cuts: expected strictly decreasing numbers, got {cuts!r}")
    codes = codes_from_thresholds(x, c)
    return tier_series(codes, labels, index, "bands", dict(zip(labels, c.tolist(), strict=False)))
