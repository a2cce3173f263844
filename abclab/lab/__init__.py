"""JupyterLab widgets for teaching and workshops: the AHP judgement editor.

The top layer beside :mod:`abclab.cli`: it may use every domain module, nothing imports it.
Needs ``ipywidgets`` (in the ``test`` and ``lab`` extras, which ``make test`` / ``make lab``
install).

Public API
----------
JudgementEditor, slider_options, verbal.
"""

from __future__ import annotations

from abclab.lab._editor import JudgementEditor
from abclab.lab._scale import slider_options, verbal

__all__ = ["JudgementEditor", "slider_options", "verbal"]
