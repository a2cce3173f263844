"""Why the cleaning changed a value or set a customer aside: a code with its values.

Every log row and pending reason carries a :class:`Reason`: ``code`` names the kind of
reason (one of :data:`REASON_CODES`), ``values`` the numbers and names it mentions and
``text`` the English sentence. A report translates the code and values with its message
catalogue (``reason.<code>``) instead of parsing the English text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["REASON_CODES", "Reason"]

#: The reason codes and the values each one carries.
REASON_CODES: Mapping[str, tuple[str, ...]] = {
    "nonpositive": ("column", "value"),
    "nonpositive_missing": ("column", "value"),
    "missing": ("column",),
    "missing_no_transactions": ("column",),
    "missing_low_average": ("column", "value"),
    "missing_no_median": ("column",),
    "no_transactions": (),
    "filled_median": ("n",),
    "filled_zero": (),
    "filled_recent_average": ("mean", "months", "first", "last", "factor"),
    "outlier_above": ("low", "high"),
    "outlier_below": ("low", "high"),
    "clipped_upper": ("low", "high"),
    "clipped_lower": ("low", "high"),
    "same_id": ("match",),
    "same_name": ("match",),
    "same_contact": ("column", "match"),
    "duplicate_fill": ("record", "link"),
    "duplicate_conflict": ("record", "kept", "link"),
    "merged": ("record", "link"),
    "line_flag": ("multiple", "median", "others", "quantile", "threshold"),
}


@dataclass(frozen=True)
class Reason:
    """A reason: ``code`` (a key of :data:`REASON_CODES`), its ``values`` (a value may be
    a :class:`Reason` itself, e.g. the ``link`` of a merged duplicate) and the English ``text``.

    ``str(reason)`` is the text, so a reason stands wherever the English sentence did.
    """

    code: str
    text: str
    values: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        expected = REASON_CODES.get(self.code)
        if expected is None:
            raise ValueError(f"reason code {self.code!r}: expected one of {sorted(REASON_CODES)}")
        if set(self.values) != set(expected):
            raise ValueError(
                f"reason {self.code!r}: expected values {list(expected)}, got {sorted(self.values)}"
            )

    def __str__(self) -> str:
        return self.text

    def __hash__(self) -> int:  # values may hold unhashable figures; equal reasons share text
        return hash((self.code, self.text))

    def format(self, *, key: Any) -> Reason:
        """A link reason (``same_id``, ...) for the shared ``key``: the text template's
        ``{key}`` filled in, the key kept as the value ``match``."""
        return Reason(self.code, self.text.format(key=key), {**self.values, "match": key})
