"""The weights section for studies that derive weights with the Best-Worst Method or fuzzy
AHP: the method named, its consistency figures and the weights by method side by side."""

from __future__ import annotations

import copy
import itertools
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from abclab import ahp, weighting
from abclab.report import sections

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo" / "study.yaml"
CRITERIA = ("annual_spend", "margin", "tenure_years", "cross_purchase_rate", "on_time_payment_rate")
#: The inconsistent 5-criteria case of tests/reference/bwm_fuzzy_smaa.md (xi* = 0.859945,
#: several optima of the nonlinear model).
BEST = dict(zip(CRITERIA, (1, 3, 5, 4, 9), strict=True))
WORST = dict(zip(CRITERIA, (9, 5, 2, 4, 1), strict=True))
_TFN = ([2, 3, 4], [1, 2, 3], [3, 4, 5], [4, 5, 6], [1, 1, 2], [1, 2, 3], [2, 3, 4], [1, 2, 3],
        [2, 3, 4], [1, 2, 3])  # fmt: skip
FUZZY = {
    f"{a} > {b}": t for (a, b), t in zip(itertools.combinations(CRITERIA, 2), _TFN, strict=True)
}


def _run(weights):
    from abclab.pipeline import run_study
    from abclab.study import load_study, study_from_dict

    data = copy.deepcopy(load_study(DEMO).to_dict())
    data["weights"] = weights
    data["methods"] = ["weighted_abc", {"pareto": {"value": "annual_spend"}}]
    data.pop("sensitivity", None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_study(study_from_dict(data, base_dir=DEMO.parent, source=DEMO))


@pytest.fixture(scope="module")
def bwm():
    return _run({"best_worst": {"best_to_others": BEST, "others_to_worst": WORST,
                                "model": "nonlinear"}})  # fmt: skip


@pytest.fixture(scope="module")
def fuzzy():
    return _run({"fuzzy_ahp": {"judgements": FUZZY}})


def _text(section) -> str:
    markup = re.sub(r"<style>.*?</style>|<img[^>]*>", " ", section._repr_html_(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup))


def test_best_worst_section_names_the_method_and_its_consistency(bwm):
    section = sections.weights(sections.context(bwm, language="en"))
    shown = _text(section)
    assert "Best-Worst Method (Rezaei)" in shown and "nonlinear model (Rezaei 2015)" in shown
    # independent computation of the same comparisons
    ref = weighting.best_worst(BEST, WORST, model="nonlinear")
    assert ref.xi_nonlinear == pytest.approx(0.859945, abs=1e-5)  # the reference value
    assert f"ξ* = {ref.xi_nonlinear:.4f}" in shown
    assert f"CR = ξ*/CI = {ref.consistency_ratio:.3f}" in shown
    assert f"input-based ratio {ref.input_consistency_ratio:.3f}" in shown
    assert "CI = 5.23 for a_BW = 9" in shown
    # the nonlinear model is not unique here: the optimal intervals are shown
    first = section.tables[0].to_text_frame()
    low, high = ref.interval.loc["annual_spend"]
    assert high - low > 0.01
    assert first.iloc[0, -1] == f"{100 * low:.1f}%–{100 * high:.1f}%"
    assert "several optimal weight sets" in shown


def test_best_worst_weights_side_by_side(bwm):
    comparison = bwm.weight_comparison
    ref = weighting.best_worst(BEST, WORST, model="nonlinear").weights
    np.testing.assert_allclose(
        comparison["best_worst"].to_numpy(), ref.reindex(CRITERIA).to_numpy()
    )
    np.testing.assert_allclose(comparison["used"], comparison["best_worst"])
    shown = _text(sections.weights(sections.context(bwm, language="en")))
    assert "Best-Worst Entropy CRITIC Equal Used" in shown
    # the sentence names the alternative weighting farthest from the weights used
    alternatives = comparison.drop(columns=["used", "best_worst"])
    gap = alternatives.sub(comparison["used"], axis=0).abs().stack()
    assert f"({100 * gap.max():.1f} percentage points apart)" in shown


def test_linear_best_worst_has_one_optimum_and_no_interval():
    results = _run({"best_worst": {"best_to_others": BEST, "others_to_worst": WORST}})
    section = sections.weights(sections.context(results, language="en"))
    assert "Optimal interval" not in section.tables[0].to_text_frame().columns
    assert "linear model (Rezaei 2016)" in _text(section)
    ref = weighting.best_worst(BEST, WORST, model="linear")
    assert f"ξ = {ref.xi:.4f}" in _text(section)


def test_fuzzy_ahp_section_shows_defuzzified_weights_and_crisp_cr(fuzzy):
    section = sections.weights(sections.context(fuzzy, language="en"))
    shown = _text(section)
    assert "Fuzzy AHP (Buckley 1985)" in shown and "centroids (l + m + u)/3" in shown
    # independent: the modal matrix built here from the written judgements
    modal = pd.DataFrame(1.0, index=list(CRITERIA), columns=list(CRITERIA))
    for (a, b), t in zip(itertools.combinations(CRITERIA, 2), _TFN, strict=True):
        modal.loc[a, b], modal.loc[b, a] = t[1], 1 / t[1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        eigen = ahp.weights(modal, method="eigenvector")
    assert f"CR = {eigen.cr:.4f}" in shown  # the CR of the crisp (modal) matrix
    np.testing.assert_allclose(fuzzy.weight_comparison["ahp"], eigen.weights.reindex(CRITERIA))
    table = section.tables[0].to_text_frame()
    assert list(table.columns[-2:]) == ["Defuzzified", "Weight"]
    assert list(table["Weight"]) == [f"{100 * w:.1f}%" for w in fuzzy.weights]
    assert "AHP judgements of" not in shown  # the modal matrix is not shown as an expert
    assert "Fuzzy AHP AHP Entropy CRITIC Equal Used" in shown


@pytest.mark.parametrize("which", ["bwm", "fuzzy"])
def test_zh_weights_sections_are_chinese(which, request):
    from tests.test_sections_client import ALLOWED, _visible_ascii_words

    results = request.getfixturevalue(which)
    labels = {
        w for c in results.study.criteria if c.label for w in re.findall(r"[A-Za-z]+", c.label)
    }
    extra = {"Rezaei", "Buckley", "Liang", "Brunelli", "a_Bj", "a_jW", "a_BW"}
    section = sections.weights(sections.context(results, language="zh"))
    assert not _visible_ascii_words(section, ALLOWED | labels | extra)
    if which == "fuzzy":
        summary = sections.executive_summary(sections.context(results, language="zh"))
        assert "modal" not in _text(summary) and "模糊层次分析法（众数判断）" in _text(summary)


# --------------------------------------------------------------------------- ranking robustness
@pytest.fixture(scope="module")
def demo():
    from abclab.pipeline import run_study

    return run_study(DEMO)


def test_ranking_robustness_matches_an_independent_computation(demo):
    """Rank reversal (second-ranked customer removed, the rest re-scored with the study's
    normalisation), top-10 / top-tier overlap and Kendall's τ against equal weights, each
    recomputed here without abclab.sensitivity / abclab.compare."""
    from scipy import stats

    from abclab import scoring
    from abclab.report.sections._robustness import ranking_robustness

    figures = ranking_robustness(demo)
    assert figures["method"] == demo.recommended and figures["alternative"] == "equal"
    indicator = demo.scores.indicator_scores.loc[demo.criteria.index]
    used = indicator @ demo.weights.reindex(indicator.columns)
    equal = indicator.mean(axis=1)
    assert figures["tau"] == pytest.approx(stats.kendalltau(used, equal).statistic)
    top = demo.tiers[demo.recommended].loc[indicator.index]
    k = int((top == "A").sum())
    for size in (10, k):
        common = set(used.sort_values(ascending=False, kind="stable").index[:size])
        common &= set(equal.sort_values(ascending=False, kind="stable").index[:size])
        assert figures["top_k"][size] == len(common)
    # rank reversal by brute force
    second = used.sort_values(ascending=False, kind="stable").index[1]
    frame = demo.criteria.loc[indicator.index]
    spec = demo.study.scoring_spec()
    before = scoring.score(frame, demo.weights, criteria=spec).score.drop(second).to_numpy()
    after = scoring.score(frame.drop(index=second), demo.weights, criteria=spec).score.to_numpy()
    da = np.sign(before[:, None] - before[None, :])
    db = np.sign(after[:, None] - after[None, :])
    flips = int(np.count_nonzero(np.triu(da * db < 0, 1)))
    assert figures["reversal"]["flipped_pairs"] == flips
    m = len(before)
    assert figures["reversal"]["pairs"] == m * (m - 1) // 2


def test_sensitivity_section_shows_the_robustness_table(demo):
    from abclab.report.sections._robustness import ranking_robustness

    figures = ranking_robustness(demo)
    section = sections.sensitivity(sections.context(demo, language="en"))
    frames = [t.to_text_frame() for t in section.tables]
    robust = next(f for f in frames if "Value" in f.columns)
    rev = figures["reversal"]
    assert robust.iloc[0, 0].startswith(f"{rev['flipped_pairs']} of {rev['pairs']:,}")
    assert robust.iloc[-1, 0] == f"{figures['tau']:.2f}"
    zh = sections.sensitivity(sections.context(demo, language="zh"))
    assert "肯德尔" in _text(zh)


def test_no_robustness_without_sensitivity():
    from abclab.report.sections._robustness import ranking_robustness

    results = _run({"values": dict.fromkeys(CRITERIA, 0.2)})
    assert ranking_robustness(results) is None
