"""abclab.weighting.best_worst: Rezaei's published example, pyDecision 5.1.8 side by side,
properties (consistent input, interval containment) and input errors.

Where the numbers come from: tests/reference/bwm_fuzzy_smaa.md.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abclab.exceptions import InputDataError, JudgementError
from abclab.weighting import BWM_CONSISTENCY_INDEX, best_worst

C3 = ["c1", "c2", "c3"]


def _bwm(ab, aw, **kw):
    names = [f"c{i + 1}" for i in range(len(ab))]
    return best_worst(dict(zip(names, ab, strict=True)), dict(zip(names, aw, strict=True)), **kw)


def test_rezaei_2015_three_criteria_example():
    """Rezaei (2015) Omega 53, section 3 illustration: a_B = (8, 2, 1), a_W = (1, 5, 8) ->
    w* = (0.071, 0.338, 0.589), xi* = 0.26; CR = 0.26 / 4.47 = 0.058 (CI Table 5, a_BW = 8).
    (Also JMcDM's test "Basic Example in the Original Paper", atol 0.01.)"""
    res = _bwm([8, 2, 1], [1, 5, 8], model="nonlinear")
    # printed truncated to three decimals (0.3387 -> 0.338, 0.5899 -> 0.589): tolerance 1e-3
    np.testing.assert_allclose(res.weights.to_numpy(), [0.071, 0.338, 0.589], atol=1e-3)
    assert res.xi == pytest.approx(0.26, abs=5e-3)
    assert res.consistency_ratio == pytest.approx(0.26 / 4.47, abs=1e-3)
    assert (res.best, res.worst) == ("c3", "c1")
    # three criteria: the optimum is unique (Rezaei 2016, section 2)
    np.testing.assert_allclose(res.interval["weight_low"], res.interval["weight_high"], atol=1e-6)


def test_consistency_index_table_is_the_root_of_rezaei_quadratic():
    """Rezaei (2015) Table 5: CI(a_BW) solves xi^2 - (1 + 2a) xi + (a^2 - a) = 0."""
    for a, ci in BWM_CONSISTENCY_INDEX.items():
        res = _bwm([1, a], [a, 1]) if a > 1 else None
        root = ((1 + 2 * a) - np.sqrt(1 + 8 * a)) / 2
        assert root == pytest.approx(ci, abs=5e-3)
        if res is not None:
            assert res.consistency_index == pytest.approx(root)


#: pyDecision 5.1.8 ``bw_method(mic, lic, eps_penalty=1)`` (pyDecision/algorithm/bwm.py, a
#: penalty form of the linear model solved with trust-constr); script and output in
#: tests/reference/bwm_fuzzy_smaa.md. pyDecision was not installed (it pulls LLM clients).
PYDECISION_BWM = [
    ([8, 2, 1], [1, 5, 8], [0.0714, 0.3214, 0.6071], 0.0357),
    ([2, 1, 4, 2, 8], [4, 8, 2, 4, 1], [0.2105, 0.4211, 0.1053, 0.2105, 0.0526], 0.0),
    ([3, 1, 2, 8], [4, 8, 5, 1], [0.1799, 0.4948, 0.2691, 0.0562], 0.045),
    ([3, 1, 5, 4, 9], [5, 9, 2, 4, 1], [0.1889, 0.5072, 0.1133, 0.1408, 0.0497], 0.0597),
]


@pytest.mark.parametrize(("ab", "aw", "weights", "xi"), PYDECISION_BWM)
def test_linear_model_matches_pydecision(ab, aw, weights, xi):
    """Linear model (Rezaei 2016) against pyDecision: weights within 1e-3 (its penalty solver
    stops near, not at, the LP optimum), xi^L within 1e-3."""
    res = _bwm(ab, aw)
    np.testing.assert_allclose(res.weights.to_numpy(), weights, atol=1.2e-3)
    assert res.xi == pytest.approx(xi, abs=1e-3)


def test_linear_xi_is_optimal_where_pydecision_stops_early():
    """pyDecision's own example a_B = (2,1,4,3,8), a_W = (4,8,3,5,1): pyDecision reports
    xi = 0.0672; the LP optimum is lower (0.0633), and pyDecision's weights satisfy the LP
    constraints only with xi >= 0.0672."""
    res = _bwm([2, 1, 4, 3, 8], [4, 8, 3, 5, 1])
    assert res.xi < 0.0672 - 1e-3
    w = res.weights.to_numpy()
    ab, aw = np.array([2, 1, 4, 3, 8.0]), np.array([4, 8, 3, 5, 1.0])
    dev = max(np.max(np.abs(w[1] - ab * w)), np.max(np.abs(w - aw * w[4])))
    assert dev == pytest.approx(res.xi, abs=1e-9)


def test_input_consistency_ratio_matches_pydecision_cr():
    """pyDecision prints the input-based CR of Liang et al. (2020): 0.0357, 0.125, 0.0714."""
    assert _bwm([8, 2, 1], [1, 5, 8]).input_consistency_ratio == pytest.approx(0.0357, abs=1e-4)
    assert _bwm([2, 1, 4, 3, 8], [4, 8, 3, 5, 1]).input_consistency_ratio == pytest.approx(0.125)
    assert _bwm([3, 1, 2, 8], [4, 8, 5, 1]).input_consistency_ratio == pytest.approx(0.0714, 1e-3)


def test_nonlinear_interval_when_not_unique():
    """Five inconsistent criteria: the minmax model has a set of optima (Rezaei 2016); every
    weight vector at an interval end attains xi*, verified by a brute-force ratio check."""
    ab, aw = np.array([2, 1, 4, 3, 8.0]), np.array([4, 8, 3, 5, 1.0])
    res = _bwm(ab, aw, model="nonlinear")
    width = res.interval["weight_high"] - res.interval["weight_low"]
    assert (width > 0.01).any()
    assert (res.weights >= res.interval["weight_low"] - 1e-3).all()
    assert (res.weights <= res.interval["weight_high"] + 1e-3).all()
    w = res.weights.to_numpy()
    ratio_xi = max(np.max(np.abs(w[1] / w - ab)), np.max(np.abs(w / w[4] - aw)))
    assert ratio_xi == pytest.approx(res.xi, abs=1e-5)
    assert res.xi == pytest.approx(0.859945, abs=1e-5)  # Nelder-Mead, 200 starts: 0.8599451


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0.05, 1.0), min_size=3, max_size=6))
def test_consistent_comparisons_recover_the_weights(raw):
    """a_Bj = w_B / w_j and a_jW = w_j / w_W give back w with xi = 0 in both models."""
    w = np.array(raw) / sum(raw)
    b, wst = int(np.argmax(w)), int(np.argmin(w))
    if w[b] / w[wst] > 9 or np.sum(w == w[b]) > 1 or np.sum(w == w[wst]) > 1:
        return
    for model in ("linear", "nonlinear"):
        res = _bwm(w[b] / w, w / w[wst], model=model)
        np.testing.assert_allclose(res.weights.to_numpy(), w, atol=1e-6)
        assert res.xi == pytest.approx(0.0, abs=1e-6)
        assert res.consistency_ratio == pytest.approx(0.0, abs=1e-6)


def test_to_frame_and_labels():
    res = best_worst(
        pd.Series({"spend": 1, "margin": 3, "growth": 6}),
        {"spend": 6, "margin": 2, "growth": 1},
    )
    frame = res.to_frame()
    assert frame.columns.tolist() == ["criterion", "weight", "weight_low", "weight_high", "rank"]
    assert frame["rank"].tolist() == [1, 2, 3]
    assert res.weights.sum() == pytest.approx(1.0)
    assert res.weights.name == "best_worst"


def test_errors_name_the_input():
    with pytest.raises(JudgementError, match=r"best_to_others\['a'\] = 12"):
        best_worst({"a": 12, "b": 1}, {"a": 1, "b": 12})
    with pytest.raises(InputDataError, match="differ"):
        best_worst({"a": 2, "b": 1}, {"a": 1, "c": 2})
    with pytest.raises(JudgementError, match="exactly one criterion"):
        best_worst({"a": 1, "b": 1, "c": 3}, {"a": 3, "b": 3, "c": 1})
    res = best_worst({"a": 1, "b": 1, "c": 3}, {"a": 3, "b": 3, "c": 1}, best="a")
    assert res.weights["a"] == pytest.approx(res.weights["b"], abs=1e-9)
    with pytest.raises(JudgementError, match="must be equal"):
        best_worst({"a": 1, "b": 4}, {"a": 3, "b": 1})
    with pytest.raises(ValueError, match="model="):
        best_worst({"a": 1, "b": 4}, {"a": 4, "b": 1}, model="quadratic")
