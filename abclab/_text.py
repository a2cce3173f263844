"""Text kernels (private, no validation): names, headers and business numbers.

All use Unicode NFKC normalisation (full-width ``ＡＢＣ（）１２`` -> half-width ``ABC()12``,
``￥`` -> ``¥``; Unicode Standard Annex #15). Names and headers are also case folded.
The validated public layer is :mod:`abclab.io` and :mod:`abclab.cleaning`.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: Legal-form suffixes dropped from customer names before comparing them (longest first).
COMPANY_SUFFIXES = (
    "集团股份有限公司",
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "有限公司",
    "集团",
    "公司",
    "corporation",
    "incorporated",
    "company",
    "limited",
    "corp",
    "gmbh",
    "llc",
    "ltd",
    "inc",
    "plc",
    "co",
    "ag",
)

_CJK_SUFFIX = "|".join(s for s in COMPANY_SUFFIXES if not s.isascii())
_LATIN_SUFFIX = "|".join(s for s in COMPANY_SUFFIXES if s.isascii())
# After punctuation became spaces: trailing legal forms, Chinese ones glued to the name,
# Latin ones as whole words; repeated so "Acme Co., Ltd." and "某某集团有限公司" both reduce.
_SUFFIX_RE = rf"(?:\s*(?:{_CJK_SUFFIX})|\s+(?:{_LATIN_SUFFIX})\b|^(?:{_LATIN_SUFFIX})\b)+\s*$"


#: Characters whose NFKC form, case folding and Python ``re`` class (``\\w``/``\\W``/``\\s``)
#: RE2 reproduces exactly: ASCII, CJK punctuation, CJK Unified Ideographs, full-width ASCII
#: (checked character by character in the tests). Names made only of them are normalised
#: with Arrow kernels; any other name goes through Python's ``re`` (:func:`_normalise_python`).
_ARROW_SAFE_RE2 = r"^[\x00-\x7f\x{3000}-\x{303f}\x{4e00}-\x{9fff}\x{ff01}-\x{ff5e}]*$"
#: Python's ``[\\W_]`` on NFKC-case-folded safe names: everything but ASCII letters and digits,
#: ideographs and the word characters of the CJK punctuation block (々〆〇, 〡-〩, 〱-〵, 〸-〼).
_NON_WORD_RE2 = (
    r"[^0-9a-z\x{4e00}-\x{9fff}\x{3005}-\x{3007}\x{3021}-\x{3029}\x{3031}-\x{3035}"
    r"\x{3038}-\x{303c}]+"
)
# _SUFFIX_RE on text whose only whitespace is single spaces, without "\\b": a Latin suffix
# must be followed by a space or the end, so a run of Latin suffixes is followed by a
# space-separated Chinese suffix or ends the name.
_GLUED = f"(?: ?(?:{_CJK_SUFFIX}))"
_SPACED = f"(?: (?:{_CJK_SUFFIX}))"
_LATIN = f"(?: (?:{_LATIN_SUFFIX})|^(?:{_LATIN_SUFFIX}))"
_SUFFIX_RE2 = f"(?:(?:{_GLUED}|{_LATIN}+{_SPACED})+{_LATIN}*|{_LATIN}+)$"


def normalise_names(names: pd.Series) -> pd.Series:
    """Reduce customer names to a comparison key (vectorised).

    Steps: NFKC; case fold; punctuation and underscores -> spaces; drop trailing company
    suffixes (:data:`COMPANY_SUFFIXES`, e.g. 有限公司, 集团, Co., Ltd., Inc., LLC, GmbH);
    remove all spaces. Missing names stay missing; a name that is only a suffix gives ``""``.

    Names written in ASCII, Chinese ideographs, CJK punctuation and full-width forms (nearly
    all) are reduced with Arrow (RE2) kernels; the others with Python's ``re`` (Unicode
    ``\\w``), with identical results.

    Examples
    --------
    >>> normalise_names(pd.Series(["Acme Co., Ltd.", "ＡＣＭＥ  Inc", "华为技术有限公司"])).tolist()
    ['acme', 'acme', '华为技术']
    """
    text = names.astype("str")
    raw = pa.array(text.to_numpy(dtype=object), type=pa.large_string(), from_pandas=True)
    safe = _mask(pc.match_substring_regex(raw, _ARROW_SAFE_RE2))
    if safe.all():
        return pd.Series(_normalise_arrow(raw), index=names.index, dtype="str")
    out = _normalise_python(text).to_numpy(dtype=object)
    if safe.any():
        out[safe] = _normalise_arrow(raw.filter(pa.array(safe))).to_numpy(zero_copy_only=False)
    return pd.Series(out, index=names.index, dtype="str")


def _normalise_arrow(raw: pa.Array) -> pa.Array:
    key = pc.utf8_lower(pc.utf8_normalize(raw, "NFKC"))  # = casefold on the safe characters
    key = pc.utf8_trim(pc.replace_substring_regex(key, _NON_WORD_RE2, " "), " ")
    key = pc.replace_substring_regex(key, _SUFFIX_RE2, "")
    return pc.replace_substring(key, " ", "")


def _normalise_python(text: pd.Series) -> pd.Series:
    """:func:`normalise_names` with Python's ``re`` (any Unicode name)."""
    key = text.str.normalize("NFKC").str.casefold()
    key = key.str.replace(r"[\W_]+", " ", regex=True).str.strip()
    key = key.str.replace(_SUFFIX_RE, "", regex=True)
    return key.str.replace(r"\s+", "", regex=True)


#: Legal form of each suffix of :data:`COMPANY_SUFFIXES`: ``(group, form)``. ``group`` marks a
#: group (集团) designation; ``form`` is the legal form, ``""`` when the word names none (公司,
#: Co., Company). Equivalent spellings share a form: 有限责任公司 = 有限公司 (PRC Company Law
#: art. 7: a limited liability company's name carries 有限责任公司 or 有限公司), Ltd = Limited,
#: Inc = Incorporated = Corp = Corporation (US designators of one form). 股份有限公司 (a
#: joint-stock company), PLC, LLC, GmbH and AG are each a form of their own.
LEGAL_FORMS = {
    "集团股份有限公司": (True, "股份有限公司"),
    "股份有限公司": (False, "股份有限公司"),
    "有限责任公司": (False, "有限公司"),
    "集团有限公司": (True, "有限公司"),
    "有限公司": (False, "有限公司"),
    "集团": (True, ""),
    "公司": (False, ""),
    "corporation": (False, "inc"),
    "incorporated": (False, "inc"),
    "company": (False, ""),
    "limited": (False, "ltd"),
    "corp": (False, "inc"),
    "gmbh": (False, "gmbh"),
    "llc": (False, "llc"),
    "ltd": (False, "ltd"),
    "inc": (False, "inc"),
    "plc": (False, "plc"),
    "co": (False, ""),
    "ag": (False, "ag"),
}
_SUFFIX_WORD_RE = re.compile("|".join(COMPANY_SUFFIXES))


def legal_forms(names: pd.Series) -> pd.DataFrame:
    """The legal-form suffix of each name, as written and as a comparable form (vectorised).

    The suffix is what :func:`normalise_names` strips (after NFKC, case folding and
    punctuation -> spaces), so ``base + suffix`` is the whole name. Each suffix word maps to
    :data:`LEGAL_FORMS`.

    Returns
    -------
    pandas.DataFrame
        Same index; ``suffix`` (the stripped words, single-spaced, ``""`` for none), ``group``
        (bool: a 集团 designation) and ``form`` (``"有限公司"``, ``"股份有限公司"``, ``"ltd"``,
        ``"plc"``, ``"inc"``, ``"llc"``, ``"gmbh"``, ``"ag"``, several joined by ``+``, or ``""``).
        Missing names give ``""`` and False.

    Examples
    --------
    >>> legal_forms(pd.Series(["甲机械股份有限公司", "Acme Co., Ltd.", "Beta"]))["form"].tolist()
    ['股份有限公司', 'ltd', '']
    """
    key = names.astype("str").str.normalize("NFKC").str.casefold()
    key = key.str.replace(r"[\W_]+", " ", regex=True).str.strip()
    suffix = key.str.extract(f"({_SUFFIX_RE})", expand=False)
    suffix = suffix.fillna("").str.strip().str.replace(r"\s+", " ", regex=True)
    parsed = {s: _parse_suffix(s) for s in suffix.unique()}  # few distinct suffixes
    group = suffix.map(lambda s: parsed[s][0]).astype(bool)
    form = suffix.map(lambda s: parsed[s][1]).astype("str")
    return pd.DataFrame({"suffix": suffix.astype("str"), "group": group, "form": form})


def _parse_suffix(suffix: str) -> tuple[bool, str]:
    words = [LEGAL_FORMS[w] for w in _SUFFIX_WORD_RE.findall(suffix)]
    forms = sorted({form for _, form in words if form})
    return any(group for group, _ in words), "+".join(forms)


def normalise_name(name: str) -> str:
    """Comparison key of one name; see :func:`normalise_names`."""
    return str(normalise_names(pd.Series([name])).iloc[0])


def normalise_header(header: object) -> str:
    """Key for matching column headers: NFKC, case fold, no whitespace or BOM.

    Examples
    --------
    >>> normalise_header(" 年消费额（万元） ") == normalise_header("年消费额(万元)")
    True
    """
    text = unicodedata.normalize("NFKC", str(header).replace("\ufeff", ""))
    return re.sub(r"\s+", "", text).casefold()


#: Excel error values (Microsoft Support, "How to correct a #... error"); they become missing.
EXCEL_ERRORS = frozenset(
    {"#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"}
)
#: Cell texts that mean "no value" in exports (compared case-insensitively after NFKC).
MISSING_MARKERS = frozenset(
    {"na", "n/a", "nan", "null", "none", "<na>", "-", "--", "—", "——", "/", "暂无", "无", "不详",
     "未知", "空", "待定", "缺失"}
)  # fmt: skip
_CURRENCY = r"[¥$€£]|RMB|CNY|USD|EUR"


def _number_pattern(decimal: str) -> str:
    if decimal == ".":
        num = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+"
    else:
        num = r"(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d*)?|,\d+"
    return (
        rf"(?i)^(?P<lpar>\()?(?P<sign1>[-+])?(?P<cur1>{_CURRENCY})?(?P<sign2>[-+])?"
        rf"(?P<num>{num})(?:e(?P<exp>[-+]?\d+))?(?P<pct>%)?(?P<unit>万元|亿元|万|亿|元)?"
        rf"(?P<cur2>{_CURRENCY})?(?P<rpar>\))?$"
    )


def parse_number_text(text: pd.Series, decimal: str) -> tuple[pd.Series, pd.Series, dict[str, int]]:
    """Parse a text Series (missing allowed) without validation, with Arrow compute kernels.

    Returns the float values, a mask of cells that could not be parsed and per-rule counts.
    """
    raw = pa.array(text.astype("str"), type=pa.large_string())
    norm = pc.utf8_normalize(raw, "NFKC")
    counts = {"fullwidth": _count(pc.not_equal(norm, raw))}
    norm = pc.replace_substring_regex(norm, r"\s+", "")
    blank = pc.or_kleene(pc.is_null(norm), pc.equal(norm, ""))
    marker = pc.and_not(pc.is_in(pc.utf8_lower(norm), pa.array(sorted(MISSING_MARKERS))), blank)
    xerr = pc.and_not(pc.is_in(pc.utf8_upper(norm), pa.array(sorted(EXCEL_ERRORS))), blank)
    counts.update(blank=_count(blank), missing_marker=_count(marker), excel_error=_count(xerr))
    candidate = _mask(pc.invert(pc.or_(pc.or_(blank, marker), xerr)))
    m = pc.extract_regex(pc.if_else(candidate, norm, None), _number_pattern(decimal))
    matched = _mask(pc.is_valid(m))
    has = {k: _mask(pc.not_equal(pc.struct_field(m, k), "")) & matched for k in _GROUPS}
    ok = (
        has["num"]
        & (has["lpar"] == has["rpar"])
        & ~(has["sign1"] & has["sign2"])
        & ~(has["lpar"] & (has["sign1"] | has["sign2"]))
        & ~(has["cur1"] & has["cur2"])
        & ~(has["pct"] & (has["unit"] | has["cur1"] | has["cur2"]))
        & ~(has["cur2"] & has["unit"])
    )
    values = np.full(len(raw), np.nan)
    if ok.any():
        okm = pc.filter(m, pa.array(ok))
        num, unit = pc.struct_field(okm, "num"), pc.struct_field(okm, "unit")
        group = "," if decimal == "." else "."
        digits = pc.replace_substring(num, group, "")
        if decimal == ",":
            digits = pc.replace_substring(digits, ",", ".")
        wan = _mask(pc.starts_with(unit, "万"))
        yi = _mask(pc.starts_with(unit, "亿"))
        pct, lpar = has["pct"][ok], has["lpar"][ok]
        exp_text = pc.struct_field(okm, "exp")
        exp = _as_numpy(pc.cast(pc.if_else(pc.equal(exp_text, ""), "0", exp_text), pa.int64()))
        exp = exp + 4 * wan + 8 * yi - 2 * pct
        neg = (
            _mask(pc.equal(pc.struct_field(okm, "sign1"), "-"))
            | _mask(pc.equal(pc.struct_field(okm, "sign2"), "-"))
            | lpar
        )
        # Build "-123.45e4" literals so each value is the correctly rounded written number.
        sign = pa.array(np.where(neg, "-", ""), type=pa.large_string())
        literal = pc.binary_join_element_wise(
            sign, digits, _E, pc.cast(pa.array(exp), pa.large_string()), _EMPTY
        )
        values[ok] = _as_numpy(pc.cast(literal, pa.float64()))
        counts["thousands_separator"] = _count(pc.match_substring(num, group))
        if decimal == ",":
            counts["decimal_comma"] = _count(pc.match_substring(num, ","))
        yuan = _mask(pc.ends_with(unit, "元"))
        currency = has["cur1"][ok] | has["cur2"][ok] | yuan
        counts.update(currency=int(currency.sum()), percent=int(pct.sum()))
        counts.update(wan=int(wan.sum()), yi=int(yi.sum()), parentheses_negative=int(lpar.sum()))
    bad = pd.Series(candidate & ~ok, index=text.index)
    return pd.Series(values, index=text.index), bad, counts


_E, _EMPTY = pa.scalar("e", pa.large_string()), pa.scalar("", pa.large_string())
_GROUPS = ("lpar", "sign1", "cur1", "sign2", "num", "exp", "pct", "unit", "cur2", "rpar")


def _mask(array: pa.Array) -> np.ndarray:
    """Boolean Arrow array -> numpy bool array, nulls as False."""
    return np.asarray(pc.fill_null(array, False).to_numpy(zero_copy_only=False), dtype=bool)


def _as_numpy(array: pa.Array) -> np.ndarray:
    return np.asarray(array.to_numpy(zero_copy_only=False))


def _count(array: pa.Array) -> int:
    return int(_mask(array).sum())


def normalise_ids(ids: pd.Series) -> pd.Series:
    """Customer ids as text: NFKC (full-width ``ＫＨ００１２`` -> ``KH0012``), trimmed.

    Ids are strings end to end: ``001`` stays ``001``; a float column of whole numbers (how a
    spreadsheet stores ``1001``) becomes ``"1001"``, not ``"1001.0"``. Empty ids are None.
    Vectorised with Arrow compute kernels (no per-id Python).
    """
    if pd.api.types.is_float_dtype(ids):
        whole = ids.dropna()
        if (whole == np.round(whole)).all():
            ids = ids.astype("Int64")
    raw = pa.array(ids.astype("string").to_numpy(dtype=object, na_value=None), type=pa.string())
    norm = pc.utf8_trim_whitespace(pc.utf8_normalize(raw, "NFKC"))
    norm = pc.if_else(pc.equal(norm, ""), pa.scalar(None, pa.string()), norm)
    return pd.Series(norm.to_numpy(zero_copy_only=False), index=ids.index, name=ids.name,
                     dtype=object)  # fmt: skip
