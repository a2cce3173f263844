"""The Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee 2005; Fader & Hardie 2013).

A customer's transaction values are Gamma(p, ν) around their mean p/ν, and ν ~ Gamma(q, γ)
across customers. Fitted on the repeat buyers only: ``x`` repeat transactions with mean
value ``m_x`` (:func:`abclab.clv.rfm_summary`'s ``frequency`` and ``monetary_value``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import special
from sklearn.base import BaseEstimator

from abclab.clv._fit import check_repeat_buyers, maximise_likelihood
from abclab.clv._inputs import as_input, like_input
from abclab.exceptions import InputDataError

__all__ = ["GammaGamma"]

_NAMES = ("p", "q", "gamma")


def _log_likelihood_kernel(
    theta: np.ndarray, x: np.ndarray, m: np.ndarray
) -> tuple[float, np.ndarray]:
    """Mean negative log-likelihood and gradient in log-parameters (no validation).

    ln L = ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln γ + (px−1) ln m + px ln x − (px+q) ln(γ+mx)
    (Fader & Hardie 2013, eq. 4; the density of the mean of x values).
    """
    p, q, gamma = np.exp(theta)
    px = p * x
    log_gmx = np.log(gamma + m * x)
    log_m = np.log(m)
    log_x = np.log(x)
    psi = special.digamma(px + q)
    value = (special.gammaln(px + q) - special.gammaln(px) - special.gammaln(q) + q * np.log(gamma)
             + (px - 1) * log_m + px * log_x - (px + q) * log_gmx).sum()  # fmt: skip
    d_p = (x * (psi - special.digamma(px) + log_m + log_x - log_gmx)).sum()
    d_q = (psi - special.digamma(q) + np.log(gamma) - log_gmx).sum()
    d_gamma = (q / gamma - (px + q) / (gamma + m * x)).sum()
    n = len(x)
    return float(-value / n), -np.array([d_p * p, d_q * q, d_gamma * gamma]) / n


def _expected_spend_kernel(params: tuple[float, ...], x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """E[M | x, m_x] = p(γ + x m_x) / (px + q − 1); the population mean pγ/(q−1) at x = 0."""
    p, q, gamma = params
    return p * (gamma + x * m) / (p * x + q - 1)


def _spend_inputs(frequency: Any, monetary_value: Any) -> tuple[np.ndarray, np.ndarray]:
    x = as_input(frequency, "frequency")
    m = as_input(monetary_value, "monetary_value")
    if len(x) != len(m):
        raise InputDataError(
            f"frequency and monetary_value must have one value per customer each; got "
            f"lengths {len(x)}, {len(m)}"
        )
    bad = (x < 0) | (x != np.round(x))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputDataError(f"frequency: expected whole numbers ≥ 0, got {x[i]:g} at position {i}")
    bad = (x > 0) & ~(m > 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputDataError(
            f"monetary_value: expected > 0 for customers with repeat purchases, got {m[i]:g} "
            f"at position {i} (frequency {x[i]:g})"
        )
    return x, m


class GammaGamma(BaseEstimator):
    """Gamma-Gamma spend model fitted by maximum likelihood on the repeat buyers.

    Parameters
    ----------
    min_repeat_buyers : int
        Fewest customers with a repeat purchase :meth:`fit` accepts.

    Attributes
    ----------
    params_ : dict
        ``p`` (shape of the transaction values), ``q`` and ``gamma`` (shape and scale of the
        heterogeneity of their rate ν).
    standard_errors_ : dict
    log_likelihood_ : float
    n_customers_ : int
        Repeat buyers the model was fitted on.

    Notes
    -----
    The expected spend per transaction of a customer with :math:`x` repeat transactions of
    mean :math:`m_x` is the weighted mean of the population mean and the customer's own:

    .. math:: E[M \\mid x, m_x] = \\frac{q-1}{px+q-1}\\frac{p\\gamma}{q-1}
       + \\frac{px}{px+q-1} m_x .

    It assumes spend is independent of the purchase process; requires q > 1.

    References
    ----------
    .. [1] Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). RFM and CLV: using iso-value
       curves for customer base analysis. Journal of Marketing Research 42(4), 415-430.
    .. [2] Fader, P. S. & Hardie, B. G. S. (2013). The Gamma-Gamma model of monetary value.
       http://brucehardie.com/notes/025/

    Examples
    --------
    >>> model = GammaGamma()
    >>> model.params_ = {"p": 6.25, "q": 3.74, "gamma": 15.44}
    >>> round(float(model.expected_spend(2, 22.35)[0]), 2)
    24.66
    """

    def __init__(self, *, min_repeat_buyers: int = 10) -> None:
        self.min_repeat_buyers = min_repeat_buyers

    def fit(self, frequency: Any, monetary_value: Any) -> GammaGamma:
        """Fit p, q, γ to the customers with ``frequency > 0``.

        Raises
        ------
        InputDataError
            On invalid inputs, too few repeat buyers or a fit that does not converge.
        """
        x, m = _spend_inputs(frequency, monetary_value)
        check_repeat_buyers(x, minimum=int(self.min_repeat_buyers), model="Gamma-Gamma")
        repeat = x > 0
        x, m = x[repeat], m[repeat]
        start = np.log([1.0, 1.0, float(np.mean(m))])
        fit = maximise_likelihood(lambda th: _log_likelihood_kernel(th, x, m), start, len(x),
                                  names=_NAMES, model="Gamma-Gamma")  # fmt: skip
        self.params_ = dict(zip(_NAMES, map(float, fit.params), strict=True))
        self.standard_errors_ = dict(zip(_NAMES, map(float, fit.standard_errors), strict=True))
        self.log_likelihood_ = fit.log_likelihood
        self.n_customers_ = len(x)
        return self

    def _params(self) -> tuple[float, ...]:
        if not hasattr(self, "params_"):
            raise InputDataError("this GammaGamma model is not fitted yet; call fit() first")
        params = tuple(float(self.params_[k]) for k in _NAMES)
        if not params[1] > 1:
            raise InputDataError(
                f"GammaGamma: q = {params[1]:.4g} ≤ 1, the mean spend is infinite; the model "
                "does not describe these spends"
            )
        return params

    def expected_spend(self, frequency: Any, monetary_value: Any) -> Any:
        """Expected spend per transaction of each customer (see Notes)."""
        x, m = _spend_inputs(frequency, monetary_value)
        e = _expected_spend_kernel(self._params(), x, m)
        return like_input(e, (frequency, monetary_value), "expected_spend")
