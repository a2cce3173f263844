"""Benchmark: abclab.features on Spark (local mode) vs a bare Spark SQL GROUP BY, and DuckDB.

Usage (from the repository root; needs ``pip install -e '.[spark]'`` and Java 17)::

    .venv/bin/python bench/spark.py --rows 1e6 1e7 [--master local[*]]

On the Parquet file of ``bench/transactions.py`` (written there if missing), in one process
and one Spark session: ``spark_bare`` is the PRODUCT.md baseline in Spark SQL (per-customer
count, sum(amount), sum(profit), min/max date, count(DISTINCT month)) collected as Arrow;
``spark_abclab`` is ``from_transactions(path, ..., engine="spark")`` with every criterion;
``duckdb_abclab`` is the default engine on the same file. Each runs once to warm up, then
``--repeat`` times alternating; best wall times are printed. No targets are asserted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from transactions import AS_OF, OUT, run_abclab, time_alternating, write_log

from abclab.features import SparkOptions, from_transactions, spark_session

BARE_SPARK_SQL = """
SELECT customer_id, count(*) AS n, sum(amount) AS spend, sum(profit) AS profit,
       min(date) AS first, max(date) AS last,
       count(DISTINCT date_trunc('month', date)) AS months
FROM parquet.`{path}` GROUP BY customer_id
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=float, nargs="+", default=[1e6, 1e7])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--master", default="local[*]")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    options = SparkOptions(
        master=args.master,
        config={"spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "8"},
    )
    session = spark_session(options)
    session.sparkContext.setLogLevel("ERROR")
    print(f"pyspark {session.version}, master {session.sparkContext.master}", flush=True)
    lines = []
    for rows in (int(r) for r in args.rows):
        path = args.out / f"transactions_{rows}.parquet"
        if not path.exists():
            write_log(rows, path)
        kw = dict(customer="customer_id", date="date", amount="amount", profit="profit",
                  category="category", due_date="due_date", paid_date="paid_date", as_of=AS_OF)  # fmt: skip
        timings = time_alternating(
            {
                "spark_bare": lambda p=path: session.sql(BARE_SPARK_SQL.format(path=p)).toArrow(),
                "spark_abclab": lambda p=path, kw=kw: from_transactions(
                    p, **kw, engine="spark", spark=session
                ),
                "duckdb_abclab": lambda p=path: run_abclab(p),
            },
            args.repeat,
        )
        bare, ours, duck = (
            timings[k]["best"] for k in ("spark_bare", "spark_abclab", "duckdb_abclab")
        )
        lines.append(
            f"{rows:>12,} {bare:12.2f} {ours:14.2f} {ours / bare:7.2f} {duck:15.2f} {ours / duck:10.1f}"
        )
        print(lines[-1], flush=True)
    print(
        f"\n{'rows':>12} {'spark_bare_s':>12} {'spark_abclab_s':>14} {'ratio':>7}"
        f" {'duckdb_abclab_s':>15} {'spark/duck':>10}\n" + "\n".join(lines)
    )
    print("ratio = spark_abclab / spark_bare (target ≤ 1.2); best of", args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
