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
import json
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from abclab.report._format import format_percent, format_ratio
from abclab.report._i18n import label_frame

__all__ = [
    "Block",
    "Contents",
    "Explorer",
    "Items",
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
    anchor: str = ""
    css: str = ""

    def _repr_html_(self) -> str:
        attrs = f' id="{escape(self.anchor)}"' if self.anchor else ""
        attrs += f' class="{escape(self.css)}"' if self.css else ""
        return f"<h{self.level}{attrs}>{escape(self.text)}</h{self.level}>"


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
    formats: Mapping[str, Callable[[float], str]] = field(default_factory=dict)
    css: str = ""

    @property
    def columns(self) -> list[str]:
        """Column names of ``frame`` (before translation)."""
        return [str(c) for c in self.frame.columns]

    def __repr__(self) -> str:
        return f"Table({self.frame.shape[0]} x {self.frame.shape[1]}: {self.columns})"

    def _repr_html_(self) -> str:
        caption = caption_html("table", self.caption)
        markup = render_table(
            self.frame,
            language=self.language,
            index=self.index,
            formatter=self.formatter,
            formats=self.formats,
        )
        css = f" {escape(self.css)}" if self.css else ""
        return f'<div class="abclab-tablewrap{css}">{caption}{markup}</div>'

    def to_text_frame(self) -> pd.DataFrame:
        """The table as shown (formatted values, translated headers), for tests."""
        return label_frame(
            format_frame(self.frame, formatter=self.formatter, formats=self.formats),
            self.language,
        )


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
        img = f'<img src="data:image/png;base64,{data}" alt="{escape(self.alt or self.caption)}">'
        caption = caption_html("figure", self.caption)
        return f'<div class="jp-RenderedImage abclab-figure">{img}{caption}</div>'


@dataclass(frozen=True)
class Items:
    """A bulleted list of sentences (``**bold**`` applied as in :class:`Paragraph`)."""

    texts: tuple[str, ...]
    css: str = ""

    def _repr_html_(self) -> str:
        cls = f' class="{escape(self.css)}"' if self.css else ""
        items = "".join(f"<li>{Paragraph(t)._repr_html_()[3:-4]}</li>" for t in self.texts)
        return f"<ul{cls}>{items}</ul>"


@dataclass(frozen=True)
class Contents:
    """A table of contents: ``(anchor, title)`` pairs as links (page numbers in the PDF)."""

    entries: tuple[tuple[str, str], ...]
    title: str = ""

    def _repr_html_(self) -> str:
        items = "".join(
            f'<li><a href="#{escape(anchor)}">{escape(title)}</a></li>'
            for anchor, title in self.entries
        )
        head = f'<p class="abclab-toc-title">{escape(self.title)}</p>' if self.title else ""
        return f'<nav class="abclab-toc">{head}<ol>{items}</ol></nav>'


#: Digits of the packed dictionary codes of the customer explorer (JSON-safe, no ``<>&``).
CODE_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"


@dataclass(frozen=True, repr=False, eq=False)
class Explorer:
    """The full customer list as one searchable, sortable, filterable table (HTML only).

    ``columns`` are ``(key, header, kind)`` with kind ``text`` | ``number`` | ``tier``. Each
    column is dictionary-encoded: ``values[j]`` are its distinct shown texts and
    ``codes[j][i]`` is row ``i``'s index into them. For ``number`` columns the values are in
    ascending numeric order (a missing "–" last, flagged in ``missing[j]``) and the page sorts
    by the code, so a sort follows the numbers, not the text; rows showing the same text tie.

    The page's script (in the report template) renders it from compact JSON in a
    ``<script type="application/json">`` (``<``, ``>`` and ``&`` escaped, so client strings
    cannot close the script element): a non-number column with more distinct texts than half
    the rows (ids, names) as a plain list of texts; any other as ``{"v": values, "w": width,
    "c": codes}``, ``codes`` packing each row's index in ``width`` base-64 digits
    (:data:`CODE_DIGITS`), plus ``"na": true`` when the last value of a number column is the
    missing mark. 100 000 customers take about 60 bytes a row (about 220 as a list of
    ``[text, number]`` cells).
    """

    columns: tuple[tuple[str, str, str], ...]
    values: tuple[tuple[str, ...], ...]
    codes: tuple[Any, ...]
    labels: Mapping[str, str] = field(default_factory=dict)
    missing: tuple[bool, ...] = ()

    def __len__(self) -> int:
        return len(self.codes[0]) if self.codes else 0

    @property
    def rows(self) -> list[tuple[str, ...]]:
        """The shown texts, one tuple per row (the page decodes the same from the JSON)."""
        shown = [[v[int(k)] for k in c] for v, c in zip(self.values, self.codes, strict=True)]
        return list(zip(*shown, strict=True))

    def __repr__(self) -> str:
        return f"Explorer({len(self)} rows x {len(self.columns)} columns)"

    def _repr_html_(self) -> str:
        n = len(self)
        data: list[object] = []
        for k, (vals, codes) in enumerate(zip(self.values, self.codes, strict=True)):
            number = self.columns[k][2] == "number"
            if not number and len(vals) > n // 2:
                data.append([vals[int(c)] for c in codes])
                continue
            width, packed = _pack_codes(codes, len(vals))
            column: dict[str, object] = {"v": list(vals), "w": width, "c": packed}
            if number and k < len(self.missing) and self.missing[k]:
                column["na"] = True
            data.append(column)
        payload = json.dumps(
            {"columns": self.columns, "n": n, "data": data, "labels": dict(self.labels)},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        payload = payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        return (
            '<div class="abclab-explorer abclab-screen-only">'
            f'<script type="application/json" class="abclab-explorer-data">{payload}</script>'
            "</div>"
        )


def _pack_codes(codes: Any, size: int) -> tuple[int, str]:
    """``codes`` (integers in ``[0, size)``) as ``width`` and one string of fixed-width
    base-64 numbers, most significant digit first."""
    base = len(CODE_DIGITS)
    width = 1
    while base**width < size:
        width += 1
    codes = np.asarray(codes, dtype=np.int64)
    digits = np.frombuffer(CODE_DIGITS.encode("ascii"), dtype=np.uint8)
    places = [(codes // base**p) % base for p in range(width - 1, -1, -1)]
    packed = digits[np.stack(places, axis=1).ravel()] if len(codes) else digits[:0]
    return width, packed.tobytes().decode("ascii")


Block = Heading | Paragraph | Preformatted | Table | Figure | Items | Contents | Explorer


def caption_html(kind: str, caption: str) -> str:
    """A numbered caption (the number is a CSS counter: "Table 3", "表3")."""
    if not caption:
        return ""
    return (
        f'<p class="abclab-caption abclab-caption-{kind}">'
        f'<span class="abclab-caption-n"></span>{escape(caption)}</p>'
    )


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

    @property
    def anchor(self) -> str:
        """The id of the section's heading (``sec-<key>``), the target of the contents."""
        return f"sec-{self.key}"

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
        counts = Counter(type(b).__name__ for b in self.blocks)
        kinds = ", ".join(f"{n} {kind}" for kind, n in counts.items())
        return f"Section({self.key!r}, {self.title!r}, [{kinds}])"

    def _repr_html_(self) -> str:
        if not self:
            return ""
        parts = []
        if self.title:
            css = "abclab-section" if self.level == 2 else ""
            parts.append(Heading(self.title, self.level, anchor=self.anchor, css=css)._repr_html_())
        if self.takeaway:
            parts.append(Paragraph(self.takeaway)._repr_html_())
        parts.extend(block._repr_html_() for block in self.blocks)
        body = "\n".join(parts)
        return f'<div class="abclab-part abclab-part-{escape(self.key)}">{body}</div>'


def format_frame(
    frame: pd.DataFrame,
    *,
    formatter: Callable[[float], str] | None = None,
    formats: Mapping[str, Callable[[float], str]] | None = None,
) -> pd.DataFrame:
    """``frame`` with its float columns as text: ``formats[column]`` where given, shares as
    percentages, other floats with ``formatter`` (default: thousands separator, two decimals).
    Missing values show as "–"."""
    shown = frame.copy()
    fmt = formatter or format_ratio
    formats = formats or {}
    for column in shown.columns:
        series = shown[column]
        rule = formats.get(str(column))
        if rule is None and not pd.api.types.is_float_dtype(series):
            continue
        if rule is None:
            rule = format_percent if str(column) in SHARE_COLUMNS else fmt
        shown[column] = pd.Series(
            [("–" if _missing(v) else v if isinstance(v, str) else rule(v)) for v in series],
            index=shown.index,
            dtype=object,
        )
    return shown


def _missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def render_table(
    frame: pd.DataFrame,
    *,
    language: str = "en",
    index: bool = True,
    formatter: Callable[[float], str] | None = None,
    formats: Mapping[str, Callable[[float], str]] | None = None,
) -> str:
    """HTML of a table with translated headers; every value and header is HTML-escaped.

    Values are formatted by :func:`format_frame`; numeric columns are right-aligned.
    """
    shown = format_frame(frame, formatter=formatter, formats=formats)
    numeric = [k for k, c in enumerate(frame.columns) if pd.api.types.is_numeric_dtype(frame[c])]
    shown = label_frame(shown, language)
    if index and shown.index.nlevels == 1 and shown.columns.nlevels == 1:
        # the index's name in the header row's first cell, not on a second, empty header row
        shown = shown.rename_axis(index=None, columns=shown.index.name)
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
