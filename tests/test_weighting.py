"""abclab.weighting: hand-computed cases, pymcdm 1.4 side by side on Flores et al. (1992)
data, constant columns and input errors."""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
import pytest
from conftest import BUNDLED_DATA
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from pymcdm import weights as pw

from abclab import weighting
from abclab.exceptions import DataQualityWarning, InputDataError

FLORES = BUNDLED_DATA / "flores47.csv"
CRITERIA = ["avg_unit_cost", "annual_dollar_usage", "critical_factor", "lead_time"]


@pytest.fixture(scope="module")
def flores() -> pd.DataFrame:
    """Flores, Olson & Dorai (1992) 47-item data (shared/data/flores47.csv)."""
    return pd.read_csv(FLORES)[CRITERIA]


def test_entropy_by_hand():
    """a = [1, 2, 3] -> min-max (0, .5, 1) -> p = (0, 1/3, 2/3), e = -(1/3 ln 1/3 + 2/3 ln 2/3)/ln 3;
    b = [1, 5, 1] -> (0, 1, 0) -> p = (0, 1, 0), e = 0. w ∝ (1 - e_a, 1)."""
    frame = pd.DataFrame({"a": [1, 2, 3], "b": [1, 5, 1]})
    e_a = -(1 / 3 * math.log(1 / 3) + 2 / 3 * math.log(2 / 3)) / math.log(3)
    expected = np.array([1 - e_a, 1.0]) / (2 - e_a)
    w = weighting.entropy(frame, normalisation="minmax")
    np.testing.assert_allclose(w.to_numpy(), expected)
    assert w.name == "entropy" and w.index.tolist() == ["a", "b"]


def test_entropy_default_is_the_textbook_sum_normalisation():
    """Default p_ij = x_ij / sum_i x_ij: a = [1, 2, 3] -> p = (1/6, 2/6, 3/6);
    b = [2, 2, 4] -> p = (1/4, 1/4, 1/2); e_j = -sum p ln p / ln 3; w ∝ 1 - e_j."""
    frame = pd.DataFrame({"a": [1.0, 2, 3], "b": [2.0, 2, 4]})

    def e(p):
        return -sum(q * math.log(q) for q in p) / math.log(3)

    d = np.array([1 - e([1 / 6, 2 / 6, 3 / 6]), 1 - e([1 / 4, 1 / 4, 1 / 2])])
    np.testing.assert_allclose(weighting.entropy(frame).to_numpy(), d / d.sum())


def test_entropy_sum_normalisation_matches_pymcdm(flores):
    """pymcdm entropy_weights: p_ij = x_ij / sum_i x_ij on raw data (all Flores values > 0)."""
    ours = weighting.entropy(flores)  # the default is the sum normalisation
    np.testing.assert_allclose(ours.to_numpy(), pw.entropy_weights(flores.to_numpy()), atol=1e-12)


def test_critic_matches_pymcdm(flores):
    """pymcdm critic_weights: min-max normalisation, sample std, Pearson correlation."""
    ours = weighting.critic(flores)
    np.testing.assert_allclose(ours.to_numpy(), pw.critic_weights(flores.to_numpy()), atol=1e-12)


def test_std_dev_and_equal_match_pymcdm(flores):
    ours = weighting.std_dev(flores, normalisation="none")
    np.testing.assert_allclose(
        ours.to_numpy(), pw.standard_deviation_weights(flores.to_numpy()), atol=1e-12
    )
    np.testing.assert_allclose(
        weighting.equal(flores).to_numpy(), pw.equal_weights(flores.to_numpy())
    )


def test_critic_by_hand():
    """a = b = (0, 1, 2), c = (2, 1, 0): equal sigma; r_ab = 1, r_ac = r_bc = -1.
    C_a = C_b = sigma (0 + 0 + 2), C_c = sigma (2 + 2 + 0) -> (1/4, 1/4, 1/2)."""
    frame = pd.DataFrame({"a": [0, 1, 2], "b": [0, 1, 2], "c": [2, 1, 0]})
    np.testing.assert_allclose(weighting.critic(frame).to_numpy(), [0.25, 0.25, 0.5])


def test_cost_columns_are_reversed():
    frame = pd.DataFrame(
        {"spend": [1.0, 4, 9, 2], "days_late": [0.0, 3, 1, 7], "margin": [5.0, 1, 2, 2]}
    )
    flipped = frame.assign(days_late=-frame["days_late"])
    entropy_minmax = functools.partial(weighting.entropy, normalisation="minmax")
    for fn in (entropy_minmax, weighting.critic):
        np.testing.assert_allclose(fn(frame, cost=["days_late"]).to_numpy(), fn(flipped).to_numpy())
    # sum normalisation reflects a cost column as max + min - x
    reflected = frame.assign(days_late=7 + 0 - frame["days_late"])
    np.testing.assert_allclose(
        weighting.entropy(frame, cost=["days_late"]).to_numpy(),
        weighting.entropy(reflected).to_numpy(),
    )
    with pytest.raises(InputDataError, match=r"cost=\['churn'\] are not columns"):
        weighting.entropy(frame, cost=["churn"])


def test_constant_column_gets_zero_weight_with_warning():
    frame = pd.DataFrame({"a": [1.0, 2, 3, 4], "flat": [5.0, 5, 5, 5], "b": [4.0, 1, 3, 3]})
    for fn in (weighting.entropy, weighting.critic, weighting.std_dev):
        with pytest.warns(
            DataQualityWarning, match=r"constant column\(s\) \['flat'\] get weight 0"
        ):
            w = fn(frame)
        assert w["flat"] == 0 and w.sum() == pytest.approx(1)
    with pytest.raises(InputDataError, match=r"every column is constant"):
        weighting.entropy(pd.DataFrame({"x": [1, 1], "y": [2, 2]}))


def test_input_errors_name_column_and_row():
    bad = pd.DataFrame({"a": [1.0, np.nan, 3], "b": [1.0, 2, 3]}, index=["c1", "c2", "c3"])
    with pytest.raises(InputDataError, match=r"column 'a', row 'c2' is nan"):
        weighting.critic(bad)
    with pytest.raises(InputDataError, match=r"column 'name' is .*expected numbers"):
        weighting.entropy(pd.DataFrame({"name": ["x", "y"], "b": [1, 2]}))
    with pytest.raises(InputDataError, match=r"at least 2 rows"):
        weighting.entropy(pd.DataFrame({"a": [1.0]}))
    with pytest.raises(InputDataError, match=r"column 'a' has negative values"):
        weighting.entropy(pd.DataFrame({"a": [-1.0, 2], "b": [1.0, 2]}), normalisation="sum")
    with pytest.raises(InputDataError, match=r"normalisation='z' is unknown"):
        weighting.entropy(pd.DataFrame({"a": [1.0, 2]}), normalisation="z")


def test_blend_by_hand():
    s, o = {"x": 0.6, "y": 0.4}, {"y": 0.8, "x": 0.2}
    lin = weighting.blend(s, o)
    np.testing.assert_allclose(lin[["x", "y"]].to_numpy(), [0.4, 0.6])
    mult = weighting.blend(s, o, how="multiplicative")
    np.testing.assert_allclose(mult[["x", "y"]].to_numpy(), [0.12 / 0.44, 0.32 / 0.44])
    np.testing.assert_allclose(weighting.blend(s, o, alpha=1.0).to_numpy(), [0.6, 0.4])
    with pytest.raises(
        InputDataError, match=r"criteria \['x', 'y'\] and objective criteria \['x', 'z'\] differ"
    ):
        weighting.blend(s, {"x": 1, "z": 1})
    with pytest.raises(InputDataError, match=r"alpha=1.5 must be between 0 and 1"):
        weighting.blend(s, o, alpha=1.5)
    with pytest.raises(InputDataError, match=r"how='mean' is unknown"):
        weighting.blend(s, o, how="mean")


@settings(max_examples=30, deadline=None)
@given(
    arrays(np.float64, st.tuples(st.integers(2, 12), st.integers(1, 5)), elements=st.floats(0, 1e3))
)
def test_weights_are_a_distribution(x):
    frame = pd.DataFrame(x, columns=[f"c{k}" for k in range(x.shape[1])])
    if (np.ptp(x, axis=0) == 0).all():
        with pytest.raises(InputDataError):
            weighting.entropy(frame)
        return
    for fn in (weighting.entropy, weighting.critic, weighting.std_dev):
        with pytest.warns() if (np.ptp(x, axis=0) == 0).any() else _nullcontext():
            w = fn(frame)
        assert (w >= 0).all() and w.sum() == pytest.approx(1.0)


class _nullcontext:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_entropy_records_what_it_was_computed_on(flores):
    """``data="scores"`` computes the same numbers as the default and says so in ``attrs``;
    entropy on the 0-100 min-max scores differs from entropy on the raw criteria (issue 13:
    the pipeline's comparison is on the normalised scores)."""
    raw = weighting.entropy(flores)
    assert raw.attrs == {"method": "entropy", "normalisation": "sum", "data": "raw"}
    scores = 100 * (flores - flores.min()) / (flores.max() - flores.min())
    on_scores = weighting.entropy(scores, data="scores")
    pd.testing.assert_series_equal(on_scores, weighting.entropy(scores))
    assert on_scores.attrs["data"] == "scores"
    assert np.abs(on_scores - raw).max() > 0.01
    # CRITIC min-max normalises first, so raw and min-max scores give the same weights
    pd.testing.assert_series_equal(weighting.critic(scores), weighting.critic(flores))
    with pytest.raises(InputDataError, match="already oriented"):
        weighting.entropy(scores, data="scores", cost=["lead_time"])
    with pytest.raises(InputDataError, match="data='normalised' is unknown"):
        weighting.entropy(scores, data="normalised")
