"""Vectorised synthetic customers and transaction logs for benchmarks and property tests.

Nothing here pretends to be real data; the distributions are chosen to have the shape that
matters for performance and for ABC analysis: heavily skewed customer activity and spend.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

__all__ = ["iter_synthetic_transactions", "synthetic_customers", "synthetic_transactions"]

#: First day of synthetic logs; logs span three years (1096 days, 2022-01-01 … 2024-12-31).
START = np.datetime64("2022-01-01", "D")
SPAN_DAYS = 1096
CATEGORIES = ("machines", "robots", "hydraulics", "controls", "parts", "service")
_CATEGORY_P = np.array([0.26, 0.14, 0.18, 0.17, 0.15, 0.10])


def synthetic_customers(n: int, *, seed: int = 0) -> pd.DataFrame:
    """Draw ``n`` customers with the source-003 criteria, skewed like real customer bases.

    Parameters
    ----------
    n : int
        Number of customers (rows).
    seed : int, default 0
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    pandas.DataFrame
        Index ``customer_id`` (0 … n−1); columns ``annual_spend`` (lognormal, μ = 12,
        σ = 1.5, in 元), ``margin`` (normal around 5 % + 11 % × spend percentile, clipped to
        [−0.05, 0.4]), ``tenure_years`` (gamma, mean 6), ``cross_purchase_rate`` (multiples
        of 1/6), ``on_time_payment_rate`` (beta, mean ≈ 0.86), ``industry_growth``
        (uniform −5 % … 25 %).
    """
    if n < 1:
        raise ValueError(f"n={n} should be >= 1")
    rng = np.random.default_rng(seed)
    spend = rng.lognormal(12.0, 1.5, n)
    pct = (np.argsort(np.argsort(spend, kind="stable"), kind="stable") + 0.5) / n
    frame = pd.DataFrame(
        {
            "annual_spend": np.round(spend, 2),
            "margin": np.clip(rng.normal(0.05 + 0.11 * pct, 0.03), -0.05, 0.4),
            "tenure_years": np.round(rng.gamma(2.0, 3.0, n), 2),
            "cross_purchase_rate": (1 + rng.binomial(5, 0.15 + 0.5 * pct)) / 6,
            "on_time_payment_rate": rng.beta(6.0, 1.0, n),
            "industry_growth": np.round(rng.uniform(-0.05, 0.25, n), 4),
        },
        index=pd.RangeIndex(n, name="customer_id"),
    )
    return frame


def iter_synthetic_transactions(
    n_rows: int,
    *,
    n_customers: int | None = None,
    seed: int = 0,
    chunk_rows: int = 5_000_000,
    payments: bool = False,
) -> Iterator[pd.DataFrame]:
    """Yield a synthetic transaction log in chunks of at most ``chunk_rows`` rows.

    Customer weights (lognormal, σ = 1.5: a few customers generate most lines) are drawn
    once, then every chunk draws customers, uniform dates over three years, lognormal amounts
    (median 150, σ = 1) of which 2 % are returns, profit at a per-line margin and a category.
    The draws depend on ``chunk_rows``; keep it fixed to reproduce a log
    (``synthetic_transactions`` is the single-chunk case).
    """
    if n_rows < 1:
        raise ValueError(f"n_rows={n_rows} should be >= 1")
    n_customers = max(1, n_rows // 25) if n_customers is None else n_customers
    if n_customers < 1:
        raise ValueError(f"n_customers={n_customers} should be >= 1")
    rng = np.random.default_rng(seed)
    weights = rng.lognormal(0.0, 1.5, n_customers)
    cdf = np.cumsum(weights)
    cdf /= cdf[-1]
    done = 0
    while done < n_rows:
        k = min(chunk_rows, n_rows - done)
        customer = np.minimum(np.searchsorted(cdf, rng.random(k)), n_customers - 1)
        days = rng.integers(0, SPAN_DAYS, k)
        amount = np.round(rng.lognormal(5.0, 1.0, k), 2)
        amount[rng.random(k) < 0.02] *= -1.0
        chunk = {
            "customer_id": customer.astype(np.int64),
            "date": START + days.astype("timedelta64[D]"),
            "amount": amount,
            "profit": np.round(amount * rng.normal(0.15, 0.05, k), 2),
            "category": pd.Categorical.from_codes(
                rng.choice(len(CATEGORIES), k, p=_CATEGORY_P), categories=list(CATEGORIES)
            ),
        }
        if payments:
            due = chunk["date"] + np.timedelta64(30, "D")
            delay = np.where(rng.random(k) < 0.15, rng.integers(1, 60, k), -rng.integers(0, 10, k))
            chunk["due_date"] = due
            chunk["paid_date"] = due + delay.astype("timedelta64[D]")
        frame = pd.DataFrame(chunk)
        for column in ("date", "due_date", "paid_date"):
            if column in frame:
                frame[column] = frame[column].astype("datetime64[s]")
        yield frame
        done += k


def synthetic_transactions(
    n_rows: int, *, n_customers: int | None = None, seed: int = 0, payments: bool = False
) -> pd.DataFrame:
    """Return a synthetic transaction log of ``n_rows`` lines (numpy-vectorised).

    Parameters
    ----------
    n_rows : int
        Number of lines.
    n_customers : int, optional
        Number of distinct customer ids drawn from (default ``n_rows // 25``); customers with
        a tiny weight may not appear.
    seed : int, default 0
        Seed of ``numpy.random.default_rng``.
    payments : bool, default False
        Add ``due_date`` (date + 30 days) and ``paid_date`` (15 % late by 1–59 days).

    Returns
    -------
    pandas.DataFrame
        Columns ``customer_id`` (int64), ``date`` (datetime64, 2022-01-01 … 2024-12-31),
        ``amount`` (negative for the 2 % returns), ``profit``, ``category`` (categorical).

    Examples
    --------
    >>> log = synthetic_transactions(1000, n_customers=50, seed=1)
    >>> log.shape, bool(log["customer_id"].between(0, 49).all())
    ((1000, 5), True)
    """
    n_customers = max(1, n_rows // 25) if n_customers is None else n_customers
    chunks = iter_synthetic_transactions(
        n_rows, n_customers=n_customers, seed=seed, chunk_rows=n_rows, payments=payments
    )
    return next(chunks)
