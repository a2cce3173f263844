"""Reports: run the bundled notebook with papermill, write HTML, PDF, Excel and provenance.

``run_report(study, out_dir)`` is the entry point (used by ``abclab report``); the notebook
shows each section returned by :mod:`abclab.report.sections` (charts from
:mod:`abclab.report.charts`). Contact columns are masked with ``mask_frame``, ``mask_phone``,
``mask_email`` of :mod:`abclab.privacy` (re-exported here).

The papermill runner (and with it nbformat/nbclient) is imported on first use of
``run_report``, ``ReportFiles``, ``FORMATS`` or ``bundled_notebook``, so that importing
``abclab.report.charts`` or the masking helpers stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

from abclab.privacy import detect_pii_columns, mask_email, mask_frame, mask_phone

__all__ = [
    "FORMATS",
    "ReportFiles",
    "bundled_notebook",
    "detect_pii_columns",
    "mask_email",
    "mask_frame",
    "mask_phone",
    "run_report",
]

_RUNNER_NAMES = {"FORMATS", "ReportFiles", "bundled_notebook", "run_report"}


def __getattr__(name: str) -> Any:
    if name in _RUNNER_NAMES:
        return getattr(importlib.import_module("abclab.report._runner"), name)
    raise AttributeError(f"module 'abclab.report' has no attribute {name!r}")
