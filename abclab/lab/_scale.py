"""Saaty's scale as slider positions, with verbal labels (en/zh) and the editor's UI texts.

The values and the English wording come from :data:`abclab.ahp.VERBAL_SCALE` (Saaty 1980,
Table 1.1; Saaty 2008, Table 1): for each value the longest English label is used
("moderately more important", "equally to moderately more important"), with "less important"
for the reciprocals. ``VERBAL_SCALE`` names only the odd values in Chinese (同等/稍微/明显/
强烈/极端重要); the even values are "the middle of two neighbouring judgements" in Chinese
AHP texts (2、4、6、8 表示上述相邻判断的中值), written here as "介于 X 与 Y 之间".
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from abclab.ahp import SAATY_SCALE, VERBAL_SCALE, parse_judgement
from abclab.exceptions import JudgementError
from abclab.strategy import LANGUAGES

#: UI texts of the judgement editor.
TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Pairwise judgements (Saaty's 1–9 scale)",
        "weights": "Weights",
        "consistency": "Consistency",
        "lambda_max": "λmax",
        "ci": "CI = (λmax − n)/(n − 1)",
        "ri": "RI (table {table})",
        "cr": "CR = CI/RI",
        "threshold": "threshold",
        "consistent": "consistent",
        "inconsistent": "inconsistent: revise a judgement",
        "worst": "Most inconsistent judgement",
        "worst_line": "{a} vs {b}: judged {judged}, the other judgements imply {implied}; "
        "suggested {suggested} (CR would be {cr_after})",
        "worst_ok": "no revision needed (CR within the threshold)",
        "apply": "Apply suggestion",
        "reset": "Reset",
        "tiers": "Tier shift (weighted-score shares {shares})",
        "tier": "tier",
        "before": "before",
        "now": "now",
        "share_before": "share before",
        "share_now": "share now",
        "moved": "{k} of {n} customers ({share}) change tier",
        "more": "{a} is {verbal} than {b}",
        "equal": "{a} and {b} are equally important",
    },
    "zh": {
        "title": "两两比较判断(Saaty 1–9 标度)",
        "weights": "权重",
        "consistency": "一致性检验",
        "lambda_max": "λmax(最大特征根)",
        "ci": "CI = (λmax − n)/(n − 1)",
        "ri": "RI(表 {table})",
        "cr": "CR = CI/RI",
        "threshold": "阈值",
        "consistent": "通过一致性检验",
        "inconsistent": "未通过一致性检验:请修改判断",
        "worst": "最不一致的判断",
        "worst_line": "{a} 对 {b}:判断为 {judged},其他判断隐含 {implied};"
        "建议改为 {suggested}(修改后 CR = {cr_after})",
        "worst_ok": "无需修改(CR 在阈值以内)",
        "apply": "采用建议",
        "reset": "重置",
        "tiers": "客户等级变化(加权得分按比例 {shares} 分级)",
        "tier": "等级",
        "before": "修改前",
        "now": "当前",
        "share_before": "修改前占比",
        "share_now": "当前占比",
        "moved": "{n} 个客户中有 {k} 个({share})等级改变",
        "more": "{a} 比 {b} {verbal}",
        "equal": "{a} 与 {b} 同等重要",
    },
}

_ZH_BY_VALUE = {v: k for k, v in VERBAL_SCALE.items() if not k.isascii() and v >= 1}


def _english(value: float) -> str:
    names = [k for k, v in VERBAL_SCALE.items() if k.isascii() and np.isclose(v, value)]
    return max(names, key=len)


def _chinese(value: float) -> str:
    if value in _ZH_BY_VALUE:
        return _ZH_BY_VALUE[value]
    low, high = _ZH_BY_VALUE[value - 1], _ZH_BY_VALUE[value + 1]
    return f"介于{low.removesuffix('重要')}与{high}之间"


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise JudgementError(f"language={language!r} is unknown; choose one of {list(LANGUAGES)}")
    return language


def format_value(value: float) -> str:
    """``3`` or ``1/3`` for a scale value, 4 significant digits otherwise."""
    frac = Fraction(value).limit_denominator(9)
    if np.isclose(float(frac), value, rtol=1e-6):
        return str(frac)
    return f"{value:.4g}"


def verbal(value: float, language: str = "en") -> str:
    """Verbal label of a scale value from the dominant criterion's side (always ">= 1").

    >>> verbal(5), verbal(1 / 5), verbal(4, "zh")
    ('strongly more important', 'strongly more important', '介于稍微与明显重要之间')
    """
    strength = float(round(max(value, 1 / value)))
    return _english(strength) if language == "en" else _chinese(strength)


def scale_value(raw: Any, *, where: str) -> float:
    """A judgement (number, fraction string, verbal label) as the exact :data:`SAATY_SCALE` value.

    Raises
    ------
    JudgementError
        The value is not on Saaty's 1/9 ... 9 scale (the message names the nearest value).
    """
    value = parse_judgement(raw, where=where)
    if not np.isfinite(value) or value <= 0:
        raise JudgementError(f"{where}: expected a positive judgement, got {raw!r}")
    k = int(np.abs(np.log(SAATY_SCALE) - np.log(value)).argmin())
    nearest = float(SAATY_SCALE[k])
    if not np.isclose(nearest, value, rtol=1e-3):
        raise JudgementError(
            f"{where}: {raw!r} is not on Saaty's scale (1/9 ... 9); a slider holds scale values "
            f"only, the nearest is {format_value(nearest)}"
        )
    return nearest


def slider_options(language: str = "en") -> list[tuple[str, float]]:
    """``(label, value)`` for the 17 slider positions, 9 (left) ... 1/9 (right).

    The slider of pair (a, b) has a on the left and b on the right: drag it towards the more
    important criterion. A label is written from a's side: ``"1/5 · strongly less important"``.
    """
    out = []
    for value in SAATY_SCALE[::-1]:
        v = float(value)
        text = verbal(v, language)
        if v < 1:
            text = (
                text.replace("more important", "less important")
                if language == "en"
                else text.replace("重要", "不重要")
            )
        out.append((f"{format_value(v)} · {text}", v))
    return out


def phrase(a: str, b: str, value: float, language: str = "en") -> str:
    """``"a is strongly more important than b"`` (from the dominant side)."""
    texts = TEXT[language]
    if np.isclose(value, 1.0):
        return texts["equal"].format(a=a, b=b)
    if value < 1:
        a, b = b, a
    return texts["more"].format(a=a, b=b, verbal=verbal(value, language))
