"""Interim alias of :mod:`abclab.privacy` for main's ``abclab.pipeline``.

Removed at merge with the pipeline rewrite (which imports :mod:`abclab.privacy` itself).
"""

from abclab.privacy import detect_pii_columns, mask_cleaning_log, mask_frame  # noqa: F401
