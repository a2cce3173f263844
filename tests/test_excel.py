"""Excel workbook and provenance record of a study (abclab.report._excel / _xlsx / _provenance)."""

from __future__ import annotations

import copy
import datetime
import hashlib
import io
import json
import re
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from abclab.pipeline import run_study
from abclab.report._excel import write_workbook
from abclab.report._provenance import write_provenance
from abclab.study import load_study, study_from_dict

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo" / "study.yaml"


def _study():
    data = copy.deepcopy(load_study(DEMO).to_dict())
    data["methods"] = [
        {"weighted_abc": {"how": "shares"}},
        {"pareto": {"value": "annual_spend"}},
        "edas",
    ]
    data["sensitivity"] = {"draws": 50}
    return study_from_dict(data, base_dir=DEMO.parent, source=DEMO)


@pytest.fixture(scope="module")
def results():
    return run_study(_study())


@pytest.fixture(scope="module")
def workbook(results, tmp_path_factory):
    path = write_workbook(results, tmp_path_factory.mktemp("xlsx") / "demo.xlsx")
    return path


def test_sheets(workbook):
    wb = openpyxl.load_workbook(workbook)
    assert wb.sheetnames[:7] == [
        "Customers",
        "Summary",
        "AHP",
        "Weights",
        "Cleaning log",
        "Parameters",
        "Agreement",
    ]
    ws = wb["Customers"]
    assert ws.freeze_panes == "C2"  # id and name stay in view
    assert list(ws.tables) == ["T_customers"]
    table = ws.tables["T_customers"]
    assert table.ref == ws.dimensions and table.tableStyleInfo.showRowStripes
    assert ws["A1"].font.bold
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows == "$1:$1"
    # the manager's columns first: recommended tier, its name and strategy, stability, flags
    header = [c.value for c in ws[1]]
    assert header[:8] == ["Customer ID", "Name", "Status", "Tier", "Tier name", "Strategy",
                          "Stability", "Flags"]  # fmt: skip


def test_every_input_customer_once_with_values(results, workbook):
    sheet = pd.read_excel(workbook, sheet_name="Customers", dtype={"Customer ID": str})
    assert len(sheet) == results.counts["input"]
    assert sheet["Customer ID"].is_unique
    assert set(sheet["Customer ID"]) == set(results.input_customers["customer_id"])
    assert sheet["Status"].value_counts().to_dict() == {
        k: v for k, v in results.counts.items() if k != "input" and v
    }
    sheet = sheet.set_index("Customer ID")
    classified = results.criteria.index
    np.testing.assert_allclose(
        sheet.loc[classified, "Score"], results.scores.score.loc[classified], rtol=1e-12
    )
    rec = results.tiers[results.recommended].astype(str)
    assert (sheet.loc[rec.index, "Tier"] == rec).all()
    names = results.strategies.set_index("key")["name"]
    assert (sheet.loc[rec.index, "Tier name"] == rec.map(names)).all()
    stability = results.sensitivity.per_customer["stability"]
    np.testing.assert_allclose(sheet.loc[stability.index, "Stability"], stability)
    for method, header in (("pareto", "Pareto ABC"), ("edas", "EDAS")):
        tiers = results.tiers[method].astype(str)
        assert (sheet.loc[tiers.index, header] == tiers).all()
    np.testing.assert_allclose(
        sheet.loc[classified, "EDAS: score"],
        results.method_scores.loc[classified, "edas"],
        rtol=1e-12,
    )
    assert sheet["Phone"].dropna().astype(str).str.fullmatch(r"\d{3}\*{4}\d{4}").all()
    # a customer with an invoice line that looks like a keying error is flagged
    flagged = set(results.clean.flagged_lines["customer"])
    assert flagged and all("keying error" in sheet.loc[c, "Flags"] for c in flagged)


def test_ahp_sheet_names_ri_table_and_cr(results, workbook):
    ws = openpyxl.load_workbook(workbook)["AHP"]
    pairs = {}
    for row in ws.iter_rows(values_only=True):
        if row[0] in ("CR", "RI table", "RI") and row[0] not in pairs:
            pairs[row[0]] = row[1]
    assert pairs["RI table"] == "Saaty (1980)"  # the display name, as the report shows it
    assert pairs["RI"] == pytest.approx(1.12)  # Saaty (1980) RI for n = 5
    assert pairs["CR"] == pytest.approx(results.ahp["Sales director"].cr)


def test_same_study_twice_gives_identical_workbooks(results, workbook, tmp_path):
    again = write_workbook(run_study(_study()), tmp_path / "again.xlsx")
    a = openpyxl.load_workbook(workbook)
    b = openpyxl.load_workbook(again)
    for name in a.sheetnames:
        va = [list(r) for r in a[name].iter_rows(values_only=True)]
        vb = [list(r) for r in b[name].iter_rows(values_only=True)]
        assert va == vb, name
    assert workbook.read_bytes() == again.read_bytes()
    assert a.properties.created.date().isoformat() == "2025-01-01"  # as_of of the study


def test_parameters_sheet_holds_study(workbook):
    frame = pd.read_excel(workbook, sheet_name="Parameters")
    params = dict(zip(frame["Key"], frame["Value"], strict=True))
    assert params["weights.ahp.ri_table"] == "saaty1980"
    assert params["data.transactions.as_of"] == "2025-01-01"


def test_provenance_hashes_data_files(results, tmp_path):
    path = write_provenance(results, tmp_path / "provenance.json", extra={"formats": ["xlsx"]})
    record = json.loads(path.read_text(encoding="utf-8"))
    files = {f["name"]: f["sha256"] for f in record["data_files"]}
    for name in ("customers.csv", "transactions.csv"):
        expected = hashlib.sha256((DEMO.parent / name).read_bytes()).hexdigest()
        assert files[name] == expected
    assert record["seed"] == results.study.seed
    assert record["packages"]["pandas"] == pd.__version__
    assert set(record["packages"]) >= {
        "abclab",
        "numpy",
        "scipy",
        "scikit-learn",
        "duckdb",
        "openpyxl",
    }
    assert record["formats"] == ["xlsx"]
    assert record["counts"] == results.counts
    assert record["created"].endswith("Z")
    assert record["study"]["content"]["name"] == results.study.name


# --------------------------------------------------------------------------- bulk table bodies


def _mixed_frame() -> pd.DataFrame:
    """Every column kind the table writer handles, with missing values in each."""
    return pd.DataFrame(
        {
            "id": ["C1", "C2", "C3", "C4"],
            "name": ["客户甲有限公司", "A & B <co>", " padded ", None],
            "note": ["ctrl\x0bchar", "_x0041_ literal", "", "plain"],
            "amount": [1234.5, np.nan, -0.000125, 1e16],
            "share_rate": [0.5, 0.25, np.nan, 1.0],
            "count": np.array([1, -20, 300, 4], dtype=np.int64),
            "maybe": pd.array([1, None, 3, 4], dtype="Int64"),
            "flag": [True, False, True, False],
            "tier": pd.Categorical(["A", "B", None, "C"], categories=["A", "B", "C"]),
            "when": pd.to_datetime(
                [
                    datetime.datetime(2025, 1, 1),
                    None,
                    datetime.datetime(2024, 2, 29, 13, 45),
                    datetime.datetime(1999, 12, 31),
                ]
            ),
            "mixed": [1, 2.5, "x", pd.Timestamp("2025-03-01")],
        }
    )


def _cells(ws) -> list[list[tuple]]:
    """(value, type, number format) of every cell; an empty cell has no type."""
    return [
        [(c.value, None if c.value is None else c.data_type, c.number_format) for c in row]
        for row in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=ws.max_column)
    ]


def _bulk_and_cellwise(frame: pd.DataFrame, tmp_path: Path, cellwise: pd.DataFrame | None = None):
    """The frame as a bulk table sheet and as openpyxl cells (_write_frame), read back."""
    from openpyxl import Workbook

    from abclab.report import _xlsx

    wb = Workbook()
    wb.remove(wb.active)
    bodies: dict = {}
    _xlsx._table_sheet(wb, bodies, "bulk", frame)
    plain = wb.create_sheet("cells")
    _xlsx._write_frame(plain, frame if cellwise is None else cellwise, row=1, col=1)
    _xlsx._widths(plain)
    buffer = io.BytesIO()
    wb.save(buffer)
    path = tmp_path / "t.xlsx"
    with path.open("wb") as target:
        _xlsx._write_package(buffer.getvalue(), target, datetime.datetime(2025, 1, 1), bodies)
    return openpyxl.load_workbook(path), path


def test_bulk_rows_equal_openpyxl_cells(tmp_path):
    """Values, types and number formats of the bulk writer equal openpyxl's own cells."""
    frame = _mixed_frame()
    # the one intended difference: openpyxl refuses a control character (IllegalCharacter-
    # Error); the bulk writer keeps it as an ST_Xstring escape, which Excel shows decoded
    cellwise = frame.assign(note=frame["note"].replace("ctrl\x0bchar", "ctrl_x000B_char"))
    wb, path = _bulk_and_cellwise(frame, tmp_path, cellwise)
    bulk, cells = wb["bulk"], wb["cells"]
    assert _cells(bulk) == _cells(cells)
    assert bulk["C2"].value == "ctrl_x000B_char"
    assert bulk.dimensions == f"A1:K{len(frame) + 1}"
    assert bulk.freeze_panes == "A2" and bulk.tables["T_bulk"].ref == "A1:K5"
    for letter, dim in cells.column_dimensions.items():
        assert bulk.column_dimensions[letter].width == dim.width, letter
    # hand-checked cells: the CJK name is 14 wide, text is escaped and round-trips
    assert bulk["B2"].value == "客户甲有限公司" and bulk.column_dimensions["B"].width == 16
    assert bulk["B3"].value == "A & B <co>" and bulk["B4"].value == " padded "
    assert bulk["C3"].value == "_x0041_ literal" and bulk["C4"].value is None
    assert bulk["D5"].value == 1e16 and bulk["D4"].value == -0.000125
    assert bulk["E2"].number_format == "0.0%" and bulk["D2"].number_format == "#,##0.00"
    assert bulk["J4"].value == datetime.datetime(2024, 2, 29, 13, 45)
    back = pd.read_excel(path, sheet_name="bulk")
    assert back["flag"].tolist() == [True, False, True, False]
    assert back["maybe"].isna().tolist() == [False, True, False, False]


def test_bulk_rows_stream_in_chunks_in_order(tmp_path, monkeypatch):
    """Bodies longer than one chunk keep every row once, in order (chunk size forced to 7)."""
    from abclab.report import _xlsx_body

    monkeypatch.setattr(_xlsx_body, "_CHUNK_ROWS", 7)
    frame = pd.DataFrame({"k": [f"K{i}" for i in range(50)], "x": np.arange(50) / 7})
    wb, _ = _bulk_and_cellwise(frame, tmp_path)
    rows = list(wb["bulk"].iter_rows(min_row=2, values_only=True))
    assert rows == list(frame.itertuples(index=False, name=None))


def test_too_many_rows_for_a_sheet_is_a_report_error():
    from openpyxl import Workbook

    from abclab.exceptions import ReportError
    from abclab.report import _xlsx

    frame = pd.DataFrame({"x": np.zeros(1_048_576, dtype=np.int8)})
    with pytest.raises(ReportError, match=r"sheet 'Customers': 1,048,576 rows do not fit"):
        _xlsx._table_sheet(Workbook(), {}, "Customers", frame)


def test_floats_round_trip_exactly(results, workbook):
    """Scores are written with the shortest exact representation (no 16-digit rounding)."""
    sheet = pd.read_excel(workbook, sheet_name="Customers", dtype={"Customer ID": str})
    sheet = sheet.set_index("Customer ID")
    classified = results.criteria.index
    np.testing.assert_array_equal(
        sheet.loc[classified, "Score"].to_numpy(), results.scores.score.loc[classified].to_numpy()
    )


def _all_cell_text(path):
    wb = openpyxl.load_workbook(path)
    return [
        (ws.title, str(v))
        for ws in wb.worksheets
        for row in ws.iter_rows(values_only=True)
        for v in row
        if v is not None
    ]


def test_cleaning_log_never_shows_raw_contacts(results, workbook, tmp_path):
    """A duplicate record that fills a missing phone (demo: customer C0130, record C0401) puts
    the raw number into the log; the workbook shows it masked (PRODUCT.md: contacts masked
    by default, ``138****1234``). An e-mail fill/conflict added to the log is masked too."""
    import dataclasses

    from abclab.report._excel import cleaning_log

    log = results.cleaning.log
    filled = log[(log["column"] == "phone") & (log["rule"] == "duplicate_fill")]
    assert len(filled) >= 1  # the case exists in the demo data
    raw = str(filled["new_value"].iloc[0])
    assert len(raw) == 11 and raw.isdigit()
    masked = raw[:3] + "****" + raw[-4:]
    sheet = pd.read_excel(workbook, sheet_name="Cleaning log", dtype=str)
    row = sheet[(sheet["Column"] == "phone") & (sheet["Rule"] == "duplicate: gap filled")]
    assert row["New value"].tolist()[0] == masked
    cells = _all_cell_text(workbook)
    assert not [c for c in cells if raw in c[1]], "raw phone number in the workbook"
    # criteria rows of the log keep their values (only contact rows are masked)
    shown = cleaning_log(results)
    others = log["column"] != "phone"
    pd.testing.assert_frame_equal(shown[others], log[others])

    extra = pd.DataFrame(
        {
            "customer": [filled["customer"].iloc[0]] * 2,
            "column": ["email", "email"],
            "old_value": [np.nan, "li.si@example.com"],
            "new_value": ["zhang.san@example.com", "wang.wu@example.org"],
            "rule": ["duplicate_fill", "duplicate_conflict"],
            "reason": ["filled from a duplicate", "differs from a duplicate"],
        }
    )
    cleaning = dataclasses.replace(results.cleaning, log=pd.concat([log, extra], ignore_index=True))
    clean = dataclasses.replace(results.clean, cleaning=cleaning)
    path = write_workbook(dataclasses.replace(results, clean=clean), tmp_path / "m.xlsx")
    text = " ".join(v for _, v in _all_cell_text(path))
    for address in ("zhang.san@example.com", "li.si@example.com", "wang.wu@example.org", raw):
        assert address not in text
    sheet = pd.read_excel(path, sheet_name="Cleaning log", dtype=str).tail(2)
    assert sheet["New value"].tolist() == ["z***@example.com", "w***@example.org"]
    assert sheet["Old value"].tolist()[1] == "l***@example.com"


def test_zh_workbook_headers_follow_the_report_language(tmp_path):
    """language: zh -> criterion columns carry the study's labels (年消费额(元)) and report
    columns their Chinese names (状态); every input customer is still there once."""
    from abclab.pipeline import run_study

    study = Path(__file__).resolve().parents[1] / "data" / "demo" / "study_zh.yaml"
    results = run_study(study)
    path = write_workbook(results, tmp_path / "zh.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:3] == ["客户", "汇总", "层次分析"]
    assert all(not any(ch.isascii() and ch.isalpha() for ch in name) for name in wb.sheetnames)
    sheet = pd.read_excel(path, sheet_name="客户", dtype=str)
    # input in 万元: money shown in 万元 (the study's label "年消费额(元)" names the unit shown)
    assert {"年消费额(万元)", "状态", "推荐等级", "等级名称", "策略"} <= set(sheet.columns)
    assert len(sheet) == results.counts["input"]
    assert set(sheet["状态"].dropna()) <= {"已分级", "待评估", "已合并", "已排除"}
    # every header of every table sheet is Chinese, an id-like code (CR, TOPSIS) or a label
    allowed = {"AHP", "CRITIC", "TOPSIS", "ABC", "CR", "CI", "RI", "k", "Cohen", "Ultsch", "Lötsch",
               "BG", "NBD",
               "SHA"}  # fmt: skip
    for ws in wb.worksheets:
        for table in ws.tables.values():
            first = ws[table.ref.split(":")[0]].row
            for cell in ws[first]:
                shown = re.sub(r"[^\x00-\x7fö]", " ", str(cell.value or ""))
                words = re.findall(r"[^\W\d_]{2,}", shown)
                assert set(words) <= allowed, (ws.title, cell.value)
    ws = wb["客户"]
    first = {h.value: c for h, c in zip(ws[1], ws[2], strict=True)}
    spend = first["年消费额(万元)"]
    raw = results.input_customers["annual_spend"].iloc[0]
    assert spend.data_type == "n" and spend.value == pytest.approx(raw / 1e4)


# --------------------------------------------------------------------------- typed cells, formulas

#: Text that a spreadsheet would show as a number: it should have been a typed cell.
_NUMBER_TEXT = re.compile(r"\s*[-+]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?\s*%?\s*")


def test_every_numeric_cell_is_a_typed_number(workbook):
    """No number stored as text in any sheet, and no date shown with 00:00:00."""
    wb = openpyxl.load_workbook(workbook)
    texts, midnight = [], []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and _NUMBER_TEXT.fullmatch(cell.value):
                    texts.append((ws.title, cell.coordinate, cell.value))
                if isinstance(cell.value, datetime.datetime) and "h" in cell.number_format:
                    if cell.value.time() == datetime.time(0):
                        midnight.append((ws.title, cell.coordinate, cell.number_format))
    assert not texts, texts[:10]
    assert not midnight, midnight[:10]


FORMULAS = ["=HYPERLINK(\"http://x.example\",\"click\")", "+1+1", "-2+3", "@SUM(A1:A2)",
            "=cmd|' /C calc'!A0"]  # fmt: skip


def _poisoned(results):
    """The demo results with formula-like client text in names, ids and every export table."""
    import dataclasses

    inputs = results.clean.inputs.copy()
    rows = inputs.index[: len(FORMULAS)]
    inputs.loc[rows, "name"] = FORMULAS
    inputs.loc[rows, "city"] = FORMULAS
    review = pd.DataFrame(
        {"customer": [inputs.loc[rows[0], "customer_id"]], "name": [FORMULAS[0]],
         "candidate": [inputs.loc[rows[1], "customer_id"]], "candidate_name": [FORMULAS[1]],
         "rule": ["similar_name"], "evidence": [FORMULAS[2]]}
    )  # fmt: skip
    unmatched = pd.DataFrame(
        {"customer_id": ["=1+1"], "lines": [3], "amount": [12.5],
         "first_purchase": [pd.Timestamp("2024-01-02")], "last_purchase": [pd.Timestamp("2024-02-03")]}
    )  # fmt: skip
    aside = pd.DataFrame({"file": ["customers.csv"], "row": [1], "kind": ["title"],
                          "content": [FORMULAS[4]]})  # fmt: skip
    cleaning = dataclasses.replace(results.cleaning, review=review)
    clean = dataclasses.replace(results.clean, inputs=inputs, cleaning=cleaning)
    data = dataclasses.replace(results.data, unmatched=unmatched, set_aside=aside)
    return dataclasses.replace(results, clean=clean, data=data)


def test_formula_like_client_text_stays_text_in_every_sheet(results, tmp_path):
    path = write_workbook(_poisoned(results), tmp_path / "f.xlsx")
    wb = openpyxl.load_workbook(path)
    assert {"Unmatched ids", "Duplicates to review", "Rows set aside"} <= set(wb.sheetnames)
    seen: dict[str, set[str]] = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value in FORMULAS + ["=1+1"]:
                    assert cell.data_type == "s" and cell.quotePrefix, (ws.title, cell.coordinate)
                    seen.setdefault(ws.title, set()).add(cell.value)
    assert set(FORMULAS[:4]) <= seen["Customers"]
    assert seen["Unmatched ids"] == {"=1+1"}
    assert seen["Duplicates to review"] == set(FORMULAS[:3])
    assert seen["Rows set aside"] == {FORMULAS[4]}
    with zipfile.ZipFile(path) as z:
        assert not any("<f>" in z.read(n).decode("utf-8") for n in z.namelist() if "sheet" in n)
    unmatched = wb["Unmatched ids"]
    assert unmatched["D2"].value == datetime.datetime(2024, 1, 2)
    assert unmatched["D2"].number_format == "yyyy-mm-dd"


def test_analyst_checklist_lists_what_to_confirm(results, tmp_path):
    """provenance.json carries the checks; checklist.md lists flagged lines, inconsistent
    experts used anyway (zh demo: CR ≈ 0.11) and says so when there is nothing to check."""
    from abclab.report._checklist import checklist_markdown, write_checklist

    path = write_provenance(results, tmp_path / "provenance.json")
    record = json.loads(path.read_text(encoding="utf-8"))
    checks = record["checks"]
    assert checks["flagged_lines"]["count"] == len(results.clean.flagged_lines) >= 1
    assert write_checklist(path, tmp_path / "checklist.md")
    text = (tmp_path / "checklist.md").read_text(encoding="utf-8")
    customer = results.clean.flagged_lines["customer"].iloc[0]
    assert "- [ ] 1 invoice line(s) look like keying errors" in text and customer in text
    zh = run_study(ROOT / "data" / "demo" / "study_zh.yaml")
    zh_record = json.loads(write_provenance(zh, tmp_path / "zh.json").read_text(encoding="utf-8"))
    experts = zh_record["checks"]["inconsistent_experts"]["rows"]
    assert [e["expert"] for e in experts] == ["财务总监"] and experts[0]["cr"] > 0.1
    assert "财务总监：CR = 0.1" in checklist_markdown(zh_record, "zh")
    empty = {"study": {"name": "x"}, "checks": {}}
    assert "Nothing to confirm" in checklist_markdown(empty, "en")
