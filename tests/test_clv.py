"""abclab.clv: the customer-base summary, BG/NBD, Gamma-Gamma and CLV.

Published anchors: Fader, Hardie & Lee (2005), "'Counting your customers' the easy way",
Marketing Science 24(2):275-284 (BG/NBD on the CDNOW 1/10 sample, 39-week calibration);
Fader & Hardie (2013), "The Gamma-Gamma model of monetary value",
http://brucehardie.com/notes/025/ (same sample's 946 repeat buyers). lifetimes 0.11.3 (the
test extra) is run side by side where it imports.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abclab import clv
from abclab.datasets import load
from abclab.exceptions import InputDataError

CALIBRATION_END = "1997-09-30"  # 39 weeks after 1997-01-01 (FHL 2005 §4)
OBSERVATION_END = "1998-06-30"
#: FHL (2005) §5, the BG/NBD maximum-likelihood estimates on the CDNOW sample.
FHL2005 = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
#: Fader & Hardie (2013), the Gamma-Gamma estimates on the sample's repeat buyers.
FH2013 = {"p": 6.25, "q": 3.74, "gamma": 15.44}
COLUMNS = dict(customer="customer_id", date="date", amount="dollar_value")


@pytest.fixture(scope="module")
def sample_log() -> pd.DataFrame:
    return load("cdnow_sample")


@pytest.fixture(scope="module")
def summary(sample_log) -> pd.DataFrame:
    return clv.rfm_summary(sample_log, **COLUMNS, calibration_end=CALIBRATION_END,
                           observation_end=OBSERVATION_END)  # fmt: skip


@pytest.fixture(scope="module")
def bgnbd(summary) -> clv.BetaGeo:
    return clv.BetaGeo().fit(summary["frequency"], summary["recency"], summary["T"])


@pytest.fixture(scope="module")
def gamma_gamma(summary) -> clv.GammaGamma:
    return clv.GammaGamma().fit(summary["frequency"], summary["monetary_value"])


def pandas_summary(log: pd.DataFrame, cal_end: str, obs_end: str | None) -> pd.DataFrame:
    """An independent computation: day totals, then first/last day and counts per customer."""
    days = log.assign(day=log["date"].dt.normalize())
    days = days[days["day"] <= pd.Timestamp(obs_end or cal_end)]
    days = days.groupby(["customer_id", "day"], as_index=False)["dollar_value"].sum()
    cal = days[days["day"] <= pd.Timestamp(cal_end)].sort_values(["customer_id", "day"])
    g = cal.groupby("customer_id")
    first, last, n = g["day"].min(), g["day"].max(), g["day"].size()
    first_total = g["dollar_value"].first()
    out = pd.DataFrame({
        "frequency": (n - 1).astype(float),
        "recency": (last - first).dt.days / 7,
        "T": (pd.Timestamp(cal_end) - first).dt.days / 7,
        "monetary_value": ((g["dollar_value"].sum() - first_total) / (n - 1)).fillna(0.0),
    })  # fmt: skip
    if obs_end is not None:
        hold = days[days["day"] > pd.Timestamp(cal_end)].groupby("customer_id")["dollar_value"]
        out["frequency_holdout"] = hold.size().reindex(out.index, fill_value=0).astype(float)
        out["monetary_value_holdout"] = hold.mean().reindex(out.index).fillna(0.0)
        weeks = (pd.Timestamp(obs_end) - pd.Timestamp(cal_end)).days / 7
        out["duration_holdout"] = weeks
    return out


# ------------------------------------------------------------------ rfm_summary


def test_summary_equals_an_independent_pandas_computation(sample_log, summary):
    expected = pandas_summary(sample_log, CALIBRATION_END, OBSERVATION_END)
    pd.testing.assert_frame_equal(summary, expected, check_names=False, rtol=1e-12)
    assert summary.index.name == "customer_id" and summary.index.is_monotonic_increasing


def test_summary_is_fhl_cdnow_summary(summary):
    """lifetimes' cdnow_customers_summary.csv and ..._with_transactions.csv are Fader &
    Hardie's own summary of the sample (x, t_x, T, zbar printed to 2 decimals): 2,357
    customers, 946 repeat buyers, customer 1 with x = 2, t_x = 30.43, T = 38.86."""
    datasets = pytest.importorskip("lifetimes.datasets")
    published = datasets.load_dataset("cdnow_customers_summary_with_transactions.csv",
                                      index_col=0)  # fmt: skip
    assert len(summary) == len(published) == 2_357
    assert int((summary["frequency"] > 0).sum()) == 946
    ours = summary.reindex(published.index)
    np.testing.assert_array_equal(ours["frequency"], published["x"])
    np.testing.assert_allclose(ours["recency"], published["t_x"], atol=0.005 + 1e-9)
    np.testing.assert_allclose(ours["T"], published["T"], atol=0.005 + 1e-9)
    np.testing.assert_allclose(ours["monetary_value"], published["zbar"], atol=0.005 + 1e-9)
    assert ours.loc[1, ["frequency", "recency", "T"]].round(2).tolist() == [2, 30.43, 38.86]


@pytest.mark.parametrize("name", ["cdnow_sample", "cdnow"])
def test_summary_agrees_with_lifetimes(name):
    utils = pytest.importorskip("lifetimes.utils")
    log = load(name)
    ours = clv.rfm_summary(log, **COLUMNS, calibration_end=CALIBRATION_END,
                           observation_end=OBSERVATION_END)  # fmt: skip
    theirs = utils.calibration_and_holdout_data(
        log, "customer_id", "date", CALIBRATION_END, OBSERVATION_END, freq="D",
        freq_multiplier=7, monetary_value_col="dollar_value",
    )  # fmt: skip
    theirs.columns = [c.removesuffix("_cal") for c in theirs.columns]
    theirs = theirs.reindex(ours.index)
    # lifetimes' hold-out spend is the mean of lines, not of purchase days (its calibration
    # convention); every other column is the same
    same = [c for c in ours.columns if c != "monetary_value_holdout"]
    pd.testing.assert_frame_equal(ours[same], theirs[same], check_names=False, rtol=1e-12)


def test_summary_reads_files_and_text_dates(sample_log, summary, tmp_path):
    frame = sample_log.assign(date=sample_log["date"].dt.strftime("%Y%m%d").astype(int))
    frame.to_parquet(tmp_path / "log.parquet")
    sample_log.assign(date=sample_log["date"].dt.strftime("%Y-%m-%d")).to_csv(
        tmp_path / "log.csv", index=False
    )
    for source in (tmp_path / "log.parquet", tmp_path / "log.csv"):
        got = clv.rfm_summary(source, **COLUMNS, calibration_end=CALIBRATION_END,
                              observation_end=OBSERVATION_END)  # fmt: skip
        pd.testing.assert_frame_equal(got, summary, check_names=False)


def test_summary_days_and_returns():
    log = pd.DataFrame({
        "c": ["a", "a", "a", "a", "b"],
        "d": pd.to_datetime(["2024-01-01", "2024-01-03", "2024-01-03", "2024-01-05", "2024-01-02"]),
        "v": [5.0, 2.0, 4.0, -3.0, 1.0],
    })  # fmt: skip
    out = clv.rfm_summary(log, customer="c", date="d", amount="v", calibration_end="2024-01-07",
                          period="D")  # fmt: skip
    # the return on 01-05 is not a purchase; two lines on 01-03 are one purchase of 6
    assert out.loc["a"].tolist() == [1.0, 2.0, 6.0, 6.0]
    assert out.loc["b"].tolist() == [0.0, 0.0, 5.0, 0.0]
    weeks = clv.rfm_summary(log, customer="c", date="d", amount="v",
                            calibration_end="2024-01-07", period=3.5)  # fmt: skip
    assert weeks.loc["a", "T"] == pytest.approx(6 / 3.5)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"customer": "who"}, "has no column 'who'"),
        ({"period": "M"}, "period='M': expected one of D, W"),
        ({"period": 0}, "positive number of days"),
        ({"calibration_end": "soon"}, "calibration_end='soon' is not a date"),
        ({"observation_end": "2024-01-01"}, "must be after calibration_end"),
    ],
)
def test_summary_errors_name_the_problem(change, match):
    log = pd.DataFrame({"c": [1, 1], "d": ["2024-01-01", "2024-01-09"], "v": [1.0, 2.0]})
    options = dict(customer="c", date="d", amount="v", calibration_end="2024-01-31") | change
    with pytest.raises(InputDataError, match=match):
        clv.rfm_summary(log, **options)


@pytest.mark.parametrize(
    ("log", "match"),
    [
        (
            {"c": [1, 1], "d": ["2024-01-01", "someday"], "v": [1.0, 2.0]},
            "not dates, e.g. 'someday'",
        ),
        ({"c": [1, None], "d": ["2024-01-01", "2024-01-02"], "v": [1.0, 2.0]}, "missing customer"),
        ({"c": [1, 1], "d": ["2024-01-01", "2024-01-02"], "v": [1.0, None]}, "1 missing amount"),
    ],
)
def test_summary_bad_lines_are_errors(log, match):
    with pytest.raises(InputDataError, match=match):
        clv.rfm_summary(pd.DataFrame(log), customer="c", date="d", amount="v",
                        calibration_end="2024-01-31")  # fmt: skip


@st.composite
def small_logs(draw):
    """Logs with several lines on one day (first days included), returns and hold-out."""
    n = draw(st.integers(1, 40))
    return pd.DataFrame({
        "c": draw(st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=n, max_size=n)),
        "d": pd.Timestamp("2024-01-01") + pd.to_timedelta(
            draw(st.lists(st.integers(0, 40), min_size=n, max_size=n)), unit="D"),
        "v": draw(st.lists(st.sampled_from([-2.0, 0.0, 0.5, 1.25, 3.0, 7.5]), min_size=n,
                           max_size=n)),
    })  # fmt: skip


def _independent_summary(log: pd.DataFrame, cal_end: str, obs_end: str) -> pd.DataFrame:
    frame = log[log["v"] >= 0].rename(columns={"c": "customer_id", "v": "dollar_value"})
    return pandas_summary(frame.rename(columns={"d": "date"}), cal_end, obs_end)


@settings(max_examples=60, deadline=None)
@given(small_logs())
def test_summary_bit_sets_and_day_totals_agree_with_pandas(log):
    """Both statements (day bit sets + first-day re-sum, and the (customer, day) collapse
    used when the bit sets would not fit) equal an independent pandas computation."""
    from abclab.clv import _summary_sql

    options = dict(customer="c", date="d", amount="v", calibration_end="2024-01-25",
                   observation_end="2024-02-05")  # fmt: skip
    expected = _independent_summary(log, "2024-01-25", "2024-02-05")
    if expected.empty:
        return
    bits = clv.rfm_summary(log, **options)
    budget = _summary_sql.BITSET_BUDGET_BYTES
    try:
        _summary_sql.BITSET_BUDGET_BYTES = -1
        days = clv.rfm_summary(log, **options)
    finally:
        _summary_sql.BITSET_BUDGET_BYTES = budget
    for got in (bits, days):
        pd.testing.assert_frame_equal(got, expected, check_names=False, rtol=1e-12)


def test_summary_first_day_with_several_lines():
    """Three lines on the first day are one purchase: the repeat spend leaves all three out."""
    log = pd.DataFrame({
        "c": [1, 1, 1, 1, 1, 2, 2],
        "d": ["2024-01-01", "2024-01-01", "2024-01-01", "2024-01-08", "2024-01-15",
              "2024-01-02", "2024-01-09"],
        "v": [1.0, 2.0, 3.0, 10.0, 20.0, 4.0, 6.0],
    })  # fmt: skip
    out = clv.rfm_summary(log, customer="c", date="d", amount="v", calibration_end="2024-01-31",
                          period="D")  # fmt: skip
    assert out.loc[1].tolist() == [2.0, 14.0, 30.0, 15.0]
    assert out.loc[2].tolist() == [1.0, 7.0, 29.0, 6.0]


def test_summary_large_amounts_are_summed_exactly():
    """Amounts of 10^12 and more do not fit the 64-bit DECIMAL(18, 6) the sums use for
    ordinary logs: the summary switches to DECIMAL(38, 6) and stays exact."""
    log = pd.DataFrame({"c": [1, 1, 1, 2, 2], "d": ["2024-01-01", "2024-01-01", "2024-01-09",
                                                   "2024-01-02", "2024-01-05"],
                        "v": [3e12, 0.25, 5e12 + 0.5, 1.0, 2.0]})  # fmt: skip
    out = clv.rfm_summary(log, customer="c", date="d", amount="v", calibration_end="2024-01-31")
    assert out["monetary_value"].tolist() == [5e12 + 0.5, 2.0]
    small = log.assign(v=log["v"] / 1e3)  # below 10^12, six decimals: the 64-bit type
    out = clv.rfm_summary(small, customer="c", date="d", amount="v", calibration_end="2024-01-31")
    assert out["monetary_value"].tolist() == pytest.approx([5e9 + 0.0005, 0.002], rel=1e-15)


# ------------------------------------------------------------------ BG/NBD


def test_bgnbd_reproduces_fader_hardie_lee_2005(bgnbd):
    """FHL (2005) §5: r = 0.243, α = 4.414, a = 0.793, b = 2.426, LL = −9582.4."""
    for name, value in FHL2005.items():
        assert round(bgnbd.params_[name], 3) == value, name
    assert round(bgnbd.log_likelihood_, 1) == -9582.4
    assert bgnbd.n_customers_ == 2_357
    assert all(0 < se < bgnbd.params_[k] for k, se in bgnbd.standard_errors_.items())


def _per_customer_log_likelihood(params, x, t_x, big_t):
    """FHL (2005) eq. 6 customer by customer, straight from the formula (no grouping)."""
    from scipy import special

    r, alpha, a, b = params
    base = (special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
            + special.betaln(a, b + x) - special.betaln(a, b))  # fmt: skip
    first = -(r + x) * np.log(alpha + big_t)
    second = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-300))
                      - (r + x) * np.log(alpha + t_x), -np.inf)  # fmt: skip
    return base + np.logaddexp(first, second)


def test_compressed_likelihood_equals_the_per_customer_sum(summary):
    """The grouped likelihood (distinct x, distinct times, distinct triples with weights)
    equals the per-customer sum, and a weighted table equals its expanded rows."""
    from abclab.clv import _bgnbd_likelihood as lik

    x, t_x, big_t = (summary[c].to_numpy() for c in ("frequency", "recency", "T"))
    rng = np.random.default_rng(1)
    for params in ([0.243, 4.414, 0.793, 2.426], [1.7, 0.3, 3.0, 0.6]):
        theta = np.log(params)
        value, grad = lik.log_likelihood_kernel(theta, lik.group(x, t_x, big_t))
        direct = _per_customer_log_likelihood(params, x, t_x, big_t)
        assert -value * len(x) == pytest.approx(direct.sum(), rel=1e-12)
        # weights: row i stands for k_i customers
        k = rng.integers(1, 5, len(x))
        weighted = lik.log_likelihood_kernel(theta, lik.group(x, t_x, big_t, weights=k))
        expanded = lik.log_likelihood_kernel(
            theta, lik.group(np.repeat(x, k), np.repeat(t_x, k), np.repeat(big_t, k))
        )
        assert weighted[0] == pytest.approx(expanded[0], rel=1e-12)
        np.testing.assert_allclose(weighted[1], expanded[1], rtol=1e-10, atol=1e-14)
        assert weighted[0] * k.sum() == pytest.approx(-(k * direct).sum(), rel=1e-12)
        # analytic gradient and Hessian against central differences
        eps = 1e-6
        f = lambda th: lik.log_likelihood_kernel(th, lik.group(x, t_x, big_t))  # noqa: E731
        numeric = [(f(theta + eps * e)[0] - f(theta - eps * e)[0]) / (2 * eps)
                   for e in np.eye(4)]  # fmt: skip
        np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)
        hess = lik.hessian_kernel(theta, lik.group(x, t_x, big_t))
        numeric_h = np.array([(f(theta + eps * e)[1] - f(theta - eps * e)[1]) / (2 * eps)
                              for e in np.eye(4)])  # fmt: skip
        np.testing.assert_allclose(hess, numeric_h, rtol=1e-5, atol=1e-8)


def test_bgnbd_worked_expectation():
    """FHL (2005) §5: a customer with x = 2, t_x = 30.43, T = 38.86 is expected to make
    1.226 purchases in the next 39 weeks (with the published estimates)."""
    model = clv.BetaGeo()
    model.params_ = dict(FHL2005)
    assert round(float(model.expected_purchases(39, 2, 30.43, 38.86)[0]), 3) == 1.226
    assert model.probability_alive([0], [0], [38.86])[0] == 1.0


def test_bgnbd_worked_expectation_with_our_fit(bgnbd):
    assert round(float(bgnbd.expected_purchases(39, 2, 30.43, 38.86)[0]), 3) == 1.226


def _lifetimes_bgnbd(params: dict):
    fitters = pytest.importorskip("lifetimes")
    model = fitters.BetaGeoFitter()
    model.params_ = pd.Series(params)[["r", "alpha", "a", "b"]]
    model.predict = model.conditional_expected_number_of_purchases_up_to_time
    return model


@pytest.mark.parametrize("name", ["cdnow_sample", "cdnow"])
def test_bgnbd_agrees_with_lifetimes(name):
    """Same parameters → P(alive) and 39-week expected purchases equal to 1e-6 for every
    customer (the sample and CDNOW master); lifetimes' own fit lands on the same optimum."""
    lifetimes = pytest.importorskip("lifetimes")
    s = clv.rfm_summary(load(name), **COLUMNS, calibration_end=CALIBRATION_END)
    args = (s["frequency"], s["recency"], s["T"])
    ours = clv.BetaGeo().fit(*args)
    theirs = lifetimes.BetaGeoFitter().fit(*args)
    for key, value in ours.params_.items():
        assert value == pytest.approx(theirs.params_[key], rel=1e-4), key
    ref = _lifetimes_bgnbd(ours.params_)
    np.testing.assert_allclose(ours.probability_alive(*args),
                               ref.conditional_probability_alive(*args), atol=1e-6, rtol=0)  # fmt: skip
    np.testing.assert_allclose(
        ours.expected_purchases(39, *args),
        ref.conditional_expected_number_of_purchases_up_to_time(39, *args), atol=1e-6, rtol=0,
    )  # fmt: skip
    np.testing.assert_allclose(ours.expected_purchases_new([1, 39, 78]),
                               ref.expected_number_of_purchases_up_to_time([1, 39, 78]),
                               atol=1e-9)  # fmt: skip


def test_bgnbd_warm_start_lands_on_the_same_optimum(monkeypatch):
    """A large sample starts at the optimum of every k-th customer and takes Newton steps
    (forced here on CDNOW master's 23,570 customers by lowering the threshold): the same
    parameters as L-BFGS-B from the generic start and as lifetimes, to 1e-6 / 1e-4."""
    lifetimes = pytest.importorskip("lifetimes")
    from abclab.clv import _fit

    s = clv.rfm_summary(load("cdnow"), **COLUMNS, calibration_end=CALIBRATION_END)
    args = (s["frequency"], s["recency"], s["T"])
    plain = clv.BetaGeo().fit(*args).params_
    calls = []
    newton = _fit.maximise_likelihood

    def spy(*a, **k):
        calls.append(k["curvature"] is not None)
        return newton(*a, **k)

    monkeypatch.setattr(_fit, "WARM_START_CUSTOMERS", 2000)
    monkeypatch.setattr(clv._bgnbd, "maximise_likelihood", spy)
    warm = clv.BetaGeo().fit(*args)
    assert calls == [False, True]  # the subsample from the generic start, then all from there
    theirs = lifetimes.BetaGeoFitter().fit(*args).params_
    for key, value in warm.params_.items():
        assert value == pytest.approx(plain[key], rel=1e-6), key
        assert value == pytest.approx(theirs[key], rel=1e-4), key


def test_bgnbd_warm_start_keeps_the_honest_errors(monkeypatch):
    """A large sample the model cannot fit still raises (the subsample fails too, and the
    full fit from the generic start says why)."""
    from abclab.clv import _fit

    monkeypatch.setattr(_fit, "WARM_START_CUSTOMERS", 100)
    x, big_t = np.full(5000, 10.0), np.full(5000, 20.0)
    with pytest.raises(InputDataError, match="BG/NBD fit (is not identified|did not converge)"):
        clv.BetaGeo().fit(x, big_t, big_t)


def test_outputs_keep_the_customer_index(bgnbd, summary):
    p = bgnbd.probability_alive(summary["frequency"], summary["recency"], summary["T"])
    assert isinstance(p, pd.Series) and p.index.equals(summary.index) and p.name == "p_alive"


def test_too_few_repeat_buyers_is_an_honest_error():
    x, t_x, big_t = [0, 0, 3, 0, 1], [0, 0, 20, 0, 4], [30, 30, 30, 30, 30]
    with pytest.raises(InputDataError, match=r"not enough repeat buyers to fit BG/NBD: 2 of 5 "
                       r"customers bought more than once; need at least 10"):  # fmt: skip
        clv.BetaGeo().fit(x, t_x, big_t)
    with pytest.raises(InputDataError, match="Gamma-Gamma: 2 of 5 customers"):
        clv.GammaGamma().fit(x, [0, 0, 5.0, 0, 3.0])


def test_a_fit_the_data_cannot_support_raises_instead_of_returning():
    """Every customer buys steadily up to T: nobody drops out, the BG/NBD dropout parameters
    run off to the boundary; the fit must say so, not return them."""
    x, big_t = np.full(50, 10.0), np.full(50, 20.0)
    with pytest.raises(InputDataError, match="BG/NBD fit (is not identified|did not converge)"):
        clv.BetaGeo().fit(x, big_t, big_t)
    with pytest.raises(InputDataError, match="Gamma-Gamma fit (is not identified|did not conv)"):
        clv.GammaGamma().fit(np.full(30, 3.0), np.full(30, 10.0))


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (([1], [5], [4]), "recency: expected values ≤ T"),
        (([1.5], [1], [4]), "frequency: expected whole numbers"),
        (([1], [0], [4]), "recency: expected > 0 for customers with repeat"),
        (([1, 2], [1], [4]), "one value per customer"),
        (([np.nan], [1], [4]), "frequency: 1 missing"),
    ],
)
def test_bad_inputs_name_the_parameter(bgnbd, args, match):
    with pytest.raises(InputDataError, match=match):
        bgnbd.probability_alive(*args)


def test_unfitted_model_says_so():
    with pytest.raises(InputDataError, match="not fitted yet"):
        clv.BetaGeo().probability_alive([0], [0], [1])


@st.composite
def customers(draw):
    big_t = draw(st.floats(0.1, 200))
    x = draw(st.integers(0, 60))
    t_x = 0.0 if x == 0 else draw(st.floats(1e-3, 1.0)) * big_t
    params = [draw(st.floats(0.05, 20)) for _ in range(4)]
    return params, x, t_x, big_t


@settings(max_examples=200, deadline=None)
@given(customers())
def test_probability_alive_is_a_probability(case):
    params, x, t_x, big_t = case
    model = clv.BetaGeo()
    model.params_ = dict(zip(("r", "alpha", "a", "b"), params, strict=True))
    p = float(model.probability_alive([x], [t_x], [big_t])[0])
    assert 0 < p <= 1
    if x == 0:
        assert p == 1.0


@settings(max_examples=200, deadline=None)
@given(customers(), st.floats(0.1, 100), st.floats(0.1, 100))
def test_expected_purchases_increase_with_the_horizon(case, t, more):
    params, x, t_x, big_t = case
    if abs(params[2] - 1) < 1e-3:  # a = 1: the closed form divides by a − 1
        return
    model = clv.BetaGeo()
    model.params_ = dict(zip(("r", "alpha", "a", "b"), params, strict=True))
    short, long = (
        float(model.expected_purchases(h, [x], [t_x], [big_t])[0]) for h in (t, t + more)
    )
    assert 0 <= short <= long * (1 + 1e-9) + 1e-12


# ------------------------------------------------------------------ Gamma-Gamma and CLV


def test_gamma_gamma_reproduces_fader_hardie_2013(gamma_gamma):
    """Fader & Hardie (2013): p = 6.25, q = 3.74, γ = 15.44 on the 946 repeat buyers."""
    for name, value in FH2013.items():
        assert round(gamma_gamma.params_[name], 2) == value, name
    assert gamma_gamma.n_customers_ == 946


def test_gamma_gamma_and_clv_agree_with_lifetimes(summary, bgnbd, gamma_gamma):
    lifetimes = pytest.importorskip("lifetimes")
    repeat = summary[summary["frequency"] > 0]
    theirs = lifetimes.GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])
    for ours_key, their_key in (("p", "p"), ("q", "q"), ("gamma", "v")):
        assert gamma_gamma.params_[ours_key] == pytest.approx(theirs.params_[their_key], rel=1e-4)
    ref = lifetimes.GammaGammaFitter()
    ref.params_ = pd.Series({"p": gamma_gamma.params_["p"], "q": gamma_gamma.params_["q"],
                             "v": gamma_gamma.params_["gamma"]})  # fmt: skip
    args = (summary["frequency"], summary["monetary_value"])
    np.testing.assert_allclose(gamma_gamma.expected_spend(*args),
                               ref.conditional_expected_average_profit(*args), rtol=1e-9)  # fmt: skip
    rfm = (summary["frequency"], summary["recency"], summary["T"], summary["monetary_value"])
    ours = clv.customer_lifetime_value(bgnbd, gamma_gamma, *rfm, horizon=12 * 4.345,
                                       step=4.345, discount_rate=0.01)  # fmt: skip
    expected = ref.customer_lifetime_value(_lifetimes_bgnbd(bgnbd.params_), *rfm, time=12,
                                           discount_rate=0.01, freq="W")  # fmt: skip
    np.testing.assert_allclose(ours, expected, rtol=1e-9)
    assert isinstance(ours, pd.Series) and ours.name == "clv"


def test_clv_by_hand():
    """One period, no discounting, no repeat purchases: CLV = margin × spend × E[Y(t)]."""
    model = clv.BetaGeo()
    model.params_ = dict(FHL2005)
    expected = float(model.expected_purchases(10, [0], [0], [20])[0])
    got = clv.customer_lifetime_value(model, None, [0], [0], [20], [40.0], horizon=10,
                                      step=10, margin=0.25)  # fmt: skip
    assert got[0] == pytest.approx(0.25 * 40 * expected)
    with pytest.raises(InputDataError, match="margin: expected a share"):
        clv.customer_lifetime_value(model, None, [0], [0], [20], [1.0], horizon=10, margin=2)


# ------------------------------------------------------------------ churn back-test

DEMO_LOG = Path(__file__).resolve().parents[1] / "data" / "demo" / "transactions.csv"
DEMO_COLUMNS = dict(customer="customer_id", date="date", amount="amount")


@pytest.fixture(scope="module")
def demo_back_test() -> clv.BackTest:
    """The demo company calibrated on 2022-2023, the 52 weeks of 2024 held out."""
    return clv.back_test(DEMO_LOG, **DEMO_COLUMNS, calibration_end="2023-12-31",
                         observation_end="2024-12-31")  # fmt: skip


def test_back_test_on_the_demo_has_signal(demo_back_test):
    """The demo's customers leave as in BG/NBD (data/demo/README.md), so the model fitted
    on 2022-2023 must tell 2024's non-buyers apart: regression snapshot of the seeded demo
    (AUC 0.92 when written), checked with a margin."""
    bt = demo_back_test
    assert bt.fitted and bt.message == ""
    assert set(bt.params) == {"r", "alpha", "a", "b"}
    assert bt.holdout_weeks == pytest.approx(366 / 7)
    assert bt.auc > 0.85 and bt.auc_p_alive > 0.75
    tiers = bt.to_frame()
    assert list(tiers.columns) == clv.BACKTEST_TIER_COLUMNS
    assert tiers["tier"].tolist() == [*clv.CHURN_TIERS, "all"]
    by = tiers.set_index("tier")
    # "all" is the stable and at-risk customers together: the ones a call was made for
    assert (
        by.loc["all", "customers"] == by.loc["stable", "customers"] + by.loc["at risk", "customers"]
    )
    assert by.loc["all", "bought"] == by.loc["stable", "bought"] + by.loc["at risk", "bought"]
    assert by["customers"].iloc[:3].sum() == len(bt.customers)
    # the at-risk tier mostly did not buy, the stable tier mostly did
    assert by.loc["at risk", "hit_rate"] > 0.8 and by.loc["stable", "hit_rate"] > 0.8
    assert by.loc["at risk", "did_not_buy_share"] > 3 * by.loc["stable", "did_not_buy_share"]
    assert np.isnan(by.loc["watch", "hit_rate"])


def test_back_test_tables_add_up(demo_back_test):
    c, cal = demo_back_test.customers, demo_back_test.calibration
    assert list(c.columns) == clv.BACKTEST_CUSTOMER_COLUMNS
    assert list(cal.columns) == clv.BACKTEST_CALIBRATION_COLUMNS
    assert cal["decile"].tolist() == list(range(1, 11))
    assert cal["customers"].sum() == len(c) and cal["customers"].max() - cal["customers"].min() <= 1
    np.testing.assert_allclose(cal["predicted_buyers"].sum(), c["p_purchase"].sum())
    assert cal["actual_buyers"].sum() == c["bought"].sum()
    assert cal["actual_non_buyers"].sum() == (~c["bought"]).sum()
    assert (cal["p_purchase_low"].diff().dropna() >= 0).all()  # deciles in order of p
    assert (c["bought"] == (c["purchases_holdout"] > 0)).all()
    # roughly calibrated: predicted and actual buyers agree within 10 % of the customers (the
    # demo's dropout falls with spend rank, which BG/NBD does not model: it predicts ~300
    # buyers of 2024 where 274 bought; regression snapshot)
    assert abs(cal["predicted_buyers"].sum() - cal["actual_buyers"].sum()) < 0.10 * len(c)
    # AUC is the sklearn figure on the table's own columns
    from sklearn.metrics import roc_auc_score

    auc = roc_auc_score(~c["bought"], 1 - c["p_purchase"])
    assert demo_back_test.auc == pytest.approx(auc)


def test_back_test_with_few_repeat_buyers_is_honest():
    """A B2B log with three customers before the cut (d starts after it): no model fit, a
    clear message, the day rules only."""
    log = pd.DataFrame({
        "cust": ["a", "a", "a", "b", "c", "c", "d"],
        "day": ["2024-01-10", "2024-05-01", "2024-07-15", "2024-03-01", "2024-02-01",
                "2024-06-01", "2024-08-01"],
        "amount": [100.0, 120.0, 90.0, 50.0, 70.0, 30.0, 10.0],
    })  # fmt: skip
    bt = clv.back_test(log, customer="cust", date="day", amount="amount",
                       calibration_end="2024-06-30", observation_end="2024-12-31")  # fmt: skip
    assert not bt.fitted and bt.params == {}
    assert bt.message.startswith("not enough repeat buyers to fit BG/NBD: 2 of 3 customers")
    assert "tiers from the day rules [45.0, 90.0] only" in bt.message
    assert np.isnan(bt.auc) and bt.calibration.empty
    assert list(bt.calibration.columns) == clv.BACKTEST_CALIBRATION_COLUMNS
    # days without a purchase on 2024-06-30: a 60 (from 05-01), b 121, c 29
    assert bt.customers["tier"].astype(str).to_dict() == {"a": "watch", "b": "at risk",
                                                          "c": "stable"}  # fmt: skip
    assert bt.customers["p_alive"].isna().all()
    assert bt.customers["bought"].to_dict() == {"a": True, "b": False, "c": False}
    tiers = bt.to_frame().set_index("tier")
    assert tiers.loc["at risk", "hit_rate"] == 1.0 and tiers.loc["stable", "hit_rate"] == 0.0


def test_back_test_never_returns_a_non_converged_fit():
    """Nobody drops out (everyone buys every week up to the cut): no fit, the reason told."""
    days = pd.date_range("2024-01-01", "2024-06-30", freq="7D")
    log = pd.DataFrame([(f"c{i}", d, 10.0) for i in range(30) for d in days],
                       columns=["cust", "day", "amount"])  # fmt: skip
    bt = clv.back_test(log, customer="cust", date="day", amount="amount",
                       calibration_end="2024-06-30", observation_end="2024-12-31")  # fmt: skip
    assert not bt.fitted
    assert re.search("BG/NBD fit (is not identified|did not converge)", bt.message)


def test_back_test_checks_its_arguments():
    with pytest.raises(InputDataError, match="labels: expected three distinct"):
        clv.back_test(DEMO_LOG, **DEMO_COLUMNS, calibration_end="2023-12-31",
                      observation_end="2024-12-31", labels=("a", "a", "b"))  # fmt: skip
    with pytest.raises(InputDataError, match="observation_end .* must be after"):
        clv.back_test(DEMO_LOG, **DEMO_COLUMNS, calibration_end="2023-12-31",
                      observation_end="2023-06-30")  # fmt: skip


def test_probability_of_purchase_is_the_short_horizon_expectation(bgnbd, summary):
    """For a short window P(at least one purchase) ≈ E[purchases]; over a long window it
    tends to P(alive), and it never exceeds either."""
    x, t_x, big_t = summary["frequency"], summary["recency"], summary["T"]
    p_small = clv.probability_of_purchase(bgnbd, 1e-4, x, t_x, big_t)
    e_small = bgnbd.expected_purchases(1e-4, x, t_x, big_t)
    np.testing.assert_allclose(p_small, e_small, rtol=1e-3)
    p = clv.probability_of_purchase(bgnbd, 39, x, t_x, big_t)
    alive = bgnbd.probability_alive(x, t_x, big_t)
    assert (p <= alive + 1e-12).all() and (p <= bgnbd.expected_purchases(39, x, t_x, big_t)).all()
    far = clv.probability_of_purchase(bgnbd, 1e30, x, t_x, big_t)  # ((α+T)/(α+T+t))^(r+x) → 0
    np.testing.assert_allclose(far, alive, atol=1e-3)


def test_churn_codes_by_hand():
    alive = np.array([0.9, 0.9, 0.5, 0.2])
    expected = np.array([2.0, 0.5, 3.0, 3.0])
    assert clv.churn_codes(alive, expected).tolist() == [0, 1, 1, 2]
    assert clv.rule_codes(np.array([10, 45, 89, 90]), (45, 90)).tolist() == [0, 1, 1, 2]


# ------------------------------------------------------------------ CLV and P(alive) criteria


def test_customer_base_criteria_are_the_models_on_the_log_before_as_of(sample_log):
    """as_of is exclusive (as in abclab.features): the models see the log to the day before."""
    crit = clv.customer_base_criteria(sample_log, **COLUMNS, as_of="1997-10-01")
    s = clv.rfm_summary(sample_log, **COLUMNS, calibration_end=CALIBRATION_END)
    bg = clv.BetaGeo().fit(s["frequency"], s["recency"], s["T"])
    gg = clv.GammaGamma().fit(s["frequency"], s["monetary_value"])
    assert list(crit.columns) == ["clv_12m", "p_alive"] and crit.index.equals(s.index)
    np.testing.assert_allclose(crit["p_alive"], bg.probability_alive(s["frequency"],
                               s["recency"], s["T"]), rtol=1e-6)  # fmt: skip
    expected = clv.customer_lifetime_value(bg, gg, s["frequency"], s["recency"], s["T"],
                                           s["monetary_value"], horizon=365.25 / 7,
                                           step=365.25 / 84, discount_rate=0.01)  # fmt: skip
    np.testing.assert_allclose(crit["clv_12m"], expected, rtol=1e-6)
    assert crit.attrs["models"]["BG/NBD"]["r"] == pytest.approx(FHL2005["r"], abs=5e-4)


def test_customer_base_criteria_with_profit_is_margin():
    log = pd.read_csv(DEMO_LOG)
    revenue = clv.customer_base_criteria(log, **DEMO_COLUMNS, as_of="2025-01-01")
    margin = clv.customer_base_criteria(log, **DEMO_COLUMNS, profit="profit",
                                        as_of="2025-01-01", columns=["clv_12m"])  # fmt: skip
    own = log.groupby("customer_id")["profit"].sum() / log.groupby("customer_id")["amount"].sum()
    assert list(margin.columns) == ["clv_12m"]
    ratio = (margin["clv_12m"] / revenue["clv_12m"]).dropna()
    np.testing.assert_allclose(ratio, own.clip(0, 1).reindex(ratio.index), rtol=1e-9)


def test_customer_base_criteria_errors_name_the_model():
    log = pd.DataFrame({"cust": ["a", "a", "b"], "day": ["2024-01-01", "2024-02-01", "2024-03-01"],
                        "amount": [1.0, 2.0, 3.0]})  # fmt: skip
    with pytest.raises(InputDataError, match="not enough repeat buyers to fit BG/NBD: 1 of 2"):
        clv.customer_base_criteria(log, customer="cust", date="day", amount="amount",
                                   as_of="2025-01-01")  # fmt: skip
    with pytest.raises(InputDataError, match=r"columns: expected some of \['clv_12m', 'p_alive'\]"):
        clv.customer_base_criteria(log, customer="cust", date="day", amount="amount",
                                   as_of="2025-01-01", columns=["clv"])  # fmt: skip


def test_back_test_of_the_day_rules_when_the_whole_log_gives_no_fit(demo_back_test):
    """``rules_only`` back-tests the tiers a study uses when BG/NBD could not be fitted on the
    whole log: the day rules on the calibration log, no model figures, no AUC."""
    bt = clv.back_test(DEMO_LOG, **DEMO_COLUMNS, calibration_end="2023-12-31",
                       observation_end="2024-12-31", rules_only=True)  # fmt: skip
    assert not bt.fitted and np.isnan(bt.auc) and "day rules" in bt.message
    assert bt.customers.index.equals(demo_back_test.customers.index)
    assert demo_back_test.fitted  # the same log does fit: rules_only is what made the change
