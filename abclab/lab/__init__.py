"""JupyterLab widgets for teaching and workshops: the AHP judgement editor, exercise checks.

The top layer beside :mod:`abclab.cli`: it may use every domain module, nothing imports it.
Needs ``ipywidgets`` (in the ``test`` and ``lab`` extras, which ``make test`` / ``make lab``
install).

Public API
----------
JudgementEditor, check_answer (tutorial exercises), AnswerCheck, slider_options, verbal.
"""

from __future__ import annotations

from abclab.lab._editor import JudgementEditor
from abclab.lab._exercises import AnswerCheck, check_answer
from abclab.lab._scale import slider_options, verbal

__all__ = ["AnswerCheck", "JudgementEditor", "check_answer", "slider_options", "verbal"]
