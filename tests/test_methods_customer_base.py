"""abclab.methods.customer_base: churn_risk and credit_grade, and abclab.clv's payment figures.

Churn tiers are checked against direct BG/NBD calls on the CDNOW sample (the model itself is
checked against Fader, Hardie & Lee 2005 in tests/test_clv.py); credit grades and payment
figures on small logs computed by hand. Source 003 §二(三) names the tiers (高稳定客户 /
关注客户 / 流失风险客户) and §3.6 the three-months-without-purchase rule; source 001 the
credit grade (客户资信评价, 信用等级).
"""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from abclab import clv
from abclab.config import study_from_dict
from abclab.datasets import load
from abclab.exceptions import DataQualityWarning, InputDataError, StudyError
from abclab.methods import CHURN_LABELS_ZH, ChurnRisk, CreditGrade, MethodContext, TransactionLog

STUDY = """\
name: t
data:
  customers: {path: c.csv}
criteria:
  spend: {direction: benefit}
methods: [pareto, METHOD]
"""


def _context(ids, log: TransactionLog) -> MethodContext:
    index = pd.Index([str(i) for i in ids], name="customer_id")
    criteria = pd.DataFrame({"spend": 1.0}, index=index)
    score = pd.Series(50.0, index=index)
    return MethodContext(criteria=criteria, indicator_scores=criteria, score=score,
                         weights=pd.Series({"spend": 1.0}), scoring={},
                         transactions=log)  # fmt: skip


@pytest.mark.parametrize("method", ["churn_risk", "credit_grade"])
def test_a_study_without_transactions_fails_at_load(method):
    data = yaml.safe_load(STUDY.replace("METHOD", method))
    with pytest.raises(StudyError, match=rf"methods\[1\].*{method} reads the transaction log"):
        study_from_dict(data, source="s.yaml")


def test_parameters_are_checked_at_load():
    with pytest.raises(ValueError, match="two decreasing thresholds"):
        ChurnRisk(p_alive=(0.3, 0.6))
    with pytest.raises(ValueError, match="three distinct labels"):
        ChurnRisk(labels=("a", "a", "b"))
    with pytest.raises(ValueError, match="expected 3 non-increasing rates bounds"):
        CreditGrade(on_time=(0.5, 0.9, 0.95))


@pytest.fixture(scope="module")
def cdnow():
    log = load("cdnow_sample")
    log = log[log["date"] <= "1997-09-30"]
    tlog = TransactionLog(source=log, customer="customer_id", date="date",
                          amount="dollar_value", as_of="1997-10-01")  # fmt: skip
    return log, tlog


def test_churn_tiers_follow_p_alive_and_expected_purchases(cdnow):
    log, tlog = cdnow
    method = ChurnRisk(labels=CHURN_LABELS_ZH, p_alive=(0.8, 0.3), horizon_weeks=39,
                       min_expected_purchases=0.5)  # fmt: skip
    ids = sorted(log["customer_id"].unique())
    out = method.run(_context(ids + [99999], tlog))
    s = clv.rfm_summary(log, customer="customer_id", date="date", amount="dollar_value",
                        calibration_end="1997-09-30")  # fmt: skip
    model = clv.BetaGeo().fit(s["frequency"], s["recency"], s["T"])
    alive = model.probability_alive(s["frequency"], s["recency"], s["T"])
    expected = model.expected_purchases(39, s["frequency"], s["recency"], s["T"])
    want = pd.Series("关注客户", index=s.index)
    want[(alive >= 0.8) & (expected >= 0.5)] = "高稳定客户"
    want[alive < 0.3] = "流失风险客户"
    got = out.tiers.astype(object)
    assert got["99999"] == "n/a"  # in the customer table, never bought
    assert got.drop("99999").tolist() == want.tolist()
    assert list(out.tiers.cat.categories)[:3] == list(CHURN_LABELS_ZH)
    assert out.scores.drop("99999").to_numpy() == pytest.approx(alive.to_numpy())
    assert out.tiers.attrs["model"].startswith("BG/NBD r=0.2426")
    assert set(got) == {"高稳定客户", "关注客户", "流失风险客户", "n/a"}


def _b2b_log() -> pd.DataFrame:
    """Four accounts: too few repeat buyers for BG/NBD."""
    return pd.DataFrame({
        "cust": ["a", "a", "a", "b", "b", "c", "d"],
        "day": pd.to_datetime(["2024-01-05", "2024-06-01", "2024-12-20", "2024-03-01",
                               "2024-10-20", "2024-02-01", "2024-08-01"]),
        "amount": [100.0, 120.0, 90.0, 50.0, 70.0, 30.0, 10.0],
    })  # fmt: skip


def test_too_few_repeat_buyers_gives_the_rule_tiers_with_an_honest_message():
    tlog = TransactionLog(source=_b2b_log(), customer="cust", date="day", amount="amount",
                          as_of="2025-01-01")  # fmt: skip
    ctx = _context(["a", "b", "c", "d"], tlog)
    with pytest.warns(DataQualityWarning, match="not enough repeat buyers to fit BG/NBD: 2 of 4"):
        out = ChurnRisk().run(ctx)
    # days without a purchase on 2024-12-31: a 11, b 72, c 334, d 152 -> rules (45, 90)
    assert out.tiers.astype(str).tolist() == ["stable", "watch", "at risk", "at risk"]
    assert out.scores is None and "rules (BG/NBD not fitted" in out.tiers.attrs["model"]
    with pytest.raises(InputDataError, match="not enough repeat buyers"):
        ChurnRisk(on_fit_failure="error").run(ctx)


def _invoices() -> pd.DataFrame:
    return pd.DataFrame({
        "cust": ["a", "a", "b", "b", "b", "c"],
        "day": ["2024-01-01", "2024-03-01", "2024-01-01", "2024-02-01", "2024-11-01", "2024-12-20"],
        "amount": [100.0, 100.0, 200.0, 100.0, 100.0, 50.0],
        "due": ["2024-01-31", "2024-03-31", "2024-01-31", "2024-03-01", "2024-12-01", "2025-01-20"],
        "paid": ["2024-01-30", "2024-03-31", "2024-05-10", "2024-03-05", None, None],
    })  # fmt: skip


def test_payment_behaviour_by_hand():
    p = clv.payment_behaviour(_invoices(), customer="cust", date="day", amount="amount",
                              due_date="due", paid_date="paid", as_of="2025-01-01")  # fmt: skip
    # b: 100 days late, 4 days late, unpaid 31 days past due at as_of; 100 open of 400 spend
    assert p.loc["a"].tolist() == [2, 1.0, 0.0, 0.0, 0.0, 0.0]
    assert p.loc["b"].tolist() == pytest.approx([3, 0.0, 135 / 3, 100.0, 100.0, 0.25])
    # c: not due yet -> no invoice counted, but its 50 are open (all of the year's spend)
    assert p.loc["c", "invoices"] == 0 and p.loc["c", "open_share_of_spend"] == 1.0


def test_credit_grades_take_the_worst_band():
    tlog = TransactionLog(source=_invoices(), customer="cust", date="day", amount="amount",
                          due_date="due", paid_date="paid", as_of="2025-01-01")  # fmt: skip
    out = CreditGrade().run(_context(["a", "b", "c", "z"], tlog))
    assert out.tiers.astype(str).tolist() == ["AAA", "B", "n/a", "n/a"]
    assert list(out.tiers.cat.categories) == ["AAA", "AA", "A", "B", "n/a"]
    loose = CreditGrade(worst_days=(120, 150, 200), mean_days=(50, 60, 70), on_time=(0, 0, 0))
    assert loose.run(_context(["b"], tlog)).tiers.astype(str).tolist() == ["AAA"]


def test_credit_grade_needs_due_and_paid_dates():
    tlog = TransactionLog(source=_invoices(), customer="cust", date="day", amount="amount")
    with pytest.raises(StudyError, match="due_date and paid_date"):
        CreditGrade().run(_context(["a"], tlog))
