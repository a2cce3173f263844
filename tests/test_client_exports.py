"""A messy client export, end to end: a Chinese industrial distributor's customer master (XLSX
with a title, a date line, a merged-cell band, blank rows, a 合计 row and a note) and three years
of invoice lines (GBK CSV with Chinese dates, full-width ids, 暂无 markers, customers missing from
the master, one line keyed 100× too large), plus contact persons, ID-card numbers and phones.

Nothing here is fixed by hand: the study names the files and columns, abclab reads them. The
checks follow issue 9's "done means": every customer accounted for, unmatched ids reported,
the keyed line flagged and no genuine large account flagged, a legal-form near-duplicate
flagged for review and not merged, and no PII in any output file.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from openpyxl.styles import Font

from abclab.io import read_table_report
from abclab.pipeline import run_study
from abclab.study import load_study

N = 60
#: ID-card numbers with a valid GB 11643 check character (hand-checked), phones, persons.
ID_CARDS = ["11010519491231002X", "440524188001010014", "320311770706001"]
PHONES = [f"1391234{i:04d}" for i in range(N)]
PERSONS = ["王建国", "李秀英", "张伟", "刘洋"]


def _half(i: int) -> str:
    return f"KH{i:04d}"


def _full(text: str) -> str:
    """Full-width form of an ASCII id (ＫＨ００１２), as some exports write them."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def _master(path: Path) -> pd.DataFrame:
    rng = np.random.default_rng(9)
    rows = []
    for i in range(1, N + 1):
        cid = _full(_half(i)) if i % 10 == 3 else _half(i)  # every tenth id full-width
        rows.append(
            {
                "客户编号": cid,
                "客户名称": f"华东{('机电', '液压', '电气', '轴承')[i % 4]}设备{i}号有限公司",
                "联系人": PERSONS[i % len(PERSONS)],
                "联系电话": PHONES[i - 1],
                "身份证号": ID_CARDS[i % len(ID_CARDS)],
                "所属区域": ("华东", "华南", "华北")[i % 3],
                "行业增长率": f"{rng.normal(6, 3):.1f}%" if i % 7 else "暂无",
            }
        )
    # a different company whose name differs only by 股份 (other id, contact and phone)
    rows.append(
        {
            "客户编号": _half(N + 1),
            "客户名称": "华东机电设备4号股份有限公司",
            "联系人": "陈静",
            "联系电话": "13700001111",
            "身份证号": ID_CARDS[0],
            "所属区域": "华东",
            "行业增长率": "5.0%",
        }
    )
    frame = pd.DataFrame(rows)
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "客户档案"
    ws.append(["华东某工业品经销商 客户档案"])
    ws.append(["导出日期：2025-01-02"])
    ws.append([])
    ws.append(["基本信息", None, None, None, "联系方式", None, None])  # merged-cell band
    ws.merge_cells("A4:D4")
    ws.merge_cells("E4:G4")
    ws.append(list(frame.columns))
    for k, row in enumerate(frame.itertuples(index=False)):
        ws.append(list(row))
        if k == 20:
            ws.append([])  # a blank row inside the body
    ws.append(["合计", None, None, None, None, None, None])
    ws.append([])
    ws.append(["制表人：财务部"])
    ws["A1"].font = Font(bold=True)
    book.save(path)
    return frame


def _log(path: Path) -> pd.DataFrame:
    rng = np.random.default_rng(21)
    lines = []
    for i in range(1, N + 2):
        size = rng.lognormal(10, 1.0)  # a few genuinely large accounts
        for _ in range(int(rng.integers(6, 30))):
            day = pd.Timestamp("2022-01-01") + pd.Timedelta(days=int(rng.integers(0, 1095)))
            lines.append(
                {
                    "客户编号": _half(i),
                    "开票日期": f"{day.year}年{day.month}月{day.day}日",
                    "金额": round(float(size * rng.lognormal(0, 0.3)), 2),
                    "产品类别": ("泵", "阀", "备件")[int(rng.integers(0, 3))],
                }
            )
    lines.append(
        {"客户编号": "KH9001", "开票日期": "2024年3月5日", "金额": 1200.0, "产品类别": "泵"}
    )
    lines.append(
        {"客户编号": "KH9001", "开票日期": "2024年6月5日", "金额": 800.0, "产品类别": "阀"}
    )
    log = pd.DataFrame(lines)
    keyed = int(np.flatnonzero(log["客户编号"] == _half(5))[3])
    log.loc[keyed, "金额"] = round(float(log.loc[keyed, "金额"]) * 100, 2)  # keyed 100× too large
    text = log.astype(str)
    text.loc[7, "产品类别"] = "暂无"
    text.to_csv(path, index=False, encoding="gbk")
    return log.assign(keyed=np.arange(len(log)) == keyed)


STUDY = """\
name: 华东经销商客户分级 2024
language: zh
seed: 7
data:
  customers:
    path: 客户档案.xlsx
    columns: {客户编号: customer_id, 客户名称: name, 行业增长率: industry_growth}
  transactions:
    path: 开票明细.csv
    customer: 客户编号
    date: 开票日期
    amount: 金额
    category: 产品类别
    as_of: "2025-01-01"
id_column: customer_id
name_column: name
cleaning:
  default: {missing: pending}
  annual_spend: {outliers: iqr_log, iqr_k: 3}
criteria:
  annual_spend: {label: 年均销售额}
  tenure_years: {label: 合作年限}
  cross_purchase_rate: {label: 交叉购买率}
  recency_days: {direction: cost, label: 最近购买天数}
weights:
  values: {annual_spend: 50, tenure_years: 20, cross_purchase_rate: 15, recency_days: 15}
methods:
  - weighted_abc
  - pareto: {value: annual_spend}
  - value_potential: {value: annual_spend, potential: industry_growth}
"""


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    root = tmp_path_factory.mktemp("export")
    master = _master(root / "客户档案.xlsx")
    log = _log(root / "开票明细.csv")
    (root / "study.yaml").write_text(STUDY, encoding="utf-8")
    return root, master, log


@pytest.fixture(scope="module")
def results(export):
    return run_study(load_study(export[0] / "study.yaml"))


def test_master_layout_is_found_and_logged(export):
    root, master, _ = export
    read = read_table_report(root / "客户档案.xlsx")
    assert read.header_row == 5 and list(read.frame.columns) == list(master.columns)
    assert len(read.frame) == len(master)
    kinds = read.dropped.set_index("row")["kind"].to_dict()
    assert [kinds[r] for r in (1, 2, 3, 4)] == ["title", "title", "blank", "title"]
    assert sorted(read.dropped["kind"]) == sorted(
        ["title", "title", "blank", "title", "blank", "total", "blank", "note"]
    )
    assert read.rows[0] == 6 and read.rows[-1] == 6 + len(master)  # file rows, blank skipped


def test_note_rows_are_listed_by_their_label_only(results):
    """The reader keeps a note row's text (library output); what the study's results, and so
    every report file, list of it is its label: notes name staff."""
    rows = results.data.set_aside
    notes = rows[rows["kind"] == "note"]["content"].tolist()
    assert notes == ["制表人：***"]
    assert "财务部" not in " ".join(map(str, rows["content"]))


def test_every_customer_accounted_for(results, export):
    _, master, log = export
    counts = results.counts
    assert (
        counts["input"]
        == len(master)
        == sum(counts[s] for s in ("classified", "pending", "merged", "excluded"))
    )
    ids = set(results.input_customers["customer_id"])
    assert "KH0003" in ids and _full("KH0003") not in ids  # full-width ids matched the log
    status = results.input_customers.set_index("customer_id")["status"]
    assert status["KH0013"] == "classified"  # full-width in the master, half-width in the log


def test_unmatched_ids_are_reported_not_classified(results):
    unmatched = results.data.unmatched
    assert list(unmatched["customer_id"]) == ["KH9001"]
    assert unmatched["lines"].iloc[0] == 2 and unmatched["amount"].iloc[0] == pytest.approx(2000)
    assert "KH9001" not in set(results.tiers.index)


def test_keyed_line_flagged_and_no_genuine_account_flagged(results, export):
    _, _, log = export
    flagged = results.clean.flagged_lines
    keyed = log[log["keyed"]]
    assert list(flagged["customer"]) == ["KH0005"]
    assert flagged["amount"].iloc[0] == pytest.approx(float(keyed["金额"].iloc[0]))
    assert flagged["multiple"].iloc[0] > 50
    outliers = results.cleaning.log
    assert not (outliers["rule"].astype(str).str.contains("outlier")).any()


def test_legal_form_near_duplicate_is_reviewed_not_merged(results):
    status = results.input_customers.set_index("customer_id")["status"]
    assert status["KH0061"] != "merged" and status["KH0004"] != "merged"
    review = results.cleaning.review
    pair = {frozenset((a, b)) for a, b in zip(review["customer"], review["candidate"], strict=True)}
    assert frozenset(("KH0004", "KH0061")) in pair


def test_chinese_dates_and_missing_markers_read(results):
    assert results.criteria["tenure_years"].between(0, 3.1).all()
    no_growth = {_half(i) for i in range(7, N + 1, 7)}  # their growth is 暂无
    placed = results.tiers["value_potential"].astype(str)
    assert set(placed[placed == "n/a"].index) == no_growth  # missing, not an error


@pytest.mark.slow
def test_report_has_no_pii_in_any_output(export, tmp_path):
    root, master, _ = export
    out = tmp_path / "report"
    run = subprocess.run(
        [sys.executable, "-m", "abclab.cli", "report", str(root / "study.yaml"), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    planted = [*PHONES, *ID_CARDS, "13700001111", "陈静", *PERSONS]
    for path in out.rglob("*"):
        if not path.is_file():
            continue
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as z:
                text = " ".join(z.read(n).decode("utf-8", "ignore") for n in z.namelist())
        elif path.suffix == ".pdf":
            text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True,
                                  text=True).stdout  # fmt: skip
        else:
            text = path.read_text(encoding="utf-8", errors="ignore")
        leaked = [p for p in planted if p in text]
        assert not leaked, f"{path.name} shows {leaked[:3]}"
    provenance = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
    assert provenance


def test_validate_reads_the_client_files_as_the_run_does(export):
    """``abclab validate`` reads the GBK log with Chinese dates through the same reader."""
    root, master, _ = export
    run = subprocess.run(
        [sys.executable, "-m", "abclab.cli", "validate", str(root / "study.yaml")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert f"{len(master)} customers in the data" in run.stdout


def test_misspelt_pii_column_is_an_error(export, tmp_path):
    """A ``pii`` name that is not a column would leave data unmasked: stop and say so."""
    root, _, _ = export
    study = (root / "study.yaml").read_text(encoding="utf-8") + "pii: [身份证]\n"
    (root / "typo.yaml").write_text(study, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "abclab.cli", "validate", str(root / "typo.yaml")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 2
    line = len(study.splitlines())  # the pii key, written last
    problem = next(x for x in run.stderr.splitlines() if "'身份证'" in x)
    assert "typo.yaml: pii[0]: column '身份证' not in the data" in problem
    assert problem.endswith(f"(line {line})")
    assert "Traceback" not in run.stderr


def test_log_reading_methods_read_the_client_log_as_the_criteria_do(export):
    """churn_risk reads the GBK log with Chinese dates through the same reader as the
    criteria (it used to hand DuckDB the raw file, which cannot decode GBK)."""
    root, _, _ = export
    study = STUDY.replace("  - weighted_abc\n", "  - weighted_abc\n  - churn_risk\n")
    (root / "churn.yaml").write_text(study, encoding="utf-8")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # few repeat buyers: the day rules, with a warning
        results = run_study(load_study(root / "churn.yaml"))
    tiers = results.tiers.loc[results.criteria.index, "churn_risk"].astype(str)
    assert tiers.notna().all() and set(tiers) <= {"stable", "watch", "at risk", "高稳定客户",
                                                   "关注客户", "流失风险客户"}  # fmt: skip


def test_run_reads_the_client_log_once(export, monkeypatch):
    """The GBK log with Chinese dates goes through the reader once per run, whatever reads it
    (criteria twice around the duplicate merge, recent_average, line flags, churn_risk); the
    criteria are those derived from the client file directly."""
    import warnings

    import abclab.io._read as io_read
    from abclab.features import from_transactions

    root, _, _ = export
    study = STUDY.replace("  - weighted_abc\n", "  - weighted_abc\n  - churn_risk\n").replace(
        "  annual_spend: {outliers: iqr_log, iqr_k: 3}",
        "  annual_spend: {outliers: iqr_log, iqr_k: 3, missing: recent_average}",
    )
    (root / "once.yaml").write_text(study, encoding="utf-8")
    reads: list[str] = []
    read_csv = io_read._read_csv
    monkeypatch.setattr(io_read, "_read_csv",
                        lambda path, *a, **k: reads.append(Path(path).name) or read_csv(path, *a, **k))  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = run_study(load_study(root / "once.yaml"))
    assert reads == ["开票明细.csv"]
    direct = from_transactions(root / "开票明细.csv", customer="客户编号", date="开票日期",
                               amount="金额", category="产品类别", as_of="2025-01-01")  # fmt: skip
    frame = results.data.frame.set_index("customer_id")
    for column in ("annual_spend", "tenure_years", "cross_purchase_rate", "recency_days"):
        got = frame[column].dropna()
        want = direct[column].rename(index=str).reindex(got.index)
        np.testing.assert_allclose(got.to_numpy(float), want.to_numpy(float), rtol=1e-12)
    assert len(results.clean.flagged_lines) >= 1
