"""Checks of the per-customer model inputs and the shape of what the models return."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from abclab.exceptions import InputDataError

__all__ = ["as_input", "check_rfm", "like_input", "positive_number"]


def as_input(values: Any, name: str) -> np.ndarray:
    """``values`` as a 1-D float64 array of finite numbers (the message names ``name``)."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise InputDataError(f"{name}: expected numbers, got {type(values).__name__}") from err
    array = np.atleast_1d(array)
    if array.ndim != 1:
        raise InputDataError(f"{name}: expected one value per customer, got shape {array.shape}")
    bad = ~np.isfinite(array)
    if bad.any():
        raise InputDataError(
            f"{name}: {int(bad.sum())} missing or infinite value(s), first at position "
            f"{int(np.flatnonzero(bad)[0])}"
        )
    return array


def _first(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def check_rfm(frequency: Any, recency: Any, T: Any) -> tuple[np.ndarray, ...]:
    """Validated (frequency, recency, T): whole x ≥ 0, 0 ≤ t_x ≤ T, t_x > 0 when x > 0."""
    x, t_x, big_t = (as_input(v, n) for v, n in ((frequency, "frequency"), (recency, "recency"),
                                                   (T, "T")))  # fmt: skip
    if not len(x) == len(t_x) == len(big_t):
        raise InputDataError(
            f"frequency, recency and T must have one value per customer each; got lengths "
            f"{len(x)}, {len(t_x)}, {len(big_t)}"
        )
    checks = (
        ((x < 0) | (x != np.round(x)), "frequency: expected whole numbers ≥ 0 (repeat purchases)"),
        (t_x < 0, "recency: expected values ≥ 0"),
        (t_x > big_t, "recency: expected values ≤ T (the last purchase is inside the window)"),
        ((x > 0) & (t_x == 0), "recency: expected > 0 for customers with repeat purchases"),
    )
    for bad, message in checks:
        if bad.any():
            i = _first(bad)
            raise InputDataError(
                f"{message}; customer at position {i} has frequency={x[i]:g}, "
                f"recency={t_x[i]:g}, T={big_t[i]:g}"
            )
    return x, t_x, big_t


def positive_number(value: Any, name: str) -> float:
    """A finite number > 0."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        raise InputDataError(f"{name}: expected a positive number, got {value!r}")
    if not (np.isfinite(value) and value > 0):
        raise InputDataError(f"{name}: expected a positive number, got {value!r}")
    return float(value)


def like_input(values: np.ndarray, template: tuple[Any, ...], name: str) -> Any:
    """A Series on the index of the first Series among ``template``, else the array."""
    for item in template:
        if isinstance(item, pd.Series):
            return pd.Series(values, index=item.index, name=name)
    return values
