"""The demo company's invoice lines: purchases, late payments, returns, invoice numbers."""

from __future__ import annotations

import datetime as _dt

import numpy as np
import pandas as pd

from abclab.datasets._demo_company import AS_OF, CATEGORIES


def _transactions(
    rng: np.random.Generator, master: pd.DataFrame, latent: pd.DataFrame, start: _dt.date
) -> pd.DataFrame:
    cat_names = list(CATEGORIES)
    cat_p = np.array([v[0] for v in CATEGORIES.values()])
    cat_margin = np.array([v[1] for v in CATEGORIES.values()])
    parts: dict[str, list[np.ndarray]] = {
        k: [] for k in ("date", "customer", "category", "amount", "profit", "due", "paid")
    }
    terms = master["payment_terms_days"].to_numpy()
    for i, cust in enumerate(master["customer_id"]):
        lat = latent.iloc[i]
        owned = rng.choice(len(cat_names), size=int(lat["n_categories"]), replace=False, p=cat_p)
        owned_p = cat_p[owned] / cat_p[owned].sum()
        for year in range(start.year, AS_OF.year + 1):
            first = max(lat["start"], _dt.date(year, 1, 1))
            last = _dt.date(year, 12, 31)
            if first > last:
                continue
            active = ((last - first).days + 1) / 365.0
            year_spend = lat["spend"] * (1 + lat["growth"]) ** (year - AS_OF.year) * active
            rate = np.clip(2 + 6 * (lat["spend"] / 5e5) ** 0.4, 1, 40) * active
            k = max(1, int(rng.poisson(rate)))
            offsets = np.sort(rng.integers(0, (last - first).days + 1, size=k))
            weights = rng.lognormal(0, 0.6, size=k)
            amount = np.round(year_spend * weights / weights.sum(), 2)
            # the customer leaves after its first purchase that draws the dropout
            dropped = np.flatnonzero(rng.random(k) < lat["dropout"])
            keep = k if len(dropped) == 0 else int(dropped[0]) + 1
            offsets, amount = offsets[:keep], amount[:keep]
            k = keep
            cat = owned[rng.choice(len(owned), size=k, p=owned_p)]
            margin = lat["margin"] + cat_margin[cat] + rng.normal(0, 0.02, size=k)
            dates = np.datetime64(first, "D") + offsets.astype("timedelta64[D]")
            due = dates + np.timedelta64(int(terms[i]), "D")
            late = rng.random(k) < lat["p_late"]
            delay = np.where(late, 1 + rng.exponential(25, size=k), -rng.integers(0, 16, size=k))
            parts["date"].append(dates)
            parts["customer"].append(np.full(k, cust, dtype=object))
            parts["category"].append(cat)
            parts["amount"].append(amount)
            parts["profit"].append(np.round(amount * margin, 2))
            parts["due"].append(due)
            parts["paid"].append(due + np.round(delay).astype(int).astype("timedelta64[D]"))
            if dropped.size:
                break  # gone for good
    joined = {k: np.concatenate(v) for k, v in parts.items()}
    tx = pd.DataFrame(
        {
            "date": joined["date"].astype("datetime64[us]"),
            "customer_id": pd.array(joined["customer"], dtype="str"),
            "category": pd.array(
                np.array(cat_names, dtype=object)[joined["category"]], dtype="str"
            ),
            "amount": joined["amount"],
            "profit": joined["profit"],
            "due_date": joined["due"].astype("datetime64[us]"),
            "paid_date": joined["paid"].astype("datetime64[us]"),
        }
    )
    end = pd.Timestamp(AS_OF)
    tx.loc[tx["paid_date"] > end, "paid_date"] = pd.NaT  # still open at the year end
    return _add_returns(rng, tx, end)


def _add_returns(rng: np.random.Generator, tx: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    picked = np.flatnonzero(rng.random(len(tx)) < 0.02)
    share = rng.choice([1.0, 0.5, 0.25, 0.1], size=len(picked), p=[0.3, 0.3, 0.2, 0.2])
    lag = rng.integers(5, 60, size=len(picked))
    ret = tx.iloc[picked].copy()
    ret["date"] = ret["date"] + pd.to_timedelta(lag, unit="D")
    ret["amount"] = -np.round(ret["amount"].to_numpy() * share, 2)
    ret["profit"] = -np.round(ret["profit"].to_numpy() * share, 2)
    ret["due_date"] = pd.NaT
    ret["paid_date"] = pd.NaT
    ret = ret[ret["date"] <= end]
    return pd.concat([tx, ret], ignore_index=True)


def _number_invoices(tx: pd.DataFrame) -> pd.DataFrame:
    year = tx["date"].dt.year
    seq = tx.groupby(year).cumcount() + 1
    prefix = np.where(tx["amount"] < 0, "CN", "INV")
    tx = tx.copy()
    tx.insert(
        0,
        "invoice_id",
        [f"{p}-{y}-{s:05d}" for p, y, s in zip(prefix, year, seq, strict=True)],
    )
    for column in ("date", "due_date", "paid_date"):
        tx[column] = tx[column].astype("datetime64[us]")
    return tx[
        ["date", "customer_id", "invoice_id", "category", "amount", "profit", "due_date",
         "paid_date"]
    ]  # fmt: skip
