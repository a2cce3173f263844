"""The BG/NBD log-likelihood (Fader, Hardie & Lee 2005, eq. 6) over compressed customers.

The likelihood of a customer depends on ``(x, t_x, T)`` only, so customers with the same
triple enter once with a weight (their number), and within the triples the costly pieces
are evaluated once per distinct value and gathered: ``ln Γ``/``ψ`` terms per distinct
``x``, ``ln(α+t)`` and ``1/(α+t)`` per distinct time ``t`` (``t_x`` or ``T``), and the
``A3`` term of every customer through per-time weight sums. Only the mixture weight of the
repeat buyers' two terms costs per-row work (one ``exp`` and one ``log1p`` per distinct
triple and evaluation). Kernels only: the inputs are validated by :class:`~abclab.clv.BetaGeo`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

__all__ = ["Data", "group", "hessian_kernel", "log_likelihood_kernel"]


@dataclass(frozen=True)
class Data:
    """Customers grouped for the likelihood (built once per fit by :func:`group`).

    ``n``: total weight (customers); ``x_values``/``x_counts``: distinct ``x`` and their
    weights; ``times``: distinct ``t_x`` and ``T`` values; ``t_count``/``t_x_sum``: per
    time, the weight and weighted ``x`` of the customers with that ``T``; per distinct
    repeat-buyer triple: ``x`` (float), ``ix`` (index into ``x_values``), ``itx`` and ``iT``
    (indices into ``times``) and its weight ``w``.
    """

    n: float
    x_values: np.ndarray
    x_counts: np.ndarray
    times: np.ndarray
    t_count: np.ndarray
    t_x_sum: np.ndarray
    x: np.ndarray
    ix: np.ndarray
    itx: np.ndarray
    iT: np.ndarray
    w: np.ndarray


def group(
    x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray, weights: np.ndarray | None = None
) -> Data:
    """Compress customers to distinct values and distinct repeat-buyer triples.

    ``weights`` (default 1 each) count how many customers a row stands for; the grouped
    likelihood equals the sum of the rows' log-likelihoods times their weights.
    """
    w_all = np.ones(len(x)) if weights is None else np.asarray(weights, dtype=np.float64)
    # hash factorisation (pandas), not np.unique: a sort of ~10^6 values costs more than
    # the whole fit's arithmetic
    x_index, x_values = pd.factorize(x)
    x_counts = np.bincount(x_index, weights=w_all, minlength=len(x_values))
    repeat = x > 0
    t_index, times = pd.factorize(np.concatenate([big_t, t_x[repeat]]))
    i_big_t, i_t_x = t_index[: len(x)], t_index[len(x) :]
    t_count = np.bincount(i_big_t, weights=w_all, minlength=len(times))
    t_x_sum = np.bincount(i_big_t, weights=w_all * x, minlength=len(times))
    # distinct repeat-buyer triples: one integer key per (x, t_x, T)
    n_t = len(times)
    key = (x_index[repeat].astype(np.int64) * n_t + i_t_x) * n_t + i_big_t[repeat]
    inverse, triples = pd.factorize(key)
    w = np.bincount(inverse, weights=w_all[repeat], minlength=len(triples))
    ix, rest = np.divmod(triples, n_t * n_t)
    itx, i_t = np.divmod(rest, n_t)
    return Data(n=float(w_all.sum()), x_values=np.asarray(x_values, dtype=np.float64),
                x_counts=x_counts, times=np.asarray(times, dtype=np.float64), t_count=t_count,
                t_x_sum=t_x_sum, x=np.asarray(x_values, dtype=np.float64)[ix],
                ix=ix.astype(np.intp), itx=itx.astype(np.intp), iT=i_t.astype(np.intp),
                w=w)  # fmt: skip


def _dot(u: np.ndarray, v: np.ndarray) -> float:
    """Σ u·v without BLAS (``@`` on 1-D arrays goes through a threaded BLAS call that is
    orders of magnitude slower than the arithmetic on a busy machine)."""
    return float(np.multiply(u, v).sum())


def _mixture(theta: np.ndarray, d: Data) -> tuple[np.ndarray, ...]:
    """Per triple: z = A4 − A3, ln(1 + e^z), the share σ(z) of A4, and the pieces of ∇z."""
    r, alpha, a, b = np.exp(theta)
    log_t = np.log(alpha + d.times)
    diff = log_t[d.iT] - log_t[d.itx]  # ln(α+T) − ln(α+t_x) ≥ 0
    rx = r + d.x
    z = np.log(a) - np.log(b + np.maximum(d.x_values, 1) - 1)[d.ix] + rx * diff
    e = np.exp(-np.abs(z))
    softplus = np.maximum(z, 0.0) + np.log1p(e)
    share = np.where(z >= 0, 1.0, e) / (1.0 + e)
    return z, softplus, share, diff, rx, log_t


def log_likelihood_kernel(theta: np.ndarray, d: Data) -> tuple[float, np.ndarray]:
    """Mean negative log-likelihood and its gradient in log-parameters (no validation).

    ln L = A1 + A2 + A3 + δ_{x>0} ln(1 + e^{A4−A3}) with (FHL 2005, eq. 6)
    A1 = ln Γ(r+x) − ln Γ(r) + r ln α,  A2 = ln B(a, b+x) − ln B(a, b),
    A3 = −(r+x) ln(α+T),  A4 = ln a − ln(b+x−1) − (r+x) ln(α+t_x).
    """
    r, alpha, a, b = np.exp(theta)
    ux, c = d.x_values, d.x_counts
    gl, dg = special.gammaln, special.digamma
    # A1 + A2, per distinct x
    value = (_dot(c, gl(r + ux) + gl(b + ux) - gl(a + b + ux))
             + d.n * (r * np.log(alpha) - gl(r) + gl(a + b) - gl(b)))  # fmt: skip
    d_r = _dot(c, dg(r + ux)) + d.n * (np.log(alpha) - dg(r))
    d_alpha = d.n * r / alpha
    psi_abx = _dot(c, dg(a + b + ux))
    d_a = d.n * dg(a + b) - psi_abx
    d_b = d.n * (dg(a + b) - dg(b)) + _dot(c, dg(b + ux)) - psi_abx
    # A3 of every customer, per distinct T
    _, softplus, share, diff, rx, log_t = _mixture(theta, d)
    inv_t = 1.0 / (alpha + d.times)
    weight_t = r * d.t_count + d.t_x_sum  # Σ (r+x) per T
    value -= _dot(weight_t, log_t)
    d_r -= _dot(d.t_count, log_t)
    d_alpha -= _dot(weight_t, inv_t)
    # repeat buyers: ln(1 + e^{A4−A3}), ∂ = σ(A4−A3) ∂(A4−A3)
    ws = d.w * share
    value += _dot(d.w, softplus)
    d_r += _dot(ws, diff)
    d_alpha -= _dot(ws * rx, inv_t[d.itx] - inv_t[d.iT])
    d_a += ws.sum() / a
    d_b -= _dot(ws, (1.0 / (b + np.maximum(ux, 1) - 1))[d.ix])
    grad = np.array([d_r * r, d_alpha * alpha, d_a * a, d_b * b])
    return float(-value / d.n), -grad / d.n


def hessian_kernel(theta: np.ndarray, d: Data, grad: np.ndarray | None = None) -> np.ndarray:
    """Hessian of the mean negative log-likelihood in log-parameters (analytic).

    With g = A4 − A3 and σ = σ(g): ∇² ln(1+e^g) = σ ∇²g + σ(1−σ) ∇g ∇gᵀ; the log-parameter
    Hessian is diag(p) H diag(p) + diag(p ∂ℓ/∂p) (chain rule for θ = ln p). ``grad``: the
    gradient of :func:`log_likelihood_kernel` at ``theta`` if already known.
    """
    r, alpha, a, b = p = np.exp(theta)
    ux, c = d.x_values, d.x_counts
    tg = functools.partial(special.polygamma, 1)  # trigamma
    h = np.zeros((4, 4))
    # A1 + A2 (per distinct x): trigamma terms
    h[0, 0] = _dot(c, tg(r + ux)) - d.n * tg(r)
    h[0, 1] = h[1, 0] = d.n / alpha
    h[1, 1] = -d.n * r / alpha**2
    t_ab = d.n * tg(a + b) - _dot(c, tg(a + b + ux))
    h[2, 2] = h[2, 3] = h[3, 2] = t_ab
    h[3, 3] = t_ab + _dot(c, tg(b + ux)) - d.n * tg(b)
    # A3 of every customer, per distinct T
    _, _, share, diff, rx, log_t = _mixture(theta, d)
    inv_t = 1.0 / (alpha + d.times)
    weight_t = r * d.t_count + d.t_x_sum
    h[0, 1] -= _dot(d.t_count, inv_t)
    h[1, 1] += _dot(weight_t, inv_t**2)
    # repeat buyers: σ ∇²g + σ(1−σ) ∇g ∇gᵀ, ∇g = (diff, −(r+x) Δ(1/(α+t)), 1/a, −1/(b+x−1))
    inv_tx, inv_big_t = inv_t[d.itx], inv_t[d.iT]
    inv_b = (1.0 / (b + np.maximum(ux, 1) - 1))[d.ix]
    ws = d.w * share
    g = (diff, -rx * (inv_tx - inv_big_t), np.full_like(diff, 1.0 / a), -inv_b)
    h[0, 1] -= _dot(ws, inv_tx - inv_big_t)
    h[1, 1] += _dot(ws * rx, inv_tx**2 - inv_big_t**2)
    h[2, 2] -= ws.sum() / a**2
    h[3, 3] += _dot(ws, inv_b**2)
    h = np.triu(h) + np.triu(h, 1).T
    # Σ σ(1−σ) ∇g ∇gᵀ as one (4 × n)·(n × 4) product (the caller limits BLAS to one thread)
    stacked = np.stack(g)
    h += (stacked * (ws * (1.0 - share))) @ stacked.T
    # first derivatives for the chain rule (natural scale)
    grad_theta = log_likelihood_kernel(theta, d)[1] if grad is None else grad
    grad_p = -grad_theta * d.n / p
    return -(p[:, None] * h * p[None, :] + np.diag(p * grad_p)) / d.n
