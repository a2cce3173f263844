"""Benchmark: weighted scoring + Pareto ABC through the public API vs bare NumPy.

Run:  .venv/bin/python bench/scoring.py [--sizes 1000000 10000000] [--repeat 3]

For each size, n customers × 5 lognormal criteria (min–max, benefit) with fixed weights:
* public  = ``abclab.scoring.score(frame, weights)`` then ``abclab.classify.pareto(score)``
  (validation, indicator scores, contributions, tidy pandas results included);
* numpy   = the same arithmetic on bare arrays: min–max per column, weighted sum, one argsort,
  cumsum, class codes.
All run in the same process, best of ``--repeat``; ratios public/numpy are printed for the
brief's baseline (argsort) and a leaner one (``np.sort``, what abclab uses); target ≤ 1.3×.
The classes of the public path are checked equal to the NumPy ones. Peak traced memory of the public path is measured in a separate, untimed run with
``tracemalloc`` (NumPy reports its buffers to it), excluding the input frame.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np
import pandas as pd

from abclab import classify, scoring

WEIGHTS = {"c0": 0.35, "c1": 0.25, "c2": 0.2, "c3": 0.12, "c4": 0.08}


def make_frame(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({c: rng.lognormal(0.0, 1.0, n) for c in WEIGHTS})


def public_path(frame: pd.DataFrame) -> pd.Series:
    result = scoring.score(frame, WEIGHTS)
    return classify.pareto(result.score)


def _weighted_sum(columns: list[np.ndarray], w: np.ndarray) -> np.ndarray:
    total = np.zeros(columns[0].size)
    for x, wj in zip(columns, w, strict=True):
        lo, hi = x.min(), x.max()
        total += (x - lo) * (100.0 * wj / (hi - lo))
    return total


def _codes(total: np.ndarray, desc: np.ndarray) -> np.ndarray:
    before = np.cumsum(desc) - desc  # value of the items before each one
    k = np.searchsorted(before, np.array([0.8, 0.95]) * before[-1], side="left")
    k = np.minimum(k, desc.size)
    t_a, t_b = desc[k[0] - 1], desc[k[1] - 1]
    return (total < t_a).astype(np.int8) + (total < t_b)


def numpy_argsort(columns: list[np.ndarray], w: np.ndarray) -> np.ndarray:
    """Brief's baseline: weighted sum + argsort + cumsum."""
    total = _weighted_sum(columns, w)
    return _codes(total, total[np.argsort(-total)])


def numpy_sort(columns: list[np.ndarray], w: np.ndarray) -> np.ndarray:
    """Leaner baseline: a value sort (no index array) instead of argsort."""
    total = _weighted_sum(columns, w)
    return _codes(total, -np.sort(-total))


def best_of(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{'n':>11} {'public s':>9} {'argsort s':>9} {'ratio':>6} {'sort s':>7} {'ratio':>6} "
        f"{'peak MB':>8}"
    )
    for n in args.sizes:
        frame = make_frame(n)
        columns = [frame[c].to_numpy() for c in WEIGHTS]
        w = np.array(list(WEIGHTS.values()))
        t_pub = best_of(lambda frame=frame: public_path(frame), args.repeat)
        t_arg = best_of(lambda columns=columns, w=w: numpy_argsort(columns, w), args.repeat)
        t_srt = best_of(lambda columns=columns, w=w: numpy_sort(columns, w), args.repeat)
        codes = public_path(frame).cat.codes.to_numpy()
        if not np.array_equal(codes, numpy_sort(columns, w)):
            raise SystemExit("public and NumPy classes differ")
        tracemalloc.start()
        public_path(frame)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"{n:>11,} {t_pub:>9.3f} {t_arg:>9.3f} {t_pub / t_arg:>6.2f} {t_srt:>7.3f} "
            f"{t_pub / t_srt:>6.2f} {peak / 2**20:>8.0f}"
        )


if __name__ == "__main__":
    main()
