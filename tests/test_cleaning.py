"""Tests for abclab.cleaning: each rule on small hand-made frames, the no-lost-row invariant.

Source 003 (shared/sources/003_*.txt, 步骤三 数据收集与清洗) prescribes the three operations
tested here: 去重处理 (same customer entered twice), 缺失值处理 ("用近3个月平均消费额填补年消费额
缺失值" or mark 待评估) and 异常值处理 (annual spend 0 or implausibly high). Expected values
are computed by hand in each docstring or comment.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from abclab._text import normalise_name, normalise_names
from abclab.cleaning import LOG_COLUMNS, CriterionPolicy, clean_customers
from abclab.exceptions import DataQualityWarning, InputDataError, StudyError


def _log_rows(result, rule):
    return result.log[result.log["rule"] == rule]


def test_log_and_merged_columns_are_exact():
    frame = pd.DataFrame({"spend": [1.0]}, index=pd.Index(["C1"], name="id"))
    result = clean_customers(frame, policies={"spend": CriterionPolicy()})
    assert (
        list(result.log.columns)
        == LOG_COLUMNS
        == [
            "customer",
            "column",
            "old_value",
            "new_value",
            "rule",
            "reason",
            "reason_code",
            "reason_values",
        ]
    )
    assert list(result.merged.columns) == ["customer", "merged_into", "reason", "input_row"]
    assert result.cleaned.index.name == "id"
    assert result.summary().to_dict() == {"input": 1, "cleaned": 1, "pending": 0, "merged": 0}


# --------------------------------------------------------------------------- duplicates


def test_same_id_keeps_most_complete_record_and_fills_its_gaps():
    frame = pd.DataFrame(
        {
            "id": ["C1", "C2", "C1", "C1"],
            "phone": [None, "139", "138", None],
            "spend": [100.0, 5.0, np.nan, 120.0],
            "margin": [np.nan, 0.1, 0.2, 0.3],
        }
    )
    result = clean_customers(frame, policies={"spend": {}, "margin": {}}, id_column="id")
    # row 3 has 2 criteria (rows 0 and 2 have 1): it is kept; phone comes from row 2
    assert result.cleaned.loc["C1"].to_dict() == {"phone": "138", "spend": 120.0, "margin": 0.3}
    assert result.merged.to_dict("list") == {
        "customer": ["C1", "C1"],
        "merged_into": ["C1", "C1"],
        "reason": ["same customer id 'C1'"] * 2,
        "input_row": [0, 2],
    }
    fill = _log_rows(result, "duplicate_fill")
    assert fill[["customer", "column", "new_value"]].values.tolist() == [["C1", "phone", "138"]]
    conflict = _log_rows(result, "duplicate_conflict")
    # row 0 spend 100 vs kept 120; row 2 margin 0.2 vs kept 0.3
    assert conflict[["column", "old_value", "new_value"]].values.tolist() == [
        ["spend", 100.0, 120.0],
        ["margin", 0.2, 0.3],
    ]
    assert len(_log_rows(result, "merge_duplicate")) == 2
    assert result.summary().to_dict() == {"input": 4, "cleaned": 2, "pending": 0, "merged": 2}


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Acme Co., Ltd.", "acme"),
        ("ACME  CO LTD", "acme"),
        ("Ａｃｍｅ　Ｉｎｃ．", "acme"),  # full-width letters, ideographic space
        ("acme llc", "acme"),
        ("Müller GmbH", "müller"),
        ("Costco Corp.", "costco"),
        ("华为技术有限公司", "华为技术"),
        ("华为技术 股份有限公司", "华为技术"),
        ("（北京）华为技术有限责任公司", "北京华为技术"),
        ("某某集团有限公司", "某某"),
        ("Company", ""),
    ],
)
def test_name_normalisation(raw, key):
    assert normalise_name(raw) == key


def test_normalise_names_keeps_missing():
    keys = normalise_names(pd.Series(["A Ltd", None]))
    assert keys.iloc[0] == "a" and pd.isna(keys.iloc[1])


def test_same_normalised_name_merges_and_reports():
    frame = pd.DataFrame(
        {
            "name": ["北京甲科技有限公司", "Beta Inc.", "北京甲科技", "BETA", "Gamma"],
            "spend": [np.nan, 10.0, 300.0, 12.0, 7.0],
        },
        index=pd.Index(["C1", "C2", "C3", "C4", "C5"], name="customer"),
    )
    result = clean_customers(frame, policies={"spend": {}}, name_column="name")
    assert result.merged[["customer", "merged_into", "input_row"]].values.tolist() == [
        ["C1", "C3", 0],  # C3 has the spend, C1 has none
        ["C4", "C2", 3],
    ]
    assert result.merged["reason"].tolist() == [
        "same normalised name '北京甲科技'",
        "same normalised name 'beta'",
    ]
    assert result.cleaned["spend"].to_dict() == {"C2": 10.0, "C3": 300.0, "C5": 7.0}
    assert result.pending.empty


# --------------------------------------------------------------------------- missing values


def test_missing_median_of_cleaned_population():
    """Median over customers not pending: C4 is pending (margin missing), so its spend 1000
    is excluded; median(10, 20, 40) = 20."""
    frame = pd.DataFrame(
        {"spend": [10.0, 20.0, 40.0, 1000.0, np.nan], "margin": [0.1, 0.1, 0.1, np.nan, 0.2]},
        index=["C1", "C2", "C3", "C4", "C5"],
    )
    result = clean_customers(
        frame, policies={"spend": {"missing": "median"}, "margin": {"missing": "pending"}}
    )
    assert result.cleaned.loc["C5", "spend"] == 20.0
    row = _log_rows(result, "missing_median").iloc[0]
    assert (row["customer"], row["column"], row["new_value"]) == ("C5", "spend", 20.0)
    assert math.isnan(row["old_value"])
    assert result.pending.loc["C4", "pending_reason"] == "margin is missing"
    assert result.pending.loc["C4", "status"] == "pending"


def test_missing_recent_average_from_transactions():
    """Source 003: 用近3个月平均消费额填补年消费额缺失值.

    C1 months with transactions: 2023-12 (500), 2024-01 (10), 2024-02 (20), 2024-03 (30+30).
    The last 3 are Jan–Mar: mean (10 + 20 + 60) / 3 = 30 per month, × 12 = 360 per year.
    C2 has one month (2024-02, 50): 50 × 12 = 600. C3 has no transactions -> pending.
    """
    frame = pd.DataFrame({"spend": [np.nan, np.nan, np.nan, 80.0]}, index=["C1", "C2", "C3", "C4"])
    tx = pd.DataFrame(
        {
            "cust": ["C1", "C1", "C1", "C1", "C1", "C2", "C9"],
            "day": [
                "2023-12-01",
                "2024-01-05",
                "2024-02-01",
                "2024-03-03",
                "2024-03-20",
                "2024-02-11",
                "2024-01-01",
            ],
            "amt": [500, 10, 20, 30, 30, 50, 1],
        }
    )
    result = clean_customers(
        frame,
        policies={"spend": {"missing": "recent_average"}},
        transactions=tx,
        transaction_columns={"customer": "cust", "date": "day", "amount": "amt"},
        pending_label="待评估",
    )
    assert result.cleaned["spend"].to_dict() == {"C1": 360.0, "C2": 600.0, "C4": 80.0}
    assert result.pending.index.tolist() == ["C3"]
    assert result.pending.loc["C3", "status"] == "待评估"
    reason = _log_rows(result, "missing_recent_average").set_index("customer").loc["C1", "reason"]
    assert "last 3 month(s)" in reason and "2024-01 to 2024-03" in reason
    assert _log_rows(result, "missing_no_transactions")["new_value"].tolist() == ["待评估"]


def test_recent_average_uses_transactions_of_merged_duplicates():
    frame = pd.DataFrame(
        {"name": ["Acme Ltd", "ACME"], "spend": [np.nan, np.nan]}, index=["A1", "A2"]
    )
    tx = pd.DataFrame({"customer": ["A2"], "date": ["2024-05-01"], "amount": [10.0]})
    result = clean_customers(
        frame,
        policies={"spend": {"missing": "recent_average"}},
        name_column="name",
        transactions=tx,
    )
    assert result.cleaned["spend"].to_dict() == {"A1": 120.0}


def test_missing_zero_and_pending():
    frame = pd.DataFrame({"a": [np.nan, 1.0], "b": [2.0, np.nan]}, index=["C1", "C2"])
    result = clean_customers(
        frame, policies={"a": {"missing": "zero"}, "b": {"missing": "pending"}}
    )
    assert result.cleaned["a"].to_dict() == {"C1": 0.0}
    assert result.pending.index.tolist() == ["C2"]
    assert _log_rows(result, "missing_zero")["customer"].tolist() == ["C1"]


# --------------------------------------------------------------------------- outliers


def test_nonpositive_pending_and_missing():
    """Source 003: an annual spend of 0 is an entry error."""
    frame = pd.DataFrame({"spend": [0.0, -5.0, 10.0, 30.0]}, index=["C1", "C2", "C3", "C4"])
    pend = clean_customers(frame, policies={"spend": {"nonpositive": "pending"}})
    assert pend.pending["pending_reason"].to_dict() == {
        "C1": "spend = 0 is not positive",
        "C2": "spend = -5 is not positive",
    }
    fill = clean_customers(
        frame, policies={"spend": {"nonpositive": "missing", "missing": "median"}}
    )
    assert fill.cleaned["spend"].to_dict() == {"C1": 20.0, "C2": 20.0, "C3": 10.0, "C4": 30.0}
    assert _log_rows(fill, "nonpositive_missing")["old_value"].tolist() == [0.0, -5.0]
    allow = clean_customers(frame, policies={"spend": {}})
    assert allow.cleaned["spend"].tolist() == [0.0, -5.0, 10.0, 30.0]


def test_iqr_flags_and_winsorises():
    """Values 10, 12, 14, 16, 18, 100. Linear quantiles: Q1 = 12 + 0.25·2 = 12.5,
    Q3 = 16 + 0.75·2 = 17.5, IQR = 5, fences [5, 25]: 100 is flagged and clipped to 25."""
    frame = pd.DataFrame({"x": [10.0, 12, 14, 16, 18, 100]}, index=list("abcdef"))
    flag_only = clean_customers(frame, policies={"x": {"outliers": "iqr"}})
    flags = _log_rows(flag_only, "outlier_iqr")
    assert flags[["customer", "old_value", "new_value"]].values.tolist() == [["f", 100.0, 100.0]]
    assert "Tukey fences [5, 25]" in flags["reason"].iloc[0]
    assert flag_only.cleaned.loc["f", "x"] == 100.0
    clipped = clean_customers(frame, policies={"x": {"outliers": "iqr", "winsorize": True}})
    assert clipped.cleaned.loc["f", "x"] == 25.0
    win = _log_rows(clipped, "winsorize_iqr")
    assert win[["customer", "old_value", "new_value"]].values.tolist() == [["f", 100.0, 25.0]]
    far = clean_customers(frame, policies={"x": {"outliers": "iqr", "iqr_k": 20}})
    assert _log_rows(far, "outlier_iqr").empty  # upper fence 17.5 + 100 = 117.5


def test_mad_flags_match_scipy():
    """Values 10..14 and 50: median 12.5, MAD 1.5; 50 has robust z = 37.5 / (1.4826·1.5) ≈ 16.9
    > 3.5 (Iglewicz & Hoaglin 1993). scipy.stats.median_abs_deviation(scale='normal') agrees."""
    values = np.array([10.0, 11, 12, 13, 14, 50])
    frame = pd.DataFrame({"x": values}, index=list("abcdef"))
    result = clean_customers(frame, policies={"x": {"outliers": "mad", "winsorize": True}})
    scipy_z = np.abs(values - np.median(values)) / stats.median_abs_deviation(
        values, scale="normal"
    )
    flagged = _log_rows(result, "outlier_mad")["customer"].tolist()
    assert flagged == list(frame.index[scipy_z > 3.5]) == ["f"]
    assert result.cleaned.loc["f", "x"] == pytest.approx(12.5 + 3.5 * 1.4826 * 1.5)


def test_mad_of_zero_warns_instead_of_flagging():
    frame = pd.DataFrame({"x": [5.0, 5.0, 5.0, 9.0]}, index=list("abcd"))
    with pytest.warns(DataQualityWarning, match="criterion 'x': MAD is 0"):
        result = clean_customers(frame, policies={"x": {"outliers": "mad"}})
    assert result.log.empty


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("policies", "message"),
    [
        (
            {"spend": {"mising": "median"}},
            r"policy for criterion 'spend': unknown key\(s\) \['mising'\]",
        ),
        (
            {"spend": {"missing": "mean"}},
            r"policy for criterion 'spend': missing='mean' is not one of",
        ),
        (
            {"spend": {"outliers": "zscore"}},
            r"outliers='zscore' is not one of \['none', 'iqr', 'mad', 'iqr_log', 'mad_log'\]",
        ),
        ({"spend": {"iqr_k": -1}}, r"iqr_k must be a positive number, got -1"),
        ({"spend": {"recent_months": 0}}, r"recent_months must be a positive integer"),
        ({"spend": {"missing": "zero", "nonpositive": "pending"}}, r"missing='zero' contradicts"),
        ({"spend": "median"}, r"must be a CriterionPolicy or a dict, got str"),
        ({}, r"policies must be a non-empty mapping"),
        (
            {"spend": {"missing": "recent_average"}},
            r"use missing='recent_average' but no transactions",
        ),
    ],
)
def test_bad_policies(policies, message):
    frame = pd.DataFrame({"spend": [1.0]}, index=["C1"])
    with pytest.raises(StudyError, match=message):
        clean_customers(frame, policies=policies)


def test_bad_frames():
    frame = pd.DataFrame({"id": ["C1", None], "spend": ["1", "¥1,200"]})
    with pytest.raises(
        InputDataError, match=r"criteria \['spent'\] named in policies are not columns"
    ):
        clean_customers(frame, policies={"spent": {}})
    with pytest.raises(InputDataError, match=r"customer id missing in row\(s\) \[2\]"):
        clean_customers(frame, policies={"spend": {}}, id_column="id")
    with pytest.raises(
        InputDataError, match=r"criterion column 'spend' row 2 .*'¥1,200' is not a number"
    ):
        clean_customers(frame.fillna("C2"), policies={"spend": {}}, id_column="id")
    with pytest.raises(InputDataError, match=r"name_column='nom' is not a column"):
        clean_customers(frame, policies={"spend": {}}, name_column="nom")


def test_bad_transactions():
    frame = pd.DataFrame({"spend": [np.nan]}, index=["C1"])
    policies = {"spend": {"missing": "recent_average"}}
    with pytest.raises(InputDataError, match=r"transactions: column\(s\) \['amount'\] not found"):
        clean_customers(
            frame, policies=policies, transactions=pd.DataFrame({"customer": [], "date": []})
        )
    tx = pd.DataFrame({"customer": ["C1", "C1"], "date": ["2024-01-01", "soon"], "amount": [1, 2]})
    with pytest.raises(
        InputDataError, match=r"transactions: column 'date' row 2 .*'soon' as a date"
    ):
        clean_customers(frame, policies=policies, transactions=tx)


# --------------------------------------------------------------------------- invariant


@st.composite
def _frames(draw):
    n = draw(st.integers(min_value=1, max_value=25))
    ids = draw(st.lists(st.sampled_from([f"C{i}" for i in range(12)]), min_size=n, max_size=n))
    names = draw(
        st.lists(
            st.sampled_from(
                ["Acme Ltd", "ACME", "北京甲有限公司", "北京甲", "Beta", "", None, "Gamma Co"]
            ),
            min_size=n,
            max_size=n,
        )
    )
    value = st.one_of(st.just(np.nan), st.just(0.0), st.floats(-50, 1e4, allow_nan=False))
    cols = {c: draw(st.lists(value, min_size=n, max_size=n)) for c in ("spend", "margin")}
    return pd.DataFrame({"id": ids, "name": names, **cols})


_policy = st.fixed_dictionaries(
    {
        "missing": st.sampled_from(["pending", "median", "recent_average"]),
        "nonpositive": st.sampled_from(["allow", "pending", "missing"]),
        "outliers": st.sampled_from(["none", "iqr", "mad"]),
        "winsorize": st.booleans(),
    }
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=_frames(), spend=_policy, margin=_policy, use_names=st.booleans())
def test_every_input_row_ends_up_exactly_once(frame, spend, margin, use_names):
    tx = pd.DataFrame(
        {
            "customer": ["C1", "C2", "C3"],
            "date": ["2024-01-01", "2024-02-01", "2024-02-03"],
            "amount": [5.0, -1.0, 8.0],
        }
    )
    with warnings.catch_warnings():  # MAD = 0 is frequent on random data
        warnings.simplefilter("ignore", DataQualityWarning)
        result = clean_customers(
            frame,
            policies={"spend": spend, "margin": margin},
            id_column="id",
            name_column="name" if use_names else None,
            transactions=tx,
        )
    cleaned, pending, merged = set(result.cleaned.index), set(result.pending.index), result.merged
    assert len(result.cleaned) + len(result.pending) + len(merged) == len(frame)
    summary = result.summary()
    assert summary["input"] == len(frame) == summary[["cleaned", "pending", "merged"]].sum()
    assert not cleaned & pending
    assert result.cleaned.index.is_unique and result.pending.index.is_unique
    assert set(merged["merged_into"]) <= cleaned | pending
    assert cleaned | pending | set(merged["customer"]) == set(frame["id"])
    assert merged["input_row"].is_unique
    assert not result.cleaned[["spend", "margin"]].isna().any().any()
    for col, pol in (("spend", spend), ("margin", margin)):
        if pol["nonpositive"] != "allow":
            assert (result.cleaned[col] > 0).all()


# --------------------------------------------------------------------------- name keys, Arrow path
# normalise_names reduces names of ASCII / CJK characters with Arrow (RE2) kernels and all
# other names with Python's re; the Python path (_normalise_python) is the reference.


def _safe_characters():
    ranges = [(0x00, 0x7F), (0x3000, 0x303F), (0x4E00, 0x9FFF), (0xFF01, 0xFF5E)]
    return [chr(c) for lo, hi in ranges for c in range(lo, hi + 1)]


def test_arrow_safe_characters_normalise_and_classify_as_python():
    """Every character the Arrow path accepts: NFKC + lower-casing equals Python's NFKC +
    casefold (Unicode Standard Annex #15), and the RE2 class of non-word characters equals
    Python's ``[\\W_]`` on every character the normalised text can hold."""
    import re
    import unicodedata

    import pyarrow as pa
    import pyarrow.compute as pc

    from abclab._text import _ARROW_SAFE_RE2, _NON_WORD_RE2

    chars = _safe_characters()
    arr = pa.array(chars, type=pa.large_string())
    assert pc.all(pc.match_substring_regex(arr, _ARROW_SAFE_RE2)).as_py()
    arrow = pc.utf8_lower(pc.utf8_normalize(arr, "NFKC")).to_pylist()
    python = [unicodedata.normalize("NFKC", c).casefold() for c in chars]
    assert arrow == python
    produced = sorted(set("".join(python)))
    non_word = pc.match_substring_regex(pa.array(produced, type=pa.large_string()), _NON_WORD_RE2)
    expected = [bool(re.fullmatch(r"[\W_]", c)) for c in produced]
    assert non_word.to_pylist() == expected
    assert not pc.any(
        pc.match_substring_regex(pa.array(["ß", "é", "①", "Ａ\u00a0"]), _ARROW_SAFE_RE2)
    ).as_py()


_SUFFIX_WORDS = ["有限公司", "集团", "公司", "co", "ltd", "inc", "corp", "company", "gmbh", "ag"]
_NAME_PIECES = st.one_of(
    st.sampled_from(_SUFFIX_WORDS),
    st.sampled_from([" ", ".", ",", "_", "-", "（", "）", "、", "　", "Ｃｏ", "＆"]),
    st.text(alphabet="abcoAGltdn0123华为技术客户科", min_size=1, max_size=4),
    st.sampled_from(["ß", "é", "①", "Ⅻ", "\u00a0", "İ"]),  # names that take the Python path
)


@given(st.lists(st.lists(_NAME_PIECES, max_size=7).map("".join), max_size=12))
@settings(max_examples=300)
def test_arrow_name_keys_equal_python_re(names):
    from abclab._text import _normalise_python

    series = pd.Series(names + [None], dtype=object)
    expected = _normalise_python(series.astype("str"))
    pd.testing.assert_series_equal(normalise_names(series), expected)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Acme Co Ltd", "acme"),  # a run of Latin suffixes
        ("Acme Co 有限公司", "acme"),  # Latin suffix, then a spaced Chinese one
        ("Acme co有限公司", "acmeco"),  # "co" glued to 有限公司 is no word of its own
        ("Ltd", ""),  # only a suffix
        ("Ltd Acme", "ltdacme"),  # a suffix word not at the end stays
        ("客户000123有限公司", "客户000123"),
        ("Straße GmbH", "strasse"),  # Python path (ß case-folds to ss)
    ],
)
def test_name_key_hand_cases(name, key):
    assert normalise_names(pd.Series([name])).iloc[0] == key
