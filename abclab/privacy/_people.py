"""Contact persons and addresses: the shape of an address, and the masks of both.

A contact person keeps the first character of each word (``张三丰`` -> ``张**``, ``John
Smith`` -> ``J** S**``): a manager still tells ``张**`` from ``李**``; the fixed two stars do
not reveal the name's length. An address keeps its administrative prefix up to the district
(``上海市浦东新区张江路1234号`` -> ``上海市浦东新区***``), a Latin address its last
comma-separated part when it holds no digit (``12 Baker Street, London`` -> ``***, London``);
anything else becomes ``***``.

The patterns use explicit character classes only, so Python's ``re`` and RE2 (Arrow, what
pandas' default string dtype runs) read them alike.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from abclab.privacy._contacts import _as_bool

_WS = "\t\n\x0b\x0c\r\x1c-\x1f \u3000"
_WORD = f"([^{_WS}])[^{_WS}]*"
#: Administrative prefix of a Chinese address: province, prefecture, county-level unit.
_ADMIN = (
    "^((?:[^省市区县旗]{1,7}(?:省|自治区|特别行政区))?"
    "(?:[^省市区县旗]{1,7}(?:市|自治州|地区|盟))?"
    "(?:[^省市区县旗]{1,7}(?:区|县|旗|市))?)"
)
#: The shape of an address: an administrative unit then a street, number or building, or a
#: house number, a name and a street word (Latin).
ADDRESS_RE = (
    "^[^@]{0,20}(?:省|市|区|县|镇|乡)[^@]{0,40}(?:路|街|道|巷|弄|胡同|村|号|大厦|广场|园区)"
    "|(?i:^[ ]*[0-9]+[a-z]?[ ]+[^@]*[ ,.](?:street|st|road|rd|avenue|ave|lane|ln|drive|dr"
    "|boulevard|blvd|way|court|ct|place|pl)(?:[^a-z0-9]|$))"
)


def _address_mask(text: pa.Array) -> np.ndarray:
    """Which values have the shape of an address (kernel; ``text``: Arrow strings)."""
    return _as_bool(pc.match_substring_regex(text, ADDRESS_RE))


def _mask_person(values: pd.Series) -> np.ndarray:
    """First character of every word, then ``**`` (values non-missing)."""
    text = values.astype("str").str.strip(_WS.replace("\x1c-\x1f", "\x1c\x1d\x1e\x1f"))
    masked = text.str.replace(_WORD, r"\1**", regex=True)
    return masked.where(text.ne(""), "***").to_numpy(dtype=object)


def _mask_address(values: pd.Series) -> np.ndarray:
    """Administrative prefix + ``***``; else ``***, `` + the last comma-separated part
    without digits (a city, not a street number); else ``***``."""
    text = values.astype("str").str.strip(_WS.replace("\x1c-\x1f", "\x1c\x1d\x1e\x1f"))
    prefix = text.str.extract(_ADMIN, expand=False).fillna("")
    tail = text.str.extract(",[ ]*([^,0-9]+)$", expand=False).fillna("").str.strip()
    latin = ("***, " + tail).where(tail.ne(""), "***")
    return (prefix + "***").where(prefix.ne(""), latin).to_numpy(dtype=object)


#: A label such as ``Prepared by:`` / ``制表人：`` before the free text of a note row.
_NOTE_LABEL_RE = re.compile(r"^\s*([^:：]{1,40}[:：])")


def mask_note(text: object) -> object:
    """Mask the free text of a note row of a client's file, keeping its label.

    Notes under a table (``Prepared by: Karl Obermaier, Finance, ext. 4711``, ``制表人：王芳``)
    name staff and give their numbers; a report lists the row by its label only
    (``Prepared by: ***``, ``制表人：***``), or ``***`` without one. Missing values and
    empty text are returned unchanged.

    >>> mask_note("Prepared by: Karl Obermaier, ext. 4711"), mask_note("制表人：王芳")
    ('Prepared by: ***', '制表人：***')
    """
    if text is None or (isinstance(text, float) and text != text) or not str(text).strip():
        return text
    label = _NOTE_LABEL_RE.match(str(text))
    if label is None:
        return "***"
    return label.group(1).strip() + ("" if label.group(1).endswith("：") else " ") + "***"
