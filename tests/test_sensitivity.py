"""Tests for abclab.sensitivity: weight / judgement Monte Carlo and one-at-a-time sweeps."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abclab import classify
from abclab.exceptions import InputDataError, JudgementError
from abclab.sensitivity import (
    SAATY_SCALE,
    draw_weights,
    judgement_monte_carlo,
    one_at_a_time,
    perturb_judgements,
    weight_monte_carlo,
)


@pytest.fixture
def three_customers() -> pd.DataFrame:
    """Hand case: scores under w = (0.5, 0.5) are 60, 60, 100 (all on or above the cut 60)."""
    return pd.DataFrame(
        {"spend": [80.0, 40.0, 100.0], "margin": [40.0, 80.0, 100.0]}, index=["p", "q", "r"]
    )


@pytest.fixture
def random_scores() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    return pd.DataFrame(rng.uniform(0, 100, size=(500, 4)), columns=list("abcd"))


WEIGHTS = pd.Series({"a": 0.4, "b": 0.3, "c": 0.2, "d": 0.1})


def test_one_at_a_time_hand_case(three_customers):
    """w = (0.6, 0.4): scores 64, 56, 100 -> only q falls below 60; w = (0.4, 0.6): only p."""
    out = one_at_a_time(
        three_customers, {"spend": 0.5, "margin": 0.5}, deltas=[-0.2, 0.0, 0.2], cuts=(60,)
    )
    assert out.columns.tolist() == [
        "criterion",
        "delta",
        "weight",
        "share_changed",
        "share_upgraded",
        "share_downgraded",
    ]
    spend = out[out["criterion"] == "spend"].set_index("delta")
    np.testing.assert_allclose(spend["weight"], [0.4, 0.5, 0.6])
    np.testing.assert_allclose(spend["share_changed"], [1 / 3, 0.0, 1 / 3])
    np.testing.assert_allclose(spend["share_downgraded"], [1 / 3, 0.0, 1 / 3])
    margin = out[out["criterion"] == "margin"].set_index("delta")
    np.testing.assert_allclose(margin["share_changed"], [1 / 3, 0.0, 1 / 3])


def test_one_at_a_time_rescales_other_weights(random_scores):
    out = one_at_a_time(random_scores, WEIGHTS, deltas=[0.5])
    np.testing.assert_allclose(out["weight"], WEIGHTS.to_numpy() * 1.5)
    with pytest.raises(ValueError, match=r"moves the weight of 'a' from 0.4 to 1.2"):
        one_at_a_time(random_scores, WEIGHTS, deltas=[2.0])


def test_weight_change_flips_exactly_one_customer(three_customers):
    """Hand case under random weights: score(p) - 60 = 40 (w_spend - 0.5) and
    score(q) - 60 = -40 (w_spend - 0.5), r stays at 100. So every draw with w_spend > 0.5
    flips q only, every draw with w_spend < 0.5 flips p only: exactly one customer in 3."""
    res = weight_monte_carlo(
        three_customers, [0.5, 0.5], draws=400, cuts=(60,), concentration=20, seed=2
    )
    w = res.weights["spend"].to_numpy()
    changed = res.draw_change["share_changed"].to_numpy()
    np.testing.assert_allclose(changed[w != 0.5], 1 / 3)
    pc = res.per_customer
    assert pc.loc["r", "stability"] == 1.0 and pc.loc["r", "share_changed"] == 0.0
    assert pc.loc["q", "share_changed"] == pytest.approx(np.mean(w > 0.5))
    assert pc.loc["p", "share_changed"] == pytest.approx(np.mean(w < 0.5))
    assert res.expected_change == pytest.approx(changed.mean())


@pytest.mark.parametrize("rule", ["bands", "shares", "pareto"])
def test_zero_spread_is_stable(random_scores, rule):
    for kwargs in (
        {"scheme": "uniform", "spread": 0.0},
        {"scheme": "dirichlet", "concentration": np.inf},
    ):
        res = weight_monte_carlo(
            random_scores, WEIGHTS, draws=50, rule=rule, cuts=(70, 50, 30), **kwargs
        )
        assert (res.per_customer["stability"] == 1.0).all()
        assert (res.per_customer["share_changed"] == 0.0).all()
        assert res.expected_change == 0.0
        assert (res.per_customer["modal_tier"] == res.per_customer["base_tier"]).all()


@pytest.mark.parametrize(
    ("rule", "reference", "kwargs"),
    [
        (
            "bands",
            lambda s: classify.bands(s, cuts=(70, 50, 30), labels=list("ABCD")),
            {"cuts": (70, 50, 30)},
        ),
        (
            "shares",
            lambda s: classify.shares(s, shares=(0.2, 0.3, 0.5)),
            {"shares": (0.2, 0.3, 0.5)},
        ),
        ("pareto", lambda s: classify.pareto(s, cutoffs=(0.8, 0.95)), {"cutoffs": (0.8, 0.95)}),
    ],
)
def test_base_tiers_match_abclab_classify(random_scores, rule, reference, kwargs):
    """The vectorised kernels reproduce abclab.classify's rules (ties included: rounded scores)."""
    X = random_scores.round(-1)  # banded indicator scores -> many tied totals
    res = weight_monte_carlo(X, WEIGHTS, draws=5, rule=rule, **kwargs)
    expected = reference(X @ WEIGHTS)
    assert res.per_customer["base_tier"].astype(str).tolist() == expected.astype(str).tolist()


def test_seeded_reproducibility_and_chunking(random_scores):
    a = weight_monte_carlo(random_scores, WEIGHTS, draws=60, rule="shares", seed=4)
    b = weight_monte_carlo(random_scores, WEIGHTS, draws=60, rule="shares", seed=4, chunk_size=1)
    pd.testing.assert_frame_equal(a.per_customer, b.per_customer)
    pd.testing.assert_frame_equal(a.weights, b.weights)
    pd.testing.assert_frame_equal(a.draw_change, b.draw_change)
    c = weight_monte_carlo(random_scores, WEIGHTS, draws=60, rule="shares", seed=5)
    assert not np.allclose(a.weights, c.weights)


def test_result_tables_consistent(random_scores):
    res = weight_monte_carlo(
        random_scores, WEIGHTS, draws=80, rule="pareto", scheme="uniform", spread=0.3
    )
    np.testing.assert_allclose(res.tier_shares.sum(axis=1), 1.0)
    np.testing.assert_allclose(res.tier_shares.max(axis=1), res.per_customer["stability"])
    dc = res.draw_change
    np.testing.assert_allclose(dc["share_changed"], dc["share_upgraded"] + dc["share_downgraded"])
    # mean over customers of share_changed == mean over draws of share_changed
    assert res.per_customer["share_changed"].mean() == pytest.approx(res.expected_change)
    assert list(res.to_frame().columns[-3:]) == ["share_A", "share_B", "share_C"]
    assert 0 < res.expected_change < 0.5


def test_dirichlet_mean_and_spread():
    """Dirichlet(c w): mean w, variance w (1 - w) / (c + 1)."""
    W = draw_weights(WEIGHTS, draws=20000, concentration=50.0, seed=1)
    np.testing.assert_allclose(W.mean(), WEIGHTS, atol=0.003)
    np.testing.assert_allclose(W.var(), WEIGHTS * (1 - WEIGHTS) / 51, rtol=0.05)


@settings(max_examples=50, deadline=None)
@given(
    weights=st.lists(st.floats(0.01, 10), min_size=2, max_size=6),
    scheme=st.sampled_from(["dirichlet", "uniform"]),
    concentration=st.floats(0.5, 1000),
    spread=st.floats(0, 0.99),
    seed=st.integers(0, 2**32 - 1),
)
def test_drawn_weights_positive_and_sum_to_one(weights, scheme, concentration, spread, seed):
    W = draw_weights(
        pd.Series(weights, index=[f"c{i}" for i in range(len(weights))]),
        draws=30,
        scheme=scheme,
        concentration=concentration,
        spread=spread,
        seed=seed,
    ).to_numpy()
    assert np.all(W >= 0)  # a Dirichlet draw with a tiny alpha can underflow to exactly 0
    if scheme == "uniform":
        assert np.all(W > 0)
    np.testing.assert_allclose(W.sum(axis=1), 1.0)


# -- judgements -----------------------------------------------------------------------------------
def _matrix(ab: float, ac: float, bc: float) -> pd.DataFrame:
    return pd.DataFrame(
        [[1, ab, ac], [1 / ab, 1, bc], [1 / ac, 1 / bc, 1]], index=list("abc"), columns=list("abc")
    )


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), steps=st.integers(0, 3), probability=st.floats(0, 1))
def test_perturbed_judgements_stay_reciprocal_on_scale(seed, steps, probability):
    A = perturb_judgements(
        _matrix(3, 5, 2), draws=20, steps=steps, probability=probability, seed=seed
    )
    np.testing.assert_allclose(A * np.swapaxes(A, 1, 2), 1.0)
    upper = A[:, np.triu_indices(3, 1)[0], np.triu_indices(3, 1)[1]]
    assert np.all(np.isin(np.round(upper, 12), np.round(SAATY_SCALE, 12)))
    pos = np.searchsorted(SAATY_SCALE, [3, 5, 2])
    moved = np.abs(np.searchsorted(np.round(SAATY_SCALE, 12), np.round(upper, 12)) - pos)
    assert moved.max() <= steps


def test_judgement_attribution_finds_pivotal_judgement():
    """Customers trade criterion a off against b (x_a + x_b = 100) with a small bonus on c.

    score - 50 = (w_a - w_b)(x_a - 50) + w_c (x_c - 50), so how many customers fall below 50
    is driven by w_a - w_b: the a-vs-b judgement is pivotal. Checked against a brute-force
    one-at-a-time recomputation with numpy's eigenvector.
    """
    rng = np.random.default_rng(0)
    xa = rng.uniform(0, 100, 400)
    X = pd.DataFrame({"a": xa, "b": 100 - xa, "c": 50 + rng.uniform(0, 20, 400)})
    M = _matrix(1, 5, 5)
    res = judgement_monte_carlo(M, X, draws=200, cuts=(50,), seed=3)
    top = res.attribution.iloc[0]
    assert (top["row"], top["col"]) == ("a", "b")

    def share(A):
        vals, vecs = np.linalg.eig(A)
        w = np.abs(vecs[:, np.argmax(vals.real)].real)
        w /= w.sum()
        return np.mean((X.to_numpy() @ w < 50 * (1 - 1e-9)) != base)

    vals, vecs = np.linalg.eig(M.to_numpy())
    w0 = np.abs(vecs[:, np.argmax(vals.real)].real)
    base = X.to_numpy() @ (w0 / w0.sum()) < 50 * (1 - 1e-9)
    for _, r in res.attribution.iterrows():
        A = M.to_numpy().copy()
        i, j = "abc".index(r["row"]), "abc".index(r["col"])
        A[i, j], A[j, i] = r["new_value"], 1 / r["new_value"]
        assert r["share_changed"] == pytest.approx(share(A))
    np.testing.assert_allclose(res.base_weights, w0 / w0.sum())


@pytest.mark.parametrize("method", ["eigenvector", "geometric_mean"])
def test_judgement_monte_carlo_no_move_is_stable(random_scores, method):
    M = pd.DataFrame(np.ones((4, 4)), index=list("abcd"), columns=list("abcd"))
    for kw in ({"steps": 0}, {"probability": 0.0}):
        res = judgement_monte_carlo(M, random_scores, draws=30, weight_method=method, **kw)
        assert res.expected_change == 0.0
        np.testing.assert_allclose(res.weights, 0.25)
    moved = judgement_monte_carlo(M, random_scores, draws=30, weight_method=method, seed=1)
    assert moved.expected_change > 0
    np.testing.assert_allclose(moved.weights.sum(axis=1), 1.0)


def test_consistent_matrix_weights_both_methods():
    """For a consistent matrix a_ij = w_i / w_j both methods return w (Saaty 1980)."""
    w = np.array([4.0, 2.0, 1.0]) / 7
    M = pd.DataFrame(w[:, None] / w[None, :], index=list("abc"), columns=list("abc"))
    X = pd.DataFrame(np.eye(3) * 100, columns=list("abc"))
    for method in ("eigenvector", "geometric_mean"):
        res = judgement_monte_carlo(M, X, draws=2, weight_method=method, steps=0)
        np.testing.assert_allclose(res.base_weights, w)


# -- bad input -------------------------------------------------------------------------------------
def test_bad_input_messages(random_scores):
    with pytest.raises(InputDataError, match=r"missing \['d'\], unknown \['z'\]"):
        weight_monte_carlo(random_scores, {"a": 1, "b": 1, "c": 1, "z": 1})
    with pytest.raises(InputDataError, match="non-negative numbers"):
        weight_monte_carlo(random_scores, [0.5, 0.5, 0.5, -0.5])
    with pytest.raises(InputDataError, match="column 'b': missing value at row 7"):
        weight_monte_carlo(
            random_scores.assign(b=random_scores["b"].where(random_scores.index != 7)), WEIGHTS
        )
    with pytest.raises(ValueError, match="strictly decreasing cut points"):
        weight_monte_carlo(random_scores, WEIGHTS, cuts=(50, 70))
    with pytest.raises(ValueError, match="spread=1.5"):
        weight_monte_carlo(random_scores, WEIGHTS, scheme="uniform", spread=1.5)
    with pytest.raises(ValueError, match="makes 4 tiers; give 4 distinct labels"):
        weight_monte_carlo(random_scores, WEIGHTS, labels=["x", "y"])
    bad = _matrix(3, 5, 2)
    bad.loc["b", "a"] = 0.5
    X3 = random_scores[["a", "b", "c"]]
    with pytest.raises(JudgementError, match=r"matrix\['b', 'a'\] should be 1/3"):
        judgement_monte_carlo(bad, X3)
    with pytest.raises(JudgementError, match=r"matrix\['a', 'b'\] = 2.5 is not on Saaty's scale"):
        judgement_monte_carlo(_matrix(2.5, 5, 2), X3, off_scale="raise")
    with pytest.raises(InputDataError, match="do not match indicator_scores columns"):
        judgement_monte_carlo(_matrix(3, 5, 2), random_scores[["a", "b", "d"]])
