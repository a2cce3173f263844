"""Excel workbook and provenance record of a study (abclab.report._excel / _provenance)."""

from __future__ import annotations

import copy
import hashlib
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
