"""Report section helpers that hold a little logic of their own."""

from __future__ import annotations

import pytest

from abclab import ahp
from abclab.report.sections import inconsistency_table


def test_inconsistency_table_names_the_corrupted_judgement_first():
    """Hand case: the consistent matrix of w = (8, 4, 2, 1) with one judgement keyed reversed
    (a_ad = 1/8 instead of 8). The repair table ranks (a, d) first, shows the judged value, the
    value consistent with the current weights and a CR-if-revised below the CR; entering the
    true value 8 restores CR = 0 exactly."""
    matrix = [[1, 2, 4, 1 / 8], [1 / 2, 1, 2, 4], [1 / 4, 1 / 2, 1, 2], [8, 1 / 4, 1 / 2, 1]]
    result = ahp.weights(matrix, criteria=list("abcd"), warn=False)
    table = inconsistency_table(result.inconsistent_judgements())
    assert list(table.columns) == [
        "row",
        "column",
        "judged",
        "consistent_value",
        "suggested_value",
        "cr_if_revised",
        "error",
    ]
    first = table.iloc[0]
    assert (first["row"], first["column"], first["judged"]) == ("a", "d", 0.125)
    assert first["consistent_value"] > first["judged"]  # moves toward "a more important"
    assert first["cr_if_revised"] < result.cr
    repaired = [row[:] for row in matrix]
    repaired[0][3], repaired[3][0] = 8, 1 / 8
    assert ahp.weights(repaired, warn=False).cr == pytest.approx(0.0, abs=1e-12)


def test_outlier_table_puts_the_keying_error_first():
    """The Chinese demo export has C0005's annual spend keyed 100x too large (demo README,
    DemoCompany.dirt['export_spend_x100']); among the values the IQR rule flags it has the
    largest multiple of the median, so the consultant sees it first."""
    from pathlib import Path

    from abclab.datasets import build_demo
    from abclab.pipeline import run_study
    from abclab.report.sections import outlier_table

    study = Path(__file__).resolve().parents[1] / "data" / "demo" / "study_zh.yaml"
    results = run_study(study)
    table = outlier_table(results)
    first = table.index[0]
    assert first == build_demo().dirt["export_spend_x100"]
    median = results.criteria["annual_spend"].median()
    assert table.iloc[0]["times_median"] == pytest.approx(table.iloc[0]["value"] / median)
    assert table["times_median"].is_monotonic_decreasing


def test_method_and_rule_display_names():
    """Methods named after their kind get a translated display name; custom names and unknown
    rules are shown as given."""
    from types import SimpleNamespace

    from abclab.report._i18n import display_name
    from abclab.report.sections import method_labels

    study = SimpleNamespace(
        methods=[
            SimpleNamespace(name="weighted_abc", method="weighted_abc"),
            SimpleNamespace(name="spend_pareto", method="pareto"),
        ]
    )
    labels = method_labels(SimpleNamespace(study=study), "zh")
    assert labels == {"weighted_abc": "AHP加权ABC", "spend_pareto": "spend_pareto"}
    assert display_name("rule", "merge_duplicate", "zh") == "合并重复客户"
    assert display_name("rule", "custom_rule", "en") == "custom_rule"
