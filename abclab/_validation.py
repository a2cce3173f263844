"""Small shared input checks (no maths here)."""

from __future__ import annotations

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
