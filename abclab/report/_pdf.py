"""Self-contained report HTML → A4 PDF with WeasyPrint.

WeasyPrint lays the page out from the ``@page`` rule of the ``abclab`` template (A4, page
numbers), embeds CJK fonts as real (subsetted) fonts and runs no JavaScript, which suits the
report: charts are static PNGs. Remote URLs are refused by the URL fetcher, so a PDF never
depends on the network. ``<script>`` elements are removed before WeasyPrint parses the page
(it runs no script; the customer explorer's JSON of a 100 000-customer report is megabytes
its pure-Python HTML parser would otherwise read for nothing).
"""

from __future__ import annotations

import logging
import re
import threading
from pathlib import Path

#: A ``<script>`` element. Its text cannot hold ``</script>`` (the HTML parser would end the
#: element there), so the shortest match is the whole element.
_SCRIPT_RE = re.compile(r"<script\b[^>]*>.*?</script\s*>", re.S | re.I)


def html_to_pdf(html: str, path: str | Path, *, base_url: str | Path | None = None) -> Path:
    """Write ``html`` as an A4 PDF to ``path`` and return the path.

    Parameters
    ----------
    html : str
        A self-contained page (images as ``data:`` URIs), e.g. from
        :func:`abclab.report._html.export_html`.
    path : str or Path
        Output file.
    base_url : str or Path, optional
        Base for relative links (none are expected).

    Notes
    -----
    JupyterLab's stylesheet uses CSS that WeasyPrint does not support (custom properties in
    some shorthands, ``:hover``, ...); its "ignored declaration" log lines are silenced here.
    """
    # deferred: WeasyPrint loads Pango and its fonts (about 1 s); only a PDF needs it
    import weasyprint

    out = Path(path)
    logger = logging.getLogger("weasyprint")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        document = weasyprint.HTML(
            string=without_scripts(html),
            base_url=str(base_url) if base_url is not None else None,
            url_fetcher=_local_only_fetcher(),
        )
        document.write_pdf(out)
    finally:
        logger.setLevel(level)
    return out


def preload() -> None:
    """Import WeasyPrint in a background thread (about 0.4 s), so that the PDF, built once
    the notebook's last visible cell ran, does not wait for it; the runner calls this when
    the kernel starts (the runner's process is idle while the kernel works)."""
    threading.Thread(
        target=_import_weasyprint, name="abclab-weasyprint-import", daemon=True
    ).start()


def _import_weasyprint() -> None:
    try:
        # deferred: see html_to_pdf
        import weasyprint  # noqa: F401
    except Exception:  # html_to_pdf imports it again and reports the error
        return


def without_scripts(html: str) -> str:
    """``html`` without its ``<script>`` elements (what WeasyPrint would ignore anyway)."""
    return _SCRIPT_RE.sub("", html)


def _local_only_fetcher() -> object:
    """A URL fetcher that only resolves ``data:`` and ``file:`` URLs (no network)."""
    # deferred: see html_to_pdf
    from weasyprint import urls

    if hasattr(urls, "URLFetcher"):  # WeasyPrint >= 66
        return urls.URLFetcher(allowed_protocols=("data", "file"), fail_on_errors=True)

    def fetch(url: str, *args: object, **kwargs: object) -> dict:  # older WeasyPrint
        if not url.startswith(("data:", "file:")):
            raise ValueError(f"the report PDF may not load remote resources: {url}")
        return urls.default_url_fetcher(url, *args, **kwargs)

    return fetch
