"""Churn-risk tiers and their back-test: calibrate up to a cut date, check the hold-out.

Source 003 §二(三) sorts customers into 高稳定客户 / 关注客户 / 流失风险客户 (stable / watch /
at risk) and triggers a visit for the last; source 002 asks which customers are most likely
to leave. :func:`churn_codes` gives the tiers from the BG/NBD model, :func:`rule_codes` the
day rules used when the model cannot be fitted, and :func:`back_test` checks both against
what the customers did after the cut.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from abclab._text import normalise_ids
from abclab.clv._bgnbd import BetaGeo, _probability_alive_kernel
from abclab.clv._summary import PERIOD_DAYS, rfm_summary
from abclab.exceptions import InputDataError
from abclab.features._source import prepare_source
from abclab.io import ReadOptions

__all__ = [
    "BACKTEST_CALIBRATION_COLUMNS",
    "BACKTEST_CUSTOMER_COLUMNS",
    "BACKTEST_TIER_COLUMNS",
    "CHURN_TIERS",
    "BackTest",
    "back_test",
    "churn_codes",
    "probability_of_purchase",
    "rule_codes",
]

#: Default churn-risk tier labels, best first (source 003 §二(三): 高稳定客户, 关注客户, 流失风险客户).
CHURN_TIERS = ("stable", "watch", "at risk")
#: Columns of :attr:`BackTest.customers`.
BACKTEST_CUSTOMER_COLUMNS = ["tier", "p_alive", "p_purchase", "expected_purchases",
                             "purchases_holdout", "bought"]  # fmt: skip
#: Columns of :meth:`BackTest.to_frame` (one row per tier, then ``all``).
BACKTEST_TIER_COLUMNS = ["tier", "customers", "bought", "did_not_buy", "did_not_buy_share",
                         "predicted_p_purchase", "hit_rate"]  # fmt: skip
#: Columns of :attr:`BackTest.calibration` (one row per decile of the predicted P(purchase)).
BACKTEST_CALIBRATION_COLUMNS = ["decile", "customers", "p_purchase_low", "p_purchase_high",
                                "predicted_buyers", "actual_buyers", "predicted_non_buyers",
                                "actual_non_buyers", "predicted_purchases",
                                "actual_purchases"]  # fmt: skip


def churn_codes(
    p_alive: np.ndarray,
    expected: np.ndarray,
    *,
    thresholds: tuple[float, float] = (0.7, 0.4),
    min_expected_purchases: float = 1.0,
) -> np.ndarray:
    """Tier codes (0 stable, 1 watch, 2 at risk) from P(alive) and expected purchases.

    Stable: P(alive) ≥ ``thresholds[0]`` and at least ``min_expected_purchases`` expected in
    the horizon; at risk: P(alive) < ``thresholds[1]``; watch: the rest. No validation.
    """
    hi, lo = thresholds
    stable = (p_alive >= hi) & (expected >= min_expected_purchases)
    return np.where(p_alive < lo, 2, np.where(stable, 0, 1))


def rule_codes(days_since_purchase: np.ndarray, rule_days: tuple[float, float]) -> np.ndarray:
    """Tier codes of the day rules (source 003 §3.6: "连续3个月无交易"): watch from
    ``rule_days[0]`` days without a purchase, at risk from ``rule_days[1]``. No validation."""
    watch, risk = rule_days
    d = np.asarray(days_since_purchase, dtype=float)
    return np.where(d >= risk, 2, np.where(d >= watch, 1, 0))


def probability_of_purchase(model: BetaGeo, t: float, frequency: Any, recency: Any, T: Any) -> Any:
    """P(at least one purchase in the next ``t`` periods | x, t_x, T) under BG/NBD.

    A customer alive at ``T`` leaves only after a purchase, so no purchase in ``(T, T+t]``
    means no event of the Poisson process, whose rate has the posterior Gamma(r+x, α+T):

    .. math:: P(Y(t) > 0) = P(\\text{alive}) \\left[1 - \\left(\\frac{\\alpha+T}{\\alpha+T+t}
       \\right)^{r+x}\\right]
    """
    r, alpha, a, b = model._params()
    x = np.asarray(frequency, dtype=float)
    big_t = np.asarray(T, dtype=float)
    alive = _probability_alive_kernel((r, alpha, a, b), x, np.asarray(recency, float), big_t)
    none = np.exp((r + x) * (np.log(alpha + big_t) - np.log(alpha + big_t + t)))
    out = alive * (1 - none)
    if isinstance(frequency, pd.Series):
        return pd.Series(out, index=frequency.index, name="p_purchase")
    return out


@dataclass(frozen=True)
class BackTest:
    """Churn-risk tiers at a cut date checked against the hold-out window after it.

    Attributes
    ----------
    fitted : bool
        True when BG/NBD was fitted on the calibration log; False: the tiers are the day
        rules and ``message`` says why (e.g. not enough repeat buyers to fit).
    message : str
        Empty when fitted, else the reason the model was not fitted.
    params : dict
        BG/NBD ``r, alpha, a, b`` (empty when not fitted).
    calibration_end, observation_end : datetime.date
        Last day of the calibration log and of the hold-out window (both inclusive).
    holdout_weeks : float
        Length of the hold-out window in weeks.
    customers : pandas.DataFrame
        One row per customer of the calibration log (:data:`BACKTEST_CUSTOMER_COLUMNS`):
        ``tier`` at the cut, ``p_alive``, ``p_purchase`` (P(at least one purchase in the
        hold-out)), ``expected_purchases`` (in the hold-out), ``purchases_holdout`` (what
        happened), ``bought``. Model columns are NaN when not fitted.
    auc : float
        ROC AUC of 1 − ``p_purchase`` against "did not buy in the hold-out" (NaN when not
        fitted or when every customer bought, or none did).
    auc_p_alive : float
        The same for 1 − ``p_alive`` (the score the churn-risk tiers cut).
    calibration : pandas.DataFrame
        Predicted vs actual buyers and non-buyers by decile of ``p_purchase``
        (:data:`BACKTEST_CALIBRATION_COLUMNS`; empty when not fitted).
    labels : tuple of str
        The tiers, best first.
    """

    fitted: bool
    message: str
    params: dict[str, float]
    calibration_end: _dt.date
    observation_end: _dt.date
    holdout_weeks: float
    customers: pd.DataFrame
    auc: float
    auc_p_alive: float
    calibration: pd.DataFrame
    labels: tuple[str, ...] = field(default=CHURN_TIERS)

    def to_frame(self) -> pd.DataFrame:
        """Per tier (best first, then ``all``): customers, how many bought in the hold-out,
        the share that did not, the mean predicted P(purchase) and the hit rate.

        The hit rate is the share of a tier whose call came true: for the best tier the
        share that bought, for the worst the share that did not; the middle tier makes no
        call (NaN); ``all`` is the two outer tiers together (every figure over the same
        customers: those a call was made for), its hit rate the share of calls that came true.
        """
        c = self.customers
        rows = []
        hits = 0
        called = 0
        for i, label in enumerate(self.labels):
            part = c[c["tier"] == label]
            bought = int(part["bought"].sum())
            n = len(part)
            if i == 0:
                hit, ok = (bought / n if n else np.nan), bought
            elif i == len(self.labels) - 1:
                hit, ok = ((n - bought) / n if n else np.nan), n - bought
            else:
                hit, ok = np.nan, 0
            if i in (0, len(self.labels) - 1):
                hits, called = hits + ok, called + n
            rows.append(_tier_row(label, part, hit))
        outer = c[c["tier"].isin([self.labels[0], self.labels[-1]])]  # the calls made
        rows.append(_tier_row("all", outer, hits / called if called else np.nan))
        return pd.DataFrame(rows, columns=BACKTEST_TIER_COLUMNS)


def _tier_row(label: str, part: pd.DataFrame, hit: float) -> list[Any]:
    n = len(part)
    bought = int(part["bought"].sum())
    share = (n - bought) / n if n else np.nan
    predicted = float(part["p_purchase"].mean()) if n else np.nan
    return [label, n, bought, n - bought, share, predicted, hit]


def back_test(
    source: str | os.PathLike[str] | pd.DataFrame,
    *,
    customer: str,
    date: str,
    amount: str,
    calibration_end: str | _dt.date | pd.Timestamp,
    observation_end: str | _dt.date | pd.Timestamp,
    p_alive: tuple[float, float] = (0.7, 0.4),
    horizon_weeks: float = 26.0,
    min_expected_purchases: float = 1.0,
    rule_days: tuple[float, float] = (45.0, 90.0),
    labels: Sequence[str] = CHURN_TIERS,
    min_repeat_buyers: int = 10,
    deciles: int = 10,
    aliases: Mapping[Any, Any] | None = None,
    read: ReadOptions | None = None,
    rules_only: bool = False,
    customers: Collection[Any] | None = None,
) -> BackTest:
    """Back-test the churn-risk tiers: calibrate on the log up to a cut, predict the hold-out.

    Parameters
    ----------
    source : path or pandas.DataFrame
        The transaction log (CSV, Parquet or a frame; other layouts are read with ``read``).
    customer, date, amount : str
        Its columns.
    calibration_end : date-like
        The cut: last day of the calibration log (inclusive).
    observation_end : date-like
        Last day of the hold-out window (inclusive), after ``calibration_end``.
    p_alive, horizon_weeks, min_expected_purchases, rule_days, labels, min_repeat_buyers
        The churn-risk method's parameters (:class:`abclab.methods.customer_base.ChurnRisk`):
        thresholds on P(alive), the horizon of the expected purchases for "stable", the day
        rules used without a fit, the three tier labels best first, the fewest repeat buyers
        a fit needs.
    deciles : int
        Groups of the calibration table (by predicted P(purchase in the hold-out)).
    aliases : mapping, optional
        Duplicate id → kept id (merged customers).
    read : abclab.io.ReadOptions, optional
        Reader options of the log (separator, decimal comma, date format, ...).
    rules_only : bool
        Back-test the day rules without fitting BG/NBD: what a study whose model could not be
        fitted on the whole log classifies by (its report must test those tiers, not a model
        that only the shorter calibration log supports).
    customers : collection, optional
        Only these customer ids (as text, :func:`abclab._text.normalise_ids`) are tested: the
        customers of a study, so that the hit rates, AUC and calibration cover the customers
        the report classifies. The model is still fitted on every customer of the
        calibration log, as on the whole log (:meth:`abclab.methods.ChurnRisk.fit_log`): a
        master that lists only active customers leaves the lapsed ones in the log alone.

    Returns
    -------
    BackTest
        Tiers at the cut, what happened in the hold-out, per-tier hit rates
        (:meth:`BackTest.to_frame`), ROC AUC and the calibration table. When BG/NBD cannot be
        fitted (too few repeat buyers, or a fit that does not converge), ``fitted`` is False,
        ``message`` says why and the tiers are the day rules only — never a non-converged fit.

    Raises
    ------
    InputDataError
        If the log cannot be read or summarised, or ``observation_end`` is not after
        ``calibration_end``.

    Notes
    -----
    "Did not buy" means no purchase day in the hold-out window. The model's prediction of it
    is :math:`1 - P(Y(t) > 0)` (:func:`probability_of_purchase`, ``t`` the window length);
    its ROC AUC is ``sklearn.metrics.roc_auc_score``. The calibration table compares the sum of
    the predicted probabilities in each decile with the count that bought (Fader, Hardie &
    Lee 2005 §5 compare predicted and actual hold-out purchases the same way).

    References
    ----------
    .. [1] Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers"
       the easy way: an alternative to the Pareto/NBD model. Marketing Science 24(2), 275-284.
    """
    labels = tuple(str(x) for x in labels)
    if len(labels) != 3 or len(set(labels)) != 3:
        raise InputDataError(f"labels: expected three distinct tier labels, got {list(labels)}")
    if not (isinstance(deciles, int) and deciles >= 1):
        raise InputDataError(f"deciles: expected a positive integer, got {deciles!r}")
    prepared = prepare_source(source, customer=customer, dates=[date], numbers=[amount],
                              read=read)  # fmt: skip
    s = rfm_summary(prepared, customer=customer, date=date, amount=amount,
                    calibration_end=calibration_end, observation_end=observation_end,
                    period="W", aliases=aliases)  # fmt: skip
    cal_end = pd.Timestamp(calibration_end).date()
    obs_end = pd.Timestamp(observation_end).date()
    weeks = (obs_end - cal_end).days / PERIOD_DAYS["W"]
    fitted_on = s  # every customer of the calibration log (see ``customers``)
    if customers is not None:
        keep = {str(c) for c in customers}
        s = s[normalise_ids(pd.Series(s.index, dtype=object)).isin(keep).to_numpy()]
    x, t_x, big_t = s["frequency"], s["recency"], s["T"]
    bought = s["frequency_holdout"] > 0
    try:
        if rules_only:
            raise InputDataError("BG/NBD was not fitted on the whole log")
        model = BetaGeo(min_repeat_buyers=int(min_repeat_buyers)).fit(
            fitted_on["frequency"], fitted_on["recency"], fitted_on["T"]
        )
    except InputDataError as err:
        days = (big_t - t_x).to_numpy() * PERIOD_DAYS["W"]
        codes = rule_codes(days, rule_days)
        customers = _customers(s, codes, labels, bought, nan_model=True)
        return BackTest(fitted=False, message=f"{err}; tiers from the day rules {list(rule_days)} "
                        "only", params={}, calibration_end=cal_end, observation_end=obs_end,
                        holdout_weeks=weeks, customers=customers, auc=np.nan,
                        auc_p_alive=np.nan, calibration=_empty_calibration(),
                        labels=labels)  # fmt: skip
    alive = model.probability_alive(x, t_x, big_t)
    horizon = model.expected_purchases(float(horizon_weeks), x, t_x, big_t)
    codes = churn_codes(alive.to_numpy(), horizon.to_numpy(), thresholds=tuple(p_alive),
                        min_expected_purchases=min_expected_purchases)  # fmt: skip
    customers = _customers(s, codes, labels, bought, nan_model=False)
    customers["p_alive"] = alive.to_numpy()
    customers["p_purchase"] = probability_of_purchase(model, weeks, x, t_x, big_t).to_numpy()
    customers["expected_purchases"] = model.expected_purchases(weeks, x, t_x, big_t).to_numpy()
    did_not_buy = ~customers["bought"]
    return BackTest(fitted=True, message="", params=dict(model.params_), calibration_end=cal_end,
                    observation_end=obs_end, holdout_weeks=weeks, customers=customers,
                    auc=_auc(did_not_buy, 1 - customers["p_purchase"]),
                    auc_p_alive=_auc(did_not_buy, 1 - customers["p_alive"]),
                    calibration=_calibration(customers, deciles), labels=labels)  # fmt: skip


def _customers(
    s: pd.DataFrame, codes: np.ndarray, labels: tuple[str, ...], bought: pd.Series, *,
    nan_model: bool,
) -> pd.DataFrame:  # fmt: skip
    tier = pd.Categorical.from_codes(codes, categories=list(labels), ordered=True)
    nan = np.full(len(s), np.nan)
    return pd.DataFrame(
        {"tier": tier, "p_alive": nan, "p_purchase": nan, "expected_purchases": nan,
         "purchases_holdout": s["frequency_holdout"].to_numpy(),
         "bought": bought.to_numpy(dtype=bool)},
        index=s.index,
    )[BACKTEST_CUSTOMER_COLUMNS]  # fmt: skip


def _auc(did_not_buy: pd.Series, score: pd.Series) -> float:
    if did_not_buy.nunique() < 2:
        return np.nan
    return float(roc_auc_score(did_not_buy.to_numpy(), score.to_numpy()))


def _empty_calibration() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=float) for c in BACKTEST_CALIBRATION_COLUMNS})


def _calibration(customers: pd.DataFrame, deciles: int) -> pd.DataFrame:
    """Customers ranked by predicted P(purchase), cut into ``deciles`` groups of (nearly)
    equal size (ties stay in rank order, so groups never depend on the ``qcut`` edges)."""
    order = np.argsort(customers["p_purchase"].to_numpy(), kind="stable")
    groups = np.empty(len(order), dtype=np.int64)
    groups[order] = np.arange(len(order)) * deciles // max(len(order), 1)
    c = customers.assign(decile=groups + 1, buyer=customers["bought"].astype(float))
    g = c.groupby("decile")
    out = pd.DataFrame(
        {"customers": g.size(), "p_purchase_low": g["p_purchase"].min(),
         "p_purchase_high": g["p_purchase"].max(), "predicted_buyers": g["p_purchase"].sum(),
         "actual_buyers": g["buyer"].sum()},
    )  # fmt: skip
    out["predicted_non_buyers"] = out["customers"] - out["predicted_buyers"]
    out["actual_non_buyers"] = out["customers"] - out["actual_buyers"]
    out["predicted_purchases"] = g["expected_purchases"].sum()
    out["actual_purchases"] = g["purchases_holdout"].sum()
    return out.reset_index()[BACKTEST_CALIBRATION_COLUMNS]
