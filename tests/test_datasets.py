"""Tests for abclab.datasets: registry, bundled data, the demo company, synthetic data."""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import SHARED as SHARED_ROOT

from abclab import datasets
from abclab.datasets import build_demo, demo_criteria, generate_demo, list_datasets, load
from abclab.features import from_transactions

DEMO_DIR = Path(__file__).resolve().parents[1] / "data" / "demo"
SHARED = SHARED_ROOT / "data"
DEMO_FILES = (
    "customers.csv",
    "transactions.csv",
    "transactions.parquet",
    "customers_export_gbk.csv",
    "README.md",
)


@pytest.fixture(scope="module")
def demo():
    return build_demo()


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo_a")
    generate_demo(out)
    return out


# ------------------------------------------------------------------ registry


def test_registry_lists_every_dataset_with_provenance_and_row_count():
    listing = list_datasets()
    assert list(listing.columns) == ["name", "description", "source", "rows"]
    assert set(listing["name"]) == {
        "flores47",
        "cdnow",
        "cdnow_sample",
        "demo_customers",
        "demo_transactions",
        "demo_export_gbk",
    }
    assert (listing["source"].str.len() > 20).all()
    for name, rows in zip(listing["name"], listing["rows"], strict=True):
        assert len(load(name)) == rows, name


def test_unknown_name_lists_known_ones():
    with pytest.raises(KeyError, match=r"unknown data set 'flores'.*flores47, cdnow"):
        load("flores")


# ------------------------------------------------------------------ bundled data


def test_flores47_is_the_published_table():
    """Flores, Olson & Dorai (1992) via gwr3n/inventoryanalytics: 47 items, item 1 has unit cost
    49.92 and annual dollar usage 5840.64, item 6 keeps the papers' 2936.67, traditional ABC
    split on annual dollar usage 10 A / 14 B / 23 C."""
    flores = load("flores47")
    assert flores.shape == (47, 7)
    assert flores.loc[0, ["avg_unit_cost", "annual_dollar_usage"]].tolist() == [49.92, 5840.64]
    assert flores.loc[5, "annual_dollar_usage"] == 2936.67
    assert flores["adu_abc_class_flores1992"].value_counts().to_dict() == {
        "A": 10,
        "B": 14,
        "C": 23,
    }
    assert flores["annual_dollar_usage"].is_monotonic_decreasing
    if SHARED.is_dir():
        pd.testing.assert_frame_equal(flores, pd.read_csv(SHARED / "flores47.csv"))


def test_cdnow_parsed_and_matches_published_summary():
    """Fader & Hardie's CDNOW cohort: 69,659 purchases by 23,570 customers, 1997-01-01 to
    1998-06-30; 32.6 % of customers account for 80 % of spend (shared/data/README.md)."""
    cdnow = load("cdnow")
    assert list(cdnow.columns) == ["customer_id", "date", "number_of_cds", "dollar_value"]
    assert cdnow.dtypes.astype(str).tolist()[0] == "int64"
    assert pd.api.types.is_datetime64_any_dtype(cdnow["date"])
    assert len(cdnow) == 69_659 and cdnow["customer_id"].nunique() == 23_570
    assert cdnow["date"].min() == pd.Timestamp("1997-01-01")
    assert cdnow["date"].max() == pd.Timestamp("1998-06-30")
    spend = cdnow.groupby("customer_id")["dollar_value"].sum().sort_values(ascending=False)
    share = spend.cumsum() / spend.sum()
    first_at_80 = int(np.searchsorted(share.to_numpy(), 0.8)) + 1
    assert first_at_80 / len(spend) == pytest.approx(0.326, abs=0.0005)
    # first data row of the raw file: " 00001 19970101  1   11.77"
    assert cdnow.iloc[0].tolist()[::2] == [1, 1]
    assert cdnow.at[0, "dollar_value"] == 11.77


def test_cdnow_sample_is_the_one_tenth_sample_of_the_master_log():
    """Fader, Hardie & Lee (2005) §4: 2,357 customers, a 1/10 sample of the Q1 1997 cohort,
    6,919 purchases to 1998-06-30; every line is the master log's line of the same customer."""
    sample = load("cdnow_sample")
    assert len(sample) == 6_919 and sample["customer_id"].nunique() == 2_357
    assert sample["customer_id"].min() == 1 and sample["customer_id"].max() == 2_357
    assert sample.groupby("customer_id")["customer_id_master"].nunique().eq(1).all()
    master = load("cdnow")
    mine = master[master["customer_id"].isin(sample["customer_id_master"])]
    columns = ["customer_id", "date", "number_of_cds", "dollar_value"]
    ours = sample.drop(columns="customer_id").rename(columns={"customer_id_master": "customer_id"})
    pd.testing.assert_frame_equal(
        mine[columns].sort_values(columns).reset_index(drop=True),
        ours[columns].sort_values(columns).reset_index(drop=True),
    )


# ------------------------------------------------------------------ demo company


def test_demo_regenerates_byte_identically(generated, tmp_path):
    """Same seed → same bytes for every file (Parquet written with fixed options)."""
    generate_demo(tmp_path)
    for name in DEMO_FILES:
        assert (tmp_path / name).read_bytes() == (generated / name).read_bytes(), name


def test_committed_demo_files_equal_a_fresh_generation(generated):
    """data/demo/ is what the generator writes. CSV, GBK export and README compared byte for
    byte; the Parquet file by content, since its footer records the pyarrow version."""
    for name in DEMO_FILES:
        committed = DEMO_DIR / name
        assert committed.is_file(), f"{committed} missing; run python -m abclab.datasets data/demo"
        if name.endswith(".parquet"):
            assert pq.read_table(committed).equals(pq.read_table(generated / name))
        else:
            assert committed.read_bytes() == (generated / name).read_bytes(), name


def test_command_line_entry(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "abclab.datasets", str(tmp_path), "--seed", "7"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "customers_export_gbk.csv" in done.stdout
    assert "--seed 7" in (tmp_path / "README.md").read_text(encoding="utf-8")
    different = build_demo(seed=7)
    assert not different.transactions["amount"].equals(build_demo().transactions["amount"])


def test_demo_loads_match_files(demo):
    customers = pd.read_csv(DEMO_DIR / "customers.csv", dtype={"phone": str})
    assert customers["customer_id"].tolist() == demo.customers["customer_id"].tolist()
    assert customers["name"].tolist() == demo.customers["name"].tolist()
    parquet = pd.read_parquet(DEMO_DIR / "transactions.parquet")
    pd.testing.assert_series_equal(parquet["amount"], demo.transactions["amount"])
    assert (pd.to_datetime(parquet["date"]) == demo.transactions["date"]).all()
    pd.testing.assert_frame_equal(load("demo_transactions"), demo.transactions)


def test_demo_customer_master(demo):
    """~400 customers (source 003's case) plus 6 duplicates under variant names."""
    master = demo.customers
    assert len(master) == 406
    assert master["customer_id"].tolist() == [f"C{i:04d}" for i in range(1, 407)]
    phones = master["phone"].dropna()
    assert phones.str.fullmatch(r"1[3-9]\d{9}").all()
    assert master["email"].dropna().str.fullmatch(r"[a-z]+\d+@[a-z]+\.com\.cn").all()
    assert master["industry_growth"].dropna().between(-0.05, 0.25).all()
    assert master[["industry", "phone", "email"]].isna().any().all()
    assert master["name"].str.contains("有限公司").mean() > 0.8
    assert master["name"].str.contains(r"^[A-Za-z]", regex=True).sum() >= 10


def test_demo_duplicates_are_variants_of_their_originals(demo):
    names = demo.customers.set_index("customer_id")
    dups = demo.dirt["duplicates"]
    assert 5 <= len(dups) <= 8

    def norm(text: str) -> str:
        text = unicodedata.normalize("NFKC", text).casefold()
        return re.sub(r"[\s,.()]|co|ltd|\(shanghai\)|责任", "", text.replace("(shanghai)", ""))

    for dup, orig in dups.items():
        assert names.at[dup, "name"] != names.at[orig, "name"]
        assert norm(names.at[dup, "name"]) == norm(names.at[orig, "name"]), dup
        same_phone = names.at[dup, "phone"] == names.at[orig, "phone"]
        assert same_phone or pd.isna(names.at[dup, "phone"]) or pd.isna(names.at[orig, "phone"])
    booked = demo.transactions["customer_id"].isin(list(dups)).sum()
    assert booked > 0


def test_demo_transactions_shape_and_skew(demo):
    """Spend is Pareto-like as in source 003's summary template (5 % of customers → 40 % of
    spend, 17.5 % → 70 %); checked with a tolerance since it is one random draw."""
    tx = demo.transactions
    assert 3_000 <= len(tx) <= 30_000
    assert tx["date"].min() >= pd.Timestamp("2022-01-01")
    assert tx["date"].max() <= pd.Timestamp("2024-12-31")
    assert tx["category"].nunique() == 6
    returns = tx[tx["amount"] < 0]
    assert 0.005 < len(returns) / len(tx) < 0.05
    assert returns["due_date"].isna().all() and returns["invoice_id"].str.startswith("CN-").all()
    sales = tx[tx["amount"] >= 0]
    assert (sales["due_date"] > sales["date"]).all()
    assert (sales["paid_date"] > sales["due_date"]).mean() > 0.05  # some late payers
    assert sales["paid_date"].isna().any()  # open invoices at the year end
    assert tx["invoice_id"].is_unique
    spend = tx[tx["date"].dt.year == 2024].groupby("customer_id")["amount"].sum()
    top = spend.sort_values(ascending=False).to_numpy()
    n = len(top)
    assert 0.30 < top[: round(0.05 * n)].sum() / top.sum() < 0.60
    assert 0.60 < top[: round(0.175 * n)].sum() / top.sum() < 0.85
    outlier = tx.iloc[demo.dirt["outlier_invoice"]]
    others = tx.loc[tx["customer_id"] == outlier["customer_id"], "amount"].drop(outlier.name)
    assert outlier["amount"] > 20 * others.median()


def test_demo_export_is_gbk_with_chinese_headers(demo):
    raw = (DEMO_DIR / "customers_export_gbk.csv").read_bytes()
    assert raw == demo.export_gbk
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    export = pd.read_csv(
        DEMO_DIR / "customers_export_gbk.csv",
        encoding="gbk",
        dtype=str,
        keep_default_na=False,
        na_values=[""],
    )
    pd.testing.assert_frame_equal(export, load("demo_export_gbk"))
    assert list(export.columns[:10]) == [
        "客户编号",
        "客户名称",
        "所属行业",
        "所属区域",
        "年消费额(万元)",
        "利润率",
        "合作年限",
        "交叉购买率",
        "回款及时率",
        "行业增长率",
    ]
    assert (
        export["年消费额(万元)"].str.fullmatch(r"-?[\d,]+\.\d万元").all()
    )  # net of returns: may be < 0
    assert export["年消费额(万元)"].str.contains(",").any()
    assert export["利润率"].dropna().str.fullmatch(r"-?\d+\.\d%").all()
    assert export["客户编号"].duplicated().sum() == 1
    assert (export["行业增长率"] == "#N/A").sum() == 1


def _wan(text: pd.Series) -> pd.Series:
    return text.str.replace(",", "").str.removesuffix("万元").astype(float)


def _pct(text: pd.Series) -> pd.Series:
    return text.str.removesuffix("%").astype(float) / 100


def test_demo_export_agrees_with_features_from_transactions(demo):
    """Cross-check: the export's numbers (computed by the generator with pandas) equal the
    criteria abclab.features derives from the invoice lines, up to the export's rounding,
    except for the planted entry errors."""
    export = load("demo_export_gbk").drop_duplicates("客户编号").set_index("客户编号")
    feats = from_transactions(
        demo.transactions,
        customer="customer_id",
        date="date",
        amount="amount",
        profit="profit",
        category="category",
        due_date="due_date",
        paid_date="paid_date",
        as_of="2025-01-01",
    ).reindex(export.index)
    spend = _wan(export["年消费额(万元)"])
    planted = [demo.dirt["export_spend_x100"], demo.dirt["export_spend_zero"]]
    clean = spend.drop(planted)
    np.testing.assert_allclose(clean, feats["spend_12m"].drop(planted).fillna(0) / 1e4, atol=0.051)
    x100, zero = planted
    assert spend[x100] == pytest.approx(100 * feats.at[x100, "spend_12m"] / 1e4, rel=0.01)
    assert spend[zero] == 0 and feats.at[zero, "spend_12m"] > 0
    rate = _pct(export["回款及时率"].dropna())
    np.testing.assert_allclose(rate, feats.loc[rate.index, "on_time_payment_rate"], atol=0.0051)
    cross = _pct(export["交叉购买率"].dropna())
    np.testing.assert_allclose(cross, feats.loc[cross.index, "cross_purchase_rate"], atol=0.0051)


# ------------------------------------------------------------------ synthetic data


def test_synthetic_customers():
    a = datasets.synthetic_customers(2_000, seed=3)
    assert a.shape == (2_000, 6) and a.index.name == "customer_id"
    assert list(a.columns) == [
        "annual_spend",
        "margin",
        "tenure_years",
        "cross_purchase_rate",
        "on_time_payment_rate",
        "industry_growth",
    ]
    pd.testing.assert_frame_equal(a, datasets.synthetic_customers(2_000, seed=3))
    assert not a.equals(datasets.synthetic_customers(2_000, seed=4))
    assert a["cross_purchase_rate"].between(1 / 6, 1).all()
    assert a["on_time_payment_rate"].between(0, 1).all()
    top = a["annual_spend"].sort_values(ascending=False)
    assert top.iloc[:400].sum() / top.sum() > 0.6  # Pareto-like: top 20 % > 60 %
    assert a["margin"].corr(a["annual_spend"], method="spearman") > 0.3
    with pytest.raises(ValueError, match=r"n=0 should be >= 1"):
        datasets.synthetic_customers(0)


def test_synthetic_transactions():
    log = datasets.synthetic_transactions(50_000, n_customers=1_000, seed=5)
    assert log.shape == (50_000, 5)
    assert log["customer_id"].between(0, 999).all()
    assert log["date"].min() >= pd.Timestamp("2022-01-01")
    assert log["date"].max() <= pd.Timestamp("2024-12-31")
    assert 0.01 < (log["amount"] < 0).mean() < 0.03
    pd.testing.assert_frame_equal(
        log, datasets.synthetic_transactions(50_000, n_customers=1_000, seed=5)
    )
    counts = log["customer_id"].value_counts()
    assert counts.iloc[: len(counts) // 10].sum() / len(log) > 0.3  # skewed activity
    chunks = list(
        datasets.iter_synthetic_transactions(
            25_000, n_customers=10, chunk_rows=10_000, payments=True
        )
    )
    assert [len(c) for c in chunks] == [10_000, 10_000, 5_000]
    assert {"due_date", "paid_date"} <= set(chunks[0].columns)
    with pytest.raises(ValueError, match=r"n_rows=0 should be >= 1"):
        datasets.synthetic_transactions(0)


def test_demo_criteria_are_cleaned_source003_indicators():
    """The tutorials' table: planted duplicates merged away, no missing value, annual spend
    equal to a direct sum of the customer's invoice lines per year since its first purchase
    (at least one year; as_of 2025-01-01), all 400 customers (leavers included)."""
    demo = build_demo()
    crit = demo_criteria(as_of="2025-01-01")
    assert list(crit.columns) == [
        "annual_spend",
        "profit_margin",
        "tenure_years",
        "cross_purchase_rate",
    ]
    assert not crit.isna().any().any()
    for duplicate, original in demo.dirt["duplicates"].items():  # one record of each pair
        assert (duplicate in crit.index) + (original in crit.index) <= 1
    assert len(crit) == 400
    tx = demo.transactions
    original = crit.index[0]
    mine = tx[tx["customer_id"] == original]
    first = mine.loc[mine["amount"] >= 0, "date"].min()
    years = max((pd.Timestamp("2025-01-01") - first).days / 365.25, 1.0)
    own = mine["amount"].sum() / years
    assert (crit["annual_spend"] > 0).all()
    if original not in {*demo.dirt["duplicates"], *demo.dirt["duplicates"].values()}:
        assert crit.loc[original, "annual_spend"] == pytest.approx(own)
