"""Indicator normalisation (0–100) and weighted scoring.

Each criterion is turned into an *indicator score* on 0–100 by :func:`normalise`, then the
indicator scores are combined with weights by :func:`score` (source 003 step 五:
综合得分 = Σ 指标得分 × 指标权重).

Conventions (stated once, used everywhere in this module)
---------------------------------------------------------
* ``minmax``      ``100 (x - min) / (max - min)``; cost: ``100 (max - x) / (max - min)``.
  A constant column (max == min) gets **100 for every row** (every row reaches the best value
  observed) and a :class:`~abclab.exceptions.DataQualityWarning`.
* ``max``         ``100 x / max`` (x ≥ 0); cost: ``100 min / x`` (x > 0).
* ``percentile``  ``100 (r - 1) / (n - 1)`` with ``r`` the average rank (ties share their mean
  rank), so the lowest value gets 0 and the highest 100; cost reverses the ranks; ``n == 1`` → 100.
* ``zscore``      the T-score ``50 + 10 z`` with ``z = (x - mean) / std`` (population std,
  ``ddof=0``), clipped to [0, 100]; cost uses ``-z``. A constant column gives 50 and a warning.
* ``bands``       piecewise table of half-open intervals ``[lower, upper) → score`` (source 003:
  年消费额 ≥ 1000万 → 100, 500–1000万 → 80, < 500万 → 60). Every value must fall in exactly one
  band; ``lower=None`` / ``upper=None`` mean −∞ / +∞. The bands give scores directly, so
  ``direction`` must stay ``"benefit"``.

Missing values are an error naming the rows (use :mod:`abclab.cleaning` first, or
:func:`abclab.classify.abcd` to put such customers in class D).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from abclab._normalise import minmax_kernel
from abclab._validation import finite_floats
from abclab.exceptions import DataQualityWarning, InputDataError

__all__ = [
    "SOURCE003_BANDS",
    "SOURCE003_WEIGHTS",
    "ScoreResult",
    "normalise",
    "score",
]

Method = Literal["minmax", "max", "percentile", "zscore", "bands"]
Direction = Literal["benefit", "cost"]

_METHODS = ("minmax", "max", "percentile", "zscore", "bands")
_DIRECTIONS = ("benefit", "cost")

#: Indicator bands consistent with source 003 template (一) (客户分级分类标准表) and its worked
#: example (客户A = 94.5) and template (二) (客户 C2024001 = 100.0). Units: annual spend in yuan
#: (1000万元 = 10_000_000, as :func:`abclab.io.parse_business_numbers` reads "1000万元"), rates as
#: fractions (15 % = 0.15), tenure in years. Intervals are [lower, upper).
#:
#: * ``annual_spend`` is the source's own rule (步骤五): ≥ 1000万 → 100, 500–1000万 → 80,
#:   < 500万 → 60.
#: * ``profit_margin``: template (一) puts ≥ 15 % in the strategic tier (90–100 points),
#:   10–15 % key (75–89), 5–10 % ordinary (60–74), < 5 % potential (< 60). Customer A's 15 %
#:   scores 90 and C2024001's 18 % scores 100, so the strategic tier is split at 18 % (the
#:   smallest margin the source scores 100); the other tiers get the lower end of their range.
#: * ``tenure_years`` and ``cross_purchase_rate`` have no source thresholds; these bands are
#:   ours, chosen to reproduce the source's scores (5 and 6 years → 100; 30 % → 80, 35 % → 100).
SOURCE003_BANDS: dict[str, list[dict[str, float | None]]] = {
    "annual_spend": [
        {"lower": 10_000_000, "upper": None, "score": 100},
        {"lower": 5_000_000, "upper": 10_000_000, "score": 80},
        {"lower": None, "upper": 5_000_000, "score": 60},
    ],
    "profit_margin": [
        {"lower": 0.18, "upper": None, "score": 100},
        {"lower": 0.15, "upper": 0.18, "score": 90},
        {"lower": 0.10, "upper": 0.15, "score": 75},
        {"lower": 0.05, "upper": 0.10, "score": 60},
        {"lower": None, "upper": 0.05, "score": 40},
    ],
    "tenure_years": [
        {"lower": 5, "upper": None, "score": 100},
        {"lower": 3, "upper": 5, "score": 80},
        {"lower": 1, "upper": 3, "score": 60},
        {"lower": None, "upper": 1, "score": 40},
    ],
    "cross_purchase_rate": [
        {"lower": 0.35, "upper": None, "score": 100},
        {"lower": 0.20, "upper": 0.35, "score": 80},
        {"lower": 0.10, "upper": 0.20, "score": 60},
        {"lower": None, "upper": 0.10, "score": 40},
    ],
}

#: Source 003 步骤二 example weights of the customer-value dimension (40/25/20/15 %).
SOURCE003_WEIGHTS: dict[str, float] = {
    "annual_spend": 0.40,
    "profit_margin": 0.25,
    "tenure_years": 0.20,
    "cross_purchase_rate": 0.15,
}


@dataclass(frozen=True)
class ScoreResult:
    """Weighted score of every row.

    Attributes
    ----------
    score : pandas.Series
        Composite score on 0–100, ``Σ_j w_j s_ij`` (name ``"score"``).
    indicator_scores : pandas.DataFrame
        Indicator score ``s_ij`` on 0–100, one column per criterion.
    contributions : pandas.DataFrame
        ``w_j s_ij`` (加权得分); rows sum to ``score``.
    weights : pandas.Series
        The weights used (sum to 1), indexed by criterion.
    """

    score: pd.Series
    indicator_scores: pd.DataFrame
    contributions: pd.DataFrame
    weights: pd.Series

    def to_frame(self) -> pd.DataFrame:
        """Indicator scores, contributions (suffix ``_weighted``) and ``score`` side by side."""
        contrib = self.contributions.add_suffix("_weighted")
        return pd.concat([self.indicator_scores, contrib, self.score], axis=1)


# --------------------------------------------------------------------------- numpy kernels


def _minmax_kernel(x: np.ndarray, cost: bool, out: np.ndarray | None = None) -> np.ndarray:
    """``minmax`` on 0–100: :func:`abclab._normalise.minmax_kernel` (constant column -> 100)."""
    return minmax_kernel(x, cost, scale=100.0, out=out)


def _max_kernel(x: np.ndarray, cost: bool) -> np.ndarray:
    # x / max first: 100 / max overflows for subnormal maxima (hypothesis found 2e-313)
    return 100.0 * (x.min() / x) if cost else 100.0 * (x / x.max())


def _percentile_kernel(x: np.ndarray, cost: bool) -> np.ndarray:
    n = x.size
    if n == 1:
        return np.full(1, 100.0)
    ranks = _average_rank(-x if cost else x)
    return (ranks - 1.0) * (100.0 / (n - 1))


def _average_rank(x: np.ndarray) -> np.ndarray:
    """1-based ranks, ties get their mean rank (like ``scipy.stats.rankdata``)."""
    order = np.argsort(x, kind="stable")
    xs = x[order]
    start = np.r_[True, xs[1:] != xs[:-1]]
    group = np.cumsum(start) - 1
    first = np.flatnonzero(start)
    last = np.r_[first[1:], xs.size] - 1
    mean_rank = (first + last) / 2.0 + 1.0
    ranks = np.empty(x.size)
    ranks[order] = mean_rank[group]
    return ranks


def _zscore_kernel(x: np.ndarray, cost: bool) -> np.ndarray:
    sd = x.std()
    if sd == 0:
        return np.full(x.shape, 50.0)
    z = (x - x.mean()) / sd
    if cost:
        z = -z
    return np.clip(50.0 + 10.0 * z, 0.0, 100.0)


def _bands_kernel(x: np.ndarray, lower: np.ndarray, upper: np.ndarray, scores: np.ndarray):
    """Band index of each value (``-1`` when outside every band) and the scores."""
    order = np.argsort(lower)
    lo, hi, sc = lower[order], upper[order], scores[order]
    idx = np.searchsorted(lo, x, side="right") - 1
    inside = (idx >= 0) & (x < hi[np.clip(idx, 0, None)])
    out = np.where(inside, sc[np.clip(idx, 0, None)], np.nan)
    return out, inside


_KERNELS = {
    "minmax": _minmax_kernel,
    "max": _max_kernel,
    "percentile": _percentile_kernel,
    "zscore": _zscore_kernel,
}


# --------------------------------------------------------------------------- validation


def _as_series(values: Any, name: str) -> pd.Series:
    if isinstance(values, pd.Series):
        return values
    if isinstance(values, pd.DataFrame):
        raise InputDataError(f"{name}: expected one column (Series/array/list), got a DataFrame")
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise InputDataError(f"{name}: expected a 1-D array, got shape {arr.shape}")
    return pd.Series(arr)


def _numeric(series: pd.Series, label: str) -> np.ndarray:
    if series.size == 0:
        raise InputDataError(f"column {label!r}: no values to normalise")
    x = finite_floats(
        series,
        f"column {label!r}",
        remedy="impute them (abclab.cleaning) or mark the customers D (abclab.classify.abcd)",
        all_missing_error=True,
    )
    return x


def _bands_table(bands: Any, label: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    table = pd.DataFrame(bands) if not isinstance(bands, pd.DataFrame) else bands
    missing = {"lower", "upper", "score"} - set(table.columns)
    if missing:
        raise InputDataError(
            f"column {label!r}: bands need keys lower, upper, score; missing {sorted(missing)}"
        )
    lower = pd.to_numeric(table["lower"]).to_numpy(dtype=float, na_value=np.nan)
    upper = pd.to_numeric(table["upper"]).to_numpy(dtype=float, na_value=np.nan)
    scores = pd.to_numeric(table["score"]).to_numpy(dtype=float, na_value=np.nan)
    lower = np.where(np.isnan(lower), -np.inf, lower)
    upper = np.where(np.isnan(upper), np.inf, upper)
    if np.isnan(scores).any() or (scores < 0).any() or (scores > 100).any():
        raise InputDataError(f"column {label!r}: band scores must be numbers in [0, 100]")
    if (lower >= upper).any():
        i = int(np.argmax(lower >= upper))
        raise InputDataError(f"column {label!r}: band {i} has lower={lower[i]} >= upper={upper[i]}")
    order = np.argsort(lower)
    if (lower[order][1:] < upper[order][:-1]).any():
        raise InputDataError(f"column {label!r}: bands overlap; use [lower, upper) intervals")
    return lower, upper, scores


def normalise(
    values: Any,
    *,
    method: Method = "minmax",
    direction: Direction = "benefit",
    bands: Any = None,
) -> pd.Series:
    """Map one criterion to an indicator score on 0–100.

    Parameters
    ----------
    values : Series, array or list
        Numeric values, no missing values (an array gets a RangeIndex).
    method : {"minmax", "max", "percentile", "zscore", "bands"}
        See the module docstring for each formula.
    direction : {"benefit", "cost"}
        ``"cost"`` when a smaller value is better (e.g. days overdue).
    bands : list of dict or DataFrame, optional
        Required for ``method="bands"``: rows with ``lower``, ``upper`` and ``score``; intervals
        are ``[lower, upper)``, ``None``/NaN bounds are infinite.

    Returns
    -------
    pandas.Series
        Scores on 0–100, same index and name as ``values``.

    Raises
    ------
    InputDataError
        Unknown method/direction, non-numeric or missing values (rows named), a value outside
        every band, negative values for ``max``.

    Warns
    -----
    DataQualityWarning
        A constant column under ``minmax`` (→ 100) or ``zscore`` (→ 50).

    Examples
    --------
    >>> normalise([12_000_000, 6_000_000, 1_000_000], method="bands",
    ...           bands=SOURCE003_BANDS["annual_spend"]).tolist()
    [100.0, 80.0, 60.0]
    >>> normalise([1.0, 2.0, 3.0]).tolist()
    [0.0, 50.0, 100.0]
    """
    series = _as_series(values, "values")
    label = series.name if series.name is not None else "values"
    return pd.Series(
        _normalise_array(series, label, method, direction, bands),
        index=series.index,
        name=series.name,
        copy=False,
    )


def _normalise_array(
    series: pd.Series,
    label: Any,
    method: str,
    direction: str,
    bands: Any,
    out: np.ndarray | None = None,
) -> np.ndarray:
    if method not in _METHODS:
        raise InputDataError(f"column {label!r}: method must be one of {_METHODS}, got {method!r}")
    if direction not in _DIRECTIONS:
        raise InputDataError(
            f"column {label!r}: direction must be 'benefit' or 'cost', got {direction!r}"
        )
    x = _numeric(series, label)
    cost = direction == "cost"
    if method == "bands":
        if bands is None:
            raise InputDataError(f"column {label!r}: method='bands' needs a bands table")
        if cost:
            raise InputDataError(
                f"column {label!r}: bands give scores directly; leave direction='benefit'"
            )
        lower, upper, scores = _bands_table(bands, label)
        out, inside = _bands_kernel(x, lower, upper, scores)
        if not inside.all():
            rows = list(series.index[~inside][:5])
            raise InputDataError(
                f"column {label!r}: values {x[~inside][:5].tolist()} at rows {rows} fall outside "
                "every band; add a band with lower=None or upper=None"
            )
        return out
    if bands is not None:
        raise InputDataError(f"column {label!r}: bands given but method={method!r}")
    if method == "max" and ((x < 0).any() or (cost and (x <= 0).any()) or x.max() <= 0):
        need = "> 0" if cost else ">= 0 with a positive maximum"
        raise InputDataError(f"column {label!r}: method='max' needs values {need}")
    if method in ("minmax", "zscore") and x.size > 1 and x.min() == x.max():
        fill = 100 if method == "minmax" else 50
        warnings.warn(
            f"column {label!r} is constant ({x[0]}); every row gets {fill} under {method}",
            DataQualityWarning,
            stacklevel=3,
        )
    if method == "minmax":
        return _minmax_kernel(x, cost, out)
    return _KERNELS[method](x, cost)


def _criterion_spec(spec: Any, column: Any) -> dict[str, Any]:
    if spec is None:
        return {"method": "minmax", "direction": "benefit", "bands": None}
    if isinstance(spec, str):
        spec = {"method": spec}
    if not isinstance(spec, Mapping):
        raise InputDataError(
            f"criteria[{column!r}]: expected a method name or a dict with method/direction/bands"
        )
    unknown = set(spec) - {"method", "direction", "bands"}
    if unknown:
        raise InputDataError(f"criteria[{column!r}]: unknown keys {sorted(unknown)}")
    method = spec.get("method", "bands" if spec.get("bands") is not None else "minmax")
    return {
        "method": method,
        "direction": spec.get("direction", "benefit"),
        "bands": spec.get("bands"),
    }


def _validate_weights(weights: Any) -> pd.Series:
    if isinstance(weights, Mapping):
        w = pd.Series(dict(weights), dtype=float)
    elif isinstance(weights, pd.Series):
        w = weights.astype(float)
    else:
        raise InputDataError("weights: expected a dict or Series indexed by criterion name")
    if w.empty:
        raise InputDataError("weights: no criteria given")
    if w.index.has_duplicates:
        raise InputDataError(f"weights: duplicate criteria {list(w.index[w.index.duplicated()])}")
    bad = ~np.isfinite(w.to_numpy()) | (w.to_numpy() <= 0)
    if bad.any():
        raise InputDataError(
            f"weights: must be positive numbers; got {dict(w[bad])} (drop a criterion instead "
            "of giving it weight 0)"
        )
    total = float(w.sum())
    if abs(total - 1.0) > 1e-9:
        warnings.warn(
            f"weights sum to {total:g}, not 1; renormalised to sum to 1",
            DataQualityWarning,
            stacklevel=3,
        )
        w = w / total
    return w.rename("weight")


def score(
    frame: pd.DataFrame,
    weights: Mapping[Any, float] | pd.Series,
    *,
    criteria: Mapping[Any, Any] | None = None,
) -> ScoreResult:
    """Weighted 0–100 score of every row (source 003: 综合得分 = Σ 指标得分 × 指标权重).

    Parameters
    ----------
    frame : DataFrame
        One row per customer; the columns named in ``weights`` are the criteria (other columns
        are ignored).
    weights : dict or Series
        Criterion → positive weight. Weights that do not sum to 1 (e.g. percentages 40/25/20/15)
        are divided by their sum, with a :class:`DataQualityWarning`.
    criteria : dict, optional
        Criterion → normalisation spec: a method name or a dict with ``method``, ``direction``,
        ``bands`` (see :func:`normalise`). Criteria not listed use ``minmax`` / ``benefit``.

    Returns
    -------
    ScoreResult
        ``score``, ``indicator_scores``, ``contributions``, ``weights``.

    Notes
    -----
    :math:`S_i = \\sum_j w_j s_{ij}` with :math:`s_{ij} \\in [0, 100]` and :math:`\\sum_j w_j = 1`,
    so :math:`S_i \\in [0, 100]`.

    Examples
    --------
    >>> customer_a = pd.DataFrame({"annual_spend": [12_000_000], "profit_margin": [0.15],
    ...                            "tenure_years": [5], "cross_purchase_rate": [0.30]})
    >>> spec = {k: {"bands": v} for k, v in SOURCE003_BANDS.items()}
    >>> float(score(customer_a, SOURCE003_WEIGHTS, criteria=spec).score.iloc[0])
    94.5
    """
    if not isinstance(frame, pd.DataFrame):
        raise InputDataError(f"frame: expected a DataFrame, got {type(frame).__name__}")
    w = _validate_weights(weights)
    columns = list(w.index)
    absent = [c for c in columns if c not in frame.columns]
    if absent:
        raise InputDataError(
            f"weights name criteria {absent} that are not columns of the frame "
            f"(columns: {list(frame.columns)})"
        )
    criteria = dict(criteria or {})
    extra = [c for c in criteria if c not in w.index]
    if extra:
        raise InputDataError(f"criteria {extra} have no weight; add them to weights")
    n = len(frame)
    if n == 0:
        raise InputDataError("frame: no rows to score")
    indicator = np.empty((len(columns), n))
    for j, column in enumerate(columns):
        spec = _criterion_spec(criteria.get(column), column)
        target = indicator[j]
        row = _normalise_array(
            frame[column], column, spec["method"], spec["direction"], spec["bands"], target
        )
        if row is not target:
            target[...] = row
    w_arr = w.to_numpy()
    contrib = indicator * w_arr[:, None]
    total = contrib.sum(axis=0)
    np.clip(total, 0.0, 100.0, out=total)  # rounding of Σ w_j = 1 could give 100.00000000000001
    index = frame.index
    return ScoreResult(
        score=pd.Series(total, index=index, name="score", copy=False),
        indicator_scores=pd.DataFrame(indicator.T, index=index, columns=columns, copy=False),
        contributions=pd.DataFrame(contrib.T, index=index, columns=columns, copy=False),
        weights=w,
    )
