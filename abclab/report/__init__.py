"""Reports: run the bundled notebook with papermill, write HTML, PDF, Excel and provenance.

``run_report(study, out_dir)`` is the entry point (used by ``abclab report``); the notebook
renders each section with :mod:`abclab.report.sections`. Contact columns are masked with
:mod:`abclab.report._masking` (``mask_frame``, ``mask_phone``, ``mask_email``).
"""

from __future__ import annotations

from abclab.report._masking import detect_pii_columns, mask_email, mask_frame, mask_phone
from abclab.report._runner import FORMATS, ReportFiles, bundled_notebook, run_report

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
