"""Duplicate customer records: group keys (same contact and similar name) and safe merges.

A group of rows sharing a key (customer id, normalised name, or contact) keeps the row
with the most non-missing criteria; its gaps are filled from the others, differing
criterion values are flagged, and every removed row is logged and listed as merged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from abclab.cleaning._result import _Log


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
