"""Methods that rank customers by one number: Pareto, shares, computed ABC, bands, weighted ABC."""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import Field, field_validator, model_validator

from abclab import classify
from abclab._model import NonEmptyStr, Number, fail
from abclab.methods._base import (
    ABC,
    SCORE,
    Cutoffs,
    MethodContext,
    MethodOutput,
    RankRule,
    Shares,
    ValueParams,
    _increasing_cutoffs,
    _shares_sum_to_one,
    register,
)

__all__ = ["Bands", "ComputedABC", "Pareto", "ShareABC", "WeightedABC"]


@register
class Pareto(ValueParams):
    """Classic ABC on one value: A up to 80 % of the cumulative value, B up to 95 %."""

    method = "pareto"
    cutoffs: Cutoffs = (0.8, 0.95)

    @field_validator("cutoffs")
    @classmethod
    def _valid_cutoffs(cls, cutoffs: tuple[float, ...]) -> tuple[float, ...]:
        return _increasing_cutoffs(cutoffs)

    def tier_labels(self) -> tuple[str, ...]:
        return ABC

    def run(self, ctx: MethodContext) -> MethodOutput:
        values = ctx.values(self.value)
        return MethodOutput(classify.pareto(values, cutoffs=tuple(self.cutoffs)), values)


@register
class ShareABC(ValueParams):
    """Count shares on one value: the top 20 % of customers A, the next 30 % B, the rest C."""

    method = "shares"
    shares: Shares = (0.2, 0.3, 0.5)

    @field_validator("shares")
    @classmethod
    def _valid_shares(cls, shares: tuple[float, ...]) -> tuple[float, ...]:
        return _shares_sum_to_one(shares)

    def tier_labels(self) -> tuple[str, ...]:
        return ABC

    def run(self, ctx: MethodContext) -> MethodOutput:
        values = ctx.values(self.value)
        return MethodOutput(classify.shares(values, shares=tuple(self.shares)), values)


@register
class ComputedABC(ValueParams):
    """Data-driven A/B/C limits from the ABC curve (Ultsch & Lötsch 2015)."""

    method = "computed_abc"

    def tier_labels(self) -> tuple[str, ...]:
        return ABC

    def run(self, ctx: MethodContext) -> MethodOutput:
        values = ctx.values(self.value)
        return MethodOutput(classify.computed_abc(values), values)


@register
class Bands(ValueParams):
    """Fixed score bands (source 003: 90-100 strategic, 75-89 key, 60-74 ordinary, < 60)."""

    method = "bands"
    uses_weights = True
    strategy_scheme = "bands"
    value: NonEmptyStr | None = Field(SCORE, description="Column to band; default the score.")
    bands: tuple[Number, ...] = Field(
        classify.SOURCE003_SCORE_CUTS, description="Strictly decreasing lower bounds."
    )
    labels: tuple[NonEmptyStr, ...] = Field(
        classify.SOURCE003_SCORE_LABELS, description="One label per band, best first."
    )

    @field_validator("bands")
    @classmethod
    def _decreasing(cls, bands: tuple[float, ...]) -> tuple[float, ...]:
        if not bands or bool(np.any(np.diff(bands) >= 0)):
            raise fail(f"expected strictly decreasing lower bounds, got {list(bands)}")
        return bands

    @model_validator(mode="after")
    def _one_label_per_band(self) -> Bands:
        if len(self.labels) != len(self.bands) + 1:
            raise fail(f"expected {len(self.bands) + 1} labels ({len(self.bands)} bounds + 1), "
                       f"got {len(self.labels)}", at=("labels",))  # fmt: skip
        if len(set(self.labels)) != len(self.labels):
            raise fail(f"expected distinct labels, got {list(self.labels)}", at=("labels",))
        return self

    def tier_labels(self) -> tuple[str, ...]:
        return tuple(self.labels)

    def weight_rule(self) -> dict[str, Any] | None:
        """Keyword arguments of :func:`abclab.sensitivity.weight_monte_carlo`'s banding rule
        (None when the bands cut a criterion, not the weighted score)."""
        if self.value != SCORE:
            return None
        return {"rule": "bands", "cuts": tuple(self.bands), "labels": tuple(self.labels)}

    def run(self, ctx: MethodContext) -> MethodOutput:
        values = ctx.values(self.value)
        tiers = classify.bands(values, cuts=tuple(self.bands), labels=tuple(self.labels))
        return MethodOutput(tiers, values)


@register
class WeightedABC(RankRule):
    """AHP-weighted multi-criteria ABC: the weighted score, cut by shares or Pareto."""

    method = "weighted_abc"
    uses_weights = True

    def tier_labels(self) -> tuple[str, ...]:
        return ABC

    def weight_rule(self) -> dict[str, Any]:
        """Keyword arguments of the cut (as :func:`abclab.sensitivity.weight_monte_carlo` takes them)."""
        if self.how == "shares":
            return {"rule": "shares", "shares": tuple(self.shares)}
        return {"rule": "pareto", "cutoffs": tuple(self.cutoffs)}

    def run(self, ctx: MethodContext) -> MethodOutput:
        tiers = classify.weighted_abc(ctx.criteria, ctx.weights, criteria=ctx.scoring,
                                      **self.weight_rule())  # fmt: skip
        return MethodOutput(tiers, ctx.score)
