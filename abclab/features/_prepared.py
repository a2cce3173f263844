"""A transaction log read once per run: the file DuckDB scans, and how messages name it.

A client log that DuckDB cannot scan as it is (GBK, Chinese dates, decimal commas, title
rows, XLSX: :func:`abclab.features._source.prepare_source`) costs a full read and conversion
by :mod:`abclab.io`. :func:`abclab.features._source.prepare_log` does that once and writes the converted log to a
Parquet file in a directory the caller owns (a run's temporary directory, never the client's
folder); every consumer — the criteria, the CLV criteria, the log-reading methods, the line
flags and the cleaning rules — then scans that file through the same :class:`PreparedLog`.
A log DuckDB reads directly stays the client's file.

Why Parquet and not the converted frame kept in memory: the frame is dropped as soon as it
is written, the consumers scan only the columns they name (out of core), and DuckDB answers
the first/last date and the missing counts from the row-group statistics without a scan
(``bench/prepared_log.py`` measures both).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["PreparedLog"]


@dataclass(frozen=True)
class PreparedLog:
    """A transaction log ready for DuckDB, read by :mod:`abclab.io` at most once.

    Attributes
    ----------
    path : pathlib.Path
        What DuckDB scans: the client's file itself (a Parquet file or a plain CSV), or the
        Parquet copy of the converted log in the run's directory.
    label : str
        How messages name the log: the client's file, never the copy (``file 'sales.csv'``).
    converted : bool
        True when ``path`` is the converted copy.
    set_aside : pandas.DataFrame
        For a converted log, the rows of the client's file that are no lines (title, blank,
        total, note rows), as :func:`abclab.io.read_table` sets them aside.
    file_rows : numpy.ndarray, optional
        For a converted log, the row of the client's file each line came from (title rows,
        blank and total rows set aside are skipped), so that a message about a line names
        the row the client finds in the file.
    """

    path: Path
    label: str
    converted: bool
    file_rows: np.ndarray | None = field(default=None, compare=False, repr=False)
    #: Rows of the client's file that are no lines (title, blank, total, note rows: ``row,
    #: kind, content``, as :func:`abclab.io.read_table` records them); empty if none.
    set_aside: pd.DataFrame = field(default_factory=pd.DataFrame, compare=False, repr=False)

    def file_row(self, positions: np.ndarray) -> np.ndarray:
        """Rows of the client's file of the lines at 0-based ``positions`` (in file order):
        the recorded rows of a converted log; a CSV read as it is has its header on row 1
        (line *i* is row *i* + 2); a Parquet file's rows count from 1."""
        positions = np.asarray(positions, dtype=np.int64)
        if self.file_rows is not None:
            return np.asarray(self.file_rows, dtype=np.int64)[positions]
        csv = not self.converted and not self.path.name.lower().endswith(
            (".parquet", ".pq", ".parq")
        )
        return positions + (2 if csv else 1)

    @property
    def relation_sql(self) -> str:
        """The DuckDB table function that scans :attr:`path`."""
        literal = "'" + str(self.path).replace("'", "''") + "'"
        parquet = self.converted or self.path.name.lower().endswith((".parquet", ".pq", ".parq"))
        return f"read_parquet({literal})" if parquet else f"read_csv_auto({literal})"
