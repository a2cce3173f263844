"""The customer-base step (abclab.pipeline.customer_base), its report section
(abclab.report.sections._customer_base) and its workbook content
(abclab.report._excel_customer_base): churn tiers, P(alive), CLV, back-test, triggers."""

from __future__ import annotations

import pickle
import re
import warnings
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from abclab import clv
from abclab.exceptions import InputDataError, TooFewRepeatBuyers
from abclab.pipeline import run_study
from abclab.report import sections
from abclab.report._excel import write_workbook
from abclab.report._format import format_ratio
from abclab.report.sections._customer_base import _reason, at_risk_accounts, tier_sizes
from abclab.study import load_study, study_from_dict

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo" / "study.yaml"
DEMO_ZH = ROOT / "data" / "demo" / "study_zh.yaml"


@pytest.fixture(scope="module")
def fits():
    """BG/NBD fits made while running the demo study (counted, then the real fit)."""
    calls: list[int] = []
    original = clv.BetaGeo.fit

    def counted(self, *args, **kwargs):
        calls.append(len(args[0]))
        return original(self, *args, **kwargs)

    clv.BetaGeo.fit = counted
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            results = run_study(DEMO)
    finally:
        clv.BetaGeo.fit = original
    return results, calls


@pytest.fixture(scope="module")
def en(fits):
    return fits[0]


@pytest.fixture(scope="module")
def zh():
    return run_study(DEMO_ZH)


def _few_repeat_log(root: Path) -> Path:
    """A B2B log: 40 customers with one order each in 2023-2024, three of them with a second
    order: too few repeat buyers for BG/NBD (default: at least 10)."""
    rng = np.random.default_rng(5)
    rows = []
    for i in range(40):
        day = pd.Timestamp("2023-01-01") + pd.Timedelta(days=int(rng.integers(0, 700)))
        rows.append({"customer": f"K{i:02d}", "date": day.date().isoformat(),
                     "amount": round(float(rng.lognormal(11, 0.5)), 2)})  # fmt: skip
        if i < 3:
            again = day + pd.Timedelta(days=20)
            rows.append({"customer": f"K{i:02d}", "date": again.date().isoformat(),
                         "amount": 1000.0})  # fmt: skip
    path = root / "b2b.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def few(tmp_path_factory):
    root = tmp_path_factory.mktemp("b2b")
    log = _few_repeat_log(root)
    data = {
        "name": "b2b",
        "data": {"transactions": {"path": str(log), "customer": "customer", "date": "date",
                                  "amount": "amount", "as_of": "2025-01-01"}},
        "criteria": {"annual_spend": None, "tenure_years": None,
                     "recency_days": {"direction": "cost"}},
        "methods": ["weighted_abc", "churn_risk"],
    }  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_study(study_from_dict(data, base_dir=root, source=root / "study.yaml"))


# --------------------------------------------------------------------------- pipeline


def test_step_reuses_the_churn_risk_fit(fits):
    """BG/NBD is fitted once on the whole log (by the churn_risk method; the step reuses it)
    and once on the log before the hold-out (the back-test): two fits, not three."""
    results, calls = fits
    base = results.customer_base
    assert base is not None and base.fitted and base.method == "churn_risk"
    assert len(calls) == 2
    assert calls[0] == len(base.customers)  # the whole log first, then the calibration log
    assert calls[1] == len(base.back_test.customers) < calls[0]
    alive = base.customers["p_alive"].reindex(results.criteria.index)
    pd.testing.assert_series_equal(alive, results.method_scores["churn_risk"], check_names=False)
    tiers = results.tiers["churn_risk"].loc[results.criteria.index].astype(str)
    assert (base.customers["churn_tier"].reindex(tiers.index).astype(str) == tiers).all()


def test_step_columns_and_models(en):
    base = en.customer_base
    c = base.customers
    assert list(c.columns[:5]) == ["churn_tier", "days_since_purchase", "p_alive",
                                   "expected_purchases", "clv"]  # fmt: skip
    assert list(c.columns[5:]) == list(clv.PAYMENT_COLUMNS)  # the demo log has due/paid dates
    assert list(c["churn_tier"].cat.categories) == list(base.labels)
    assert set(base.params) == {"BG/NBD", "Gamma-Gamma"} and base.margin == "profit"
    assert c["p_alive"].between(0, 1).all() and (c["clv"] >= 0).all()
    # the CLV is the kernel's discounted value times each customer's own margin (data step)
    s = load_study(DEMO)
    assert base.settings == s.customer_base and base.settings.horizon_months == 12
    # the back-test is the demo's calendar-year cut: 2022-2023 calibrated, 2024 held out
    bt = base.back_test
    assert str(bt.calibration_end) == "2023-12-31" and str(bt.observation_end) == "2024-12-31"
    assert bt.auc == pytest.approx(roc_auc_score(~bt.customers["bought"],
                                                 1 - bt.customers["p_purchase"]))  # fmt: skip
    assert bt.auc > 0.85
    # every trigger is a customer of the log; spend changes beyond the threshold
    t = base.triggers
    assert set(t["rule"]) <= {"spend_change", "inactive", "new"}
    changes = t.loc[t["rule"] == "spend_change", "value"].abs()
    assert (changes > 0.30).all()
    assert (t.loc[t["rule"] == "inactive", "value"] >= 3).all()


def test_few_repeat_buyers_gives_rule_tiers_and_the_message(few):
    base = few.customer_base
    assert not base.fitted and "not enough repeat buyers to fit BG/NBD: 3 of 40" in base.message
    assert base.customers[["p_alive", "expected_purchases", "clv"]].isna().all().all()
    assert base.back_test is not None and not base.back_test.fitted
    days = base.customers["days_since_purchase"]
    expected = np.where(days >= 90, "at risk", np.where(days >= 45, "watch", "stable"))
    assert (base.customers["churn_tier"].astype(str).to_numpy() == expected).all()


def test_no_log_method_and_no_section_means_no_step():
    data = load_study(DEMO).to_dict()
    data["methods"] = ["weighted_abc", "pareto"]
    data.pop("sensitivity", None)
    data.pop("customer_base", None)
    data["data"].pop("previous", None)
    results = run_study(study_from_dict(data, base_dir=DEMO.parent, source=DEMO))
    assert results.customer_base is None
    ctx = sections.context(results)
    assert not sections.customer_base(ctx)
    anchors = [a for a, _ in sections.contents(ctx).blocks[0].entries]
    assert "sec-customer_base" not in anchors


# --------------------------------------------------------------------------- section


def test_section_names_the_at_risk_top_accounts(en):
    section = sections.customer_base(sections.context(en))
    assert section.title == "Churn risk and lifetime value"
    base = en.customer_base
    classified = en.criteria.index
    tiers = en.tiers[en.recommended].loc[classified]
    churn = base.customers["churn_tier"].reindex(classified)
    expected = classified[(tiers == "A").to_numpy() & (churn == "at risk").to_numpy()]
    assert len(expected) >= 3  # the demo has churning key accounts
    assert set(at_risk_accounts(en).index) == set(expected)
    table = next(t for t in section.tables if "days_since_purchase" in t.columns)
    names = [str(en.display_names[c]) for c in expected]
    shown = set(table.frame["name"])
    assert shown == set(names[: len(table.frame)])
    assert any(f"{len(expected)} of the" in p for p in section.paragraphs)


def test_section_auc_is_the_back_tests(en):
    section = sections.customer_base(sections.context(en))
    bt = en.customer_base.back_test
    sentence = next(p for p in section.paragraphs if "ROC AUC" in p)
    assert f"ROC AUC {format_ratio(bt.auc)}" in sentence
    hit = bt.to_frame().set_index("tier").loc["all", "hit_rate"]
    assert f"{hit:.1%}" in sentence
    back = next(t for t in section.tables if "hit_rate" in t.columns)
    assert back.frame["customers"].tolist() == bt.to_frame()["customers"].tolist()


def test_section_tier_sizes_add_up(en):
    sizes = tier_sizes(en)
    base = en.customer_base
    in_log = en.criteria.index.intersection(base.customers.index)
    assert list(sizes.index) == list(base.labels)
    assert sizes["customers"].sum() == len(in_log)
    assert sizes["value_share"].sum() == pytest.approx(1.0)
    value = en.criteria.loc[in_log, "annual_spend"].clip(lower=0)
    risky = base.customers.loc[in_log, "churn_tier"] == "at risk"
    assert sizes.loc["at risk", "value"] == pytest.approx(value[risky.to_numpy()].sum())
    section = sections.customer_base(sections.context(en))
    n = int(sizes.loc["at risk", "customers"])
    assert section.takeaway.startswith(f"{n} of {len(in_log)} customers")


def test_section_trigger_list_shows_n_of_m(en):
    section = sections.customer_base(sections.context(en, max_rows=10))
    rows = en.customer_base.triggers
    rows = rows[rows["customer"].isin(en.display_names.index)]
    table = next(t for t in section.tables if "trigger" in t.columns)
    assert len(table.frame) == 10
    assert any(p == f"Showing 10 of {len(rows)} rows; the Excel workbook has all of them."
               for p in section.paragraphs)  # fmt: skip


def test_section_with_few_repeat_buyers_shows_the_message(few):
    section = sections.customer_base(sections.context(few))
    text = " ".join(section.paragraphs)
    assert "not enough repeat buyers to fit (3 of 40 customers" in text
    assert "the day rules only" in text
    tiers = section.tables[0]
    assert "mean_p_alive" not in tiers.columns and "clv" not in tiers.columns
    assert "day rules" in tiers.caption and "BG/NBD" not in tiers.caption  # as the columns
    assert not re.search(r"ROC AUC \d", text) and "no model, so no ROC AUC" in text
    zh = sections.customer_base(sections.context(few, language="zh"))
    zh_text = " ".join(zh.paragraphs)
    assert "重复购买的客户不足" in zh_text and "not enough" not in zh_text
    assert section._repr_html_() and zh._repr_html_()


def test_zh_section_shows_the_source_tier_names(zh):
    section = sections.customer_base(sections.context(zh))
    assert section.title == "流失风险与客户终身价值"
    first = section.tables[0].to_text_frame()
    assert list(first.index) == ["高稳定客户", "关注客户", "流失风险客户"]


# --------------------------------------------------------------------------- workbook


def test_workbook_has_typed_churn_columns_and_the_two_sheets(en, tmp_path):
    path = write_workbook(en, tmp_path / "cb.xlsx")
    wb = openpyxl.load_workbook(path)
    assert {"Triggers", "Back-test"} <= set(wb.sheetnames)
    ws = wb["Customers"]
    header = [c.value for c in ws[1]]
    wanted = {"Churn risk": "0", "P(active)": "0.0%", "Expected purchases": "0.00",
              "Lifetime value": None, "Invoices paid on time": "0.0%",
              "Days overdue, mean": None, "Days overdue, worst invoice": None,
              "Open receivables": None, "Open receivables / 12-month spend": "0.0%"}  # fmt: skip
    assert set(wanted) <= set(header)
    ids = [c.value for c in ws["A"]][1:]
    base = en.customer_base.customers
    for name, number_format in wanted.items():
        col = header.index(name) + 1
        cells = [ws.cell(row=i + 2, column=col) for i in range(len(ids))]
        filled = [c for c in cells if c.value is not None]
        assert filled, name
        if name == "Churn risk":
            assert {c.value for c in filled} == {"stable", "watch", "at risk"}
            continue
        assert all(isinstance(c.value, int | float) for c in filled), name
        if number_format:
            assert {c.number_format for c in filled} == {number_format}, name
    col = header.index("P(active)") + 1
    got = {ids[i]: ws.cell(row=i + 2, column=col).value for i in range(len(ids))}
    some = base.index[:20]
    assert [got[c] for c in some] == pytest.approx(base.loc[some, "p_alive"].tolist())
    triggers = pd.read_excel(path, sheet_name="Triggers")
    assert len(triggers) == len(en.customer_base.triggers)
    assert pd.api.types.is_float_dtype(triggers["Spend change"])
    back = wb["Back-test"]
    labels = {back.cell(row=r, column=1).value: back.cell(row=r, column=2).value
              for r in range(1, 7)}  # fmt: skip
    assert labels["ROC AUC of P(purchase)"] == pytest.approx(en.customer_base.back_test.auc)


def test_zh_workbook_sheet_names_are_chinese(zh, tmp_path):
    path = write_workbook(zh, tmp_path / "zh.xlsx")
    wb = openpyxl.load_workbook(path)
    assert {"重新分级触发", "流失回测"} <= set(wb.sheetnames)
    header = [c.value for c in wb["客户"][1]]
    assert {"流失风险", "存活概率", "预期购买次数"} <= set(header)
    assert any(re.fullmatch(r"客户终身价值(\(万元\))?", str(h)) for h in header)


def test_section_without_clv_or_back_test_says_why(en):
    """A Gamma-Gamma fit that failed drops the lifetime-value column with a note; a log too
    short for the hold-out gives a sentence instead of the back-test tables."""
    import dataclasses

    base = en.customer_base
    customers = base.customers.assign(clv=np.nan)
    broken = dataclasses.replace(base, customers=customers, back_test=None,
                                 clv_message="Gamma-Gamma fit did not converge",
                                 back_test_message="observation_end must be after ...")  # fmt: skip
    section = sections.customer_base(
        sections.context(dataclasses.replace(en, customer_base=broken))
    )
    text = " ".join(section.paragraphs)
    assert "lifetime value is not shown" in text
    assert "No back-test: the log cannot hold out 12 months" in text
    assert all("clv" not in t.columns for t in section.tables)
    assert all("hit_rate" not in t.columns for t in section.tables)


def test_back_test_and_triggers_cover_the_studys_customers_only(zh):
    """The zh demo's customer table lists only customers active in the last 12 months: the
    113 lapsed ids of the log are unmatched and not classified, so the back-test and the
    trigger list must not count them (before, the back-test showed all 387 ids of the log)."""
    base = zh.customer_base
    study_ids = set(zh.data.frame["customer_id"])
    unmatched = set(zh.data.unmatched["customer_id"])
    assert len(unmatched) == 113
    tested = set(base.back_test.customers.index)
    assert tested and tested <= study_ids and not tested & unmatched
    assert set(base.triggers["customer"]) <= study_ids
    returns = zh.data.returns.per_customer  # the report's returns table: the same customers
    assert len(returns) and set(returns.index) <= study_ids and not set(returns.index) & unmatched
    tiers = base.back_test.to_frame().set_index("tier")
    assert tiers["customers"].iloc[:3].sum() == len(tested)


def test_models_are_fitted_on_every_customer_of_the_log(zh):
    """The zh master lists only active customers; fitted on them alone, BG/NBD would see no
    one drop out (the fit runs off to a → 0). So both fits — the whole log's and the
    back-test's calibration log's — take every customer of the log, lapsed ids included,
    and only the tiers and the tested customers are the study's."""
    base, log = zh.customer_base, zh.study.data.transactions
    bt = base.back_test
    assert base.fitted and bt.fitted
    s = clv.rfm_summary(zh.study.data.transactions.local_path, customer=log.customer,
                        date=log.date, amount=log.amount, calibration_end=bt.calibration_end,
                        period="W", aliases=None)  # fmt: skip
    assert len(s) > len(bt.customers)  # lapsed ids are in the calibration log
    every = clv.BetaGeo().fit(s["frequency"], s["recency"], s["T"]).params_
    for key, value in every.items():
        assert bt.params[key] == pytest.approx(value, rel=1e-6), key
    studied = s[s.index.astype(str).isin(set(zh.data.frame["customer_id"]))]
    with pytest.raises(InputDataError, match="BG/NBD fit"):
        clv.BetaGeo().fit(studied["frequency"], studied["recency"], studied["T"])


def test_too_few_repeat_buyers_carries_its_counts():
    """The report words the reason from the error's fields, not by parsing its English."""
    with pytest.raises(TooFewRepeatBuyers) as caught:
        clv.BetaGeo().fit([0, 0, 3, 0, 1], [0, 0, 20, 0, 4], [30, 30, 30, 30, 30])
    err = caught.value
    assert isinstance(err, InputDataError)
    assert (err.model, err.repeat, err.customers, err.needed) == ("BG/NBD", 2, 5, 10)
    again = pickle.loads(pickle.dumps(err))
    assert (again.repeat, str(again)) == (2, str(err))
    assert "2" in _reason(err, "en") and "5" in _reason(err, "en")
    assert _reason(InputDataError("did not converge"), "en") != _reason(err, "en")
