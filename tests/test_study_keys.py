"""Every key the study schema accepts changes the result.

A study key that validates and is then ignored is worse than an unknown key: the user believes
it did something. This module proves, key by key, that setting a key (to a valid, non-default
value) changes what :func:`abclab.pipeline.run_study` returns — or, where the key only shapes
the report, what the report sections or the workbook show — compared to the same study without
it.

:data:`EFFECTS` maps every key path of :func:`abclab.study.study_json_schema` (``*`` = any
mapping key, ``[]`` = any list item) to the test that proves its effect, or to a reason
(``"structural: ..."``) for keys that only hold other keys.
:func:`test_every_schema_key_has_an_effect_test` fails when the schema gains a key without an entry here, so a new key comes with its test.

The studies are small: 30 customers with three (five for the method tests) criteria, a
synthetic transaction log of a few hundred lines and last period's classes, all written under a
session-scoped temporary directory. Results are cached per study (one run per distinct study).
"""

from __future__ import annotations

import copy
import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from abclab.exceptions import DataQualityWarning, InputDataError, StudyError
from abclab.methods import CHURN_LABELS_ZH
from abclab.pipeline import StudyResults, customer_table, run_study
from abclab.study import study_from_dict, study_json_schema

# --------------------------------------------------------------------------- the key table

#: Schema key path -> the test proving its effect (``test_name`` or ``test_name[param]``), or
#: ``"structural: <reason>"`` for a key that only holds other keys.
EFFECTS: dict[str, str] = {
    # root
    "name": "test_name_titles_the_report",
    "description": "test_description_is_echoed_in_the_appendix_only",
    "client": "test_client_is_named_on_the_cover_and_in_the_confidentiality_line",
    "language": "test_language_changes_strategy_texts",
    "audience": "test_audience_decides_what_the_workbook_and_provenance_show",
    "seed": "test_seed_changes_monte_carlo_draws",
    "id_column": "test_id_column_picks_the_id",
    "name_column": "test_name_column_gives_display_names",
    "pii": "test_pii_decides_what_is_masked",
    "pii.[]": "test_pii_decides_what_is_masked",
    "recommended": "test_recommended_drives_strategies",
    # data
    "data": "structural: holds data.customers / data.transactions / data.previous",
    "data.customers": "structural: holds the customer table's keys (each tested)",
    "data.customers.path": "test_customers_path_is_read",
    "data.customers.sheet": "test_customers_sheet_is_read",
    "data.customers.encoding": "test_customers_encoding_is_used",
    "data.customers.columns": "test_customers_columns_map_client_names",
    "data.customers.columns.*": "test_customers_columns_map_client_names",
    "data.customers.sep": "test_read_option[customers-sep]",
    "data.customers.decimal": "test_read_option[customers-decimal]",
    "data.customers.header_row": "test_read_option[customers-header_row]",
    "data.customers.missing_values": "test_read_option[customers-missing_values]",
    "data.customers.missing_values.[]": "test_read_option[customers-missing_values]",
    "data.transactions.sep": "test_read_option[transactions-sep]",
    "data.transactions.decimal": "test_read_option[transactions-decimal]",
    "data.transactions.header_row": "test_read_option[transactions-header_row]",
    "data.transactions.missing_values": "test_read_option[transactions-missing_values]",
    "data.transactions.missing_values.[]": "test_read_option[transactions-missing_values]",
    "data.transactions.date_format": "test_transactions_date_format_orders_day_and_month",
    "data.transactions.unmatched": "test_transactions_unmatched_reported_or_classified",
    "data.transactions.engine": "test_transactions_engine_spark_gives_the_same_study",
    "data.transactions.table": "test_transactions_table_is_read_by_spark",
    "data.transactions.format": "test_transactions_format_says_how_spark_reads_the_path",
    "data.transactions.spark": "structural: holds data.transactions.spark.master / .config",
    "data.transactions.spark.master": "test_transactions_spark_settings_reach_the_session[master]",
    "data.transactions.spark.config": "test_transactions_spark_settings_reach_the_session[config]",
    "data.transactions.spark.config.*": (
        "test_transactions_spark_settings_reach_the_session[config]"
    ),
    "data.previous.sep": "test_read_option[previous-sep]",
    "data.previous.header_row": "test_read_option[previous-header_row]",
    "data.previous.missing_values": "test_read_option[previous-missing_values]",
    "data.previous.missing_values.[]": "test_read_option[previous-missing_values]",
    "data.transactions": "structural: holds the transaction log's keys (each tested)",
    "data.transactions.path": "test_transactions_key[path]",
    "data.transactions.customer": "test_transactions_key[customer]",
    "data.transactions.date": "test_transactions_key[date]",
    "data.transactions.amount": "test_transactions_key[amount]",
    "data.transactions.profit": "test_transactions_optional_column[profit]",
    "data.transactions.category": "test_transactions_optional_column[category]",
    "data.transactions.due_date": "test_transactions_optional_column[due_date]",
    "data.transactions.paid_date": "test_transactions_optional_column[paid_date]",
    "data.transactions.invoice": "test_transactions_invoice_counts_invoices",
    "data.transactions.as_of": "test_transactions_as_of_moves_recency",
    "data.transactions.encoding": "test_transactions_encoding_is_used",
    "data.transactions.sheet": "test_transactions_sheet_is_read",
    "data.previous": "test_previous_key[section]",
    "data.previous.path": "test_previous_key[path]",
    "data.previous.tier_column": "test_previous_key[tier_column]",
    "data.previous.id_column": "test_previous_key[id_column]",
    "data.previous.sheet": "test_previous_key[sheet]",
    "data.previous.encoding": "test_previous_encoding_is_used",
    # criteria and cleaning
    "criteria": "structural: holds one entry per criterion",
    "criteria.*": "test_criteria_entry_is_a_scored_criterion",
    "criteria.*.direction": "test_criterion_key[direction]",
    "criteria.*.normalise": "test_criterion_key[normalise]",
    "criteria.*.bands": "test_criterion_key[bands]",
    "criteria.*.bands.[]": "test_criterion_key[bands]",
    "criteria.*.bands.[].[]": "test_criterion_key[bands]",
    "criteria.*.label": "test_criterion_label_reaches_report_tables",
    "cleaning": "structural: holds one policy per criterion (or default)",
    "cleaning.*": "test_cleaning_policy_applies_to_its_criterion",
    "cleaning.*.missing": "test_cleaning_key[missing]",
    "cleaning.*.nonpositive": "test_cleaning_key[nonpositive]",
    "cleaning.*.outliers": "test_cleaning_key[outliers]",
    "cleaning.*.iqr_k": "test_cleaning_key[iqr_k]",
    "cleaning.*.mad_threshold": "test_cleaning_key[mad_threshold]",
    "cleaning.*.winsorize": "test_cleaning_key[winsorize]",
    "cleaning.*.recent_months": "test_cleaning_recent_average_key[recent_months]",
    "cleaning.*.periods_per_year": "test_cleaning_recent_average_key[periods_per_year]",
    # weights
    "weights": "structural: holds exactly one of ahp / values / objective / hierarchy",
    "weights.values": "test_given_and_objective_weights[values]",
    "weights.values.*": "test_given_and_objective_weights[values]",
    "weights.objective": "test_given_and_objective_weights[objective]",
    "weights.ahp": "test_ahp_key[section]",
    "weights.ahp.experts": "test_ahp_key[experts]",
    "weights.ahp.experts.*": "test_ahp_key[experts]",
    "weights.ahp.experts.*.judgements": "test_ahp_key[judgements]",
    "weights.ahp.experts.*.judgements.*": "test_ahp_key[judgements]",
    "weights.ahp.experts.*.matrix": "test_ahp_key[matrix]",
    "weights.ahp.experts.*.matrix.[]": "test_ahp_key[matrix]",
    "weights.ahp.experts.*.matrix.[].[]": "test_ahp_key[matrix]",
    "weights.ahp.experts.*.order": "test_ahp_key[order]",
    "weights.ahp.experts.*.order.[]": "test_ahp_key[order]",
    "weights.ahp.aggregation": "test_ahp_key[aggregation]",
    "weights.ahp.method": "test_ahp_key[method]",
    "weights.ahp.ri_table": "test_ahp_key[ri_table]",
    "weights.hierarchy": "test_hierarchy_key[section]",
    "weights.hierarchy.dimensions": "test_hierarchy_key[section]",
    "weights.hierarchy.dimensions.*": "test_hierarchy_key[section]",
    "weights.hierarchy.dimensions.*.criteria": "test_hierarchy_key[criteria]",
    "weights.hierarchy.dimensions.*.criteria.[]": "test_hierarchy_key[criteria]",
    "weights.hierarchy.dimensions.*.judgements": "test_hierarchy_key[judgements]",
    "weights.hierarchy.dimensions.*.judgements.*": "test_hierarchy_key[judgements]",
    "weights.hierarchy.dimensions.*.matrix": "test_hierarchy_key[matrix]",
    "weights.hierarchy.dimensions.*.matrix.[]": "test_hierarchy_key[matrix]",
    "weights.hierarchy.dimensions.*.matrix.[].[]": "test_hierarchy_key[matrix]",
    "weights.hierarchy.dimensions.*.order": "test_hierarchy_key[order]",
    "weights.hierarchy.dimensions.*.order.[]": "test_hierarchy_key[order]",
    "weights.hierarchy.dimensions.*.values": "test_hierarchy_key[values]",
    "weights.hierarchy.dimensions.*.values.*": "test_hierarchy_key[values]",
    "weights.hierarchy.top": "test_hierarchy_key[top_judgements]",
    "weights.hierarchy.top.judgements": "test_hierarchy_key[top_judgements]",
    "weights.hierarchy.top.judgements.*": "test_hierarchy_key[top_judgements]",
    "weights.hierarchy.top.matrix": "test_hierarchy_key[top_matrix]",
    "weights.hierarchy.top.matrix.[]": "test_hierarchy_key[top_matrix]",
    "weights.hierarchy.top.matrix.[].[]": "test_hierarchy_key[top_matrix]",
    "weights.hierarchy.top.order": "test_hierarchy_key[top_order]",
    "weights.hierarchy.top.order.[]": "test_hierarchy_key[top_order]",
    "weights.best_worst": "test_best_worst_key[section]",
    "weights.best_worst.best_to_others": "test_best_worst_key[best_to_others]",
    "weights.best_worst.best_to_others.*": "test_best_worst_key[best_to_others]",
    "weights.best_worst.others_to_worst": "test_best_worst_key[others_to_worst]",
    "weights.best_worst.others_to_worst.*": "test_best_worst_key[others_to_worst]",
    "weights.best_worst.model": "test_best_worst_key[model]",
    "weights.best_worst.best": "test_best_worst_ties_need_best_and_worst",
    "weights.best_worst.worst": "test_best_worst_ties_need_best_and_worst",
    "weights.fuzzy_ahp": "test_fuzzy_ahp_key[section]",
    "weights.fuzzy_ahp.judgements": "test_fuzzy_ahp_key[judgements]",
    "weights.fuzzy_ahp.judgements.*": "test_fuzzy_ahp_key[judgements]",
    "weights.fuzzy_ahp.judgements.*.[]": "test_fuzzy_ahp_key[judgements]",
    "weights.fuzzy_ahp.defuzzification": "test_fuzzy_ahp_key[defuzzification]",
    "weights.fuzzy_ahp.ri_table": "test_fuzzy_ahp_key[ri_table]",
    "weights.hierarchy.top.values": "test_hierarchy_key[top_values]",
    "weights.hierarchy.top.values.*": "test_hierarchy_key[top_values]",
    "weights.hierarchy.method": "test_hierarchy_key[method]",
    "weights.hierarchy.ri_table": "test_hierarchy_key[ri_table]",
    # methods (method-specific entries are added below)
    "methods": "structural: the list of methods compared",
    "methods.[]": "structural: one method entry (each method and parameter tested)",
    # tiers and sensitivity
    "tiers": "structural: holds tiers.labels / tiers.strategies",
    "tiers.labels": "test_tier_labels_name_the_strategies",
    "tiers.labels.*": "test_tier_labels_name_the_strategies",
    "tiers.strategies": "test_tier_strategies_override_the_text",
    "tiers.strategies.*": "test_tier_strategies_override_the_text",
    "sensitivity": "test_sensitivity_key[section]",
    "sensitivity.draws": "test_sensitivity_key[draws]",
    "sensitivity.concentration": "test_sensitivity_key[concentration]",
    "sensitivity.spread": "test_sensitivity_key[spread]",
    "sensitivity.method": "test_sensitivity_key[method]",
    # customer base (churn risk, lifetime value, triggers, back-test)
    "customer_base": "test_customer_base_section_runs_the_step",
    "customer_base.spend_change": "test_customer_base_trigger_key[spend_change]",
    "customer_base.inactive_months": "test_customer_base_trigger_key[inactive_months]",
    "customer_base.holdout_months": "test_customer_base_holdout_months_moves_the_cut",
    "customer_base.horizon_months": "test_customer_base_value_key[horizon_months]",
    "customer_base.discount_rate": "test_customer_base_value_key[discount_rate]",
    "customer_base.margin": "test_customer_base_margin_scales_the_clv",
}

#: Methods whose tiers cut a ranking by ``how``: ``shares`` or ``pareto`` ``cutoffs``.
RANK_RULE = ("weighted_abc", "ramanathan", "ng", "zhou_fan", "topsis", "edas")
#: Methods that classify one column named by ``value``.
VALUE_METHODS = ("pareto", "shares", "computed_abc", "bands", "value_potential")
CLUSTERS = ("kmeans", "gmm", "ward")
ALL_METHODS = (
    "pareto",
    "shares",
    "computed_abc",
    "bands",
    "weighted_abc",
    "value_potential",
    "rfm",
    "ramanathan",
    "ng",
    "zhou_fan",
    "topsis",
    "edas",
    "kmeans",
    "gmm",
    "ward",
)
#: Methods that read the transaction log (tested on their own studies, see below).
LOG_METHODS = ("churn_risk", "credit_grade")


def _method_effects() -> dict[str, str]:
    out: dict[str, str] = {}
    for m in ALL_METHODS:
        out[f"methods.[].{m}"] = f"test_method_entry_adds_its_tiers[{m}]"
        out[f"methods.[].{m}.as"] = f"test_method_as_renames_the_run[{m}]"
    for m in RANK_RULE:
        out[f"methods.[].{m}.how"] = f"test_rank_rule_how[{m}]"
        out[f"methods.[].{m}.shares"] = f"test_rank_rule_shares[{m}]"
        out[f"methods.[].{m}.shares.[]"] = f"test_rank_rule_shares[{m}]"
        out[f"methods.[].{m}.cutoffs"] = f"test_rank_rule_cutoffs[{m}]"
        out[f"methods.[].{m}.cutoffs.[]"] = f"test_rank_rule_cutoffs[{m}]"
    for m in VALUE_METHODS:
        out[f"methods.[].{m}.value"] = f"test_value_column[{m}]"
    for m in CLUSTERS:
        out[f"methods.[].{m}.k"] = f"test_cluster_k[{m}]"
        out[f"methods.[].{m}.k_range"] = f"test_cluster_k_range[{m}]"
        out[f"methods.[].{m}.k_range.[]"] = f"test_cluster_k_range[{m}]"
    for m in ("ramanathan", "ng"):
        out[f"methods.[].{m}.order"] = f"test_importance_order[{m}]"
        out[f"methods.[].{m}.order.[]"] = f"test_importance_order[{m}]"
    out["methods.[].pareto.cutoffs"] = "test_method_parameter[pareto-cutoffs]"
    out["methods.[].pareto.cutoffs.[]"] = "test_method_parameter[pareto-cutoffs]"
    out["methods.[].shares.shares"] = "test_method_parameter[shares-shares]"
    out["methods.[].shares.shares.[]"] = "test_method_parameter[shares-shares]"
    out["methods.[].bands.bands"] = "test_method_parameter[bands-bands]"
    out["methods.[].bands.bands.[]"] = "test_method_parameter[bands-bands]"
    out["methods.[].bands.labels"] = "test_method_parameter[bands-labels]"
    out["methods.[].bands.labels.[]"] = "test_method_parameter[bands-labels]"
    out["methods.[].zhou_fan.lam"] = "test_method_parameter[zhou_fan-lam]"
    out["methods.[].value_potential.potential"] = "test_method_parameter[value_potential-potential]"
    out["methods.[].value_potential.threshold"] = "test_method_parameter[value_potential-threshold]"
    out["methods.[].value_potential.threshold.[]"] = (
        "test_method_parameter[value_potential-threshold]"
    )
    out["methods.[].value_potential.labels"] = "test_value_potential_labels_are_used"
    out["methods.[].value_potential.labels.[]"] = "test_value_potential_labels_are_used"
    for key in ("recency", "frequency", "monetary", "bins"):
        out[f"methods.[].rfm.{key}"] = f"test_method_parameter[rfm-{key}]"
    for m in LOG_METHODS:
        out[f"methods.[].{m}"] = f"test_log_method_entry_adds_its_tiers[{m}]"
        out[f"methods.[].{m}.as"] = f"test_log_method_as_renames_the_run[{m}]"
    for key in ("p_alive", "horizon_weeks", "min_expected_purchases", "labels"):
        out[f"methods.[].churn_risk.{key}"] = f"test_churn_risk_parameter[{key}]"
    out["methods.[].churn_risk.p_alive.[]"] = "test_churn_risk_parameter[p_alive]"
    out["methods.[].churn_risk.labels.[]"] = "test_churn_risk_parameter[labels]"
    out["methods.[].churn_risk.min_repeat_buyers"] = (
        "test_churn_risk_min_repeat_buyers_decides_whether_bgnbd_is_fitted"
    )
    out["methods.[].churn_risk.rule_days"] = "test_churn_risk_rule_days_cut_the_fallback_tiers"
    out["methods.[].churn_risk.rule_days.[]"] = "test_churn_risk_rule_days_cut_the_fallback_tiers"
    out["methods.[].churn_risk.on_fit_failure"] = "test_churn_risk_on_fit_failure_warns_or_fails"
    for key in ("on_time", "mean_days", "worst_days", "open_share"):
        out[f"methods.[].credit_grade.{key}"] = f"test_credit_grade_band[{key}]"
        out[f"methods.[].credit_grade.{key}.[]"] = f"test_credit_grade_band[{key}]"
    out["methods.[].credit_grade.labels"] = "test_credit_grade_labels_name_the_grades"
    out["methods.[].credit_grade.labels.[]"] = "test_credit_grade_labels_name_the_grades"
    return out


EFFECTS.update(_method_effects())


# --------------------------------------------------------------------------- meta-test


def schema_key_paths(schema: dict[str, Any]) -> set[str]:
    """Every key path of a JSON Schema: ``$ref`` followed into ``$defs``, ``anyOf`` /
    ``oneOf`` / ``allOf`` merged, ``properties`` by name, ``additionalProperties`` as ``*``,
    ``items`` (and ``prefixItems``) as ``[]``."""
    defs = schema.get("$defs", {})
    out: set[str] = set()

    def walk(node: Any, prefix: str, seen: tuple[str, ...]) -> None:
        if not isinstance(node, dict):
            return
        ref = node.get("$ref")
        if ref is not None:
            name = ref.rsplit("/", 1)[-1]
            if name not in seen:  # a recursive definition adds no new keys
                walk(defs[name], prefix, (*seen, name))
        for combinator in ("anyOf", "oneOf", "allOf"):
            for sub in node.get(combinator, []):
                walk(sub, prefix, seen)
        for key, sub in node.get("properties", {}).items():
            path = f"{prefix}.{key}" if prefix else key
            out.add(path)
            walk(sub, path, seen)
        extra = node.get("additionalProperties")
        if isinstance(extra, dict):
            out.add(f"{prefix}.*")
            walk(extra, f"{prefix}.*", seen)
        items = [node["items"]] if isinstance(node.get("items"), dict) else []
        items += [i for i in node.get("prefixItems", []) if isinstance(i, dict)]
        for item in items:
            out.add(f"{prefix}.[]")
            walk(item, f"{prefix}.[]", seen)

    walk(schema, "", ())
    return out


def test_schema_walk_finds_nested_keys():
    """The walker sees through $ref, anyOf, additionalProperties and items."""
    paths = schema_key_paths(study_json_schema())
    for expected in (
        "criteria.*.direction",
        "methods.[].pareto.cutoffs",
        "weights.ahp.experts.*.judgements",
        "weights.hierarchy.dimensions.*.matrix.[].[]",
        "data.customers.sheet",
    ):
        assert expected in paths
    assert len(paths) > 150


def test_every_schema_key_has_an_effect_test(request):
    """Each key path of the study schema is in EFFECTS, and EFFECTS names no stale key; every
    test id named there is a test of this module (and, where collected, that exact case)."""
    paths = schema_key_paths(study_json_schema())
    missing = sorted(paths - set(EFFECTS))
    assert not missing, f"schema keys without an effect test in EFFECTS: {missing}"
    stale = sorted(set(EFFECTS) - paths)
    assert not stale, f"EFFECTS names keys the schema no longer has: {stale}"
    collected = {item.name for item in request.session.items}
    functions = {getattr(item, "originalname", item.name) for item in request.session.items}
    for path, proof in EFFECTS.items():
        if proof.startswith("structural: "):
            continue
        name = proof.split("[", 1)[0]
        assert name.startswith("test_") and callable(globals().get(name)), (path, proof)
        if name in functions:  # collected in this session: the exact case must exist
            assert proof in collected, (path, proof)


# --------------------------------------------------------------------------- data files

N = 30
IDS = [f"C{i:02d}" for i in range(1, N + 1)]
CATEGORIES = ("Pumpen", "Ventile", "Zubehör", "Service")


def _customers_frame() -> pd.DataFrame:
    rng = np.random.default_rng(20240101)
    spend = np.round(rng.lognormal(10, 0.8, N), 2)
    spend[2] = np.nan  # C03: missing spend
    spend[4] = 0.0  # C05: spend 0 (not positive)
    spend[6] = 60 * np.nanmedian(spend)  # C07: a far outlier
    growth = np.round(rng.normal(0.05, 0.06, N), 3).astype(object)
    growth[[3, 10]] = None  # C04, C11: no growth figure
    return pd.DataFrame(
        {
            "customer_id": IDS,
            "code": [f"K{N + 1 - i:02d}" for i in range(1, N + 1)],
            "company": [
                f"Firma {chr(64 + i) if i <= 26 else 'Z' + str(i)} AG" for i in range(1, N + 1)
            ],
            "phone": [f"138{i:08d}" for i in range(1, N + 1)],
            "email": [f"buyer{i}@firma{i}.example.com" for i in range(1, N + 1)],
            "region": [("North", "South", "East")[i % 3] for i in range(N)],
            "growth": growth,
            "spend": spend,
            "margin_rate": np.round(rng.uniform(0.02, 0.35, N), 3),
            "tenure": np.round(rng.uniform(0.5, 15, N), 1),
            "recency": rng.integers(1, 365, N),
            "frequency": rng.integers(1, 40, N),
        }
    )


def _transactions_frame() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    rows = []
    for k, cid in enumerate(IDS[:-1]):  # C30 has no transactions
        n = int(rng.integers(4, 16))
        days = np.sort(rng.integers(0, 730, n))
        cats = CATEGORIES[: 1 + k % len(CATEGORIES)]
        margin = rng.uniform(0.05, 0.3)
        for d in days:
            date = pd.Timestamp("2023-01-01") + pd.Timedelta(days=int(d))
            amount = round(float(rng.lognormal(8, 0.7)), 2)
            paid = date + pd.Timedelta(days=int(rng.integers(5, 60)))
            rows.append(
                {
                    "customer": cid,
                    "payer": "C06" if k < 5 else cid,  # C01-C05 paid through C06's account
                    "date": date.date().isoformat(),
                    "amount": amount,
                    "profit": round(amount * margin, 2),
                    "category": str(rng.choice(cats)),
                    "due": (date + pd.Timedelta(days=30)).date().isoformat(),
                    "paid": paid.date().isoformat(),
                }
            )
    return pd.DataFrame(rows)


#: Evaluation date of the BG/NBD log (exclusive): the model sees purchases up to 2024-12-31.
BGNBD_AS_OF = "2025-01-01"


def _bgnbd_frame(n: int = 300) -> pd.DataFrame:
    """A log BG/NBD fits: customers S001-S300 buy as Poisson processes (rate per day ~
    Gamma(1.2, 1/15)) from a first purchase in 2023-2024 and drop out after each repeat
    purchase with probability ~ Beta(1, 3), until the evaluation date. Each customer also
    pays their invoices (due 30 days after the purchase) late with their own probability and
    delay, and 15 % leave the last four months' invoices open, so every credit band binds
    for some customers."""
    rng = np.random.default_rng(20250101)
    start, end = pd.Timestamp("2023-01-01"), pd.Timestamp(BGNBD_AS_OF)
    span = (end - start).days
    rows = []
    for i in range(n):
        rate, dropout = rng.gamma(1.2, 1 / 15), rng.beta(1.0, 3.0)
        late_share, delay, leaves_open = rng.beta(1.0, 2.5), rng.uniform(2, 45), rng.random()
        day = float(rng.integers(0, span - 30))
        days = [int(day)]
        while True:
            day += rng.exponential(1 / rate)
            if day >= span:
                break
            days.append(int(day))
            if rng.random() < dropout:
                break
        for d in days:
            date = start + pd.Timedelta(days=d)
            due = date + pd.Timedelta(days=30)
            if rng.random() < late_share:
                paid = due + pd.Timedelta(days=int(rng.exponential(delay)) + 1)
            else:
                paid = due - pd.Timedelta(days=int(rng.integers(0, 20)))
            open_ = leaves_open < 0.15 and d > span - 120
            rows.append(
                {
                    "customer": f"S{i + 1:03d}",
                    "date": date.date().isoformat(),
                    "amount": round(float(rng.lognormal(7, 0.6)), 2),
                    "due": due.date().isoformat(),
                    "paid": None if open_ else paid.date().isoformat(),
                }
            )
    return pd.DataFrame(rows)


def _clv_frame() -> pd.DataFrame:
    """The BG/NBD log with each customer's amounts scaled by their own factor (lognormal,
    sigma 0.8): customers now differ in spend per purchase, which Gamma-Gamma needs (on the
    BG/NBD log every customer draws from one distribution, and the fit is at the edge of
    converging, q → ∞)."""
    log = _bgnbd_frame()
    rng = np.random.default_rng(11)
    ids = sorted(log["customer"].unique())
    factor = dict(zip(ids, np.exp(rng.normal(0, 0.8, len(ids))), strict=True))
    return log.assign(amount=(log["amount"] * log["customer"].map(factor)).round(2))


def _previous_frame() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    return pd.DataFrame(
        {
            "customer_id": IDS,
            "cid": IDS[::-1],  # another id column: the same classes booked to other customers
            "tier": rng.choice(["A", "B", "C"], N, p=[0.2, 0.3, 0.5]),
            "tier_alt": rng.choice(["A", "B", "C"], N, p=[0.5, 0.3, 0.2]),
        }
    )


@pytest.fixture(scope="session")
def files(tmp_path_factory) -> Path:
    """The data files every study of this module reads (relative to this directory)."""
    root = tmp_path_factory.mktemp("study_keys")
    customers = _customers_frame()
    customers.to_csv(root / "customers.csv", index=False)
    other = customers.copy()
    other["spend"] = other["spend"].to_numpy()[::-1]  # same customers, other spend
    other.to_csv(root / "customers_other.csv", index=False)
    customers.drop(columns=["customer_id"]).to_csv(root / "customers_coded.csv", index=False)
    tx = _transactions_frame()
    tx.to_csv(root / "tx.csv", index=False)
    tx.to_csv(root / "tx_latin1.csv", index=False, encoding="latin-1")
    tx[tx["date"] < "2024-01-01"].to_csv(root / "tx_2023.csv", index=False)
    _bgnbd_frame().to_csv(root / "tx_bgnbd.csv", index=False)
    _clv_frame().to_csv(root / "tx_clv.csv", index=False)
    with pd.ExcelWriter(root / "tx.xlsx") as writer:
        tx[tx["date"] < "2024-01-01"].to_excel(writer, sheet_name="old", index=False)
        tx.to_excel(writer, sheet_name="log", index=False)
    prev = _previous_frame()
    prev.to_csv(root / "previous.csv", index=False)
    prev.assign(tier=prev["tier_alt"]).to_csv(root / "previous_other.csv", index=False)
    with pd.ExcelWriter(root / "previous.xlsx") as writer:
        prev.assign(tier="C").to_excel(writer, sheet_name="draft", index=False)
        prev.to_excel(writer, sheet_name="final", index=False)
    words = {"A": "Größt", "B": "Mittel", "C": "Klein"}
    prev.assign(tier=prev["tier"].map(words)).to_csv(
        root / "previous_latin1.csv", index=False, encoding="latin-1"
    )
    return root


# --------------------------------------------------------------------------- studies and runs

_RUNS: dict[str, StudyResults] = {}


def _tiny(**top: Any) -> dict[str, Any]:
    """The small customer-table study: three criteria, equal weights, weighted ABC."""
    data: dict[str, Any] = {
        "name": "tiny",
        "data": {"customers": {"path": "customers.csv"}},
        "criteria": {"spend": None, "margin_rate": None, "tenure": None},
        "methods": ["weighted_abc"],
    }
    data.update(top)
    return data


def _five(*methods: Any, **top: Any) -> dict[str, Any]:
    """The tiny study with five criteria (recency a cost) for the method tests."""
    data = _tiny(**top)
    data["criteria"] = {
        "spend": None,
        "margin_rate": None,
        "tenure": None,
        "recency": {"direction": "cost"},
        "frequency": None,
    }
    data["weights"] = {
        "values": {
            "spend": 0.3,
            "margin_rate": 0.25,
            "tenure": 0.2,
            "recency": 0.15,
            "frequency": 0.1,
        }
    }
    data["methods"] = list(methods)
    if not any(m == "weighted_abc" or "weighted_abc" in m for m in methods):
        data["methods"].append("weighted_abc")  # recommended: its tiers fit the strategies
    data["recommended"] = "weighted_abc"
    return data


def _tx(**transactions: Any) -> dict[str, Any]:
    """A study whose criteria are derived from the transaction log (and the customer table)."""
    log = {"path": "tx.csv", "customer": "customer", "date": "date", "amount": "amount"}
    log.update(transactions)
    return {
        "name": "tx",
        "data": {"transactions": log, "customers": {"path": "customers.csv"}},
        "criteria": {
            "annual_spend": None,
            "tenure_years": None,
            "recency_days": {"direction": "cost"},
        },
        "methods": ["weighted_abc"],
    }


def _with(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``data`` with the dotted key ``path`` set to ``value``."""
    data = copy.deepcopy(data)
    keys = path.split(".")
    node = data
    for k in keys[:-1]:
        if node.get(k) is None:
            node[k] = {}
        node = node[k]
    node[keys[-1]] = value
    return data


def _study(data: dict[str, Any], files: Path):
    return study_from_dict(copy.deepcopy(data), base_dir=files, source=files / "study.yaml")


def _run(data: dict[str, Any], files: Path) -> StudyResults:
    """Run a study (once per distinct study in the session)."""
    key = json.dumps([str(files), data], sort_keys=True, default=str)
    if key not in _RUNS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _RUNS[key] = run_study(_study(data, files))
    return _RUNS[key]


def _cases(*cases: tuple[Any, ...], width: int = 1) -> list[Any]:
    """``pytest.param`` per case, its id the first ``width`` entries joined by ``-``."""
    return [pytest.param(*c, id="-".join(map(str, c[:width]))) for c in cases]


def _tiers(results: StudyResults, method: str | None = None) -> pd.Series:
    column = results.tiers[method or results.tiers.columns[0]]
    return column.astype(object)


def _differs(a: Any, b: Any) -> bool:
    """Whether two frames or series differ (values, index, columns or dtypes)."""
    check = pd.testing.assert_frame_equal if isinstance(a, pd.DataFrame) else None
    check = check or pd.testing.assert_series_equal
    try:
        check(a, b)
    except (AssertionError, TypeError, ValueError):
        return True
    return False


# --------------------------------------------------------------------------- root keys


def test_name_titles_the_report(files):
    from abclab.report import sections

    title = "Kundenklassifikation Nord 2025"
    named = sections.title(sections.context(_run(_tiny(name=title), files)))
    base = sections.title(sections.context(_run(_tiny(), files)))
    assert title in named._repr_html_()  # on the cover, beside the report's title
    assert title not in base._repr_html_()


def test_client_is_named_on_the_cover_and_in_the_confidentiality_line(files):
    from abclab.report import sections

    named = sections.title(sections.context(_run(_tiny(client="Nordlicht Vertrieb GmbH"), files)))
    base = sections.title(sections.context(_run(_tiny(), files)))
    assert "Client: Nordlicht Vertrieb GmbH" in named.paragraphs
    assert "Confidential — prepared for Nordlicht Vertrieb GmbH; not for distribution." in (
        named.paragraphs
    )
    assert not any("Client:" in p for p in base.paragraphs)
    assert "Confidential — not for distribution." in base.paragraphs


def test_description_is_echoed_in_the_appendix_only(files):
    """``description`` is free text for the study's authors: the report's appendix reproduces
    it; nothing computed reads it."""
    from abclab.report import sections

    text = "Prepared for the quarterly sales review"
    described = _run(_tiny(description=text), files)
    base = _run(_tiny(), files)

    def study_text(results: StudyResults) -> str:
        appendix = sections.appendix(sections.context(results), {})
        return " ".join(appendix.paragraphs)

    assert text in study_text(described)
    assert text not in study_text(base)
    pd.testing.assert_frame_equal(described.tiers, base.tiers)
    pd.testing.assert_frame_equal(described.strategies, base.strategies)


def test_language_changes_strategy_texts(files):
    zh = _run(_tiny(language="zh"), files)
    en = _run(_tiny(), files)
    assert list(zh.strategies.index) == list(en.strategies.index)
    assert (zh.strategies["strategy"] != en.strategies["strategy"]).all()
    assert zh.strategies["strategy"].str.contains(r"[\u4e00-\u9fff]").all()
    assert not en.strategies["strategy"].str.contains(r"[\u4e00-\u9fff]").any()


def test_audience_decides_what_the_workbook_and_provenance_show(files, tmp_path):
    """client (default): data files by name only, no hashes or versions in the workbook;
    analyst: full paths, SHA-256 and package versions. provenance.json is complete for both."""
    from abclab.report._excel import write_workbook
    from abclab.report._provenance import provenance_record

    client = _run(_tiny(), files)
    analyst = _run(_tiny(audience="analyst"), files)
    assert client.study.audience == "client"

    def params(results, name):
        frame = pd.read_excel(write_workbook(results, tmp_path / name), sheet_name="Parameters")
        return dict(zip(frame["Key"], frame["Value"].astype(str), strict=True))

    shown, full = params(client, "c.xlsx"), params(analyst, "a.xlsx")
    assert not any(k.startswith("provenance.") for k in shown)
    assert all("/" not in v for k, v in shown.items() if k.endswith(".path"))
    assert any(k.endswith(".sha256") for k in full) and "provenance.packages.pandas" in full
    assert any(v.startswith("/") for k, v in full.items() if k.endswith(".path"))
    for results, audience in ((client, "client"), (analyst, "analyst")):
        record = provenance_record(results)
        assert record["audience"] == audience
        assert record["data_files"][0]["sha256"] and record["packages"]["pandas"]


def test_seed_changes_monte_carlo_draws(files):
    base = _run(_tiny(sensitivity={"draws": 20}), files)
    seeded = _run(_tiny(sensitivity={"draws": 20}, seed=1), files)
    assert _differs(seeded.sensitivity.weights, base.sensitivity.weights)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        again = run_study(_study(_tiny(sensitivity={"draws": 20}, seed=1), files))  # not cached
    pd.testing.assert_frame_equal(again.sensitivity.weights, seeded.sensitivity.weights)


@pytest.mark.parametrize("method", ["kmeans", "gmm"])
def test_seed_changes_the_clustering(files, method):
    """The seed initialises k-means++ and the Gaussian mixture (Ward is deterministic)."""
    entry = {method: {"k": 3}}
    base = _run(_five(entry), files)
    seeded = _run(_five(entry, seed=1), files)
    assert _differs(_classified(seeded, method), _classified(base, method))


def test_id_column_picks_the_id(files):
    """customers_coded.csv has its ids in ``code`` (no ``customer_id`` column)."""
    study = _tiny(data={"customers": {"path": "customers_coded.csv"}})
    with pytest.raises(StudyError, match="id_column: column 'customer_id' not in"):
        _run(study, files)
    coded = _run({**study, "id_column": "code"}, files)
    codes = list(_customers_frame()["code"])
    assert list(coded.input_customers["customer_id"]) == codes
    assert set(coded.tiers.index) == set(codes)
    pd.testing.assert_series_equal(
        coded.tiers["weighted_abc"].rename(index=dict(zip(codes, IDS, strict=True))),
        _run(_tiny(), files).tiers["weighted_abc"],
    )


def test_id_column_beside_a_customer_id_column(files):
    coded = _run(_tiny(id_column="code"), files)
    assert list(coded.input_customers["customer_id"]) == list(_customers_frame()["code"])


def test_name_column_gives_display_names(files):
    base = _run(_tiny(), files)
    named = _run(_tiny(name_column="company"), files)
    assert list(base.display_names) == IDS  # no name column: tables show the id
    assert list(named.display_names) == list(_customers_frame()["company"])
    assert "name" in named.input_customers.columns
    assert "name" not in base.input_customers.columns


def test_pii_decides_what_is_masked(files):
    """Detected contact columns are always masked; ``pii`` adds the columns it lists."""
    raw = _customers_frame()
    base = customer_table(_run(_tiny(name_column="company"), files))
    listed = customer_table(_run(_tiny(name_column="company", pii=["region"]), files))
    assert (base["phone"] != raw["phone"]).all()  # detected and masked by default
    assert list(base["region"]) == list(raw["region"])
    assert list(listed["phone"]) == list(base["phone"])  # still masked: pii adds to detection
    assert (listed["region"] != raw["region"]).all()
    hidden = _run(_tiny(name_column="company", pii=["company"]), files)
    assert list(hidden.display_names) == IDS  # a name declared PII is not shown


def test_recommended_drives_strategies(files):
    methods = ["weighted_abc", {"pareto": {"value": "spend"}}]
    base = _run(_tiny(methods=methods), files)
    chosen = _run(_tiny(methods=methods, recommended="pareto"), files)
    assert (base.recommended, chosen.recommended) == ("weighted_abc", "pareto")
    counts = base.tiers["pareto"].astype(object).value_counts()
    assert chosen.strategies["count"].to_dict() == {
        t: int(counts.get(t, 0)) for t in chosen.strategies.index
    }
    assert _differs(chosen.strategies["count"], base.strategies["count"])
    assert chosen.summaries["pareto"]["strategy"].notna().any()
    assert base.summaries["pareto"]["strategy"].isna().all()


@pytest.mark.parametrize(
    "entry",
    [
        pytest.param({"rfm": {"recency": "recency", "frequency": "frequency"}}, id="rfm"),
        pytest.param({"kmeans": {"k": 5}}, id="kmeans_k5"),
        pytest.param({"value_potential": {"potential": "growth"}}, id="value_potential_gaps"),
    ],
)
def test_recommended_may_be_any_compared_method(files, entry):
    name = next(iter(entry))
    study = _five(entry)
    study["recommended"] = name
    results = _run(study, files)
    assert results.strategies["count"].sum() == len(results.tiers)


# --------------------------------------------------------------------------- data.customers


def test_customers_path_is_read(files):
    base = _run(_tiny(), files)
    other = _run(_tiny(data={"customers": {"path": "customers_other.csv"}}), files)
    np.testing.assert_array_equal(
        other.input_customers["spend"].to_numpy(), base.input_customers["spend"].to_numpy()[::-1]
    )


def _two_sheet_customers(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    first = _customers_frame().drop(columns=["growth"]).fillna({"spend": 1.0})
    second = first.copy()
    second["spend"] = np.arange(1, N + 1) * 1000.0
    second["company"] = [f"Second {i}" for i in range(N)]
    with pd.ExcelWriter(path) as writer:
        first.to_excel(writer, sheet_name="first", index=False)
        second.to_excel(writer, sheet_name="second", index=False)
    return first, second


def test_customers_sheet_is_read(tmp_path):
    """Regression: ``data.customers.sheet`` was validated and then ignored (the first sheet
    was always read). By name and by 0-based position it selects the second sheet."""
    first, second = _two_sheet_customers(tmp_path / "customers.xlsx")
    study = _tiny(data={"customers": {"path": "customers.xlsx"}}, name_column="company")
    default = _run(study, tmp_path)
    np.testing.assert_allclose(default.input_customers["spend"], first["spend"])
    for sheet in ("second", 1):
        results = _run(_with(study, "data.customers.sheet", sheet), tmp_path)
        np.testing.assert_allclose(results.input_customers["spend"], second["spend"])
        assert list(results.display_names) == list(second["company"]), sheet


def test_customers_encoding_is_used(tmp_path):
    """Regression: ``data.customers.encoding`` was validated and then ignored. A latin-1 CSV
    with ``Müller`` reads as ``Müller``; detection alone takes the bytes for GB18030."""
    frame = _customers_frame().drop(columns=["growth"]).fillna({"spend": 1.0})
    frame.loc[0, "company"] = "Müller Pumpen"
    frame.to_csv(tmp_path / "customers.csv", index=False, encoding="latin-1")
    study = _tiny(name_column="company")
    detected = _run(study, tmp_path)
    declared = _run(_with(study, "data.customers.encoding", "latin-1"), tmp_path)
    assert declared.display_names["C01"] == "Müller Pumpen"
    assert detected.display_names["C01"] != "Müller Pumpen"  # e.g. 'M黮ler Pumpen'


def test_customers_columns_map_client_names(files):
    """``columns`` maps a client column name to the criterion name the study uses."""
    study = _tiny(criteria={"revenue": None, "margin_rate": None, "tenure": None})
    with pytest.raises(StudyError, match="'revenue' not found"):
        _run(study, files)
    mapped = _run(_with(study, "data.customers.columns", {"spend": "revenue"}), files)
    base = _run(_tiny(), files)
    np.testing.assert_array_equal(mapped.criteria["revenue"], base.criteria["spend"])


# --------------------------------------------------------------------------- data.transactions


@pytest.mark.parametrize(
    ("key", "value"),
    _cases(("path", "tx_2023.csv"), ("customer", "payer"), ("date", "paid"), ("amount", "profit")),
)
def test_transactions_key(files, key, value):
    """The log's file and its customer, date and amount columns decide the criteria."""
    base = _run(_tx(), files)
    changed = _run(_tx(**{key: value}), files)
    assert _differs(changed.criteria, base.criteria)
    derived = ["purchase_count", "annual_spend", "recency_days"]
    assert _differs(
        changed.input_customers.set_index("customer_id")[derived],
        base.input_customers.set_index("customer_id")[derived],
    )


def _derived(results: StudyResults, column: str) -> pd.Series:
    return results.input_customers.set_index("customer_id")[column]


@pytest.mark.parametrize("key", ["profit", "category", "due_date", "paid_date"])
def test_transactions_optional_column(files, key):
    """profit adds margin, category cross_purchase_rate, due and paid dates the on-time rate;
    which column each names changes the values."""
    base = _run(_tx(), files)
    if key == "profit":
        with_it = _run(_tx(profit="profit"), files)
        assert "margin" not in base.input_customers
        margin = _derived(with_it, "margin").dropna()
        assert len(margin) == N - 1 and margin.between(0.05, 0.3).all()
        assert _differs(
            _derived(_run(_tx(profit="amount"), files), "margin"), _derived(with_it, "margin")
        )
    elif key == "category":
        with_it = _run(_tx(category="category"), files)
        assert "cross_purchase_rate" not in base.input_customers
        rate = _derived(with_it, "cross_purchase_rate").dropna()
        assert set(rate.round(2)) == {0.25, 0.5, 0.75, 1.0}
    else:
        payment = {"due_date": "due", "paid_date": "paid"}
        with_it = _run(_tx(**payment), files)
        assert "on_time_payment_rate" not in base.input_customers
        rate = _derived(with_it, "on_time_payment_rate")
        other = {"due_date": "date"} if key == "due_date" else {"paid_date": "due"}
        moved = _derived(_run(_tx(**{**payment, **other}), files), "on_time_payment_rate")
        assert _differs(moved, rate)
        # due on the invoice date: nothing is on time; paid on the due date: everything is
        expected = 0.0 if key == "due_date" else 1.0
        assert (moved.dropna() == expected).all()


def test_transactions_invoice_counts_invoices(files):
    """With ``invoice`` (every two lines of a customer one invoice) purchase_count counts
    invoices and line_count keeps the lines; without it both count lines. As a criterion,
    purchase_count then changes the scores."""
    tx = _transactions_frame()
    tx["invoice"] = tx["customer"] + "-" + (tx.groupby("customer").cumcount() // 2).astype(str)
    tx.to_csv(files / "tx_invoices.csv", index=False)
    lines = tx.groupby("customer").size().astype(float)
    runs = {}
    for name, keys in (("lines", {}), ("invoices", {"invoice": "invoice"})):
        study = _tx(path="tx_invoices.csv", **keys)
        study["criteria"]["purchase_count"] = None
        runs[name] = _run(study, files)
    for name, expected in (("lines", lines), ("invoices", (lines + 1) // 2)):
        counts = _derived(runs[name], "purchase_count").dropna()
        pd.testing.assert_series_equal(
            counts, expected.loc[counts.index], check_names=False, check_index_type=False
        )
        line_count = _derived(runs[name], "line_count").dropna()
        pd.testing.assert_series_equal(
            line_count, lines.loc[line_count.index], check_names=False, check_index_type=False
        )
    assert _differs(
        runs["invoices"].criteria["purchase_count"], runs["lines"].criteria["purchase_count"]
    )


def test_transactions_as_of_moves_recency(files):
    base = _run(_tx(), files)
    later = _run(_tx(as_of="2025-06-30"), files)
    shift = later.criteria["recency_days"] - base.criteria["recency_days"]
    assert shift.nunique() == 1 and shift.iloc[0] > 0
    assert (later.criteria["tenure_years"] > base.criteria["tenure_years"]).all()


def test_transactions_encoding_is_used(files):
    """A latin-1 log (category ``Zubehör``): ``encoding: utf-8`` reaches the reader (and
    fails naming the file); ``encoding: latin-1`` gives the same criteria as the UTF-8 log."""
    utf8 = _run(_tx(category="category"), files)
    with pytest.raises(InputDataError, match=r"tx_latin1\.csv: cannot decode as 'utf-8'"):
        _run(_tx(path="tx_latin1.csv", category="category", encoding="utf-8"), files)
    latin1 = _run(_tx(path="tx_latin1.csv", category="category", encoding="latin-1"), files)
    pd.testing.assert_frame_equal(latin1.criteria, utf8.criteria)
    pd.testing.assert_series_equal(
        _derived(latin1, "cross_purchase_rate"), _derived(utf8, "cross_purchase_rate")
    )


def test_transactions_sheet_is_read(files):
    """The first sheet of tx.xlsx holds 2023 only, the second sheet ``log`` the whole log."""
    csv = _run(_tx(), files)
    first = _run(_tx(path="tx.xlsx"), files)
    pd.testing.assert_frame_equal(first.criteria, _run(_tx(path="tx_2023.csv"), files).criteria)
    for sheet in ("log", 1):
        chosen = _run(_tx(path="tx.xlsx", sheet=sheet), files)
        pd.testing.assert_frame_equal(chosen.criteria, csv.criteria)


# --------------------------------------------------------------------------- data.previous


def _previous(**keys: Any) -> dict[str, Any]:
    prev = {"path": "previous.csv", "tier_column": "tier", **keys}
    return _tiny(data={"customers": {"path": "customers.csv"}, "previous": prev})


@pytest.mark.parametrize(
    ("key", "value"),
    _cases(
        ("section", None),
        ("path", "previous_other.csv"),
        ("tier_column", "tier_alt"),
        ("id_column", "cid"),
        ("sheet", None),
    ),
)
def test_previous_key(files, key, value):
    base = _run(_previous(), files)
    assert base.migration is not None
    if key == "section":
        assert _run(_tiny(), files).migration is None
        total = int(base.migration.drop(index="new", errors="ignore").to_numpy().sum())
        assert total == N
        return
    if key == "sheet":  # the first sheet ('draft') has every class C
        draft = _run(_previous(path="previous.xlsx"), files)
        assert list(draft.migration.index) == ["C", "new"]
        for sheet in ("final", 1):
            final = _run(_previous(path="previous.xlsx", sheet=sheet), files)
            pd.testing.assert_frame_equal(final.migration, base.migration)
        return
    changed = _run(_previous(**{key: value}), files)
    assert _differs(changed.migration, base.migration)


def test_previous_encoding_is_used(files):
    """Last period's classes in a latin-1 file (``Größt``): read as declared."""
    detected = _run(_previous(path="previous_latin1.csv"), files)
    declared = _run(_previous(path="previous_latin1.csv", encoding="latin-1"), files)
    assert "Größt" in declared.migration.index
    assert "Größt" not in detected.migration.index
    pd.testing.assert_frame_equal(
        declared.migration.rename(index={"Größt": "A", "Mittel": "B", "Klein": "C"}).sort_index(),
        _run(_previous(), files).migration.sort_index(),
    )


# --------------------------------------------------------------------------- criteria


def test_criteria_entry_is_a_scored_criterion(files):
    base = _run(_tiny(), files)
    more = _run(
        _tiny(criteria={"spend": None, "margin_rate": None, "tenure": None, "frequency": None}),
        files,
    )
    assert list(base.criteria.columns) == ["spend", "margin_rate", "tenure"]
    assert list(more.criteria.columns) == ["spend", "margin_rate", "tenure", "frequency"]
    assert more.weights["frequency"] == pytest.approx(0.25)
    assert _differs(more.scores.score, base.scores.score)


@pytest.mark.parametrize(
    ("key", "value"),
    _cases(
        ("direction", "cost"),
        ("normalise", "percentile"),
        ("bands", [[None, 20], [20000, 60], [50000, 100]]),
    ),
)
def test_criterion_key(files, key, value):
    base = _run(_tiny(), files)
    changed = _run(_with(_tiny(), f"criteria.spend.{key}", value), files)
    before, after = base.scores.indicator_scores["spend"], changed.scores.indicator_scores["spend"]
    assert _differs(after, before)
    pd.testing.assert_series_equal(
        changed.scores.indicator_scores["tenure"], base.scores.indicator_scores["tenure"]
    )
    if key == "direction":
        np.testing.assert_allclose(after, 100 - before)
    elif key == "bands":
        spend = changed.criteria["spend"]
        expected = np.where(spend >= 50000, 100, np.where(spend >= 20000, 60, 20))
        np.testing.assert_array_equal(after, expected)


def _labelled() -> dict[str, Any]:
    return _tiny(criteria={"spend": {"label": "Umsatz (EUR)"}, "margin_rate": None, "tenure": None})


def test_criterion_label_reaches_report_tables(files, tmp_path):
    """The label is what report tables show for the criterion (the pipeline does not read
    it); a Chinese study's workbook headers show it too."""
    from openpyxl import load_workbook

    from abclab.report import sections
    from abclab.report._excel import write_workbook

    labelled, base = _run(_labelled(), files), _run(_tiny(), files)
    pd.testing.assert_frame_equal(labelled.tiers, base.tiers)

    def shown(results: StudyResults) -> list[str]:
        section = sections.weights(sections.context(results))
        tables = [b for b in section.blocks if isinstance(b, sections.Table)]
        return [str(x) for t in tables for x in [*t.frame.index, *t.frame.columns]]

    assert "Umsatz (EUR)" in shown(labelled) and "spend" not in shown(labelled)
    assert "spend" in shown(base)
    path = write_workbook(_run({**_labelled(), "language": "zh"}, files), tmp_path / "zh.xlsx")
    headers = [c.value for c in next(load_workbook(path, read_only=True)["客户"].iter_rows())]
    assert "Umsatz (EUR)" in headers and "spend" not in headers


def test_criterion_label_reaches_english_workbook_headers(files, tmp_path):
    from openpyxl import load_workbook

    from abclab.report._excel import write_workbook

    path = write_workbook(_run(_labelled(), files), tmp_path / "en.xlsx")
    headers = [c.value for c in next(load_workbook(path, read_only=True)["Customers"].iter_rows())]
    assert "Umsatz (EUR)" in headers


# --------------------------------------------------------------------------- cleaning


def _status(results: StudyResults, customer: str) -> str:
    return results.input_customers.set_index("customer_id").loc[customer, "status"]


def test_cleaning_policy_applies_to_its_criterion(files):
    """C03 has no spend: a policy under ``spend`` (or ``default``) fills it; a policy under
    another criterion does not."""
    assert _status(_run(_tiny(), files), "C03") == "pending"
    assert (
        _status(_run(_tiny(cleaning={"spend": {"missing": "median"}}), files), "C03")
        == "classified"
    )
    assert (
        _status(_run(_tiny(cleaning={"default": {"missing": "median"}}), files), "C03")
        == "classified"
    )
    assert (
        _status(_run(_tiny(cleaning={"tenure": {"missing": "median"}}), files), "C03") == "pending"
    )
    both = {"default": {"missing": "median"}, "spend": {"missing": "pending"}}
    assert _status(_run(_tiny(cleaning=both), files), "C03") == "pending"


def _log(results: StudyResults) -> list[tuple[str, str]]:
    return list(zip(results.cleaning.log["customer"], results.cleaning.log["rule"], strict=True))


@pytest.mark.parametrize(
    ("key", "policy", "baseline"),
    _cases(
        ("missing", {"missing": "median"}, {}),
        ("nonpositive", {"nonpositive": "pending"}, {}),
        ("outliers", {"outliers": "iqr"}, {}),
        ("iqr_k", {"outliers": "iqr", "iqr_k": 20}, {"outliers": "iqr"}),
        ("mad_threshold", {"outliers": "mad", "mad_threshold": 50}, {"outliers": "mad"}),
        ("winsorize", {"outliers": "iqr", "winsorize": True}, {"outliers": "iqr"}),
    ),
)
def test_cleaning_key(files, key, policy, baseline):
    base = _run(_tiny(cleaning={"spend": baseline} if baseline else {}), files)
    changed = _run(_tiny(cleaning={"spend": policy}), files)
    assert _log(changed) != _log(base)
    median = base.criteria["spend"].median()
    if key == "missing":
        assert ("C03", "missing_pending") in _log(base)
        assert _status(changed, "C03") == "classified"
        assert changed.criteria.loc["C03", "spend"] == pytest.approx(
            changed.criteria["spend"].drop("C03").median()
        )
    elif key == "nonpositive":
        assert _status(base, "C05") == "classified" and _status(changed, "C05") == "pending"
    elif key == "outliers":
        assert ("C07", "outlier_iqr") in _log(changed)
    elif key in ("iqr_k", "mad_threshold"):  # a wider fence flags fewer values
        flagged = {c for c, rule in _log(changed) if rule.startswith("outlier")}
        assert flagged == {"C07"} and len({c for c, r in _log(base) if r.startswith("outlier")}) > 1
    else:
        assert changed.criteria.loc["C07", "spend"] < base.criteria.loc["C07", "spend"]
        assert changed.criteria.loc["C07", "spend"] < 10 * median


def _recent_average(**policy: Any) -> dict[str, Any]:
    """Annual spend from the customer table (C03 missing), filled from the log."""
    data = _tx()
    data["data"]["customers"]["columns"] = {"spend": "annual_spend"}
    data["cleaning"] = {"annual_spend": {"missing": "recent_average", **policy}}
    return data


@pytest.mark.parametrize(("key", "value"), _cases(("recent_months", 1), ("periods_per_year", 1)))
def test_cleaning_recent_average_key(files, key, value):
    base = _run(_recent_average(), files)
    changed = _run(_recent_average(**{key: value}), files)
    assert _status(base, "C03") == "classified"
    before, after = (
        base.criteria.loc["C03", "annual_spend"],
        changed.criteria.loc["C03", "annual_spend"],
    )
    assert after != pytest.approx(before)
    if key == "periods_per_year":
        assert after == pytest.approx(before / 12)
    others = base.criteria.index.drop("C03")
    pd.testing.assert_series_equal(
        changed.criteria.loc[others, "annual_spend"], base.criteria.loc[others, "annual_spend"]
    )


# --------------------------------------------------------------------------- weights


@pytest.mark.parametrize("key", ["values", "objective"])
def test_given_and_objective_weights(files, key):
    base = _run(_tiny(), files)
    np.testing.assert_allclose(base.weights, 1 / 3)
    if key == "values":
        given = _run(
            _tiny(weights={"values": {"spend": 50, "margin_rate": 30, "tenure": 20}}), files
        )
        np.testing.assert_allclose(given.weights, [0.5, 0.3, 0.2])
    else:
        given = _run(_tiny(weights={"objective": "entropy"}), files)
        pd.testing.assert_series_equal(
            given.weights, base.weight_comparison["entropy"].rename("weight"), check_names=False
        )
        assert _differs(given.weights, base.weights)
    assert _differs(given.scores.score, base.scores.score)


JUDGEMENTS = {"spend > margin_rate": 3, "margin_rate > tenure": 2, "spend > tenure": 5}
#: An inconsistent matrix (spend > margin > tenure > spend): the weight methods disagree.
CYCLE = {"spend > margin_rate": 3, "margin_rate > tenure": 3, "tenure > spend": 2}


def _ahp(**ahp: Any) -> dict[str, Any]:
    spec = {"experts": {"boss": {"judgements": JUDGEMENTS}}, **ahp}
    return _tiny(weights={"ahp": spec})


@pytest.mark.parametrize(
    "key",
    ["section", "experts", "judgements", "matrix", "order", "aggregation", "method", "ri_table"],
)
def test_ahp_key(files, key):
    base = _run(_ahp(), files)
    if key == "section":
        equal = _run(_tiny(), files)
        assert list(base.ahp) == ["boss"] and not equal.ahp
        assert base.weights["spend"] > 0.5 and _differs(base.weights, equal.weights)
        return
    if key == "experts":
        second = {
            "boss": {"judgements": JUDGEMENTS},
            "cfo": {
                "judgements": {
                    "tenure > spend": 2,
                    "tenure > margin_rate": 4,
                    "spend > margin_rate": 1,
                }
            },
        }
        group = _run(_tiny(weights={"ahp": {"experts": second}}), files)
        assert list(group.ahp) == ["boss", "cfo"] and group.ahp_group is not None
        assert base.ahp_group is None
        assert _differs(group.weights, base.weights)
        return
    if key == "judgements":
        changed = _run(
            _ahp(experts={"boss": {"judgements": {**JUDGEMENTS, "spend > tenure": 9}}}), files
        )
        assert changed.weights["tenure"] < base.weights["tenure"]
        return
    if key == "matrix":
        rows = [[1, 3, 5], [1 / 3, 1, 2], [1 / 5, 1 / 2, 1]]
        same = _run(_ahp(experts={"boss": {"matrix": rows}}), files)
        pd.testing.assert_series_equal(same.weights, base.weights)
        rows[0][2], rows[2][0] = 9, 1 / 9
        changed = _run(_ahp(experts={"boss": {"matrix": rows}}), files)
        assert changed.weights["tenure"] < base.weights["tenure"]
        return
    if key == "order":
        rows = [[1, 3, 5], [1 / 3, 1, 2], [1 / 5, 1 / 2, 1]]
        ordered = _run(
            _ahp(experts={"boss": {"matrix": rows, "order": ["tenure", "margin_rate", "spend"]}}),
            files,
        )
        np.testing.assert_allclose(
            ordered.weights[["tenure", "margin_rate", "spend"]], base.weights
        )
        assert ordered.weights["tenure"] > ordered.weights["spend"]
        return
    if key == "aggregation":
        # four criteria: with three, the eigenvector is the row geometric mean and AIJ and
        # AIP (geometric means of judgements / of priorities) give the same weights
        criteria = {"spend": None, "margin_rate": None, "tenure": None, "frequency": None}
        boss = {
            **CYCLE,
            "frequency > spend": 2,
            "margin_rate > frequency": 4,
            "frequency = tenure": 1,
        }
        cfo = {
            **JUDGEMENTS,
            "spend > frequency": 7,
            "frequency > margin_rate": 3,
            "tenure > frequency": 2,
        }
        experts = {"boss": {"judgements": boss}, "cfo": {"judgements": cfo}}
        aij = _run(_tiny(criteria=criteria, weights={"ahp": {"experts": experts}}), files)
        ahp = {"experts": experts, "aggregation": "aip"}
        aip = _run(_tiny(criteria=criteria, weights={"ahp": ahp}), files)
        assert _differs(aip.weights, aij.weights)
        pd.testing.assert_series_equal(aip.ahp["boss"].weights, aij.ahp["boss"].weights)
        return
    cycle = _run(_ahp(experts={"boss": {"judgements": CYCLE}}), files)
    if key == "method":
        other = _run(_ahp(experts={"boss": {"judgements": CYCLE}}, method="column_mean"), files)
        assert _differs(other.weights, cycle.weights)
    else:
        other = _run(
            _ahp(experts={"boss": {"judgements": CYCLE}}, ri_table="alonso_lamata2006"), files
        )
        pd.testing.assert_series_equal(other.weights, cycle.weights)
        assert other.ahp["boss"].cr != pytest.approx(cycle.ahp["boss"].cr)
        assert other.ahp["boss"].ci == pytest.approx(cycle.ahp["boss"].ci)


def _hierarchy(value: dict[str, Any] | None = None, **spec: Any) -> dict[str, Any]:
    dims = {
        "value": {"criteria": ["spend", "margin_rate"], **(value or {})},
        "loyalty": {"criteria": ["tenure"]},
    }
    return _tiny(weights={"hierarchy": {"dimensions": dims, **spec}})


_PAIR = [[1, 3], [1 / 3, 1]]


@pytest.mark.parametrize(
    ("key", "study", "weights"),
    _cases(
        ("section", _hierarchy(), [0.25, 0.25, 0.5]),
        ("criteria", None, [0.5, 0.25, 0.25]),
        ("judgements", _hierarchy({"judgements": {"spend > margin_rate": 3}}), [0.375, 0.125, 0.5]),
        ("matrix", _hierarchy({"matrix": _PAIR}), [0.375, 0.125, 0.5]),
        (
            "order",
            _hierarchy({"matrix": _PAIR, "order": ["margin_rate", "spend"]}),
            [0.125, 0.375, 0.5],
        ),
        ("values", _hierarchy({"values": {"spend": 3, "margin_rate": 1}}), [0.375, 0.125, 0.5]),
        (
            "top_judgements",
            _hierarchy(top={"judgements": {"value > loyalty": 3}}),
            [0.375, 0.375, 0.25],
        ),
        ("top_matrix", _hierarchy(top={"matrix": _PAIR}), [0.375, 0.375, 0.25]),
        (
            "top_order",
            _hierarchy(top={"matrix": _PAIR, "order": ["loyalty", "value"]}),
            [0.125, 0.125, 0.75],
        ),
        (
            "top_values",
            _hierarchy(top={"values": {"value": 1, "loyalty": 3}}),
            [0.125, 0.125, 0.75],
        ),
        ("method", None, None),
        ("ri_table", None, None),
    ),
)
def test_hierarchy_key(files, key, study, weights):
    """Two-level AHP: dimension value {spend, margin_rate}, loyalty {tenure}; equal local and
    top weights unless given (0.25, 0.25, 0.5)."""
    if key == "criteria":
        dims = {
            "value": {"criteria": ["spend"]},
            "loyalty": {"criteria": ["margin_rate", "tenure"]},
        }
        study = _tiny(weights={"hierarchy": {"dimensions": dims}})
    if weights is not None:
        results = _run(study, files)
        np.testing.assert_allclose(results.weights[["spend", "margin_rate", "tenure"]], weights)
        return
    one = {"criteria": ["spend", "margin_rate", "tenure"], "judgements": CYCLE}
    base = _run(_tiny(weights={"hierarchy": {"dimensions": {"all": one}}}), files)
    option = {"method": "column_mean"} if key == "method" else {"ri_table": "alonso_lamata2006"}
    changed = _run(_tiny(weights={"hierarchy": {"dimensions": {"all": one}, **option}}), files)
    if key == "method":
        assert _differs(changed.weights, base.weights)
    else:
        before, after = base.ahp["hierarchy:all"], changed.ahp["hierarchy:all"]
        assert after.cr != pytest.approx(before.cr)


# --------------------------------------------------------------------------- methods

#: How each method is written in the method tests (rfm names its two criteria).
ENTRY: dict[str, Any] = {m: {m: {}} for m in ALL_METHODS}
ENTRY["rfm"] = {"rfm": {"recency": "recency", "frequency": "frequency"}}


def _entry(method: str, **params: Any) -> dict[str, Any]:
    return {method: {**ENTRY[method][method], **params}}


def _classified(results: StudyResults, method: str) -> pd.Series:
    return _tiers(results, method).loc[results.criteria.index]


@pytest.mark.parametrize("method", ALL_METHODS)
def test_method_entry_adds_its_tiers(files, method):
    without = _five() if method == "pareto" else _five("pareto")
    if method == "weighted_abc":
        without = {**without, "methods": ["pareto"], "recommended": "pareto"}
    without = _run(without, files)
    results = _run(_five(_entry(method)), files)
    assert method in results.tiers and method not in without.tiers
    assert _classified(results, method).nunique() >= 2
    assert method in results.summaries


@pytest.mark.parametrize("method", ALL_METHODS)
def test_method_as_renames_the_run(files, method):
    """``as`` files a run under another name, so one method can be compared twice."""
    entry = _entry(method)
    twice = _run(_five(entry, _entry(method, **{"as": "again"})), files)
    assert list(twice.tiers.columns)[:2] == [method, "again"]
    assert list(twice.summaries)[:2] == [method, "again"]
    pd.testing.assert_series_equal(twice.tiers["again"], twice.tiers[method], check_names=False)


@pytest.mark.parametrize("method", RANK_RULE)
def test_rank_rule_how(files, method):
    shares = _run(_five(_entry(method)), files)
    pareto = _run(_five(_entry(method, how="pareto")), files)
    assert _differs(_classified(pareto, method), _classified(shares, method))


@pytest.mark.parametrize("method", RANK_RULE)
def test_rank_rule_shares(files, method):
    base = _run(_five(_entry(method)), files)
    changed = _run(_five(_entry(method, shares=[0.1, 0.2, 0.7])), files)
    n = len(base.criteria)
    assert (_classified(base, method) == "A").sum() == int(np.ceil(0.2 * n))
    assert (_classified(changed, method) == "A").sum() == int(np.ceil(0.1 * n))


@pytest.mark.parametrize("method", RANK_RULE)
def test_rank_rule_cutoffs(files, method):
    base = _run(_five(_entry(method, how="pareto")), files)
    changed = _run(_five(_entry(method, how="pareto", cutoffs=[0.3, 0.6])), files)
    assert (_classified(changed, method) == "A").sum() < (_classified(base, method) == "A").sum()


@pytest.mark.parametrize("method", VALUE_METHODS)
def test_value_column(files, method):
    """The default value is the spend criterion (the score for bands); ``value`` picks another."""
    column = "spend" if method == "bands" else "tenure"
    base = _run(_five(_entry(method)), files)
    changed = _run(_five(_entry(method, value=column)), files)
    assert _differs(_classified(changed, method), _classified(base, method))
    if method in changed.method_scores:
        pd.testing.assert_series_equal(
            changed.method_scores[method], changed.criteria[column], check_names=False
        )


def _k(results: StudyResults, method: str) -> int:
    return _classified(results, method).nunique()


@pytest.mark.parametrize("method", CLUSTERS)
def test_cluster_k(files, method):
    chosen = _k(_run(_five(_entry(method)), files), method)  # by silhouette over 2..6
    k = 3 if chosen == 2 else 2
    assert _k(_run(_five(_entry(method, k=k)), files), method) == k


@pytest.mark.parametrize("method", CLUSTERS)
def test_cluster_k_range(files, method):
    chosen = _k(_run(_five(_entry(method)), files), method)
    k = 3 if chosen == 2 else 2
    assert _k(_run(_five(_entry(method, k_range=[k, k])), files), method) == k
    assert 4 <= _k(_run(_five(_entry(method, k_range=[4, 6])), files), method) <= 6


@pytest.mark.parametrize("method", ["ramanathan", "ng"])
def test_importance_order(files, method):
    """Default: the criteria by decreasing weight (spend first); ``order`` reverses them."""
    reverse = ["frequency", "recency", "tenure", "margin_rate", "spend"]
    base = _run(_five(_entry(method)), files)
    given = _run(_five(_entry(method, order=list(reversed(reverse)))), files)
    changed = _run(_five(_entry(method, order=reverse)), files)
    pd.testing.assert_series_equal(given.method_scores[method], base.method_scores[method])
    assert _differs(changed.method_scores[method], base.method_scores[method])


@pytest.mark.parametrize(
    ("method", "key", "value"),
    _cases(
        ("pareto", "cutoffs", [0.5, 0.7]),
        ("shares", "shares", [0.1, 0.2, 0.7]),
        ("bands", "bands", [50, 30, 10]),
        ("bands", "labels", ["top", "high", "mid", "low"]),
        ("zhou_fan", "lam", 0.9),
        ("value_potential", "potential", "growth"),
        ("value_potential", "threshold", [20000, 30]),
        ("rfm", "recency", "tenure"),
        ("rfm", "frequency", "margin_rate"),
        ("rfm", "monetary", "tenure"),
        ("rfm", "bins", 3),
        width=2,
    ),
)
def test_method_parameter(files, method, key, value):
    base = _run(_five(_entry(method)), files)
    changed = _run(_five(_entry(method, **{key: value})), files)
    before, after = _classified(base, method), _classified(changed, method)
    if key == "labels":
        assert set(after) <= {"top", "high", "mid", "low"} and not set(after) & set(before)
        return
    assert _differs(after, before) or _differs(
        changed.method_scores.get(method), base.method_scores.get(method)
    )
    if key == "potential":  # C04, C11 have no growth figure: no judgement there
        assert after["C04"] == after["C11"] == "n/a"
    if key == "bins":
        assert changed.method_scores[method].max() <= 3 * 100 + 3 * 10 + 3


def test_value_potential_labels_are_used(files):
    """Regression: value_potential's ``labels`` were validated and then ignored (S/A/B/C
    always came out). With P/Q/R/T they name the quadrants; the pending customer is D."""
    default = _run(_tiny(methods=[{"value_potential": {"potential": "tenure"}}]), files)
    labelled = _run(
        _tiny(
            methods=[{"value_potential": {"potential": "tenure", "labels": ["P", "Q", "R", "T"]}}]
        ),
        files,
    )
    tiers = labelled.tiers["value_potential"]
    assert list(tiers.cat.categories) == ["P", "Q", "R", "T", "D"]
    assert set(tiers.astype(object)) == {"P", "Q", "R", "T", "D"}
    assert set(default.tiers["value_potential"].astype(object)) == {"S", "A", "B", "C", "D"}
    quadrant = {"S": "P", "A": "Q", "B": "R", "C": "T", "D": "D"}
    assert list(tiers.astype(object)) == [
        quadrant[t] for t in default.tiers["value_potential"].astype(object)
    ]


# --------------------------------------------------------------------------- log methods


def _bgnbd(*methods: Any) -> dict[str, Any]:
    """A study on the BG/NBD log alone (no customer table), weighted ABC and ``methods``."""
    log = {"path": "tx_bgnbd.csv", "customer": "customer", "date": "date", "amount": "amount",
           "due_date": "due", "paid_date": "paid", "as_of": BGNBD_AS_OF}  # fmt: skip
    return {
        "name": "log",
        "data": {"transactions": log},
        "criteria": {
            "annual_spend": None,
            "tenure_years": None,
            "recency_days": {"direction": "cost"},
        },
        "methods": ["weighted_abc", *methods],
    }


def _small_log(*methods: Any) -> dict[str, Any]:
    """The small log (29 customers, all repeat buyers) on which BG/NBD does not converge."""
    return {**_tx(), "methods": ["weighted_abc", *methods]}


def _days_without_purchase(log: pd.DataFrame, end: str) -> pd.Series:
    """Days from each customer's last purchase to ``end``."""
    days = (pd.Timestamp(end) - pd.to_datetime(log.groupby("customer")["date"].max())).dt.days
    return days.set_axis(days.index.astype(str))


def _rule_tiers(log: pd.DataFrame, end: str, watch: float, risk: float) -> pd.Series:
    """Churn tiers by days without a purchase (by hand): watch from ``watch`` days, at risk
    from ``risk`` days. Customers exactly on a bound are left out (see
    :func:`test_churn_risk_day_rules_treat_equal_days_alike`)."""
    days = _days_without_purchase(log, end)
    tiers = pd.Series(
        np.where(days >= risk, "at risk", np.where(days >= watch, "watch", "stable")),
        index=days.index,
    )
    return tiers[~days.isin([watch, risk])]


def _off_bounds(tiers: pd.Series, rules: pd.Series) -> dict[str, Any]:
    return tiers.loc[rules.index].to_dict()


@pytest.mark.parametrize("method", LOG_METHODS)
def test_log_method_entry_adds_its_tiers(files, method):
    without = _run(_bgnbd(), files)
    results = _run(_bgnbd(method), files)
    assert method in results.tiers and method not in without.tiers
    assert method in results.summaries
    tiers = _classified(results, method)
    if method == "churn_risk":  # fitted: P(alive) is its score; every tier occurs
        assert set(tiers) == {"stable", "watch", "at risk"}
        assert results.method_scores[method].between(0, 1).all()
    else:
        assert set(tiers) == {"AAA", "AA", "A", "B"} and method not in results.method_scores
    pd.testing.assert_series_equal(results.tiers["weighted_abc"], without.tiers["weighted_abc"])


@pytest.mark.parametrize("method", LOG_METHODS)
def test_log_method_as_renames_the_run(files, method):
    twice = _run(_bgnbd(method, {method: {"as": "again"}}), files)
    assert list(twice.tiers.columns) == ["weighted_abc", method, "again"]
    assert list(twice.summaries) == ["weighted_abc", method, "again"]
    pd.testing.assert_series_equal(twice.tiers["again"], twice.tiers[method], check_names=False)
    if method == "churn_risk":
        assert list(twice.method_scores.columns) == ["weighted_abc", method, "again"]
        pd.testing.assert_series_equal(
            twice.method_scores["again"], twice.method_scores[method], check_names=False
        )


@pytest.mark.parametrize(
    ("key", "value"),
    _cases(
        ("p_alive", [0.9, 0.1]),
        ("horizon_weeks", 4),
        ("min_expected_purchases", 0),
        ("labels", list(CHURN_LABELS_ZH)),
    ),
)
def test_churn_risk_parameter(files, key, value):
    """On the fitted log: P(alive) (the score) does not depend on these keys; at risk is
    P(alive) below the second ``p_alive`` bound, stable at least the first bound and the
    expected purchases over ``horizon_weeks`` at least ``min_expected_purchases``."""
    base = _run(_bgnbd("churn_risk"), files)
    changed = _run(_bgnbd({"churn_risk": {key: value}}), files)
    before, after = _classified(base, "churn_risk"), _classified(changed, "churn_risk")
    alive = base.method_scores["churn_risk"]
    pd.testing.assert_series_equal(changed.method_scores["churn_risk"], alive)
    pd.testing.assert_series_equal(before == "at risk", alive < 0.4, check_names=False)
    assert (alive[before == "stable"] >= 0.7).all()
    stable_before, stable_after = set(before.index[before == "stable"]), set()
    if key == "labels":
        assert list(changed.tiers["churn_risk"].cat.categories)[:3] == list(CHURN_LABELS_ZH)
        named = dict(zip(("stable", "watch", "at risk"), CHURN_LABELS_ZH, strict=True))
        assert list(after) == [named[t] for t in before]
        return
    stable_after = set(after.index[after == "stable"])
    if key == "p_alive":
        pd.testing.assert_series_equal(after == "at risk", alive < 0.1, check_names=False)
        assert (alive[after == "stable"] >= 0.9).all()
        assert (after == "at risk").sum() < (before == "at risk").sum()
        assert stable_after < stable_before
    elif key == "horizon_weeks":  # 4 weeks: fewer customers expected to buy once more
        pd.testing.assert_series_equal(after == "at risk", before == "at risk")
        assert stable_after < stable_before
    else:  # no expected purchases needed: stable is P(alive) >= 0.7 alone
        pd.testing.assert_series_equal(after == "stable", alive >= 0.7, check_names=False)
        assert stable_after > stable_before


def test_churn_risk_min_repeat_buyers_decides_whether_bgnbd_is_fitted(files):
    """The BG/NBD log has ``repeat`` customers with a second purchase day: with
    ``min_repeat_buyers: repeat`` the model is fitted (P(alive) scores, as by default); one
    more and the fit is not attempted: a warning, no scores, the day-rule tiers."""
    log = _bgnbd_frame()
    repeat = int((log.groupby("customer")["date"].nunique() > 1).sum())
    fitted = _run(_bgnbd("churn_risk"), files)
    assert "churn_risk" in fitted.method_scores
    enough = _run(_bgnbd({"churn_risk": {"min_repeat_buyers": repeat}}), files)
    pd.testing.assert_frame_equal(enough.method_scores, fitted.method_scores)
    pd.testing.assert_series_equal(enough.tiers["churn_risk"], fitted.tiers["churn_risk"])
    study = _study(_bgnbd({"churn_risk": {"min_repeat_buyers": repeat + 1}}), files)
    message = (
        rf"not enough repeat buyers to fit BG/NBD: {repeat} of {log['customer'].nunique()} "
        rf"customers bought more than once; need at least {repeat + 1}; tiers from the day rules"
    )
    with pytest.warns(DataQualityWarning, match=message):
        unfitted = run_study(study)
    assert "churn_risk" not in unfitted.method_scores
    rules = _rule_tiers(log, "2024-12-31", 45, 90)
    assert _off_bounds(_classified(unfitted, "churn_risk"), rules) == rules.to_dict()
    assert _differs(_classified(unfitted, "churn_risk"), _classified(fitted, "churn_risk"))


def test_churn_risk_rule_days_cut_the_fallback_tiers(files):
    """On the small log BG/NBD does not converge, so the tiers are the day rules: watch
    from ``rule_days[0]`` days without a purchase (to the log's last day), at risk from
    ``rule_days[1]``."""
    log = _transactions_frame()
    end = log["date"].max()
    base = _run(_small_log("churn_risk"), files)
    changed = _run(_small_log({"churn_risk": {"rule_days": [120, 300]}}), files)
    assert "churn_risk" not in base.method_scores
    before, after = _classified(base, "churn_risk"), _classified(changed, "churn_risk")
    for tiers, (watch, risk) in ((before, (45, 90)), (after, (120, 300))):
        rules = _rule_tiers(log, end, watch, risk)
        assert len(rules) == len(tiers) and _off_bounds(tiers, rules) == rules.to_dict()
    assert (after == "at risk").sum() < (before == "at risk").sum()
    assert _tiers(base, "churn_risk")["C30"] == "pending"  # not in the log: pending here


def test_churn_risk_day_rules_treat_equal_days_alike(files):
    """Without a fit the day rules put every customer 45 days without a purchase in
    ``watch`` (``days >= rule_days[0]``), whatever the weeks of their first and last purchase."""
    log = _bgnbd_frame()
    tiers = _classified(_run(_bgnbd({"churn_risk": {"min_repeat_buyers": 1000}}), files),
                        "churn_risk")  # fmt: skip
    days = _days_without_purchase(log, "2024-12-31")
    on_bound = tiers[days[days == 45].index]
    assert len(on_bound) >= 2
    assert set(on_bound) == {"watch"}, on_bound.to_dict()


def test_churn_risk_on_fit_failure_warns_or_fails(files):
    """When BG/NBD does not converge (small log): ``rules`` (default) warns and gives the
    day-rule tiers; ``error`` stops the run naming the method. On the log BG/NBD fits, the
    key changes nothing."""
    with pytest.warns(DataQualityWarning, match=r"churn_risk: BG/NBD fit did not converge.*"
                      r"tiers from the day rules \[45, 90\]"):  # fmt: skip
        ruled = run_study(_study(_small_log("churn_risk"), files))
    pd.testing.assert_series_equal(
        ruled.tiers["churn_risk"], _run(_small_log("churn_risk"), files).tiers["churn_risk"]
    )
    strict = _small_log({"churn_risk": {"on_fit_failure": "error"}})
    with pytest.raises(InputDataError, match=r"method 'churn_risk': BG/NBD fit did not converge"):
        run_study(_study(strict, files))
    fitted = _run(_bgnbd("churn_risk"), files)
    also = _run(_bgnbd({"churn_risk": {"on_fit_failure": "error"}}), files)
    pd.testing.assert_frame_equal(also.tiers, fitted.tiers)


#: A stricter bound per credit band (defaults: on_time 0.95/0.85/0.70, mean_days 5/15/30,
#: worst_days 15/45/90, open_share 0.25/0.5/1.0).
STRICTER = {
    "on_time": [1.0, 0.9, 0.8],
    "mean_days": [0, 5, 10],
    "worst_days": [0, 10, 30],
    "open_share": [0, 0.1, 0.2],
}


@pytest.mark.parametrize("key", list(STRICTER))
def test_credit_grade_band(files, key):
    """A stricter bound in one band lowers some customers' grade and raises none."""
    base = _run(_bgnbd("credit_grade"), files)
    changed = _run(_bgnbd({"credit_grade": {key: STRICTER[key]}}), files)
    before = base.tiers["credit_grade"].cat.codes
    after = changed.tiers["credit_grade"].cat.codes
    assert (after >= before).all() and (after > before).sum() >= 5
    assert list(changed.tiers["credit_grade"].cat.categories) == list(
        base.tiers["credit_grade"].cat.categories
    )


def test_credit_grade_labels_name_the_grades(files):
    labels = ["Prime", "Good", "Fair", "Weak"]
    base = _run(_bgnbd("credit_grade"), files)
    named = _run(_bgnbd({"credit_grade": {"labels": labels}}), files)
    assert list(named.tiers["credit_grade"].cat.categories)[:5] == [*labels, "n/a"]
    grade = dict(zip(("AAA", "AA", "A", "B"), labels, strict=True))
    before, after = _classified(base, "credit_grade"), _classified(named, "credit_grade")
    assert list(after) == [grade[g] for g in before]
    assert set(after) == set(labels)
    assert list(named.summaries["credit_grade"]["tier"])[:4] == labels


# --------------------------------------------------------------------------- customer base


def _base(**section: Any) -> dict[str, Any]:
    """The BG/NBD study with a ``customer_base`` section (and no log method)."""
    return {**_bgnbd(), "customer_base": section}


def _clv(**section: Any) -> dict[str, Any]:
    """:func:`_base` on the log Gamma-Gamma fits (:func:`_clv_frame`): the CLV is known."""
    data = _base(**section)
    data["data"] = {"transactions": {**data["data"]["transactions"], "path": "tx_clv.csv"}}
    return data


def test_customer_base_section_runs_the_step(files):
    """Without a log method the step runs only with the section; its tiers are those of the
    churn_risk method's defaults, and the classification does not change."""
    without = _run(_bgnbd(), files)
    assert without.customer_base is None
    results = _run(_base(), files)
    base = results.customer_base
    assert base is not None and base.method is None and base.fitted
    method = _run(_bgnbd("churn_risk"), files).customer_base
    assert method.method == "churn_risk"
    pd.testing.assert_frame_equal(base.customers, method.customers)
    pd.testing.assert_frame_equal(results.tiers, without.tiers)
    shortcut = _run({**_bgnbd(), "customer_base": True}, files).customer_base
    pd.testing.assert_frame_equal(shortcut.customers, base.customers)


def _rules(base: Any, rule: str) -> pd.DataFrame:
    t = base.triggers
    return t[t["rule"] == rule].reset_index(drop=True)


@pytest.mark.parametrize(("key", "value"), _cases(("spend_change", 0.9), ("inactive_months", 6)))
def test_customer_base_trigger_key(files, key, value):
    """A higher threshold fires fewer triggers of its rule, all beyond it; the other rule's
    triggers do not change."""
    base = _run(_base(), files).customer_base
    changed = _run(_base(**{key: value}), files).customer_base
    rule, other = ("spend_change", "inactive") if key == "spend_change" else (
        "inactive", "spend_change")  # fmt: skip
    before, after = _rules(base, rule), _rules(changed, rule)
    assert 0 < len(after) < len(before)
    values = after["value"].abs() if rule == "spend_change" else after["value"]
    assert (values > value).all() if rule == "spend_change" else (values >= value).all()
    assert set(after["customer"]) < set(before["customer"])
    assert (after["threshold"] == value).all()
    pd.testing.assert_frame_equal(_rules(changed, other), _rules(base, other))


def test_customer_base_holdout_months_moves_the_cut(files):
    """The back-test calibrates on the log up to ``holdout_months`` before the evaluation date
    (2025-01-01) and checks the months after."""
    base = _run(_base(), files).customer_base.back_test
    changed = _run(_base(holdout_months=6), files).customer_base.back_test
    assert str(base.calibration_end) == "2023-12-31"
    assert str(changed.calibration_end) == "2024-06-30"
    assert str(changed.observation_end) == str(base.observation_end) == "2024-12-31"
    assert changed.holdout_weeks == pytest.approx(184 / 7)
    assert len(changed.customers) > len(base.customers)  # more customers before a later cut


@pytest.mark.parametrize(("key", "value"), _cases(("horizon_months", 24), ("discount_rate", 0.05)))
def test_customer_base_value_key(files, key, value):
    """A longer horizon raises the expected purchases and the CLV; a higher discount rate
    lowers the CLV and leaves the expected purchases alone. P(alive) never moves."""
    base = _run(_clv(), files).customer_base.customers
    changed = _run(_clv(**{key: value}), files).customer_base.customers
    pd.testing.assert_series_equal(changed["p_alive"], base["p_alive"])
    buying = base["clv"] > 1e-6
    assert buying.sum() > 100
    if key == "horizon_months":
        assert (changed["expected_purchases"][buying] > base["expected_purchases"][buying]).all()
        assert (changed["clv"][buying] > base["clv"][buying]).all()
    else:
        pd.testing.assert_series_equal(changed["expected_purchases"], base["expected_purchases"])
        assert (changed["clv"][buying] < base["clv"][buying]).all()


def test_customer_base_margin_scales_the_clv(files):
    """Without a profit column the CLV is revenue (the default); a share scales it; profit
    is refused at load time when the log has no profit column."""
    base = _run(_clv(), files).customer_base
    assert base.margin == "revenue" and base.clv_message == ""
    assert (base.customers["clv"] > 0).sum() > 100
    revenue = _run(_clv(margin="revenue"), files).customer_base
    pd.testing.assert_series_equal(revenue.customers["clv"], base.customers["clv"])
    half = _run(_clv(margin=0.5), files).customer_base
    assert half.margin == "0.5"
    pd.testing.assert_series_equal(half.customers["clv"], 0.5 * base.customers["clv"])
    with pytest.raises(StudyError, match=r"customer_base\.margin.*profit column"):
        _study(_base(margin="profit"), files)


# --------------------------------------------------------------------------- tiers, sensitivity


def test_tier_labels_name_the_strategies(files):
    base = _run(_tiny(), files)
    named = _run(_tiny(tiers={"labels": {"A": "Key accounts", "D": "To be assessed"}}), files)
    assert named.strategies.loc["A", "name"] == "Key accounts" != base.strategies.loc["A", "name"]
    assert named.strategies.loc["D", "name"] == "To be assessed"
    assert named.strategies.loc["B", "name"] == base.strategies.loc["B", "name"]


def test_tier_strategies_override_the_text(files):
    base = _run(_tiny(), files)
    text = "Call every week; quarterly business review."
    changed = _run(_tiny(tiers={"strategies": {"A": text}}), files)
    assert changed.strategies.loc["A", "strategy"] == text != base.strategies.loc["A", "strategy"]
    assert changed.strategies.loc["C", "strategy"] == base.strategies.loc["C", "strategy"]
    assert changed.summaries["weighted_abc"].set_index("tier").loc["A", "strategy"] == text


@pytest.mark.parametrize("key", ["section", "draws", "concentration", "spread", "method"])
def test_sensitivity_key(files, key):
    bands = {"bands": {"bands": [50, 30, 10], "labels": ["top", "high", "mid", "low"]}}
    methods = ["weighted_abc", bands]
    base = _run(_tiny(methods=methods, sensitivity={"draws": 20}), files)
    assert base.sensitivity.rule == "shares" and base.sensitivity.weights.shape == (20, 3)
    if key == "section":
        assert _run(_tiny(methods=methods), files).sensitivity is None
        return
    value = {"draws": 30, "concentration": 5, "spread": 0.3, "method": "bands"}[key]
    changed = _run(_tiny(methods=methods, sensitivity={"draws": 20, key: value}), files)
    drawn, before = changed.sensitivity.weights, base.sensitivity.weights
    if key == "draws":
        assert drawn.shape == (30, 3)
    elif key == "method":
        assert changed.sensitivity.rule == "bands"
        assert set(changed.sensitivity.labels) == {"top", "high", "mid", "low"}
    else:  # a looser Dirichlet / a +-30 % spread moves the weights further
        assert (drawn - 1 / 3).abs().mean().mean() > (before - 1 / 3).abs().mean().mean()


# --------------------------------------------------------------------------- reader options


def _read_option_files(files: Path) -> None:
    """Variants of the customer table, the log and last classes that need one reader option."""
    if (files / "customers_semicolon.csv").exists():
        return
    customers = _customers_frame()
    customers.to_csv(files / "customers_semicolon.csv", index=False, sep=";")
    customers.to_csv(files / "customers_comma.csv", index=False, sep=";", decimal=",")
    text = (files / "customers.csv").read_text(encoding="utf-8")
    # a title row that looks like a header (4 cells) above the real one
    (files / "customers_title.csv").write_text(
        "Kundenliste,Stand,2024-12-31,intern" + "," * (customers.shape[1] - 4) + "\n" + text,
        encoding="utf-8",
    )
    marked = customers.astype(object)
    marked.loc[1, "spend"] = "k.A."  # German "keine Angabe": no value
    marked.to_csv(files / "customers_marked.csv", index=False)
    tx = _transactions_frame()
    tx.to_csv(files / "tx_semicolon.csv", index=False, sep=";")
    tx.to_csv(files / "tx_comma.csv", index=False, sep=";", decimal=",")
    tx_text = (files / "tx.csv").read_text(encoding="utf-8")
    (files / "tx_title.csv").write_text(
        "Export,ERP,2024-12-31,alle,Zeilen,x,y,z\n" + tx_text, encoding="utf-8"
    )
    marked_tx = tx.astype(object)
    marked_tx.loc[0, "amount"] = "k.A."
    marked_tx.to_csv(files / "tx_marked.csv", index=False)
    prev = _previous_frame()
    prev.to_csv(files / "previous_semicolon.csv", index=False, sep=";")
    prev_text = (files / "previous.csv").read_text(encoding="utf-8")
    (files / "previous_title.csv").write_text(
        "Klassen,2023,intern,x\n" + prev_text, encoding="utf-8"
    )
    prev.assign(tier=["k.A."] + list(prev["tier"][1:])).to_csv(
        files / "previous_marked.csv", index=False
    )


def _source_study(source: str) -> dict[str, Any]:
    if source == "customers":
        return _tiny()
    if source == "transactions":
        return _tx()
    return {**_tiny(), "data": {"customers": {"path": "customers.csv"},
                                "previous": {"path": "previous.csv", "tier_column": "tier"}}}  # fmt: skip


def _observed(results: StudyResults, source: str) -> Any:
    if source == "previous":
        return results.migration
    return results.criteria


@pytest.mark.parametrize(
    ("source", "key"),
    _cases(
        ("customers", "sep"),
        ("customers", "decimal"),
        ("customers", "header_row"),
        ("customers", "missing_values"),
        ("transactions", "sep"),
        ("transactions", "decimal"),
        ("transactions", "header_row"),
        ("transactions", "missing_values"),
        ("previous", "sep"),
        ("previous", "header_row"),
        ("previous", "missing_values"),
        width=2,
    ),  # fmt: skip
)
def test_read_option(files, source, key):
    """Each reader option reaches the reader: set right, the file reads as its plain twin;
    set wrong, it reads differently or not at all (detection alone reads most of these
    files too, so the wrong value is what shows the key is used)."""
    _read_option_files(files)
    stem = {"customers": "customers", "transactions": "tx", "previous": "previous"}[source]
    variant = {"sep": "semicolon", "decimal": "comma", "header_row": "title",
               "missing_values": "marked"}[key]  # fmt: skip
    right = {"sep": ";", "decimal": ",", "header_row": 2, "missing_values": ["k.A."]}[key]
    wrong = {"sep": ",", "decimal": ".", "header_row": 1, "missing_values": ["zzz"]}[key]
    base = _source_study(source)
    plain = _run(base, files)
    section = f"data.{source}"
    other = _with(base, f"{section}.path", f"{stem}_{variant}.csv")
    if key == "decimal":
        other = _with(other, f"{section}.sep", ";")
    if key == "missing_values":
        if source == "customers":  # C02's spend "k.A." is missing: C02 is pending
            assert _status(_run(_with(other, f"{section}.{key}", right), files), "C02") == "pending"
            with pytest.raises(InputDataError, match="cannot read 'k.A.' as a number"):
                _run(_with(other, f"{section}.{key}", wrong), files)
        elif source == "transactions":  # "k.A." is no amount: read as missing, no warning
            with warnings.catch_warnings(record=True) as seen:
                warnings.simplefilter("always")
                with pytest.raises(InputDataError, match="1 missing amount"):
                    run_study(_study(_with(other, f"{section}.{key}", right), files))
            assert not [w for w in seen if "k.A." in str(w.message)]
            with pytest.warns(DataQualityWarning, match="'k.A.'"):
                with pytest.raises(InputDataError, match="1 missing amount"):
                    run_study(_study(_with(other, f"{section}.{key}", wrong), files))
        else:  # the first customer's old tier is missing: one customer fewer in the matrix
            marked = _run(_with(other, f"{section}.{key}", right), files).migration
            unmarked = _run(_with(other, f"{section}.{key}", wrong), files).migration
            assert "k.A." in unmarked.index and "k.A." not in marked.index
        return
    chosen = _run(_with(other, f"{section}.{key}", right), files)
    pd.testing.assert_frame_equal(_observed(chosen, source), _observed(plain, source))
    try:
        misread = _run(_with(other, f"{section}.{key}", wrong), files)
    except (InputDataError, StudyError):
        return  # the wrong option makes the file unreadable: it reached the reader
    assert _differs(_observed(misread, source), _observed(plain, source))


def test_transactions_date_format_orders_day_and_month(files):
    """Dates written 08/11/2023 where every one reads both ways: an error saying how to set
    ``date_format``; with ``dmy`` they are 8 November, with ``mdy`` 11 August."""
    tx = _transactions_frame()
    days = pd.to_datetime(tx["date"])
    ambiguous = tx.assign(date=days.dt.strftime("%m/%d/%Y").where(days.dt.day <= 12, None))
    ambiguous = ambiguous[ambiguous["date"].notna()]
    ambiguous.to_csv(files / "tx_ambiguous.csv", index=False)
    study = _tx(path="tx_ambiguous.csv")
    with pytest.raises(InputDataError, match="set date_format: dmy"):
        _run(study, files)
    mdy = _run(_with(study, "data.transactions.date_format", "mdy"), files)
    dmy = _run(_with(study, "data.transactions.date_format", "dmy"), files)
    assert _differs(mdy.criteria, dmy.criteria)
    truth = ambiguous.assign(date=pd.to_datetime(ambiguous["date"], format="%m/%d/%Y"))
    truth.assign(date=truth["date"].dt.strftime("%Y-%m-%d")).to_csv(
        files / "tx_ambiguous_iso.csv", index=False
    )
    pd.testing.assert_frame_equal(
        mdy.criteria, _run(_tx(path="tx_ambiguous_iso.csv"), files).criteria
    )


def test_transactions_unmatched_reported_or_classified(files):
    """Log customers missing from the customer table are listed with lines and amount, not
    classified (default ``report``); with ``classify`` they are classified customers."""
    tx = _transactions_frame()
    extra = tx.head(3).assign(customer="X99")
    pd.concat([tx, extra]).to_csv(files / "tx_unmatched.csv", index=False)
    study = _tx(path="tx_unmatched.csv")
    reported = _run(study, files)
    assert list(reported.data.unmatched["customer_id"]) == ["X99"]
    assert reported.data.unmatched["lines"].iloc[0] == 3
    assert reported.data.unmatched["amount"].iloc[0] == pytest.approx(extra["amount"].sum())
    assert "X99" not in set(reported.input_customers["customer_id"])
    classified = _run(_with(study, "data.transactions.unmatched", "classify"), files)
    assert _status(classified, "X99") == "classified" and classified.data.unmatched.empty


def _spy_on_spark(monkeypatch, session) -> list:
    """Record what the Spark engine is asked to start; hand it the test run's session."""
    import abclab.features._spark as engine

    asked: list = []

    def spark_session(spark=None):
        asked.append(spark)
        return session

    monkeypatch.setattr(engine, "spark_session", spark_session)
    return asked


@pytest.mark.spark
def test_transactions_engine_spark_gives_the_same_study(files, spark, monkeypatch):
    """``engine: spark`` computes the criteria on Spark (the engine is asked for a session)
    and the study ends with the same criteria and the same tiers as on DuckDB."""
    asked = _spy_on_spark(monkeypatch, spark)
    study = _tx(profit="profit", category="category", due_date="due", paid_date="paid")
    duck = _run(study, files)
    assert asked == []
    on_spark = _run(_with(study, "data.transactions.engine", "spark"), files)
    assert len(asked) == 1
    pd.testing.assert_frame_equal(on_spark.criteria, duck.criteria, check_exact=False, rtol=1e-12)
    derived = ["purchase_count", "recency_days", "margin", "cross_purchase_rate"]
    pd.testing.assert_frame_equal(
        on_spark.input_customers.set_index("customer_id")[derived],
        duck.input_customers.set_index("customer_id")[derived],
        check_exact=False,
        rtol=1e-12,
    )
    pd.testing.assert_frame_equal(on_spark.classification.tiers, duck.classification.tiers)


@pytest.mark.spark
@pytest.mark.parametrize("key", ["master", "config"])
def test_transactions_spark_settings_reach_the_session(files, spark, monkeypatch, key):
    """``spark.master`` and ``spark.config`` become the SparkOptions the engine starts its
    session with (a session already running in the process is reused)."""
    asked = _spy_on_spark(monkeypatch, spark)
    value = {"master": "local[1]", "config": {"spark.sql.shuffle.partitions": 3}}[key]
    study = _with(_tx(), "data.transactions.engine", "spark")
    _run(_with(study, f"data.transactions.spark.{key}", value), files)
    (options,) = asked
    if key == "master":
        assert options.master == "local[1]" and dict(options.config) == {}
    else:
        assert options.master == "local[*]"
        assert dict(options.config) == {"spark.sql.shuffle.partitions": "3"}


@pytest.mark.spark
def test_transactions_table_is_read_by_spark(files, spark, monkeypatch):
    """``table`` names a catalogue table or view that Spark reads (engine spark): a view of
    the whole log gives the study of ``path: tx.csv``; a view of the 2023 lines gives other
    criteria; with engine duckdb the key is an error that names it."""
    _spy_on_spark(monkeypatch, spark)
    read = spark.read.csv(str(files / "tx.csv"), header=True, inferSchema=True)
    read.createOrReplaceTempView("abclab_keys_tx")
    read.where("date < DATE'2024-01-01'").createOrReplaceTempView("abclab_keys_tx_2023")
    try:
        duck = _run(_tx(), files)
        whole = _run(_tx(path=None, table="abclab_keys_tx", engine="spark"), files)
        early = _run(_tx(path=None, table="abclab_keys_tx_2023", engine="spark"), files)
    finally:
        spark.catalog.dropTempView("abclab_keys_tx")
        spark.catalog.dropTempView("abclab_keys_tx_2023")
    pd.testing.assert_frame_equal(whole.criteria, duck.criteria, check_exact=False, rtol=1e-12)
    assert _differs(early.criteria, whole.criteria)
    assert whole.data.files == (files / "customers.csv",)  # nothing local to hash for the log
    with pytest.raises(StudyError, match=r"data\.transactions\.table: .*needs engine: spark"):
        _study(_tx(path=None, table="abclab_keys_tx"), files)


@pytest.mark.spark
def test_transactions_format_says_how_spark_reads_the_path(files, spark, monkeypatch):
    """``format: csv`` reads a URI whose suffix says nothing (``tx_export.data``) as CSV, the
    study of ``path: tx.csv``; without it Spark reads the file as Parquet and fails, naming it."""
    _spy_on_spark(monkeypatch, spark)
    (files / "tx_export.data").write_bytes((files / "tx.csv").read_bytes())
    uri = (files / "tx_export.data").as_uri()
    study = _tx(path=uri, engine="spark")
    as_csv = _run(_with(study, "data.transactions.format", "csv"), files)
    pd.testing.assert_frame_equal(
        as_csv.criteria, _run(_tx(), files).criteria, check_exact=False, rtol=1e-12
    )
    with pytest.raises(InputDataError, match=r"tx_export\.data' could not be read by Spark"):
        _run(study, files)


# --------------------------------------------------------------------------- BWM and fuzzy AHP

#: Rezaei (2015)'s worked example has three criteria; ours: spend best, tenure worst.
BWM = {
    "best_to_others": {"spend": 1, "margin_rate": 2, "tenure": 8},
    "others_to_worst": {"spend": 8, "margin_rate": 5, "tenure": 1},
}
FUZZY = {
    "spend > margin_rate": [1, 2, 3],
    "margin_rate > tenure": [2, 3, 4],
    "spend > tenure": [4, 5, 6],
}


@pytest.mark.parametrize("key", ["section", "best_to_others", "others_to_worst", "model"])
def test_best_worst_key(files, key):
    """BWM weights are the weights used (as abclab.weighting.best_worst computes them)."""
    from abclab import weighting

    spec = copy.deepcopy(BWM)
    base = _run(_tiny(weights={"best_worst": spec}), files)
    expected = weighting.best_worst(spec["best_to_others"], spec["others_to_worst"]).weights
    np.testing.assert_allclose(base.weights.to_numpy(), expected.reindex(base.weights.index))
    if key == "section":
        assert _differs(base.weights, _run(_tiny(), files).weights)
        return
    changed = copy.deepcopy(spec)
    if key == "model":
        changed["model"] = "nonlinear"
    else:
        changed[key]["margin_rate"] = 4 if key == "best_to_others" else 2
    other = _run(_tiny(weights={"best_worst": changed}), files)
    assert _differs(other.weights, base.weights)


def test_best_worst_ties_need_best_and_worst(files):
    """Two criteria at 1 in best_to_others: the best must be named; naming it decides."""
    tied = {"best_to_others": {"spend": 1, "margin_rate": 1, "tenure": 5},
            "others_to_worst": {"spend": 5, "margin_rate": 5, "tenure": 1}}  # fmt: skip
    with pytest.raises(StudyError, match="weights.best_worst"):
        _study(_tiny(weights={"best_worst": tied}), files)
    one = _run(_tiny(weights={"best_worst": {**tied, "best": "spend", "worst": "tenure"}}), files)
    other = _run(_tiny(weights={"best_worst": {**tied, "best": "margin_rate", "worst": "tenure"}}),
                 files)  # fmt: skip
    assert one.weights.sum() == pytest.approx(1) and other.weights.sum() == pytest.approx(1)


@pytest.mark.parametrize("key", ["section", "judgements", "defuzzification", "ri_table"])
def test_fuzzy_ahp_key(files, key):
    """Fuzzy AHP weights are the defuzzified Buckley weights; its crisp CR is reported."""
    base = _run(_tiny(weights={"fuzzy_ahp": {"judgements": FUZZY}}), files)
    assert list(base.ahp) == ["fuzzy AHP (modal judgements)"]
    if key == "section":
        assert _differs(base.weights, _run(_tiny(), files).weights)
        return
    if key == "judgements":
        changed = {**FUZZY, "spend > tenure": [1, 1, 2]}
        other = _run(_tiny(weights={"fuzzy_ahp": {"judgements": changed}}), files)
        assert _differs(other.weights, base.weights)
        return
    value = {"defuzzification": "graded_mean", "ri_table": "alonso_lamata2006"}[key]
    other = _run(_tiny(weights={"fuzzy_ahp": {"judgements": FUZZY, key: value}}), files)
    if key == "defuzzification":
        assert _differs(other.weights, base.weights)
    else:
        assert (
            other.ahp["fuzzy AHP (modal judgements)"].cr
            != base.ahp["fuzzy AHP (modal judgements)"].cr
        )
