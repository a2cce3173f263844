"""The cleaning policy of one criterion, and the checks on policies and criterion columns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from abclab.exceptions import InputDataError, StudyError

#: What a missing value does (see :class:`CriterionPolicy`).
MissingRule = Literal["pending", "median", "recent_average", "zero"]
#: What a value <= 0 does.
NonPositiveRule = Literal["allow", "pending", "missing"]
#: How outliers are flagged.
OutlierRule = Literal["none", "iqr", "mad", "iqr_log", "mad_log"]
_CHOICES = {
    "missing": get_args(MissingRule),
    "nonpositive": get_args(NonPositiveRule),
    "outliers": get_args(OutlierRule),
}


@dataclass(frozen=True)
class CriterionPolicy:
    """How to clean one criterion (column).

    Parameters
    ----------
    missing : {"pending", "median", "recent_average", "zero"}
        A missing value sends the customer to ``pending`` (source 003's 待评估), is filled
        with the median of the cleaned customers, with the customer's recent average from
        the transactions (``pending`` when the customer has none), or with 0.
    nonpositive : {"allow", "pending", "missing"}
        Values <= 0 (impossible for, e.g., annual spend) are kept, send the customer to
        ``pending``, or become missing (then the ``missing`` rule applies).
    outliers : {"none", "iqr", "mad", "iqr_log", "mad_log"}
        Flag values outside Tukey's fences ``[Q1 - k·IQR, Q3 + k·IQR]`` (``iqr_k``), or with
        a modified z-score ``|x - median| / (1.4826·MAD) > mad_threshold``. The ``_log``
        rules compute the same fences on ``ln x`` (of the positive values) and flag ``x``
        outside ``[exp(lo), exp(hi)]``: the scale for money, whose distribution across
        customers is skewed (close to lognormal), where the raw rules flag the genuine
        large accounts. Values <= 0 lie below every log fence.
    iqr_k : float
        Tukey's k: 1.5 ("outside") or 3 ("far out").
    mad_threshold : float
        Cut-off for the modified z-score (3.5, Iglewicz & Hoaglin 1993).
    winsorize : bool
        Also clip flagged values to the fence they crossed (each clip is logged).
    recent_months : int
        For ``missing="recent_average"``: how many of the customer's most recent months with
        transactions to average.
    periods_per_year : float
        Multiplier turning the average monthly amount into the criterion's unit (12 makes an
        annual figure; 1 keeps a monthly one).
    """

    missing: MissingRule = "pending"
    nonpositive: NonPositiveRule = "allow"
    outliers: OutlierRule = "none"
    iqr_k: float = 1.5
    mad_threshold: float = 3.5
    winsorize: bool = False
    recent_months: int = 3
    periods_per_year: float = 12.0

    def __post_init__(self) -> None:
        for key, allowed in _CHOICES.items():
            if getattr(self, key) not in allowed:
                raise StudyError(f"{key}={getattr(self, key)!r} is not one of {list(allowed)}")
        for key in ("iqr_k", "mad_threshold", "periods_per_year"):
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                raise StudyError(f"{key} must be a positive number, got {value!r}")
        if not isinstance(self.winsorize, bool):
            raise StudyError(f"winsorize must be true or false, got {self.winsorize!r}")
        if self.missing == "zero" and self.nonpositive != "allow":
            raise StudyError(
                f"missing='zero' contradicts nonpositive={self.nonpositive!r} (0 is not positive)"
            )
        months = self.recent_months
        if isinstance(months, bool) or not isinstance(months, int) or months < 1:
            raise StudyError(f"recent_months must be a positive integer, got {months!r}")


def _coerce_policies(policies: Mapping[str, Any], columns: pd.Index) -> dict[str, CriterionPolicy]:
    if not isinstance(policies, Mapping) or not policies:
        raise StudyError("policies must be a non-empty mapping criterion -> CriterionPolicy/dict")
    allowed = [f.name for f in fields(CriterionPolicy)]
    out = {}
    for name, policy in policies.items():
        if isinstance(policy, Mapping):
            unknown = sorted(set(policy) - set(allowed))
            if unknown:
                raise StudyError(
                    f"policy for criterion {name!r}: unknown key(s) {unknown}; allowed: {allowed}"
                )
            try:
                policy = CriterionPolicy(**policy)
            except StudyError as err:
                raise StudyError(f"policy for criterion {name!r}: {err}") from None
        elif not isinstance(policy, CriterionPolicy):
            raise StudyError(
                f"policy for criterion {name!r} must be a CriterionPolicy or a dict, "
                f"got {type(policy).__name__}"
            )
        out[name] = policy
    missing = [c for c in out if c not in columns]
    if missing:
        raise InputDataError(
            f"criteria {missing} named in policies are not columns; available: {list(columns)}"
        )
    return out


def _numeric_criterion(series: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return series.astype("float64")
    values = pd.to_numeric(series, errors="coerce")
    bad = np.flatnonzero((series.notna() & values.isna()).to_numpy(bool))
    if len(bad):
        raise InputDataError(
            f"criterion column {series.name!r} row {bad[0] + 1} (1-based position): "
            f"{series.iloc[bad[0]]!r} is not a number; parse it first, e.g. with "
            "abclab.io.parse_business_numbers"
        )
    return values.astype("float64")
