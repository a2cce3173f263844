"""Seeded generator of the demo company: a mid-sized industrial-equipment maker.

The company follows the case in source 003 (§五): about 400 B2B customers whose spend is
strongly skewed (lognormal with σ = 1.4, so roughly the top 5 % of customers hold ~40 % of
spend and the top 17.5 % ~70 %, as in source 003's summary template), six product lines,
three years of invoices up to 2024-12-31, late payments, returns, and the dirt a real client
file has: duplicate customers under variant names, missing values, entry errors and a
GBK-encoded export with Chinese headers, 万元 amounts and % strings.

Everything is drawn from one ``numpy.random.default_rng(seed)`` in a fixed order, so the same
seed gives byte-identical files (Parquet bytes additionally depend on the pyarrow version,
which is written into the file footer).

This module assembles the company (:func:`build_demo`) and writes its files
(:func:`generate_demo`, the command line :func:`main`); the parts are drawn in
``_demo_company`` (customer master), ``_demo_transactions`` (invoice lines) and
``_demo_dirt`` (planted errors and the GBK export).
"""

from __future__ import annotations

import argparse
import datetime as _dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from abclab.datasets._demo_company import (
    AS_OF,
    DEFAULT_SEED,
    DROPOUT_A,
    DROPOUT_B,
    _customer_master,
)
from abclab.datasets._demo_dirt import EXPORT_COLUMNS, _export_frame, _plant_dirt, _to_csv_text
from abclab.datasets._demo_transactions import _number_invoices, _transactions

__all__ = ["DemoCompany", "build_demo", "generate_demo", "main"]


@dataclass(frozen=True)
class DemoCompany:
    """The demo company's tables and the planted data problems.

    Attributes
    ----------
    customers : pandas.DataFrame
        Customer master (one row per customer record, duplicates included).
    transactions : pandas.DataFrame
        Invoice lines, returns as negative amounts.
    export_gbk : bytes
        The client-style export ``customers_export_gbk.csv`` (GBK, CRLF, Chinese headers).
    dirt : dict
        What was planted: ``duplicates`` (duplicate id → original id), ``outlier_invoice``,
        ``export_spend_x100``, ``export_spend_zero``, ``export_repeated_row``, ``export_na``.
    seed : int
        The seed used.
    """

    customers: pd.DataFrame
    transactions: pd.DataFrame
    export_gbk: bytes
    dirt: dict
    seed: int


def build_demo(*, seed: int = DEFAULT_SEED, n_customers: int = 400, years: int = 3) -> DemoCompany:
    """Generate the demo company in memory (see module docstring; nothing is written)."""
    if n_customers < 20:
        raise ValueError(f"n_customers={n_customers} should be >= 20")
    if years < 1:
        raise ValueError(f"years={years} should be >= 1")
    rng = np.random.default_rng(seed)
    start = _dt.date(AS_OF.year - years + 1, 1, 1)
    master, latent = _customer_master(rng, n_customers, start)
    tx = _transactions(rng, master, latent, start)
    master, tx, dirt = _plant_dirt(rng, master, tx)
    tx = _number_invoices(tx)
    export = _export_frame(rng, master, tx, dirt)
    return DemoCompany(
        customers=master.reset_index(drop=True),
        transactions=tx,
        export_gbk=_to_csv_text(export, lineterminator="\r\n").encode("gbk"),
        dirt=dirt,
        seed=seed,
    )


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    fields = [
        pa.field(f.name, pa.date32()) if pa.types.is_timestamp(f.type) else f for f in table.schema
    ]
    table = table.cast(pa.schema(fields)).replace_schema_metadata(None)
    pq.write_table(
        table, path, compression="zstd", compression_level=3, use_dictionary=True, version="2.6"
    )


def generate_demo(
    out_dir: str | Path, *, seed: int = DEFAULT_SEED, n_customers: int = 400, years: int = 3
) -> dict[str, Path]:
    """Write the demo company's files into ``out_dir`` and return their paths.

    Files: ``customers.csv`` (UTF-8 master), ``transactions.csv`` and
    ``transactions.parquet`` (same invoice lines), ``customers_export_gbk.csv`` (GBK client
    export with Chinese headers) and ``README.md`` (the seed and what was planted).
    The same arguments always give the same bytes for the CSV and README files and the same
    content for the Parquet file.
    """
    demo = build_demo(seed=seed, n_customers=n_customers, years=years)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "customers": out / "customers.csv",
        "transactions_csv": out / "transactions.csv",
        "transactions_parquet": out / "transactions.parquet",
        "export_gbk": out / "customers_export_gbk.csv",
        "readme": out / "README.md",
    }
    paths["customers"].write_bytes(_to_csv_text(demo.customers).encode("utf-8"))
    paths["transactions_csv"].write_bytes(_to_csv_text(demo.transactions).encode("utf-8"))
    _write_parquet(demo.transactions, paths["transactions_parquet"])
    paths["export_gbk"].write_bytes(demo.export_gbk)
    paths["readme"].write_bytes(_readme(demo, n_customers, years).encode("utf-8"))
    return paths


def _readme(demo: DemoCompany, n_customers: int, years: int) -> str:
    tx = demo.transactions
    dirt = demo.dirt
    dups = "\n".join(
        f"  - `{d}` {demo.customers.set_index('customer_id').at[d, 'name']!r} duplicates "
        f"`{o}` {demo.customers.set_index('customer_id').at[o, 'name']!r}"
        for d, o in dirt["duplicates"].items()
    )
    outlier = tx.iloc[dirt["outlier_invoice"]]
    buys = tx[tx["amount"] >= 0]
    owner = buys["customer_id"].replace(dirt["duplicates"])
    last_year = buys["date"].groupby(owner).max().dt.year
    left = last_year[last_year < AS_OF.year].value_counts().sort_index()
    gone = ", ".join(f"{n} in {y}" for y, n in left.items())
    return f"""# Demo company (generated — do not edit)

A mid-sized industrial-equipment maker modelled on source 003's case (§五): {n_customers}
customers, {years} years of invoices up to {AS_OF.isoformat()}, six product lines, spend
strongly skewed (lognormal, σ = 1.4). Customers leave as in the BG/NBD model: after each
purchase a customer stops buying for good with probability p ~ Beta({DROPOUT_A:g},
{DROPOUT_B[0]:g} + {DROPOUT_B[1]:g} × spend rank), so larger accounts are stickier;
{int(left.sum())} of the {n_customers} customers bought for the last time before {AS_OF.year}
({gone}). Regenerate byte-identically with

    python -m abclab.datasets data/demo --seed {demo.seed}

(`abclab.datasets.generate_demo(out_dir, seed={demo.seed}, n_customers={n_customers},
years={years})`). The same tables load without files via `abclab.datasets.load("demo_customers")`,
`load("demo_transactions")` and `load("demo_export_gbk")`.

## Files

- `customers.csv` — customer master, UTF-8, {len(demo.customers)} rows: customer_id, name,
  industry, region, city, contact_person, phone (11-digit mobile), email, industry_growth
  (fraction, −5 %…25 %), strategic_industry (national key industry), customer_since,
  payment_terms_days.
- `transactions.csv` / `transactions.parquet` — the same {len(tx)} invoice lines: date,
  customer_id, invoice_id (`INV-…`; credit notes `CN-…`), category, amount (元), profit (元),
  due_date, paid_date (empty = still open at {AS_OF.isoformat()}). Returns are negative lines
  ({int((tx["amount"] < 0).sum())} of them) without due/paid dates.
- `customers_export_gbk.csv` — the kind of file a client sends: its {_export_rows(demo)} active
  customer records (a purchase in the last 12 months), GBK encoded, CRLF, Chinese
  headers ({", ".join(EXPORT_COLUMNS.values())}); 年消费额 as "1,234.5万元" (last 12 months),
  利润率 / 交叉购买率 / 回款及时率 / 行业增长率 as "15%" strings, 合作年限 in whole years.

## Planted data problems (for the cleaning step)

- Duplicate customers under variant names (about 35 % of the original's 2024 invoices are
  booked under the duplicate id):
{dups}
- Missing values in customers.csv: industry (with industry_growth), phone, email; the phone
  of `{next(iter(dirt["duplicates"].values()))}` is missing but its duplicate record has it.
- Transactions: invoice row {dirt["outlier_invoice"]} (0-based, {outlier["customer_id"]},
  {outlier["date"]:%Y-%m-%d}) keyed 100× too large: {outlier["amount"]:.2f} 元.
- Export: 年消费额 of `{dirt["export_spend_x100"]}` keyed 100× too large and of
  `{dirt["export_spend_zero"]}` keyed as 0万元; the row of `{dirt["export_repeated_row"]}`
  appears twice; 行业增长率 of `{dirt["export_na"]}` is the Excel error `#N/A`; cells are
  empty where the master has missing values.
"""


def _export_rows(demo: DemoCompany) -> int:
    """Customer records in the export (its repeated row counted once)."""
    return len(demo.export_gbk.decode("gbk").splitlines()) - 2


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m abclab.datasets OUT_DIR [--seed N]``."""
    parser = argparse.ArgumentParser(
        prog="python -m abclab.datasets",
        description="Write the abclab demo company (customers, transactions, GBK export).",
    )
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--customers", type=int, default=400)
    parser.add_argument("--years", type=int, default=3)
    args = parser.parse_args(argv)
    paths = generate_demo(
        args.out_dir, seed=args.seed, n_customers=args.customers, years=args.years
    )
    for path in paths.values():
        print(path)
    return 0
