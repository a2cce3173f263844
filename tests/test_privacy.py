"""PII masking: hand-made cases (PRODUCT.md: "contact columns are masked ... (138****1234)")."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from abclab.privacy import (
    _EMAIL_RE,
    _PHONE_CONTENT_RE,
    MISSING_TEXT,
    detect_pii_columns,
    is_bank_card,
    is_id_card,
    mask_address,
    mask_bank_card,
    mask_cleaning_log,
    mask_email,
    mask_frame,
    mask_id_card,
    mask_person,
    mask_phone,
)
from abclab.privacy._people import ADDRESS_RE

_STRIP = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \u3000"


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
        ("+44 20 7946 0958", "+44 20******58"),  # 10 digits: at least four hidden
        ("+49 30 1234567", "+49 30*****67"),
        ("8888 1234", "88****34"),  # an 8-digit local number
        ("010-8888-1234", "010****1234"),  # Beijing landline with area code
        ("0755-86001234", "075*****1234"),  # 12 digits: 5 masked
        ("(021) 6234 5678", "021****5678"),
        ("95588", "***88"),  # short service number: only the last two digits
        ("8001", "**01"),
        ("12", "***"),
        ("ask sales", "***"),
        # a "no value" text stays visibly missing (issue 9: '-' used to become '***')
        ("", ""),
        ("-", "-"),
        (" 暂无 ", " 暂无 "),
        ("N/A", "N/A"),
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
def test_masked_phone_keeps_its_length_and_hides_at_least_four_digits(digits):
    masked = mask_phone(digits)
    head, tail = (3, 4) if len(digits) >= 11 else (2, 2)
    assert masked[:head] == digits[:head] and masked[-tail:] == digits[-tail:]
    assert len(masked) == len(digits) and masked[head:-tail] == "*" * (len(digits) - head - tail)
    assert masked.count("*") >= 4


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

    text = [
        str(v)
        for v in values
        if not pd.isna(v) and not (isinstance(v, str) and v.strip(_STRIP) in MISSING_TEXT)
    ]
    if not text:
        return None
    for kind, rule in (
        ("email", _EMAIL_RE.match),
        ("phone", _PHONE_CONTENT_RE.match),
        ("id_card", is_id_card),
        ("bank_card", is_bank_card),
        ("address", re.compile(ADDRESS_RE).search),
    ):
        if sum(bool(rule(v)) for v in text) >= 0.5 * len(text):
            return kind
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
        "+86 12****78",  # "1 234 5678": 8 digits, four hidden
        "+852 23****89",
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


# --------------------------------------------------------------------------- ID and bank cards,
# contact persons, addresses (issue 9, item 6)

_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def _id_check(first17: str) -> str:
    """GB 11643-1999 check character, written out: "10X98765432"[Σ w_i d_i mod 11]."""
    return "10X98765432"[sum(w * int(d) for w, d in zip(_ID_WEIGHTS, first17, strict=True)) % 11]


def _luhn(digits: str) -> bool:
    """The Luhn check written out (ISO/IEC 7812-1 Annex B)."""
    total = 0
    for i, d in enumerate(reversed(digits)):
        x = int(d) * (2 if i % 2 else 1)
        total += x - 9 if x > 9 else x
    return total % 10 == 0


def test_id_card_check_character_by_hand():
    """GB 11643-1999's example 11010519491231002X: Σ w_i d_i = 7+9+0+5+0+20+2+9+24+27+7+18
    +30+5+0+0+4 = 167, 167 mod 11 = 2, and "10X98765432"[2] = "X"."""
    assert _id_check("11010519491231002") == "X"
    assert is_id_card("11010519491231002X") and is_id_card(" 11010519491231002x ")
    assert not is_id_card("110105194912310021")  # wrong check character
    assert not is_id_card("11010519491331002X")  # month 13 (check recomputed below)
    assert not is_id_card("99010519491231002" + _id_check("99010519491231002"))  # province 99
    assert not is_id_card("11010518001231002" + _id_check("11010518001231002"))  # born 1800
    assert is_id_card("110105491231002")  # the 15-digit form: province 11, born 1949-12-31
    assert not is_id_card("110105491232002")  # December 32nd
    assert not is_id_card("1101051949123100")  # 16 digits


_ID17 = st.builds(
    lambda p, y, m, d, seq: f"{p}0105{y:04d}{m:02d}{d:02d}{seq:03d}",
    st.sampled_from([11, 31, 44, 65, 81]),
    st.integers(1900, 2099),
    st.integers(1, 12),
    st.integers(1, 28),
    st.integers(0, 999),
)


@given(_ID17, st.sampled_from(list("0123456789X")))
def test_id_card_valid_exactly_with_its_check_character(first17, last):
    assert is_id_card(first17 + last) == (last == _id_check(first17))


@given(st.from_regex(r"[1-9][0-9]{11,18}", fullmatch=True))
def test_bank_card_is_luhn(digits):
    assert is_bank_card(digits) == _luhn(digits)
    grouped = " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))
    assert is_bank_card(grouped) == _luhn(digits)


@given(
    st.one_of(
        _ID17.map(lambda s: s + _id_check(s)), st.from_regex(r"[1-9][0-9]{15,18}", fullmatch=True)
    )
)
def test_masked_numbers_show_the_last_four_only(number):
    for masked in (mask_id_card(number), mask_bank_card(number)):
        assert masked.endswith(number[-4:]) and len(masked) == len(number)
        assert set(masked[:-4]) == {"*"}


def test_person_and_address_masks():
    assert mask_person("张三") == "张**" and mask_person(" 欧阳娜娜 ") == "欧**"
    assert mask_person("John  Smith") == "J**  S**"
    assert mask_address("广东省深圳市南山区科技园南区1号") == "广东省深圳市南山区***"
    assert mask_address("北京朝阳区建国路88号") == "北京朝阳区***"
    assert mask_address("内蒙古自治区呼和浩特市新城区xx路") == "内蒙古自治区呼和浩特市新城区***"
    assert mask_address("12 Baker Street, London") == "***, London"
    assert mask_address("科技园南区1号楼") == "科技园南区***"  # any "…区" reads as a district
    assert mask_address("Room 5, 88 Keji Road") == "***"  # a last part with digits: hidden
    assert mask_address("张江路1234号") == "***"


def test_missing_stays_visibly_missing_in_every_kind():
    values = pd.Series(["-", "", None, np.nan, "暂无", "N/A", " — "], dtype=object)
    for kind in ("phone", "email", "id_card", "bank_card", "person", "address"):
        out = mask_frame(pd.DataFrame({"x": values}), columns={"x": kind})["x"]
        assert out.iloc[[0, 1, 4, 5, 6]].tolist() == ["-", "", "暂无", "N/A", " — "], kind
        assert out.iloc[2] is None and np.isnan(out.iloc[3])


def test_new_kinds_detected_by_name_and_content():
    ids = ["11010519491231002X", "110105491231002"]
    frame = pd.DataFrame(
        {
            "身份证号": ["n/a", "-"],  # by name whatever the content
            "证件": ids,  # by content (check character)
            "银行账号": ["6222 0212 3456 7890", None],
            "card": ["4111 1111 1111 1111", "5500 0000 0000 0004"],  # Luhn
            "联系人": ["张三", "李四"],
            "contact_person": ["林伟", "马秀"],
            "contact": ["13812341234", "+86 139 1234 5678"],  # content beats the person hint
            "联系人电话": ["n/a", "-"],
            "注册地址": ["x", "y"],
            "where": ["上海市浦东新区张江路1234号", "12 Baker Street, London"],
            "city": ["上海市", "北京市"],  # a city is not an address
            "order_no": ["202401150000012345", "202401150000012346"],  # no valid check
        }
    )
    assert detect_pii_columns(frame) == {
        "身份证号": "id_card",
        "证件": "id_card",
        "银行账号": "bank_card",
        "card": "bank_card",
        "联系人": "person",
        "contact_person": "person",
        "contact": "phone",
        "联系人电话": "phone",
        "注册地址": "address",
        "where": "address",
    }
    masked = mask_frame(frame)
    assert masked["证件"].tolist() == ["**************002X", "***********1002"]
    assert masked["联系人"].tolist() == ["张**", "李**"]  # still two people
    assert masked["where"].tolist() == ["上海市浦东新区***", "***, London"]
    assert masked["order_no"].equals(frame["order_no"])
    assert not any(_luhn(v) for v in frame["order_no"])


def test_demo_master_contact_person_is_masked():
    """data/demo/customers.csv: contact_person (e.g. 林伟) was left in clear before."""
    path = Path(__file__).resolve().parents[1] / "data" / "demo" / "customers.csv"
    frame = pd.read_csv(path, dtype=str)
    kinds = detect_pii_columns(frame)
    assert kinds == {"contact_person": "person", "phone": "phone", "email": "email"}
    assert mask_frame(frame)["contact_person"].iloc[0] == "林**"


def test_european_contact_and_address_headers_are_detected():
    """A German distributor's export (Ansprechpartner, Anschrift, Telefon) and French and
    Spanish headers: found by the header, as 联系人 is (seen unmasked in a German export's
    workbook before)."""
    frame = pd.DataFrame(
        {
            "Ansprechpartner": ["Herr Max Beispiel", "Frau Erika Muster"],
            "Anschrift": ["Hauptstraße 1, 10115 Berlin", "Ring 2, 80331 München"],
            "Telefon": ["+49 30 1234567", "+49 89 7654321"],
            "Interlocuteur": ["Jean Dupont", "Marie Curie"],
            "Persona de contacto": ["Ana García", "Luis Pérez"],
            "Firma": ["Nordlicht GmbH", "Adler AG"],
        }
    )
    assert detect_pii_columns(frame) == {
        "Ansprechpartner": "person",
        "Anschrift": "address",
        "Telefon": "phone",
        "Interlocuteur": "person",
        "Persona de contacto": "person",
    }
    masked = mask_frame(frame)
    assert "Beispiel" not in " ".join(masked["Ansprechpartner"])


def test_tax_and_vat_numbers_are_detected_by_name_and_masked_to_their_last_four():
    """A sole trader's tax or VAT number identifies a person (the fresh-eyes review found a
    master's "Tax ID" column in clear in the workbook); a "VAT rate" criterion is no such
    column."""
    frame = pd.DataFrame({
        "Tax ID": ["DE271000000", None], "USt-IdNr.": ["DE123456789", "-"],
        "税号": ["91110108MA01ABCD2X", "91110108MA01ABCD3Y"], "VAT No.": ["GB123456789", ""],
        "VAT rate": [0.19, 0.07], "Steuernummer": ["123/456/78901", "暂无"],
    })  # fmt: skip
    kinds = detect_pii_columns(frame)
    assert kinds == {
        c: "tax_id" for c in ["Tax ID", "USt-IdNr.", "税号", "VAT No.", "Steuernummer"]
    }
    masked = mask_frame(frame, columns=kinds)
    assert masked["Tax ID"].tolist()[0] == "*******0000" and masked["Tax ID"].isna().tolist()[1]
    assert masked["税号"].tolist() == ["**************CD2X", "**************CD3Y"]
    assert masked["USt-IdNr."].tolist()[1] == "-" and masked["Steuernummer"].tolist()[1] == "暂无"
    assert masked["VAT rate"].tolist() == [0.19, 0.07]


def test_note_rows_keep_their_label_only():
    """A note under a table names staff ("Prepared by: Karl Obermaier, ext. 4711" reached
    every output before the fresh-eyes review); the report lists it by its label."""
    from abclab.privacy import mask_note

    assert mask_note("Prepared by: Karl Obermaier, Finance, ext. 4711") == "Prepared by: ***"
    assert mask_note("制表人：王芳 13812341234") == "制表人：***"
    assert mask_note("Karl Obermaier 4711") == "***"
    assert mask_note("") == "" and mask_note(None) is None
