"""Safe duplicate merges (issue 9, item 5): what is merged, what is flagged for review.

Merged automatically: the same id; names equal after normalisation (case, spaces, brackets,
full-width) with no conflicting contact; a shared phone / e-mail plus a similar name. A
legal-form difference (有限公司 vs 股份有限公司, Ltd vs PLC) or a conflicting contact is listed
in ``CleaningResult.review`` instead, and both records stay separate customers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abclab._text import legal_forms
from abclab.cleaning import REVIEW_COLUMNS, clean_customers
from abclab.cleaning._duplicates import contact_values


def _clean(names, *, phones=None, emails=None, ids=None, spend=None):
    n = len(names)
    frame = pd.DataFrame(
        {
            "id": ids or [f"KH{i:02d}" for i in range(1, n + 1)],
            "name": names,
            "phone": phones or [None] * n,
            "email": emails or [None] * n,
            "spend": spend or [100.0 * (i + 1) for i in range(n)],
        }
    )
    return clean_customers(
        frame,
        policies={"spend": {}},
        id_column="id",
        name_column="name",
        contact_columns=["phone", "email"],
    )


def test_names_differing_only_by_gufen_are_flagged_not_merged():
    """Two companies with different ids, contacts and phones whose names differ only by 股份
    (issue 9): they used to be merged automatically."""
    result = _clean(
        ["宁波恒达机械有限公司", "宁波恒达机械股份有限公司"],
        phones=["13812345678", "13987654321"],
    )
    assert result.merged.empty
    assert sorted(result.cleaned.index) == ["KH01", "KH02"]
    assert list(result.review.columns) == REVIEW_COLUMNS
    row = result.review.iloc[0]
    assert len(result.review) == 1
    # the first record (most criteria, then input order) anchors; the other is compared to it
    assert (row["customer"], row["candidate"], row["rule"]) == (
        "KH02",
        "KH01",
        "different_legal_form",
    )
    assert (row["name"], row["candidate_name"]) == (
        "宁波恒达机械股份有限公司",
        "宁波恒达机械有限公司",
    )
    assert row["evidence"] == (
        "same normalised name '宁波恒达机械'; legal form differs: '股份有限公司' vs '有限公司'; "
        "phone differs: 139****4321 vs 138****5678"
    )
    logged = result.log[result.log["rule"] == "review_different_legal_form"]
    assert logged[["customer", "new_value"]].values.tolist() == [["KH02", "KH01"]]
    assert result.summary().to_dict() == {"input": 2, "cleaned": 2, "pending": 0, "merged": 0}


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Summit Motion Ltd", "SUMMIT MOTION PLC"),
        ("Acme Inc.", "ACME LLC"),
        ("Müller GmbH", "Müller AG"),
        ("某某集团有限公司", "某某有限公司"),  # a group and its subsidiary
        ("某某集团", "某某股份有限公司"),
    ],
)
def test_legal_form_differences_are_flagged(a, b):
    result = _clean([a, b])
    assert result.merged.empty and len(result.cleaned) == 2
    assert result.review["rule"].tolist() == ["different_legal_form"]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (
            "重庆桥文电子科技有限公司",
            "重庆桥文电子科技有限责任公司",
        ),  # Company Law art. 7: one form
        ("Acme Co., Ltd.", "ACME LIMITED"),
        ("Costco Corp.", "COSTCO INC"),
        ("北京甲科技", "北京甲科技股份有限公司"),  # no suffix: an omission, not a difference
        ("桥泰自动化（宁波）有限公司", "桥泰自动化(宁波) 有限公司"),
        ("Ｃｒｅｓｔｌｉｎｅ Engineering Inc.", "crestline  engineering inc"),
    ],
)
def test_equivalent_legal_forms_merge(a, b):
    result = _clean([a, b])
    assert result.merged[["customer", "merged_into"]].values.tolist() == [["KH02", "KH01"]]
    assert result.review.empty


def test_equal_names_with_a_conflicting_contact_are_flagged():
    """Same normalised name, different e-mail: two people may run two firms of one name."""
    result = _clean(
        ["Beta Trading Ltd", "BETA TRADING LTD", "Beta Trading Ltd."],
        emails=["li@beta.cn", "WANG@other.cn", "LI@beta.cn "],
    )
    # each has one criterion, so the first row anchors; KH03's e-mail equals KH01's after
    # case folding and trimming, KH02's differs
    assert result.merged[["customer", "merged_into"]].values.tolist() == [["KH03", "KH01"]]
    row = result.review.iloc[0]
    assert (row["customer"], row["candidate"], row["rule"]) == (
        "KH02",
        "KH01",
        "conflicting_contact",
    )
    assert "email differs: W***@other.cn vs l***@beta.cn" in row["evidence"]


def test_a_missing_or_placeholder_contact_is_no_conflict():
    result = _clean(["甲公司", "甲 公司", "（甲）公司"], phones=["13812345678", None, "-"])
    assert len(result.merged) == 2 and result.review.empty
    assert result.cleaned.loc["KH01", "phone"] == "13812345678"


def test_shared_phone_and_similar_name_merge_with_a_masked_reason():
    """'Evergreen Industrial (Shanghai) Co., Ltd.' contains 'EVERGREEN INDUSTRIAL LTD' once
    normalised; the phones are one number written two ways (+86, dashes)."""
    result = _clean(
        ["Evergreen Industrial (Shanghai) Co., Ltd.", "EVERGREEN INDUSTRIAL LTD", "Other Firm"],
        phones=["+86 138-1234-5678", "13812345678", "13812345678"],
    )
    assert result.merged[["customer", "merged_into"]].values.tolist() == [["KH02", "KH01"]]
    assert result.merged["reason"].tolist() == ["same phone '138****5678' and similar name"]
    assert not result.log["reason"].str.contains("12345678").any()
    assert result.review.empty  # "Other Firm" shares the agent's phone only


def test_shared_phone_with_a_different_legal_form_is_flagged():
    result = _clean(
        ["恒达机械（宁波）有限公司", "恒达机械股份有限公司"],
        phones=["0574-8888-1234", "057488881234"],
    )
    assert result.merged.empty
    row = result.review.iloc[0]
    assert row["rule"] == "different_legal_form"
    assert row["evidence"].startswith("same phone '057*****1234' and similar name")


def test_same_id_always_merges():
    result = _clean(
        ["甲有限公司", "甲股份有限公司"], ids=["C1", "C1"], phones=["13812345678", "13912345678"]
    )
    assert len(result.merged) == 1 and result.review.empty


def test_review_names_resolve_to_kept_records():
    """Most complete first: KH01 anchors; KH03 (股份) is refused and starts its own record;
    KH02 (股份, no spend) is refused by KH01 and merged into KH03. The review list names the
    records kept, each pair once: KH03 vs KH01."""
    result = _clean(
        ["丙机械有限公司", "丙机械股份有限公司", "丙机械股份有限公司"], spend=[1.0, np.nan, 3.0]
    )
    assert result.merged[["customer", "merged_into"]].values.tolist() == [["KH02", "KH03"]]
    assert result.review[["customer", "candidate"]].values.tolist() == [["KH03", "KH01"]]


def test_contact_values_key():
    values = pd.Series(["+86 138-1234-5678", "008613812345678", " A@B.cn ", "-", None, "张 三"])
    key = contact_values(values)
    assert key.iloc[:3].tolist() == ["13812345678", "13812345678", "a@b.cn"]
    assert key.iloc[3:5].isna().all() and key.iloc[5] == "张三"


def test_legal_forms_kernel():
    forms = legal_forms(pd.Series(["甲集团股份有限公司", "Acme Co., Ltd.", "Beta", None, "乙公司"]))
    assert forms.to_dict("list") == {
        "suffix": ["集团股份有限公司", "co ltd", "", "", "公司"],
        "group": [True, False, False, False, False],
        "form": ["股份有限公司", "ltd", "", "", ""],
    }


_NAMES = ["甲有限公司", "甲股份有限公司", "甲", "Acme Ltd", "ACME PLC", "acme", "乙集团"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(_NAMES),
            st.sampled_from([None, "13812345678", "13912345678"]),
            st.sampled_from([None, 1.0, 5.0]),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_reviewed_pairs_stay_separate_customers(rows):
    names, phones, spend = (list(col) for col in zip(*rows, strict=True))
    result = _clean(names, phones=phones, spend=[np.nan if s is None else s for s in spend])
    kept = set(result.cleaned.index) | set(result.pending.index)
    assert len(result.cleaned) + len(result.pending) + len(result.merged) == len(rows)
    assert set(result.review["customer"]) | set(result.review["candidate"]) <= kept
    assert not (result.review["customer"] == result.review["candidate"]).any()
    pairs = [frozenset(p) for p in result.review[["customer", "candidate"]].values.tolist()]
    assert len(pairs) == len(set(pairs))
