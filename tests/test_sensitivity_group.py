"""Judgement perturbation of group studies (issue 13): the aggregated matrix of the demo's two
experts (off Saaty's scale) and per-expert perturbation then AIJ aggregation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from abclab import ahp
from abclab.exceptions import JudgementError
from abclab.sensitivity import SAATY_SCALE, judgement_monte_carlo, perturb_judgements

#: The finance director's matrix is slightly inconsistent on purpose (CR ~ 0.11).
pytestmark = pytest.mark.filterwarnings("ignore::abclab.exceptions.InconsistentJudgementWarning")

CRITERIA = ["annual_spend", "margin", "tenure_years", "cross_purchase_rate", "on_time_payment_rate"]
#: The two experts of abclab/study_example.yaml (the demo study).
SALES = {
    "annual_spend > margin": 2, "annual_spend > tenure_years": 4,
    "annual_spend > cross_purchase_rate": 3, "annual_spend > on_time_payment_rate": 3,
    "margin > tenure_years": 2, "margin > cross_purchase_rate": 2,
    "margin = on_time_payment_rate": 1, "tenure_years < cross_purchase_rate": 2,
    "tenure_years < on_time_payment_rate": 2, "cross_purchase_rate = on_time_payment_rate": 1,
}  # fmt: skip
FINANCE = {
    "margin > annual_spend": 2, "annual_spend > tenure_years": 3,
    "annual_spend > cross_purchase_rate": 3, "annual_spend = on_time_payment_rate": 1,
    "margin > tenure_years": 4, "margin > cross_purchase_rate": 3,
    "margin > on_time_payment_rate": 2, "tenure_years = cross_purchase_rate": 1,
    "on_time_payment_rate > tenure_years": 5, "cross_purchase_rate > on_time_payment_rate": 2,
}  # fmt: skip


def _judgements(written: dict[str, float]) -> dict[tuple[str, str], float]:
    out = {}
    for text, value in written.items():
        a, b, rev = ahp.parse_pair(text)
        out[(a, b)] = 1 / value if rev else value
    return out


@pytest.fixture(scope="module")
def experts() -> dict[str, pd.DataFrame]:
    return {
        "sales_director": ahp.pairwise_matrix(_judgements(SALES), criteria=CRITERIA),
        "finance_director": ahp.pairwise_matrix(_judgements(FINANCE), criteria=CRITERIA),
    }


@pytest.fixture(scope="module")
def scores() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    return pd.DataFrame(rng.uniform(0, 100, size=(300, 5)), columns=CRITERIA)


def test_aggregated_matrix_is_accepted(experts, scores):
    """The AIJ matrix has sqrt(4 x 3) = 3.4641 at (annual_spend, tenure_years): it used to be
    rejected ("3.4641 is not on Saaty's scale"); now it sits halfway between 3 and 4."""
    group = ahp.group_weights(experts, method="aij")
    assert group.matrix.loc["annual_spend", "tenure_years"] == pytest.approx(math.sqrt(12))
    with pytest.raises(JudgementError, match="3.4641 is not on Saaty's scale"):
        perturb_judgements(group.matrix, off_scale="raise")
    A = perturb_judgements(group.matrix, draws=400, seed=1)
    values = set(np.round(A[:, 0, 2], 6))
    # one step either way: sqrt(2 x 3), sqrt(4 x 5); or unchanged
    assert values <= {round(math.sqrt(6), 6), round(math.sqrt(12), 6), round(math.sqrt(20), 6)}
    np.testing.assert_allclose(A * np.transpose(A, (0, 2, 1)), 1.0)
    res = judgement_monte_carlo(group.matrix, scores, draws=300, rule="shares", seed=2)
    np.testing.assert_allclose(res.base_weights.to_numpy(), group.weights.to_numpy(), atol=1e-9)
    assert 0 < res.expected_change < 1


def test_nearest_snaps_before_moving(experts):
    group = ahp.group_weights(experts, method="aij")
    A = perturb_judgements(group.matrix, draws=50, steps=0, off_scale="nearest")
    on_scale = np.isclose(A[..., None], SAATY_SCALE).any(axis=-1)
    assert on_scale.all()


def test_steps_zero_reproduces_the_matrix(experts):
    group = ahp.group_weights(experts, method="aij")
    A = perturb_judgements(group.matrix, draws=3, steps=0)
    np.testing.assert_allclose(A[0], group.matrix.to_numpy(), rtol=1e-12)


def test_per_expert_perturbation_then_aggregation(experts, scores):
    """``{expert: matrix}``: base weights are the AIJ group weights (eigenvector of the
    geometric-mean matrix); with steps=0 nothing moves; attribution names the expert."""
    group = ahp.group_weights(experts, method="aij")
    still = judgement_monte_carlo(experts, scores, draws=20, steps=0, rule="shares")
    np.testing.assert_allclose(still.base_weights.to_numpy(), group.weights.to_numpy(), atol=1e-9)
    assert still.expected_change == 0.0
    res = judgement_monte_carlo(experts, scores, draws=300, rule="shares", seed=4)
    assert 0 < res.expected_change < 1
    att = res.attribution
    assert att.columns.tolist()[:3] == ["expert", "row", "col"]
    assert set(att["expert"]) == set(experts)
    assert len(att) == 2 * 2 * 10 - (att["judgement"].isin([1 / 9, 9]).sum())
    again = judgement_monte_carlo(experts, scores, draws=300, rule="shares", seed=4)
    pd.testing.assert_frame_equal(res.to_frame(), again.to_frame())
    weighted = judgement_monte_carlo(
        experts, scores, draws=5, steps=0, rule="shares",
        expert_weights={"sales_director": 3, "finance_director": 1},
    )  # fmt: skip
    g3 = ahp.group_weights(experts, method="aij", expert_weights={"sales_director": 3,
                                                                   "finance_director": 1})  # fmt: skip
    np.testing.assert_allclose(weighted.base_weights.to_numpy(), g3.weights.to_numpy(), atol=1e-9)


def test_group_errors_name_the_expert(experts, scores):
    bad = dict(experts)
    m = bad["finance_director"].copy()
    m.loc["margin", "annual_spend"] = 12.0
    m.loc["annual_spend", "margin"] = 1 / 12
    bad["finance_director"] = m
    with pytest.raises(JudgementError, match="expert 'finance_director'.*outside Saaty's scale"):
        judgement_monte_carlo(bad, scores, draws=5)
    with pytest.raises(ValueError, match="expert_weights"):
        judgement_monte_carlo(experts, scores, draws=5, expert_weights={"sales_director": 1})
