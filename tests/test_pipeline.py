"""End-to-end study runs (abclab.pipeline) on the demo company."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abclab import ahp, clv, scoring
from abclab.datasets import build_demo
from abclab.exceptions import (
    DataQualityWarning,
    InconsistentJudgementWarning,
    InputDataError,
    ReportError,
    StudyError,
)
from abclab.io import parse_business_numbers
from abclab.io._numbers import _parse_column, _plain_numbers
from abclab.pipeline import count_statuses, customer_table, run_study, with_pending
from abclab.pipeline.check import check_data
from abclab.study import load_study, study_from_dict

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo" / "study.yaml"
DEMO_ZH = ROOT / "data" / "demo" / "study_zh.yaml"


@pytest.fixture(scope="module")
def demo():
    steps: list[str] = []
    results = run_study(load_study(DEMO), progress=steps.append)
    return results, steps


def _light(**changes) -> dict:
    """The demo study with fewer methods and draws (fast), optionally changed."""
    data = copy.deepcopy(load_study(DEMO).to_dict())
    data["methods"] = [
        {"weighted_abc": {"how": "shares"}},
        {"pareto": {"value": "annual_spend"}},
        "topsis",
    ]
    data["sensitivity"] = {"draws": 50}
    data.update(changes)
    return data


def test_every_input_row_accounted_for(demo):
    results, _ = demo
    counts = results.counts
    assert counts["input"] == counts["classified"] + counts["pending"] + counts["merged"]
    master = pd.read_csv(ROOT / "data" / "demo" / "customers.csv")
    tx = pd.read_csv(ROOT / "data" / "demo" / "transactions.csv")
    universe = set(master["customer_id"]) | set(tx["customer_id"])
    assert counts["input"] == len(universe)  # master ids are unique: one input row each
    status = results.input_customers.set_index("customer_id")["status"]
    assert set(status[status == "classified"].index) == set(results.criteria.index)
    assert set(status[status == "pending"].index) == set(results.cleaning.pending.index)
    merged = results.input_customers[results.input_customers["status"] == "merged"]
    expected = results.cleaning.merged.set_index("customer")["merged_into"].to_dict()
    assert dict(zip(merged["customer_id"], merged["merged_into"], strict=True)) == expected
    # every planted duplicate (demo README / DemoCompany.dirt) is merged into its original,
    # and nothing else is merged
    assert expected == build_demo().dirt["duplicates"]
    pending = results.cleaning.pending
    assert (pending["pending_reason"].astype(str).str.len() > 0).all()


def test_tiers_cover_classified_and_pending(demo):
    results, _ = demo
    tiers = results.tiers
    assert list(tiers.columns) == [m.name for m in results.study.methods]
    pending = list(results.cleaning.pending.index)
    assert set(tiers.index) == set(results.criteria.index) | set(pending)
    assert (tiers.loc[pending, "weighted_abc"].astype(str) == "D").all()
    assert not tiers.loc[results.criteria.index, "weighted_abc"].astype(str).eq("D").any()
    # weighted_abc with shares 20/30/50 over the classified customers
    counts = tiers.loc[results.criteria.index, "weighted_abc"].value_counts()
    n = len(results.criteria)
    assert counts["A"] == int(np.ceil(0.2 * n))
    assert results.summaries["weighted_abc"]["count"].iloc[-1] == n


def test_group_weights_equal_ahp_on_study_matrices(demo):
    """The pipeline's weights are AIJ group weights of the two experts' matrices."""
    results, _ = demo
    study = results.study
    matrices = {e.name: e.matrix for e in study.weights.ahp.experts}
    with pytest.warns(InconsistentJudgementWarning, match="Finance director"):
        expected = ahp.group_weights(matrices, method="aij").weights
    pd.testing.assert_series_equal(
        results.weights, expected.reindex(results.weights.index).rename("weight"), rtol=1e-12
    )
    assert results.weights.sum() == pytest.approx(1.0)
    assert results.ahp["Finance director"].cr > 0.1 > results.ahp["Sales director"].cr
    cmp = results.weight_comparison
    assert list(cmp.columns) == ["ahp", "entropy", "critic", "equal", "used"]
    np.testing.assert_allclose(cmp.sum().to_numpy(), 1.0)


def test_score_is_weighted_sum_of_indicator_scores(demo):
    """Score_i = sum_j w_j s_ij (source 003), recomputed with scoring.normalise per criterion."""
    results, _ = demo
    crit = results.criteria
    total = pd.Series(0.0, index=crit.index)
    for spec in results.study.criteria:
        bands = None
        if spec.bands is not None:
            lows = [None if np.isinf(lo) else lo for lo, _ in spec.bands]
            ups = [lo for lo, _ in spec.bands[1:]] + [None]
            bands = [
                {"lower": a, "upper": b, "score": s}
                for a, b, (_, s) in zip(lows, ups, spec.bands, strict=True)
            ]
        s = scoring.normalise(
            crit[spec.name], method=spec.normalise, direction=spec.direction, bands=bands
        )
        total += results.weights[spec.name] * s
    np.testing.assert_allclose(results.scores.score.loc[crit.index], total, rtol=1e-12)
    # margin bands: >= 15 % scores 100, [10 %, 15 %) 80
    top = crit["margin"] >= 0.15
    assert (results.scores.indicator_scores.loc[top, "margin"] == 100).all()


def test_progress_names_every_step(demo):
    results, steps = demo
    assert steps[:4] == ["data", "cleaning", "weights", "scoring"]
    assert "method 'ramanathan'" in steps and "sensitivity" in steps
    assert set(results.timings) >= {"data", "cleaning", "weights", "method:pareto"}
    assert [p.name for p in results.data_files] == [
        "customers.csv",
        "transactions.csv",
        "classes_2023.csv",
    ]


def test_customer_table_masks_contacts(demo):
    results, _ = demo
    table = customer_table(results)
    assert len(table) == results.counts["input"]
    assert table["customer_id"].is_unique
    phones = table["phone"].dropna().astype(str)
    assert phones.str.fullmatch(r"\d{3}\*{4}\d{4}").all()
    emails = table["email"].dropna().astype(str)
    assert emails.str.contains(r"^\w\*\*\*@").all()
    merged = table[table["status"] == "merged"]
    assert merged["tier_weighted_abc"].isna().all()


def test_chinese_study_from_gbk_export():
    results = run_study(study_from_dict(_zh_light(), base_dir=DEMO_ZH.parent, source=DEMO_ZH))
    c = results.counts
    dirt = build_demo().dirt
    assert c["input"] == 294  # 293 export rows (active customers) + the repeated row (README)
    assert c["input"] == c["classified"] + c["pending"] + c["merged"]
    export = pd.read_csv(DEMO_ZH.parent / "customers_export_gbk.csv", encoding="gbk", dtype=str)
    first = export.iloc[0]  # e.g. "43.1万元" -> 431000 yuan, parsed by abclab.io
    wan = float(first["年消费额(万元)"].removesuffix("万元").replace(",", ""))
    assert results.criteria.loc[first["客户编号"], "annual_spend"] == pytest.approx(wan * 1e4)
    assert dirt["export_spend_zero"] in results.cleaning.pending.index  # 0万元 -> pending


def _zh_light() -> dict:
    data = copy.deepcopy(load_study(DEMO_ZH).to_dict())
    data["methods"] = ["weighted_abc", {"bands": {}}]
    data.pop("sensitivity")
    return data


def test_same_study_twice_gives_identical_results():
    a = run_study(study_from_dict(_light(), base_dir=DEMO.parent, source=DEMO))
    b = run_study(study_from_dict(_light(), base_dir=DEMO.parent, source=DEMO))
    pd.testing.assert_frame_equal(a.tiers, b.tiers)
    pd.testing.assert_frame_equal(a.method_scores, b.method_scores)
    pd.testing.assert_frame_equal(a.sensitivity.per_customer, b.sensitivity.per_customer)


def test_missing_data_file_names_step_and_file(tmp_path):
    data = _light()
    data["data"]["transactions"]["path"] = "nope.csv"
    with pytest.raises(InputDataError, match=r"^data: .*nope.csv"):
        run_study(study_from_dict(data, base_dir=DEMO.parent))


def test_unknown_criterion_names_available_columns():
    data = _light()
    data["criteria"]["loyalty"] = {"direction": "benefit"}
    data["weights"] = {"objective": "entropy"}
    with pytest.raises(
        StudyError,
        match=r"^data: criteria: 'loyalty' not found in the data \(available: .*annual_spend",
    ):
        run_study(study_from_dict(data, base_dir=DEMO.parent))


def test_bad_method_parameter_fails_at_load():
    """Shares summing to 0.7 used to pass the study and fail minutes later in the notebook."""
    data = _light(
        methods=[{"shares": {"value": "annual_spend", "shares": [0.5, 0.2]}}], recommended="shares"
    )
    with pytest.raises(StudyError, match=r"methods\[0\]\.shares\.shares: expected 3 non-negative"):
        study_from_dict(data, base_dir=DEMO.parent)


def test_method_error_names_the_method():
    """A column only the data can refute (potential) fails in the run, naming the method."""
    data = _light(
        methods=[{"value_potential": {"potential": "no_such_column"}}],
        recommended="value_potential",
    )
    data.pop("sensitivity")
    with pytest.raises(StudyError, match=r"^method 'value_potential': column 'no_such_column'"):
        run_study(study_from_dict(data, base_dir=DEMO.parent))


def test_objective_and_given_weights():
    data = _light(
        weights={
            "values": {
                "annual_spend": 4,
                "margin": 3,
                "tenure_years": 1,
                "cross_purchase_rate": 1,
                "on_time_payment_rate": 1,
            }
        }
    )
    data.pop("sensitivity")
    with pytest.warns(DataQualityWarning, match="weights sum to 10"):
        study = study_from_dict(data, base_dir=DEMO.parent)
    r = run_study(study)
    assert r.weights["annual_spend"] == pytest.approx(0.4)
    assert r.ahp == {} and r.ahp_group is None
    assert "ahp" not in r.weight_comparison.columns


def test_unbalanced_counts_raise():
    frame = pd.DataFrame({"status": ["classified", "pending", "lost"]})
    with pytest.raises(ReportError, match="input 3 != classified 1 \\+ pending 1 \\+ merged 0"):
        count_statuses(frame)


def test_value_potential_uses_master_column_and_marks_missing_potential_d():
    """Source 003 §五: value (annual spend) × potential (industry growth) → S/A/B/C.

    Thresholds are the medians of the customers that have both values; a customer without
    an industry growth figure cannot be placed and is "n/a" (insufficient data; "D" stays
    reserved for customers pending evaluation after cleaning).
    """
    results = run_study(DEMO)
    tiers = results.tiers.loc[results.criteria.index, "value_potential"].astype(str)
    # after cleaning: a merged duplicate may have filled the original's missing growth
    cleaned = results.cleaning.cleaned["industry_growth"]
    growth = pd.to_numeric(cleaned, errors="coerce").reindex(results.criteria.index)
    assert (tiers[growth.isna()] == "n/a").all() and growth.isna().any()
    known = growth.notna()
    spend = results.criteria.loc[known, "annual_spend"]
    high_v, high_p = spend >= spend.median(), growth[known] >= growth[known].median()
    expected = np.select(
        [high_v & high_p, high_v & ~high_p, ~high_v & high_p], ["S", "A", "B"], "C"
    )
    assert tiers[known].tolist() == list(expected)


# --------------------------------------------------------------------------- fast paths


def test_customer_table_equals_id_lookup(demo):
    """Tier / score columns equal a per-row lookup by id (merged rows get no tier)."""
    results, _ = demo
    table = customer_table(results)
    kept = table["status"] != "merged"
    for i in np.flatnonzero(kept.to_numpy())[:: max(1, len(table) // 50)]:
        cid = table["customer_id"].iloc[i]
        for m in results.tiers.columns:
            assert table[f"tier_{m}"].iloc[i] == str(results.tiers.loc[cid, m])
            if m in results.method_scores.columns and cid in results.method_scores.index:
                assert table[f"score_{m}"].iloc[i] == results.method_scores.loc[cid, m]
    classified = table["status"] == "classified"
    np.testing.assert_array_equal(
        table.loc[classified, "score"].to_numpy(),
        results.scores.score.loc[table.loc[classified, "customer_id"]].to_numpy(),
    )


def test_with_pending_appends_d_after_the_tiers():
    tiers = pd.Series(pd.Categorical(["B", None, "A"], categories=["A", "B", "C"], ordered=True))
    out = with_pending(tiers.rename("m"), ["p1", "p2"])
    assert list(out.cat.categories) == ["A", "B", "C", "D"] and out.cat.ordered
    assert out.astype(object).tolist()[::2] == ["B", "A", "D"] and pd.isna(out.iloc[1])
    assert list(out.index) == [0, 1, 2, "p1", "p2"] and out.name == "m"
    words = pd.Series(pd.Categorical(["high value"], categories=["high value", "low"]))
    assert list(with_pending(words, ["x"]).cat.categories) == ["high value", "low", "pending"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.decimals(min_value=-(10**12), max_value=10**12, allow_nan=False, places=4).map(
                lambda d: format(d, "f")
            ),
            st.integers(-(10**15), 10**15).map(str),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_plain_numbers_fast_path_equals_business_parser(texts):
    """The plain-decimal fast path inside parse_business_numbers gives exactly the full
    business-number parser's floats."""
    series = pd.Series(texts, dtype="str")
    fast = _plain_numbers(series)
    expected, _, _ = _parse_column(series, ".")
    assert fast is not None
    np.testing.assert_array_equal(parse_business_numbers(series)[0].to_numpy(), fast.to_numpy())
    np.testing.assert_array_equal(fast.to_numpy(), expected.to_numpy())


@pytest.mark.parametrize("text", ["1,200", "¥5", "15%", "3万元", "(300)", " 12", "1e3", ""])
def test_plain_numbers_leaves_business_formats_to_the_parser(text):
    assert _plain_numbers(pd.Series(["1.5", text], dtype="str")) is None


def test_merged_duplicates_bring_their_transactions_along():
    """A duplicate id's invoices belong to the record it is merged into: the kept record's
    total spend equals the sum of both ids' invoice lines before the evaluation date."""
    results = run_study(DEMO)
    merged = results.cleaning.merged
    assert len(merged) > 0
    tx = pd.read_csv(DEMO.parent / "transactions.csv", parse_dates=["date"])
    tx = tx[tx["date"] < "2025-01-01"]
    spend = results.cleaning.cleaned["total_spend"].astype(float)
    for duplicate, kept in zip(merged["customer"], merged["merged_into"], strict=True):
        both = tx.loc[tx["customer_id"].isin([duplicate, kept]), "amount"].sum()
        assert spend[kept] == pytest.approx(both)


def test_from_transactions_aliases_book_lines_to_the_kept_id():
    """Hand case: lines of 'dup' (30) are booked to 'a' (100 + 50): a has 3 purchases, 180."""
    from abclab.features import from_transactions

    log = pd.DataFrame(
        {
            "cust": ["a", "a", "b", "dup"],
            "day": pd.to_datetime(["2024-01-05", "2024-03-01", "2024-02-10", "2024-03-10"]),
            "value": [100.0, 50.0, 80.0, 30.0],
        }
    )
    out = from_transactions(
        log, customer="cust", date="day", amount="value", as_of="2024-04-01", aliases={"dup": "a"}
    )
    assert out.index.tolist() == ["a", "b"]
    assert out.loc["a", "purchase_count"] == 3 and out.loc["a", "total_spend"] == 180.0
    assert out.loc["a", "last_purchase"] == pd.Timestamp("2024-03-10")


def test_criterion_without_any_value_is_named(tmp_path):
    """A criterion column that is empty for every customer: the error names the criterion
    and the data file instead of a generic 'no rows to score'."""
    (tmp_path / "c.csv").write_text(
        "id,name,spend,margin\nc1,A,100,\nc2,B,50,\nc3,C,10,\n", encoding="utf-8"
    )
    data = {
        "name": "t",
        "data": {"customers": {"path": "c.csv"}},
        "id_column": "id",
        "name_column": "name",
        "cleaning": {"default": {"missing": "median"}},
        "criteria": {"spend": {"direction": "benefit"}, "margin": {"direction": "benefit"}},
        "weights": {"values": {"spend": 0.5, "margin": 0.5}},
        "methods": ["weighted_abc"],
    }
    study = study_from_dict(data, base_dir=tmp_path, source=tmp_path / "s.yaml")
    with pytest.raises(
        InputDataError,
        match=r"criterion 'margin' has no value for any of the 3 input customers \(c.csv\)",
    ):
        run_study(study)
    data["cleaning"] = {"default": {"missing": "pending"}}
    (tmp_path / "c.csv").write_text(
        "id,name,spend,margin\nc1,A,100,\nc2,B,,0.1\n", encoding="utf-8"
    )
    study = study_from_dict(data, base_dir=tmp_path, source=tmp_path / "s.yaml")
    with pytest.raises(InputDataError, match=r"no customer is left to classify: all 2 are pending"):
        run_study(study)


def test_demo_previous_period_classes_reproduce_and_feed_the_migration_matrix():
    """data/demo/classes_2023.csv is the same study's weighted_abc tiers as of 2024-01-01
    (regenerated here and compared), and the migration matrix counts every customer of both
    periods once."""
    data = load_study(DEMO).to_dict()
    data["data"]["transactions"]["as_of"] = "2024-01-01"
    data["data"].pop("previous")
    data.pop("sensitivity")
    data["methods"] = [m for m in data["methods"] if "weighted_abc" in m]
    data["recommended"] = "weighted_abc"
    earlier = run_study(study_from_dict(data, base_dir=DEMO.parent, source=DEMO))
    committed = pd.read_csv(DEMO.parent / "classes_2023.csv", dtype=str).set_index("customer_id")
    tiers = earlier.tiers["weighted_abc"].astype(str)
    assert committed["tier"].to_dict() == tiers.to_dict()
    results = run_study(DEMO)
    migration = results.migration
    assert migration is not None
    numbers = migration.select_dtypes("number")
    assert int(numbers.to_numpy().sum()) == len(set(committed.index) | set(results.tiers.index))


def test_clv_and_p_alive_are_criteria_derived_from_the_log():
    """A criterion named p_alive and a potential named clv_12m are derived from the log
    (abclab.clv.customer_base_criteria, the duplicates' lines booked to the kept id), weighted
    and classified like any other criterion."""
    data = _light()
    data["criteria"]["p_alive"] = {"direction": "benefit", "normalise": "minmax"}
    data["weights"] = {"values": {"annual_spend": 0.4, "margin": 0.2, "p_alive": 0.4}}
    for name in ("tenure_years", "cross_purchase_rate", "on_time_payment_rate"):
        data["criteria"].pop(name)
        data["cleaning"].pop(name, None)
    data["methods"] = ["weighted_abc", {"value_potential": {"value": "annual_spend",
                                                            "potential": "clv_12m"}}]  # fmt: skip
    results = run_study(study_from_dict(data, base_dir=DEMO.parent, source=DEMO))
    crit = results.criteria
    assert crit["p_alive"].between(0, 1).all() and crit["p_alive"].notna().all()
    assert results.weights["p_alive"] == pytest.approx(0.4)
    aliases = {d: o for d, o in build_demo().dirt["duplicates"].items()}
    direct = clv.customer_base_criteria(DEMO.parent / "transactions.csv", customer="customer_id",
                                        date="date", amount="amount", profit="profit",
                                        as_of="2025-01-01", aliases=aliases)  # fmt: skip
    np.testing.assert_allclose(crit["p_alive"], direct["p_alive"].reindex(crit.index), rtol=1e-9)
    tiers = results.tiers["value_potential"].astype(str)
    assert set(tiers) <= {"S", "A", "B", "C", "D"} and tiers.nunique() >= 4


def test_clv_criterion_that_cannot_be_fitted_is_named(tmp_path):
    (tmp_path / "t.csv").write_text(
        "id,day,amount\na,2024-01-01,10\na,2024-02-01,12\nb,2024-03-01,5\n", encoding="utf-8"
    )
    data = {
        "name": "t",
        "data": {"transactions": {"path": "t.csv", "customer": "id", "date": "day",
                                  "amount": "amount", "as_of": "2025-01-01"}},
        "criteria": {"annual_spend": {"direction": "benefit"}, "clv_12m": {"direction": "benefit"}},
        "weights": {"values": {"annual_spend": 0.5, "clv_12m": 0.5}},
        "methods": ["weighted_abc"],
    }  # fmt: skip
    study = study_from_dict(data, base_dir=tmp_path, source=tmp_path / "s.yaml")
    assert check_data(study).ok  # validate: clv_12m is derivable from the log
    with pytest.raises(StudyError, match=r"criterion 'clv_12m': cannot be derived from t.csv "
                       r"\(not enough repeat buyers to fit BG/NBD: 1 of 2"):  # fmt: skip
        run_study(study)


def test_demo_studies_compare_churn_risk_fitted_by_bg_nbd(demo):
    """The demo company's customers leave (data/demo/README.md): churn_risk fits BG/NBD on
    it instead of falling back to the day rules, and is compared, not recommended."""
    results, _ = demo
    study = load_study(DEMO)
    assert "churn_risk" in [m.name for m in study.methods] and study.recommended != "churn_risk"
    tiers = results.tiers["churn_risk"].astype(str)
    counts = tiers.value_counts()
    assert set(counts.index) <= {"stable", "watch", "at risk", "pending"}
    # the 113 customers who bought for the last time before 2024 are mostly at risk
    log = pd.read_csv(DEMO.parent / "transactions.csv", parse_dates=["date"])
    last = log[log["amount"] >= 0].groupby("customer_id")["date"].max()
    gone = [c for c in last[last < pd.Timestamp("2024-01-01")].index if c in tiers.index]
    assert (tiers[gone] == "at risk").mean() > 0.8
    assert counts["stable"] > counts["at risk"] > counts["watch"]
    zh = load_study(DEMO_ZH)
    churn = [m for m in zh.methods if m.name == "churn_risk"]
    assert churn and churn[0].labels == ("高稳定客户", "关注客户", "流失风险客户")


def test_sensitivity_adds_smaa_and_bootstrap_of_the_recommended_tiers():
    """StressStep.smaa / .bootstrap equal smaa / bootstrap_tiers called directly."""
    from abclab import sensitivity

    study = study_from_dict(_light(), base_dir=DEMO.parent, source=DEMO)
    r = run_study(study)
    method = study.method(study.recommended)
    assert method.weight_rule() is not None
    direct = sensitivity.smaa(
        r.scores.indicator_scores, weights=r.weights, spread=0.2, draws=50, seed=study.seed,
        max_rank_items=0, **method.weight_rule(),
    )  # fmt: skip
    pd.testing.assert_frame_equal(r.stress.smaa.tier_acceptability, direct.tier_acceptability)
    # the SMAA base tiers are the method's tiers
    tiers = r.tiers[study.recommended].reindex(direct.base_tier.index).astype(str)
    assert (direct.base_tier.astype(str) == tiers).all()
    boot = sensitivity.bootstrap_tiers(
        r.method_scores[study.recommended], values=r.criteria["annual_spend"].clip(lower=0),
        draws=50, seed=study.seed, **method.weight_rule(),
    )  # fmt: skip
    got = r.stress.bootstrap
    assert list(got["method"].unique()) == [study.recommended]
    assert list(got["value"].unique()) == ["annual_spend"]
    pd.testing.assert_frame_equal(got.drop(columns=["method", "value"]), boot)
    lo, hi = got["value_share_ci_low"], got["value_share_ci_high"]
    assert ((lo <= got["value_share"]) & (got["value_share"] <= hi)).all()


def test_bootstrap_of_a_one_value_recommended_method_uses_its_own_rule():
    from abclab import sensitivity

    study = study_from_dict(_light(recommended="pareto"), base_dir=DEMO.parent, source=DEMO)
    r = run_study(study)
    boot = sensitivity.bootstrap_tiers(
        r.method_scores["pareto"], values=r.criteria["annual_spend"].clip(lower=0),
        rule="pareto", cutoffs=(0.8, 0.95), draws=50, seed=study.seed,
    )  # fmt: skip
    pd.testing.assert_frame_equal(r.stress.bootstrap.drop(columns=["method", "value"]), boot)
    # SMAA re-runs the first method whose tiers follow the weights
    assert r.stress.smaa.base_tier.cat.categories.tolist() == ["A", "B", "C"]


def test_no_sensitivity_no_smaa_or_bootstrap():
    data = _light()
    data.pop("sensitivity")
    r = run_study(study_from_dict(data, base_dir=DEMO.parent, source=DEMO))
    assert r.stress.smaa is None and r.stress.bootstrap is None
