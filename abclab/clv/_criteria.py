"""CLV and P(alive) as criteria: per-customer columns a study can weight like any other."""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from abclab.clv._bgnbd import BetaGeo
from abclab.clv._gamma_gamma import GammaGamma
from abclab.clv._summary import rfm_summary
from abclab.clv._value import customer_lifetime_value
from abclab.exceptions import InputDataError
from abclab.features import from_transactions
from abclab.features._source import prepare_source
from abclab.io import ReadOptions

__all__ = ["CUSTOMER_BASE_CRITERIA", "customer_base_criteria"]

#: The criteria :func:`customer_base_criteria` derives from a transaction log.
CUSTOMER_BASE_CRITERIA = ("clv_12m", "p_alive")
#: Weeks in 12 months, and in one month (the discounting step of ``clv_12m``).
_WEEKS_12M = 365.25 / 7
_WEEKS_MONTH = _WEEKS_12M / 12


def customer_base_criteria(
    source: str | os.PathLike[str] | pd.DataFrame,
    *,
    customer: str,
    date: str,
    amount: str,
    profit: str | None = None,
    as_of: str | _dt.date | pd.Timestamp | None,
    columns: Sequence[str] = CUSTOMER_BASE_CRITERIA,
    monthly_discount_rate: float = 0.01,
    min_repeat_buyers: int = 10,
    aliases: Mapping[Any, Any] | None = None,
    read: ReadOptions | None = None,
) -> pd.DataFrame:
    """``clv_12m`` and ``p_alive`` of every customer of a transaction log.

    Parameters
    ----------
    source : path, pandas.DataFrame or abclab.features.PreparedLog
        The transaction log (one row per line; returns are negative lines and left out); a
        :class:`~abclab.features.PreparedLog` is scanned as it is (``read`` is then unused).
    customer, date, amount : str
        Its columns.
    profit : str, optional
        Profit column: ``clv_12m`` is then margin (expected revenue × the customer's own
        profit / amount on the log, at least 0), else revenue.
    as_of : date-like or None
        Evaluation date, exclusive (as :func:`abclab.features.from_transactions`): the models
        see the log up to the day before. None: up to the last purchase day.
    columns : sequence of str
        Which of ``clv_12m``, ``p_alive`` to derive (``p_alive`` needs BG/NBD only,
        ``clv_12m`` also Gamma-Gamma).
    monthly_discount_rate : float
        Discount rate per month of ``clv_12m``.
    min_repeat_buyers : int
        Fewest repeat buyers a model fit accepts.
    aliases : mapping, optional
        Duplicate id → kept id (merged customers).
    read : abclab.io.ReadOptions, optional
        Reader options of the log.

    Returns
    -------
    pandas.DataFrame
        Indexed by customer (named after ``customer``), the requested float columns:

        - ``p_alive``: BG/NBD probability that the customer is still active (1 for customers
          with a single purchase day, as in the model);
        - ``clv_12m``: expected discounted spend (or margin) of the next 12 months — BG/NBD
          expected purchases per month × Gamma-Gamma expected spend per purchase, discounted
          monthly (:func:`abclab.clv.customer_lifetime_value`).

        ``attrs["models"]`` holds the fitted parameters.

    Raises
    ------
    InputDataError
        If the log cannot be read, ``columns`` names something else, or a model cannot be
        fitted (not enough repeat buyers, no convergence); the message names the model.
    """
    wanted = tuple(dict.fromkeys(columns))
    unknown = [c for c in wanted if c not in CUSTOMER_BASE_CRITERIA]
    if unknown or not wanted:
        raise InputDataError(f"columns: expected some of {list(CUSTOMER_BASE_CRITERIA)}, got "
                             f"{list(columns)}")  # fmt: skip
    numbers = [amount] if profit is None else [amount, profit]
    prepared = prepare_source(source, customer=customer, dates=[date], numbers=numbers,
                              read=read)  # fmt: skip
    end = None if as_of is None else pd.Timestamp(as_of) - pd.Timedelta(days=1)
    s = rfm_summary(prepared, customer=customer, date=date, amount=amount,
                    calibration_end=end, period="W", aliases=aliases)  # fmt: skip
    rfm = (s["frequency"], s["recency"], s["T"])
    purchases = BetaGeo(min_repeat_buyers=min_repeat_buyers).fit(*rfm)
    out = pd.DataFrame(index=s.index)
    models: dict[str, dict[str, float]] = {"BG/NBD": dict(purchases.params_)}
    if "clv_12m" in wanted:
        spend = GammaGamma(min_repeat_buyers=min_repeat_buyers).fit(
            s["frequency"], s["monetary_value"]
        )
        models["Gamma-Gamma"] = dict(spend.params_)
        clv = customer_lifetime_value(purchases, spend, *rfm, s["monetary_value"],
                                      horizon=_WEEKS_12M, step=_WEEKS_MONTH,
                                      discount_rate=monthly_discount_rate)  # fmt: skip
        if profit is not None:
            clv = clv * _margins(prepared, customer, date, amount, profit, end, aliases, s.index)
        out["clv_12m"] = clv.astype(float)
    if "p_alive" in wanted:
        out["p_alive"] = purchases.probability_alive(*rfm).astype(float)
    out = out[[c for c in CUSTOMER_BASE_CRITERIA if c in wanted]]
    out.attrs["models"] = models
    return out


def _margins(
    source: Any, customer: str, date: str, amount: str, profit: str, end: pd.Timestamp | None,
    aliases: Mapping[Any, Any] | None, index: pd.Index,
) -> np.ndarray:  # fmt: skip
    """Each customer's profit / amount over its purchases up to ``end``, clipped to [0, 1]."""
    as_of = None if end is None else end + pd.Timedelta(days=1)
    try:
        feats = from_transactions(source, customer=customer, date=date, amount=amount,
                                  profit=profit, as_of=as_of, aliases=aliases)  # fmt: skip
    except InputDataError as err:
        raise InputDataError(f"clv_12m: the margins of the log cannot be derived: {err}") from err
    margin = feats["margin"].set_axis(feats.index.astype(str)).reindex(index.astype(str))
    return np.clip(margin.to_numpy(dtype=float, na_value=0.0), 0.0, 1.0)
