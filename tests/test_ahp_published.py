"""abclab.ahp against published AHP examples (sources in each docstring and in
tests/reference/ahp_cases.md)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from abclab import ahp
from abclab.exceptions import InconsistentJudgementWarning

HOUSE_CRITERIA = [
    "size",
    "transport",
    "neighbourhood",
    "age",
    "yard",
    "modern",
    "condition",
    "financing",
]
HOUSE = [
    [1, 5, 3, 7, 6, 6, 1 / 3, 1 / 4],
    [1 / 5, 1, 1 / 3, 5, 3, 3, 1 / 5, 1 / 7],
    [1 / 3, 3, 1, 6, 3, 4, 6, 1 / 5],
    [1 / 7, 1 / 5, 1 / 6, 1, 1 / 3, 1 / 4, 1 / 7, 1 / 8],
    [1 / 6, 1 / 3, 1 / 3, 3, 1, 1 / 2, 1 / 5, 1 / 6],
    [1 / 6, 1 / 3, 1 / 4, 4, 2, 1, 1 / 5, 1 / 6],
    [3, 5, 1 / 6, 7, 5, 5, 1, 1 / 2],
    [4, 7, 5, 8, 6, 6, 2, 1],
]

DRINKS = ["coffee", "wine", "tea", "beer", "soda", "milk", "water"]
DRINKS_MATRIX = [
    [1, 9, 5, 2, 1, 1, 1 / 2],
    [1 / 9, 1, 1 / 3, 1 / 9, 1 / 9, 1 / 9, 1 / 9],
    [1 / 5, 3, 1, 1 / 3, 1 / 4, 1 / 3, 1 / 9],
    [1 / 2, 9, 3, 1, 1 / 2, 1, 1 / 3],
    [1, 9, 4, 2, 1, 2, 1 / 2],
    [1, 9, 3, 1, 1 / 2, 1, 1 / 3],
    [2, 9, 9, 3, 2, 3, 1],
]

LEADER_CRITERIA = {
    ("Experience", "Education"): 4,
    ("Experience", "Charisma"): 3,
    ("Experience", "Age"): 7,
    ("Education", "Charisma"): 1 / 3,
    ("Education", "Age"): 3,
    ("Charisma", "Age"): 5,
}
LEADER_CANDIDATES = {
    "Experience": {("Moll", "Nell"): 1 / 4, ("Moll", "Sue"): 4, ("Nell", "Sue"): 9},
    "Education": {("Moll", "Nell"): 3, ("Moll", "Sue"): 1 / 5, ("Nell", "Sue"): 1 / 7},
    "Charisma": {("Moll", "Nell"): 5, ("Moll", "Sue"): 9, ("Nell", "Sue"): 4},
    "Age": {("Moll", "Nell"): 1 / 3, ("Moll", "Sue"): 5, ("Nell", "Sue"): 9},
}


def test_saaty_house_example():
    """Saaty (1990), "How to make a decision: the AHP", EJOR 48:9-26, house-buying criteria
    (also Saaty 1980, ch. 2): priorities .173 .054 .188 .018 .031 .036 .167 .333,
    lambda_max = 9.669, CR = 0.169 (RI 1.41). Matrix transcription: two independent public
    repositories (see tests/reference/ahp_cases.md)."""
    frame = pd.DataFrame(HOUSE, index=HOUSE_CRITERIA, columns=HOUSE_CRITERIA)
    with pytest.warns(InconsistentJudgementWarning, match=r"CR = 0\.169.*neighbourhood.*condition"):
        r = ahp.weights(frame)
    expected = [0.173, 0.054, 0.188, 0.018, 0.031, 0.036, 0.167, 0.333]
    np.testing.assert_allclose(r.weights.to_numpy(), expected, atol=6e-4)
    assert list(r.weights.index) == HOUSE_CRITERIA
    assert r.lambda_max == pytest.approx(9.669, abs=6e-4)
    assert r.cr == pytest.approx(0.169, abs=6e-4)
    assert r.ri == 1.41 and r.ri_table == "saaty1980" and not r.consistent


def test_saaty_house_repair_points_to_neighbourhood_vs_condition():
    """Derived from the house example above (computed, not a published number): the
    judgement 'neighbourhood 6x condition' has the largest |log e_ij|; setting it to the
    nearest scale value of w_i/w_j (1) alone brings CR below 0.1."""
    r = ahp.weights(pd.DataFrame(HOUSE, index=HOUSE_CRITERIA, columns=HOUSE_CRITERIA), warn=False)
    table = r.inconsistent_judgements()
    top = table.iloc[0]
    assert (top["row"], top["column"], top["judgement"]) == ("neighbourhood", "condition", 6)
    assert top["suggested_value"] == 1
    revised = np.array(HOUSE, dtype=float)
    revised[2, 6], revised[6, 2] = 1, 1
    assert top["cr_if_revised"] == pytest.approx(ahp.weights(revised, warn=False).cr)
    assert top["cr_if_revised"] < 0.1 < top["cr"]


def test_saaty_drinks_example():
    """Saaty (2008), "Decision making with the analytic hierarchy process", Int. J. Services
    Sciences 1(1):83-98, Tables 1-2: AHP priorities .177 .019 .042 .116 .190 .129 .327 and
    actual consumption shares .180 .010 .040 .120 .180 .140 .330 (matrix as printed in the
    ahpy README); ahpy's test suite asserts CR 0.022 with Saaty's RI."""
    r = ahp.weights(pd.DataFrame(DRINKS_MATRIX, index=DRINKS, columns=DRINKS))
    np.testing.assert_allclose(
        r.weights.to_numpy(), [0.177, 0.019, 0.042, 0.116, 0.190, 0.129, 0.327], atol=6e-4
    )
    actual = np.array([0.180, 0.010, 0.040, 0.120, 0.180, 0.140, 0.330])
    assert np.abs(r.weights.to_numpy() - actual).max() < 0.012
    assert r.cr == pytest.approx(0.022, abs=6e-4) and r.consistent


def test_wikipedia_leader_example_criteria_and_synthesis():
    """Wikipedia, "Analytic hierarchy process - leader example" (names as in the ahpy README):
    criteria Experience .547, Education .127, Charisma .270, Age .056, CR 0.044; synthesis
    Dick/Nell .493, Tom/Moll .358, Harry/Sue .149; Experience node Nell .717, Moll .217,
    Sue .066 (ahpy README reports the same to 3 decimals)."""
    r = ahp.weights(LEADER_CRITERIA)
    np.testing.assert_allclose(
        r.weights[["Experience", "Education", "Charisma", "Age"]].to_numpy(),
        [0.547, 0.127, 0.270, 0.056],
        atol=1e-3,
    )
    assert r.cr == pytest.approx(0.044, abs=5e-4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InconsistentJudgementWarning)
        h = ahp.hierarchy_weights(LEADER_CRITERIA, LEADER_CANDIDATES)
    overall = h.weights.groupby("indicator")["global_weight"].sum()
    np.testing.assert_allclose(
        overall[["Nell", "Moll", "Sue"]].to_numpy(), [0.493, 0.358, 0.149], atol=1e-3
    )
    exp = h.results["Experience"].weights
    np.testing.assert_allclose(
        exp[["Nell", "Moll", "Sue"]].to_numpy(), [0.717, 0.217, 0.066], atol=1e-3
    )


def test_wikipedia_car_example_criteria_donegan_dodd():
    """Wikipedia, "Analytic hierarchy process - car example", criteria and cost sub-criteria
    judgements; eigenvector priorities as computed in the ahpy README (Wikipedia's own
    figures come from a rounded demo calculator): Cost .510, Safety .234, Style .041,
    Capacity .215, CR .08 (Donegan & Dodd RI); Cost: Price .488, Fuel .252,
    Maintenance .100, Resale .161, CR .016."""
    criteria = {
        ("Cost", "Safety"): 3,
        ("Cost", "Style"): 7,
        ("Cost", "Capacity"): 3,
        ("Safety", "Style"): 9,
        ("Safety", "Capacity"): 1,
        ("Style", "Capacity"): 1 / 7,
    }
    with pytest.warns(InconsistentJudgementWarning, match=r"CR = 0\.080 exceeds 0\.08"):
        r = ahp.weights(criteria, ri_table="donegan_dodd1991")
    np.testing.assert_allclose(r.weights.to_numpy(), [0.510, 0.234, 0.041, 0.215], atol=6e-4)
    assert r.cr == pytest.approx(0.08, abs=5e-3)
    cost = {
        ("Price", "Fuel"): 2,
        ("Price", "Maintenance"): 5,
        ("Price", "Resale"): 3,
        ("Fuel", "Maintenance"): 2,
        ("Fuel", "Resale"): 2,
        ("Maintenance", "Resale"): 1 / 2,
    }
    c = ahp.weights(cost, ri_table="donegan_dodd1991")
    np.testing.assert_allclose(c.weights.to_numpy(), [0.488, 0.252, 0.100, 0.161], atol=6e-4)
    assert c.cr == pytest.approx(0.016, abs=6e-4)


def test_flores_1992_inventory_criteria():
    """Flores, Olson & Dorai (1992), Math. Comput. Modelling 16(12):71-82: AHP judgements
    (critical factor, lead time, annual dollar usage, unit cost) as transcribed in
    shared/data/README.md; weights ~ .420, .410, .092, .079, CR ~ 0.05 (Saaty 1980 RI)."""
    m = [[1, 1, 3, 8], [1, 1, 6, 4], [1 / 3, 1 / 6, 1, 1], [1 / 8, 1 / 4, 1, 1]]
    r = ahp.weights(
        m, criteria=["critical_factor", "lead_time", "annual_dollar_usage", "unit_cost"]
    )
    np.testing.assert_allclose(r.weights.to_numpy(), [0.420, 0.410, 0.092, 0.079], atol=1e-3)
    assert r.cr == pytest.approx(0.05, abs=2e-3)


def test_incomplete_example_against_ahpy_readme():
    """ahpy README "Missing Pairwise Comparisons": a 4x4 matrix with (c, d) removed; ahpy
    (Bozoki, Fulop & Ronyai 2010 lambda_max-optimal completion) prints a .3738, b .392,
    c .0985, d .1357. Harker's (1987) eigenvector is a different estimator, so agreement is
    to 1e-3 only; the completed cell and CR are checked against the complete matrix's CR
    0.0372 (D&D RI) to the same tolerance."""
    comparisons = {("a", "b"): 1, ("a", "c"): 5, ("a", "d"): 2, ("b", "c"): 3, ("b", "d"): 4}
    r = ahp.weights(comparisons, ri_table="donegan_dodd1991")
    assert r.completed and r.missing_cells == (("c", "d"),)
    np.testing.assert_allclose(
        r.weights[["a", "b", "c", "d"]].to_numpy(), [0.3738, 0.392, 0.0985, 0.1357], atol=1e-3
    )
    assert r.cr == pytest.approx(0.0372, abs=1e-3)
    assert r.matrix.loc["c", "d"] == pytest.approx(r.weights["c"] / r.weights["d"])


def test_source_003_value_dimension_global_weights():
    """Source 003 (shared/sources/003_*.txt), template 1 and step 2: dimensions value /
    potential / risk / strategy 40/30/20/10 %; value dimension 年消费额 40 %, 利润率 25 %,
    合作时长 20 %, 交叉购买率 15 %. Global weights are products: .16, .10, .08, .06.
    The other dimensions' indicators are illustrative (the source gives no weights)."""
    h = ahp.hierarchy_weights(
        {"价值": 40, "潜力": 30, "风险": 20, "战略": 10},
        {
            "价值": {"年消费额": 0.40, "利润率": 0.25, "合作时长": 0.20, "交叉购买率": 0.15},
            "潜力": {"需求匹配度": 1.0},
            "风险": {"流失率": 1, "回款及时率": 1},
            "战略": {"行业地位": 1.0},
        },
    )
    value = h.weights[h.weights["dimension"] == "价值"].set_index("indicator")["global_weight"]
    np.testing.assert_allclose(
        value[["年消费额", "利润率", "合作时长", "交叉购买率"]].to_numpy(), [0.16, 0.10, 0.08, 0.06]
    )
    assert h.weights["global_weight"].sum() == pytest.approx(1.0)
    assert h.nodes["source"].eq("weights").all() and h.nodes["cr"].isna().all()
