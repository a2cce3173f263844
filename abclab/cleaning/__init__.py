"""Clean a customer table with an audit trail: duplicates, missing values, outliers.

Source 003 (step 3, 数据收集与清洗) asks for three operations before scoring: remove duplicate
customer records (去重处理), fill missing key indicators from history — "用近3个月平均消费额填补
年消费额缺失值" — or mark the customer "待评估" (pending evaluation), and correct obvious
outliers such as an annual spend of 0 or an implausibly high value (异常值处理).
:func:`clean_customers` does all three under a per-criterion policy and records every change
or flag as one row of a log with columns ``customer, column, old_value, new_value, rule,
reason``. No row is lost: every input row ends up in exactly one of ``cleaned``, ``pending``
or ``merged`` (a duplicate merged into another customer); look-alike records that are not
safe to merge (a different legal form, a conflicting contact) are listed in ``review``.

Line level (:mod:`abclab.cleaning._lines`): :func:`flag_lines` lists invoice lines far above
the customer's own lines and among the file's largest (keying errors where they happen);
:func:`summarise_returns` counts the returns netted into the spend, per customer and in total.

Package layout: ``_policy`` (:class:`CriterionPolicy` and its checks), ``_duplicates``,
``_missing``, ``_outliers`` (one room per cleaning rule), ``_lines`` (line-level checks), ``_result`` (:class:`CleaningResult`
and the log), ``_api`` (:func:`clean_customers`, the steps in order).
"""

from abclab.cleaning._api import clean_customers
from abclab.cleaning._lines import LINE_FLAG_COLUMNS as LINE_FLAG_COLUMNS
from abclab.cleaning._lines import RETURN_COLUMNS as RETURN_COLUMNS
from abclab.cleaning._lines import ReturnsSummary, flag_lines, summarise_returns
from abclab.cleaning._outliers import MAD_SCALE as MAD_SCALE
from abclab.cleaning._policy import CriterionPolicy
from abclab.cleaning._reasons import REASON_CODES, Reason
from abclab.cleaning._result import LOG_COLUMNS as LOG_COLUMNS
from abclab.cleaning._result import MERGED_COLUMNS as MERGED_COLUMNS
from abclab.cleaning._result import REASON_COLUMNS as REASON_COLUMNS
from abclab.cleaning._result import REVIEW_COLUMNS as REVIEW_COLUMNS
from abclab.cleaning._result import CleaningResult

__all__ = [
    "CleaningResult",
    "CriterionPolicy",
    "REASON_CODES",
    "Reason",
    "ReturnsSummary",
    "clean_customers",
    "flag_lines",
    "summarise_returns",
]
