"""The analyst's checklist: what to confirm with the client before the report goes out.

Written by the report runner next to the report as ``checklist.md`` (never part of the
client's report) from the ``checks`` block of ``provenance.json``
(:func:`abclab.report._provenance.analyst_checks`): invoice lines that look like keying
errors, possible duplicates left for review, log customers missing from the customer table,
file rows set aside, customers pending, and AHP judgements with CR above the threshold that
were used anyway.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

__all__ = ["checklist_markdown", "write_checklist"]

_TEXT = {
    "en": {
        "title": "Analyst checklist: {name}",
        "intro": "Confirm these points with the client before sending the report.",
        "nothing": "Nothing to confirm: no flagged lines, duplicates, unmatched ids or "
        "inconsistent judgements.",
        "flagged_lines": "{n} invoice line(s) look like keying errors (see the workbook sheet "
        "'Flagged lines'):",
        "review": "{n} possible duplicate(s) were not merged and need a decision (sheet "
        "'Duplicates to review'):",
        "unmatched": "{n} customer id(s) of the transaction log are missing from the customer "
        "table and were not classified (sheet 'Unmatched ids'):",
        "set_aside": "{n} row(s) of the files were set aside as titles, blanks, totals or notes "
        "(sheet 'Rows set aside'):",
        "pending": "{n} customer(s) are pending evaluation (missing or invalid data):",
        "inconsistent_experts": "{n} expert judgement matrix(es) have CR above the threshold "
        "and were used anyway:",
        "more": "… and {n} more",
        "cr": "{expert}: CR = {cr:.3f} (threshold {threshold:.2f})",
    },
    "zh": {
        "title": "分析师核对清单：{name}",
        "intro": "发送报告前，请与客户确认以下事项。",
        "nothing": "无需确认：没有可疑明细、疑似重复、未匹配客户或不一致的判断。",
        "flagged_lines": "{n} 条明细疑似录入错误（见工作簿“可疑明细”表）：",
        "review": "{n} 组疑似重复客户未合并，需要客户决定（见“待核重复客户”表）：",
        "unmatched": "交易明细中有 {n} 个客户编号不在客户表中，未参与分级（见“未匹配客户”表）：",
        "set_aside": "文件中有 {n} 行被识别为标题、空行、合计或备注而未计入（见“未计入行”表）：",
        "pending": "{n} 个客户待评估（数据缺失或无效）：",
        "inconsistent_experts": "{n} 位专家的判断矩阵一致性比率 CR 超过阈值，但仍被采用：",
        "more": "……另有 {n} 项",
        "cr": "{expert}：CR = {cr:.3f}（阈值 {threshold:.2f}）",
    },
}
_ORDER = ("inconsistent_experts", "flagged_lines", "review", "unmatched", "pending", "set_aside")


def _item(key: str, row: dict[str, Any], words: dict[str, str]) -> str:
    if key == "inconsistent_experts":
        return words["cr"].format(**row)
    return " · ".join(_shown(v) for v in row.values() if v not in (None, ""))


def _shown(value: Any) -> str:
    """A value of a check row as text: dates without midnight, numbers with separators."""
    if isinstance(value, float):
        return f"{value:,.2f}"
    text = str(value)
    return re.sub(r"T00:00:00(?:\.0+)?(?:Z)?$", "", text)


def checklist_markdown(record: dict[str, Any], language: str = "en") -> str:
    """The checklist text (Markdown) of a provenance record."""
    words = _TEXT.get(language, _TEXT["en"])
    name = record.get("study", {}).get("name", "")
    checks = record.get("checks") or {}
    lines = [f"# {words['title'].format(name=name)}", "", words["intro"], ""]
    found = False
    for key in _ORDER:
        block = checks.get(key) or {}
        n = int(block.get("count", 0))
        if n == 0:
            continue
        found = True
        lines.append(f"- [ ] {words[key].format(n=n)}")
        rows = block.get("rows") or []
        lines.extend(f"    - {_item(key, row, words)}" for row in rows)
        if n > len(rows):
            lines.append(f"    - {words['more'].format(n=n - len(rows))}")
    if not found:
        lines.append(words["nothing"])
    return "\n".join(lines) + "\n"


def write_checklist(provenance: str | Path, path: str | Path, language: str = "en") -> bool:
    """Write ``checklist.md`` from ``provenance.json``; False when the record has no checks."""
    record = json.loads(Path(provenance).read_text(encoding="utf-8"))
    if "checks" not in record:
        return False
    Path(path).write_text(checklist_markdown(record, language), encoding="utf-8")
    return True
