"""The method registry (abclab.methods): one contract run over every registered method.

Each registered method must: load in a study with its defaults, run on the demo company,
give every classified and pending customer a tier among the ones it declares, reach the Excel
workbook (``tier_<name>`` column) and the report's method summaries under its translated
name (en and zh). The kernels behind the methods are checked against published numbers in
their own test files; here the registry's calls are checked against direct kernel calls.
"""

from __future__ import annotations

import copy
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from abclab import classify, mcabc, methods
from abclab.config import load_study, study_from_dict
from abclab.exceptions import StudyError
from abclab.pipeline import run_study
from abclab.report import sections
from abclab.report._excel import write_workbook
from abclab.report._i18n import MESSAGES

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo" / "study.yaml"
#: Parameters a method needs beyond its defaults on the demo company.
NEEDS = {"value_potential": {"potential": "industry_growth"}}
PENDING = {"D", "pending", "待评估", methods.NO_DATA_TIER}


def _every_method_study() -> dict:
    data = copy.deepcopy(load_study(DEMO).to_dict())
    data["criteria"]["recency_days"] = {"direction": "cost"}
    data["criteria"]["purchase_count"] = {}
    data["weights"] = {"values": {c: 1 for c in data["criteria"]}}
    data["methods"] = [{name: NEEDS.get(name, {})} for name in methods.method_names()]
    data["recommended"] = "weighted_abc"
    data.pop("sensitivity", None)
    data["data"].pop("previous", None)
    return data


@pytest.fixture(scope="module")
def every_method(tmp_path_factory):
    study = study_from_dict(_every_method_study(), base_dir=DEMO.parent, source=DEMO)
    results = run_study(study)
    book = tmp_path_factory.mktemp("book") / "report.xlsx"
    write_workbook(results, book)
    return results, book


def test_registry_names_are_the_study_choices():
    assert set(methods.method_names()) == {
        "pareto", "shares", "computed_abc", "bands", "weighted_abc", "value_potential", "rfm",
        "ramanathan", "ng", "zhou_fan", "topsis", "edas", "kmeans", "gmm", "ward",
        "churn_risk", "credit_grade",
    }  # fmt: skip
    for name in methods.method_names():
        cls = methods.method_class(name)
        assert cls.method == name and cls.kind in ("ranking", "matrix", "clusters")
    with pytest.raises(StudyError, match="unknown method 'magic'"):
        methods.method_class("magic")


def test_register_checks_the_declaration():
    class NoRun(methods.Method):
        method = "no_run"

    with pytest.raises(TypeError, match="must implement run"):
        methods.register(NoRun)
    with pytest.raises(TypeError, match="registered twice"):

        @methods.register
        class Again(methods.Method):
            method = "pareto"

            def run(self, ctx):  # pragma: no cover - never run
                raise AssertionError


@pytest.mark.parametrize("name", methods.method_names())
def test_every_method_is_translated(name):
    for language in ("en", "zh"):
        assert f"method.{name}" in MESSAGES[language], f"no {language} name for {name!r}"


@pytest.mark.parametrize("name", methods.method_names())
def test_every_method_runs_and_reaches_workbook_and_report(every_method, name):
    results, book = every_method
    tiers = results.tiers[name]
    assert isinstance(tiers.dtype, pd.CategoricalDtype) and tiers.cat.ordered
    expected_rows = set(results.criteria.index) | set(results.cleaning.pending.index)
    assert set(tiers.index) == expected_rows and tiers.notna().all()
    declared = results.study.method(name).tier_labels()
    if declared is not None:
        assert set(tiers.astype(str)) <= set(declared) | PENDING
    sheet = openpyxl.load_workbook(book, read_only=True).worksheets[0]
    header = [c for c in next(sheet.iter_rows(values_only=True))]
    labels = {MESSAGES[lang][f"method.{name}"] for lang in ("en", "zh")}
    assert any(name in str(h) or any(lab in str(h) for lab in labels) for h in header), header
    html = sections.method_summaries(sections.context(results))._repr_html_()
    assert MESSAGES["en"][f"method.{name}"].replace("&", "&amp;") in html


def test_registry_runs_equal_direct_kernel_calls(every_method):
    """The registry passes the study's weights, cost criteria and rules to the kernels."""
    results, _ = every_method
    crit, w = results.criteria, results.weights
    cost = [c.name for c in results.study.criteria if c.direction == "cost"]
    topsis = mcabc.topsis(crit, w, cost=cost)
    pd.testing.assert_series_equal(
        results.method_scores["topsis"], topsis.rename("topsis"), check_names=False
    )
    expected = classify.shares(topsis).astype(str)
    assert (results.tiers["topsis"].loc[crit.index].astype(str) == expected).all()
    pareto = classify.pareto(crit["annual_spend"]).astype(str)
    assert (results.tiers["pareto"].loc[crit.index].astype(str) == pareto).all()


def test_as_runs_one_method_twice_with_other_parameters():
    data = _every_method_study()
    data["methods"] = [
        {"pareto": {"value": "annual_spend"}},
        {"pareto": {"value": "tenure_years", "as": "pareto_tenure"}},
    ]
    data["recommended"] = "pareto"
    results = run_study(study_from_dict(data, base_dir=DEMO.parent, source=DEMO))
    assert list(results.tiers.columns) == ["pareto", "pareto_tenure"]
    assert not results.tiers["pareto"].equals(results.tiers["pareto_tenure"])
