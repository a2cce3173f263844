"""Group decisions: aggregation of individual judgements (AIJ) or priorities (AIP).

Forman, E., & Peniwati, K. (1998). Aggregating individual judgments and priorities with the
analytic hierarchy process. *European Journal of Operational Research* 108(1), 165-169:
AIJ takes the (weighted) geometric mean of the experts' judgements cell by cell -- the only
mean that keeps the aggregate reciprocal (Aczél & Saaty 1983) -- and derives priorities from
it; AIP takes the weighted geometric mean of the experts' priority vectors and renormalises.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from abclab.ahp._api import _check_method, _result_from_array
from abclab.ahp._matrix import as_matrix
from abclab.ahp._result import AHPResult
from abclab.exceptions import InconsistentJudgementWarning, JudgementError

#: Ways of combining several experts (Forman & Peniwati 1998): aggregation of individual
#: judgements (geometric mean cell by cell) or of individual priorities.
AGGREGATIONS: tuple[str, ...] = ("aij", "aip")


def _aij_kernel(stack: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """Weighted geometric mean over axis 0, ignoring NaN (missing) cells; NaN if all missing."""
    present = ~np.isnan(stack)
    wts = np.where(present, lam[:, None, None], 0.0)
    total = wts.sum(axis=0)
    logs = np.where(present, np.log(np.where(present, stack, 1.0)), 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, np.exp((wts * logs).sum(axis=0) / total), np.nan)


def _aip_kernel(w: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """Weighted geometric mean of priority vectors (rows of ``w``), renormalised."""
    g = np.exp(lam @ np.log(w))
    return g / g.sum()


def _consensus_kernel(w: np.ndarray, lam: np.ndarray) -> tuple[float, float]:
    """Mean pairwise cosine similarity and Shannon homogeneity exp(H_alpha - H_gamma)."""
    k = w.shape[0]
    unit = w / np.linalg.norm(w, axis=1, keepdims=True)
    sims = unit @ unit.T
    cosine = 1.0 if k == 1 else float(sims[np.triu_indices(k, 1)].mean())
    h_alpha = float(lam @ -(w * np.log(w)).sum(axis=1))
    pooled = lam @ w
    h_gamma = float(-(pooled * np.log(pooled)).sum())
    return cosine, float(np.exp(h_alpha - h_gamma))


def _named(items: Any, what: str) -> tuple[list[Hashable], list[Any]]:
    if isinstance(items, Mapping):
        return list(items.keys()), list(items.values())
    if isinstance(items, Sequence) and not isinstance(items, str):
        return [f"expert_{k + 1}" for k in range(len(items))], list(items)
    raise JudgementError(f"{what} must be a list of matrices or a dict name -> matrix")


def _expert_weights(expert_weights: Any, names: list[Hashable]) -> np.ndarray:
    if expert_weights is None:
        return np.full(len(names), 1.0 / len(names))
    if isinstance(expert_weights, Mapping):
        absent = [n for n in names if n not in expert_weights]
        if absent or len(expert_weights) != len(names):
            raise JudgementError(
                f"expert_weights must name exactly the experts {names}; missing {absent}"
            )
        lam = np.array([float(expert_weights[n]) for n in names])
    else:
        lam = np.asarray(expert_weights, dtype=float)
    if lam.shape != (len(names),):
        raise JudgementError(f"expert_weights has {lam.size} values for {len(names)} experts")
    if not np.all(np.isfinite(lam)) or (lam < 0).any() or lam.sum() <= 0:
        raise JudgementError(
            f"expert_weights must be non-negative with a positive sum, got {lam.tolist()}"
        )
    return lam / lam.sum()


def group_weights(
    matrices: Sequence[Any] | Mapping[Hashable, Any],
    *,
    method: str = "aij",
    expert_weights: Sequence[float] | Mapping[Hashable, float] | None = None,
    weight_method: str = "eigenvector",
    ri_table: str = "saaty1980",
    criteria: Sequence[Hashable] | None = None,
    threshold: float | None = None,
) -> AHPResult:
    """Group priorities from several experts' pairwise comparison matrices.

    Parameters
    ----------
    matrices : list or dict name -> matrix
        One matrix (any form accepted by :func:`weights`) per expert, over the same criteria
        (labelled matrices are aligned by label). Missing cells are allowed.
    method : {"aij", "aip"}
        Aggregation of individual judgements or of individual priorities.
    expert_weights : sequence or dict, optional
        Relative weight of each expert (default equal), normalised to sum 1.
    weight_method : str
        Priority method for each matrix (see :func:`weights`).
    ri_table, criteria, threshold
        As in :func:`weights`.

    Returns
    -------
    AHPResult
        ``weights`` are the group priorities; ``matrix``, ``lambda_max``, ``ci``, ``cr`` describe
        the cell-wise weighted geometric mean of the judgements (for AIP too, as a measure of
        the group's aggregated consistency). ``experts`` has one row per expert
        (``expert``, ``expert_weight``, criterion weights, ``cr``, ``consistent``);
        ``consensus`` holds ``cosine_similarity`` (mean pairwise cosine similarity of the
        experts' priority vectors, 1 = identical) and ``shannon_homogeneity``
        (``exp(H_alpha - H_gamma)`` in (0, 1], the inverse Shannon beta diversity of the
        priority vectors; Jost 2007, Ecology 88:2427-2439 -- the basis of Goepel's 2013
        AHP consensus indicator, which additionally rescales it).

    Raises
    ------
    JudgementError
        Unknown method, experts with different criteria, bad expert weights.
    """
    if method not in AGGREGATIONS:
        raise JudgementError(f"method={method!r} is unknown; choose 'aij' or 'aip'")
    _check_method(weight_method)
    names, items = _named(matrices, "matrices")
    if not items:
        raise JudgementError("matrices is empty; give at least one expert's matrix")
    parsed = [as_matrix(m, criteria=criteria) for m in items]
    labels = parsed[0][1]
    arrays = []
    for name, (a, lab) in zip(names, parsed, strict=True):
        if set(lab) != set(labels) or len(lab) != len(labels):
            raise JudgementError(f"expert {name!r} compares {lab}, expected the criteria {labels}")
        order = [lab.index(x) for x in labels]
        arrays.append(a[np.ix_(order, order)])
    lam = _expert_weights(expert_weights, names)
    singles = [
        _result_from_array(
            a.copy(),
            labels,
            method=weight_method,
            ri_table=ri_table,
            threshold=threshold,
            warn=False,
        )
        for a in arrays
    ]
    w_all = np.vstack([r.weights.to_numpy() for r in singles])
    aggregated = _aij_kernel(np.stack(arrays), lam)
    w_group = None if method == "aij" else _aip_kernel(w_all, lam)
    result = _result_from_array(
        aggregated,
        labels,
        method=weight_method,
        ri_table=ri_table,
        threshold=threshold,
        warn=True,
        label=f"{method}:{weight_method}",
        w=w_group,
    )
    experts = pd.DataFrame(w_all, columns=result.weights.index)
    experts.insert(0, "expert", pd.Series(names, dtype=object))
    experts.insert(1, "expert_weight", lam)
    experts["cr"] = [r.cr for r in singles]
    experts["consistent"] = [r.consistent for r in singles]
    bad = [n for n, r in zip(names, singles, strict=True) if not r.consistent]
    if bad:
        warnings.warn(
            f"experts {bad} have CR above the threshold; see result.experts",
            InconsistentJudgementWarning,
            stacklevel=2,
        )
    cosine, homogeneity = _consensus_kernel(w_all, lam)
    consensus = pd.Series(
        {"cosine_similarity": cosine, "shannon_homogeneity": homogeneity}, name="consensus"
    )
    return AHPResult(**{**result.__dict__, "experts": experts, "consensus": consensus})
