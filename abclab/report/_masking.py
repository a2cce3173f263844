"""Masking of personal contact data (phone numbers, e-mail addresses) in report tables.

Reports go to people outside the analysis team, so contact columns are masked by default:
phones keep their first three and last four digits (``138****1234``), e-mail addresses keep
the first character of the local part and the whole domain (``z***@example.com``).

Columns are found by name (``电话``, ``手机``, ``phone``, ``mobile``, ``tel``, ``email``,
``邮箱`` ...) and by content (most non-missing values look like a mainland mobile number, a
landline with area code, an international ``+`` number or an e-mail address).
"""

from __future__ import annotations

import re
from typing import Literal

import pandas as pd

PiiKind = Literal["phone", "email"]

#: Column-name fragments (lower-cased) that mark a contact column.
PHONE_NAME_HINTS = (
    "电话",
    "手机",
    "联系方式",
    "電話",
    "手機",
    "phone",
    "mobile",
    "tel",
    "cell",
    "fax",
    "传真",
)
EMAIL_NAME_HINTS = ("email", "e-mail", "e_mail", "邮箱", "邮件", "电邮", "電郵", "郵箱")

_EMAIL_RE = re.compile(r"^\s*([^@\s]+)@([^@\s]+\.[^@\s]+)\s*$")
#: Country prefix: +86 / 0086 written together with the number, other codes only when a
#: separator follows (``+44 20 ...``), so "+8613812345678" keeps all its 11 digits.
_COUNTRY_RE = re.compile(r"^\s*(\+86|0086|\+\d{1,3}(?=[\s\-])|00\d{1,3}(?=[\s\-]))[\s\-]*")
#: Content patterns: mainland mobile (optional +86), landline 0AA(A)-NNNNNNN(N), "+" numbers.
_PHONE_CONTENT_RE = re.compile(
    r"^\s*(?:(?:\+|00)86[\s\-]?)?1[3-9]\d[\s\-]?\d{4}[\s\-]?\d{4}\s*$"
    r"|^\s*(?:\(?0\d{2,3}\)?[\s\-]?)\d{3,4}[\s\-]?\d{4}(?:[\s\-]?\d{1,4})?\s*$"
    r"|^\s*\+\d{1,3}[\s\-]?[\d\s\-()]{6,16}\d\s*$"
)
#: Fraction of non-missing values that must match for content-based detection.
CONTENT_MATCH_SHARE = 0.5


def mask_phone(value: object) -> object:
    """Mask a phone number, keeping the first three and the last four digits.

    Parameters
    ----------
    value : object
        A phone number as text or integer; a country prefix (``+86``, ``0086``) is kept
        as written and not counted. Missing values are returned unchanged.

    Returns
    -------
    object
        ``first3 + "*" * (n - 7) + last4`` for ``n >= 8`` digits (``13812341234`` →
        ``138****1234``; ``010-8888-1234`` → ``010****1234``). Numbers with fewer than 8
        digits (extensions, service numbers) keep only their last two digits
        (``95588`` → ``***88``); numbers with fewer than 3 digits are fully masked.

    Examples
    --------
    >>> mask_phone("+86 138-1234-5678")
    '+86 138****5678'
    >>> mask_phone("95588")
    '***88'
    """
    if _is_missing(value):
        return value
    if isinstance(value, float) and value.is_integer():  # a phone column read as numbers
        value = int(value)
    text = re.sub(r"\.0+$", "", str(value).strip())
    prefix = ""
    match = _COUNTRY_RE.match(text)
    if match:
        prefix = match.group(1) + " "
        text = text[match.end() :]
    digits = re.sub(r"\D", "", text)
    n = len(digits)
    if n >= 8:
        masked = digits[:3] + "*" * (n - 7) + digits[-4:]
    elif n >= 3:
        masked = "*" * (n - 2) + digits[-2:]
    else:
        masked = "*" * max(n, 3)
    return prefix + masked


def mask_email(value: object) -> object:
    """Mask an e-mail address as ``first character + "***@" + domain``.

    Text that is not an e-mail address is replaced by ``***`` (nothing of it is shown);
    missing values are returned unchanged.

    Examples
    --------
    >>> mask_email("zhang.san@example.com")
    'z***@example.com'
    """
    if _is_missing(value):
        return value
    match = _EMAIL_RE.match(str(value))
    if not match:
        return "***"
    local, domain = match.groups()
    return f"{local[0]}***@{domain}"


def detect_pii_columns(frame: pd.DataFrame) -> dict[str, PiiKind]:
    """Find phone and e-mail columns by column name or by content.

    Parameters
    ----------
    frame : DataFrame
        Any table about to be shown in a report.

    Returns
    -------
    dict
        Column name → ``"phone"`` or ``"email"``. A name hint wins; otherwise a text column
        whose non-missing values match the phone (e-mail) pattern in at least
        ``CONTENT_MATCH_SHARE`` of rows is flagged. Numeric columns are detected by name only
        (an amount column is never mistaken for phone numbers).
    """
    found: dict[str, PiiKind] = {}
    for column in frame.columns:
        kind = _kind_from_name(str(column))
        if kind is None and not pd.api.types.is_numeric_dtype(frame[column]):
            kind = _kind_from_content(frame[column])
        if kind is not None:
            found[column] = kind
    return found


def mask_frame(frame: pd.DataFrame, *, columns: dict[str, PiiKind] | None = None) -> pd.DataFrame:
    """Return a copy of ``frame`` with its contact columns masked.

    Parameters
    ----------
    frame : DataFrame
        Table to mask (not modified).
    columns : dict, optional
        Column → ``"phone"``/``"email"``; detected with :func:`detect_pii_columns` when
        omitted.

    Returns
    -------
    DataFrame
        Same shape, index and column order; masked columns hold text (missing stays missing).
    """
    kinds = detect_pii_columns(frame) if columns is None else columns
    out = frame.copy()
    for column, kind in kinds.items():
        if column not in out.columns:
            raise KeyError(f"mask_frame: column {column!r} is not in the table")
        masker = mask_phone if kind == "phone" else mask_email
        out[column] = pd.Series(
            [masker(v) for v in out[column].tolist()], index=out.index, dtype=object
        )
    return out


def _is_missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _kind_from_name(name: str) -> PiiKind | None:
    lowered = name.lower()
    if any(hint in lowered for hint in EMAIL_NAME_HINTS):
        return "email"
    tokens = re.split(r"[^0-9a-z\u4e00-\u9fff]+", lowered)
    for hint in PHONE_NAME_HINTS:
        if hint.isascii():
            if any(tok == hint or tok.startswith(hint) for tok in tokens if tok):
                return "phone"
        elif hint in lowered:
            return "phone"
    return None


def _kind_from_content(series: pd.Series) -> PiiKind | None:
    values = [str(v) for v in series.dropna().tolist()]
    if not values:
        return None
    emails = sum(bool(_EMAIL_RE.match(v)) for v in values)
    if emails >= CONTENT_MATCH_SHARE * len(values):
        return "email"
    phones = sum(bool(_PHONE_CONTENT_RE.match(v)) for v in values)
    if phones >= CONTENT_MATCH_SHARE * len(values):
        return "phone"
    return None
