"""Report charts: CJK text renders without missing glyphs, no global matplotlib state changes."""

from __future__ import annotations

import io
import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from abclab import compare
from abclab.report import charts
from abclab.report._i18n import MESSAGES, text


@pytest.fixture
def data():
    rng = np.random.default_rng(7)
    n = 300
    values = pd.Series(rng.lognormal(3, 1, n), name="annual_spend")
    tiers = pd.Series(
        pd.Categorical(rng.choice(["A", "B", "C"], n), categories=["A", "B", "C"], ordered=True)
    )
    criteria = pd.DataFrame(rng.normal(size=(n, 3)), columns=["年消费额", "利润率", "合作时长"])
    return values, tiers, criteria


def _all_figures(values, tiers, criteria, language):
    methods = ["加权ABC", "pareto", "topsis"]
    kappa = pd.DataFrame(
        [[1, 0.4, 0.2], [0.4, 1, 0.5], [0.2, 0.5, 1]], index=methods, columns=methods
    )
    weights = pd.DataFrame(
        {"ahp": [0.5, 0.3, 0.2], "entropy": [0.2, 0.3, 0.5]}, index=criteria.columns
    )
    migration = pd.DataFrame([[10, 2], [3, 20]], index=["A", "B"], columns=["A", "B"])
    return [
        charts.pareto_lorenz_chart(
            compare.lorenz(values, kind="abc"),
            compare.lorenz(values, kind="lorenz"),
            gini=compare.gini(values),
            language=language,
        ),
        charts.agreement_heatmap(kappa, language=language),
        charts.value_potential_scatter(
            values, values.rank(), tiers, method="价值潜力", language=language
        ),
        charts.cluster_projection(criteria, tiers, language=language),
        charts.stability_chart(pd.Series(np.linspace(0, 1, len(tiers))), tiers, language=language),
        charts.weights_chart(weights, language=language),
        charts.migration_heatmap(migration, language=language),
    ]


def test_zh_charts_render_without_missing_glyphs(data):
    """Every chart with Chinese labels renders with zero "missing from font" warnings."""
    assert charts.cjk_font_family() is not None  # fonts-noto-cjk is installed on this machine
    before = dict(matplotlib.rcParams)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figures = _all_figures(*data, language="zh")
        pngs = [charts.render_png(fig, "zh") for fig in figures]
    glyphs = [
        str(w.message)
        for w in caught
        if "missing from" in str(w.message) or "Glyph" in str(w.message)
    ]
    assert glyphs == []
    assert all(p.startswith(b"\x89PNG") and len(p) > 5_000 for p in pngs)
    assert dict(matplotlib.rcParams) == before  # per-figure settings only


def test_zh_chart_text_uses_the_cjk_family(data):
    fig = _all_figures(*data, language="zh")[0]
    title = fig.axes[0].get_title()
    assert title == text("chart.pareto_title", "zh")
    family = fig.axes[0].title.get_fontfamily()
    assert family[0] == charts.cjk_font_family()


def test_english_charts_have_english_labels(data):
    figures = _all_figures(*data, language="en")
    left, right = figures[0].axes[:2]
    assert left.get_xlabel() == "Cumulative share of customers"
    assert right.get_title().startswith("Lorenz curve (Gini = ")
    assert figures[2].axes[0].get_legend().get_title().get_text() == "Tier"


def test_pareto_chart_plots_the_compare_curves(data):
    """The plotted Pareto line is exactly abclab.compare.lorenz(kind="abc")."""
    values = data[0]
    curve = compare.lorenz(values, kind="abc")
    fig = charts.pareto_lorenz_chart(curve, compare.lorenz(values, kind="lorenz"), gini=0.4)
    line = fig.axes[0].lines[0]
    np.testing.assert_allclose(line.get_ydata(), curve["value_share"])
    assert [round(ln.get_ydata()[0], 2) for ln in fig.axes[0].lines[1:]] == [0.8, 0.95]


def test_cluster_projection_matches_sklearn_pca(data):
    """First two components agree with scikit-learn's PCA up to sign (peer library)."""
    from sklearn.decomposition import PCA
    from sklearn.preprocessing import StandardScaler

    _, tiers, criteria = data
    fig = charts.cluster_projection(criteria, tiers)
    ours = np.vstack([c.get_offsets() for c in fig.axes[0].collections])
    ref = PCA(2).fit_transform(StandardScaler().fit_transform(criteria))
    order = np.concatenate([np.flatnonzero(tiers == t) for t in ["A", "B", "C"]])
    ref = ref[order]
    signs = np.sign(np.sum(ours * ref, axis=0))
    np.testing.assert_allclose(ours, ref * signs, atol=1e-9)
    with pytest.raises(ValueError, match="at least 2 non-constant numeric criteria"):
        charts.cluster_projection(criteria.assign(b=1.0)[["年消费额", "b"]], tiers)


def test_large_scatter_is_sampled(data):
    n = charts.MAX_POINTS + 500
    rng = np.random.default_rng(0)
    tiers = pd.Series(
        pd.Categorical(rng.choice(["A", "B"], n), categories=["A", "B"], ordered=True)
    )
    value = pd.Series(rng.random(n))
    fig = charts.value_potential_scatter(value, value, tiers, method="m")
    assert sum(len(c.get_offsets()) for c in fig.axes[0].collections) == charts.MAX_POINTS


def test_figures_do_not_use_pyplot(data):
    """No pyplot registry; Chinese client strings in an English chart still find glyphs."""
    import matplotlib.pyplot as plt

    open_before = plt.get_fignums()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figures = _all_figures(*data, language="en")
        pngs = [charts.render_png(f) for f in figures]
    assert all(isinstance(f, Figure) for f in figures)
    assert plt.get_fignums() == open_before
    buffer = io.BytesIO(pngs[1])
    assert matplotlib.image.imread(buffer, format="png").std() > 0.05


def test_messages_have_the_same_ids_in_both_languages():
    assert set(MESSAGES["en"]) == set(MESSAGES["zh"])
    with pytest.raises(KeyError, match="no report message 'col.nope'"):
        text("col.nope", "en")
    with pytest.raises(ValueError, match="report language must be one of"):
        text("col.tier", "fr")
