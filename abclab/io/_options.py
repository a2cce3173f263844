"""How to read one data file: the options every reader honours, in one small object."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["ReadOptions"]


@dataclass(frozen=True)
class ReadOptions:
    """Options of :func:`abclab.io.read_table` for one file (``None`` = detect).

    Attributes
    ----------
    sheet : str or int, optional
        XLSX sheet name or 0-based position.
    encoding, sep, decimal : str, optional
        CSV text encoding, field separator and decimal mark.
    header_row : int, optional
        1-based row of the header.
    missing_values : tuple of str
        More cell texts meaning "no value".
    date_format : {"auto", "ymd", "dmy", "mdy"}
        Day/month order of ``08/11/2020``-style dates (:func:`abclab.io.parse_dates`).
    """

    sheet: str | int | None = None
    encoding: str | None = None
    sep: str | None = None
    decimal: str | None = None
    header_row: int | None = None
    missing_values: tuple[str, ...] = field(default_factory=tuple)
    date_format: str = "auto"

    @property
    def is_default(self) -> bool:
        """True when every option is left to detection."""
        return self == ReadOptions()

    def table_options(self) -> dict[str, Any]:
        """Keyword arguments of :func:`abclab.io.read_table` (those that are set)."""
        out = {k: v for k, v in asdict(self).items() if k != "date_format"}
        return {k: v for k, v in out.items() if v not in (None, ())}
