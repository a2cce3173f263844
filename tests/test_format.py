"""The one number style of the report (abclab.report._format)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from abclab.report._format import (
    MISSING,
    WAN,
    YUAN,
    column_kind,
    excel_format,
    excel_judgement_format,
    format_count,
    format_date,
    format_judgement,
    format_money,
    format_percent,
    format_ratio,
    format_value,
    money_decimals,
    money_unit,
)


def test_money_plain_unit_has_thousands_separators_and_fixed_decimals():
    assert format_money(144_467_921.57) == "144,467,922"
    assert format_money(13_241_599.4) == "13,241,599"
    assert format_money(12.5) == "12.50"
    assert format_money(12.5, decimals=0) == "12"
    assert money_decimals([12.0, 13_000.0]) == 0
    assert money_decimals([12.0, 13.5]) == 2


def test_money_in_wan_for_a_zh_report_whose_input_was_in_wan():
    conversions = pd.DataFrame(  # as the reader counts "43.1万元": currency and wan
        {"column": ["annual_spend"] * 2, "rule": ["currency", "wan"], "count": [398, 398]}
    )
    unit = money_unit(conversions, "annual_spend", language="zh")
    assert unit is WAN
    assert format_money(202_125_000.0, unit=unit) == "20,212.50万元"
    assert format_money(202_125_000.0, unit=unit, compact=True) == "2.02亿元"
    assert format_money(431_000.0, unit=unit, compact=True) == "43.1万元"
    # English report, or data in yuan: the plain unit
    assert money_unit(conversions, "annual_spend", language="en") is YUAN
    plain = pd.DataFrame({"column": ["annual_spend"], "rule": ["currency"], "count": [398]})
    assert money_unit(plain, "annual_spend", language="zh") is YUAN
    assert money_unit(conversions, "margin", language="zh") is YUAN
    assert money_unit(None, language="zh") is YUAN


def test_compact_money_in_english():
    assert format_money(30_900.0, compact=True) == "30.9k"
    assert format_money(1_234_567.0, compact=True) == "1.2M"
    assert format_money(512.0, compact=True) == "512"


def test_percent_count_ratio_date():
    assert format_percent(0.172) == "17.2%"
    assert format_percent(0.0875) == "8.8%"
    assert format_count(1234) == "1,234"
    assert format_count(np.int64(12)) == "12"
    assert format_ratio(0.5412) == "0.54"
    assert format_ratio(0.01234, decimals=3) == "0.012"
    assert format_date(pd.Timestamp("2024-03-31 00:00:00")) == "2024-03-31"
    for missing in (None, float("nan"), pd.NA, pd.NaT):
        assert format_value(missing, "money") == MISSING
        assert format_percent(missing) == MISSING


@pytest.mark.parametrize(
    ("value", "text"),
    [(1 / 3, "1/3"), (0.3333, "1/3"), (5.0, "5"), (1.0, "1"), (1 / 9, "1/9"), (0.5, "1/2"),
     (9.0, "9"), (3 ** 0.5, "1.73"), (0.4, "0.40"), (12.0, "12.00")],
)  # fmt: skip
def test_judgements_are_fractions_on_saatys_scale(value, text):
    assert format_judgement(value) == text


def test_judgement_excel_format_per_cell():
    assert excel_judgement_format(1 / 3) == "# ?/?"
    assert excel_judgement_format(1.732) == "0.00"
    assert excel_format("judgement") == "# ?/?"


@pytest.mark.parametrize(
    ("name", "values", "kind"),
    [("annual_spend", [1.0, 2e6], "money"), ("margin", [0.1, 0.2], "percent"),
     ("n_customers", [3, 4], "count"), ("cr", [0.01, 0.2], "ratio"), ("score", [12.0, 99.0], "score"),
     ("first_purchase", pd.to_datetime(["2024-01-01"]), "date"), ("name", ["a", "b"], "text"),
     ("share_of_value", [0.5, 0.5], "percent"), ("lines", [3.0, math.nan], "count"),
     ("rank_correlation", [0.9], "ratio"), ("tenure_years", [1.5, 3.0], "ratio")],
)  # fmt: skip
def test_column_kind(name, values, kind):
    assert column_kind(name, pd.Series(values)) == kind


def test_column_kind_money_given_by_caller_and_excel_formats():
    assert column_kind("年消费额", pd.Series([1.0]), money=["年消费额"]) == "money"
    assert excel_format("money") == "#,##0"
    assert excel_format("money", unit=WAN) == "#,##0.00"
    assert excel_format("percent") == "0.0%"
    assert excel_format("count") == "#,##0"
    assert excel_format("date") == "yyyy-mm-dd"
    assert excel_format("text") is None


# --------------------------------------------------------------------------- plurals
def test_count_agrees_with_its_nouns():
    from abclab.report._format import Count, plural

    template = "{n} {n:customer is|customers are} pending"
    assert template.format(n=Count(1)) == "1 customer is pending"
    assert template.format(n=Count(0)) == "0 customers are pending"
    assert template.format(n=Count(12345)) == "12,345 customers are pending"
    assert plural(1.0, "row", "rows") == "row" and plural(2, "row", "rows") == "rows"
    assert plural(float("nan"), "row", "rows") == "rows"


#: English nouns that follow a count in a message.
_COUNTED = (
    r"(customers|values|rows|lines|records|pairs|methods|experts|ids|returns|criteria|variations)"
)


def test_every_english_count_message_agrees_with_one():
    """No "1 customers": a message that writes a count before a plural noun says how the
    noun reads for one (``{n:customer|customers}``); with 1 the singular reads."""
    import re
    import string

    from abclab.report._i18n import MESSAGES, text

    bare = re.compile(r"\{(\w+)\} (?:(?:other|invoice|customer|duplicate) )?" + _COUNTED + r"\b")
    offenders = [k for k, v in MESSAGES["en"].items() if bare.search(v)]
    assert not offenders, offenders
    plural_keys = [k for k, v in MESSAGES["en"].items() if re.search(r"\{\w+:[^}]*\|", v)]
    assert len(plural_keys) >= 20
    for key in plural_keys:
        fields = {f for _, f, _, _ in string.Formatter().parse(MESSAGES["en"][key]) if f}
        one = text(key, "en", **dict.fromkeys(fields, 1))
        assert not re.search(r"\b1 " + _COUNTED + r"\b", one), (key, one)
        many = text(key, "en", **dict.fromkeys(fields, 3))
        assert "|" not in many and "3 " in many, (key, many)
        zh = text(key, "zh", **dict.fromkeys(fields, 1))  # zh: the same fields, no forms
        assert "|" not in zh
