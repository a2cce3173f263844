"""Text normalisation helpers for column headers and customer names (private).

Both use Unicode NFKC normalisation (full-width ``ＡＢＣ（）１２`` -> half-width ``ABC()12``,
``￥`` -> ``¥``) and case folding; see Unicode Standard Annex #15.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

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


def normalise_names(names: pd.Series) -> pd.Series:
    """Reduce customer names to a comparison key (vectorised).

    Steps: NFKC; case fold; punctuation and underscores -> spaces; drop trailing company
    suffixes (:data:`COMPANY_SUFFIXES`, e.g. 有限公司, 集团, Co., Ltd., Inc., LLC, GmbH);
    remove all spaces. Missing names stay missing; a name that is only a suffix gives ``""``.

    Examples
    --------
    >>> normalise_names(pd.Series(["Acme Co., Ltd.", "ＡＣＭＥ  Inc", "华为技术有限公司"])).tolist()
    ['acme', 'acme', '华为技术']
    """
    key = names.astype("str").str.normalize("NFKC").str.casefold()
    key = key.str.replace(r"[\W_]+", " ", regex=True).str.strip()
    key = key.str.replace(_SUFFIX_RE, "", regex=True)
    return key.str.replace(r"\s+", "", regex=True)


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
