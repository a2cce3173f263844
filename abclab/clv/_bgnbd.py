"""The BG/NBD model of Fader, Hardie & Lee (2005): fit, P(alive), expected purchases.

While alive a customer buys as a Poisson process with rate λ ~ Gamma(r, α); after each
purchase they become inactive with probability p ~ Beta(a, b). A customer is summarised by
``x`` repeat purchases, the time ``t_x`` of the last one and the time ``T`` observed since
the first (:func:`abclab.clv.rfm_summary`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import special
from sklearn.base import BaseEstimator

from abclab.clv._bgnbd_likelihood import group, hessian_kernel, log_likelihood_kernel
from abclab.clv._fit import check_repeat_buyers, maximise_likelihood, warm_start
from abclab.clv._inputs import as_input, check_rfm, like_input
from abclab.exceptions import InputDataError

__all__ = ["BetaGeo"]

_NAMES = ("r", "alpha", "a", "b")


def _probability_alive_kernel(
    params: tuple[float, ...], x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray
) -> np.ndarray:
    """P(alive | x, t_x, T) = 1 / (1 + δ_{x>0} a/(b+x−1) ((α+T)/(α+t_x))^{r+x})."""
    r, alpha, a, b = params
    repeat = x > 0
    log_ratio = (
        np.log(a)
        - np.log(np.where(repeat, b + x - 1, 1.0))
        + (r + x) * (np.log(alpha + big_t) - np.log(alpha + t_x))
    )
    return np.where(repeat, special.expit(-log_ratio), 1.0)


def _expected_purchases_kernel(
    params: tuple[float, ...], t: float, x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray
) -> np.ndarray:
    """E[Y(t) | x, t_x, T] (FHL 2005, eq. 10).

    ((a+b+x−1)/(a−1)) [1 − ((α+T)/(α+T+t))^{r+x} ₂F₁(r+x, b+x; a+b+x−1; t/(α+T+t))] · P(alive).
    """
    r, alpha, a, b = params
    rx = r + x
    z = t / (alpha + big_t + t)
    hyp = special.hyp2f1(rx, b + x, a + b + x - 1, z)
    bracket = 1 - np.exp(rx * (np.log(alpha + big_t) - np.log(alpha + big_t + t))) * hyp
    return (a + b + x - 1) / (a - 1) * bracket * _probability_alive_kernel(params, x, t_x, big_t)


class BetaGeo(BaseEstimator):
    """BG/NBD model (Fader, Hardie & Lee 2005) fitted by maximum likelihood.

    Parameters
    ----------
    min_repeat_buyers : int
        Fewest customers with a repeat purchase that :meth:`fit` accepts; with fewer the
        dropout process is not identified and :meth:`fit` raises instead of fitting.

    Attributes
    ----------
    params_ : dict
        ``r`` and ``alpha`` (gamma heterogeneity of the purchase rate), ``a`` and ``b``
        (beta heterogeneity of the dropout probability).
    standard_errors_ : dict
        Asymptotic standard errors of ``params_`` (inverse observed information).
    log_likelihood_ : float
        Log-likelihood at ``params_``.
    n_customers_ : int

    Notes
    -----
    The log-likelihood of customer :math:`i` (FHL 2005, eq. 6) is

    .. math:: L = \\frac{B(a, b+x)}{B(a, b)} \\frac{\\Gamma(r+x)\\,\\alpha^r}{\\Gamma(r)(\\alpha+T)^{r+x}}
       + \\delta_{x>0} \\frac{B(a+1, b+x-1)}{B(a, b)}
       \\frac{\\Gamma(r+x)\\,\\alpha^r}{\\Gamma(r)(\\alpha+t_x)^{r+x}} .

    The mean negative log-likelihood is minimised over the log-parameters with L-BFGS-B and
    its analytic gradient, vectorised over customers; the fit is accepted only if the
    optimiser succeeds, the gradient is below tolerance and the Hessian is positive
    definite (:mod:`abclab.clv._fit`).

    References
    ----------
    .. [1] Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers"
       the easy way: an alternative to the Pareto/NBD model. Marketing Science 24(2), 275-284.
    .. [2] Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2008). Computing P(alive) using the
       BG/NBD model. http://brucehardie.com/notes/021/

    Examples
    --------
    >>> model = BetaGeo()
    >>> model.params_ = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    >>> round(float(model.expected_purchases(39, 2, 30.43, 38.86)[0]), 3)
    1.226
    """

    def __init__(self, *, min_repeat_buyers: int = 10) -> None:
        self.min_repeat_buyers = min_repeat_buyers

    def fit(self, frequency: Any, recency: Any, T: Any) -> BetaGeo:
        """Fit r, α, a, b to per-customer (frequency, recency, T).

        Raises
        ------
        InputDataError
            On invalid inputs, too few repeat buyers or a fit that does not converge.
        """
        x, t_x, big_t = check_rfm(frequency, recency, T)
        check_repeat_buyers(x, minimum=int(self.min_repeat_buyers), model="BG/NBD")
        scale = max(float(np.mean(big_t)), 1e-9)

        def fit_rows(rows: Any, start: np.ndarray, curvature: np.ndarray | None) -> Any:
            data = group(x[rows], t_x[rows], big_t[rows])
            return maximise_likelihood(lambda th: log_likelihood_kernel(th, data), start,
                                       int(data.n), names=_NAMES, model="BG/NBD",
                                       hessian=lambda th, g: hessian_kernel(th, data, g),
                                       curvature=curvature)  # fmt: skip

        generic = np.log([1.0, scale, 1.0, 1.0])
        start, curvature = warm_start(lambda rows: fit_rows(rows, generic, None), len(x), generic)
        fit = fit_rows(slice(None), start, curvature)
        self.params_ = dict(zip(_NAMES, map(float, fit.params), strict=True))
        self.standard_errors_ = dict(zip(_NAMES, map(float, fit.standard_errors), strict=True))
        self.log_likelihood_ = fit.log_likelihood
        self.n_customers_ = len(x)
        return self

    def _params(self) -> tuple[float, ...]:
        if not hasattr(self, "params_"):
            raise InputDataError("this BetaGeo model is not fitted yet; call fit() first")
        return tuple(float(self.params_[k]) for k in _NAMES)

    def probability_alive(self, frequency: Any, recency: Any, T: Any) -> Any:
        """P(alive) of each customer (FHL 2008): 1 for customers without repeat purchases.

        Returns a Series on the input's index when the inputs are Series, else an array.
        """
        x, t_x, big_t = check_rfm(frequency, recency, T)
        p = _probability_alive_kernel(self._params(), x, t_x, big_t)
        return like_input(p, (frequency, recency, T), "p_alive")

    def expected_purchases(self, t: float, frequency: Any, recency: Any, T: Any) -> Any:
        """Expected purchases of each customer in the next ``t`` periods (FHL 2005, eq. 10)."""
        t = float(as_input(t, "t")[0])
        if t < 0:
            raise InputDataError(f"t: expected a horizon ≥ 0, got {t:g}")
        x, t_x, big_t = check_rfm(frequency, recency, T)
        e = _expected_purchases_kernel(self._params(), t, x, t_x, big_t)
        return like_input(e, (frequency, recency, T), "expected_purchases")

    def expected_purchases_new(self, t: Any) -> np.ndarray:
        """E[X(t)] of a new customer (FHL 2005, eq. 9), for each horizon in ``t``.

        (a+b−1)/(a−1) [1 − (α/(α+t))^r ₂F₁(r, b; a+b−1; t/(α+t))].
        """
        r, alpha, a, b = self._params()
        t = as_input(t, "t")
        hyp = special.hyp2f1(r, b, a + b - 1, t / (alpha + t))
        return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp)
