"""Excel workbook and provenance record of a study (abclab.report._excel / _xlsx / _provenance)."""

from __future__ import annotations

import copy
import datetime
import hashlib
import io
import json
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
    assert ws.freeze_panes == "B2"
    assert ws.auto_filter.ref.startswith("A1:")
    assert ws["A1"].font.bold


def test_every_input_customer_once_with_values(results, workbook):
    sheet = pd.read_excel(workbook, sheet_name="Customers", dtype={"customer_id": str})
    assert len(sheet) == results.counts["input"]
    assert sheet["customer_id"].is_unique
    assert set(sheet["customer_id"]) == set(results.input_customers["customer_id"])
    assert sheet["status"].value_counts().to_dict() == {
        k: v for k, v in results.counts.items() if k != "input" and v
    }
    sheet = sheet.set_index("customer_id")
    classified = results.criteria.index
    np.testing.assert_allclose(
        sheet.loc[classified, "score"], results.scores.score.loc[classified], rtol=1e-12
    )
    for method in results.tiers.columns:
        tiers = results.tiers[method].astype(str)
        assert (sheet.loc[tiers.index, f"tier_{method}"] == tiers).all()
    np.testing.assert_allclose(
        sheet.loc[classified, "score_edas"],
        results.method_scores.loc[classified, "edas"],
        rtol=1e-12,
    )
    assert sheet["phone"].dropna().astype(str).str.fullmatch(r"\d{3}\*{4}\d{4}").all()


def test_ahp_sheet_names_ri_table_and_cr(results, workbook):
    ws = openpyxl.load_workbook(workbook)["AHP"]
    pairs = {}
    for row in ws.iter_rows(values_only=True):
        if row[0] in ("CR", "RI table", "RI") and row[0] not in pairs:
            pairs[row[0]] = row[1]
    assert pairs["RI table"] == "saaty1980"
    assert pairs["RI"] == pytest.approx(1.12)  # Saaty (1980) RI for n = 5
    assert pairs["CR"] == pytest.approx(results.ahp["sales_director"].cr)


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
    params = dict(zip(frame["key"], frame["value"], strict=True))
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
    assert bulk.freeze_panes == "A2" and bulk.auto_filter.ref == "A1:K5"
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
    from abclab.report import _xlsx

    monkeypatch.setattr(_xlsx, "_CHUNK_ROWS", 7)
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
    sheet = pd.read_excel(workbook, sheet_name="Customers", dtype={"customer_id": str})
    sheet = sheet.set_index("customer_id")
    classified = results.criteria.index
    np.testing.assert_array_equal(
        sheet.loc[classified, "score"].to_numpy(), results.scores.score.loc[classified].to_numpy()
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
    row = sheet[(sheet["column"] == "phone") & (sheet["rule"] == "duplicate_fill")]
    assert row["new_value"].tolist()[0] == masked
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
    assert sheet["new_value"].tolist() == ["z***@example.com", "w***@example.org"]
    assert sheet["old_value"].tolist()[1] == "l***@example.com"


def test_zh_workbook_headers_follow_the_report_language(tmp_path):
    """language: zh -> criterion columns carry the study's labels (年消费额(元)) and report
    columns their Chinese names (状态); every input customer is still there once."""
    from abclab.pipeline import run_study

    study = Path(__file__).resolve().parents[1] / "data" / "demo" / "study_zh.yaml"
    results = run_study(study)
    path = write_workbook(results, tmp_path / "zh.xlsx")
    sheet = pd.read_excel(path, sheet_name="Customers", dtype=str)
    assert {"年消费额(元)", "状态"} <= set(sheet.columns)
    assert len(sheet) == results.counts["input"]
