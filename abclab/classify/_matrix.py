"""Two-criteria and multi-criteria tiers: value × potential, weighted ABC, ABCD."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from abclab.classify._common import as_values, tier_series
from abclab.classify._pareto import pareto
from abclab.classify._pareto import shares as share_tiers
from abclab.exceptions import InputDataError
from abclab.scoring import score

VALUE_POTENTIAL_LABELS = ("S", "A", "B", "C")


def value_potential(
    value: Any,
    potential: Any,
    *,
    thresholds: Literal["median"] | tuple[float, float] = "median",
    labels: Sequence[str] = VALUE_POTENTIAL_LABELS,
) -> pd.Series:
    """Value × potential matrix of source 003 §五 (价值-潜力二维模型).

    S = high value and high potential (高价值高潜力), A = high value, low potential,
    B = low value, high potential, C = low value, low potential.

    Parameters
    ----------
    value, potential : Series, array or list
        Same length (and same index when both are Series), e.g. annual spend and industry
        growth rate.
    thresholds : "median" or (value_threshold, potential_threshold)
        "High" means ``>= threshold``; ``"median"`` uses the medians of the data.
    labels : sequence of 4 str
        Labels of high value & high potential, high value & low potential, low value & high
        potential, low & low (default S, A, B, C).

    Returns
    -------
    pandas.Series
        Ordered Categorical S/A/B/C (value is ranked before potential, as in the source, where
        A = high value, low potential ranks above B), name ``"value_potential"``,
        ``attrs["cut_points"] = {"value": ..., "potential": ...}``.

    Examples
    --------
    >>> value_potential([10, 10, 1, 1], [5, 1, 5, 1], thresholds=(5, 3)).tolist()
    ['S', 'A', 'B', 'C']
    """
    v, index, _ = as_values(value, "value")
    p, p_index, _ = as_values(potential, "potential")
    if v.size != p.size:
        raise InputDataError(f"value has {v.size} rows but potential has {p.size}")
    if (
        isinstance(value, pd.Series)
        and isinstance(potential, pd.Series)
        and not index.equals(p_index)
    ):
        raise InputDataError("value and potential: the two Series must have the same index")
    if isinstance(thresholds, str):
        if thresholds != "median":
            raise InputDataError(f"thresholds: expected 'median' or a pair, got {thresholds!r}")
        tv, tp = float(np.median(v)), float(np.median(p))
    else:
        try:
            tv, tp = (float(t) for t in thresholds)
        except (TypeError, ValueError) as err:
            raise InputDataError(
                f"thresholds: expected 'median' or (value, potential), got {thresholds!r}"
            ) from err
    labels = tuple(str(label) for label in labels)
    if len(labels) != 4 or len(set(labels)) != 4:
        raise InputDataError(f"labels: expected four distinct labels, got {list(labels)}")
    codes = (2 * (v < tv) + (p < tp)).astype(np.int8)
    return tier_series(codes, labels, index, "value_potential", {"value": tv, "potential": tp})


def weighted_abc(
    frame: pd.DataFrame,
    weights: Mapping[Any, float] | pd.Series,
    *,
    rule: Literal["shares", "pareto"] = "shares",
    criteria: Mapping[Any, Any] | None = None,
    shares: Sequence[float] = (0.2, 0.3, 0.5),
    cutoffs: Sequence[float] = (0.8, 0.95),
    labels: Sequence[str] = ("A", "B", "C"),
) -> pd.Series:
    """AHP-weighted multi-criteria ABC: weighted 0–100 score, then count shares or Pareto.

    Parameters
    ----------
    frame : DataFrame
        Criteria as columns.
    weights : dict or Series
        Criterion weights (e.g. ``abclab.ahp.weights(...).weights``).
    rule : {"shares", "pareto"}
        ``"shares"``: top ``shares[0]`` of customers by score are A, etc.; ``"pareto"``: the
        cumulative share of the *score* (:func:`abclab.classify.pareto`).
    criteria : dict, optional
        Normalisation spec per criterion, see :func:`abclab.scoring.score`.
    shares, cutoffs, labels
        Passed to :func:`abclab.classify.shares` / :func:`abclab.classify.pareto`.

    Returns
    -------
    pandas.Series
        Ordered Categorical, name ``"weighted_abc"``; ``attrs["cut_points"]`` are score
        thresholds and ``attrs["score"]`` is the composite score Series.
    """
    result = score(frame, weights, criteria=criteria)
    if rule == "shares":
        out = share_tiers(result.score, shares=shares, labels=labels)
    elif rule == "pareto":
        out = pareto(result.score, cutoffs=cutoffs, labels=labels)
    else:
        raise InputDataError(f"rule: expected 'shares' or 'pareto', got {rule!r}")
    out = out.rename("weighted_abc")
    out.attrs["score"] = result.score
    return out


def abcd(classes: pd.Series, insufficient: Any, *, label: str = "D") -> pd.Series:
    """Add class D (待评估, "pending evaluation", source 004) for customers with too little data.

    Parameters
    ----------
    classes : Series
        Tiers from any classifier (Categorical or strings). Rows that are insufficient may be
        missing.
    insufficient : boolean Series (same index) or array-like of bool
        True where the customer's data are insufficient.
    label : str
        The extra class, appended last (worst).

    Returns
    -------
    pandas.Series
        Ordered Categorical with categories ``classes``' categories + ``[label]``.

    Raises
    ------
    InputDataError
        If a customer has no class and is not marked insufficient, or the lengths/indexes
        differ.

    Examples
    --------
    >>> abcd(pd.Series(["A", "B", None]), [False, True, True]).tolist()
    ['A', 'D', 'D']
    """
    if not isinstance(classes, pd.Series):
        raise InputDataError("classes: expected a pandas Series of tiers")
    if isinstance(insufficient, pd.Series):
        if not insufficient.index.equals(classes.index):
            raise InputDataError("insufficient: its index must equal the index of classes")
        flags = insufficient
    else:
        arr = np.asarray(insufficient)
        if arr.ndim != 1 or arr.size != len(classes):
            raise InputDataError(f"insufficient has shape {arr.shape}, classes {len(classes)} rows")
        flags = pd.Series(arr, index=classes.index)
    if flags.isna().any() or not pd.api.types.is_bool_dtype(flags.dtype):
        raise InputDataError("insufficient: expected True/False for every customer")
    mask = flags.to_numpy(dtype=bool)
    if isinstance(classes.dtype, pd.CategoricalDtype):
        categories = list(classes.cat.categories)
    else:
        categories = list(pd.unique(classes.dropna()))
    if label in categories:
        raise InputDataError(f"label: {label!r} is already a class of classes")
    unclassed = classes.isna().to_numpy() & ~mask
    if unclassed.any():
        raise InputDataError(
            f"classes: rows {list(classes.index[unclassed][:5])} have no class and are not "
            "marked insufficient"
        )
    labels = [*categories, label]
    codes = pd.Categorical(classes.astype(object), categories=labels).codes.astype(np.int8)
    codes[mask] = len(labels) - 1
    out = tier_series(codes, labels, classes.index, classes.name or "abcd", {})
    out.attrs["cut_points"] = dict(classes.attrs.get("cut_points", {}))
    return out


__all__ = ["abcd", "value_potential", "weighted_abc"]
