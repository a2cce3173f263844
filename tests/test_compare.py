"""Tests for abclab.compare: summary table, agreement, cross-tabs, disputed, Lorenz/Gini, ranks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from sklearn.metrics import adjusted_rand_score, cohen_kappa_score

from abclab.compare import (
    agreement,
    crosstab,
    disputed,
    gini,
    lorenz,
    rank_correlation,
    summary_table,
)
from abclab.exceptions import InputDataError

BANDS = ["strategic", "key", "ordinary", "potential"]


def _tiers(values, categories=("A", "B", "C"), index=None, name=None) -> pd.Series:
    return pd.Series(
        pd.Categorical(values, categories=list(categories), ordered=True), index=index, name=name
    )


# -- summary table ----------------------------------------------------------------------------
@pytest.fixture
def source003_frame() -> pd.DataFrame:
    """400 customers whose totals are exactly source 003's template (三) table.

    Source 003, 四(三) 分级分类结果汇总表: 战略级 20 家 (5 %) 8000 万 (40 %) 18 %; 重点级 50
    (12.5 %) 6000 (30 %) 12 %; 普通级 200 (50 %) 5000 (25 %) 8 %; 潜在级 130 (32.5 %) 1000 (5 %)
    3 %; 合计 400, 20000.
    """
    counts, totals, margins = [20, 50, 200, 130], [8000, 6000, 5000, 1000], [18, 12, 8, 3]
    tiers, spend, margin = [], [], []
    for label, n, total, m in zip(BANDS, counts, totals, margins, strict=True):
        each = np.full(n, total // n, dtype=float)
        each[0] += total - each.sum()  # 1000 / 130 is not whole: first customer takes the rest
        tiers += [label] * n
        spend += each.tolist()
        margin += [m] * n
    index = pd.Index([f"C{i:03d}" for i in range(400)], name="customer")
    return pd.DataFrame(
        {
            "tier": pd.Categorical(tiers, categories=BANDS, ordered=True),
            "spend": spend,
            "margin": margin,
        },
        index=index,
    )


def test_summary_table_source003(source003_frame):
    f = source003_frame
    out = summary_table(f["tier"], value=f["spend"], margin=f["margin"], language="zh")
    assert out["tier"].tolist() == [*BANDS, "合计"]
    assert out["count"].tolist() == [20, 50, 200, 130, 400]
    np.testing.assert_allclose(out["count_share"], [0.05, 0.125, 0.50, 0.325, 1.0])
    np.testing.assert_allclose(out["total_value"], [8000, 6000, 5000, 1000, 20000])
    np.testing.assert_allclose(out["value_share"], [0.40, 0.30, 0.25, 0.05, 1.0])
    np.testing.assert_allclose(out["average_margin"].iloc[:4], [18, 12, 8, 3])
    # The source prints 11.5 % as the total margin; neither weighting of its own rows gives it:
    # count-weighted (20*18 + 50*12 + 200*8 + 130*3) / 400 = 7.375, value-weighted 12.95.
    assert out["average_margin"].iloc[4] == pytest.approx(7.375)
    weighted = summary_table(
        f["tier"], value=f["spend"], margin=f["margin"], margin_weighting="value"
    )
    assert weighted["average_margin"].iloc[4] == pytest.approx(12.95)
    assert weighted["tier"].iloc[-1] == "Total"


def test_summary_table_strategies_and_empty_and_missing_tiers():
    t = _tiers(["A", "A", None, "C"], index=list("wxyz"))
    out = summary_table(
        t, value=pd.Series([5.0, 3.0, 2.0, 0.0], index=list("wxyz")), strategies={"A": "visit"}
    )
    assert out["tier"].tolist() == ["A", "B", "C", "(unclassified)", "Total"]
    assert out["count"].tolist() == [2, 0, 1, 1, 4]
    assert out["strategy"].iloc[0] == "visit" and out["strategy"].isna().iloc[1:].all()
    assert np.isnan(out["average_margin"]).all()


def test_summary_table_bad_input():
    t = _tiers(["A", "B"], index=["x", "y"])
    with pytest.raises(InputDataError, match="value: no value for customer 'y'"):
        summary_table(t, value=pd.Series([1.0], index=["x"]))
    with pytest.raises(InputDataError, match="negative value at row 'y'"):
        summary_table(t, value=pd.Series([1.0, -2.0], index=["x", "y"]))


# -- agreement ---------------------------------------------------------------------------------
def test_kappa_textbook_example():
    """Wikipedia "Cohen's kappa", worked example: 50 proposals, table [[20, 5], [10, 15]].

    p_o = (20 + 15) / 50 = 0.7; p_e = 0.5 * 0.6 + 0.5 * 0.4 = 0.5; kappa = 0.4.
    """
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    res = agreement({"reader_a": _tiers(a, ("yes", "no")), "reader_b": _tiers(b, ("yes", "no"))})
    assert res.percent.loc["reader_a", "reader_b"] == pytest.approx(0.7)
    assert res.kappa.loc["reader_a", "reader_b"] == pytest.approx(0.4)
    # with two categories every weighting is the same
    assert res.kappa_quadratic.loc["reader_a", "reader_b"] == pytest.approx(0.4)
    assert res.n.loc["reader_a", "reader_b"] == 50
    assert res.kappa.loc["reader_a", "reader_a"] == pytest.approx(1.0)


def test_agreement_matches_sklearn():
    rng = np.random.default_rng(3)
    x = rng.integers(0, 4, 300)
    y = np.clip(x + rng.integers(-1, 2, 300), 0, 3)
    y[:40] = rng.integers(0, 4, 40)
    labels = np.array(list("ABCD"))
    frame = pd.DataFrame(
        {
            "m1": pd.Categorical(labels[x], categories=list("ABCD"), ordered=True),
            "m2": pd.Categorical(labels[y], categories=list("ABCD"), ordered=True),
        }
    )
    res = agreement(frame)
    assert res.kappa.loc["m1", "m2"] == pytest.approx(cohen_kappa_score(x, y))
    assert res.kappa_linear.loc["m1", "m2"] == pytest.approx(
        cohen_kappa_score(x, y, weights="linear")
    )
    assert res.kappa_quadratic.loc["m1", "m2"] == pytest.approx(
        cohen_kappa_score(x, y, weights="quadratic")
    )
    assert res.adjusted_rand.loc["m1", "m2"] == pytest.approx(adjusted_rand_score(x, y))
    assert res.percent.loc["m1", "m2"] == pytest.approx(np.mean(x == y))
    tidy = res.to_frame()
    assert tidy.shape == (1, 8) and tidy.loc[0, "method_a"] == "m1"


def test_agreement_maps_different_label_sets_by_rank():
    bands = _tiers(["strategic", "key", "key", "potential", "ordinary"], BANDS)
    abc = _tiers(["A", "B", "B", "D", "C"], "ABCD")
    res = agreement({"bands": bands, "abc": abc})
    assert res.percent.loc["bands", "abc"] == 1.0
    assert res.kappa.loc["bands", "abc"] == pytest.approx(1.0)


def test_agreement_with_different_numbers_of_tiers_gives_only_ari():
    """Four bands against three ABC tiers: 'potential' (4th) vs 'C' (3rd) are not the same
    position, so percent/kappa are NaN; the partitions are identical, so ARI = 1."""
    bands = _tiers(["strategic", "key", "ordinary", "potential", "potential"], BANDS)
    abc = _tiers(["A", "B", "B", "C", "C"], "ABC")
    res = agreement({"bands": bands, "abc": abc})
    assert np.isnan(res.percent.loc["bands", "abc"]) and np.isnan(res.kappa.loc["abc", "bands"])
    assert res.adjusted_rand.loc["bands", "abc"] < 1.0  # key/ordinary split vs one B
    same = _tiers(["A", "B", "C", "D", "D"], "ABCD")
    both = agreement({"bands": bands, "abcd": same})
    assert both.adjusted_rand.loc["bands", "abcd"] == pytest.approx(1.0)
    assert both.percent.loc["bands", "abcd"] == 1.0


def test_agreement_skips_missing_and_aligns_index():
    a = _tiers(["A", "B", None, "C"], index=list("wxyz"))
    b = _tiers(["C", "A", "B"], index=list("zwx"))  # same customers, other order; y missing
    res = agreement({"a": a, "b": b})
    assert res.n.loc["a", "b"] == 3
    assert res.percent.loc["a", "b"] == 1.0


def test_agreement_bad_input():
    with pytest.raises(InputDataError, match="need at least 2 methods"):
        agreement({"only": _tiers(["A"])})
    with pytest.raises(InputDataError, match=r"classifications\['b'\]: duplicate customer 'x'"):
        agreement({"a": _tiers(["A"], index=["x"]), "b": _tiers(["A", "B"], index=["x", "x"])})


# -- crosstab / disputed -----------------------------------------------------------------------
def test_crosstab_counts_all_categories():
    a = _tiers(["A", "A", "B", "C"], index=list("wxyz"), name="pareto")
    b = _tiers(["A", "B", "B", "B"], index=list("wxyz"), name="ahp")
    out = crosstab(a, b, margins=True)
    expected = pd.DataFrame(
        [[1, 1, 0, 2], [0, 1, 0, 1], [0, 1, 0, 1], [1, 3, 0, 4]],
        index=pd.Index(["A", "B", "C", "Total"], name="pareto"),
        columns=pd.Index(["A", "B", "C", "Total"], name="ahp"),
    )
    pd.testing.assert_frame_equal(out, expected)


def test_disputed_ranks_by_range():
    idx = list("pqrs")
    cls = {
        "m1": _tiers(["A", "A", "B", "C"], index=idx),
        "m2": _tiers(["A", "C", "B", "B"], index=idx),
        "m3": _tiers(["A", "B", "B", "C"], index=idx),
    }
    crit = pd.DataFrame({"spend": [10, 20, 30, 40]}, index=idx)
    out = disputed(cls, crit, top=5)
    assert list(out.index) == ["q", "s"]  # p and r: all methods agree
    assert out["rank_range"].tolist() == [2.0, 1.0]
    assert out.loc["q", "m2"] == "C" and out.loc["q", "spend"] == 20
    assert list(disputed(cls, top=1).index) == ["q"]


# -- Lorenz / Gini -------------------------------------------------------------------------------
def test_lorenz_abc_and_lorenz_curves():
    abc = lorenz([10, 4, 50, 6, 30])
    np.testing.assert_allclose(abc["value_share"], [0, 0.5, 0.8, 0.9, 0.96, 1.0])
    np.testing.assert_allclose(abc["customer_share"], [0, 0.2, 0.4, 0.6, 0.8, 1.0])
    lo = lorenz([10, 4, 50, 6, 30], kind="lorenz")
    np.testing.assert_allclose(lo["value_share"], [0, 0.04, 0.10, 0.20, 0.50, 1.0])


def test_gini_reference_cases():
    assert gini([5, 5, 5, 5]) == pytest.approx(0.0)
    assert gini([0, 0, 0, 0, 7]) == pytest.approx(4 / 5)  # one holder: (n - 1) / n
    # by hand: sum_ij |x_i - x_j| = 2 * (1+2+3+1+2+1) = 20; 2 n^2 mu = 2 * 16 * 2.5 = 80
    assert gini([1, 2, 3, 4]) == pytest.approx(0.25)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=40).filter(
        lambda v: sum(v) > 0
    )
)
def test_gini_equals_mean_difference_formula(values):
    x = np.array(values)
    n = len(x)
    direct = np.abs(x[:, None] - x[None, :]).sum() / (2 * n**2 * x.mean())
    assert gini(x) == pytest.approx(direct, abs=1e-9)
    assert 0 <= gini(x) <= (n - 1) / n + 1e-12


def test_gini_bad_input():
    with pytest.raises(InputDataError, match="negative value -1.0 at position 1"):
        gini([3, -1])
    with pytest.raises(InputDataError, match="all values are zero"):
        lorenz([0, 0])
    with pytest.raises(InputDataError, match="1 missing value"):
        gini([1.0, np.nan])


# -- rank correlation ------------------------------------------------------------------------------
def test_rank_correlation_against_scipy():
    rng = np.random.default_rng(5)
    a = rng.normal(size=60)
    scores = pd.DataFrame({"ahp": a, "topsis": a + rng.normal(scale=0.5, size=60), "rev": -a})
    res = rank_correlation(scores)
    assert res.spearman.loc["ahp", "topsis"] == pytest.approx(
        stats.spearmanr(a, scores["topsis"]).statistic
    )
    assert res.kendall.loc["ahp", "topsis"] == pytest.approx(
        stats.kendalltau(a, scores["topsis"]).statistic
    )
    assert res.spearman.loc["ahp", "rev"] == pytest.approx(-1.0)
    assert res.kendall.loc["rev", "ahp"] == pytest.approx(-1.0)
    assert len(res.to_frame()) == 3
    with pytest.raises(InputDataError, match="scores column 'name': expected numbers"):
        rank_correlation(scores.assign(name="x"))
