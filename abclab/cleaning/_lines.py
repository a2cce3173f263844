"""Line-level checks of a transaction log: keying errors where they happen, and returns.

A keying error (an invoice line typed 100× too large) hides in a customer's annual spend:
the customer-level outlier rules either miss it (one line of many) or, on the raw scale,
flag the genuine large accounts instead. :func:`flag_lines` compares each line with the
customer's own other lines and with the whole file. :func:`summarise_returns` reports the
returns that :func:`abclab.features.transaction_features` nets into the spend.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from abclab.cleaning._reasons import Reason
from abclab.exceptions import InputDataError

#: Columns of :func:`flag_lines`.
LINE_FLAG_COLUMNS = [
    "row",
    "date",
    "customer",
    "amount",
    "customer_median",
    "multiple",
    "file_percentile",
    "other_lines",
    "reason",
    "reason_code",
    "reason_values",
]
#: Columns of :attr:`ReturnsSummary.per_customer`.
RETURN_COLUMNS = ["return_count", "returned_amount", "gross_spend", "return_share"]


def _leave_one_out_median(codes: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Median of the *other* values of each value's group, and how many there are.

    Kernel without validation: ``codes`` are group numbers ``0..g-1``, ``y`` finite floats.
    One sort by (group, value); in a group of ``n`` sorted values the value of rank ``r``
    leaves ``m = n - 1`` others, whose ``j``-th is at ``start + j + (j >= r)``. Their median
    is the mean of the others' elements ``(m - 1) // 2`` and ``m // 2``; NaN when ``m = 0``.
    """
    n = len(y)
    order = np.lexsort((y, codes))
    c, v = codes[order], y[order]
    first = np.r_[True, c[1:] != c[:-1]] if n else np.zeros(0, bool)
    start = np.maximum.accumulate(np.where(first, np.arange(n), 0))
    others = np.bincount(c, minlength=int(c.max()) + 1 if n else 0)[c] - 1
    rank = np.arange(n) - start

    def other(j: np.ndarray) -> np.ndarray:
        return v[np.clip(start + j + (j >= rank), 0, max(n - 1, 0))]

    median = (other((others - 1) // 2) + other(others // 2)) / 2
    median[others == 0] = np.nan
    out, count = np.empty(n), np.empty(n, dtype=np.int64)
    out[order], count[order] = median, others
    return out, count


def flag_lines(
    transactions: pd.DataFrame,
    *,
    customer: str,
    amount: str,
    date: str,
    k: float = 10.0,
    top_quantile: float = 0.99,
    min_history: int = 2,
    aliases: Mapping[Hashable, Hashable] | None = None,
) -> pd.DataFrame:
    """Flag invoice lines far above the customer's own lines *and* among the file's largest.

    Parameters
    ----------
    transactions : pandas.DataFrame
        One row per invoice line.
    customer, amount, date : str
        Column names of the customer id, the line amount and the date (carried into the
        result as it is).
    k : float
        A line is flagged when it is more than ``k`` times the customer's median line
        (default 10).
    top_quantile : float
        ... and above this quantile of all positive lines of the file (default 0.99: the
        top 1 %), so that a small customer's one larger order is not a keying error.
    min_history : int
        Lines of the same customer (other than the line itself) needed for a comparison;
        customers with fewer are not assessed (default 2).
    aliases : mapping, optional
        Customer id -> the id it is booked under (the ``merged`` table of
        :func:`abclab.cleaning.clean_customers`): a duplicate's lines count as the kept
        record's history.

    Returns
    -------
    pandas.DataFrame
        One row per flagged line, largest ``multiple`` first, columns
        ``row`` (0-based position in ``transactions``), ``date``, ``customer``, ``amount``,
        ``customer_median`` (the median of the customer's *other* positive lines),
        ``multiple = amount / customer_median``, ``file_percentile`` (percent of the file's
        positive lines ≤ ``amount``), ``other_lines`` and ``reason``.

    Raises
    ------
    InputDataError
        A named column is missing, or an amount is not a number.
    ValueError
        ``k`` not > 1, ``top_quantile`` not in (0, 1), ``min_history`` not a positive integer.

    Notes
    -----
    Only lines with amount > 0 are assessed and counted (returns and zero lines are not
    keying errors of this kind). With ``y = ln amount``, the line ``i`` of customer ``c``
    is flagged when

    .. math:: y_i - \\operatorname{med}_{j \\in c, j \\ne i} y_j > \\ln k
              \\quad\\text{and}\\quad a_i > Q_{\\text{top\\_quantile}}(a)

    The median is taken on the log amounts, leaving the line itself out, so a single keyed
    line cannot raise its own yardstick (with one other line, that line is the median); for
    an even number of other lines it is the geometric mean of the two middle ones. The
    median is the robust location (breakdown point 50 %; Hampel et al. 1986), and on the log
    scale the rule is about ratios, as keying errors are (a slipped decimal point is ×10,
    two extra zeros ×100). The file quantile is numpy's linear interpolation.

    References
    ----------
    .. [1] Hampel, F. R., Ronchetti, E. M., Rousseeuw, P. J. & Stahel, W. A. (1986). Robust
       Statistics: The Approach Based on Influence Functions. Wiley, §2.2.
    .. [2] Issue 9 (abclab): a line keyed 100× too large (264× the customer's median line)
       made a small customer an A.

    Examples
    --------
    >>> log = pd.DataFrame({"c": ["a"] * 4 + ["b"] * 2, "d": range(6),
    ...                     "x": [100.0, 120, 90, 11000, 5000, 6000]})
    >>> flag_lines(log, customer="c", amount="x", date="d", top_quantile=0.5)[
    ...     ["row", "customer", "amount", "customer_median", "multiple"]]
       row customer   amount  customer_median  multiple
    0    3        a  11000.0            100.0     110.0
    """
    if not isinstance(transactions, pd.DataFrame):
        raise InputDataError(
            f"transactions must be a pandas DataFrame, got {type(transactions).__name__}"
        )
    for label, col in (("customer", customer), ("amount", amount), ("date", date)):
        if col not in transactions.columns:
            raise InputDataError(
                f"{label}={col!r} is not a column of the transactions; "
                f"available: {list(transactions.columns)}"
            )
    if isinstance(k, bool) or not isinstance(k, int | float) or not k > 1:
        raise ValueError(f"k must be a number > 1, got {k!r}")
    if isinstance(top_quantile, bool) or not isinstance(top_quantile, int | float):
        raise ValueError(f"top_quantile must be a number in (0, 1), got {top_quantile!r}")
    if not 0 < top_quantile < 1:
        raise ValueError(f"top_quantile must be in (0, 1), got {top_quantile!r}")
    if isinstance(min_history, bool) or not isinstance(min_history, int) or min_history < 1:
        raise ValueError(f"min_history must be a positive integer, got {min_history!r}")
    raw = transactions[amount]
    amounts = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = np.flatnonzero(raw.notna().to_numpy(bool) & np.isnan(amounts))
    if len(bad):
        raise InputDataError(
            f"transactions: column {amount!r} row {bad[0] + 1} (1-based position): cannot "
            f"read {raw.iloc[bad[0]]!r} as a number"
        )
    codes, uniques = pd.factorize(transactions[customer], use_na_sentinel=True)
    if aliases:  # map the distinct ids, not the lines
        booked = pd.Index([aliases.get(u, u) for u in uniques])
        merged, uniques = pd.factorize(booked)
        codes = np.where(codes >= 0, merged[np.maximum(codes, 0)], -1)
    positive = np.flatnonzero((amounts > 0) & (codes >= 0))
    rows = _flag_kernel(codes[positive], amounts[positive], k, top_quantile, min_history)
    hit, median, others, threshold, percentile = rows
    at = positive[hit]
    multiple = amounts[at] / median
    q = 100 * top_quantile
    reasons = [
        Reason(
            "line_flag",
            f"{m:,.1f}× the customer's median line {med:,.2f} (over {n} other lines) and above "
            f"the file's {q:g}th percentile {threshold:,.2f}",
            {
                "multiple": float(m),
                "median": float(med),
                "others": int(n),
                "quantile": float(q),
                "threshold": float(threshold),
            },  # fmt: skip
        )
        for m, med, n in zip(multiple, median, others, strict=True)
    ]
    out = pd.DataFrame(
        {
            "row": at.astype(np.int64),
            "date": transactions[date].iloc[at].to_numpy(),
            "customer": np.asarray(uniques, dtype=object)[codes[at]],
            "amount": amounts[at],
            "customer_median": median,
            "multiple": multiple,
            "file_percentile": percentile,
            "other_lines": others,
            "reason": pd.Series([str(x) for x in reasons], dtype="str"),
            "reason_code": pd.Series([x.code for x in reasons], dtype="str"),
            "reason_values": pd.Series([dict(x.values) for x in reasons], dtype=object),
        },
        columns=LINE_FLAG_COLUMNS,
    )
    return out.sort_values("multiple", ascending=False, kind="stable").reset_index(drop=True)


def _flag_kernel(
    codes: np.ndarray, amounts: np.ndarray, k: float, top_quantile: float, min_history: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, np.ndarray]:
    """Flagged positions among positive lines, their medians, history sizes, the file
    threshold and their file percentiles (kernel without validation)."""
    if len(amounts) == 0:
        empty = np.zeros(0)
        return np.zeros(0, np.int64), empty, np.zeros(0, np.int64), np.nan, empty
    y = np.log(amounts)
    median, others = _leave_one_out_median(codes, y)
    threshold = float(np.quantile(amounts, top_quantile))
    enough = others >= min_history
    hit = np.flatnonzero(enough & (y - np.where(enough, median, 0.0) > np.log(k)))
    hit = hit[amounts[hit] > threshold]
    ranked = np.sort(amounts)
    percentile = 100 * np.searchsorted(ranked, amounts[hit], side="right") / len(amounts)
    return hit, np.exp(median[hit]), others[hit], threshold, percentile


@dataclass(frozen=True)
class ReturnsSummary:
    """Returns (negative lines) per customer and in total, as netted into the spend.

    Attributes
    ----------
    per_customer : pandas.DataFrame
        Customers with at least one return, most returned first; columns
        ``return_count``, ``returned_amount`` (positive), ``gross_spend`` (net spend +
        returns: what was invoiced before returns; NaN when the net spend is not known) and
        ``return_share = returned_amount / gross_spend`` (NaN when ``gross_spend`` ≤ 0).
    total : pandas.Series
        ``return_count``, ``returned_amount``, ``customers`` (with a return), ``gross_spend``
        and ``return_share`` of the whole log.
    """

    per_customer: pd.DataFrame
    total: pd.Series

    def to_frame(self) -> pd.DataFrame:
        """Return :attr:`per_customer`."""
        return self.per_customer


def summarise_returns(features: Any) -> ReturnsSummary:
    """Count and amount of returns per customer and in total.

    Reads what :func:`abclab.features.transaction_features` already computed (its
    ``returns`` frame, and ``total_spend`` of its ``customers``), so the numbers are exactly
    the returns netted into the criteria.

    Parameters
    ----------
    features : TransactionFeatures or pandas.DataFrame
        The result of :func:`abclab.features.transaction_features`, or a frame indexed by
        customer with ``return_count`` and ``returned_amount`` (and optionally
        ``total_spend``), e.g. ``TransactionFeatures.to_frame()``.

    Returns
    -------
    ReturnsSummary

    Raises
    ------
    InputDataError
        ``features`` has no ``return_count`` / ``returned_amount``.

    Notes
    -----
    ``gross_spend = total_spend + returned_amount`` and ``return_share = returned_amount /
    gross_spend``, per customer and for the sums over all customers.
    """
    frame = getattr(features, "returns", features)
    if not isinstance(frame, pd.DataFrame):
        raise InputDataError(
            f"features must be a TransactionFeatures or a DataFrame, got {type(features).__name__}"
        )
    customers = getattr(features, "customers", frame)
    absent = [c for c in ("return_count", "returned_amount") if c not in frame.columns]
    if absent:
        raise InputDataError(
            f"features: column(s) {absent} not found (use abclab.features."
            f"transaction_features(...)); available: {list(frame.columns)}"
        )
    count = frame["return_count"].fillna(0).astype("int64")
    amount = frame["returned_amount"].fillna(0.0).astype(float).abs()
    if "total_spend" in customers.columns:
        gross = customers["total_spend"].reindex(frame.index).astype(float) + amount
    else:
        gross = pd.Series(np.nan, index=frame.index)
    table = pd.DataFrame({"return_count": count, "returned_amount": amount, "gross_spend": gross})
    table["return_share"] = (amount / gross).where(gross > 0)
    per_customer = table[count > 0].sort_values("returned_amount", ascending=False, kind="stable")
    gross_total = float(gross.sum(min_count=1)) if gross.notna().all() else np.nan
    total = pd.Series(
        {
            "return_count": int(count.sum()),
            "returned_amount": float(amount.sum()),
            "customers": int((count > 0).sum()),
            "gross_spend": gross_total,
            "return_share": float(amount.sum()) / gross_total if gross_total > 0 else np.nan,
        },
        name="returns",
        dtype=object,
    )
    return ReturnsSummary(per_customer=per_customer, total=total)
