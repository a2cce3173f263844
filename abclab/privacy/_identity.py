"""Chinese resident ID numbers and bank card numbers: validity checks and masks.

Both are recognised by their check digits, so a column of order numbers is not mistaken for
them: the 18-digit resident identity number ends with the ISO 7064 MOD 11-2 check character
of GB 11643-1999 and carries a province code and a birth date; the 15-digit form (issued
until 1999) carries a province code and a ``YYMMDD`` birth date; a bank card number (12-19
digits, ISO/IEC 7812) passes the Luhn check. Masks keep the last four characters only
(``**************123X``), enough to tell two customers apart.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from abclab.privacy._contacts import _WS_CHARS, _as_bool

#: Weights of the first 17 digits, w_i = 2^(17-i) mod 11 (GB 11643-1999, ISO 7064 MOD 11-2).
ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
#: Check character for S = Σ w_i·d_i mod 11 = 0, 1, ..., 10 (GB 11643-1999).
ID_CHECK = "10X98765432"
#: Province-level codes, the first two digits (GB/T 2260; 71 Taiwan, 81/82 Hong Kong/Macao).
PROVINCE_CODES = frozenset(
    [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46]
    + [50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91]
)
_DAYS = np.array([0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])  # Feb 29 always allowed
_ID_SHAPE_RE2 = r"^[1-9][0-9]{16}[0-9X]$|^[1-9][0-9]{14}$"
_CARD_SHAPE_RE2 = r"^[1-9][0-9 \-]{10,24}[0-9]$"


def _digits(strings: list[str], width: int) -> np.ndarray:
    """ASCII strings of one length -> (n, width) array of their code points minus '0'."""
    raw = np.frombuffer("".join(strings).encode("ascii"), dtype=np.uint8)
    return raw.reshape(len(strings), width).astype(np.int64) - ord("0")


def _id_card_mask(text: pa.Array) -> np.ndarray:
    """Which values are resident ID numbers (kernel, vectorised; ``text``: Arrow strings).

    18 digits: province code, birth date ``YYYYMMDD`` (1900-2099, a real month and day) at
    positions 7-14, and the check character ``ID_CHECK[Σ w_i d_i mod 11]`` last. 15 digits:
    province code and ``YYMMDD`` at positions 7-12.
    """
    norm = pc.utf8_upper(pc.utf8_trim(text, characters=_WS_CHARS))
    shaped = _as_bool(pc.match_substring_regex(norm, _ID_SHAPE_RE2))
    out = np.zeros(len(text), dtype=bool)
    if not shaped.any():
        return out
    values = np.array(norm.filter(pa.array(shaped)).to_pylist(), dtype=object)
    lengths = np.array([len(v) for v in values])
    where = np.flatnonzero(shaped)
    for width in (18, 15):
        rows = lengths == width
        if not rows.any():
            continue
        d = _digits(list(values[rows]), width)
        province = np.isin(d[:, 0] * 10 + d[:, 1], list(PROVINCE_CODES))
        if width == 18:
            year = d[:, 6] * 1000 + d[:, 7] * 100 + d[:, 8] * 10 + d[:, 9]
            month, day = d[:, 10] * 10 + d[:, 11], d[:, 12] * 10 + d[:, 13]
            check = np.array(list(ID_CHECK))[(d[:, :17] @ ID_WEIGHTS) % 11]
            last = np.array([v[-1] for v in values[rows]])
            ok = (year >= 1900) & (year <= 2099) & (check == last)
        else:
            month, day = d[:, 8] * 10 + d[:, 9], d[:, 10] * 10 + d[:, 11]
            ok = np.ones(len(d), dtype=bool)
        ok &= province & (month >= 1) & (month <= 12) & (day >= 1)
        ok &= day <= _DAYS[np.clip(month, 0, 12)]
        out[where[rows]] = ok
    return out


def _bank_card_mask(text: pa.Array) -> np.ndarray:
    """Which values are bank card numbers: 12-19 digits (spaces or dashes between them
    allowed, first digit not 0) passing the Luhn check (ISO/IEC 7812-1, Annex B).

    Luhn: from the right, every second digit is doubled (minus 9 when above 9); the sum of
    all digits is a multiple of 10. Left zero padding does not change it, so all numbers are
    right-aligned in one (n, 19) array.
    """
    norm = pc.utf8_trim(text, characters=_WS_CHARS)
    shaped = _as_bool(pc.match_substring_regex(norm, _CARD_SHAPE_RE2))
    out = np.zeros(len(text), dtype=bool)
    if not shaped.any():
        return out
    digits = pc.replace_substring_regex(norm.filter(pa.array(shaped)), r"[ \-]", "")
    values = digits.to_pylist()
    n = np.array([len(v) for v in values])
    fits = (n >= 12) & (n <= 19)
    padded = [v.rjust(19, "0") for v, f in zip(values, fits, strict=True) if f]
    where = np.flatnonzero(shaped)[fits]
    if not padded:
        return out
    d = _digits(padded, 19)
    doubled = d[:, -2::-2] * 2
    total = d[:, ::-2].sum(axis=1) + (doubled - 9 * (doubled > 9)).sum(axis=1)
    out[where] = total % 10 == 0
    return out


def _mask_last4(values: pd.Series) -> np.ndarray:
    """Keep the last four characters of ``values`` (separators dropped), stars for the rest.

    ``n`` characters (spaces and dashes removed) become ``"*" * (n - 4) + last4`` when
    ``n > 8`` and ``n`` stars (at least 4) otherwise. Values are non-missing.
    """
    text = values.astype("str").str.replace(r"[\t\n\x0b\x0c\r\x1c-\x1f \u3000\-]", "", regex=True)
    n = text.str.len().to_numpy(dtype=np.int64)
    long_ = n > 8
    stars = np.where(long_, n - 4, np.maximum(n, 4))
    table = np.array(["*" * k for k in range(int(stars.max(initial=0)) + 1)], dtype=object)
    tail = text.str[-4:].to_numpy(dtype=object)
    return np.where(long_, table[stars] + tail, table[stars]).astype(object)


def is_id_card(value: object) -> bool:
    """Whether ``value`` is a valid Chinese resident ID number (18 digits with a correct
    check character, or the 15-digit form); see :func:`_id_card_mask`.

    Examples
    --------
    >>> is_id_card("11010519491231002X"), is_id_card("110105194912310021")
    (True, False)
    """
    return bool(_id_card_mask(pa.array([str(value)], type=pa.large_string()))[0])


def is_bank_card(value: object) -> bool:
    """Whether ``value`` is a 12-19 digit number passing the Luhn check.

    Examples
    --------
    >>> is_bank_card("4111 1111 1111 1111"), is_bank_card("4111 1111 1111 1112")
    (True, False)
    """
    return bool(_bank_card_mask(pa.array([str(value)], type=pa.large_string()))[0])
