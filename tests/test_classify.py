"""Tests for abclab.classify: Pareto, shares, bands, computed ABC, value × potential, RFM, ABCD."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from abc_analysis import abc_analysis
from conftest import BUNDLED_DATA
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from abclab import classify
from abclab.exceptions import InputDataError
from abclab.scoring import SOURCE003_BANDS, SOURCE003_WEIGHTS

DATA = BUNDLED_DATA  # byte-equal copies of shared/data (test_datasets.py)


@pytest.fixture(scope="module")
def flores() -> pd.DataFrame:
    return pd.read_csv(DATA / "flores47.csv", index_col="item")


@pytest.fixture(scope="module")
def cdnow_spend() -> pd.Series:
    log = pd.read_csv(
        DATA / "cdnow_master.txt",
        sep=r"\s+",
        dtype={"customer_id": str, "date": str},
    )
    return log.groupby("customer_id")["dollar_value"].sum()


def reference_classes(values) -> np.ndarray:
    """Classes from the PyPI package abc_analysis (0.1.23), by position."""
    result = abc_analysis(pd.Series(np.asarray(values, dtype=float)))
    out = np.full(len(values), "C", dtype=object)
    out[result["Aind"]] = "A"
    out[result["Bind"]] = "B"
    return out


# --------------------------------------------------------------------------- Pareto / shares


def test_pareto_hand_computed_and_tier_contract():
    """Shares before each item: 0, .5, .8, .9, .96 → A while < .8, B while < .95."""
    values = pd.Series([10, 50, 4, 30, 6], index=list("vwxyz"), name="spend")
    tiers = classify.pareto(values)
    assert tiers.tolist() == ["B", "A", "C", "A", "B"]
    assert tiers.index.equals(values.index)
    assert tiers.name == "pareto"
    assert tiers.cat.ordered and list(tiers.cat.categories) == ["A", "B", "C"]
    assert tiers.attrs["cut_points"] == {"A": 30.0, "B": 6.0}


def test_pareto_item_crossing_the_cutoff_is_a():
    # before-shares 0, .7, .9 → the second item crosses 80 % and is still A
    assert classify.pareto([70, 20, 10]).tolist() == ["A", "A", "B"]


def test_pareto_ties_share_a_class_and_list_input_gets_rangeindex():
    tiers = classify.pareto([40, 40, 10, 10])  # before: 0, .4, .8, .9 → tie keeps 10s together
    assert tiers.tolist() == ["A", "A", "B", "B"]
    assert isinstance(tiers.index, pd.RangeIndex)


def test_pareto_on_flores_default_and_published_split(flores):
    """Flores, Olson & Dorai (1992) classes on annual dollar usage: 10 A / 14 B / 23 C.

    With the "share before the item < cutoff" rule, 80 %/95 % gives 14/14/19; cut-offs
    (0.70, 0.92) reproduce the published classes item for item (see
    tests/reference/flores_mcabc.md)."""
    adu = flores["annual_dollar_usage"]
    assert classify.pareto(adu).value_counts(sort=False).tolist() == [14, 14, 19]
    published = flores["adu_abc_class_flores1992"]
    tiers = classify.pareto(adu, cutoffs=(0.70, 0.92))
    assert (tiers.astype(str) == published).all()


def test_shares_20_30_50_reproduce_flores_published_split(flores):
    """Flores et al. (1992): 10 A / 14 B / 23 C = first ceil(.2·47) A, up to ceil(.5·47) B."""
    tiers = classify.shares(flores["annual_dollar_usage"])
    assert (tiers.astype(str) == flores["adu_abc_class_flores1992"]).all()
    assert tiers.value_counts(sort=False).tolist() == [10, 14, 23]


def test_shares_hand_computed_ties_and_labels():
    assert classify.shares(list(range(10, 0, -1))).value_counts(sort=False).tolist() == [2, 3, 5]
    # ties straddling a boundary go to the better class: 3 nines are A (quota 2), and the
    # seven ones are B because the B quota (ceil(.5·10) = 5) ends inside their tie group
    tiers = classify.shares([9, 9, 9, 1, 1, 1, 1, 1, 1, 1], shares=(0.2, 0.3, 0.5))
    assert tiers.tolist() == ["A"] * 3 + ["B"] * 7
    four = classify.shares([4, 3, 2, 1], shares=(0.25, 0.25, 0.25, 0.25), labels="ABCD")
    assert four.tolist() == ["A", "B", "C", "D"]


def test_bands_source003_score_bands():
    """Source 003 步骤四: 90–100 strategic, 75–89 key, 60–74 ordinary, < 60 potential."""
    tiers = classify.bands(pd.Series([94.5, 100, 89.99, 75, 74.9, 60, 0]))
    assert tiers.tolist() == [
        "strategic",
        "strategic",
        "key",
        "key",
        "ordinary",
        "ordinary",
        "potential",
    ]
    assert list(tiers.cat.categories) == ["strategic", "key", "ordinary", "potential"]


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: classify.pareto([1, np.nan, 3]), r"missing or infinite value\(s\) at rows \[1\]"),
        (lambda: classify.pareto([1, -2, 3]), r"non-negative.*rows \[1\]"),
        (lambda: classify.pareto([0, 0]), "all values are zero"),
        (lambda: classify.pareto([1, 2], cutoffs=(0.95, 0.8)), "strictly increasing"),
        (lambda: classify.pareto([1, 2], cutoffs=(0.8, 1.2)), r"lie in \(0.0, 1.0\]"),
        (lambda: classify.pareto([1, 2], labels=("A", "B")), "define 3 classes"),
        (lambda: classify.shares([1, 2], shares=(0.5, 0.6, 0.1)), "summing to 1"),
        (lambda: classify.shares([]), "no values"),
        (lambda: classify.shares(pd.DataFrame({"a": [1], "b": [2]})), "one column"),
        (lambda: classify.bands([50], cuts=(60, 75, 90)), "strictly decreasing"),
        (lambda: classify.computed_abc([1, 2]), "at least 3"),
        (lambda: classify.computed_abc([1, -1, 2]), "non-negative"),
    ],
)
def test_bad_input_errors(call, match):
    with pytest.raises(InputDataError, match=match):
        call()


def test_nan_error_names_the_series_and_row():
    s = pd.Series([1.0, np.nan], index=["c1", "c2"], name="annual_spend")
    with pytest.raises(InputDataError, match=r"'annual_spend'.*\['c2'\].*abcd"):
        classify.shares(s)


# --------------------------------------------------------------------------- computed ABC


def test_computed_abc_matches_abc_analysis_on_flores(flores):
    """Side by side with the PyPI package abc_analysis 0.1.23 (Ultsch & Lötsch 2015)."""
    adu = flores["annual_dollar_usage"]
    tiers = classify.computed_abc(adu)
    np.testing.assert_array_equal(tiers.astype(str).to_numpy(), reference_classes(adu))
    reference = abc_analysis(adu)
    assert tiers.attrs["cut_points"] == {"A": reference["ABLimit"], "B": reference["BCLimit"]}
    assert tiers.value_counts(sort=False).tolist() == [9, 7, 31]


def test_computed_abc_matches_abc_analysis_on_cdnow_spend(cdnow_spend):
    """CDNOW per-customer spend (23,570 customers, Fader & Hardie) vs abc_analysis."""
    tiers = classify.computed_abc(cdnow_spend)
    np.testing.assert_array_equal(tiers.astype(str).to_numpy(), reference_classes(cdnow_spend))
    assert tiers.index.equals(cdnow_spend.index)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(3, 300), st.floats(0.1, 3.0))
def test_computed_abc_matches_abc_analysis_on_lognormal_samples(seed, n, sigma):
    x = np.random.default_rng(seed).lognormal(0.0, sigma, n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = reference_classes(x)
    np.testing.assert_array_equal(classify.computed_abc(x).astype(str).to_numpy(), expected)


# --------------------------------------------------------------------------- estimators


def test_pareto_estimator_learns_thresholds_on_one_period_and_applies_them():
    last_year = pd.Series([50, 30, 10, 6, 4])
    est = classify.ParetoABC()
    assert est.get_params() == {"cutoffs": (0.8, 0.95), "labels": ("A", "B", "C")}
    assert not hasattr(est, "cut_points_")
    with pytest.raises(AttributeError, match="not fitted"):
        est.predict([1.0])
    assert est.fit(last_year) is est
    assert est.cut_points_ == {"A": 30.0, "B": 6.0}
    this_year = pd.Series([31, 29.9, 6, 5.99], index=["p", "q", "r", "s"])
    assert est.predict(this_year).tolist() == ["A", "B", "B", "C"]
    pd.testing.assert_series_equal(est.fit_predict(last_year), classify.pareto(last_year))


def test_share_and_computed_estimators():
    est = classify.ShareABC(shares=(0.5, 0.5), labels=("high", "low")).fit([4, 3, 2, 1])
    assert est.cut_points_ == {"high": 3.0}
    assert est.predict([10, 3, 2.5]).tolist() == ["high", "high", "low"]
    x = np.random.default_rng(3).lognormal(0, 1.5, 200)
    comp = classify.ComputedABC().fit(x)
    pd.testing.assert_series_equal(comp.predict(x), classify.computed_abc(x), check_like=True)


# --------------------------------------------------------------------------- other tiers


def test_value_potential_source003_case():
    """Source 003 §五: S 高价值高潜力, A 高价值低潜力, B 低价值高潜力, C 低价值低潜力."""
    value = pd.Series([900, 800, 100, 50, 500], index=list("abcde"))
    growth = pd.Series([0.3, 0.01, 0.25, 0.0, 0.1], index=list("abcde"))
    tiers = classify.value_potential(value, growth)  # medians 500 and 0.1, high = >= median
    assert tiers.tolist() == ["S", "A", "B", "C", "S"]
    assert tiers.attrs["cut_points"] == {"value": 500.0, "potential": 0.1}
    fixed = classify.value_potential(value, growth, thresholds=(600, 0.2))
    assert fixed.tolist() == ["S", "A", "B", "C", "C"]
    with pytest.raises(InputDataError, match="same index"):
        classify.value_potential(value, growth.set_axis(list("vwxyz")))


def test_weighted_abc_uses_score_then_shares():
    frame = pd.DataFrame(
        {
            "annual_spend": [12e6, 15e6, 6e6, 1e6, 3e6],
            "profit_margin": [0.15, 0.18, 0.12, 0.02, 0.06],
            "tenure_years": [5, 6, 4, 0.5, 2],
            "cross_purchase_rate": [0.30, 0.35, 0.25, 0.05, 0.15],
        }
    )
    criteria = {k: {"bands": v} for k, v in SOURCE003_BANDS.items()}
    tiers = classify.weighted_abc(
        frame, SOURCE003_WEIGHTS, criteria=criteria, shares=(0.2, 0.4, 0.4)
    )
    # scores: 94.5, 100, 78.75 (80·.4+75·.25+80·.2+80·.15), 48, 60 → top 1 A, next 2 B
    np.testing.assert_allclose(tiers.attrs["score"], [94.5, 100, 78.75, 48.0, 60.0])
    assert tiers.tolist() == ["B", "A", "B", "C", "C"]
    pareto = classify.weighted_abc(frame, SOURCE003_WEIGHTS, criteria=criteria, rule="pareto")
    assert pareto.name == "weighted_abc"
    with pytest.raises(InputDataError, match="rule"):
        classify.weighted_abc(frame, SOURCE003_WEIGHTS, criteria=criteria, rule="kmeans")


def test_abcd_marks_insufficient_customers_d():
    tiers = classify.shares(pd.Series([5.0, 4, 3, 2, 1], index=list("abcde")))
    out = classify.abcd(tiers, pd.Series([False, True, False, False, False], index=list("abcde")))
    assert out.tolist() == ["A", "D", "B", "C", "C"]
    assert list(out.cat.categories) == ["A", "B", "C", "D"]
    with pytest.raises(InputDataError, match=r"rows \[1\] have no class"):
        classify.abcd(pd.Series(["A", None]), [False, False])


def test_rfm_hand_computed():
    """Scores 1 + floor(5 (r-1)/n) with min ranks; recency reversed (recent = 5)."""
    out = classify.rfm(
        pd.Series([1, 10, 100, 5, 50], index=list("abcde")),
        pd.Series([10, 1, 1, 5, 2], index=list("abcde")),
        pd.Series([100, 20, 5, 60, 30], index=list("abcde")),
    )
    assert out["R"].tolist() == [5, 3, 1, 4, 2]
    assert out["F"].tolist() == [5, 1, 1, 4, 3]
    assert out["M"].tolist() == [5, 2, 1, 4, 3]
    assert out["rfm_code"].tolist() == ["555", "312", "111", "444", "233"]
    assert out["segment"].astype(str).tolist() == [
        "champions",
        "need_attention",
        "hibernating",
        "champions",
        "at_risk",
    ]
    assert list(out.index) == list("abcde")


def test_rfm_every_score_combination_has_a_segment():
    grid = np.array(np.meshgrid(*[np.arange(1, 6)] * 3)).reshape(3, -1)
    from abclab.classify._rfm import segment_kernel

    assert (segment_kernel(*grid) >= 0).all()


def test_rfm_on_cdnow(cdnow_spend):
    log = pd.read_csv(DATA / "cdnow_master.txt", sep=r"\s+", dtype={"customer_id": str})
    log["date"] = pd.to_datetime(log["date"].astype(str), format="%Y%m%d")
    g = log.groupby("customer_id")
    recency = (log["date"].max() - g["date"].max()).dt.days
    out = classify.rfm(recency, g.size(), g["dollar_value"].sum())
    assert len(out) == len(cdnow_spend) == 23_570
    # quintile-like: the best score never holds more than 1/5 of the distinct ranks above ties
    assert out["M"].value_counts().sort_index().index.tolist() == [1, 2, 3, 4, 5]
    assert out["segment"].notna().all()


# --------------------------------------------------------------------------- properties

values_strategy = arrays(
    np.float64, st.integers(1, 60), elements=st.floats(0, 1e6).map(lambda v: round(v, 1))
)


@settings(max_examples=80, deadline=None)
@given(values_strategy, st.sampled_from(["pareto", "shares", "computed"]))
def test_higher_value_never_gets_a_worse_class(x, method):
    if method == "pareto" and x.sum() <= 0:
        return
    if method == "computed" and (x.size < 3 or x.sum() <= 0):
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fn = {
            "pareto": classify.pareto,
            "shares": classify.shares,
            "computed": classify.computed_abc,
        }[method]
        codes = fn(x).cat.codes.to_numpy()
    order = np.argsort(-x, kind="stable")
    assert np.all(np.diff(codes[order]) >= 0)
    # equal values share a class
    for v in np.unique(x):
        assert np.unique(codes[x == v]).size == 1


@settings(max_examples=80, deadline=None)
@given(
    arrays(np.float64, st.integers(1, 80), elements=st.floats(-1e3, 1e3)),
    st.floats(0.05, 0.6),
    st.floats(0.05, 0.35),
)
def test_shares_honoured_up_to_ties(x, s_a, s_b):
    s_c = 1.0 - s_a - s_b
    tiers = classify.shares(x, shares=(s_a, s_b, s_c))
    n = x.size
    n_top = np.array([(tiers == "A").sum(), (tiers != "C").sum()])
    expected = np.ceil(np.round(np.array([s_a, s_a + s_b]) * n, 9)).astype(int)
    xs = np.sort(x)[::-1]
    for got, want in zip(n_top, expected, strict=True):
        if want == 0:
            assert got == 0
            continue
        # at least the quota, and any excess is only the tie group at the boundary
        assert got >= want
        assert (xs[want - 1 : got] == xs[want - 1]).all()


@settings(max_examples=40, deadline=None)
@given(values_strategy.filter(lambda a: a.sum() > 0), st.randoms(use_true_random=False))
def test_permuting_rows_permutes_classes(x, rnd):
    s = pd.Series(x, index=[f"c{i}" for i in range(x.size)])
    perm = list(range(x.size))
    rnd.shuffle(perm)
    for fn in (classify.pareto, classify.shares):
        base = fn(s)
        pd.testing.assert_series_equal(fn(s.iloc[perm]), base.iloc[perm])
