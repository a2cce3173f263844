"""abclab.lab.JudgementEditor, headless: no kernel, widgets driven through their traits.

Every number the editor shows is checked against what abclab.ahp / scoring / classify
compute for the same judgements.
"""

from __future__ import annotations

import ipywidgets
import numpy as np
import pandas as pd
import pytest
import yaml

from abclab import ahp, classify, datasets, scoring
from abclab.exceptions import InputDataError, JudgementError
from abclab.lab import JudgementEditor, check_answer, slider_options, verbal
from abclab.study import load_study, study_from_dict

CRITERIA = ["annual_spend", "profit_margin", "tenure_years", "cross_purchase_rate"]
#: notebook 02's manager (CR about 0.02)
SALES = {
    ("annual_spend", "profit_margin"): 2,
    ("annual_spend", "tenure_years"): 2,
    ("annual_spend", "cross_purchase_rate"): 3,
    ("profit_margin", "tenure_years"): 1,
    ("profit_margin", "cross_purchase_rate"): 2,
    ("tenure_years", "cross_purchase_rate"): 1,
}


def _expected(judgements, **kwargs) -> ahp.AHPResult:
    return ahp.weights(ahp.pairwise_matrix(judgements, criteria=CRITERIA), warn=False, **kwargs)


@pytest.fixture
def editor() -> JudgementEditor:
    return JudgementEditor(CRITERIA, judgements=SALES)


def test_slider_scale_is_saatys_with_verbal_labels():
    options = slider_options()
    values = [v for _, v in options]
    assert values == sorted(ahp.SAATY_SCALE.tolist(), reverse=True)  # 9 (left) ... 1/9 (right)
    for label, value in options:
        number, words = label.split(" · ")
        assert ahp.parse_judgement(number) == pytest.approx(value)
        assert ahp.parse_judgement(words) == pytest.approx(value)  # VERBAL_SCALE reads it back
    zh = dict((v, label) for label, v in slider_options("zh"))
    assert zh[5.0].endswith("明显重要") and zh[1 / 5].endswith("明显不重要")
    assert zh[2.0] == "2 · 介于同等与稍微重要之间"
    assert verbal(1 / 7) == verbal(7) == "very strongly more important"


def test_starts_equal_without_judgements():
    ed = JudgementEditor(["a", "b", "c"])
    assert ed.result.weights.tolist() == pytest.approx([1 / 3] * 3)
    assert ed.result.cr == pytest.approx(0.0, abs=1e-12)
    assert isinstance(ed.widget, ipywidgets.VBox)
    assert len(ed.sliders) == 3


def test_constructor_reads_every_judgement_form():
    as_pairs = JudgementEditor(CRITERIA, judgements=SALES)
    written = {f"{a} > {b}": v for (a, b), v in SALES.items() if v != 1}
    written["tenure_years = cross_purchase_rate"] = 1
    written["tenure_years < profit_margin"] = 1
    as_study = JudgementEditor(CRITERIA, judgements=written)
    as_matrix = JudgementEditor(CRITERIA, judgements=ahp.pairwise_matrix(SALES, criteria=CRITERIA))
    for other in (as_study, as_matrix):
        assert other.judgements == as_pairs.judgements
    flipped = JudgementEditor(CRITERIA, judgements={("cross_purchase_rate", "annual_spend"): "1/3"})
    assert flipped.judgements[("annual_spend", "cross_purchase_rate")] == 3.0


def test_initial_result_is_what_ahp_computes(editor):
    expected = _expected(SALES)
    pd.testing.assert_series_equal(editor.result.weights, expected.weights, check_names=False)
    assert editor.result.cr == pytest.approx(expected.cr)
    assert editor.result.lambda_max == pytest.approx(expected.lambda_max)


def test_set_judgement_updates_weights_and_cr(editor):
    before = editor.result
    editor.set_judgement("annual_spend", "cross_purchase_rate", 1 / 3)  # notebook 02's typo
    changed = {**SALES, ("annual_spend", "cross_purchase_rate"): 1 / 3}
    expected = _expected(changed)
    assert editor.result is not before
    assert editor.result.weights.to_numpy() == pytest.approx(expected.weights.to_numpy())
    assert editor.result.cr == pytest.approx(expected.cr)
    assert editor.result.ci == pytest.approx(expected.ci)
    assert editor.result.cr > 0.1 > before.cr
    assert not editor.result.consistent
    panel = editor._consistency_html.value
    assert f"{expected.cr:.4f}" in panel and f"{expected.lambda_max:.4f}" in panel
    assert "> 0.08" in panel and "inconsistent" in panel  # Saaty (1994): 0.08 for n = 4


def test_dragging_a_slider_is_the_same_as_set_judgement(editor):
    slider = editor.sliders[("profit_margin", "tenure_years")]
    slider.value = 5.0  # what the front end does
    expected = _expected({**SALES, ("profit_margin", "tenure_years"): 5})
    assert editor.result.weights.to_numpy() == pytest.approx(expected.weights.to_numpy())
    assert "profit_margin is strongly more important than tenure_years" in (
        editor._phrases[("profit_margin", "tenure_years")].value
    )
    editor.set_judgement("tenure_years", "profit_margin", "strongly more important")
    assert slider.value == pytest.approx(1 / 5)
    assert slider.label == "1/5 · strongly less important"


def test_most_inconsistent_judgement_and_its_repair(editor):
    editor.set_judgement("annual_spend", "cross_purchase_rate", 1 / 3)
    expected = ahp.repair_suggestions(_expected(editor.judgements))
    pd.testing.assert_frame_equal(editor.repairs, expected)
    top = editor.repairs.iloc[0]
    assert (top["row"], top["column"]) == ("annual_spend", "cross_purchase_rate")
    text = editor._worst_html.value
    assert "annual_spend vs cross_purchase_rate: judged 1/3" in text
    assert f"suggested {ahp.nearest_scale_value(top['consistent_value']):.0f}" in text
    editor.apply_suggestion()
    assert editor.judgements[("annual_spend", "cross_purchase_rate")] == top["suggested_value"]
    assert editor.result.cr == pytest.approx(top["cr_if_revised"])
    assert editor.result.cr < 0.1


def test_reset_batch_and_callbacks(editor):
    seen = []
    editor.on_change(lambda ed: seen.append(ed.result.cr))
    editor.set_judgements(
        {"annual_spend < profit_margin": 3, ("tenure_years", "cross_purchase_rate"): 2}
    )
    assert len(seen) == 1  # several judgements, one recomputation
    assert editor.judgements[("annual_spend", "profit_margin")] == pytest.approx(1 / 3)
    editor.reset()
    assert editor.judgements == {k: float(v) for k, v in SALES.items()}
    assert seen[-1] == pytest.approx(_expected(SALES).cr)


@pytest.mark.parametrize(
    ("a", "b", "value", "message"),
    [
        ("annual_spend", "profit_margin", 3.4641, "not on Saaty's scale.*nearest is 3"),
        ("annual_spend", "profit_margin", 12, "not on Saaty's scale.*nearest is 9"),
        ("annual_spend", "volume", 3, "'volume' is not one of the criteria"),
        ("annual_spend", "annual_spend", 1, "compared with itself"),
        ("annual_spend", "profit_margin", "very much", "cannot read"),
    ],
)
def test_bad_judgements_name_the_problem(editor, a, b, value, message):
    with pytest.raises(JudgementError, match=message):
        editor.set_judgement(a, b, value)


def test_bad_arguments():
    with pytest.raises(JudgementError, match="at least two"):
        JudgementEditor(["only"])
    with pytest.raises(JudgementError, match="distinct"):
        JudgementEditor(["a", "a"])
    with pytest.raises(JudgementError, match="ri_table"):
        JudgementEditor(["a", "b"], ri_table="nope")
    with pytest.raises(JudgementError, match="language"):
        JudgementEditor(["a", "b"], language="fr")
    with pytest.raises(InputDataError, match="no column for criteria"):
        JudgementEditor(["a", "b"], customers=pd.DataFrame({"a": [1.0, 2.0]}))


def test_ri_table_method_and_language():
    ed = JudgementEditor(
        CRITERIA, judgements=SALES, ri_table="alonso_lamata2006", method="geometric_mean",
        language="zh",
    )  # fmt: skip
    expected = _expected(SALES, ri_table="alonso_lamata2006", method="geometric_mean")
    assert ed.result.cr == pytest.approx(expected.cr)
    assert ed.result.weights.to_numpy() == pytest.approx(expected.weights.to_numpy())
    assert (
        "一致性检验" in ed._consistency_html.value
        and "alonso_lamata2006" in ed._consistency_html.value
    )
    assert "比" in ed._phrases[("annual_spend", "profit_margin")].value
    assert ed.sliders[("annual_spend", "cross_purchase_rate")].label == "3 · 稍微重要"


def test_tier_shift_follows_the_weights():
    customers = datasets.demo_criteria()
    ed = JudgementEditor(CRITERIA, judgements=SALES, customers=customers, normalise="percentile")
    assert ed.moved == 0
    counts = ed.tier_counts
    assert (counts["before"] == counts["now"]).all() and counts["before"].sum() == len(customers)
    assert counts.loc["A", "before"] == 80  # ceil(0.2 * 400), as in notebook 05
    ed.set_judgement("annual_spend", "tenure_years", 1 / 9)
    spec = dict.fromkeys(CRITERIA, "percentile")
    base = classify.shares(scoring.score(customers, _expected(SALES).weights, criteria=spec).score)
    now_w = _expected(ed.judgements).weights
    now = classify.shares(scoring.score(customers, now_w, criteria=spec).score)
    assert ed.moved == int((base.astype(str) != now.astype(str)).sum()) > 0
    assert (ed.tiers.astype(str) == now.astype(str)).all()
    expected = pd.crosstab(base.astype(str).rename("before"), now.astype(str).rename("now"))
    np.testing.assert_array_equal(ed.tier_shift.to_numpy(), expected.to_numpy())
    assert int(np.trace(ed.tier_shift.to_numpy())) == 400 - ed.moved
    assert ed.tier_counts["share_now"].sum() == pytest.approx(1.0)
    assert f"{ed.moved} of 400 customers" in ed._tiers_html.value
    assert (
        "tier_shift" not in dir(JudgementEditor(CRITERIA))
        or JudgementEditor(CRITERIA).tier_shift is None
    )


def test_to_yaml_round_trips_through_the_study(editor, tmp_path):
    editor.set_judgement(
        "profit_margin", "annual_spend", 4
    )  # written "annual_spend < profit_margin"
    text = editor.to_yaml(tmp_path / "weights.yaml", expert="sales_manager")
    assert (tmp_path / "weights.yaml").read_text(encoding="utf-8") == text
    block = yaml.safe_load(text)
    judged = block["weights"]["ahp"]["experts"]["sales_manager"]["judgements"]
    assert judged["annual_spend < profit_margin"] == 4
    assert judged["profit_margin = tenure_years"] == 1
    assert all(isinstance(v, int) for v in judged.values())
    study = study_from_dict(
        {
            "name": "round trip",
            "data": {"customers": {"path": "c.csv"}},
            "criteria": dict.fromkeys(CRITERIA),
            **block,
            "methods": ["weighted_abc"],
        }
    )
    matrix = study.weights.ahp.experts["sales_manager"].matrix
    np.testing.assert_allclose(matrix.loc[CRITERIA, CRITERIA].to_numpy(), editor.matrix.to_numpy())
    again = JudgementEditor.from_study(study)
    assert again.judgements == editor.judgements and again.expert == "sales_manager"


def test_from_study_on_the_demo_experts():
    study = load_study("data/demo/study.yaml")
    for expert in study.weights.ahp.experts:
        ed = JudgementEditor.from_study(study, expert=expert.name)
        expected = ahp.weights(expert.matrix, ri_table=study.weights.ahp.ri_table, warn=False)
        assert ed.result.weights.to_numpy() == pytest.approx(expected.weights.to_numpy())
        assert ed.result.cr == pytest.approx(expected.cr)


def test_displays_as_widget_with_a_static_fallback(editor):
    bundle = editor._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "Weights" in bundle["text/html"] and "CR = CI/RI" in bundle["text/html"]
    assert repr(editor).startswith("JudgementEditor(annual_spend=")


def test_check_answer():
    assert check_answer(None, 3).status == "unanswered"
    assert check_answer(0.252, 0.25).correct and not check_answer(0.26, 0.25).correct
    assert check_answer(105, 100, tol=0.05, relative=True).correct
    assert check_answer([0.42, 0.41], [0.420, 0.410]).correct
    assert not check_answer([0.42], [0.420, 0.410]).correct
    assert check_answer(" Water ", "water").correct and not check_answer(3, "water").correct
    assert check_answer(("a", "b"), ["a", "b"]).correct
    wrong = check_answer(0.3, 0.25)
    assert "0.25" not in repr(wrong) and "0.3" in repr(wrong)  # the solution is not revealed
    assert "正确" in repr(check_answer(1, 1, language="zh"))
    assert "color" in check_answer(1, 1)._repr_html_()
