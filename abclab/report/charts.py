"""Static report charts (matplotlib, Agg), with CJK fonts for Chinese reports.

Every chart function takes plain pandas objects and returns a :class:`matplotlib.figure.Figure`
built without :mod:`matplotlib.pyplot` (no global figure registry). Fonts are chosen per
figure: :func:`chart_rc` gives the ``rc`` settings for a language and :func:`render_png`
renders a figure to PNG bytes inside :func:`matplotlib.pyplot.rc_context`, so nothing changes
global ``rcParams``.

Chinese text needs a CJK family in ``font.family`` (a family *list* gives per-glyph fallback;
``font.sans-serif`` uses only its first entry). :func:`cjk_font_family` picks the first
installed one (Noto Sans CJK from Debian ``fonts-noto-cjk`` on the reference machine), adding
the file reported by ``fc-match 'sans-serif:lang=zh-cn'`` to the font manager when the font
cache predates the font installation.
"""

from __future__ import annotations

import functools
import io
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from abclab.report._i18n import column_labels, text

#: Family names preferred for Chinese text, best first.
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
)
#: Tier colours, best tier first (colour-blind safe, Okabe–Ito).
TIER_COLOURS = ("#D55E00", "#0072B2", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#999999")
#: Colours of the tiers every scheme shares, so tier A has one colour in every chart.
FIXED_TIER_COLOURS = {
    "S": "#CC79A7", "A": "#D55E00", "B": "#0072B2", "C": "#009E73", "D": "#999999",
    "E": "#E69F00", "n/a": "#BBBBBB", "待评估": "#999999",
}  # fmt: skip
#: Largest number of points drawn in a scatter plot (a seeded sample beyond that).
MAX_POINTS = 20_000
DPI = 110


@functools.cache
def cjk_font_family() -> str | None:
    """Return the name of an installed CJK font family, or ``None`` if there is none.

    Looks in ``font_manager.fontManager.ttflist`` for :data:`CJK_FAMILIES` (then any family
    whose name contains "CJK"); when none is known, registers the file named by
    ``fc-match -f '%{file}' 'sans-serif:lang=zh-cn'`` with ``fontManager.addfont``.
    """
    manager = font_manager.fontManager
    found = _find_cjk(manager)
    if found is None:
        path = _fc_match_zh()
        if path is not None:
            manager.addfont(path)
            found = _find_cjk(manager)
    return found


def chart_rc(language: str = "en") -> dict[str, object]:
    """Return matplotlib ``rc`` settings for report charts in ``language``."""
    rc: dict[str, object] = {
        "figure.dpi": DPI,
        "savefig.dpi": DPI,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 11,
        "axes.labelsize": 9,
        "xtick.labelsize": 8,
        "ytick.labelsize": 8,
        "legend.fontsize": 8,
    }
    family = cjk_font_family()
    if family is not None:
        # Client strings (criteria, method names) may be Chinese in an English report too:
        # the CJK family is always in the list, first for Chinese reports.
        both = [family, "DejaVu Sans"]
        rc["font.family"] = both if language == "zh" else both[::-1]
        rc["axes.unicode_minus"] = False
    return rc


def new_figure(language: str = "en", *, size: tuple[float, float] = (8.0, 4.0)) -> Figure:
    """Create a figure whose text uses the fonts of ``language`` (no pyplot, no global state)."""
    with matplotlib.rc_context(chart_rc(language)):
        return Figure(figsize=size, layout="constrained")


def render_png(fig: Figure, language: str = "en") -> bytes:
    """Render ``fig`` to PNG bytes with the fonts of ``language``."""
    buffer = io.BytesIO()
    with matplotlib.rc_context(chart_rc(language)):
        fig.savefig(buffer, format="png")
    return buffer.getvalue()


def pareto_lorenz_chart(
    abc_curve: pd.DataFrame,
    lorenz_curve: pd.DataFrame,
    *,
    gini: float,
    cutoffs: Sequence[float] = (0.8, 0.95),
    language: str = "en",
) -> Figure:
    """Pareto (ABC) curve and Lorenz curve of one value, side by side.

    Parameters
    ----------
    abc_curve, lorenz_curve : DataFrame
        Columns ``customer_share`` and ``value_share`` from :func:`abclab.compare.lorenz`
        with ``kind="abc"`` (largest first) and ``kind="lorenz"`` (smallest first).
    gini : float
        From :func:`abclab.compare.gini`, shown in the Lorenz title.
    cutoffs : sequence of float
        Cumulative value shares of the ABC cut-offs, drawn as dashed lines.
    """
    x, share_desc = abc_curve["customer_share"], abc_curve["value_share"]
    xl, share_asc = lorenz_curve["customer_share"], lorenz_curve["value_share"]
    with matplotlib.rc_context(chart_rc(language)):
        fig = Figure(figsize=(9.0, 3.8), layout="constrained")
        left, right = fig.subplots(1, 2)
        left.plot(x, share_desc, color=TIER_COLOURS[1])
        for cut, colour in zip(cutoffs, TIER_COLOURS, strict=False):
            left.axhline(cut, color=colour, linestyle="--", linewidth=0.8)
            left.annotate(f"{cut:.0%}", (1.0, cut), ha="right", va="bottom", fontsize=8)
        left.set(
            title=text("chart.pareto_title", language),
            xlabel=text("chart.cum_customers", language),
            ylabel=text("chart.cum_value", language),
            xlim=(0, 1),
            ylim=(0, 1.02),
        )
        right.plot(xl, share_asc, color=TIER_COLOURS[0])
        right.plot(
            [0, 1], [0, 1], color="grey", linestyle=":", label=text("chart.equality", language)
        )
        right.fill_between(xl, share_asc, xl, color=TIER_COLOURS[0], alpha=0.15)
        right.set(
            title=text("chart.lorenz_title", language, gini=gini),
            xlabel=text("chart.cum_customers", language),
            ylabel=text("chart.cum_value", language),
            xlim=(0, 1),
            ylim=(0, 1.02),
        )
        right.legend(loc="upper left")
    return fig


def agreement_heatmap(kappa: pd.DataFrame, *, language: str = "en") -> Figure:
    """Heat map of Cohen's κ between every pair of methods (square frame, method × method)."""
    size = max(4.0, 0.7 * len(kappa) + 2.5)
    with matplotlib.rc_context(chart_rc(language)):
        fig = Figure(figsize=(size, size * 0.85), layout="constrained")
        ax = fig.subplots()
        values = kappa.to_numpy(dtype=float)
        image = ax.imshow(values, vmin=-1, vmax=1, cmap="RdBu")
        ax.set_xticks(
            range(len(kappa.columns)), [str(c) for c in kappa.columns], rotation=45, ha="right"
        )
        ax.set_yticks(range(len(kappa.index)), [str(i) for i in kappa.index])
        for (i, j), value in np.ndenumerate(values):
            if np.isfinite(value):
                colour = "white" if abs(value) > 0.6 else "black"
                ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=8, color=colour)
        ax.set_title(text("chart.kappa_title", language))
        ax.spines[:].set_visible(False)
        fig.colorbar(image, ax=ax, shrink=0.8)
    return fig


def value_potential_scatter(
    value: pd.Series,
    potential: pd.Series,
    tiers: pd.Series,
    *,
    method: str,
    language: str = "en",
    seed: int = 0,
) -> Figure:
    """Scatter of value against potential, one colour per tier; dashed lines at the medians.

    Beyond :data:`MAX_POINTS` customers a seeded random sample is drawn (the tier colours and
    axes are unchanged; the full table is in the Excel workbook).
    """
    frame = pd.DataFrame({"value": value, "potential": potential, "tier": tiers}).dropna()
    frame = _sample(frame, seed=seed)
    with matplotlib.rc_context(chart_rc(language)):
        fig = Figure(figsize=(6.0, 4.6), layout="constrained")
        ax = fig.subplots()
        _scatter_by_tier(ax, frame, "value", "potential", tiers)
        positive = frame["value"] > 0
        if positive.all() and frame["value"].max() > 100 * frame["value"].min():
            ax.set_xscale("log")  # money is log-normal: a linear axis squeezes most customers
        for axis_line, column in ((ax.axvline, "value"), (ax.axhline, "potential")):
            axis_line(frame[column].median(), color="0.5", linewidth=0.8, linestyle="--")
        ax.set(
            title=text("chart.vp_title", language, method=method),
            xlabel=text("chart.value", language),
            ylabel=text("chart.potential", language),
        )
        ax.legend(title=text("col.tier", language))
    return fig


def _scatter_by_tier(ax: Axes, frame: pd.DataFrame, x: str, y: str, tiers: pd.Series) -> None:
    """One scatter layer per tier of ``frame["tier"]``, in the tier colours, for the legend."""
    for tier, colour in _tier_colours(tiers).items():
        part = frame[frame["tier"] == tier]
        ax.scatter(
            part[x],
            part[y],
            s=10,
            color=colour,
            label=str(tier),
            alpha=0.7,
            linewidths=0,
            rasterized=True,
        )


def cluster_projection(
    criteria: pd.DataFrame, tiers: pd.Series, *, language: str = "en", seed: int = 0
) -> Figure:
    """Customers on the first two principal components of the standardised criteria.

    PCA by singular value decomposition of the z-scored criteria (constant criteria dropped);
    axis labels give the share of variance of each component. Coloured by ``tiers``.
    """
    numeric = criteria.select_dtypes("number").dropna()
    numeric = numeric.loc[:, numeric.std(ddof=0) > 0]
    if numeric.shape[1] < 2:
        raise ValueError(
            f"cluster_projection needs at least 2 non-constant numeric criteria, got {list(numeric.columns)}"
        )
    z = (numeric - numeric.mean()) / numeric.std(ddof=0)
    _, s, vt = np.linalg.svd(z.to_numpy(dtype=float), full_matrices=False)
    explained = s**2 / np.sum(s**2)
    coords = pd.DataFrame(z.to_numpy() @ vt[:2].T, index=z.index, columns=["pc1", "pc2"])
    coords["tier"] = tiers.reindex(coords.index)
    coords = _sample(coords.dropna(), seed=seed)
    with matplotlib.rc_context(chart_rc(language)):
        fig = Figure(figsize=(6.0, 4.6), layout="constrained")
        ax = fig.subplots()
        _scatter_by_tier(ax, coords, "pc1", "pc2", tiers)
        ax.set(
            title=text("chart.pca_title", language),
            xlabel=text("chart.pc", language, n=1, share=explained[0]),
            ylabel=text("chart.pc", language, n=2, share=explained[1]),
        )
        ax.legend(title=text("chart.cluster", language))
    return fig


def stability_chart(stability: pd.Series, tiers: pd.Series, *, language: str = "en") -> Figure:
    """Histogram of per-customer class stability (share of simulations in the base class), per tier."""
    frame = pd.DataFrame({"stability": stability, "tier": tiers.reindex(stability.index)}).dropna()
    bins = np.linspace(0.0, 1.0, 21)
    with matplotlib.rc_context(chart_rc(language)):
        fig = Figure(figsize=(7.0, 3.6), layout="constrained")
        ax = fig.subplots()
        colours = _tier_colours(tiers)
        data = [frame.loc[frame["tier"] == t, "stability"].to_numpy(float) for t in colours]
        ax.hist(
            data,
            bins=bins,
            stacked=True,
            color=list(colours.values()),
            label=[str(t) for t in colours],
        )
        ax.set(
            title=text("chart.stability_title", language),
            xlabel=text("chart.stability", language),
            ylabel=text("chart.n_customers", language),
            xlim=(0, 1),
        )
        ax.legend(title=text("col.tier", language))
    return fig


def weights_chart(weights: pd.DataFrame, *, language: str = "en") -> Figure:
    """Grouped bars: one group per criterion, one bar per weighting method (columns)."""
    labels = column_labels(weights.columns, language)
    n_crit, n_meth = weights.shape
    width = 0.8 / max(n_meth, 1)
    with matplotlib.rc_context(chart_rc(language)):
        fig = Figure(figsize=(max(6.0, 0.9 * n_crit + 3), 3.8), layout="constrained")
        ax = fig.subplots()
        x = np.arange(n_crit)
        for k, column in enumerate(weights.columns):
            ax.bar(
                x + (k - (n_meth - 1) / 2) * width,
                weights[column].to_numpy(float),
                width,
                label=labels[column],
                color=TIER_COLOURS[k % len(TIER_COLOURS)],
            )
        ax.set_xticks(x, [str(i) for i in weights.index], rotation=30, ha="right")
        ax.set(title=text("chart.weights_title", language), ylabel=text("chart.weight", language))
        ax.legend()
    return fig


def migration_heatmap(matrix: pd.DataFrame, *, language: str = "en") -> Figure:
    """Heat map of customer counts moving from the previous tier (rows) to the current (columns)."""
    values = matrix.to_numpy(dtype=float)
    with matplotlib.rc_context(chart_rc(language)):
        fig = Figure(figsize=(5.0, 4.2), layout="constrained")
        ax = fig.subplots()
        image = ax.imshow(values, cmap="Blues")
        ax.set_xticks(range(matrix.shape[1]), [str(c) for c in matrix.columns])
        ax.set_yticks(range(matrix.shape[0]), [str(i) for i in matrix.index])
        top = np.nanmax(values) if values.size else 0.0
        for (i, j), value in np.ndenumerate(values):
            colour = "white" if top and value > 0.6 * top else "black"
            ax.text(j, i, f"{value:g}", ha="center", va="center", fontsize=9, color=colour)
        ax.set(
            title=text("chart.migration_title", language),
            xlabel=text("chart.current", language),
            ylabel=text("chart.previous", language),
        )
        ax.spines[:].set_visible(False)
        fig.colorbar(image, ax=ax, shrink=0.8)
    return fig


def tier_colour(tier: object, position: int = 0) -> str:
    """The colour of a tier, the same in every chart: A, B, C and the other named tiers have
    fixed colours (:data:`FIXED_TIER_COLOURS`); other tiers take :data:`TIER_COLOURS` by
    position."""
    fixed = FIXED_TIER_COLOURS.get(str(tier))
    return fixed or TIER_COLOURS[position % len(TIER_COLOURS)]


def tier_share_chart(
    summary: pd.DataFrame, *, names: Mapping[str, str], language: str = "en"
) -> Figure:
    """Share of customers and share of value per tier (one row of bars per tier).

    ``summary`` has ``tier``, ``count_share`` and ``value_share`` (a method's summary table
    without its total row); ``names`` maps a tier to its display name.
    """
    frame = summary.reset_index(drop=True)
    n = len(frame)
    with matplotlib.rc_context(chart_rc(language)):
        fig = Figure(figsize=(7.0, 0.55 * n + 1.1), layout="constrained")
        ax = fig.subplots()
        y = np.arange(n)
        colours = [tier_colour(t, k) for k, t in enumerate(frame["tier"])]
        customers = frame["count_share"].to_numpy(float)
        values = frame["value_share"].to_numpy(float)
        ax.barh(y + 0.2, customers, 0.38, color=colours, alpha=0.45,
                label=text("chart.customer_share", language))  # fmt: skip
        ax.barh(y - 0.2, values, 0.38, color=colours,
                label=text("chart.value_share", language))  # fmt: skip
        for k in range(n):
            ax.text(customers[k] + 0.01, y[k] + 0.2, f"{customers[k]:.0%}", va="center", fontsize=8)
            ax.text(values[k] + 0.01, y[k] - 0.2, f"{values[k]:.0%}", va="center", fontsize=8)
        ax.set_yticks(y, [names.get(str(t), str(t)) for t in frame["tier"]])
        ax.invert_yaxis()
        ax.set_xlim(0, 1.08)
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_title(text("chart.tier_share_title", language))
        ax.legend(loc="lower right", frameon=False)
    return fig


def _tier_colours(tiers: pd.Series) -> Mapping[object, str]:
    if isinstance(tiers.dtype, pd.CategoricalDtype):
        order = list(tiers.cat.categories)
    else:
        order = sorted(tiers.dropna().unique(), key=str)
    return {t: tier_colour(t, k) for k, t in enumerate(order)}


def _sample(frame: pd.DataFrame, *, seed: int) -> pd.DataFrame:
    if len(frame) <= MAX_POINTS:
        return frame
    return frame.sample(n=MAX_POINTS, random_state=seed)


def _find_cjk(manager: font_manager.FontManager) -> str | None:
    names = {entry.name for entry in manager.ttflist}
    for family in CJK_FAMILIES:
        if family in names:
            return family
    return next((n for n in sorted(names) if "CJK" in n), None)


def _fc_match_zh() -> str | None:
    exe = shutil.which("fc-match")
    if exe is None:
        return None
    try:
        out = subprocess.run(
            [exe, "-f", "%{file}", "sans-serif:lang=zh-cn"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return out if out and Path(out).is_file() else None
