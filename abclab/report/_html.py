"""Executed notebook → self-contained HTML (code hidden, no CDN, A4 print CSS).

Uses nbconvert's :class:`~nbconvert.exporters.HTMLExporter` with the ``abclab`` template
(``abclab/report/templates/abclab``, a child of JupyterLab's ``lab`` template) that drops the
require.js, MathJax, mermaid and widget ``<script>`` tags (all loaded from a CDN by the stock
template) and adds print CSS. Figures are PNG outputs, which nbconvert embeds as base64
``data:`` URIs, so the file opens offline.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat
from nbconvert.exporters import HTMLExporter

from abclab.report._i18n import check_language

#: Directory holding the ``abclab`` nbconvert template.
TEMPLATE_DIR = Path(__file__).parent / "templates"
TEMPLATE_NAME = "abclab"

_REMOTE_RE = re.compile(
    r"""(?:\b(?:src|href)\s*=\s*["']?\s*https?://)|(?:@import\s+(?:url\()?\s*["']?https?://)""",
    re.IGNORECASE,
)


def export_html(
    nb: nbformat.NotebookNode, *, language: str = "en", title: str | None = None
) -> str:
    """Render an executed report notebook as a self-contained HTML page.

    Parameters
    ----------
    nb : NotebookNode
        The executed notebook (not modified).
    language : {"en", "zh"}
        Sets ``<html lang=...>``; ``zh`` makes browsers and WeasyPrint draw Han characters in
        their simplified-Chinese forms instead of Japanese ones.
    title : str, optional
        ``<title>`` of the page (default: the notebook's ``metadata.title`` or "report").

    Returns
    -------
    str
        The HTML page. Inputs, prompts and ``stderr`` streams (warnings of the kernel) are left
        out; every table and text in it was escaped by :mod:`abclab.report.sections`.

    Raises
    ------
    ValueError
        If the page would load any resource over http(s) (guards against template changes).
    """
    check_language(language)
    exporter = HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATE_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        language_code=language,
    )
    clean = _without_stderr(nb)
    if title is not None:
        clean.metadata["title"] = title
    body, _ = exporter.from_notebook_node(clean, resources={"metadata": {"name": "report"}})
    remote = remote_resources(body)
    if remote:
        raise ValueError(f"report HTML would load remote resources: {remote[:3]}")
    return body


def remote_resources(html: str) -> list[str]:
    """Return the ``src=``/``href=``/``@import`` references to http(s) URLs found in ``html``."""
    return [html[m.start() : m.end() + 60] for m in _REMOTE_RE.finditer(html)]


def _without_stderr(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    clean = copy.deepcopy(nb)
    for cell in clean.cells:
        if cell.get("cell_type") == "code":
            cell.outputs = [
                out
                for out in cell.get("outputs", [])
                if not (out.get("output_type") == "stream" and out.get("name") == "stderr")
            ]
    return clean
