"""Read step: the customer table and the transaction log become one row per input record.

Customer ids are text (``1001`` and ``1001.0`` are the same customer); criteria named in the
study and written as text (``"43.1万元"``) are parsed with :func:`abclab.io.parse_business_numbers`.
The options of each source (``sheet``, ``encoding``) reach the reader.

The transaction log is read once per run (:func:`open_log`): a client file DuckDB cannot scan
as it is goes through :mod:`abclab.io` once, into a Parquet file in the run's temporary
directory, and every step that reads the log (criteria, CLV criteria, line flags, the
``recent_average`` rule, the log-reading methods) scans that :class:`~abclab.features.PreparedLog`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from abclab import clv
from abclab._text import normalise_ids
from abclab.cleaning import summarise_returns
from abclab.config import Study
from abclab.exceptions import InputDataError, StudyError
from abclab.features import (
    PreparedLog,
    TransactionFeatures,
    log_columns,
    prepare_log,
    transaction_features,
)
from abclab.io import parse_business_numbers, read_table_report
from abclab.pipeline.results import DataStep
from abclab.privacy import mask_note

__all__ = [
    "ID",
    "NAME",
    "SET_ASIDE_COLUMNS",
    "UNMATCHED_COLUMNS",
    "Master",
    "customer_base_criteria",
    "customer_base_names",
    "customer_ids",
    "local_log_uses",
    "open_log",
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
    """The rows of ``path`` set aside, as every output lists them: a note row's text is
    masked to its label (:func:`abclab.privacy.mask_note`: notes name staff and their
    numbers), other rows show their content."""
    out = dropped.assign(file=path.name)
    if len(out) and "kind" in out.columns:
        notes = (out["kind"] == "note").to_numpy(dtype=bool)
        content = out["content"].astype(object)
        content[notes] = [mask_note(v) for v in content[notes]]
        out["content"] = content
    return out.reindex(columns=SET_ASIDE_COLUMNS).reset_index(drop=True)


def _all_set_aside(master: Master | None, log: PreparedLog | None, source: Any) -> pd.DataFrame:
    """Rows set aside in the customer table and in the log (title, blank, total, note rows)."""
    parts = [] if master is None else [master.set_aside]
    if log is not None and len(log.set_aside):
        parts.append(_set_aside(source.local_path, log.set_aside))
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=SET_ASIDE_COLUMNS)
    return pd.concat(parts, ignore_index=True)


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
    numeric = dict.fromkeys([*study.criterion_names,
                             *(c for m in study.methods for c in m.data_columns())])  # fmt: skip
    for col in numeric:
        if col in master.columns and not pd.api.types.is_numeric_dtype(master[col]):
            master[col], counts = parse_business_numbers(master[col], column=col,
                                                         source=src.path.name,
                                                         decimal=table.decimal,
                                                         rows=master.attrs.get("rows"))  # fmt: skip
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


@contextmanager
def open_log(study: Study) -> Iterator[PreparedLog | None]:
    """The study's transaction log read once for the run (None without a log).

    A log DuckDB scans as it is stays the client's file; any other
    (:func:`abclab.features.prepare_source`) is read by :mod:`abclab.io` once and written as
    Parquet to a temporary directory of the run (the system's temporary folder, never the
    client's folder), removed when the ``with`` block ends, also on errors.
    """
    t = study.data.transactions
    if t is None:
        yield None
        return
    if t.local_path is None:  # a table or URI that Spark reads where it runs
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="abclab-run-") as workdir:
        yield prepare_log(t.local_path, customer=t.customer,
                          dates=[t.date, t.due_date or "", t.paid_date or ""],
                          numbers=[t.amount, t.profit or ""], read=t.read_options(),
                          invoice=t.invoice, workdir=workdir)  # fmt: skip


def read_step(
    study: Study,
    master: Master | None,
    *,
    log: PreparedLog | None = None,
    aliases: Mapping[Any, Any] | None = None,
) -> DataStep:
    """One row per input record, ``customer_id`` column, criteria under their study names.

    ``master`` is :func:`read_master`'s table and ``log`` :func:`open_log`'s (both read once
    per run; without ``log`` the log is prepared for this call); ``aliases`` (duplicate
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
    elif log is None and data.transactions.local_path is not None:
        with open_log(study) as opened:
            return read_step(study, master, log=opened, aliases=aliases)
    else:
        derived = transaction_criteria(study, log, aliases=aliases)
        returns = summarise_returns(derived)
        if data.transactions.local_path is not None:  # not a log Spark reads where it runs
            files.append(data.transactions.local_path)
        feats = derived.customers.reset_index()
        feats = feats.rename(columns={feats.columns[0]: ID})
        feats[ID] = customer_ids(feats[ID])
        have = set() if table is None else set(table.columns)
        wanted = [c for c in customer_base_names(study) if c not in have]
        if wanted:
            feats = feats.join(customer_base_criteria(study, wanted, log, aliases=aliases), on=ID)
        if table is None:
            frame = feats
        else:
            _check_id_kinds(table[ID], feats[ID], study)
            outside = ~feats[ID].isin(table[ID])
            if data.transactions.unmatched == "report":
                unmatched = _unmatched(feats[outside])
                feats = feats[~outside]
                returns = _returns_of(derived, set(feats[ID]))  # not of unmatched ids
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
    return DataStep(
        frame=frame.reset_index(drop=True),
        files=tuple(files),
        excluded=pd.DataFrame() if master is None else master.excluded,
        set_aside=_all_set_aside(master, log, data.transactions),
        unmatched=unmatched,
        returns=returns,
        conversions=(
            pd.DataFrame(columns=CONVERSION_COLUMNS) if master is None else master.conversions
        ),
    )


def _returns_of(derived: TransactionFeatures, ids: set[str]) -> Any:
    """The returns summary of the customers ``ids`` (text ids) only."""
    frame = derived.returns.join(derived.customers[["total_spend"]], how="left")
    keep = customer_ids(pd.Series(frame.index, dtype=object)).isin(ids).to_numpy()
    return summarise_returns(frame[keep])


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
            f"{study.data.transactions.label}: column {study.data.transactions.customer!r}: "
            f"ids such as {clash.iloc[0]!r} look like the customer table's {example!r} without "
            "its leading zeros; save the log's id column as text"
        )


def customer_ids(series: pd.Series) -> pd.Series:
    """Customer ids as text (:func:`abclab._text.normalise_ids`: NFKC, trimmed, ``1001.0``
    -> ``"1001"``, ``001`` stays ``001``)."""
    return normalise_ids(series)


def local_log_uses(study: Study) -> list[str]:
    """What in the study reads the log's single lines on this machine (DuckDB, pandas).

    Methods that read the log (churn, credit), the customer-base criteria ``clv_12m`` /
    ``p_alive`` and the ``recent_average`` missing-value policy. They need a local log: a
    table or URI that Spark reads where it runs (:attr:`TransactionsSource.local_path` None)
    only gives the criteria that the Spark engine aggregates.
    """
    uses = [f"method {m.method!r}" for m in study.methods if m.uses_transactions]
    uses += [f"criterion {c!r}" for c in customer_base_names(study)]
    policies = {n: study.cleaning.policy(n).to_dict()["missing"] for n in study.criterion_names}
    uses += [f"cleaning of {n!r} (missing: recent_average)" for n, how in policies.items()
             if how == "recent_average"]  # fmt: skip
    return uses


def require_local_log(study: Study, log: PreparedLog | None, use: str) -> PreparedLog:
    """The run's prepared log for ``use``; a clear error when Spark reads the log where it
    runs (a table or URI: :func:`open_log` gives None), since ``use`` needs its lines here."""
    if log is None:
        t = study.data.transactions
        raise StudyError(
            f"{t.key}: {use} reads the log's lines on this machine, but {t.label} is read by "
            "Spark where it runs (only the criteria are aggregated there); give a local file "
            f"or leave out {use}"
        )
    return log


def transaction_lines(study: Study, *, log: PreparedLog | None) -> pd.DataFrame | None:
    """The log's customer, date and amount columns, one row per line (for line checks).

    Scanned from the run's prepared log (:func:`open_log`), as the criteria are. None for a
    log that Spark reads where it runs (a table or URI): its lines are not brought here.
    """
    if log is None:
        return None
    t = study.data.transactions
    return _typed_lines(study, log_columns(log, [t.customer, t.date, t.amount]))


def read_transactions(study: Study, *, log: PreparedLog | None) -> pd.DataFrame:
    """The log's customer, date, amount (and due / paid date) columns, one row per line (for
    cleaning rules that read single invoices), from the run's prepared log."""
    log = require_local_log(study, log, "the recent_average missing-value policy")
    t = study.data.transactions
    columns = [c for c in (t.customer, t.date, t.amount, t.due_date, t.paid_date) if c]
    return _typed_lines(study, log_columns(log, columns))


def _typed_lines(study: Study, frame: pd.DataFrame) -> pd.DataFrame:
    """Ids as text, dates as datetimes (a plain CSV's ISO text dates, typed Parquet dates)."""
    t = study.data.transactions
    frame[t.customer] = customer_ids(frame[t.customer])
    for column in (t.date, t.due_date, t.paid_date):
        if column and column in frame.columns:
            frame[column] = pd.to_datetime(frame[column])
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
    study: Study,
    columns: list[str],
    log: PreparedLog,
    *,
    aliases: Mapping[Any, Any] | None = None,
) -> pd.DataFrame:
    """:func:`abclab.clv.customer_base_criteria` of the run's log, indexed by text ids."""
    t = study.data.transactions
    log = require_local_log(study, log, f"criterion {' and '.join(map(repr, columns))}")
    try:
        out = clv.customer_base_criteria(log, customer=t.customer, date=t.date, amount=t.amount,
                                         profit=t.profit, as_of=t.as_of, columns=columns,
                                         aliases=aliases)  # fmt: skip
    except InputDataError as err:
        raise StudyError(f"criterion {' and '.join(map(repr, columns))}: cannot be derived "
                         f"from {t.label} ({err})") from err  # fmt: skip
    return out.set_axis(pd.Index(customer_ids(pd.Series(out.index)).to_numpy(), name=ID))


def transaction_criteria(
    study: Study, log: PreparedLog | None, *, aliases: Mapping[Any, Any] | None = None
) -> TransactionFeatures:
    """Per-customer criteria and returns of the run's log
    (:func:`abclab.features.transaction_features`)."""
    t = study.data.transactions
    return transaction_features(
        t.source if log is None else log,
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
        engine=t.engine,
        spark=t.spark.options(),
    )
