"""Stress step: Monte Carlo of the weights around the ones used, migration from last period."""

from __future__ import annotations

from typing import Any

import pandas as pd

from abclab import dynamics, sensitivity
from abclab.config import Study
from abclab.exceptions import StudyError
from abclab.io import read_table
from abclab.methods import Bands, Method, Pareto, ShareABC, WeightedABC, default_value_column
from abclab.methods._base import ValueParams
from abclab.pipeline.read import ID, customer_ids
from abclab.scoring import ScoreResult

__all__ = [
    "migration",
    "tier_bootstrap",
    "tier_rule",
    "tested_method",
    "tier_acceptability",
    "value_column",
    "weight_sensitivity",
]


def tested_method(study: Study, notes: list[str] | None = None) -> Method:
    """The method whose tiers the weight analyses re-run.

    ``sensitivity.method`` (default the recommended one) if its tiers follow the weights
    (:meth:`abclab.methods.Method.weight_rule`), else the first method of the study that does,
    else the weighted score with 20/30/50 % shares (the substitution is noted).
    """
    spec = study.sensitivity
    wanted = (spec.method if spec is not None else None) or study.recommended
    method = study.method(wanted)
    if method.weight_rule() is not None:
        return method
    fallback = [m for m in study.methods if m.weight_rule() is not None]
    if fallback:
        if notes is not None:
            notes.append(
                f"sensitivity: {wanted!r} does not use the weights; tested {fallback[0].name!r}"
            )
        return fallback[0]
    if notes is not None:
        notes.append(
            f"sensitivity: method {wanted!r} does not use the weights; "
            "tested the weighted score with 20/30/50 % shares instead"
        )
    return WeightedABC()


def weight_sensitivity(
    study: Study, scores: ScoreResult, weights: pd.Series, notes: list[str]
) -> sensitivity.SensitivityResult:
    """Dirichlet (or uniform) Monte Carlo of the weights; the method tested is noted.

    The method is ``sensitivity.method`` (default the recommended one) if its tiers follow
    the weights (:meth:`abclab.methods.Method.weight_rule`), else the first method of the
    study that does, else the weighted score with 20/30/50 % shares.
    """
    spec = study.sensitivity
    method = tested_method(study, notes)
    options: dict[str, Any] = dict(method.weight_rule())
    if spec.spread is not None:
        options.update(scheme="uniform", spread=spec.spread)
    else:
        options["concentration"] = spec.concentration
    return sensitivity.weight_monte_carlo(
        scores.indicator_scores, weights, draws=spec.draws, seed=study.seed, **options
    )


#: Relative half-width of the SMAA weight draws when the study gives no ``sensitivity.spread``.
SMAA_SPREAD = 0.2


def tier_acceptability(
    study: Study, scores: ScoreResult, weights: pd.Series, notes: list[str] | None = None
) -> sensitivity.SMAAResult:
    """SMAA-2 tier acceptability of the tested method's tiers (:func:`tested_method`).

    Weights ``w_i (1 + u_i)``, ``u_i ~ U(-s, s)`` around the study's weights, ``s`` the
    study's ``sensitivity.spread`` (default :data:`SMAA_SPREAD`), ``sensitivity.draws`` draws
    seeded with the study seed; the tier rule is the method's :meth:`~abclab.methods.Method.weight_rule`.
    """
    spec = study.sensitivity
    method = tested_method(study, notes)
    spread = SMAA_SPREAD if spec.spread is None else min(float(spec.spread), 0.99)
    return sensitivity.smaa(
        scores.indicator_scores,
        weights=weights,
        spread=spread,
        draws=spec.draws,
        seed=study.seed,
        max_rank_items=0,
        **method.weight_rule(),
    )


def tier_rule(method: Method) -> dict[str, Any] | None:
    """The tier rule of a method over the number it ranks by, or None if it has none.

    The weight rule of weighted-score methods, else the Pareto cut-offs, the count shares or
    the bands of the one-value methods (``pareto``, ``shares``, ``bands``).
    """
    rule = method.weight_rule()
    if rule is not None:
        return dict(rule)
    if isinstance(method, Pareto):
        return {"rule": "pareto", "cutoffs": tuple(method.cutoffs)}
    if isinstance(method, ShareABC):
        return {"rule": "shares", "shares": tuple(method.shares)}
    if isinstance(method, Bands):
        return {"rule": "bands", "cuts": tuple(method.bands), "labels": tuple(method.labels)}
    return None


def value_column(study: Study, criteria: pd.DataFrame, weights: pd.Series) -> str:
    """The criterion whose share the tiers bring (the Pareto curve's value).

    The ``value`` of the first one-value ranking method of the study (``pareto``, ``shares``,
    ``computed_abc``, ``bands``) when it names a criterion, else the value column every
    method defaults to (:func:`abclab.methods.default_value_column`).
    """
    for spec in study.methods:
        name = getattr(spec, "value", None)
        if isinstance(spec, ValueParams) and spec.kind == "ranking" and name in criteria:
            return str(name)
    benefit = [c.name for c in study.criteria if c.direction == "benefit"]
    return default_value_column(weights, benefit)


def tier_bootstrap(
    study: Study,
    criteria: pd.DataFrame,
    scores: ScoreResult,
    method_scores: pd.DataFrame,
    weights: pd.Series,
    notes: list[str] | None = None,
) -> pd.DataFrame:
    """Bootstrap 95 % intervals of the recommended tiers' customer and value shares.

    The classified customers are resampled ``sensitivity.draws`` times (seeded with the study
    seed) and the recommended method's rule (:func:`tier_rule`) is re-applied to the number it
    ranks by; the value is :func:`value_column` (negative values count as 0). A method
    without such a rule (clusters, matrices) is replaced by :func:`tested_method` (noted).
    The table of :func:`abclab.sensitivity.bootstrap_tiers`, plus ``method`` and ``value``.
    """
    method = study.method(study.recommended)
    rule = tier_rule(method)
    if rule is None:
        method = tested_method(study)
        rule = tier_rule(method)
        if notes is not None:
            notes.append(
                f"bootstrap: {study.recommended!r} has no rule to re-apply to a resample; "
                f"bootstrapped {method.name!r}"
            )
    # the default weighted score when the method is not one of the study's
    score = method_scores[method.name] if method.name in method_scores else scores.score
    value = value_column(study, criteria, weights)
    values = criteria[value].reindex(score.index).astype(float).clip(lower=0).fillna(0.0)
    out = sensitivity.bootstrap_tiers(
        score.astype(float), values=values, draws=study.sensitivity.draws, seed=study.seed, **rule
    )
    out["method"] = method.name
    out["value"] = value
    return out


def previous_tiers(study: Study) -> pd.Series | None:
    """Customer id -> last period's tier (``data.previous``), or None without one."""
    prev = study.data.previous
    if prev is None:
        return None
    frame = read_table(prev.path, **prev.read_options().table_options())
    id_col = prev.id_column or study.id_column or ID
    for col in (id_col, prev.tier_column):
        if col not in frame.columns:
            raise StudyError(
                f"data.previous: column {col!r} not in {prev.path.name} "
                f"(columns: {', '.join(map(str, frame.columns))})"
            )
    return pd.Series(frame[prev.tier_column].astype(str).to_numpy(),
                     index=customer_ids(frame[id_col]), name="previous")  # fmt: skip


def migration(study: Study, current: pd.Series) -> pd.DataFrame:
    """Previous tier x current tier (``data.previous``)."""
    previous = previous_tiers(study)
    if previous is None:
        raise StudyError("data.previous: no previous period given")
    return dynamics.migration_matrix(previous, current.astype(str))
