"""Two-level hierarchies: dimensions -> indicators, local and global weights.

Global weight of an indicator = weight of its dimension x its local weight within the
dimension (Saaty 1980, hierarchic composition). Source 003's template weights the value /
potential / risk / strategy dimensions 40/30/20/10 % and, inside the value dimension,
年消费额 40 %, 利润率 25 %, 合作时长 20 %, 交叉购买率 15 %.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from abclab.ahp._api import weights as ahp_weights
from abclab.ahp._result import AHPResult
from abclab.exceptions import JudgementError

NODE_COLUMNS = ["node", "level", "n", "source", "lambda_max", "cr", "consistent"]
WEIGHT_COLUMNS = ["dimension", "indicator", "local_weight", "dimension_weight", "global_weight"]


@dataclass(frozen=True)
class HierarchyResult:
    """Weights of a dimension -> indicator hierarchy.

    Attributes
    ----------
    weights : pandas.DataFrame
        Columns ``dimension``, ``indicator``, ``local_weight``, ``dimension_weight``,
        ``global_weight`` (global weights sum to 1).
    nodes : pandas.DataFrame
        One row per comparison node: ``node`` ("goal" or the dimension), ``level``,
        ``n``, ``source`` ("judgements" or "weights"), ``lambda_max``, ``cr``,
        ``consistent`` (NaN / True for nodes given as plain weights).
    results : dict
        The :class:`AHPResult` of every node given as judgements.
    """

    weights: pd.DataFrame
    nodes: pd.DataFrame
    results: dict[Hashable, AHPResult]

    def to_frame(self) -> pd.DataFrame:
        """The tidy weights table."""
        return self.weights.copy()


def _is_judgements(spec: Mapping) -> bool:
    return bool(spec) and all(isinstance(k, tuple) and len(k) == 2 for k in spec)


def _node(
    spec: Any, node: Hashable, level: str, **options: Any
) -> tuple[pd.Series, dict[str, Any], AHPResult | None]:
    """Weights of one node from a matrix, judgement dict, AHPResult, Series or weight dict."""
    if isinstance(spec, AHPResult):
        result = spec
    elif isinstance(spec, pd.Series) or (isinstance(spec, Mapping) and not _is_judgements(spec)):
        w = pd.Series(spec, dtype=float) if isinstance(spec, Mapping) else spec.astype(float)
        if w.empty or not np.isfinite(w.to_numpy()).all() or (w < 0).any() or w.sum() <= 0:
            raise JudgementError(
                f"weights of node {node!r} must be non-negative numbers with a positive sum, got {dict(w)}"
            )
        w = w / w.sum()
        info = {
            "node": node,
            "level": level,
            "n": len(w),
            "source": "weights",
            "lambda_max": np.nan,
            "cr": np.nan,
            "consistent": True,
        }
        return w, info, None
    else:
        result = ahp_weights(spec, **options)
    info = {
        "node": node,
        "level": level,
        "n": result.n,
        "source": "judgements",
        "lambda_max": result.lambda_max,
        "cr": result.cr,
        "consistent": result.consistent,
    }
    return result.weights, info, result


def hierarchy_weights(
    dimensions: Any,
    indicators: Mapping[Hashable, Any],
    *,
    method: str = "eigenvector",
    ri_table: str = "saaty1980",
) -> HierarchyResult:
    """Local and global weights of a two-level hierarchy.

    Parameters
    ----------
    dimensions : matrix, judgement dict, AHPResult, Series or dict of weights
        Comparison (or weights) of the dimensions. A dict with pair keys is read as
        judgements, a dict with plain keys as weights (normalised to sum 1).
    indicators : dict dimension -> matrix / judgements / AHPResult / weights
        The indicators under each dimension, in any of the same forms.
    method, ri_table
        Passed to :func:`abclab.ahp.weights` for nodes given as judgements.

    Returns
    -------
    HierarchyResult
        ``weights`` (tidy: dimension, indicator, local_weight, dimension_weight,
        global_weight) and ``nodes`` (per-node lambda_max and CR).

    Raises
    ------
    JudgementError
        A dimension without indicators, indicators for an unknown dimension, bad weights.
    """
    options = {"method": method, "ri_table": ri_table}
    dim_w, dim_info, dim_result = _node(dimensions, "goal", "dimension", **options)
    names = list(dim_w.index)
    absent = [d for d in names if d not in indicators]
    extra = [d for d in indicators if d not in names]
    if absent or extra:
        raise JudgementError(
            f"indicators must be given for exactly the dimensions {names}; missing {absent}, unknown {extra}"
        )
    rows, infos = [], [dim_info]
    results = {"goal": dim_result} if dim_result is not None else {}
    for dim in names:
        local, info, res = _node(indicators[dim], dim, "indicator", **options)
        infos.append(info)
        if res is not None:
            results[dim] = res
        for ind, lw in local.items():
            rows.append((dim, ind, float(lw), float(dim_w[dim]), float(lw * dim_w[dim])))
    table = pd.DataFrame(rows, columns=WEIGHT_COLUMNS).astype(
        {"dimension": object, "indicator": object}
    )
    nodes = pd.DataFrame(infos, columns=NODE_COLUMNS).astype({"node": object})
    return HierarchyResult(weights=table, nodes=nodes, results=results)
