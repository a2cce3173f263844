"""Tier dynamics between periods: migration matrix, re-grade triggers and hysteresis.

Source 003 §三(六) asks for periodic re-grading (quarterly or half-yearly) while avoiding
"frequent changes" (避免“频繁变动”): re-grade a customer when a trigger fires, such as
"客户年消费额变化超过30%" (annual spend changes by more than 30 %) or "连续3个月无交易" (three
consecutive months without a transaction). :func:`trigger_review` implements those triggers,
:func:`customer_triggers` applies them to a transaction log and lists every customer with the
rule that fired (:func:`trigger_table`), and :func:`apply_hysteresis` keeps tiers from
flapping when a score hovers around a cut point.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from abclab.exceptions import InputDataError
from abclab.features import from_transactions
from abclab.io import ReadOptions

__all__ = [
    "TRIGGER_COLUMNS",
    "apply_hysteresis",
    "customer_triggers",
    "hysteresis_path",
    "migration_matrix",
    "trigger_review",
    "trigger_table",
]

#: Columns of :func:`trigger_table` / :func:`customer_triggers`.
TRIGGER_COLUMNS = ["customer", "rule", "value", "threshold", "spend_previous", "spend_current",
                   "months_inactive"]  # fmt: skip

NEW, LOST = "new", "lost"


def _tiers(s: pd.Series, name: str) -> pd.Series:
    if not isinstance(s, pd.Series):
        raise InputDataError(f"{name}: expected a pandas Series of tiers, got {type(s).__name__}.")
    if s.index.has_duplicates:
        raise InputDataError(
            f"{name}: duplicate customer {s.index[s.index.duplicated()][0]!r} in the index."
        )
    if isinstance(s.dtype, pd.CategoricalDtype):
        return s
    cats = sorted(pd.unique(s.dropna()), key=str)
    return pd.Series(pd.Categorical(s, categories=cats, ordered=True), index=s.index, name=s.name)


def migration_matrix(
    previous: pd.Series, current: pd.Series, *, normalize: bool = False
) -> pd.DataFrame:
    """Counts of customers moving from each previous tier (rows) to each current tier (columns).

    Customers are matched on the index. A customer present only in ``current`` (or with a
    missing previous tier) is counted in row ``"new"``; one present only in ``previous`` (or with
    a missing current tier) in column ``"lost"``.

    Parameters
    ----------
    previous, current : Series
        Tiers of the two periods (ordered Categoricals, best first).
    normalize : bool
        Return row shares (each non-empty row sums to 1; empty rows are 0) instead of counts.

    Returns
    -------
    DataFrame
        Index = previous categories + "new" (name "previous"); columns = current categories +
        "lost" (name "current"). The ("new", "lost") cell is always 0.
    """
    p, c = _tiers(previous, "previous"), _tiers(current, "current")
    rows = [str(x) for x in p.cat.categories] + [NEW]
    cols = [str(x) for x in c.cat.categories] + [LOST]
    idx = p.index.union(c.index, sort=False)
    pc = np.asarray(p.reindex(idx).cat.codes, dtype=np.int64)
    cc = np.asarray(c.reindex(idx).cat.codes, dtype=np.int64)
    pc = np.where(pc < 0, len(rows) - 1, pc)
    cc = np.where(cc < 0, len(cols) - 1, cc)
    keep = ~((pc == len(rows) - 1) & (cc == len(cols) - 1))
    counts = np.bincount(pc[keep] * len(cols) + cc[keep], minlength=len(rows) * len(cols))
    out = pd.DataFrame(
        counts.reshape(len(rows), len(cols)),
        index=pd.Index(rows, name="previous"),
        columns=pd.Index(cols, name="current"),
    )
    if normalize:
        tot = out.sum(axis=1).to_numpy(dtype=float)
        out = out.div(np.where(tot > 0, tot, 1.0), axis=0)
    return out


def trigger_review(
    previous_metrics: pd.DataFrame,
    current_metrics: pd.DataFrame,
    *,
    spend_change: float = 0.30,
    inactive_months: int = 3,
    spend_column: str = "annual_spend",
    inactive_column: str = "months_without_purchase",
) -> pd.DataFrame:
    """Which customers must be re-graded (source 003 §三(六) triggers).

    Triggers (either fires a review):

    - spend: :math:`|s_1 - s_0| / s_0 >` ``spend_change`` ("年消费额变化超过30%"); a customer
      with previous spend 0 and current spend > 0 triggers (infinite change); 0 → 0 does not;
    - inactivity: ``current_metrics[inactive_column] >= inactive_months``
      ("连续3个月无交易", consecutive months without a transaction up to the current date).

    Customers found in only one period are listed with reason "new" or "lost" and ``review``
    True.

    Returns
    -------
    DataFrame
        Indexed by customer (union of both periods): ``spend_previous``, ``spend_current``,
        ``spend_change`` (relative, signed), ``spend_trigger``, ``months_inactive``,
        ``inactivity_trigger``, ``review``, ``reason`` ("spend", "inactive", "spend+inactive",
        "new", "lost" or missing).
    """
    for frame, name in (
        (previous_metrics, "previous_metrics"),
        (current_metrics, "current_metrics"),
    ):
        if not isinstance(frame, pd.DataFrame):
            raise InputDataError(
                f"{name}: expected a DataFrame indexed by customer, got {type(frame).__name__}."
            )
        if spend_column not in frame.columns:
            raise InputDataError(
                f"{name}: no column {spend_column!r} (annual spend); columns are {list(frame.columns)}."
            )
    if inactive_column not in current_metrics.columns:
        raise InputDataError(
            f"current_metrics: no column {inactive_column!r} (months without purchase); "
            f"columns are {list(current_metrics.columns)}."
        )
    if not spend_change >= 0 or inactive_months < 1:
        raise ValueError(
            f"spend_change={spend_change!r} must be >= 0 and inactive_months={inactive_months!r} >= 1."
        )
    idx = previous_metrics.index.union(current_metrics.index, sort=False)
    s0 = (
        pd.to_numeric(previous_metrics[spend_column], errors="raise")
        .reindex(idx)
        .to_numpy(dtype=float, na_value=np.nan)
    )
    s1 = (
        pd.to_numeric(current_metrics[spend_column], errors="raise")
        .reindex(idx)
        .to_numpy(dtype=float, na_value=np.nan)
    )
    months = (
        pd.to_numeric(current_metrics[inactive_column], errors="raise")
        .reindex(idx)
        .to_numpy(dtype=float, na_value=np.nan)
    )
    in0, in1 = idx.isin(previous_metrics.index), idx.isin(current_metrics.index)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(s0 == 0, np.where(s1 == 0, 0.0, np.inf), (s1 - s0) / np.abs(s0))
    spend_trig = in0 & in1 & (np.abs(change) > spend_change)
    inactive_trig = in1 & (months >= inactive_months)
    reason = np.full(len(idx), None, dtype=object)
    reason[spend_trig] = "spend"
    reason[inactive_trig] = "inactive"
    reason[spend_trig & inactive_trig] = "spend+inactive"
    reason[~in0] = NEW
    reason[~in1] = LOST
    return pd.DataFrame(
        {
            "spend_previous": s0,
            "spend_current": s1,
            "spend_change": change,
            "spend_trigger": spend_trig,
            "months_inactive": months,
            "inactivity_trigger": inactive_trig,
            "review": spend_trig | inactive_trig | ~in0 | ~in1,
            "reason": pd.Series(reason, index=idx, dtype="str"),
        },
        index=idx,
    )


def trigger_table(
    review: pd.DataFrame, *, spend_change: float = 0.30, inactive_months: int = 3
) -> pd.DataFrame:
    """The fired triggers of :func:`trigger_review`, one row per customer and rule.

    Rules: ``spend_change`` (value = the signed relative change, threshold ``spend_change``),
    ``inactive`` (value = months without a purchase, threshold ``inactive_months``) and
    ``new`` (no previous period to compare: a first grading is due; value NaN). A customer
    listed "lost" (absent from the current period) is not listed: nothing can be re-graded.

    Returns
    -------
    DataFrame
        :data:`TRIGGER_COLUMNS`, customers in the order of ``review``, rules in the order
        spend_change, inactive, new.
    """
    reason = review["reason"].astype("str")
    new = (reason == NEW).to_numpy()
    parts = [
        ("spend_change", review["spend_trigger"].to_numpy(bool), review["spend_change"],
         float(spend_change)),
        ("inactive", review["inactivity_trigger"].to_numpy(bool), review["months_inactive"],
         float(inactive_months)),
        ("new", new, pd.Series(np.nan, index=review.index), np.nan),
    ]  # fmt: skip
    frames = []
    for order, (rule, fired, value, threshold) in enumerate(parts):
        sub = review[fired]
        frames.append(pd.DataFrame({
            "customer": sub.index, "rule": rule, "value": value[fired].to_numpy(dtype=float),
            "threshold": threshold, "spend_previous": sub["spend_previous"].to_numpy(),
            "spend_current": sub["spend_current"].to_numpy(),
            "months_inactive": sub["months_inactive"].to_numpy(),
            "_pos": np.flatnonzero(fired), "_rule": order,
        }))  # fmt: skip
    out = pd.concat(frames, ignore_index=True).sort_values(["_pos", "_rule"], kind="stable")
    out["rule"] = out["rule"].astype("str")
    return out[TRIGGER_COLUMNS].reset_index(drop=True)


def customer_triggers(
    source: str | os.PathLike[str] | pd.DataFrame,
    *,
    customer: str,
    date: str,
    amount: str,
    as_of: str | _dt.date | pd.Timestamp,
    spend_change: float = 0.30,
    inactive_months: int = 3,
    aliases: Mapping[Any, Any] | None = None,
    read: ReadOptions | None = None,
) -> pd.DataFrame:
    """Source 003 §三(六)'s re-grade triggers on a transaction log, per customer.

    The spend of the 12 months before ``as_of`` (exclusive) is compared with the 12 months
    before those ("客户年消费额变化超过30%": ``spend_change``), and the whole months since the
    last purchase with ``inactive_months`` ("连续3个月无交易"). Customers whose first purchase
    lies within the last 12 months have no previous year: rule ``new``.

    Parameters
    ----------
    source : path or pandas.DataFrame
        The transaction log (:func:`abclab.features.from_transactions`).
    customer, date, amount : str
        Its columns.
    as_of : date-like
        Evaluation date, exclusive.
    spend_change : float
        Relative change of the 12-month spend that fires (0.30 = 30 %), ≥ 0.
    inactive_months : int
        Months without a purchase that fire, ≥ 1.
    aliases, read
        Merged duplicate ids and reader options, as in :func:`abclab.features.from_transactions`.

    Returns
    -------
    DataFrame
        :func:`trigger_table`: one row per customer and rule that fired, with the spend of
        both periods and the months without a purchase.

    Examples
    --------
    >>> log = pd.DataFrame({"id": ["a", "a", "b", "b", "c"],
    ...                     "day": ["2023-03-01", "2024-03-01", "2023-05-01", "2024-11-01",
    ...                             "2024-11-15"],
    ...                     "value": [100.0, 50.0, 80.0, 85.0, 20.0]})
    >>> customer_triggers(log, customer="id", date="day", amount="value",
    ...                   as_of="2025-01-01")[["customer", "rule", "value"]]
      customer          rule  value
    0        a  spend_change   -0.5
    1        a      inactive   10.0
    2        c           new    NaN
    """
    feats = from_transactions(source, customer=customer, date=date, amount=amount,
                              as_of=as_of, aliases=aliases, read=read)  # fmt: skip
    year_ago = pd.Timestamp(as_of) - pd.DateOffset(months=12)
    had_year = pd.to_datetime(feats["first_purchase"]) < year_ago
    previous = pd.DataFrame({"annual_spend": feats.loc[had_year, "spend_prev_12m"]})
    current = pd.DataFrame({"annual_spend": feats["spend_12m"],
                            "months_without_purchase": feats["months_since_last_purchase"]})  # fmt: skip
    review = trigger_review(previous, current, spend_change=spend_change,
                            inactive_months=inactive_months)  # fmt: skip
    return trigger_table(review, spend_change=spend_change, inactive_months=inactive_months)


# -- hysteresis ----------------------------------------------------------------------------------
def _band_codes(scores: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    """Tier codes (0 = best) for descending ``cuts``: score >= cuts[0] -> 0, ..."""
    return (scores[..., None] < cuts).sum(axis=-1)


def _hysteresis_kernel(
    prev: np.ndarray, scores: np.ndarray, cuts: np.ndarray, margin: float
) -> np.ndarray:
    """Candidate tier codes given previous codes (-1 = none) and one period of scores.

    Upgrade only if the score clears the cut above the previous tier by ``margin``
    (tier of ``score - margin``); downgrade only if it falls below the cut under the previous
    tier by ``margin`` (tier of ``score + margin``); otherwise keep the previous tier.
    """
    raw = _band_codes(scores, cuts)
    up = np.minimum(_band_codes(scores - margin, cuts), np.where(prev >= 0, prev, raw))
    down = np.maximum(_band_codes(scores + margin, cuts), prev)
    out = np.where(raw < prev, up, np.where(raw > prev, down, prev))
    return np.where(prev < 0, raw, out)


def _check_cuts(
    cuts: Sequence[float], labels: Sequence[str] | None
) -> tuple[np.ndarray, list[str]]:
    c = np.asarray(cuts, dtype=float)
    if c.ndim != 1 or len(c) < 1 or np.any(np.diff(c) >= 0):
        raise ValueError(
            f"cuts={cuts!r}: expected strictly decreasing cut points, e.g. (90, 75, 60)."
        )
    names = (
        [chr(ord("A") + i) for i in range(len(c) + 1)]
        if labels is None
        else [str(x) for x in labels]
    )
    if len(names) != len(c) + 1:
        raise ValueError(f"labels={labels!r}: {len(c)} cut points make {len(c) + 1} tiers.")
    return c, names


def apply_hysteresis(
    previous_tiers: pd.Series,
    current_scores: pd.Series,
    *,
    cuts: Sequence[float],
    labels: Sequence[str] | None = None,
    margin: float = 0.0,
    consecutive: int = 1,
    history: pd.DataFrame | None = None,
) -> pd.Series:
    """Score-band tiers that change only when the score clears a boundary convincingly.

    With ``margin`` = m, a customer in tier B (75 <= score < 90 for cuts (90, 75, 60)) moves up
    only when its score reaches 90 + m and down only when it drops below 75 - m; a move across
    several tiers uses the cuts shifted by m. With ``consecutive`` = N, a move also needs the
    same direction in each of the last N periods (``history`` gives the N - 1 periods before
    the current one, oldest first); the customer then moves to the least extreme tier seen in
    those periods. Customers without a previous tier get the plain band tier.

    Parameters
    ----------
    previous_tiers : Series
        Tiers of the last period (labels in ``labels``; missing = new customer).
    current_scores : Series
        Scores of the current period (e.g. 0-100), indexed by customer.
    cuts : sequence of float
        Strictly decreasing cut points; score >= cut -> the better tier (source 003 bands:
        (90, 75, 60)).
    labels : sequence of str, optional
        Tier labels best first (default "A", "B", ...).
    margin : float
        Dead band around each cut point (in score units), >= 0.
    consecutive : int
        Number of consecutive periods a move must persist.
    history : DataFrame, optional
        Earlier scores (customers x periods, oldest first), at least ``consecutive - 1`` columns.

    Returns
    -------
    Series
        Ordered Categorical aligned to ``current_scores``; ``attrs["cut_points"]`` has the cuts,
        margin and consecutive.
    """
    c, names = _check_cuts(cuts, labels)
    if not margin >= 0:
        raise ValueError(f"margin={margin!r}: expected a non-negative number (score units).")
    if int(consecutive) != consecutive or consecutive < 1:
        raise ValueError(f"consecutive={consecutive!r}: expected a positive integer.")
    if not isinstance(current_scores, pd.Series):
        raise InputDataError(
            f"current_scores: expected a Series, got {type(current_scores).__name__}."
        )
    idx = current_scores.index
    s = current_scores.to_numpy(dtype=float, na_value=np.nan)
    if np.isnan(s).any():
        raise InputDataError(f"current_scores: missing score for customer {idx[np.isnan(s)][0]!r}.")
    prev_s = pd.Series(previous_tiers).reindex(idx)
    unknown = set(prev_s.dropna().astype(str)) - set(names)
    if unknown:
        raise InputDataError(
            f"previous_tiers: labels {sorted(unknown)} are not among the tier labels {names}."
        )
    code = {n: i for i, n in enumerate(names)}
    prev = np.array([code.get(str(x), -1) if pd.notna(x) else -1 for x in prev_s], dtype=np.int64)
    periods = [s]
    if consecutive > 1:
        if history is None or history.shape[1] < consecutive - 1:
            have = 0 if history is None else history.shape[1]
            raise InputDataError(
                f"history: consecutive={consecutive} needs the {consecutive - 1} previous period(s) of scores; got {have}."
            )
        h = (
            history.reindex(idx)
            .iloc[:, -(consecutive - 1) :]
            .to_numpy(dtype=float, na_value=np.nan)
        )
        periods = [h[:, i] for i in range(h.shape[1])] + periods
    cand = np.column_stack([_hysteresis_kernel(prev, p, c, margin) for p in periods])
    cand_nan = np.column_stack([np.isnan(p) for p in periods])
    better = np.all((cand < prev[:, None]) & ~cand_nan, axis=1)
    worse = np.all((cand > prev[:, None]) & ~cand_nan, axis=1)
    out = np.where(better, cand.max(axis=1), np.where(worse, cand.min(axis=1), prev))
    out = np.where(prev < 0, cand[:, -1], out)
    cat = pd.CategoricalDtype(names, ordered=True)
    res = pd.Series(pd.Categorical.from_codes(out, dtype=cat), index=idx, name="hysteresis")
    res.attrs["cut_points"] = {
        "cuts": c.tolist(),
        "margin": float(margin),
        "consecutive": int(consecutive),
    }
    return res


def hysteresis_path(
    scores: pd.DataFrame,
    *,
    cuts: Sequence[float],
    labels: Sequence[str] | None = None,
    margin: float = 0.0,
    consecutive: int = 1,
    initial: pd.Series | None = None,
) -> pd.DataFrame:
    """Apply :func:`apply_hysteresis` period after period.

    ``scores`` holds customers x periods (oldest first). The first period is classified by
    plain bands unless ``initial`` tiers are given. Returns a DataFrame of tiers of the same
    shape.
    """
    if not isinstance(scores, pd.DataFrame) or scores.shape[1] < 1:
        raise InputDataError(
            "scores: expected a DataFrame of customers x periods with at least one period."
        )
    _, names = _check_cuts(cuts, labels)
    prev = (
        initial.reindex(scores.index)
        if initial is not None
        else pd.Series(
            pd.Categorical([None] * len(scores), categories=names, ordered=True), index=scores.index
        )
    )
    out = {}
    for t, col in enumerate(scores.columns):
        n_hist = min(consecutive - 1, t)
        tiers = apply_hysteresis(
            prev,
            scores[col],
            cuts=cuts,
            labels=names,
            margin=margin,
            consecutive=n_hist + 1,
            history=scores.iloc[:, t - n_hist : t] if n_hist else None,
        )
        out[col] = tiers
        prev = tiers
    return pd.DataFrame(out, index=scores.index)
