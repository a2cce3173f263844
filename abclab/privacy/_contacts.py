"""Phone numbers and e-mail addresses: content patterns and masks (scalar and column-wise).

Phones keep their first three and last four digits (``138****1234``), e-mail addresses keep
the first character of the local part and the whole domain (``z***@example.com``). A missing
value, and a text that only says "no value" (``''``, ``-``, ``N/A``, ``暂无`` ...;
:data:`MISSING_TEXT`), is returned as it is, so a gap stays visibly a gap.

Speed: whole columns are matched and masked with Arrow (RE2) kernels. The RE2 patterns are
the Python ones spelled for ASCII text (Python's ``\\s`` also matches ``\\x1c``-``\\x1f``, its
``\\d`` any Unicode decimal digit), so they are only applied to ASCII values; the rare
non-ASCII values (full-width digits, ``张三@例子.中国``) go through the scalar functions, so a
column gives exactly what :func:`mask_phone` / :func:`mask_email` give value by value.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: Texts that mean "no value" (compared after stripping ASCII whitespace and U+3000; Latin
#: ones in lower, upper and title case): never masked, so they stay visibly missing. The
#: readers' markers (``abclab._text.MISSING_MARKERS``, a sibling this layer may not import)
#: and the vocabulary of Chinese exports (issue 9).
MISSING_TEXT = frozenset(
    variant
    for marker in (
        {"", "na", "n/a", "#n/a", "nan", "null", "none", "<na>", "-", "--", "—", "——", "－"}
        | {"/", "暂无", "无", "不详", "未知", "空"}
    )
    for variant in (marker, marker.upper(), marker.title(), marker.capitalize())
)

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
#: Python's ``\s`` restricted to ASCII (``str.isspace``), for the RE2 patterns below.
_WS = r"\t\n\x0b\x0c\r\x1c-\x1f "
_WS_CHARS = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f "
#: What is stripped before a text is compared with :data:`MISSING_TEXT`.
_MARKER_STRIP = _WS_CHARS + "\u3000"
#: RE2 (ASCII) spellings of ``_EMAIL_RE``, ``_PHONE_CONTENT_RE`` and ``_COUNTRY_RE``. The
#: look-ahead of ``_COUNTRY_RE`` becomes a consumed separator: the digit run after ``+``/``00``
#: is then 1-3 digits long in both, and the match ends at the same place.
_EMAIL_RE2 = rf"^[{_WS}]*(?P<local>[^@{_WS}]+)@(?P<domain>[^@{_WS}]+\.[^@{_WS}]+)[{_WS}]*$"
_S, _D = f"[{_WS}]", "[0-9]"
_SEP = rf"[{_WS}\-]"
_PHONE_CONTENT_RE2 = (
    rf"^{_S}*(?:(?:\+|00)86{_SEP}?)?1[3-9]{_D}{_SEP}?{_D}{{4}}{_SEP}?{_D}{{4}}{_S}*$"
    rf"|^{_S}*(?:\(?0{_D}{{2,3}}\)?{_SEP}?){_D}{{3,4}}{_SEP}?{_D}{{4}}(?:{_SEP}?{_D}{{1,4}})?{_S}*$"
    rf"|^{_S}*\+{_D}{{1,3}}{_SEP}?[0-9{_WS}\-()]{{6,16}}{_D}{_S}*$"
)
_COUNTRY_RE2 = (
    rf"^(?:[{_WS}]*(?:(?P<cn>\+86|0086)|(?P<other>\+[0-9]{{1,3}}|00[0-9]{{1,3}})"
    rf"[{_WS}\-])[{_WS}\-]*)"
)
#: A value holding a letter (any script) or "@" can never match the phone pattern.
_NOT_PHONE_RE2 = r"[\p{L}@]"


def mask_phone(value: object) -> object:
    """Mask a phone number, keeping at most its first three and last four digits.

    Parameters
    ----------
    value : object
        A phone number as text or integer; a country prefix (``+86``, ``0086``) is kept
        as written and not counted. Missing values are returned unchanged.

    Returns
    -------
    object
        ``first3 + "*" * (n - 7) + last4`` for ``n >= 11`` digits (the Chinese convention:
        ``13812341234`` → ``138****1234``; ``010-8888-1234`` → ``010****1234``);
        ``first2 + "*" * (n - 4) + last2`` for 8 to 10 digits, so that at least four digits
        are hidden (a European ``+49 30 1234567`` → ``+49 30*****67``, a local ``8888 1234``
        → ``88****34``). Numbers with fewer than 8 digits (extensions, service numbers) keep
        only their last two digits (``95588`` → ``***88``); fewer than 3 digits are fully
        masked.
        Missing values and :data:`MISSING_TEXT` (``''``, ``-``, ``暂无`` ...) are returned
        unchanged.

    Examples
    --------
    >>> mask_phone("+86 138-1234-5678")
    '+86 138****5678'
    >>> mask_phone("95588")
    '***88'
    """
    if _is_missing(value) or _is_marker(value):
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
    if n >= 11:
        masked = digits[:3] + "*" * (n - 7) + digits[-4:]
    elif n >= 8:
        masked = digits[:2] + "*" * (n - 4) + digits[-2:]
    elif n >= 3:
        masked = "*" * (n - 2) + digits[-2:]
    else:
        masked = "*" * max(n, 3)
    return prefix + masked


def mask_email(value: object) -> object:
    """Mask an e-mail address as ``first character + "***@" + domain``.

    Text that is not an e-mail address is replaced by ``***`` (nothing of it is shown);
    missing values and :data:`MISSING_TEXT` are returned unchanged.

    Examples
    --------
    >>> mask_email("zhang.san@example.com")
    'z***@example.com'
    """
    if _is_missing(value) or _is_marker(value):
        return value
    match = _EMAIL_RE.match(str(value))
    if not match:
        return "***"
    local, domain = match.groups()
    return f"{local[0]}***@{domain}"


def _mask_contacts(values: pd.Series, kind: str) -> np.ndarray:
    """Mask a whole column at once: an object array equal to ``[masker(v) for v in values]``.

    ``masker`` is :func:`mask_phone` for ``kind="phone"`` and :func:`mask_email` for
    ``"email"``. ASCII text is masked with Arrow kernels; non-ASCII values (and object
    columns of other Python types) are passed to the scalar function.
    """
    masker: Callable[[object], object] = mask_phone if kind == "phone" else mask_email
    out = np.empty(len(values), dtype=object)
    out[:] = values.tolist()
    present = ~values.isna().to_numpy(dtype=bool) & ~_marker_mask(values)
    if not present.any():
        return out
    text = _value_text(values[present], phone=kind == "phone")
    if text is None:  # Python objects pandas would not print as str() does
        out[present] = [masker(v) for v in out[present]]
        return out
    ascii_ = _as_bool(pc.string_is_ascii(text))
    masked = np.empty(len(text), dtype=object)
    if ascii_.any():
        chunk = text.filter(pa.array(ascii_))
        result = _mask_phone_ascii(chunk) if kind == "phone" else _mask_email_ascii(chunk)
        masked[ascii_] = result.to_numpy(zero_copy_only=False)
    if not ascii_.all():
        positions = np.flatnonzero(present)[~ascii_]
        masked[~ascii_] = [masker(v) for v in out[positions]]
    out[present] = masked
    return out


def _is_missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _is_marker(value: object) -> bool:
    """A text that only says "no value" (:data:`MISSING_TEXT`)."""
    return isinstance(value, str) and value.strip(_MARKER_STRIP) in MISSING_TEXT


def _marker_mask(values: pd.Series) -> np.ndarray:
    """:func:`_is_marker` of every value, column-wise (numbers are never markers)."""
    if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
        return np.zeros(len(values), dtype=bool)
    hits = values.astype("str").str.strip(_MARKER_STRIP).isin(MISSING_TEXT).to_numpy(bool)
    if not hits.any() or pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        return hits
    strings = np.array([isinstance(v, str) for v in values.tolist()], dtype=bool)
    return hits & strings  # str(number) is never a marker


def _content_text(series: pd.Series) -> pa.Array:
    """``str(v)`` of the values that are neither missing nor :data:`MISSING_TEXT`."""
    values = series[~series.isna().to_numpy(bool) & ~_marker_mask(series)]
    text = _value_text(values, phone=False)
    if text is None:  # Python objects: their str() as the scalar rule reads them
        text = pa.array([str(v) for v in values.tolist()], type=pa.large_string())
    return text


def _count_contacts(text: pa.Array) -> tuple[int, int]:
    """How many values look like an e-mail address, how many like a phone number."""
    ascii_ = _as_bool(pc.string_is_ascii(text))
    emails = _count_matches(
        text, ascii_, _EMAIL_RE2, _EMAIL_RE, candidate=_as_bool(pc.match_substring(text, "@"))
    )
    maybe_phone = ~_as_bool(pc.match_substring_regex(text, _NOT_PHONE_RE2))
    phones = _count_matches(text, ascii_, _PHONE_CONTENT_RE2, _PHONE_CONTENT_RE, maybe_phone)
    return emails, phones


def _count_matches(
    text: pa.Array, ascii_: np.ndarray, re2: str, pattern: re.Pattern[str], candidate: np.ndarray
) -> int:
    """Values matching ``pattern``: RE2 on ASCII values, Python ``re`` on non-ASCII candidates."""
    hits = int((_as_bool(pc.match_substring_regex(text, re2)) & ascii_ & candidate).sum())
    others = np.flatnonzero(~ascii_ & candidate)
    if len(others):
        rest = text.take(pa.array(others)).to_pylist()
        hits += sum(bool(pattern.match(v)) for v in rest)
    return hits


def _value_text(values: pd.Series, *, phone: bool) -> pa.Array | None:
    """``str(v)`` of non-missing values as an Arrow string array (``None``: use scalars).

    For phones a float holding a whole number is written as that integer (``13812341234.0``
    -> ``13812341234``), as :func:`mask_phone` does.
    """
    dtype = values.dtype
    if pd.api.types.is_float_dtype(dtype):
        x = values.to_numpy(dtype=float)
        text = pd.Series(x).astype(str).to_numpy(dtype=object)  # str(float) of float64
        if phone:
            whole = np.isfinite(x) & (x == np.trunc(x))
            if (np.abs(x[whole]) >= 2.0**63).any():
                return None
            text[whole] = x[whole].astype(np.int64).astype(str)
        return pa.array(text, type=pa.large_string())
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_integer_dtype(dtype):
        return pa.array(values.astype(str).to_numpy(dtype=object), type=pa.large_string())
    if isinstance(dtype, pd.StringDtype) or (
        pd.api.types.is_object_dtype(dtype)
        and pd.api.types.infer_dtype(values, skipna=False) == "string"
    ):
        return pa.array(values.to_numpy(dtype=object), type=pa.large_string())
    return None


def _mask_phone_ascii(text: pa.Array) -> pa.Array:
    """:func:`mask_phone` of ASCII strings, column-wise."""
    text = pc.utf8_trim(text, characters=_WS_CHARS)
    text = pc.replace_substring_regex(text, r"\.0+$", "")
    country = pc.extract_regex(text, _COUNTRY_RE2)
    cn, other = pc.struct_field(country, "cn"), pc.struct_field(country, "other")
    code = pc.if_else(pc.equal(cn, ""), other, cn)
    prefix = pc.fill_null(pc.binary_join_element_wise(code, _lit(" "), _lit("")), _lit(""))
    rest = pc.replace_substring_regex(text, _COUNTRY_RE2, "", max_replacements=1)
    digits = pc.replace_substring_regex(rest, "[^0-9]", "")
    n = np.asarray(pc.utf8_length(digits).to_numpy(zero_copy_only=False), dtype=np.int64)
    long_, eight, mid = n >= 11, (n >= 8) & (n < 11), (n >= 3) & (n < 8)
    stars = np.where(long_, n - 7, np.where(eight, n - 4, np.where(mid, n - 2, 3)))
    table = np.array(["*" * k for k in range(int(stars.max()) + 1)], dtype=object)
    empty = _lit("")
    head = pc.if_else(
        pa.array(long_),
        pc.utf8_slice_codeunits(digits, 0, 3),
        pc.if_else(pa.array(eight), pc.utf8_slice_codeunits(digits, 0, 2), empty),
    )
    tail = pc.if_else(
        pa.array(long_),
        pc.utf8_slice_codeunits(digits, -4),
        pc.if_else(pa.array(eight | mid), pc.utf8_slice_codeunits(digits, -2), empty),
    )
    star_text = pa.array(table[stars], type=pa.large_string())
    return pc.binary_join_element_wise(prefix, head, star_text, tail, empty)


def _mask_email_ascii(text: pa.Array) -> pa.Array:
    """:func:`mask_email` of ASCII strings, column-wise."""
    parts = pc.extract_regex(text, _EMAIL_RE2)
    first = pc.utf8_slice_codeunits(pc.struct_field(parts, "local"), 0, 1)
    domain = pc.struct_field(parts, "domain")
    masked = pc.binary_join_element_wise(first, _lit("***@"), domain, _lit(""))
    return pc.fill_null(masked, _lit("***"))


def _lit(text: str) -> pa.Scalar:
    return pa.scalar(text, pa.large_string())


def _as_bool(array: pa.Array) -> np.ndarray:
    """Boolean Arrow array -> numpy bool array, nulls as False."""
    return np.asarray(pc.fill_null(array, False).to_numpy(zero_copy_only=False), dtype=bool)
