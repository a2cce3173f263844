"""PII masking: hand-made cases (PRODUCT.md: "contact columns are masked ... (138****1234)")."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from abclab.privacy import (
    _EMAIL_RE,
    _PHONE_CONTENT_RE,
    detect_pii_columns,
    mask_cleaning_log,
    mask_email,
    mask_frame,
    mask_phone,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812341234", "138****1234"),  # the PRODUCT.md example shape
        ("138-1234-1234", "138****1234"),
        ("138 1234 1234", "138****1234"),
        (13812341234, "138****1234"),  # read as an integer column
        (13812341234.0, "138****1234"),  # ... or as floats (a column with gaps)
        ("13812341234.0", "138****1234"),
        ("+86 138 1234 5678", "+86 138****5678"),
        ("+8613812345678", "+86 138****5678"),
        ("0086-13812345678", "0086 138****5678"),
        ("+44 20 7946 0958", "+44 207***0958"),
        ("010-8888-1234", "010****1234"),  # Beijing landline with area code
        ("0755-86001234", "075*****1234"),  # 12 digits: 5 masked
        ("(021) 6234 5678", "021****5678"),
        ("95588", "***88"),  # short service number: only the last two digits
        ("8001", "**01"),
        ("12", "***"),
        ("", "***"),
    ],
)
def test_mask_phone_hand_cases(raw, expected):
    assert mask_phone(raw) == expected


def test_mask_phone_and_email_keep_missing():
    assert mask_phone(None) is None
    assert np.isnan(mask_phone(np.nan))
    assert mask_email(pd.NA) is pd.NA


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("zhang.san@example.com", "z***@example.com"),
        ("  Li@sub.example.com.cn ", "L***@sub.example.com.cn"),
        ("a@b.cn", "a***@b.cn"),
        ("not an address", "***"),
        ("two@@signs.com", "***"),
    ],
)
def test_mask_email_hand_cases(raw, expected):
    assert mask_email(raw) == expected


@given(st.from_regex(r"[1-9][0-9]{7,15}", fullmatch=True))
def test_masked_phone_keeps_first3_last4_and_length(digits):
    masked = mask_phone(digits)
    assert masked[:3] == digits[:3] and masked[-4:] == digits[-4:]
    assert len(masked) == len(digits) and masked[3:-4] == "*" * (len(digits) - 7)


def test_detect_by_name_and_content():
    frame = pd.DataFrame(
        {
            "联系电话": ["n/a", "ask sales"],  # by name, whatever the content
            "手机": ["13812341234", "13912345678"],
            "E-mail": ["x@y.com", None],
            "邮箱地址": ["a@b.cn", "c@d.cn"],
            "contact": ["13812341234", "+86 139 1234 5678"],  # by content only
            "backup": ["010-8888-1234", "0755-86001234"],  # landlines by content
            "mail_to": ["p@q.com", "r@s.org"],  # by content
            "hotel": ["Hilton", "Hyatt"],  # "tel" inside a word is not a phone column
            "annual_spend": [13812341234.0, 2.0],  # numbers are never detected by content
            "customer_id": ["10000001", "10000002"],  # ids are not phone-shaped
        }
    )
    assert detect_pii_columns(frame) == {
        "联系电话": "phone",
        "手机": "phone",
        "E-mail": "email",
        "邮箱地址": "email",
        "contact": "phone",
        "backup": "phone",
        "mail_to": "email",
    }


def test_mask_frame_masks_only_contact_columns():
    frame = pd.DataFrame(
        {
            "name": ["<b>张三</b>", "Li"],
            "phone": ["13812341234", None],
            "email": ["zs@x.cn", "li@y.com"],
        },
        index=pd.Index(["C1", "C2"], name="customer"),
    )
    out = mask_frame(frame)
    assert out["phone"].iloc[0] == "138****1234" and pd.isna(out["phone"].iloc[1])
    assert out["email"].tolist() == ["z***@x.cn", "l***@y.com"]
    pd.testing.assert_series_equal(out["name"], frame["name"])
    assert frame.loc["C1", "phone"] == "13812341234"  # input untouched
    with pytest.raises(KeyError, match="column 'fax' is not in the table"):
        mask_frame(frame, columns={"fax": "phone"})
    assert mask_frame(frame, columns={}).equals(frame)


def test_content_detection_needs_a_majority():
    frame = pd.DataFrame({"notes": ["13812341234", "call back", "VIP", "n/a"]})
    assert detect_pii_columns(frame) == {}


# --------------------------------------------------------------------------- whole columns
# mask_frame / detect_pii_columns work on whole columns (Arrow kernels on ASCII text, the
# scalar functions on the rest); the scalar functions above are the reference.

_CONTACT_TEXT = st.text(
    alphabet=st.sampled_from(list("0123456789+-() .@abcxyz\t\n\x0b\x1c０１８张")), max_size=22
)
_PHONE_SHAPED = st.from_regex(
    r"\s?(\+86|0086|\+44|00852)?[ \-]?1[3-9][0-9][ \-]?[0-9]{4}[ \-]?[0-9]{4}(\.0)?\s?",
    fullmatch=True,
)
_EMAIL_SHAPED = st.from_regex(r"\s?[a-z0-9._]{1,6}@[a-z0-9\-]{1,6}\.[a-z]{2,4}\s?", fullmatch=True)


def _same(got, expected):
    return all(
        (pd.isna(g) and pd.isna(e)) if not isinstance(e, str) else g == e
        for g, e in zip(got, expected, strict=True)
    )


@given(st.lists(st.one_of(_CONTACT_TEXT, _PHONE_SHAPED, _EMAIL_SHAPED, st.none()), max_size=30))
def test_mask_frame_equals_scalar_functions_value_by_value(values):
    frame = pd.DataFrame({"phone": pd.Series(values, dtype=object), "email": values})
    frame["text"] = frame["phone"].astype("str")  # the pandas default string dtype
    out = mask_frame(frame, columns={"phone": "phone", "email": "email", "text": "phone"})
    assert _same(out["phone"].tolist(), [mask_phone(v) for v in values])
    assert _same(out["email"].tolist(), [mask_email(v) for v in values])
    assert _same(out["text"].tolist(), [mask_phone(v) for v in frame["text"].tolist()])


@given(
    st.lists(
        st.one_of(
            st.none(),
            st.floats(allow_nan=True, allow_infinity=True),
            st.integers(min_value=0, max_value=10**12).map(float),
        ),
        max_size=20,
    )
)
def test_mask_frame_float_columns_equal_scalar(values):
    frame = pd.DataFrame({"tel": pd.Series(values, dtype=float)})
    out = mask_frame(frame, columns={"tel": "phone"})
    assert _same(out["tel"].tolist(), [mask_phone(v) for v in frame["tel"].tolist()])


def _scalar_kind(values):
    """Content rule of ``detect_pii_columns`` written value by value (the reference)."""

    text = [str(v) for v in values if not pd.isna(v)]
    if not text:
        return None
    if sum(bool(_EMAIL_RE.match(v)) for v in text) >= 0.5 * len(text):
        return "email"
    if sum(bool(_PHONE_CONTENT_RE.match(v)) for v in text) >= 0.5 * len(text):
        return "phone"
    return None


@given(st.lists(st.one_of(_CONTACT_TEXT, _PHONE_SHAPED, _EMAIL_SHAPED, st.none()), max_size=20))
def test_content_detection_equals_value_by_value_rule(values):
    frame = pd.DataFrame({"notes": pd.Series(values, dtype=object)})
    expected = _scalar_kind(values)
    assert detect_pii_columns(frame) == ({} if expected is None else {"notes": expected})
    as_str = frame.astype({"notes": "str"})
    assert detect_pii_columns(as_str) == detect_pii_columns(frame)


def test_non_ascii_values_follow_python_rules():
    """Python's ``\\d`` takes full-width digits and ``\\s`` takes U+001C..U+001F and U+3000;
    such values are masked exactly as the scalar functions mask them."""
    values = [
        "１３８１２３４５６７８",
        "\u3000138 1234 5678\u3000",
        "\x1c13812345678",
        "张三@例子.中国",
    ]
    frame = pd.DataFrame({"contact": values})
    out = mask_frame(frame, columns={"contact": "phone"})
    assert out["contact"].tolist() == ["１３８****５６７８", "138****5678", "138****5678", "***"]
    assert mask_frame(frame, columns={"contact": "email"})["contact"].iloc[3] == "张***@例子.中国"
    assert detect_pii_columns(frame) == {"contact": "phone"}  # 3 of 4 are phones


def test_country_prefix_alternatives_in_written_order():
    # "+86" is tried before "+<1-3 digits> separator", as in the scalar pattern
    frame = pd.DataFrame({"tel": ["+861 234 5678", "+852-2345-6789", "+1234 5678 9012"]})
    assert mask_frame(frame, columns={"tel": "phone"})["tel"].tolist() == [
        "+86 123*5678",  # "1 234 5678": 8 digits
        "+852 234*6789",
        "123*****9012",
    ]


def test_mask_cleaning_log_masks_contact_rows_only():

    log = pd.DataFrame(
        {
            "customer": ["C1", "C1", "C2", "C3"],
            "column": ["phone", "email", "annual_spend", "phone"],
            "old_value": [np.nan, None, 120.0, "13812341234"],
            "new_value": ["13912345678", "zs@x.cn", 130.0, "13712345678"],
            "rule": ["duplicate_fill", "duplicate_fill", "winsorise", "duplicate_conflict"],
            "reason": ["", "", "", ""],
        },
        dtype=object,
    )
    out = mask_cleaning_log(log, {"phone": "phone", "email": "email"})
    assert out["new_value"].tolist() == ["139****5678", "z***@x.cn", 130.0, "137****5678"]
    assert pd.isna(out["old_value"].iloc[0]) and out["old_value"].iloc[0] is not None
    assert out["old_value"].iloc[1] is None and out["old_value"].iloc[2] == 120.0
    assert out["old_value"].iloc[3] == "138****1234"
    assert log["new_value"].iloc[0] == "13912345678"  # input untouched
    assert mask_cleaning_log(log, {}).equals(log)
    with pytest.raises(KeyError, match="no 'column' column"):
        mask_cleaning_log(log.drop(columns="column"), {"phone": "phone"})
