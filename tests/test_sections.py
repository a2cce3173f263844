"""Report sections: the renderable objects they return and the helpers with logic of their own."""

from __future__ import annotations

import dataclasses
import html
from pathlib import Path

import pandas as pd
import pytest

from abclab import ahp
from abclab.pipeline import StressStep
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


# --------------------------------------------------------------------------- renderables

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo" / "study.yaml"
SCRIPT_NAME = "<script>alert(1)</script>"
SECTIONS = {  # function -> (key, English title)
    "executive_summary": ("summary", "Executive summary"),
    "data_quality": ("data_quality", "Data quality"),
    "weights": ("weights", "Criteria weights"),
    "method_summaries": ("methods", "Classification by method"),
    "pareto_lorenz": ("pareto", "Concentration: Pareto curve and Lorenz curve"),
    "agreement": ("agreement", "Agreement between methods"),
    "disputed": ("disputed", "Disputed customers"),
    "value_potential": ("value_potential", "Value × potential"),
    "clusters": ("clusters", "Clusters"),
    "sensitivity": ("sensitivity", "Weight sensitivity"),
    "migration": ("migration", "Tier migration"),
    "customer_base": ("customer_base", "Churn risk and lifetime value"),
    "strategies": ("strategy", "Tier strategies"),
}


@pytest.fixture(scope="module")
def demo_results():
    """The demo study's results, computed once for the module."""
    from abclab.pipeline import run_study

    return run_study(DEMO)


@pytest.fixture(scope="module")
def ctx(demo_results):
    from abclab.report import sections

    return sections.context(demo_results, language="en")


@pytest.mark.parametrize("name", sorted(SECTIONS))
def test_every_section_returns_a_renderable_with_its_title(ctx, name):
    """Each section returns a Section (key and translated title), and its HTML starts with
    that title as an <h2>; every block renders to HTML."""
    from abclab.report import sections

    section = getattr(sections, name)(ctx)
    assert isinstance(section, sections.Section)
    key, title = SECTIONS[name]
    assert (section.key, section.title, section.level) == (key, title, 2)
    markup = section._repr_html_()
    assert markup.startswith(f'<div class="abclab-part abclab-part-{key}">')
    assert f'<h2 id="sec-{key}" class="abclab-section">{html.escape(title)}</h2>' in markup
    assert all(block._repr_html_() in markup for block in section.blocks)
    assert repr(section).startswith(f"Section({key!r}")


def test_jupyter_displays_a_section_through_its_html(ctx):
    """IPython's display formatter finds _repr_html_ (what the notebook's last expression
    shows); the plain-text repr stays one short line."""
    from IPython.core.formatters import DisplayFormatter

    from abclab.report import sections

    section = sections.executive_summary(ctx)
    data, _ = DisplayFormatter().format(section)
    assert data["text/html"] == section._repr_html_()
    assert "\n" not in data["text/plain"] and len(data["text/plain"]) < 200


def test_summary_names_the_recommended_method_and_its_tiers(ctx, demo_results):
    from abclab.report import sections

    section = sections.executive_summary(ctx)
    recommended = sections.method_labels(demo_results, "en")[demo_results.recommended]
    assert recommended in section.takeaway
    assert section.paragraphs[0] == section.takeaway
    # the tier picture uses the study's tier names (tiers.labels) and strategies
    items = [b for b in section.blocks if isinstance(b, sections.Items)][0]
    assert items.texts[0].startswith("**Key accounts** (A): 80 customers (20%)")
    assert demo_results.strategies.loc["A", "strategy"] in items.texts[0]
    assert len(section.figures) == 1 and section.figures[0].caption


def test_weights_section_has_each_expert_table_and_the_chart(ctx, demo_results):
    from abclab.report import sections

    section = sections.weights(ctx)
    headings = [b.text for b in section.blocks if isinstance(b, sections.Heading)]
    for expert in demo_results.ahp:
        assert f"AHP judgements of {expert}" in headings
    labels = sections.criterion_labels(demo_results)
    expert = next(iter(demo_results.ahp.values()))
    assert section.tables[0].columns == [
        *(labels.get(c, c) for c in expert.matrix.columns),
        "weight",
    ]
    assert len(section.figures) == 1
    figure = section.figures[0]
    assert figure.png.startswith(b"\x89PNG") and figure.alt == "Weights by method"
    assert '<img src="data:image/png;base64,' in figure._repr_html_()


def test_appendix_for_the_client_has_criteria_and_methods_but_no_provenance(ctx):
    from abclab.report import sections

    section = sections.appendix(ctx, {"study_path": "/abs/study.yaml", "note": "<b>x</b>"})
    assert [t.columns for t in section.tables] == [
        ["criterion", "direction", "normalise", "weight"],
        ["method", "used"],
    ]
    markup = section._repr_html_()
    assert "/abs/study.yaml" not in markup and "SHA-256" not in markup
    assert "<pre" not in markup


def test_customer_names_are_escaped(ctx, demo_results):
    """A customer called <script>alert(1)</script> is shown as text in a customer list."""

    from abclab.report import sections

    first = demo_results.disputed.index[0]
    names = demo_results.display_names.copy()
    names[first] = SCRIPT_NAME
    hostile = dataclasses.replace(
        ctx, results=dataclasses.replace(demo_results, display_names=names)
    )
    section = sections.disputed(hostile)
    table = section.tables[0]
    assert table.columns[0] == "name" and table.frame["name"].iloc[0] == SCRIPT_NAME
    markup = section._repr_html_()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup
    assert SCRIPT_NAME not in markup


def test_client_strings_are_escaped_in_every_block():
    from abclab.report import sections

    section = sections.Section(
        key="x",
        title=SCRIPT_NAME,
        takeaway=f"**{SCRIPT_NAME}**",
        blocks=(
            sections.Heading(SCRIPT_NAME),
            sections.Paragraph(SCRIPT_NAME, css='"><script>'),
            sections.Preformatted(SCRIPT_NAME),
            sections.Table(pd.DataFrame({SCRIPT_NAME: [SCRIPT_NAME]}), caption=SCRIPT_NAME),
            sections.Figure(b"\x89PNG", alt=SCRIPT_NAME, caption=SCRIPT_NAME),
        ),
    )
    markup = section._repr_html_()
    assert "<script>" not in markup
    # title, takeaway, heading, paragraph, pre, table header + cell + caption, alt, caption
    assert markup.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 10
    assert "<strong>&lt;script&gt;" in markup  # **bold** applied after escaping


def test_empty_section_renders_as_nothing(ctx, demo_results):
    """A study with one method has no agreement: the section is empty (no heading)."""

    from abclab.report import sections

    single = dataclasses.replace(
        ctx,
        results=dataclasses.replace(
            demo_results,
            comparison=dataclasses.replace(demo_results.comparison, agreement=None),
        ),
    )
    section = sections.agreement(single)
    assert section == sections.Section.empty("agreement")
    assert not section and section.blocks == () and section._repr_html_() == ""


def test_sections_without_data_say_so(ctx, demo_results):
    """No sensitivity run: the section keeps its heading and one sentence."""

    from abclab.report import sections

    none = dataclasses.replace(ctx, results=dataclasses.replace(demo_results, stress=StressStep()))
    section = sections.sensitivity(none)
    assert section.title == "Weight sensitivity" and section.tables == []
    assert [type(b).__name__ for b in section.blocks] == ["Paragraph"]


def test_long_customer_lists_are_cut_with_a_note(ctx):

    from abclab.report import sections

    short = dataclasses.replace(ctx, max_rows=3)
    section = sections.disputed(short)
    assert len(section.tables[0].frame) == 3
    assert any(p.startswith("Showing 3 of") for p in section.paragraphs)


def test_title_section_is_level_one(ctx, demo_results):
    from abclab.report import sections

    section = sections.title(ctx)
    assert section.level == 1 and section.title == "Customer classification report"
    assert '<h1 id="sec-title">Customer classification report</h1>' in section._repr_html_()
    assert section.blocks[0].text == demo_results.study.name
    client = demo_results.study.client
    assert section.blocks[1].text == f"Client: {client}"
    assert any(p.startswith(f"Confidential — prepared for {client}") for p in section.paragraphs)


def test_sensitivity_section_shows_smaa_acceptability_and_bootstrap_intervals(demo_results):
    """Values checked against smaa / bootstrap_tiers called directly."""
    from abclab import sensitivity
    from abclab.report import sections

    r = demo_results
    study = r.study
    rule = study.method(study.recommended).weight_rule()
    acc = sensitivity.smaa(r.scores.indicator_scores, weights=r.weights, spread=0.2,
                           draws=study.sensitivity.draws, seed=study.seed, max_rank_items=0,
                           **rule).to_frame()  # fmt: skip
    boot = sensitivity.bootstrap_tiers(
        r.method_scores[study.recommended], values=r.criteria["annual_spend"].clip(lower=0),
        draws=study.sensitivity.draws, seed=study.seed, **rule,
    ).set_index("tier")  # fmt: skip
    section = sections.sensitivity(sections.context(r, language="en"))
    shown = section.tables[-1].frame
    assert list(shown.columns) == [
        "customers", "acceptability", "share_interval", "value_share_interval"
    ]  # fmt: skip
    for tier in ("A", "B", "C"):
        own = acc.loc[acc["base_tier"] == tier, "acceptability_base_tier"]
        assert shown.loc[tier, "customers"] == len(own)
        assert shown.loc[tier, "acceptability"] == pytest.approx(own.mean())
        b = boot.loc[tier]
        assert shown.loc[tier, "share_interval"] == (
            f"{b['share_ci_low']:.1%}–{b['share_ci_high']:.1%}"
        )
        assert shown.loc[tier, "value_share_interval"] == (
            f"{b['value_share_ci_low']:.1%}–{b['value_share_ci_high']:.1%}"
        )
    html_ = section._repr_html_()
    assert "Mean acceptability of own tier" in html_ and "95% interval" in html_
    top = boot.loc["A"]
    sentence = section.paragraphs[-1]
    assert f"{top['value_share_ci_low']:.1%}–{top['value_share_ci_high']:.1%}" in sentence
    weakest = min(
        "ABC", key=lambda t: acc.loc[acc["base_tier"] == t, "acceptability_base_tier"].mean()
    )
    assert f"tier {weakest} are least sure" in sentence


def test_sensitivity_section_in_chinese_has_the_robustness_table(demo_results):
    from abclab.report import sections

    section = sections.sensitivity(sections.context(demo_results, language="zh"))
    html_ = section._repr_html_()
    assert "本等级平均可接受度" in html_ and "价值占比 95% 区间" in html_
    assert "自助法区间" in section.paragraphs[-1] and "tier" not in section.paragraphs[-1]


def test_sensitivity_section_without_smaa_keeps_the_stability_table(demo_results):
    from abclab.report import sections

    bare = dataclasses.replace(
        demo_results, stress=StressStep(sensitivity=demo_results.stress.sensitivity)
    )
    section = sections.sensitivity(sections.context(bare, language="en"))
    # the stability table and the rank-reversal / weight-choice table, no SMAA table
    assert len(section.tables) == 2 and len(section.paragraphs) == 1
    assert list(section.tables[1].to_text_frame().columns) == ["Value"]


def test_churn_risk_is_shown_but_not_counted_as_agreeing_or_disputing(demo_results):
    """Churn-risk tiers (stable / watch / at risk) assess whether a customer stays, not what
    the customer is worth: they are not compared with the value tiers by rank position
    (stable ≠ A), so they appear in the synthesis as "other tiers" and not in disputes."""
    from abclab.report import sections

    assert "churn_risk" in demo_results.tiers
    assert "churn_risk" not in demo_results.agreement.percent.index
    assert (
        not demo_results.disputed.astype(str)
        .apply(lambda c: c.str.contains("stable|at risk"))
        .any()
        .any()
    )
    synthesis = sections.method_synthesis(demo_results, "en")
    assert synthesis.loc["churn_risk", "agreement"] == "other tiers"


def test_disputed_count_is_every_customer_the_value_methods_place_apart(demo_results):
    """The section's count is not the 20 listed: an independent count over the value methods'
    tier positions (matrix methods and churn risk left out, as in the comparison)."""
    from abclab.pipeline import comparable_tiers

    r = demo_results
    names = [m.name for m in r.study.methods if m.ranks_value and m.kind != "matrix"]
    tiers = comparable_tiers(r.tiers.loc[r.criteria.index, names])
    codes = tiers.apply(lambda c: c.cat.codes.where(c.cat.codes >= 0)).astype(float)
    expected = int(((codes.max(axis=1) - codes.min(axis=1)) > 0).sum())
    assert r.comparison.disputed_count == expected > len(r.disputed) == 20
    from abclab.report import sections

    text = " ".join(sections.disputed(sections.context(r)).paragraphs)
    assert text.startswith(f"{expected} customers are classified differently")


def test_a_named_index_heads_its_column_on_the_one_header_row():
    """pandas puts an index's name on a second header row of empty cells; the report's
    tables carry it in the first cell of the header row instead (escaped like the rest)."""
    import re

    from abclab.report.sections._blocks import render_table

    frame = pd.DataFrame({"customers": [3, 5]}, index=pd.Index(["A", "<B>"], name="tier"))
    html = render_table(frame)
    head = html[html.index("<thead>") : html.index("</thead>")]
    assert head.count("<tr") == 1
    assert re.findall(r"<th[^>]*>([^<]*)</th>", head)[0].strip().lower() == "tier"
    assert "&lt;B&gt;" in html and "<B>" not in html
