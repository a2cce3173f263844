"""Which columns hold personal data, and masking whole tables and cleaning logs."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Literal, get_args

import numpy as np
import pandas as pd

from abclab.privacy._contacts import (
    _content_text,
    _count_contacts,
    _marker_mask,
    _mask_contacts,
)
from abclab.privacy._identity import _bank_card_mask, _id_card_mask, _mask_last4
from abclab.privacy._people import _address_mask, _mask_address, _mask_person

PiiKind = Literal["phone", "email", "id_card", "bank_card", "tax_id", "person", "address"]

#: Column-name fragments (lower-cased) that mark a column of each kind. ASCII hints match
#: whole words of the header (``tel`` in ``tel_2`` but not in ``hotel``); Chinese ones any
#: part of it. Checked in this order, so ``联系人电话`` is a phone column and
#: ``联系人地址`` an address column.
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
ID_CARD_NAME_HINTS = (
    "身份证",
    "身份證",
    "证件号",
    "證件號",
    "id card",
    "idcard",
    "id number",
    "id no",
    "national id",
    "resident id",
)
BANK_CARD_NAME_HINTS = (
    "银行卡",
    "银行账号",
    "银行帐号",
    "银行账户",
    "开户账号",
    "卡号",
    "bank card",
    "bank account",
    "card number",
    "card no",
    "account number",
    "account no",
    "iban",
)
#: Tax and VAT numbers: a sole trader's is a natural person's identifier (detected by name;
#: no bare "vat" or "tin", which would catch a "VAT rate" or "VAT amount" criterion).
TAX_ID_NAME_HINTS = (
    "税号",
    "纳税人识别号",
    "税务登记",
    "稅號",
    "tax id",
    "tax no",
    "tax number",
    "tax code",
    "taxid",
    "tin no",
    "tin number",
    "vat id",
    "vat reg",
    "vat registration",
    "vat no",
    "vat number",
    "ust id",
    "ust idnr",
    "ustidnr",
    "steuernummer",
    "steuer id",
    "steuer nr",
    "siren",
    "siret",
    "nif",
    "partita iva",
    "btw nummer",
)
ADDRESS_NAME_HINTS = (
    "地址",
    "住址",
    "address",
    "addr",
    "adresse",
    "anschrift",
    "strasse",
    "straße",
    "dirección",
    "direccion",
    "indirizzo",
)
PERSON_NAME_HINTS = (
    "联系人",
    "负责人",
    "经办人",
    "联络人",
    "法定代表人",
    "法人代表",
    "聯繫人",
    "聯絡人",
    "負責人",
    "contact",
    "contacts",
    "contact person",
    "contact name",
    "person in charge",
    # European exports: German, French, Spanish, Italian, Dutch
    "ansprechpartner",
    "ansprechperson",
    "kontakt",
    "interlocuteur",
    "contacto",
    "referente",
    "contactpersoon",
)
#: Kinds a name hint settles whatever the content; ``person`` and ``address`` hints give way
#: to content that is clearly another kind (a ``contact`` column of phone numbers).
_STRONG = ("email", "phone", "id_card", "bank_card", "tax_id")
_HINTS: tuple[tuple[PiiKind, tuple[str, ...]], ...] = (
    ("email", EMAIL_NAME_HINTS),
    ("phone", PHONE_NAME_HINTS),
    ("id_card", ID_CARD_NAME_HINTS),
    ("bank_card", BANK_CARD_NAME_HINTS),
    ("tax_id", TAX_ID_NAME_HINTS),
    ("address", ADDRESS_NAME_HINTS),
    ("person", PERSON_NAME_HINTS),
)
#: Fraction of non-missing values that must match for content-based detection.
CONTENT_MATCH_SHARE = 0.5


def detect_pii_columns(frame: pd.DataFrame) -> dict[str, PiiKind]:
    """Find the columns holding personal data, by column name or by content.

    Parameters
    ----------
    frame : DataFrame
        Any table about to be shown in a report.

    Returns
    -------
    dict
        Column name → kind: ``"phone"``, ``"email"``, ``"id_card"`` (Chinese resident ID
        number), ``"bank_card"``, ``"tax_id"`` (tax or VAT number, by name only: ``税号``,
        ``Tax ID``, ``VAT No.``, ``USt-IdNr``, ``Steuernummer`` ...), ``"person"`` (a
        contact person) or ``"address"``.
        A name hint (``电话``, ``邮箱``, ``身份证号``, ``银行账号``, ...) settles the kind; a
        contact-person hint (``联系人``, ``负责人``, ``contact``, ``contact person``) or an
        address hint (``地址``, ``address``) does unless the content is clearly a phone,
        e-mail, ID or card column. Otherwise a text column is flagged when at least
        ``CONTENT_MATCH_SHARE`` of its values that are neither missing nor a "no value"
        text (``-``, ``暂无`` ...) match one kind, tried in the order e-mail, phone
        (mainland mobile, landline with area code, ``+`` number), ID number (check
        character, birth date, province code), bank card (Luhn), address (an
        administrative unit then a street or number). Numeric columns are detected by name
        only (an amount column is never mistaken for phone numbers).
    """
    found: dict[str, PiiKind] = {}
    for column in frame.columns:
        kind = _kind_from_name(str(column))
        if kind not in _STRONG and not pd.api.types.is_numeric_dtype(frame[column]):
            content = _kind_from_content(frame[column])
            if content is not None and (kind is None or content in _STRONG):
                kind = content
        if kind is not None:
            found[column] = kind
    return found


def mask_frame(frame: pd.DataFrame, *, columns: dict[str, PiiKind] | None = None) -> pd.DataFrame:
    """Return a copy of ``frame`` with its personal-data columns masked.

    Parameters
    ----------
    frame : DataFrame
        Table to mask (not modified).
    columns : dict, optional
        Column → kind (see :func:`detect_pii_columns`); detected when omitted.

    Returns
    -------
    DataFrame
        Same shape, index and column order; masked columns hold text, value for value what
        :func:`mask_values` gives (missing values and "no value" texts stay as they are).
    """
    kinds = detect_pii_columns(frame) if columns is None else columns
    out = frame.copy()
    for column, kind in kinds.items():
        if column not in out.columns:
            raise KeyError(f"mask_frame: column {column!r} is not in the table")
        out[column] = pd.Series(mask_values(out[column], kind), index=out.index, dtype=object)
    return out


def mask_cleaning_log(log: pd.DataFrame, columns: Mapping[str, PiiKind]) -> pd.DataFrame:
    """Return a copy of a cleaning log with the values of personal-data columns masked.

    Parameters
    ----------
    log : DataFrame
        A cleaning log (:func:`abclab.cleaning.clean_customers`): columns ``customer``,
        ``column``, ``old_value``, ``new_value``, ``rule``, ``reason``.
    columns : mapping
        Column → kind (e.g. :func:`abclab.pipeline.pii_columns` of the input table).

    Returns
    -------
    DataFrame
        Same rows and columns; in rows whose ``column`` is a personal-data column,
        ``old_value`` and ``new_value`` are masked with :func:`mask_values` (a duplicate
        record that filled a missing phone shows ``138****1234``, never the number).

    Raises
    ------
    KeyError
        If the log has no ``column`` column while columns to mask are given.
    """
    out = log.copy()
    if not columns or len(out) == 0:
        return out
    if "column" not in out.columns:
        raise KeyError("mask_cleaning_log: the log has no 'column' column")
    values = [c for c in ("old_value", "new_value") if c in out.columns]
    logged = out["column"].to_numpy(dtype=object)
    for column, kind in columns.items():
        rows = np.flatnonzero(logged == column)
        if len(rows) == 0:
            continue
        for name in values:
            if out[name].dtype != object:
                out[name] = out[name].astype(object)
            position = out.columns.get_loc(name)
            out.iloc[rows, position] = mask_values(out[name].iloc[rows], kind)
    return out


_MASKERS: dict[str, Callable[[pd.Series], np.ndarray]] = {
    "id_card": _mask_last4,
    "bank_card": _mask_last4,
    "tax_id": _mask_last4,
    "person": _mask_person,
    "address": _mask_address,
}


def mask_values(values: pd.Series, kind: PiiKind) -> np.ndarray:
    """Mask a whole column at once (an object array, same length).

    ``phone`` / ``email``: :func:`mask_phone` / :func:`mask_email` value by value (Arrow
    kernels on ASCII text). ``id_card`` / ``bank_card`` / ``tax_id``: the last four
    characters, stars for the rest (``**************123X``). ``person``: the first character of every word
    (``张**``). ``address``: the administrative prefix (``上海市浦东新区***``). Missing values
    and "no value" texts (``''``, ``-``, ``暂无`` ...) are returned as they are.

    Raises
    ------
    ValueError
        An unknown ``kind``.
    """
    if kind in ("phone", "email"):
        return _mask_contacts(values, kind)
    if kind not in _MASKERS:
        raise ValueError(
            f"mask_values: kind must be one of {list(get_args(PiiKind))}, got {kind!r}"
        )
    out = np.empty(len(values), dtype=object)
    out[:] = values.tolist()
    present = ~values.isna().to_numpy(dtype=bool) & ~_marker_mask(values)
    if present.any():
        out[present] = _MASKERS[kind](values[present].reset_index(drop=True))
    return out


def _scalar(kind: PiiKind) -> Callable[[object], object]:
    def mask(value: object) -> object:
        return mask_values(pd.Series([value], dtype=object), kind)[0]

    return mask


mask_id_card = _scalar("id_card")
mask_id_card.__doc__ = """Mask a resident ID number, keeping its last four characters.

    >>> mask_id_card("11010519491231002X")
    '**************002X'
    """
mask_bank_card = _scalar("bank_card")
mask_bank_card.__doc__ = """Mask a bank card number, keeping its last four digits.

    >>> mask_bank_card("6222 0212 3456 7890")
    '************7890'
    """
mask_person = _scalar("person")
mask_person.__doc__ = """Mask a person's name, keeping the first character of each word.

    >>> mask_person("张三丰"), mask_person("John Smith")
    ('张**', 'J** S**')
    """
mask_address = _scalar("address")
mask_address.__doc__ = """Mask an address, keeping its administrative prefix.

    >>> mask_address("上海市浦东新区张江路1234号"), mask_address("12 Baker Street, London")
    ('上海市浦东新区***', '***, London')
    """


def _kind_from_name(name: str) -> PiiKind | None:
    lowered = name.lower()
    words = " " + " ".join(t for t in re.split(r"[^0-9a-z\u4e00-\u9fff]+", lowered) if t) + " "
    tokens = words.split()
    for kind, hints in _HINTS:
        for hint in hints:
            if not hint.isascii():
                if hint in lowered:
                    return kind
            elif kind == "phone":  # a word starting with the hint: tel, tel2, telephone
                if any(tok.startswith(hint) for tok in tokens):
                    return kind
            elif kind == "email":
                if hint in lowered:
                    return kind
            elif f" {hint} " in words:
                return kind
    return None


def _kind_from_content(series: pd.Series) -> PiiKind | None:
    text = _content_text(series)
    if len(text) == 0:
        return None
    need = CONTENT_MATCH_SHARE * len(text)
    emails, phones = _count_contacts(text)
    if emails >= need:
        return "email"
    if phones >= need:
        return "phone"
    for kind, mask in (
        ("id_card", _id_card_mask),
        ("bank_card", _bank_card_mask),
        ("address", _address_mask),
    ):
        if mask(text).sum() >= need:
            return kind  # type: ignore[return-value]
    return None
