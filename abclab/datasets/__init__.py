"""Bundled and generated data sets: ``load(name)`` and ``list_datasets()``.

The registry ``datasets.csv`` (name, file, description, source, rows) lists every data set;
provenance of the bundled files is in ``PROVENANCE.txt`` next to it.

- ``flores47``: the 47-item multi-criteria ABC benchmark (Flores, Olson & Dorai 1992).
- ``cdnow``: the CDNOW transaction log (Fader & Hardie), parsed.
- ``cdnow_sample``: its 1/10 sample of 2,357 customers, the data of the BG/NBD paper
  (Fader, Hardie & Lee 2005), parsed.
- ``demo_customers``, ``demo_transactions``, ``demo_export_gbk``: the demo company (an
  industrial-equipment maker with 400 customers, source 003), generated in memory from the
  fixed seed; :func:`generate_demo` writes the same tables as files (``data/demo/``).

Synthetic data for benchmarks: :func:`synthetic_customers`, :func:`synthetic_transactions`,
:func:`iter_synthetic_transactions`.
"""

from __future__ import annotations

import io
from importlib import resources

import pandas as pd

from abclab.cleaning import clean_customers
from abclab.datasets._demo import DemoCompany, build_demo, generate_demo
from abclab.datasets._synthetic import (
    iter_synthetic_transactions,
    synthetic_customers,
    synthetic_transactions,
)
from abclab.features import from_transactions

__all__ = [
    "DEMO_LOG_COLUMNS",
    "demo_criteria",
    "DemoCompany",
    "build_demo",
    "generate_demo",
    "iter_synthetic_transactions",
    "list_datasets",
    "load",
    "synthetic_customers",
    "synthetic_transactions",
]


#: The demo invoice log's columns as :func:`abclab.features.from_transactions` keyword
#: arguments (``load("demo_transactions")``, ``data/demo/transactions.csv``).
DEMO_LOG_COLUMNS: dict[str, str] = {
    "customer": "customer_id",
    "date": "date",
    "amount": "amount",
    "profit": "profit",
    "category": "category",
    "due_date": "due_date",
    "paid_date": "paid_date",
}


def _registry() -> pd.DataFrame:
    with resources.files(__name__).joinpath("datasets.csv").open("rb") as handle:
        return pd.read_csv(handle, dtype={"file": "str"}, keep_default_na=False)


def list_datasets() -> pd.DataFrame:
    """List the data sets that :func:`load` knows.

    Returns
    -------
    pandas.DataFrame
        Columns ``name``, ``description``, ``source`` (citation / provenance) and ``rows``.

    Examples
    --------
    >>> "flores47" in set(list_datasets()["name"])
    True
    """
    return _registry()[["name", "description", "source", "rows"]]


def load(name: str) -> pd.DataFrame:
    """Load a data set by name as a new DataFrame.

    Parameters
    ----------
    name : str
        One of ``list_datasets()["name"]``.

    Returns
    -------
    pandas.DataFrame
        ``flores47``: the CSV as published (see ``PROVENANCE.txt``). ``cdnow``:
        customer_id (int64), date (datetime64), number_of_cds (int64), dollar_value (float64).
        ``cdnow_sample``: customer_id_master (the id in ``cdnow``), customer_id (1..2357, the
        sample's id), date, number_of_cds, dollar_value (same types).
        ``demo_customers`` / ``demo_transactions``: the demo company's master and invoice
        lines (dates as datetime64). ``demo_export_gbk``: the client export decoded from GBK
        exactly as sent — Chinese headers and text cells such as ``"1,234.5万元"`` and
        ``"15%"`` (parse them with ``abclab.io.read_table`` on the file, or by hand).

    Raises
    ------
    KeyError
        If ``name`` is not a registered data set (the message lists the known names).

    Examples
    --------
    >>> load("flores47").shape
    (47, 7)
    """
    registry = _registry()
    if name not in set(registry["name"]):
        raise KeyError(f"unknown data set {name!r}; known data sets: {', '.join(registry['name'])}")
    if name == "flores47":
        return _read_bundled_csv("flores47.csv")
    if name == "cdnow":
        return _load_cdnow()
    if name == "cdnow_sample":
        return _load_cdnow_sample()
    demo = build_demo()
    if name == "demo_customers":
        return demo.customers
    if name == "demo_transactions":
        return demo.transactions
    return pd.read_csv(
        io.BytesIO(demo.export_gbk),
        encoding="gbk",
        dtype=str,
        keep_default_na=False,
        na_values=[""],
    )


def _read_bundled_csv(filename: str) -> pd.DataFrame:
    with resources.files(__name__).joinpath(filename).open("rb") as handle:
        return pd.read_csv(handle)


def _load_cdnow() -> pd.DataFrame:
    with resources.files(__name__).joinpath("cdnow_master.txt").open("rb") as handle:
        frame = pd.read_csv(
            handle,
            sep=r"\s+",
            dtype={"customer_id": "int64", "date": "str", "number_of_cds": "int64"},
        )
    frame["date"] = pd.to_datetime(frame["date"], format="%Y%m%d")
    frame["dollar_value"] = frame["dollar_value"].astype("float64")
    return frame


def _load_cdnow_sample() -> pd.DataFrame:
    with resources.files(__name__).joinpath("cdnow_sample.txt").open("rb") as handle:
        frame = pd.read_csv(
            handle,
            sep=r"\s+",
            header=None,
            names=["customer_id_master", "customer_id", "date", "number_of_cds", "dollar_value"],
            dtype={"customer_id_master": "int64", "customer_id": "int64", "date": "str",
                   "number_of_cds": "int64", "dollar_value": "float64"},
        )  # fmt: skip
    frame["date"] = pd.to_datetime(frame["date"], format="%Y%m%d")
    return frame


def demo_criteria(*, as_of: str = "2025-01-01") -> pd.DataFrame:
    """Source 003's value indicators for the demo company, cleaned, one row per customer.

    The tutorials' ready-made customer table: from the invoices
    (:func:`abclab.features.from_transactions`) the mean annual spend since the first
    purchase in the log (``annual_spend``, 元: total / years, at least one year — so a
    customer who stopped buying keeps the spend of its active years, as in the demo study),
    the profit margin and the cross-purchase rate; from the customer
    master the tenure in years since ``customer_since``. Then
    :func:`abclab.cleaning.clean_customers` merges the planted duplicates (same normalised
    name, or same phone/e-mail and similar name) and leaves out customers with a missing or
    non-positive value (pending evaluation).

    Parameters
    ----------
    as_of : str
        Evaluation date (exclusive); the demo log runs to 2024-12-31.

    Returns
    -------
    pandas.DataFrame
        Index ``customer_id``; columns ``annual_spend``, ``profit_margin``, ``tenure_years``,
        ``cross_purchase_rate`` (fractions), for the customers that pass cleaning.
    """
    master = load("demo_customers").set_index("customer_id")
    transactions = load("demo_transactions")
    evaluation_day = pd.Timestamp(as_of) - pd.Timedelta(days=1)
    tenure = (evaluation_day - master["customer_since"]).dt.days / 365.25
    policy = {"missing": "pending", "nonpositive": "pending"}
    policies = {c: policy for c in ["annual_spend", "tenure_years"]} | {
        c: {"missing": "pending"} for c in ["profit_margin", "cross_purchase_rate"]
    }
    aliases: dict = {}
    for _ in range(2):  # second pass: merged duplicates' invoices booked to the kept record
        derived = from_transactions(
            transactions,
            customer="customer_id",
            date="date",
            amount="amount",
            profit="profit",
            category="category",
            as_of=as_of,
            aliases=aliases,
        )
        frame = pd.DataFrame(
            {
                "annual_spend": derived["annual_spend"],
                "profit_margin": derived["margin"],
                "tenure_years": tenure.reindex(derived.index),
                "cross_purchase_rate": derived["cross_purchase_rate"],
            }
        ).reindex(master.index)
        frame = frame.join(master[["name", "phone", "email"]])
        result = clean_customers(
            frame,
            policies=policies,
            name_column="name",
            contact_columns=["phone", "email"],
        )
        merged = result.merged
        aliases = dict(zip(merged["customer"], merged["merged_into"], strict=True))
    return result.cleaned[["annual_spend", "profit_margin", "tenure_years", "cross_purchase_rate"]]
