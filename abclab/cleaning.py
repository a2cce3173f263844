"""Clean a customer table with an audit trail: duplicates, missing values, outliers.

Source 003 (step 3, 数据收集与清洗) asks for three operations before scoring: remove duplicate
customer records (去重处理), fill missing key indicators from history — "用近3个月平均消费额填补
年消费额缺失值" — or mark the customer "待评估" (pending evaluation), and correct obvious
outliers such as an annual spend of 0 or an implausibly high value (异常值处理).
:func:`clean_customers` does all three under a per-criterion policy and records every change
or flag as one row of a log with columns ``customer, column, old_value, new_value, rule,
reason``. No row is lost: every input row ends up in exactly one of ``cleaned``, ``pending``
or ``merged`` (a duplicate merged into another customer).
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from abclab._text import normalise_names
from abclab.exceptions import DataQualityWarning, InputDataError, StudyError

__all__ = ["CleaningResult", "CriterionPolicy", "clean_customers"]

LOG_COLUMNS = ["customer", "column", "old_value", "new_value", "rule", "reason"]
MERGED_COLUMNS = ["customer", "merged_into", "reason", "input_row"]
#: What a missing value does (see :class:`CriterionPolicy`).
MissingRule = Literal["pending", "median", "recent_average", "zero"]
#: What a value <= 0 does.
NonPositiveRule = Literal["allow", "pending", "missing"]
#: How outliers are flagged.
OutlierRule = Literal["none", "iqr", "mad"]
_CHOICES = {
    "missing": get_args(MissingRule),
    "nonpositive": get_args(NonPositiveRule),
    "outliers": get_args(OutlierRule),
}
#: Consistency constant making the MAD a standard-deviation estimate under normality
#: (1 / Φ⁻¹(3/4)); Iglewicz & Hoaglin (1993) flag modified z-scores above 3.5.
MAD_SCALE = 1.4826


@dataclass(frozen=True)
class CriterionPolicy:
    """How to clean one criterion (column).

    Parameters
    ----------
    missing : {"pending", "median", "recent_average", "zero"}
        A missing value sends the customer to ``pending`` (source 003's 待评估), is filled
        with the median of the cleaned customers, with the customer's recent average from
        the transactions (``pending`` when the customer has none), or with 0.
    nonpositive : {"allow", "pending", "missing"}
        Values <= 0 (impossible for, e.g., annual spend) are kept, send the customer to
        ``pending``, or become missing (then the ``missing`` rule applies).
    outliers : {"none", "iqr", "mad"}
        Flag values outside Tukey's fences ``[Q1 - k·IQR, Q3 + k·IQR]`` (``iqr_k``), or with
        a modified z-score ``|x - median| / (1.4826·MAD) > mad_threshold``.
    iqr_k : float
        Tukey's k: 1.5 ("outside") or 3 ("far out").
    mad_threshold : float
        Cut-off for the modified z-score (3.5, Iglewicz & Hoaglin 1993).
    winsorize : bool
        Also clip flagged values to the fence they crossed (each clip is logged).
    recent_months : int
        For ``missing="recent_average"``: how many of the customer's most recent months with
        transactions to average.
    periods_per_year : float
        Multiplier turning the average monthly amount into the criterion's unit (12 makes an
        annual figure; 1 keeps a monthly one).
    """

    missing: MissingRule = "pending"
    nonpositive: NonPositiveRule = "allow"
    outliers: OutlierRule = "none"
    iqr_k: float = 1.5
    mad_threshold: float = 3.5
    winsorize: bool = False
    recent_months: int = 3
    periods_per_year: float = 12.0

    def __post_init__(self) -> None:
        for key, allowed in _CHOICES.items():
            if getattr(self, key) not in allowed:
                raise StudyError(f"{key}={getattr(self, key)!r} is not one of {list(allowed)}")
        for key in ("iqr_k", "mad_threshold", "periods_per_year"):
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                raise StudyError(f"{key} must be a positive number, got {value!r}")
        if not isinstance(self.winsorize, bool):
            raise StudyError(f"winsorize must be true or false, got {self.winsorize!r}")
        if self.missing == "zero" and self.nonpositive != "allow":
            raise StudyError(
                f"missing='zero' contradicts nonpositive={self.nonpositive!r} (0 is not positive)"
            )
        months = self.recent_months
        if isinstance(months, bool) or not isinstance(months, int) or months < 1:
            raise StudyError(f"recent_months must be a positive integer, got {months!r}")


@dataclass(frozen=True, eq=False)
class CleaningResult:
    """Result of :func:`clean_customers`.

    Attributes
    ----------
    cleaned : pandas.DataFrame
        Customers ready to score, indexed by customer id; criteria have no missing values.
    pending : pandas.DataFrame
        Customers that cannot be scored yet, indexed by customer id, with the input columns
        plus ``status`` (the pending label) and ``pending_reason``.
    merged : pandas.DataFrame
        Columns ``customer, merged_into, reason, input_row``: one row per input row merged
        into another record (``input_row`` is its 0-based position in the input frame; the
        log's reasons say "input record N", counting from 1 as a spreadsheet user does).
    log : pandas.DataFrame
        Columns ``customer, column, old_value, new_value, rule, reason``: one row per change
        or flag, in the order the steps ran.
    input_rows : int or None
        Number of rows of the input frame (reported by :meth:`summary`).
    """

    cleaned: pd.DataFrame
    pending: pd.DataFrame
    merged: pd.DataFrame
    log: pd.DataFrame
    input_rows: int | None = None

    def summary(self) -> pd.Series:
        """Row counts ``input, cleaned, pending, merged``; input = cleaned + pending + merged."""
        counts = {"cleaned": len(self.cleaned), "pending": len(self.pending)}
        counts["merged"] = len(self.merged)
        total = sum(counts.values()) if self.input_rows is None else self.input_rows
        return pd.Series({"input": total, **counts}, name="customers")


class _Log:
    def __init__(self) -> None:
        self.rows: list[tuple[Any, ...]] = []

    def add(self, customer: Hashable, column: Any, old: Any, new: Any, rule: str, reason: str):
        self.rows.append((customer, column, old, new, rule, reason))

    def extend(self, customers: Any, column: str, old: Any, new: Any, rule: str, why: Any):
        n = len(customers)
        olds, news = (v if isinstance(v, pd.Series) else [v] * n for v in (old, new))
        whys = [why] * n if isinstance(why, str) else why
        for row in zip(customers, [column] * n, olds, news, [rule] * n, whys, strict=True):
            self.rows.append(row)

    def frame(self) -> pd.DataFrame:
        log = pd.DataFrame(self.rows, columns=LOG_COLUMNS, dtype=object)
        return log.astype({"rule": "str", "reason": "str"})


def _coerce_policies(policies: Mapping[str, Any], columns: pd.Index) -> dict[str, CriterionPolicy]:
    if not isinstance(policies, Mapping) or not policies:
        raise StudyError("policies must be a non-empty mapping criterion -> CriterionPolicy/dict")
    allowed = [f.name for f in fields(CriterionPolicy)]
    out = {}
    for name, policy in policies.items():
        if isinstance(policy, Mapping):
            unknown = sorted(set(policy) - set(allowed))
            if unknown:
                raise StudyError(
                    f"policy for criterion {name!r}: unknown key(s) {unknown}; allowed: {allowed}"
                )
            try:
                policy = CriterionPolicy(**policy)
            except StudyError as err:
                raise StudyError(f"policy for criterion {name!r}: {err}") from None
        elif not isinstance(policy, CriterionPolicy):
            raise StudyError(
                f"policy for criterion {name!r} must be a CriterionPolicy or a dict, "
                f"got {type(policy).__name__}"
            )
        out[name] = policy
    missing = [c for c in out if c not in columns]
    if missing:
        raise InputDataError(
            f"criteria {missing} named in policies are not columns; available: {list(columns)}"
        )
    return out


def _numeric_criterion(series: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return series.astype("float64")
    values = pd.to_numeric(series, errors="coerce")
    bad = np.flatnonzero((series.notna() & values.isna()).to_numpy(bool))
    if len(bad):
        raise InputDataError(
            f"criterion column {series.name!r} row {bad[0] + 1} (1-based position): "
            f"{series.iloc[bad[0]]!r} is not a number; parse it first, e.g. with "
            "abclab.io.parse_business_numbers"
        )
    return values.astype("float64")


def _contact_keys(contacts: pd.Series, names: pd.Series) -> pd.Series:
    """Group key per row for the same-contact rule (missing where the row has no partner).

    A contact is a phone (digits only, >= 7 of them) or an e-mail (case-folded); two rows
    join when they share it and one normalised name contains the other.
    """
    text = contacts.astype("str").str.strip().str.casefold()
    digits = text.str.replace(r"\D+", "", regex=True)
    key = text.where(text.str.contains("@", regex=False), digits)
    valid = contacts.notna() & (text.str.contains("@", regex=False) | (digits.str.len() >= 7))
    key = key.where(valid)
    out = pd.Series(pd.NA, index=contacts.index, dtype="object")
    for contact, rows in key[key.duplicated(keep=False) & valid].groupby(key).groups.items():
        rows = list(rows)
        anchor = names.loc[rows[0]]
        for r in rows:
            other = names.loc[r]
            if pd.notna(anchor) and pd.notna(other) and (anchor in other or other in anchor):
                out.loc[r] = contact
    return out


def _merge_groups(
    work: pd.DataFrame, keys: pd.Series, criteria: list[str], log: _Log, merged: list, reason: str
) -> pd.DataFrame:
    """Merge rows sharing a key: keep the row with most non-missing criteria, fill its gaps.

    ``work`` is indexed by input position and has the customer id in ``"__customer__"``.
    """
    dup = (keys.notna() & keys.ne("") & keys.duplicated(keep=False)).to_numpy(bool)
    if not dup.any():
        return work
    sub = work[dup]
    filled = sub[criteria].notna().sum(axis=1).to_numpy()
    columns = [c for c in work.columns if c != "__customer__"]
    vals = {c: sub[c].to_numpy(dtype=object) for c in [*columns, "__customer__"]}
    isna = {c: pd.isna(vals[c]) for c in columns}
    rowid = sub.index.to_numpy()  # input positions
    drop = []
    for key, rows in sub.groupby(keys[dup], sort=False).indices.items():
        k = rows[np.argmax(filled[rows])]  # first row with the most non-missing criteria
        target, others, why = (
            vals["__customer__"][k],
            [i for i in rows if i != k],
            reason.format(key=key),
        )
        for col in columns:
            donors = [i for i in others if not isna[col][i]]
            if isna[col][k] and donors:
                new = vals[col][donors[0]]
                work.loc[rowid[k], col] = new
                note = f"filled from input record {rowid[donors[0]] + 1}: {why}"
                log.add(target, col, vals[col][k], new, "duplicate_fill", note)
            elif col in criteria and not isna[col][k]:
                for i in donors:
                    note = f"input record {rowid[i] + 1} differs; kept input record {rowid[k] + 1}: {why}"
                    if vals[col][i] != vals[col][k]:
                        log.add(target, col, vals[col][i], vals[col][k], "duplicate_conflict", note)
        for i in others:
            customer = vals["__customer__"][i]
            merged.append((customer, target, why, int(rowid[i])))
            note = f"input record {rowid[i] + 1}: {why}"
            log.add(customer, None, customer, target, "merge_duplicate", note)
        drop += [rowid[i] for i in others]
    return work.drop(index=drop)


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


def _outlier_bounds(values: np.ndarray, policy: CriterionPolicy) -> tuple[float, float, str]:
    """Lower/upper bounds and a description; kernel without validation (NaN-free input)."""
    if policy.outliers == "iqr":
        q1, q3 = np.percentile(values, [25, 75])
        k = policy.iqr_k
        lo, hi = q1 - k * (q3 - q1), q3 + k * (q3 - q1)
        return lo, hi, f"Tukey fences [{lo:.6g}, {hi:.6g}] (Q1={q1:.6g}, Q3={q3:.6g}, k={k:g})"
    med = np.median(values)
    mad = np.median(np.abs(values - med))
    width = policy.mad_threshold * MAD_SCALE * mad
    lo, hi = med - width, med + width
    how = f"|x - median| / (1.4826·MAD) > {policy.mad_threshold:g}, i.e. outside"
    return lo, hi, f"{how} [{lo:.6g}, {hi:.6g}] (median={med:.6g}, MAD={mad:.6g})"


def _flag_outliers(
    work: pd.DataFrame, col: str, active: pd.Series, policy: CriterionPolicy, log: _Log
) -> None:
    observed = work[col].where(active).dropna()
    if policy.outliers == "none" or observed.empty:
        return
    lo, hi, how = _outlier_bounds(observed.to_numpy(float), policy)
    if policy.outliers == "mad" and lo == hi:
        message = f"criterion {col!r}: MAD is 0, no MAD outlier flags computed"
        warnings.warn(message, DataQualityWarning, stacklevel=3)
        return
    rule = f"outlier_{policy.outliers}"
    for customer, value in observed[(observed < lo) | (observed > hi)].items():
        side = "below" if value < lo else "above"
        log.add(customer, col, value, value, rule, f"{side} the bound: {how}")
        if policy.winsorize:
            new, bound = (lo, "lower") if value < lo else (hi, "upper")
            work.loc[customer, col] = new
            note = f"clipped to the {bound} bound: {how}"
            log.add(customer, col, value, new, f"winsorize_{policy.outliers}", note)


class _Pending:
    """Collects why customers go to ``pending`` and logs each reason."""

    def __init__(self, log: _Log, label: str) -> None:
        self.log, self.label, self.reasons = log, label, {}

    def add(self, customers: Any, col: str, old: Any, rule: str, why: Any) -> None:
        whys = [why] * len(customers) if isinstance(why, str) else list(why)
        olds = old if isinstance(old, pd.Series) else [old] * len(customers)
        for customer, value, text in zip(customers, olds, whys, strict=True):
            self.reasons.setdefault(customer, []).append(text)
            self.log.add(customer, col, value, self.label, rule, text)


def _screen(work, pols, transactions, tx_columns, alias, log, pending) -> dict[str, pd.DataFrame]:
    """Steps 3-4: non-positive values and missing values that make a customer pending."""
    estimates = {}
    for col, pol in pols.items():
        bad = work[col][work[col] <= 0]
        whys = [f"{col} = {v:g} is not positive" for v in bad]
        if pol.nonpositive == "pending":
            pending.add(bad.index, col, bad, "nonpositive_pending", whys)
        elif pol.nonpositive == "missing":
            work.loc[bad.index, col] = np.nan
            whys = [w + "; set missing" for w in whys]
            log.extend(bad.index, col, bad, np.nan, "nonpositive_missing", whys)
        missing = work.index[work[col].isna()]
        if pol.missing == "pending":
            pending.add(missing, col, np.nan, "missing_pending", f"{col} is missing")
        elif pol.missing == "recent_average":
            est = estimates[col] = _recent_average(transactions, tx_columns, alias, pol)
            none = missing[~missing.isin(est.index)]
            why = f"{col} is missing and the customer has no transactions"
            pending.add(none, col, np.nan, "missing_no_transactions", why)
            if pol.nonpositive != "allow":
                value = est["value"].reindex(missing)
                low = value[value <= 0]
                whys = [
                    f"{col} is missing and its recent average {v:g} is not positive" for v in low
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
                why = f"{col} is missing and no customer has a value to take a median from"
                pending.add(gaps, col, np.nan, "missing_pending", why)
                continue
            why = f"filled with the median of the {len(observed)} observed not-pending values"
            work.loc[gaps, col] = observed.median()
            log.extend(gaps, col, np.nan, observed.median(), "missing_median", why)
        elif pol.missing == "zero":
            work.loc[gaps, col] = 0.0
            log.extend(gaps, col, np.nan, 0.0, "missing_zero", "filled with 0")
        elif pol.missing == "recent_average":
            est = estimates[col].loc[gaps]
            work.loc[gaps, col] = est["value"].to_numpy()
            whys = [
                f"mean monthly amount {r.mean:g} over the last {r.n} month(s) with transactions "
                f"({r.first} to {r.last}) × {pol.periods_per_year:g}"
                for r in est.itertuples()
            ]
            log.extend(gaps, col, np.nan, est["value"], "missing_recent_average", whys)


def clean_customers(
    frame: pd.DataFrame,
    *,
    policies: Mapping[str, CriterionPolicy | Mapping[str, Any]],
    id_column: str | None = None,
    name_column: str | None = None,
    contact_columns: Sequence[str] = (),
    transactions: pd.DataFrame | None = None,
    transaction_columns: Mapping[str, str] | None = None,
    pending_label: str = "pending",
) -> CleaningResult:
    """Deduplicate customers, treat missing values and outliers, and log every change.

    Steps, in order:

    1. **Same id** (``id_column``, else the index): rows with the same id are one customer.
       The row with the most non-missing criteria is kept (ties: the first); each of its
       missing cells (any column) is filled from the first other row that has it
       (``duplicate_fill``); differing criterion values are flagged (``duplicate_conflict``),
       and the kept value wins. Values are *not* summed: source 003 treats duplicates as the
       same customer entered twice (同一客户因不同录入方式导致多条数据), so adding them would
       double count.
    2. **Same name** (``name_column``): names equal after NFKC (full-width -> half-width),
       case folding, removing punctuation, spaces and company suffixes (有限公司, 集团,
       Co., Ltd., Inc., LLC, GmbH ...) are merged the same way. Each removed row is a row of
       ``merged`` (``customer, merged_into, reason, input_row``) and of the log
       (``merge_duplicate``).
       **Same contact** (``contact_columns``, e.g. phone and e-mail): records sharing a
       phone number (digits only, at least 7) or an e-mail address (case-folded) *and*
       whose normalised names contain one another ("Evergreen Industrial (Shanghai) Co.,
       Ltd." / "EVERGREEN INDUSTRIAL LTD") are merged the same way. The name condition
       keeps two firms served by one purchasing agent apart.
    3. **Non-positive values** per ``nonpositive``: ``pending`` or ``missing``.
    4. **Missing values** with ``missing="pending"``, or ``"recent_average"`` for customers
       without transactions, send the customer to ``pending``.
    5. **Outliers** among the customers not pending: ``iqr`` or ``mad`` flags
       (``outlier_iqr``/``outlier_mad``), optionally clipped (``winsorize_iqr``/``_mad``).
    6. **Fill** the remaining missing values: ``median`` of the not-pending customers' values
       (after step 5), ``zero``, or ``recent_average`` = mean monthly amount over the
       customer's last ``recent_months`` months with transactions × ``periods_per_year``
       (source 003: 用近3个月平均消费额填补年消费额缺失值). A non-positive estimate counts as a
       non-positive value under step 3's rule.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per customer record; criteria columns numeric.
    policies : mapping
        Criterion column -> :class:`CriterionPolicy` or a dict of its fields.
    id_column : str, optional
        Column with the customer id (default: the index).
    name_column : str, optional
        Column with customer names, for step 2.
    contact_columns : sequence of str
        Phone / e-mail columns for the same-contact rule of step 2 (needs ``name_column``).
    transactions : pandas.DataFrame, optional
        Transaction log for ``recent_average`` (customer, date, amount).
    transaction_columns : mapping, optional
        Names of the ``"customer"``, ``"date"`` and ``"amount"`` columns of ``transactions``
        (defaults: those words).
    pending_label : str
        Status given to pending customers (e.g. ``"待评估"`` or ``"D"``).

    Returns
    -------
    CleaningResult
        ``cleaned``, ``pending``, ``merged``, ``log`` and ``summary()``.

    Raises
    ------
    StudyError
        Invalid policy (names the criterion and key).
    InputDataError
        Missing columns, missing customer ids, non-numeric criteria, bad transactions.
    """
    if not isinstance(frame, pd.DataFrame):
        raise InputDataError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    pols = _coerce_policies(policies, frame.columns)
    named = [("id_column", id_column), ("name_column", name_column)]
    named += [("contact_columns", c) for c in contact_columns]
    for label, col in named:
        if col is not None and col not in frame.columns:
            raise InputDataError(
                f"{label}={col!r} is not a column; available: {list(frame.columns)}"
            )
    needs_tx = [c for c, p in pols.items() if p.missing == "recent_average"]
    if needs_tx and transactions is None:
        raise StudyError(
            f"criteria {needs_tx} use missing='recent_average' but no transactions given"
        )
    ids = frame[id_column] if id_column is not None else frame.index.to_series()
    id_name = id_column or frame.index.name or "customer"
    absent = np.flatnonzero(pd.isna(ids).to_numpy(bool))
    if len(absent):
        raise InputDataError(
            f"customer id missing in row(s) {[int(i) + 1 for i in absent[:10]]} (1-based position)"
            f" of {id_column or 'the index'}; every customer needs an id"
        )
    criteria = list(pols)
    work = frame.drop(columns=[id_column] if id_column else []).reset_index(drop=True)
    for col in criteria:
        work[col] = _numeric_criterion(frame[col].reset_index(drop=True))
    work["__customer__"] = ids.to_numpy()
    log, merged_rows = _Log(), []
    work = _merge_groups(
        work, work["__customer__"], criteria, log, merged_rows, "same customer id {key!r}"
    )
    if name_column is not None:
        names = normalise_names(work[name_column])
        work = _merge_groups(
            work, names, criteria, log, merged_rows, "same normalised name {key!r}"
        )
        for col in contact_columns:
            keys = _contact_keys(work[col], normalise_names(work[name_column]))
            work = _merge_groups(
                work, keys, criteria, log, merged_rows, f"same {col} {{key!r}} and similar name"
            )
    alias = {c: t for c, t, _, _ in merged_rows if c != t}  # name merges: removed -> kept
    merged_rows = [(c, alias.get(t, t), why, p) for c, t, why, p in merged_rows]  # resolve chains
    work = work.set_index("__customer__").rename_axis(id_name)
    pending = _Pending(log, pending_label)
    estimates = _screen(work, pols, transactions, transaction_columns, alias, log, pending)
    active = pd.Series(~work.index.isin(list(pending.reasons)), index=work.index)
    for col, pol in pols.items():
        _flag_outliers(work, col, active, pol, log)
    _fill_missing(work, pols, active, estimates, log, pending)
    reasons = pending.reasons
    is_pending = work.index.isin(list(reasons))
    pending = work[is_pending].copy()
    pending["status"] = pending_label
    pending["pending_reason"] = ["; ".join(reasons[c]) for c in pending.index]
    merged = pd.DataFrame(merged_rows, columns=MERGED_COLUMNS).astype({"input_row": "int64"})
    return CleaningResult(work[~is_pending].copy(), pending, merged, log.frame(), len(frame))
