"""Checkable tutorial exercises: compare a student's answer with the solution cell's value.

The tutorials put each solution in a collapsed cell tagged ``solution`` that computes the
answer with abclab and ends with ``check_answer(my_answer, solution)``; a teacher hands out
a copy without them (``jupyter nbconvert --to notebook
--TagRemovePreprocessor.remove_cell_tags=solution``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

import numpy as np

from abclab.lab._scale import check_language

_TEXT = {
    "en": {
        "unanswered": "Not answered yet: set the answer variable above and re-run this cell.",
        "correct": "Correct.",
        "incorrect": "Not quite: {answer} is not the expected value{within}.",
        "within": " (within {tol})",
    },
    "zh": {
        "unanswered": "尚未作答:请在上面的单元格中填写答案后重新运行本单元格。",
        "correct": "正确。",
        "incorrect": "不对:{answer} 不是预期的值{within}。",
        "within": "(允许误差 {tol})",
    },
}


@dataclass(frozen=True)
class AnswerCheck:
    """Outcome of :func:`check_answer`: ``status`` is "unanswered", "correct" or "incorrect"."""

    status: str
    message: str

    @property
    def correct(self) -> bool:
        return self.status == "correct"

    def __repr__(self) -> str:
        return self.message

    def _repr_html_(self) -> str:
        colour = {"correct": "#2a7a2a", "incorrect": "#b22222"}.get(self.status, "#555")
        return f"<div style='color:{colour};font-weight:bold'>{escape(self.message)}</div>"


def check_answer(
    answer: Any,
    expected: Any,
    *,
    tol: float = 0.005,
    relative: bool = False,
    language: str = "en",
) -> AnswerCheck:
    """Compare ``answer`` with ``expected``.

    Numbers (and sequences of numbers, element by element) match within ``tol`` (absolute,
    or relative to ``expected`` if ``relative``); strings match ignoring case and surrounding
    blanks; anything else by ``==``. ``answer=None`` is "unanswered". The expected value is
    never shown, so a student can check without seeing the solution.

    Examples
    --------
    >>> check_answer(None, 0.25).status, check_answer(0.251, 0.25).status
    ('unanswered', 'correct')
    >>> check_answer(["Water", "soda"], ("water", "soda")).correct
    True
    """
    texts = _TEXT[check_language(language)]
    if answer is None:
        return AnswerCheck("unanswered", texts["unanswered"])
    ok = _matches(answer, expected, tol, relative)
    if ok:
        return AnswerCheck("correct", texts["correct"])
    within = texts["within"].format(tol=f"{tol:.0%}" if relative else f"{tol:g}")
    numeric = _is_number(expected) or _numbers(expected)
    return AnswerCheck(
        "incorrect", texts["incorrect"].format(answer=answer, within=within if numeric else "")
    )


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool)


def _numbers(x: Any) -> bool:
    return (
        isinstance(x, Sequence | np.ndarray)
        and not isinstance(x, str)
        and all(_is_number(v) for v in x)
    )


def _matches(answer: Any, expected: Any, tol: float, relative: bool) -> bool:
    if _is_number(expected):
        if not _is_number(answer):
            return False
        bound = tol * abs(float(expected)) if relative else tol
        return abs(float(answer) - float(expected)) <= bound + 1e-12
    if isinstance(expected, str):
        return isinstance(answer, str) and answer.strip().lower() == expected.strip().lower()
    if isinstance(expected, Sequence | np.ndarray):
        if isinstance(answer, str) or not isinstance(answer, Sequence | np.ndarray):
            return False
        return len(answer) == len(expected) and all(
            _matches(a, e, tol, relative) for a, e in zip(answer, expected, strict=True)
        )
    return bool(answer == expected)
