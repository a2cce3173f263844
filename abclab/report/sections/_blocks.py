"""Renderable report blocks: a :class:`Section` holds headings, tables, figures and text.

Each block is a small frozen dataclass that renders itself as HTML (``_repr_html_``), the
shape of statsmodels' ``summary2.Summary``: the notebook's last expression is a section and
Jupyter displays it; tests inspect the blocks. Every string that can come from a client
(customer names, criterion labels, study values) is escaped here:

- tables with ``DataFrame.to_html(escape=True)``, so a customer called
  ``<script>alert(1)</script>`` shows as text;
- headings, paragraphs, captions and alt texts through :func:`html.escape` (a tiny
  ``**bold**`` mark-up is applied to paragraphs after escaping);
- figures as PNG bytes embedded as base64 ``data:`` URIs (the page opens offline).
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from abclab.report._i18n import label_frame

__all__ = [
    "Block",
    "Figure",
    "Heading",
    "Paragraph",
    "Preformatted",
    "Section",
    "Table",
    "render_table",
]

#: Columns shown as percentages whatever their formatter.
SHARE_COLUMNS = (
    "count_share",
    "value_share",
    "share",
    "stability",
    "percent",
    "average_margin",
    "mean_stability",
    "min_stability",
)


def escape(value: object) -> str:
    """HTML-escape ``value`` (quotes included)."""
    return html.escape(str(value), quote=True)


@dataclass(frozen=True)
class Heading:
    """A sub-heading (``<h3>``, ``<h4>``) inside a section."""

    text: str
    level: int = 3

    def _repr_html_(self) -> str:
        return f"<h{self.level}>{escape(self.text)}</h{self.level}>"


@dataclass(frozen=True)
class Paragraph:
    """A sentence or two; ``**bold**`` is the only mark-up, ``css`` an optional class."""

    text: str
    css: str = ""

    def _repr_html_(self) -> str:
        body = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", escape(self.text))
        cls = f' class="{escape(self.css)}"' if self.css else ""
        return f"<p{cls}>{body}</p>"


@dataclass(frozen=True)
class Preformatted:
    """Verbatim text (the study file) in a ``<pre>``."""

    text: str
    css: str = "abclab-study"

    def _repr_html_(self) -> str:
        return f'<pre class="{escape(self.css)}">{escape(self.text)}</pre>'


@dataclass(frozen=True, repr=False)
class Table:
    """A table as shown: ``frame`` holds the values (criterion labels already applied);
    headers are translated to ``language`` and floats formatted when rendered."""

    frame: pd.DataFrame
    language: str = "en"
    index: bool = True
    formatter: Callable[[float], str] | None = None
    caption: str = ""

    @property
    def columns(self) -> list[str]:
        """Column names of ``frame`` (before translation)."""
        return [str(c) for c in self.frame.columns]

    def __repr__(self) -> str:
        return f"Table({self.frame.shape[0]} x {self.frame.shape[1]}: {self.columns})"

    def _repr_html_(self) -> str:
        caption = f'<p class="abclab-note">{escape(self.caption)}</p>' if self.caption else ""
        markup = render_table(
            self.frame, language=self.language, index=self.index, formatter=self.formatter
        )
        return caption + markup


@dataclass(frozen=True, repr=False)
class Figure:
    """A chart as PNG bytes; ``alt`` is the image's text alternative."""

    png: bytes
    alt: str = ""
    caption: str = ""

    def __repr__(self) -> str:
        return f"Figure({len(self.png):,} bytes PNG, alt={self.alt!r})"

    def _repr_html_(self) -> str:
        data = base64.b64encode(self.png).decode("ascii")
        img = f'<img src="data:image/png;base64,{data}" alt="{escape(self.alt)}">'
        caption = f'<p class="abclab-note">{escape(self.caption)}</p>' if self.caption else ""
        return f'<div class="jp-RenderedImage abclab-figure">{img}</div>{caption}'


Block = Heading | Paragraph | Preformatted | Table | Figure


@dataclass(frozen=True, repr=False)
class Section:
    """One part of the report: a heading (``title`` at ``level``), an optional ``takeaway``
    sentence shown under it, then ``blocks`` in order.

    A section with no title and no blocks (:meth:`empty`) renders as ``""``.
    """

    key: str
    title: str
    blocks: tuple[Block, ...] = field(default=())
    takeaway: str = ""
    level: int = 2

    @classmethod
    def empty(cls, key: str) -> Section:
        """A section with nothing to show."""
        return cls(key=key, title="")

    @property
    def tables(self) -> list[Table]:
        """The section's tables, in order."""
        return [b for b in self.blocks if isinstance(b, Table)]

    @property
    def figures(self) -> list[Figure]:
        """The section's figures, in order."""
        return [b for b in self.blocks if isinstance(b, Figure)]

    @property
    def paragraphs(self) -> list[str]:
        """Text of the takeaway and of every paragraph, in order."""
        texts = [self.takeaway] if self.takeaway else []
        return texts + [b.text for b in self.blocks if isinstance(b, Paragraph)]

    def __bool__(self) -> bool:
        return bool(self.title or self.takeaway or self.blocks)

    def __repr__(self) -> str:
        kinds = ", ".join(type(b).__name__ for b in self.blocks)
        return f"Section({self.key!r}, {self.title!r}, [{kinds}])"

    def _repr_html_(self) -> str:
        if not self:
            return ""
        parts = []
        if self.title:
            parts.append(Heading(self.title, self.level)._repr_html_())
        if self.takeaway:
            parts.append(Paragraph(self.takeaway)._repr_html_())
        parts.extend(block._repr_html_() for block in self.blocks)
        return "\n".join(parts)


def render_table(
    frame: pd.DataFrame,
    *,
    language: str = "en",
    index: bool = True,
    formatter: Callable[[float], str] | None = None,
) -> str:
    """HTML of a table with translated headers; every value and header is HTML-escaped.

    Columns named like shares (``count_share``, ``value_share`` ...) are shown as percentages;
    other floats with ``formatter`` (default: thousands separator, two decimals).
    """
    shown = frame.copy()
    fmt = formatter or (lambda x: f"{x:,.2f}")
    for column in shown.columns:
        series = shown[column]
        if pd.api.types.is_float_dtype(series):
            rule = (lambda x: f"{x:.1%}") if str(column) in SHARE_COLUMNS else fmt
            shown[column] = pd.Series(
                [("–" if pd.isna(v) else rule(float(v))) for v in series],
                index=shown.index,
                dtype=object,
            )
    numeric = [k for k, c in enumerate(frame.columns) if pd.api.types.is_numeric_dtype(frame[c])]
    shown = label_frame(shown, language)
    classes = "abclab-table abclab-tid" + (" abclab-small" if len(shown) <= 15 else "")
    markup = shown.to_html(escape=True, index=index, classes=classes, border=0, na_rep="–")
    # Right-align numeric columns with a rule scoped to this table (id = content hash).
    table_id = "abclab-t" + hashlib.sha1(markup.encode("utf-8")).hexdigest()[:10]
    offset = frame.index.nlevels if index else 0
    rules = "".join(
        f"table.{table_id} td:nth-child({k + offset + 1}){{text-align:right !important}}"
        for k in numeric
    )
    markup = markup.replace("abclab-tid", table_id, 1)
    return (f"<style>{rules}</style>" if rules else "") + markup
