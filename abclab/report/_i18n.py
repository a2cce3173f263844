"""Report strings in English and simplified Chinese.

Every heading, label, table column header and chart label of the report is a message id in
:data:`MESSAGES`; :func:`text` looks one up and :func:`column_labels` renames table headers.
Both languages must define exactly the same ids (checked by the tests).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from abclab.pipeline.results import FUZZY_CRISP
from abclab.report._format import Count
from abclab.report._i18n_xl import XL_EN, XL_ZH
from abclab.report._messages_en import EN
from abclab.report._messages_zh import ZH
from abclab.strategy import LANGUAGES, Language

# report texts in abclab.report._messages_*, workbook strings (ids "xl.*") in _i18n_xl
_EN = {**EN, **XL_EN}
_ZH = {**ZH, **XL_ZH}


#: Message id → text, per language.
MESSAGES: Mapping[Language, Mapping[str, str]] = {"en": _EN, "zh": _ZH}


def check_language(language: str) -> Language:
    """Return ``language`` if it is supported, else raise ``ValueError`` naming the choices."""
    if language not in LANGUAGES:
        raise ValueError(f"report language must be one of {LANGUAGES}, got {language!r}")
    return language  # type: ignore[return-value]


def text(key: str, language: str = "en", **values: object) -> str:
    """Return message ``key`` in ``language``, formatted with ``values``.

    Raises
    ------
    KeyError
        If ``key`` is not a message id (a typo in a section must fail loudly).

    Examples
    --------
    >>> text("col.tier", "zh")
    '等级'
    >>> text("text.disputed_count", "en", n=3)
    '3 customers are classified differently by the methods compared.'
    >>> text("text.disputed_count", "en", n=1)
    '1 customer is classified differently by the methods compared.'
    """
    messages = MESSAGES[check_language(language)]
    if key not in messages:
        raise KeyError(f"no report message {key!r}")
    template = messages[key]
    if not values:
        return template
    # whole numbers become Count, so "{n} {n:customer|customers}" agrees with them
    counts = {k: Count(v) for k, v in values.items() if _is_whole(v)}
    return template.format(**{**values, **counts})


def _is_whole(value: object) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)


def column_labels(columns: Iterable[object], language: str = "en") -> dict[object, str]:
    """Map column names that are message ids (``col.<name>``) to their label.

    Columns without a message (criteria names, methods, client columns) keep their name.
    """
    messages = MESSAGES[check_language(language)]
    return {c: messages.get(f"col.{c}", str(c)) for c in columns}


def label_frame(frame: pd.DataFrame, language: str = "en") -> pd.DataFrame:
    """Return ``frame`` with translated column headers and index name (values unchanged)."""
    out = frame.rename(columns=column_labels(frame.columns, language))
    names = [MESSAGES[check_language(language)].get(f"col.{n}", n) for n in out.index.names]
    out.index = out.index.set_names(names)
    return out


def criterion_labels(results: object) -> dict[str, str]:
    """Criterion id -> the study's display label (e.g. ``annual_spend`` -> "年消费额(元)");
    other columns the study renamed (``data.customers.columns``) show as the client named
    them (``industry_growth`` -> "行业增长率")."""
    study = results.study  # type: ignore[attr-defined]
    customers = getattr(study.data, "customers", None)
    renamed = getattr(customers, "columns", None) or {}
    labels = {str(new): str(old) for old, new in renamed.items()}
    labels.update({c.name: c.label for c in study.criteria if c.label})
    return labels


def expert_name(expert: object, language: str = "en") -> str:
    """An expert of the weights as shown: the study's name, or the translated name of the
    modal matrix of fuzzy AHP judgements (:data:`abclab.pipeline.FUZZY_CRISP`).

    A name written as an identifier (``finance_director``, ``owner``) is shown as words
    (``Finance director``, ``Owner``): a client reads the report, not the study file.

    >>> expert_name("finance_director"), expert_name("Sales director"), expert_name("销售总监")
    ('Finance director', 'Sales director', '销售总监')
    """
    if expert == FUZZY_CRISP:
        return text("word.fuzzy_modal", language)
    name = str(expert)
    if re.fullmatch(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*", name):
        return name.replace("_", " ").capitalize()
    return name


def ahp_method_name(method: object, language: str = "en") -> str:
    """An AHP weight method (``eigenvector``) or a group's ``aggregation:method``
    (``aij:eigenvector``) by its display names."""
    parts = str(method).split(":")
    return " · ".join(display_name("ahp_method", p, language) for p in parts)


def display_name(kind: str, key: object, language: str = "en") -> str:
    """Display name of a method (``kind="method"``) or cleaning rule (``"rule"``); unknown
    keys (e.g. a study's own method name) are returned unchanged."""
    return MESSAGES[check_language(language)].get(f"{kind}.{key}", str(key))
