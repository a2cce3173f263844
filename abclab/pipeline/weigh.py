"""Weight step: AHP (one or several experts, or a hierarchy), given values, or objective weights."""

from __future__ import annotations

import warnings

import pandas as pd

from abclab import ahp, scoring, weighting
from abclab.ahp import AHPResult
from abclab.config import HierarchySpec, LocalPriorities, Study
from abclab.pipeline.results import FUZZY_CRISP, WeightStep

__all__ = ["indicator_scores", "weight_step"]


def weight_step(study: Study, indicator: pd.DataFrame) -> WeightStep:
    """Criterion weights of the study (sum 1) and their comparison with objective weights.

    ``indicator`` holds the criteria normalised to 0-100 (:func:`indicator_scores`): objective
    weights are computed on it.
    """
    spec = study.weights
    names = study.criterion_names
    experts: dict[str, AHPResult] = {}
    group = None
    derived = None
    if spec.ahp is not None:
        a = spec.ahp
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # CR > 0.1 is shown in the report, not warned
            for expert in a.experts:
                experts[expert.name] = ahp.weights(expert.matrix, method=a.method,
                                                   ri_table=a.ri_table)  # fmt: skip
            if len(a.experts) > 1:
                matrices = {e.name: e.matrix.reindex(index=names, columns=names) for e in a.experts}
                group = ahp.group_weights(matrices, method=a.aggregation)
        w = group.weights if group is not None else experts[a.experts[0].name].weights
    elif spec.values is not None:
        w = pd.Series(spec.values, dtype=float)
    elif spec.objective is not None:
        w = weighting.OBJECTIVE_METHODS[spec.objective](indicator)
    elif spec.hierarchy is not None:
        experts, w = _hierarchy(spec.hierarchy)
    elif spec.best_worst is not None:
        derived = spec.best_worst.result()
        w = derived.weights
    elif spec.fuzzy_ahp is not None:
        derived = spec.fuzzy_ahp.result()
        experts[FUZZY_CRISP] = derived.crisp
        w = derived.weights
    else:
        w = pd.Series(1.0, index=names)
    w = w.reindex(names).astype(float)
    weights = (w / w.sum()).rename("weight")
    comparison = weight_comparison(study, indicator, weights, experts=experts)
    return WeightStep(
        experts=experts, group=group, weights=weights, comparison=comparison, derived=derived
    )


def _hierarchy(spec: HierarchySpec) -> tuple[dict[str, AHPResult], pd.Series]:
    results: dict[str, AHPResult] = {}

    def local(name: str, node: LocalPriorities, items: list[str]) -> pd.Series:
        given = node.local_weights(items)
        if given is not None:
            s = pd.Series(given, dtype=float).reindex(items)
            return s / s.sum()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = ahp.weights(node.matrix, method=spec.method, ri_table=spec.ri_table)
        results[f"hierarchy:{name}"] = res
        return res.weights

    dims = list(spec.dimensions)
    top = local("top", spec.top, [d.name for d in dims])
    parts = [local(d.name, d, list(d.criteria)) * float(top[d.name]) for d in dims]
    return results, pd.concat(parts)


def indicator_scores(study: Study, criteria: pd.DataFrame) -> pd.DataFrame:
    """Each criterion normalised to 0-100 by the study's normalisation (weights play no part)."""
    equal = pd.Series(1.0 / criteria.shape[1], index=criteria.columns)
    return scoring.score(criteria, equal, criteria=study.scoring_spec()).indicator_scores


def weight_comparison(
    study: Study,
    indicator: pd.DataFrame,
    used: pd.Series,
    *,
    experts: dict[str, AHPResult] | None = None,
) -> pd.DataFrame:
    """Criterion x {the study's method, ``entropy``, ``critic``, ``equal``, ``used``}.

    The method column is ``ahp`` (AHP judgements or a hierarchy), ``best_worst`` or
    ``fuzzy_ahp`` (then equal to ``used``). Fuzzy AHP adds ``ahp``: the eigenvector weights
    of the crisp (modal) judgements (Saaty 1980), so the effect of the fuzzy treatment shows.
    Entropy and CRITIC weights are computed on the 0-100 indicator scores (the normalised
    criteria, cost criteria reversed), not on the raw values.
    """
    names = study.criterion_names
    cols: dict[str, pd.Series] = {}
    kind = study.weights.kind
    if kind in ("ahp", "hierarchy"):
        cols["ahp"] = used
    elif kind in ("best_worst", "fuzzy_ahp"):
        cols[kind] = used
    crisp = (experts or {}).get(FUZZY_CRISP)
    if kind == "fuzzy_ahp" and crisp is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # its CR is shown with the fuzzy weights
            cols["ahp"] = ahp.weights(crisp.matrix, method="eigenvector").weights
    cols["entropy"] = weighting.entropy(indicator)
    cols["critic"] = weighting.critic(indicator)
    cols["equal"] = pd.Series(1.0 / len(names), index=names)
    cols["used"] = used
    out = pd.DataFrame({k: v.reindex(names).astype(float) for k, v in cols.items()})
    out.index.name = "criterion"
    return out
