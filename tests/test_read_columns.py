"""Columns a method reads beyond the criteria are read like the criteria (reader options, file rows).

Found by running a German distributor's export (``;`` CSV, decimal commas, ``2,5 %`` growth
figures, ``k.A.`` for "keine Angabe") through ``abclab report``: the potential column of
``value_potential`` was parsed without the file's decimal mark, so the run stopped in the
kernel after the study had been validated.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from abclab.exceptions import AbclabError
from abclab.pipeline import run_study
from abclab.pipeline.check import check_data
from abclab.study import load_study

STUDY = """
name: Reader options on method columns
data:
  customers:
    path: kunden.csv
    sep: ";"
    decimal: ","
    {missing}
    columns: {{Kundennr: customer_id, Umsatz: annual_spend, Marge: margin, Wachstum: growth}}
id_column: customer_id
criteria:
  annual_spend: {{direction: benefit}}
  margin: {{direction: benefit}}
weights: {{values: {{annual_spend: 0.6, margin: 0.4}}}}
methods:
  - value_potential: {{value: annual_spend, potential: growth}}
recommended: value_potential
"""


def _write(tmp_path: Path, *, missing: str = "") -> Path:
    lines = ["Kundenliste 2024;;;", ";;;", "Kundennr;Umsatz;Marge;Wachstum"]
    growth = ["2,5 %", "-1,0 %", "k.A.", "12,0 %", "0,5 %", "3,0 %"]
    for i, g in enumerate(growth):
        lines.append(f"K{i};{i + 1}.500,25;0,{i + 1};{g}")
    (tmp_path / "kunden.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    path = tmp_path / "study.yaml"
    path.write_text(STUDY.format(missing=missing), encoding="utf-8")
    return path


def test_unknown_marker_in_a_method_column_is_caught_by_validate_with_its_file_row(tmp_path):
    """The bad cell is named at ``abclab validate`` time, by the row a client finds in the file
    (title row 1, blank row 2, header row 3: the third data row is file row 6)."""
    check = check_data(load_study(_write(tmp_path)))
    assert len(check.problems) == 1, check.problems  # no follow-on "column not in the data"
    problem = check.problems[0]
    assert "kunden.csv" in problem and "'growth'" in problem and "row 6 of the file" in problem
    assert "'k.A.'" in problem and "missing_values" in problem


def test_method_column_is_read_with_the_files_decimal_mark(tmp_path):
    """``2,5 %`` with ``decimal: ","`` is 0.025 (hand-computed), as the criteria are read."""
    study = load_study(_write(tmp_path, missing="missing_values: [k.A.]"))
    assert check_data(study).ok
    results = run_study(study)
    growth = results.data.frame.set_index("customer_id")["growth"]
    expected = pd.Series([0.025, -0.01, float("nan"), 0.12, 0.005, 0.03],
                         index=[f"K{i}" for i in range(6)])  # fmt: skip
    pd.testing.assert_series_equal(growth.astype(float), expected, check_names=False,
                                   check_index_type=False)  # fmt: skip
    assert results.tiers["value_potential"].loc["K2"] == "n/a"


def test_without_the_marker_the_run_stops_naming_the_cell(tmp_path):
    with pytest.raises(AbclabError, match=r"row 6 of the file.*'k\.A\.'"):
        run_study(load_study(_write(tmp_path)))


LOG_STUDY = """
name: Flagged line rows
data:
  transactions: {{path: {log}, customer: Kunde, date: Datum, amount: Umsatz{options},
                 as_of: "2025-01-01"}}
criteria:
  annual_spend: {{direction: benefit}}
  purchase_count: {{direction: benefit}}
weights: {{values: {{annual_spend: 0.5, purchase_count: 0.5}}}}
methods: [pareto]
recommended: pareto
"""


def _lines() -> list[tuple[str, str, str]]:
    rows = []
    for c in range(12):
        for m in range(1, 13):
            rows.append((f"K{c:02d}", f"2024-{m:02d}-15", f"{100 + 10 * c + m}.00"))
    rows[40] = ("K03", "2024-05-15", "150000.00")  # keyed ~1000x too large
    return rows


@pytest.mark.parametrize("layout", ["plain", "export"])
def test_flagged_line_names_the_row_of_the_clients_file(tmp_path, layout):
    """The flagged line's ``row`` is the row a client finds in the file: row 42 of a plain CSV
    (header on row 1, the 41st line), row 45 of an export with two title rows and a blank row
    above the header and decimal commas (read through abclab.io), hand-counted."""
    rows = _lines()
    if layout == "plain":
        text = "Kunde,Datum,Umsatz\n" + "".join(f"{a},{b},{c}\n" for a, b, c in rows)
        options, expected = "", 42
    else:
        body = "".join(f"{a};{b};{c.replace('.', ',')}\n" for a, b, c in rows)
        text = "Umsatzliste 2024;;\nExport vom 05.01.2025;;\n;;\nKunde;Datum;Umsatz\n" + body
        text += "Summe;;349.226,00\n"
        options, expected = ', sep: ";", decimal: ","', 45
    (tmp_path / "log.csv").write_text(text, encoding="utf-8")
    study = tmp_path / "study.yaml"
    study.write_text(LOG_STUDY.format(log="log.csv", options=options), encoding="utf-8")
    results = run_study(load_study(study))
    flagged = results.clean.flagged_lines
    assert flagged["customer"].tolist() == ["K03"]
    assert flagged["row"].tolist() == [expected]
    assert text.splitlines()[expected - 1].startswith("K03")
    aside = results.data.set_aside
    if layout == "export":  # the log's title, blank and total rows are listed, not dropped
        assert aside[["file", "row", "kind"]].values.tolist() == [
            ["log.csv", 1, "title"], ["log.csv", 2, "title"], ["log.csv", 3, "blank"],
            ["log.csv", 4 + len(rows) + 1, "total"]]  # fmt: skip
    else:
        assert aside.empty
