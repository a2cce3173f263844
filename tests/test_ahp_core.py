"""abclab.ahp: hand-computed cases, validation errors, properties, explain mode."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abclab import ahp
from abclab.exceptions import DataQualityWarning, InconsistentJudgementWarning, JudgementError

METHODS = ["eigenvector", "geometric_mean", "column_mean"]
SCALE = [1 / 9, 1 / 8, 1 / 7, 1 / 6, 1 / 5, 1 / 4, 1 / 3, 1 / 2, 1, 2, 3, 4, 5, 6, 7, 8, 9]


# ---------------------------------------------------------------- hand-computed cases
@pytest.mark.parametrize("method", METHODS)
def test_two_by_two_by_hand(method):
    """[[1, 3], [1/3, 1]]: w = (3/4, 1/4) for every method; n = 2 is always consistent."""
    r = ahp.weights([[1, 3], [1 / 3, 1]], method=method)
    np.testing.assert_allclose(r.weights.to_numpy(), [0.75, 0.25])
    assert (r.cr, r.ci, r.lambda_max, r.n) == (0.0, 0.0, 2.0, 2) and r.consistent
    assert list(r.weights.index) == [0, 1] and r.weights.name == method


def test_one_criterion():
    r = ahp.weights([[1]], criteria=["only"])
    assert r.weights.to_dict() == {"only": 1.0} and r.cr == 0.0


@pytest.mark.parametrize("method", METHODS)
def test_consistent_three_by_three_by_hand(method):
    """a_ij = w_i / w_j with w = (0.5, 0.3, 0.2): every method returns w, lambda_max = 3, CR = 0."""
    w = np.array([0.5, 0.3, 0.2])
    r = ahp.weights(w[:, None] / w[None, :], method=method)
    np.testing.assert_allclose(r.weights.to_numpy(), w, atol=1e-12)
    assert r.lambda_max == pytest.approx(3.0) and r.cr == pytest.approx(0.0, abs=1e-12)
    assert r.gci == pytest.approx(0.0, abs=1e-20)


INCONSISTENT_3 = [[1, 2, 6], [1 / 2, 1, 2], [1 / 6, 1 / 2, 1]]


def test_column_mean_by_hand():
    """Column sums 5/3, 7/2, 9 -> normalised columns (3/5,3/10,1/10), (4/7,2/7,1/7), (2/3,2/9,1/9)."""
    r = ahp.weights(INCONSISTENT_3, method="column_mean")
    expected = [
        (3 / 5 + 4 / 7 + 2 / 3) / 3,
        (3 / 10 + 2 / 7 + 2 / 9) / 3,
        (1 / 10 + 1 / 7 + 1 / 9) / 3,
    ]
    np.testing.assert_allclose(r.weights.to_numpy(), expected)


def test_geometric_mean_and_gci_by_hand():
    """Row products 12, 1, 1/12 -> w ∝ (12^(1/3), 1, 12^(-1/3)). For n = 3 every log error has
    magnitude |log(a12 a23 / a13)|/3, so GCI = log(a12 a23/a13)^2 / 3 = log(2/3)^2 / 3."""
    r = ahp.weights(INCONSISTENT_3, method="geometric_mean")
    g = np.array([12 ** (1 / 3), 1, 12 ** (-1 / 3)])
    np.testing.assert_allclose(r.weights.to_numpy(), g / g.sum())
    assert r.gci == pytest.approx(math.log(2 * 2 / 6) ** 2 / 3)
    assert (
        ahp.gci_threshold(3) == 0.31
        and ahp.gci_threshold(4) == 0.35
        and ahp.gci_threshold(9) == 0.37
    )


def test_eigenvector_matches_characteristic_equation():
    """lambda_max of a 3x3 reciprocal matrix is 1 + t + 1/t with t = (a12 a23 / a13)^(1/3)
    (closed form of det(A - lambda I) = 0 for n = 3)."""
    r = ahp.weights(INCONSISTENT_3)
    t = (2 * 2 / 6) ** (1 / 3)
    assert r.lambda_max == pytest.approx(1 + t + 1 / t)
    assert r.ci == pytest.approx((r.lambda_max - 3) / 2)
    assert r.cr == pytest.approx(r.ci / 0.58)


def test_random_index_tables_and_alonso_lamata_fit():
    """RI tables as published (Saaty 1980; Alonso & Lamata 2006 table); beyond the table the
    A-L fit (1.7699 n - 4.3513)/(n - 1); lambda limit n + 0.1 (1.7699 n - 4.3513)."""
    assert ahp.RANDOM_INDEX["saaty1980"][3] == 0.58 and ahp.RANDOM_INDEX["saaty1980"][15] == 1.59
    assert (
        ahp.RANDOM_INDEX["alonso_lamata2006"][3] == 0.5245
        and ahp.RANDOM_INDEX["alonso_lamata2006"][15] == 1.5838
    )
    ri, source = ahp.random_index(20, "saaty1980")
    assert source == "alonso_lamata2006_fit" and ri == pytest.approx((1.7699 * 20 - 4.3513) / 19)
    assert ahp.alonso_lamata_lambda_limit(3) == pytest.approx(3 + 0.1 * (1.7699 * 3 - 4.3513))
    r = ahp.weights(INCONSISTENT_3, ri_table="alonso_lamata2006")
    assert r.ri == 0.5245 and r.ri_table == "alonso_lamata2006"
    assert (
        ahp.saaty_threshold(3) == 0.05
        and ahp.saaty_threshold(4) == 0.08
        and ahp.saaty_threshold(7) == 0.10
    )


# ---------------------------------------------------------------- construction
def test_verbal_labels_english_and_chinese():
    m = ahp.pairwise_matrix(
        {
            ("spend", "margin"): "strongly more important",
            ("margin", "tenure"): "moderately less important",
            ("spend", "tenure"): "同等重要",
            ("spend", "cross"): "1/4",
            ("cross", "tenure"): "明显重要",
        }
    )
    assert m.loc["spend", "margin"] == 5 and m.loc["margin", "spend"] == pytest.approx(1 / 5)
    assert m.loc["margin", "tenure"] == pytest.approx(1 / 3) and m.loc["spend", "tenure"] == 1
    assert m.loc["cross", "spend"] == 4 and m.loc["cross", "tenure"] == 5
    assert list(m.index) == ["spend", "margin", "tenure", "cross"]


def test_dataframe_columns_are_aligned_to_index():
    frame = pd.DataFrame([[3, 1], [1, 1 / 3]], index=["a", "b"], columns=["b", "a"])
    r = ahp.weights(frame)
    assert r.weights.to_dict() == pytest.approx({"a": 0.75, "b": 0.25})
    assert r.matrix.columns.tolist() == ["a", "b"]
    with pytest.raises(JudgementError, match=r"columns \['b', 'c'\] must be the same criteria"):
        ahp.weights(pd.DataFrame(np.ones((2, 2)), index=["a", "b"], columns=["b", "c"]))


@pytest.mark.parametrize(
    ("matrix", "pattern"),
    [
        ([[1, 2, 3], [1 / 2, 1, 2]], r"square"),
        ([[1, -2], [-1 / 2, 1]], r"\['?0'?, '?1'?\].*positive finite"),
        ([[1, 0], [np.inf, 1]], r"positive finite"),
        ([[2, 3], [1 / 3, 1]], r"cell \[0, 0\].*diagonal must be 1"),
        (
            [[1, 3], [0.5, 1]],
            r"cell \[0, 1\] \(row 0, column 1\) is 3, so cell \[1, 0\].*should be 1/3 = 0\.3333, but it is 0\.5",
        ),
        ([[1, "very much"], [1, 1]], r"cannot read 'very much'"),
    ],
)
def test_invalid_matrices_name_the_cell(matrix, pattern):
    with pytest.raises(JudgementError, match=pattern):
        ahp.weights(matrix)


def test_reciprocity_error_uses_labels():
    frame = pd.DataFrame([[1, 3], [0.5, 1]], index=["spend", "margin"], columns=["spend", "margin"])
    with pytest.raises(JudgementError, match=r"\['spend', 'margin'\].*should be 1/3"):
        ahp.weights(frame)


def test_conflicting_duplicate_judgements():
    with pytest.raises(JudgementError, match=r"conflicting judgements for \('b', 'a'\)"):
        ahp.pairwise_matrix({("a", "b"): 3, ("b", "a"): 2})
    same = ahp.pairwise_matrix({("a", "b"): 3, ("b", "a"): 1 / 3})
    assert same.loc["a", "b"] == 3


def test_other_construction_errors():
    with pytest.raises(JudgementError, match=r"compared with itself must be 1"):
        ahp.pairwise_matrix({("a", "a"): 3, ("a", "b"): 2})
    with pytest.raises(JudgementError, match=r"\['c'\] appear in no judgement"):
        ahp.pairwise_matrix({("a", "b"): 2}, criteria=["a", "b", "c"])
    with pytest.raises(JudgementError, match=r"criteria has 3 names but the matrix is 2 x 2"):
        ahp.weights([[1, 2], [0.5, 1]], criteria=["a", "b", "c"])
    with pytest.raises(JudgementError, match=r"method='mean' is unknown"):
        ahp.weights([[1]], method="mean")
    with pytest.raises(JudgementError, match=r"ri_table='x' is unknown"):
        ahp.weights([[1]], ri_table="x")


def test_off_scale_values_warn_but_compute():
    with pytest.warns(
        DataQualityWarning, match=r"cell \[0, 1\].*is 12, outside Saaty's 1/9-9 scale"
    ):
        r = ahp.weights([[1, 12], [1 / 12, 1]])
    assert r.weights[0] == pytest.approx(12 / 13)


def test_inconsistent_matrix_warns_and_still_returns():
    m = [[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]]
    with pytest.warns(InconsistentJudgementWarning, match=r"CR = .* exceeds 0\.05 \(n = 3"):
        r = ahp.weights(m)
    assert r.cr > 1 and not r.consistent and r.weights.sum() == pytest.approx(1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ahp.weights(m, warn=False)


# ---------------------------------------------------------------- explain / frames
def test_explain_tables():
    r = ahp.weights(INCONSISTENT_3, ri_table="alonso_lamata2006")
    ex = r.explain()
    np.testing.assert_allclose(ex["normalised_matrix"].sum(axis=0), 1.0)
    np.testing.assert_allclose(
        ex["weights"]["lambda_estimate"], r.lambda_max
    )  # eigenvector: all rows equal
    summary = ex["summary"].set_index("quantity")
    assert summary.loc["cr", "value"] == pytest.approx(r.cr)
    assert "alonso_lamata2006" in summary.loc["ri", "note"]
    cm = ahp.weights(INCONSISTENT_3, method="column_mean").explain()["weights"]
    np.testing.assert_allclose(cm["weighted_sum"], np.array(INCONSISTENT_3) @ cm["weight"])
    frame = r.to_frame()
    assert frame.columns.tolist() == ["criterion", "weight", "rank"] and frame["rank"].tolist() == [
        1,
        2,
        3,
    ]


# ---------------------------------------------------------------- properties
@st.composite
def reciprocal_matrices(draw, max_n=9):
    n = draw(st.integers(1, max_n))
    a = np.ones((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            a[i, j] = draw(st.sampled_from(SCALE))
            a[j, i] = 1 / a[i, j]
    return a


@settings(max_examples=60, deadline=None)
@given(reciprocal_matrices())
def test_weights_positive_and_sum_to_one(a):
    for method in METHODS:
        r = ahp.weights(a, method=method, warn=False)
        w = r.weights.to_numpy()
        assert (w > 0).all() and w.sum() == pytest.approx(1.0)
        assert r.lambda_max >= r.n - 1e-9 and r.cr >= 0


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0.01, 1.0), min_size=1, max_size=12))
def test_consistent_matrix_recovers_weights(raw):
    w = np.array(raw) / sum(raw)
    for method in METHODS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataQualityWarning)  # ratios beyond 9 are intended here
            r = ahp.weights(w[:, None] / w[None, :], method=method, warn=False)
        np.testing.assert_allclose(r.weights.to_numpy(), w, rtol=1e-7, atol=1e-12)
        assert r.cr == pytest.approx(0.0, abs=1e-8)


@settings(max_examples=40, deadline=None)
@given(reciprocal_matrices(), st.randoms(use_true_random=False))
def test_permuting_criteria_permutes_weights(a, rnd):
    perm = list(range(len(a)))
    rnd.shuffle(perm)
    for method in METHODS:
        base = ahp.weights(a, method=method, warn=False)
        moved = ahp.weights(a[np.ix_(perm, perm)], method=method, warn=False)
        np.testing.assert_allclose(
            moved.weights.to_numpy(), base.weights.to_numpy()[perm], atol=1e-10
        )
        assert moved.cr == pytest.approx(base.cr, abs=1e-10)


def test_twenty_criteria():
    rng = np.random.default_rng(0)
    n = 20
    a = np.ones((n, n))
    iu = np.triu_indices(n, 1)
    a[iu] = rng.choice(SCALE, size=len(iu[0]))
    a[(iu[1], iu[0])] = 1 / a[iu]
    for table in ("saaty1980", "alonso_lamata2006"):
        r = ahp.weights(a, ri_table=table, warn=False)
        assert r.n == 20 and r.weights.sum() == pytest.approx(1)
        assert r.ri == pytest.approx((1.7699 * 20 - 4.3513) / 19)
        assert (r.cr <= 0.1) == (r.lambda_max <= r.alonso_lamata_lambda_limit)
