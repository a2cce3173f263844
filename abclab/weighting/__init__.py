"""Criteria weights: objective weights from data, blends, and the Best-Worst Method.

Public API
----------
entropy, critic, std_dev, equal, blend, OBJECTIVE_METHODS (objective weights, ``_objective``);
best_worst, BestWorstResult, BWM_CONSISTENCY_INDEX (Rezaei 2015/2016, ``_bwm``).
"""

from __future__ import annotations

from abclab.weighting._bwm import BWM_CONSISTENCY_INDEX, BestWorstResult, best_worst
from abclab.weighting._objective import (
    OBJECTIVE_METHODS,
    blend,
    critic,
    entropy,
    equal,
    std_dev,
)

__all__ = [
    "BWM_CONSISTENCY_INDEX",
    "OBJECTIVE_METHODS",
    "BestWorstResult",
    "best_worst",
    "blend",
    "critic",
    "entropy",
    "equal",
    "std_dev",
]
