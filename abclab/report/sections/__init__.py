"""Report sections: each function takes the :class:`ReportContext` and returns a
:class:`Section` (title, takeaway, tables, figures, text) that renders itself as HTML.

The report notebook (``abclab/notebooks/report.ipynb``) holds no logic of its own: each cell's
last expression is one section, which Jupyter displays through ``Section._repr_html_``; tests
inspect the same objects. A section with nothing to show is :meth:`Section.empty` and renders
as ``""``. :func:`write_outputs` is the one action (it writes the workbook and provenance).

Escaping rules are in :mod:`abclab.report.sections._blocks` (every client string is escaped).
Contact columns (phone, e-mail) are masked in every customer-level table unless the report is
run with ``mask_pii=False``. Headings, table headers and chart labels come from
:mod:`abclab.report._i18n` in the study's language.

Rooms: ``_blocks`` (renderable blocks), ``_context`` (context and block builders),
``_tables`` (tables computed from the results), ``_overview`` (title, summary, data quality,
appendix, outputs) and ``_analysis`` (weights, methods and the customers' positions).
"""

from __future__ import annotations

from abclab.report.sections._analysis import (
    agreement,
    clusters,
    disputed,
    method_summaries,
    migration,
    pareto_lorenz,
    sensitivity,
    strategies,
    value_potential,
    weights,
)
from abclab.report.sections._blocks import (
    Figure,
    Heading,
    Paragraph,
    Preformatted,
    Section,
    Table,
    render_table,
)
from abclab.report.sections._context import (
    ReportContext,
    context,
    criterion_labels,
    method_labels,
)
from abclab.report.sections._overview import (
    appendix,
    data_quality,
    executive_summary,
    title,
    write_outputs,
)
from abclab.report.sections._tables import (
    agreement_headline,
    cleaning_summary,
    count_disputed,
    inconsistency_table,
    outlier_table,
    value_criterion,
)

__all__ = [
    "Figure",
    "Heading",
    "Paragraph",
    "Preformatted",
    "ReportContext",
    "Section",
    "Table",
    "agreement",
    "agreement_headline",
    "appendix",
    "cleaning_summary",
    "clusters",
    "context",
    "count_disputed",
    "criterion_labels",
    "data_quality",
    "disputed",
    "executive_summary",
    "inconsistency_table",
    "method_labels",
    "method_summaries",
    "migration",
    "outlier_table",
    "pareto_lorenz",
    "render_table",
    "sensitivity",
    "strategies",
    "title",
    "value_criterion",
    "value_potential",
    "weights",
    "write_outputs",
]
