"""A transaction log read once (abclab.features.prepare_log, PreparedLog, log_columns).

A client export DuckDB cannot scan as it is is converted once to Parquet in a directory the
caller owns; every consumer then reads the copy, and gets what it got from the client file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from abclab import clv
from abclab.exceptions import InputDataError
from abclab.features import (
    PreparedLog,
    log_columns,
    prepare_log,
    transaction_features,
)
from abclab.io import ReadOptions

KW = {"customer": "客户", "date": "日期", "amount": "金额"}


def _lines(n_customers: int = 30, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_customers):
        for _ in range(int(rng.integers(2, 12))):
            day = pd.Timestamp("2023-01-01") + pd.Timedelta(days=int(rng.integers(0, 700)))
            rows.append({"客户": f"KH{i:03d}", "日期": day,
                         "金额": round(float(rng.lognormal(7, 1)), 2)})  # fmt: skip
    rows.append({"客户": "KH001", "日期": pd.Timestamp("2024-06-01"), "金额": -120.5})
    return pd.DataFrame(rows)


def _write(lines: pd.DataFrame, folder: Path, kind: str) -> tuple[Path, ReadOptions]:
    """The same lines as a client would export them (slow path) or as a plain file."""
    text = lines.copy()
    if kind == "gbk_chinese_dates":
        text["日期"] = [f"{d.year}年{d.month}月{d.day}日" for d in lines["日期"]]
        path = folder / "开票.csv"
        text.to_csv(path, index=False, encoding="gbk")
        return path, ReadOptions()
    if kind == "decimal_comma":
        text["日期"] = lines["日期"].dt.strftime("%d.%m.%Y")
        text["金额"] = [f"{v:.2f}".replace(".", ",") for v in lines["金额"]]
        path = folder / "export.csv"
        text.to_csv(path, index=False, sep=";")
        return path, ReadOptions(sep=";", decimal=",", date_format="dmy")
    if kind == "xlsx":  # Excel date cells
        path = folder / "开票.xlsx"
        text.to_excel(path, index=False)
        return path, ReadOptions()
    path = folder / "plain.csv"
    text["日期"] = lines["日期"].dt.strftime("%Y-%m-%d")
    text.to_csv(path, index=False)
    return path, ReadOptions()


SLOW = ["gbk_chinese_dates", "decimal_comma", "xlsx"]


@pytest.mark.parametrize("kind", SLOW)
def test_client_export_converted_once_and_read_as_the_file_is(kind, tmp_path):
    """The converted copy gives the criteria, the CLV inputs and the lines of the client file."""
    client, run = tmp_path / "client", tmp_path / "run"
    client.mkdir()
    run.mkdir()
    lines = _lines()
    path, read = _write(lines, client, kind)
    log = prepare_log(path, customer="客户", dates=["日期"], numbers=["金额"], read=read,
                      workdir=run)  # fmt: skip
    assert isinstance(log, PreparedLog) and log.converted
    assert log.path.parent == run and log.path.suffix == ".parquet"
    assert log.label == f"file '{path.name}'"  # the client's file, not the copy's path
    assert sorted(p.name for p in client.iterdir()) == [path.name]  # nothing next to it
    direct = transaction_features(path, **KW, read=read, as_of="2025-01-01")
    once = transaction_features(log, **KW, read=read, as_of="2025-01-01")
    pd.testing.assert_frame_equal(once.customers, direct.customers)
    pd.testing.assert_frame_equal(once.returns, direct.returns)
    end = pd.Timestamp("2024-12-31")
    pd.testing.assert_frame_equal(
        clv.rfm_summary(log, **KW, calibration_end=end),
        clv.rfm_summary(_frame_of(path, read), **KW, calibration_end=end),
    )
    got = log_columns(log, ["客户", "日期", "金额"])
    assert got["金额"].tolist() == pytest.approx(lines["金额"].tolist())
    assert (pd.to_datetime(got["日期"]) == lines["日期"]).all()
    assert got["客户"].tolist() == lines["客户"].tolist()


def _frame_of(path: Path, read: ReadOptions) -> pd.DataFrame:
    from abclab.features import prepare_source

    frame = prepare_source(path, customer="客户", dates=["日期"], numbers=["金额"], read=read)
    assert isinstance(frame, pd.DataFrame)  # the slow path, as before the copy existed
    return frame


def test_plain_log_is_not_copied(tmp_path):
    path, _ = _write(_lines(), tmp_path, "plain")
    run = tmp_path / "run"
    run.mkdir()
    log = prepare_log(path, customer="客户", dates=["日期", ""], numbers=["金额", ""],
                      workdir=run)  # fmt: skip
    assert not log.converted and log.path == path and list(run.iterdir()) == []
    assert log.relation_sql.startswith("read_csv_auto(")


def test_copy_is_never_written_next_to_the_client_file(tmp_path):
    path, _ = _write(_lines(), tmp_path, "gbk_chinese_dates")
    with pytest.raises(
        InputDataError, match=r"workdir: the folder of the client's file '开票.csv'"
    ):
        prepare_log(path, customer="客户", dates=["日期"], numbers=["金额"], workdir=tmp_path)


def test_missing_column_and_finished_run_are_named(tmp_path):
    path, read = _write(_lines(), tmp_path / ".", "gbk_chinese_dates")
    run = tmp_path / "run"
    run.mkdir()
    log = prepare_log(path, customer="客户", dates=["日期"], numbers=["金额"], workdir=run)
    with pytest.raises(InputDataError, match=r"file '开票.csv' has no column '数量'; available "
                       r"columns: '客户', '日期', '金额'"):  # fmt: skip
        log_columns(log, ["客户", "数量"])
    log.path.unlink()
    with pytest.raises(InputDataError, match=r"file '开票.csv' does not exist \(or its run"):
        transaction_features(log, **KW)
