"""Benchmark: abclab.clv (rfm_summary + BG/NBD fit + P(alive)) vs lifetimes on the same log.

Usage (from the repository root)::

    .venv/bin/python bench/clv.py --rows 1e6 1e7            # --repeat N --lifetimes-repeat N
    .venv/bin/python bench/clv.py --rows 1e7 --stages       # also each stage on its own

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

Same-run rule: both contenders are timed in this process on this file, abclab after one
warm-up, in alternating order (abclab, lifetimes, abclab, lifetimes, …: ``--repeat`` abclab
runs, ``--lifetimes-repeat`` lifetimes runs, default 3 and 2) so that drifting machine load
hits both alike. Printed: best and median wall time of each, the speed-up as the ratio of
medians (and of bests), the process CPU time of each (all threads; on a loaded machine the
more stable figure) and the load averages. ``max|dP|`` is the largest difference of the two
P(alive) vectors and the fitted parameters are printed: both did the same work.

``--stages`` times each abclab stage on its own after the race (median of ``--repeat``):
the day-range statement, the bit-set ``GROUP BY`` inside DuckDB, the transfer of its result
to NumPy, the first-day pass, the assembly, the fit and P(alive); and lifetimes' summary,
fit and P(alive) once each. Target (issue 12): lifetimes / abclab ≥ 20 at 10 M lines.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from abclab import clv
from abclab.clv import _summary, _summary_sql
from abclab.features._duckdb import _cpu_count, _open
from abclab.features._engine import _arrow_columns
from abclab.features._source import _resolve_columns

OUT = Path(__file__).resolve().parent / "out"
START = np.datetime64("2022-01-01")
SPAN_DAYS = 3 * 365
END = str(START + SPAN_DAYS - 1)
COLUMNS = dict(customer="customer_id", date="date", amount="amount")


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


def run_abclab(path: Path) -> tuple[dict, pd.Series]:
    s = clv.rfm_summary(path, **COLUMNS, calibration_end=END)
    model = clv.BetaGeo().fit(s["frequency"], s["recency"], s["T"])
    alive = model.probability_alive(s["frequency"], s["recency"], s["T"])
    return model.params_, alive


def lifetimes_stages(frame: pd.DataFrame) -> dict[str, Callable[[], object]]:
    from lifetimes import BetaGeoFitter
    from lifetimes.utils import summary_data_from_transaction_data

    state: dict[str, object] = {}

    def summary() -> None:
        state["s"] = summary_data_from_transaction_data(
            frame, "customer_id", "date", observation_period_end=END, freq="D", freq_multiplier=7
        )

    def fit() -> None:
        s = state["s"]
        state["m"] = BetaGeoFitter().fit(s["frequency"], s["recency"], s["T"])

    def alive() -> None:
        s, m = state["s"], state["m"]
        p = m.conditional_probability_alive(s["frequency"], s["recency"], s["T"])
        state["alive"] = pd.Series(p, s.index)

    return {"summary": summary, "fit": fit, "alive": alive, "_state": lambda: state}


def run_lifetimes(frame: pd.DataFrame) -> tuple[dict, pd.Series]:
    stages = lifetimes_stages(frame)
    for name in ("summary", "fit", "alive"):
        stages[name]()
    state = stages["_state"]()
    return state["m"].params_.to_dict(), state["alive"]


def timed(fn: Callable[..., object], *args: object) -> tuple[float, float, object]:
    """Wall seconds, process CPU seconds (all threads) and the result of ``fn(*args)``."""
    start, cpu = time.perf_counter(), time.process_time()
    out = fn(*args)
    return time.perf_counter() - start, time.process_time() - cpu, out


def _fetchnumpy(con: object, sql: str) -> dict:
    return con.execute(sql).fetchnumpy()


def _to_arrow(con: object, sql: str) -> pa.Table:
    return con.sql(sql).to_arrow_table()


def _first_day_pairs(table: dict) -> pa.Table:
    shared = np.flatnonzero(table["n_lines"] > table["n_days"])
    return pa.table({
        "row": pa.array(shared, pa.int64()),
        "customer": pa.Array.from_pandas(table["customer"].iloc[shared]),
        "first_day": pa.array(table["first_day"][shared].astype(np.int64)),
    })  # fmt: skip


def abclab_stages(path: Path, repeat: int) -> dict[str, tuple[float, float]]:
    """Median wall and CPU seconds of each stage of abclab's computation, on its own (the
    steps of ``rfm_summary``'s bit-set path, spelled out, then the fit and P(alive))."""
    results: dict[str, list[tuple[float, float]]] = {}

    def note(name: str, fn: Callable[..., object], *args: object) -> object:
        wall, cpu, out = timed(fn, *args)
        results.setdefault(name, []).append((wall, cpu))
        return out

    end = pd.Timestamp(END).date()
    for _ in range(repeat):
        with _open(path, customer="customer_id") as run:
            spec = _resolve_columns(run.types(), run.label, **COLUMNS, profit=None,
                                    category=None, due_date=None, paid_date=None)  # fmt: skip
            stats = note("day range + checks", run.rows, _summary_sql.stats_sql(spec))
            _, _, _, first, last, low, high = stats[0]
            cal = _summary._day(end)
            money = _summary_sql.money_type(low, high)
            flags = dict(returns=low < 0, money=money)
            sql = _summary_sql.bitset_sql(spec, first, cal, None, order=False, later=last > cal,
                                          **flags)  # fmt: skip
            arrow = note("bit-set GROUP BY (DuckDB, to Arrow)", _to_arrow, run.con, sql)
            table = note("transfer Arrow → NumPy", _arrow_columns, arrow)
            pairs = _first_day_pairs(table)
            run.con.register("abclab_first_days", pairs)
            days = pairs.column("first_day").to_numpy()
            sql = _summary_sql.first_day_sql(spec, int(days.min()), int(days.max()), **flags)
            note(f"first-day pass ({pairs.num_rows:,} customers)", _fetchnumpy, run.con, sql)
        note("sort by customer", np.argsort, table["customer"].to_numpy())
        s = note("assemble", _summary._assemble, table, spec, 7.0, end, None)
        rfm = (s["frequency"], s["recency"], s["T"])
        model = note("BG/NBD fit", clv.BetaGeo().fit, *rfm)
        note("P(alive)", model.probability_alive, *rfm)
    return {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v))
            for k, v in results.items()}  # fmt: skip


def load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=float, nargs="+", default=[1e6, 1e7])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--lifetimes-repeat", type=int, default=2)
    parser.add_argument("--lifetimes-max", type=float, default=1e7)
    parser.add_argument("--stages", action="store_true", help="time each stage on its own too")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"DuckDB threads {_cpu_count()}; the machine may be shared: see the load averages")
    header = (f"{'rows':>12} {'customers':>10} {'abclab_s':>9} {'median_s':>9} {'cpu_s':>6} "
              f"{'lifetimes_s':>11} {'median_s':>9} {'cpu_s':>6} {'speedup':>8} {'best':>6} "
              f"{'cpu':>6} {'max|dP|':>9}  load before → after; abclab params")  # fmt: skip
    for rows in map(int, args.rows):
        path = args.out / f"clv_{rows}.parquet"
        if not path.exists():
            churning_log(rows).to_parquet(path, index=False)
        before = load()
        lifetimes = rows <= args.lifetimes_max and args.lifetimes_repeat > 0
        frame = (pq.read_table(path, columns=["customer_id", "date", "amount"]).to_pandas()
                 if lifetimes else None)  # fmt: skip
        run_abclab(path)  # warm-up
        ours, theirs, note = [], [], ""
        for i in range(max(args.repeat, args.lifetimes_repeat if lifetimes else 0)):
            if i < args.repeat:
                ours.append(timed(run_abclab, path))
            if lifetimes and i < args.lifetimes_repeat:
                try:
                    theirs.append(timed(run_lifetimes, frame))
                except ImportError as err:
                    lifetimes, note = False, f"({err})"
        params, alive = min(ours, key=lambda r: r[0])[2]
        best, median = min(r[0] for r in ours), statistics.median(r[0] for r in ours)
        cpu = statistics.median(r[1] for r in ours)
        cells = [f"{'-' if not note else note:>11}", f"{'-':>9}", f"{'-':>6}", f"{'-':>8}",
                 f"{'-':>6}", f"{'-':>6}", f"{'-':>9}"]  # fmt: skip
        if theirs:
            t_best = min(r[0] for r in theirs)
            t_median = statistics.median(r[0] for r in theirs)
            t_cpu = statistics.median(r[1] for r in theirs)
            t_alive = theirs[0][2][1]
            gap = np.abs(alive.to_numpy() - t_alive.reindex(alive.index).to_numpy()).max()
            cells = [f"{t_best:>11.2f}", f"{t_median:>9.2f}", f"{t_cpu:>6.2f}",
                     f"{t_median / median:>7.1f}x", f"{t_best / best:>5.1f}x",
                     f"{t_cpu / cpu:>5.1f}x", f"{gap:>9.1e}"]  # fmt: skip
        shown = ", ".join(f"{k}={v:.4g}" for k, v in params.items())
        print(header)
        print(f"{rows:>12,} {len(alive):>10,} {best:>9.2f} {median:>9.2f} {cpu:>6.2f} "
              + " ".join(cells) + f"  {before} → {load()}; {shown}", flush=True)  # fmt: skip
        if args.stages:
            print(f"  stages at {rows:,} lines (median of {args.repeat}; wall s / CPU s):")
            for name, (wall, cpu_s) in abclab_stages(path, args.repeat).items():
                print(f"    abclab    {name:<36} {wall:7.3f} {cpu_s:7.3f}")
            if frame is not None and theirs:
                stages = lifetimes_stages(frame)
                for name in ("summary", "fit", "alive"):
                    wall, cpu_s, _ = timed(stages[name])
                    print(f"    lifetimes {name:<36} {wall:7.3f} {cpu_s:7.3f}")
            print(f"  load after the stages: {load()}", flush=True)


if __name__ == "__main__":
    main()
