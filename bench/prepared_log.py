"""Benchmark: how a run keeps a client log it has read once (abclab.features.prepare_log).

Usage (from the repository root)::

    .venv/bin/python bench/prepared_log.py --rows 2e5 [1e6] --repeat 3

A synthetic slow-path log (GBK CSV, Chinese dates ``2024年3月5日``, ``--rows`` lines, skewed
customers) is written to ``bench/out/``. Then, in the same process, each contender runs once to
warm up and ``--repeat`` times in alternating order; the best wall-clock time is printed with
the median:

- ``read``: :func:`abclab.features.prepare_source` on the client file — the reader and date
  parsing that every consumer of the log paid again before the log was read once per run;
- ``write``: the read frame written to Parquet (what :func:`prepare_log` adds once);
- ``criteria_frame`` / ``criteria_parquet``: :func:`abclab.features.transaction_features` on
  the read frame kept in memory (registered with DuckDB, as Arrow) and on the Parquet copy;
- ``lines_frame`` / ``lines_parquet``: the customer, date and amount columns (what the line
  flags and ``recent_average`` read) from each.

Memory: the frame's deep size (what keeping it for the run holds in RAM) against the Parquet
file's size (on disk; DuckDB streams it). Ratios are against ``read`` measured in the same run:
``(read + write) / read`` is the one-off cost of the copy, ``consumers × read`` what the
consumers paid before (5 in a study with CLV criteria, line flags, recent_average and
churn_risk; more when duplicates are merged and the criteria are derived twice).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from abclab.features import log_columns, prepare_log, prepare_source, transaction_features

OUT = Path(__file__).resolve().parent / "out"
KW = {"customer": "客户编号", "date": "开票日期", "amount": "金额"}


def _write_log(rows: int) -> Path:
    path = OUT / f"prepared_log_{rows}.csv"
    if path.exists():
        return path
    OUT.mkdir(exist_ok=True)
    rng = np.random.default_rng(0)
    customers = rng.zipf(1.6, rows) % max(rows // 20, 1)
    days = pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 1095, rows), unit="D")
    frame = pd.DataFrame({
        "客户编号": [f"KH{c:05d}" for c in customers],
        "开票日期": [f"{d.year}年{d.month}月{d.day}日" for d in days],
        "金额": np.round(rng.lognormal(8, 1, rows), 2),
    })  # fmt: skip
    frame.to_csv(path, index=False, encoding="gbk")
    return path


def _time(contenders: dict[str, Callable[[], object]], repeat: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in contenders}
    names = list(contenders)
    for name in names:  # warm-up
        contenders[name]()
    for k in range(repeat):
        for name in names if k % 2 == 0 else names[::-1]:
            start = time.perf_counter()
            contenders[name]()
            times[name].append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=float, nargs="+", default=[2e5])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, load {os.getloadavg()}")
    warnings.simplefilter("ignore")
    for rows in (int(r) for r in args.rows):
        _measure(_write_log(rows), rows, args.repeat)


def _measure(path: Path, rows: int, repeat: int) -> None:
    """Time every contender on one log and print times, ratios and memory."""
    options = {"customer": "客户编号", "dates": ["开票日期"], "numbers": ["金额"]}
    with tempfile.TemporaryDirectory(prefix="abclab-bench-") as workdir:
        frame = prepare_source(path, **options)
        log = prepare_log(path, **options, workdir=workdir)
        target = Path(workdir) / "again.parquet"
        columns = list(KW.values())
        contenders = {
            "read": lambda: prepare_source(path, **options),
            "write": lambda: frame.to_parquet(target, index=False),
            "criteria_frame": lambda: transaction_features(frame, **KW, as_of="2025-01-01"),
            "criteria_parquet": lambda: transaction_features(log, **KW, as_of="2025-01-01"),
            "lines_frame": lambda: frame[columns].copy(),
            "lines_parquet": lambda: log_columns(log, columns),
        }
        times = _time(contenders, repeat)
        best = {name: min(t) for name, t in times.items()}
        size = path.stat().st_size / 1e6
        print(f"\n{rows:,} lines ({size:.1f} MB GBK CSV), load {os.getloadavg()[0]:.2f}")
        for name, t in times.items():
            print(f"  {name:<17} best {best[name]:8.3f} s   median {statistics.median(t):8.3f} s")
        read = best["read"]
        print(f"  copy once: (read + write) / read = {(read + best['write']) / read:.3f}")
        ratio = best["criteria_parquet"] / best["criteria_frame"]
        print(f"  criteria on parquet / on frame   = {ratio:.3f}")
        print(f"  read / criteria on parquet       = {read / best['criteria_parquet']:.1f}")
        in_ram = frame.memory_usage(deep=True).sum() / 1e6
        on_disk = log.path.stat().st_size / 1e6
        print(f"  memory: frame {in_ram:.1f} MB in RAM, parquet {on_disk:.1f} MB on disk")


if __name__ == "__main__":
    main()
