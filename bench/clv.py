"""Benchmark: abclab.clv (rfm_summary + BG/NBD fit + P(alive)) vs lifetimes on the same log.

Usage (from the repository root)::

    .venv/bin/python bench/clv.py --rows 1e6 1e7

For each size a synthetic log with a real churn process is written once to
``bench/out/clv_<rows>.parquet``: customers are drawn from a BG/NBD population (purchase
rate λ ~ Gamma(r = 0.8, α = 20 days), dropout after each purchase with p ~ Beta(0.8, 6)),
join uniformly over the first year and buy at exponential gaps until they drop out or the
three-year window ends; amounts are lognormal; seed 0. (The generic
``abclab.datasets.iter_synthetic_transactions`` log has no dropout, so a BG/NBD fit on it has
no finite optimum — abclab then raises, as it should.) Then, in the same process:

- ``abclab``: ``clv.rfm_summary`` from the Parquet path (calibration to the last day,
  weeks), ``clv.BetaGeo().fit`` and ``probability_alive``;
- ``lifetimes``: ``summary_data_from_transaction_data(frame, ..., freq="D",
  freq_multiplier=7)`` (the same summary convention), ``BetaGeoFitter().fit`` and
  ``conditional_probability_alive``, on the three columns read from the same file into pandas
  *before* its clock starts.

abclab runs once to warm up, then ``--repeat`` times (best and median printed); lifetimes
``--lifetimes-repeat`` times (default 1, it is slow), up to ``--lifetimes-max`` rows. The
fitted parameters and the largest P(alive) difference are printed as a check that both did
the same work. Target (issue 12): lifetimes / abclab ≥ 20 at 10 M lines.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from abclab import clv

OUT = Path(__file__).resolve().parent / "out"
START = np.datetime64("2022-01-01")
SPAN_DAYS = 3 * 365
END = str(START + SPAN_DAYS - 1)


def churning_log(rows: int, *, seed: int = 0) -> pd.DataFrame:
    """About ``rows`` lines (exactly, the last customer cut) from a BG/NBD population."""
    rng = np.random.default_rng(seed)
    parts, total = [], 0
    while total < rows:
        n = max(1000, (rows - total) // 10)
        rate = rng.gamma(0.8, 1 / 20, n)
        drop = rng.beta(0.8, 6.0, n)
        count = np.minimum(rng.geometric(drop), 500)  # purchases until dropout (incl. first)
        first = rng.uniform(0, 365, n)
        owner = np.repeat(np.arange(n), count)
        gaps = rng.exponential(1.0, owner.size) / rate[owner]
        starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
        gaps[starts] = 0.0
        clock = np.cumsum(gaps)
        clock -= np.repeat(clock[starts], count)
        day = first[owner] + clock
        keep = day < SPAN_DAYS
        owner, day = owner[keep] + (len(parts) and parts[-1]["customer_id"].iloc[-1] + 1), day[keep]
        part = pd.DataFrame({
            "customer_id": owner.astype(np.int64),
            "date": START + day.astype("timedelta64[D]"),
            "amount": np.round(rng.lognormal(4.0, 0.8, owner.size), 2),
        })  # fmt: skip
        parts.append(part)
        total += len(part)
    return pd.concat(parts, ignore_index=True).iloc[:rows]


def run_abclab(path: Path) -> tuple[float, dict, pd.Series]:
    start = time.perf_counter()
    s = clv.rfm_summary(path, customer="customer_id", date="date", amount="amount",
                        calibration_end=END)  # fmt: skip
    model = clv.BetaGeo().fit(s["frequency"], s["recency"], s["T"])
    alive = model.probability_alive(s["frequency"], s["recency"], s["T"])
    return time.perf_counter() - start, model.params_, alive


def run_lifetimes(frame: pd.DataFrame) -> tuple[float, dict, pd.Series]:
    from lifetimes import BetaGeoFitter
    from lifetimes.utils import summary_data_from_transaction_data

    start = time.perf_counter()
    s = summary_data_from_transaction_data(frame, "customer_id", "date",
                                           observation_period_end=END, freq="D",
                                           freq_multiplier=7)  # fmt: skip
    model = BetaGeoFitter().fit(s["frequency"], s["recency"], s["T"])
    alive = model.conditional_probability_alive(s["frequency"], s["recency"], s["T"])
    return time.perf_counter() - start, model.params_.to_dict(), pd.Series(alive, s.index)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=float, nargs="+", default=[1e6, 1e7])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--lifetimes-repeat", type=int, default=1)
    parser.add_argument("--lifetimes-max", type=float, default=1e7)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"load before: {os.getloadavg()}")
    header = (f"{'rows':>12} {'customers':>10} {'abclab_s':>9} {'median_s':>9} "
              f"{'lifetimes_s':>11} {'speedup':>8} {'max|dP|':>9}  abclab params")  # fmt: skip
    print(header)
    for rows in map(int, args.rows):
        path = args.out / f"clv_{rows}.parquet"
        if not path.exists():
            churning_log(rows).to_parquet(path, index=False)
        run_abclab(path)  # warm-up
        runs = [run_abclab(path) for _ in range(args.repeat)]
        best, params, alive = min(runs, key=lambda r: r[0])
        median = statistics.median(r[0] for r in runs)
        theirs, diff = "-", "-"
        speed = "-"
        if rows <= args.lifetimes_max:
            frame = pq.read_table(path, columns=["customer_id", "date", "amount"]).to_pandas()
            try:
                results = [run_lifetimes(frame) for _ in range(args.lifetimes_repeat)]
            except ImportError as err:
                theirs = f"({err})"
            else:
                t_best, _, t_alive = min(results, key=lambda r: r[0])
                theirs, speed = f"{t_best:.2f}", f"{t_best / best:.1f}x"
                gap = np.abs(alive.to_numpy() - t_alive.reindex(alive.index).to_numpy()).max()
                diff = f"{gap:.1e}"
        shown = ", ".join(f"{k}={v:.4g}" for k, v in params.items())
        print(f"{rows:>12,} {len(alive):>10,} {best:>9.2f} {median:>9.2f} {theirs:>11} "
              f"{speed:>8} {diff:>9}  {shown}", flush=True)  # fmt: skip
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
