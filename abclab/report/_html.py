"""Executed notebook → self-contained HTML (code hidden, no CDN, A4 print CSS).

A report notebook whose cells only show HTML (each section's ``_repr_html_``), text or
images is rendered directly: its outputs, in order, in a small page with the report's
stylesheet (``templates/abclab/report.css``) and the customer explorer's script
(``templates/abclab/explorer.js``). That is what nbconvert would show with inputs and
prompts hidden, without JupyterLab's 240 kB stylesheet (which WeasyPrint parses and
cascades for every element) and without nbconvert's start-up (about 1 s on the reference
machine, HTML exporter included). Any other notebook (markdown cells, widgets, LaTeX, ...)
goes through nbconvert's :class:`~nbconvert.exporters.HTMLExporter` with the ``abclab``
template, a child of JupyterLab's ``lab`` template that drops the require.js, MathJax,
mermaid and widget ``<script>`` tags (loaded from a CDN by the stock template) and includes
the same stylesheet and script. Figures are PNG ``data:`` URIs either way: the file opens
offline.
"""

from __future__ import annotations

import copy
import functools
import html as _html
import re
from pathlib import Path

import nbformat

from abclab.report._i18n import check_language

#: Directory holding the ``abclab`` nbconvert template.
TEMPLATE_DIR = Path(__file__).parent / "templates"
TEMPLATE_NAME = "abclab"

_REMOTE_RE = re.compile(
    r"""(?:\b(?:src|href)\s*=\s*["']?\s*https?://)|(?:@import\s+(?:url\()?\s*["']?https?://)""",
    re.IGNORECASE,
)
#: A markdown cell that is only an HTML comment shows nothing (the notebook's header note).
_COMMENT_RE = re.compile(r"^\s*(?:<!--.*?-->\s*)*$", re.S)
#: Output mime types the direct page shows, best first (nbconvert's order for these).
_SHOWN = ("text/html", "image/png", "image/jpeg", "text/plain")


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
    shown = title if title is not None else str(nb.metadata.get("title") or "report")
    if renders_directly(nb):
        body = _direct_page(nb, language=language, title=shown)
    else:
        clean = _without_stderr(nb)
        clean.metadata["title"] = shown
        body = _nbconvert_page(clean, language=language)
    remote = remote_resources(body)
    if remote:
        raise ValueError(f"report HTML would load remote resources: {remote[:3]}")
    return body


def renders_directly(nb: nbformat.NotebookNode) -> bool:
    """Whether every cell shows only what the direct page renders: code cells whose outputs
    are streams or carry HTML, PNG/JPEG or plain text, and markdown cells that are only an
    HTML comment (raw cells and other markdown need nbconvert)."""
    for cell in nb.cells:
        kind = cell.get("cell_type")
        if kind == "markdown":
            if not _COMMENT_RE.match(_text(cell.get("source", ""))):
                return False
        elif kind == "code":
            for out in cell.get("outputs", []):
                if out.get("output_type") == "stream":
                    continue
                if out.get("output_type") not in ("display_data", "execute_result"):
                    return False
                if not any(m in out.get("data", {}) for m in _SHOWN):
                    return False
        else:
            return False
    return True


def remote_resources(html: str) -> list[str]:
    """Return the ``src=``/``href=``/``@import`` references to http(s) URLs found in ``html``."""
    return [html[m.start() : m.end() + 60] for m in _REMOTE_RE.finditer(html)]


# --------------------------------------------------------------------------- direct page


def _direct_page(nb: nbformat.NotebookNode, *, language: str, title: str) -> str:
    parts = [_output_html(out) for cell in nb.cells if cell.get("cell_type") == "code"
             for out in cell.get("outputs", [])]  # fmt: skip
    body = "\n".join(f'<div class="abclab-output">{p}</div>' for p in parts if p)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{_html.escape(language)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_html.escape(title)}</title>\n"
        f'<style type="text/css">\n{_asset("report.css")}</style>\n</head>\n'
        f'<body class="abclab-report">\n<main>\n{body}\n</main>\n'
        f"<script>\n{_asset('explorer.js')}</script>\n</body>\n</html>\n"
    )


def _output_html(out: nbformat.NotebookNode) -> str:
    """One output as nbconvert's ``lab`` template shows it (stdout as ``<pre>``)."""
    if out.get("output_type") == "stream":
        if out.get("name") == "stderr":  # warnings of the kernel
            return ""
        return f"<pre>{_html.escape(_text(out.get('text', '')))}</pre>"
    data = out.get("data", {})
    if "text/html" in data:
        return _text(data["text/html"])
    for mime in ("image/png", "image/jpeg"):
        if mime in data:
            encoded = _text(data[mime]).replace("\n", "")
            return f'<img src="data:{mime};base64,{encoded}" alt="">'
    return f"<pre>{_html.escape(_text(data.get('text/plain', '')))}</pre>"


def _text(value: object) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


@functools.cache
def _asset(name: str) -> str:
    return (TEMPLATE_DIR / TEMPLATE_NAME / name).read_text(encoding="utf-8")


# --------------------------------------------------------------------------- nbconvert


def _nbconvert_page(nb: nbformat.NotebookNode, *, language: str) -> str:
    # deferred: nbconvert takes about 0.5 s to import; only notebooks the direct page cannot
    # show need it
    from nbconvert.exporters import HTMLExporter

    exporter = HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATE_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        language_code=language,
    )
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": "report"}})
    return body


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
