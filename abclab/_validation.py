"""Small shared input checks (no maths here)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from abclab.exceptions import InputDataError


def finite_floats(
    series: pd.Series, prefix: str, *, remedy: str, all_missing_error: bool = False
) -> np.ndarray:
    """``series`` as a float64 array; non-numbers, NaN and infinities are errors.

    Parameters
    ----------
    series : pandas.Series
        The values; its index labels name the offending rows in the message.
    prefix : str
        Start of every message, e.g. ``"column 'spend'"``.
    remedy : str
        What to do about missing values, appended to that message.
    all_missing_error : bool
        Say "every value is missing" when no value is usable.
    """
    try:
        x = series.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError) as err:
        raise InputDataError(
            f"{prefix}: expected numbers, found dtype {series.dtype}; parse it with "
            "abclab.io.parse_business_numbers first"
        ) from err
    # fast path: the sum is finite iff every value is (unless it overflows: check exactly)
    bad = np.zeros(0, bool) if np.isfinite(x.sum()) else ~np.isfinite(x)
    if bad.any():
        if all_missing_error and bad.all():
            raise InputDataError(f"{prefix}: every value is missing")
        rows = list(series.index[bad][:5])
        raise InputDataError(
            f"{prefix}: {int(bad.sum())} missing or infinite value(s) at rows {rows}; {remedy}"
        )
    return x


def weight_vector(weights: Any, columns: pd.Index) -> np.ndarray:
    """Weights of ``columns`` as a float array summing to 1.

    ``weights`` is a Series or mapping naming exactly the columns (any order), or a sequence
    of one number per column. Non-finite or negative weights, or a zero total, are errors.
    """
    if isinstance(weights, Mapping):
        weights = pd.Series(dict(weights), dtype=float)
    if isinstance(weights, pd.Series):
        missing = [c for c in columns if c not in weights.index]
        extra = [c for c in weights.index if c not in columns]
        if missing or extra:
            raise InputDataError(
                f"weights: must name exactly the criteria; missing {missing}, unknown {extra}"
            )
        w = weights.reindex(columns).to_numpy(dtype=float)
    else:
        w = np.asarray(weights, dtype=float).ravel()
        if w.shape != (len(columns),):
            raise InputDataError(
                f"weights: expected {len(columns)} values (one per criterion), got {w.size}"
            )
    if not np.all(np.isfinite(w)) or (w < 0).any() or w.sum() <= 0:
        raise InputDataError(
            f"weights: expected finite non-negative numbers with a positive sum, got {w.tolist()}"
        )
    return w / w.sum()
