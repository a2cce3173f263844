"""The customer-base step: churn tiers, P(alive), expected purchases, CLV, triggers, back-test.

Runs when the study has a transaction log and compares a ``churn_risk`` or ``credit_grade``
method or has a ``customer_base`` section (:func:`wants_customer_base`). The churn tiers are
those of the study's first ``churn_risk`` run, with its parameters; the BG/NBD model that
run fitted is reused (:attr:`abclab.pipeline.ClassifyStep.fits`), never fitted twice on the
same log. The back-test fits again, by design, on the log before the hold-out months.

When BG/NBD cannot be fitted (a B2B log with few repeat buyers) the step still returns: the
day-rule tiers, the reason in :attr:`CustomerBaseStep.message`, no P(alive) and no CLV.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np
import pandas as pd

from abclab import clv, dynamics
from abclab.config import CustomerBaseSpec, Study
from abclab.exceptions import InputDataError
from abclab.methods import ChurnFit, ChurnRisk, CreditGrade, TransactionLog
from abclab.pipeline.read import ID, customer_ids
from abclab.pipeline.results import CustomerBaseStep, DataStep

__all__ = ["CUSTOMER_BASE_COLUMNS", "customer_base_step", "wants_customer_base"]

#: Columns of :attr:`CustomerBaseStep.customers` before the payment columns.
CUSTOMER_BASE_COLUMNS = ("churn_tier", "days_since_purchase", "p_alive", "expected_purchases",
                         "clv")  # fmt: skip
#: Weeks in one month (the models' time unit is the week).
WEEKS_PER_MONTH = 365.25 / 7 / 12


def wants_customer_base(study: Study) -> bool:
    """Whether the study gets the customer-base step (a log, and a log method or the section)."""
    if study.data.transactions is None:
        return False
    return study.customer_base is not None or any(m.uses_transactions for m in study.methods)


def customer_base_step(
    study: Study,
    log: TransactionLog | None,
    data: DataStep,
    fits: Mapping[str, object],
) -> CustomerBaseStep | None:
    """Churn risk and lifetime value of every customer of the log (None when not wanted).

    Parameters
    ----------
    study : Study
    log : TransactionLog or None
        The prepared log (:func:`abclab.pipeline.classify.transaction_log`).
    data : DataStep
        The read step (the customers' margins and last purchase dates).
    fits : mapping
        What the methods fitted (:attr:`ClassifyStep.fits`): a ``churn_risk`` run's
        :class:`~abclab.methods.ChurnFit` and a ``credit_grade`` run's payment table are reused.

    Returns
    -------
    CustomerBaseStep or None

    Notes
    -----
    Expected purchases over :math:`H` weeks are BG/NBD's :math:`E[Y(H) \\mid x, t_x, T]`; the
    CLV is :func:`abclab.clv.customer_lifetime_value` over :math:`H` with monthly discounting
    at ``discount_rate`` times the margin (Fader, Hardie & Lee 2005; Fader & Hardie 2013).
    """
    if log is None or not wants_customer_base(study):
        return None
    spec = study.customer_base or CustomerBaseSpec()
    runs = [m for m in study.methods if isinstance(m, ChurnRisk)]
    churn = runs[0] if runs else ChurnRisk()
    fit = fits.get(churn.name) if runs else None
    if not isinstance(fit, ChurnFit):
        fit = churn.fit_log(log)
    end = _evaluation_date(log, data)
    s = fit.summary
    tiers = churn.tiers_of(fit)
    days = np.round((s["T"] - s["recency"]).to_numpy() * clv.PERIOD_DAYS["W"], 6)
    customers = pd.DataFrame({"churn_tier": tiers.array, "days_since_purchase": days},
                             index=s.index)  # fmt: skip
    nan = np.full(len(s), np.nan)
    customers["p_alive"], customers["expected_purchases"], customers["clv"] = nan, nan, nan
    params: dict[str, dict[str, float]] = {}
    clv_message, margin = "", _margin_source(study, spec)
    if fit.model is not None:
        rfm = (s["frequency"], s["recency"], s["T"])
        horizon = spec.horizon_months * WEEKS_PER_MONTH
        params["BG/NBD"] = dict(fit.model.params_)
        customers["p_alive"] = fit.model.probability_alive(*rfm).to_numpy(float)
        customers["expected_purchases"] = fit.model.expected_purchases(horizon, *rfm).to_numpy(
            float
        )
        try:
            spend = clv.GammaGamma(min_repeat_buyers=int(churn.min_repeat_buyers)).fit(
                s["frequency"], s["monetary_value"]
            )
        except InputDataError as err:
            clv_message = str(err)
        else:
            params["Gamma-Gamma"] = dict(spend.params_)
            value = clv.customer_lifetime_value(fit.model, spend, *rfm, s["monetary_value"],
                                                horizon=horizon, step=WEEKS_PER_MONTH,
                                                discount_rate=float(spec.discount_rate))  # fmt: skip
            customers["clv"] = value.to_numpy(float) * _margins(margin, data, s.index)
    customers.index = _text_index(customers.index)
    grades = [fits.get(m.name) for m in study.methods if isinstance(m, CreditGrade)]
    payments = _payments(log, grades[0] if grades else None, end)
    if payments is not None:
        customers = customers.join(payments[list(clv.PAYMENT_COLUMNS)], how="left")
    study_ids = set(customer_ids(data.frame[ID]).dropna())  # the customers the study reports
    back, back_message = _back_test(log, churn, spec, end, rules_only=fit.model is None,
                                    customers=study_ids)  # fmt: skip
    return CustomerBaseStep(
        customers=customers,
        labels=tuple(churn.labels),
        method=churn.name if runs else None,
        rule_days=tuple(float(d) for d in churn.rule_days),
        fitted=fit.model is not None,
        message=fit.message,
        clv_message=clv_message,
        params=params,
        margin=margin,
        back_test=back,
        back_test_message=back_message,
        triggers=_triggers(log, spec, end, study_ids),
        payments=payments,
        settings=spec,
        evaluation_date=end,
        fit_error=fit.error,
    )


def _text_index(index: pd.Index) -> pd.Index:
    """The log's ids as the pipeline writes them (:func:`abclab.pipeline.read.customer_ids`)."""
    return pd.Index(customer_ids(pd.Series(index)).to_numpy(), name=ID)


def _evaluation_date(log: TransactionLog, data: DataStep) -> pd.Timestamp:
    """``as_of`` (exclusive), else the day after the log's last purchase."""
    if log.as_of is not None:
        return pd.Timestamp(log.as_of)
    last = pd.to_datetime(data.frame.get("last_purchase", pd.Series(dtype=object))).max()
    if pd.isna(last):
        raise InputDataError("the transaction log has no dated purchase; set data.transactions."
                             "as_of")  # fmt: skip
    return pd.Timestamp(last).normalize() + pd.Timedelta(days=1)


def _margin_source(study: Study, spec: CustomerBaseSpec) -> str:
    if spec.margin is None:
        return "profit" if study.data.transactions.profit else "revenue"
    return spec.margin if isinstance(spec.margin, str) else f"{float(spec.margin):g}"


def _margins(source: str, data: DataStep, index: pd.Index) -> np.ndarray | float:
    """Margin per customer of the log: its own profit / amount (clipped to [0, 1], 0 where
    unknown), 1 for revenue, or the study's share."""
    if source == "revenue":
        return 1.0
    if source != "profit":
        return float(source)
    frame = data.frame
    if "margin" not in frame:
        raise InputDataError("customer_base.margin: profit: the log's margins were not derived "
                             "(set data.transactions.profit)")  # fmt: skip
    margin = pd.Series(frame["margin"].to_numpy(float), index=frame[ID].astype(str).to_numpy())
    margin = margin[~margin.index.duplicated()]
    shown = margin.reindex(_text_index(index).astype(str))
    return np.clip(shown.to_numpy(dtype=float, na_value=0.0), 0.0, 1.0)


def _back_test(
    log: TransactionLog,
    churn: ChurnRisk,
    spec: CustomerBaseSpec,
    end: pd.Timestamp,
    *,
    rules_only: bool,
    customers: set[str],
) -> tuple[clv.BackTest | None, str]:
    """The churn tiers on the log before the last ``holdout_months``, checked on them (the
    day rules when the model could not be fitted on the whole log: the tiers the study uses)."""
    observation_end = end - pd.Timedelta(days=1)
    calibration_end = end - pd.DateOffset(months=int(spec.holdout_months)) - pd.Timedelta(days=1)
    try:
        bt = clv.back_test(log.source, customer=log.customer, date=log.date, amount=log.amount,
                           calibration_end=calibration_end, observation_end=observation_end,
                           p_alive=tuple(churn.p_alive), horizon_weeks=float(churn.horizon_weeks),
                           min_expected_purchases=float(churn.min_expected_purchases),
                           rule_days=tuple(churn.rule_days), labels=tuple(churn.labels),
                           min_repeat_buyers=int(churn.min_repeat_buyers),
                           aliases=log.aliases, rules_only=rules_only,
                           customers=customers)  # fmt: skip
    except InputDataError as err:
        return None, str(err)
    customers = bt.customers.set_axis(_text_index(bt.customers.index))
    return dataclasses.replace(bt, customers=customers), ""


def _triggers(
    log: TransactionLog, spec: CustomerBaseSpec, end: pd.Timestamp, customers: set[str]
) -> pd.DataFrame:
    """Source 003's re-grade triggers of the study's customers (not of ids the customer
    table does not have)."""
    table = dynamics.customer_triggers(log.source, customer=log.customer, date=log.date,
                                       amount=log.amount, as_of=end,
                                       spend_change=float(spec.spend_change),
                                       inactive_months=int(spec.inactive_months),
                                       aliases=log.aliases)  # fmt: skip
    table["customer"] = customer_ids(table["customer"]).to_numpy()
    return table[table["customer"].isin(customers)].reset_index(drop=True)


def _payments(log: TransactionLog, table: object, end: pd.Timestamp) -> pd.DataFrame | None:
    """The payment table a ``credit_grade`` run derived, else derived here (None without
    invoice due and paid dates)."""
    if log.due_date is None or log.paid_date is None:
        return None
    if not isinstance(table, pd.DataFrame):
        table = clv.payment_behaviour(log.source, customer=log.customer, date=log.date,
                                      amount=log.amount, due_date=log.due_date,
                                      paid_date=log.paid_date, as_of=log.as_of or end.date(),
                                      aliases=log.aliases)  # fmt: skip
    return table.set_axis(_text_index(table.index))
