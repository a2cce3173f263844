"""Read client exports (CSV, XLSX, Parquet) and parse business number formats.

Client CRM/ERP exports arrive as GBK-encoded CSV files with Chinese headers, as ``;``-separated
files with decimal commas, or as Excel workbooks whose amounts are strings such as ``¥1,200``,
``1200万元`` or ``(300)``. :func:`read_table` reads all of them into a DataFrame and converts the
numeric columns; :func:`read_table_report` also returns how the file was read (encoding,
separator, decimal mark) and a tidy table counting every conversion per column and rule, so a
report can show what was changed.

Package layout: ``_formats`` (encodings, separators, decimal marks, Excel sheets, headers),
``_numbers`` (business numbers and column conversion), ``_read`` (the public readers).
"""

from abclab.io._numbers import AUTO_NUMERIC_SHARE as AUTO_NUMERIC_SHARE
from abclab.io._numbers import RULES as RULES
from abclab.io._numbers import parse_business_numbers
from abclab.io._read import TableRead, read_table, read_table_report

__all__ = ["TableRead", "parse_business_numbers", "read_table", "read_table_report"]
