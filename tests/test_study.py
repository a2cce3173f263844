"""Study file schema and validation (abclab.study)."""

from __future__ import annotations

import copy
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from abclab.ahp import pairwise_matrix
from abclab.exceptions import DataQualityWarning, StudyError
from abclab.study import load_study, study_from_dict

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "abclab" / "study_example.yaml"
DEMO = ROOT / "data" / "demo" / "study.yaml"
DEMO_ZH = ROOT / "data" / "demo" / "study_zh.yaml"


def _minimal() -> dict:
    return {
        "name": "t",
        "data": {"customers": {"path": "c.csv"}},
        "criteria": {"spend": {"direction": "benefit"}, "margin": None, "tenure": None},
        "weights": {
            "ahp": {
                "experts": {"boss": {"judgements": {"spend > margin": 3, "margin > tenure": 2}}}
            }
        },
        "methods": ["weighted_abc", {"pareto": {"value": "spend"}}],
    }


def _with(path: str, value) -> dict:
    data = _minimal()
    keys = path.split(".")
    node = data
    for k in keys[:-1]:
        node = node.setdefault(k, {})
    node[keys[-1]] = value
    return data


@pytest.mark.parametrize("path", [EXAMPLE, DEMO, DEMO_ZH])
def test_bundled_studies_load(path):
    study = load_study(path)
    assert study.criterion_names == [
        "annual_spend",
        "margin",
        "tenure_years",
        "cross_purchase_rate",
        "on_time_payment_rate",
    ]
    assert study.recommended == "weighted_abc"
    assert len(study.weights.ahp.experts) == 2
    for p in study.data.paths:  # relative paths resolved against the study file
        assert p.parent.resolve() in {path.parent.resolve(), (path.parent / "demo").resolve()}


def test_demo_zh_maps_chinese_columns():
    study = load_study(DEMO_ZH)
    assert study.language == "zh"
    assert study.data.customers.columns["年消费额(万元)"] == "annual_spend"
    assert study.pii == ("联系电话", "邮箱")


def test_demo_expert_judgements_parse_to_reciprocal_matrix():
    """'margin > annual_spend': 2 puts 2 at (margin, annual_spend) and 1/2 at the mirror cell."""
    study = load_study(DEMO)
    finance = {e.name: e.matrix for e in study.weights.ahp.experts}["Finance director"]
    assert finance.loc["margin", "annual_spend"] == 2
    assert finance.loc["annual_spend", "margin"] == pytest.approx(0.5)
    assert finance.loc["tenure_years", "on_time_payment_rate"] == pytest.approx(1 / 5)
    np.testing.assert_allclose(finance.to_numpy() * finance.to_numpy().T, 1.0)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (
            "criteria.spend",
            {"direction": "up"},
            "criteria.spend.direction: expected 'benefit' or 'cost', got 'up'",
        ),
        ("criteria.spend", {"diretion": "cost"}, "criteria.spend.diretion: unknown key"),
        ("language", "fr", "language: expected 'en' or 'zh', got 'fr'"),
        ("seed", "x", "seed: expected an integer, got 'x'"),
        ("seed", -1, "seed: expected an integer >= 0"),
        ("colour", "red", "colour: unknown key"),
        ("data", {}, "data: expected a 'customers' or a 'transactions' section"),
        (
            "data.transactions",
            {"path": "t.csv", "customer": "c", "date": "d"},
            "data.transactions.amount: required key is missing",
        ),
        (
            "data.transactions",
            {"path": "t.csv", "customer": "c", "date": "d", "amount": "a", "as_of": "soon"},
            "data.transactions.as_of: expected a date",
        ),
        (
            "criteria.spend",
            {"bands": [[0, 60], [5]]},
            "criteria.spend.bands[1]: expected [lower bound, score]",
        ),
        ("criteria.spend", {"normalise": "bands"}, "criteria.spend.bands: expected bands"),
        ("cleaning", {"spnd": {"missing": "median"}}, "cleaning.spnd: expected a criterion"),
        (
            "cleaning",
            {"spend": {"missing": "guess"}},
            "cleaning.spend.missing: expected one of 'pending', 'median'",
        ),
        (
            "cleaning",
            {"spend": {"missing": "recent_average"}},
            "cleaning.spend.missing: 'recent_average' needs data.transactions",
        ),
        (
            "cleaning",
            {"spend": {"missing": "zero", "nonpositive": "pending"}},
            "cleaning.spend.missing: 'zero' contradicts",
        ),
        (
            "weights",
            {"values": {"spend": 1}},
            "weights.values: expected a weight for every criterion, missing 'margin', 'tenure'",
        ),
        (
            "weights",
            {"values": {"spend": 1}, "objective": "entropy"},
            "weights: expected exactly one of",
        ),
        ("weights", {"objective": "pca"}, "weights.objective: expected one of 'entropy'"),
        (
            "weights.ahp.experts.boss",
            {"judgements": {"spend >> margin": 3}},
            "weights.ahp.experts.boss.judgements.spend >> margin: expected a judgement written 'a > b'",
        ),
        (
            "weights.ahp.experts.boss",
            {"judgements": {"spend > profit": 3}},
            "weights.ahp.experts.boss.judgements.spend > profit: expected criteria among 'spend', 'margin', 'tenure', got 'profit'",
        ),
        (
            "weights.ahp.experts.boss",
            {"judgements": {"spend > margin": 0}},
            "weights.ahp.experts.boss.judgements.spend > margin: expected a positive judgement",
        ),
        (
            "weights.ahp.experts.boss",
            {"judgements": {"spend > margin": "lots"}},
            "weights.ahp.experts.boss.judgements.spend > margin: expected a positive number, a fraction like 1/3 or a verbal label, got 'lots'",
        ),
        (
            "weights.ahp.experts.boss",
            {"judgements": {"spend > margin": 3, "margin < spend": 3}},
            "weights.ahp.experts.boss.judgements.margin < spend: judgement between 'margin' and 'spend' given twice",
        ),
        (
            "weights.ahp.experts.boss",
            {"matrix": [[1, 2], [0.5, 1]]},
            "weights.ahp.experts.boss.matrix: expected 3 rows",
        ),
        (
            "weights.ahp.experts.boss",
            {"matrix": [[1, 2, 3], [0.5, 1], [1, 1, 1]]},
            "weights.ahp.experts.boss.matrix[1]: expected 3 entries, got 2",
        ),
        (
            "weights.ahp.experts.boss",
            {"judgements": {"spend > margin": 12}},
            "weights.ahp.experts.boss.judgements.spend > margin: expected a judgement on Saaty's scale 1/9..9, got 12",
        ),
        ("weights.ahp.method", "median", "weights.ahp.method: expected one of 'eigenvector'"),
        (
            "weights.ahp.ri_table",
            "saaty",
            "weights.ahp.ri_table: expected one of 'saaty1980', 'alonso_lamata2006'",
        ),
        ("methods", ["pareto", "magic"], "methods[1]: expected one of 'pareto', 'shares'"),
        (
            "methods",
            [{"pareto": {"value": "profit"}}],
            "methods[0].pareto.value: expected a criterion",
        ),
        (
            "methods",
            [{"pareto": {"cutof": [0.8, 0.9]}}],
            "methods[0].pareto.cutof: unknown key; expected one of 'as', 'cutoffs', 'value'",
        ),
        ("methods", ["pareto", "pareto"], "methods[1]: method name 'pareto' used twice"),
        ("recommended", "topsis", "recommended: expected 'weighted_abc' or 'pareto', got 'topsis'"),
        ("sensitivity", {"draws": 0}, "sensitivity.draws: expected an integer >= 1"),
        ("tiers", {"label": {}}, "tiers.label: unknown key"),
    ],
)
def test_bad_study_names_key_and_expectation(path, value, message):
    with pytest.raises(StudyError, match="(?m)^study.yaml: " + re.escape(message)):
        study_from_dict(_with(path, value), source="study.yaml")


def test_weight_values_not_summing_to_one_warn_and_rescale():
    """0.5 + 0.3 + 0.3 = 1.1: used as 0.4545 / 0.2727 / 0.2727, with a warning naming the key;
    percentages summing to 100 (source 003: 40 % / 25 % ...) are read silently."""
    data = _minimal()
    data["weights"] = {"values": {"spend": 0.5, "margin": 0.3, "tenure": 0.3}}
    with pytest.warns(DataQualityWarning, match=r"s.yaml: weights.values: weights sum to 1.1"):
        study_from_dict(data, source="s.yaml")
    data["weights"] = {"values": {"spend": 40, "margin": 35, "tenure": 25}}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        study_from_dict(data, source="s.yaml")


def test_missing_required_key():
    data = _minimal()
    del data["criteria"]
    with pytest.raises(StudyError, match="^s.yaml: criteria: required key is missing$"):  # only
        study_from_dict(data, source="s.yaml")


def test_judgement_forms(tmp_path):
    data = _with(
        "weights.ahp.experts.boss",
        {"judgements": {"spend > margin": "1/3", "tenure < margin": 5, "spend = tenure": 1}},
    )
    m = study_from_dict(data).weights.ahp.experts[0].matrix
    assert list(m.index) == ["spend", "margin", "tenure"]
    assert m.loc["spend", "margin"] == pytest.approx(1 / 3)
    assert m.loc["margin", "tenure"] == pytest.approx(5)
    assert m.loc["spend", "tenure"] == 1


def test_verbal_judgement_uses_saaty_scale():
    data = _with(
        "weights.ahp.experts.boss",
        {"judgements": {"spend > margin": "strongly more important", "margin > tenure": 2}},
    )
    m = study_from_dict(data).weights.ahp.experts[0].matrix
    assert m.loc["spend", "margin"] == 5  # Saaty (1980): 5 = strong importance


def test_incomplete_judgements_leave_nan_for_harker():
    data = _with(
        "weights.ahp.experts.boss", {"judgements": {"spend > margin": 3, "margin > tenure": 2}}
    )
    m = study_from_dict(data).weights.ahp.experts[0].matrix
    assert np.isnan(m.loc["spend", "tenure"]) and np.isnan(m.loc["tenure", "spend"])


def test_matrix_with_order_and_defaults(tmp_path):
    data = _with(
        "weights.ahp.experts.boss",
        {
            "matrix": [[1, "1/2", 4], [2, 1, 8], [0.25, 0.125, 1]],
            "order": ["margin", "spend", "tenure"],
        },
    )
    study = study_from_dict(data, base_dir=tmp_path)
    m = study.weights.ahp.experts[0].matrix
    assert m.loc["spend", "margin"] == 2 and m.loc["margin", "spend"] == 0.5
    assert study.data.customers.path == tmp_path / "c.csv"
    assert study.seed == 0 and study.language == "en"
    assert study.cleaning == {} and study.sensitivity is None


def test_bands_sorted_and_open_lower_bound():
    data = _with("criteria.spend", {"bands": [[10_000_000, 100], [None, 60], [5_000_000, 80]]})
    spec = study_from_dict(data).criteria[0]
    assert spec.normalise == "bands"
    assert spec.bands == ((-np.inf, 60.0), (5_000_000.0, 80.0), (10_000_000.0, 100.0))


def test_method_alias_and_default_recommended():
    data = _with(
        "methods",
        [{"pareto": {"value": "spend", "as": "pareto_spend"}}, {"pareto": {"value": "margin"}}],
    )
    study = study_from_dict(data)
    assert [m.name for m in study.methods] == ["pareto_spend", "pareto"]
    assert study.methods[0].params == {"value": "spend"}
    assert study.recommended == "pareto_spend"


def test_invalid_yaml_reports_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\ncriteria: [a\n", encoding="utf-8")
    with pytest.raises(StudyError, match=r"^bad.yaml: not valid YAML \(line \d+, column \d+\)"):
        load_study(path)


def test_missing_file():
    with pytest.raises(FileNotFoundError, match="study file not found"):
        load_study("/nonexistent/study.yaml")


def test_to_dict_round_trips_through_yaml():
    study = load_study(DEMO)
    again = study_from_dict(copy.deepcopy(study.to_dict()), base_dir=DEMO.parent)
    assert again.criteria == study.criteria
    assert yaml.safe_load(yaml.safe_dump(study.to_dict(), allow_unicode=True)) == study.to_dict()


@given(st.lists(st.floats(min_value=1 / 9, max_value=9), min_size=3, max_size=3))
def test_judgement_matrix_is_reciprocal(values):
    names = ["a", "b", "c"]
    cells = {("a", "b"): values[0], ("a", "c"): values[1], ("b", "c"): values[2]}
    m = pairwise_matrix(cells, criteria=names).to_numpy()
    np.testing.assert_allclose(m * m.T, 1.0)
    np.testing.assert_array_equal(np.diag(m), 1.0)
