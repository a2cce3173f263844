"""The ``customer_base`` section: churn risk, lifetime value, triggers and the back-test.

A study with a transaction log gets a customer-base analysis (:mod:`abclab.pipeline.customer_base`)
when it compares a ``churn_risk`` or ``credit_grade`` method or has this section. The churn-risk
tiers take the parameters of the study's first ``churn_risk`` method (P(alive) bounds, day rules,
labels; the method's defaults when the study compares none): they are declared once, there. This
section holds what the consultant sets beyond them:

- the re-grade triggers of source 003 §三(六) ("客户年消费额变化超过30%", "连续3个月无交易");
- the back-test cut (the months held out before the evaluation date);
- the customer lifetime value: horizon, monthly discount rate and where the margin comes from.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from abclab._model import Number, StrictInt, StudyModel

__all__ = ["CustomerBaseSpec"]

#: Where the CLV's margin comes from: the customer's own profit / amount on the log
#: (``profit``, needs ``data.transactions.profit``), none (``revenue``: CLV of spend) or one
#: share for every customer (a number in (0, 1]).
MarginSource = Literal["profit", "revenue"] | Annotated[Number, Field(gt=0, le=1)]


class CustomerBaseSpec(StudyModel):
    """Triggers, back-test and lifetime-value settings of the customer-base analysis."""

    spend_change: Annotated[Number, Field(ge=0)] = Field(
        0.30,
        description="Trigger: relative change of the 12-month spend against the 12 months "
        "before that fires a review (0.30 = 30 %; source 003 §三(六)).",
    )
    inactive_months: Annotated[StrictInt, Field(ge=1)] = Field(
        3, description="Trigger: whole months without a purchase that fire a review."
    )
    holdout_months: Annotated[StrictInt, Field(ge=1, le=60)] = Field(
        12,
        description="Back-test: months before the evaluation date held out; the churn tiers "
        "are computed on the log before them and checked against what customers did in them.",
    )
    horizon_months: Annotated[StrictInt, Field(ge=1, le=120)] = Field(
        12, description="CLV and expected purchases: forecast horizon in months."
    )
    discount_rate: Annotated[Number, Field(ge=0, lt=1)] = Field(
        0.01, description="CLV: discount rate per month (0.01 = 1 % a month)."
    )
    margin: MarginSource | None = Field(
        None,
        description="CLV margin: profit (each customer's profit / amount on the log), revenue "
        "(no margin: CLV of spend) or one share in (0, 1]; default profit when the log has a "
        "profit column, else revenue.",
    )
