"""The abclab command line (abclab.cli)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

import abclab.report
from abclab import cli
from abclab.study import load_study

ROOT = Path(__file__).resolve().parents[1]

#: Flores, Olson & Dorai (1992) AHP judgements, order critical factor, lead time, annual dollar
#: usage, unit cost (as transcribed in gwr3n/inventoryanalytics; see shared/data/README.md):
#: principal-eigenvector weights ~ 0.420, 0.410, 0.092, 0.079 and CR ~ 0.05 with Saaty's RI.
FLORES_CSV = ",cf,lt,adu,uc\ncf,1,1,3,8\nlt,1,1,6,4\nadu,1/3,1/6,1,1\nuc,1/8,1/4,1,1\n"
FLORES_YAML = """judgements:
  "cf = lt": 1
  "cf > adu": 3
  "cf > uc": 8
  "lt > adu": 6
  "lt > uc": 4
  "adu = uc": 1
"""


def _run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("name", "text"), [("flores.csv", FLORES_CSV), ("flores.yaml", FLORES_YAML)]
)
def test_ahp_prints_weights_and_cr(tmp_path, capsys, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    code, out, err = _run(capsys, "ahp", str(path))
    assert code == 0, err
    assert "CR = 0.0490 (RI = 0.9000 from saaty1980); acceptable" in out  # CI 0.0441 / RI 0.90
    assert "lambda_max = 4.1323" in out
    weights = dict(line.split() for line in out.splitlines()[2:6])
    assert [round(float(weights[k]), 3) for k in ("cf", "lt", "adu", "uc")] == [
        0.420,
        0.410,
        0.092,
        0.079,
    ]


def test_ahp_inconsistent_matrix_shows_repairs(tmp_path, capsys):
    """The demo finance director (CR 0.1134 with Saaty's RI 1.12 for n = 5) gets repair advice."""
    study = load_study(ROOT / "data" / "demo" / "study.yaml")
    matrix = {e.name: e.matrix for e in study.weights.ahp.experts}["Finance director"]
    path = tmp_path / "finance.csv"
    matrix.to_csv(path)
    code, out, _ = _run(capsys, "ahp", str(path), "--top", "2")
    assert code == 0
    assert "CR = 0.1134 (RI = 1.1200 from saaty1980); inconsistent" in out
    assert "most inconsistent judgements" in out
    assert "cross_purchase_rate" in out.split("most inconsistent judgements")[1]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            ",a,b\na,1,x\nb,1,1\n",
            "abclab: error: m.csv: cell [a, b] (row 1, column 2): expected a number or fraction like 1/3, got 'x'\n",
        ),
        (
            ",a,b\nb,1,2\na,1/2,1\n",
            "abclab: error: m.csv: row labels ['b', 'a'] differ from column labels ['a', 'b']\n",
        ),
    ],
)
def test_ahp_bad_matrix_one_line(tmp_path, capsys, text, message):
    path = tmp_path / "m.csv"
    path.write_text(text, encoding="utf-8")
    code, out, err = _run(capsys, "ahp", str(path))
    assert code == 2
    assert err == message
    assert "Traceback" not in err


def test_missing_file_exit_2(capsys):
    code, _, err = _run(capsys, "ahp", "/nonexistent/j.yaml")
    assert code == 2
    assert err == "abclab: error: judgements file not found: /nonexistent/j.yaml\n"


def test_init_writes_a_study_that_loads(tmp_path, capsys):
    target = tmp_path / "proj" / "study.yaml"
    code, out, err = _run(capsys, "init", str(target))
    assert code == 0, err
    study = load_study(target)
    assert study.name.startswith("Demo company")
    assert all(p.is_file() for p in study.data.paths)  # demo data written next to the study
    assert str(target) in out
    code, _, err = _run(capsys, "init", str(target))
    assert code == 2 and "already exists; pass --force" in err


def test_classify_pareto_to_csv(tmp_path, capsys):
    data = tmp_path / "items.csv"
    pd.DataFrame({"sku": ["a", "b", "c", "d"], "value": [70, 20, 6, 4]}).to_csv(data, index=False)
    out_file = tmp_path / "classes.csv"
    code, out, err = _run(
        capsys, "classify", str(data), "--value", "value", "--id", "sku", "--out", str(out_file)
    )
    assert code == 0, err
    result = pd.read_csv(out_file)
    # cumulative share before each item: 0, .70, .90, .96 -> A (<.8), A, B (<.95), C
    assert result["tier"].tolist() == ["A", "A", "B", "C"]
    assert "4 rows classified by pareto (A: 2, B: 1, C: 1)" in out


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_classify_keeps_formula_like_ids_as_text(tmp_path, capsys, suffix):
    """Ids such as ``=HYPERLINK(...)`` or ``@SUM(A1)`` from the client's file stay text: a
    leading ``'`` in CSV (OWASP), a text cell with quotePrefix in XLSX; numbers stay numbers."""
    import openpyxl

    ids = ['=HYPERLINK("http://x.example","x")', "+1+1", "-2", "@SUM(A1)", "plain"]
    data = tmp_path / "items.csv"
    pd.DataFrame({"sku": ids, "value": [70, 20, 6, 3, 1]}).to_csv(data, index=False)
    out_file = tmp_path / f"classes{suffix}"
    code, _, err = _run(capsys, "classify", str(data), "--value", "value", "--id", "sku",
                        "--out", str(out_file))  # fmt: skip
    assert code == 0, err
    if suffix == ".csv":
        back = pd.read_csv(out_file, dtype={"sku": str})
        assert back["sku"].tolist() == ["'" + i for i in ids[:4]] + ["plain"]
        assert back["value"].tolist() == [70, 20, 6, 3, 1]
        return
    ws = openpyxl.load_workbook(out_file)["classes"]
    cells = [row[0] for row in ws.iter_rows(min_row=2)]
    assert [c.value for c in cells] == ids
    assert all(c.data_type == "s" for c in cells)
    assert all(c.quotePrefix for c in cells[:4]) and not cells[4].quotePrefix
    assert [row[1].value for row in ws.iter_rows(min_row=2)] == [70, 20, 6, 3, 1]


def test_classify_unknown_column(tmp_path, capsys):
    data = tmp_path / "items.csv"
    pd.DataFrame({"sku": ["a"], "value": [1]}).to_csv(data, index=False)
    code, _, err = _run(
        capsys, "classify", str(data), "--value", "spend", "--out", str(tmp_path / "o.csv")
    )
    assert code == 2
    assert err.startswith(f"abclab: error: {data}: column 'spend' not found (columns: sku, value)")
    assert err.count("\n") == 1


def test_report_bad_study_one_line(tmp_path, capsys):
    study = tmp_path / "study.yaml"
    study.write_text(
        "name: x\ndata: {customers: {path: c.csv}}\ncriteria: {spend: {direction: up}}\n",
        encoding="utf-8",
    )
    code, _, err = _run(capsys, "report", str(study), "--out", str(tmp_path / "r"))
    assert code == 2
    assert (
        err.splitlines()[-1]
        == "abclab: error: study.yaml: criteria.spend.direction: expected 'benefit' or 'cost', got 'up' (line 3)"
    )
    assert "Traceback" not in err


def test_report_progress_and_outputs(tmp_path, capsys, monkeypatch):
    """`report` forwards formats and a progress callable; paths are printed one per line."""
    calls = {}

    def fake_run_report(study_path, out_dir, *, formats, progress, debug=False):
        calls.update(study=study_path, out=out_dir, formats=formats)
        progress("notebook")
        return abclab.report.ReportFiles(
            directory=Path(out_dir),
            notebook=Path(out_dir) / "report.ipynb",
            provenance=Path(out_dir) / "provenance.json",
        )

    monkeypatch.setattr(abclab.report, "run_report", fake_run_report)
    study = tmp_path / "s.yaml"
    study.write_text(
        (ROOT / "data" / "demo" / "study.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    for name in ("customers.csv", "transactions.csv", "classes_2023.csv"):  # checked up front
        (tmp_path / name).write_bytes((ROOT / "data" / "demo" / name).read_bytes())
    code, out, err = _run(
        capsys, "report", str(study), "--out", str(tmp_path), "--format", "html,xlsx"
    )
    assert code == 0
    assert calls["formats"] == ("html", "xlsx")
    assert err == ""  # progress is quiet when stderr is not a terminal
    assert out.splitlines() == [str(tmp_path / "report.ipynb"), str(tmp_path / "provenance.json")]


def test_progress_printer_on_a_terminal_and_quiet_otherwise():
    import io

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    ticks = iter([0.0, 1.25, 2.5])
    tty = Terminal()
    progress = cli.ProgressPrinter(tty, clock=lambda: next(ticks))
    progress("pipeline: data")
    progress("section: Data quality")
    assert tty.getvalue().splitlines() == [
        "[   1.2s] pipeline: data",
        "[   2.5s] section: Data quality",
    ]
    pipe = io.StringIO()
    cli.ProgressPrinter(pipe)("anything")
    assert pipe.getvalue() == ""


def test_report_missing_data_file_fails_before_the_kernel(tmp_path, capsys, monkeypatch):
    """The study loads but its data file is absent: one line naming the file, exit 2, and the
    notebook is never started (run_report is not called)."""
    monkeypatch.setattr(abclab.report, "run_report", lambda *a, **k: pytest.fail("ran"))
    study = tmp_path / "s.yaml"
    study.write_text(
        (ROOT / "data" / "demo" / "study.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    code, _, err = _run(capsys, "report", str(study), "--out", str(tmp_path / "r"))
    assert code == 2
    assert "data file not found" in err and "customers.csv" in err
    assert "Traceback" not in err


def test_report_bad_format(capsys):
    code, _, err = _run(capsys, "report", "s.yaml", "--out", "x", "--format", "html,docx")
    assert code == 2
    assert "--format: expected a comma-separated subset of html,pdf,xlsx, got 'html,docx'" in err


def test_internal_error_hint_and_debug(monkeypatch, capsys):
    def boom(*args, **kwargs):
        raise KeyError("oops")

    monkeypatch.setattr(abclab.report, "run_report", boom)
    no_data = SimpleNamespace(data=SimpleNamespace(paths=[]))
    monkeypatch.setattr("abclab.cli.load_study", lambda path: no_data)
    monkeypatch.setattr("abclab.cli.check_data", lambda study: SimpleNamespace(ok=True))
    code, _, err = _run(capsys, "report", "s.yaml", "--out", "x")
    assert code == 1
    assert "abclab: internal error: KeyError: 'oops'" in err
    assert "rerun with --debug" in err and "Traceback" not in err
    code, _, err = _run(capsys, "report", "s.yaml", "--out", "x", "--debug")
    assert code == 1 and "Traceback" in err


def test_entry_point_subprocess(tmp_path):
    path = tmp_path / "j.yaml"
    path.write_text("judgements: {'a > b': 0}\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "abclab.cli", "ahp", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert (
        proc.stderr
        == "abclab: error: j.yaml: judgements.a > b: expected a positive judgement (Saaty scale 1/9..9), got 0\n"
    )


def test_classify_missing_values_error_or_d(tmp_path, capsys):
    """A blank value stops with the data row named; with --missing D the row is class D
    (ABCD, source 004) and nothing is dropped. Pareto by hand: 100/160 = 0.625 < 0.8 -> A;
    cumulative share before 50 is 0.625 < 0.8 -> A; before 10 it is 0.9375 < 0.95 -> B."""
    data = tmp_path / "m.csv"
    data.write_text("id,spend\nc1,100\nc2,\nc3,50\nc4,10\n", encoding="utf-8")
    out_file = tmp_path / "o.csv"
    args = ["classify", str(data), "--value", "spend", "--id", "id", "--out", str(out_file)]
    code, _, err = _run(capsys, *args)
    assert code == 2 and "data row 2 (spreadsheet row 3)" in err and "--missing D" in err
    code, out, _ = _run(capsys, *args, "--missing", "D")
    assert code == 0
    got = pd.read_csv(out_file)
    assert got["tier"].tolist() == ["A", "D", "A", "B"]


def test_ahp_verdict_uses_size_dependent_threshold(tmp_path, capsys):
    """Saaty (1994): CR must be <= 0.05 for n = 3. This 3×3 matrix has 0.05 < CR < 0.10, so the
    verdict is 'inconsistent' although CR < 0.10."""
    path = tmp_path / "j.csv"
    path.write_text(",a,b,c\na,1,3,4\nb,1/3,1,3\nc,1/4,1/3,1\n", encoding="utf-8")
    from abclab import ahp

    expected = ahp.weights([[1, 3, 4], [1 / 3, 1, 3], [1 / 4, 1 / 3, 1]], warn=False)
    assert 0.05 < expected.cr < 0.10
    code, out, _ = _run(capsys, "ahp", str(path))
    assert code == 0
    assert "inconsistent (CR > 0.05 for n = 3)" in out


def test_warnings_are_one_line(tmp_path, capsys):
    """A DataQualityWarning from reading is printed as 'abclab: warning: ...' on one line."""
    data = tmp_path / "w.csv"
    rows = "\n".join(f"c{i},{v}" for i, v in enumerate(["¥1200", "15%"] + ["10"] * 18 + ["x"]))
    data.write_text("id,spend\n" + rows + "\n", encoding="utf-8")
    code, _, err = _run(
        capsys,
        "classify",
        str(data),
        "--value",
        "spend",
        "--id",
        "id",
        "--out",
        str(tmp_path / "o.csv"),
        "--missing",
        "D",
    )
    assert code == 0
    warning_lines = [line for line in err.splitlines() if "warning" in line]
    assert warning_lines and all(line.startswith("abclab: warning: ") for line in warning_lines)
    assert "cli.py" not in err
