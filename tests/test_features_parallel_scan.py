"""A Parquet log with fewer row groups than threads is scanned from memory on every thread.

:func:`abclab.features._duckdb._parallel_relation` must give every statement the relation
DuckDB's own Parquet reader gives: same columns, same types, same rows. Checked here by
running the criteria and the customer-base summary both ways on the same files (the direct
scan forced by a zero size limit) — integers and dates exactly equal, money to 1e-12.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from abclab import clv
from abclab.features import _duckdb, transaction_features


def _log(rows: int = 3000, *, seed: int = 0) -> pa.Table:
    """Lines of 200 customers over three years: returns, missing categories and paid dates,
    millisecond timestamps, text ids, a decimal profit and a dictionary-encoded category."""
    rng = np.random.default_rng(seed)
    day = np.datetime64("2022-01-01") + rng.integers(0, 3 * 365, rows).astype("timedelta64[D]")
    stamp = day.astype("datetime64[ms]") + rng.integers(0, 86_400_000, rows).astype(
        "timedelta64[ms]"
    )
    amount = np.round(rng.lognormal(4, 1, rows) * np.where(rng.random(rows) < 0.05, -1, 1), 2)
    paid = (day + rng.integers(0, 60, rows).astype("timedelta64[D]")).astype("datetime64[ms]")
    category = rng.choice(["parts", "service", "robots", None], rows)
    return pa.table({
        "customer": pa.array([f"K{i:04d}" for i in rng.integers(0, 200, rows)]),
        "date": pa.array(stamp, pa.timestamp("ms")),
        "amount": pa.array(amount),
        "profit": pa.array([f"{a * 0.2:.2f}" for a in amount]).cast(pa.decimal128(12, 2)),
        "category": pa.array(category).dictionary_encode(),
        "due_date": pa.array((day + 30).astype("datetime64[ms]"), pa.timestamp("ms")),
        "paid_date": pa.array(np.where(rng.random(rows) < 0.1, np.datetime64("NaT"), paid),
                              pa.timestamp("ms")),
        "invoice": pa.array(rng.integers(0, 1500, rows)),
    })  # fmt: skip


@pytest.fixture
def single_group(tmp_path):
    path = tmp_path / "log.parquet"
    pq.write_table(_log(), path)  # pyarrow's default: one row group up to 1 Mi rows
    assert pq.read_metadata(path).num_row_groups == 1
    return path


def _both(monkeypatch, run):
    """``run()`` through the in-memory scan, then through DuckDB's Parquet reader."""
    parallel = run()
    with monkeypatch.context() as patch:
        patch.setattr(_duckdb, "IN_MEMORY_SCAN_BYTES", 0)
        direct = run()
    return parallel, direct


def test_small_file_is_scanned_from_memory_with_the_readers_types(single_group, monkeypatch):
    monkeypatch.setattr(_duckdb, "_cpu_count", lambda: 2)
    con = _duckdb._connect()
    try:
        literal = f"read_parquet('{single_group}')"
        relation = _duckdb._parallel_relation(con, literal, single_group)
        assert relation.startswith("(SELECT")
        want = con.execute(f"DESCRIBE SELECT * FROM {literal}").fetchall()
        have = con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
        assert [r[:2] for r in have] == [r[:2] for r in want]
        assert "TIMESTAMP" in dict(r[:2] for r in want).values()  # the ms columns were cast
        rows = con.execute(f"SELECT * FROM {relation}").df()
        expected = con.execute(f"SELECT * FROM {literal}").df()
        pd.testing.assert_frame_equal(rows, expected)  # same rows in file order
    finally:
        con.close()


def test_files_duckdb_already_splits_are_scanned_as_they_are(tmp_path, monkeypatch):
    monkeypatch.setattr(_duckdb, "_cpu_count", lambda: 2)
    path = tmp_path / "groups.parquet"
    pq.write_table(_log(), path, row_group_size=1000)  # three row groups ≥ two threads
    con = _duckdb._connect()
    try:
        literal = f"read_parquet('{path}')"
        assert _duckdb._parallel_relation(con, literal, path) == literal
        monkeypatch.setattr(_duckdb, "_cpu_count", lambda: 8)
        assert _duckdb._parallel_relation(con, literal, path) != literal
        monkeypatch.setattr(_duckdb, "IN_MEMORY_SCAN_BYTES", 1000)  # too large for memory
        assert _duckdb._parallel_relation(con, literal, path) == literal
        broken = tmp_path / "broken.parquet"
        broken.write_bytes(b"PAR1 not a parquet file")
        assert _duckdb._parallel_relation(con, "x", broken) == "x"  # DuckDB names the error
    finally:
        con.close()


def test_criteria_are_the_same_either_way(single_group, monkeypatch):
    monkeypatch.setattr(_duckdb, "_cpu_count", lambda: 2)

    def run():
        return transaction_features(single_group, customer="customer", date="date", amount="amount",
                                 profit="profit", category="category", due_date="due_date",
                                 paid_date="paid_date", invoice="invoice",
                                 as_of="2024-07-01", aliases={"K0007": "K0001"})  # fmt: skip

    parallel, direct = _both(monkeypatch, run)
    pd.testing.assert_frame_equal(parallel.customers, direct.customers, rtol=1e-12)
    pd.testing.assert_frame_equal(parallel.returns, direct.returns, rtol=1e-12)
    exact = parallel.customers.select_dtypes(exclude="float")
    pd.testing.assert_frame_equal(exact, direct.customers[exact.columns])
    assert len(parallel.customers) == 199 and "K0007" not in parallel.customers.index


def test_customer_base_summary_is_the_same_either_way(single_group, monkeypatch):
    monkeypatch.setattr(_duckdb, "_cpu_count", lambda: 2)

    def run():
        return clv.rfm_summary(single_group, customer="customer", date="date", amount="amount",
                               calibration_end="2023-12-31", observation_end="2024-12-31")  # fmt: skip

    parallel, direct = _both(monkeypatch, run)
    pd.testing.assert_frame_equal(parallel, direct, rtol=1e-12)
