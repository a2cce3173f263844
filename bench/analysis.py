"""Benchmark: cluster tiers and weight sensitivity.

1. ``abclab.clustering.cluster_tiers`` (k-means, k given) on 1 000 000 customers x 5 criteria,
   against a bare ``sklearn.cluster.KMeans`` fit on the same standardised array with the same
   seed (the ratio is abclab's overhead: validation, standardisation, centroid ordering,
   silhouette on a 10 000-row subsample, the Categorical Series).
2. ``abclab.sensitivity.weight_monte_carlo``: 1 000 Dirichlet draws x 100 000 customers x 5
   criteria for each tier rule (bands / shares / pareto), against the bare matrix product
   ``W @ X.T`` computed in the same blocks (the floor of any implementation).

Run: ``.venv/bin/python bench/analysis.py [--customers 1000000] [--draws 1000]``.
Timings are best of ``--repeat`` runs (default 2), wall clock.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans

from abclab.clustering import cluster_tiers
from abclab.sensitivity import weight_monte_carlo


def _best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def bench_kmeans(n: int, m: int, k: int, repeat: int) -> None:
    rng = np.random.default_rng(0)
    centres = rng.uniform(0, 100, size=(k, m))
    X = centres[rng.integers(0, k, n)] + rng.normal(0, 8, size=(n, m))
    frame = pd.DataFrame(X, columns=[f"c{i}" for i in range(m)])
    Z = (X - X.mean(0)) / X.std(0)
    bare = _best(lambda: KMeans(n_clusters=k, random_state=0, n_init="auto").fit(Z), repeat)
    ours = _best(lambda: cluster_tiers(frame, k=k, seed=0), repeat)
    print(
        f"k-means tiers   {n:>9,} x {m}, k={k}: abclab {ours:6.2f} s | bare KMeans {bare:6.2f} s | ratio {ours / bare:4.2f}"
    )


def bench_sensitivity(n: int, m: int, draws: int, repeat: int) -> None:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(rng.uniform(0, 100, size=(n, m)), columns=[f"c{i}" for i in range(m)])
    w = pd.Series(np.arange(m, 0, -1, dtype=float), index=frame.columns)
    w /= w.sum()
    W = rng.dirichlet(100 * w.to_numpy(), size=draws)
    XT = np.ascontiguousarray(frame.to_numpy().T)
    step = max(1, 8_000_000 // n)

    def bare() -> None:
        for lo in range(0, draws, step):
            W[lo : lo + step] @ XT

    t_bare = _best(bare, repeat)
    print(f"sensitivity     {draws:,} draws x {n:,} customers x {m}: bare W @ X.T {t_bare:5.2f} s")
    for rule in ("bands", "shares", "pareto"):
        t = _best(
            lambda rule=rule: weight_monte_carlo(
                frame, w, draws=draws, rule=rule, cuts=(70, 55, 40)
            ),
            repeat,
        )
        print(f"  rule={rule:<7} abclab {t:5.2f} s  (ratio to bare product {t / t_bare:4.1f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--customers", type=int, default=1_000_000, help="rows for the k-means benchmark"
    )
    parser.add_argument(
        "--sens-customers", type=int, default=100_000, help="customers for sensitivity"
    )
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    bench_kmeans(args.customers, 5, 4, args.repeat)
    bench_sensitivity(args.sens_customers, 5, args.draws, args.repeat)


if __name__ == "__main__":
    main()
