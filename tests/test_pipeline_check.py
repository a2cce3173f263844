"""``abclab validate`` data checks (abclab.pipeline.check.check_data): each problem names the
study key that names the column, with that key's line in the study file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from abclab.config import load_study
from abclab.pipeline.check import check_data

STUDY = """\
name: check
data:
  customers:
    path: customers.csv
    columns:
      客户编号: customer_id
      客户名: name
      销售额: spend
  transactions:
    path: log.csv
    customer: customer_id
    date: date
    amount: amt
id_column: customer_id
name_column: name
pii: [电话, 邮件]
criteria:
  spend: {}
  margin: {}
methods: [pareto, {value_potential: {value: spend, potential: growth}}]
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    pd.DataFrame({"客户编号": ["C1", "C2", "C3"], "客户名称": ["甲", "乙", "丙"],
                  "销售额": [10.0, 20.0, 30.0], "电话": ["13800000000"] * 3}).to_csv(
        tmp_path / "customers.csv", index=False)  # fmt: skip
    pd.DataFrame({"date": ["2024-01-05", "2024-02-01", "2024-03-01"],
                  "customer_id": ["C1", "C2", "C3"], "amount": [1.0, 2.0, 3.0]}).to_csv(
        tmp_path / "log.csv", index=False)  # fmt: skip
    return tmp_path


def _problems(folder: Path, text: str) -> list[str]:
    path = folder / "study.yaml"
    path.write_text(text, encoding="utf-8")
    return list(check_data(load_study(path)).problems)


def test_mapping_and_log_columns_carry_their_key_and_line(folder):
    problems = _problems(folder, STUDY)
    assert problems[0] == (
        "data.customers.columns.客户名: column '客户名' not in customers.csv (columns: 客户编号, "
        "客户名称, 销售额, 电话) (line 7)"
    )
    assert problems[1].startswith("data.transactions.amount: column 'amt' not in log.csv")
    assert problems[1].endswith("(columns: date, customer_id, amount) (line 13)")
    assert len(problems) == 2  # nothing else is checked against columns that were not read


def test_named_columns_carry_the_line_of_the_key_that_names_them(folder):
    text = STUDY.replace("客户名: name", "客户名称: name").replace("amount: amt", "amount: amount")
    problems = _problems(folder, text)
    by_key = {p.split(":")[0]: p for p in problems}
    assert set(by_key) == {"criteria.margin", "methods[1].value_potential", "pii[1]"}
    assert by_key["criteria.margin"].startswith("criteria.margin: column 'margin' not in the data")
    assert by_key["criteria.margin"].endswith("map client columns with data.customers.columns "
                                              "(line 19)")  # fmt: skip
    assert "column 'growth'" in by_key["methods[1].value_potential"]
    assert by_key["methods[1].value_potential"].endswith("(line 20)")
    assert by_key["pii[1]"].startswith("pii[1]: column '邮件' not in the data")
    assert by_key["pii[1]"].endswith("(line 16)")


def test_a_clean_study_has_no_problems(folder):
    text = (STUDY.replace("客户名: name", "客户名称: name").replace("amount: amt", "amount: amount")
            .replace("  margin: {}\n", "").replace(", 邮件]", "]")
            .replace(", {value_potential: {value: spend, potential: growth}}", ""))  # fmt: skip
    check = _problems(folder, text)
    assert check == []
