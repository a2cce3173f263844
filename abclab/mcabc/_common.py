"""Input checks shared by the multi-criteria ABC models, and the min–max criteria matrix.

The criteria frame becomes an (items × criteria) float array with its cost flags, the
weights a vector summing to 1, an importance order a vector of column positions; scores go
back as a Series aligned to the frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from abclab._normalise import minmax_kernel
from abclab.exceptions import InputDataError


def _matrix(frame: Any, cost: Sequence[Any] | None) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """Return ``(X, is_cost, frame)`` with X an (items × criteria) float array."""
    if not isinstance(frame, pd.DataFrame):
        raise InputDataError(f"frame: expected a DataFrame, got {type(frame).__name__}")
    if frame.shape[0] < 2 or frame.shape[1] < 1:
        raise InputDataError(
            f"frame: need at least 2 items and 1 criterion, got shape {frame.shape}"
        )
    cost = list(cost or [])
    unknown = [c for c in cost if c not in frame.columns]
    if unknown:
        raise InputDataError(f"cost: {unknown} are not columns of the frame {list(frame.columns)}")
    x = np.empty(frame.shape, dtype=float)
    for j, column in enumerate(frame.columns):
        try:
            x[:, j] = frame[column].to_numpy(dtype=float, na_value=np.nan)
        except (TypeError, ValueError) as err:
            raise InputDataError(
                f"column {column!r}: expected numbers, found dtype {frame[column].dtype}"
            ) from err
        bad = ~np.isfinite(x[:, j])
        if bad.any():
            raise InputDataError(
                f"column {column!r}: missing or infinite values at rows "
                f"{list(frame.index[bad][:5])}"
            )
    is_cost = np.array([c in cost for c in frame.columns])
    return x, is_cost, frame


def minmax_matrix(x: np.ndarray, is_cost: np.ndarray, columns: Sequence[Any] = ()) -> np.ndarray:
    """Min–max normalise each column to [0, 1], cost columns reversed; a constant column is an error.

    Parameters
    ----------
    x : numpy.ndarray
        Items × criteria, finite floats.
    is_cost : numpy.ndarray of bool
        One flag per column: smaller is better.
    columns : sequence, optional
        Column names, used in the error message.

    Returns
    -------
    numpy.ndarray
        ``(x - min) / (max - min)`` for benefit columns, ``(max - x) / (max - min)`` for cost
        columns (:func:`abclab._normalise.minmax_kernel` with ``scale=1``).

    Raises
    ------
    InputDataError
        If a column is constant: the models that use this matrix need every criterion to
        discriminate, so the kernel's constant-column value (1) is never used here.
    """
    span = x.max(axis=0) - x.min(axis=0)
    if (span == 0).any():
        j = int(np.argmax(span == 0))
        name = columns[j] if len(columns) else j
        raise InputDataError(f"column {name!r} is constant; min–max normalisation is undefined")
    return minmax_kernel(x, is_cost)


def _order(order: Sequence[Any] | None, columns: pd.Index) -> np.ndarray:
    """Column positions in decreasing importance."""
    if order is None:
        raise InputDataError(
            f"order: give the criteria from most to least important, e.g. {list(columns)}"
        )
    order = list(order)
    if sorted(map(str, order)) != sorted(map(str, columns)) or len(set(order)) != len(order):
        raise InputDataError(
            f"order: must list every criterion once; got {order}, criteria {list(columns)}"
        )
    return np.array([columns.get_loc(c) for c in order])


def _series(values: np.ndarray, frame: pd.DataFrame, name: str) -> pd.Series:
    return pd.Series(values, index=frame.index, name=name)
