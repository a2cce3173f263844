"""Seeded generator of the demo company: a mid-sized industrial-equipment maker.

The company follows the case in source 003 (§五): about 400 B2B customers whose spend is
strongly skewed (lognormal with σ = 1.4, so roughly the top 5 % of customers hold ~40 % of
spend and the top 17.5 % ~70 %, as in source 003's summary template), six product lines,
three years of invoices up to 2024-12-31, late payments, returns, and the dirt a real client
file has: duplicate customers under variant names, missing values, entry errors and a
GBK-encoded export with Chinese headers, 万元 amounts and % strings.

Everything is drawn from one ``numpy.random.default_rng(seed)`` in a fixed order, so the same
seed gives byte-identical files (Parquet bytes additionally depend on the pyarrow version,
which is written into the file footer).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from abclab._text import normalise_name

__all__ = ["DemoCompany", "build_demo", "generate_demo", "main"]

AS_OF = _dt.date(2024, 12, 31)  #: last day of the demo log (inclusive)
DEFAULT_SEED = 20240101

#: Product lines with share of invoices and margin offset against the customer's base margin.
CATEGORIES = {
    "数控机床": (0.26, -0.02),
    "工业机器人": (0.14, 0.00),
    "液压系统": (0.18, 0.01),
    "电气控制柜": (0.17, 0.00),
    "备品备件": (0.15, 0.05),
    "维修服务": (0.10, 0.10),
}
#: Industry → (mean industry growth, national key industry "国家重点行业").
INDUSTRIES = {
    "汽车制造": (0.06, True),
    "新能源": (0.21, True),
    "电力能源": (0.08, True),
    "冶金钢铁": (-0.03, False),
    "化工": (0.03, False),
    "食品加工": (0.05, False),
    "轨道交通": (0.10, True),
    "电子制造": (0.12, True),
    "建材": (-0.02, False),
    "物流仓储": (0.07, False),
}
REGIONS = {
    "华东": ["苏州", "无锡", "宁波", "杭州", "常州", "合肥", "上海"],
    "华南": ["佛山", "东莞", "深圳", "厦门"],
    "华北": ["天津", "北京", "唐山", "石家庄"],
    "华中": ["武汉", "长沙", "郑州"],
    "西南": ["成都", "重庆", "昆明"],
    "西北": ["西安", "兰州"],
    "东北": ["沈阳", "大连", "长春"],
}
_BRANDS = list("恒信华达宏远金桥永盛中联鑫源瑞丰东方远大新宇三和汇通博文明泰天成盛世隆基")
_BUSINESS = [
    "机电设备",
    "精密机械",
    "汽车零部件",
    "电力工程",
    "化工装备",
    "钢铁制品",
    "食品机械",
    "电子科技",
    "建材",
    "物流设备",
    "自动化",
    "重工",
]
_EN_FIRST = [
    "Acme",
    "Apex",
    "Bluewater",
    "Crestline",
    "Evergreen",
    "Harbor",
    "Ironwood",
    "Keystone",
    "Meridian",
    "Northstar",
    "Pinnacle",
    "Summit",
]
_EN_SECOND = ["Industrial", "Engineering", "Automation", "Machinery", "Power", "Motion"]
_EN_SUFFIX = ["Co., Ltd.", "Ltd", "(Shanghai) Co., Ltd.", "Inc."]
_SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高")
_GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华")
_PINYIN = {
    "王": "wang", "李": "li", "张": "zhang", "刘": "liu", "陈": "chen", "杨": "yang",
    "黄": "huang", "赵": "zhao", "吴": "wu", "周": "zhou", "徐": "xu", "孙": "sun",
    "马": "ma", "朱": "zhu", "胡": "hu", "郭": "guo", "何": "he", "林": "lin",
    "罗": "luo", "高": "gao",
}  # fmt: skip
_MOBILE_PREFIXES = ["135", "136", "137", "138", "139", "150", "151", "158", "186", "188"]

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


@dataclass(frozen=True)
class DemoCompany:
    """The demo company's tables and the planted data problems.

    Attributes
    ----------
    customers : pandas.DataFrame
        Customer master (one row per customer record, duplicates included).
    transactions : pandas.DataFrame
        Invoice lines, returns as negative amounts.
    export_gbk : bytes
        The client-style export ``customers_export_gbk.csv`` (GBK, CRLF, Chinese headers).
    dirt : dict
        What was planted: ``duplicates`` (duplicate id → original id), ``outlier_invoice``,
        ``export_spend_x100``, ``export_spend_zero``, ``export_repeated_row``, ``export_na``.
    seed : int
        The seed used.
    """

    customers: pd.DataFrame
    transactions: pd.DataFrame
    export_gbk: bytes
    dirt: dict
    seed: int


def build_demo(*, seed: int = DEFAULT_SEED, n_customers: int = 400, years: int = 3) -> DemoCompany:
    """Generate the demo company in memory (see module docstring; nothing is written)."""
    if n_customers < 20:
        raise ValueError(f"n_customers={n_customers} should be >= 20")
    if years < 1:
        raise ValueError(f"years={years} should be >= 1")
    rng = np.random.default_rng(seed)
    start = _dt.date(AS_OF.year - years + 1, 1, 1)
    master, latent = _customer_master(rng, n_customers, start)
    tx = _transactions(rng, master, latent, start)
    master, tx, dirt = _plant_dirt(rng, master, tx)
    tx = _number_invoices(tx)
    export = _export_frame(rng, master, tx, dirt)
    return DemoCompany(
        customers=master.reset_index(drop=True),
        transactions=tx,
        export_gbk=_to_csv_text(export, lineterminator="\r\n").encode("gbk"),
        dirt=dirt,
        seed=seed,
    )


# ----------------------------------------------------------------------------- customers


def _customer_master(
    rng: np.random.Generator, n: int, start: _dt.date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    ids = [f"C{i:04d}" for i in range(1, n + 1)]
    region_names = list(REGIONS)
    region = rng.choice(region_names, size=n, p=[0.34, 0.2, 0.15, 0.11, 0.1, 0.05, 0.05])
    city = [REGIONS[r][rng.integers(len(REGIONS[r]))] for r in region]
    industry_names = list(INDUSTRIES)
    industry = rng.choice(industry_names, size=n)
    english = rng.random(n) < 0.08
    names = _company_names(rng, city, english)
    growth = np.array([INDUSTRIES[i][0] for i in industry]) + rng.normal(0, 0.03, n)
    growth = np.round(np.clip(growth, -0.05, 0.25), 3)
    strategic = np.array([INDUSTRIES[i][1] for i in industry])
    surname = rng.choice(_SURNAMES, size=n)
    given = [
        "".join(rng.choice(_GIVEN, size=rng.integers(1, 3))) for _ in range(n)
    ]  # 1–2 character given names
    contact = [s + g for s, g in zip(surname, given, strict=True)]
    phone = [
        _MOBILE_PREFIXES[rng.integers(len(_MOBILE_PREFIXES))] + f"{rng.integers(10**8):08d}"
        for _ in range(n)
    ]
    domains = ["".join(rng.choice(list("abcdefghjkmnpqrstwxyz"), size=4)) for _ in range(n)]
    number = rng.integers(1, 100, size=n)
    email = [
        f"{_PINYIN[s]}{k}@{d}.com.cn" for s, k, d in zip(surname, number, domains, strict=True)
    ]
    since_year = rng.choice(np.arange(2006, AS_OF.year + 1), size=n)
    since = [
        _dt.date(int(y), 1, 1) + _dt.timedelta(days=int(rng.integers(0, 365))) for y in since_year
    ]
    since = [min(s, AS_OF - _dt.timedelta(days=60)) for s in since]
    terms = rng.choice([30, 60, 90], size=n, p=[0.5, 0.35, 0.15])
    master = pd.DataFrame(
        {
            "customer_id": ids,
            "name": names,
            "industry": industry,
            "region": region,
            "city": city,
            "contact_person": contact,
            "phone": phone,
            "email": email,
            "industry_growth": growth,
            "strategic_industry": strategic,
            "customer_since": pd.to_datetime(since).astype("datetime64[us]"),
            "payment_terms_days": terms,
        }
    )
    # latent drivers (not exported): spend level, own growth, margin, lateness, churn
    spend = rng.lognormal(mean=11.9, sigma=1.4, size=n)  # 2024 level in 元
    rank_pct = pd.Series(spend).rank(pct=True).to_numpy()
    latent = pd.DataFrame(
        {
            "spend": spend,
            "growth": np.clip(growth * 0.8 + rng.normal(0, 0.08, n), -0.3, 0.6),
            "margin": np.clip(rng.normal(0.05 + 0.11 * rank_pct, 0.03), -0.03, 0.35),
            "p_late": rng.beta(1.2, 9.0 - 4.0 * rank_pct),
            "n_categories": np.clip(1 + rng.binomial(5, 0.15 + 0.5 * rank_pct), 1, 6),
            "churn": np.where(
                rng.random(n) < 0.05,
                rng.integers(0, 300, n),  # days into the last year when buying stops
                -1,
            ),
            "start": [max(s, start) for s in since],
        }
    )
    return master, latent


def _company_names(rng: np.random.Generator, city: list[str], english: np.ndarray) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    for c, en in zip(city, english, strict=True):
        while True:
            if en:
                name = (
                    f"{_EN_FIRST[rng.integers(len(_EN_FIRST))]} "
                    f"{_EN_SECOND[rng.integers(len(_EN_SECOND))]} "
                    f"{_EN_SUFFIX[rng.integers(len(_EN_SUFFIX))]}"
                )
            else:
                brand = "".join(rng.choice(_BRANDS, size=2, replace=False))
                business = _BUSINESS[rng.integers(len(_BUSINESS))]
                if rng.random() < 0.25:
                    name = f"{brand}{business}（{c}）有限公司"
                else:
                    name = f"{c}{brand}{business}有限公司"
            key = normalise_name(name)  # distinct firms must not look like duplicates
            if key not in seen:
                seen.add(key)
                names.append(name)
                break
    return names


# -------------------------------------------------------------------------- transactions


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
        stop = (
            _dt.date(AS_OF.year, 1, 1) + _dt.timedelta(days=int(lat["churn"]))
            if lat["churn"] >= 0
            else AS_OF
        )
        for year in range(start.year, AS_OF.year + 1):
            first = max(lat["start"], _dt.date(year, 1, 1))
            last = min(stop, _dt.date(year, 12, 31))
            if first > last:
                continue
            active = ((last - first).days + 1) / 365.0
            year_spend = lat["spend"] * (1 + lat["growth"]) ** (year - AS_OF.year) * active
            rate = np.clip(2 + 6 * (lat["spend"] / 5e5) ** 0.4, 1, 40) * active
            k = max(1, int(rng.poisson(rate)))
            offsets = np.sort(rng.integers(0, (last - first).days + 1, size=k))
            weights = rng.lognormal(0, 0.6, size=k)
            amount = np.round(year_spend * weights / weights.sum(), 2)
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


def _plant_dirt(
    rng: np.random.Generator, master: pd.DataFrame, tx: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    n = len(master)
    english = np.flatnonzero(master["name"].str.contains("[A-Za-z]", regex=True).to_numpy())
    chinese = np.setdiff1d(np.arange(n), english)
    bracketed = np.flatnonzero(master["name"].str.contains("（", regex=False).to_numpy())
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
        mine = tx.index[(tx["customer_id"] == orig["customer_id"]) & (tx["date"].dt.year == 2024)]
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


# -------------------------------------------------------------------------------- export


def _export_frame(
    rng: np.random.Generator, master: pd.DataFrame, tx: pd.DataFrame, dirt: dict
) -> pd.DataFrame:
    """The client's CRM export: last-12-month criteria per customer record, formatted."""
    end = pd.Timestamp(AS_OF) + pd.Timedelta(days=1)
    recent = tx[tx["date"] >= end - pd.DateOffset(months=12)]
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


# --------------------------------------------------------------------------------- files


def _to_csv_text(frame: pd.DataFrame, *, lineterminator: str = "\n") -> str:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator=lineterminator, date_format="%Y-%m-%d")
    return buffer.getvalue()


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    fields = [
        pa.field(f.name, pa.date32()) if pa.types.is_timestamp(f.type) else f for f in table.schema
    ]
    table = table.cast(pa.schema(fields)).replace_schema_metadata(None)
    pq.write_table(
        table, path, compression="zstd", compression_level=3, use_dictionary=True, version="2.6"
    )


def generate_demo(
    out_dir: str | Path, *, seed: int = DEFAULT_SEED, n_customers: int = 400, years: int = 3
) -> dict[str, Path]:
    """Write the demo company's files into ``out_dir`` and return their paths.

    Files: ``customers.csv`` (UTF-8 master), ``transactions.csv`` and
    ``transactions.parquet`` (same invoice lines), ``customers_export_gbk.csv`` (GBK client
    export with Chinese headers) and ``README.md`` (the seed and what was planted).
    The same arguments always give the same bytes for the CSV and README files and the same
    content for the Parquet file.
    """
    demo = build_demo(seed=seed, n_customers=n_customers, years=years)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "customers": out / "customers.csv",
        "transactions_csv": out / "transactions.csv",
        "transactions_parquet": out / "transactions.parquet",
        "export_gbk": out / "customers_export_gbk.csv",
        "readme": out / "README.md",
    }
    paths["customers"].write_bytes(_to_csv_text(demo.customers).encode("utf-8"))
    paths["transactions_csv"].write_bytes(_to_csv_text(demo.transactions).encode("utf-8"))
    _write_parquet(demo.transactions, paths["transactions_parquet"])
    paths["export_gbk"].write_bytes(demo.export_gbk)
    paths["readme"].write_bytes(_readme(demo, n_customers, years).encode("utf-8"))
    return paths


def _readme(demo: DemoCompany, n_customers: int, years: int) -> str:
    tx = demo.transactions
    dirt = demo.dirt
    dups = "\n".join(
        f"  - `{d}` {demo.customers.set_index('customer_id').at[d, 'name']!r} duplicates "
        f"`{o}` {demo.customers.set_index('customer_id').at[o, 'name']!r}"
        for d, o in dirt["duplicates"].items()
    )
    outlier = tx.iloc[dirt["outlier_invoice"]]
    return f"""# Demo company (generated — do not edit)

A mid-sized industrial-equipment maker modelled on source 003's case (§五): {n_customers}
customers, {years} years of invoices up to {AS_OF.isoformat()}, six product lines, spend
strongly skewed (lognormal, σ = 1.4). Regenerate byte-identically with

    python -m abclab.datasets data/demo --seed {demo.seed}

(`abclab.datasets.generate_demo(out_dir, seed={demo.seed}, n_customers={n_customers},
years={years})`). The same tables load without files via `abclab.datasets.load("demo_customers")`,
`load("demo_transactions")` and `load("demo_export_gbk")`.

## Files

- `customers.csv` — customer master, UTF-8, {len(demo.customers)} rows: customer_id, name,
  industry, region, city, contact_person, phone (11-digit mobile), email, industry_growth
  (fraction, −5 %…25 %), strategic_industry (national key industry), customer_since,
  payment_terms_days.
- `transactions.csv` / `transactions.parquet` — the same {len(tx)} invoice lines: date,
  customer_id, invoice_id (`INV-…`; credit notes `CN-…`), category, amount (元), profit (元),
  due_date, paid_date (empty = still open at {AS_OF.isoformat()}). Returns are negative lines
  ({int((tx["amount"] < 0).sum())} of them) without due/paid dates.
- `customers_export_gbk.csv` — the kind of file a client sends: GBK encoded, CRLF, Chinese
  headers ({", ".join(EXPORT_COLUMNS.values())}); 年消费额 as "1,234.5万元" (last 12 months),
  利润率 / 交叉购买率 / 回款及时率 / 行业增长率 as "15%" strings, 合作年限 in whole years.

## Planted data problems (for the cleaning step)

- Duplicate customers under variant names (about 35 % of the original's 2024 invoices are
  booked under the duplicate id):
{dups}
- Missing values in customers.csv: industry (with industry_growth), phone, email.
- Transactions: invoice row {dirt["outlier_invoice"]} (0-based, {outlier["customer_id"]},
  {outlier["date"]:%Y-%m-%d}) keyed 100× too large: {outlier["amount"]:.2f} 元.
- Export: 年消费额 of `{dirt["export_spend_x100"]}` keyed 100× too large and of
  `{dirt["export_spend_zero"]}` keyed as 0万元; the row of `{dirt["export_repeated_row"]}`
  appears twice; 行业增长率 of `{dirt["export_na"]}` is the Excel error `#N/A`; cells are
  empty where the master has missing values.
"""


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m abclab.datasets OUT_DIR [--seed N]``."""
    parser = argparse.ArgumentParser(
        prog="python -m abclab.datasets",
        description="Write the abclab demo company (customers, transactions, GBK export).",
    )
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--customers", type=int, default=400)
    parser.add_argument("--years", type=int, default=3)
    args = parser.parse_args(argv)
    paths = generate_demo(
        args.out_dir, seed=args.seed, n_customers=args.customers, years=args.years
    )
    for path in paths.values():
        print(path)
    return 0
