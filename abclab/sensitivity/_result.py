"""The result of a perturbation study and the run that fills it from a stack of weights."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from abclab.sensitivity._tiers import _tally_kernel, _tiers_kernel


@dataclass(frozen=True)
class SensitivityResult:
    """Outcome of a weight or judgement perturbation study.

    Attributes
    ----------
    per_customer : DataFrame
        Indexed like the input: ``base_tier``, ``modal_tier`` (ordered Categoricals),
        ``stability`` (share of draws in the modal tier), ``share_changed`` (share of draws in a
        tier other than ``base_tier``).
    tier_shares : DataFrame
        Customers x tiers: share of draws in each tier.
    expected_change : float
        Expected share of customers whose tier changes (mean of ``draw_change``).
    draw_change : DataFrame
        Per draw: ``share_changed``, ``share_upgraded``, ``share_downgraded``.
    weights : DataFrame
        Drawn weights (draws x criteria); ``base_weights`` holds the unperturbed ones.
    base_weights : Series
    rule : str
    labels : tuple of str
    attribution : DataFrame or None
        Judgement Monte Carlo only: one-at-a-time shift of each judgement (see
        :func:`judgement_monte_carlo`), most influential first.
    """

    per_customer: pd.DataFrame
    tier_shares: pd.DataFrame
    expected_change: float
    draw_change: pd.DataFrame
    weights: pd.DataFrame
    base_weights: pd.Series
    rule: str
    labels: tuple[str, ...]
    attribution: pd.DataFrame | None = None

    def to_frame(self) -> pd.DataFrame:
        """Per-customer table joined with the tier shares (columns ``share_<tier>``)."""
        return self.per_customer.join(self.tier_shares.add_prefix("share_"))


def _run(
    X: np.ndarray,
    index: pd.Index,
    criteria: pd.Index,
    w0: np.ndarray,
    W: np.ndarray,
    rule: str,
    param: np.ndarray,
    labels: list[str],
    chunk: int,
    attribution: pd.DataFrame | None = None,
) -> SensitivityResult:
    k = len(labels)
    base = _tiers_kernel((w0 @ X.T)[None, :], rule, param)[0]
    tal = _tally_kernel(X, W, base, rule, param, k, chunk)
    d, n = W.shape[0], X.shape[0]
    modal = np.argmax(tal.counts, axis=1)
    cat = pd.CategoricalDtype(labels, ordered=True)
    per_customer = pd.DataFrame(
        {
            "base_tier": pd.Categorical.from_codes(base.astype(np.int64), dtype=cat),
            "modal_tier": pd.Categorical.from_codes(modal, dtype=cat),
            "stability": tal.counts[np.arange(n), modal] / d,
            "share_changed": tal.changed / d,
        },
        index=index,
    )
    draw_change = pd.DataFrame(
        {
            "share_changed": tal.draw_changed / n,
            "share_upgraded": tal.draw_up / n,
            "share_downgraded": tal.draw_down / n,
        },
        index=pd.RangeIndex(d, name="draw"),
    )
    return SensitivityResult(
        per_customer=per_customer,
        tier_shares=pd.DataFrame(tal.counts / d, index=index, columns=labels),
        expected_change=float(draw_change["share_changed"].mean()),
        draw_change=draw_change,
        weights=pd.DataFrame(W, columns=criteria, index=pd.RangeIndex(d, name="draw")),
        base_weights=pd.Series(w0, index=criteria, name="weight"),
        rule=rule,
        labels=tuple(labels),
        attribution=attribution,
    )
