"""Duplicate customer records: safe merges, and the pairs flagged for review.

Rules (issue 9, item 5), in the order :func:`abclab.cleaning.clean_customers` applies them:

1. the same customer id: always one customer;
2. names equal after :func:`abclab._text.normalise_names` (case, spaces, brackets and
   punctuation, full-width forms, the legal-form suffix), when the legal forms agree and no
   contact conflicts;
3. a shared phone / e-mail (one contact column at a time) plus a similar name (one
   normalised name contains the other), under the same two conditions.

A pair linked by rule 2 or 3 whose legal forms differ (``有限公司`` vs ``股份有限公司``, Ltd vs
PLC, with or without 集团; see :data:`abclab._text.LEGAL_FORMS`) or whose contacts conflict
(both records have a value in a contact column and the values differ) is *not* merged: it is
a row of the review list, and both records stay customers. A name without any legal-form
suffix agrees with every form (an omission, not a difference).

A group of rows to merge keeps the row with the most non-missing criteria; its gaps are
filled from the others, differing criterion values are flagged, and every removed row is
logged and listed as merged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from abclab._text import legal_forms, normalise_names
from abclab.cleaning._reasons import Reason
from abclab.cleaning._result import _Log
from abclab.privacy import detect_pii_columns, mask_values

#: A contact value with at least this many digits (and no "@") is compared as a phone number.
MIN_PHONE_DIGITS = 7
#: Cell texts that mean "no contact" (after stripping and case folding).
_NO_CONTACT = ("", "-", "--", "—", "/", "无", "暂无", "n/a", "na", "none", "null", "nan")


@dataclass
class _Cluster:
    """Rows that will be merged: their anchor, legal form and known contacts so far."""

    rows: list[int]
    suffix: str
    group: bool
    form: str
    contacts: dict[str, object] = field(default_factory=dict)
    shown: dict[str, object] = field(default_factory=dict)


def contact_values(contacts: pd.Series) -> pd.Series:
    """Comparison key of contact values (vectorised); missing where there is no contact.

    E-mails are case folded; a value with at least :data:`MIN_PHONE_DIGITS` digits becomes
    its digits without a leading ``86`` / ``0086`` country code on a mainland 11-digit
    number; any other text (a contact person, an address) is NFKC-normalised, case folded and
    stripped of whitespace.
    """
    text = contacts.astype("str").str.normalize("NFKC").str.strip().str.casefold()
    email = text.str.contains("@", regex=False).fillna(False)
    digits = text.str.replace(r"\D+", "", regex=True)
    digits = digits.str.replace(r"^(?:0086|86)(?=1[3-9]\d{9}$)", "", regex=True)
    phone = ~email & (digits.str.len() >= MIN_PHONE_DIGITS).fillna(False)
    other = text.str.replace(r"\s+", "", regex=True)
    key = other.where(~phone, digits).where(~email, text)
    return key.where(contacts.notna() & ~text.isin(_NO_CONTACT).fillna(True))


def _merge_safely(
    work: pd.DataFrame,
    name_column: str,
    contact_columns: Sequence[str],
    criteria: list[str],
    log: _Log,
    merged: list,
    review: list,
) -> pd.DataFrame:
    """Rules 2 and 3 on ``work`` (indexed by input position): merge, or list for review."""
    kinds = detect_pii_columns(work[list(contact_columns)]) if contact_columns else {}
    stages = [(None, Reason("same_name", "same normalised name {key!r}", {"match": None}))]
    stages += [
        (
            col,
            Reason(
                "same_contact",
                f"same {col} {{key!r}} and similar name",
                {"column": col, "match": None},
            ),
        )
        for col in contact_columns
    ]
    keyed = None  # the frame ``base`` and ``contacts`` were computed from
    for column, reason in stages:
        if keyed is not work:  # a merge changes names and contacts (gaps filled, rows gone)
            base = normalise_names(work[name_column])
            contacts = {c: contact_values(work[c]) for c in contact_columns}
            keyed = work
        if column is None:
            link = base.where(base.ne(""))
        else:  # only phones and e-mails link records
            link = contacts[column].where(contacts[column].str.contains(r"^\d+$|@", regex=True))
        dup = (link.notna() & link.duplicated(keep=False)).to_numpy(bool)
        if not dup.any():
            continue
        sub = work[dup]
        forms = legal_forms(sub[name_column])
        shown = {
            c: pd.Series(_masked(sub[c], kinds.get(c)), index=sub.index) for c in contact_columns
        }
        keys, display = _cluster_keys(
            link[dup],
            base[dup],
            forms,
            {c: v[dup] for c, v in contacts.items()},
            shown,
            sub[criteria].notna().sum(axis=1),
            sub["__customer__"],
            similar=column is not None,
            basis=reason,
            review=review,
        )
        keys = keys.reindex(work.index)
        work = _merge_groups(work, keys, criteria, log, merged, reason, display)
    return work


def _masked(values: pd.Series, kind: str | None) -> np.ndarray:
    """Contact values as the review list shows them (masked; unknown kinds not shown)."""
    if kind is None:
        return np.full(len(values), "(value not shown)", dtype=object)
    return mask_values(values, kind)


def _cluster_keys(
    link: pd.Series,
    base: pd.Series,
    forms: pd.DataFrame,
    contacts: Mapping[str, pd.Series],
    shown: Mapping[str, pd.Series],
    filled: pd.Series,
    customers: pd.Series,
    *,
    similar: bool,
    basis: Reason,
    review: list,
) -> tuple[pd.Series, dict[str, object]]:
    """Merge key per row (missing: not merged) and the key -> shown key map.

    Rows sharing ``link`` are taken most-complete first; each joins the first cluster it is
    compatible with (similar name when ``similar``, agreeing legal form, no conflicting
    contact) or starts a new one. Every refusal on legal form or contact is appended to
    ``review`` as ``(customer, candidate, rule, evidence)``.
    """
    keys = pd.Series(pd.NA, index=link.index, dtype="object")
    display: dict[str, object] = {}
    order = np.argsort(-filled.to_numpy(), kind="stable")
    positions = link.index.to_numpy()[order]
    ordered = link.iloc[order]
    for shared, at in ordered.groupby(ordered, sort=False).indices.items():
        clusters: list[_Cluster] = []
        for r in positions[at]:  # most complete first
            for cluster in clusters:
                anchor = cluster.rows[0]
                if similar and not _similar(base.loc[anchor], base.loc[r]):
                    continue
                problems = _conflicts(cluster, r, forms, contacts, shown)
                if not problems:
                    _join(cluster, r, forms, contacts, shown)
                    break
                rule = "different_legal_form" if problems[0][0] == "form" else "conflicting_contact"
                why = basis.format(key=_shown_key(shared))
                evidence = "; ".join([str(why), *[text for _, text in problems]])
                review.append((customers.loc[r], customers.loc[anchor], rule, evidence))
            else:
                clusters.append(_Cluster([r], "", False, ""))
                _join(clusters[-1], r, forms, contacts, shown, first=True)
        for i, cluster in enumerate(c for c in clusters if len(c.rows) > 1):
            label = f"{shared}\x1f{i}"
            keys.loc[cluster.rows] = label
            display[label] = _shown_key(shared)
    return keys, display


def _shown_key(shared: object) -> object:
    """The shared key as the reasons show it: a phone or e-mail masked, a name as it is."""
    if isinstance(shared, str) and ("@" in shared or shared.isdigit()):
        kind = "email" if "@" in shared else "phone"
        return mask_values(pd.Series([shared], dtype=object), kind)[0]
    return shared


def _similar(a: object, b: object) -> bool:
    return pd.notna(a) and pd.notna(b) and a != "" and b != "" and (a in b or b in a)


def _conflicts(cluster: _Cluster, r: int, forms, contacts, shown) -> list[tuple[str, str]]:
    problems = []
    suffix, group, form = forms.loc[r, "suffix"], forms.loc[r, "group"], forms.loc[r, "form"]
    if suffix and cluster.suffix:
        if group != cluster.group or (form and cluster.form and form != cluster.form):
            problems.append(("form", f"legal form differs: {suffix!r} vs {cluster.suffix!r}"))
    for col, values in contacts.items():
        value, known = values.loc[r], cluster.contacts.get(col)
        if pd.notna(value) and known is not None and value != known:
            text = f"{col} differs: {shown[col].loc[r]} vs {cluster.shown[col]}"
            problems.append(("contact", text))
    return problems


def _join(cluster: _Cluster, r: int, forms, contacts, shown, *, first: bool = False) -> None:
    if not first:
        cluster.rows.append(r)
    suffix, form = forms.loc[r, "suffix"], forms.loc[r, "form"]
    if suffix and not cluster.suffix:
        cluster.suffix, cluster.group = suffix, bool(forms.loc[r, "group"])
    if form and not cluster.form:
        cluster.form = form
    for col, values in contacts.items():
        if pd.notna(values.loc[r]) and col not in cluster.contacts:
            cluster.contacts[col] = values.loc[r]
            cluster.shown[col] = shown[col].loc[r]


def _merge_groups(
    work: pd.DataFrame,
    keys: pd.Series,
    criteria: list[str],
    log: _Log,
    merged: list,
    reason: str,
    display: Mapping[object, object] | None = None,
) -> pd.DataFrame:
    """Merge rows sharing a key: keep the row with most non-missing criteria, fill its gaps.

    ``work`` is indexed by input position and has the customer id in ``"__customer__"``;
    ``reason`` is formatted with ``key`` = ``display[key]`` (default: the key itself).
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
        target, others = vals["__customer__"][k], [i for i in rows if i != k]
        why = reason.format(key=(display or {}).get(key, key))
        for col in columns:
            donors = [i for i in others if not isna[col][i]]
            if isna[col][k] and donors:
                new = vals[col][donors[0]]
                work.loc[rowid[k], col] = new
                record = int(rowid[donors[0]] + 1)
                note = Reason("duplicate_fill", f"filled from input record {record}: {why}",
                              {"record": record, "link": why})  # fmt: skip
                log.add(target, col, vals[col][k], new, "duplicate_fill", note)
            elif col in criteria and not isna[col][k]:
                for i in donors:
                    record, kept = int(rowid[i] + 1), int(rowid[k] + 1)
                    note = Reason(
                        "duplicate_conflict",
                        f"input record {record} differs; kept input record {kept}: {why}",
                        {"record": record, "kept": kept, "link": why},
                    )
                    if vals[col][i] != vals[col][k]:
                        log.add(target, col, vals[col][i], vals[col][k], "duplicate_conflict", note)
        for i in others:
            customer = vals["__customer__"][i]
            merged.append((customer, target, str(why), int(rowid[i])))
            record = int(rowid[i] + 1)
            note = Reason(
                "merged", f"input record {record}: {why}", {"record": record, "link": why}
            )
            log.add(customer, None, customer, target, "merge_duplicate", note)
        drop += [rowid[i] for i in others]
    return work.drop(index=drop)
