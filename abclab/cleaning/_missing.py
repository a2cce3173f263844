"""Missing and non-positive criterion values: pending customers, estimates and fills.

Screening (non-positive values, missing values that make a customer pending), the recent
monthly average from the transactions (source 003: 用近3个月平均消费额填补年消费额缺失值),
and the fills (median, zero, recent average) of the customers that are not pending.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from abclab.cleaning._policy import CriterionPolicy
from abclab.cleaning._reasons import Reason
from abclab.exceptions import InputDataError


def _recent_average(
    transactions: pd.DataFrame, columns: Mapping[str, str], alias: Mapping, policy: CriterionPolicy
) -> pd.DataFrame:
    """Per customer: mean monthly amount over the last months with transactions, scaled."""
    names = {"customer": "customer", "date": "date", "amount": "amount", **(columns or {})}
    absent = [v for v in names.values() if v not in transactions.columns]
    if absent:
        raise InputDataError(
            f"transactions: column(s) {absent} not found (set transaction_columns=...); "
            f"available: {list(transactions.columns)}"
        )
    dates = pd.to_datetime(transactions[names["date"]], errors="coerce")
    amounts = pd.to_numeric(transactions[names["amount"]], errors="coerce")
    for label, raw, parsed in (
        ("date", names["date"], dates),
        ("amount", names["amount"], amounts),
    ):
        bad = np.flatnonzero((transactions[raw].notna() & parsed.isna()).to_numpy(bool))
        if len(bad):
            raise InputDataError(
                f"transactions: column {raw!r} row {bad[0] + 1} (1-based position): cannot read "
                f"{transactions[raw].iloc[bad[0]]!r} as a {label}"
            )
    customer = transactions[names["customer"]].map(lambda c: alias.get(c, c))
    monthly = amounts.groupby([customer, dates.dt.to_period("M")]).sum().sort_index()
    recent = monthly.groupby(level=0, group_keys=False).tail(policy.recent_months)
    months = recent.index.get_level_values(1)
    grouped = recent.groupby(level=0)
    out = pd.DataFrame({"mean": grouped.mean(), "n": grouped.size()})
    periods = pd.Series(months.astype(str), index=recent.index.get_level_values(0))
    out["first"] = periods.groupby(level=0).first()
    out["last"] = periods.groupby(level=0).last()
    out["value"] = out["mean"] * policy.periods_per_year
    return out


def _why(code: str, text: str, column: str, **values: object) -> Reason:
    """A reason about criterion ``column`` (its values are the column and ``values``)."""
    return Reason(code, text, {"column": column, **values})


def _screen(work, pols, transactions, tx_columns, alias, log, pending) -> dict[str, pd.DataFrame]:
    """Steps 3-4: non-positive values and missing values that make a customer pending."""
    estimates = {}
    for col, pol in pols.items():
        bad = work[col][work[col] <= 0]
        if pol.nonpositive == "pending":
            whys = [
                _why("nonpositive", f"{col} = {v:g} is not positive", col, value=float(v))
                for v in bad
            ]
            pending.add(bad.index, col, bad, "nonpositive_pending", whys)
        elif pol.nonpositive == "missing":
            work.loc[bad.index, col] = np.nan
            whys = [_why("nonpositive_missing", f"{col} = {v:g} is not positive; set missing",
                         col, value=float(v)) for v in bad]  # fmt: skip
            log.extend(bad.index, col, bad, np.nan, "nonpositive_missing", whys)
        missing = work.index[work[col].isna()]
        if pol.missing == "pending":
            why = _why("missing", f"{col} is missing", col)
            pending.add(missing, col, np.nan, "missing_pending", why)
        elif pol.missing == "recent_average":
            est = estimates[col] = _recent_average(transactions, tx_columns, alias, pol)
            none = missing[~missing.isin(est.index)]
            why = _why("missing_no_transactions",
                       f"{col} is missing and the customer has no transactions", col)  # fmt: skip
            pending.add(none, col, np.nan, "missing_no_transactions", why)
            if pol.nonpositive != "allow":
                value = est["value"].reindex(missing)
                low = value[value <= 0]
                whys = [
                    _why(
                        "missing_low_average",
                        f"{col} is missing and its recent average {v:g} is not positive",
                        col,
                        value=float(v),
                    )  # fmt: skip
                    for v in low
                ]
                pending.add(low.index, col, np.nan, "missing_nonpositive_estimate", whys)
    return estimates


def _fill_missing(work, pols, active, estimates, log, pending) -> None:
    """Step 6: fill the missing values of customers that are not pending."""
    for col, pol in pols.items():
        gaps = work.index[work[col].isna() & active]
        if pol.missing == "median" and len(gaps):
            observed = work[col][active].dropna()
            if observed.empty:
                why = _why("missing_no_median",
                           f"{col} is missing and no customer has a value to take a median from",
                           col)  # fmt: skip
                pending.add(gaps, col, np.nan, "missing_pending", why)
                continue
            n = len(observed)
            why = Reason("filled_median",
                         f"filled with the median of the {n} observed not-pending values",
                         {"n": n})  # fmt: skip
            work.loc[gaps, col] = observed.median()
            log.extend(gaps, col, np.nan, observed.median(), "missing_median", why)
        elif pol.missing == "zero":
            work.loc[gaps, col] = 0.0
            log.extend(
                gaps, col, np.nan, 0.0, "missing_zero", Reason("filled_zero", "filled with 0")
            )
        elif pol.missing == "recent_average":
            est = estimates[col].loc[gaps]
            work.loc[gaps, col] = est["value"].to_numpy()
            factor = float(pol.periods_per_year)
            whys = [
                Reason(
                    "filled_recent_average",
                    f"mean monthly amount {r.mean:g} over the last {r.n} month(s) with "
                    f"transactions ({r.first} to {r.last}) × {factor:g}",
                    {
                        "mean": float(r.mean),
                        "months": int(r.n),
                        "first": str(r.first),
                        "last": str(r.last),
                        "factor": factor,
                    },  # fmt: skip
                )
                for r in est.itertuples()
            ]
            log.extend(gaps, col, np.nan, est["value"], "missing_recent_average", whys)
