"""scikit-learn style estimators: learn class thresholds on one period, apply them to another."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from abclab.classify._common import as_values, codes_from_thresholds, tier_series
from abclab.classify._computed import computed_abc_kernel, computed_codes, validate_computed
from abclab.classify._pareto import pareto, shares


class _ThresholdABC:
    """Shared ``predict`` / ``fit_predict`` for estimators that learn value thresholds."""

    labels: Sequence[str]
    _method_name = "abc"

    def _check_fitted(self) -> None:
        if not hasattr(self, "cut_points_"):
            raise AttributeError(
                f"This {type(self).__name__} instance is not fitted yet; call fit(values) first."
            )

    def predict(self, values: Any) -> pd.Series:
        """Classify ``values`` with the thresholds learnt by ``fit`` (``value >= threshold``)."""
        self._check_fitted()
        x, index, _ = as_values(values)
        codes = codes_from_thresholds(x, self.thresholds_)
        return tier_series(codes, self.classes_, index, self._method_name, dict(self.cut_points_))

    def fit_predict(self, values: Any) -> pd.Series:
        """``fit(values)`` then ``predict(values)``."""
        return self.fit(values).predict(values)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Constructor parameters (scikit-learn convention)."""
        return {name: getattr(self, name) for name in self._param_names}

    def set_params(self, **params: Any) -> _ThresholdABC:
        """Set constructor parameters (scikit-learn convention)."""
        for name, value in params.items():
            if name not in self._param_names:
                raise ValueError(f"Invalid parameter {name!r} for {type(self).__name__}")
            setattr(self, name, value)
        return self

    def _store(self, tiers: pd.Series) -> None:
        cut = tiers.attrs["cut_points"]
        self.classes_ = tuple(tiers.cat.categories)
        self.cut_points_ = dict(cut)
        self.thresholds_ = np.array([cut[k] for k in self.classes_[:-1]], dtype=float)
        self.n_features_in_ = 1


class ParetoABC(_ThresholdABC):
    """Pareto ABC whose value thresholds are learnt on one period and applied to another.

    Parameters
    ----------
    cutoffs : sequence of float
        Cumulative value shares, see :func:`abclab.classify.pareto`.
    labels : sequence of str
        Class labels, best first.

    Attributes
    ----------
    cut_points_ : dict
        Label → value threshold learnt by ``fit`` (``value >= threshold`` → that class or better).
    thresholds_ : ndarray
        The same thresholds as an array, best class first.
    classes_ : tuple of str

    Examples
    --------
    >>> est = ParetoABC().fit([50, 30, 10, 6, 4])
    >>> est.cut_points_
    {'A': 30.0, 'B': 6.0}
    >>> est.predict([40, 7, 1]).tolist()
    ['A', 'B', 'C']
    """

    _param_names = ("cutoffs", "labels")
    _method_name = "pareto"

    def __init__(
        self, cutoffs: Sequence[float] = (0.8, 0.95), labels: Sequence[str] = ("A", "B", "C")
    ):
        self.cutoffs = cutoffs
        self.labels = labels

    def fit(self, values: Any, y: Any = None) -> ParetoABC:
        """Learn the value thresholds from ``values`` (validated as in :func:`pareto`)."""
        self._store(pareto(values, cutoffs=self.cutoffs, labels=self.labels))
        return self


class ShareABC(_ThresholdABC):
    """Count-share ABC (e.g. top 20 % = A) with thresholds learnt on one period.

    Parameters
    ----------
    shares : sequence of float
        Count shares, best first, summing to 1; see :func:`abclab.classify.shares`.
    labels : sequence of str

    Attributes
    ----------
    cut_points_, thresholds_, classes_
        As in :class:`ParetoABC`.
    """

    _param_names = ("shares", "labels")
    _method_name = "shares"

    def __init__(
        self, shares: Sequence[float] = (0.2, 0.3, 0.5), labels: Sequence[str] = ("A", "B", "C")
    ):
        self.shares = shares
        self.labels = labels

    def fit(self, values: Any, y: Any = None) -> ShareABC:
        """Learn the value thresholds from ``values``."""
        self._store(shares(values, shares=self.shares, labels=self.labels))
        return self


class ComputedABC(_ThresholdABC):
    """Computed ABC (Ultsch & Lötsch 2015) with limits learnt on one period.

    Attributes
    ----------
    cut_points_ : dict
        ``{"A": ab_limit, "B": bc_limit}``; A is ``value > ab_limit`` (strict), B is
        ``bc_limit <= value <= ab_limit``, as in :func:`abclab.classify.computed_abc`.
    curve_ : ABCCurve
    """

    _param_names = ()
    _method_name = "computed_abc"

    def fit(self, values: Any, y: Any = None) -> ComputedABC:
        """Learn the A|B and B|C limits from ``values``."""
        x, _ = validate_computed(values)
        self.curve_ = computed_abc_kernel(x)
        self.classes_ = ("A", "B", "C")
        self.cut_points_ = {"A": self.curve_.ab_limit, "B": self.curve_.bc_limit}
        self.thresholds_ = np.array([self.curve_.ab_limit, self.curve_.bc_limit])
        self.n_features_in_ = 1
        return self

    def predict(self, values: Any) -> pd.Series:
        """Classify ``values`` with the learnt limits."""
        self._check_fitted()
        x, index, _ = as_values(values)
        codes = computed_codes(x, *self.thresholds_)
        return tier_series(codes, self.classes_, index, "computed_abc", dict(self.cut_points_))
