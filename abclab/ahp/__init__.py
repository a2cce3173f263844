"""Analytic Hierarchy Process: pairwise matrices, priorities, consistency, groups, hierarchies.

Public API
----------
pairwise_matrix, weights, group_weights, hierarchy_weights, repair_suggestions,
fuzzy_weights (Buckley 1985 fuzzy AHP), AHPResult, FuzzyAHPResult, HierarchyResult, RANDOM_INDEX, random_index, alonso_lamata_lambda_limit,
VERBAL_SCALE, SAATY_SCALE.
"""

from __future__ import annotations

from abclab.ahp._api import METHODS, repair_suggestions, weights
from abclab.ahp._consistency import (
    GCI_THRESHOLDS,
    RANDOM_INDEX,
    alonso_lamata_lambda_limit,
    gci_threshold,
    random_index,
    saaty_threshold,
)
from abclab.ahp._fuzzy import DEFUZZIFICATIONS, FuzzyAHPResult, fuzzy_weights
from abclab.ahp._group import AGGREGATIONS, group_weights
from abclab.ahp._hierarchy import HierarchyResult, hierarchy_weights
from abclab.ahp._matrix import (
    SAATY_SCALE,
    VERBAL_SCALE,
    nearest_scale_value,
    pairwise_matrix,
    parse_judgement,
    parse_pair,
)
from abclab.ahp._result import AHPResult

__all__ = [
    "AGGREGATIONS",
    "DEFUZZIFICATIONS",
    "GCI_THRESHOLDS",
    "METHODS",
    "RANDOM_INDEX",
    "SAATY_SCALE",
    "VERBAL_SCALE",
    "AHPResult",
    "FuzzyAHPResult",
    "HierarchyResult",
    "alonso_lamata_lambda_limit",
    "fuzzy_weights",
    "gci_threshold",
    "group_weights",
    "hierarchy_weights",
    "nearest_scale_value",
    "pairwise_matrix",
    "parse_judgement",
    "parse_pair",
    "random_index",
    "repair_suggestions",
    "saaty_threshold",
    "weights",
]
