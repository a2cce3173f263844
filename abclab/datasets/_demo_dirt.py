"""The dirt of a real client file, planted in the demo company, and its GBK export.

Duplicate customers under variant names, missing values and entry errors in the master and
the log (:func:`_plant_dirt`), and the client-style export with Chinese headers, 万元
amounts and % strings (:func:`_export_frame`) with its own planted errors.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from abclab.datasets._demo_company import AS_OF


def _plant_dirt(
    rng: np.random.Generator, master: pd.DataFrame, tx: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    n = len(master)
    # duplicates are made of customers still buying in the last year (their invoices move)
    buying = master["customer_id"].isin(tx.loc[tx["date"].dt.year == AS_OF.year, "customer_id"])
    names = master["name"].where(buying.to_numpy())
    english = np.flatnonzero(names.str.contains("[A-Za-z]", regex=True).fillna(False).to_numpy())
    chinese = np.setdiff1d(np.flatnonzero(buying.to_numpy()), english)
    bracketed = np.flatnonzero(names.str.contains("（", regex=False).fillna(False).to_numpy())
    plain = np.setdiff1d(chinese, bracketed)
    picks = rng.choice(plain, size=3, replace=False)
    chosen = [picks[0], int(rng.choice(bracketed)), picks[1], picks[2]] + list(
        rng.choice(english, size=2, replace=False)
    )
    duplicates: dict[str, str] = {}
    dup_rows = []
    tx = tx.copy()
    for j, (pos, variant) in enumerate(zip(chosen, range(6), strict=True)):
        orig = master.iloc[pos]
        dup_id = f"C{n + j + 1:04d}"
        row = orig.copy()
        row["customer_id"] = dup_id
        row["name"] = _variant_name(orig["name"], variant)
        if variant == 1:
            row["email"] = None  # entered by a different clerk, e-mail not captured
        dup_rows.append(row)
        duplicates[dup_id] = orig["customer_id"]
        mine = tx.index[
            (tx["customer_id"] == orig["customer_id"]) & (tx["date"].dt.year == AS_OF.year)
        ]
        moved = mine[rng.random(len(mine)) < 0.35]
        tx.loc[moved, "customer_id"] = dup_id
    master = pd.concat([master, pd.DataFrame(dup_rows)], ignore_index=True)
    master["strategic_industry"] = master["strategic_industry"].astype("boolean")
    # missing values in the master
    for column, share in (("industry", 0.03), ("phone", 0.03), ("email", 0.05)):
        hole = rng.random(len(master)) < share
        master.loc[hole, column] = None
        if column == "industry":
            master.loc[hole, "industry_growth"] = np.nan
            master.loc[hole, "strategic_industry"] = pd.NA
    # the first duplicate's original lost its phone, which the duplicate record still has
    # (for the cleaning step's duplicate_fill rule)
    first_dup, first_orig = next(iter(duplicates.items()))
    master.loc[master["customer_id"] == first_dup, "phone"] = dup_rows[0]["phone"]
    master.loc[master["customer_id"] == first_orig, "phone"] = None
    # one invoice keyed in 100× too large (extra zeros)
    big = tx.index[tx["amount"].between(5_000, 50_000)]
    outlier = int(big[rng.integers(len(big))])
    tx.loc[outlier, "amount"] = round(float(tx.at[outlier, "amount"]) * 100, 2)
    tx["_outlier"] = tx.index == outlier
    tx = tx.sort_values(["date", "customer_id", "amount"], kind="stable", ignore_index=True)
    outlier_pos = int(np.flatnonzero(tx.pop("_outlier").to_numpy())[0])
    dirt = {"duplicates": duplicates, "outlier_invoice": outlier_pos}
    return master, tx, dirt


def _variant_name(name: str, variant: int) -> str:
    """Typical re-keying variants of one company name (space, full width, case, suffix)."""
    if variant == 0:
        return name.replace("有限公司", " 有限公司")
    if variant == 1:
        return name.replace("（", "(").replace("）", ")")
    if variant == 2:
        return name.replace("有限公司", "有限责任公司")
    if variant == 3:
        return "  " + name.replace("有限公司", "有限公司 ")
    if (
        variant == 4
    ):  # upper case, suffix shortened: "Acme Industrial Co., Ltd." → "ACME INDUSTRIAL LTD"
        words = name.replace("(Shanghai) ", "").split()
        return " ".join(words[:2]).upper() + " LTD"
    # full-width first word: "Acme Industrial Ltd" → "Ａｃｍｅ Industrial Ltd"
    first, rest = name.split(" ", 1)
    return "".join(chr(ord(ch) + 0xFEE0) for ch in first) + " " + rest


EXPORT_COLUMNS = {
    "customer_id": "客户编号",
    "name": "客户名称",
    "industry": "所属行业",
    "region": "所属区域",
    "annual_spend": "年消费额(万元)",
    "margin": "利润率",
    "tenure": "合作年限",
    "cross_purchase_rate": "交叉购买率",
    "on_time_payment_rate": "回款及时率",
    "industry_growth": "行业增长率",
    "contact_person": "联系人",
    "phone": "联系电话",
    "email": "邮箱",
}


def _export_frame(
    rng: np.random.Generator, master: pd.DataFrame, tx: pd.DataFrame, dirt: dict
) -> pd.DataFrame:
    """The client's CRM export: last-12-month criteria per customer record, formatted.

    Only the records with a purchase in the last 12 months are exported (the client's list of
    active customers), so a 0万元 in the export is an entry error, as source 003 §三(三) treats
    it ("年消费额为“0”").
    """
    end = pd.Timestamp(AS_OF) + pd.Timedelta(days=1)
    recent = tx[tx["date"] >= end - pd.DateOffset(months=12)]
    active = master["customer_id"].isin(recent.loc[recent["amount"] >= 0, "customer_id"])
    master = master[active.to_numpy()].reset_index(drop=True)
    spend = recent.groupby("customer_id")["amount"].sum()
    profit = recent.groupby("customer_id")["profit"].sum()
    buys = tx[tx["amount"] >= 0]
    cross = buys.groupby("customer_id")["category"].nunique() / buys["category"].nunique()
    inv = buys[buys["due_date"].notna() & ((buys["due_date"] < end) | buys["paid_date"].notna())]
    on_time = (inv["paid_date"] <= inv["due_date"]).groupby(inv["customer_id"]).mean()
    ids = master["customer_id"]
    spend_wan = ids.map(spend).fillna(0.0).to_numpy() / 1e4
    margin = (ids.map(profit) / ids.map(spend)).to_numpy()
    tenure = ((end - master["customer_since"]).dt.days // 365.25).astype(int).to_numpy()
    # entry errors: one annual spend keyed 100× too large, one keyed as 0
    order = np.argsort(-spend_wan[: len(master) - len(dirt["duplicates"])], kind="stable")
    n = len(order)
    x100 = int(order[rng.integers(n // 6, n // 2)])  # a mid-sized customer
    zero = int(order[rng.integers(n // 20, n // 6)])  # a large customer
    spend_wan[x100] *= 100
    spend_wan[zero] = 0.0
    growth = [_pct(g, 1) for g in master["industry_growth"]]
    na_row = int(rng.integers(len(master)))
    growth[na_row] = "#N/A"
    export = pd.DataFrame(
        {
            "customer_id": ids,
            "name": master["name"],
            "industry": master["industry"],
            "region": master["region"],
            "annual_spend": [f"{v:,.1f}万元" for v in spend_wan],
            "margin": [_pct(m, 1) for m in margin],
            "tenure": tenure,
            "cross_purchase_rate": [_pct(c, 0) for c in ids.map(cross)],
            "on_time_payment_rate": [_pct(r, 0) for r in ids.map(on_time)],
            "industry_growth": growth,
            "contact_person": master["contact_person"],
            "phone": master["phone"],
            "email": master["email"],
        }
    )
    repeated = int(rng.integers(len(master) - len(dirt["duplicates"])))
    export = pd.concat(
        [export.iloc[: repeated + 1], export.iloc[[repeated]], export.iloc[repeated + 1 :]],
        ignore_index=True,
    )
    dirt.update(
        export_spend_x100=ids.iloc[x100],
        export_spend_zero=ids.iloc[zero],
        export_repeated_row=ids.iloc[repeated],
        export_na=ids.iloc[na_row],
    )
    return export.rename(columns=EXPORT_COLUMNS)


def _pct(value: float, decimals: int) -> str:
    if value is None or pd.isna(value):
        return ""
    return f"{value * 100:.{decimals}f}%"


def _to_csv_text(frame: pd.DataFrame, *, lineterminator: str = "\n") -> str:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator=lineterminator, date_format="%Y-%m-%d")
    return buffer.getvalue()
