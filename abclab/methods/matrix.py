"""Methods on two or three dimensions: source 003's value × potential matrix and RFM segments."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from abclab import classify
from abclab._model import NonEmptyStr, Number, StrictInt, context_of, fail, quoted
from abclab.methods._base import (
    SCORE,
    Method,
    MethodContext,
    MethodOutput,
    ValueParams,
    register,
)

__all__ = ["NO_DATA_TIER", "RFM", "ValuePotential"]

#: Tier of a classified customer that one method cannot place (e.g. no industry growth
#: figure for value × potential) — distinct from "D", pending evaluation after cleaning.
NO_DATA_TIER = "n/a"


@register
class ValuePotential(ValueParams):
    """Value × potential matrix (source 003 §五): S high/high, A high value, B high potential, C."""

    method = "value_potential"
    kind = "matrix"
    strategy_scheme = "value_potential"
    potential: NonEmptyStr = Field(
        SCORE, description="Criterion, 'score' or another numeric column of the customer table."
    )
    threshold: Literal["median"] | tuple[Number, Number] = Field(
        "median", description="'median', or [value threshold, potential threshold]."
    )
    labels: tuple[NonEmptyStr, NonEmptyStr, NonEmptyStr, NonEmptyStr] = Field(
        classify.VALUE_POTENTIAL_LABELS,
        description="Labels of high/high, high value, high potential, low/low.",
    )

    @model_validator(mode="after")
    def _distinct_labels(self) -> ValuePotential:
        if len(set(self.labels)) != 4 or NO_DATA_TIER in self.labels:
            raise fail(f"expected four distinct labels (not {NO_DATA_TIER!r}), got "
                       f"{list(self.labels)}", at=("labels",))  # fmt: skip
        return self

    def tier_labels(self) -> tuple[str, ...]:
        return tuple(self.labels)

    def data_columns(self) -> tuple[str, ...]:
        return () if self.potential == SCORE else (self.potential,)

    def inputs(self, ctx: MethodContext) -> tuple[Any, Any]:
        """The value and potential series classified (the potential may have gaps)."""
        return ctx.values(self.value), ctx.values(self.potential, others=True)

    def run(self, ctx: MethodContext) -> MethodOutput:
        value, potential = self.inputs(ctx)
        thresholds = self.threshold if isinstance(self.threshold, str) else tuple(self.threshold)
        known = potential.notna()
        tiers = classify.value_potential(value[known], potential[known], thresholds=thresholds,
                                         labels=tuple(self.labels))  # fmt: skip
        if known.all():
            return MethodOutput(tiers)
        # ABCD: customers without a potential value cannot be placed (insufficient data)
        tiers = classify.abcd(tiers.reindex(ctx.criteria.index), ~known, label=NO_DATA_TIER)
        return MethodOutput(tiers)


def _criterion(value: str, info: ValidationInfo) -> str:
    names = context_of(info).criteria
    if names and value not in names:
        raise fail(f"expected a criterion ({quoted(names)}), got {value!r}")
    return value


@register
class RFM(Method):
    """RFM scores (1..bins each) and segments (champions, loyal, ..., hibernating)."""

    method = "rfm"
    kind = "matrix"
    strategy_scheme = None
    recency: NonEmptyStr = Field("recency_days", description="Criterion: days since last purchase.")
    frequency: NonEmptyStr = Field("purchase_count", description="Criterion: number of purchases.")
    monetary: NonEmptyStr | None = Field(None, description="Criterion: spend (default the value).")
    bins: Annotated[StrictInt, Field(ge=2, le=10)] = 5

    @field_validator("recency", "frequency", "monetary")
    @classmethod
    def _criteria_only(cls, value: str | None, info: ValidationInfo) -> str | None:
        return None if value is None else _criterion(value, info)

    @model_validator(mode="after")
    def _default_criteria_exist(self, info: ValidationInfo) -> RFM:
        names = context_of(info).criteria
        for key in ("recency", "frequency"):
            column = getattr(self, key)
            if names and key not in self.model_fields_set and column not in names:
                raise fail(f"rfm reads the criterion {column!r} by default, and the study has "
                           f"none; name one with {key}: ...", at=(key,))  # fmt: skip
        return self

    def tier_labels(self) -> tuple[str, ...]:
        return tuple(name for name, _ in classify.RFM_SEGMENTS)

    def run(self, ctx: MethodContext) -> MethodOutput:
        monetary = self.monetary or ctx.default_value
        frame = classify.rfm(ctx.criteria[self.recency], ctx.criteria[self.frequency],
                             ctx.criteria[monetary], bins=int(self.bins))  # fmt: skip
        return MethodOutput(frame["segment"], frame["rfm_score"].astype(float))
