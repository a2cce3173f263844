"""Tests for abclab.mcabc: Ramanathan, Ng, Zhou & Fan, TOPSIS, EDAS.

References used: pymcdm 1.4 (TOPSIS, EDAS) run side by side; independent LP formulations
(the dual of Ramanathan's LP, Ng's LP) solved with scipy's HiGHS; small cases computed by
hand. Flores-47 scores of the three DEA-like models are REGRESSION SNAPSHOTS (the published
tables could not be retrieved here), see tests/reference/flores_mcabc.md.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import BUNDLED_DATA
from hypothesis import given, settings
from hypothesis import strategies as st
from pymcdm import normalizations
from pymcdm.methods import EDAS, TOPSIS
from scipy.optimize import linprog

from abclab import classify, mcabc
from abclab.exceptions import DataQualityWarning, InputDataError
from abclab.mcabc._lp import _maximal_rows

DATA = BUNDLED_DATA  # byte-equal copy of shared/data (test_datasets.py)
CRITERIA4 = ["avg_unit_cost", "annual_dollar_usage", "critical_factor", "lead_time"]
#: The three criteria of Ramanathan (2006), Ng (2007), Zhou & Fan (2007), in Ng's importance
#: order: annual dollar usage > average unit cost > lead time.
CRITERIA3 = ["annual_dollar_usage", "avg_unit_cost", "lead_time"]
#: Flores et al. (1992) AHP weights (data README): unit cost .079, ADU .092, critical .420, LT .410
FLORES_AHP = {
    "avg_unit_cost": 0.079,
    "annual_dollar_usage": 0.092,
    "critical_factor": 0.420,
    "lead_time": 0.410,
}


@pytest.fixture(scope="module")
def flores() -> pd.DataFrame:
    return pd.read_csv(DATA / "flores47.csv", index_col="item")


def random_frame(seed: int, m: int = 12, n: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(rng.uniform(1, 100, size=(m, n)), columns=[f"c{j}" for j in range(n)])


# --------------------------------------------------------------------------- TOPSIS / EDAS


@pytest.mark.parametrize("normalisation", ["vector", "minmax"])
def test_topsis_equals_pymcdm_on_flores(flores, normalisation):
    frame = flores[CRITERIA4]
    w = np.array([FLORES_AHP[c] for c in CRITERIA4])
    fn = {
        "vector": normalizations.vector_normalization,
        "minmax": normalizations.minmax_normalization,
    }[normalisation]
    expected = TOPSIS(fn)(frame.to_numpy(), w / w.sum(), np.ones(4))
    got = mcabc.topsis(frame, FLORES_AHP, normalisation=normalisation)
    np.testing.assert_allclose(got.to_numpy(), expected, atol=1e-6)
    assert got.name == "topsis" and got.index.equals(frame.index)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(["vector", "minmax"]))
def test_topsis_and_edas_equal_pymcdm_on_random_matrices_with_cost(seed, normalisation):
    frame = random_frame(seed)
    rng = np.random.default_rng(seed + 1)
    w = rng.dirichlet(np.ones(4))
    cost = ["c1", "c3"]
    types = np.array([1, -1, 1, -1])
    fn = {
        "vector": normalizations.vector_normalization,
        "minmax": normalizations.minmax_normalization,
    }[normalisation]
    np.testing.assert_allclose(
        mcabc.topsis(frame, w, cost=cost, normalisation=normalisation).to_numpy(),
        TOPSIS(fn)(frame.to_numpy(), w, types),
        atol=1e-6,
    )
    np.testing.assert_allclose(
        mcabc.edas(frame, w, cost=cost).to_numpy(), EDAS()(frame.to_numpy(), w, types), atol=1e-6
    )


def test_edas_equals_pymcdm_on_flores(flores):
    frame = flores[CRITERIA4]
    w = np.array([FLORES_AHP[c] for c in CRITERIA4])
    got = mcabc.edas(frame, pd.Series(FLORES_AHP))
    np.testing.assert_allclose(got.to_numpy(), EDAS()(frame.to_numpy(), w, np.ones(4)), atol=1e-6)


def test_topsis_hand_computed():
    """x = [[3, 4], [4, 3], [0, 0]]: column norms 5, weighted r = (.3, .4), (.4, .3), (0, 0);
    ideal (.4, .4), anti-ideal (0, 0): D+ = .1, D- = .5 → C = 5/6, 5/6, 0."""
    frame = pd.DataFrame({"a": [3.0, 4.0, 0.0], "b": [4.0, 3.0, 0.0]})
    got = mcabc.topsis(frame, [0.5, 0.5])
    np.testing.assert_allclose(got.to_numpy(), [5 / 6, 5 / 6, 0.0])


def test_edas_hand_computed():
    """x = [2, 4, 6], AV = 4: PDA = (0, 0, .5), NDA = (.5, 0, 0) → AS = (0, .5, 1)."""
    got = mcabc.edas(pd.DataFrame({"a": [2.0, 4.0, 6.0]}), {"a": 1.0})
    np.testing.assert_allclose(got.to_numpy(), [0.0, 0.5, 1.0])


# --------------------------------------------------------------------------- DEA-like models


def ramanathan_dual(v: np.ndarray, i: int) -> float:
    """Dual of Ramanathan's LP: min Σ_k λ_k s.t. Σ_k λ_k v_kj >= v_ij, λ >= 0 (strong duality)."""
    m, _ = v.shape
    res = linprog(np.ones(m), A_ub=-v.T, b_ub=-v[i], bounds=(0, None), method="highs-ipm")
    return res.fun


def ng_lp(v_ordered: np.ndarray, i: int) -> float:
    """Ng (2007) model as an LP: max Σ w_j v_ij, Σ w_j = 1, w_1 >= w_2 >= ... >= w_J >= 0."""
    n = v_ordered.shape[1]
    ordering = np.zeros((n - 1, n))
    for k in range(n - 1):
        ordering[k, k], ordering[k, k + 1] = -1.0, 1.0
    res = linprog(
        -v_ordered[i],
        A_ub=ordering,
        b_ub=np.zeros(n - 1),
        A_eq=np.ones((1, n)),
        b_eq=[1.0],
        bounds=(0, None),
        method="highs",
    )
    return -res.fun


@pytest.mark.parametrize("criteria", [CRITERIA3, CRITERIA4])
def test_ramanathan_equals_its_dual_on_flores(flores, criteria):
    frame = flores[criteria]
    got = mcabc.ramanathan(frame)
    v = mcabc.minmax_matrix(frame.to_numpy(dtype=float), np.zeros(len(criteria), bool))
    dual = [ramanathan_dual(v, i) for i in range(len(frame))]
    np.testing.assert_allclose(got.to_numpy(), dual, atol=1e-7)
    assert (got <= 1 + 1e-9).all()
    # an item that is best on some criterion can put all weight there and scores 1
    best_somewhere = (v == 1).any(axis=1)
    np.testing.assert_allclose(got.to_numpy()[best_somewhere], 1.0)


def test_ramanathan_hand_computed_and_order_constraint():
    """v = [[1,0],[0,1],[.4,.4],[.2,.2]]: items 3 and 4 take w = (1, 1) → .8 and .4."""
    frame = pd.DataFrame({"a": [1.0, 0.0, 0.4, 0.2], "b": [0.0, 1.0, 0.4, 0.2]})
    np.testing.assert_allclose(mcabc.ramanathan(frame).to_numpy(), [1, 1, 0.8, 0.4], atol=1e-9)
    # v = [[1,0],[0,1],[1,1]] → every item scores 1 with free weights. With a ranked first
    # (w_a >= w_b), item 2 maximises w_b s.t. w_b <= w_a and w_a + w_b <= 1 → 0.5.
    frame2 = pd.DataFrame({"a": [1.0, 0.0, 1.0], "b": [0.0, 1.0, 1.0]})
    np.testing.assert_allclose(mcabc.ramanathan(frame2).to_numpy(), [1, 1, 1], atol=1e-9)
    np.testing.assert_allclose(
        mcabc.ramanathan(frame2, order=["a", "b"]).to_numpy(), [1, 0.5, 1], atol=1e-9
    )
    np.testing.assert_allclose(
        mcabc.ramanathan(frame2, order=["b", "a"]).to_numpy(), [0.5, 1, 1], atol=1e-9
    )


@pytest.mark.parametrize("criteria", [CRITERIA3, CRITERIA4])
def test_ng_closed_form_equals_lp_for_every_item(flores, criteria):
    """Ng (2007): the transformed model has the closed form max_j mean of the top-j criteria."""
    frame = flores[criteria]
    got = mcabc.ng(frame, order=criteria)
    v = mcabc.minmax_matrix(frame.to_numpy(dtype=float), np.zeros(len(criteria), bool))
    np.testing.assert_allclose(got.to_numpy(), [ng_lp(v, i) for i in range(len(frame))], atol=1e-9)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.permutations(["c0", "c1", "c2", "c3"]))
def test_ng_closed_form_equals_lp_on_random_data(seed, order):
    frame = random_frame(seed, m=8)
    got = mcabc.ng(frame, order=order)
    v = mcabc.minmax_matrix(frame.to_numpy(), np.zeros(4, bool))[:, [int(c[1]) for c in order]]
    np.testing.assert_allclose(got.to_numpy(), [ng_lp(v, i) for i in range(8)], atol=1e-9)


def test_ng_hand_computed():
    """v in importance order (1, 0), (0, 1), (.5, .5): max(v1, (v1+v2)/2) = 1, .5, .5."""
    frame = pd.DataFrame({"x": [1.0, 0.0, 0.5], "y": [0.0, 1.0, 0.5]})
    assert mcabc.ng(frame, order=["x", "y"]).tolist() == [1.0, 0.5, 0.5]
    assert mcabc.ng(frame, order=["y", "x"]).tolist() == [0.5, 1.0, 0.5]


def test_zhou_fan_hand_computed():
    """v = [[1, 0], [0, 1], [.5, .5], [.2, .4]].

    Good (Ramanathan): 1, 1, 1, .6. Bad: min v_i·w s.t. w1 >= 1, w2 >= 1, w1 + w2 >= 2,
    .2 w1 + .4 w2 >= 1 → 1, 1, 1.5 (at w = (1, 2)), 1. λ = .5 → .5·(1,1,1,0) + .5·(0,0,1,0)."""
    frame = pd.DataFrame({"a": [1.0, 0.0, 0.5, 0.2], "b": [0.0, 1.0, 0.5, 0.4]})
    got = mcabc.zhou_fan(frame, lam=0.5)
    np.testing.assert_allclose(got.attrs["good"].to_numpy(), [1, 1, 1, 0.6], atol=1e-9)
    np.testing.assert_allclose(got.attrs["bad"].to_numpy(), [1, 1, 1.5, 1], atol=1e-9)
    np.testing.assert_allclose(got.to_numpy(), [0.5, 0.5, 1.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(mcabc.zhou_fan(frame, lam=1.0).to_numpy(), [1, 1, 1, 0], atol=1e-9)


#: REGRESSION SNAPSHOT, not a published reference: scores (4 d.p.) on Flores-47 with the three
#: literature criteria (ADU, AUC, LT; Ng's order ADU > AUC > LT), min–max normalised.
#: Items 1, 2, 13, 29, 34, 45 score 1 in Ramanathan's model; see tests/reference/flores_mcabc.md.
SNAPSHOT_CLASSES = {
    "ramanathan": "AAABBCCBABCBABCCCABCCCCCCCCAACBCBACCBCBACCBCACB",
    "ng": "AAAAAABBAACBABCCCBBCCCBCCCCBACBCBBCCCCBBCCCCBCC",
    "zhou_fan": "AAABBCCBAACBAACCCBBCCBBCCCCAACBCBBCCBCBBCCCCACC",
}


def test_flores_snapshot_scores_and_classes(flores):
    frame = flores[CRITERIA3]
    scores = {
        "ramanathan": mcabc.ramanathan(frame),
        "ng": mcabc.ng(frame, order=CRITERIA3),
        "zhou_fan": mcabc.zhou_fan(frame, lam=0.5),
    }
    ones = scores["ramanathan"].index[np.isclose(scores["ramanathan"], 1.0)].tolist()
    assert ones == [1, 2, 13, 29, 34, 45]
    assert scores["ng"].loc[2] == pytest.approx(0.9853, abs=5e-5)
    assert scores["zhou_fan"].loc[25] == 0.0 and scores["zhou_fan"].loc[2] == 1.0
    for name, s in scores.items():
        tiers = classify.shares(s)  # the literature's 10/14/23 split of 47 items
        assert "".join(tiers.astype(str)) == SNAPSHOT_CLASSES[name], name


# --------------------------------------------------------------------------- properties, errors


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000))
def test_permuting_rows_permutes_scores(seed):
    frame = random_frame(seed, m=10, n=3)
    perm = np.random.default_rng(seed).permutation(10)
    calls = [
        lambda f: mcabc.ramanathan(f),
        lambda f: mcabc.ng(f, order=["c2", "c0", "c1"]),
        lambda f: mcabc.topsis(f, [0.2, 0.3, 0.5]),
        lambda f: mcabc.edas(f, [0.2, 0.3, 0.5]),
    ]
    for call in calls:
        base = call(frame)
        pd.testing.assert_series_equal(call(frame.iloc[perm]), base.iloc[perm], atol=1e-9)


def test_cost_criterion_equals_negated_benefit_for_dea_models():
    frame = random_frame(5, m=10, n=3)
    flipped = frame.assign(c1=-frame["c1"])
    pd.testing.assert_series_equal(
        mcabc.ramanathan(frame, cost=["c1"]), mcabc.ramanathan(flipped), atol=1e-9
    )
    pd.testing.assert_series_equal(
        mcabc.ng(frame, order=["c0", "c1", "c2"], cost=["c1"]),
        mcabc.ng(flipped, order=["c0", "c1", "c2"]),
    )


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda f: mcabc.ng(f, order=["a"]), "must list every criterion once"),
        (lambda f: mcabc.ng(f, order=None), "most to least important"),
        (lambda f: mcabc.ramanathan(f, cost=["zz"]), r"cost: \['zz'\] are not columns"),
        (lambda f: mcabc.ramanathan(f.assign(b=1.0)), "'b' is constant"),
        (lambda f: mcabc.ramanathan(f.assign(b=[1.0, np.nan, 2.0])), r"'b'.*rows \[1\]"),
        (lambda f: mcabc.topsis(f, [1.0]), r"expected 2 values \(one per criterion\)"),
        (lambda f: mcabc.topsis(f, {"a": 1.0}), r"missing \['b'\]"),
        (lambda f: mcabc.topsis(f, [1, 1], normalisation="l1"), "normalisation"),
        (lambda f: mcabc.edas(f.assign(b=[-1.0, -2.0, -3.0]), [1, 1]), "positive mean"),
        (lambda f: mcabc.zhou_fan(f, lam=2), r"lam: expected a number in \[0, 1\]"),
        (lambda f: mcabc.ramanathan(f.to_numpy()), "expected a DataFrame"),
    ],
)
def test_bad_input_errors(call, match):
    frame = pd.DataFrame({"a": [1.0, 3.0, 2.0], "b": [2.0, 1.0, 3.0]})
    with pytest.raises(InputDataError, match=match):
        call(frame)


# --------------------------------------------------------------------------- vertex kernel


@pytest.mark.parametrize("criteria", [CRITERIA3, CRITERIA4])
@pytest.mark.parametrize("ordered", [False, True])
def test_ramanathan_vertex_kernel_equals_lp_per_item_on_flores(flores, criteria, ordered):
    """The vectorised kernel (max over the polytope's vertices) equals one HiGHS LP per item."""
    v = mcabc.minmax_matrix(flores[criteria].to_numpy(dtype=float), np.zeros(len(criteria), bool))
    order = np.arange(len(criteria)) if ordered else None
    np.testing.assert_allclose(
        mcabc.ramanathan_kernel(v, order), mcabc.ramanathan_lp_kernel(v, order), rtol=0, atol=1e-9
    )


@settings(max_examples=40, deadline=None)
@given(
    st.integers(0, 10_000),
    st.integers(2, 40),
    st.integers(1, 5),
    st.sampled_from([None, 1, 2]),
    st.booleans(),
)
def test_ramanathan_vertex_kernel_equals_lp_on_random_data(seed, m, n, decimals, ordered):
    """Random v in [0, 1] (rounded → ties, duplicates, dominated rows, zero columns)."""
    rng = np.random.default_rng(seed)
    v = rng.uniform(0, 1, size=(m, n))
    if decimals is not None:
        v = np.round(v, decimals)
    if v.max() == 0:
        v[0, 0] = 1.0
    order = rng.permutation(n) if ordered else None
    np.testing.assert_allclose(
        mcabc.ramanathan_kernel(v, order), mcabc.ramanathan_lp_kernel(v, order), rtol=0, atol=1e-9
    )


def test_ramanathan_kernel_zero_and_single_criterion():
    """An all-zero criterion never binds nor scores; one criterion gives v_i / max v.

    Without the zero column, item 3 maximises .5 w1 + .5 w3 s.t. .2 w1 + w3 <= 1, w1 <= 1:
    w = (1, .8) → .9 (by hand).
    """
    v = np.array([[0.2, 0.0, 1.0], [1.0, 0.0, 0.0], [0.5, 0.0, 0.5]])
    np.testing.assert_allclose(mcabc.ramanathan_kernel(v), [1.0, 1.0, 0.9], atol=1e-12)
    np.testing.assert_allclose(mcabc.ramanathan_kernel(v), mcabc.ramanathan_lp_kernel(v))
    np.testing.assert_allclose(mcabc.ramanathan_kernel(v[:, :1]), [0.2, 1.0, 0.5])
    # with ordering rows an all-zero criterion leaves the polytope unbounded: LP fallback
    np.testing.assert_allclose(
        mcabc.ramanathan_kernel(v, np.array([0, 1, 2])),
        mcabc.ramanathan_lp_kernel(v, np.array([0, 1, 2])),
        atol=1e-9,
    )


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 600), st.integers(1, 4))
def test_maximal_rows_equal_brute_force(seed, m, n):
    """Pareto-maximal rows (screened and blocked) equal the all-pairs definition."""
    x = np.round(np.random.default_rng(seed).uniform(0, 1, size=(m, n)), 1)
    got = _maximal_rows(x, block=16, screen=64)
    unique = np.unique(x, axis=0)
    dominated = [((unique >= row).all(axis=1) & (unique > row).any(axis=1)).any() for row in unique]
    assert sorted(map(tuple, got)) == sorted(map(tuple, unique[~np.array(dominated)]))


def test_ramanathan_scales_to_many_items():
    """20 000 items: the vertex kernel (no per-item LP) agrees with HiGHS on sampled items."""
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(rng.lognormal(0, 1, size=(20_000, 4)), columns=list("abcd"))
    got = mcabc.ramanathan(frame).to_numpy()
    v = mcabc.minmax_matrix(frame.to_numpy(), np.zeros(4, bool))
    for i in rng.choice(len(v), 5, replace=False):
        res = linprog(-v[i], A_ub=v, b_ub=np.ones(len(v)), bounds=(0, None), method="highs")
        assert got[i] == pytest.approx(-res.fun, abs=1e-9)


def test_zhou_fan_item_worst_on_every_criterion():
    """Hand case a = [1, 3, 2], b = [3, 5, 4] -> v = (0,0), (1,1), (.5,.5). Item 0 is worst
    everywhere: bad index 0 (left out of the bad-index constraints, with a warning). Bad LPs
    over items 1, 2: w1 + w2 >= 2, so bad = (0, 2, 1); good (R-model): w1 + w2 <= 1, so
    good = (0, 1, .5). Both rescale to (0, 1, .5), hence zhou_fan = (0, 1, .5) for any λ."""
    frame = pd.DataFrame({"a": [1.0, 3.0, 2.0], "b": [3.0, 5.0, 4.0]})
    with pytest.warns(DataQualityWarning, match="worst on every criterion"):
        out = mcabc.zhou_fan(frame, lam=0.3)
    np.testing.assert_allclose(out.attrs["bad"].to_numpy(), [0.0, 2.0, 1.0], atol=1e-9)
    np.testing.assert_allclose(out.attrs["good"].to_numpy(), [0.0, 1.0, 0.5], atol=1e-9)
    np.testing.assert_allclose(out.to_numpy(), [0.0, 1.0, 0.5], atol=1e-9)
