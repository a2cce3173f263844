"""Read step: the customer table and the transaction log become one row per input record.

Customer ids are text (``1001`` and ``1001.0`` are the same customer); criteria named in the
study and written as text (``"43.1万元"``) are parsed with :func:`abclab.io.parse_business_numbers`.
The options of each source (``sheet``, ``encoding``) reach the reader.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from abclab.config import Study
from abclab.exceptions import StudyError
from abclab.features import from_transactions
from abclab.io import parse_business_numbers, read_table
from abclab.pipeline.results import DataStep

__all__ = ["ID", "NAME", "customer_ids", "read_master", "read_step", "read_transactions"]

#: Column of the input frame holding the customer id (the frame has a row-number index).
ID = "customer_id"
#: Column of the input frame holding the display name.
NAME = "name"

#: Plain decimal text (``-12``, ``3.25``): what most exports hold, parsed without the
#: business-number rules.
_PLAIN_NUMBER = r"-?[0-9]+(?:\.[0-9]+)?"


def _source_options(source: Any) -> dict[str, Any]:
    """``sheet`` and ``encoding`` of a data source, where given."""
    return {
        k: getattr(source, k) for k in ("sheet", "encoding") if getattr(source, k, None) is not None
    }


def read_master(study: Study) -> pd.DataFrame | None:
    """The customer table (``data.customers``) with ids and criteria parsed, or None."""
    src = study.data.customers
    if src is None:
        return None
    options: dict[str, Any] = _source_options(src)
    if src.columns:
        options["rename"] = dict(src.columns)
    options["numeric"] = []  # ids, phones and codes stay text; criteria parsed below
    master = read_table(src.path, **options)
    for col in study.criterion_names:
        if col in master.columns and not pd.api.types.is_numeric_dtype(master[col]):
            plain = plain_numbers(master[col])
            if plain is None:
                plain, _ = parse_business_numbers(master[col], column=col, source=src.path.name)
            master[col] = plain
    id_col = study.id_column or ID
    if id_col not in master.columns:
        raise StudyError(
            f"id_column: column {id_col!r} not in {src.path.name} "
            f"(columns: {', '.join(map(str, master.columns))})"
        )
    if id_col != ID and ID in master.columns:  # the client's own "customer_id" column stays
        master = master.rename(columns={ID: f"{ID} ({src.path.name})"})
    master = master.rename(columns={id_col: ID})
    master[ID] = customer_ids(master[ID])
    missing = master[ID].isna()
    if missing.any():
        row = int(np.flatnonzero(missing.to_numpy())[0]) + 2
        raise StudyError(f"{src.path.name}: column {id_col!r}: empty customer id in row {row}")
    return master


def read_step(
    study: Study, master: pd.DataFrame | None, *, aliases: Mapping[Any, Any] | None = None
) -> DataStep:
    """One row per input record, ``customer_id`` column, criteria under their study names.

    ``master`` is :func:`read_master`'s table (read once per run); ``aliases`` (duplicate
    id -> kept id) books a duplicate's transactions to the kept id.
    """
    data = study.data
    files: list[Path] = [data.customers.path] if data.customers is not None else []
    if data.transactions is None:
        frame = master
    else:
        feats = transaction_criteria(study, aliases=aliases)
        files.append(data.transactions.path)
        feats = feats.reset_index()
        feats = feats.rename(columns={feats.columns[0]: ID})
        feats[ID] = customer_ids(feats[ID])
        if master is None:
            frame = feats
        else:
            extra = [c for c in feats.columns if c == ID or c not in master.columns]
            frame = master.merge(feats[extra], on=ID, how="outer", sort=False)
            # customers only in the transactions come last, in id order
            in_master = frame[ID].isin(master[ID])
            frame = pd.concat([frame[in_master], frame[~in_master].sort_values(ID)])
    if study.name_column is not None:
        if study.name_column not in frame.columns:
            raise StudyError(
                f"name_column: column {study.name_column!r} not found "
                f"(columns: {', '.join(map(str, frame.columns))})"
            )
        frame = frame.rename(columns={study.name_column: NAME})
    absent = [c for c in study.criterion_names if c not in frame.columns]
    if absent:
        raise StudyError(
            f"criteria: {', '.join(map(repr, absent))} not found in the data "
            f"(available: {', '.join(map(str, frame.columns))}); map client columns with "
            "data.customers.columns"
        )
    if data.previous is not None:
        files.append(data.previous.path)
    return DataStep(frame=frame.reset_index(drop=True), files=tuple(files))


def plain_numbers(series: pd.Series) -> pd.Series | None:
    """Floats of a text column whose every value is a plain decimal, else None.

    A fast path in front of :func:`abclab.io.parse_business_numbers` (same values: both give
    the correctly rounded double of the written decimal; missing stays NaN).
    """
    text = series.astype("string[pyarrow]")
    present = text.notna()
    if not text[present].str.fullmatch(_PLAIN_NUMBER).all():
        return None
    values = np.full(len(text), np.nan)
    values[present.to_numpy()] = np.asarray(
        pa.array(text[present].to_numpy(dtype=object), type=pa.string()).cast(pa.float64())
    )
    return pd.Series(values, index=series.index, name=series.name)


def customer_ids(series: pd.Series) -> pd.Series:
    """Customer ids as text (``1001`` and ``1001.0`` both become ``"1001"``)."""
    if pd.api.types.is_float_dtype(series):
        whole = series.dropna()
        if (whole == np.round(whole)).all():
            series = series.astype("Int64")
    out = series.astype("string").str.strip()
    return out.astype(object).where(out.notna() & (out != ""), None)


def read_transactions(study: Study) -> pd.DataFrame:
    """The transaction log as a frame (for cleaning rules that read single invoices)."""
    t = study.data.transactions
    frame = read_table(t.path, **_source_options(t))
    frame[t.customer] = customer_ids(frame[t.customer])
    return frame


def transaction_criteria(study: Study, *, aliases: Mapping[Any, Any] | None = None) -> pd.DataFrame:
    """Per-customer criteria of the transaction log (:func:`abclab.features.from_transactions`)."""
    t = study.data.transactions
    source: Any = t.path
    options = _source_options(t)
    if options or t.path.suffix.lower() in {".xlsx", ".xlsm"}:
        source = read_table(t.path, **options)
    return from_transactions(
        source,
        customer=t.customer,
        date=t.date,
        amount=t.amount,
        profit=t.profit,
        category=t.category,
        due_date=t.due_date,
        paid_date=t.paid_date,
        as_of=t.as_of,
        aliases=aliases,
    )
