"""Read step: the customer table and the transaction log become one row per input record.

Customer ids are text (``1001`` and ``1001.0`` are the same customer); criteria named in the
study and written as text (``"43.1万元"``) are parsed with :func:`abclab.io.parse_business_numbers`.
The options of each source (``sheet``, ``encoding``) reach the reader.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from abclab import clv
from abclab._text import normalise_ids
from abclab.cleaning import summarise_returns
from abclab.config import Study
from abclab.exceptions import InputDataError, StudyError
from abclab.features import TransactionFeatures, prepare_source, transaction_features
from abclab.io import parse_business_numbers, parse_dates, read_table, read_table_report
from abclab.pipeline.results import DataStep

__all__ = [
    "ID",
    "NAME",
    "SET_ASIDE_COLUMNS",
    "UNMATCHED_COLUMNS",
    "Master",
    "customer_base_criteria",
    "customer_base_names",
    "customer_ids",
    "read_master",
    "read_step",
    "read_transactions",
]

#: Column of the input frame holding the customer id (the frame has a row-number index).
ID = "customer_id"
#: Column of the input frame holding the display name.
NAME = "name"


#: Columns of :attr:`Master.conversions` (as ``frame.attrs["conversions"]`` of the reader).
CONVERSION_COLUMNS = ["column", "rule", "count"]
#: Columns of :attr:`Master.set_aside` (rows of a file that are not records).
SET_ASIDE_COLUMNS = ["file", "row", "kind", "content"]
#: Relative tolerance of "this id-less row is the column total".
_TOTAL_RTOL = 5e-3


@dataclass(frozen=True)
class Master:
    """The customer table read: one row per record, the total rows, the rows set aside."""

    frame: pd.DataFrame
    excluded: pd.DataFrame
    set_aside: pd.DataFrame
    #: cells of each criterion read by a business-number rule (``column, rule, count``)
    conversions: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=CONVERSION_COLUMNS)
    )


def _source_options(source: Any) -> dict[str, Any]:
    """The reader options of a data source (sheet, encoding, separator, header row ...)."""
    return source.read_options().table_options()


def _set_aside(path: Path, dropped: pd.DataFrame) -> pd.DataFrame:
    out = dropped.assign(file=path.name)
    return out.reindex(columns=SET_ASIDE_COLUMNS).reset_index(drop=True)


def read_master(study: Study) -> Master | None:
    """The customer table (``data.customers``) with ids and criteria parsed, or None.

    Rows that are not customer records are set aside (title, blank, total and note rows the
    reader finds, :func:`abclab.io.read_table`); a row without a customer id whose figures
    are the column totals of the other rows is a total row too (kept as an *excluded*
    record). Any other row without an id is an error naming its row in the file.
    """
    src = study.data.customers
    if src is None:
        return None
    options: dict[str, Any] = _source_options(src)
    if src.columns:
        options["rename"] = dict(src.columns)
    options["numeric"] = []  # ids, phones and codes stay text; criteria parsed below
    table = read_table_report(src.path, **options)
    master = table.frame
    conversions: list[tuple[str, str, int]] = []
    for col in study.criterion_names:
        if col in master.columns and not pd.api.types.is_numeric_dtype(master[col]):
            master[col], counts = parse_business_numbers(master[col], column=col,
                                                         source=src.path.name,
                                                         decimal=table.decimal)  # fmt: skip
            conversions.extend((col, rule, int(n)) for rule, n in counts.items())
    id_col = study.id_column or ID
    if id_col not in master.columns:
        raise StudyError(
            f"id_column: column {id_col!r} not in {src.path.name} "
            f"(columns: {', '.join(map(str, master.columns))})"
        )
    if id_col != ID and ID in master.columns:  # the client's own "customer_id" column stays
        master = master.rename(columns={ID: f"{ID} ({src.path.name})"})
    rows = np.asarray(master.attrs.get("rows", np.arange(2, len(master) + 2)))
    set_aside = _set_aside(src.path, master.attrs.get("dropped", pd.DataFrame(columns=["row"])))
    master = master.rename(columns={id_col: ID})
    master[ID] = customer_ids(master[ID])
    missing = master[ID].isna().to_numpy()
    totals = missing & _is_column_total(master, study.criterion_names)
    stray = missing & ~totals
    if stray.any():
        row = int(rows[np.flatnonzero(stray)[0]])
        raise StudyError(
            f"{src.path.name}: column {id_col!r}: empty customer id in row {row} of the file "
            "(a customer needs an id; a total row should say 合计/Total or sum the column)"
        )
    excluded = master[totals].assign(row=rows[totals], reason="total row")
    frame = master[~totals].reset_index(drop=True)
    frame.attrs = {}
    return Master(
        frame=frame,
        excluded=excluded.reset_index(drop=True),
        set_aside=set_aside,
        conversions=pd.DataFrame(conversions, columns=CONVERSION_COLUMNS),
    )


def _is_column_total(master: pd.DataFrame, criteria: list[str]) -> np.ndarray:
    """Rows whose every present criterion equals the sum of that column over the id rows."""
    ids = master[ID].notna().to_numpy()
    out = np.zeros(len(master), bool)
    numeric = [c for c in criteria if c in master and pd.api.types.is_numeric_dtype(master[c])]
    if not numeric or ids.all():
        return out
    for i in np.flatnonzero(~ids):
        row = master.iloc[i][numeric].astype(float)
        present = row.notna()
        if not present.any():
            continue
        sums = master.loc[ids, numeric].sum().astype(float)
        close = np.isclose(row[present], sums[present], rtol=_TOTAL_RTOL)
        out[i] = bool(close.all())
    return out


def read_step(
    study: Study, master: Master | None, *, aliases: Mapping[Any, Any] | None = None
) -> DataStep:
    """One row per input record, ``customer_id`` column, criteria under their study names.

    ``master`` is :func:`read_master`'s table (read once per run); ``aliases`` (duplicate
    id -> kept id) books a duplicate's transactions to the kept id. Customers of the log
    that the customer table does not have are *unmatched*: listed (``DataStep.unmatched``:
    lines and amount), not classified, unless ``data.transactions.unmatched: classify``.
    """
    data = study.data
    files: list[Path] = [data.customers.path] if data.customers is not None else []
    unmatched = pd.DataFrame(columns=UNMATCHED_COLUMNS)
    returns = None
    table = None if master is None else master.frame
    if data.transactions is None:
        frame = table
    else:
        derived = transaction_criteria(study, aliases=aliases)
        returns = summarise_returns(derived)
        files.append(data.transactions.path)
        feats = derived.customers.reset_index()
        feats = feats.rename(columns={feats.columns[0]: ID})
        feats[ID] = customer_ids(feats[ID])
        have = set() if table is None else set(table.columns)
        wanted = [c for c in customer_base_names(study) if c not in have]
        if wanted:
            feats = feats.join(customer_base_criteria(study, wanted, aliases=aliases), on=ID)
        if table is None:
            frame = feats
        else:
            _check_id_kinds(table[ID], feats[ID], study)
            outside = ~feats[ID].isin(table[ID])
            if data.transactions.unmatched == "report":
                unmatched = _unmatched(feats[outside])
                feats = feats[~outside]
            extra = [c for c in feats.columns if c == ID or c not in table.columns]
            frame = table.merge(feats[extra], on=ID, how="outer", sort=False)
            # customers only in the transactions come last, in id order
            in_master = frame[ID].isin(table[ID])
            frame = pd.concat([frame[in_master], frame[~in_master].sort_values(ID)])
    if study.name_column is not None:
        if study.name_column not in frame.columns:
            raise StudyError(
                f"name_column: column {study.name_column!r} not found "
                f"(columns: {', '.join(map(str, frame.columns))})"
            )
        frame = frame.rename(columns={study.name_column: NAME})
    unknown_pii = [c for c in study.pii or () if c not in frame.columns and c != study.name_column]
    if unknown_pii:
        raise StudyError(
            f"pii: column(s) {', '.join(map(repr, unknown_pii))} not in the data (columns: "
            f"{', '.join(map(str, frame.columns))}); a misspelt name would leave data unmasked"
        )
    absent = [c for c in study.criterion_names if c not in frame.columns]
    if absent:
        raise StudyError(
            f"criteria: {', '.join(map(repr, absent))} not found in the data "
            f"(available: {', '.join(map(str, frame.columns))}); map client columns with "
            "data.customers.columns"
        )
    if data.previous is not None:
        files.append(data.previous.path)
    empty = pd.DataFrame(columns=SET_ASIDE_COLUMNS)
    return DataStep(
        frame=frame.reset_index(drop=True),
        files=tuple(files),
        excluded=pd.DataFrame() if master is None else master.excluded,
        set_aside=empty if master is None else master.set_aside,
        unmatched=unmatched,
        returns=returns,
        conversions=(
            pd.DataFrame(columns=CONVERSION_COLUMNS) if master is None else master.conversions
        ),
    )


#: Columns of :attr:`DataStep.unmatched`.
UNMATCHED_COLUMNS = [ID, "lines", "amount", "first_purchase", "last_purchase"]


def _unmatched(feats: pd.DataFrame) -> pd.DataFrame:
    """Customers of the log missing from the customer table: their lines and net amount."""
    lines = feats.get("line_count", pd.Series(0, index=feats.index))
    out = pd.DataFrame(
        {
            ID: feats[ID].to_numpy(),
            "lines": lines.to_numpy(),
            "amount": feats.get("total_spend", pd.Series(np.nan, index=feats.index)).to_numpy(),
            "first_purchase": feats.get("first_purchase", pd.Series(pd.NaT, index=feats.index)),
            "last_purchase": feats.get("last_purchase", pd.Series(pd.NaT, index=feats.index)),
        }
    )
    return out.sort_values("amount", ascending=False, ignore_index=True)


def _check_id_kinds(master: pd.Series, log: pd.Series, study: Study) -> None:
    """Ids ``001`` in the customer table but ``1`` in the log would silently not match."""
    padded = master.dropna().astype(str).str.fullmatch(r"0\d+")
    if not padded.any():
        return
    stripped = set(master[padded.to_numpy()].str.lstrip("0"))
    hits = log.dropna().astype(str)
    clash = hits[hits.isin(stripped) & ~hits.isin(set(master.dropna()))]
    if len(clash):
        example = master[padded.to_numpy()].iloc[0]
        raise StudyError(
            f"{study.data.transactions.path.name}: column {study.data.transactions.customer!r}: "
            f"ids such as {clash.iloc[0]!r} look like the customer table's {example!r} without "
            "its leading zeros; save the log's id column as text"
        )


def customer_ids(series: pd.Series) -> pd.Series:
    """Customer ids as text (:func:`abclab._text.normalise_ids`: NFKC, trimmed, ``1001.0``
    -> ``"1001"``, ``001`` stays ``001``)."""
    return normalise_ids(series)


def transaction_lines(study: Study) -> pd.DataFrame:
    """The log's customer, date and amount columns, one row per line (for line checks).

    A file DuckDB reads as it is is scanned for just these columns; a client file is read
    by :func:`abclab.io.read_table` as the criteria were.
    """
    t = study.data.transactions
    columns = [t.customer, t.date, t.amount]
    source = prepare_source(t.path, customer=t.customer, dates=[t.date], numbers=[t.amount],
                            read=t.read_options())  # fmt: skip
    if isinstance(source, pd.DataFrame):
        frame = source[columns].copy()
    else:
        reader = (
            "read_parquet" if str(source).lower().endswith((".parquet", ".pq")) else "read_csv_auto"
        )
        quoted = ", ".join('"' + c.replace('"', '""') + '"' for c in columns)
        literal = "'" + str(source).replace("'", "''") + "'"
        frame = duckdb.sql(f"SELECT {quoted} FROM {reader}({literal})").df()
    frame[t.customer] = customer_ids(frame[t.customer])
    frame[t.date] = pd.to_datetime(frame[t.date])
    return frame


def read_transactions(study: Study) -> pd.DataFrame:
    """The transaction log as a frame (for cleaning rules that read single invoices)."""
    t = study.data.transactions
    frame = read_table(t.path, **_source_options(t))
    frame[t.customer] = customer_ids(frame[t.customer])
    for column in (t.date, t.due_date, t.paid_date):
        if column and not pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = parse_dates(frame[column], column=column, source=t.path.name,
                                        date_format=t.date_format).values  # fmt: skip
    return frame


def customer_base_names(study: Study) -> list[str]:
    """``clv_12m`` / ``p_alive`` when a criterion or a method parameter names them."""
    named = set(study.criterion_names)
    for method in study.methods:
        named |= set(method.data_columns()) | {
            v for v in method.params.values() if isinstance(v, str)
        }
    return [c for c in clv.CUSTOMER_BASE_CRITERIA if c in named]


def customer_base_criteria(
    study: Study, columns: list[str], *, aliases: Mapping[Any, Any] | None = None
) -> pd.DataFrame:
    """:func:`abclab.clv.customer_base_criteria` of the study's log, indexed by text ids."""
    t = study.data.transactions
    try:
        out = clv.customer_base_criteria(t.path, customer=t.customer, date=t.date, amount=t.amount,
                                         profit=t.profit, as_of=t.as_of, columns=columns,
                                         aliases=aliases, read=t.read_options())  # fmt: skip
    except InputDataError as err:
        raise StudyError(f"criterion {' and '.join(map(repr, columns))}: cannot be derived "
                         f"from {t.path.name} ({err})") from err  # fmt: skip
    return out.set_axis(pd.Index(customer_ids(pd.Series(out.index)).to_numpy(), name=ID))


def transaction_criteria(
    study: Study, *, aliases: Mapping[Any, Any] | None = None
) -> TransactionFeatures:
    """Per-customer criteria and returns of the log (:func:`abclab.features.transaction_features`)."""
    t = study.data.transactions
    return transaction_features(
        t.path,
        customer=t.customer,
        date=t.date,
        amount=t.amount,
        profit=t.profit,
        category=t.category,
        due_date=t.due_date,
        paid_date=t.paid_date,
        invoice=t.invoice,
        as_of=t.as_of,
        aliases=aliases,
        read=t.read_options(),
        engine=t.engine,
        spark=t.spark.options(),
    )
