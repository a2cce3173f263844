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

Rooms: ``_blocks`` (renderable blocks), ``_context`` (context, block builders, the number
style and the translation of pipeline strings), ``_tables`` (tables computed from the
results), ``_overview`` (cover, contents, data quality, appendix, outputs), ``_executive``
(the executive layer), ``_weights`` (the weights section), ``_analysis`` (methods and the
customers' positions), ``_customer_base`` (churn risk and lifetime value) and ``_customers``
(the full, interactive customer list of the HTML).
"""

from __future__ import annotations

from abclab.report.sections._analysis import (
    agreement,
    clusters,
    disputed,
    method_summaries,
    method_synthesis,
    migration,
    pareto_lorenz,
    sensitivity,
    strategies,
    value_potential,
)
from abclab.report.sections._blocks import (
    Contents,
    Explorer,
    Figure,
    Heading,
    Items,
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
from abclab.report.sections._customer_base import customer_base
from abclab.report.sections._customers import customers, explorer_frame
from abclab.report.sections._executive import (
    account_flags,
    confirmation_items,
    executive_summary,
    movers,
    recommendation_facts,
)
from abclab.report.sections._overview import (
    ORDER,
    appendix,
    contents,
    data_quality,
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
from abclab.report.sections._weights import weights

__all__ = [
    "ORDER",
    "Contents",
    "Explorer",
    "Figure",
    "Items",
    "account_flags",
    "confirmation_items",
    "contents",
    "customer_base",
    "customers",
    "explorer_frame",
    "method_synthesis",
    "movers",
    "recommendation_facts",
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
