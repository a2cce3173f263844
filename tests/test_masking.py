"""PII masking: hand-made cases (PRODUCT.md: "contact columns are masked ... (138****1234)")."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from abclab.report import detect_pii_columns, mask_email, mask_frame, mask_phone


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
