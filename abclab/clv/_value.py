"""Customer lifetime value: the discounted expected margin over a horizon."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from abclab.clv._bgnbd import BetaGeo, _expected_purchases_kernel
from abclab.clv._gamma_gamma import GammaGamma
from abclab.clv._inputs import as_input, check_rfm, like_input, positive_number
from abclab.exceptions import InputDataError

__all__ = ["customer_lifetime_value"]


def customer_lifetime_value(
    purchases: BetaGeo,
    spend: GammaGamma | None,
    frequency: Any,
    recency: Any,
    T: Any,
    monetary_value: Any,
    *,
    horizon: float,
    step: float = 1.0,
    discount_rate: float = 0.0,
    margin: float = 1.0,
) -> Any:
    """Discounted expected margin of each customer over the next ``horizon`` periods.

    Parameters
    ----------
    purchases : BetaGeo
        Fitted purchase model (its time unit is the unit of ``horizon`` and ``step``).
    spend : GammaGamma or None
        Fitted spend model; None takes ``monetary_value`` as the expected spend per purchase.
    frequency, recency, T, monetary_value : array-like or Series
        Per-customer summary (:func:`abclab.clv.rfm_summary`).
    horizon : float
        Length of the forecast, in periods (e.g. 52 weeks).
    step : float
        Length of one discounting interval, in periods (e.g. 4.345 weeks = one month).
    discount_rate : float
        Discount rate per ``step`` (e.g. 0.01 a month), ≥ 0.
    margin : float
        Share of spend that is margin, in (0, 1]; 1 gives discounted revenue.

    Returns
    -------
    Series or numpy.ndarray
        ``clv`` per customer (a Series on the inputs' index when they are Series).

    Notes
    -----
    With :math:`t_k = \\min(k s, H)`, :math:`k = 1..\\lceil H/s \\rceil`,

    .. math:: \\mathrm{CLV} = m \\, E[M] \\sum_k
       \\frac{E[Y(t_k) \\mid x, t_x, T] - E[Y(t_{k-1}) \\mid x, t_x, T]}{(1+d)^k}

    (expected purchases per interval from the BG/NBD model, eq. 10 of Fader, Hardie & Lee
    2005, times the Gamma-Gamma expected spend, discounted at the end of each interval),
    the discrete form used by lifetimes' ``customer_lifetime_value``.

    References
    ----------
    .. [1] Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). RFM and CLV: using iso-value
       curves for customer base analysis. Journal of Marketing Research 42(4), 415-430.
    """
    horizon = positive_number(horizon, "horizon")
    step = positive_number(step, "step")
    if not (isinstance(discount_rate, int | float) and math.isfinite(discount_rate)
            and discount_rate >= 0):  # fmt: skip
        raise InputDataError(f"discount_rate: expected a number ≥ 0, got {discount_rate!r}")
    margin = positive_number(margin, "margin")
    if margin > 1:
        raise InputDataError(f"margin: expected a share in (0, 1], got {margin!r}")
    x, t_x, big_t = check_rfm(frequency, recency, T)
    value = as_input(monetary_value, "monetary_value")
    per_purchase = value if spend is None else spend.expected_spend(x, value)
    params = purchases._params()
    total = np.zeros(len(x))
    before = np.zeros(len(x))
    for k in range(1, math.ceil(horizon / step - 1e-12) + 1):
        after = _expected_purchases_kernel(params, min(k * step, horizon), x, t_x, big_t)
        total += (after - before) / (1 + discount_rate) ** k
        before = after
    clv = margin * np.asarray(per_purchase) * total
    return like_input(clv, (frequency, recency, T, monetary_value), "clv")
