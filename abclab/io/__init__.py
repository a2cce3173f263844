"""Read client exports (CSV, XLSX, Parquet) and parse business number formats.

Client CRM/ERP exports arrive as GBK-encoded CSV files with Chinese headers, as ``;``-separated
files with decimal commas, or as Excel workbooks whose amounts are strings such as ``¥1,200``,
``1200万元`` or ``(300)``. :func:`read_table` reads all of them into a DataFrame and converts the
numeric columns; :func:`read_table_report` also returns how the file was read (encoding,
separator, decimal mark) and a tidy table counting every conversion per column and rule, so a
report can show what was changed.

Finance-export layouts are handled on the way: the header is found below title rows, blank
rows and merged-cell bands; total rows (``合计``), blank rows and trailing notes are set aside
and listed (``TableRead.dropped``); dates in any common form are read by :func:`parse_dates`.

Package layout: ``_formats`` (encodings, separators, decimal marks, Excel sheets), ``_layout``
(header row, total/blank/note rows), ``_numbers`` (business numbers and column conversion),
``_dates`` (date forms), ``_read`` (the public readers).
"""

from abclab.io._dates import DATE_FORMATS, DateRead, parse_dates
from abclab.io._formats import READ_OPTIONS_OF, file_kind, unmatched_columns
from abclab.io._layout import TOTAL_WORDS, Layout, split_layout
from abclab.io._numbers import AUTO_NUMERIC_SHARE as AUTO_NUMERIC_SHARE
from abclab.io._numbers import RULES as RULES
from abclab.io._numbers import parse_business_numbers
from abclab.io._options import ReadOptions
from abclab.io._read import TableRead, read_table, read_table_report

__all__ = [
    "DATE_FORMATS",
    "READ_OPTIONS_OF",
    "TOTAL_WORDS",
    "DateRead",
    "Layout",
    "ReadOptions",
    "TableRead",
    "file_kind",
    "parse_business_numbers",
    "parse_dates",
    "read_table",
    "read_table_report",
    "split_layout",
    "unmatched_columns",
]
