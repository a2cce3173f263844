"""Multi-criteria ABC models of the literature: Ramanathan, Ng, Zhou & Fan, TOPSIS, EDAS.

Each scores the customers on all criteria (cost criteria reversed) and the score is cut into
A/B/C by count shares or Pareto cut-offs (:class:`~abclab.methods._base.RankRule`).
"""

from __future__ import annotations

from pydantic import Field, ValidationInfo, field_validator

from abclab import mcabc
from abclab._model import NonEmptyStr, Number, context_of, fail, quoted
from abclab.methods._base import ABC, MethodContext, MethodOutput, RankRule, register

__all__ = ["EDAS", "TOPSIS", "Ng", "Ramanathan", "ZhouFan"]


class _Ordered(RankRule):
    """A model that needs the criteria in importance order (w_1 >= w_2 >= ...)."""

    uses_weights = True  # the default importance order is the weights' order

    order: tuple[NonEmptyStr, ...] | None = Field(
        None, description="Criteria, most important first; default by the study's weights."
    )

    @field_validator("order")
    @classmethod
    def _every_criterion_once(cls, order: tuple | None, info: ValidationInfo) -> tuple | None:
        names = context_of(info).criteria
        if order is None or not names:
            return order
        if sorted(order) != sorted(names):
            raise fail(f"expected each criterion once ({quoted(names)}), got {list(order)}")
        return order

    def tier_labels(self) -> tuple[str, ...]:
        return ABC

    def importance_order(self, ctx: MethodContext) -> list[str]:
        """``order``, else the criteria by decreasing weight (Ramanathan 2006; Ng 2007)."""
        if self.order is not None:
            return list(self.order)
        return list(ctx.weights.sort_values(ascending=False).index)


@register
class Ramanathan(_Ordered):
    """Ramanathan (2006): one weighted linear optimisation per customer."""

    method = "ramanathan"

    def run(self, ctx: MethodContext) -> MethodOutput:
        score = mcabc.ramanathan(ctx.criteria, order=self.importance_order(ctx),
                                 cost=list(ctx.cost))  # fmt: skip
        return MethodOutput(self.cut(score), score)


@register
class Ng(_Ordered):
    """Ng (2007): the weighted linear model solved in closed form from the importance order."""

    method = "ng"

    def run(self, ctx: MethodContext) -> MethodOutput:
        score = mcabc.ng(ctx.criteria, order=self.importance_order(ctx), cost=list(ctx.cost))
        return MethodOutput(self.cut(score), score)


@register
class ZhouFan(RankRule):
    """Zhou & Fan (2007): Ramanathan's good and bad index blended by ``lam``."""

    method = "zhou_fan"
    lam: Number = Field(0.5, ge=0, le=1, description="Weight of the good index, in [0, 1].")

    def tier_labels(self) -> tuple[str, ...]:
        return ABC

    def run(self, ctx: MethodContext) -> MethodOutput:
        score = mcabc.zhou_fan(ctx.criteria, lam=float(self.lam), cost=list(ctx.cost))
        return MethodOutput(self.cut(score), score)


@register
class TOPSIS(RankRule):
    """TOPSIS (Hwang & Yoon 1981) with the study's weights."""

    method = "topsis"
    uses_weights = True

    def tier_labels(self) -> tuple[str, ...]:
        return ABC

    def run(self, ctx: MethodContext) -> MethodOutput:
        score = mcabc.topsis(ctx.criteria, ctx.weights, cost=list(ctx.cost))
        return MethodOutput(self.cut(score), score)


@register
class EDAS(RankRule):
    """EDAS, distance from the average solution (Keshavarz Ghorabaee et al. 2015)."""

    method = "edas"
    uses_weights = True

    def tier_labels(self) -> tuple[str, ...]:
        return ABC

    def run(self, ctx: MethodContext) -> MethodOutput:
        score = mcabc.edas(ctx.criteria, ctx.weights, cost=list(ctx.cost))
        return MethodOutput(self.cut(score), score)
