"""Benchmark: abclab.features.from_transactions vs a bare DuckDB GROUP BY (and lifetimes).

Usage (from the repository root)::

    .venv/bin/python bench/transactions.py --rows 1e6 1e7 [5e7]

For each size a synthetic log (``abclab.datasets.iter_synthetic_transactions``: skewed
customers, lognormal amounts, 2 % returns, profit, category, due and paid dates) is written
once to ``bench/out/transactions_<rows>.parquet`` in chunks, so 50 M rows never sit in memory.
Then, warm and best of ``--repeat`` runs each, on the same file in the same process:

- ``bare``: one DuckDB query computing per-customer count, sum(amount), sum(profit),
  min/max date and count(DISTINCT month), fetched into pandas;
- ``abclab``: ``from_transactions`` with every criterion the file supports (profit, margin,
  category → cross-purchase rate, due/paid dates → on-time payment rate, spend windows);
- ``lifetimes``: ``lifetimes.utils.summary_data_from_transaction_data`` on the log read into
  pandas (reading not timed; one run) at sizes up to ``--lifetimes-max`` rows.

Targets (PRODUCT.md): abclab / bare ≤ 1.2; lifetimes / abclab ≥ 12 at 10 M rows.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from abclab.datasets import iter_synthetic_transactions
from abclab.features import from_transactions

OUT = Path(__file__).resolve().parent / "out"
AS_OF = "2025-01-01"
BARE_SQL = """
SELECT customer_id, count(*) AS n, sum(amount) AS spend, sum(profit) AS profit,
       min(date) AS first, max(date) AS last,
       count(DISTINCT date_trunc('month', date)) AS months
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


def best_of(fn, repeat: int) -> float:
    fn()  # warm: file cache, imports
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def run_bare(path: Path):
    con = duckdb.connect()
    try:
        return con.execute(BARE_SQL.format(path=str(path).replace("'", "''"))).df()
    finally:
        con.close()


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


def run_lifetimes(path: Path) -> tuple[float | None, str]:
    try:
        from lifetimes.utils import summary_data_from_transaction_data
    except Exception as err:  # report why and skip
        return None, f"lifetimes unavailable: {type(err).__name__}: {err}"
    frame = pq.read_table(path, columns=["customer_id", "date", "amount"]).to_pandas()
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
    return time.perf_counter() - start, ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=float, nargs="+", default=[1e6, 1e7])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--lifetimes-max", type=float, default=1e7)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    print(
        f"python {platform.python_version()}, duckdb {duckdb.__version__}, "
        f"pyarrow {pa.__version__}, {platform.machine()}",
        flush=True,
    )
    header = (
        f"{'rows':>12} {'customers':>10} {'bare_s':>8} {'abclab_s':>9} {'ratio':>6}"
        f" {'lifetimes_s':>12} {'speedup':>8}"
    )
    lines = []
    notes = []
    for rows in (int(r) for r in args.rows):
        path = args.out / f"transactions_{rows}.parquet"
        if not path.exists():
            start = time.perf_counter()
            write_log(rows, path)
            print(f"wrote {path} in {time.perf_counter() - start:.1f} s", flush=True)
        bare = best_of(lambda p=path: run_bare(p), args.repeat)
        ours = best_of(lambda p=path: run_abclab(p), args.repeat)
        customers = len(run_abclab(path))
        life, why = (None, "skipped (size)")
        if rows <= args.lifetimes_max:
            life, why = run_lifetimes(path)
        if why and why != "skipped (size)":
            notes.append(f"{rows}: {why}")
        life_s = f"{life:12.2f}" if life is not None else f"{'-':>12}"
        speed = f"{life / ours:7.1f}x" if life is not None else f"{'-':>8}"
        line = (
            f"{rows:>12,} {customers:>10,} {bare:8.2f} {ours:9.2f} {ours / bare:6.2f}"
            f" {life_s} {speed}"
        )
        lines.append(line)
        print(
            header if len(lines) == 1 else "", line, sep="\n" if len(lines) == 1 else "", flush=True
        )
    print("\nsummary\n" + header + "\n" + "\n".join(lines))
    for note in notes:
        print("note:", note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
