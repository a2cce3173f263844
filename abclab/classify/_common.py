"""Shared helpers of :mod:`abclab.classify`: input validation and the tier Series."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from abclab._validation import finite_floats
from abclab.exceptions import InputDataError


def as_values(values: Any, name: str = "values") -> tuple[np.ndarray, pd.Index, Any]:
    """Return ``(float array, index, series name)``; NaN/inf and non-numbers are errors.

    A Series keeps its index and name; an array or list gets a RangeIndex.
    """
    if isinstance(values, pd.DataFrame):
        if values.shape[1] != 1:
            raise InputDataError(
                f"{name}: expected one column of values, got a DataFrame with columns "
                f"{list(values.columns)}; pick one column or use weighted_abc"
            )
        values = values.iloc[:, 0]
    if isinstance(values, pd.Series):
        series = values
    else:
        arr = np.asarray(values)
        if arr.ndim != 1:
            raise InputDataError(f"{name}: expected a 1-D array, got shape {arr.shape}")
        series = pd.Series(arr)
    label = series.name if series.name is not None else name
    if series.size == 0:
        raise InputDataError(f"{label!r}: no values to classify")
    x = finite_floats(
        series,
        repr(label),
        remedy="impute them (abclab.cleaning) or classify the rest and mark these D with "
        "abclab.classify.abcd",
    )
    return x, series.index, series.name


def check_labels(labels: Sequence[str], n_classes: int, what: str) -> tuple[str, ...]:
    labels = tuple(labels)
    if len(labels) != n_classes:
        raise InputDataError(f"labels: {what} define {n_classes} classes, got {len(labels)} labels")
    if len(set(labels)) != len(labels):
        raise InputDataError(f"labels: must be distinct, got {labels}")
    return labels


def tier_series(
    codes: np.ndarray,
    labels: Sequence[str],
    index: pd.Index,
    name: str,
    cut_points: dict[str, Any],
) -> pd.Series:
    """Ordered Categorical Series (categories best first) with ``attrs['cut_points']``."""
    cat = pd.Categorical.from_codes(codes, categories=list(labels), ordered=True)
    out = pd.Series(cat, index=index, name=name, copy=False)
    out.attrs["cut_points"] = cut_points
    return out


def thresholds_from_counts(desc: np.ndarray, counts: Sequence[int]) -> list[float]:
    """Value thresholds ``t_k`` such that "value >= t_k" holds for the first ``counts[k]`` items.

    ``desc`` holds the values sorted in decreasing order. The threshold is the value of the
    last counted item, so "value >= t_k" also takes in the rest of its tie group: equal values
    share a class. A count of 0 gives ``+inf`` (nobody reaches the class).
    """
    n = desc.size
    out = []
    for k in counts:
        if k <= 0:
            out.append(float("inf"))
            continue
        k = min(int(k), n)
        out.append(float(desc[k - 1]))
    return out


def codes_from_thresholds(x: np.ndarray, thresholds: Sequence[float]) -> np.ndarray:
    """Class code = number of thresholds the value does not reach (``x < t``)."""
    codes = np.zeros(x.shape, dtype=np.int8)
    for t in thresholds:
        codes += x < t
    return codes
