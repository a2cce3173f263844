"""abclab.ahp: incomplete matrices (Harker), group decisions (AIJ/AIP), hierarchies, repair,
and side-by-side checks against ahpy 2.1 and pymcdm 1.4."""

from __future__ import annotations

import warnings

import ahpy
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pymcdm.weights.subjective import AHP as PymcdmAHP
from test_ahp_published import DRINKS, DRINKS_MATRIX, HOUSE

from abclab import ahp
from abclab.ahp._incomplete import _harker_matrix
from abclab.exceptions import InconsistentJudgementWarning, JudgementError

CAR = {
    ("Cost", "Safety"): 3,
    ("Cost", "Style"): 7,
    ("Cost", "Capacity"): 3,
    ("Safety", "Style"): 9,
    ("Safety", "Capacity"): 1,
    ("Style", "Capacity"): 1 / 7,
}


# ---------------------------------------------------------------- peers side by side
@pytest.mark.parametrize("matrix", [HOUSE, DRINKS_MATRIX], ids=["house", "drinks"])
def test_pymcdm_side_by_side(matrix):
    """pymcdm 1.4 AHP: numpy.linalg.eig principal eigenvector and CR with Tummala & Ling's RI
    (its RI_M) -- same conventions as abclab's eigenvector + ri_table='tummala_ling1998'."""
    peer = PymcdmAHP(matrix=np.array(matrix))
    r = ahp.weights(matrix, ri_table="tummala_ling1998", warn=False)
    np.testing.assert_allclose(r.weights.to_numpy(), peer(), atol=1e-10)
    assert r.cr == pytest.approx(peer.get_cr(), abs=1e-10)


@pytest.mark.parametrize(
    ("comparisons", "table", "ahpy_table"),
    [
        (CAR, "donegan_dodd1991", "dd"),
        (
            {
                (DRINKS[i], DRINKS[j]): DRINKS_MATRIX[i][j]
                for i in range(7)
                for j in range(i + 1, 7)
            },
            "donegan_dodd1991",
            "dd",
        ),
    ],
    ids=["car", "drinks"],
)
def test_ahpy_side_by_side(comparisons, table, ahpy_table):
    """ahpy 2.1 Compare: squared-matrix power iteration to the principal eigenvector (rounded
    to `precision`, here 10 digits) and CR from numpy eigvals with the Donegan & Dodd RI."""
    peer = ahpy.Compare("x", comparisons, precision=10, random_index=ahpy_table)
    r = ahp.weights(comparisons, ri_table=table, warn=False)
    for name, value in peer.local_weights.items():
        assert r.weights[name] == pytest.approx(value, abs=1e-6)
    assert r.cr == pytest.approx(peer.consistency_ratio, abs=1e-6)


def test_ahpy_incomplete_consistent_judgements_agree():
    """With consistent known judgements both Harker (abclab) and Bozoki et al.'s optimal
    completion (ahpy) give the unique consistent completion; ahpy stops at tolerance 1e-4
    on its cyclic coordinates, so agreement is to 1e-5."""
    comparisons = {("a", "b"): 2, ("b", "c"): 3, ("c", "d"): 0.5}
    peer = ahpy.Compare("x", comparisons, precision=10)
    r = ahp.weights(comparisons)
    for name, value in peer.local_weights.items():
        assert r.weights[name] == pytest.approx(value, abs=1e-5)
    assert r.cr == pytest.approx(0.0, abs=1e-12)


# ---------------------------------------------------------------- Harker completion
def test_harker_matrix_by_hand():
    """Harker (1987): missing -> 0, b_ii = 1 + number of missing entries in row i."""
    a = np.array([[1, 2, np.nan], [0.5, 1, 3], [np.nan, 1 / 3, 1]])
    np.testing.assert_array_equal(_harker_matrix(a), [[2, 2, 0], [0.5, 1, 3], [0, 1 / 3, 2]])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0.05, 1.0), min_size=3, max_size=8), st.data())
def test_harker_recovers_consistent_weights_and_is_an_eigenvector(raw, data):
    """Deleting judgements (keeping a spanning chain) from a consistent matrix: Harker's
    eigenvector is w exactly; and for any input, the completed matrix has Harker's w as its
    Perron vector (A* w = B w = lambda w)."""
    w = np.array(raw) / sum(raw)
    n = len(w)
    a = w[:, None] / w[None, :]
    for i in range(n):
        for j in range(i + 2, n):
            if data.draw(st.booleans()):
                a[i, j] = a[j, i] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = ahp.weights(a)
    np.testing.assert_allclose(r.weights.to_numpy(), w, rtol=1e-8)
    noisy = a * np.exp(np.triu(data.draw(st.floats(-0.5, 0.5)) * np.ones((n, n)), 1))
    noisy = np.where(np.tril(np.ones((n, n)), -1) > 0, 1 / noisy.T, noisy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = ahp.weights(noisy)
    completed = s.matrix.to_numpy()
    np.testing.assert_allclose(
        completed @ s.weights.to_numpy(), s.lambda_max * s.weights.to_numpy(), rtol=1e-8
    )


def test_disconnected_judgements_name_the_groups():
    judgements = {("a", "b"): 2, ("c", "d"): 3}
    with pytest.raises(
        JudgementError, match=r"2 unconnected groups \[\['a', 'b'\], \['c', 'd'\]\]"
    ):
        ahp.weights(ahp.pairwise_matrix(judgements))


def test_incomplete_other_methods_use_completed_matrix():
    a = [[1, 2, np.nan], [0.5, 1, 3], [np.nan, 1 / 3, 1]]
    e = ahp.weights(a, method="eigenvector")
    g = ahp.weights(a, method="geometric_mean")
    np.testing.assert_allclose(g.matrix.to_numpy(), e.matrix.to_numpy())
    c = g.matrix.to_numpy()
    expected = np.exp(np.log(c).mean(axis=1))
    np.testing.assert_allclose(g.weights.to_numpy(), expected / expected.sum())
    assert (
        e.inconsistent_judgements()[["row", "column"]].apply(tuple, axis=1).tolist().count((0, 2))
        == 0
    )


# ---------------------------------------------------------------- groups
def test_aij_and_aip_by_hand_two_by_two():
    """Experts say 2 and 8 (weights 1:1): AIJ -> geometric mean 4 -> w = (0.8, 0.2); AIP ->
    sqrt(2/3 * 8/9) vs sqrt(1/3 * 1/9), renormalised = (0.8, 0.2) as well (n = 2)."""
    m1, m2 = [[1, 2], [0.5, 1]], [[1, 8], [1 / 8, 1]]
    aij = ahp.group_weights([m1, m2])
    np.testing.assert_allclose(aij.weights.to_numpy(), [0.8, 0.2])
    assert aij.matrix.iloc[0, 1] == pytest.approx(4.0) and aij.method == "aij:eigenvector"
    aip = ahp.group_weights({"ann": m1, "bo": m2}, method="aip")
    np.testing.assert_allclose(aip.weights.to_numpy(), [0.8, 0.2])
    assert aip.experts["expert"].tolist() == ["ann", "bo"]
    weighted = ahp.group_weights([m1, m2], expert_weights=[3, 1])
    assert weighted.matrix.iloc[0, 1] == pytest.approx(2**0.75 * 8**0.25)


def test_aij_side_by_side_with_ahpy_on_geometric_mean_matrix():
    """AIJ = priorities of the cell-wise geometric mean (Forman & Peniwati 1998); ahpy has no
    group method, so its Compare is run on the same aggregated judgements."""
    e1 = CAR
    e2 = {k: v for k, v in CAR.items()} | {("Cost", "Style"): 5, ("Safety", "Capacity"): 2}
    e3 = {k: v for k, v in CAR.items()} | {("Cost", "Safety"): 1, ("Style", "Capacity"): 1 / 5}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InconsistentJudgementWarning)
        r = ahp.group_weights([e1, e2, e3], ri_table="donegan_dodd1991")
    pooled = {k: float(np.prod([e[k] for e in (e1, e2, e3)]) ** (1 / 3)) for k in CAR}
    peer = ahpy.Compare("group", pooled, precision=10)
    for name, value in peer.local_weights.items():
        assert r.weights[name] == pytest.approx(value, abs=1e-6)
    assert r.cr == pytest.approx(peer.consistency_ratio, abs=1e-6)
    assert r.experts.shape == (3, 4 + 4) and r.experts["cr"].iloc[0] == pytest.approx(
        ahp.weights(e1, ri_table="donegan_dodd1991", warn=False).cr
    )


def test_consensus_measures():
    w = np.array([0.5, 0.3, 0.2])
    same = w[:, None] / w[None, :]
    r = ahp.group_weights([same, same, same])
    assert r.consensus["cosine_similarity"] == pytest.approx(1.0)
    assert r.consensus["shannon_homogeneity"] == pytest.approx(1.0)
    v = np.array([0.2, 0.3, 0.5])
    other = v[:, None] / v[None, :]
    d = ahp.group_weights([same, other], method="aip")
    assert d.consensus["cosine_similarity"] == pytest.approx(float(w @ v / (w @ w)))
    assert 0 < d.consensus["shannon_homogeneity"] < 1


def test_group_errors():
    with pytest.raises(JudgementError, match=r"method='mean' is unknown; choose 'aij' or 'aip'"):
        ahp.group_weights([[[1]]], method="mean")
    with pytest.raises(
        JudgementError,
        match=r"expert 'expert_2' compares \['a', 'c'\], expected the criteria \['a', 'b'\]",
    ):
        ahp.group_weights([{("a", "b"): 2}, {("a", "c"): 2}])
    with pytest.raises(JudgementError, match=r"expert_weights has 3 values for 2 experts"):
        ahp.group_weights([[[1]], [[1]]], expert_weights=[1, 2, 3])
    with pytest.raises(JudgementError, match=r"non-negative with a positive sum"):
        ahp.group_weights([[[1]], [[1]]], expert_weights=[-1, 2])


def test_inconsistent_expert_is_reported():
    bad = [[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]]
    good = [[1, 2, 4], [0.5, 1, 2], [0.25, 0.5, 1]]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        r = ahp.group_weights([bad, good])
    messages = [
        str(w.message) for w in caught if issubclass(w.category, InconsistentJudgementWarning)
    ]
    assert any("experts ['expert_1'] have CR above" in m for m in messages)
    assert r.experts["consistent"].tolist() == [False, True]


# ---------------------------------------------------------------- hierarchy and repair
def test_hierarchy_mixed_nodes_and_errors():
    dims = pd.DataFrame([[1, 2], [0.5, 1]], index=["value", "risk"], columns=["value", "risk"])
    h = ahp.hierarchy_weights(
        dims, {"value": {("spend", "margin"): 3}, "risk": pd.Series({"churn": 1, "late": 3})}
    )
    t = h.to_frame().set_index("indicator")
    assert t.loc["spend", "global_weight"] == pytest.approx(2 / 3 * 3 / 4)
    assert t.loc["late", "local_weight"] == pytest.approx(0.75) and t[
        "global_weight"
    ].sum() == pytest.approx(1)
    assert h.nodes["source"].tolist() == ["judgements", "judgements", "weights"]
    with pytest.raises(JudgementError, match=r"missing \['risk'\], unknown \['cost'\]"):
        ahp.hierarchy_weights(dims, {"value": {"a": 1}, "cost": {"b": 1}})
    with pytest.raises(JudgementError, match=r"weights of node 'value' must be non-negative"):
        ahp.hierarchy_weights(dims, {"value": {"a": -1}, "risk": {"b": 1}})


def test_repair_suggestions_table():
    table = ahp.repair_suggestions([[1, 2, 6], [1 / 2, 1, 2], [1 / 6, 1 / 2, 1]])
    assert table.columns.tolist()[:5] == ["rank", "row", "column", "i", "j"] and len(table) == 3
    assert table["log_error"].is_monotonic_decreasing
    assert set(table["suggested_value"]).issubset(set(ahp.SAATY_SCALE.tolist()))
    np.testing.assert_allclose(table["error_ratio"], table["judgement"] / table["consistent_value"])
    w = np.array([0.5, 0.3, 0.2])
    flat = ahp.repair_suggestions(w[:, None] / w[None, :])
    assert flat["log_error"].max() == pytest.approx(0.0, abs=1e-12)
