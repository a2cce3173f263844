"""Run the bundled report notebook with papermill and write the report files atomically.

:func:`run_report` executes ``abclab/notebooks/report.ipynb`` on the interpreter that runs
abclab (whatever kernel specs the user has installed), then converts the executed notebook
to HTML and PDF.

A report is never lost:

- every file is built in a staging folder next to ``--out`` and moved into place (one
  ``os.replace`` per file) only once all of them exist;
- on failure the previous report stays as it was, byte for byte, and the executed notebook is
  written beside it as ``report.FAILED.ipynb`` (the failing section is named in the
  :class:`~abclab.exceptions.ReportError`; with ``debug=True`` the cell's traceback follows);
- the runner never deletes or overwrites a file of ``--out`` it did not write: it records what
  it wrote, with SHA-256, in ``.abclab-report.json`` (:data:`MANIFEST_FILE`) and refuses, before
  running anything, when a file named like one of its outputs is not in that record or was
  changed since (a client's ``report.xlsx`` input, a workbook a manager edited).

Progress names each pipeline step (the kernel writes them to a file the runner follows, see
:data:`abclab.pipeline.PROGRESS_ENV`) and each report section as its cell starts.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import nbformat
from nbformat.v4.rwbase import rejoin_lines

from abclab.config import Study, load_study
from abclab.exceptions import ReportError, StudyError
from abclab.report._checklist import write_checklist
from abclab.report._documents import DocumentBuilder, public_notebook
from abclab.report._i18n import LANGUAGES, text
from abclab.report._kernel import (
    KERNEL_NAME,
    SameInterpreterKernelSpecs,
    readable_python_translator,
)
from abclab.report._outdir import (
    CHECKLIST_FILE,
    FAILED_FILE,
    HTML_FILE,
    NOTEBOOK_FILE,
    PDF_FILE,
    PROVENANCE_FILE,
    XLSX_FILE,
    _check_out,
    _publish,
    _write_recorded,
)
from abclab.report._progress import _ProgressFollower, _section_announcer

FORMATS = ("html", "pdf", "xlsx")
#: Parameters the runner always sets; callers may not override them.
RESERVED_PARAMETERS = ("study_path", "output_dir", "write_xlsx")

Progress = Callable[[str], None]


@dataclass(frozen=True)
class ReportFiles:
    """Paths of a finished report (``None`` for formats not requested)."""

    directory: Path
    notebook: Path
    provenance: Path
    html: Path | None = None
    pdf: Path | None = None
    xlsx: Path | None = None
    checklist: Path | None = None

    @property
    def paths(self) -> tuple[Path, ...]:
        """Every written file, in a stable order."""
        items = (self.notebook, self.html, self.pdf, self.xlsx, self.provenance, self.checklist)
        return tuple(p for p in items if p is not None)


def bundled_notebook() -> Path:
    """Path of the report notebook shipped with the package."""
    return Path(str(resources.files("abclab") / "notebooks" / "report.ipynb"))


def run_report(
    study_path: str | Path | Study,
    out_dir: str | Path,
    *,
    formats: Sequence[str] = FORMATS,
    progress: Progress | None = None,
    parameters: Mapping[str, Any] | None = None,
    timeout: float = 600,
    notebook: str | Path | None = None,
    debug: bool = False,
) -> ReportFiles:
    """Execute the report notebook for a study and write the report into ``out_dir``.

    Parameters
    ----------
    study_path : str, Path or Study
        The study YAML file (or the study loaded from it, so it is not parsed twice); the
        kernel runs in its directory.
    out_dir : str or Path
        Directory of the finished report (created; report files in it are replaced).
    formats : sequence of {"html", "pdf", "xlsx"}
        Documents to write besides the executed notebook and ``provenance.json`` (always
        written). The PDF is made from the HTML.
    progress : callable, optional
        Called with a short message at the start of each stage.
    parameters : mapping, optional
        Overrides of the notebook's ``parameters`` cell (e.g. ``{"language": "zh",
        "max_rows": 50}``); unknown names are an error.
    timeout : float
        Seconds one notebook cell may run before the report fails.
    notebook : str or Path, optional
        Another notebook to run instead of the bundled one (it receives the same
        ``study_path``/``output_dir``/``write_xlsx`` parameters and must write
        ``provenance.json`` and, when requested, ``report.xlsx`` into ``output_dir``).
    debug : bool
        Append the failing cell's traceback to the error message.

    Returns
    -------
    ReportFiles

    Raises
    ------
    ReportError
        If a cell fails (the message names the cell index, the report section above it and
        the error), the notebook did not write an expected file, conversion fails, or
        ``out_dir`` holds a file named like an output that abclab did not write (nothing is
        run then).
    StudyError
        If the study file does not exist or a parameter is invalid.
    """
    say = progress or (lambda _message: None)
    loaded = study_path if isinstance(study_path, Study) else None
    study = Path(loaded.path if loaded is not None else study_path).resolve()
    if not study.is_file():
        raise StudyError(f"{study_path}: study file not found")
    formats = _check_formats(formats)
    source = Path(notebook) if notebook is not None else bundled_notebook()
    overrides = _check_parameters(source, parameters or {})
    loaded = loaded or load_study(study)
    language = overrides.get("language") or loaded.language
    if language not in LANGUAGES:
        raise StudyError(f"report parameters: language: expected one of {LANGUAGES}, got "
                         f"{language!r}")  # fmt: skip

    target = Path(out_dir).resolve()
    if target.exists() and not target.is_dir():
        raise ReportError(f"--out {out_dir}: exists and is not a folder")
    manifest = _check_out(target, out_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{target.name}.staging-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    timings: dict[str, float] = {}
    documents = DocumentBuilder(staging, formats=formats, language=language, title=loaded.name,
                                say=say, timings=timings, early=_renders_directly(source))  # fmt: skip
    try:
        say("executing report notebook")
        executed = staging / NOTEBOOK_FILE
        params = {
            **overrides,
            # the kernel runs in the study's folder: no machine path in the notebook
            "study_path": study.name,
            "output_dir": str(staging),
            "write_xlsx": "xlsx" in formats,
        }
        with _timed(timings, "notebook"):
            _execute(source, executed, params, cwd=study.parent, timeout=timeout,
                     target=target, manifest=manifest, say=say, debug=debug,
                     hook=documents.on_cell_start)  # fmt: skip
        # the copy beside the report names no folder of this machine
        private = ((str(staging), "."), (str(source.resolve()), source.name))
        stored = public_notebook(executed.read_text(encoding="utf-8"), private=private)
        executed.write_text(stored, encoding="utf-8")
        # papermill validated it on writing: from_dict skips a second schema validation
        documents.finish(rejoin_lines(nbformat.from_dict(json.loads(stored))))
        _expect(staging, PROVENANCE_FILE, source)
        if "xlsx" in formats:
            _expect(staging, XLSX_FILE, source)
        _add_timings(staging / PROVENANCE_FILE, timings, language=language, formats=formats)
        keep = [NOTEBOOK_FILE, PROVENANCE_FILE] + [
            name
            for fmt, name in (("html", HTML_FILE), ("pdf", PDF_FILE), ("xlsx", XLSX_FILE))
            if fmt in formats
        ]
        if write_checklist(staging / PROVENANCE_FILE, staging / CHECKLIST_FILE, language):
            keep.append(CHECKLIST_FILE)
        say("moving report into place")
        files = _publish(staging, target, keep, manifest)
    except ReportError:
        raise
    except Exception as err:
        raise ReportError(f"report for {study.name} failed: {type(err).__name__}: {err}") from err
    finally:
        documents.abandon()
        shutil.rmtree(staging, ignore_errors=True)
    return ReportFiles(
        directory=target,
        notebook=files[NOTEBOOK_FILE],
        provenance=files[PROVENANCE_FILE],
        html=files.get(HTML_FILE),
        pdf=files.get(PDF_FILE),
        xlsx=files.get(XLSX_FILE),
        checklist=files.get(CHECKLIST_FILE),
    )


# --------------------------------------------------------------------------- execution


def _execute(
    source: Path,
    output: Path,
    params: dict[str, Any],
    *,
    cwd: Path,
    timeout: float,
    target: Path,
    manifest: dict[str, str],
    say: Progress,
    debug: bool = False,
    hook: Callable[..., None] | None = None,
) -> None:
    """Run ``source`` into ``output`` with papermill; on a failing cell raise ReportError
    (after writing the executed notebook beside the report as ``report.FAILED.ipynb``)."""
    # deferred: papermill and the kernel client are heavy and only needed to run a notebook
    # (FORMATS, ReportFiles and bundled_notebook stay cheap to import)
    import papermill
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync
    from papermill.exceptions import PapermillExecutionError
    from papermill.translators import papermill_translators

    papermill_translators.register(KERNEL_NAME, readable_python_translator())
    # IPC (unix sockets) instead of TCP on localhost: no open ports, and no "running over
    # TCP without encryption" warning from the kernel on stderr. The socket files live in a
    # private temporary folder, never in the study's folder (the kernel's cwd).
    sockets = tempfile.TemporaryDirectory(prefix="abclab-kernel-")
    steps = Path(sockets.name) / "progress.txt"
    km = AsyncKernelManager(
        kernel_name=KERNEL_NAME,
        kernel_spec_manager=SameInterpreterKernelSpecs(progress_file=steps),
        transport="ipc",
        ip=str(Path(sockets.name) / "kernel"),
    )
    follower = _ProgressFollower(steps, say)
    try:
        follower.start()
        papermill.execute_notebook(
            str(source),
            str(output),
            parameters=params,
            kernel_name=KERNEL_NAME,
            language="python",
            progress_bar=False,
            cwd=str(cwd),
            execution_timeout=timeout,
            km=km,
            on_cell_start=_section_announcer(say, hook),
        )
    except PapermillExecutionError as err:
        failed = target / FAILED_FILE
        if output.exists():
            target.mkdir(parents=True, exist_ok=True)
            _write_recorded(output, target, FAILED_FILE, manifest)
        message = _failure_message(output, err, failed)
        if debug and getattr(err, "traceback", None):
            message += "\n" + _plain_traceback(err.traceback)
        raise ReportError(message) from None
    finally:
        follower.stop()
        if km.has_kernel:
            run_sync(km.shutdown_kernel)(now=True)
        sockets.cleanup()


def _plain_traceback(lines: Sequence[str]) -> str:
    """The cell's traceback as plain text (ANSI colours removed)."""
    return re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(lines))


def _failure_message(executed: Path, err: Any, failed: Path) -> str:
    section = _section_of_cell(executed, err.cell_index)
    where = f"cell {err.cell_index}"
    if section is not None:
        key, heading = section
        where += f" (section {key!r}: {heading})"
    first_line = str(err.evalue).strip().splitlines()[0] if str(err.evalue).strip() else ""
    return (
        f"report failed in {where}: {err.ename}: {first_line}; "
        f"the executed notebook is kept as {failed}"
    )


def _section_of_cell(executed: Path, index: int) -> tuple[str, str] | None:
    """Report section of the failing cell: its own or the nearest earlier ``abclab.section``.

    Papermill inserts an error banner and an anchor cell into the saved notebook, so the
    failing cell is found by its ``error`` output (``index`` is the fallback).
    """
    try:
        cells = nbformat.read(executed, as_version=4).cells
    except (OSError, ValueError):
        return None
    failing = next(
        (
            k
            for k, cell in enumerate(cells)
            if any(out.get("output_type") == "error" for out in cell.get("outputs", []))
        ),
        index,
    )
    for cell in reversed(cells[: failing + 1]):
        key = cell.get("metadata", {}).get("abclab", {}).get("section")
        if key:
            try:
                heading = text(f"section.{key}", "en")
            except KeyError:
                heading = key
            return key, heading
        source = cell.get("source", "")
        if cell.get("cell_type") == "markdown" and source.lstrip().startswith("#"):
            heading = source.lstrip().splitlines()[0].lstrip("#").strip()
            return heading, heading
    return None


# --------------------------------------------------------------------------- helpers


def _check_formats(formats: Sequence[str]) -> tuple[str, ...]:
    if isinstance(formats, str):
        formats = (formats,)
    chosen = tuple(dict.fromkeys(str(f).lower() for f in formats))
    bad = [f for f in chosen if f not in FORMATS]
    if bad:
        raise StudyError(f"report formats: expected a subset of {FORMATS}, got {bad}")
    return chosen


def _check_parameters(source: Path, overrides: Mapping[str, Any]) -> dict[str, Any]:
    reserved = [k for k in overrides if k in RESERVED_PARAMETERS]
    if reserved:
        raise StudyError(
            f"report parameters: {reserved} are set by the runner and cannot be overridden"
        )
    if not overrides:
        return {}
    nb = nbformat.read(source, as_version=4)
    known = _parameter_names(nb)
    unknown = [k for k in overrides if k not in known]
    if unknown:
        raise StudyError(
            f"report parameters: unknown {unknown}; {source.name} accepts {sorted(known)}"
        )
    return dict(overrides)


def _parameter_names(nb: nbformat.NotebookNode) -> set[str]:
    for cell in nb.cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            names = set()
            for line in cell.source.splitlines():
                head = line.split("#", 1)[0]
                if "=" in head and not head.startswith((" ", "\t")):
                    names.add(head.split("=", 1)[0].split(":", 1)[0].strip())
            return names
    return set()


def _renders_directly(source: Path) -> bool:
    # deferred: _html is small, but keeps nbformat-only callers of the runner cheap
    from abclab.report._html import renders_directly

    return renders_directly(nbformat.read(source, as_version=4))


def _expect(staging: Path, name: str, source: Path) -> None:
    if not (staging / name).is_file():
        raise ReportError(f"{source.name} did not write {name} into its output_dir")


def _add_timings(
    path: Path, timings: Mapping[str, float], *, language: str, formats: Sequence[str]
) -> None:
    record = json.loads(path.read_text(encoding="utf-8"))
    report = record.setdefault("report", {})
    report.update({"language": language, "formats": list(formats), "python": sys.executable})
    stages = record.setdefault("timings", {})
    if not isinstance(stages, dict):
        stages = record["timings"] = {"study": stages}
    stages.update({f"report_{k}": round(v, 4) for k, v in timings.items()})
    path.write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")


class _timed:
    def __init__(self, sink: dict[str, float], key: str) -> None:
        self.sink, self.key = sink, key

    def __enter__(self) -> None:
        self.start = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.sink[self.key] = time.perf_counter() - self.start
