"""abclab.ahp.fuzzy_weights (Buckley 1985): hand-computed 2 x 2, pyDecision 5.1.8 side by side,
crisp judgements reduce to the row geometric mean, input errors.

Where the numbers come from: tests/reference/bwm_fuzzy_smaa.md.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from abclab import ahp
from abclab.exceptions import InconsistentJudgementWarning, JudgementError

#: pyDecision's README example (Valdecy/pyDecision, "Fuzzy AHP"), criteria g1..g4.
PYDECISION_TFN = [
    [(1, 1, 1), (4, 5, 6), (3, 4, 5), (6, 7, 8)],
    [(1 / 6, 1 / 5, 1 / 4), (1, 1, 1), (1 / 3, 1 / 2, 1), (2, 3, 4)],
    [(1 / 5, 1 / 4, 1 / 3), (1, 2, 3), (1, 1, 1), (2, 3, 4)],
    [(1 / 8, 1 / 7, 1 / 6), (1 / 4, 1 / 3, 1 / 2), (1 / 4, 1 / 3, 1 / 2), (1, 1, 1)],
]


def test_two_criteria_by_hand():
    """a_12 = (2, 3, 4): r_1 = (sqrt 2, sqrt 3, 2), r_2 = (1/2, 1/sqrt 3, 1/sqrt 2);
    w_1 = (sqrt 2 / (2 + 1/sqrt 2), sqrt 3 / (sqrt 3 + 1/sqrt 3), 2 / (sqrt 2 + 1/2))."""
    res = ahp.fuzzy_weights([[(1, 1, 1), (2, 3, 4)], [(1 / 4, 1 / 3, 1 / 2), (1, 1, 1)]])
    s2, s3 = math.sqrt(2), math.sqrt(3)
    w1 = [s2 / (2 + 1 / s2), s3 / (s3 + 1 / s3), 2 / (s2 + 0.5)]
    w2 = [0.5 / (2 + 1 / s2), (1 / s3) / (s3 + 1 / s3), (1 / s2) / (s2 + 0.5)]
    np.testing.assert_allclose(res.fuzzy_weights.to_numpy(), [w1, w2], rtol=1e-12)
    c = np.array([sum(w1), sum(w2)]) / 3
    np.testing.assert_allclose(res.weights.to_numpy(), c / c.sum(), rtol=1e-12)
    assert res.cr == 0.0


def test_matches_pydecision_fuzzy_ahp_method():
    """pyDecision 5.1.8 ``fuzzy_ahp_method(dataset)`` on its README example: fuzzy weights,
    defuzzified (centroid) and normalised weights to 1e-9. Its consistency ratio, 0.0551, uses
    the graded-mean matrix with a lambda estimate from the fuzzy weights; abclab's
    ``consistency="graded_mean"`` uses the principal eigenvalue of that matrix: 0.0547."""
    res = ahp.fuzzy_weights(PYDECISION_TFN, consistency="graded_mean", warn=False)
    np.testing.assert_allclose(
        res.fuzzy_weights.to_numpy(),
        [
            [0.4282495207, 0.6097294194, 0.8588453123],
            [0.0848795628, 0.1311853852, 0.2182037144],
            [0.1169172951, 0.1961679059, 0.3085866523],
            [0.0437080337, 0.0629172894, 0.0985846568],
        ],
        atol=1e-9,
    )
    np.testing.assert_allclose(
        res.defuzzified.to_numpy(), [0.6322747508, 0.1447562208, 0.2072239511, 0.0684033266],
        atol=1e-9,
    )  # fmt: skip
    np.testing.assert_allclose(
        res.weights.to_numpy(), [0.6006457948, 0.1375149256, 0.1968577658, 0.0649815138],
        atol=1e-9,
    )  # fmt: skip
    assert res.cr == pytest.approx(0.0551, abs=1e-3)


def test_crisp_judgements_give_the_row_geometric_mean():
    """l = m = u: Buckley's weights are the crisp row geometric mean (Crawford & Williams
    1985) and the CR is that of the crisp matrix (Saaty's house example, 8 x 8)."""
    a = np.array([[1, 3, 5], [1 / 3, 1, 2], [1 / 5, 1 / 2, 1]])
    tfn = np.repeat(a[:, :, None], 3, axis=2)
    res = ahp.fuzzy_weights(tfn, criteria=["x", "y", "z"], warn=False)
    crisp = ahp.weights(a, method="geometric_mean", criteria=["x", "y", "z"], warn=False)
    pd.testing.assert_series_equal(res.weights, crisp.weights.rename("fuzzy_buckley"))
    assert res.cr == pytest.approx(crisp.cr)
    np.testing.assert_allclose(res.fuzzy_weights["l"], res.fuzzy_weights["u"])


def test_fuzzier_judgements_widen_the_weights_but_keep_the_centre():
    """Symmetric widening in log space around the same modal matrix keeps m and widens l..u."""
    a = np.array([[1, 3, 5], [1 / 3, 1, 2], [1 / 5, 1 / 2, 1]])
    narrow = np.stack([a / 1.1, a, a * 1.1], axis=2)
    wide = np.stack([a / 1.5, a, a * 1.5], axis=2)
    for t in (narrow, wide):
        d = np.eye(3, dtype=bool)
        t[d] = 1.0
    rn, rw = ahp.fuzzy_weights(narrow, warn=False), ahp.fuzzy_weights(wide, warn=False)
    np.testing.assert_allclose(rn.fuzzy_weights["m"], rw.fuzzy_weights["m"])
    assert (
        rw.fuzzy_weights["u"] - rw.fuzzy_weights["l"]
        > rn.fuzzy_weights["u"] - rn.fuzzy_weights["l"]
    ).all()


def test_dataframe_input_and_to_frame():
    names = ["spend", "margin"]
    frame = pd.DataFrame(
        [[(1, 1, 1), (2, 3, 4)], [(1 / 4, 1 / 3, 1 / 2), (1, 1, 1)]], index=names, columns=names
    )
    out = ahp.fuzzy_weights(frame).to_frame()
    assert out.columns.tolist() == [
        "criterion", "weight_l", "weight_m", "weight_u", "defuzzified", "weight", "rank",
    ]  # fmt: skip
    assert out["criterion"].tolist() == names and out["rank"].tolist() == [1, 2]


def test_inconsistent_modal_matrix_warns():
    bad = [
        [(1, 1, 1), (4, 5, 6), (1 / 6, 1 / 5, 1 / 4)],
        [(1 / 6, 1 / 5, 1 / 4), (1, 1, 1), (4, 5, 6)],
        [(4, 5, 6), (1 / 6, 1 / 5, 1 / 4), (1, 1, 1)],
    ]
    with pytest.warns(InconsistentJudgementWarning):
        res = ahp.fuzzy_weights(bad)
    assert not res.consistent


def test_errors_name_the_cell():
    with pytest.raises(JudgementError, match=r"expected l <= m <= u"):
        ahp.fuzzy_weights([[(1, 1, 1), (4, 3, 2)], [(1 / 2, 1 / 3, 1 / 4), (1, 1, 1)]])
    with pytest.raises(JudgementError, match=r"tfn_matrix\[0, 1\].*reciprocal"):
        ahp.fuzzy_weights([[(1, 1, 1), (2, 3, 4)], [(1 / 2, 1 / 3, 1 / 2), (1, 1, 1)]])
    with pytest.raises(JudgementError, match=r"shape \(n, n, 3\)"):
        ahp.fuzzy_weights([[1, 3], [1 / 3, 1]])
    with pytest.raises(JudgementError, match="method='chang'"):
        ahp.fuzzy_weights(PYDECISION_TFN, method="chang")
