"""The judgement editor: one Saaty slider per pair, live weights, consistency and tier shift.

Built from plain ipywidgets (sliders, buttons, HTML panels), so it needs no front-end
extension beyond the one ``ipywidgets`` ships, and runs headless: widgets are traitlets
objects that can be created and changed without a kernel (tests do exactly that). Every
number comes from :mod:`abclab.ahp` (weights, λmax, CI, CR, the repair table),
:mod:`abclab.scoring` (indicator scores) and :mod:`abclab.classify` (count-share tiers).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from html import escape
from itertools import combinations
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import numpy as np
import pandas as pd
import yaml

from abclab import ahp, classify, scoring
from abclab.exceptions import InputDataError, JudgementError
from abclab.lab import _view
from abclab.lab._scale import TEXT, check_language, phrase, scale_value, slider_options

Pair = tuple[str, str]


class JudgementEditor:
    """Interactive AHP judgement editor (ipywidgets) for teaching and client workshops.

    Parameters
    ----------
    criteria : sequence of str
        At least two distinct criterion names; one slider per pair ``(a, b)`` in this order.
    judgements : dict or DataFrame, optional
        Starting judgements: ``{("a", "b"): 3}``, the study form ``{"a > b": 3, "b < c": 2,
        "a = c": 1}`` or a labelled pairwise matrix. Values are numbers, fraction strings or
        verbal labels on Saaty's scale (1/9 ... 9); pairs not given (and missing matrix cells)
        start at 1 (equal).
    ri_table : str
        Random Index table for CR (:data:`abclab.ahp.RANDOM_INDEX`).
    language : {"en", "zh"}
        Language of the slider labels and the panels.
    customers : DataFrame, optional
        One row per customer with a column per criterion. Given, the editor shows the live
        tier shift: customers tiered by count shares of the weighted score, with the starting
        judgements ("before") against the current ones ("now").
    method : str
        AHP weight method (``"eigenvector"``, ``"geometric_mean"``, ``"column_mean"``).
    threshold : float, optional
        CR threshold (default Saaty's 0.05 / 0.08 / 0.10 by n, see :func:`abclab.ahp.weights`).
    tier_shares : sequence of float
        Count shares of the tiers, best first (default A/B/C = 20/30/50 %).
    normalise : str or dict
        Indicator-score normalisation of the customers' criteria (:func:`abclab.scoring.score`).
    expert : str
        Expert name used by :meth:`to_yaml`.

    Attributes
    ----------
    result : AHPResult
        Weights and consistency of the current judgements (recomputed on every change).
    repairs : DataFrame
        :func:`abclab.ahp.repair_suggestions` of the current judgements.
    widget : ipywidgets.VBox
        The editor (displaying the editor displays it).

    Examples
    --------
    >>> ed = JudgementEditor(["spend", "margin", "tenure"], judgements={"spend > margin": 3})
    >>> round(ed.result.cr, 3), ed.judgements[("spend", "tenure")]  # unjudged pairs start at 1
    (0.117, 1.0)
    >>> ed.set_judgement("spend", "tenure", 6)
    >>> ed.set_judgement("tenure", "margin", "1/2")
    >>> [round(float(w), 3) for w in ed.result.weights], round(ed.result.cr, 6)
    ([0.667, 0.222, 0.111], 0.0)
    """

    def __init__(
        self,
        criteria: Sequence[str],
        *,
        judgements: Mapping[Any, Any] | pd.DataFrame | None = None,
        ri_table: str = "saaty1980",
        language: str = "en",
        customers: pd.DataFrame | None = None,
        method: str = "eigenvector",
        threshold: float | None = None,
        tier_shares: Sequence[float] = (0.2, 0.3, 0.5),
        normalise: str | Mapping[str, Any] = "minmax",
        expert: str = "expert",
    ) -> None:
        self.criteria = _check_criteria(criteria)
        self.language = check_language(language)
        ahp.random_index(len(self.criteria), ri_table)  # unknown table -> JudgementError
        if method not in ahp.METHODS:
            raise JudgementError(f"method={method!r} is unknown; choose one of {list(ahp.METHODS)}")
        self.ri_table, self.method, self.threshold = ri_table, method, threshold
        self.expert = str(expert)
        self.pairs: list[Pair] = list(combinations(self.criteria, 2))
        self._initial = self._read_judgements(judgements)
        self.tier_shares = tuple(float(s) for s in tier_shares)
        self._indicator = self._indicator_scores(customers, normalise)
        self._callbacks: list[Callable[[JudgementEditor], None]] = []
        self._hold = False
        self._build_widgets()
        self.base_tiers = self._tiers(self._compute(self._initial).weights)
        self._update()

    # ------------------------------------------------------------------ inputs

    def _read_judgements(self, judgements: Any) -> dict[Pair, float]:
        values = dict.fromkeys(self.pairs, 1.0)
        if judgements is None:
            return values
        if isinstance(judgements, pd.DataFrame):
            items = [
                ((a, b), judgements.loc[a, b])
                for a, b in self.pairs
                if a in judgements.index
                and b in judgements.columns
                and pd.notna(judgements.loc[a, b])
            ]
        elif isinstance(judgements, Mapping):
            items = [(_key(k), v) for k, v in judgements.items()]
        else:
            raise JudgementError(
                f"judgements: expected a dict or a DataFrame, got {type(judgements).__name__}"
            )
        for (a, b), raw in items:
            pair, value = self._oriented(a, b, raw)
            values[pair] = value
        return values

    def _oriented(self, a: Hashable, b: Hashable, raw: Any) -> tuple[Pair, float]:
        for name in (a, b):
            if name not in self.criteria:
                raise JudgementError(
                    f"judgement ({a!r}, {b!r}): {name!r} is not one of the criteria {self.criteria}"
                )
        if a == b:
            raise JudgementError(
                f"judgement ({a!r}, {b!r}): a criterion cannot be compared with itself"
            )
        value = scale_value(raw, where=f"judgement ({a!r}, {b!r})")
        if (a, b) in self.pairs:
            return (str(a), str(b)), value
        return (str(b), str(a)), scale_value(1.0 / value, where=f"judgement ({b!r}, {a!r})")

    def _indicator_scores(self, customers: Any, normalise: Any) -> pd.DataFrame | None:
        if customers is None:
            return None
        if not isinstance(customers, pd.DataFrame):
            raise InputDataError(f"customers: expected a DataFrame, got {type(customers).__name__}")
        missing = [c for c in self.criteria if c not in customers.columns]
        if missing:
            raise InputDataError(
                f"customers: no column for criteria {missing} (columns: {list(customers.columns)})"
            )
        spec = (
            normalise if isinstance(normalise, Mapping) else dict.fromkeys(self.criteria, normalise)
        )
        equal = dict.fromkeys(self.criteria, 1 / len(self.criteria))
        return scoring.score(customers, equal, criteria=spec).indicator_scores[self.criteria]

    # ------------------------------------------------------------------ widgets

    def _build_widgets(self) -> None:
        t = TEXT[self.language]
        options = slider_options(self.language)
        self.sliders: dict[Pair, widgets.SelectionSlider] = {}
        self._phrases: dict[Pair, widgets.HTML] = {}
        rows = []
        name_width = f"{max(len(c) for c in self.criteria) + 2}ch"
        for a, b in self.pairs:
            slider = widgets.SelectionSlider(
                options=options,
                value=self._initial[(a, b)],
                description="",
                readout=False,
                continuous_update=True,
                layout=widgets.Layout(width="320px"),
            )
            slider.observe(self._on_slider, names="value")
            self.sliders[(a, b)] = slider
            self._phrases[(a, b)] = widgets.HTML()
            left = widgets.HTML(f"<b>{_esc(a)}</b>", layout=widgets.Layout(width=name_width))
            left.style.text_align = "right"
            right = widgets.HTML(f"<b>{_esc(b)}</b>", layout=widgets.Layout(width=name_width))
            rows.append(widgets.HBox([left, slider, right, self._phrases[(a, b)]]))
        self._apply_button = widgets.Button(description=t["apply"], icon="wrench")
        self._apply_button.on_click(lambda _: self.apply_suggestion())
        self._reset_button = widgets.Button(description=t["reset"], icon="undo")
        self._reset_button.on_click(lambda _: self.reset())
        self._weights_html = widgets.HTML(layout=widgets.Layout(margin="0 32px 0 0"))
        self._consistency_html = widgets.HTML()
        self._worst_html = widgets.HTML()
        self._tiers_html = widgets.HTML()
        panels = [
            widgets.HTML(f"<h4>{_esc(t['title'])}</h4>"),
            widgets.VBox(rows),
            widgets.HBox([self._apply_button, self._reset_button]),
            widgets.HBox([self._weights_html, self._consistency_html]),
            self._worst_html,
        ]
        if self._indicator is not None:
            panels.append(self._tiers_html)
        self.widget = widgets.VBox(panels)

    def _on_slider(self, _change: dict) -> None:
        if not self._hold:
            self._update()

    # ------------------------------------------------------------------ computation

    def _compute(self, values: Mapping[Pair, float]) -> ahp.AHPResult:
        matrix = ahp.pairwise_matrix(dict(values), criteria=self.criteria)
        return ahp.weights(
            matrix, method=self.method, ri_table=self.ri_table, threshold=self.threshold, warn=False
        )

    def _tiers(self, weights: pd.Series) -> pd.Series | None:
        if self._indicator is None:
            return None
        score = pd.Series(
            self._indicator.to_numpy() @ weights[self.criteria].to_numpy(),
            index=self._indicator.index,
            name="score",
        )
        return classify.shares(
            score, shares=self.tier_shares, labels=_tier_labels(self.tier_shares)
        )

    def _update(self) -> None:
        values = self.judgements
        self.result = self._compute(values)
        self.repairs = ahp.repair_suggestions(self.result)
        self.tiers = self._tiers(self.result.weights)
        for (a, b), value in values.items():
            self._phrases[(a, b)].value = _esc(phrase(a, b, value, self.language))
        self._weights_html.value = _view.weights_html(self.result, self.language)
        self._consistency_html.value = _view.consistency_html(self.result, self.language)
        self._worst_html.value = _view.worst_html(
            self.repairs, self.result.consistent, self.language
        )
        if self.tiers is not None:
            self._tiers_html.value = _view.tiers_html(
                self.tier_counts, self.tier_shift, self.moved, self.tier_shares, self.language
            )
        for callback in self._callbacks:
            callback(self)

    # ------------------------------------------------------------------ public API

    @property
    def judgements(self) -> dict[Pair, float]:
        """Current judgements ``{(a, b): a_ab}`` for every pair, in criteria order."""
        return {pair: float(slider.value) for pair, slider in self.sliders.items()}

    @property
    def matrix(self) -> pd.DataFrame:
        """Current reciprocal pairwise matrix."""
        return self.result.matrix

    def set_judgement(self, a: str, b: str, value: Any) -> None:
        """Set "a is ``value`` times as important as b" (either order; 1/9 ... 9, fraction
        strings and verbal labels accepted) and recompute everything."""
        pair, v = self._oriented(a, b, value)
        self.sliders[pair].value = v  # the slider's observer recomputes

    def set_judgements(self, judgements: Mapping[Any, Any]) -> None:
        """Set several judgements (same forms as the constructor), recomputing once."""
        parsed = [self._oriented(*_key(k), v) for k, v in judgements.items()]
        self._batch(dict(parsed))

    def apply_suggestion(self) -> None:
        """Set the most inconsistent judgement to its suggested scale value."""
        top = self.repairs.iloc[0]
        self.set_judgement(top["row"], top["column"], float(top["suggested_value"]))

    def reset(self) -> None:
        """Back to the starting judgements."""
        self._batch(self._initial)

    def on_change(self, callback: Callable[[JudgementEditor], None]) -> None:
        """Call ``callback(editor)`` after every recomputation."""
        self._callbacks.append(callback)

    def _batch(self, values: Mapping[Pair, float]) -> None:
        self._hold = True
        try:
            for pair, v in values.items():
                self.sliders[pair].value = v
        finally:
            self._hold = False
        self._update()

    @property
    def tier_counts(self) -> pd.DataFrame | None:
        """Per tier: customers ``before`` (starting judgements) and ``now``, and their shares
        (count shares keep the sizes up to ties; :attr:`tier_shift` shows who moved)."""
        if self.tiers is None or self.base_tiers is None:
            return None
        before = self.base_tiers.value_counts(sort=False)
        now = self.tiers.value_counts(sort=False)
        n = max(len(self.tiers), 1)
        return pd.DataFrame(
            {"before": before, "now": now, "share_before": before / n, "share_now": now / n}
        ).rename_axis("tier")

    @property
    def tier_shift(self) -> pd.DataFrame | None:
        """Customers by tier under the starting judgements (rows, ``before``) and now (columns);
        off-diagonal cells are the customers that changed tier."""
        if self.tiers is None or self.base_tiers is None:
            return None
        labels = list(self.tiers.cat.categories)
        table = pd.crosstab(self.base_tiers.rename("before"), self.tiers.rename("now"))
        return table.reindex(index=labels, columns=labels, fill_value=0)

    @property
    def moved(self) -> int:
        """Number of customers whose tier differs from their tier under the starting judgements."""
        if self.tiers is None or self.base_tiers is None:
            return 0
        return int((self.tiers.astype(str) != self.base_tiers.astype(str)).sum())

    def to_dict(self, expert: str | None = None) -> dict[str, Any]:
        """The study's ``weights`` block: ``{"weights": {"ahp": {"method": ..., "ri_table": ...,
        "experts": {expert: {"judgements": {"a > b": 3, ...}}}}}}``."""
        written: dict[str, int] = {}
        for (a, b), v in self.judgements.items():
            if np.isclose(v, 1.0):
                written[f"{a} = {b}"] = 1
            elif v > 1:
                written[f"{a} > {b}"] = round(v)
            else:
                written[f"{a} < {b}"] = round(1 / v)
        name = self.expert if expert is None else str(expert)
        block = {"method": self.method, "ri_table": self.ri_table}
        return {"weights": {"ahp": {**block, "experts": {name: {"judgements": written}}}}}

    def to_yaml(self, path: str | Path | None = None, *, expert: str | None = None) -> str:
        """The ``weights:`` block as YAML (what :func:`abclab.study.study_from_dict` reads);
        written to ``path`` as well when given."""
        text = yaml.safe_dump(
            self.to_dict(expert), sort_keys=False, allow_unicode=True, default_flow_style=False
        )
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    @classmethod
    def from_study(cls, study: Any, *, expert: int | str = 0, **kwargs: Any) -> JudgementEditor:
        """An editor on one expert's judgements of a loaded study (:func:`abclab.study.load_study`);
        ``kwargs`` as in the constructor (language, ri_table and method default to the study's)."""
        spec = getattr(getattr(study, "weights", None), "ahp", None)
        if spec is None:
            raise JudgementError("the study has no AHP judgements (weights.ahp)")
        judged = spec.experts[expert]
        kwargs.setdefault("ri_table", spec.ri_table)
        kwargs.setdefault("method", spec.method)
        kwargs.setdefault("language", getattr(study, "language", "en"))
        kwargs.setdefault("expert", judged.name)
        return cls(list(judged.matrix.index), judgements=judged.matrix, **kwargs)

    # ------------------------------------------------------------------ display

    def snapshot_html(self) -> str:
        """The panels as static HTML (shown where widgets cannot render, e.g. an HTML export)."""
        parts = [
            self._weights_html.value,
            self._consistency_html.value,
            self._worst_html.value,
        ]
        if self.tiers is not None:
            parts.append(self._tiers_html.value)
        return "".join(f"<div>{p}</div>" for p in parts)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = dict(self.widget._repr_mimebundle_(**kwargs))
        bundle["text/html"] = self.snapshot_html()
        bundle["text/plain"] = repr(self)
        return bundle

    def __repr__(self) -> str:
        weights = ", ".join(f"{c}={w:.3f}" for c, w in self.result.weights.items())
        return f"JudgementEditor({weights}; CR={self.result.cr:.3f})"


def _check_criteria(criteria: Sequence[str]) -> list[str]:
    if isinstance(criteria, str) or not isinstance(criteria, Sequence | pd.Index):
        raise JudgementError(f"criteria: expected a list of names, got {criteria!r}")
    names = [str(c) for c in criteria]
    if len(names) < 2:
        raise JudgementError(f"criteria: expected at least two criteria, got {names}")
    if len(set(names)) != len(names):
        raise JudgementError(f"criteria: names must be distinct, got {names}")
    return names


def _key(key: Any) -> tuple[Hashable, Hashable]:
    """``("a", "b")`` or ``"a > b"`` -> ``(a, b)`` with the value meaning a over b."""
    if isinstance(key, tuple) and len(key) == 2:
        return key
    if isinstance(key, str):
        a, b, flipped = ahp.parse_pair(key)
        return (b, a) if flipped else (a, b)
    raise JudgementError(f"judgement key {key!r}: expected a pair (a, b) or 'a > b'")


def _tier_labels(shares: Sequence[float]) -> tuple[str, ...]:
    return tuple("ABCDEFGHIJ"[: len(shares)])


def _esc(text: str) -> str:
    return escape(text)
