"""Single-method customer tiers: Pareto, count shares, score bands, computed ABC, RFM, ...

Every classifier returns an **ordered Categorical Series** aligned to the input index, with
categories best first (``["A", "B", "C"]``), the method name as Series name and the cut points
used in ``series.attrs["cut_points"]``; tie rules are documented per function (equal values
always share a class). Missing values are an error naming the rows; use :func:`abcd` to put
customers with insufficient data in class D.
"""

from abclab.classify._computed import ABCCurve, computed_abc
from abclab.classify._estimators import ComputedABC, ParetoABC, ShareABC
from abclab.classify._matrix import VALUE_POTENTIAL_LABELS, abcd, value_potential, weighted_abc
from abclab.classify._pareto import (
    SOURCE003_SCORE_CUTS,
    SOURCE003_SCORE_LABELS,
    bands,
    pareto,
    shares,
)
from abclab.classify._rfm import RFM_SEGMENTS, rfm

__all__ = [
    "RFM_SEGMENTS",
    "SOURCE003_SCORE_CUTS",
    "SOURCE003_SCORE_LABELS",
    "VALUE_POTENTIAL_LABELS",
    "ABCCurve",
    "ComputedABC",
    "ParetoABC",
    "ShareABC",
    "abcd",
    "bands",
    "computed_abc",
    "pareto",
    "rfm",
    "shares",
    "value_potential",
    "weighted_abc",
]
