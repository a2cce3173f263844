"""Customer-level tables of a run: display names, the full customer table, chart inputs."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from abclab.config import Study
from abclab.methods import ValuePotential
from abclab.pipeline.classify import method_context
from abclab.pipeline.clean import STATUS, pii_columns
from abclab.pipeline.read import ID, NAME
from abclab.pipeline.results import StudyResults
from abclab.privacy import mask_frame

__all__ = ["customer_table", "display_names", "value_potential_inputs"]


def display_names(study: Study, inputs: pd.DataFrame) -> pd.Series:
    """Customer id -> name for tables (the id where the name is missing or declared PII)."""
    kept = inputs[inputs[STATUS].isin(("classified", "pending"))]
    ids = kept[ID]
    if NAME in kept.columns and (study.pii is None or study.name_column not in study.pii):
        names = kept[NAME].astype(object).where(kept[NAME].notna(), ids)
    else:
        names = ids
    return pd.Series(names.to_numpy(), index=pd.Index(ids.to_numpy(), name=ID), name=NAME)


def customer_table(results: StudyResults) -> pd.DataFrame:
    """Every input row once: id, name, status, contact columns masked, criteria, score, tiers.

    Columns: ``customer_id``, ``name`` (if any), ``status``, ``merged_into``, the other client
    columns (PII masked), the raw criteria, ``score``, then ``tier_<method>`` and
    ``score_<method>`` for every method.
    """
    inputs = results.input_customers
    out = mask_frame(inputs, columns=pii_columns(results.study, inputs))
    ids = inputs[ID]
    kept = inputs[STATUS].isin(("classified", "pending")).to_numpy()
    score = results.scores.score
    out["score"] = _take(score.to_numpy(dtype=float), score.index.get_indexer(ids), np.nan)
    # one id lookup per table (not per method); -1 = id not in the table
    tier_rows = results.tiers.index.get_indexer(ids)
    score_rows = results.method_scores.index.get_indexer(ids)
    for m in results.tiers.columns:
        tier = results.tiers[m].astype(object).to_numpy()
        out[f"tier_{m}"] = _take(tier, np.where(kept, tier_rows, -1), None)
        if m in results.method_scores.columns:
            values = results.method_scores[m].to_numpy(dtype=float)
            out[f"score_{m}"] = _take(values, score_rows, np.nan)
    return out


def _take(values: np.ndarray, rows: np.ndarray, missing: Any) -> np.ndarray:
    """``values[rows]`` with ``missing`` where ``rows`` is -1."""
    out = values[np.maximum(rows, 0)] if len(values) else np.full(len(rows), missing)
    if (rows < 0).any():
        out = out.astype(object) if missing is None else out.copy()
        out[rows < 0] = missing
    return out


def value_potential_inputs(results: StudyResults, method: str) -> tuple[pd.Series, pd.Series]:
    """The value and potential series a ``value_potential`` method classified (for charts).

    Parameters
    ----------
    results : StudyResults
    method : str
        Name of a ``value_potential`` method of the study.

    Returns
    -------
    (value, potential) : tuple of pandas.Series
        Indexed by the classified customers; the potential may be missing (tier "D").
    """
    spec = results.study.method(method)
    if not isinstance(spec, ValuePotential):
        raise TypeError(f"method {method!r} is {spec.method!r}, not value_potential")
    ctx = method_context(results.study, results.criteria, results.scores, results.weights,
                         results.cleaning.cleaned)  # fmt: skip
    return spec.inputs(ctx)
