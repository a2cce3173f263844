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
