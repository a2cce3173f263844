"""The output folder of a report: file names, the manifest of what abclab wrote, publishing.

abclab never deletes or overwrites a file of ``--out`` it did not write: each run records
the files it wrote, with SHA-256, in :data:`MANIFEST_FILE`; a file named like an output that
is not in that record, or was changed since, makes the run stop before anything is built.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path

from abclab.exceptions import ReportError

#: Names of the files in a finished report directory.
NOTEBOOK_FILE = "report.ipynb"
HTML_FILE = "report.html"
PDF_FILE = "report.pdf"
XLSX_FILE = "report.xlsx"
PROVENANCE_FILE = "provenance.json"
FAILED_FILE = "report.FAILED.ipynb"
CHECKLIST_FILE = "checklist.md"
#: The runner's record of the files it wrote into an output folder (name -> SHA-256).
MANIFEST_FILE = ".abclab-report.json"
#: Every name the runner may write into an output folder.
OUTPUT_FILES = (NOTEBOOK_FILE, HTML_FILE, PDF_FILE, XLSX_FILE, PROVENANCE_FILE, CHECKLIST_FILE,
                FAILED_FILE)  # fmt: skip


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _read_manifest(target: Path) -> dict[str, str]:
    path = target / MANIFEST_FILE
    if not path.is_file():
        return {}
    try:
        files = json.loads(path.read_text(encoding="utf-8")).get("files", {})
    except (OSError, ValueError, AttributeError):
        return {}
    return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}


def _write_manifest(target: Path, files: Mapping[str, str]) -> None:
    record = {"written_by": "abclab report", "files": dict(sorted(files.items()))}
    partial = target / f"{MANIFEST_FILE}.part"
    partial.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    os.replace(partial, target / MANIFEST_FILE)


def _check_out(target: Path, shown: str | Path) -> dict[str, str]:
    """The manifest of ``target``; ReportError when a file named like an output is not ours.

    A file is ours when the manifest lists it with its current SHA-256: anything else (a
    client's ``report.xlsx``, a workbook edited since) would be overwritten or deleted.
    """
    manifest = _read_manifest(target) if target.is_dir() else {}
    for name in OUTPUT_FILES:
        path = target / name
        if not path.exists():
            continue
        if name not in manifest:
            raise ReportError(
                f"--out {shown}: {name} exists and was not written by abclab (it is not in "
                f"{MANIFEST_FILE}); abclab never overwrites it: move it away or choose "
                "another --out folder"
            )
        if not path.is_file() or _sha256(path) != manifest[name]:
            raise ReportError(
                f"--out {shown}: {name} was changed since abclab wrote it; abclab does not "
                "overwrite it: move it away (or rename it) or choose another --out folder"
            )
    return manifest


def _write_recorded(source: Path, target: Path, name: str, manifest: dict[str, str]) -> None:
    """Copy ``source`` to ``target/name`` atomically and record it in the manifest."""
    partial = target / f".{name}.part-{uuid.uuid4().hex[:8]}"
    try:
        shutil.copyfile(source, partial)
        manifest[name] = _sha256(partial)
        _write_manifest(target, manifest)
        os.replace(partial, target / name)
    finally:
        partial.unlink(missing_ok=True)


def _publish(
    staging: Path, target: Path, names: Sequence[str], manifest: dict[str, str]
) -> dict[str, Path]:
    """Move the finished files from ``staging`` into ``target`` (one ``os.replace`` each).

    Outputs of an earlier run that this run does not write (a failure record, a format not
    asked for this time) are removed only when the manifest shows abclab wrote them as they
    are; the manifest is updated before the first file moves, so it always lists every
    file abclab may have written.
    """
    target.mkdir(parents=True, exist_ok=True)
    digests = {name: _sha256(staging / name) for name in names}
    _write_manifest(target, {**manifest, **digests})
    moved = {}
    for name in names:
        os.replace(staging / name, target / name)
        moved[name] = target / name
    final = dict(digests)
    for stale in OUTPUT_FILES:
        path = target / stale
        if stale in names or not path.is_file():
            continue
        if stale in manifest and _sha256(path) == manifest[stale]:
            path.unlink()
    _write_manifest(target, final)
    return moved
