"""Maximum likelihood shared by the models: minimise on log-parameters, prove convergence.

A fit is accepted only when the optimiser reports success, the gradient of the mean
negative log-likelihood is small at the optimum and its Hessian (analytic when the model
gives one, else finite differences of the analytic gradient) is positive definite; anything else raises, so a non-converged fit is
never presented as a result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import optimize
from threadpoolctl import threadpool_limits

from abclab.exceptions import InputDataError, TooFewRepeatBuyers

__all__ = [
    "WARM_START_CUSTOMERS",
    "MLEFit",
    "check_repeat_buyers",
    "maximise_likelihood",
    "warm_start",
]

#: Largest gradient (max-norm, mean log-likelihood per customer, log-parameters) accepted.
GRADIENT_TOLERANCE = 1e-4
#: Step of the central differences of the gradient that give the Hessian.
HESSIAN_STEP = 1e-5
#: Bound on the log-parameters (e^±20): a parameter that reaches it has no finite optimum.
_LOG_BOUND = 20.0
#: Most trust-region Newton iterations from a nearby start before L-BFGS-B takes over.
_NEWTON_ITERATIONS = 20
#: Customers in the subsample whose optimum starts the fit of a large sample.
WARM_START_CUSTOMERS = 40_000

Objective = Callable[[np.ndarray], tuple[float, np.ndarray]]


@dataclass(frozen=True)
class MLEFit:
    """The maximum of a log-likelihood.

    Attributes
    ----------
    params : numpy.ndarray
        Parameters on their natural (positive) scale.
    log_likelihood : float
        Total log-likelihood at ``params``.
    standard_errors : numpy.ndarray
        Asymptotic standard errors of ``params`` (inverse observed information, delta method).
    iterations : int
        Optimiser iterations.
    curvature : numpy.ndarray
        Hessian of the mean negative log-likelihood in log-parameters at the optimum.
    """

    params: np.ndarray
    log_likelihood: float
    standard_errors: np.ndarray
    iterations: int
    curvature: np.ndarray


def check_repeat_buyers(frequency: np.ndarray, *, minimum: int, model: str) -> None:
    """Raise when fewer than ``minimum`` customers bought more than once."""
    repeat = int(np.count_nonzero(frequency > 0))
    if repeat < minimum:
        raise TooFewRepeatBuyers(model, repeat, len(frequency), minimum)


def maximise_likelihood(
    objective: Objective,
    start: np.ndarray,
    n: int,
    *,
    names: Sequence[str],
    model: str,
    hessian: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
    curvature: np.ndarray | None = None,
) -> MLEFit:
    """Minimise ``objective`` (mean negative log-likelihood and its gradient in log-parameters).

    ``hessian(theta, gradient)`` (same scale, ``gradient`` the objective's at ``theta``)
    gives the Hessian at the optimum analytically; without it, central differences of the
    gradient (2 gradient evaluations per parameter). ``curvature``: the Hessian at a
    ``start`` close to the optimum (the optimum of a subsample and its Hessian,
    :func:`warm_start`); the minimum is then found by trust-region steps with that fixed
    curvature — each costs one gradient evaluation and, as the subsample's curvature is
    close to the sample's, each gains two or three digits — falling back to L-BFGS-B
    (from where they stopped) if they do not converge within a few iterations.

    Raises
    ------
    InputDataError
        If the optimiser does not converge, the gradient at the optimum is not small, or the
        Hessian is not positive definite (parameters not identified by the data).
    """
    evaluated: dict[bytes, tuple[float, np.ndarray]] = {}

    def remembered(theta: np.ndarray) -> tuple[float, np.ndarray]:
        # the optimiser's last evaluation is at its result: not computed twice
        key = np.asarray(theta, dtype=np.float64).tobytes()
        if key not in evaluated:
            evaluated.clear()
            evaluated[key] = objective(theta)
        return evaluated[key]

    # a 4-parameter problem: BLAS threads inside the optimiser only add contention
    with np.errstate(all="ignore"), threadpool_limits(limits=1, user_api="blas"):
        result = None
        if curvature is not None:
            # from a nearby start, L-BFGS-B would rebuild a curvature estimate over ~20
            # evaluations; the known one takes 3-5
            result = optimize.minimize(remembered, start, jac=True, method="trust-exact",
                                       hess=lambda _: curvature,
                                       options={"maxiter": _NEWTON_ITERATIONS,
                                                "gtol": 1e-9})  # fmt: skip
            inside = bool(np.all(np.abs(result.x) < _LOG_BOUND))  # False for NaN too
            if not (result.success and inside):
                start, result = (result.x if inside else start), None
        if result is None:
            result = optimize.minimize(remembered, start, jac=True, method="L-BFGS-B",
                                       bounds=[(-_LOG_BOUND, _LOG_BOUND)] * len(start),
                                       options={"maxiter": 1000, "ftol": 1e-15,
                                                "gtol": 1e-9})  # fmt: skip
        value, grad = remembered(result.x)
        at_optimum = _hessian(objective, result.x) if hessian is None else hessian(result.x, grad)
    params = np.exp(result.x)
    shown = ", ".join(f"{k}={v:.4g}" for k, v in zip(names, params, strict=True))
    edge = np.abs(result.x) > _LOG_BOUND - 1
    if edge.any():
        runaway = ", ".join(f"{names[i]} → {'0' if result.x[i] < 0 else 'infinity'}"
                            for i in np.flatnonzero(edge))  # fmt: skip
        raise InputDataError(
            f"{model} fit did not converge: {runaway} (at {shown}); the data do not support "
            "the model (e.g. no customer seems to drop out, or too little variation)"
        )
    if not result.success or not np.isfinite(value):
        raise InputDataError(f"{model} fit did not converge ({result.message}); at {shown}")
    worst = float(np.max(np.abs(grad)))
    if not worst < GRADIENT_TOLERANCE:
        raise InputDataError(
            f"{model} fit did not converge: gradient {worst:.2g} at {shown} "
            f"(tolerance {GRADIENT_TOLERANCE:g}); a parameter may run off to 0 or infinity"
        )
    try:
        cholesky = np.linalg.cholesky(at_optimum)
    except np.linalg.LinAlgError:
        raise InputDataError(
            f"{model} fit is not identified: the Hessian at {shown} is not positive "
            "definite (the data do not pin the parameters down)"
        ) from None
    inverse = np.linalg.inv(cholesky)
    covariance_log = inverse.T @ inverse / n
    errors = params * np.sqrt(np.diag(covariance_log))
    return MLEFit(params=params, log_likelihood=-value * n, standard_errors=errors,
                  iterations=int(result.nit), curvature=at_optimum)  # fmt: skip


def _hessian(objective: Objective, x: np.ndarray) -> np.ndarray:
    """Central differences of the analytic gradient, symmetrised."""
    k = len(x)
    out = np.empty((k, k))
    for i in range(k):
        step = np.zeros(k)
        step[i] = HESSIAN_STEP
        out[i] = (objective(x + step)[1] - objective(x - step)[1]) / (2 * HESSIAN_STEP)
    return (out + out.T) / 2


def warm_start(
    fit: Callable[[np.ndarray], MLEFit], n: int, start: np.ndarray
) -> tuple[np.ndarray, np.ndarray | None]:
    """A start near the optimum of ``n`` customers: the optimum of every k-th of them.

    ``fit(rows)`` fits the customers at positions ``rows``. Returns the start and the
    subsample's Hessian there (the ``curvature`` of :func:`maximise_likelihood`); with at
    most twice :data:`WARM_START_CUSTOMERS` customers, or when the subsample cannot be
    fitted, the generic ``start`` and None. The subsample only decides where the optimiser
    starts and how it steps; the optimum and its checks are those of all customers, so the
    result does not depend on it (up to the optimiser's tolerance).
    """
    if n <= 2 * WARM_START_CUSTOMERS:
        return start, None
    try:
        found = fit(np.arange(0, n, n // WARM_START_CUSTOMERS))
    except InputDataError:
        return start, None
    return np.log(found.params), found.curvature
