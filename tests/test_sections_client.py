"""The client's report: the executive layer built from the numbers, no machine paths, the
issue-9 accounting tables, the customer list, the number style and complete Chinese."""

from __future__ import annotations

import dataclasses
import html
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from abclab.report import sections

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo" / "study.yaml"
DEMO_ZH = ROOT / "data" / "demo" / "study_zh.yaml"
ALL = (
    "title", "contents", "executive_summary", "data_quality", "weights", "method_summaries",
    "pareto_lorenz", "agreement", "disputed", "value_potential", "clusters", "sensitivity",
    "migration", "customer_base", "customers", "appendix",
)  # fmt: skip


@pytest.fixture(scope="module")
def en():
    from abclab.pipeline import run_study

    return run_study(DEMO)


@pytest.fixture(scope="module")
def zh():
    from abclab.pipeline import run_study

    return run_study(DEMO_ZH)


def _render(results, language):
    ctx = sections.context(results, language=language)
    return {name: getattr(sections, name)(ctx) for name in ALL}


# --------------------------------------------------------------------------- number style


def test_number_style_is_the_one_of_format():
    """The sections' number style is abclab.report._format's: the old local helpers
    (money_text, percent_text, ...) are gone, the same values read the same."""
    from abclab.report import _format as f
    from abclab.report.sections import _context

    for old in ("money_text", "percent_text", "count_text", "number_text", "judgement_text"):
        assert not hasattr(_context, old)
    assert [f.format_judgement(x) for x in (3, 1 / 3, 1, 1 / 9, 2.2974)] == [
        "3", "1/3", "1", "1/9", "2.30"
    ]  # fmt: skip
    assert f.format_money(144_467_921.57) == "144,467,922"
    assert f.format_money(144_467_921.57, compact=True, language="zh") == "1.44亿"
    assert f.format_money(431_000, compact=True, language="zh") == "43.1万"
    assert f.format_percent(0.7105, decimals=0) == "71%" and f.format_percent(0.7115) == "71.2%"
    assert f.format_count(12345) == "12,345"
    assert f.format_number(0.12345) == "0.123" and f.format_number(12345.6) == "12,346"


def test_criterion_columns_use_the_format_functions(en):
    from abclab.report.sections._context import criterion_formatter

    money = criterion_formatter(en, "annual_spend", "en")
    assert money(1234567.8) == "1,234,568" and money(float("nan")) == "–"
    zh_money = criterion_formatter(en, "annual_spend", "zh")
    assert zh_money(431_000) == "43.1万"


def test_ahp_matrices_show_judgements_as_fractions(en):
    section = sections.weights(sections.context(en))
    shown = section.tables[0].to_text_frame()
    assert "1/2" in shown.to_numpy() and "0.5" not in shown.to_numpy()


# --------------------------------------------------------------------------- executive layer


def test_recommendation_sentence_is_built_from_the_numbers(en):
    facts = sections.recommendation_facts(en)
    rec = en.recommended
    expected = en.agreement.percent.loc[rec].drop(rec).dropna()
    assert facts["mean_agreement"] == pytest.approx(expected.mean())
    assert facts["closest"] == expected.idxmax()
    per = en.sensitivity.per_customer["stability"]
    assert facts["stability"] == pytest.approx(per.mean())
    assert facts["cr"] == pytest.approx(en.ahp_group.cr)
    text = sections.executive_summary(sections.context(en)).paragraphs[1]
    assert f"on {expected.mean():.0%} of customers" in text
    assert f"{per.mean():.1%}" in text and f"CR = {en.ahp_group.cr:.2f}" in text
    assert f"{int((per < 0.8).sum())} customers change tier" in text


def test_executive_layer_names_the_largest_top_tier_accounts(en):
    section = sections.executive_summary(sections.context(en))
    tiers = en.tiers[en.recommended].loc[en.criteria.index]
    top = en.criteria.loc[tiers == "A", "annual_spend"].nlargest(5).index
    names = [str(en.display_names[c]) for c in top]
    sentence = next(p for p in section.paragraphs if p.startswith("The largest"))
    assert all(name in sentence for name in names)
    first = section.tables[0]
    assert list(first.frame.index[:5]) == list(top)


def test_executive_layer_lists_movers_at_risk_and_what_to_confirm(en):
    ctx = sections.context(en)
    moved = sections.movers(en)
    # movers: between graded tiers only; previously pending (D -> B/C) were newly graded
    graded = en.migration.loc[["A", "B", "C"], ["A", "B", "C"]].to_numpy()
    assert len(moved) == int(graded.sum() - graded.trace()) == 28
    assert int((moved["steps"] > 0).sum()) == int(graded[1:, 0].sum() + graded[2, 1]) == 17
    assert set(moved["current"]) <= {"A", "B", "C"}
    section = sections.executive_summary(ctx)
    text = " ".join(section.paragraphs)
    up = int((moved["steps"] > 0).sum())
    assert f"{up} customers moved up" in text
    items = sections.confirmation_items(ctx)
    assert any("Finance director" in i and "0.11" in i for i in items)
    assert any("invoice line" in i for i in items)  # the demo's one flagged line
    flags = sections.account_flags(en, "en")
    assert flags[en.clean.flagged_lines["customer"].iloc[0]].find("flagged invoice line") >= 0


# --------------------------------------------------------------------------- audience


def test_client_sections_hold_no_machine_paths_hashes_timings_or_versions(en):
    markup = "".join(s._repr_html_() for s in _render(en, "en").values())
    text = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r'src="data:[^"]+"', "", markup)))
    assert str(ROOT) not in text and str(DEMO.parent) not in text
    assert not re.search(r"\b[0-9a-f]{64}\b", text)  # SHA-256
    for word in (
        "SHA-256",
        "site-packages",
        "Package versions",
        "Seconds",
        "check it with the client",
    ):
        assert word not in text
    assert "before sending the report" not in text


# --------------------------------------------------------------------------- issue 9 tables


def test_data_quality_shows_set_aside_unmatched_flagged_review_and_returns(zh):
    data = dataclasses.replace(
        zh.data,
        set_aside=pd.DataFrame(
            {"file": ["/x/c.csv"], "row": [99], "kind": ["total"], "content": ["合计 | 123"]}
        ),
        unmatched=pd.DataFrame(
            {
                "customer_id": ["X99"], "lines": [3], "amount": [12_345.0],
                "first_purchase": [pd.Timestamp("2024-01-02")],
                "last_purchase": [pd.Timestamp("2024-03-04")],
            }
        ),
    )  # fmt: skip
    review = pd.DataFrame(
        {
            "customer": ["C0001"], "name": ["甲有限公司"], "candidate": ["C0002"],
            "candidate_name": ["甲股份有限公司"], "rule": ["different_legal_form"],
            "evidence": ["same normalised name '甲'; legal form differs: '股份有限公司' vs '有限公司'"],
        }
    )  # fmt: skip
    results = dataclasses.replace(
        zh, data=data, clean=dataclasses.replace(
            zh.clean, cleaning=dataclasses.replace(zh.cleaning, review=review))
    )  # fmt: skip
    section = sections.data_quality(sections.context(results))
    markup = section._repr_html_()
    assert "合计行" in markup and "/x/c.csv" not in markup
    assert "X99" in markup and "1.2万" in markup and "2024-01-02" in markup
    assert "企业类型不同" in markup and "甲股份有限公司" in markup
    assert "legal form" not in markup
    c = results.counts
    assert section.takeaway.startswith(
        f"客户表共 {c['input']} 条记录：已分级 {c['classified']} 条，待评估 {c['pending']} 条"
    )
    items = sections.confirmation_items(sections.context(results))
    assert any("X99" not in i and "1 个客户编号" in i for i in items)
    assert any("1 对记录" in i for i in items)


def test_data_quality_reports_returns_and_the_flagged_line(en):
    section = sections.data_quality(sections.context(en))
    total = en.data.returns.total
    sentence = f"{total['return_count']} returns of {total['customers']} customers"
    assert any(p.startswith(sentence) for p in section.paragraphs)
    line = en.clean.flagged_lines.iloc[0]
    shown = next(t for t in section.tables if "multiple" in t.columns).to_text_frame()
    assert shown.index[0] == line["customer"]
    assert shown.iloc[0]["Date"] == str(pd.Timestamp(line["date"]).date())
    assert shown.iloc[0]["Multiple of the median"] == f"{line['multiple']:,.0f}×"


# --------------------------------------------------------------------------- customer list


def test_customer_list_has_every_classified_and_pending_customer(zh):
    section = sections.customers(sections.context(zh))
    explorer = next(b for b in section.blocks if isinstance(b, sections.Explorer))
    ids = {row[0] for row in explorer.rows}
    inputs = zh.input_customers
    expected = set(inputs.loc[inputs["status"].isin(["classified", "pending"]), "customer_id"])
    assert ids == set(map(str, expected))
    markup = explorer._repr_html_()
    payload = re.search(r'<script type="application/json"[^>]*>(.*)</script>', markup, re.S)
    assert json.loads(payload.group(1))["n"] == len(ids)
    assert "</script>" not in payload.group(1)


def _decode_explorer(payload):
    """The explorer's JSON decoded as its script does: texts per row, sort keys per number
    column (``None`` for the missing mark)."""
    digits = {c: k for k, c in enumerate(sections._blocks.CODE_DIGITS)}
    texts, keys = [], {}
    for j, column in enumerate(payload["data"]):
        if isinstance(column, list):
            texts.append(column)
            continue
        w, packed, values = column["w"], column["c"], column["v"]
        codes = []
        for i in range(payload["n"]):
            k = 0
            for ch in packed[i * w : (i + 1) * w]:
                k = k * 64 + digits[ch]
            codes.append(k)
        texts.append([values[k] for k in codes])
        if payload["columns"][j][2] == "number":
            blank = len(values) - 1 if column.get("na") else -1
            keys[j] = [None if k == blank else k for k in codes]
    return [list(r) for r in zip(*texts, strict=True)], keys


def test_customer_list_payload_is_compact_and_sorts_by_number(zh):
    """The packed JSON decodes to the shown texts; a number column's sort keys follow the
    numbers (ties only where the shown text is the same); missing numbers sort as None."""
    results = zh
    section = sections.customers(sections.context(results))
    explorer = next(b for b in section.blocks if isinstance(b, sections.Explorer))
    markup = explorer._repr_html_()
    payload = json.loads(re.search(r">(\{.*\})</script>", markup, re.S).group(1))
    rows, keys = _decode_explorer(payload)
    assert rows == [list(r) for r in explorer.rows]
    frame, kinds = sections.explorer_frame(results, "zh")
    numbers = [j for j, c in enumerate(frame.columns) if kinds[c] == "number"]
    assert numbers and set(keys) == set(numbers)
    for j in numbers:
        x = frame.iloc[:, j].to_numpy(float)
        k = keys[j]
        finite = [i for i in range(len(x)) if np.isfinite(x[i])]
        assert all(k[i] is not None for i in finite)
        assert all(k[i] is None for i in range(len(x)) if not np.isfinite(x[i]))
        order = sorted(finite, key=lambda i: x[i])
        ranks = [k[i] for i in order]
        assert ranks == sorted(ranks), frame.columns[j]  # monotone in the number
        for a, b in zip(order[:-1], order[1:], strict=True):  # equal keys: equal texts
            assert k[a] != k[b] or rows[a][j] == rows[b][j]
    # every row's id travels as text once; tiers and status as one base-64 digit each
    status = payload["data"][[c[0] for c in payload["columns"]].index("status")]
    assert status["w"] == 1 and len(status["c"]) == payload["n"]


def test_customer_list_escapes_a_script_name(en):
    names = en.display_names.copy()
    names.iloc[0] = "</script><script>alert(1)</script>"
    hostile = dataclasses.replace(en, display_names=names)
    markup = sections.customers(sections.context(hostile))._repr_html_()
    assert "<script>alert" not in markup and markup.count("</script>") == 1


# --------------------------------------------------------------------------- Chinese


#: ASCII words a Chinese report may show: method names that are proper nouns or
#: abbreviations, AHP notation, file names, units.
ALLOWED = {
    "AHP", "ABC", "TOPSIS", "EDAS", "CRITIC", "RFM", "Cohen", "Ramanathan", "Ng", "Zhou", "Fan",
    "Ultsch", "Lötsch", "Ward", "BG", "NBD", "CR", "CI", "RI", "max", "Saaty", "Alonso",
    "Lamata", "HTML", "Excel", "provenance", "json", "IQR", "MAD", "k",
}  # fmt: skip


def _visible_ascii_words(section, allowed):
    markup = section._repr_html_()
    parts = []
    for data in re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', markup, re.S):
        payload = json.loads(data)
        parts += [c[1] for c in payload["columns"]] + list(payload["labels"].values())
        parts += [cell for row in _decode_explorer(payload)[0] for cell in row]
    markup = re.sub(r"<script.*?</script>|<style>.*?</style>", " ", markup, flags=re.S)
    markup = re.sub(r'(src|alt|class|id|href)="[^"]*"', "", markup)
    text = html.unescape(re.sub(r"<[^>]+>", " ", markup)) + " " + " ".join(parts)
    text = re.sub(r"\S+@\S+", " ", text)  # masked e-mails
    words = set(re.findall(r"[A-Za-zö]+(?:_[A-Za-z]+)*", text))
    return {w for w in words if w not in allowed and len(w) > 1}


def test_zh_report_has_no_english_outside_the_allow_list(zh):
    # client strings: customer names and ids as the client gave them, the study's labels
    client = {w for v in zh.display_names.astype(str) for w in re.findall(r"[A-Za-z]+", v)}
    client |= {w for v in zh.criteria.index for w in re.findall(r"[A-Za-z]+", str(v))}
    client |= {w for c in zh.study.criteria if c.label for w in re.findall(r"[A-Za-z]+", c.label)}
    for name, section in _render(zh, "zh").items():
        leaked = _visible_ascii_words(section, ALLOWED | client)
        assert not leaked, f"{name}: {sorted(leaked)}"


def test_zh_pending_reasons_and_statuses_are_chinese(zh):
    """Pending reasons are translated from their codes (abclab.cleaning.Reason), not parsed
    from the English text."""
    from abclab.cleaning import Reason
    from abclab.report._reasons import reason_text as from_code
    from abclab.report.sections._context import criterion_labels, reason_text, status_text

    labels = criterion_labels(zh)
    assert from_code("no_transactions", {}, "zh") == "无交易记录"
    assert (
        from_code("missing", {"column": "annual_spend"}, "zh", labels=labels) == "年消费额(元)缺失"
    )
    assert from_code("nonpositive", {"column": "annual_spend", "value": 0.0}, "en",
                     labels=labels).startswith(labels.get("annual_spend", "annual_spend"))  # fmt: skip
    link = Reason("same_id", "same customer id {key!r}", {"match": None}).format(key="K1")
    merged = Reason("merged", "input record 3: same customer id 'K1'", {"record": 3, "link": link})
    assert from_code(merged.code, merged.values, "zh") == "第 3 条输入记录：客户编号相同（“K1”）"
    reasons = reason_text(zh, "zh")
    pending = zh.cleaning.pending
    assert set(pending.index) <= set(reasons.index) and len(pending)
    codes = set(zh.cleaning.reasons["code"])
    assert codes and "" not in codes
    assert not any(re.search(r"[A-Za-z]{3,}", v) for v in reasons)
    assert [status_text(s, "zh") for s in ("classified", "pending", "merged", "excluded")] == [
        "已分级", "待评估", "已合并", "已排除"
    ]  # fmt: skip


def test_customer_list_without_criterion_labels():
    """A study whose criteria have no ``label`` (the 100 000-customer benchmark's) shows the
    criterion names as headers instead of failing on a missing report message."""
    import copy

    from abclab.pipeline import run_study
    from abclab.study import load_study, study_from_dict

    data = copy.deepcopy(load_study(DEMO).to_dict())
    for spec in data["criteria"].values():
        spec.pop("label", None)
    data["methods"] = ["weighted_abc", {"pareto": {"value": "annual_spend"}}]
    data.pop("sensitivity", None)
    results = run_study(study_from_dict(data, base_dir=DEMO.parent, source=DEMO))
    html = sections.customers(sections.context(results))._repr_html_()
    assert "annual_spend" in html


def test_zh_workbook_values_have_no_english_outside_the_allow_list(zh, tmp_path):
    """Every text cell of the zh workbook (headers, rule names, cleaning reasons, pending
    reasons, AHP methods, flagged lines) is Chinese, except the client's own strings. The
    parameters sheet, which repeats the study file's keys verbatim, is left out."""
    import openpyxl

    from abclab.report._excel import write_workbook
    from abclab.report._i18n import text

    path = write_workbook(zh, tmp_path / "zh.xlsx")
    client = set()
    frames = [zh.input_customers, zh.cleaning.pending, zh.data.unmatched]
    for frame in frames:
        values = [str(v) for c in frame.columns for v in frame[c].dropna().unique()]
        for v in [*values, *map(str, frame.columns), *map(str, frame.index)]:
            client |= set(re.findall(r"[A-Za-z]+", v))
            client.add(re.sub(r"[^a-z]", "", v.lower()))
    for name in zh.display_names.astype(str):
        client |= set(re.findall(r"[A-Za-z]+", name)) | {re.sub(r"[^a-z]", "", name.lower())}
    # duplicates are linked by their normalised names (legal forms dropped): client strings
    from abclab._text import normalise_names

    names = zh.input_customers[zh.study.name_column].dropna().astype(str)
    client |= {w for v in normalise_names(names) for w in re.findall(r"[A-Za-z]+", str(v))}
    client |= {w for c in zh.study.criteria for w in re.findall(r"[A-Za-z]+", c.label or c.name)}
    allowed = ALLOWED | client | {"AIJ", "AIP", "tsch"}  # tsch: Lötsch split by the regex
    book = openpyxl.load_workbook(path, read_only=True)
    skipped = text("xl.sheet.parameters", "zh")
    assert skipped in book.sheetnames
    for ws in book.worksheets:
        if ws.title == skipped:
            continue
        words = set()
        for row in ws.iter_rows(values_only=True):
            for value in row:
                if isinstance(value, str) and not value.startswith("="):
                    value = re.sub(r"\S+@\S+", " ", value)
                    words |= set(re.findall(r"[A-Za-zö]+(?:_[A-Za-z]+)*", value))
        leaked = {w for w in words if w not in allowed and len(w) > 1}
        assert not leaked, f"{ws.title}: {sorted(leaked)[:20]}"
