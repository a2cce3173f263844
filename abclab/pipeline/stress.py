"""Stress step: Monte Carlo of the weights around the ones used, migration from last period."""

from __future__ import annotations

from typing import Any

import pandas as pd

from abclab import dynamics, sensitivity
from abclab.config import Study
from abclab.exceptions import StudyError
from abclab.io import read_table
from abclab.methods import WeightedABC
from abclab.pipeline.read import ID, customer_ids
from abclab.scoring import ScoreResult

__all__ = ["migration", "weight_sensitivity"]


def weight_sensitivity(
    study: Study, scores: ScoreResult, weights: pd.Series, notes: list[str]
) -> sensitivity.SensitivityResult:
    """Dirichlet (or uniform) Monte Carlo of the weights; the method tested is noted.

    The method is ``sensitivity.method`` (default the recommended one) if its tiers follow
    the weights (:meth:`abclab.methods.Method.weight_rule`), else the first method of the
    study that does, else the weighted score with 20/30/50 % shares.
    """
    spec = study.sensitivity
    wanted = spec.method or study.recommended
    method = study.method(wanted)
    if method.weight_rule() is None:
        fallback = [m for m in study.methods if m.weight_rule() is not None]
        if fallback:
            method = fallback[0]
            notes.append(
                f"sensitivity: {wanted!r} does not use the weights; tested {method.name!r}"
            )
        else:
            method = WeightedABC()
            notes.append(
                f"sensitivity: method {wanted!r} does not use the weights; "
                "tested the weighted score with 20/30/50 % shares instead"
            )
    options: dict[str, Any] = dict(method.weight_rule())
    if spec.spread is not None:
        options.update(scheme="uniform", spread=spec.spread)
    else:
        options["concentration"] = spec.concentration
    return sensitivity.weight_monte_carlo(
        scores.indicator_scores, weights, draws=spec.draws, seed=study.seed, **options
    )


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
