"""The report's HTML and PDF, built while the kernel writes the workbook when possible.

The bundled notebook's last cell (``abclab.section: outputs``) writes the workbook and
``provenance.json`` and shows nothing, so once it starts every visible output exists. The
:class:`DocumentBuilder` is the runner's ``on_cell_start`` hook: it keeps the code cells as
they start and, when the ``outputs`` cell starts, renders the HTML from the finished cells
and builds the PDF in a thread of the runner's process, alongside the kernel's workbook (two
processes, two cores). :meth:`DocumentBuilder.finish` waits for it and checks that the
cells from ``outputs`` on indeed showed nothing (else, and for any other notebook, the
documents are built from the executed notebook afterwards, as before).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from abclab.report._outdir import HTML_FILE, PDF_FILE
from abclab.report._pdf import html_to_pdf, preload

#: ``abclab.section`` of the notebook cell that writes the files and shows nothing.
OUTPUTS_SECTION = "outputs"

Progress = Callable[[str], None]


class DocumentBuilder:
    """Writes ``report.html`` and ``report.pdf`` into ``staging`` (the formats asked for).

    Parameters
    ----------
    staging : Path
        Folder of the report being built.
    formats : sequence of str
        The runner's formats (the HTML is written for "html" and for "pdf").
    language, title : str
        Of the page (see :func:`abclab.report._html.export_html`).
    say : callable
        Progress messages.
    timings : dict
        Receives ``html`` and ``pdf`` seconds (and ``documents_wait``: seconds the runner
        waited for them after the notebook finished).
    early : bool
        Whether the documents may be built from the cells before the ``outputs`` cell (the
        notebook's markdown cells must show nothing for that: see
        :func:`abclab.report._html.renders_directly`).
    """

    def __init__(
        self,
        staging: Path,
        *,
        formats: Sequence[str],
        language: str,
        title: str,
        say: Progress,
        timings: dict[str, float],
        early: bool,
    ) -> None:
        self.staging, self.language, self.title = staging, language, title
        self.html = "html" in formats or "pdf" in formats
        self.pdf = "pdf" in formats
        self.say, self.timings, self.early = say, timings, early and self.html
        self._cells: list[Any] = []
        self._thread: threading.Thread | None = None
        self._start = -1
        self._error: BaseException | None = None
        if self.pdf:
            preload()

    def on_cell_start(self, cell: Any, cell_index: int) -> None:
        """nbclient hook: keep the cell; at the ``outputs`` cell start the build."""
        if not self.early or self._thread is not None:
            return
        key = cell.get("metadata", {}).get("abclab", {}).get("section")
        if key == OUTPUTS_SECTION:
            # the finished cells' outputs are no longer changed by nbclient
            done = [list(c.get("outputs", [])) for c in self._cells]
            self._start = cell_index
            self._thread = threading.Thread(target=self._build_early, args=(done,), daemon=True)
            self._thread.start()
        else:
            self._cells.append(cell)

    def finish(self, nb: nbformat.NotebookNode) -> None:
        """Wait for the early build and check it; else build from the executed ``nb``."""
        if not self.html:
            return
        waited = time.perf_counter()
        if self._thread is not None:
            self._thread.join()
            self.timings["documents_wait"] = time.perf_counter() - waited
            if self._error is None and not _shows_anything(nb.cells[self._start :]):
                return
            if self._error is not None:
                raise self._error
        self._build(nb)

    def abandon(self) -> None:
        """Wait for a running build (the run failed; staging is about to be removed)."""
        if self._thread is not None:
            self._thread.join()

    def _build_early(self, outputs: list[list[Any]]) -> None:
        try:
            nb = new_notebook(cells=[new_code_cell(outputs=o) for o in outputs])
            self._build(nb)
        except BaseException as err:  # re-raised by finish() in the runner's thread
            self._error = err

    def _build(self, nb: nbformat.NotebookNode) -> None:
        # deferred: see _html (nbconvert is imported only for notebooks that need it)
        from abclab.report._html import export_html

        self.say("writing HTML")
        start = time.perf_counter()
        html = export_html(nb, language=self.language, title=self.title)
        (self.staging / HTML_FILE).write_text(html, encoding="utf-8")
        self.timings["html"] = time.perf_counter() - start
        if self.pdf:
            self.say("writing PDF")
            start = time.perf_counter()
            html_to_pdf(html, self.staging / PDF_FILE, base_url=self.staging)
            self.timings["pdf"] = time.perf_counter() - start


def _shows_anything(cells: Sequence[Any]) -> bool:
    """Whether any of ``cells`` has an output the page would show (``stderr`` is left out)."""
    for cell in cells:
        for out in cell.get("outputs", []):
            if not (out.get("output_type") == "stream" and out.get("name") == "stderr"):
                return True
    return False


def public_notebook(text: str, *, private: Sequence[tuple[str, str]]) -> str:
    """The executed notebook's JSON with each ``(path, shown)`` of ``private`` replaced.

    Papermill records the input and output paths and the parameters (the staging folder)
    in the notebook; the copy next to the report shows the report's own names instead.
    Paths are replaced in both their JSON forms (``ensure_ascii`` on and off). The kernel's
    ``stderr`` streams (Python warnings, which name the package's files on this machine)
    are left out, as the HTML and PDF leave them out.
    """
    nb = json.loads(text)
    for cell in nb.get("cells", []):
        if "outputs" in cell:
            cell["outputs"] = [
                out for out in cell["outputs"]
                if not (out.get("output_type") == "stream" and out.get("name") == "stderr")
            ]  # fmt: skip
    text = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
    for path, shown in private:
        for form in {json.dumps(path)[1:-1], json.dumps(path, ensure_ascii=False)[1:-1]}:
            text = text.replace(form, json.dumps(shown, ensure_ascii=False)[1:-1])
    return text
