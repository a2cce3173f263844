"""RFM scoring (recency, frequency, monetary) and named segments."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from abclab.classify._common import as_values
from abclab.exceptions import InputDataError

#: Segment rules on 1–5 scores (first match wins; every R/F/M combination is covered).
#: Adapted from the common RFM segment grid (e.g. Putler's 11-segment map), reduced to the
#: groups source 000 (消费频率、消费金额、忠诚度) and source 003 (流失风险) act on.
RFM_SEGMENTS: tuple[tuple[str, str], ...] = (
    ("champions", "R >= 4 and F >= 4 and M >= 4"),
    ("loyal", "R >= 3 and F >= 4"),
    ("potential_loyalist", "R >= 4 and 2 <= F <= 3"),
    ("new", "R >= 4 and F == 1"),
    ("need_attention", "R == 3 and F <= 3"),
    ("at_risk", "R <= 2 and F >= 3"),
    ("hibernating", "R <= 2 and F <= 2"),
)


def quantile_scores(x: np.ndarray, bins: int) -> np.ndarray:
    """Kernel: score 1..bins from the rank, larger value → larger score; ties share a score.

    ``score = 1 + floor(bins (r - 1) / n)`` with ``r`` the minimum 1-based rank of the value
    (all tied values take the rank of the first of them).
    """
    n = x.size
    order = np.argsort(x, kind="stable")
    xs = x[order]
    start = np.r_[True, xs[1:] != xs[:-1]]
    first = np.maximum.accumulate(np.where(start, np.arange(n), 0))
    ranks = np.empty(n, dtype=np.int64)
    ranks[order] = first  # 0-based min rank
    return (1 + (bins * ranks) // n).astype(np.int8)


def segment_kernel(r: np.ndarray, f: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Kernel: index into :data:`RFM_SEGMENTS` for 1–5 scores."""
    conditions = [
        (r >= 4) & (f >= 4) & (m >= 4),
        (r >= 3) & (f >= 4),
        (r >= 4) & (f >= 2) & (f <= 3),
        (r >= 4) & (f == 1),
        (r == 3) & (f <= 3),
        (r <= 2) & (f >= 3),
        (r <= 2) & (f <= 2),
    ]
    return np.select(conditions, np.arange(len(conditions)), default=-1)


def rfm(recency: Any, frequency: Any, monetary: Any, *, bins: int = 5) -> pd.DataFrame:
    """RFM scores and segments.

    Parameters
    ----------
    recency : Series, array or list
        Days (or any unit) since the last purchase; **smaller is better**.
    frequency : Series, array or list
        Number of purchases; larger is better.
    monetary : Series, array or list
        Spend; larger is better.
    bins : int
        Number of score levels (5 = quintiles).

    Returns
    -------
    pandas.DataFrame
        Index of the inputs; columns ``recency``, ``frequency``, ``monetary``, ``R``, ``F``,
        ``M`` (1..bins, bins = best), ``rfm_code`` (e.g. ``"545"``), ``rfm_score`` (R + F + M),
        ``segment`` (Categorical in the order of :data:`RFM_SEGMENTS`).

    Notes
    -----
    Scores are rank quantiles: ``1 + floor(bins (r - 1) / n)`` with ``r`` the minimum rank
    (ascending value; for recency the ascending rank of ``-recency``), so equal values always
    get the same score and a score of ``bins`` needs a value in the top ``1/bins`` of ranks.
    Segments use the 1–5 scale; for ``bins != 5`` a score ``s`` is first mapped to
    ``ceil(5 s / bins)``. Segment rules, first match wins:

    ==================  ====================================
    champions           R >= 4 and F >= 4 and M >= 4
    loyal               R >= 3 and F >= 4
    potential_loyalist  R >= 4 and 2 <= F <= 3
    new                 R >= 4 and F == 1
    need_attention      R == 3 and F <= 3
    at_risk             R <= 2 and F >= 3
    hibernating         R <= 2 and F <= 2
    ==================  ====================================

    References
    ----------
    Hughes, A. M. (1994). *Strategic Database Marketing*. Probus. (RFM quintile scoring.)
    """
    if not isinstance(bins, int | np.integer) or bins < 2:
        raise InputDataError(f"bins: expected an integer >= 2, got {bins!r}")
    r, index, _ = as_values(recency, "recency")
    f, f_index, _ = as_values(frequency, "frequency")
    m, m_index, _ = as_values(monetary, "monetary")
    if not (r.size == f.size == m.size):
        raise InputDataError(
            f"recency, frequency, monetary have {r.size}, {f.size}, {m.size} rows; expected equal"
        )
    series = [a for a in (recency, frequency, monetary) if isinstance(a, pd.Series)]
    if any(not s.index.equals(series[0].index) for s in series):
        raise InputDataError("recency, frequency, monetary: Series must share one index")
    if series:
        index = series[0].index
    rs, fs, ms = (quantile_scores(v, bins) for v in (-r, f, m))
    to5 = (lambda s: s) if bins == 5 else (lambda s: np.ceil(5 * s / bins).astype(np.int8))
    seg = segment_kernel(to5(rs), to5(fs), to5(ms))
    names = [name for name, _ in RFM_SEGMENTS]
    code = pd.Series(rs.astype(str), dtype=object)
    code = code + fs.astype(str) + ms.astype(str)
    return pd.DataFrame(
        {
            "recency": r,
            "frequency": f,
            "monetary": m,
            "R": rs,
            "F": fs,
            "M": ms,
            "rfm_code": code.to_numpy(dtype=object),
            "rfm_score": rs.astype(np.int16) + fs + ms,
            "segment": pd.Categorical.from_codes(seg, categories=names),
        },
        index=index,
    )
