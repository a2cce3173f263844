"""The transaction log is read once per run (abclab.pipeline.read.open_log).

The zh demo study on a copy of its log as a client would export it (GBK, Chinese dates):
every consumer — criteria, CLV criteria (``p_alive``, ``clv_12m``), the ``recent_average``
rule, the line flags, ``churn_risk`` and ``credit_grade`` — reads the one converted copy, the
client file goes through the reader once, the copy is removed at the end of the run and never
written next to the client's file, and the results are those of the plain UTF-8 log.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

import abclab.io._read as io_read
import abclab.pipeline.read as pipeline_read
from abclab.pipeline import run_study
from abclab.study import load_study

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"


def _study_text(log: str) -> str:
    """study_zh.yaml reading ``log``, with every consumer of the log switched on."""
    text = (DEMO / "study_zh.yaml").read_text(encoding="utf-8")
    text = text.replace("    path: transactions.csv\n", f"    path: {log}\n")
    text = text.replace("    profit: profit\n",
                        "    profit: profit\n    due_date: due_date\n    paid_date: paid_date\n")  # fmt: skip
    text = text.replace(
        "  annual_spend: {missing: pending,", "  annual_spend: {missing: recent_average,"
    )
    text = text.replace(
        "  on_time_payment_rate: {direction: benefit, normalise: minmax, label: 回款及时率}\n",
        "  on_time_payment_rate: {direction: benefit, normalise: minmax, label: 回款及时率}\n"
        "  p_alive: {direction: benefit, normalise: minmax, label: 活跃概率}\n"
        "  clv_12m: {direction: benefit, normalise: minmax, label: 未来12个月价值}\n",
    )
    start, end = text.index("weights:\n"), text.index("methods:\n")
    weights = ("weights:\n  values: {annual_spend: 30, margin: 20, tenure_years: 10, "
               "cross_purchase_rate: 10, on_time_payment_rate: 10, p_alive: 10, clv_12m: 10}\n\n")  # fmt: skip
    text = text[:start] + weights + text[end:]
    return text.replace("  - churn_risk:", "  - credit_grade\n  - churn_risk:")


@pytest.fixture(scope="module")
def studies(tmp_path_factory):
    """(client folder, study on the GBK export of the log, study on the plain log)."""
    root = tmp_path_factory.mktemp("client")
    master = pd.read_csv(DEMO / "customers_export_gbk.csv", encoding="gbk", dtype=str,
                         keep_default_na=False)  # fmt: skip
    master.loc[0, "年消费额(万元)"] = ""  # imputed by recent_average from the log
    master.to_csv(root / "customers_export_gbk.csv", index=False, encoding="gbk")
    (root / "plain.csv").write_bytes((DEMO / "transactions.csv").read_bytes())
    log = pd.read_csv(DEMO / "transactions.csv", dtype=str, keep_default_na=False)
    for column in ("date", "due_date", "paid_date"):
        days = pd.to_datetime(log[column].replace("", None))
        log[column] = [f"{d.year}年{d.month}月{d.day}日" if pd.notna(d) else "" for d in days]
    log.to_csv(root / "开票明细.csv", index=False, encoding="gbk")
    (root / "export.yaml").write_text(_study_text("开票明细.csv"), encoding="utf-8")
    (root / "plain.yaml").write_text(_study_text("plain.csv"), encoding="utf-8")
    return root, root / "export.yaml", root / "plain.yaml"


def _run(path: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # demo data quality warnings are not the point here
        return run_study(load_study(path))


@pytest.fixture(scope="module")
def counted(studies):
    """The export study's results, the client-file reads, and the prepared log of the run."""
    root, export, _ = studies
    reads: list[str] = []
    logs = []
    read_csv, prepare = io_read._read_csv, pipeline_read.prepare_log

    def counting_read_csv(path, *args, **kwargs):
        reads.append(Path(path).name)
        return read_csv(path, *args, **kwargs)

    def recording_prepare(*args, **kwargs):
        logs.append(prepare(*args, **kwargs))
        return logs[-1]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(io_read, "_read_csv", counting_read_csv)
        mp.setattr(pipeline_read, "prepare_log", recording_prepare)
        before = sorted(p.name for p in root.iterdir())
        results = _run(export)
    return results, reads, logs, before


def test_client_log_is_read_once_per_run(counted):
    results, reads, logs, _ = counted
    assert reads.count("开票明细.csv") == 1, reads
    assert reads.count("customers_export_gbk.csv") == 1, reads
    # every consumer was there: merged duplicates (the criteria derived twice), CLV criteria,
    # recent_average imputations, and both log-reading methods
    assert results.notes and "merged" in results.notes[0]
    assert {"p_alive", "clv_12m"} <= set(results.criteria.columns)
    assert (results.cleaning.log["rule"] == "missing_recent_average").any()
    assert {"churn_risk", "credit_grade"} <= set(results.tiers.columns)
    assert len(logs) == 1 and logs[0].converted


def test_converted_copy_is_removed_and_never_next_to_the_client_file(counted, studies):
    root = studies[0]
    _, _, logs, before = counted
    copy = logs[0].path
    assert root not in copy.parents
    assert not copy.exists() and not copy.parent.exists()
    assert sorted(p.name for p in root.iterdir()) == before


def test_copy_removed_when_the_run_fails(studies, monkeypatch):
    """A step that fails after the read still leaves no temporary copy behind."""
    _, export, _ = studies
    logs = []
    prepare = pipeline_read.prepare_log
    monkeypatch.setattr(pipeline_read, "prepare_log",
                        lambda *a, **k: logs.append(prepare(*a, **k)) or logs[-1])  # fmt: skip

    def broken(*args, **kwargs):
        assert logs[0].path.exists()  # the copy is there while the steps read it
        raise RuntimeError("boom")

    monkeypatch.setattr("abclab.pipeline.weight_step", broken)
    with pytest.raises(RuntimeError, match="weights: .*boom"):
        _run(export)
    assert not logs[0].path.parent.exists()


def test_results_equal_those_of_the_plain_log(counted, studies):
    """Read once through abclab.io and Parquet, the GBK export gives the plain log's results."""
    exported = counted[0]
    plain = _run(studies[2])
    pd.testing.assert_frame_equal(exported.data.frame, plain.data.frame)
    pd.testing.assert_frame_equal(exported.criteria, plain.criteria)
    pd.testing.assert_frame_equal(exported.tiers, plain.tiers)
    pd.testing.assert_frame_equal(exported.classification.method_scores,
                                  plain.classification.method_scores)  # fmt: skip
    pd.testing.assert_frame_equal(exported.cleaning.log, plain.cleaning.log)
    # the line dates: nanoseconds as parsed from the export, microseconds as DuckDB's DATE
    flagged = [r.clean.flagged_lines.astype({"date": "datetime64[us]"}) for r in (exported, plain)]
    pd.testing.assert_frame_equal(*flagged)
    assert len(flagged[0]) > 0  # the demo log has keyed lines to compare
