"""One number style for every report output (HTML, PDF, charts and the workbook).

Every number a reader sees is one of a few *kinds*; each kind has one text form and one Excel
number format, defined here and nowhere else.

Public API (names are stable; the report sections, charts and writers import them)
------------------------------------------------------------------------------------
``Kind``
    ``"money" | "percent" | "count" | "ratio" | "score" | "judgement" | "date" | "text"``.
``column_kind(name, series=None, *, money=())``
    The kind of a table column, from its name (``annual_spend`` -> money, ``margin`` ->
    percent, ``n_customers`` -> count, ``cr`` -> ratio, ``score`` -> score ...), its dtype
    (dates, integers, text) and the columns the caller knows to be money (``money=``).
``MoneyUnit``, ``YUAN``, ``WAN``, ``YI``, ``money_unit(conversions=None, column=None, *,
language="en")``
    The unit money is shown in. A zh report whose input was written in 万元 (the reader's
    ``wan`` rule, :func:`abclab.io.read_table` records it in ``frame.attrs["conversions"]``)
    shows money in 万元 (and in 亿元 from 1亿 on in running text); everything else in the
    currency's plain unit. Values stay in the data's base unit (yuan); the unit only scales
    what is shown.
``format_money(value, *, unit=YUAN, decimals=None, compact=False, language="en")``
    ``"1,234,568"`` (plain unit, no decimals from 1,000 on), ``"12,345.68万元"`` (万元,
    two decimals), ``"2.02亿元"`` (``compact=True`` with 万元 or zh: 亿 from 1亿 on),
    ``"1.2M"`` / ``"30.9k"`` (``compact=True`` in English: chart axes and labels only).
``format_percent(value, *, decimals=1)``
    Shares in 0..1: ``0.172`` -> ``"17.2%"``.
``format_count(value)``
    ``1234`` -> ``"1,234"``.
``format_ratio(value, *, decimals=2)``
    κ, Gini, correlations, CR: ``0.5412`` -> ``"0.54"`` (``decimals=3`` for CR/CI).
``format_score(value, *, decimals=1)``
    Scores on 0..100: ``"87.3"``.
``format_judgement(value)``
    AHP judgements on Saaty's scale as fractions: ``1/3`` -> ``"1/3"``, ``5.0`` -> ``"5"``;
    off-scale values (geometric means of a group) as decimals: ``"1.73"``.
``format_date(value)``
    ``"2024-03-31"`` (never a time of day of 00:00:00).
``format_number(value)``
    Any other measurement: three significant figures, thousands separators from 1,000 on
    (``0.1234`` -> ``"0.123"``, ``12345.6`` -> ``"12,346"``).
``Count(value)``, ``plural(count, one, other)``
    A count inside a message: ``"{n} {n:customer|customers} {n:is|are}"`` with
    ``n=Count(1)`` reads "1 customer is" (English nouns and verbs agree with the count; a
    Chinese message writes ``{n}`` only, as Chinese has no plural).
``format_value(value, kind, **options)``
    Dispatch on ``kind``; the missing value is :data:`MISSING` (``"–"``) in every kind.
``excel_format(kind, *, unit=YUAN, decimals=None)``
    The matching Excel number format (``"#,##0"``, ``"#,##0.00"``, ``"0.0%"``, ``"0.00"``,
    ``"yyyy-mm-dd"``, ``"# ?/?"`` for on-scale judgements); ``None`` for text. A workbook
    writes money values divided by ``unit.scale`` under a header carrying ``unit.label``.
``excel_judgement_format(value)``
    ``"# ?/?"`` for a judgement on Saaty's scale, ``"0.00"`` otherwise (per cell).
``money_decimals(values, *, unit=YUAN)``
    Fixed decimals of a money column: 2 in 万元/亿, 0 in the plain unit when the column's
    largest value is 1,000 or more, else 2.

The functions take plain Python or NumPy numbers; ``None``, NaN and ``pd.NA`` are missing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

import numpy as np
import pandas as pd

__all__ = [
    "MISSING",
    "WAN",
    "YI",
    "YUAN",
    "Count",
    "Kind",
    "MoneyUnit",
    "column_kind",
    "excel_format",
    "excel_judgement_format",
    "format_count",
    "format_date",
    "format_judgement",
    "format_money",
    "format_number",
    "format_percent",
    "format_ratio",
    "format_score",
    "format_value",
    "money_decimals",
    "money_unit",
    "plural",
]

Kind = Literal["money", "percent", "count", "ratio", "score", "judgement", "date", "text"]

#: The text of a missing value, in every kind and language.
MISSING = "–"
#: Largest denominator / numerator of Saaty's 1–9 scale.
_SAATY_MAX = 9
#: Relative distance below which a judgement is taken to be on Saaty's scale.
_SAATY_TOLERANCE = 0.005


@dataclass(frozen=True)
class MoneyUnit:
    """The unit money is shown in: ``shown = value / scale`` followed by ``suffix``.

    ``name`` is ``"yuan"`` (the plain unit of the data, no suffix), ``"wan"`` (万元) or
    ``"yi"`` (亿元); ``label`` is what a column header adds, e.g. ``"万元"``.
    """

    name: str
    scale: float
    suffix: str
    label: str


YUAN = MoneyUnit("yuan", 1.0, "", "")
WAN = MoneyUnit("wan", 1e4, "万元", "万元")
YI = MoneyUnit("yi", 1e8, "亿元", "亿元")

# column names (snake_case, as the pipeline and the criteria use them) by kind; first match wins
_NAME_RULES: tuple[tuple[Kind, re.Pattern[str]], ...] = (
    ("judgement", re.compile(r"(^|_)judgements?($|_)|^a_ij$", re.I)),
    ("date", re.compile(r"(^|_)(date|first_purchase|last_purchase|as_of|purchase_day)($|_)", re.I)),
    (
        "ratio",
        re.compile(
            r"(^|_)(cr|ci|ri|kappa|gini|lambda|lambda_max|tau|rho|ratio|corr|correlation|z)($|_)",
            re.I,
        ),
    ),
    ("score", re.compile(r"(^|_)(score|points|utility)($|_)", re.I)),
    (
        "percent",
        re.compile(
            r"(share|percent|pct|rate|margin|stability|growth|weight|agreement|probability|"
            r"prob|p_alive|coverage|accuracy|率|占比|比例|份额)",
            re.I,
        ),
    ),
    (
        "count",
        re.compile(
            r"(^|_)(n|count|counts|lines|rows|row|customers|rank|frequency|orders|days|"
            r"recency|tenure_days|records|size|k)($|_)|^n_",
            re.I,
        ),
    ),
    (
        "money",
        re.compile(
            r"(spend|amount|revenue|sales|profit|turnover|value|clv|monetary|price|cost|"
            r"income|balance|credit_limit|receivable|gmv|金额|消费|销售|利润|万元|额|元\)?$)",
            re.I,
        ),
    ),
)


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _float(value: Any) -> float:
    if isinstance(value, np.generic):
        value = value.item()
    return float(value)


def _finite(value: Any) -> float | None:
    """``value`` as a float, or ``None`` when it is missing or infinite (a float is checked
    without pandas: tables format each of 100 000 customers' numbers)."""
    if type(value) is not float:
        if _missing(value):
            return None
        value = _float(value)
    return value if math.isfinite(value) else None


# --------------------------------------------------------------------------- kinds
def column_kind(
    name: object, series: pd.Series | None = None, *, money: Iterable[str] = ()
) -> Kind:
    """The kind of a table column.

    Parameters
    ----------
    name : object
        The column's name as the pipeline writes it (snake_case study names).
    series : pandas.Series, optional
        The column's values: dates, booleans and text are known from the dtype; integer
        columns without a money or percent name are counts; a percent-named column whose
        values exceed 1 is not a share (it is then a ratio).
    money : iterable of str
        Columns the caller knows to hold money (e.g. criteria read with a currency or 万元
        rule); they are money whatever their name.

    Returns
    -------
    Kind
    """
    text = str(name)
    if text in set(money):
        return "money"
    if series is not None:
        dtype = series.dtype
        if pd.api.types.is_datetime64_any_dtype(dtype):
            return "date"
        if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
            return "text"
    kind: Kind | None = None
    for candidate, pattern in _NAME_RULES:
        if pattern.search(text):
            kind = candidate
            break
    if series is None:
        return kind or "text"
    if kind == "date":  # a date-named numeric column (e.g. days): a count
        return "count"
    if kind == "percent":
        values = series.dropna().abs()
        if len(values) and float(values.max()) > 1.0:
            return "ratio"
    if kind is None:
        return "count" if pd.api.types.is_integer_dtype(series.dtype) else "ratio"
    return kind


# --------------------------------------------------------------------------- money
def money_unit(
    conversions: pd.DataFrame | None = None,
    column: str | None = None,
    *,
    language: str = "en",
) -> MoneyUnit:
    """The unit a money column is shown in.

    Parameters
    ----------
    conversions : pandas.DataFrame, optional
        ``frame.attrs["conversions"]`` of :func:`abclab.io.read_table` (columns ``column,
        rule, count``), or any frame with these columns.
    column : str, optional
        The money column; ``None`` looks at every column.
    language : {"en", "zh"}
        Only a zh report switches to 万元.

    Returns
    -------
    MoneyUnit
        :data:`WAN` when the report is zh and the column's cells were written in 万元 or 亿
        (rules ``wan`` / ``yi``) in at least half as many cells as the most used rule, else :data:`YUAN`.
    """
    if language != "zh" or conversions is None or len(conversions) == 0:
        return YUAN
    table = conversions
    if column is not None and "column" in table:
        table = table[table["column"].astype(str) == str(column)]
    counts = table.groupby("rule")["count"].sum() if len(table) else pd.Series(dtype=float)
    chinese = float(counts.get("wan", 0)) + float(counts.get("yi", 0))
    # "43.1万元" counts as currency and wan; a column mostly in plain yuan has few wan cells
    most = float(counts.max()) if len(counts) else 0.0
    return WAN if chinese > 0 and chinese >= 0.5 * most else YUAN


def money_decimals(values: Iterable[Any], *, unit: MoneyUnit = YUAN) -> int:
    """Fixed decimals of a money column (2 in 万元/亿元; plain unit: 0 from 1,000 on, else 2)."""
    if unit.scale != 1.0:
        return 2
    x = np.asarray([_float(v) for v in values if not _missing(v)], dtype=float)
    x = x[np.isfinite(x)]
    return 0 if x.size and float(np.abs(x).max()) >= 1000 else 2


def format_money(
    value: Any,
    *,
    unit: MoneyUnit = YUAN,
    decimals: int | None = None,
    compact: bool = False,
    language: str = "en",
) -> str:
    """Money as text in ``unit``.

    ``compact=False`` (tables): thousands separators and ``decimals`` (default: 2 in 万元,
    0 from 1,000 on in the plain unit, else 2). ``compact=True`` (sentences, chart labels):
    with 万元 or in zh, values from 1亿 on as ``"2.02亿元"`` and from 1万 on as ``"431.0万元"``;
    in English ``"1.2M"``, ``"30.9k"``.
    """
    x = _finite(value)
    if x is None:
        return MISSING
    if compact:
        return _compact_money(x, unit=unit, language=language)
    shown = x / unit.scale
    if decimals is None:  # money_decimals([x], unit=unit)
        decimals = 2 if unit.scale != 1.0 or abs(x) < 1000 else 0
    return f"{shown:,.{decimals}f}{unit.suffix}"


def _compact_money(x: float, *, unit: MoneyUnit, language: str) -> str:
    size = abs(x)
    if unit.scale != 1.0 or language == "zh":
        suffix = "元" if unit.scale != 1.0 else ""
        if size >= 1e8:
            return f"{x / 1e8:,.2f}亿{suffix}"
        if size >= 1e4:
            return f"{x / 1e4:,.1f}万{suffix}"
        return f"{x:,.0f}{suffix}"
    for scale, mark in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if size >= scale:
            return f"{x / scale:,.1f}{mark}"
    return f"{x:,.0f}"


# --------------------------------------------------------------------------- other kinds
def format_percent(value: Any, *, decimals: int = 1) -> str:
    """A share in 0..1 as a percentage: ``0.172`` -> ``"17.2%"``."""
    x = _finite(value)
    return MISSING if x is None else f"{x * 100:,.{decimals}f}%"


def format_count(value: Any) -> str:
    """A count with thousands separators: ``1234`` -> ``"1,234"``."""
    x = _finite(value)
    return MISSING if x is None else f"{round(x):,d}"


def format_number(value: Any) -> str:
    """Any other measurement: three significant figures (``0.1234`` -> ``"0.123"``), whole
    numbers with thousands separators from 1,000 on (``12345.6`` -> ``"12,346"``)."""
    x = _finite(value)
    if x is None:
        return MISSING
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}"


def plural(count: Any, one: str, other: str) -> str:
    """``one`` when ``count`` is 1, else ``other`` (English: "1 customer", "0 customers",
    "2 customers"; CLDR's English rule, where only exactly 1 is singular)."""
    return one if not _missing(count) and _float(count) == 1 else other


@dataclass(frozen=True)
class Count:
    """A count passed to a message: ``{n}`` is :func:`format_count`; ``{n:one|other}``
    picks the word form that agrees with it (:func:`plural`).

    Examples
    --------
    >>> "{n} {n:customer|customers} {n:is|are} pending".format(n=Count(1))
    '1 customer is pending'
    >>> "{n} {n:customer|customers} {n:is|are} pending".format(n=Count(1234))
    '1,234 customers are pending'
    """

    value: Any

    def __format__(self, spec: str) -> str:
        if "|" in spec:
            one, other = spec.split("|", 1)
            return plural(self.value, one, other)
        if spec:
            return format(self.value, spec)
        return format_count(self.value)

    def __str__(self) -> str:
        return format_count(self.value)


def format_ratio(value: Any, *, decimals: int = 2) -> str:
    """A ratio (κ, Gini, correlation, CR, λmax): ``0.5412`` -> ``"0.54"``."""
    x = _finite(value)
    return MISSING if x is None else f"{x:,.{decimals}f}"


def format_score(value: Any, *, decimals: int = 1) -> str:
    """A score on 0..100: ``87.26`` -> ``"87.3"``."""
    return format_ratio(value, decimals=decimals)


def _saaty_fraction(x: float) -> Fraction | None:
    """The Saaty-scale value (1..9 or 1/9..1/2) ``x`` is, or None when it is off the scale."""
    if not math.isfinite(x) or x <= 0:
        return None
    fr = Fraction(x).limit_denominator(_SAATY_MAX)
    on_scale = (fr.denominator == 1 and 1 <= fr.numerator <= _SAATY_MAX) or (
        fr.numerator == 1 and fr.denominator <= _SAATY_MAX
    )
    if on_scale and abs(float(fr) - x) <= _SAATY_TOLERANCE * max(1.0, x):
        return fr
    return None


def format_judgement(value: Any, *, decimals: int = 2) -> str:
    """An AHP judgement: on Saaty's scale as a fraction (``"1/3"``, ``"5"``), else a decimal.

    Uses :meth:`fractions.Fraction.limit_denominator` (9) and accepts it when it is within
    0.5 % of the value and is a whole number 1..9 or its reciprocal; group matrices'
    geometric means (e.g. 1.732) stay decimals (``"1.73"``).
    """
    if _missing(value):
        return MISSING
    x = _float(value)
    fr = _saaty_fraction(x)
    if fr is None:
        return format_ratio(x, decimals=decimals)
    return str(fr.numerator) if fr.denominator == 1 else f"1/{fr.denominator}"


def format_date(value: Any) -> str:
    """A date as ``YYYY-MM-DD`` (never a 00:00:00 time of day; other times are kept)."""
    if _missing(value):
        return MISSING
    ts = pd.Timestamp(value)
    if ts == ts.normalize():
        return ts.strftime("%Y-%m-%d")
    return ts.strftime("%Y-%m-%d %H:%M")


def format_value(value: Any, kind: Kind, **options: Any) -> str:
    """``value`` in the text form of ``kind`` (options go to that kind's function)."""
    if kind == "money":
        return format_money(value, **options)
    if kind == "percent":
        return format_percent(value, **options)
    if kind == "count":
        return format_count(value)
    if kind == "ratio":
        return format_ratio(value, **options)
    if kind == "score":
        return format_score(value, **options)
    if kind == "judgement":
        return format_judgement(value, **options)
    if kind == "date":
        return format_date(value)
    return MISSING if _missing(value) else str(value)


# --------------------------------------------------------------------------- Excel
def excel_format(kind: Kind, *, unit: MoneyUnit = YUAN, decimals: int | None = None) -> str | None:
    """The Excel number format of a kind (the cell holds the number; money ``/ unit.scale``).

    ``money``: ``"#,##0"`` or ``"#,##0.00"`` (``decimals``; default 2 in 万元, else 0);
    ``percent``: ``"0.0%"``; ``count``: ``"#,##0"``; ``ratio``: ``"0.00"`` (``decimals``);
    ``score``: ``"0.0"``; ``judgement``: ``"# ?/?"``; ``date``: ``"yyyy-mm-dd"``; text: None.
    """
    if kind == "money":
        d = (2 if unit.scale != 1.0 else 0) if decimals is None else decimals
        return "#,##0" if d == 0 else "#,##0." + "0" * d
    if kind == "percent":
        d = 1 if decimals is None else decimals
        return "0%" if d == 0 else "0." + "0" * d + "%"
    if kind == "count":
        return "#,##0"
    if kind == "ratio":
        d = 2 if decimals is None else decimals
        return "0" if d == 0 else "0." + "0" * d
    if kind == "score":
        d = 1 if decimals is None else decimals
        return "0" if d == 0 else "0." + "0" * d
    if kind == "judgement":
        return "# ?/?"
    if kind == "date":
        return "yyyy-mm-dd"
    return None


def excel_judgement_format(value: Any) -> str:
    """``"# ?/?"`` for a judgement on Saaty's scale (shows 1/3), ``"0.00"`` off the scale."""
    if _missing(value):
        return "0.00"
    return "# ?/?" if _saaty_fraction(_float(value)) is not None else "0.00"
