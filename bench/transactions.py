"""Benchmark: abclab.features.from_transactions vs a bare DuckDB GROUP BY (and lifetimes).

Usage (from the repository root)::

    .venv/bin/python bench/transactions.py --rows 1e6 1e7 [5e7]

For each size a synthetic log (``abclab.datasets.iter_synthetic_transactions``: skewed
customers, lognormal amounts, 2 % returns, profit, category, due and paid dates) is written
once to ``bench/out/transactions_<rows>.parquet`` in chunks, so 50 M rows never sit in memory.
Then, on the same file in the same process, each contender is run once to warm up (file
cache, imports, DuckDB's process-wide database in abclab) and then ``--repeat`` times in
alternating order (ABC, CBA, ABC, …) so that drifting machine load hits all alike:

- ``bare``: the PRODUCT.md baseline, one DuckDB query computing per-customer count,
  sum(amount), sum(profit), min/max date and count(DISTINCT month), on a connection opened
  once before timing (as in an interactive session) with the same thread count as abclab,
  fetched into pandas through Arrow (faster than ``.df()``, so the ratio is not flattered);
- ``bare_bits``: the same five quantities with distinct months counted as a bit set
  (``bit_or`` of ``1 << month``) instead of ``count(DISTINCT …)`` — the trick abclab uses,
  i.e. the best hand-written query we know, shown for context;
- ``abclab``: ``from_transactions`` with every criterion the file supports (profit, margin,
  category → cross-purchase rate, due/paid dates → on-time payment rate, spend windows,
  recency, tenure, returns netting), from the file path, result as a pandas frame;
- ``lifetimes``: ``lifetimes.utils.summary_data_from_transaction_data`` on the log's three
  columns read from the same Parquet file into pandas (the read is not timed), best of
  ``--lifetimes-repeat`` runs, at sizes up to ``--lifetimes-max`` rows.

Wall-clock times are the best of the runs (the median is printed too); process CPU time
(all threads) is printed as a load-robust cross-check. ``uptime`` load averages are printed
before and after each size: on a shared machine, repeat and keep the quietest run.

Targets (PRODUCT.md): abclab / bare ≤ 1.2; lifetimes / abclab ≥ 12 at 10 M rows.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

# Measure the checkout this script lives in (a worktree), not the one the venv installed:
# ``python bench/transactions.py`` puts bench/ first on sys.path, not the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from abclab.datasets import iter_synthetic_transactions
from abclab.features import from_transactions
from abclab.features._duckdb import _cpu_count

OUT = Path(__file__).resolve().parent / "out"
AS_OF = "2025-01-01"
BARE_SQL = """
SELECT customer_id, count(*) AS n, sum(amount) AS spend, sum(profit) AS profit,
       min(date) AS first, max(date) AS last,
       count(DISTINCT date_trunc('month', date)) AS months
FROM read_parquet('{path}') GROUP BY customer_id
"""
BARE_BITS_SQL = """
SELECT customer_id, count(*) AS n, sum(amount) AS spend, sum(profit) AS profit,
       min(date) AS first, max(date) AS last,
       bit_count(bit_or(1::UBIGINT << CAST(year(date) * 12 + month(date) - {first_month}
                                           AS UBIGINT))) AS months
FROM read_parquet('{path}') GROUP BY customer_id
"""


def write_log(rows: int, path: Path, *, seed: int = 0, chunk_rows: int = 5_000_000) -> None:
    """Write the synthetic log chunk by chunk (bounded memory)."""
    tmp = path.with_suffix(".partial")
    writer = None
    try:
        for chunk in iter_synthetic_transactions(
            rows, seed=seed, chunk_rows=chunk_rows, payments=True
        ):
            table = pa.Table.from_pandas(chunk, preserve_index=False).replace_schema_metadata(None)
            if writer is None:
                writer = pq.ParquetWriter(tmp, table.schema, compression="zstd")
            writer.write_table(table, row_group_size=1_000_000)
    finally:
        if writer is not None:
            writer.close()
    tmp.rename(path)


def load_average() -> str:
    """The 1-, 5- and 15-minute load averages, as ``uptime`` prints them."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def time_alternating(fns: dict, repeat: int) -> dict[str, dict[str, float]]:
    """Warm each function once, then run all ``repeat`` times in alternating order."""
    for fn in fns.values():
        fn()
    wall: dict[str, list[float]] = {name: [] for name in fns}
    cpu: dict[str, list[float]] = {name: [] for name in fns}
    names = list(fns)
    for i in range(repeat):
        for name in names if i % 2 == 0 else names[::-1]:
            start, start_cpu = time.perf_counter(), time.process_time()
            fns[name]()
            wall[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)
    return {
        name: {
            "best": min(wall[name]),
            "median": statistics.median(wall[name]),
            "cpu": min(cpu[name]),
        }
        for name in fns
    }


def sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def run_abclab(path: Path):
    return from_transactions(
        path,
        customer="customer_id",
        date="date",
        amount="amount",
        profit="profit",
        category="category",
        due_date="due_date",
        paid_date="paid_date",
        as_of=AS_OF,
    )


def bare_runner(con: duckdb.DuckDBPyConnection, sql: str):
    def run():
        return con.sql(sql).to_arrow_table().to_pandas()

    return run


def run_lifetimes(path: Path, repeat: int) -> tuple[float | None, str]:
    try:
        from lifetimes.utils import summary_data_from_transaction_data
    except Exception as err:  # report why and skip
        return None, f"lifetimes unavailable: {type(err).__name__}: {err}"
    frame = pq.read_table(path, columns=["customer_id", "date", "amount"]).to_pandas()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        try:
            summary_data_from_transaction_data(
                frame,
                "customer_id",
                "date",
                monetary_value_col="amount",
                observation_period_end="2024-12-31",
            )
        except Exception as err:
            return None, f"lifetimes failed: {type(err).__name__}: {err}"
        times.append(time.perf_counter() - start)
    return min(times), ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=float, nargs="+", default=[1e6, 1e7])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--lifetimes-max", type=float, default=1e7)
    parser.add_argument("--lifetimes-repeat", type=int, default=2)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    threads = _cpu_count()
    con = duckdb.connect(config={"threads": threads})
    setting = con.sql("SELECT current_setting('threads')").fetchall()[0][0]
    print(f"abclab from {Path(sys.modules['abclab'].__file__).parent.parent}", flush=True)
    print(
        f"python {platform.python_version()}, duckdb {duckdb.__version__}, "
        f"pyarrow {pa.__version__}, {platform.machine()}, {os.cpu_count()} CPUs, "
        f"DuckDB threads {setting} (bare and abclab)",
        flush=True,
    )
    header = (
        f"{'rows':>12} {'customers':>10} {'bare_s':>7} {'bits_s':>7} {'abclab_s':>8}"
        f" {'ratio':>6} {'r_bits':>6} {'cpu_ratio':>9} {'lifetimes_s':>11} {'speedup':>8}"
        f"  load before → after"
    )
    lines, notes = [], []
    for rows in (int(r) for r in args.rows):
        path = args.out / f"transactions_{rows}.parquet"
        if not path.exists():
            start = time.perf_counter()
            write_log(rows, path)
            print(f"wrote {path} in {time.perf_counter() - start:.1f} s", flush=True)
        load_before = load_average()
        quoted = sql_path(path)
        first = con.sql(f"SELECT min(date) FROM read_parquet('{quoted}')").fetchall()[0][0]
        span = con.sql(
            f"SELECT date_sub('month', min(date), max(date)) + 1 FROM read_parquet('{quoted}')"
        ).fetchall()[0][0]
        if span > 64:
            raise SystemExit(f"{path}: {span} months; the bare_bits query handles ≤ 64")
        timings = time_alternating(
            {
                "bare": bare_runner(con, BARE_SQL.format(path=quoted)),
                "bare_bits": bare_runner(
                    con,
                    BARE_BITS_SQL.format(path=quoted, first_month=first.year * 12 + first.month),
                ),
                "abclab": lambda p=path: run_abclab(p),
            },
            args.repeat,
        )
        customers = len(run_abclab(path))
        life, why = (None, "skipped (size)")
        if rows <= args.lifetimes_max:
            life, why = run_lifetimes(path, args.lifetimes_repeat)
        if why and why != "skipped (size)":
            notes.append(f"{rows}: {why}")
        bare, bits, ours = (timings[k]["best"] for k in ("bare", "bare_bits", "abclab"))
        life_s = f"{life:11.2f}" if life is not None else f"{'-':>11}"
        speed = f"{life / ours:7.1f}x" if life is not None else f"{'-':>8}"
        line = (
            f"{rows:>12,} {customers:>10,} {bare:7.2f} {bits:7.2f} {ours:8.2f}"
            f" {ours / bare:6.2f} {ours / bits:6.2f}"
            f" {timings['abclab']['cpu'] / timings['bare']['cpu']:9.2f} {life_s} {speed}"
            f"  {load_before} → {load_average()}"
        )
        lines.append(line)
        detail = ", ".join(
            f"{k} best {v['best']:.3f} s / median {v['median']:.3f} s / cpu {v['cpu']:.3f} s"
            for k, v in timings.items()
        )
        print(header if len(lines) == 1 else "", line, f"  ({detail})", sep="\n", flush=True)
    print("\nsummary\n" + header + "\n" + "\n".join(lines))
    print(
        "ratio = abclab_s / bare_s (target ≤ 1.2); r_bits = abclab_s / bits_s;"
        " cpu_ratio = abclab / bare in process CPU time; speedup = lifetimes_s / abclab_s"
        " (target ≥ 12 at 10 M rows); wall times are best of"
        f" {args.repeat}, lifetimes best of {args.lifetimes_repeat}"
    )
    for note in notes:
        print("note:", note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
