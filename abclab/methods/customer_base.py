"""Methods on the purchase and payment histories: churn-risk tiers and credit grades.

Both read the study's transaction log (:class:`~abclab.methods._base.TransactionLog`), so a
study without ``data.transactions`` is rejected when it is loaded.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Annotated, Literal

import numpy as np
import pandas as pd
from pydantic import Field, ValidationInfo, field_validator, model_validator

from abclab import classify, clv
from abclab._model import NonEmptyStr, Number, PositiveNumber, StrictInt, context_of, fail
from abclab.exceptions import DataQualityWarning, InputDataError, StudyError
from abclab.methods._base import Method, MethodContext, MethodOutput, TransactionLog, register
from abclab.methods.matrix import NO_DATA_TIER

__all__ = ["CHURN_LABELS", "CHURN_LABELS_ZH", "ChurnFit", "ChurnRisk", "CreditGrade"]

#: Churn-risk tiers, best first; source 003 §二(三)'s Chinese names in :data:`CHURN_LABELS_ZH`.
CHURN_LABELS = clv.CHURN_TIERS
CHURN_LABELS_ZH = ("高稳定客户", "关注客户", "流失风险客户")


@dataclass(frozen=True)
class ChurnFit:
    """What :meth:`ChurnRisk.fit_log` found on the log: the BG/NBD inputs and the model.

    Attributes
    ----------
    summary : pandas.DataFrame
        :func:`abclab.clv.rfm_summary` of the log up to the day before ``as_of`` (weeks),
        indexed by the log's customer ids.
    model : abclab.clv.BetaGeo or None
        The fitted BG/NBD model; None when it could not be fitted.
    message : str
        Why the model was not fitted ("not enough repeat buyers to fit BG/NBD: ..."), else "".
    error : abclab.exceptions.InputDataError or None
        The error the fit raised (a :class:`~abclab.exceptions.TooFewRepeatBuyers` carries
        the counts), else None.
    """

    summary: pd.DataFrame
    model: clv.BetaGeo | None
    message: str = ""
    error: InputDataError | None = None


def _needs_transactions(method: Method, info: ValidationInfo) -> None:
    if info.context is not None and not context_of(info).has_transactions:
        raise fail(f"{method.method} reads the transaction log, and the study has none; add "
                   "data.transactions (customer, date, amount) or drop this method")  # fmt: skip


def _log(ctx: MethodContext, method: str) -> TransactionLog:
    if ctx.transactions is None:
        raise StudyError(f"{method} needs the study's transaction log (data.transactions)")
    return ctx.transactions


def _text_ids(index: pd.Index) -> pd.Index:
    """Customer ids as the pipeline writes them (``1001`` and ``1001.0`` -> ``"1001"``)."""
    if pd.api.types.is_float_dtype(index) and bool(np.all(index == np.round(index))):
        index = index.astype("Int64")
    return pd.Index(index.astype("str").str.strip(), name=index.name)


def _place(tiers: pd.Series, ctx: MethodContext) -> pd.Series:
    """Tiers on the classified customers; those absent from the log get ``n/a``."""
    attrs = dict(tiers.attrs)
    index = ctx.criteria.index
    text = pd.Index(index.astype("str"))
    tiers = tiers.set_axis(_text_ids(tiers.index))
    known = text.isin(tiers.index)
    placed = tiers.reindex(text).set_axis(index)
    if not known.all() and isinstance(placed.dtype, pd.CategoricalDtype):
        if NO_DATA_TIER in placed.cat.categories:
            placed = placed.fillna(NO_DATA_TIER)
        else:
            placed = classify.abcd(placed, pd.Series(~known, index=index), label=NO_DATA_TIER)
    placed.attrs = attrs | dict(placed.attrs)
    return placed


def _two_decreasing(values: tuple[float, ...], *, low: float, high: float) -> tuple[float, ...]:
    if len(values) != 2 or not high >= values[0] > values[1] >= low:
        raise fail(f"expected two decreasing thresholds in [{low:g}, {high:g}] (stable|watch, "
                   f"watch|at risk), got {list(values)}")  # fmt: skip
    return values


@register
class ChurnRisk(Method):
    """Churn-risk tiers (source 003 §二(三)) from BG/NBD P(alive) and expected purchases."""

    method = "churn_risk"
    uses_transactions = True
    ranks_value = False
    p_alive: tuple[Number, Number] = Field(
        (0.7, 0.4), description="P(alive) bounds: stable at or above the first, at risk below "
        "the second.")  # fmt: skip
    horizon_weeks: PositiveNumber = Field(26, description="Horizon of the expected purchases.")
    min_expected_purchases: Annotated[Number, Field(ge=0)] = Field(
        1.0, description="Stable also needs at least this many expected purchases in the horizon."
    )
    rule_days: tuple[PositiveNumber, PositiveNumber] = Field(
        (45, 90), description="Without a model fit: watch after this many days without a "
        "purchase, at risk after the second (source 003 §3.6: three months).")  # fmt: skip
    on_fit_failure: Literal["rules", "error"] = Field(
        "rules", description="When BG/NBD cannot be fitted: the day rules (with a warning) or an "
        "error.")  # fmt: skip
    min_repeat_buyers: Annotated[StrictInt, Field(ge=4)] = 10
    labels: tuple[NonEmptyStr, NonEmptyStr, NonEmptyStr] = Field(
        CHURN_LABELS,
        description="Tier labels, best first (zh: 高稳定客户, 关注客户, 流失风险客户).",
    )

    @field_validator("p_alive")
    @classmethod
    def _valid_p_alive(cls, values: tuple[float, ...]) -> tuple[float, ...]:
        return _two_decreasing(values, low=0.0, high=1.0)

    @field_validator("rule_days")
    @classmethod
    def _increasing_days(cls, values: tuple[float, ...]) -> tuple[float, ...]:
        if not values[0] < values[1]:
            raise fail(f"expected increasing days (watch, at risk), got {list(values)}")
        return values

    @model_validator(mode="after")
    def _checks(self, info: ValidationInfo) -> ChurnRisk:
        _needs_transactions(self, info)
        if len(set(self.labels)) != 3 or NO_DATA_TIER in self.labels:
            raise fail(f"expected three distinct labels (not {NO_DATA_TIER!r}), got "
                       f"{list(self.labels)}", at=("labels",))  # fmt: skip
        return self

    def tier_labels(self) -> tuple[str, ...]:
        return tuple(self.labels)

    def summary(self, log: TransactionLog) -> pd.DataFrame:
        """BG/NBD inputs of every customer up to the day before ``as_of`` (in weeks)."""
        end = None if log.as_of is None else pd.Timestamp(log.as_of) - pd.Timedelta(days=1)
        return clv.rfm_summary(log.source, customer=log.customer, date=log.date,
                               amount=log.amount, calibration_end=end, period="W",
                               aliases=log.aliases)  # fmt: skip

    def fit_log(self, log: TransactionLog) -> ChurnFit:
        """The RFM summary of ``log`` and BG/NBD fitted on it (or why it could not be).

        Every customer of the log is fitted, also ids the customer table does not have: a
        master that lists only active customers leaves its lapsed ones in the log alone, and
        a model fitted without them would see no one drop out (survivorship bias). Tiers are
        given to the study's customers only (:func:`_place`).

        Raises
        ------
        InputDataError
            When the fit fails and ``on_fit_failure`` is ``error``.
        """
        s = self.summary(log)
        try:
            model = clv.BetaGeo(min_repeat_buyers=int(self.min_repeat_buyers)).fit(
                s["frequency"], s["recency"], s["T"]
            )
        except InputDataError as err:
            if self.on_fit_failure == "error":
                raise
            return ChurnFit(summary=s, model=None, message=str(err), error=err)
        return ChurnFit(summary=s, model=model)

    def tiers_of(self, fit: ChurnFit) -> pd.Series:
        """Tiers of every customer of the log (index: the log's ids): from P(alive) and the
        expected purchases when the model was fitted, else the day rules."""
        s = fit.summary
        if fit.model is None:
            tiers = self._rule_tiers(s)
            tiers.attrs["model"] = f"rules (BG/NBD not fitted: {fit.message})"
            return tiers
        rfm = (s["frequency"], s["recency"], s["T"])
        alive = fit.model.probability_alive(*rfm)
        expected = fit.model.expected_purchases(float(self.horizon_weeks), *rfm)
        code = clv.churn_codes(alive.to_numpy(), expected.to_numpy(),
                               thresholds=tuple(self.p_alive),
                               min_expected_purchases=self.min_expected_purchases)  # fmt: skip
        tiers = self._tiers(code, s.index)
        tiers.attrs["model"] = "BG/NBD " + ", ".join(
            f"{k}={v:.4g}" for k, v in fit.model.params_.items()
        )
        return tiers

    def run(self, ctx: MethodContext) -> MethodOutput:
        fit = self.fit_log(_log(ctx, self.method))
        tiers = _place(self.tiers_of(fit), ctx)
        if fit.model is None:
            warnings.warn(f"churn_risk: {fit.message}; tiers from the day rules "
                          f"{list(self.rule_days)}", DataQualityWarning, stacklevel=2)  # fmt: skip
            return MethodOutput(tiers, fit=fit)
        s = fit.summary
        alive = fit.model.probability_alive(s["frequency"], s["recency"], s["T"])
        scores = _place(alive.rename(self.name), ctx)
        return MethodOutput(tiers, scores.astype(float), fit=fit)

    def _rule_tiers(self, s: pd.DataFrame) -> pd.Series:
        days = np.round((s["T"] - s["recency"]).to_numpy() * clv.PERIOD_DAYS["W"], 6)
        return self._tiers(clv.rule_codes(days, tuple(self.rule_days)), s.index)

    def _tiers(self, code: np.ndarray, index: pd.Index) -> pd.Series:
        cat = pd.Categorical.from_codes(code, categories=list(self.labels), ordered=True)
        out = pd.Series(cat, index=index, name=self.name)
        out.attrs["cut_points"] = {"p_alive": list(self.p_alive),
                                   "min_expected_purchases": self.min_expected_purchases,
                                   "rule_days": list(self.rule_days)}  # fmt: skip
        return out


@register
class CreditGrade(Method):
    """Credit grades (source 001: 客户资信评价, 信用等级) from payment behaviour."""

    method = "credit_grade"
    uses_transactions = True
    ranks_value = False
    on_time: tuple[Number, ...] = Field(
        (0.95, 0.85, 0.70), description="Least on-time payment rate per grade but the last."
    )
    mean_days: tuple[Number, ...] = Field(
        (5, 15, 30), description="Most mean days overdue per grade but the last."
    )
    worst_days: tuple[Number, ...] = Field(
        (15, 45, 90), description="Most days overdue of the worst invoice per grade but the last."
    )
    open_share: tuple[Number, ...] = Field(
        (0.25, 0.5, 1.0), description="Most open receivables / last 12 months' spend per grade."
    )
    labels: tuple[NonEmptyStr, ...] = Field(clv.CREDIT_LABELS, description="Grades, best first.")

    @model_validator(mode="after")
    def _checks(self, info: ValidationInfo) -> CreditGrade:
        _needs_transactions(self, info)
        k = len(self.labels) - 1
        if k < 1 or len(set(self.labels)) != len(self.labels) or NO_DATA_TIER in self.labels:
            raise fail(f"expected at least two distinct labels (not {NO_DATA_TIER!r}), got "
                       f"{list(self.labels)}", at=("labels",))  # fmt: skip
        for key, better in (("on_time", "high"), ("mean_days", "low"), ("worst_days", "low"),
                            ("open_share", "low")):  # fmt: skip
            values = getattr(self, key)
            steps = np.diff(values)
            ordered = bool(np.all(steps <= 0)) if better == "high" else bool(np.all(steps >= 0))
            too_big = key == "on_time" and max(values, default=0) > 1
            if len(values) != k or not ordered or min(values, default=0) < 0 or too_big:
                word = "non-increasing rates" if better == "high" else "non-decreasing"
                raise fail(f"expected {k} {word} bounds ≥ 0 (one per grade but the last), got "
                           f"{list(values)}", at=(key,))  # fmt: skip
        return self

    def tier_labels(self) -> tuple[str, ...]:
        return (*self.labels, NO_DATA_TIER)

    def run(self, ctx: MethodContext) -> MethodOutput:
        log = _log(ctx, self.method)
        if log.due_date is None or log.paid_date is None:
            raise StudyError("credit_grade needs invoice due and paid dates: set "
                             "data.transactions.due_date and paid_date")  # fmt: skip
        payments = clv.payment_behaviour(log.source, customer=log.customer, date=log.date,
                                         amount=log.amount, due_date=log.due_date,
                                         paid_date=log.paid_date, as_of=log.as_of,
                                         aliases=log.aliases)  # fmt: skip
        grades = clv.credit_grades(payments, on_time=self.on_time, mean_days=self.mean_days,
                                   worst_days=self.worst_days, open_share=self.open_share,
                                   labels=self.labels, no_data=NO_DATA_TIER)  # fmt: skip
        placed = _place(grades.rename(self.name), ctx).rename(self.name)
        return MethodOutput(placed, fit=payments)
