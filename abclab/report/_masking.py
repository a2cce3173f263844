"""Interim alias of :mod:`abclab.privacy` for main's ``abclab.pipeline``; removed at merge with the pipeline rewrite."""

from abclab.privacy import detect_pii_columns, mask_cleaning_log, mask_frame  # noqa: F401
