"""Tests for abclab.io: real files written to tmp_path, business numbers, errors.

Expected values are computed by hand from the written cells (e.g. 1200万元 = 1200 × 10⁴).
Source 003 (shared/sources/003_*.txt) writes amounts as "1200万元" and rates as "15%";
those exact strings are used below.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abclab.exceptions import DataQualityWarning, InputDataError
from abclab.io import parse_business_numbers, read_table, read_table_report

GBK_TEXT = (
    "客户编号,客户名称,年消费额,利润率,合作时长\n"
    "C2024001,甲科技有限公司,1200万元,15%,5\n"
    '"C2024002","乙贸易公司","1,500万",8.5%,3\n'
    "C2024003,丙集团,0.5亿元,#DIV/0!,2\n"
)


def _write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


# --------------------------------------------------------------------------- encodings


def test_utf8_csv(tmp_path):
    path = _write(tmp_path / "plain.csv", 'id,name,spend\n1,Zoë,"1,200"\n2,Łukasz,300\n')
    read = read_table_report(path)
    assert (read.encoding, read.sep, read.decimal) == ("utf-8", ",", ".")
    assert read.frame["name"].tolist() == ["Zoë", "Łukasz"]
    assert read.frame["spend"].tolist() == [1200.0, 300.0]
    assert read.frame["id"].tolist() == [1, 2]  # plain integers stay integers


def test_utf8_bom_is_stripped_from_first_header(tmp_path):
    path = _write(tmp_path / "bom.csv", "客户编号,年消费额\nC1,100\n", "utf-8-sig")
    read = read_table_report(path)
    assert read.encoding == "utf-8-sig"
    assert list(read.frame.columns) == ["客户编号", "年消费额"]


def test_gbk_csv_with_chinese_headers_and_wan_values(tmp_path):
    """Chinese Excel exports are GBK; GB18030 (a superset) decodes them."""
    path = _write(tmp_path / "export.csv", GBK_TEXT, "gbk")
    read = read_table_report(path)
    assert read.encoding == "gb18030"
    frame = read.frame
    assert list(frame.columns) == ["客户编号", "客户名称", "年消费额", "利润率", "合作时长"]
    assert frame["客户名称"].tolist() == ["甲科技有限公司", "乙贸易公司", "丙集团"]
    # 1200万元 = 1.2e7, "1,500万" = 1.5e7, 0.5亿元 = 5e7
    assert frame["年消费额"].tolist() == [12_000_000.0, 15_000_000.0, 50_000_000.0]
    assert frame["利润率"].iloc[:2].tolist() == [0.15, 0.085]
    assert math.isnan(frame["利润率"].iloc[2])
    assert read.numeric_columns == ("年消费额", "利润率", "合作时长")
    # side by side with pandas told the encoding: same text cells
    peer = pd.read_csv(path, encoding="gbk", dtype=str)
    assert frame["客户编号"].tolist() == peer["客户编号"].tolist()


def test_conversions_are_counted_per_column_and_rule(tmp_path):
    path = _write(tmp_path / "export.csv", GBK_TEXT, "gbk")
    frame = read_table(path)
    got = frame.attrs["conversions"].set_index(["column", "rule"])["count"].to_dict()
    assert got == {
        ("年消费额", "thousands_separator"): 1,  # "1,500万"
        ("年消费额", "currency"): 2,  # 元 in 1200万元 and 0.5亿元
        ("年消费额", "wan"): 2,
        ("年消费额", "yi"): 1,
        ("利润率", "excel_error"): 1,
        ("利润率", "percent"): 2,
    }


def test_semicolon_and_decimal_comma(tmp_path):
    text = "Kunde;Umsatz;Anteil\nA;1.234,56;12,5%\nB;12,5;3\nC;€ 2.000;0,5\n"
    read = read_table_report(_write(tmp_path / "de.csv", text))
    assert (read.sep, read.decimal) == (";", ",")
    assert read.frame["Umsatz"].tolist() == [1234.56, 12.5, 2000.0]
    assert read.frame["Anteil"].tolist() == [0.125, 3.0, 0.5]


def test_tab_separated_utf16_as_excel_unicode_text(tmp_path):
    read = read_table_report(_write(tmp_path / "u.txt", "name\tspend\nA\t1,200\n", "utf-16"))
    assert (read.encoding, read.sep) == ("utf-16", "\t")
    assert read.frame["spend"].tolist() == [1200.0]


def test_fallback_detector_for_other_encodings(tmp_path):
    """cp1252 bytes are neither UTF-8 nor GB18030; charset-normalizer decodes them."""
    text = "Kunde;Umsatz\nCafé Müller;1.234,56\nBäckerei Größe;12,5\n"
    read = read_table_report(_write(tmp_path / "latin.csv", text, "cp1252"))
    assert read.frame["Kunde"].tolist() == ["Café Müller", "Bäckerei Größe"]
    assert read.frame["Umsatz"].tolist() == [1234.56, 12.5]


def test_explicit_encoding_and_separator(tmp_path):
    path = _write(tmp_path / "x.csv", "a|b\n1|2\n", "utf-8")
    assert read_table(path, sep="|", encoding="ascii").to_dict("list") == {"a": [1], "b": [2]}


# --------------------------------------------------------------------------- xlsx, parquet


def test_xlsx_two_sheets_by_name_and_index(tmp_path):
    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame({"id": ["C1", "C2"], "spend": ["¥1,200", "#N/A"]}).to_excel(
            writer, sheet_name="customers", index=False
        )
        pd.DataFrame({"id": ["C1"], "rate": ["15%"]}).to_excel(
            writer, sheet_name="rates", index=False
        )
    first = read_table(path)
    assert first["spend"].iloc[0] == 1200.0 and math.isnan(first["spend"].iloc[1])
    for sheet in ("rates", 1, -1):
        assert read_table(path, sheet=sheet)["rate"].tolist() == [0.15]
    read = read_table_report(path, sheet="customers")
    assert read.encoding is None and read.sheet == "customers"
    with pytest.raises(
        InputDataError, match=r"book\.xlsx: no sheet 'nope'; sheets are \['customers', 'rates'\]"
    ):
        read_table(path, sheet="nope")
    with pytest.raises(InputDataError, match="no sheet 5"):
        read_table(path, sheet=5)


def _workbook_with_formulas(path, *, cached: bool) -> None:
    """A sheet with a formula in a data row and in its total row, written by openpyxl (which
    stores formulas without results); ``cached``: the data row's result put in, as Excel
    saves it."""
    import re
    import zipfile

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Kunden"
    for row in (["Kunde", "Umsatz", "Menge", "Preis"], ["K1", "=C2*D2", 2, 5.0],
                ["K2", 30, 3, 10.0], ["Summe", "=SUM(B2:B3)", None, None]):  # fmt: skip
        sheet.append(row)
    book.save(path)
    if cached:
        with zipfile.ZipFile(path) as archive:
            parts = {name: archive.read(name) for name in archive.namelist()}
        xml = "xl/worksheets/sheet1.xml"
        parts[xml] = re.sub(rb"(<c r=\"B2\"[^>]*>)<f>C2\*D2</f>(<v\s*/>|<v></v>)?",
                            rb"\1<f>C2*D2</f><v>10</v>", parts[xml])  # fmt: skip
        assert b"<v>10</v>" in parts[xml]
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in parts.items():
                archive.writestr(name, data)


def test_xlsx_formula_without_a_computed_value_is_an_error_naming_the_cell(tmp_path):
    """A formula cell with no stored result would read as empty (a customer's spend lost);
    the error names the sheet, the cell and the formula. The same formula in the total row
    (set aside) is no error; with the result stored, the value is read."""
    path = tmp_path / "export.xlsx"
    _workbook_with_formulas(path, cached=False)
    with pytest.raises(InputDataError, match=r"export\.xlsx, sheet 'Kunden', cell B2: the "
                       r"formula =C2\*D2 has no computed value.*save it again"):  # fmt: skip
        read_table(path)
    _workbook_with_formulas(path, cached=True)
    report = read_table_report(path)
    assert report.frame["Umsatz"].tolist() == [10, 30]
    assert report.dropped["kind"].tolist() == ["total"]


def test_xlsx_date_cells_stay_dates(tmp_path):
    """Excel date cells are dates, not numbers: an XLSX transaction log keeps its dates (they
    used to become -9.2e18 with a DataQualityWarning)."""
    days = pd.to_datetime(["2023-01-01", "2023-02-03", "2024-12-31"])
    frame = pd.DataFrame({"客户": ["a", "b", "c"], "日期": days, "金额": [1.5, 2.0, 3.25]})
    path = tmp_path / "log.xlsx"
    frame.to_excel(path, index=False)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)
        got = read_table(path)
    assert pd.api.types.is_datetime64_any_dtype(got["日期"])
    assert list(got["日期"]) == list(days)
    assert got["金额"].tolist() == [1.5, 2.0, 3.25]


def test_xlsx_mixed_numbers_and_text_cells(tmp_path):
    path = tmp_path / "mixed.xlsx"
    pd.DataFrame({"spend": [1500, "1200万元", 3.5, None]}).to_excel(path, index=False)
    assert read_table(path)["spend"].tolist()[:3] == [1500.0, 12_000_000.0, 3.5]


def test_parquet(tmp_path):
    path = tmp_path / "t.parquet"
    pd.DataFrame(
        {"id": ["C1", "C2"], "spend": [1.5, 2.0], "text_amount": ["1,200", "(300)"]}
    ).to_parquet(path)
    frame = read_table(path)
    assert frame["spend"].tolist() == [1.5, 2.0]
    assert frame["text_amount"].tolist() == [1200.0, -300.0]


# --------------------------------------------------------------------------- business numbers


@pytest.mark.parametrize(
    ("cell", "expected", "rule"),
    [
        ("1,200", 1200.0, "thousands_separator"),
        ("1,234,567.5", 1234567.5, "thousands_separator"),
        ("¥1,200", 1200.0, "currency"),
        ("￥1,200", 1200.0, "currency"),
        ("$1,234.50", 1234.5, "currency"),
        ("€99", 99.0, "currency"),
        ("1,200元", 1200.0, "currency"),
        ("15%", 0.15, "percent"),
        ("-2.5%", -0.025, "percent"),
        ("1200万元", 12_000_000.0, "wan"),
        ("3万", 30_000.0, "wan"),
        ("1.2亿", 120_000_000.0, "yi"),
        ("2亿元", 200_000_000.0, "yi"),
        ("(300)", -300.0, "parentheses_negative"),
        ("(¥1,200.50)", -1200.5, "parentheses_negative"),
        ("１２００", 1200.0, "fullwidth"),
        ("（３００）", -300.0, "fullwidth"),
        ("#DIV/0!", math.nan, "excel_error"),
        ("#N/A", math.nan, "excel_error"),
        ("#VALUE!", math.nan, "excel_error"),
        ("#REF!", math.nan, "excel_error"),
        ("#NAME?", math.nan, "excel_error"),
        ("#NUM!", math.nan, "excel_error"),
        ("#NULL!", math.nan, "excel_error"),
        ("", math.nan, "blank"),
        ("   ", math.nan, "blank"),
        ("--", math.nan, "missing_marker"),
        ("NULL", math.nan, "missing_marker"),
    ],
)
def test_business_number_rules(cell, expected, rule):
    values, counts = parse_business_numbers(pd.Series([cell, "7"]))
    got = values.iloc[0]
    assert (math.isnan(got) and math.isnan(expected)) or got == expected
    assert values.iloc[1] == 7.0
    assert counts[rule] == 1


def test_plain_numbers_count_no_rule_and_mixed_objects_pass_through():
    values, counts = parse_business_numbers(pd.Series(["12", "-3.5", "1e3", ".5"]))
    assert values.tolist() == [12.0, -3.5, 1000.0, 0.5] and counts == {}
    values, counts = parse_business_numbers(pd.Series([2, 2.5, "3万", None], dtype=object))
    assert values.iloc[:3].tolist() == [2.0, 2.5, 30000.0] and counts == {"wan": 1, "blank": 1}


def test_decimal_comma_parsing():
    values, counts = parse_business_numbers(pd.Series(["1.234,56", "12,5", "€1.000"]), decimal=",")
    assert values.tolist() == [1234.56, 12.5, 1000.0]
    assert counts == {"thousands_separator": 2, "decimal_comma": 2, "currency": 1}


@pytest.mark.parametrize("cell", ["12x", "(300", "1,2,3", "15%万", "--5", "(-3)", "¥5€"])
def test_unparseable_cells_raise(cell):
    with pytest.raises(InputDataError, match=r"column 'spend' row 2 \(1-based position"):
        parse_business_numbers(pd.Series(["1", cell]), column="spend")


@settings(max_examples=200, deadline=None)
@given(
    x=st.floats(min_value=-1e12, max_value=1e12, allow_nan=False),
    currency=st.sampled_from(["", "¥", "$", "€", "￥"]),
    parentheses=st.booleans(),
    yuan=st.booleans(),
)
def test_formatting_then_parsing_round_trips(x, currency, parentheses, yuan):
    """Format with thousands separators, currency and a negative style; parse it back."""
    body = f"{currency}{abs(x):,.2f}{'元' if yuan and not currency else ''}"
    negative = x < 0 and float(f"{abs(x):.2f}") != 0
    cell = (f"({body})" if parentheses else f"-{body}") if negative else body
    values, _ = parse_business_numbers(pd.Series([cell]))
    magnitude = float(f"{abs(x):.2f}")
    assert values.iloc[0] == (-magnitude if negative else magnitude)
    # and the European form of the same number with decimal=","
    euro = f"{abs(x):,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    back, _ = parse_business_numbers(pd.Series([euro]), decimal=",")
    assert back.iloc[0] == float(f"{abs(x):.2f}")


def test_parsing_is_vectorised_over_a_large_column():
    x = np.random.default_rng(0).uniform(-1e6, 1e6, 20_000).round(2)
    cells = pd.Series([f"¥{v:,.2f}" if v >= 0 else f"({-v:,.2f})" for v in x])
    values, counts = parse_business_numbers(cells)
    np.testing.assert_array_equal(values.to_numpy(), x)
    assert counts["currency"] == int((x >= 0).sum())


# --------------------------------------------------------------------------- column choice


def test_auto_detection_threshold_and_codes(tmp_path):
    rows = [
        f"{i:03d},{v},{t}"
        for i, v, t in zip(
            range(1, 11), ['"1,000"'] * 9 + ["12x"], ["a"] * 8 + ["1"] * 2, strict=True
        )
    ]
    path = _write(tmp_path / "auto.csv", "code,spend,mostly_text\n" + "\n".join(rows) + "\n")
    with pytest.warns(
        DataQualityWarning,
        match=r"auto\.csv: column 'spend': 1 cell\(s\).*row 11 of the file.*'12x'",
    ):
        read = read_table_report(path)
    assert read.frame["code"].tolist()[:2] == ["001", "002"]  # leading zeros: kept as text
    assert read.frame["spend"].iloc[:9].eq(1000.0).all() and math.isnan(read.frame["spend"].iloc[9])
    assert read.frame["mostly_text"].tolist()[-1] == "1"  # 2/10 numbers < 90 %: text
    conv = read.conversions.set_index(["column", "rule"])["count"]
    assert conv[("spend", "unparseable")] == 1 and conv[("spend", "thousands_separator")] == 9


def test_numeric_list_converts_only_those_and_names_the_bad_row(tmp_path):
    text = (
        "客户编号,年消费额,备注\n"
        + "".join(f"C{i},{i}00万,x\n" for i in range(1, 7))
        + "C7,12x,y\n"
    )
    path = _write(tmp_path / "sales.csv", text, "gbk")
    with pytest.raises(
        InputDataError,
        match=r"sales\.csv: column '年消费额' row 8 of the file: cannot read '12x' as a number "
        r"\(expected e\.g\. 1,200",
    ):
        read_table(path, numeric=["年消费额"])
    frame = read_table(path, numeric=[])
    assert frame["年消费额"].iloc[0] == "100万"


def test_rename_maps_client_names_including_fullwidth_variants(tmp_path):
    path = _write(tmp_path / "m.csv", "客户编号,年消费额（万元）,利润率\nC1,1200,15%\n", "gbk")
    frame = read_table(
        path,
        rename={"客户编号": "customer", "年消费额(万元)": "annual_spend"},
        numeric=["annual_spend"],
    )
    assert list(frame.columns) == ["customer", "annual_spend", "利润率"]
    assert frame["annual_spend"].tolist() == [1200.0] and frame["利润率"].tolist() == ["15%"]


# --------------------------------------------------------------------------- bad input


def test_rename_of_missing_column_names_file_and_available_columns(tmp_path):
    path = _write(tmp_path / "sales.csv", GBK_TEXT, "gbk")
    with pytest.raises(
        InputDataError,
        match=r"sales\.csv: mapped column\(s\) \['年采购额'\] not found; available columns: "
        r"\['客户编号', '客户名称', '年消费额', '利润率', '合作时长'\]",
    ):
        read_table(path, rename={"年采购额": "annual_spend"})


def test_rename_onto_existing_column_is_refused(tmp_path):
    path = _write(tmp_path / "c.csv", "a,b\n1,2\n")
    with pytest.raises(
        InputDataError, match=r"c\.csv: renaming would duplicate existing column\(s\) \['b'\]"
    ):
        read_table(path, rename={"a": "b"})


def test_unknown_numeric_column(tmp_path):
    path = _write(tmp_path / "c.csv", "a,b\n1,2\n")
    with pytest.raises(InputDataError, match=r"c\.csv: numeric column\(s\) \['z'\] not found"):
        read_table(path, numeric=["z"])


@pytest.mark.parametrize(
    ("name", "content", "options", "message"),
    [
        ("data.xls", b"x", {}, r"data\.xls: unknown file type '\.xls'; expected one of"),
        ("empty.csv", b"  \n", {}, r"empty\.csv: the file is empty"),
        (
            "gbk.csv",
            "名,额\n甲,1\n".encode("gbk"),
            {"encoding": "utf-8"},
            r"gbk\.csv: cannot decode as 'utf-8'",
        ),
        ("bad.xlsx", b"not a zip", {}, r"bad\.xlsx: cannot open as an XLSX workbook"),
        ("bad.parquet", b"nope", {}, r"bad\.parquet: cannot read as Parquet"),
        (
            "ragged.csv",
            b"a,b\n1,2\n1,2,3,4\n",
            {"sep": ","},
            r"ragged\.csv: row 3 has a value in column 3, which has no header",
        ),
    ],
)
def test_bad_files(tmp_path, name, content, options, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputDataError, match=message):
        read_table(path, **options)


def test_missing_file_and_unknown_option(tmp_path):
    with pytest.raises(InputDataError, match=r"nothere\.csv: file not found"):
        read_table(tmp_path / "nothere.csv")
    path = _write(tmp_path / "c.csv", "a\n1\n")
    with pytest.raises(InputDataError, match=r"unknown option\(s\) \['sheet_name'\]"):
        read_table(path, sheet_name=0)
    with pytest.raises(InputDataError, match="decimal must be"):
        read_table(path, decimal=";")


def test_duplicate_header_is_an_error(tmp_path):
    """pandas would rename a repeated header to 'margin.1' and the second column would be
    ignored or mistaken; abclab refuses it and names both positions."""
    path = tmp_path / "dup.csv"
    path.write_text("id,margin,margin\nc1,0.1,0.2\n", encoding="utf-8")
    with pytest.raises(
        InputDataError, match=r"dup.csv: column header 'margin' occurs twice \(columns 2 and 3\)"
    ):
        read_table(path)
    book = tmp_path / "dup.xlsx"
    pd.DataFrame([["c1", 0.1, 0.2]]).to_excel(book, header=["id", "spend", "spend"], index=False)
    with pytest.raises(InputDataError, match=r"dup.xlsx: column header 'spend' occurs twice"):
        read_table(book)


def test_phone_numbers_stay_text(tmp_path):
    """11-digit mobiles (with blanks) and a column named 电话 are contact data, not amounts:
    they stay strings, never 1.38e10 or '13800000009.0'."""
    path = tmp_path / "contacts.csv"
    path.write_text(
        "id,mobile_no,电话,spend\nc1,13800000009,010-1234567,1200\nc2,,13912345678,15\n"
        "c3,+8613700000000,,3\n",
        encoding="utf-8",
    )
    frame = read_table(path)
    assert frame["mobile_no"].tolist()[0] == "13800000009"
    assert frame["电话"].tolist()[1] == "13912345678"
    assert frame["spend"].tolist() == [1200, 15, 3]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_detected(tmp_path, encoding):
    """Excel's "Unicode text" export on some systems: UTF-16 without a byte-order mark."""
    path = tmp_path / "u16.csv"
    path.write_bytes("客户编号,年消费额\nC1,100万\nC2,15%\n".encode(encoding))
    read = read_table_report(path)
    assert read.encoding == encoding
    assert read.frame["年消费额"].tolist() == [1_000_000.0, 0.15]
